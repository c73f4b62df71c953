//! `extism_compiled_plugin_*`: compile once, make many plugins cheaply, from any thread.

use alloc::boxed::Box;
use alloc::sync::Arc;
use core::ffi::c_char;

use super::function::ExtismFunction;
use super::plugin::{compile, fail, Prefixes};
use super::types::*;
use crate::compiled::Metering;

/// # Safety
/// Pointers as in `extism_compiled_plugin_new`.
unsafe fn new_compiled(
    wasm: *const u8,
    wasm_size: ExtismSize,
    functions: *mut *const ExtismFunction,
    n_functions: ExtismSize,
    with_wasi: CBool,
    metering: Metering,
    errmsg: *mut *mut c_char,
) -> *mut ExtismCompiledPlugin {
    // SAFETY: forwarded caller promises.
    match unsafe { compile(wasm, wasm_size, functions, n_functions, with_wasi, metering) } {
        Ok(c) => Box::into_raw(Box::new(ExtismCompiledPlugin { compiled: Arc::new(c) })),
        // SAFETY: caller's promise about errmsg.
        Err(e) => unsafe { fail(errmsg, e, Prefixes::ByCause) },
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_compiled_plugin_new(
    wasm: *const u8,
    wasm_size: ExtismSize,
    functions: *mut *const ExtismFunction,
    n_functions: ExtismSize,
    with_wasi: CBool,
    errmsg: *mut *mut c_char,
) -> *mut ExtismCompiledPlugin {
    // SAFETY: forwarded header contract.
    unsafe { new_compiled(wasm, wasm_size, functions, n_functions, with_wasi, Metering::Fuel(None), errmsg) }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_compiled_plugin_new_with_fuel_limit(
    wasm: *const u8,
    wasm_size: ExtismSize,
    functions: *mut *const ExtismFunction,
    n_functions: ExtismSize,
    with_wasi: CBool,
    fuel_limit: u64,
    errmsg: *mut *mut c_char,
) -> *mut ExtismCompiledPlugin {
    // SAFETY: forwarded header contract.
    unsafe { new_compiled(wasm, wasm_size, functions, n_functions, with_wasi, Metering::Fuel(Some(fuel_limit)), errmsg) }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_compiled_plugin_new_unmetered(
    wasm: *const u8,
    wasm_size: ExtismSize,
    functions: *mut *const ExtismFunction,
    n_functions: ExtismSize,
    with_wasi: CBool,
    errmsg: *mut *mut c_char,
) -> *mut ExtismCompiledPlugin {
    // SAFETY: forwarded header contract.
    unsafe { new_compiled(wasm, wasm_size, functions, n_functions, with_wasi, Metering::Off, errmsg) }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_compiled_plugin_free(plugin: *mut ExtismCompiledPlugin) {
    if !plugin.is_null() {
        // SAFETY: a handle from a compiled create call, freed once. Plugins made from it hold their
        // own reference and keep working.
        drop(unsafe { Box::from_raw(plugin) });
        let message = format_args!("called extism_compiled_plugin_free");
        crate::log::line(crate::log::Level::Trace, crate::log::TARGET_SDK, message);
    }
}
