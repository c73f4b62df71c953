//! Replays allocation sequences recorded from upstream and compares every handle and length.

use super::golden_data::*;
use super::{check_blocks, kernel};
use alloc::vec::Vec;

fn replay(ops: &[(u8, u64)], handles: &[u64], lengths: &[u64], memory_bytes: u64) {
    let mut k = kernel(64);
    let mut got = Vec::new();
    for &(op, v) in ops {
        match op {
            0 => got.push(k.alloc(v)),
            _ => k.free(got[v as usize]),
        }
    }
    assert_eq!(got, handles);
    let got_lengths: Vec<u64> = got.iter().map(|&h| k.length(h)).collect();
    assert_eq!(got_lengths, lengths);
    assert_eq!(k.memory_bytes(), memory_bytes);
    check_blocks(&k);
}

#[test]
fn upstream_sequence_seed_7() {
    replay(OPS_7, HANDLES_7, LENGTHS_7, MEMORY_BYTES_7);
}

#[test]
fn upstream_sequence_seed_11() {
    replay(OPS_11, HANDLES_11, LENGTHS_11, MEMORY_BYTES_11);
}
