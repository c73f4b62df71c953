//! Plugins may write anything anywhere: the kernel must never panic, loop or misindex.

use super::{check_blocks, kernel, XorShift};
use alloc::vec::Vec;

fn exercise_everything(k: &mut crate::Kernel<super::TestArena>, rng: &mut XorShift) {
    let end = k.committed_bytes();
    let mut offs: Vec<u64> = (0..200).map(|_| rng.next() % (end + 200)).collect();
    offs.extend([
        0,
        1,
        63,
        64,
        65,
        76,
        77,
        end - 8,
        end - 7,
        end - 1,
        end,
        end + 1,
        u64::MAX,
        1 << 63,
    ]);
    for &off in &offs {
        let _ = k.length(off);
        let _ = k.length_unsafe(off);
        let _ = k.load_u8(off);
        let _ = k.load_u64(off);
        let _ = k.block(off);
        let _ = k.bytes(off, rng.next() % 100);
        let _ = k.input_load_u8(off);
        let _ = k.input_load_u64(off);
        k.output_set(off, rng.next() % 1000);
        k.input_set(off, rng.next() % 1000);
        k.error_set(off);
        let _ = k.output();
        let _ = k.error_message();
        let a = k.alloc(rng.range(1, 5000));
        if a != 0 {
            assert!(k.block(a).is_some());
        }
        k.free(off);
        k.free(a);
    }
    let _ = (
        k.input_length(),
        k.input_offset(),
        k.output_offset(),
        k.output_length(),
        k.error_get(),
    );
    let _ = (k.memory_bytes(), k.pages());
    check_blocks(k);
}

#[test]
fn random_garbage_over_the_whole_arena() {
    let mut rng = XorShift(0x09a5_ba9e);
    let mut k = kernel(8);
    // Some real state first, so garbage lands on headers, registers and data.
    assert!(k.set_input(&[1; 3000]));
    for n in [10, 200, 3000, 70_000, 5] {
        let p = k.alloc(n);
        if n % 2 == 0 {
            k.free(p);
        }
    }
    for round in 0..4 {
        let end = k.committed_bytes();
        for off in 0..end {
            k.store_u8(off, rng.next() as u8).unwrap();
        }
        for _ in 0..2000 {
            let _ = k.store_u64(rng.next() % end, rng.next());
        }
        exercise_everything(&mut k, &mut rng);
        if round == 2 {
            k.reset();
        }
    }
}

#[test]
fn host_garbage_over_the_root_record() {
    // A host can write anywhere through the base pointer; the kernel's own state stays sound.
    let mut rng = XorShift(77);
    let mut k = kernel(4);
    assert!(k.set_input(b"input"));
    for b in crate::Arena::bytes_mut(k.arena_mut()).iter_mut() {
        *b = rng.next() as u8;
    }
    exercise_everything(&mut k, &mut rng);
    k.reset();
    assert_eq!(k.alloc(1), crate::FIRST_BLOCK);
}
