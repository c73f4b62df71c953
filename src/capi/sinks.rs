//! Extensions: per-plugin log and output sinks (`extism_x_plugin_set_log_sink`,
//! `extism_x_plugin_set_output_sink`).

use core::ffi::{c_char, c_void};

use super::{c_str, lock_idle};
use super::types::ExtismPlugin;
use super::hooks::ExtismXLogSinkFn;
use crate::hooks::Hook;
use crate::log::PluginSink;

/// `ExtismXOutputSinkFn` (see extism.h).
pub type ExtismXOutputSinkFn = Option<unsafe extern "C" fn(user_data: *mut c_void, fd: i32, data: *const u8, len: usize)>;

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_plugin_set_log_sink(
    plugin: *mut ExtismPlugin,
    sink: ExtismXLogSinkFn,
    user_data: *mut c_void,
    log_level: *const c_char,
) -> bool {
    // SAFETY: NULL or a live plugin (header contract).
    let Some(mut inner) = (unsafe { lock_idle(plugin) }) else { return false };
    let new_sink = match Hook::new(sink, user_data) {
        None => None,
        // SAFETY: NULL or a C string (header contract).
        Some(hook) => match PluginSink::new(hook, unsafe { c_str(log_level) }) {
            Some(s) => Some(s),
            None => return false,
        },
    };
    inner.store.data_mut().log_sink = new_sink;
    true
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_plugin_set_output_sink(
    plugin: *mut ExtismPlugin,
    sink: ExtismXOutputSinkFn,
    user_data: *mut c_void,
) -> bool {
    // SAFETY: NULL or a live plugin (header contract).
    let Some(mut inner) = (unsafe { lock_idle(plugin) }) else { return false };
    match inner.store.data_mut().wasi.as_mut() {
        Some(wasi) => {
            wasi.output_sink = Hook::new(sink, user_data);
            true
        }
        // Without WASI a plugin has no stdout or stderr to catch.
        None => false,
    }
}
