use super::kernel;
use crate::Arena;
use crate::OutOfBounds;

#[test]
fn below_64_reads_zero_and_ignores_writes() {
    let mut k = kernel(2);
    for off in 0..64 {
        assert_eq!(k.load_u8(off), Ok(0));
        assert_eq!(k.store_u8(off, 0xaa), Ok(()));
    }
    // A u64 counts by its last byte: below 57 it is skipped entirely.
    for off in 0..57 {
        assert_eq!(k.load_u64(off), Ok(0));
        assert_eq!(k.store_u64(off, u64::MAX), Ok(()));
    }
    let fresh = kernel(2);
    assert_eq!(
        &k.arena().bytes()[..64],
        &fresh.arena().bytes()[..64],
        "root record untouched"
    );
}

#[test]
fn the_committed_end_traps_past_it_reads_zero() {
    let mut k = kernel(2);
    let end = k.committed_bytes();
    assert_eq!(end, 65536);
    assert_eq!(k.load_u8(end - 1), Ok(0));
    assert_eq!(k.store_u8(end - 1, 9), Ok(()));
    assert_eq!(k.load_u8(end - 1), Ok(9));
    assert_eq!(k.load_u8(end), Err(OutOfBounds));
    assert_eq!(k.store_u8(end, 1), Err(OutOfBounds));
    assert_eq!(k.load_u8(end + 1), Ok(0));
    assert_eq!(k.store_u8(end + 1, 1), Ok(()));
    // u64: the access whose last byte is `end` traps (upstream checks `p + 7 <= end`).
    assert_eq!(k.load_u64(end - 8), Ok(9 << 56));
    assert_eq!(k.load_u64(end - 7), Err(OutOfBounds));
    assert_eq!(k.store_u64(end - 7, 1), Err(OutOfBounds));
    for off in end - 6..end + 3 {
        assert_eq!(k.load_u64(off), Ok(0), "straddling {off}");
        assert_eq!(k.store_u64(off, u64::MAX), Ok(()));
    }
    assert_eq!(k.load_u8(end - 1), Ok(9), "straddling stores wrote nothing");
}

#[test]
fn the_end_moves_with_growth() {
    let mut k = kernel(4);
    assert!(k.load_u8(65536).is_err());
    assert_ne!(k.alloc(100_000), 0);
    assert_eq!(k.load_u8(65536), Ok(0));
    assert!(k.load_u8(131_072).is_err());
}

#[test]
fn huge_offsets() {
    let mut k = kernel(2);
    for off in [
        1 << 32,
        0xffff_ffff_ffff,
        1 << 63,
        u64::MAX - 8,
        u64::MAX - 7,
        u64::MAX - 6,
        u64::MAX,
    ] {
        assert_eq!(k.load_u8(off), Ok(0));
        assert_eq!(k.load_u64(off), Ok(0));
        assert_eq!(k.store_u8(off, 1), Ok(()));
        assert_eq!(k.store_u64(off, 1), Ok(()));
        assert_eq!(k.length_unsafe(off), 0);
        assert_eq!(k.bytes(off, 1), None);
    }
}

#[test]
fn any_alignment_little_endian() {
    let mut k = kernel(2);
    let p = k.alloc(64);
    for shift in 0..8 {
        k.store_u64(p + shift, 0x1122_3344_5566_7788).unwrap();
        assert_eq!(k.load_u64(p + shift), Ok(0x1122_3344_5566_7788));
        assert_eq!(k.load_u8(p + shift), Ok(0x88));
        assert_eq!(k.load_u8(p + shift + 7), Ok(0x11));
    }
}

#[test]
fn plugins_reach_the_output_length_as_upstream() {
    // Bytes 57..=64 are the root's output length; upstream's checks admit them.
    let mut k = kernel(2);
    let p = k.alloc(10);
    k.output_set(p, 10);
    assert_eq!(k.load_u64(57), Ok(10));
    k.store_u64(57, 4).unwrap();
    assert_eq!(k.output_length(), 4);
    assert_eq!(k.output().len(), 4);
    k.store_u8(64, 1).unwrap();
    assert_eq!(k.output_length(), 4 | 1 << 56);
    assert_eq!(k.output(), &[] as &[u8], "out of range: empty, no panic");
}
