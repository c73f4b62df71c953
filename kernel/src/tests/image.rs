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
    // Larger than the arena can hold.
    let mut big = kernel(1).image();
    big.committed = 3 * crate::PAGE_SIZE;
    big.length = big.committed - crate::ROOT_SIZE;
    assert_eq!(target.restore_image(&big), Err(ImageError::TooLarge));
}
