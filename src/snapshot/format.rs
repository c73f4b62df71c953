//! The saved-state format (docs/state-format.md): little-endian, a fixed header, records of
//! (tag, length, payload), and a checksum over everything before it. This file only writes and
//! reads bytes; what the records mean is `save` and `restore`'s business.

use alloc::vec::Vec;

/// First 8 bytes of every saved state.
pub const MAGIC: [u8; 8] = *b"EXTISMX\x1a";
/// The format version this build writes and the only one it reads (1: whole 64 KiB pages; 2:
/// extents, and a module index in the instance records).
pub const VERSION: u32 = 2;
/// Magic, version, flags, modules hash, total length.
pub const HEADER_BYTES: usize = 8 + 4 + 4 + 8 + 8;
/// The trailing checksum.
pub const CHECKSUM_BYTES: usize = 8;
/// Record header: tag (u32) and payload length (u64).
pub const RECORD_HEADER_BYTES: usize = 4 + 8;
/// Granularity of the writer's zero scan: an aligned run of zero bytes this long ends an extent.
/// A wasm page is mostly zero in practice (a stack's unused part, a heap's free tail): 4 KiB
/// makes a Rust PDK plugin's state a tenth of what whole pages made it.
pub const EXTENT_BLOCK: usize = 4096;

/// Header flag: the main module's instance is in the state (its initialisers have run).
pub const FLAG_INSTANCE: u32 = 1;

pub const TAG_LIMITS: u32 = 1;
pub const TAG_CONFIG: u32 = 2;
pub const TAG_VARS: u32 = 3;
pub const TAG_KERNEL: u32 = 4;
pub const TAG_MEMORY: u32 = 5;
pub const TAG_GLOBAL: u32 = 6;
pub const TAG_TABLE: u32 = 7;

/// The 64-bit hash used for the checksum and the modules hash: FNV-1a's constants over 8-byte
/// little-endian words, each step followed by `h ^= h >> 29` (every step is a bijection of the
/// running value, so any single changed word changes the result), then the tail bytes one by one.
pub fn hash64(seed: u64, bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut h = seed;
    let mut words = bytes.chunks_exact(8);
    for w in &mut words {
        let mut word = [0u8; 8];
        word.copy_from_slice(w);
        h = (h ^ u64::from_le_bytes(word)).wrapping_mul(PRIME);
        h ^= h >> 29;
    }
    for &b in words.remainder() {
        h = (h ^ u64::from(b)).wrapping_mul(PRIME);
        h ^= h >> 29;
    }
    h
}

/// A saved state's checksum (docs/state-format.md): `hash64`'s step in four lanes over 32-byte
/// blocks, which the processor runs side by side (one lane is a chain of dependent multiplies:
/// about four times slower over a 256 KiB state), the lanes then folded into `hash64` with the
/// bytes past the last whole block. A single changed word still changes the result.
pub fn checksum(bytes: &[u8]) -> u64 {
    const PRIME: u64 = 0x0000_0100_0000_01b3;
    let mut lanes = [HASH_SEED, HASH_SEED ^ 1, HASH_SEED ^ 2, HASH_SEED ^ 3];
    let mut blocks = bytes.chunks_exact(32);
    for block in &mut blocks {
        for (lane, word) in lanes.iter_mut().zip(block.chunks_exact(8)) {
            let mut w = [0u8; 8];
            w.copy_from_slice(word);
            *lane = (*lane ^ u64::from_le_bytes(w)).wrapping_mul(PRIME);
            *lane ^= *lane >> 29;
        }
    }
    let mut folded = [0u8; 32];
    for (out, lane) in folded.chunks_exact_mut(8).zip(lanes) {
        out.copy_from_slice(&lane.to_le_bytes());
    }
    hash64(hash64(HASH_SEED, &folded), blocks.remainder())
}

/// The seed of `hash64` (FNV-1a's offset basis).
pub const HASH_SEED: u64 = 0xcbf2_9ce4_8422_2325;

/// A module's hash (docs/state-format.md): its name, its 8-byte preamble, then each section but
/// the custom ones (id and size bytes included), each a `hash64` step of its own. Custom sections
/// (debug info, names) change nothing the engine runs. A module that is not well framed is hashed
/// whole (it never compiles anyway).
pub fn module_hash(name: &str, bytes: &[u8]) -> u64 {
    let mut h = hash64(HASH_SEED, name.as_bytes());
    match crate::start_hoist::sections(bytes) {
        Some(sections) => {
            h = hash64(h, &bytes[..8]);
            for s in sections.iter().filter(|s| s.id != 0) {
                h = hash64(h, &bytes[s.header..s.end]);
            }
            h
        }
        None => hash64(h, bytes),
    }
}

/// Builds a saved state: `new`, records, `finish`.
pub struct Writer {
    out: Vec<u8>,
    /// Where the open record's length goes.
    record_at: Option<usize>,
}

impl Writer {
    pub fn new(flags: u32, modules_hash: u64) -> Writer {
        let mut out = Vec::new();
        out.extend_from_slice(&MAGIC);
        out.extend_from_slice(&VERSION.to_le_bytes());
        out.extend_from_slice(&flags.to_le_bytes());
        out.extend_from_slice(&modules_hash.to_le_bytes());
        out.extend_from_slice(&0u64.to_le_bytes()); // total length, set by `finish`
        Writer { out, record_at: None }
    }

    pub fn begin(&mut self, tag: u32) {
        self.end();
        self.out.extend_from_slice(&tag.to_le_bytes());
        self.record_at = Some(self.out.len());
        self.out.extend_from_slice(&0u64.to_le_bytes());
    }

    fn end(&mut self) {
        if let Some(at) = self.record_at.take() {
            let len = (self.out.len() - at - 8) as u64;
            self.out[at..at + 8].copy_from_slice(&len.to_le_bytes());
        }
    }

    pub fn u8(&mut self, v: u8) {
        self.out.push(v);
    }
    pub fn u32(&mut self, v: u32) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    pub fn u64(&mut self, v: u64) {
        self.out.extend_from_slice(&v.to_le_bytes());
    }
    pub fn bytes(&mut self, v: &[u8]) {
        self.out.extend_from_slice(v);
    }
    /// A length-prefixed (u32) byte string.
    pub fn string(&mut self, v: &[u8]) -> Result<(), &'static str> {
        self.u32(u32::try_from(v.len()).map_err(|_| "a key or value over 4 GiB")?);
        self.bytes(v);
        Ok(())
    }

    /// An extent list: the buffer's length (u64), the count of extents (u32), then each as its
    /// offset (u64), its length (u64) and its bytes. Aligned `EXTENT_BLOCK`s that are all zero
    /// separate extents; each extent's leading and trailing zero bytes are left out too.
    pub fn extents(&mut self, data: &[u8]) {
        self.u64(data.len() as u64);
        let count_at = self.out.len();
        self.u32(0);
        let mut count = 0u32;
        let mut blocks = data.chunks(EXTENT_BLOCK).enumerate().peekable();
        while let Some((i, block)) = blocks.next() {
            if is_zero(block) {
                continue;
            }
            let start = i * EXTENT_BLOCK;
            let mut end = start + block.len();
            while let Some((_, next)) = blocks.next_if(|(_, b)| !is_zero(b)) {
                end += next.len();
            }
            let run = &data[start..end];
            let first = start + run.iter().position(|&b| b != 0).unwrap_or(0);
            let last = start + run.iter().rposition(|&b| b != 0).map_or(0, |at| at + 1);
            self.u64(first as u64);
            self.u64((last - first) as u64);
            self.bytes(&data[first..last]);
            count += 1;
        }
        self.out[count_at..count_at + 4].copy_from_slice(&count.to_le_bytes());
    }

    /// The finished state: total length and checksum written.
    pub fn finish(mut self) -> Vec<u8> {
        self.end();
        let total = (self.out.len() + CHECKSUM_BYTES) as u64;
        self.out[24..32].copy_from_slice(&total.to_le_bytes());
        let sum = checksum(&self.out);
        self.out.extend_from_slice(&sum.to_le_bytes());
        self.out
    }
}

/// Whether every byte of `bytes` is zero: ORs 64-byte blocks (which the compiler vectorises)
/// rather than testing byte by byte.
fn is_zero(bytes: &[u8]) -> bool {
    bytes.chunks(64).all(|block| block.iter().fold(0u8, |acc, &b| acc | b) == 0)
}

/// Zeroes `bytes` where it is not zero already, 4 KiB at a time: memory a restore writes nothing
/// into is only read, so pages the system gave lazily and never touched stay unbacked.
fn zero_where_needed(bytes: &mut [u8]) {
    for block in bytes.chunks_mut(4096) {
        if !is_zero(block) {
            block.fill(0);
        }
    }
}

/// A saved state whose frame checked out: magic, version, length and checksum.
pub struct Frame<'a> {
    pub flags: u32,
    pub modules_hash: u64,
    /// The records, between the header and the checksum.
    pub records: &'a [u8],
}

/// Checks the frame of `bytes` (nothing inside the records yet).
pub fn frame(bytes: &[u8]) -> Result<Frame<'_>, &'static str> {
    if bytes.len() < 8 || bytes[..8] != MAGIC {
        return Err("not a saved plugin state (bad magic)");
    }
    if bytes.len() < HEADER_BYTES + CHECKSUM_BYTES {
        return Err("saved state truncated (shorter than its header)");
    }
    let mut r = Reader::new(&bytes[8..HEADER_BYTES]);
    let (version, flags, modules_hash, total) = (r.u32()?, r.u32()?, r.u64()?, r.u64()?);
    if version != VERSION {
        return Err(match version > VERSION {
            true => "saved state of a newer format version than this library reads",
            false => "saved state of an unknown format version",
        });
    }
    if total != bytes.len() as u64 {
        return Err(match total > bytes.len() as u64 {
            true => "saved state truncated (shorter than its recorded length)",
            false => "saved state has bytes past its recorded length",
        });
    }
    let body = bytes.len() - CHECKSUM_BYTES;
    let mut sum = [0u8; 8];
    sum.copy_from_slice(&bytes[body..]);
    if checksum(&bytes[..body]) != u64::from_le_bytes(sum) {
        return Err("saved state corrupted (checksum mismatch)");
    }
    if flags & !FLAG_INSTANCE != 0 {
        return Err("saved state has flags this library does not know");
    }
    Ok(Frame { flags, modules_hash, records: &bytes[HEADER_BYTES..body] })
}

/// Reads little-endian values from a slice; every read is bounds-checked.
pub struct Reader<'a> {
    rest: &'a [u8],
}

const TRUNCATED: &str = "saved state malformed (a record ends early)";

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Reader<'a> {
        Reader { rest: bytes }
    }
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
    pub fn take(&mut self, n: u64) -> Result<&'a [u8], &'static str> {
        let n = usize::try_from(n).map_err(|_| TRUNCATED)?;
        if n > self.rest.len() {
            return Err(TRUNCATED);
        }
        let (head, tail) = self.rest.split_at(n);
        self.rest = tail;
        Ok(head)
    }
    pub fn u8(&mut self) -> Result<u8, &'static str> {
        Ok(self.take(1)?[0])
    }
    pub fn u32(&mut self) -> Result<u32, &'static str> {
        let mut b = [0u8; 4];
        b.copy_from_slice(self.take(4)?);
        Ok(u32::from_le_bytes(b))
    }
    pub fn u64(&mut self) -> Result<u64, &'static str> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        Ok(u64::from_le_bytes(b))
    }
    pub fn string(&mut self) -> Result<&'a [u8], &'static str> {
        let n = self.u32()?;
        self.take(u64::from(n))
    }
    /// The next record: (tag, payload).
    pub fn record(&mut self) -> Result<(u32, &'a [u8]), &'static str> {
        let tag = self.u32()?;
        let len = self.u64()?;
        Ok((tag, self.take(len)?))
    }
    /// An extent list (see `Writer::extents`), checked: extents in increasing order, not
    /// overlapping, inside the buffer.
    pub fn extents(&mut self) -> Result<Extents<'a>, &'static str> {
        const BAD: &str = "saved state malformed (an extent out of order or past its memory)";
        let len = self.u64()?;
        let count = self.u32()?;
        let mut list = Vec::new();
        let mut next = 0u64;
        for _ in 0..count {
            let (offset, size) = (self.u64()?, self.u64()?);
            let end = offset.checked_add(size).ok_or(BAD)?;
            if offset < next || end > len {
                return Err(BAD);
            }
            let bytes = self.take(size)?;
            list.push((usize::try_from(offset).map_err(|_| BAD)?, bytes));
            next = end;
        }
        Ok(Extents { len, list })
    }
}

/// An extent list read from a saved state.
pub struct Extents<'a> {
    /// The buffer's length in bytes.
    pub len: u64,
    /// (offset, bytes) of every extent, in order; every other byte is zero.
    pub list: Vec<(usize, &'a [u8])>,
}

impl Extents<'_> {
    /// Writes the extents into `target`, zeroing everything else; `target` must be `len` long.
    pub fn fill(&self, target: &mut [u8]) -> Result<(), &'static str> {
        if target.len() as u64 != self.len {
            return Err("saved state does not match the memory it is restored into");
        }
        let mut at = 0;
        for &(offset, bytes) in &self.list {
            zero_where_needed(&mut target[at..offset]);
            target[offset..offset + bytes.len()].copy_from_slice(bytes);
            at = offset + bytes.len();
        }
        zero_where_needed(&mut target[at..]);
        Ok(())
    }

    /// As `fill`, into a `target` known to be zero but for the `dirty` ranges (offset, length): only
    /// their parts no extent covers are zeroed, so the rest of the memory is not even read.
    pub fn fill_over_zero(&self, target: &mut [u8], dirty: &[(u64, u64)]) -> Result<(), &'static str> {
        if target.len() as u64 != self.len {
            return Err("saved state does not match the memory it is restored into");
        }
        for &(offset, len) in dirty {
            let clip = |at: u64| usize::try_from(at).unwrap_or(usize::MAX).min(target.len());
            let (mut at, end) = (clip(offset), clip(offset.saturating_add(len)));
            // The extents overlapping [at, end), in order: zero what lies between them.
            let first = self.list.partition_point(|&(start, bytes)| start + bytes.len() <= at);
            for &(start, bytes) in self.list[first..].iter().take_while(|&&(start, _)| start < end) {
                if start > at {
                    target[at..start].fill(0);
                }
                at = at.max(start + bytes.len());
            }
            if at < end {
                target[at..end].fill(0);
            }
        }
        for &(offset, bytes) in &self.list {
            target[offset..offset + bytes.len()].copy_from_slice(bytes);
        }
        Ok(())
    }

    /// Writes the extents into a `target` that is all zero and may be shorter than `len` when
    /// every saved byte past it is zero (kernel memory saved over a larger arena than the
    /// restoring build's). Only the extents' bytes are touched: pages of a lazily mapped arena
    /// the state leaves zero stay unmapped.
    pub fn fill_prefix_over_zero(&self, target: &mut [u8]) -> Result<(), &'static str> {
        if (target.len() as u64) > self.len {
            return Err("saved state does not match the memory it is restored into");
        }
        let cut = target.len();
        for &(offset, bytes) in &self.list {
            let (inside, past) = bytes.split_at(cut.saturating_sub(offset).min(bytes.len()));
            if !is_zero(past) {
                return Err("kernel memory larger than this plugin's kernel arena");
            }
            if !inside.is_empty() {
                target[offset..offset + inside.len()].copy_from_slice(inside);
            }
        }
        Ok(())
    }
}
