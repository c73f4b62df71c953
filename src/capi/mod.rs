//! The C edge: every `extern "C"` function of `extism.h`. Each one checks its pointers, converts
//! types, and calls safe Rust; nothing here decides behaviour. One file per header section.

pub mod compiled;
pub mod current_plugin;
pub mod function;
pub mod hooks;
pub mod http;
pub mod log;
pub mod plugin;
pub mod sinks;
pub mod snapshot;
pub mod step;
pub mod types;

use alloc::ffi::CString;
use alloc::vec::Vec;
use core::ffi::{c_char, CStr};

use crate::plugin::{Inner, Plugin};
use crate::sync::Guard;
use types::ExtismPlugin;

/// The plugin behind a handle, or None for NULL.
///
/// # Safety
/// `plugin` is NULL or a live plugin handle.
pub(crate) unsafe fn plugin_ref<'a>(plugin: *const ExtismPlugin) -> Option<&'a Plugin> {
    // SAFETY: as the caller promises.
    unsafe { plugin.as_ref() }.map(|p| &p.plugin)
}

/// The plugin behind a handle, locked, when it is idle (no stepped call in progress): what a
/// setter of its settings needs; None for NULL or a plugin in the middle of a stepped call.
///
/// # Safety
/// As `plugin_ref`.
pub(crate) unsafe fn lock_idle<'a>(plugin: *const ExtismPlugin) -> Option<Guard<'a, Inner>> {
    // SAFETY: forwarded caller promise.
    let inner = unsafe { plugin_ref(plugin) }?.lock();
    inner.stepped.is_none().then_some(inner)
}

/// Bytes of a NUL-terminated C string, or None for NULL.
///
/// # Safety
/// `p` is NULL or points to a NUL-terminated string that outlives the returned slice.
pub(crate) unsafe fn c_str<'a>(p: *const c_char) -> Option<&'a [u8]> {
    if p.is_null() {
        return None;
    }
    // SAFETY: the caller promises a live NUL-terminated string.
    Some(unsafe { CStr::from_ptr(p) }.to_bytes())
}

/// `len` bytes at `p`; NULL with length 0 is the empty slice, NULL with a length is None.
///
/// # Safety
/// When non-NULL, `p` points to `len` readable bytes that outlive the returned slice.
pub(crate) unsafe fn c_bytes<'a>(p: *const u8, len: u64) -> Option<&'a [u8]> {
    if len == 0 {
        return Some(&[]);
    }
    if p.is_null() {
        return None;
    }
    let len = usize::try_from(len).ok()?;
    // SAFETY: the caller promises `len` readable bytes at `p`.
    Some(unsafe { core::slice::from_raw_parts(p, len) })
}

/// A heap C string for `errmsg` out-parameters, freed by `extism_plugin_new_error_free`.
pub(crate) fn new_c_string(message: &str) -> *mut c_char {
    let bytes: Vec<u8> = message.bytes().map(|b| if b == 0 { b' ' } else { b }).collect();
    match CString::new(bytes) {
        Ok(s) => s.into_raw(),
        Err(_) => core::ptr::null_mut(),
    }
}

/// Writes `message` to `*errmsg` when the host asked for it.
///
/// # Safety
/// `errmsg` is NULL or points to a writable `char *`.
pub(crate) unsafe fn set_errmsg(errmsg: *mut *mut c_char, message: &str) {
    if !errmsg.is_null() {
        // SAFETY: non-NULL and writable, as the caller promises.
        unsafe { *errmsg = new_c_string(message) };
    }
}
