//! What std would otherwise provide to a staticlib: the heap (malloc/free of the C library) and
//! the panic handler. A panic aborts: the C host must never unwind through Rust frames.

use core::alloc::{GlobalAlloc, Layout};
use core::ffi::c_void;

extern "C" {
    fn malloc(size: usize) -> *mut c_void;
    fn calloc(n: usize, size: usize) -> *mut c_void;
    fn realloc(p: *mut c_void, size: usize) -> *mut c_void;
    fn free(p: *mut c_void);
    fn posix_memalign(out: *mut *mut c_void, align: usize, size: usize) -> i32;
    fn abort() -> !;
}

/// malloc's guaranteed alignment on the platforms we build for.
const MALLOC_ALIGN: usize = 8;

struct CHeap;

unsafe impl GlobalAlloc for CHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            // SAFETY: plain malloc of a non-zero size (GlobalAlloc never asks for 0).
            return unsafe { malloc(layout.size()) as *mut u8 };
        }
        let mut out = core::ptr::null_mut();
        // SAFETY: alignment is a power of two >= pointer size here.
        if unsafe { posix_memalign(&mut out, layout.align(), layout.size()) } != 0 {
            return core::ptr::null_mut();
        }
        out as *mut u8
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        if layout.align() <= MALLOC_ALIGN {
            // SAFETY: calloc returns zeroed memory without touching untouched pages twice.
            return unsafe { calloc(1, layout.size()) as *mut u8 };
        }
        // SAFETY: forwarded; then zero the block we own.
        let p = unsafe { self.alloc(layout) };
        if !p.is_null() {
            // SAFETY: `p` holds `layout.size()` writable bytes.
            unsafe { core::ptr::write_bytes(p, 0, layout.size()) };
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from malloc/calloc/posix_memalign/realloc above.
        unsafe { free(ptr as *mut c_void) }
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

#[global_allocator]
static HEAP: CHeap = CHeap;

#[panic_handler]
fn panic(_info: &core::panic::PanicInfo<'_>) -> ! {
    // SAFETY: abort never returns and touches no Rust state.
    unsafe { abort() }
}

/// The prebuilt core/alloc reference this symbol even with panic = abort; nothing ever calls it.
#[no_mangle]
pub extern "C" fn rust_eh_personality() {}
