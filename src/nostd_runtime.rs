//! What std would otherwise provide to a staticlib: the heap and the panic handler.
//!
//! The heap is the host's allocator hook once installed (`extism_x_set_allocator`, see
//! `hooks::HookedHeap`), else malloc/free of the C library (`hooks::CHeap`).
//!
//! A panic aborts: the C host must never unwind through Rust frames.

use crate::hooks::{CHeap, HookedHeap};

extern "C" {
    fn abort() -> !;
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
