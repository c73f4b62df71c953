//! Giving the zero pages of a plugin's linear memory back to the OS (Linux, `std` build).
//!
//! wasmi writes zeros over every byte a memory gets: its declared size when it is created, each page
//! `memory.grow` adds (`Vec::resize`), and it may copy the whole memory when its buffer moves. So
//! without this, a plugin's resident set follows what it declares and grows, not what it writes: a
//! plugin growing one page per call and writing none of it takes 64 KiB more per call, without end.
//!
//! The store's resource limiter sees every growth (creation included) and marks the store
//! (`Tracker::grew`). Each exported memory of the main instance remembers how far it has been
//! handled (`handled`); what lies past that is the range it grew by, and only that range is
//! scanned: its page-aligned runs of zero bytes are released with `madvise(MADV_DONTNEED)`, so the
//! memory reads the same (zeros) and a page costs RAM again only once the plugin writes to it. When
//! the buffer has moved (a growth reallocated it), the part already handled may have been copied
//! into new, resident pages: `mincore` tells which, and only those are scanned again. Moves happen
//! when the buffer's capacity doubles, so over a plugin's life that costs at most as much again as
//! the growth itself.
//!
//! When: at the end of the call that grew the memory while more than `config::TRIM_MIN_LIVE_PLUGINS`
//! plugins are alive (a host keeping plugins around), else at the start of the plugin's next call.
//! A host that creates, calls and frees one plugin at a time never reaches a next call, so it does
//! not pay for releasing pages the allocator would hand the next plugin (which wasmi would then
//! fault in again, zeroing them); a plugin called again and again alone is trimmed every call.
//! Measured in bench/RESULTS.md.

use core::sync::atomic::{AtomicUsize, Ordering};

use wasmi::{Instance, Store};

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

/// What a store knows about the growth of its memories since their zero pages were last released.
#[derive(Default)]
pub struct Tracker {
    /// A wasm memory of the store grew (or was created) since the last release: set by the limiter.
    pub grew: bool,
    /// The main instance's exported memories, found at the first release.
    #[cfg_attr(not(all(feature = "std", target_os = "linux")), allow(dead_code))]
    memories: Option<alloc::vec::Vec<Tracked>>,
}

/// One memory and how far its zero pages have been handled.
#[cfg_attr(not(all(feature = "std", target_os = "linux")), allow(dead_code))]
struct Tracked {
    memory: wasmi::Memory,
    /// Bytes from the start already released where zero; the rest is what the memory grew by since.
    handled: usize,
    /// Where the buffer was when `handled` was set (0: never): a new address means it moved.
    base: usize,
}

/// After a call: release what the store's memories grew by, now if plugins are being kept alive.
pub fn after_call(store: &mut Store<State>, main: Instance) {
    if store.data().trim.grew && LIVE_PLUGINS.load(Ordering::Relaxed) > config::TRIM_MIN_LIVE_PLUGINS {
        release_growth(store, main);
    }
}

/// Before a call of an existing instance: release what an earlier call grew and left pending.
pub fn before_call(store: &mut Store<State>, main: Instance) {
    if store.data().trim.grew {
        release_growth(store, main);
    }
}

/// Releases the zero pages of the ranges the main instance's memories grew by; returns the bytes.
#[cfg(all(feature = "std", target_os = "linux"))]
pub fn release_growth(store: &mut Store<State>, main: Instance) -> usize {
    let Some(page) = os_page_size() else { return 0 };
    let mut memories = match store.data_mut().trim.memories.take() {
        Some(found) => found,
        None => main
            .exports(&*store)
            .filter_map(|e| e.into_memory())
            .map(|memory| Tracked { memory, handled: 0, base: 0 })
            .collect(),
    };
    let mut released = 0;
    for t in memories.iter_mut() {
        let bytes = t.memory.data_mut(&mut *store);
        let base = bytes.as_ptr() as usize;
        if base != t.base && t.handled > 0 {
            // Moved: the handled part may have been copied into resident pages.
            released += release_zero_pages(&mut bytes[..t.handled], page, 0, true);
        }
        released += release_zero_pages(bytes, page, t.handled, false);
        t.handled = bytes.len();
        t.base = base;
    }
    let state = store.data_mut();
    state.trim.memories = Some(memories);
    state.trim.grew = false;
    released
}

#[cfg(not(all(feature = "std", target_os = "linux")))]
pub fn release_growth(_store: &mut Store<State>, _main: Instance) -> usize {
    0
}

#[cfg(all(feature = "std", target_os = "linux"))]
fn os_page_size() -> Option<usize> {
    // SAFETY: sysconf has no preconditions.
    match unsafe { libc::sysconf(libc::_SC_PAGESIZE) } {
        n if n >= 4096 && (n as usize).is_power_of_two() => Some(n as usize),
        _ => None,
    }
}

/// Releases every run of whole zero pages of `bytes` from the page holding byte `from` on (a page
/// that starts before `bytes` is left alone); returns the bytes released. With `resident_only`,
/// pages the OS does not hold (`mincore`) are not read: they cost nothing and read as zeros.
#[cfg(all(feature = "std", target_os = "linux"))]
fn release_zero_pages(bytes: &mut [u8], page: usize, from: usize, resident_only: bool) -> usize {
    let base = bytes.as_mut_ptr() as usize;
    let first = ((base + from) & !(page - 1)).max((base + page - 1) & !(page - 1));
    let end = (base + bytes.len()) & !(page - 1);
    if first >= end {
        return 0;
    }
    let resident = match resident_only {
        true => match resident_pages(first, end - first, page) {
            Some(map) => Some(map),
            None => return 0,
        },
        false => None,
    };
    let mut released = 0;
    let mut run: Option<usize> = None;
    let mut p = first;
    while p <= end {
        let zero = p < end && {
            let held = resident.as_ref().is_none_or(|map| map.get((p - first) / page).is_none_or(|&b| b & 1 == 1));
            !held || is_zero(&bytes[p - base..p - base + page])
        };
        match (zero, run) {
            (true, None) => run = Some(p),
            (false, Some(start)) => {
                // SAFETY: [start, p) is whole pages inside `bytes` (the memory's buffer, private
                // anonymous memory from the allocator) holding only zeros: after MADV_DONTNEED they
                // read as zeros again.
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

/// One byte per page of the page-aligned `[start, start + len)`: bit 0 set when it is resident.
#[cfg(all(feature = "std", target_os = "linux"))]
fn resident_pages(start: usize, len: usize, page: usize) -> Option<alloc::vec::Vec<u8>> {
    let mut map = alloc::vec![0u8; len / page];
    // SAFETY: `start` is page-aligned and [start, start + len) lies inside one live allocation (the
    // memory's buffer); `map` has one byte per page of it. mincore only reads the page tables.
    let rc = unsafe { libc::mincore(start as *mut libc::c_void, len, map.as_mut_ptr()) };
    (rc == 0).then_some(map)
}

#[cfg(all(feature = "std", target_os = "linux"))]
fn is_zero(page: &[u8]) -> bool {
    // OR-reduce 256-byte blocks with no exit inside a block, so the compiler vectorises it (an
    // early exit per word does not): a page is checked in a sixth of the instructions.
    let mut blocks = page.chunks_exact(256);
    for block in &mut blocks {
        if block.iter().fold(0u8, |acc, &b| acc | b) != 0 {
            return false;
        }
    }
    blocks.remainder().iter().all(|&b| b == 0)
}

#[cfg(all(test, feature = "std", target_os = "linux"))]
mod tests {
    use super::*;

    /// A page-aligned heap buffer of `pages` pages (so the page arithmetic is exact in the test).
    fn aligned(pages: usize, page: usize) -> (alloc::vec::Vec<u8>, usize) {
        let v = alloc::vec![0u8; (pages + 1) * page];
        let skip = (page - (v.as_ptr() as usize & (page - 1))) & (page - 1);
        (v, skip)
    }

    #[test]
    fn only_zero_pages_from_the_grown_range_are_released() {
        let page = os_page_size().unwrap();
        let (mut v, skip) = aligned(8, page);
        let bytes = &mut v[skip..skip + 8 * page];
        bytes.fill(1);
        // Pages 4..8 are the grown range; page 5 holds data, 6 and 7 are zero, 4 is zero too.
        bytes[4 * page..].fill(0);
        bytes[5 * page + 3] = 9;
        let released = release_zero_pages(bytes, page, 4 * page, false);
        assert_eq!(released, 3 * page);
        assert_eq!(bytes[5 * page + 3], 9);
        assert!(bytes[..4 * page].iter().all(|&b| b == 1), "the handled range was not touched");
        assert!(bytes[4 * page..5 * page].iter().all(|&b| b == 0));
        assert!(bytes[6 * page..].iter().all(|&b| b == 0), "released pages read as zeros");
    }

    #[test]
    fn a_range_starting_mid_page_rescans_that_page() {
        let page = os_page_size().unwrap();
        let (mut v, skip) = aligned(4, page);
        let bytes = &mut v[skip..skip + 4 * page];
        // Handled up to the middle of page 1; the whole of pages 1..4 is zero now.
        bytes[..page].fill(7);
        assert_eq!(release_zero_pages(bytes, page, page + page / 2, false), 3 * page);
        // Data in the handled half of page 1 keeps it.
        bytes[page + 1] = 5;
        assert_eq!(release_zero_pages(bytes, page, page + page / 2, false), 2 * page);
        assert_eq!(bytes[page + 1], 5);
    }

    #[test]
    fn resident_only_releases_without_reading_absent_pages() {
        let page = os_page_size().unwrap();
        let (mut v, skip) = aligned(6, page);
        let bytes = &mut v[skip..skip + 6 * page];
        bytes.fill(0);
        bytes[2 * page] = 1;
        // Pages 0, 1 and 3..6 are zero (resident or not); page 2 holds data.
        let released = release_zero_pages(bytes, page, 0, true);
        assert_eq!(released, 5 * page);
        assert_eq!(bytes[2 * page], 1);
        assert!(bytes[3 * page..].iter().all(|&b| b == 0));
    }
}
