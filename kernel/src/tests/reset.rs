use super::{check_blocks, kernel};
use crate::Kernel;
use alloc::vec;
use alloc::vec::Vec;
use crate::Arena;
use crate::FIRST_BLOCK;

#[test]
fn reset_wipes_blocks_registers_and_bytes() {
    let mut k = kernel(8);
    assert!(k.set_input(b"input"));
    let a = k.alloc_bytes(&[0xab; 100_000]).unwrap();
    k.output_set(a, 10);
    k.error_set(a);
    let pages = k.pages();
    let bytes = k.memory_bytes();
    k.reset();
    assert_eq!(k.length(a), 0);
    assert_eq!(k.length(FIRST_BLOCK), 0);
    assert_eq!(k.length_unsafe(a), 0, "headers zeroed");
    assert_eq!((k.input_offset(), k.input_length()), (0, 0));
    assert_eq!(
        (k.output_offset(), k.output_length(), k.output()),
        (0, 0, &b""[..])
    );
    assert_eq!(k.error_get(), 0);
    assert!(
        k.arena().bytes()[65..].iter().all(|&b| b == 0),
        "every used byte zeroed"
    );
    assert_eq!(
        (k.pages(), k.memory_bytes()),
        (pages, bytes),
        "never shrinks"
    );
    // The first allocation after a reset lands where the first one after the previous did.
    assert_eq!(k.alloc(5), FIRST_BLOCK);
    k.reset();
    assert_eq!(k.alloc(500_000), FIRST_BLOCK);
    check_blocks(&k);
}

#[test]
fn reset_keeps_bytes_stored_past_the_bumped_area() {
    // Upstream zeroes only the bumped area.
    let mut k = kernel(2);
    k.alloc(10);
    k.store_u8(60_000, 3).unwrap();
    k.reset();
    assert_eq!(k.load_u8(60_000), Ok(3));
}

/// An arena that records what the kernel asks it to zero (and zeroes it).
struct ZeroLog {
    buf: Vec<u8>,
    zeroed: Vec<core::ops::Range<usize>>,
}

impl Arena for ZeroLog {
    fn bytes(&self) -> &[u8] {
        &self.buf
    }
    fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }
    fn zero(&mut self, range: core::ops::Range<usize>) {
        self.buf[range.clone()].fill(0);
        self.zeroed.push(range);
    }
}

/// The wipe goes through `Arena::zero` with exactly the bumped area (so an arena over lazily
/// committed pages can give them back instead of writing zeros over them), and nothing else.
#[test]
fn reset_zeroes_through_the_arena() {
    let mut k = Kernel::new(ZeroLog {
        buf: vec![0; 8 * crate::PAGE_SIZE as usize],
        zeroed: Vec::new(),
    });
    let a = k.alloc_bytes(&[0xcd; 200_000]).unwrap();
    let end = (a + 200_000) as usize;
    k.reset();
    assert_eq!(k.arena().zeroed, [65..end]);
    assert!(k.arena().bytes()[65..].iter().all(|&b| b == 0));
    // A wipe with nothing bumped asks for an empty range.
    k.reset();
    assert_eq!(k.arena().zeroed.len(), 2);
    assert!(k.arena().zeroed[1].is_empty());
}

/// A reset with nothing to wipe (no block, no register set since the last one) skips rewriting the
/// root: memory stays exactly as a full reset leaves it.
#[test]
fn reset_of_an_untouched_kernel_leaves_it_as_a_full_reset_does() {
    let mut k = kernel(1);
    assert!(k.set_input(b"in"));
    k.reset();
    let wiped = k.arena().bytes().to_vec();
    k.reset();
    assert_eq!(k.arena().bytes(), &wiped[..]);
    assert_eq!((k.input_length(), k.output_length(), k.error_get()), (0, 0, 0));
}

/// A plugin's store into the root's output length field sets that register, so the next reset is
/// a full one and zeroes the field.
#[test]
fn reset_after_a_store_into_the_root_zeroes_it() {
    let mut k = kernel(1);
    k.reset();
    k.store_u64(57, 7).unwrap();
    assert_eq!(k.output_length(), 7);
    k.reset();
    assert_eq!(k.output_length(), 0);
    assert_eq!(k.load_u64(57).unwrap(), 0);
}
