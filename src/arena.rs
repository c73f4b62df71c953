//! The byte arena behind one plugin's kernel memory. Under `std` on Unix it is an anonymous mapping
//! (pages cost nothing until touched) that reserves a little address space at first and grows, by
//! moving if it must, up to the plugin's limit when the kernel needs more: a plugin takes address
//! space in proportion to what it uses, so thousands fit in a 32-bit process. Otherwise it is one
//! zeroed heap block reserved whole at creation, which never moves.

use alloc::boxed::Box;
use alloc::vec;

/// An explicit tag keeps both variants' bytes at the same place (a `Mapping`'s `ptr` and `len` where a
/// `Heap`'s are), so every kernel access reads them without telling the variants apart: without it
/// the compiler uses `Mapping`'s pointer as the tag, and a tiny call ran 321 more instructions.
#[repr(u8)]
pub enum ArenaBuf {
    Heap(Box<[u8]>),
    #[cfg(all(feature = "std", unix))]
    Mapped(Mapping),
}

impl ArenaBuf {
    /// Whether `reserve` takes address space only (pages committed as touched) rather than heap.
    pub fn lazy() -> bool {
        cfg!(all(feature = "std", unix))
    }

    /// No memory at all: what a store stands on while its real kernel memory is being replaced.
    pub fn empty() -> ArenaBuf {
        ArenaBuf::Heap(Box::new([]))
    }

    /// Reserves `bytes` zeroed bytes; None when the system refuses.
    pub fn reserve(bytes: usize) -> Option<ArenaBuf> {
        Self::reserve_growing(bytes, bytes)
    }

    /// An arena that may grow to `cap` zeroed bytes: a mapping of `initial` bytes (at most `cap`)
    /// that grows as the kernel needs more, else a heap block of `cap` bytes reserved whole.
    /// None when the system refuses.
    pub fn reserve_growing(initial: usize, cap: usize) -> Option<ArenaBuf> {
        #[cfg(all(feature = "std", unix))]
        if let Some(map) = Mapping::new(initial.min(cap), cap) {
            return Some(ArenaBuf::Mapped(map));
        }
        #[cfg(not(all(feature = "std", unix)))]
        let _ = initial; // no mapping: the heap block is reserved whole
        let bytes = cap;
        let mut v: alloc::vec::Vec<u8> = alloc::vec::Vec::new();
        v.try_reserve_exact(bytes).ok()?;
        drop(v);
        Some(ArenaBuf::Heap(vec![0u8; bytes].into_boxed_slice()))
    }
}

impl extism_kernel::Arena for ArenaBuf {
    fn bytes(&self) -> &[u8] {
        match self {
            ArenaBuf::Heap(b) => b,
            #[cfg(all(feature = "std", unix))]
            ArenaBuf::Mapped(m) => m.bytes(),
        }
    }
    fn bytes_mut(&mut self) -> &mut [u8] {
        match self {
            ArenaBuf::Heap(b) => b,
            #[cfg(all(feature = "std", unix))]
            ArenaBuf::Mapped(m) => m.bytes_mut(),
        }
    }
    fn capacity(&self) -> usize {
        match self {
            ArenaBuf::Heap(b) => b.len(),
            #[cfg(all(feature = "std", unix))]
            ArenaBuf::Mapped(m) => m.cap,
        }
    }
    fn grow_to(&mut self, len: usize) -> bool {
        match self {
            ArenaBuf::Heap(b) => len <= b.len(),
            #[cfg(all(feature = "std", unix))]
            ArenaBuf::Mapped(m) => m.grow_to(len),
        }
    }
    fn zero(&mut self, range: core::ops::Range<usize>) {
        match self {
            ArenaBuf::Heap(b) => {
                if let Some(area) = b.get_mut(range) {
                    area.fill(0);
                }
            }
            #[cfg(all(feature = "std", unix))]
            ArenaBuf::Mapped(m) => m.zero(range),
        }
    }
}

/// An anonymous private mapping, reserved without committing swap (MAP_NORESERVE), that may grow
/// to `cap` bytes.
#[cfg(all(feature = "std", unix))]
#[repr(C)]
pub struct Mapping {
    ptr: core::ptr::NonNull<u8>,
    len: usize,
    cap: usize,
}

// SAFETY: the mapping is plain memory owned by this value alone; moving it between threads is fine.
#[cfg(all(feature = "std", unix))]
unsafe impl Send for Mapping {}
// SAFETY: shared access only hands out `&[u8]`; mutation needs `&mut self`.
#[cfg(all(feature = "std", unix))]
unsafe impl Sync for Mapping {}

#[cfg(all(feature = "std", unix))]
impl Mapping {
    fn new(len: usize, cap: usize) -> Option<Mapping> {
        let ptr = map_anonymous(len)?;
        Some(Mapping { ptr, len, cap: cap.max(len) })
    }

    /// Grows the mapping to at least `len` bytes (at most `cap`): to twice its size when that is
    /// more, so a plugin that keeps growing moves its memory only a few times, else (a crowded
    /// 32-bit address space) to `len` alone. The contents stay and the new bytes read as zero; the
    /// address may change. False when the system refuses.
    fn grow_to(&mut self, len: usize) -> bool {
        if len <= self.len {
            return true;
        }
        if len > self.cap {
            return false;
        }
        let doubled = self.len.saturating_mul(2).clamp(len, self.cap);
        for target in [doubled, len] {
            if let Some(ptr) = remap(self.ptr, self.len, target) {
                self.ptr = ptr;
                self.len = target;
                return true;
            }
            if target == len {
                break;
            }
        }
        false
    }
    fn bytes(&self) -> &[u8] {
        // SAFETY: ptr..ptr+len is a live mapping owned by self, zero-filled by the kernel.
        unsafe { core::slice::from_raw_parts(self.ptr.as_ptr(), self.len) }
    }
    fn bytes_mut(&mut self) -> &mut [u8] {
        // SAFETY: as above, and `&mut self` makes this the only view.
        unsafe { core::slice::from_raw_parts_mut(self.ptr.as_ptr(), self.len) }
    }

    /// Zeroes `range`: the first `KERNEL_WIPE_RESIDENT_BYTES` of the mapping in place, whole pages
    /// past that with `MADV_DONTNEED` (a private anonymous mapping reads as zero afterwards and the
    /// pages stop being resident), the partial pages at the ends in place. Falls back to writing
    /// zeros if the system refuses.
    fn zero(&mut self, range: core::ops::Range<usize>) {
        if range.start >= range.end || range.end > self.len {
            return;
        }
        // SAFETY: sysconf has no preconditions.
        let page = usize::try_from(unsafe { libc::sysconf(libc::_SC_PAGESIZE) }).unwrap_or(0);
        let keep_end = range.end.min(crate::config::KERNEL_WIPE_RESIDENT_BYTES.max(range.start));
        let first = match page {
            0 => range.end,
            p => keep_end.div_ceil(p).saturating_mul(p).min(range.end),
        };
        let last = match page {
            0 => range.end,
            p => (range.end / p * p).max(first),
        };
        if last > first {
            // SAFETY: [first, last) lies inside this mapping (last <= range.end <= len), starts on a
            // page boundary (the mapping itself is page-aligned), and `&mut self` means no slice of
            // it is alive; MADV_DONTNEED on a private anonymous mapping only discards its contents.
            let rc = unsafe {
                libc::madvise(
                    self.ptr.as_ptr().add(first) as *mut libc::c_void,
                    last - first,
                    libc::MADV_DONTNEED,
                )
            };
            if rc == 0 {
                let bytes = self.bytes_mut();
                bytes[range.start..first].fill(0);
                bytes[last..range.end].fill(0);
                return;
            }
        }
        self.bytes_mut()[range].fill(0);
    }
}

/// A fresh zeroed anonymous mapping of `len` bytes; None for 0 bytes or when the system refuses.
#[cfg(all(feature = "std", unix))]
fn map_anonymous(len: usize) -> Option<core::ptr::NonNull<u8>> {
    if len == 0 {
        return None;
    }
    // SAFETY: a fresh anonymous mapping touches no existing memory; the result is checked.
    let ptr = unsafe {
        libc::mmap(
            core::ptr::null_mut(),
            len,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    if ptr == libc::MAP_FAILED {
        return None;
    }
    core::ptr::NonNull::new(ptr as *mut u8)
}

/// Linux moves the pages themselves (mremap: no copy, untouched pages stay untouched).
#[cfg(all(feature = "std", any(target_os = "linux", target_os = "android")))]
fn remap(ptr: core::ptr::NonNull<u8>, len: usize, target: usize) -> Option<core::ptr::NonNull<u8>> {
    // SAFETY: ptr..ptr+len is a live mapping owned by the caller, who keeps no slice of it alive
    // (`&mut self`) and takes the returned address on success; on failure the old mapping stays.
    let moved = unsafe { libc::mremap(ptr.as_ptr() as *mut libc::c_void, len, target, libc::MREMAP_MAYMOVE) };
    if moved == libc::MAP_FAILED {
        return None;
    }
    core::ptr::NonNull::new(moved as *mut u8)
}

/// Elsewhere: a new mapping, the old bytes copied, the old mapping released.
#[cfg(all(feature = "std", unix, not(any(target_os = "linux", target_os = "android"))))]
fn remap(ptr: core::ptr::NonNull<u8>, len: usize, target: usize) -> Option<core::ptr::NonNull<u8>> {
    let new = map_anonymous(target)?;
    // SAFETY: both ranges are live mappings of at least `len` bytes, distinct (the new one is
    // fresh); the old one is unmapped once, after the copy, and the caller forgets it.
    unsafe {
        core::ptr::copy_nonoverlapping(ptr.as_ptr(), new.as_ptr(), len);
        libc::munmap(ptr.as_ptr() as *mut libc::c_void, len);
    }
    Some(new)
}

#[cfg(all(feature = "std", unix))]
impl Drop for Mapping {
    fn drop(&mut self) {
        // SAFETY: unmapping exactly the region mmap returned, once.
        unsafe {
            libc::munmap(self.ptr.as_ptr() as *mut libc::c_void, self.len);
        }
    }
}

#[cfg(all(test, feature = "std", unix))]
mod tests {
    use super::*;
    use extism_kernel::Arena;

    /// `zero` clears exactly the range asked for, in place below `KERNEL_WIPE_RESIDENT_BYTES` and by
    /// releasing pages above it, with unaligned ends on both sides of that line.
    #[test]
    fn mapped_zero_clears_exactly_the_range() {
        let keep = crate::config::KERNEL_WIPE_RESIDENT_BYTES;
        let len = keep + (8 << 20);
        let mut a = ArenaBuf::reserve(len).unwrap();
        assert!(matches!(a, ArenaBuf::Mapped(_)));
        for (start, end) in [(77, len - 3), (keep - 5, keep + 70_001), (100, 200), (keep + 1, len), (5, 5)] {
            a.bytes_mut().fill(0xee);
            a.zero(start..end);
            let b = a.bytes();
            assert!(b[..start].iter().all(|&x| x == 0xee), "before {start}");
            assert!(b[start..end].iter().all(|&x| x == 0), "inside {start}..{end}");
            assert!(b[end..].iter().all(|&x| x == 0xee), "after {end}");
        }
        // Out of range: ignored.
        a.zero(len - 1..len + 1);
        assert_eq!(a.bytes()[len - 1], 0xee);
    }

    /// A growing arena keeps its bytes, reads zero past them, doubles (at least) when it grows, stops
    /// at its capacity, and a failed growth changes nothing.
    #[test]
    fn mapped_growth_keeps_contents_up_to_capacity() {
        let page = 64 << 10;
        let mut a = ArenaBuf::reserve_growing(4 * page, 64 * page).unwrap();
        assert_eq!((a.bytes().len(), a.capacity()), (4 * page, 64 * page));
        a.bytes_mut()[..4 * page].iter_mut().enumerate().for_each(|(i, b)| *b = (i % 251) as u8);
        assert!(a.grow_to(5 * page));
        assert_eq!(a.bytes().len(), 8 * page, "grows to twice its size");
        assert!(a.bytes()[..4 * page].iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));
        assert!(a.bytes()[4 * page..].iter().all(|&b| b == 0));
        assert!(a.grow_to(40 * page));
        assert_eq!(a.bytes().len(), 40 * page, "at least what was asked");
        assert!(a.grow_to(41 * page));
        assert_eq!(a.bytes().len(), 64 * page, "at most the capacity");
        assert!(!a.grow_to(64 * page + 1));
        assert_eq!(a.bytes().len(), 64 * page);
        assert!(a.bytes()[..4 * page].iter().enumerate().all(|(i, &b)| b == (i % 251) as u8));
        // A heap arena never grows.
        let mut h = ArenaBuf::Heap(std::vec![0u8; page].into_boxed_slice());
        assert!(!h.grow_to(page + 1));
        assert_eq!(h.capacity(), page);
    }

    /// Growth moves pages, it does not touch them: what the plugin never wrote stays out of the
    /// resident set (read back from mincore).
    #[test]
    fn mapped_growth_leaves_untouched_pages_untouched() {
        let mut a = ArenaBuf::reserve_growing(1 << 20, 1 << 30).unwrap();
        a.bytes_mut()[0] = 1;
        assert!(a.grow_to(64 << 20));
        let ArenaBuf::Mapped(m) = &a else { unreachable!() };
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        let len = m.len - page;
        let mut vec = std::vec![0u8; len / page];
        // SAFETY: the range is inside the live mapping, page-aligned, and `vec` has one byte per page.
        let rc = unsafe { libc::mincore(m.ptr.as_ptr().add(page) as *mut libc::c_void, len, vec.as_mut_ptr()) };
        assert_eq!(rc, 0);
        assert!(vec.iter().all(|&r| r & 1 == 0), "untouched pages are not resident");
        assert_eq!(a.bytes()[0], 1);
    }

    /// Pages past the resident part really leave the resident set (read back from mincore).
    #[test]
    fn mapped_zero_releases_pages() {
        let keep = crate::config::KERNEL_WIPE_RESIDENT_BYTES;
        let len = keep + (16 << 20);
        let mut a = ArenaBuf::reserve(len).unwrap();
        a.bytes_mut().fill(1);
        a.zero(65..len);
        let ArenaBuf::Mapped(m) = &a else { unreachable!() };
        // SAFETY: sysconf has no preconditions.
        let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
        let tail = keep.div_ceil(page) * page;
        let mut vec = std::vec![0u8; (len - tail) / page];
        // SAFETY: the range is inside the live mapping, page-aligned, and `vec` has one byte per page.
        let rc = unsafe { libc::mincore(m.ptr.as_ptr().add(tail) as *mut libc::c_void, len - tail, vec.as_mut_ptr()) };
        assert_eq!(rc, 0);
        assert!(vec.iter().all(|&r| r & 1 == 0), "released pages are not resident");
        assert!(a.bytes()[tail..].iter().all(|&x| x == 0));
    }
}
