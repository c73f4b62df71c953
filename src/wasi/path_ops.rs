//! The `path_*` functions: operations on paths inside a directory the plugin holds (a preopen or a
//! directory opened from one), confined to it by `path::resolve` (inside `fs_std`). Under a `ro:`
//! preopen every change fails with EPERM (upstream 1.41's answer).

use wasmi::Error;

use super::define_fn;
use super::errno::*;
use super::fd::{Entry, Opened};
use super::fd_ops::times;

const LOOKUP_SYMLINK_FOLLOW: u32 = 1;
const OFLAGS_ALL: u32 = 0xf;
use super::fd_ops::FDFLAGS_ALL;

const RIGHTS_FD_READ: u64 = 1 << 1;
const RIGHTS_FD_WRITE: u64 = 1 << 6;
const RIGHTS_FD_ALLOCATE: u64 = 1 << 8;
const RIGHTS_FD_READDIR: u64 = 1 << 14;
const RIGHTS_FD_FILESTAT_SET_SIZE: u64 = 1 << 22;

/// Whether `lookupflags` asks to follow a final symbolic link.
fn follow(flags: u32) -> WasiResult<bool> {
    if flags > LOOKUP_SYMLINK_FOLLOW {
        return Err(Abort::Trap(INVALID_VALUE));
    }
    Ok(flags & LOOKUP_SYMLINK_FOLLOW != 0)
}

pub fn define(l: &mut crate::imports::Definer<'_>) -> Result<(), Error> {
    define_fn!(l, "path_open", |g, w, fd: u32, dirflags: u32, path: u32, len: u32, oflags: u32, base: u64, _inheriting: u64, fdflags: u32, out: u32| {
        let follow = follow(dirflags)?;
        if oflags > OFLAGS_ALL || fdflags > FDFLAGS_ALL {
            return Err(Abort::Trap(INVALID_VALUE));
        }
        let path = g.path(path, len)?;
        let write = base & (RIGHTS_FD_WRITE | RIGHTS_FD_ALLOCATE | RIGHTS_FD_FILESTAT_SET_SIZE) != 0;
        let read = base & (RIGHTS_FD_READ | RIGHTS_FD_READDIR) != 0;
        let opened = w.dir(fd)?.open(path, follow, oflags as u16, read, write, fdflags as u16)?;
        let entry = match opened {
            Opened::File(f) => Entry::File(f),
            Opened::Dir(d) => Entry::Dir(d),
        };
        let new_fd = w.insert(entry)?;
        g.set_u32(out, new_fd)
    });
    define_fn!(l, "path_create_directory", |g, w, fd: u32, path: u32, len: u32| {
        let path = g.path(path, len)?;
        Ok(w.dir(fd)?.create_dir(path)?)
    });
    define_fn!(l, "path_remove_directory", |g, w, fd: u32, path: u32, len: u32| {
        let path = g.path(path, len)?;
        Ok(w.dir(fd)?.remove_dir(path)?)
    });
    define_fn!(l, "path_unlink_file", |g, w, fd: u32, path: u32, len: u32| {
        let path = g.path(path, len)?;
        Ok(w.dir(fd)?.unlink(path)?)
    });
    define_fn!(l, "path_rename", |g, w, fd: u32, old: u32, old_len: u32, new_fd: u32, new: u32, new_len: u32| {
        let (old, new) = (g.path(old, old_len)?, g.path(new, new_len)?);
        let (from, to) = w.dir_pair(fd, new_fd)?;
        Ok(from.rename(old, to, new)?)
    });
    define_fn!(l, "path_link", |g, w, fd: u32, flags: u32, old: u32, old_len: u32, new_fd: u32, new: u32, new_len: u32| {
        let follow = follow(flags)?;
        let (old, new) = (g.path(old, old_len)?, g.path(new, new_len)?);
        let (from, to) = w.dir_pair(fd, new_fd)?;
        Ok(from.link(old, follow, to, new)?)
    });
    define_fn!(l, "path_symlink", |g, w, target: u32, target_len: u32, fd: u32, path: u32, len: u32| {
        let (target, path) = (g.path(target, target_len)?, g.path(path, len)?);
        Ok(w.dir(fd)?.symlink(target, path)?)
    });
    define_fn!(l, "path_readlink", |g, w, fd: u32, path: u32, len: u32, buf: u32, buf_len: u32, out: u32| {
        let target = {
            let path = g.path(path, len)?;
            w.dir(fd)?.readlink(path)?
        };
        let n = target.len().min(buf_len as usize);
        g.write(buf, &target[..n])?;
        g.set_u32(out, n as u32)
    });
    define_fn!(l, "path_filestat_get", |g, w, fd: u32, flags: u32, path: u32, len: u32, out: u32| {
        let follow = follow(flags)?;
        let stat = {
            let path = g.path(path, len)?;
            w.dir(fd)?.path_filestat(path, follow)?
        };
        g.write(out, &stat.to_bytes())
    });
    define_fn!(l, "path_filestat_set_times", |g, w, fd: u32, flags: u32, path: u32, len: u32, atim: u64, mtim: u64, fst: u32| {
        let follow = follow(flags)?;
        let t = times(atim, mtim, fst)?;
        let path = g.path(path, len)?;
        Ok(w.dir(fd)?.path_set_times(path, follow, &t)?)
    });
    Ok(())
}
