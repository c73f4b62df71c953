//! The per-plugin WASI state: the file descriptor table (stdio, preopened directories from
//! `allowed_paths`, then what the plugin opens) and the stdio switch.

use alloc::string::String;
use alloc::vec::Vec;

use super::errno::{Errno, EBADF, EMFILE, ENOTDIR};
use super::fs::{Dir, File};
use crate::config;

/// What one file descriptor refers to.
pub enum Entry {
    Stdin,
    Stdout,
    Stderr,
    Dir(Dir),
    File(File),
}

/// `filetype` values.
pub const FILETYPE_UNKNOWN: u8 = 0;
pub const FILETYPE_CHARACTER_DEVICE: u8 = 2;
pub const FILETYPE_DIRECTORY: u8 = 3;
pub const FILETYPE_REGULAR_FILE: u8 = 4;
pub const FILETYPE_SYMBOLIC_LINK: u8 = 7;

/// `fdflags` bits.
pub const FDFLAGS_APPEND: u16 = 1;

/// `oflags` bits of `path_open`.
pub const OFLAGS_CREAT: u16 = 1;
pub const OFLAGS_DIRECTORY: u16 = 2;
pub const OFLAGS_EXCL: u16 = 4;
pub const OFLAGS_TRUNC: u16 = 8;

/// What `path_open` made.
pub enum Opened {
    File(File),
    Dir(Dir),
}

/// One `fd_readdir` entry.
pub struct DirEntry {
    pub name: Vec<u8>,
    pub ino: u64,
    pub filetype: u8,
}

/// New times for the `*_set_times` functions, in nanoseconds since the epoch; None keeps a time.
pub struct Times {
    pub atim: Option<u64>,
    pub mtim: Option<u64>,
}

/// A `filestat` record.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Filestat {
    pub dev: u64,
    pub ino: u64,
    pub filetype: u8,
    pub nlink: u64,
    pub size: u64,
    pub atim: u64,
    pub mtim: u64,
    pub ctim: u64,
}

impl Filestat {
    /// The 64-byte little-endian layout of preview 1.
    pub fn to_bytes(&self) -> [u8; 64] {
        let mut b = [0u8; 64];
        b[0..8].copy_from_slice(&self.dev.to_le_bytes());
        b[8..16].copy_from_slice(&self.ino.to_le_bytes());
        b[16] = self.filetype;
        b[24..32].copy_from_slice(&self.nlink.to_le_bytes());
        b[32..40].copy_from_slice(&self.size.to_le_bytes());
        b[40..48].copy_from_slice(&self.atim.to_le_bytes());
        b[48..56].copy_from_slice(&self.mtim.to_le_bytes());
        b[56..64].copy_from_slice(&self.ctim.to_le_bytes());
        b
    }
}

pub struct WasiState {
    fds: Vec<Option<Entry>>,
    /// Descriptors made at creation (stdio and the preopened directories).
    preopened: usize,
    /// `EXTISM_ENABLE_WASI_OUTPUT` was set when the plugin was made: fd 1 and 2 reach the host's
    /// stdout and stderr (else they are swallowed).
    pub output: bool,
    /// The host's per-plugin receiver of fd 1 and 2 (`extism_x_plugin_set_output_sink`); when set,
    /// it gets every write, whatever `output` says.
    pub output_sink: Option<crate::hooks::Hook<crate::hooks::OutputSinkHook>>,
    /// The running call's deadline and cancel flag (set before each WASI function runs).
    pub interrupt: Interrupt,
}

/// What can end a WASI function that waits.
#[derive(Default, Clone)]
pub struct Interrupt {
    pub deadline_ns: Option<u64>,
    pub cancel: Option<alloc::sync::Arc<crate::plugin::CancelHandle>>,
}

impl Interrupt {
    /// True once the call must stop.
    pub fn due(&self) -> bool {
        self.cancel.as_ref().is_some_and(|c| c.is_requested())
            || self.deadline_ns.is_some_and(|d| crate::hooks::now_ns().is_none_or(|now| now >= d))
    }
}

impl WasiState {
    /// Stdio on fds 0-2, then one preopened directory per `allowed_paths` entry from fd 3, in
    /// sorted key order (host directory, `ro:` prefix included). A missing host directory fails.
    pub fn new<'a>(allowed_paths: impl Iterator<Item = (&'a String, &'a String)>, output: bool) -> Result<WasiState, String> {
        let mut fds = alloc::vec![Some(Entry::Stdin), Some(Entry::Stdout), Some(Entry::Stderr)];
        for (host, guest) in allowed_paths {
            if fds.len() - 3 >= config::WASI_MAX_PREOPENS {
                return Err(alloc::format!(
                    "too many allowed_paths (this build allows {})",
                    config::WASI_MAX_PREOPENS
                ));
            }
            let (host, read_only) = match host.strip_prefix("ro:") {
                Some(h) => (h, true),
                None => (host.as_str(), false),
            };
            fds.push(Some(Entry::Dir(Dir::preopen(host, guest, read_only)?)));
        }
        let preopened = fds.len();
        Ok(WasiState { fds, preopened, output, output_sink: None, interrupt: Interrupt::default() })
    }

    /// A descriptor the plugin opened (or moved, or a standard one it closed): one a saved state
    /// cannot carry. None when the table is as it was made.
    pub fn opened_fd(&self) -> Option<u32> {
        let moved = self.fds.iter().take(self.preopened).position(|e| e.is_none());
        let opened = self.fds.iter().skip(self.preopened).position(|e| e.is_some()).map(|i| i + self.preopened);
        moved.or(opened).map(|fd| fd as u32)
    }

    pub fn get(&mut self, fd: u32) -> Result<&mut Entry, Errno> {
        self.fds.get_mut(fd as usize).and_then(|e| e.as_mut()).ok_or(EBADF)
    }

    pub fn dir(&mut self, fd: u32) -> Result<&mut Dir, Errno> {
        match self.get(fd)? {
            Entry::Dir(d) => Ok(d),
            _ => Err(ENOTDIR),
        }
    }

    /// Two directories at once (the same one twice is fine).
    pub fn dir_pair(&self, a: u32, b: u32) -> Result<(&Dir, &Dir), Errno> {
        let get = |fd: u32| match self.fds.get(fd as usize).and_then(|e| e.as_ref()) {
            Some(Entry::Dir(d)) => Ok(d),
            Some(_) => Err(ENOTDIR),
            None => Err(EBADF),
        };
        Ok((get(a)?, get(b)?))
    }

    pub fn file(&mut self, fd: u32) -> Result<&mut File, Errno> {
        match self.get(fd)? {
            Entry::File(f) => Ok(f),
            _ => Err(EBADF),
        }
    }

    /// Puts `entry` in the lowest free slot.
    pub fn insert(&mut self, entry: Entry) -> Result<u32, Errno> {
        let slot = match self.fds.iter().position(|e| e.is_none()) {
            Some(i) => i,
            None if self.fds.len() < config::WASI_MAX_FDS => {
                self.fds.push(None);
                self.fds.len() - 1
            }
            None => return Err(EMFILE),
        };
        self.fds[slot] = Some(entry);
        Ok(slot as u32)
    }

    pub fn close(&mut self, fd: u32) -> Result<(), Errno> {
        let slot = self.fds.get_mut(fd as usize).ok_or(EBADF)?;
        slot.take().map(|_| ()).ok_or(EBADF)
    }

    /// `fd_renumber`: `from` replaces `to` (which is closed) and `from` becomes free.
    pub fn renumber(&mut self, from: u32, to: u32) -> Result<(), Errno> {
        self.get(from)?;
        self.get(to)?;
        if from != to {
            let entry = self.fds[from as usize].take();
            self.fds[to as usize] = entry;
        }
        Ok(())
    }
}
