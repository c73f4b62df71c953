//! Conformance checklist items 101-115 (spec section 11), as far as they are kernel-only.

use super::{check_blocks, kernel, XorShift};
use crate::FIRST_BLOCK;
use alloc::vec::Vec;

#[test]
fn item_101_alloc_zero() {
    assert_eq!(kernel(2).alloc(0), 0);
}

#[test]
fn items_102_103_reuse_and_shrink() {
    let mut k = kernel(4);
    let p = k.alloc(65535);
    assert_ne!(p, 0);
    k.free(p);
    assert_eq!(k.alloc(65535), p);
    k.free(p);
    assert_eq!(k.alloc(65511), p);
    assert_eq!(k.length(p), 65511);
}

#[test]
fn items_104_105_reset() {
    let mut k = kernel(4);
    let first = k.alloc(10);
    let other = k.alloc(20);
    k.reset();
    assert_eq!(k.length(first), 0);
    assert_eq!(k.length(other), 0);
    assert_eq!(k.alloc(30), first);
    k.reset();
    assert_eq!(k.alloc(1), first);
    assert_eq!(first, FIRST_BLOCK);
}

#[test]
fn items_106_107_load_store() {
    let mut k = kernel(2);
    let p = k.alloc(16);
    k.store_u64(p, 999).unwrap();
    assert_eq!(k.load_u64(p), Ok(999));
    assert_eq!(k.block(p).unwrap()[..8], 999u64.to_le_bytes());
    for i in 0..8u8 {
        k.store_u8(p + 8 + u64::from(i), i).unwrap();
    }
    assert_eq!(k.load_u64(p + 8), Ok(0x0706050403020100));
}

#[test]
fn items_108_109_far_offsets() {
    let mut k = kernel(2);
    assert_eq!(k.load_u64(0xffffffffffff), Ok(0));
    assert_eq!(k.store_u8(0xffffffffffff, 0), Ok(()));
}

#[test]
fn item_110_large_input() {
    let mut k = kernel(4);
    let input: Vec<u8> = (0..123456u32).map(|i| (i * 7 + i / 256) as u8).collect();
    assert!(k.set_input(&input));
    assert_eq!(k.input_length(), 123456);
    for (i, &b) in input.iter().enumerate() {
        assert_eq!(k.input_load_u8(i as u64), b);
    }
    assert_eq!(
        k.input_load_u64(123456 - 8),
        u64::from_le_bytes(input[123448..].try_into().unwrap())
    );
    assert_eq!(k.input_load_u64(123457), 0);
    assert_eq!(k.input_load_u64(123449), 0);
}

#[test]
fn items_111_112_error_register() {
    let mut k = kernel(2);
    let p = k.alloc(4);
    k.error_set(p);
    assert_eq!(k.error_get(), p);
    k.error_set(5);
    assert_eq!(k.error_get(), p);
}

#[test]
fn item_113_random_sizes_report_their_length() {
    let mut k = kernel(64);
    let mut rng = XorShift(0x113);
    let mut live: Vec<(u64, u64)> = Vec::new();
    for _ in 0..3000 {
        if !live.is_empty() && rng.next().is_multiple_of(3) {
            let (off, _) = live.swap_remove((rng.next() % live.len() as u64) as usize);
            k.free(off);
        } else {
            let n = rng.range(1, 65535);
            let off = k.alloc(n);
            if off != 0 {
                assert_eq!(k.length(off), n);
                live.push((off, n));
            }
        }
    }
    for &(off, n) in &live {
        assert_eq!(k.length(off), n);
    }
    check_blocks(&k);
}

#[test]
fn item_114_freeing_the_input() {
    let mut k = kernel(2);
    assert!(k.set_input(b"some input"));
    let other = k.alloc(3);
    k.free(other);
    assert_eq!(k.input_length(), 10, "only the input block counts");
    k.free(k.input_offset());
    assert_eq!(k.input_length(), 0);
    assert_eq!(k.input_load_u8(0), 0);
}

#[test]
fn item_115_plugin_reset() {
    let mut k = kernel(2);
    assert!(k.set_input(b"in"));
    let p = k.alloc_bytes(b"out").unwrap();
    k.output_set(p, 3);
    k.reset();
    assert_eq!(k.input_length(), 0);
    assert_eq!(k.output(), b"");
}
