//! Valid but arbitrary plugins (wasm-smith) that import the whole `extism:host/env` kernel and
//! runtime group and call it from random code with random arguments: offsets, lengths, handles.
//! Each module exports `run: () -> i32` and `go: () -> ()`; it is loaded through a JSON manifest
//! (`memory.max_pages` 64, a small var budget, one config key) with a fuel limit, then both exports
//! are called (with input from the fuzz data), twice, the second time after `extism_plugin_reset`.
//!
//! Checked: no crash and no ASan report, whatever the plugin does with the imports; every call
//! ends (fuel); output and error are readable; the plugin can be freed. Random bytes (the
//! plugin_create target) rarely get past validation: these modules always do, so this is the
//! target that drives wasm code into the host.
#![no_main]

use std::ffi::CString;
use std::ptr::null_mut;
use std::sync::OnceLock;

use arbitrary::Unstructured;
use extism::capi::plugin::*;
use extism::capi::types::ExtismPlugin;
use extism_fuzz::{base64, c_text, read_all, take_create_error};
use libfuzzer_sys::fuzz_target;
use wasm_smith::{Config, Module};

const FUEL: u64 = 1_000_000;

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

fn config() -> &'static Config {
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

fn call(p: *mut ExtismPlugin, name: &CString, input: &[u8]) {
    // SAFETY: p is live, name and input outlive the call; results are read before the next call.
    unsafe {
        let _rc = extism_plugin_call(p, name.as_ptr(), input.as_ptr(), input.len() as u64);
        let _out = read_all(extism_plugin_output_data(p), extism_plugin_output_length(p));
        let _err = c_text(extism_plugin_error(p));
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let Ok(module) = Module::new(config().clone(), &mut u) else { return };
    let wasm = module.to_bytes();
    let input = u.bytes(u.len().min(64)).unwrap_or(&[]);
    let manifest = format!(
        r#"{{"wasm":[{{"data":"{}"}}],"memory":{{"max_pages":64,"max_var_bytes":4096}},"config":{{"k":"v"}}}}"#,
        base64(&wasm)
    );
    let mut err = null_mut();
    // SAFETY: valid buffer and out-pointer.
    let p = unsafe {
        extism_plugin_new_with_fuel_limit(manifest.as_ptr(), manifest.len() as u64, null_mut(), 0, false, FUEL, &mut err)
    };
    if p.is_null() {
        // SAFETY: set by the failed create (start code trapping or running out of fuel, a memory
        // larger than max_pages, ...).
        unsafe { take_create_error(err) };
        return;
    }
    let (run, go) = (CString::new("run").unwrap(), CString::new("go").unwrap());
    for round in 0..2 {
        call(p, &run, input);
        call(p, &go, input);
        if round == 0 {
            // SAFETY: p is live and idle.
            assert!(unsafe { extism_plugin_reset(p) });
        }
    }
    // SAFETY: freed once, no call running.
    unsafe { extism_plugin_free(p) };
});
