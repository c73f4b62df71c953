//! Bounds-checked views of the calling module's exported `memory` (WASI pointers are u32 offsets
//! into it). Every access is checked; an out-of-bounds pointer makes the call fail (as upstream).

use super::errno::{Abort, WasiResult, EILSEQ, ENAMETOOLONG, OUT_OF_BOUNDS};
use crate::config;

/// `base + offset` as a guest address (an overflow is out of bounds).
pub fn at(base: u32, offset: u32) -> WasiResult<u32> {
    base.checked_add(offset).ok_or_else(fault)
}

pub struct Guest<'a> {
    bytes: &'a mut [u8],
}

fn fault() -> Abort {
    Abort::Trap(OUT_OF_BOUNDS)
}

impl<'a> Guest<'a> {
    pub fn new(bytes: &'a mut [u8]) -> Guest<'a> {
        Guest { bytes }
    }

    fn range(&self, ptr: u32, len: u32) -> WasiResult<core::ops::Range<usize>> {
        let start = ptr as usize;
        let end = start.checked_add(len as usize).ok_or_else(fault)?;
        if end > self.bytes.len() {
            return Err(fault());
        }
        Ok(start..end)
    }

    pub fn slice(&self, ptr: u32, len: u32) -> WasiResult<&[u8]> {
        let r = self.range(ptr, len)?;
        Ok(&self.bytes[r])
    }

    pub fn slice_mut(&mut self, ptr: u32, len: u32) -> WasiResult<&mut [u8]> {
        let r = self.range(ptr, len)?;
        Ok(&mut self.bytes[r])
    }

    fn array<const N: usize>(&self, ptr: u32) -> WasiResult<[u8; N]> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.slice(ptr, N as u32)?);
        Ok(out)
    }

    pub fn u8(&self, ptr: u32) -> WasiResult<u8> {
        Ok(self.array::<1>(ptr)?[0])
    }
    pub fn u16(&self, ptr: u32) -> WasiResult<u16> {
        Ok(u16::from_le_bytes(self.array(ptr)?))
    }
    pub fn u32(&self, ptr: u32) -> WasiResult<u32> {
        Ok(u32::from_le_bytes(self.array(ptr)?))
    }
    pub fn u64(&self, ptr: u32) -> WasiResult<u64> {
        Ok(u64::from_le_bytes(self.array(ptr)?))
    }

    pub fn write(&mut self, ptr: u32, bytes: &[u8]) -> WasiResult<()> {
        let len = u32::try_from(bytes.len()).map_err(|_| fault())?;
        self.slice_mut(ptr, len)?.copy_from_slice(bytes);
        Ok(())
    }
    pub fn set_u8(&mut self, ptr: u32, v: u8) -> WasiResult<()> {
        self.write(ptr, &[v])
    }
    pub fn set_u16(&mut self, ptr: u32, v: u16) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }
    pub fn set_u32(&mut self, ptr: u32, v: u32) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }
    pub fn set_u64(&mut self, ptr: u32, v: u64) -> WasiResult<()> {
        self.write(ptr, &v.to_le_bytes())
    }

    /// The `i`-th entry of an iovec/ciovec array at `iovs`: (buffer pointer, length).
    pub fn iovec(&self, iovs: u32, i: u32) -> WasiResult<(u32, u32)> {
        let at = i.checked_mul(8).and_then(|o| iovs.checked_add(o)).ok_or_else(fault)?;
        let len_at = at.checked_add(4).ok_or_else(fault)?;
        Ok((self.u32(at)?, self.u32(len_at)?))
    }

    /// A path argument: UTF-8 (else EILSEQ) and at most `config::WASI_MAX_PATH` bytes.
    pub fn path(&self, ptr: u32, len: u32) -> WasiResult<&str> {
        let bytes = self.slice(ptr, len)?;
        if bytes.len() > config::WASI_MAX_PATH {
            return Err(Abort::Errno(ENAMETOOLONG));
        }
        core::str::from_utf8(bytes).map_err(|_| Abort::Errno(EILSEQ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bounds_are_checked() {
        let mut buf = [0u8; 16];
        let mut g = Guest::new(&mut buf);
        assert!(g.set_u64(8, 7).is_ok());
        assert_eq!(g.u64(8), Ok(7));
        assert_eq!(g.set_u64(9, 7), Err(fault()));
        assert_eq!(g.u32(u32::MAX), Err(fault()));
        assert_eq!(g.slice(16, 0).map(|s| s.len()), Ok(0));
        assert_eq!(g.slice(17, 0).map(|s| s.len()), Err(fault()));
        assert_eq!(g.iovec(u32::MAX - 3, 0), Err(fault()));
    }

    #[test]
    fn paths_must_be_utf8() {
        let mut buf = *b"ok\xff";
        let g = Guest::new(&mut buf);
        assert_eq!(g.path(0, 2), Ok("ok"));
        assert_eq!(g.path(0, 3), Err(Abort::Errno(EILSEQ)));
    }
}
