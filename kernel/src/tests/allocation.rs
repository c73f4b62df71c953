use super::{check_blocks, kernel};
use crate::Arena;
use crate::{Kernel, FIRST_BLOCK, HEADER_SIZE, INITIAL_LENGTH, PAGE_SIZE};
use alloc::vec;

#[test]
fn first_blocks_bump_in_order() {
    let mut k = kernel(4);
    assert_eq!(k.memory_bytes(), 65472);
    assert_eq!(k.pages(), 1);
    let a = k.alloc(5);
    let b = k.alloc(100);
    let c = k.alloc(1);
    assert_eq!((a, b, c), (77, 94, 206));
    assert_eq!((k.length(a), k.length(b), k.length(c)), (5, 100, 1));
    check_blocks(&k);
}

#[test]
fn freed_blocks_wait_until_fresh_space_runs_out() {
    // Upstream probe: input "hello" at 77, alloc(100)=94, alloc(100)=206, free(94), alloc(10)=318.
    let mut k = kernel(4);
    assert!(k.set_input(b"hello"));
    let a = k.alloc(100);
    let b = k.alloc(100);
    k.free(a);
    let c = k.alloc(10);
    assert_eq!((k.input_offset(), a, b, c), (77, 94, 206, 318));
}

#[test]
fn reuse_first_fit_when_full() {
    let mut k = kernel(1); // cannot grow: reuse is the only way
    let a = k.alloc(1000);
    let b = k.alloc(2000);
    let rest = INITIAL_LENGTH - 64 - (1000 + 12) - (2000 + 12) - 12 - 1;
    let c = k.alloc(rest);
    assert_ne!(c, 0);
    assert_eq!(k.alloc(1), 0, "full, nothing free");
    k.free(b);
    k.free(a);
    // First fit in address order: `a` (1000) is too small, `b` (2000) fits with an excess of 100,
    // under the 128 that would split it.
    assert_eq!(k.alloc(1900), b);
    assert_eq!(k.length(b), 1900);
    assert_eq!(k.alloc(10), a + 1000 - 10, "split: tail of `a`");
    assert_eq!(k.length(a), 0, "front of a split block stays free");
    check_blocks(&k);
}

#[test]
fn split_carves_the_tail() {
    let mut k = kernel(1);
    let a = k.alloc(1077);
    let _fill = k.alloc(INITIAL_LENGTH - 64 - (1077 + 12) - 12 - 1);
    k.free(a);
    // excess 1073 >= 128: front keeps 1073 - 12 bytes, request sits at the tail.
    let t = k.alloc(4);
    assert_eq!(t, a + 1073);
    assert_eq!(k.length(t), 4);
    // The front block's header now says free, size 1061, used 0.
    let h = a - HEADER_SIZE;
    assert_eq!(k.load_u8(h), Ok(2));
    assert_eq!(k.load_u64(h + 4), Ok(1061));
    // A second small request splits the front again, from its tail.
    let t2 = k.alloc(4);
    assert_eq!(t2, a + 1061 - 4);
    // Excess below 128: the whole block is reused.
    let front_size = 1061 - 4 - 12;
    assert!(front_size - 1000 < 128);
    assert_eq!(k.alloc(1000), a);
    assert_eq!(k.length(a), 1000);
    check_blocks(&k);
}

#[test]
fn growth_by_whole_pages() {
    let mut k = kernel(8);
    let a = k.alloc(65535);
    assert_eq!(a, FIRST_BLOCK);
    assert_eq!(k.pages(), 2);
    assert_eq!(k.memory_bytes(), INITIAL_LENGTH + PAGE_SIZE);
    let b = k.alloc(3 * PAGE_SIZE);
    assert_eq!(b, a + 65535 + HEADER_SIZE);
    assert_eq!(k.pages(), 5);
    assert_eq!(k.length(b), 3 * PAGE_SIZE);
    check_blocks(&k);
}

#[test]
fn growth_stops_at_arena_capacity() {
    let mut k = kernel(2);
    assert_ne!(k.alloc(100_000), 0);
    assert_eq!(k.pages(), 2);
    assert_eq!(k.alloc(100_000), 0);
    assert!(!k.grow_failed(), "capacity, not the page limit");
    assert_eq!(k.pages(), 2);
}

#[test]
fn page_limit_refuses_growth() {
    let mut k = kernel(16);
    k.set_page_limit(Some(2));
    assert_ne!(k.alloc(100_000), 0);
    assert_eq!(k.pages(), 2);
    assert_eq!(k.alloc(100_000), 0);
    assert!(k.grow_failed());
    assert_eq!(k.pages(), 2);
    // Cleared by the next allocation, and by reset.
    assert_ne!(k.alloc(10), 0);
    assert!(!k.grow_failed());
    assert_eq!(k.alloc(1 << 40), 0);
    assert!(k.grow_failed());
    k.reset();
    assert!(!k.grow_failed());
    k.set_page_limit(None);
    assert_ne!(k.alloc(300_000), 0);
    assert_eq!(k.pages(), 5);
}

#[test]
fn limit_at_current_size_allows_no_growth() {
    let mut k = kernel(4);
    k.set_page_limit(Some(1));
    assert_ne!(k.alloc(60_000), 0);
    assert_eq!(k.alloc(60_000), 0);
    assert!(k.grow_failed());
    assert!(!k.set_input(&vec![1; 70_000]));
    assert!(k.grow_failed());
}

#[test]
fn zero_and_huge_sizes() {
    let mut k = kernel(4);
    for n in [
        0,
        1 << 32,
        (1 << 32) - 1,
        1 << 48,
        1 << 63,
        u64::MAX,
        u64::MAX - 11,
        u64::MAX - 12,
    ] {
        assert_eq!(k.alloc(n), 0, "alloc({n})");
        assert_eq!(k.length(n), 0);
        assert_eq!(k.length_unsafe(n), 0);
        k.free(n);
    }
    assert!(!k.grow_failed());
    assert_eq!(k.pages(), 1, "failed requests commit nothing");
    k.set_page_limit(Some(100));
    assert_eq!(k.alloc(u64::MAX), 0);
    assert!(k.grow_failed());
    assert_eq!(k.alloc(4), FIRST_BLOCK, "state untouched by failures");
}

#[test]
fn lengths_validate_block_starts() {
    let mut k = kernel(4);
    let a = k.alloc(50);
    let b = k.alloc(60);
    assert_eq!(k.length(a), 50);
    assert_eq!(k.length(b), 60);
    for off in [
        0,
        1,
        64,
        65,
        a - 1,
        a + 1,
        a + 50,
        b + 1,
        b + 60,
        1 << 40,
        u64::MAX,
    ] {
        assert_eq!(k.length(off), 0, "length({off})");
    }
    // length_unsafe agrees on block starts, and reads headers as upstream elsewhere.
    assert_eq!(k.length_unsafe(a), 50);
    assert_eq!(k.length_unsafe(b), 60);
    assert_eq!(k.length_unsafe(0), 0);
    assert_eq!(k.length_unsafe(63), 0);
    k.free(a);
    assert_eq!(k.length(a), 0);
    assert_eq!(k.length_unsafe(a), 0);
    k.free(a); // double free is ignored
    assert_eq!(k.length(b), 60);
}

#[test]
fn headers_and_root_are_mirrored_like_upstream() {
    // Upstream probe with input "hello": load_u64(65) = 21474836481 (status 1, size 5),
    // load_u64(73) = used 5 followed by the first data bytes "hell".
    let mut k = kernel(4);
    assert!(k.set_input(b"hello"));
    assert_eq!(k.load_u64(65), Ok(21474836481));
    assert_eq!(k.load_u64(73), Ok(7812730950931972101));
    assert_eq!(k.load_u8(65), Ok(1));
    let bytes = k.arena().bytes();
    assert_eq!(bytes[1], 1, "initialized flag");
    assert_eq!(
        u64::from_le_bytes(bytes[9..17].try_into().unwrap()),
        17,
        "position"
    );
    assert_eq!(
        u64::from_le_bytes(bytes[17..25].try_into().unwrap()),
        65472,
        "length"
    );
    assert_eq!(
        u64::from_le_bytes(bytes[33..41].try_into().unwrap()),
        77,
        "input offset"
    );
    assert_eq!(
        u64::from_le_bytes(bytes[41..49].try_into().unwrap()),
        5,
        "input length"
    );
}

#[test]
fn blanket_arena_impls() {
    let mut k = Kernel::new(vec![0u8; 70_000].into_boxed_slice());
    assert_eq!(k.alloc(3), FIRST_BLOCK);
    assert_eq!(k.arena().len(), 70_000);
    let mut k = Kernel::new([0u8; 4096]);
    assert_eq!(k.memory_bytes(), 4096 - 64);
    assert_eq!(k.pages(), 1);
    assert_eq!(k.alloc(3), FIRST_BLOCK);
    assert_eq!(k.alloc(4000), 0, "an arena smaller than a page cannot grow");
}

#[test]
fn tiny_arenas_never_panic() {
    for size in [0usize, 1, 8, 64, 65, 77, 78, 128, 129, 200] {
        let mut k = Kernel::new(vec![0u8; size]);
        let a = k.alloc(1);
        assert!(a == 0 || a == FIRST_BLOCK);
        let _ = k.set_input(b"x");
        k.output_set(a, 1);
        let _ = k.output();
        k.error_set(a);
        let _ = k.error_message();
        for off in 0..300 {
            let _ = k.load_u8(off);
            let _ = k.load_u64(off);
            let _ = k.store_u8(off, 0xff);
            let _ = k.store_u64(off, u64::MAX);
            let _ = k.length_unsafe(off);
        }
        k.reset();
        let _ = k.base_ptr();
    }
}

#[test]
fn upstream_initial_pages() {
    let mut k = Kernel::with_initial_pages(
        vec![0u8; 32 * PAGE_SIZE as usize],
        crate::UPSTREAM_INITIAL_PAGES,
    );
    assert_eq!(k.pages(), 16);
    assert_eq!(k.memory_bytes(), 65472);
    // Upstream probe: a store at 70000 sticks; 1 MiB is the trap point; u64 traps at end - 7.
    k.store_u8(70_000, 5).unwrap();
    assert_eq!(k.load_u8(70_000), Ok(5));
    assert_eq!(k.load_u8(1_048_575), Ok(0));
    assert!(k.load_u8(1_048_576).is_err());
    assert!(k.load_u64(1_048_569).is_err());
    assert_eq!(k.load_u64(1_048_570), Ok(0));
    // Growth adds pages on top of the 16, exactly as the length figure grows.
    assert_ne!(k.alloc(65535), 0);
    assert_eq!(k.pages(), 17);
    assert_eq!(k.memory_bytes(), 65472 + 65536);
}
