//! The benchmark plugin. `count_vowels` is ctests' c1 (upstream's count-vowels plugin as a host
//! sees it: config `vowels`, a running `total` in a var, JSON out); `echo` returns its input.
use extism_pdk::*;
use serde::Serialize;

const VOWELS: &str = "aeiouAEIOU";

#[derive(Serialize, ToBytes)]
#[encoding(Json)]
struct VowelReport {
    count: u64,
    total: u64,
    vowels: String,
}

#[plugin_fn]
pub fn count_vowels(input: String) -> FnResult<VowelReport> {
    let vowels = config::get("vowels")?.unwrap_or_else(|| VOWELS.to_string());
    let count = input.chars().filter(|c| vowels.contains(*c)).count() as u64;
    let total = var::get::<u64>("total")?.unwrap_or(0) + count;
    var::set("total", total)?;
    Ok(VowelReport { count, total, vowels })
}

#[plugin_fn]
pub fn echo(input: Vec<u8>) -> FnResult<Vec<u8>> {
    Ok(input)
}
