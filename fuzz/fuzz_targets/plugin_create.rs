//! Plugin creation from arbitrary bytes, through the C API (called from Rust) and the Rust core,
//! then a call to every exported function of what was created.
//!
//! The first byte picks options (bit 0: WASI, bit 1: also `extism_plugin_new` on the raw bytes,
//! bit 2: `extism_plugin_reset` between calls); the rest is what a host would hand over.
//! Raw bytes go through the C API only when they are wasm, WAT or non-UTF-8 (a manifest could name
//! files, URLs or host memory, which the contract trusts); every input also goes through
//! `Compiled::new` with the fuzz loader, and what compiles becomes a plugin through
//! `extism_plugin_new_from_compiled`. Fuel limits keep start code and calls finite.
//!
//! Checked: no crash; a failed create gives a non-empty UTF-8 error and a NULL plugin; a created
//! plugin answers calls with readable output and error texts, and frees cleanly.
#![no_main]

use std::ptr::{null, null_mut};
use std::sync::Arc;

use extism::capi::compiled::extism_compiled_plugin_free;
use extism::capi::plugin::*;
use extism::capi::types::{ExtismCompiledPlugin, ExtismPlugin};
use extism::compiled::Compiled;
use extism::manifest::{sniff, Sniffed};
use extism_fuzz::{c_text, read_all, take_create_error, FuzzLoader};
use libfuzzer_sys::fuzz_target;

const FUEL: u64 = 300_000;
const MAX_EXPORTS: usize = 8;

/// Calls `names` on `p` with a short input; checks what comes back is readable.
unsafe fn exercise(p: *mut ExtismPlugin, names: &[String], input: &[u8], reset: bool) {
    for name in names {
        let Ok(cname) = std::ffi::CString::new(name.as_str()) else { continue };
        // SAFETY: p is a live plugin; strings and input outlive the calls.
        unsafe {
            // Any rc is possible (an export returns its own i32); what comes back must be readable.
            let _ = extism_plugin_function_exists(p, cname.as_ptr());
            let _rc = extism_plugin_call(p, cname.as_ptr(), input.as_ptr(), input.len() as u64);
            let _out = read_all(extism_plugin_output_data(p), extism_plugin_output_length(p));
            let _err = c_text(extism_plugin_error(p));
            if reset {
                assert!(extism_plugin_reset(p));
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&opts, bytes)) = data.split_first() else { return };
    let wasi = opts & 1 != 0;
    let reset = opts & 4 != 0;
    let input = &bytes[..bytes.len().min(16)];

    let raw_ok = matches!(sniff(bytes), Sniffed::Binary | Sniffed::Wat(_) | Sniffed::NotUtf8);
    if opts & 2 != 0 && raw_ok {
        let mut err = null_mut();
        // SAFETY: valid buffer and out-pointer.
        let p = unsafe {
            extism_plugin_new_with_fuel_limit(bytes.as_ptr(), bytes.len() as u64, null_mut(), 0, wasi.into(), FUEL, &mut err)
        };
        if p.is_null() {
            // SAFETY: err was set by the failed create.
            unsafe { take_create_error(err) };
        } else {
            assert!(err.is_null());
            // SAFETY: p is live until freed here; a NULL name is refused.
            unsafe {
                assert!(!extism_plugin_function_exists(p, null()));
                extism_plugin_free(p);
            }
        }
    }

    let compiled = match Compiled::new(bytes, Vec::new(), wasi, Some(FUEL), &FuzzLoader) {
        Ok(c) => c,
        Err(_) => return,
    };
    let names: Vec<String> = compiled
        .main_module()
        .module
        .exports()
        .filter(|e| matches!(e.ty(), wasmi::ExternType::Func(_)))
        .map(|e| e.name().to_string())
        .filter(|n| n != extism::start_hoist::HIDDEN_START)
        .take(MAX_EXPORTS)
        .collect();
    let handle = Box::into_raw(Box::new(ExtismCompiledPlugin { compiled: Arc::new(compiled) }));
    let mut err = null_mut();
    // SAFETY: handle is a live compiled plugin; err a valid out-pointer.
    let p = unsafe { extism_plugin_new_from_compiled(handle, &mut err) };
    if p.is_null() {
        // SAFETY: err was set by the failed create.
        unsafe { take_create_error(err) };
    } else {
        // SAFETY: p is live until freed; the compiled plugin may go first (plugins keep a reference).
        unsafe {
            extism_compiled_plugin_free(handle);
            exercise(p, &names, input, reset);
            extism_plugin_free(p);
        }
        return;
    }
    // SAFETY: freed once.
    unsafe { extism_compiled_plugin_free(handle) };
});
