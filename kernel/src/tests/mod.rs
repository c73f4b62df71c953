//! Unit tests. Each file covers one concern; `golden` replays sequences recorded from upstream.

mod allocation;
mod bounds;
mod checklist;
mod garbage;
mod growing;
mod image;
mod golden;
#[rustfmt::skip]
mod golden_data;
mod random;
mod registers;
mod reset;

use crate::{Arena, Kernel, PAGE_SIZE};
use alloc::vec;
use alloc::vec::Vec;

/// An arena implemented directly (not through the blanket `AsRef`/`AsMut` impl).
pub struct TestArena {
    buf: Vec<u8>,
}

impl Arena for TestArena {
    fn bytes(&self) -> &[u8] {
        &self.buf
    }
    fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }
}

/// A kernel over `pages` pages of reserved capacity.
pub fn kernel(pages: u64) -> Kernel<TestArena> {
    Kernel::new(TestArena {
        buf: vec![0; (pages * PAGE_SIZE) as usize],
    })
}

/// A simple xorshift64 generator: deterministic, no dependencies.
pub struct XorShift(pub u64);

impl XorShift {
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }

    /// Uniform-ish in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo + 1)
    }
}

/// Every live block reports its length, lies in the bumped area, and none overlap.
pub fn check_blocks<A: Arena>(k: &Kernel<A>) {
    let mut prev_end = crate::BLOCKS_START;
    for b in k.blocks.iter() {
        let header = u64::from(b.data) - crate::HEADER_SIZE;
        assert_eq!(header, prev_end, "blocks tile the bumped area");
        assert!(b.used <= b.size);
        prev_end = u64::from(b.data) + u64::from(b.size);
        let expect = if b.free { 0 } else { u64::from(b.used) };
        assert_eq!(k.length(u64::from(b.data)), expect);
    }
    assert_eq!(prev_end, crate::BLOCKS_START + k.position);
    assert!(k.position + crate::ROOT_SIZE <= k.length);
    assert!(k.length + crate::ROOT_SIZE <= k.committed);
}
