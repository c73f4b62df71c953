//! What std would otherwise provide to a staticlib: the heap and the panic handler.
//!
//! The heap is the host's allocator hook once installed (`extism_x_set_allocator`, see
//! `hooks::HookedHeap`), else malloc/free of the C library. Only malloc, calloc, realloc and free are
//! used: alignments above malloc's are served by over-allocating, so a libc without
//! `posix_memalign` (newlib on a board, a tiny firmware libc) is enough.
//!
//! A panic aborts: the C host must never unwind through Rust frames.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

use crate::hooks::HookedHeap;

extern "C" {
    fn malloc(size: usize) -> *mut c_void;
    fn calloc(n: usize, size: usize) -> *mut c_void;
    fn realloc(p: *mut c_void, size: usize) -> *mut c_void;
    fn free(p: *mut c_void);
    fn abort() -> !;
}

/// The alignment malloc guarantees on every platform we build for (8 on 32-bit ARM and RISC-V,
/// 16 on x86_64 glibc: 8 is the safe lower bound).
const MALLOC_ALIGN: usize = 8;

/// malloc/free of the C library.
pub(crate) struct CHeap;

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

/// The process heap: the host's hook or malloc/free (decided at the first allocation).
#[global_allocator]
pub(crate) static HEAP: HookedHeap<CHeap> = HookedHeap::new(CHeap);

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: abort never returns and touches no Rust state.
    unsafe { abort() }
}

/// The prebuilt core/alloc reference this symbol even with panic = abort; nothing ever calls it.
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}
