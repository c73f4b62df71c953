//! Randomized allocation/free sequences checked against a simple model.

use super::{check_blocks, kernel, XorShift};
use alloc::vec::Vec;

#[test]
fn random_sequences_keep_blocks_sound() {
    for seed in [1u64, 2, 3, 0xdead_beef, 0x1234_5678_9abc] {
        let mut k = kernel(256);
        let mut rng = XorShift(seed);
        // (offset, requested length, fill byte)
        let mut live: Vec<(u64, u64, u8)> = Vec::new();
        for step in 0..4000 {
            match rng.next() % 10 {
                0..=3 if !live.is_empty() => {
                    let (off, n, fill) =
                        live.swap_remove((rng.next() % live.len() as u64) as usize);
                    assert!(
                        k.block(off).unwrap().iter().all(|&b| b == fill),
                        "block {off} intact"
                    );
                    assert_eq!(k.length(off), n);
                    k.free(off);
                    assert_eq!(k.length(off), 0);
                }
                9 if step % 500 == 9 => {
                    k.reset();
                    live.clear();
                }
                _ => {
                    let n = if rng.next().is_multiple_of(4) {
                        rng.range(1, 65535)
                    } else {
                        rng.range(1, 400)
                    };
                    let off = k.alloc(n);
                    if off == 0 {
                        continue;
                    }
                    assert_eq!(k.length(off), n);
                    let fill = (rng.next() & 0xff) as u8;
                    k.block_mut(off).unwrap().fill(fill);
                    live.push((off, n, fill));
                }
            }
        }
        // No two live blocks overlap, and each still holds what was written to it.
        live.sort_unstable();
        for pair in live.windows(2) {
            assert!(
                pair[0].0 + pair[0].1 + crate::HEADER_SIZE <= pair[1].0,
                "overlap"
            );
        }
        for &(off, n, fill) in &live {
            assert_eq!(k.length(off), n);
            assert!(k.block(off).unwrap().iter().all(|&b| b == fill));
        }
        check_blocks(&k);
    }
}
