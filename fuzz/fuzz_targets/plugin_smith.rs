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

use arbitrary::Unstructured;
use extism::capi::plugin::*;
use extism::capi::types::ExtismPlugin;
use extism_fuzz::{base64, c_text, read_all, smith_config, take_create_error};
use libfuzzer_sys::fuzz_target;
use wasm_smith::Module;

const FUEL: u64 = 1_000_000;

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
    let Ok(module) = Module::new(smith_config().clone(), &mut u) else { return };
    let wasm = module.to_bytes();
    let input = u.bytes(u.len().min(64)).unwrap_or(&[]);
    let manifest = format!(
        r#"{{"wasm":[{{"data":"{}"}}],"memory":{{"max_pages":64,"max_var_bytes":4096}},"config":{{"k":"v"}}}}"#,
        base64(&wasm)
    );
    let mut err = null_mut();
    // SAFETY: valid buffer and out-pointer.
    let p = unsafe {
        extism_plugin_new_with_fuel_limit(manifest.as_ptr(), manifest.len() as u64, null_mut(), 0, false.into(), FUEL, &mut err)
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
