//! The `fd_*` functions: stdio, open files and directories through the fd table.

use wasmi::Error;

use super::define_fn;
use super::errno::*;
use super::fd::{Entry, Filestat, Times, WasiState, FILETYPE_DIRECTORY};
use super::memory::{self, Guest};
use super::{clock, stdio};

/// Every right of preview 1 (bits 0-29); rights are not enforced beyond read-only preopens.
const RIGHTS_ALL: u64 = (1 << 30) - 1;
const RIGHTS_FD_SEEK: u64 = 1 << 2;
const RIGHTS_FD_TELL: u64 = 1 << 5;

const FSTFLAGS_ATIM: u16 = 1;
const FSTFLAGS_ATIM_NOW: u16 = 2;
const FSTFLAGS_MTIM: u16 = 4;
const FSTFLAGS_MTIM_NOW: u16 = 8;

const WHENCE_END: u8 = 2;
const ADVICE_MAX: u32 = 5;
/// Every fdflags bit preview 1 defines (append, dsync, nonblock, rsync, sync).
pub(super) const FDFLAGS_ALL: u32 = 0x1f;

fn stdio_filestat(w: &WasiState, fd: u32) -> Filestat {
    Filestat { filetype: stdio::filetype(w.output, fd), ..Filestat::default() }
}

/// `fst_flags` and the two times as the changes to make.
pub fn times(atim: u64, mtim: u64, flags: u32) -> WasiResult<Times> {
    let flags = u16::try_from(flags).ok().filter(|f| *f <= 15).ok_or(Abort::Trap(INVALID_VALUE))?;
    let pick = |set: u16, now: u16, t: u64| -> WasiResult<Option<u64>> {
        match (flags & set != 0, flags & now != 0) {
            (true, true) => err(EINVAL),
            (true, false) => Ok(Some(t)),
            (false, true) => Ok(Some(clock::now(clock::REALTIME)?)),
            (false, false) => Ok(None),
        }
    };
    Ok(Times { atim: pick(FSTFLAGS_ATIM, FSTFLAGS_ATIM_NOW, atim)?, mtim: pick(FSTFLAGS_MTIM, FSTFLAGS_MTIM_NOW, mtim)? })
}

/// Reads into the iovecs in order, stopping at a short read; returns the bytes read.
fn read_into(g: &mut Guest<'_>, iovs: u32, n: u32, mut read: impl FnMut(&mut [u8], u64) -> Result<usize, Errno>) -> WasiResult<u32> {
    let mut total: u64 = 0;
    for i in 0..n {
        let (ptr, len) = g.iovec(iovs, i)?;
        let buf = g.slice_mut(ptr, len)?;
        let got = match read(buf, total) {
            Ok(got) => got,
            Err(_) if total > 0 => break,
            Err(e) => return err(e),
        };
        total += got as u64;
        if got < len as usize {
            break;
        }
    }
    Ok(u32::try_from(total).unwrap_or(u32::MAX))
}

/// Writes the iovecs in order; an error after some bytes ends the write early with its count.
fn write_from(g: &Guest<'_>, iovs: u32, n: u32, mut write: impl FnMut(&[u8], u64) -> Result<usize, Errno>) -> WasiResult<u32> {
    let mut total: u64 = 0;
    'iovs: for i in 0..n {
        let (ptr, len) = g.iovec(iovs, i)?;
        let mut buf = g.slice(ptr, len)?;
        while !buf.is_empty() {
            match write(buf, total) {
                Ok(0) => break 'iovs,
                Ok(put) => {
                    total += put as u64;
                    buf = &buf[put..];
                }
                Err(_) if total > 0 => break 'iovs,
                Err(e) => return err(e),
            }
        }
    }
    Ok(u32::try_from(total).unwrap_or(u32::MAX))
}

/// Bytes the iovecs hold (checking that each lies in memory).
fn iovecs_len(g: &Guest<'_>, iovs: u32, n: u32) -> WasiResult<u32> {
    let mut total: u32 = 0;
    for i in 0..n {
        let (ptr, len) = g.iovec(iovs, i)?;
        g.slice(ptr, len)?;
        total = total.saturating_add(len);
    }
    Ok(total)
}

fn fd_write(g: &mut Guest<'_>, w: &mut WasiState, fd: u32, iovs: u32, n: u32) -> WasiResult<u32> {
    let output = w.output;
    let to_err = match w.get(fd)? {
        Entry::Stdout => false,
        Entry::Stderr => true,
        Entry::File(f) => return write_from(g, iovs, n, |buf, _| f.write(buf)),
        Entry::Stdin | Entry::Dir(_) => return err(EBADF),
    };
    if let Some(sink) = w.output_sink {
        let fd = if to_err { 2 } else { 1 };
        return write_from(g, iovs, n, |buf, _| {
            crate::hooks::write_output(sink, fd, buf);
            Ok(buf.len())
        });
    }
    if !output {
        return iovecs_len(g, iovs, n);
    }
    let written = write_from(g, iovs, n, |buf, _| stdio::write(true, to_err, buf).map(|_| buf.len()))?;
    stdio::flush(true, to_err);
    Ok(written)
}

/// Writes `fd_readdir` entries from `cookie` into `buf`, the last one cut short if it does not fit.
fn readdir(g: &mut Guest<'_>, w: &mut WasiState, fd: u32, buf: u32, len: u32, cookie: u64) -> WasiResult<u32> {
    let entries = match w.get(fd)? {
        Entry::Dir(d) => d.entries()?,
        _ => return err(ENOTDIR),
    };
    let out = g.slice_mut(buf, len)?;
    let mut used = 0usize;
    let start = usize::try_from(cookie).unwrap_or(usize::MAX);
    for (i, e) in entries.iter().enumerate().skip(start) {
        let mut record = [0u8; 24];
        record[0..8].copy_from_slice(&(i as u64 + 1).to_le_bytes());
        record[8..16].copy_from_slice(&e.ino.to_le_bytes());
        record[16..20].copy_from_slice(&(e.name.len() as u32).to_le_bytes());
        record[20] = e.filetype;
        for part in [&record[..], &e.name[..]] {
            let room = out.len() - used;
            let n = part.len().min(room);
            out[used..used + n].copy_from_slice(&part[..n]);
            used += n;
            if n < part.len() {
                return Ok(used as u32);
            }
        }
    }
    Ok(used as u32)
}

pub fn define(l: &mut crate::imports::Definer<'_>) -> Result<(), Error> {
    define_fn!(l, "fd_write", |g, w, fd: u32, iovs: u32, n: u32, out: u32| {
        let written = fd_write(g, w, fd, iovs, n)?;
        g.set_u32(out, written)
    });
    define_fn!(l, "fd_pwrite", |g, w, fd: u32, iovs: u32, n: u32, offset: u64, out: u32| {
        let written = match w.get(fd)? {
            Entry::File(f) => write_from(g, iovs, n, |buf, done| f.pwrite(buf, offset.saturating_add(done)))?,
            Entry::Dir(_) => return err(EBADF),
            _ => return err(ESPIPE),
        };
        g.set_u32(out, written)
    });
    define_fn!(l, "fd_read", |g, w, fd: u32, iovs: u32, n: u32, out: u32| {
        let read = match w.get(fd)? {
            Entry::Stdin => 0,
            Entry::File(f) => read_into(g, iovs, n, |buf, _| f.read(buf))?,
            _ => return err(EBADF),
        };
        g.set_u32(out, read)
    });
    define_fn!(l, "fd_pread", |g, w, fd: u32, iovs: u32, n: u32, offset: u64, out: u32| {
        let read = match w.get(fd)? {
            Entry::File(f) => read_into(g, iovs, n, |buf, done| f.pread(buf, offset.saturating_add(done)))?,
            Entry::Dir(_) => return err(EBADF),
            _ => return err(ESPIPE),
        };
        g.set_u32(out, read)
    });
    define_fn!(l, "fd_seek", |g, w, fd: u32, offset: i64, whence: u32, out: u32| {
        let whence = u8::try_from(whence).ok().filter(|wh| *wh <= WHENCE_END).ok_or(Abort::Trap(INVALID_VALUE))?;
        let pos = match w.get(fd)? {
            Entry::File(f) => f.seek(offset, whence)?,
            Entry::Dir(_) => return err(EBADF),
            _ => return err(ESPIPE),
        };
        g.set_u64(out, pos)
    });
    define_fn!(l, "fd_tell", |g, w, fd: u32, out: u32| {
        let pos = match w.get(fd)? {
            Entry::File(f) => f.seek(0, 1)?,
            Entry::Dir(_) => return err(EBADF),
            _ => return err(ESPIPE),
        };
        g.set_u64(out, pos)
    });
    define_fn!(l, "fd_close", |_g, w, fd: u32| { Ok(w.close(fd)?) });
    define_fn!(l, "fd_renumber", |_g, w, from: u32, to: u32| { Ok(w.renumber(from, to)?) });
    define_fn!(l, "fd_sync", |_g, w, fd: u32| {
        match w.get(fd)? {
            Entry::File(f) => Ok(f.sync(false)?),
            _ => Ok(()),
        }
    });
    define_fn!(l, "fd_datasync", |_g, w, fd: u32| {
        match w.get(fd)? {
            Entry::File(f) => Ok(f.sync(true)?),
            _ => Ok(()),
        }
    });
    define_fn!(l, "fd_advise", |_g, w, fd: u32, _offset: u64, _len: u64, advice: u32| {
        if advice > ADVICE_MAX {
            return Err(Abort::Trap(INVALID_VALUE));
        }
        match w.get(fd)? {
            Entry::File(_) => Ok(()),
            Entry::Dir(_) => err(EBADF),
            _ => err(ESPIPE),
        }
    });
    define_fn!(l, "fd_allocate", |_g, w, fd: u32, _offset: u64, _len: u64| {
        match w.get(fd)? {
            Entry::File(_) => err(ENOTSUP),
            _ => err(EBADF),
        }
    });
    define_fn!(l, "fd_fdstat_get", |g, w, fd: u32, out: u32| {
        let output = w.output;
        let (filetype, flags, rights) = match w.get(fd)? {
            Entry::Stdin | Entry::Stdout | Entry::Stderr => {
                (stdio::filetype(output, fd), 0, RIGHTS_ALL & !(RIGHTS_FD_SEEK | RIGHTS_FD_TELL))
            }
            Entry::Dir(_) => (FILETYPE_DIRECTORY, 0, RIGHTS_ALL),
            Entry::File(f) => (f.filestat()?.filetype, f.flags(), RIGHTS_ALL),
        };
        let mut record = [0u8; 24];
        record[0] = filetype;
        record[2..4].copy_from_slice(&flags.to_le_bytes());
        record[8..16].copy_from_slice(&rights.to_le_bytes());
        record[16..24].copy_from_slice(&RIGHTS_ALL.to_le_bytes());
        g.write(out, &record)
    });
    define_fn!(l, "fd_fdstat_set_flags", |_g, w, fd: u32, flags: u32| {
        if flags > FDFLAGS_ALL {
            return Err(Abort::Trap(INVALID_VALUE));
        }
        if let Entry::File(f) = w.get(fd)? {
            f.set_flags(flags as u16);
        }
        Ok(())
    });
    define_fn!(l, "fd_fdstat_set_rights", |_g, w, fd: u32, _base: u64, _inheriting: u64| {
        w.get(fd)?;
        Ok(())
    });
    define_fn!(l, "fd_filestat_get", |g, w, fd: u32, out: u32| {
        let stat = match w.get(fd)? {
            Entry::File(f) => f.filestat()?,
            Entry::Dir(d) => d.filestat()?,
            _ => stdio_filestat(w, fd),
        };
        g.write(out, &stat.to_bytes())
    });
    define_fn!(l, "fd_filestat_set_size", |_g, w, fd: u32, size: u64| {
        match w.get(fd)? {
            Entry::File(f) => Ok(f.set_size(size)?),
            _ => err(EBADF),
        }
    });
    define_fn!(l, "fd_filestat_set_times", |_g, w, fd: u32, atim: u64, mtim: u64, flags: u32| {
        let t = times(atim, mtim, flags)?;
        match w.get(fd)? {
            Entry::File(f) => Ok(f.set_times(&t)?),
            Entry::Dir(d) => Ok(d.set_times(&t)?),
            _ => Ok(()),
        }
    });
    define_fn!(l, "fd_prestat_get", |g, w, fd: u32, out: u32| {
        let len = match w.get(fd)? {
            Entry::Dir(d) => d.preopen_name().ok_or(Abort::Errno(EBADF))?.len(),
            _ => return err(EBADF),
        };
        g.write(out, &[0u8; 8])?;
        g.set_u32(memory::at(out, 4)?, len as u32)
    });
    define_fn!(l, "fd_prestat_dir_name", |g, w, fd: u32, path: u32, len: u32| {
        let name = match w.get(fd)? {
            Entry::Dir(d) => d.preopen_name().ok_or(Abort::Errno(EBADF))?,
            _ => return err(EBADF),
        };
        if name.len() > len as usize {
            return err(ENAMETOOLONG);
        }
        g.write(path, name.as_bytes())
    });
    define_fn!(l, "fd_readdir", |g, w, fd: u32, buf: u32, len: u32, cookie: u64, out: u32| {
        let used = readdir(g, w, fd, buf, len, cookie)?;
        g.set_u32(out, used)
    });
    Ok(())
}
