//! The process-wide cache of compiled code: plugins created from the same wasm (`extism_plugin_new`
//! called again and again on one plugin's bytes) share one Engine and its Modules instead of each
//! compiling and keeping its own (~170 KiB per live plugin for a real PDK plugin).
//!
//! What is cached is `compiled::Code`: the Engine and the compiled modules of a manifest. It depends
//! only on the modules' names and on their non-custom sections: the engine configuration is fixed
//! (`compiled::engine_config`), the engine ignores custom sections, and everything else a create
//! call is given (host functions, WASI, fuel limit, manifest options) lives in the `Compiled` each
//! create call still builds for itself around the shared code.
//!
//! - Key: for each module in manifest order, its name and the raw bytes of its header and of every
//!   non-custom section (id, size and payload as written, in order). A 64-bit hash selects the
//!   candidates; a hit is confirmed by comparing those bytes with the ones the entry's code was
//!   compiled from (kept in the code). Custom sections are skipped only when they are well framed
//!   and their names are valid UTF-8 (what the engine's parser checks of them); anything else makes
//!   the input uncacheable and it is compiled as before, so the engine sees and reports it.
//! - Lifetime: an entry holds a `Weak` to the code; the code lives as long as a compiled plugin or a
//!   plugin uses it and is freed with the last of them (its Engine with it). Dead entries are
//!   pruned at each insert. At most `config::MODULE_CACHE_ENTRIES` live entries: when full, new code
//!   is simply not cached.
//! - Only code that compiled is ever cached, so a hit gives exactly what compiling would have given.
//!
//! Without `std` the cache is off (`config::MODULE_CACHE_ENTRIES` is 0 there and no key is made: RAM
//! counts more than creation time on a board); the code still builds and its lock is a spin lock.

use alloc::sync::{Arc, Weak};
use alloc::vec::Vec;

use crate::compiled::Code;
use crate::config;
use crate::manifest::NamedModule;
use crate::sync::Lock;

struct Entry {
    hash: u64,
    code: Weak<Code>,
}

static CACHE: Lock<Vec<Entry>> = Lock::new(Vec::new());

const SECTION_CUSTOM: u8 = 0;

/// What identifies a manifest's compiled code, borrowed from the loaded modules.
pub struct Key<'a> {
    /// Per module: its link name and the byte ranges that determine its compilation.
    modules: Vec<(&'a [u8], Vec<&'a [u8]>)>,
    /// Fuel metering on (compiled code differs with it).
    metered: bool,
    hash: u64,
}

impl<'a> Key<'a> {
    /// The key of these modules, or None when one of them is not a well-framed wasm binary (it is
    /// then compiled without the cache).
    pub fn new(modules: &'a [NamedModule], metered: bool) -> Option<Key<'a>> {
        let mut parts = Vec::with_capacity(modules.len());
        for m in modules {
            parts.push((m.name.as_bytes(), significant_parts(&m.bytes)?));
        }
        let mut key = Key { modules: parts, metered, hash: 0 };
        let mut h = Hasher::new();
        key.walk(|chunk| h.write(chunk));
        key.hash = h.finish();
        Some(key)
    }

    pub fn hash(&self) -> u64 {
        self.hash
    }

    /// Calls `f` with every piece of the key's flat encoding, in order: metering, then per module,
    /// the name and the number of ranges, each range with its length first (so the encoding is
    /// unambiguous).
    fn walk(&self, mut f: impl FnMut(&[u8])) {
        f(&[u8::from(self.metered)]);
        f(&(self.modules.len() as u64).to_le_bytes());
        for (name, ranges) in &self.modules {
            f(&(name.len() as u64).to_le_bytes());
            f(name);
            f(&(ranges.len() as u64).to_le_bytes());
            for r in ranges {
                f(&(r.len() as u64).to_le_bytes());
                f(r);
            }
        }
    }

    /// The flat encoding, kept by the code compiled from these modules to confirm later hits.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut len = 0;
        self.walk(|c| len += c.len());
        let mut out = Vec::with_capacity(len);
        self.walk(|c| out.extend_from_slice(c));
        out
    }

    /// Whether `stored` is this key's flat encoding (compared without building it).
    pub fn matches(&self, stored: &[u8]) -> bool {
        let mut rest = stored;
        let mut same = true;
        self.walk(|c| {
            if same {
                match rest.split_at_checked(c.len()) {
                    Some((head, tail)) if head == c => rest = tail,
                    _ => same = false,
                }
            }
        });
        same && rest.is_empty()
    }
}

/// Module `index`'s bytes rebuilt from a key's flat encoding (`Key::to_bytes`): its preamble and
/// sections without the custom ones, a module the engine reads as the original. None when `key`
/// is not such an encoding or has no module `index`.
pub fn module_bytes(key: &[u8], index: usize) -> Option<Vec<u8>> {
    let mut r = FlatReader { rest: key };
    r.take(1)?; // metering
    let modules = r.len()?;
    for m in 0..modules {
        let name = r.len()?;
        r.take(name)?;
        let ranges = r.len()?;
        let mut module = (m == index).then(Vec::new);
        for _ in 0..ranges {
            let n = r.len()?;
            let range = r.take(n)?;
            if let Some(module) = module.as_mut() {
                module.extend_from_slice(range);
            }
        }
        if module.is_some() {
            return module;
        }
    }
    None
}

/// Reads the encoding `Key::walk` writes.
struct FlatReader<'a> {
    rest: &'a [u8],
}

impl<'a> FlatReader<'a> {
    fn take(&mut self, n: usize) -> Option<&'a [u8]> {
        let (head, tail) = self.rest.split_at_checked(n)?;
        self.rest = tail;
        Some(head)
    }
    fn len(&mut self) -> Option<usize> {
        let mut b = [0u8; 8];
        b.copy_from_slice(self.take(8)?);
        usize::try_from(u64::from_le_bytes(b)).ok()
    }
}

/// The live code compiled from modules with this key, if any.
pub fn lookup(key: &Key<'_>) -> Option<Arc<Code>> {
    find(&CACHE.lock(), key)
}

/// Offers freshly compiled code to the cache. Returns the code to use: a live entry with the same
/// key if another thread inserted one meanwhile (so both share it), else `code` itself (cached if
/// there is room). Never fails.
pub fn insert(key: &Key<'_>, code: Arc<Code>) -> Arc<Code> {
    insert_into(&mut CACHE.lock(), config::MODULE_CACHE_ENTRIES, key, code)
}

fn find(cache: &[Entry], key: &Key<'_>) -> Option<Arc<Code>> {
    cache
        .iter()
        .filter(|e| e.hash == key.hash)
        .filter_map(|e| e.code.upgrade())
        .find(|code| code.key.as_deref().is_some_and(|stored| key.matches(stored)))
}

fn insert_into(cache: &mut Vec<Entry>, capacity: usize, key: &Key<'_>, code: Arc<Code>) -> Arc<Code> {
    if !code.key.as_deref().is_some_and(|stored| key.matches(stored)) {
        return code;
    }
    if let Some(existing) = find(cache, key) {
        return existing;
    }
    cache.retain(|e| e.code.strong_count() > 0);
    if cache.len() < capacity && cache.try_reserve(1).is_ok() {
        cache.push(Entry { hash: key.hash, code: Arc::downgrade(&code) });
    }
    code
}

/// The header and the raw non-custom sections of a wasm binary, or None if it is not one with sound
/// framing (then the engine decides what it is, without the cache).
fn significant_parts(bytes: &[u8]) -> Option<Vec<&[u8]>> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return None;
    }
    let mut parts = Vec::new();
    parts.push(&bytes[..8]);
    let mut pos = 8;
    while pos < bytes.len() {
        let id = bytes[pos];
        let (size, used) = read_var_u32(bytes.get(pos + 1..)?)?;
        let start = pos + 1 + used;
        let end = start.checked_add(size as usize).filter(|&e| e <= bytes.len())?;
        if id == SECTION_CUSTOM {
            let payload = &bytes[start..end];
            let (name_len, used) = read_var_u32(payload)?;
            let name_len = name_len as usize;
            if name_len > config::MODULE_CACHE_MAX_CUSTOM_NAME {
                return None;
            }
            let name = payload.get(used..used.checked_add(name_len)?)?;
            core::str::from_utf8(name).ok()?;
        } else {
            parts.push(&bytes[pos..end]);
        }
        pos = end;
    }
    Some(parts)
}

/// An unsigned LEB128 u32 as the wasm binary format allows it (at most 5 bytes, no bits beyond 32).
fn read_var_u32(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value: u32 = 0;
    for (i, &byte) in bytes.iter().take(5).enumerate() {
        if i == 4 && byte & 0xf0 != 0 {
            return None;
        }
        value |= u32::from(byte & 0x7f) << (7 * i);
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

/// A fast 64-bit hash of byte strings (word at a time, multiply-rotate mixing). Not collision
/// resistant, and it need not be: a hit is always confirmed by comparing the bytes.
struct Hasher {
    h: u64,
}

impl Hasher {
    const K: u64 = 0x9e37_79b9_7f4a_7c15;

    fn new() -> Hasher {
        Hasher { h: 0x243f_6a88_85a3_08d3 }
    }

    #[inline]
    fn mix(&mut self, w: u64) {
        self.h = (self.h ^ w).wrapping_mul(Self::K).rotate_left(31);
    }

    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.mix(u64::from_le_bytes(w));
        }
        let tail = chunks.remainder();
        if !tail.is_empty() {
            let mut w = [0u8; 8];
            w[..tail.len()].copy_from_slice(tail);
            self.mix(u64::from_le_bytes(w) ^ ((tail.len() as u64) << 59));
        }
    }

    fn finish(&self) -> u64 {
        let mut h = self.h;
        h ^= h >> 33;
        h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
        h ^= h >> 33;
        h
    }
}

#[cfg(all(test, feature = "std"))]
mod tests;
