//! `extism_current_plugin_*`: what a host function may do with the plugin that called it.
//! `ExtismCurrentPlugin*` is the plugin's state, valid only during the callback.

use core::ffi::c_void;

use super::types::*;

/// # Safety
/// `cp` is NULL or the pointer a host-function callback received, used during that callback.
unsafe fn state<'a>(cp: *mut ExtismCurrentPlugin) -> Option<&'a mut ExtismCurrentPlugin> {
    // SAFETY: as the function's contract says.
    unsafe { cp.as_mut() }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_current_plugin_memory(plugin: *mut ExtismCurrentPlugin) -> *mut u8 {
    // SAFETY: see `state`.
    match unsafe { state(plugin) } {
        Some(s) => s.kernel.base_ptr(),
        None => core::ptr::null_mut(),
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_current_plugin_memory_alloc(plugin: *mut ExtismCurrentPlugin, n: ExtismSize) -> ExtismMemoryHandle {
    // SAFETY: see `state`.
    match unsafe { state(plugin) } {
        Some(s) => s.alloc_logged(n),
        None => 0,
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_current_plugin_memory_length(plugin: *mut ExtismCurrentPlugin, n: ExtismMemoryHandle) -> ExtismSize {
    // SAFETY: see `state`.
    match unsafe { state(plugin) } {
        Some(s) => s.length_logged(n),
        None => 0,
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_current_plugin_memory_free(plugin: *mut ExtismCurrentPlugin, ptr: ExtismMemoryHandle) {
    // SAFETY: see `state`.
    if let Some(s) = unsafe { state(plugin) } {
        s.free_logged(ptr);
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_current_plugin_host_context(plugin: *mut ExtismCurrentPlugin) -> *mut c_void {
    // SAFETY: see `state`.
    match unsafe { state(plugin) } {
        Some(s) => s.host_context as *mut c_void,
        None => core::ptr::null_mut(),
    }
}
