//! "simd_rs": c1's `count_vowels` (same config, var and JSON output) built with
//! `-C target-feature=+simd128` (ctests/Makefile), so the whole plugin, PDK included, may use SIMD,
//! and the count itself compares 16 input bytes at a time with `core::arch::wasm32`'s v128
//! operations. `simd_used` outputs "1" when built with SIMD.
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
    let count = count(&input, &vowels);
    let total = var::get::<u64>("total")?.unwrap_or(0) + count;
    var::set("total", total)?;
    Ok(VowelReport { count, total, vowels })
}

#[plugin_fn]
pub fn simd_used() -> FnResult<String> {
    Ok(String::from(if cfg!(target_feature = "simd128") { "1" } else { "0" }))
}

/// Characters of `input` found in `vowels`. ASCII vowels are compared byte-wise (a UTF-8
/// continuation byte never equals an ASCII byte, so bytes and characters count the same).
fn count(input: &str, vowels: &str) -> u64 {
    if !vowels.is_ascii() {
        return input.chars().filter(|c| vowels.contains(*c)).count() as u64;
    }
    let mut set: Vec<u8> = vowels.bytes().collect();
    set.sort_unstable();
    set.dedup();
    count_bytes(input.as_bytes(), &set)
}

#[cfg(target_feature = "simd128")]
fn count_bytes(bytes: &[u8], set: &[u8]) -> u64 {
    use core::arch::wasm32::{u8x16, u8x16_bitmask, u8x16_eq, u8x16_splat, v128_or};
    let mut chunks = bytes.chunks_exact(16);
    let mut count = 0u64;
    for chunk in &mut chunks {
        let mut lanes = [0u8; 16];
        lanes.copy_from_slice(chunk);
        let [a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p] = lanes;
        let v = u8x16(a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p);
        let hits = set.iter().fold(u8x16_splat(0), |acc, s| v128_or(acc, u8x16_eq(v, u8x16_splat(*s))));
        count += u64::from(u8x16_bitmask(hits).count_ones());
    }
    count + chunks.remainder().iter().filter(|b| set.contains(b)).count() as u64
}

#[cfg(not(target_feature = "simd128"))]
fn count_bytes(bytes: &[u8], set: &[u8]) -> u64 {
    bytes.iter().filter(|b| set.contains(b)).count() as u64
}
