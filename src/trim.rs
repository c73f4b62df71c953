//! Giving the zero pages of a new instance's linear memory back to the OS (Linux, `std` build).
//!
//! wasmi writes zeros over a memory's whole declared size when it creates it, so every live plugin
//! keeps its declared memory resident (1.1 MiB for a 17-page Rust PDK plugin) although most of it is
//! still zero. Right after the main module is instantiated, the page-aligned runs of zero bytes in
//! its memories are released with `madvise(MADV_DONTNEED)`: the memory reads the same (zeros), and
//! a page costs RAM again only once the plugin writes to it. This is done at the end of the first
//! call (instantiation is lazy: creating a plugin touches none of it) and of any call during which
//! the memory grew, since growing may copy the whole memory into a new, fully resident buffer.
//!
//! Releasing costs a scan and a system call, and a plugin made after this one was freed may get the
//! same (now released) heap pages back and fault them in again. So it is done only while more than
//! `config::TRIM_MIN_LIVE_PLUGINS` plugins are alive in the process (a host keeping plugins around),
//! not for a host that creates, calls and frees one plugin at a time. Measured in bench/RESULTS.md.

use core::sync::atomic::{AtomicUsize, Ordering};

use wasmi::{Extern, Instance, Store};

use crate::config;
use crate::state::State;

/// Plugins alive in the process (created and not yet freed).
static LIVE_PLUGINS: AtomicUsize = AtomicUsize::new(0);

pub fn plugin_created() {
    LIVE_PLUGINS.fetch_add(1, Ordering::Relaxed);
}

pub fn plugin_freed() {
    LIVE_PLUGINS.fetch_sub(1, Ordering::Relaxed);
}

/// After a call that instantiated the main module or grew its memory: release the zero pages of its
/// memories when plugins are being kept alive. Returns the bytes released.
pub fn after_growth(store: &mut Store<State>, instance: Instance) -> usize {
    if LIVE_PLUGINS.load(Ordering::Relaxed) <= config::TRIM_MIN_LIVE_PLUGINS {
        return 0;
    }
    let memories: alloc::vec::Vec<wasmi::Memory> = instance
        .exports(&*store)
        .filter_map(|e| match e.into_extern() {
            Extern::Memory(m) => Some(m),
            _ => None,
        })
        .collect();
    memories.into_iter().map(|m| release_zero_pages(m.data_mut(&mut *store))).sum()
}

/// Releases every page-aligned run of zero pages inside `bytes`; returns the bytes released.
#[cfg(all(feature = "std", target_os = "linux"))]
pub fn release_zero_pages(bytes: &mut [u8]) -> usize {
    // SAFETY: sysconf has no preconditions.
    let page = match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
        n if n >= 4096 && (n as usize).is_power_of_two() => n as usize,
        _ => return 0,
    };
    let base = bytes.as_mut_ptr() as usize;
    let first = (base + page - 1) & !(page - 1);
    let end = (base + bytes.len()) & !(page - 1);
    let mut released = 0;
    let mut run: Option<usize> = None;
    let mut p = first;
    while p <= end {
        let zero = p < end && is_zero(&bytes[p - base..p - base + page]);
        match (zero, run) {
            (true, None) => run = Some(p),
            (false, Some(start)) => {
                // SAFETY: [start, p) is whole pages inside `bytes` (anonymous private memory from
                // the allocator) holding only zeros: after MADV_DONTNEED they read as zeros again.
                if unsafe { libc::madvise(start as *mut libc::c_void, p - start, libc::MADV_DONTNEED) } == 0 {
                    released += p - start;
                }
                run = None;
            }
            _ => {}
        }
        p += page;
    }
    released
}

#[cfg(not(all(feature = "std", target_os = "linux")))]
pub fn release_zero_pages(_bytes: &mut [u8]) -> usize {
    0
}

#[cfg(all(feature = "std", target_os = "linux"))]
fn is_zero(page: &[u8]) -> bool {
    // SAFETY: u64 has no invalid bit patterns; align_to splits off any unaligned ends.
    let (head, words, tail) = unsafe { page.align_to::<u64>() };
    head.iter().all(|&b| b == 0) && tail.iter().all(|&b| b == 0) && words.iter().all(|&w| w == 0)
}
