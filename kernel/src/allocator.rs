//! Allocation, release, lengths and the wipe: upstream's block allocator, step for step.
//!
//! Policy (upstream's, so handles match bit for bit): bump fresh space while the allocator's
//! length figure leaves room; otherwise reuse the first free block that is big enough (splitting
//! off the tail when the excess is at least 128 bytes); otherwise grow by whole pages and bump.

use crate::arena::Arena;
use crate::blocks::Block;
use crate::kernel::{Kernel, Registers};
use crate::layout::*;

impl<A: Arena> Kernel<A> {
    /// A new block of `n` bytes; 0 when `n` is 0 or there is no room.
    pub fn alloc(&mut self, n: u64) -> u64 {
        self.grow_failed = false;
        if n == 0 {
            return 0;
        }
        let need = n.saturating_add(HEADER_SIZE);
        // Upstream keeps 64 bytes of slack between the bump end and its length figure.
        let left = self
            .length
            .saturating_sub(self.position)
            .saturating_sub(ROOT_SIZE);
        if need >= left {
            // Only look for a free block when the bumped area could hold one this big.
            if need <= self.position {
                if let Some(off) = self.reuse(n) {
                    return off;
                }
            }
            if !self.grow(need - left) {
                return 0;
            }
        }
        self.bump(n)
    }

    /// Releases the live block starting at `off`; anything else is ignored.
    pub fn free(&mut self, off: u64) {
        let Some(i) = self.blocks.find(off) else {
            return;
        };
        if self.blocks.get(i).is_none_or(|b| b.free) {
            return;
        }
        self.blocks.mark_free(i);
        self.write_status(off, STATUS_FREE);
        // The input's bytes are gone, so the input is now empty.
        if off == self.regs.input_offset {
            self.regs.input_length = 0;
            self.mirror(ROOT_INPUT_LENGTH, 0);
        }
    }

    /// Used length of the live block starting at `off`, else 0.
    pub fn length(&self, off: u64) -> u64 {
        self.blocks
            .find_active(off)
            .map_or(0, |b| u64::from(b.used))
    }

    /// Upstream's unvalidated length: the header bytes in front of `off`, read as they are. Right
    /// for real block starts; for other offsets whatever those bytes say (but never a panic).
    pub fn length_unsafe(&self, off: u64) -> u64 {
        if off < LOW_LIMIT || off > self.committed {
            return 0;
        }
        let header = off - HEADER_SIZE;
        let bytes = self.arena.bytes();
        if read_u8(bytes, header) != Some(STATUS_ACTIVE) {
            return 0;
        }
        read_u32(bytes, header + HEADER_USED_AT).map_or(0, u64::from)
    }

    /// Wipes kernel memory: zeroes every bumped byte, drops all blocks and registers. The
    /// committed size and length figure stay (memory never shrinks).
    pub fn reset(&mut self) {
        // Nothing allocated or registered since the last reset (a call without input that made no
        // output): the registers and position are zero and so are the root fields mirroring them
        // (a plugin's store into the root updates the output length register it covers).
        let pristine =
            self.position == 0 && self.blocks.is_empty() && self.regs == Registers::default() && !self.grow_failed;
        let used = self
            .position
            .min(self.committed.saturating_sub(BLOCKS_START));
        let len = self.arena.bytes().len();
        if let Some(area) = span(len, BLOCKS_START, used) {
            self.arena.zero(area);
        }
        if pristine {
            return;
        }
        self.position = 0;
        self.blocks.clear();
        self.regs = Default::default();
        self.grow_failed = false;
        for field in [
            ROOT_POSITION,
            ROOT_ERROR,
            ROOT_INPUT_OFFSET,
            ROOT_INPUT_LENGTH,
            ROOT_OUTPUT_OFFSET,
            ROOT_OUTPUT_LENGTH,
        ] {
            self.mirror(field, 0);
        }
    }

    /// Commits enough whole pages to cover `shortfall` more bytes. The page limit is asked first
    /// (as wasmtime asks the store's limiter first); a refusal there sets `grow_failed`.
    fn grow(&mut self, shortfall: u64) -> bool {
        let npages = shortfall.div_ceil(PAGE_SIZE);
        if let Some(limit) = self.page_limit {
            if u64::from(self.pages()).saturating_add(npages) > u64::from(limit) {
                self.grow_failed = true;
                return false;
            }
        }
        let Some(added) = npages.checked_mul(PAGE_SIZE) else {
            return false;
        };
        match self.committed.checked_add(added) {
            Some(c) if c <= self.capacity && self.reserve(c) => {
                self.committed = c;
                self.length += added;
                self.mirror(ROOT_LENGTH, self.length);
                true
            }
            _ => false,
        }
    }

    /// Hands out fresh space at the bump position; the caller made sure it fits.
    fn bump(&mut self, n: u64) -> u64 {
        let header = BLOCKS_START + self.position;
        let data = header + HEADER_SIZE;
        let (Ok(data32), Ok(n32)) = (u32::try_from(data), u32::try_from(n)) else {
            return 0;
        };
        if data.saturating_add(n) > self.committed {
            return 0; // unreachable while `position + 64 <= length <= committed - 64` holds
        }
        self.position += n + HEADER_SIZE;
        self.mirror(ROOT_POSITION, self.position);
        self.write_header(header, STATUS_ACTIVE, Some(n32), n32);
        self.blocks.push(Block {
            data: data32,
            size: n32,
            used: n32,
            free: false,
        });
        data
    }

    /// Reuses the first free block with room for `n`, carving the request off its tail when the
    /// excess is big enough (upstream keeps the front part free).
    fn reuse(&mut self, n: u64) -> Option<u64> {
        let n32 = u32::try_from(n).ok()?;
        let i = self.blocks.first_fit(n32)?;
        let b = *self.blocks.get(i)?;
        let excess = b.size - n32; // first_fit guarantees size >= n
        let header = u64::from(b.data) - HEADER_SIZE;
        if excess >= SPLIT_MIN_EXCESS {
            let front = excess - HEADER_SIZE as u32;
            if let Some(front_block) = self.blocks.get_mut(i) {
                front_block.size = front;
                front_block.used = 0;
            }
            self.write_header(header, STATUS_FREE, Some(front), 0);
            let tail = b.data + excess;
            self.write_header(u64::from(tail) - HEADER_SIZE, STATUS_ACTIVE, Some(n32), n32);
            self.blocks.insert_after(
                i,
                Block {
                    data: tail,
                    size: n32,
                    used: n32,
                    free: false,
                },
            );
            return Some(u64::from(tail));
        }
        if let Some(whole) = self.blocks.get_mut(i) {
            whole.free = false;
            whole.used = n32;
        }
        self.write_header(header, STATUS_ACTIVE, None, n32);
        Some(u64::from(b.data))
    }

    /// Mirrors a header as upstream writes it (the padding bytes are left alone, as there).
    fn write_header(&mut self, header: u64, status: u8, size: Option<u32>, used: u32) {
        let bytes = self.arena.bytes_mut();
        write_u8(bytes, header, status);
        if let Some(size) = size {
            write_u32(bytes, header + HEADER_SIZE_AT, size);
        }
        write_u32(bytes, header + HEADER_USED_AT, used);
    }

    fn write_status(&mut self, data: u64, status: u8) {
        if let Some(header) = data.checked_sub(HEADER_SIZE) {
            write_u8(self.arena.bytes_mut(), header, status);
        }
    }
}
