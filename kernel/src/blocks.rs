//! The side index of blocks: the allocator's source of truth.
//!
//! Upstream walks headers in memory, so a plugin scribbling over a header can send it anywhere.
//! Here the chain lives in a `Vec` ordered by address (which is also upstream's chain order), so
//! lookups are a binary search and nothing a plugin writes can break them.

use alloc::vec::Vec;

/// One block. Offsets and sizes fit `u32` because committed memory never exceeds 4 GiB.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Block {
    /// Offset of the first data byte (the handle); the header sits 12 bytes before it.
    pub data: u32,
    /// Capacity of the block.
    pub size: u32,
    /// Bytes in use, what `length` reports; never more than `size`.
    pub used: u32,
    pub free: bool,
}

#[derive(Default)]
pub(crate) struct BlockIndex {
    blocks: Vec<Block>,
    /// No free block sits below this index; first-fit starts here instead of at 0.
    first_free_hint: usize,
}

impl BlockIndex {
    pub fn is_empty(&self) -> bool {
        self.blocks.is_empty()
    }

    pub fn clear(&mut self) {
        self.blocks.clear();
        self.first_free_hint = 0;
    }

    /// Appends a freshly bumped (active) block; it has the highest address by construction.
    pub fn push(&mut self, block: Block) {
        if self.first_free_hint == self.blocks.len() {
            self.first_free_hint += 1;
        }
        self.blocks.push(block);
    }

    /// Index of the block whose data starts exactly at `data`, live or free.
    pub fn find(&self, data: u64) -> Option<usize> {
        let data = u32::try_from(data).ok()?;
        // Most lookups are for the newest block; check it before searching.
        match self.blocks.last() {
            Some(last) if last.data == data => Some(self.blocks.len() - 1),
            Some(last) if last.data < data => None,
            _ => self.blocks.binary_search_by_key(&data, |b| b.data).ok(),
        }
    }

    /// The live block starting at `data`.
    pub fn find_active(&self, data: u64) -> Option<&Block> {
        self.find(data)
            .and_then(|i| self.blocks.get(i))
            .filter(|b| !b.free)
    }

    pub fn get(&self, i: usize) -> Option<&Block> {
        self.blocks.get(i)
    }

    pub fn get_mut(&mut self, i: usize) -> Option<&mut Block> {
        self.blocks.get_mut(i)
    }

    pub fn mark_free(&mut self, i: usize) {
        if let Some(b) = self.blocks.get_mut(i) {
            b.free = true;
            self.first_free_hint = self.first_free_hint.min(i);
        }
    }

    /// First free block (in address order) with room for `n` bytes, as upstream's first fit.
    pub fn first_fit(&mut self, n: u32) -> Option<usize> {
        let start = self.first_free_hint.min(self.blocks.len());
        let mut first_free = None;
        for (i, b) in self.blocks.iter().enumerate().skip(start) {
            if !b.free {
                continue;
            }
            first_free.get_or_insert(i);
            if b.size >= n {
                // Everything below `first_free` is active; the caller may activate `i` itself,
                // which keeps `first_free` a valid lower bound either way.
                self.first_free_hint = first_free.unwrap_or(i);
                return Some(i);
            }
        }
        self.first_free_hint = first_free.unwrap_or(self.blocks.len());
        None
    }

    /// Inserts the tail carved off block `i` right after it (keeps address order).
    pub fn insert_after(&mut self, i: usize, block: Block) {
        let at = (i + 1).min(self.blocks.len());
        self.blocks.insert(at, block);
    }

    /// Every block, in address order.
    pub fn all(&self) -> &[Block] {
        &self.blocks
    }

    #[cfg(test)]
    pub fn iter(&self) -> impl Iterator<Item = &Block> {
        self.blocks.iter()
    }
}
