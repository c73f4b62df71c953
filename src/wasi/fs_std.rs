//! Files and directories on the host (`std`): preopened directories, the path operations inside
//! them (every path confined by `path::resolve`), and open files.
//!
//! A directory is held by its host path, not an OS handle: the walk in `path::resolve` checks each
//! component, and the final open refuses symbolic links (`O_NOFOLLOW`). A host process that swaps a
//! checked directory for a link while the plugin runs is outside this model.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::PathBuf;
use std::string::{String, ToString};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use std::vec::Vec;

use super::errno::*;
use super::fd::*;
use super::path::{self, Kind, Lookup};

pub struct Dir {
    host: PathBuf,
    /// Under a `ro:` preopen: every operation that would change something fails with EPERM.
    pub read_only: bool,
    /// The guest path of a preopened directory (`fd_prestat_*`); None for directories opened later.
    preopen: Option<String>,
}

pub struct File {
    file: fs::File,
    append: bool,
}

struct HostLookup<'a>(&'a std::path::Path);

impl Lookup for HostLookup<'_> {
    fn kind(&self, components: &[String]) -> Kind {
        let p = join(self.0, components);
        match fs::symlink_metadata(&p) {
            Err(_) => Kind::Missing,
            Ok(m) if m.file_type().is_symlink() => match fs::read_link(&p) {
                Ok(t) => Kind::Symlink(t.to_string_lossy().into_owned()),
                Err(_) => Kind::Missing,
            },
            Ok(m) if m.is_dir() => Kind::Dir,
            Ok(_) => Kind::File,
        }
    }
}

fn join(root: &std::path::Path, components: &[String]) -> PathBuf {
    let mut p = root.to_path_buf();
    p.extend(components);
    p
}

impl Dir {
    /// A preopen: the host directory must exist (upstream's message otherwise).
    pub fn preopen(host: &str, guest: &str, read_only: bool) -> Result<Dir, String> {
        let host = fs::canonicalize(host).map_err(|e| e.to_string())?;
        let meta = fs::metadata(&host).map_err(|e| e.to_string())?;
        if !meta.is_dir() {
            return Err(not_a_directory());
        }
        Ok(Dir { host, read_only, preopen: Some(guest.to_string()) })
    }

    pub fn preopen_name(&self) -> Option<&str> {
        self.preopen.as_deref()
    }

    fn writable(&self) -> Result<(), Errno> {
        if self.read_only {
            return Err(EPERM);
        }
        Ok(())
    }

    /// The host path `path` names inside this directory (the directory itself for `.`).
    fn resolve(&self, path: &str, follow: bool) -> Result<PathBuf, Errno> {
        let components = path::resolve(path, follow, &HostLookup(&self.host))?;
        Ok(join(&self.host, &components))
    }

    /// Like `resolve`, for operations on an entry: the directory itself gives `at_root`.
    fn resolve_entry(&self, path: &str, follow: bool, at_root: Errno) -> Result<PathBuf, Errno> {
        let components = path::resolve(path, follow, &HostLookup(&self.host))?;
        if components.is_empty() {
            return Err(at_root);
        }
        Ok(join(&self.host, &components))
    }

    pub fn filestat(&self) -> Result<Filestat, Errno> {
        fs::metadata(&self.host).map(|m| filestat(&m)).map_err(|e| errno(&e))
    }

    pub fn set_times(&self, times: &Times) -> Result<(), Errno> {
        self.writable()?;
        set_times_at(&self.host, times)
    }

    pub fn open(&self, path: &str, follow: bool, oflags: u16, read: bool, write: bool, fdflags: u16) -> Result<Opened, Errno> {
        let (creat, excl, trunc) = (oflags & OFLAGS_CREAT != 0, oflags & OFLAGS_EXCL != 0, oflags & OFLAGS_TRUNC != 0);
        if write || creat || trunc || fdflags & FDFLAGS_APPEND != 0 {
            self.writable()?;
        }
        let host = self.resolve(path, follow)?;
        match fs::symlink_metadata(&host) {
            Ok(m) if m.file_type().is_symlink() => return Err(ELOOP),
            Ok(_) if creat && excl => return Err(EEXIST),
            Ok(m) if m.is_dir() => {
                if write || trunc {
                    return Err(EISDIR);
                }
                return Ok(Opened::Dir(Dir { host, read_only: self.read_only, preopen: None }));
            }
            Ok(_) if oflags & OFLAGS_DIRECTORY != 0 => return Err(ENOTDIR),
            Ok(_) => {}
            Err(e) if e.kind() == io::ErrorKind::NotFound && creat && oflags & OFLAGS_DIRECTORY == 0 => {}
            Err(e) => return Err(errno(&e)),
        }
        let os_write = write || creat || trunc;
        let mut options = fs::OpenOptions::new();
        options.read(read || !os_write).write(os_write).create(creat).create_new(creat && excl).truncate(trunc);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
        let file = options.open(&host).map_err(|e| errno(&e))?;
        Ok(Opened::File(File { file, append: fdflags & FDFLAGS_APPEND != 0 }))
    }

    pub fn create_dir(&self, path: &str) -> Result<(), Errno> {
        self.writable()?;
        let host = self.resolve_entry(path, false, EEXIST)?;
        fs::create_dir(host).map_err(|e| errno(&e))
    }

    pub fn remove_dir(&self, path: &str) -> Result<(), Errno> {
        self.writable()?;
        let host = self.resolve_entry(path, false, EINVAL)?;
        fs::remove_dir(host).map_err(|e| errno(&e))
    }

    pub fn unlink(&self, path: &str) -> Result<(), Errno> {
        self.writable()?;
        let host = self.resolve_entry(path, false, EISDIR)?;
        fs::remove_file(host).map_err(|e| errno(&e))
    }

    pub fn rename(&self, old: &str, to: &Dir, new: &str) -> Result<(), Errno> {
        self.writable()?;
        to.writable()?;
        let from = self.resolve_entry(old, false, EBUSY)?;
        let dest = to.resolve_entry(new, false, EBUSY)?;
        fs::rename(from, dest).map_err(|e| errno(&e))
    }

    pub fn link(&self, old: &str, follow: bool, to: &Dir, new: &str) -> Result<(), Errno> {
        self.writable()?;
        to.writable()?;
        let from = self.resolve_entry(old, follow, EPERM)?;
        let dest = to.resolve_entry(new, false, EEXIST)?;
        fs::hard_link(from, dest).map_err(|e| errno(&e))
    }

    pub fn symlink(&self, target: &str, path: &str) -> Result<(), Errno> {
        self.writable()?;
        let host = self.resolve_entry(path, false, EEXIST)?;
        #[cfg(unix)]
        return std::os::unix::fs::symlink(target, host).map_err(|e| errno(&e));
        #[cfg(not(unix))]
        {
            let _ = (target, host);
            Err(ENOSYS)
        }
    }

    pub fn readlink(&self, path: &str) -> Result<Vec<u8>, Errno> {
        let host = self.resolve_entry(path, false, EINVAL)?;
        let target = fs::read_link(host).map_err(|e| errno(&e))?;
        Ok(target.to_string_lossy().into_owned().into_bytes())
    }

    pub fn path_filestat(&self, path: &str, follow: bool) -> Result<Filestat, Errno> {
        let host = self.resolve(path, follow)?;
        fs::symlink_metadata(host).map(|m| filestat(&m)).map_err(|e| errno(&e))
    }

    pub fn path_set_times(&self, path: &str, follow: bool, times: &Times) -> Result<(), Errno> {
        self.writable()?;
        let host = self.resolve(path, follow)?;
        set_times_at(&host, times)
    }

    /// `.`, `..`, then the entries sorted by name (a cookie is an index into this list).
    pub fn entries(&self) -> Result<Vec<DirEntry>, Errno> {
        let me = fs::metadata(&self.host).map_err(|e| errno(&e))?;
        let mut out = Vec::new();
        for e in fs::read_dir(&self.host).map_err(|e| errno(&e))? {
            let e = e.map_err(|e| errno(&e))?;
            let Ok(m) = fs::symlink_metadata(e.path()) else { continue };
            let st = filestat(&m);
            out.push(DirEntry { name: e.file_name().to_string_lossy().into_owned().into_bytes(), ino: st.ino, filetype: st.filetype });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        let own = filestat(&me);
        let dots = [(".", own.ino), ("..", own.ino)];
        let mut all: Vec<DirEntry> =
            dots.iter().map(|(n, ino)| DirEntry { name: n.as_bytes().to_vec(), ino: *ino, filetype: FILETYPE_DIRECTORY }).collect();
        all.extend(out);
        Ok(all)
    }
}

/// Sets the times of what `host` names, never through a final symbolic link (ELOOP instead).
fn set_times_at(host: &std::path::Path, times: &Times) -> Result<(), Errno> {
    let mut options = fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, libc::O_NOFOLLOW);
    let file = options.open(host).map_err(|e| errno(&e))?;
    set_file_times(&file, times)
}

fn set_file_times(file: &fs::File, times: &Times) -> Result<(), Errno> {
    let mut t = fs::FileTimes::new();
    if let Some(a) = times.atim {
        t = t.set_accessed(from_nanos(a));
    }
    if let Some(m) = times.mtim {
        t = t.set_modified(from_nanos(m));
    }
    file.set_times(t).map_err(|e| errno(&e))
}

impl File {
    pub fn read(&mut self, buf: &mut [u8]) -> Result<usize, Errno> {
        self.file.read(buf).map_err(|e| errno(&e))
    }

    pub fn write(&mut self, buf: &[u8]) -> Result<usize, Errno> {
        if self.append {
            self.file.seek(SeekFrom::End(0)).map_err(|e| errno(&e))?;
        }
        self.file.write(buf).map_err(|e| errno(&e))
    }

    pub fn pread(&mut self, buf: &mut [u8], offset: u64) -> Result<usize, Errno> {
        #[cfg(unix)]
        return std::os::unix::fs::FileExt::read_at(&self.file, buf, offset).map_err(|e| errno(&e));
        #[cfg(not(unix))]
        {
            let _ = (buf, offset);
            Err(ENOSYS)
        }
    }

    pub fn pwrite(&mut self, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        #[cfg(unix)]
        return std::os::unix::fs::FileExt::write_at(&self.file, buf, offset).map_err(|e| errno(&e));
        #[cfg(not(unix))]
        {
            let _ = (buf, offset);
            Err(ENOSYS)
        }
    }

    /// `whence`: 0 set, 1 current, 2 end (checked by the caller).
    pub fn seek(&mut self, offset: i64, whence: u8) -> Result<u64, Errno> {
        let to = match whence {
            0 => SeekFrom::Start(u64::try_from(offset).map_err(|_| EINVAL)?),
            1 => SeekFrom::Current(offset),
            _ => SeekFrom::End(offset),
        };
        self.file.seek(to).map_err(|e| errno(&e))
    }

    pub fn filestat(&self) -> Result<Filestat, Errno> {
        self.file.metadata().map(|m| filestat(&m)).map_err(|e| errno(&e))
    }

    pub fn set_size(&mut self, size: u64) -> Result<(), Errno> {
        self.file.set_len(size).map_err(|e| errno(&e))
    }

    pub fn sync(&mut self, data_only: bool) -> Result<(), Errno> {
        let r = if data_only { self.file.sync_data() } else { self.file.sync_all() };
        r.map_err(|e| errno(&e))
    }

    pub fn set_times(&mut self, times: &Times) -> Result<(), Errno> {
        set_file_times(&self.file, times)
    }

    pub fn flags(&self) -> u16 {
        if self.append {
            FDFLAGS_APPEND
        } else {
            0
        }
    }

    pub fn set_flags(&mut self, flags: u16) {
        self.append = flags & FDFLAGS_APPEND != 0;
    }
}

/// Nanoseconds since the epoch of a host time (0 when unknown or before the epoch).
#[cfg(not(unix))]
fn nanos(t: io::Result<SystemTime>) -> u64 {
    t.ok()
        .and_then(|t| t.duration_since(UNIX_EPOCH).ok())
        .map_or(0, |d| u64::try_from(d.as_nanos()).unwrap_or(u64::MAX))
}

/// A guest timestamp (nanoseconds since the epoch) as a host time.
fn from_nanos(ns: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(ns)
}

fn filestat(m: &fs::Metadata) -> Filestat {
    let ft = m.file_type();
    let filetype = if ft.is_symlink() {
        FILETYPE_SYMBOLIC_LINK
    } else if ft.is_dir() {
        FILETYPE_DIRECTORY
    } else if ft.is_file() {
        FILETYPE_REGULAR_FILE
    } else {
        special_filetype(&ft)
    };
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let ts = |s: i64, ns: i64| (s.max(0) as u64).saturating_mul(1_000_000_000).saturating_add(ns.max(0) as u64);
        Filestat {
            dev: m.dev(),
            ino: m.ino(),
            filetype,
            nlink: m.nlink(),
            size: m.size(),
            atim: ts(m.atime(), m.atime_nsec()),
            mtim: ts(m.mtime(), m.mtime_nsec()),
            ctim: ts(m.ctime(), m.ctime_nsec()),
        }
    }
    #[cfg(not(unix))]
    Filestat {
        dev: 0,
        ino: 0,
        filetype,
        nlink: 1,
        size: m.len(),
        atim: nanos(m.accessed()),
        mtim: nanos(m.modified()),
        ctim: nanos(m.created()),
    }
}

fn special_filetype(ft: &fs::FileType) -> u8 {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if ft.is_block_device() {
            return 1;
        }
        if ft.is_char_device() {
            return 2;
        }
        if ft.is_socket() {
            return 6;
        }
    }
    let _ = ft;
    FILETYPE_UNKNOWN
}

fn not_a_directory() -> String {
    #[cfg(unix)]
    return io::Error::from_raw_os_error(libc::ENOTDIR).to_string();
    #[cfg(not(unix))]
    return String::from("Not a directory");
}

/// The WASI errno for a host I/O error.
pub fn errno(e: &io::Error) -> Errno {
    #[cfg(unix)]
    if let Some(code) = e.raw_os_error() {
        return from_os(code);
    }
    use io::ErrorKind as K;
    match e.kind() {
        K::NotFound => ENOENT,
        K::PermissionDenied => EACCES,
        K::AlreadyExists => EEXIST,
        K::InvalidInput | K::InvalidData => EINVAL,
        K::Interrupted => EINTR,
        K::WouldBlock => EAGAIN,
        K::Unsupported => ENOTSUP,
        K::OutOfMemory => ENOMEM,
        _ => EIO,
    }
}

#[cfg(unix)]
fn from_os(code: i32) -> Errno {
    match code {
        libc::EPERM => EPERM,
        libc::ENOENT => ENOENT,
        libc::EIO => EIO,
        libc::EBADF => EBADF,
        libc::EAGAIN => EAGAIN,
        libc::ENOMEM => ENOMEM,
        libc::EACCES => EACCES,
        libc::EFAULT => EFAULT,
        libc::EBUSY => EBUSY,
        libc::EEXIST => EEXIST,
        libc::EXDEV => EXDEV,
        libc::ENOTDIR => ENOTDIR,
        libc::EISDIR => EISDIR,
        libc::EINVAL => EINVAL,
        libc::ENFILE => ENFILE,
        libc::EMFILE => EMFILE,
        libc::ETXTBSY => ETXTBSY,
        libc::EFBIG => EFBIG,
        libc::ENOSPC => ENOSPC,
        libc::ESPIPE => ESPIPE,
        libc::EROFS => EROFS,
        libc::EMLINK => EMLINK,
        libc::ERANGE => ERANGE,
        libc::ENAMETOOLONG => ENAMETOOLONG,
        libc::ENOSYS => ENOSYS,
        libc::ENOTEMPTY => ENOTEMPTY,
        libc::ELOOP => ELOOP,
        libc::EOVERFLOW => EOVERFLOW,
        libc::EILSEQ => EILSEQ,
        libc::EINTR => EINTR,
        libc::ENOTSUP => ENOTSUP,
        _ if code == libc::EOPNOTSUPP => ENOTSUP,
        _ => EIO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A scratch tree under the system temp dir: root/data (the preopen) and root/secret.
    fn scratch(name: &str) -> PathBuf {
        let root = std::env::temp_dir().join(std::format!("extism-wasi-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&root);
        fs::create_dir_all(root.join("data/sub")).unwrap();
        fs::create_dir_all(root.join("secret")).unwrap();
        fs::write(root.join("data/data.txt"), "hello").unwrap();
        fs::write(root.join("secret/s.txt"), "secret").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::symlink;
            symlink("/etc", root.join("data/etc_link")).unwrap();
            symlink("../secret/s.txt", root.join("data/rel_out")).unwrap();
            symlink(root.join("secret"), root.join("data/abs_dir")).unwrap();
            symlink("data.txt", root.join("data/in_link")).unwrap();
        }
        root
    }

    fn open_read(d: &Dir, path: &str) -> Result<(), Errno> {
        d.open(path, true, 0, true, false, 0).map(|_| ())
    }

    #[test]
    fn host_paths_stay_inside() {
        let root = scratch("inside");
        let d = Dir::preopen(root.join("data").to_str().unwrap(), "/data", false).unwrap();
        assert_eq!(open_read(&d, "data.txt"), Ok(()));
        assert_eq!(open_read(&d, "../secret/s.txt"), Err(EPERM));
        assert_eq!(open_read(&d, "sub/../../secret/s.txt"), Err(EPERM));
        assert_eq!(open_read(&d, "/etc/passwd"), Err(EPERM));
        assert_eq!(d.path_filestat("../secret", true).map(|_| ()), Err(EPERM));
        assert_eq!(d.create_dir("../escaped"), Err(EPERM));
        assert_eq!(d.rename("data.txt", &d, "../moved.txt"), Err(EPERM));
        assert_eq!(d.unlink("../secret/s.txt"), Err(EPERM));
        assert_eq!(d.remove_dir("."), Err(EINVAL));
        assert_eq!(d.remove_dir("sub/.."), Err(EINVAL));
        #[cfg(unix)]
        {
            assert_eq!(open_read(&d, "etc_link/passwd"), Err(EPERM));
            assert_eq!(open_read(&d, "rel_out"), Err(EPERM));
            assert_eq!(open_read(&d, "abs_dir/s.txt"), Err(EPERM));
            assert_eq!(open_read(&d, "in_link"), Ok(()));
            assert_eq!(d.open("in_link", false, 0, true, false, 0).map(|_| ()), Err(ELOOP));
            assert_eq!(d.path_filestat("rel_out", false).map(|s| s.filetype), Ok(FILETYPE_SYMBOLIC_LINK));
            // a link the plugin makes is checked when used, not when made
            assert_eq!(d.symlink("../secret", "made"), Ok(()));
            assert_eq!(open_read(&d, "made/s.txt"), Err(EPERM));
            assert_eq!(d.unlink("made"), Ok(()));
            // times are never set through a link, followed or not
            let now = Times { atim: Some(0), mtim: Some(0) };
            assert_eq!(d.path_set_times("abs_dir", false, &now), Err(ELOOP));
            assert_eq!(d.path_set_times("abs_dir", true, &now), Err(EPERM));
            assert_eq!(d.path_set_times("in_link", true, &now), Ok(()));
            assert_eq!(d.unlink("rel_out"), Ok(()));
        }
        assert!(root.join("secret/s.txt").exists());
        assert!(!root.join("escaped").exists());
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn read_only_refuses_changes() {
        let root = scratch("ro");
        let d = Dir::preopen(root.join("data").to_str().unwrap(), "/data", true).unwrap();
        assert_eq!(open_read(&d, "data.txt"), Ok(()));
        assert_eq!(d.open("data.txt", true, 0, false, true, 0).map(|_| ()), Err(EPERM));
        assert_eq!(d.open("new.txt", true, OFLAGS_CREAT, true, false, 0).map(|_| ()), Err(EPERM));
        assert_eq!(d.open("data.txt", true, 0, true, false, FDFLAGS_APPEND).map(|_| ()), Err(EPERM));
        assert_eq!(d.create_dir("x"), Err(EPERM));
        assert_eq!(d.remove_dir("sub"), Err(EPERM));
        assert_eq!(d.unlink("data.txt"), Err(EPERM));
        assert_eq!(d.rename("data.txt", &d, "y"), Err(EPERM));
        assert_eq!(d.symlink("data.txt", "l"), Err(EPERM));
        match d.open("sub", true, OFLAGS_DIRECTORY, true, false, 0) {
            Ok(Opened::Dir(sub)) => assert_eq!(sub.create_dir("x"), Err(EPERM)),
            _ => panic!("sub should open as a directory"),
        }
        assert_eq!(fs::read_to_string(root.join("data/data.txt")).unwrap(), "hello");
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn missing_preopen_fails_like_upstream() {
        let e = Dir::preopen("/definitely/not/here", "/x", false).err().unwrap();
        assert_eq!(e, "No such file or directory (os error 2)");
    }
}
