//! An arena that reserves little and grows (moving) as the kernel needs more: what the `std`
//! build's mapped arena does. The kernel behaves exactly as over a whole reservation.

use super::kernel;
use crate::{Arena, Kernel, PAGE_SIZE};
use alloc::vec;
use alloc::vec::Vec;

/// Reserves `buf.len()` bytes, grows up to `cap` into a new buffer (so the base moves), and can be
/// told to refuse growth.
struct MovingArena {
    buf: Vec<u8>,
    cap: usize,
    grows: usize,
    refuse: bool,
}

impl Arena for MovingArena {
    fn bytes(&self) -> &[u8] {
        &self.buf
    }
    fn bytes_mut(&mut self) -> &mut [u8] {
        &mut self.buf
    }
    fn capacity(&self) -> usize {
        self.cap
    }
    fn grow_to(&mut self, len: usize) -> bool {
        if self.refuse || len > self.cap {
            return false;
        }
        let mut bigger = vec![0u8; len];
        bigger[..self.buf.len()].copy_from_slice(&self.buf);
        self.buf = bigger;
        self.grows += 1;
        true
    }
}

fn moving(reserved_pages: u64, cap_pages: u64) -> Kernel<MovingArena> {
    Kernel::new(MovingArena {
        buf: vec![0; (reserved_pages * PAGE_SIZE) as usize],
        cap: (cap_pages * PAGE_SIZE) as usize,
        grows: 0,
        refuse: false,
    })
}

/// The same allocations give the same handles, lengths and bytes as over a whole reservation,
/// and the arena only grows when committed memory passes what it reserved.
#[test]
fn growth_keeps_handles_and_bytes() {
    let mut whole = kernel(8);
    let mut grown = moving(1, 8);
    let mut handles = Vec::new();
    for (i, n) in [100u64, 70_000, 5, 130_000, 1].into_iter().enumerate() {
        let (a, b) = (whole.alloc(n), grown.alloc(n));
        assert_eq!(a, b, "allocation {i}");
        assert!(b != 0);
        for k in 0..n {
            assert!(grown.store_u8(b + k, (i as u8).wrapping_add(k as u8)).is_ok());
        }
        handles.push((b, n, i as u8));
    }
    assert_eq!(whole.pages(), grown.pages());
    assert_eq!(whole.memory_bytes(), grown.memory_bytes());
    assert!(grown.arena().grows >= 1);
    assert!(grown.arena().bytes().len() as u64 >= grown.committed_bytes());
    for (h, n, i) in handles {
        assert_eq!(grown.length(h), n);
        for k in [0, n / 2, n - 1] {
            assert_eq!(grown.load_u8(h + k), Ok(i.wrapping_add(k as u8)), "block {h} byte {k}");
        }
    }
}

/// Growth stops at the arena's capacity, and a refused `grow_to` fails the allocation cleanly
/// (0, not the page limit's `grow_failed`), leaving the kernel usable.
#[test]
fn growth_bounded_by_capacity_and_refusal() {
    let mut k = moving(1, 3);
    assert_eq!(k.alloc(3 * PAGE_SIZE), 0);
    assert!(!k.grow_failed());
    let a = k.alloc(PAGE_SIZE);
    assert!(a != 0);
    assert_eq!(k.pages(), 2);
    k.arena_mut().refuse = true;
    assert_eq!(k.alloc(PAGE_SIZE), 0);
    assert!(!k.grow_failed());
    assert_eq!(k.pages(), 2);
    assert_eq!(k.length(a), PAGE_SIZE);
    k.arena_mut().refuse = false;
    assert!(k.alloc(PAGE_SIZE) != 0);
    assert_eq!(k.pages(), 3);
}

/// A kernel asked for more initial pages than are reserved grows the arena at once; if it cannot,
/// it starts with what is reserved.
#[test]
fn initial_pages_past_the_reservation() {
    let k = Kernel::with_initial_pages(
        MovingArena { buf: vec![0; PAGE_SIZE as usize], cap: 16 * PAGE_SIZE as usize, grows: 0, refuse: false },
        16,
    );
    assert_eq!(k.pages(), 16);
    let k = Kernel::with_initial_pages(
        MovingArena { buf: vec![0; PAGE_SIZE as usize], cap: 16 * PAGE_SIZE as usize, grows: 0, refuse: true },
        16,
    );
    assert_eq!(k.pages(), 1);
}
