//! `extism_x_set_*`: what a host may supply instead of an OS (extism.h, Extensions: host hooks).
//! Exported by every build; the bodies decide what a build can do with them.

use core::ffi::{c_char, c_void};

use super::c_str;
use crate::hooks::{self, Hook};
use crate::log;

pub type ExtismXAllocFn = Option<unsafe extern "C" fn(user_data: *mut c_void, size: usize, align: usize) -> *mut c_void>;
pub type ExtismXFreeFn = Option<unsafe extern "C" fn(user_data: *mut c_void, ptr: *mut c_void, size: usize, align: usize)>;
pub type ExtismXClockFn = Option<unsafe extern "C" fn(user_data: *mut c_void) -> u64>;
/// Returns a C `bool` read as a byte (see `crate::hooks::RandomHook`).
pub type ExtismXRandomFn = Option<crate::hooks::RandomHook>;
pub type ExtismXLogSinkFn = Option<unsafe extern "C" fn(user_data: *mut c_void, line: *const c_char, len: usize)>;
pub type ExtismXLockCreateFn = Option<unsafe extern "C" fn(user_data: *mut c_void) -> *mut c_void>;
pub type ExtismXLockFn = Option<unsafe extern "C" fn(user_data: *mut c_void, lock: *mut c_void)>;

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_set_allocator(
    alloc: ExtismXAllocFn,
    free: ExtismXFreeFn,
    user_data: *mut c_void,
) -> bool {
    match (alloc, free) {
        (Some(alloc), Some(free)) => hooks::set_allocator(alloc, free, user_data),
        _ => false,
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_set_lock(
    create: ExtismXLockCreateFn,
    lock: ExtismXLockFn,
    unlock: ExtismXLockFn,
    destroy: ExtismXLockFn,
    user_data: *mut c_void,
) -> bool {
    let (Some(create), Some(lock), Some(unlock), Some(destroy)) = (create, lock, unlock, destroy) else { return false };
    install_lock(create, lock, unlock, destroy, user_data)
}

/// A `std` build keeps the OS mutex: its locks already sleep and the OS schedules fairly.
#[cfg(feature = "std")]
fn install_lock(
    _create: unsafe extern "C" fn(*mut c_void) -> *mut c_void,
    _lock: unsafe extern "C" fn(*mut c_void, *mut c_void),
    _unlock: unsafe extern "C" fn(*mut c_void, *mut c_void),
    _destroy: unsafe extern "C" fn(*mut c_void, *mut c_void),
    _user_data: *mut c_void,
) -> bool {
    false
}

#[cfg(not(feature = "std"))]
fn install_lock(
    create: unsafe extern "C" fn(*mut c_void) -> *mut c_void,
    lock: unsafe extern "C" fn(*mut c_void, *mut c_void),
    unlock: unsafe extern "C" fn(*mut c_void, *mut c_void),
    destroy: unsafe extern "C" fn(*mut c_void, *mut c_void),
    user_data: *mut c_void,
) -> bool {
    crate::sync::install_host_lock(crate::sync::HostLock { create, lock, unlock, destroy, user_data })
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_set_clock(clock: ExtismXClockFn, user_data: *mut c_void) -> bool {
    hooks::set_clock(Hook::new(clock, user_data));
    true
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_set_wall_clock(clock: ExtismXClockFn, user_data: *mut c_void) -> bool {
    hooks::set_wall_clock(Hook::new(clock, user_data));
    true
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_set_random(random: ExtismXRandomFn, user_data: *mut c_void) -> bool {
    hooks::set_random(Hook::new(random, user_data));
    true
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_set_log_sink(
    sink: ExtismXLogSinkFn,
    user_data: *mut c_void,
    log_level: *const c_char,
) -> bool {
    let Some(sink) = Hook::new(sink, user_data) else { return false };
    // SAFETY: NULL or a C string (header contract).
    let level = unsafe { c_str(log_level) };
    log::install_hook(level, sink)
}

#[no_mangle]
/// See `extism.h`. Takes no pointer: nothing to uphold.
pub extern "C" fn extism_x_set_memory_budget(bytes: u64) -> u64 {
    let limit = (bytes != 0).then_some(bytes);
    crate::budget::set_process_budget(limit).unwrap_or(0)
}

#[no_mangle]
/// See `extism.h`. Takes no pointer: nothing to uphold.
pub extern "C" fn extism_x_call_stack_bytes() -> u64 {
    crate::config::CALL_STACK_WORST_BYTES
}
