//! `extism_x_plugin_save*`, `extism_x_plugin_new_from_state`, `extism_x_plugin_restore`,
//! `extism_x_state_free`: a plugin's state as bytes and back (see `snapshot`).

use alloc::boxed::Box;
use alloc::format;
use alloc::vec::Vec;
use core::ffi::c_char;

use super::{c_bytes, plugin_ref};
use super::plugin::{fail, Prefixes};
use super::types::*;
use crate::plugin::Plugin;

/// Bytes before the state in a buffer `extism_x_plugin_save` hands out: its length, so that
/// `extism_x_state_free` needs only the pointer.
const LENGTH_PREFIX: usize = 16;

/// The plugin's state, or its error recorded for `extism_plugin_error`.
fn save(p: &Plugin) -> Option<Vec<u8>> {
    let mut inner = p.lock();
    match crate::snapshot::save(p, &mut inner) {
        Ok(bytes) => {
            inner.clear_runtime_error();
            Some(bytes)
        }
        Err(e) => {
            inner.set_runtime_error(format!("extism_x_plugin_save: {e}").as_bytes());
            None
        }
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_plugin_save(plugin: *mut ExtismPlugin, len: *mut ExtismSize) -> *mut u8 {
    // SAFETY: header contract.
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return core::ptr::null_mut() };
    if len.is_null() {
        p.lock().set_runtime_error(b"extism_x_plugin_save: len is NULL");
        return core::ptr::null_mut();
    }
    let Some(state) = save(p) else { return core::ptr::null_mut() };
    let mut buffer = Vec::with_capacity(LENGTH_PREFIX + state.len());
    buffer.extend_from_slice(&(state.len() as u64).to_le_bytes());
    buffer.resize(LENGTH_PREFIX, 0);
    buffer.extend_from_slice(&state);
    let raw = Box::into_raw(buffer.into_boxed_slice()) as *mut u8;
    // SAFETY: `len` is non-NULL and writable (header contract).
    unsafe { *len = state.len() as ExtismSize };
    // SAFETY: the allocation is LENGTH_PREFIX + state.len() bytes long.
    unsafe { raw.add(LENGTH_PREFIX) }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_state_free(state: *mut u8) {
    if state.is_null() {
        return;
    }
    // SAFETY: `state` came from extism_x_plugin_save, LENGTH_PREFIX bytes into its allocation,
    // whose first 8 bytes hold the state's length (header contract: freed once).
    unsafe {
        let base = state.sub(LENGTH_PREFIX);
        let mut len = [0u8; 8];
        core::ptr::copy_nonoverlapping(base, len.as_mut_ptr(), 8);
        let total = LENGTH_PREFIX + u64::from_le_bytes(len) as usize;
        drop(Box::from_raw(core::ptr::slice_from_raw_parts_mut(base, total)));
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_plugin_save_into(
    plugin: *mut ExtismPlugin,
    buf: *mut u8,
    buf_len: ExtismSize,
) -> ExtismSize {
    // SAFETY: header contract.
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return 0 };
    let Some(state) = save(p) else { return 0 };
    let needed = state.len() as ExtismSize;
    if buf.is_null() || buf_len < needed {
        let message = format!("extism_x_plugin_save_into: the buffer holds {buf_len} bytes, the state needs {needed}");
        p.lock().set_runtime_error(message.as_bytes());
        return needed;
    }
    // SAFETY: `buf` has `buf_len` >= `needed` writable bytes (header contract).
    unsafe { core::ptr::copy_nonoverlapping(state.as_ptr(), buf, state.len()) };
    needed
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_plugin_new_from_state(
    compiled: *const ExtismCompiledPlugin,
    state: *const u8,
    state_len: ExtismSize,
    errmsg: *mut *mut c_char,
) -> *mut ExtismPlugin {
    // SAFETY: header contract.
    let Some(compiled) = (unsafe { compiled.as_ref() }) else {
        // SAFETY: header contract about errmsg.
        return unsafe { fail(errmsg, Err("compiled plugin is NULL".into()), Prefixes::ByCause) };
    };
    // SAFETY: header contract about the buffer.
    let Some(bytes) = (unsafe { c_bytes(state, state_len) }) else {
        // SAFETY: as above.
        return unsafe { fail(errmsg, Err("state is NULL but state_len is not 0".into()), Prefixes::ByCause) };
    };
    match crate::snapshot::restore(compiled.compiled.clone(), bytes) {
        Ok(plugin) => Box::into_raw(Box::new(ExtismPlugin { plugin })),
        // SAFETY: as above.
        Err(e) => unsafe { fail(errmsg, Ok(e), Prefixes::ByCause) },
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_plugin_restore(plugin: *mut ExtismPlugin, state: *const u8, state_len: ExtismSize) -> bool {
    // SAFETY: header contract.
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return false };
    let mut inner = p.lock();
    // SAFETY: header contract about the buffer.
    let Some(bytes) = (unsafe { c_bytes(state, state_len) }) else {
        inner.set_runtime_error(b"extism_x_plugin_restore: state is NULL but state_len is not 0");
        return false;
    };
    match crate::snapshot::restore_into(p, &mut inner, bytes) {
        Ok(()) => {
            inner.clear_runtime_error();
            true
        }
        Err(e) => {
            inner.set_runtime_error(format!("extism_x_plugin_restore: {e}").as_bytes());
            false
        }
    }
}
