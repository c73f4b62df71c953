//! Clocks: realtime (`hooks::wall_clock_ns`) and monotonic (`hooks::now_ns`): the host's hooks, else
//! the OS under `std`. Without a source the functions answer ENOSYS. Process and
//! thread CPU clocks are not offered (EBADF, as upstream); other ids are invalid (the call fails).

use wasmi::Error;

use super::define_fn;
use super::errno::{err, Abort, WasiResult, EBADF, ENOSYS, INVALID_VALUE};
use crate::hooks;

pub const REALTIME: u32 = 0;
pub const MONOTONIC: u32 = 1;
pub const PROCESS_CPUTIME: u32 = 2;
pub const THREAD_CPUTIME: u32 = 3;

/// Nanoseconds since the epoch: the host's wall-clock hook, else the OS under `std`.
fn realtime_ns() -> Option<u64> {
    hooks::wall_clock_ns()
}

/// The time on `clock` in nanoseconds.
pub fn now(clock: u32) -> WasiResult<u64> {
    let t = match clock {
        REALTIME => realtime_ns(),
        MONOTONIC => hooks::now_ns(),
        PROCESS_CPUTIME | THREAD_CPUTIME => return err(EBADF),
        _ => return Err(Abort::Trap(INVALID_VALUE)),
    };
    t.ok_or(Abort::Errno(ENOSYS))
}

pub fn define(l: &mut crate::imports::Definer<'_>) -> Result<(), Error> {
    define_fn!(l, "clock_res_get", |g, _w, clock: u32, out: u32| {
        now(clock)?;
        g.set_u64(out, 1)
    });
    define_fn!(l, "clock_time_get", |g, _w, clock: u32, _precision: u64, out: u32| {
        let t = now(clock)?;
        g.set_u64(out, t)
    });
    Ok(())
}
