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
