//! Upstream's memory layout, so offsets match bit for bit, plus bounds-safe little-endian access.
//!
//! ```text
//! 0      1                65       77
//! | null | root record    | header | data ... | header | data ... |  (free tail) | committed end
//! ```
//! The root record and every block header are mirrored into the arena exactly where upstream's
//! wasm kernel keeps them, so `load_*` and `length_unsafe` see the same bytes. The kernel's own
//! Rust state stays authoritative: whatever a plugin writes over these bytes never steers the
//! allocator (it only changes what those reads return, as upstream would).

/// WebAssembly page size.
pub const PAGE_SIZE: u64 = 65536;
/// Largest committed size: a wasm32 memory. Keeps every offset and header field within `u32`.
pub const MAX_PAGES: u32 = 65536;
/// Pages of memory upstream's kernel module declares (its wasm `memory 16`). `Kernel::new` starts
/// at 1; `Kernel::with_initial_pages(arena, UPSTREAM_INITIAL_PAGES)` reproduces upstream exactly.
pub const UPSTREAM_INITIAL_PAGES: u32 = 16;

/// Where the root (bookkeeping) record starts.
pub const ROOT_OFFSET: u64 = 1;
/// Size of the root record; also the slack upstream keeps between its length figure and the end.
pub const ROOT_SIZE: u64 = 64;
/// First block header.
pub const BLOCKS_START: u64 = ROOT_OFFSET + ROOT_SIZE;
/// Block header: status byte, 3 bytes padding, size u32, used u32.
pub const HEADER_SIZE: u64 = 12;
/// Data offset of the first block after a wipe (a call's input sits here).
pub const FIRST_BLOCK: u64 = BLOCKS_START + HEADER_SIZE;
/// Plugin accesses below this offset read 0 and write nothing.
pub const LOW_LIMIT: u64 = 64;
/// Upstream's initial allocator length figure (`memory_bytes` right after start).
pub const INITIAL_LENGTH: u64 = PAGE_SIZE - ROOT_SIZE;
/// A reused free block is split when it is at least this many bytes larger than the request.
pub const SPLIT_MIN_EXCESS: u32 = 128;

// Root record fields (absolute offsets, as upstream's `MemoryRoot` at address 1).
pub(crate) const ROOT_INITIALIZED: u64 = 1;
pub(crate) const ROOT_POSITION: u64 = 9;
pub(crate) const ROOT_LENGTH: u64 = 17;
pub(crate) const ROOT_ERROR: u64 = 25;
pub(crate) const ROOT_INPUT_OFFSET: u64 = 33;
pub(crate) const ROOT_INPUT_LENGTH: u64 = 41;
pub(crate) const ROOT_OUTPUT_OFFSET: u64 = 49;
pub(crate) const ROOT_OUTPUT_LENGTH: u64 = 57;

// Header fields, relative to the header start.
pub(crate) const HEADER_SIZE_AT: u64 = 4;
pub(crate) const HEADER_USED_AT: u64 = 8;
pub(crate) const STATUS_ACTIVE: u8 = 1;
pub(crate) const STATUS_FREE: u8 = 2;

/// `bytes[at .. at + len]` as a checked range; `None` if it overflows or leaves `bytes`.
pub(crate) fn span(bytes_len: usize, at: u64, len: u64) -> Option<core::ops::Range<usize>> {
    let start = usize::try_from(at).ok()?;
    let end = start.checked_add(usize::try_from(len).ok()?)?;
    (end <= bytes_len).then_some(start..end)
}

pub(crate) fn read_u8(bytes: &[u8], at: u64) -> Option<u8> {
    bytes.get(usize::try_from(at).ok()?).copied()
}

pub(crate) fn read_u32(bytes: &[u8], at: u64) -> Option<u32> {
    let r = span(bytes.len(), at, 4)?;
    bytes.get(r)?.try_into().ok().map(u32::from_le_bytes)
}

pub(crate) fn read_u64(bytes: &[u8], at: u64) -> Option<u64> {
    let r = span(bytes.len(), at, 8)?;
    bytes.get(r)?.try_into().ok().map(u64::from_le_bytes)
}

/// Writes are silently dropped when out of range: callers check bounds first, this is a backstop.
pub(crate) fn write_u8(bytes: &mut [u8], at: u64, v: u8) {
    if let Some(b) = usize::try_from(at).ok().and_then(|i| bytes.get_mut(i)) {
        *b = v;
    }
}

pub(crate) fn write_u32(bytes: &mut [u8], at: u64, v: u32) {
    if let Some(dst) = span(bytes.len(), at, 4).and_then(|r| bytes.get_mut(r)) {
        dst.copy_from_slice(&v.to_le_bytes());
    }
}

pub(crate) fn write_u64(bytes: &mut [u8], at: u64, v: u64) {
    if let Some(dst) = span(bytes.len(), at, 8).and_then(|r| bytes.get_mut(r)) {
        dst.copy_from_slice(&v.to_le_bytes());
    }
}
