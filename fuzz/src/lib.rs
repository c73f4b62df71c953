//! Helpers shared by the fuzz targets.

use std::collections::BTreeMap;
use std::ffi::CStr;
use std::os::raw::c_char;

use extism::manifest::SourceLoader;
use std::sync::OnceLock;
use wasm_smith::Config;

/// A source loader that never touches the file system, the network or host memory: fuzz input may
/// name any path, URL or `{ptr, len}`, and by the manifest contract a `ptr` is trusted (reading it
/// would crash the fuzzer for no finding). Each source kind answers deterministically from its name
/// so both the success and the failure paths of `load` are reached.
pub struct FuzzLoader;

/// A tiny valid module (exports nothing) for sources that "load".
pub const EMPTY_MODULE: &[u8] = b"\0asm\x01\0\0\0";

impl SourceLoader for FuzzLoader {
    fn read_file(&self, path: &str) -> Result<Vec<u8>, String> {
        match path.len() % 3 {
            0 => Err(format!("no such file: {path}")),
            1 => Ok(EMPTY_MODULE.to_vec()),
            _ => Ok(path.as_bytes().to_vec()),
        }
    }

    fn fetch_url(
        &self,
        url: &str,
        headers: &BTreeMap<String, String>,
        method: Option<&str>,
    ) -> Result<Vec<u8>, String> {
        match (url.len() + headers.len() + method.map_or(0, str::len)) % 3 {
            0 => Err(format!("unreachable: {url}")),
            1 => Ok(EMPTY_MODULE.to_vec()),
            _ => Ok(url.as_bytes().to_vec()),
        }
    }

    /// # Safety
    /// Nothing to promise: no host memory is ever read (the bytes are a constant).
    unsafe fn read_host_memory<'a>(&self, ptr: u64, len: u64) -> Result<&'a [u8], String> {
        if len == 0 {
            return Ok(&[]);
        }
        if ptr % 2 == 0 {
            Err("refused by the fuzz loader".into())
        } else {
            Ok(EMPTY_MODULE)
        }
    }
}

/// The bytes of a C string the library handed out (a plugin-recorded error may be any bytes).
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that stays valid while the result is used.
pub unsafe fn c_text<'a>(p: *const c_char) -> Option<&'a [u8]> {
    if p.is_null() {
        return None;
    }
    // SAFETY: caller's promise.
    Some(unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// A create error: set, non-empty, UTF-8; freed here.
///
/// # Safety
/// `err` is what a failed create call stored in its `errmsg`.
pub unsafe fn take_create_error(err: *mut c_char) -> String {
    // SAFETY: caller's promise.
    let text = unsafe { c_text(err) }.expect("a failed create sets errmsg");
    let text = std::str::from_utf8(text).expect("create errors are UTF-8").to_string();
    assert!(!text.is_empty(), "create errors say something");
    // SAFETY: a string from the library, freed once.
    unsafe { extism::capi::plugin::extism_plugin_new_error_free(err) };
    text
}

/// Standard base64 with padding (for `data` sources in manifests).
pub fn base64(data: &[u8]) -> String {
    const T: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for c in data.chunks(3) {
        let b = [c[0], *c.get(1).unwrap_or(&0), *c.get(2).unwrap_or(&0)];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= c.len() {
                out.push(T[((n >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Reads `len` bytes at `data` (so a wrong pointer or length shows up under ASan or as a fault).
///
/// # Safety
/// `data` points at `len` readable bytes, or `len` is 0.
pub unsafe fn read_all(data: *const u8, len: u64) -> Vec<u8> {
    if len == 0 {
        return Vec::new();
    }
    assert!(!data.is_null(), "non-empty output with a NULL pointer");
    // SAFETY: caller's promise.
    unsafe { std::slice::from_raw_parts(data, len as usize) }.to_vec()
}

/// Every import a plugin may pick from (HTTP left out: the fuzz build has no client).
const IMPORTS: &str = r#"(module
  (import "extism:host/env" "alloc" (func (param i64) (result i64)))
  (import "extism:host/env" "free" (func (param i64)))
  (import "extism:host/env" "length" (func (param i64) (result i64)))
  (import "extism:host/env" "length_unsafe" (func (param i64) (result i64)))
  (import "extism:host/env" "load_u8" (func (param i64) (result i32)))
  (import "extism:host/env" "load_u64" (func (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func (param i64 i32)))
  (import "extism:host/env" "store_u64" (func (param i64 i64)))
  (import "extism:host/env" "input_length" (func (result i64)))
  (import "extism:host/env" "input_offset" (func (result i64)))
  (import "extism:host/env" "input_load_u8" (func (param i64) (result i32)))
  (import "extism:host/env" "input_load_u64" (func (param i64) (result i64)))
  (import "extism:host/env" "input_set" (func (param i64 i64)))
  (import "extism:host/env" "output_set" (func (param i64 i64)))
  (import "extism:host/env" "output_offset" (func (result i64)))
  (import "extism:host/env" "output_length" (func (result i64)))
  (import "extism:host/env" "error_set" (func (param i64)))
  (import "extism:host/env" "error_get" (func (result i64)))
  (import "extism:host/env" "reset" (func))
  (import "extism:host/env" "memory_bytes" (func (result i64)))
  (import "extism:host/env" "config_get" (func (param i64) (result i64)))
  (import "extism:host/env" "var_get" (func (param i64) (result i64)))
  (import "extism:host/env" "var_set" (func (param i64 i64)))
  (import "extism:host/env" "log_info" (func (param i64)))
  (import "extism:host/env" "log_error" (func (param i64)))
  (import "extism:host/env" "get_log_level" (func (result i32)))
)"#;

const EXPORTS: &str = r#"(module
  (func (export "run") (result i32) unreachable)
  (func (export "go") unreachable)
)"#;

/// wasm-smith's configuration for plugins that call the kernel: valid modules with the imports
/// above available and the exports above required, within what wasmi runs.
pub fn smith_config() -> &'static Config {
    static CONFIG: OnceLock<Config> = OnceLock::new();
    CONFIG.get_or_init(|| {
        let mut c = Config::default();
        c.available_imports = Some(wat::parse_str(IMPORTS).expect("imports module"));
        c.exports = Some(wat::parse_str(EXPORTS).expect("exports module"));
        // What wasmi runs (and our engine configuration enables).
        c.simd_enabled = false;
        c.relaxed_simd_enabled = false;
        c.threads_enabled = false;
        c.exceptions_enabled = false;
        c.gc_enabled = false;
        c.memory64_enabled = false;
        c.wide_arithmetic_enabled = false;
        c.custom_page_sizes_enabled = false;
        // Small enough to run fast; memory within max_pages mostly.
        c.max_memory32_bytes = 8 << 20;
        c.max_table_elements = 10_000;
        c.max_funcs = 20;
        c.max_instructions = 400;
        c.max_data_segments = 8;
        c.max_element_segments = 8;
        c.max_globals = 20;
        c.max_imports = 26;
        c
    })
}
