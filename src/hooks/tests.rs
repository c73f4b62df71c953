//! The hooks' forwarding rules. The heap is tested on a private `HookedHeap` (the std build's
//! global allocator is the system's); clock and randomness hooks are process-wide, so the ones
//! installed here keep serving real time and real randomness while other tests run.

extern crate std;

use super::*;
use core::sync::atomic::{AtomicUsize, Ordering};
use std::alloc::System;
use std::vec::Vec;

/// A heap hook over the system allocator that records what it was asked.
struct Counts {
    allocs: AtomicUsize,
    frees: AtomicUsize,
    live_bytes: AtomicUsize,
    last_align: AtomicUsize,
}

impl Counts {
    const fn new() -> Counts {
        Counts {
            allocs: AtomicUsize::new(0),
            frees: AtomicUsize::new(0),
            live_bytes: AtomicUsize::new(0),
            last_align: AtomicUsize::new(0),
        }
    }
}

unsafe extern "C" fn counting_alloc(user: *mut c_void, size: usize, align: usize) -> *mut c_void {
    // SAFETY: the tests pass a live `Counts`.
    let c = unsafe { &*(user as *const Counts) };
    c.allocs.fetch_add(1, Ordering::SeqCst);
    c.live_bytes.fetch_add(size, Ordering::SeqCst);
    c.last_align.store(align, Ordering::SeqCst);
    // SAFETY: size > 0, align a power of two (the hook's contract).
    unsafe { System.alloc(Layout::from_size_align_unchecked(size, align)) as *mut c_void }
}

unsafe extern "C" fn counting_free(user: *mut c_void, ptr: *mut c_void, size: usize, align: usize) {
    // SAFETY: the tests pass a live `Counts`.
    let c = unsafe { &*(user as *const Counts) };
    c.frees.fetch_add(1, Ordering::SeqCst);
    c.live_bytes.fetch_sub(size, Ordering::SeqCst);
    // SAFETY: `ptr` came from `counting_alloc` with this size and alignment.
    unsafe { System.dealloc(ptr as *mut u8, Layout::from_size_align_unchecked(size, align)) }
}

fn user(c: &Counts) -> *mut c_void {
    c as *const Counts as *mut c_void
}

#[test]
fn heap_forwards_every_allocation_to_the_hook() {
    static COUNTS: Counts = Counts::new();
    let heap = HookedHeap::new(System);
    assert!(heap.install(counting_alloc, counting_free, user(&COUNTS)));
    // SAFETY: GlobalAlloc calls with non-zero layouts; every pointer given back is one this heap returned, with its layout.
    unsafe {
        let layout = Layout::from_size_align(100, 64).unwrap();
        let p = heap.alloc(layout);
        assert!(!p.is_null());
        assert_eq!(p as usize % 64, 0);
        assert_eq!(COUNTS.last_align.load(Ordering::SeqCst), 64);
        assert_eq!(COUNTS.live_bytes.load(Ordering::SeqCst), 100);

        // realloc: a new block from the hook, the contents copied, the old block freed
        for i in 0..100 {
            *p.add(i) = i as u8;
        }
        let q = heap.realloc(p, layout, 300);
        assert!(!q.is_null());
        assert_eq!(q as usize % 64, 0);
        assert!((0..100).all(|i| *q.add(i) == i as u8));
        assert_eq!(COUNTS.allocs.load(Ordering::SeqCst), 2);
        assert_eq!(COUNTS.frees.load(Ordering::SeqCst), 1);
        assert_eq!(COUNTS.live_bytes.load(Ordering::SeqCst), 300);

        // alloc_zeroed: zeroed by the runtime whatever the hook returns
        let z = Layout::from_size_align(4096, 8).unwrap();
        let r = heap.alloc_zeroed(z);
        assert!((0..4096).all(|i| *r.add(i) == 0));
        heap.dealloc(r, z);
        heap.dealloc(q, Layout::from_size_align(300, 64).unwrap());
    }
    assert_eq!(COUNTS.allocs.load(Ordering::SeqCst), 3);
    assert_eq!(COUNTS.frees.load(Ordering::SeqCst), 3);
    assert_eq!(COUNTS.live_bytes.load(Ordering::SeqCst), 0);
}

#[test]
fn heap_install_is_refused_after_the_first_allocation_or_a_first_install() {
    static COUNTS: Counts = Counts::new();
    let heap = HookedHeap::new(System);
    let layout = Layout::from_size_align(16, 8).unwrap();
    // SAFETY: GlobalAlloc calls with non-zero layouts; every pointer given back is one this heap returned, with its layout.
    unsafe {
        let p = heap.alloc(layout);
        assert!(!p.is_null());
        // a block from the fallback exists: the host's free could never release it
        assert!(!heap.install(counting_alloc, counting_free, user(&COUNTS)));
        heap.dealloc(p, layout);
        let p = heap.alloc(layout);
        heap.dealloc(p, layout);
    }
    assert_eq!(COUNTS.allocs.load(Ordering::SeqCst), 0, "the fallback keeps serving");

    let hooked = HookedHeap::new(System);
    assert!(hooked.install(counting_alloc, counting_free, user(&COUNTS)));
    assert!(!hooked.install(counting_alloc, counting_free, user(&COUNTS)), "installed once");
}

unsafe extern "C" fn null_alloc(_: *mut c_void, _: usize, _: usize) -> *mut c_void {
    core::ptr::null_mut()
}
unsafe extern "C" fn never_free(_: *mut c_void, _: *mut c_void, _: usize, _: usize) {
    panic!("nothing was allocated");
}

#[test]
fn heap_passes_a_failed_allocation_through() {
    let heap = HookedHeap::new(System);
    assert!(heap.install(null_alloc, never_free, core::ptr::null_mut()));
    // SAFETY: GlobalAlloc calls with non-zero layouts; every pointer given back is one this heap returned, with its layout.
    unsafe {
        let layout = Layout::from_size_align(32, 8).unwrap();
        assert!(heap.alloc(layout).is_null());
        assert!(heap.alloc_zeroed(layout).is_null());
    }
}

#[test]
fn heap_hook_serves_several_threads() {
    static COUNTS: Counts = Counts::new();
    static HEAP: HookedHeap<System> = HookedHeap::new(System);
    assert!(HEAP.install(counting_alloc, counting_free, user(&COUNTS)));
    let threads: Vec<_> = (0..4)
        .map(|t| {
            // SAFETY: GlobalAlloc calls with non-zero layouts; every pointer given back is one this heap returned, with its layout.
            std::thread::spawn(move || unsafe {
                for i in 0..1000 {
                    let layout = Layout::from_size_align(1 + (i + t) % 200, 1 << (i % 7)).unwrap();
                    let p = HEAP.alloc(layout);
                    assert!(!p.is_null() && p as usize % layout.align() == 0);
                    HEAP.dealloc(p, layout);
                }
            })
        })
        .collect();
    for t in threads {
        t.join().unwrap();
    }
    assert_eq!(COUNTS.allocs.load(Ordering::SeqCst), 4000);
    assert_eq!(COUNTS.frees.load(Ordering::SeqCst), 4000);
    assert_eq!(COUNTS.live_bytes.load(Ordering::SeqCst), 0);
}

#[test]
fn std_build_keeps_the_system_heap() {
    assert!(!set_allocator(null_alloc, never_free, core::ptr::null_mut()));
}

static CLOCK_CALLS: AtomicUsize = AtomicUsize::new(0);

/// The OS clock, counted: other tests keep measuring real time while it is installed.
unsafe extern "C" fn counted_clock(user: *mut c_void) -> u64 {
    assert_eq!(user as usize, 0x5eed);
    CLOCK_CALLS.fetch_add(1, Ordering::SeqCst);
    os_now_ns().unwrap()
}

#[test]
fn clock_hook_serves_now_ns_until_removed() {
    assert!(has_clock());
    assert_eq!(timeout_refusal(), None, "the std build always has a clock");
    set_clock(Hook::new(Some(counted_clock as ClockHook), 0x5eed as *mut c_void));
    let before = CLOCK_CALLS.load(Ordering::SeqCst);
    let a = now_ns().unwrap();
    let b = now_ns().unwrap();
    assert!(b >= a);
    assert!(CLOCK_CALLS.load(Ordering::SeqCst) >= before + 2);
    set_clock(None);
    let after = CLOCK_CALLS.load(Ordering::SeqCst);
    now_ns().unwrap();
    assert_eq!(CLOCK_CALLS.load(Ordering::SeqCst), after, "removed: the OS clock again");
}

unsafe extern "C" fn fixed_wall_clock(_: *mut c_void) -> u64 {
    1_700_000_000_123_456_789
}

#[test]
fn wall_clock_hook_serves_wall_clock_ns() {
    set_wall_clock(Hook::new(Some(fixed_wall_clock as ClockHook), core::ptr::null_mut()));
    assert_eq!(wall_clock_ns(), Some(1_700_000_000_123_456_789));
    set_wall_clock(None);
    assert!(wall_clock_ns().unwrap() > 1_700_000_000_000_000_000);
}

static RANDOM_CALLS: AtomicUsize = AtomicUsize::new(0);

/// OS randomness, counted (ids made by other tests stay random). Says "true" as 0xFF, as a binding
/// may: any nonzero byte is success.
unsafe extern "C" fn counted_random(_: *mut c_void, buf: *mut u8, len: usize) -> u8 {
    RANDOM_CALLS.fetch_add(1, Ordering::SeqCst);
    // SAFETY: `buf` holds `len` writable bytes (the hook's contract).
    if os_fill_random(unsafe { core::slice::from_raw_parts_mut(buf, len) }) { 0xFF } else { 0 }
}

#[test]
fn random_hook_serves_fill_random() {
    set_random(Hook::new(Some(counted_random as RandomHook), core::ptr::null_mut()));
    let before = RANDOM_CALLS.load(Ordering::SeqCst);
    let mut a = [0u8; 32];
    let mut b = [0u8; 32];
    assert!(fill_random(&mut a) && fill_random(&mut b));
    assert_ne!(a, b);
    assert!(RANDOM_CALLS.load(Ordering::SeqCst) >= before + 2);
    assert!(fill_random(&mut []), "nothing to fill: no call, success");
    set_random(None);
}

static LINES: crate::sync::Lock<Vec<u8>> = crate::sync::Lock::new(Vec::new());

unsafe extern "C" fn collect_line(user: *mut c_void, line: *const c_char, len: usize) {
    assert_eq!(user as usize, 7);
    // SAFETY: `len` bytes and a NUL at `line` (the sink's contract).
    let bytes = unsafe { core::slice::from_raw_parts(line as *const u8, len + 1) };
    assert_eq!(bytes[len], 0);
    LINES.lock().extend_from_slice(&bytes[..len]);
}

#[test]
fn log_sink_gets_each_line_nul_terminated() {
    let hook = Hook { f: collect_line as LogSinkHook, user_data: 7 as *mut c_void };
    write_log_line(hook, b"one\n");
    write_log_line(hook, b"two\n");
    assert_eq!(LINES.lock().as_slice(), b"one\ntwo\n");
}

#[test]
fn c_heap_serves_every_alignment_from_malloc() {
    // The no_std fallback, run here on the C library's malloc: over-aligned blocks keep malloc's
    // pointer in front of them and go back to free.
    let heap = CHeap;
    // SAFETY: GlobalAlloc calls with non-zero layouts; every pointer given back is one this heap returned, with its layout.
    unsafe {
        for align in [1usize, 2, 8, 16, 32, 64, 4096] {
            for size in [1usize, 7, 64, 1000, 70_000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                let p = heap.alloc(layout);
                assert!(!p.is_null() && p as usize % align == 0, "size {size} align {align}");
                core::ptr::write_bytes(p, 0xee, size);
                let z = heap.alloc_zeroed(layout);
                assert!(!z.is_null() && z as usize % align == 0);
                assert!((0..size).all(|i| *z.add(i) == 0));
                let q = heap.realloc(p, layout, size * 3);
                assert!(!q.is_null() && q as usize % align == 0);
                assert!((0..size).all(|i| *q.add(i) == 0xee));
                heap.dealloc(q, Layout::from_size_align(size * 3, align).unwrap());
                heap.dealloc(z, layout);
            }
        }
    }
}

#[test]
fn hooked_heap_falls_back_to_c_heap() {
    let heap = HookedHeap::new(CHeap);
    // SAFETY: GlobalAlloc calls with non-zero layouts; every pointer given back is one this heap returned, with its layout.
    unsafe {
        let layout = Layout::from_size_align(256, 128).unwrap();
        let p = heap.alloc(layout);
        assert!(!p.is_null() && p as usize % 128 == 0);
        heap.dealloc(p, layout);
    }
    assert!(!heap.install(null_alloc, never_free, core::ptr::null_mut()));
}
