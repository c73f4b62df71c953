//! The kernel's whole state as plain values, for saving an idle plugin and bringing it back
//! (`Kernel::image`, `Kernel::restore_image`). The arena's bytes travel separately
//! (`committed_memory`): the image holds only the allocator's own bookkeeping.

use alloc::vec::Vec;

use crate::arena::Arena;
use crate::blocks::{Block, BlockIndex};
use crate::kernel::{Kernel, Registers};
use crate::layout::*;

/// One block of the allocator's side index.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockImage {
    /// Offset of the block's first data byte (its handle).
    pub data: u32,
    pub size: u32,
    pub used: u32,
    pub free: bool,
}

/// Everything of a kernel but its arena's bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelImage {
    /// Committed bytes (what plugins can address).
    pub committed: u64,
    /// Upstream's allocator length figure.
    pub length: u64,
    /// Bytes bumped since `BLOCKS_START`.
    pub position: u64,
    /// Input offset, input length, output offset, output length, error.
    pub registers: [u64; 5],
    pub grow_failed: bool,
    /// In address order.
    pub blocks: Vec<BlockImage>,
}

impl KernelImage {
    /// The image of a kernel with nothing committed (a placeholder until a real one is read).
    pub fn default_empty() -> KernelImage {
        KernelImage { committed: 0, length: 0, position: 0, registers: [0; 5], grow_failed: false, blocks: Vec::new() }
    }
}

/// Why an image cannot be restored (it breaks an invariant the allocator relies on).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageError {
    /// The committed size is beyond what the arena can reserve (or beyond 4 GiB).
    TooLarge,
    /// The figures or blocks contradict each other.
    Inconsistent,
}

impl core::fmt::Display for ImageError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            ImageError::TooLarge => "kernel memory larger than this plugin's kernel arena",
            ImageError::Inconsistent => "inconsistent kernel memory bookkeeping",
        })
    }
}

impl<A: Arena> Kernel<A> {
    /// The allocator's state as plain values.
    pub fn image(&self) -> KernelImage {
        let r = self.regs;
        KernelImage {
            committed: self.committed,
            length: self.length,
            position: self.position,
            registers: [r.input_offset, r.input_length, r.output_offset, r.output_length, r.error],
            grow_failed: self.grow_failed,
            blocks: self
                .blocks
                .all()
                .iter()
                .map(|b| BlockImage { data: b.data, size: b.size, used: b.used, free: b.free })
                .collect(),
        }
    }

    /// The bytes plugins can address (the committed prefix of the arena).
    pub fn committed_memory(&self) -> &[u8] {
        let bytes = self.arena.bytes();
        &bytes[..usize::try_from(self.committed).unwrap_or(usize::MAX).min(bytes.len())]
    }

    /// Writable view of `committed_memory`.
    pub fn committed_memory_mut(&mut self) -> &mut [u8] {
        let committed = usize::try_from(self.committed).unwrap_or(usize::MAX);
        let bytes = self.arena.bytes_mut();
        let end = committed.min(bytes.len());
        &mut bytes[..end]
    }

    /// Takes over `image` (checked first: on error nothing changed), on a kernel fresh from `new`:
    /// its committed bytes are then all zero (a new arena is zero by contract, and the root record
    /// `new` wrote is cleared here); the caller writes the saved bytes that are not zero
    /// (`committed_memory_mut`) and then calls `restored`.
    ///
    /// A kernel saved with more committed memory than this arena holds (a host's 64 KiB page
    /// restored on a board with an 8 KiB arena) is taken in at this arena's size when everything
    /// it allocated fits there, with the allocator's length figure cut to match (what a kernel
    /// over this arena starts with); its bytes past the arena must then be zero (the caller checks).
    pub fn restore_image(&mut self, image: &KernelImage) -> Result<(), ImageError> {
        check(image)?;
        let mut committed = image.committed;
        let mut length = image.length;
        if committed > self.capacity {
            let fits = BLOCKS_START + image.position + ROOT_SIZE <= self.capacity;
            if !fits {
                return Err(ImageError::TooLarge);
            }
            committed = self.capacity;
            length = length.min(committed.saturating_sub(ROOT_SIZE));
        }
        if !self.reserve(committed) {
            return Err(ImageError::TooLarge);
        }
        let root_end = usize::try_from(BLOCKS_START).unwrap_or(usize::MAX).min(self.arena.bytes().len());
        self.arena.zero(0..root_end);
        let [input_offset, input_length, output_offset, output_length, error] = image.registers;
        self.committed = committed;
        self.length = length;
        self.position = image.position;
        self.regs = Registers { input_offset, input_length, output_offset, output_length, error };
        self.grow_failed = image.grow_failed;
        let mut blocks = BlockIndex::default();
        for b in &image.blocks {
            blocks.push(Block { data: b.data, size: b.size, used: b.used, free: b.free });
            if b.free {
                let last = blocks.all().len() - 1;
                blocks.mark_free(last);
            }
        }
        self.blocks = blocks;
        Ok(())
    }

    /// After the bytes of a restored image are in: the root record's length field says this
    /// kernel's figure (it differs from the saved bytes when `restore_image` cut it).
    pub fn restored(&mut self) {
        self.mirror(ROOT_LENGTH, self.length);
    }
}

/// The invariants the allocator keeps: the figures within committed memory (with upstream's
/// 64-byte slack once anything is bumped), blocks tiling the bumped area in address order, each
/// block's used bytes within its size.
fn check(image: &KernelImage) -> Result<(), ImageError> {
    let max = u64::from(MAX_PAGES) * PAGE_SIZE;
    if image.committed > max {
        return Err(ImageError::TooLarge);
    }
    let bumped_end = BLOCKS_START + image.position;
    let figures_fit = image.length <= image.committed
        && (image.position == 0
            || (image.position + ROOT_SIZE <= image.length && image.length + ROOT_SIZE <= image.committed));
    if !figures_fit {
        return Err(ImageError::Inconsistent);
    }
    let mut next_header = BLOCKS_START;
    for b in &image.blocks {
        let tiles = u64::from(b.data).checked_sub(HEADER_SIZE) == Some(next_header);
        if !tiles || b.used > b.size {
            return Err(ImageError::Inconsistent);
        }
        next_header = u64::from(b.data) + u64::from(b.size);
    }
    match next_header == bumped_end {
        true => Ok(()),
        false => Err(ImageError::Inconsistent),
    }
}
