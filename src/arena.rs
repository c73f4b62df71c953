//! The byte arena behind one plugin's kernel memory. Its address never moves (hosts compute
//! `base + offset`), so the whole capacity is reserved at creation: under `std` on Unix as a lazy
//! anonymous mapping (pages cost nothing until touched), otherwise as one zeroed heap block.

use alloc::boxed::Box;
use alloc::vec;

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
        #[cfg(all(feature = "std", unix))]
        if let Some(map) = Mapping::new(bytes) {
            return Some(ArenaBuf::Mapped(map));
        }
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

/// An anonymous private mapping, reserved without committing swap (MAP_NORESERVE).
#[cfg(all(feature = "std", unix))]
pub struct Mapping {
    ptr: core::ptr::NonNull<u8>,
    len: usize,
}

// SAFETY: the mapping is plain memory owned by this value alone; moving it between threads is fine.
#[cfg(all(feature = "std", unix))]
unsafe impl Send for Mapping {}
// SAFETY: shared access only hands out `&[u8]`; mutation needs `&mut self`.
#[cfg(all(feature = "std", unix))]
unsafe impl Sync for Mapping {}

#[cfg(all(feature = "std", unix))]
impl Mapping {
    fn new(len: usize) -> Option<Mapping> {
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
        core::ptr::NonNull::new(ptr as *mut u8).map(|ptr| Mapping { ptr, len })
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
