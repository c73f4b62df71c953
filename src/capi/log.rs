//! `extism_log_*`: the process-wide logger.

use core::ffi::c_char;

use super::c_str;
use super::types::ExtismLogDrainFunctionType;
use crate::log;

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_log_file(filename: *const c_char, log_level: *const c_char) -> bool {
    // SAFETY: NULL or C strings (header contract).
    let (file, level) = unsafe { (c_str(filename), c_str(log_level)) };
    log::install_file(file, level)
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_log_custom(log_level: *const c_char) -> bool {
    // SAFETY: NULL or a C string (header contract).
    let level = unsafe { c_str(log_level) };
    log::install_custom(level)
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_log_drain(handler: ExtismLogDrainFunctionType) {
    let Some(handler) = handler else { return };
    log::drain(&mut |line: &[u8]| {
        // `line` ends with "\n\0"; the length excludes the NUL.
        // SAFETY: a NUL-terminated buffer that lives across the callback.
        unsafe { handler(line.as_ptr() as *const c_char, (line.len() - 1) as u64) }
    });
}
