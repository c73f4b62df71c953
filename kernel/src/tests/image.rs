use super::{check_blocks, kernel};
use crate::{ImageError, FIRST_BLOCK};

/// A kernel in use (input, blocks, a freed one, output and error registers, plugin stores)
/// comes back from its image and bytes exactly: same figures, same answers, same next alloc.
#[test]
fn image_and_bytes_bring_a_kernel_back() {
    let mut k = kernel(8);
    assert!(k.set_input(b"input"));
    let a = k.alloc_bytes(&[0xab; 100_000]).unwrap();
    let b = k.alloc_bytes(b"second").unwrap();
    k.free(a);
    k.output_set(b, 6);
    k.error_set(b);
    k.store_u8(b + 2, b'X').unwrap();
    let image = k.image();

    let mut back = kernel(8);
    back.restore_image(&image).unwrap();
    back.committed_memory_mut().copy_from_slice(k.committed_memory());
    check_blocks(&back);
    assert_eq!(back.image(), image);
    assert_eq!(back.output(), b"seXond");
    assert_eq!((back.input_offset(), back.input_length()), (FIRST_BLOCK, 5));
    assert_eq!(back.length(a), 0, "the freed block stays free");
    assert_eq!(back.alloc(10), k.alloc(10), "the allocator carries on where it was");
}

/// An image whose figures or blocks contradict each other is refused and changes nothing.
#[test]
fn inconsistent_images_are_refused_and_change_nothing() {
    let mut k = kernel(2);
    assert!(k.set_input(b"abc"));
    let good = k.image();
    let mut target = kernel(2);
    let before = target.image();
    let breakers: [fn(&mut crate::KernelImage); 6] = [
        |i| i.position += 1,
        |i| i.blocks[0].data += 1,
        |i| i.blocks[0].used = i.blocks[0].size + 1,
        |i| i.length = i.committed + 1,
        |i| i.blocks.clear(),
        |i| i.committed = u64::MAX,
    ];
    for (n, breaks) in breakers.iter().enumerate() {
        let mut bad = good.clone();
        breaks(&mut bad);
        assert!(target.restore_image(&bad).is_err(), "breaker {n}");
        assert_eq!(target.image(), before, "breaker {n} changed the kernel");
    }
    // Allocations reaching past what the arena can hold.
    let mut big = kernel(4);
    assert_ne!(big.alloc(3 * crate::PAGE_SIZE), 0);
    assert_eq!(target.restore_image(&big.image()), Err(ImageError::TooLarge));
    assert_eq!(target.image(), before);
}

/// A kernel saved over a larger arena (a host's page) restores into a smaller one (a board's
/// 8 KiB) when what it allocated fits: committed memory and the length figure are the small
/// arena's, the blocks and registers the saved ones.
#[test]
fn a_kernel_that_fits_restores_into_a_smaller_arena() {
    let mut host = kernel(1);
    assert!(host.set_input(b"input"));
    let out = host.alloc_bytes(b"{\"total\":3}").unwrap();
    host.output_set(out, 11);
    let mut board = crate::Kernel::new(alloc::vec![0u8; 8192]);
    let fresh_length = board.memory_bytes();
    board.restore_image(&host.image()).unwrap();
    let n = board.committed_memory().len();
    assert_eq!(n, 8192);
    board.committed_memory_mut().copy_from_slice(&host.committed_memory()[..n]);
    board.restored();
    assert_eq!(board.memory_bytes(), fresh_length);
    assert_eq!(board.output(), b"{\"total\":3}");
    check_blocks(&board);
}
