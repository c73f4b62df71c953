//! The Extism kernel (`extism:host/env` memory model), native and `no_std`.
//!
//! A block allocator over one byte arena addressed by `u64` offsets (0 means "nothing"), block
//! lengths, and the input, output and error registers. Offsets, lengths and the bytes plugins can
//! read match upstream Extism's wasm kernel bit for bit; anything a plugin writes is validated,
//! so no input makes the kernel panic, loop or index out of range. It knows nothing of wasm
//! engines, C or the operating system.
//!
//! Files: `arena` (the storage trait), `layout` (upstream's offsets), `blocks` (the side index),
//! `kernel` (the value and its limits), `allocator` (alloc/free/length/reset), `access` (plugin
//! loads and stores), `registers` (input/output/error), `host` (runtime-side helpers), `image` (the state as plain values, to save and restore).
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

mod access;
mod allocator;
mod arena;
mod blocks;
mod host;
mod image;
mod kernel;
mod layout;
mod registers;

#[cfg(test)]
mod tests;

pub use arena::Arena;
pub use image::{BlockImage, ImageError, KernelImage};
pub use kernel::{Kernel, OutOfBounds};
pub use layout::{
    BLOCKS_START, FIRST_BLOCK, HEADER_SIZE, INITIAL_LENGTH, LOW_LIMIT, MAX_PAGES, PAGE_SIZE,
    ROOT_OFFSET, ROOT_SIZE, SPLIT_MIN_EXCESS, UPSTREAM_INITIAL_PAGES,
};
