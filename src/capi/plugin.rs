//! `extism_plugin_*`: creating, calling, configuring, resetting, cancelling and freeing plugins.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::sync::Arc;
use core::ffi::{c_char, c_void};

use super::function::{take_functions, ExtismFunction};
use super::types::*;
use super::{c_bytes, c_str, lock_idle, plugin_ref, set_errmsg};
use crate::call;
use crate::compiled::{Compiled, CreateError, Metering};
use crate::log::{self, Level};
use crate::state::plugin_log;
use crate::plugin::Plugin;

const COMPILE_PREFIX: &str = "Unable to compile Extism plugin: ";
const CREATE_PREFIX: &str = "Unable to create Extism plugin: ";

/// How a create call words its errors (upstream differs between entry points).
#[derive(Clone, Copy)]
pub(crate) enum Prefixes {
    /// `extism_plugin_new`: always the compile prefix.
    AlwaysCompile,
    /// Fuel variant and `new_from_compiled`: compile or create prefix by cause.
    ByCause,
}

pub(crate) fn create_error_text(e: &CreateError, prefixes: Prefixes) -> String {
    match (e, prefixes) {
        (CreateError::Compile(m), _) | (CreateError::Create(m), Prefixes::AlwaysCompile) => format!("{COMPILE_PREFIX}{m}"),
        (CreateError::Create(m), Prefixes::ByCause) => format!("{CREATE_PREFIX}{m}"),
    }
}

#[cfg(feature = "std")]
pub(crate) fn source_loader() -> &'static dyn crate::manifest::SourceLoader {
    &crate::manifest::StdLoader
}
#[cfg(not(feature = "std"))]
pub(crate) fn source_loader() -> &'static dyn crate::manifest::SourceLoader {
    &crate::manifest::NoOsLoader
}

/// Compiles what a create call was given. Host functions are taken over first, even on failure.
///
/// # Safety
/// Pointers as in `extism_plugin_new`.
pub(crate) unsafe fn compile(
    wasm: *const u8,
    wasm_size: ExtismSize,
    functions: *mut *const ExtismFunction,
    n_functions: ExtismSize,
    with_wasi: CBool,
    metering: Metering,
) -> Result<Compiled, Result<CreateError, String>> {
    // SAFETY: caller's promise about the array.
    let functions = unsafe { take_functions(functions, n_functions) }.map_err(|e| Err(e.message()))?;
    // SAFETY: caller's promise about the buffer.
    let Some(input) = (unsafe { c_bytes(wasm, wasm_size) }) else {
        return Err(Ok(CreateError::Compile("wasm pointer is NULL but wasm_size is not 0".into())));
    };
    Compiled::new(input, functions, with_wasi.is_true(), metering, source_loader()).map_err(Ok)
}

fn into_handle(plugin: Plugin) -> *mut ExtismPlugin {
    Box::into_raw(Box::new(ExtismPlugin { plugin }))
}

/// Writes a create call's failure to `errmsg` (with the entry point's prefixes) and returns NULL.
///
/// # Safety
/// `errmsg` as in `extism_plugin_new`.
pub(crate) unsafe fn fail<T>(errmsg: *mut *mut c_char, e: Result<CreateError, String>, prefixes: Prefixes) -> *mut T {
    let text = match e {
        Ok(e) => create_error_text(&e, prefixes),
        Err(plain) => plain,
    };
    // SAFETY: caller's promise about errmsg.
    unsafe { set_errmsg(errmsg, &text) };
    core::ptr::null_mut()
}

/// # Safety
/// Pointers as in `extism_plugin_new`.
unsafe fn new_plugin(
    wasm: *const u8,
    wasm_size: ExtismSize,
    functions: *mut *const ExtismFunction,
    n_functions: ExtismSize,
    with_wasi: CBool,
    fuel_limit: Option<u64>,
    errmsg: *mut *mut c_char,
    prefixes: Prefixes,
) -> *mut ExtismPlugin {
    // SAFETY: forwarded caller promises.
    let compiled = match unsafe { compile(wasm, wasm_size, functions, n_functions, with_wasi, Metering::Fuel(fuel_limit)) } {
        Ok(c) => c,
        // SAFETY: forwarded.
        Err(e) => return unsafe { fail(errmsg, e, prefixes) },
    };
    match Plugin::new(Arc::new(compiled)) {
        Ok(p) => into_handle(p),
        // SAFETY: forwarded.
        Err(e) => unsafe { fail(errmsg, Ok(e), prefixes) },
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_new(
    wasm: *const u8,
    wasm_size: ExtismSize,
    functions: *mut *const ExtismFunction,
    n_functions: ExtismSize,
    with_wasi: CBool,
    errmsg: *mut *mut c_char,
) -> *mut ExtismPlugin {
    // SAFETY: forwarded header contract.
    unsafe { new_plugin(wasm, wasm_size, functions, n_functions, with_wasi, None, errmsg, Prefixes::AlwaysCompile) }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_new_with_fuel_limit(
    wasm: *const u8,
    wasm_size: ExtismSize,
    functions: *mut *const ExtismFunction,
    n_functions: ExtismSize,
    with_wasi: CBool,
    fuel_limit: u64,
    errmsg: *mut *mut c_char,
) -> *mut ExtismPlugin {
    // SAFETY: forwarded header contract.
    unsafe { new_plugin(wasm, wasm_size, functions, n_functions, with_wasi, Some(fuel_limit), errmsg, Prefixes::ByCause) }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_new_from_compiled(
    compiled: *const ExtismCompiledPlugin,
    errmsg: *mut *mut c_char,
) -> *mut ExtismPlugin {
    // SAFETY: NULL or a live compiled plugin (header contract).
    let Some(c) = (unsafe { compiled.as_ref() }) else {
        // SAFETY: caller's promise about errmsg.
        return unsafe { fail(errmsg, Err("Unable to create Extism plugin: compiled plugin is NULL".into()), Prefixes::ByCause) };
    };
    match Plugin::new(Arc::clone(&c.compiled)) {
        Ok(p) => into_handle(p),
        // SAFETY: caller's promise about errmsg.
        Err(e) => unsafe { fail(errmsg, Ok(e), Prefixes::ByCause) },
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_new_error_free(err: *mut c_char) {
    if !err.is_null() {
        // SAFETY: a string this library made with CString::into_raw, freed once.
        drop(unsafe { alloc::ffi::CString::from_raw(err) });
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_free(plugin: *mut ExtismPlugin) {
    if !plugin.is_null() {
        // SAFETY: a handle from a create call, freed once, with no call running (header contract).
        let handle = unsafe { Box::from_raw(plugin) };
        {
            let inner = handle.plugin.lock();
            plugin_log!(inner.store.data(), Level::Trace, log::TARGET_SDK, "called extism_plugin_free");
        }
        drop(handle);
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_id(plugin: *mut ExtismPlugin) -> *const u8 {
    // SAFETY: header contract.
    match unsafe { plugin_ref(plugin) } {
        Some(p) => p.id.as_ptr(),
        None => core::ptr::null(),
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_cancel_handle(plugin: *const ExtismPlugin) -> *const ExtismCancelHandle {
    // SAFETY: header contract.
    match unsafe { plugin_ref(plugin) } {
        Some(p) => Arc::as_ptr(&p.cancel),
        None => core::ptr::null(),
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_cancel(handle: *const ExtismCancelHandle) -> bool {
    // SAFETY: NULL or a handle of a live plugin (header contract).
    match unsafe { handle.as_ref() } {
        Some(h) => h.cancel(),
        None => false,
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_config(plugin: *mut ExtismPlugin, json: *const u8, json_size: ExtismSize) -> bool {
    // SAFETY: header contract.
    let Some(mut inner) = (unsafe { lock_idle(plugin) }) else { return false };
    // SAFETY: header contract.
    let Some(bytes) = (unsafe { c_bytes(json, json_size) }) else { return false };
    // As upstream: an update that does not parse changes nothing, not even the last error.
    let Ok(update) = crate::json::config_update(bytes) else { return false };
    inner.clear_runtime_error();
    let config = &mut inner.store.data_mut().config;
    // Our capacity (upstream has none): a merge that would leave more entries fails whole.
    let added = update.iter().filter(|(k, v)| v.is_some() && !config.contains_key(*k)).count();
    let removed = update.iter().filter(|(k, v)| v.is_none() && config.contains_key(*k)).count();
    if config.len() + added - removed > crate::config::MAX_CONFIG_ENTRIES {
        let message = alloc::format!(
            "too many config entries: {} (this build allows {})",
            config.len() + added - removed,
            crate::config::MAX_CONFIG_ENTRIES
        );
        inner.set_runtime_error(message.as_bytes());
        return false;
    }
    // The memory budget counts config: a merge that would pass it fails whole.
    let state = inner.store.data_mut();
    let entry = |k: &String, v: &String| crate::budget::config_entry_bytes(k, v);
    let added: u64 = update.iter().filter_map(|(k, v)| v.as_ref().map(|v| entry(k, v))).sum();
    let dropped: u64 = update.keys().filter_map(|k| state.config.get_key_value(k)).map(|(k, v)| entry(k, v)).sum();
    if added > dropped && !state.budget_allows(added - dropped) {
        let message = state.oom_text();
        inner.set_runtime_error(message.as_bytes());
        return false;
    }
    for (key, value) in update {
        match value {
            Some(v) => {
                state.config.insert(key, v);
            }
            None => {
                state.config.remove(&key);
            }
        }
    }
    state.sync_kernel_limit();
    true
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_function_exists(plugin: *mut ExtismPlugin, func_name: *const c_char) -> bool {
    // SAFETY: header contract.
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return false };
    // SAFETY: header contract.
    let Some(Ok(name)) = (unsafe { c_str(func_name) }).map(core::str::from_utf8) else { return false };
    p.lock().clear_runtime_error();
    if name == crate::start_hoist::HIDDEN_START {
        return false;
    }
    match p.compiled.main_module().module.get_export(name) {
        Some(wasmi::ExternType::Func(f)) => {
            f.params().is_empty() && (f.results().is_empty() || f.results() == [wasmi::ValType::I32])
        }
        _ => false,
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_call(
    plugin: *mut ExtismPlugin,
    func_name: *const c_char,
    data: *const u8,
    data_len: ExtismSize,
) -> i32 {
    // SAFETY: forwarded header contract.
    unsafe { extism_plugin_call_with_host_context(plugin, func_name, data, data_len, core::ptr::null_mut()) }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_call_with_host_context(
    plugin: *mut ExtismPlugin,
    func_name: *const c_char,
    data: *const u8,
    data_len: ExtismSize,
    host_context: *mut c_void,
) -> i32 {
    // SAFETY: header contract.
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return crate::config::RC_ERROR };
    let mut inner = p.lock();
    if inner.stepped.is_some() {
        inner.set_runtime_error(crate::step::IN_PROGRESS.as_bytes());
        return crate::config::RC_ERROR;
    }
    // SAFETY: header contract.
    let Some(name) = (unsafe { c_str(func_name) }) else {
        inner.set_runtime_error(b"function name is NULL");
        return crate::config::RC_ERROR;
    };
    let name = if inner.main.as_ref().is_some_and(|m| m.last_export_is(name)) {
        // SAFETY: the bytes equal a `String`'s, so they are UTF-8 (the check a call repeats skipped).
        unsafe { core::str::from_utf8_unchecked(name) }
    } else {
        match core::str::from_utf8(name) {
            Ok(n) => n,
            Err(e) => {
                inner.set_runtime_error(format!("{e}").as_bytes());
                return crate::config::RC_ERROR;
            }
        }
    };
    // NULL data is read as empty input.
    // SAFETY: header contract.
    let input = unsafe { c_bytes(data, data_len) }.unwrap_or(&[]);
    let result = call::call(p, &mut inner, name, input, host_context as usize);
    inner.set_error(result.error);
    result.rc
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_error(plugin: *mut ExtismPlugin) -> *const c_char {
    // SAFETY: header contract.
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return core::ptr::null() };
    let mut inner = p.lock();
    if matches!(inner.error, crate::plugin::LastError::None) {
        plugin_log!(inner.store.data(), Level::Trace, log::TARGET_SDK, "error is NULL");
    }
    // The buffer lives in the plugin until the next API call on it.
    match inner.error_c_text() {
        Some(e) => e.as_ptr() as *const c_char,
        None => core::ptr::null(),
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_error(plugin: *mut ExtismPlugin) -> *const c_char {
    // SAFETY: forwarded header contract.
    unsafe { extism_plugin_error(plugin) }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_output_length(plugin: *mut ExtismPlugin) -> ExtismSize {
    // SAFETY: header contract.
    match unsafe { plugin_ref(plugin) } {
        Some(p) => p.lock().output.1,
        None => 0,
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_output_data(plugin: *mut ExtismPlugin) -> *const u8 {
    // SAFETY: header contract.
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return core::ptr::null() };
    let mut inner = p.lock();
    let (offset, length) = inner.output;
    let state = inner.store.data();
    plugin_log!(state, Level::Trace, log::TARGET_SDK, "extism_plugin_output_data: offset={offset}, length={length}");
    let kernel = &mut inner.store.data_mut().kernel;
    // The offset was checked against the arena when the call ended; nothing moves kernel memory
    // between calls (only an allocation during one does).
    kernel.base_ptr().wrapping_add(offset as usize)
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_reset(plugin: *mut ExtismPlugin) -> bool {
    // SAFETY: header contract.
    let Some(mut inner) = (unsafe { lock_idle(plugin) }) else { return false };
    inner.store.data_mut().kernel.reset();
    true
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_plugin_allow_http_response_headers(plugin: *mut ExtismPlugin) {
    // SAFETY: header contract.
    if let Some(p) = unsafe { plugin_ref(plugin) } {
        p.lock().store.data_mut().http.headers_enabled = true;
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub extern "C" fn extism_version() -> *const c_char {
    crate::config::VERSION_CSTR.as_ptr() as *const c_char
}

#[no_mangle]
/// See `extism.h`. Takes no pointer: nothing to uphold.
pub extern "C" fn extism_x_version() -> *const c_char {
    crate::config::RELEASE_CSTR.as_ptr() as *const c_char
}
