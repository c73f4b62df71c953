//! What a host may supply instead of an OS: the heap, a monotonic clock, a wall clock, a source of
//! randomness and a sink for log lines (installed through `log`, which owns the logger).
//!
//! Under `std` the OS serves the clocks and randomness when no hook is installed, and the heap is
//! always the system's. Without `std` the heap falls back to the C library's malloc/free, and a
//! missing clock or randomness hook means the feature that needs it is refused with a clear error
//! (never silently ignored, never predictable bytes).
//!
//! The C edge (`capi::hooks`) only checks arguments and forwards here; the C types are plain function
//! pointers taking the host's `user_data` pointer first.

use core::alloc::{GlobalAlloc, Layout};
use core::cell::UnsafeCell;
use core::ffi::{c_char, c_void};
use core::sync::atomic::{AtomicU8, Ordering};

use crate::sync::Lock;

/// Nanoseconds from the hook's own origin: monotonic for the clock, the Unix epoch (UTC) for the
/// wall clock.
pub type ClockHook = unsafe extern "C" fn(user_data: *mut c_void) -> u64;
/// Fills `len` bytes at `buf` with unpredictable bytes; returns false if it cannot. The result is a C
/// `bool` read as a byte (nonzero is true): a host's function may return any byte (capi::types::CBool).
pub type RandomHook = unsafe extern "C" fn(user_data: *mut c_void, buf: *mut u8, len: usize) -> u8;
/// Returns `size` (> 0) bytes aligned to `align` (a power of two), or NULL.
pub type AllocHook = unsafe extern "C" fn(user_data: *mut c_void, size: usize, align: usize) -> *mut c_void;
/// Releases a block from the alloc hook, with the size and alignment it was asked for.
pub type FreeHook = unsafe extern "C" fn(user_data: *mut c_void, ptr: *mut c_void, size: usize, align: usize);
/// Receives one log line: `len` bytes ending with "\n", followed by a NUL.
pub type LogSinkHook = unsafe extern "C" fn(user_data: *mut c_void, line: *const c_char, len: usize);

/// Receives what one plugin writes to WASI fd 1 or 2 (`extism_x_plugin_set_output_sink`).
pub type OutputSinkHook = unsafe extern "C" fn(user_data: *mut c_void, fd: i32, data: *const u8, len: usize);

/// Hands one write of a plugin's stdout/stderr to the host's sink.
pub fn write_output(sink: Hook<OutputSinkHook>, fd: i32, bytes: &[u8]) {
    // SAFETY: the host's callback, given a buffer that lives across the call with its length.
    unsafe { (sink.f)(sink.user_data, fd, bytes.as_ptr(), bytes.len()) }
}

/// A host callback with the `user_data` pointer it is called with.
#[derive(Clone, Copy)]
pub struct Hook<F> {
    pub f: F,
    pub user_data: *mut c_void,
}

// SAFETY: the runtime never dereferences `user_data`; it only hands it back to the host's callback,
// which the host declares callable from any thread that uses the library (extism.h).
unsafe impl<F: Send> Send for Hook<F> {}
// SAFETY: as above; a shared `Hook` is only copied.
unsafe impl<F: Sync> Sync for Hook<F> {}

impl<F> Hook<F> {
    pub fn new(f: Option<F>, user_data: *mut c_void) -> Option<Hook<F>> {
        f.map(|f| Hook { f, user_data })
    }
}

// ================================================================================================
// Clocks and randomness
// ================================================================================================

struct Hooks {
    clock: Option<Hook<ClockHook>>,
    wall_clock: Option<Hook<ClockHook>>,
    random: Option<Hook<RandomHook>>,
}

static HOOKS: Lock<Hooks> = Lock::new(Hooks { clock: None, wall_clock: None, random: None });

/// Installs (or with None removes) the monotonic clock.
pub fn set_clock(hook: Option<Hook<ClockHook>>) {
    HOOKS.lock().clock = hook;
}

/// Installs (or with None removes) the wall clock.
pub fn set_wall_clock(hook: Option<Hook<ClockHook>>) {
    HOOKS.lock().wall_clock = hook;
}

/// Installs (or with None removes) the source of randomness.
pub fn set_random(hook: Option<Hook<RandomHook>>) {
    HOOKS.lock().random = hook;
}

/// Monotonic time in nanoseconds, or None when this build has no clock.
pub fn now_ns() -> Option<u64> {
    let clock = HOOKS.lock().clock;
    if let Some(h) = clock {
        // SAFETY: the host installed this callback for exactly this use (extism.h contract).
        return Some(unsafe { (h.f)(h.user_data) });
    }
    os_now_ns()
}

/// Whether `now_ns` has a source (a hook, or the OS under `std`).
pub fn has_clock() -> bool {
    HOOKS.lock().clock.is_some() || cfg!(feature = "std")
}

/// Why a manifest `timeout_ms` cannot be honoured, if it cannot.
pub fn timeout_refusal() -> Option<&'static str> {
    if has_clock() {
        None
    } else {
        Some("timeout_ms needs a clock: this build has none; install one with extism_x_set_clock")
    }
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

/// Fills `buf` with unpredictable bytes; false when this build has no source of randomness (or the
/// hook failed).
pub fn fill_random(buf: &mut [u8]) -> bool {
    let random = HOOKS.lock().random;
    if let Some(h) = random {
        if buf.is_empty() {
            return true;
        }
        // SAFETY: `buf` is `buf.len()` writable bytes for the duration of the callback.
        return unsafe { (h.f)(h.user_data, buf.as_mut_ptr(), buf.len()) } != 0;
    }
    os_fill_random(buf)
}

#[cfg(feature = "std")]
fn os_fill_random(buf: &mut [u8]) -> bool {
    use std::io::Read;
    // Linux: one getrandom(2) call instead of open/read/close of /dev/urandom (every plugin
    // creation draws its id here); the file remains the fallback (old kernels, seccomp).
    #[cfg(target_os = "linux")]
    {
        let mut done = 0;
        while done < buf.len() {
            let rest = &mut buf[done..];
            // SAFETY: writes at most `rest.len()` bytes into `rest`, which is writable.
            let n = unsafe { libc::getrandom(rest.as_mut_ptr().cast(), rest.len(), 0) };
            if n > 0 {
                done += n as usize;
            } else if n < 0 && std::io::Error::last_os_error().raw_os_error() == Some(libc::EINTR) {
                continue;
            } else {
                break;
            }
        }
        if done == buf.len() {
            return true;
        }
    }
    std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(buf)).is_ok()
}

#[cfg(not(feature = "std"))]
fn os_fill_random(_buf: &mut [u8]) -> bool {
    false
}

/// Nanoseconds since the Unix epoch (UTC): the hook if set, else the OS clock; None when this build
/// has neither (log lines then carry no timestamp, WASI's realtime clock answers ENOSYS).
pub fn wall_clock_ns() -> Option<u64> {
    let hook = HOOKS.lock().wall_clock;
    if let Some(h) = hook {
        // SAFETY: the host installed this callback for exactly this use (extism.h contract).
        return Some(unsafe { (h.f)(h.user_data) });
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

// ================================================================================================
// Log sink
// ================================================================================================

/// Hands one finished log line (ending "\n") to the host's sink, NUL-terminated.
pub fn write_log_line(sink: Hook<LogSinkHook>, line: &[u8]) {
    let mut text = alloc::vec::Vec::new();
    if text.try_reserve_exact(line.len() + 1).is_err() {
        return;
    }
    text.extend_from_slice(line);
    text.push(0);
    // SAFETY: a NUL-terminated buffer that lives across the callback; `len` excludes the NUL.
    unsafe { (sink.f)(sink.user_data, text.as_ptr() as *const c_char, line.len()) }
}

// ================================================================================================
// Heap
// ================================================================================================

/// The global allocator of the no_std build: the host's alloc/free hooks once installed, else
/// `Fallback` (malloc/free). Which one serves the process is decided once, at the first allocation
/// or the install, whichever comes first: a block must always go back to the allocator it came from.
pub struct HookedHeap<Fallback> {
    state: AtomicU8,
    hook: UnsafeCell<Option<(Hook<AllocHook>, FreeHook)>>,
    fallback: Fallback,
}

/// Nothing decided yet: no allocation, no hook.
const HEAP_OPEN: u8 = 0;
/// A hook is being written (allocations wait).
const HEAP_INSTALLING: u8 = 1;
/// The host's hook serves every allocation, for the rest of the process.
const HEAP_HOOKED: u8 = 2;
/// An allocation came first: the fallback serves the rest of the process.
const HEAP_FALLBACK: u8 = 3;

// SAFETY: `hook` is written once, before `state` becomes HEAP_HOOKED (release), and only read after
// `state` was seen as HEAP_HOOKED (acquire); `Fallback` is a GlobalAlloc, which is Sync.
unsafe impl<F: Sync> Sync for HookedHeap<F> {}

impl<F> HookedHeap<F> {
    pub const fn new(fallback: F) -> HookedHeap<F> {
        HookedHeap { state: AtomicU8::new(HEAP_OPEN), hook: UnsafeCell::new(None), fallback }
    }

    /// Installs the host's heap; false once anything has been allocated or a heap was installed.
    pub fn install(&self, alloc: AllocHook, free: FreeHook, user_data: *mut c_void) -> bool {
        if self.state.compare_exchange(HEAP_OPEN, HEAP_INSTALLING, Ordering::Acquire, Ordering::Acquire).is_err() {
            return false;
        }
        // SAFETY: HEAP_INSTALLING makes this the only access to `hook` until the release below.
        unsafe { *self.hook.get() = Some((Hook { f: alloc, user_data }, free)) };
        self.state.store(HEAP_HOOKED, Ordering::Release);
        true
    }

    /// The host's hooks, or None when the fallback serves (deciding that at the first allocation).
    fn hooked(&self) -> Option<(Hook<AllocHook>, FreeHook)> {
        loop {
            match self.state.load(Ordering::Acquire) {
                // SAFETY: written before the release that published HEAP_HOOKED; never written again.
                HEAP_HOOKED => return unsafe { *self.hook.get() },
                HEAP_FALLBACK => return None,
                HEAP_OPEN => {
                    if self
                        .state
                        .compare_exchange(HEAP_OPEN, HEAP_FALLBACK, Ordering::AcqRel, Ordering::Acquire)
                        .is_ok()
                    {
                        return None;
                    }
                }
                _ => core::hint::spin_loop(),
            }
        }
    }
}

// SAFETY: every block comes from the host's hook or the fallback, chosen once before the first
// allocation and never changed, so each block is freed by the allocator that made it.
unsafe impl<F: GlobalAlloc> GlobalAlloc for HookedHeap<F> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        match self.hooked() {
            // SAFETY: size > 0 and align a power of two (Layout, GlobalAlloc contract).
            Some((h, _)) => unsafe { (h.f)(h.user_data, layout.size(), layout.align()) as *mut u8 },
            // SAFETY: forwarded with the caller's guarantees.
            None => unsafe { self.fallback.alloc(layout) },
        }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        match self.hooked() {
            Some((h, _)) => {
                // SAFETY: as in `alloc`; then zero the block we own.
                let p = unsafe { (h.f)(h.user_data, layout.size(), layout.align()) as *mut u8 };
                if !p.is_null() {
                    // SAFETY: `p` holds `layout.size()` writable bytes.
                    unsafe { core::ptr::write_bytes(p, 0, layout.size()) };
                }
                p
            }
            // SAFETY: forwarded with the caller's guarantees.
            None => unsafe { self.fallback.alloc_zeroed(layout) },
        }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        match self.hooked() {
            // SAFETY: `ptr` came from this alloc hook with this layout (the heap never changes once
            // decided).
            Some((h, free)) => unsafe { free(h.user_data, ptr as *mut c_void, layout.size(), layout.align()) },
            // SAFETY: `ptr` came from the fallback with this layout.
            None => unsafe { self.fallback.dealloc(ptr, layout) },
        }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        match self.hooked() {
            // SAFETY: `new_size` > 0 with the old alignment forms a valid layout (GlobalAlloc
            // contract); allocate, copy the smaller size, release the old block.
            Some(_) => unsafe {
                let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
                if !new.is_null() {
                    core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                    self.dealloc(ptr, layout);
                }
                new
            },
            // SAFETY: forwarded with the caller's guarantees.
            None => unsafe { self.fallback.realloc(ptr, layout, new_size) },
        }
    }
}

extern "C" {
    fn malloc(size: usize) -> *mut c_void;
    fn calloc(n: usize, size: usize) -> *mut c_void;
    fn realloc(p: *mut c_void, size: usize) -> *mut c_void;
    fn free(p: *mut c_void);
}

/// The alignment malloc guarantees on every platform we build for (8 on 32-bit ARM and RISC-V,
/// 16 on x86_64 glibc: 8 is the safe lower bound).
#[cfg_attr(feature = "std", allow(dead_code))]
const MALLOC_ALIGN: usize = 8;

/// malloc/free of the C library: the heap of the no_std build when the host installs none (the std
/// build uses the system allocator; it only runs this in tests). Only malloc, calloc, realloc and
/// free are used: alignments above malloc's are served by over-allocating, so a libc without
/// `posix_memalign` (newlib on a board, a tiny firmware libc) is enough.
#[cfg_attr(feature = "std", allow(dead_code))]
pub struct CHeap;

#[cfg_attr(feature = "std", allow(dead_code))]
impl CHeap {
    /// An over-aligned block: malloc `size + align` bytes, round up past the start, and keep
    /// malloc's pointer in the word just before the block (there are at least 8 bytes of room:
    /// `align` > 8 and malloc's pointer is 8-aligned).
    ///
    /// # Safety
    /// `layout.align()` > MALLOC_ALIGN.
    unsafe fn alloc_over_aligned(layout: Layout, zeroed: bool) -> *mut u8 {
        let Some(total) = layout.size().checked_add(layout.align()) else {
            return core::ptr::null_mut();
        };
        // SAFETY: plain malloc/calloc of a non-zero size.
        let raw = unsafe { if zeroed { calloc(1, total) } else { malloc(total) } } as *mut u8;
        if raw.is_null() {
            return raw;
        }
        let addr = raw as usize;
        let aligned = (addr + 1).next_multiple_of(layout.align());
        // SAFETY: `aligned - addr` is in 8..=align, so the block and the word before it lie inside
        // the `size + align` bytes malloc returned.
        unsafe {
            let block = raw.add(aligned - addr);
            (block as *mut *mut u8).sub(1).write_unaligned(raw);
            block
        }
    }

    /// # Safety
    /// `block` came from `alloc_over_aligned`.
    unsafe fn free_over_aligned(block: *mut u8) {
        // SAFETY: the word before the block holds malloc's pointer.
        unsafe { free((block as *mut *mut u8).sub(1).read_unaligned() as *mut c_void) }
    }
}

// SAFETY: forwards to the C library's allocator; over-aligned blocks keep malloc's pointer in the
// word before them so `dealloc` frees exactly what malloc returned.
unsafe impl GlobalAlloc for CHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            // SAFETY: plain malloc of a non-zero size (GlobalAlloc never asks for 0).
            return unsafe { malloc(layout.size()) as *mut u8 };
        }
        // SAFETY: alignment above malloc's.
        unsafe { Self::alloc_over_aligned(layout, false) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            // SAFETY: calloc returns zeroed memory without touching untouched pages twice.
            return unsafe { calloc(1, layout.size()) as *mut u8 };
        }
        // SAFETY: alignment above malloc's.
        unsafe { Self::alloc_over_aligned(layout, true) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if layout.align() <= MALLOC_ALIGN {
            // SAFETY: `ptr` came from malloc/calloc/realloc.
            unsafe { free(ptr as *mut c_void) }
        } else {
            // SAFETY: `ptr` came from `alloc_over_aligned` (same layout).
            unsafe { Self::free_over_aligned(ptr) }
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            // SAFETY: `ptr` came from malloc-family with malloc alignment.
            return unsafe { realloc(ptr as *mut c_void, new_size) as *mut u8 };
        }
        // SAFETY: allocate, copy the smaller size, free the old block.
        unsafe {
            let new = self.alloc(Layout::from_size_align_unchecked(new_size, layout.align()));
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

/// Installs the host's heap for the whole process (`extism_x_set_allocator`). False when the build
/// has `std` (the system allocator serves it), once anything has been allocated, or after a
/// previous install.
pub fn set_allocator(alloc: AllocHook, free: FreeHook, user_data: *mut c_void) -> bool {
    #[cfg(not(feature = "std"))]
    {
        crate::nostd_runtime::HEAP.install(alloc, free, user_data)
    }
    #[cfg(feature = "std")]
    {
        let _ = (alloc, free, user_data);
        false
    }
}

#[cfg(test)]
mod tests;
