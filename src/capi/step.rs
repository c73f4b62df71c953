//! Extensions: stepped calls (`extism_x_call_*`), host functions that fail or wait
//! (`extism_x_current_plugin_fail` / `_wait`), and what the last call cost
//! (`extism_x_plugin_last_call_stats`).

use alloc::string::ToString;
use alloc::vec::Vec;
use core::ffi::{c_char, c_void};

use super::function::from_c;
use super::types::*;
use super::{c_bytes, c_str, plugin_ref};
use crate::function::{HostStop, ValKind};
use crate::step::{self, StepState};

/// `ExtismXCallStats`, laid out as the header declares it.
#[repr(C)]
pub struct ExtismXCallStats {
    pub fuel_consumed: u64,
    pub wall_time_ns: u64,
    pub kernel_memory_bytes: u64,
    pub linear_memory_bytes: u64,
    pub host_calls: u64,
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_call_begin(
    plugin: *mut ExtismPlugin,
    func_name: *const c_char,
    data: *const u8,
    data_len: ExtismSize,
    host_context: *mut c_void,
) -> bool {
    // SAFETY: header contract.
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return false };
    let mut inner = p.lock();
    // SAFETY: header contract.
    let name = match unsafe { c_str(func_name) }.map(core::str::from_utf8) {
        Some(Ok(n)) => n,
        Some(Err(e)) => {
            inner.set_runtime_error(alloc::format!("{e}").as_bytes());
            inner.last_rc = crate::config::RC_ERROR;
            return false;
        }
        None => {
            inner.set_runtime_error(b"function name is NULL");
            inner.last_rc = crate::config::RC_ERROR;
            return false;
        }
    };
    // SAFETY: header contract; NULL data is empty input.
    let input = unsafe { c_bytes(data, data_len) }.unwrap_or(&[]);
    step::begin(p, &mut inner, name, input, host_context as usize)
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_call_step(plugin: *mut ExtismPlugin, fuel: u64) -> i32 {
    // SAFETY: header contract.
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return StepState::Idle as i32 };
    let mut inner = p.lock();
    step::step(p, &mut inner, fuel.max(1)) as i32
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_call_abort(plugin: *mut ExtismPlugin) -> bool {
    // SAFETY: header contract.
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return false };
    let mut inner = p.lock();
    step::fail(p, &mut inner, "call aborted by the host".to_string())
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_call_rc(plugin: *mut ExtismPlugin) -> i32 {
    // SAFETY: header contract.
    match unsafe { plugin_ref(plugin) } {
        Some(p) => p.lock().last_rc,
        None => crate::config::RC_ERROR,
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_call_waiting_function(plugin: *mut ExtismPlugin) -> *const c_char {
    // SAFETY: header contract.
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return core::ptr::null() };
    let inner = p.lock();
    let waiting = inner.stepped.as_ref().is_some_and(|s| s.run.is_waiting());
    let name = &inner.store.data().waiting_function;
    if !waiting || name.is_empty() {
        return core::ptr::null();
    }
    // The buffer lives in the plugin's state until the next step.
    name.as_ptr() as *const c_char
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_call_resume(plugin: *mut ExtismPlugin, results: *const ExtismVal, n_results: ExtismSize) -> bool {
    // SAFETY: header contract.
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return false };
    let mut inner = p.lock();
    let Some(types) = step::waiting_result_types(&inner) else { return false };
    if n_results != types.len() as u64 || (n_results > 0 && results.is_null()) {
        return false;
    }
    let values: Vec<wasmi::Val> = types
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let kind = match t {
                wasmi::ValType::I32 => ValKind::I32,
                wasmi::ValType::F32 => ValKind::F32,
                wasmi::ValType::F64 => ValKind::F64,
                _ => ValKind::I64,
            };
            // SAFETY: `n_results` readable values (header contract), checked non-NULL above.
            from_c(unsafe { &*results.add(i) }, kind)
        })
        .collect();
    step::resume(&mut inner, values)
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_call_resume_error(plugin: *mut ExtismPlugin, message: *const c_char) -> bool {
    // SAFETY: header contract.
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return false };
    let mut inner = p.lock();
    if !inner.stepped.as_ref().is_some_and(|s| s.run.is_waiting()) {
        return false;
    }
    // SAFETY: header contract.
    let text = unsafe { c_str(message) }.map(|m| alloc::string::String::from_utf8_lossy(m).into_owned());
    step::fail(p, &mut inner, text.unwrap_or_else(|| "host function failed".to_string()))
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_current_plugin_fail(plugin: *mut ExtismCurrentPlugin, message: *const c_char) -> bool {
    // SAFETY: NULL or the pointer a callback received (header contract).
    let Some(state) = (unsafe { plugin.as_mut() }) else { return false };
    if !state.in_host_call {
        return false;
    }
    // SAFETY: header contract.
    let text = unsafe { c_str(message) }.map(|m| alloc::string::String::from_utf8_lossy(m).into_owned());
    state.host_request = Some(HostStop::Fail(text.unwrap_or_else(|| "host function failed".to_string())));
    true
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_current_plugin_wait(plugin: *mut ExtismCurrentPlugin) -> bool {
    // SAFETY: NULL or the pointer a callback received (header contract).
    let Some(state) = (unsafe { plugin.as_mut() }) else { return false };
    if !state.in_host_call {
        return false;
    }
    state.host_request = Some(HostStop::Wait);
    true
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_plugin_last_call_stats(plugin: *mut ExtismPlugin, out: *mut ExtismXCallStats) -> bool {
    // SAFETY: header contract.
    let (Some(p), false) = (unsafe { plugin_ref(plugin) }, out.is_null()) else { return false };
    let s = p.lock().stats;
    // SAFETY: non-NULL and writable (header contract).
    unsafe {
        *out = ExtismXCallStats {
            fuel_consumed: s.fuel_consumed,
            wall_time_ns: s.wall_time_ns,
            kernel_memory_bytes: s.kernel_memory_bytes,
            linear_memory_bytes: s.linear_memory_bytes,
            host_calls: s.host_calls,
        }
    };
    true
}
