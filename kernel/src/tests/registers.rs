use super::kernel;
use crate::FIRST_BLOCK;

#[test]
fn input_registers_and_loads() {
    let mut k = kernel(2);
    assert!(k.set_input(b"0123456789"));
    assert_eq!((k.input_offset(), k.input_length()), (FIRST_BLOCK, 10));
    assert_eq!(k.input_load_u8(0), b'0');
    assert_eq!(k.input_load_u8(9), b'9');
    assert_eq!(k.input_load_u8(10), 0);
    assert_eq!(k.input_load_u8(u64::MAX), 0);
    assert_eq!(k.input_load_u64(2), u64::from_le_bytes(*b"23456789"));
    assert_eq!(k.input_load_u64(3), 0, "would pass the end");
    for i in [u64::MAX, u64::MAX - 7, u64::MAX - 8, 1 << 63] {
        assert_eq!(k.input_load_u64(i), 0);
    }
}

#[test]
fn empty_input_has_no_block() {
    let mut k = kernel(2);
    assert!(k.set_input(b""));
    assert_eq!((k.input_offset(), k.input_length()), (0, 0));
    assert_eq!(k.input_load_u8(0), 0);
    assert_eq!(k.alloc(1), FIRST_BLOCK);
}

#[test]
fn input_set_accepts_in_area_ranges_only() {
    let mut k = kernel(2);
    let p = k.alloc(100);
    k.input_set(p + 10, 20);
    assert_eq!(
        (k.input_offset(), k.input_length()),
        (p + 10, 20),
        "need not start a block"
    );
    let end = 65 + k.memory_bytes();
    for (off, len) in [
        (0, 0),
        (64, 1),
        (65, 0),
        (end, 1),
        (end - 1, 2),
        (70, u64::MAX),
        (u64::MAX, 1),
    ] {
        k.input_set(off, len);
        assert_eq!(
            (k.input_offset(), k.input_length()),
            (p + 10, 20),
            "({off}, {len}) ignored"
        );
    }
    // Upstream quirks: (66, 0) is accepted, and so is a range ending at the last area byte.
    k.input_set(66, 0);
    assert_eq!((k.input_offset(), k.input_length()), (66, 0));
    k.input_set(end - 1, 1);
    assert_eq!((k.input_offset(), k.input_length()), (end - 1, 1));
    k.input_set(65, 1);
    assert_eq!((k.input_offset(), k.input_length()), (65, 1));
}

#[test]
fn output_registers() {
    let mut k = kernel(2);
    assert_eq!(k.output(), b"");
    let p = k.alloc_bytes(b"hello world").unwrap();
    k.output_set(p + 6, 5);
    assert_eq!((k.output_offset(), k.output_length()), (p + 6, 5));
    assert_eq!(k.output(), b"world");
    k.output_set(0, 0); // refused upstream: output stays
    assert_eq!(k.output(), b"world");
    k.output_set(p, 0);
    assert_eq!(k.output(), b"");
    let end = 65 + k.memory_bytes();
    k.output_set(end - 3, 4);
    assert_eq!(k.output_offset(), p, "range past the area ignored");
}

#[test]
fn error_register() {
    let mut k = kernel(2);
    assert_eq!(k.error_get(), 0);
    assert_eq!(k.error_message(), None);
    let p = k.alloc_bytes(b"boom").unwrap();
    k.error_set(p);
    assert_eq!(k.error_get(), p);
    assert_eq!(k.error_message(), Some(&b"boom"[..]));
    // Upstream probe: 65 and 65536 accepted, 65537 (= length + 65) and anything <= 64 ignored.
    for ignored in [5, 64, 65537, 1 << 40, u64::MAX] {
        k.error_set(ignored);
        assert_eq!(k.error_get(), p);
    }
    k.error_set(65536);
    assert_eq!(k.error_get(), 65536);
    assert_eq!(k.error_message(), None, "not a block start");
    k.error_set(65);
    assert_eq!(k.error_get(), 65);
    k.error_set(0);
    assert_eq!(k.error_get(), 0);
    // A freed or empty block is no error message.
    k.error_set(p);
    k.free(p);
    assert_eq!(k.error_get(), p);
    assert_eq!(k.error_message(), None);
}

#[test]
fn host_helpers() {
    let mut k = kernel(2);
    assert_eq!(k.alloc_bytes(b""), Some(0));
    let p = k.alloc_bytes(b"abc").unwrap();
    assert_eq!(k.block(p), Some(&b"abc"[..]));
    k.block_mut(p).unwrap()[0] = b'x';
    assert_eq!(k.load_u8(p), Ok(b'x'));
    assert_eq!(k.block(p + 1), None);
    assert_eq!(k.bytes(p + 1, 2), Some(&b"bc"[..]));
    assert_eq!(k.bytes(65536, 0), Some(&b""[..]));
    assert_eq!(k.bytes(65536, 1), None);
    assert_eq!(k.bytes(u64::MAX, 2), None);
    let base = k.base_ptr();
    assert_eq!(base, crate::Arena::bytes_mut(k.arena_mut()).as_mut_ptr());
    assert_eq!(
        k.alloc_bytes(&alloc::vec![7; 200_000]),
        None,
        "arena is 2 pages"
    );
}
