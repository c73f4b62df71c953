//! The kernel value: its arena, committed size, limits and state; construction and accessors.

use crate::arena::Arena;
use crate::blocks::BlockIndex;
use crate::layout::*;

/// A plugin access that upstream's wasm kernel would trap on: one that starts exactly at the
/// committed end (for 8-byte accesses: whose last byte is the committed end).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutOfBounds;

impl core::fmt::Display for OutOfBounds {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("out of bounds memory access")
    }
}

/// The input, output and error registers (upstream's root record fields).
#[derive(Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Registers {
    pub input_offset: u64,
    pub input_length: u64,
    pub output_offset: u64,
    pub output_length: u64,
    pub error: u64,
}

/// The `extism:host/env` memory model over one arena.
pub struct Kernel<A: Arena> {
    pub(crate) arena: A,
    /// Bytes plugins can address: upstream's kernel `memory.size` in bytes.
    pub(crate) committed: u64,
    /// Most the committed size may reach: the arena's capacity, at most 4 GiB.
    pub(crate) capacity: u64,
    pub(crate) page_limit: Option<u32>,
    /// Upstream's `MemoryRoot.length`: the allocator's capacity figure (`memory_bytes`).
    pub(crate) length: u64,
    /// Upstream's `MemoryRoot.position`: bytes bumped so far, counted from `BLOCKS_START`.
    pub(crate) position: u64,
    pub(crate) blocks: BlockIndex,
    pub(crate) regs: Registers,
    pub(crate) grow_failed: bool,
}

impl<A: Arena> Kernel<A> {
    /// A kernel whose memory starts at 1 page (or the arena's capacity if smaller).
    pub fn new(arena: A) -> Self {
        Self::with_initial_pages(arena, 1)
    }

    /// A kernel whose memory starts at `pages` pages (at least 1; capped by the arena). The
    /// allocator figures start as upstream's whatever the count; only the range plugins can
    /// load/store (and where that traps) depends on it. Upstream's kernel starts at
    /// [`UPSTREAM_INITIAL_PAGES`].
    pub fn with_initial_pages(mut arena: A, pages: u32) -> Self {
        let max = u64::from(MAX_PAGES) * PAGE_SIZE;
        let capacity = u64::try_from(arena.capacity().max(arena.bytes().len())).unwrap_or(max).min(max);
        let mut committed = (u64::from(pages.max(1)) * PAGE_SIZE).min(capacity);
        if !reserve(&mut arena, committed) {
            committed = committed.min(u64::try_from(arena.bytes().len()).unwrap_or(max));
        }
        let mut k = Kernel {
            arena,
            committed,
            capacity,
            page_limit: None,
            length: INITIAL_LENGTH.min(committed.saturating_sub(ROOT_SIZE)),
            position: 0,
            blocks: BlockIndex::default(),
            regs: Registers::default(),
            grow_failed: false,
        };
        k.init_root();
        k
    }

    /// Makes the arena reserve at least `committed` bytes (see `reserve`).
    pub(crate) fn reserve(&mut self, committed: u64) -> bool {
        reserve(&mut self.arena, committed)
    }

    /// Writes the root record as upstream's first call does. The arena is zero at creation by
    /// contract; clearing the record anyway keeps a recycled arena from leaking old registers.
    fn init_root(&mut self) {
        let end = BLOCKS_START.min(self.committed);
        if let Some(root) = span(
            self.arena.bytes().len(),
            ROOT_OFFSET,
            end.saturating_sub(ROOT_OFFSET),
        )
        .and_then(|r| self.arena.bytes_mut().get_mut(r))
        {
            root.fill(0);
        }
        if ROOT_INITIALIZED < self.committed {
            write_u8(self.arena.bytes_mut(), ROOT_INITIALIZED, 1);
        }
        self.mirror(ROOT_LENGTH, self.length);
    }

    /// Writes `v` into a root record field, if the record lies in committed memory.
    pub(crate) fn mirror(&mut self, field: u64, v: u64) {
        if field.saturating_add(8) <= self.committed {
            write_u64(self.arena.bytes_mut(), field, v);
        }
    }

    pub fn arena(&self) -> &A {
        &self.arena
    }

    pub fn arena_mut(&mut self) -> &mut A {
        &mut self.arena
    }

    /// Base address of kernel memory: `base + handle` points at a block's bytes. It changes only
    /// when an `alloc` grows an arena that moves (`Arena::grow_to`).
    pub fn base_ptr(&mut self) -> *mut u8 {
        self.arena.bytes_mut().as_mut_ptr()
    }

    /// Committed size in 64 KiB pages (rounded up for an arena smaller than a page). Never shrinks.
    pub fn pages(&self) -> u32 {
        u32::try_from(self.committed.div_ceil(PAGE_SIZE)).unwrap_or(u32::MAX)
    }

    /// Committed size in bytes: plugin loads and stores reach up to here.
    pub fn committed_bytes(&self) -> u64 {
        self.committed
    }

    /// Growth stops at `max_pages` committed pages; `None` means only the arena bounds growth.
    pub fn set_page_limit(&mut self, max_pages: Option<u32>) {
        self.page_limit = max_pages;
    }

    pub fn page_limit(&self) -> Option<u32> {
        self.page_limit
    }

    /// Whether the last failed `alloc` failed because the page limit refused growth.
    pub fn grow_failed(&self) -> bool {
        self.grow_failed
    }

    /// Upstream's allocator capacity figure: 65472 right after start, plus 64 KiB per page grown.
    pub fn memory_bytes(&self) -> u64 {
        self.length
    }
}

/// Makes `arena` reserve at least `committed` bytes: nothing to do when it already does, else
/// `Arena::grow_to` (which may move it).
fn reserve<A: Arena>(arena: &mut A, committed: u64) -> bool {
    match usize::try_from(committed) {
        Ok(n) if n <= arena.bytes().len() => true,
        Ok(n) => arena.grow_to(n) && n <= arena.bytes().len(),
        Err(_) => false,
    }
}
