//! "C1": behaves like upstream's code.wasm (the count-vowels plugin) as seen from a host.
//! `count_vowels` counts the input characters found in config key `vowels` (default
//! `aeiouAEIOU`), adds the count to a running `total` kept in a var, and returns
//! `{"count":N,"total":T,"vowels":"..."}`.
//! `globals` behaves like upstream's globals.wasm: a module global counter, output `{"count": N}`.
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

static mut COUNT: u64 = 0;

#[plugin_fn]
pub fn globals() -> FnResult<String> {
    let n = unsafe {
        let n = COUNT;
        COUNT += 1;
        n
    };
    Ok(format!("{{\"count\": {}}}", n))
}
