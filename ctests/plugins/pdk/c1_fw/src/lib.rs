//! c1 for a microcontroller: the suite's c1 plugin (`../../c1/src/lib.rs`, compiled here as it is)
//! with a heap that stays inside the module's one page of linear memory.
//!
//! Rust's default allocator on wasm32-unknown-unknown (dlmalloc) takes every block from
//! `memory.grow`, at least 64 KiB at a time, even when the first page has room: the first `String`
//! doubles the plugin's memory (and the engine holds the old and the new buffer while it copies).
//! Here the heap is a 16 KiB static array, within the page beside the data and the 16 KiB shadow
//! stack (firmware/firmware.mk links with -zstack-size=16384), handed to `talc`. An allocation the
//! array cannot serve traps the call (Rust's allocation error handler); it never grows memory.
#[path = "../../c1/src/lib.rs"]
pub mod c1;

use talc::{ClaimOnOom, Span, Talc, Talck};

const HEAP_BYTES: usize = 16 * 1024;
static mut HEAP: [u8; HEAP_BYTES] = [0; HEAP_BYTES];

// SAFETY: HEAP is used by nothing else; a plugin instance runs one call at a time on one thread.
#[global_allocator]
static ALLOCATOR: Talck<talc::locking::AssumeUnlockable, ClaimOnOom> =
    Talc::new(unsafe { ClaimOnOom::new(Span::from_array(core::ptr::addr_of!(HEAP).cast_mut())) }).lock();
