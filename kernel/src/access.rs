//! Plugin loads and stores, range-checked exactly as upstream's kernel checks them.
//!
//! Upstream admits an access when its last byte lies in `[64, memory end]` and then performs it
//! on real wasm memory. So below 64 or past the end it reads 0 / writes nothing, but an access
//! whose last byte is exactly the end passes the check and traps: `Err(OutOfBounds)` here.

use crate::arena::Arena;
use crate::kernel::{Kernel, OutOfBounds};
use crate::layout::*;

/// What a range check decided for an access whose last byte is at `last`.
enum Check {
    Skip,
    Trap,
    Go,
}

impl<A: Arena> Kernel<A> {
    fn check(&self, last: Option<u64>) -> Check {
        match last {
            // `p + 7` wrapping past u64::MAX lands below 64 upstream: a plain 0.
            None => Check::Skip,
            Some(l) if l < LOW_LIMIT || l > self.committed => Check::Skip,
            Some(l) if l == self.committed => Check::Trap,
            Some(_) => Check::Go,
        }
    }

    pub fn load_u8(&self, off: u64) -> Result<u8, OutOfBounds> {
        match self.check(Some(off)) {
            Check::Skip => Ok(0),
            Check::Trap => Err(OutOfBounds),
            Check::Go => Ok(read_u8(self.arena.bytes(), off).unwrap_or(0)),
        }
    }

    /// Eight bytes little-endian, any alignment.
    pub fn load_u64(&self, off: u64) -> Result<u64, OutOfBounds> {
        match self.check(off.checked_add(7)) {
            Check::Skip => Ok(0),
            Check::Trap => Err(OutOfBounds),
            Check::Go => Ok(read_u64(self.arena.bytes(), off).unwrap_or(0)),
        }
    }

    pub fn store_u8(&mut self, off: u64, v: u8) -> Result<(), OutOfBounds> {
        match self.check(Some(off)) {
            Check::Skip => Ok(()),
            Check::Trap => Err(OutOfBounds),
            Check::Go => {
                write_u8(self.arena.bytes_mut(), off, v);
                self.after_store(off);
                Ok(())
            }
        }
    }

    pub fn store_u64(&mut self, off: u64, v: u64) -> Result<(), OutOfBounds> {
        match self.check(off.checked_add(7)) {
            Check::Skip => Ok(()),
            Check::Trap => Err(OutOfBounds),
            Check::Go => {
                write_u64(self.arena.bytes_mut(), off, v);
                self.after_store(off);
                Ok(())
            }
        }
    }

    /// The only root field a plugin can reach is the output length (bytes 57..=64, via
    /// `store_u64(57..=63)` or `store_u8(64)`); upstream would honour such a write, so do we.
    fn after_store(&mut self, off: u64) {
        if off < BLOCKS_START {
            self.regs.output_length = read_u64(self.arena.bytes(), ROOT_OUTPUT_LENGTH).unwrap_or(0);
        }
    }
}
