//! Plugin ids: version-4 UUIDs. Random where the build has randomness; otherwise a counter mixed
//! with the clock, which keeps ids distinct (they are names, not secrets).

use core::sync::atomic::{AtomicU32, Ordering};

use crate::hooks;

static COUNTER: AtomicU32 = AtomicU32::new(1);

pub fn new_uuid_v4() -> [u8; 16] {
    let mut bytes = [0u8; 16];
    if !hooks::fill_random(&mut bytes) {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let t = hooks::now_ns().unwrap_or(0);
        let mut x = (u64::from(n) << 32) ^ t ^ 0x9E37_79B9_7F4A_7C15;
        for chunk in bytes.chunks_mut(8) {
            // splitmix64 step: spreads the counter over all bits.
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes()[..chunk.len()]);
        }
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    bytes
}
