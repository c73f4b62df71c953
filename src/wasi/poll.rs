//! `poll_oneoff`: clock subscriptions sleep (the host thread under `std`; without it a busy wait on
//! the host's clock hook, else ENOSYS); fd subscriptions are always ready at once (stdio and files
//! never block here), with EBADF for an fd that is not open.

use alloc::vec::Vec;

use wasmi::Error;

use super::clock;
use super::define_fn;
use super::errno::{err, Abort, Errno, WasiResult, EINVAL, INVALID_VALUE, OUT_OF_BOUNDS};
use super::memory::{self, Guest};
use crate::config;

const SUBSCRIPTION_SIZE: u32 = 48;
const EVENT_SIZE: u32 = 32;
const TAG_CLOCK: u8 = 0;
const TAG_FD_READ: u8 = 1;
const TAG_FD_WRITE: u8 = 2;
const SUBCLOCKFLAGS_ABSTIME: u16 = 1;

/// What one subscription asks for: a clock wait in nanoseconds (or an errno for its event), or an fd.
enum Wait {
    Clock(Result<u64, Errno>),
    Fd(u32),
}

fn at(base: u32, i: u32, size: u32) -> WasiResult<u32> {
    i.checked_mul(size).and_then(|o| base.checked_add(o)).ok_or(Abort::Trap(OUT_OF_BOUNDS))
}

fn read_subscription(g: &Guest<'_>, sub: u32) -> WasiResult<(u64, u8, Wait)> {
    let userdata = g.u64(sub)?;
    let tag = g.u8(memory::at(sub, 8)?)?;
    let wait = match tag {
        TAG_CLOCK => {
            let id = g.u32(memory::at(sub, 16)?)?;
            let timeout = g.u64(memory::at(sub, 24)?)?;
            let flags = g.u16(memory::at(sub, 40)?)?;
            let delay = match clock::now(id) {
                Ok(now) if flags & SUBCLOCKFLAGS_ABSTIME != 0 => Ok(timeout.saturating_sub(now)),
                Ok(_) => Ok(timeout),
                Err(Abort::Errno(e)) => Err(e),
                Err(trap) => return Err(trap),
            };
            Wait::Clock(delay)
        }
        TAG_FD_READ | TAG_FD_WRITE => Wait::Fd(g.u32(memory::at(sub, 16)?)?),
        _ => return Err(Abort::Trap(INVALID_VALUE)),
    };
    Ok((userdata, tag, wait))
}

/// Longest stretch a sleep goes without looking at the call's deadline and cancel flag.
#[cfg(feature = "std")]
const SLEEP_CHECK_NS: u64 = config::WASI_SLEEP_CHECK_NS;

/// Sleeps `ns`, in short stretches so that a timeout or cancel ends the call on time.
#[cfg(feature = "std")]
fn sleep(ns: u64, interrupt: &super::fd::Interrupt) -> WasiResult<()> {
    let mut left = ns;
    while left > 0 {
        if interrupt.due() {
            return Err(Abort::Interrupted);
        }
        let chunk = left.min(SLEEP_CHECK_NS);
        std::thread::sleep(core::time::Duration::from_nanos(chunk));
        left -= chunk;
    }
    Ok(())
}

#[cfg(not(feature = "std"))]
fn sleep(ns: u64, interrupt: &super::fd::Interrupt) -> WasiResult<()> {
    let start = crate::hooks::now_ns().ok_or(Abort::Errno(super::errno::ENOSYS))?;
    while crate::hooks::now_ns().is_some_and(|now| now.saturating_sub(start) < ns) {
        if interrupt.due() {
            return Err(Abort::Interrupted);
        }
        core::hint::spin_loop();
    }
    Ok(())
}

pub fn define(l: &mut crate::imports::Definer<'_>) -> Result<(), Error> {
    define_fn!(l, "poll_oneoff", |g, w, subs: u32, events: u32, n: u32, nevents: u32| {
        if n == 0 || n as usize > config::WASI_MAX_SUBSCRIPTIONS {
            return err(EINVAL);
        }
        let mut list = Vec::with_capacity(n as usize);
        for i in 0..n {
            list.push(read_subscription(g, at(subs, i, SUBSCRIPTION_SIZE)?)?);
        }
        let fd_ready = list.iter().any(|(_, _, wait)| matches!(wait, Wait::Fd(_)));
        let failed_clock = list.iter().any(|(_, _, wait)| matches!(wait, Wait::Clock(Err(_))));
        let soonest = list.iter().filter_map(|(_, _, wait)| match wait {
            Wait::Clock(Ok(d)) => Some(*d),
            _ => None,
        }).min();
        // Ready fds and clock errors are reported at once; otherwise the soonest clock is waited for.
        let waited = match soonest {
            Some(d) if !fd_ready && !failed_clock => {
                sleep(d, &w.interrupt)?;
                d
            }
            _ => 0,
        };
        let mut count = 0u32;
        for (userdata, tag, wait) in list {
            let error = match wait {
                Wait::Clock(Ok(d)) if d > waited => continue,
                Wait::Clock(Ok(_)) => 0,
                Wait::Clock(Err(e)) => e,
                Wait::Fd(fd) => w.get(fd).err().unwrap_or(0),
            };
            let event = at(events, count, EVENT_SIZE)?;
            g.slice_mut(event, EVENT_SIZE)?.fill(0);
            g.set_u64(event, userdata)?;
            g.set_u16(memory::at(event, 8)?, error)?;
            g.set_u8(memory::at(event, 10)?, tag)?;
            count += 1;
        }
        g.set_u32(nevents, count)
    });
    Ok(())
}
