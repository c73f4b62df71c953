//! The kernel (`extism-kernel`) driven by arbitrary operation sequences: what plugins can do
//! (alloc, free, length, length_unsafe, load/store u8/u64, registers, reset) with arbitrary offsets,
//! and what the runtime does (host writes into blocks, copying data in, setting the input), over
//! arenas of any size (also not a whole number of pages) with or without a page limit.
//!
//! A model tracks every live block (offset, length, the bytes it should hold). Checked after every
//! operation: no panic (overflow checks are on); `length` of a live block is what was asked and 0
//! for anything else; live blocks (headers included) never overlap and lie in committed memory;
//! no kernel operation changes the bytes of a live block (only plugin or host writes do); loads
//! and stores follow upstream's range rule (below 64 or past the end: 0 / nothing; at the end:
//! a trap); committed memory never shrinks, never passes the arena or the page limit.
#![no_main]

use arbitrary::Arbitrary;
use extism_kernel::{Kernel, FIRST_BLOCK, HEADER_SIZE, LOW_LIMIT, PAGE_SIZE};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Off {
    /// Relative to a live block's start (index taken modulo the live count).
    Live(u8, i16),
    /// Relative to the committed end.
    End(i16),
    Small(u16),
    Raw(u64),
}

#[derive(Arbitrary, Debug, Clone, Copy)]
enum Size {
    Small(u8),
    Mid(u16),
    Big(u32),
    Raw(u64),
}

#[derive(Arbitrary, Debug)]
enum Op {
    Alloc(Size),
    Free(Off),
    Length(Off),
    LengthUnsafe(Off),
    LoadU8(Off),
    LoadU64(Off),
    StoreU8(Off, u8),
    StoreU64(Off, u64),
    Reset,
    InputSet(Off, Size),
    OutputSet(Off, Size),
    ErrorSet(Off),
    InputLoadU8(u64),
    InputLoadU64(u64),
    /// Runtime side: write through `block_mut`.
    HostFill(u8, u8),
    /// Runtime side: `alloc_bytes` / `set_input` with `n` bytes of `v`.
    AllocBytes(u16, u8),
    SetInput(u16, u8),
    Bytes(Off, Size),
}

#[derive(Arbitrary, Debug)]
struct Case {
    /// Arena: `pages` whole pages (0..=16) plus `extra` bytes.
    pages: u8,
    extra: u16,
    initial_pages: u8,
    page_limit: Option<u8>,
    ops: Vec<Op>,
}

struct Live {
    off: u64,
    len: u64,
    /// What the block's bytes must be.
    shadow: Vec<u8>,
    /// No plugin store touched its header (so `length_unsafe` must agree with `length`).
    header_clean: bool,
}

struct Model {
    live: Vec<Live>,
}

impl Model {
    fn resolve(&self, k: &Kernel<Vec<u8>>, o: Off) -> u64 {
        match o {
            Off::Live(i, d) if !self.live.is_empty() => {
                let b = &self.live[i as usize % self.live.len()];
                b.off.wrapping_add_signed(i64::from(d))
            }
            Off::Live(_, d) | Off::End(d) => k.committed_bytes().wrapping_add_signed(i64::from(d)),
            Off::Small(s) => u64::from(s),
            Off::Raw(r) => r,
        }
    }

    fn live_index(&self, off: u64) -> Option<usize> {
        self.live.iter().position(|b| b.off == off)
    }

    /// A plugin or host wrote `bytes` at `at`: blocks covering those bytes now hold them.
    fn wrote(&mut self, at: u64, bytes: &[u8]) {
        for (i, &v) in bytes.iter().enumerate() {
            let a = at + i as u64;
            for b in &mut self.live {
                if a >= b.off && a < b.off + b.len {
                    b.shadow[(a - b.off) as usize] = v;
                }
                if a >= b.off - HEADER_SIZE && a < b.off {
                    b.header_clean = false;
                }
            }
        }
    }

    /// The byte the model knows at `a`, if `a` is inside a live block.
    fn known(&self, a: u64) -> Option<u8> {
        self.live
            .iter()
            .find(|b| a >= b.off && a < b.off + b.len)
            .map(|b| b.shadow[(a - b.off) as usize])
    }

    fn add(&mut self, k: &Kernel<Vec<u8>>, off: u64, len: u64) {
        assert!(off >= FIRST_BLOCK, "block {off} below the first block");
        assert_eq!(k.length(off), len);
        assert!(self.live_index(off).is_none(), "block {off} handed out twice");
        let shadow = k.block(off).expect("a new block is readable").to_vec();
        assert_eq!(shadow.len() as u64, len);
        self.live.push(Live { off, len, shadow, header_clean: true });
    }
}

fn size(s: Size) -> u64 {
    match s {
        Size::Small(n) => u64::from(n),
        Size::Mid(n) => u64::from(n),
        Size::Big(n) => u64::from(n),
        Size::Raw(n) => n,
    }
}

/// Upstream's rule for an access whose last byte is `last`.
fn expect_access(k: &Kernel<Vec<u8>>, last: Option<u64>) -> Option<bool> {
    match last {
        None => None,
        Some(l) if l < LOW_LIMIT || l > k.committed_bytes() => None,
        Some(l) if l == k.committed_bytes() => Some(false),
        Some(_) => Some(true),
    }
}

fn check(k: &Kernel<Vec<u8>>, m: &Model, arena_len: u64, limit: Option<u8>, full: bool) {
    let committed = k.committed_bytes();
    assert!(committed <= arena_len);
    let mut sorted: Vec<&Live> = m.live.iter().collect();
    sorted.sort_by_key(|b| b.off);
    for pair in sorted.windows(2) {
        assert!(
            pair[0].off + pair[0].len + HEADER_SIZE <= pair[1].off,
            "live blocks overlap: {}+{} and {}",
            pair[0].off,
            pair[0].len,
            pair[1].off
        );
    }
    for b in &m.live {
        assert_eq!(k.length(b.off), b.len, "length of live block {}", b.off);
        assert!(b.off + b.len <= committed, "block {} past the committed end", b.off);
        let bytes = k.block(b.off).expect("live block readable");
        if full || b.len <= 32 {
            assert_eq!(bytes, &b.shadow[..], "bytes of block {} changed", b.off);
        } else {
            let n = b.len as usize;
            assert_eq!(bytes[..16], b.shadow[..16], "head of block {} changed", b.off);
            assert_eq!(bytes[n - 16..], b.shadow[n - 16..], "tail of block {} changed", b.off);
        }
        if b.header_clean {
            assert_eq!(k.length_unsafe(b.off), b.len);
        }
    }
    let out = k.output();
    assert!(out.len() as u64 <= committed);
    if let Some(e) = k.error_message() {
        assert!(!e.is_empty());
    }
    let _ = limit;
}

fuzz_target!(|case: Case| {
    let arena_len = u64::from(case.pages % 17) * PAGE_SIZE + u64::from(case.extra);
    let mut k = Kernel::with_initial_pages(vec![0u8; arena_len as usize], u32::from(case.initial_pages % 8));
    let limit = case.page_limit.map(|l| l % 80);
    k.set_page_limit(limit.map(u32::from));
    let mut m = Model { live: Vec::new() };
    let mut committed = k.committed_bytes();
    let mut memory_bytes = k.memory_bytes();

    for op in case.ops.iter().take(2000) {
        match *op {
            Op::Alloc(s) => {
                let n = size(s);
                let off = k.alloc(n);
                if n == 0 {
                    assert_eq!(off, 0);
                }
                if off != 0 {
                    m.add(&k, off, n);
                }
            }
            Op::Free(o) => {
                let off = m.resolve(&k, o);
                let was_input = k.input_offset() == off && k.length(off) != 0;
                k.free(off);
                if let Some(i) = m.live_index(off) {
                    m.live.swap_remove(i);
                    assert_eq!(k.length(off), 0);
                    if was_input {
                        assert_eq!(k.input_length(), 0, "freeing the input empties it");
                    }
                }
            }
            Op::Length(o) => {
                let off = m.resolve(&k, o);
                let want = m.live_index(off).map_or(0, |i| m.live[i].len);
                assert_eq!(k.length(off), want);
            }
            Op::LengthUnsafe(o) => {
                let _ = k.length_unsafe(m.resolve(&k, o));
            }
            Op::LoadU8(o) => {
                let off = m.resolve(&k, o);
                let got = k.load_u8(off);
                match expect_access(&k, Some(off)) {
                    None => assert_eq!(got, Ok(0)),
                    Some(false) => assert!(got.is_err()),
                    Some(true) => {
                        if let Some(v) = m.known(off) {
                            assert_eq!(got, Ok(v));
                        }
                    }
                }
            }
            Op::LoadU64(o) => {
                let off = m.resolve(&k, o);
                let got = k.load_u64(off);
                match expect_access(&k, off.checked_add(7)) {
                    None => assert_eq!(got, Ok(0)),
                    Some(false) => assert!(got.is_err()),
                    Some(true) => {
                        let v = got.expect("in range");
                        for (i, byte) in v.to_le_bytes().iter().enumerate() {
                            if let Some(want) = m.known(off + i as u64) {
                                assert_eq!(*byte, want);
                            }
                        }
                    }
                }
            }
            Op::StoreU8(o, v) => {
                let off = m.resolve(&k, o);
                let r = k.store_u8(off, v);
                match expect_access(&k, Some(off)) {
                    None => assert_eq!(r, Ok(())),
                    Some(false) => assert!(r.is_err()),
                    Some(true) => {
                        assert_eq!(r, Ok(()));
                        m.wrote(off, &[v]);
                        assert_eq!(k.load_u8(off), Ok(v));
                    }
                }
            }
            Op::StoreU64(o, v) => {
                let off = m.resolve(&k, o);
                let r = k.store_u64(off, v);
                match expect_access(&k, off.checked_add(7)) {
                    None => assert_eq!(r, Ok(())),
                    Some(false) => assert!(r.is_err()),
                    Some(true) => {
                        assert_eq!(r, Ok(()));
                        m.wrote(off, &v.to_le_bytes());
                        assert_eq!(k.load_u64(off), Ok(v));
                    }
                }
            }
            Op::Reset => {
                k.reset();
                for b in m.live.drain(..) {
                    assert_eq!(k.length(b.off), 0);
                }
                assert_eq!(k.input_length(), 0);
                assert_eq!(k.output_length(), 0);
                assert_eq!(k.error_get(), 0);
            }
            Op::InputSet(o, s) => {
                k.input_set(m.resolve(&k, o), size(s));
                let n = k.input_length();
                let _ = (k.input_load_u8(n.wrapping_sub(1)), k.input_load_u64(n.wrapping_sub(8)));
            }
            Op::OutputSet(o, s) => {
                let (off, len) = (m.resolve(&k, o), size(s));
                k.output_set(off, len);
                if k.output_offset() == off && k.output_length() == len && len > 0 {
                    // An accepted range lies in the allocator's area.
                    assert!(off >= 65 && off.checked_add(len).is_some());
                }
            }
            Op::ErrorSet(o) => k.error_set(m.resolve(&k, o)),
            Op::InputLoadU8(i) => {
                let v = k.input_load_u8(i);
                if i >= k.input_length() {
                    assert_eq!(v, 0);
                }
            }
            Op::InputLoadU64(i) => {
                let v = k.input_load_u64(i);
                if i.checked_add(8).is_none_or(|e| e > k.input_length()) {
                    assert_eq!(v, 0);
                }
            }
            Op::HostFill(i, v) => {
                if !m.live.is_empty() {
                    let b = i as usize % m.live.len();
                    let off = m.live[b].off;
                    let bytes = k.block_mut(off).expect("live block writable");
                    bytes.fill(v);
                    // Blocks never overlap (checked), so only this block's bytes changed.
                    m.live[b].shadow.fill(v);
                }
            }
            Op::AllocBytes(n, v) => {
                let data = vec![v; usize::from(n)];
                match k.alloc_bytes(&data) {
                    Some(0) => assert!(data.is_empty()),
                    Some(off) => {
                        m.add(&k, off, u64::from(n));
                        assert_eq!(k.block(off), Some(&data[..]));
                    }
                    None => {}
                }
            }
            Op::SetInput(n, v) => {
                let data = vec![v; usize::from(n)];
                if k.set_input(&data) && n > 0 {
                    let off = k.input_offset();
                    m.add(&k, off, u64::from(n));
                    assert_eq!(k.input_length(), u64::from(n));
                    assert_eq!(k.input_load_u8(0), v);
                }
            }
            Op::Bytes(o, s) => {
                let (off, len) = (m.resolve(&k, o), size(s));
                if let Some(b) = k.bytes(off, len) {
                    assert_eq!(b.len() as u64, len);
                    assert!(off + len <= k.committed_bytes());
                }
            }
        }
        // Committed memory and the allocator's length figure only grow; growth respects the limit.
        assert!(k.committed_bytes() >= committed);
        if k.committed_bytes() > committed {
            if let Some(l) = limit {
                assert!(k.pages() <= u32::from(l), "grew past the page limit");
            }
        }
        assert!(k.memory_bytes() >= memory_bytes);
        committed = k.committed_bytes();
        memory_bytes = k.memory_bytes();
        check(&k, &m, arena_len, limit, false);
    }
    check(&k, &m, arena_len, limit, true);
});
