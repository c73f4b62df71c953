//! What the runtime needs beyond the plugin imports: slices of blocks, copying data in, and the
//! call's input, output and error as bytes.

use crate::arena::Arena;
use crate::kernel::Kernel;
use crate::layout::*;

impl<A: Arena> Kernel<A> {
    /// Used bytes of the live block starting at `off`.
    pub fn block(&self, off: u64) -> Option<&[u8]> {
        let b = self.blocks.find_active(off)?;
        self.bytes(off, u64::from(b.used))
    }

    /// Used bytes of the live block starting at `off`, writable.
    pub fn block_mut(&mut self, off: u64) -> Option<&mut [u8]> {
        let used = u64::from(self.blocks.find_active(off)?.used);
        self.bytes_mut(off, used)
    }

    /// Any range of committed memory (output registers need not start a block).
    pub fn bytes(&self, off: u64, len: u64) -> Option<&[u8]> {
        let r = self.committed_span(off, len)?;
        self.arena.bytes().get(r)
    }

    /// Any range of committed memory, writable.
    pub fn bytes_mut(&mut self, off: u64, len: u64) -> Option<&mut [u8]> {
        let r = self.committed_span(off, len)?;
        self.arena.bytes_mut().get_mut(r)
    }

    fn committed_span(&self, off: u64, len: u64) -> Option<core::ops::Range<usize>> {
        if off.checked_add(len)? > self.committed {
            return None;
        }
        span(self.arena.bytes().len(), off, len)
    }

    /// A new block holding a copy of `data`; `Some(0)` for empty data, `None` if no room.
    pub fn alloc_bytes(&mut self, data: &[u8]) -> Option<u64> {
        if data.is_empty() {
            return Some(0);
        }
        let len = u64::try_from(data.len()).ok()?;
        let off = self.alloc(len);
        if off == 0 {
            return None;
        }
        self.bytes_mut(off, len)?.copy_from_slice(data);
        Some(off)
    }

    /// Copies `data` into a fresh block and publishes it as the input (no block for empty
    /// input). `false` if there is no room; check `grow_failed` for the page limit.
    pub fn set_input(&mut self, data: &[u8]) -> bool {
        match self.alloc_bytes(data) {
            Some(off) => {
                self.set_input_registers(off, data.len() as u64);
                true
            }
            None => false,
        }
    }

    /// Bytes of the output registers if they lie in committed memory, else empty.
    pub fn output(&self) -> &[u8] {
        self.bytes(self.regs.output_offset, self.regs.output_length)
            .unwrap_or(&[])
    }

    /// The recorded error: only if the error register starts a non-empty live block.
    pub fn error_message(&self) -> Option<&[u8]> {
        match self.regs.error {
            0 => None,
            off => self.block(off).filter(|b| !b.is_empty()),
        }
    }
}
