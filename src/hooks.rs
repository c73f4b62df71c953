//! What a host may supply instead of an OS: a monotonic clock and a source of randomness.
//! Under `std` the OS serves both when no hook is installed; without `std` a missing hook means the
//! feature is refused with a clear error (never silently ignored, never predictable bytes).

use crate::sync::Lock;

/// Monotonic nanoseconds from an arbitrary origin.
pub type ClockHook = extern "C" fn(user_data: usize) -> u64;
/// Fills `len` bytes at `buf` with unpredictable bytes; returns false if it cannot.
pub type RandomHook = extern "C" fn(user_data: usize, buf: *mut u8, len: usize) -> bool;

#[derive(Clone, Copy)]
struct Hooks {
    clock: Option<(ClockHook, usize)>,
    random: Option<(RandomHook, usize)>,
}

static HOOKS: Lock<Hooks> = Lock::new(Hooks { clock: None, random: None });

pub fn set_clock(hook: Option<ClockHook>, user_data: usize) {
    HOOKS.lock().clock = hook.map(|h| (h, user_data));
}

pub fn set_random(hook: Option<RandomHook>, user_data: usize) {
    HOOKS.lock().random = hook.map(|h| (h, user_data));
}

/// Monotonic time in nanoseconds, or None when this build has no clock.
pub fn now_ns() -> Option<u64> {
    let clock = HOOKS.lock().clock;
    if let Some((hook, user)) = clock {
        return Some(hook(user));
    }
    os_now_ns()
}

#[cfg(feature = "std")]
fn os_now_ns() -> Option<u64> {
    use std::sync::OnceLock;
    use std::time::Instant;
    static ORIGIN: OnceLock<Instant> = OnceLock::new();
    let origin = ORIGIN.get_or_init(Instant::now);
    Some(u64::try_from(origin.elapsed().as_nanos()).unwrap_or(u64::MAX))
}

#[cfg(not(feature = "std"))]
fn os_now_ns() -> Option<u64> {
    None
}

/// Fills `buf` with unpredictable bytes; false when this build has no source of randomness.
pub fn fill_random(buf: &mut [u8]) -> bool {
    let random = HOOKS.lock().random;
    if let Some((hook, user)) = random {
        return hook(user, buf.as_mut_ptr(), buf.len());
    }
    os_fill_random(buf)
}

#[cfg(feature = "std")]
fn os_fill_random(buf: &mut [u8]) -> bool {
    use std::io::Read;
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(buf)).is_ok()
}

#[cfg(not(feature = "std"))]
fn os_fill_random(_buf: &mut [u8]) -> bool {
    false
}

/// Wall-clock time: nanoseconds since 1970-01-01T00:00:00 UTC (log timestamps).
pub type WallClockHook = extern "C" fn(user_data: usize) -> u64;

static WALL_CLOCK: Lock<Option<(WallClockHook, usize)>> = Lock::new(None);

pub fn set_wall_clock(hook: Option<WallClockHook>, user_data: usize) {
    *WALL_CLOCK.lock() = hook.map(|h| (h, user_data));
}

/// Nanoseconds since the Unix epoch (UTC): the hook if set, else the OS clock; None when this build
/// has neither (log lines then carry no timestamp).
pub fn wall_clock_ns() -> Option<u64> {
    let hook = *WALL_CLOCK.lock();
    if let Some((hook, user)) = hook {
        return Some(hook(user));
    }
    os_wall_clock_ns()
}

#[cfg(feature = "std")]
fn os_wall_clock_ns() -> Option<u64> {
    use std::time::{SystemTime, UNIX_EPOCH};
    let since = SystemTime::now().duration_since(UNIX_EPOCH).ok()?;
    Some(u64::try_from(since.as_nanos()).unwrap_or(u64::MAX))
}

#[cfg(not(feature = "std"))]
fn os_wall_clock_ns() -> Option<u64> {
    None
}
