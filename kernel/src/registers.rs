//! The input, output and error registers, with upstream's acceptance rules.
//!
//! Setters accept a range only inside the allocator's area `[65, length + 65)`; any in-range
//! offset will do, it need not start a block. Rejected values are ignored silently.

use crate::arena::Arena;
use crate::kernel::Kernel;
use crate::layout::*;

impl<A: Arena> Kernel<A> {
    /// End (exclusive) of the allocator's area as upstream measures it.
    fn area_end(&self) -> u64 {
        self.length.saturating_add(BLOCKS_START)
    }

    /// Upstream's check of `[off, off + len - 1]`. With `len == 0` it checks `off - 1`, so
    /// `(65, 0)` is refused and `(66, 0)` accepted, as upstream. Overflowing ranges are refused.
    fn range_in_area(&self, off: u64, len: u64) -> bool {
        let end = self.area_end();
        if off < BLOCKS_START || off >= end {
            return false;
        }
        let last = match len {
            0 => off - 1,
            _ => match off.checked_add(len - 1) {
                Some(l) => l,
                None => return false,
            },
        };
        last >= BLOCKS_START && last < end
    }

    pub fn input_set(&mut self, off: u64, len: u64) {
        if self.range_in_area(off, len) {
            self.set_input_registers(off, len);
        }
    }

    pub(crate) fn set_input_registers(&mut self, off: u64, len: u64) {
        self.regs.input_offset = off;
        self.regs.input_length = len;
        self.mirror(ROOT_INPUT_OFFSET, off);
        self.mirror(ROOT_INPUT_LENGTH, len);
    }

    pub fn input_length(&self) -> u64 {
        self.regs.input_length
    }

    pub fn input_offset(&self) -> u64 {
        self.regs.input_offset
    }

    /// Byte `i` of the input; 0 at or after the input length.
    pub fn input_load_u8(&self, i: u64) -> u8 {
        if i >= self.regs.input_length {
            return 0;
        }
        self.input_addr(i, 1)
            .and_then(|at| read_u8(self.arena.bytes(), at))
            .unwrap_or(0)
    }

    /// Eight input bytes at `i`, little-endian; 0 if they would pass the input's end.
    pub fn input_load_u64(&self, i: u64) -> u64 {
        match i.checked_add(8) {
            Some(end) if end <= self.regs.input_length => self
                .input_addr(i, 8)
                .and_then(|at| read_u64(self.arena.bytes(), at))
                .unwrap_or(0),
            _ => 0,
        }
    }

    /// Address of input byte `i` if `width` bytes from there are committed memory.
    fn input_addr(&self, i: u64, width: u64) -> Option<u64> {
        let at = self.regs.input_offset.checked_add(i)?;
        (at.checked_add(width)? <= self.committed).then_some(at)
    }

    pub fn output_set(&mut self, off: u64, len: u64) {
        if self.range_in_area(off, len) {
            self.regs.output_offset = off;
            self.regs.output_length = len;
            self.mirror(ROOT_OUTPUT_OFFSET, off);
            self.mirror(ROOT_OUTPUT_LENGTH, len);
        }
    }

    pub fn output_offset(&self) -> u64 {
        self.regs.output_offset
    }

    pub fn output_length(&self) -> u64 {
        self.regs.output_length
    }

    /// Records an error message block; 0 clears. Offsets outside the allocator's area are
    /// ignored (e.g. 5 leaves the register unchanged).
    pub fn error_set(&mut self, off: u64) {
        if off == 0 || (off > LOW_LIMIT && off < self.area_end()) {
            self.regs.error = off;
            self.mirror(ROOT_ERROR, off);
        }
    }

    pub fn error_get(&self) -> u64 {
        self.regs.error
    }
}
