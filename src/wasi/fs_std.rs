//! Files and directories on the host (`std`, Unix): preopened directories, the path operations inside
//! them (every path confined by `path::resolve`), and open files.
//!
//! A directory is held as an open handle (a capability), never by its host path: `path::resolve`
//! turns the plugin's path into components with every link replaced by its checked target, and each
//! operation then walks those components from the directory's handle with `openat` and `O_NOFOLLOW`,
//! ending in an `*at` call on the last one. A host process (or another plugin) that swaps a directory
//! for a symbolic link between the check and the use makes the walk fail (`ELOOP`/`ENOTDIR`); it
//! never leads outside. Renaming a preopened directory on the host does not move the plugin either.

use std::fs;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::os::fd::{AsFd, BorrowedFd, OwnedFd};
use std::string::{String, ToString};
use std::time::{Duration, SystemTime, UNIX_EPOCH};
use std::vec::Vec;

use rustix::fs::{AtFlags, FileType, Mode, OFlags, Stat};

use super::errno::*;
use super::fd::*;
use super::path::{self, Kind, Lookup};

pub struct Dir {
    /// The directory, opened read-only (`O_DIRECTORY`): every path below it starts here.
    fd: OwnedFd,
    /// Under a `ro:` preopen: every operation that would change something fails with EPERM.
    pub read_only: bool,
    /// The guest path of a preopened directory (`fd_prestat_*`); None for directories opened later.
    preopen: Option<String>,
}

pub struct File {
    file: fs::File,
    append: bool,
}

/// How every directory on a walk is opened: never through a link, never inherited by a child process.
const DIR_FLAGS: OFlags = OFlags::RDONLY.union(OFlags::DIRECTORY).union(OFlags::NOFOLLOW).union(OFlags::CLOEXEC);

/// The directory an operation acts in: the held one, or one opened below it by [`walk`].
enum At<'a> {
    Held(BorrowedFd<'a>),
    Below(OwnedFd),
}

impl AsFd for At<'_> {
    fn as_fd(&self) -> BorrowedFd<'_> {
        match self {
            At::Held(fd) => *fd,
            At::Below(fd) => fd.as_fd(),
        }
    }
}

/// Opens the directory `components` name below `root`, one component at a time, never through a
/// link: a component swapped for a link since `path::resolve` checked it fails here.
fn walk<'a>(root: BorrowedFd<'a>, components: &[String]) -> Result<At<'a>, Errno> {
    let mut at = At::Held(root);
    for component in components {
        at = At::Below(rustix::fs::openat(&at, component.as_str(), DIR_FLAGS, Mode::empty()).map_err(os)?);
    }
    Ok(at)
}

/// What `path::resolve` asks while it walks: the kind of each prefix, read from the held directory.
struct HandleLookup<'a>(BorrowedFd<'a>);

impl Lookup for HandleLookup<'_> {
    fn kind(&self, components: &[String]) -> Kind {
        let Some((last, parents)) = components.split_last() else { return Kind::Dir };
        let Ok(at) = walk(self.0, parents) else { return Kind::Missing };
        match rustix::fs::statat(&at, last.as_str(), AtFlags::SYMLINK_NOFOLLOW) {
            Err(_) => Kind::Missing,
            Ok(st) => match FileType::from_raw_mode(st.st_mode as _) {
                FileType::Symlink => match rustix::fs::readlinkat(&at, last.as_str(), Vec::new()) {
                    Ok(target) => Kind::Symlink(String::from_utf8_lossy(target.to_bytes()).into_owned()),
                    Err(_) => Kind::Missing,
                },
                FileType::Directory => Kind::Dir,
                _ => Kind::File,
            },
        }
    }
}

impl Dir {
    /// A preopen: the host directory must exist (upstream's message otherwise). It is opened here,
    /// once; the host path is not used again.
    pub fn preopen(host: &str, guest: &str, read_only: bool) -> Result<Dir, String> {
        let host = fs::canonicalize(host).map_err(|e| e.to_string())?;
        let flags = OFlags::RDONLY | OFlags::DIRECTORY | OFlags::CLOEXEC;
        let fd = rustix::fs::open(&host, flags, Mode::empty()).map_err(|e| match e {
            rustix::io::Errno::NOTDIR => not_a_directory(),
            e => io::Error::from(e).to_string(),
        })?;
        Ok(Dir { fd, read_only, preopen: Some(guest.to_string()) })
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

    /// The directory holding what `path` names, and its name there (`.` for this directory itself).
    fn locate(&self, path: &str, follow: bool) -> Result<(At<'_>, String), Errno> {
        let mut components = path::resolve(path, follow, &HandleLookup(self.fd.as_fd()))?;
        let name = components.pop().unwrap_or_else(|| ".".to_string());
        Ok((walk(self.fd.as_fd(), &components)?, name))
    }

    /// Like `locate`, for operations on an entry: the directory itself gives `at_root`.
    fn locate_entry(&self, path: &str, follow: bool, at_root: Errno) -> Result<(At<'_>, String), Errno> {
        let mut components = path::resolve(path, follow, &HandleLookup(self.fd.as_fd()))?;
        let name = components.pop().ok_or(at_root)?;
        Ok((walk(self.fd.as_fd(), &components)?, name))
    }

    pub fn filestat(&self) -> Result<Filestat, Errno> {
        rustix::fs::fstat(&self.fd).map(|st| filestat(&st)).map_err(os)
    }

    pub fn set_times(&self, times: &Times) -> Result<(), Errno> {
        self.writable()?;
        let file = fs::File::from(self.fd.try_clone().map_err(|e| errno(&e))?);
        set_file_times(&file, times)
    }

    pub fn open(&self, path: &str, follow: bool, oflags: u16, read: bool, write: bool, fdflags: u16) -> Result<Opened, Errno> {
        let (creat, excl, trunc) = (oflags & OFLAGS_CREAT != 0, oflags & OFLAGS_EXCL != 0, oflags & OFLAGS_TRUNC != 0);
        if write || creat || trunc || fdflags & FDFLAGS_APPEND != 0 {
            self.writable()?;
        }
        let (at, name) = self.locate(path, follow)?;
        match rustix::fs::statat(&at, name.as_str(), AtFlags::SYMLINK_NOFOLLOW) {
            Ok(st) => match FileType::from_raw_mode(st.st_mode as _) {
                FileType::Symlink => return Err(ELOOP),
                _ if creat && excl => return Err(EEXIST),
                FileType::Directory => {
                    if write || trunc {
                        return Err(EISDIR);
                    }
                    let fd = rustix::fs::openat(&at, name.as_str(), DIR_FLAGS, Mode::empty()).map_err(os)?;
                    return Ok(Opened::Dir(Dir { fd, read_only: self.read_only, preopen: None }));
                }
                _ if oflags & OFLAGS_DIRECTORY != 0 => return Err(ENOTDIR),
                _ => {}
            },
            Err(rustix::io::Errno::NOENT) if creat && oflags & OFLAGS_DIRECTORY == 0 => {}
            Err(e) => return Err(os(e)),
        }
        let os_write = write || creat || trunc;
        let mut flags = match (read || !os_write, os_write) {
            (true, true) => OFlags::RDWR,
            (false, true) => OFlags::WRONLY,
            _ => OFlags::RDONLY,
        };
        flags |= OFlags::NOFOLLOW | OFlags::CLOEXEC;
        if creat {
            flags |= OFlags::CREATE;
        }
        if creat && excl {
            flags |= OFlags::EXCL;
        }
        if trunc {
            flags |= OFlags::TRUNC;
        }
        let fd = rustix::fs::openat(&at, name.as_str(), flags, Mode::from_raw_mode(0o666)).map_err(os)?;
        Ok(Opened::File(File { file: fs::File::from(fd), append: fdflags & FDFLAGS_APPEND != 0 }))
    }

    pub fn create_dir(&self, path: &str) -> Result<(), Errno> {
        self.writable()?;
        let (at, name) = self.locate_entry(path, false, EEXIST)?;
        rustix::fs::mkdirat(&at, name.as_str(), Mode::from_raw_mode(0o777)).map_err(os)
    }

    pub fn remove_dir(&self, path: &str) -> Result<(), Errno> {
        self.writable()?;
        let (at, name) = self.locate_entry(path, false, EINVAL)?;
        rustix::fs::unlinkat(&at, name.as_str(), AtFlags::REMOVEDIR).map_err(os)
    }

    pub fn unlink(&self, path: &str) -> Result<(), Errno> {
        self.writable()?;
        let (at, name) = self.locate_entry(path, false, EISDIR)?;
        rustix::fs::unlinkat(&at, name.as_str(), AtFlags::empty()).map_err(os)
    }

    pub fn rename(&self, old: &str, to: &Dir, new: &str) -> Result<(), Errno> {
        self.writable()?;
        to.writable()?;
        let (from_at, from) = self.locate_entry(old, false, EBUSY)?;
        let (dest_at, dest) = to.locate_entry(new, false, EBUSY)?;
        rustix::fs::renameat(&from_at, from.as_str(), &dest_at, dest.as_str()).map_err(os)
    }

    pub fn link(&self, old: &str, follow: bool, to: &Dir, new: &str) -> Result<(), Errno> {
        self.writable()?;
        to.writable()?;
        let (from_at, from) = self.locate_entry(old, follow, EPERM)?;
        let (dest_at, dest) = to.locate_entry(new, false, EEXIST)?;
        rustix::fs::linkat(&from_at, from.as_str(), &dest_at, dest.as_str(), AtFlags::empty()).map_err(os)
    }

    pub fn symlink(&self, target: &str, path: &str) -> Result<(), Errno> {
        self.writable()?;
        let (at, name) = self.locate_entry(path, false, EEXIST)?;
        rustix::fs::symlinkat(target, &at, name.as_str()).map_err(os)
    }

    pub fn readlink(&self, path: &str) -> Result<Vec<u8>, Errno> {
        let (at, name) = self.locate_entry(path, false, EINVAL)?;
        let target = rustix::fs::readlinkat(&at, name.as_str(), Vec::new()).map_err(os)?;
        Ok(target.into_bytes())
    }

    pub fn path_filestat(&self, path: &str, follow: bool) -> Result<Filestat, Errno> {
        let (at, name) = self.locate(path, follow)?;
        rustix::fs::statat(&at, name.as_str(), AtFlags::SYMLINK_NOFOLLOW).map(|st| filestat(&st)).map_err(os)
    }

    /// Sets the times of what `path` names, never through a final symbolic link (ELOOP instead).
    pub fn path_set_times(&self, path: &str, follow: bool, times: &Times) -> Result<(), Errno> {
        self.writable()?;
        let (at, name) = self.locate(path, follow)?;
        let flags = OFlags::RDONLY | OFlags::NOFOLLOW | OFlags::CLOEXEC;
        let fd = rustix::fs::openat(&at, name.as_str(), flags, Mode::empty()).map_err(os)?;
        set_file_times(&fs::File::from(fd), times)
    }

    /// `.`, `..`, then the entries sorted by name (a cookie is an index into this list).
    pub fn entries(&self) -> Result<Vec<DirEntry>, Errno> {
        let own = self.filestat()?;
        let mut out = Vec::new();
        for e in rustix::fs::Dir::read_from(&self.fd).map_err(os)? {
            let e = e.map_err(os)?;
            let name = e.file_name();
            if matches!(name.to_bytes(), b"." | b"..") {
                continue;
            }
            let Ok(st) = rustix::fs::statat(&self.fd, name, AtFlags::SYMLINK_NOFOLLOW) else { continue };
            let st = filestat(&st);
            out.push(DirEntry { name: name.to_bytes().to_vec(), ino: st.ino, filetype: st.filetype });
        }
        out.sort_by(|a, b| a.name.cmp(&b.name));
        let dots = [(".", own.ino), ("..", own.ino)];
        let mut all: Vec<DirEntry> =
            dots.iter().map(|(n, ino)| DirEntry { name: n.as_bytes().to_vec(), ino: *ino, filetype: FILETYPE_DIRECTORY }).collect();
        all.extend(out);
        Ok(all)
    }
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
        std::os::unix::fs::FileExt::read_at(&self.file, buf, offset).map_err(|e| errno(&e))
    }

    pub fn pwrite(&mut self, buf: &[u8], offset: u64) -> Result<usize, Errno> {
        std::os::unix::fs::FileExt::write_at(&self.file, buf, offset).map_err(|e| errno(&e))
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
        rustix::fs::fstat(&self.file).map(|st| filestat(&st)).map_err(os)
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

/// A guest timestamp (nanoseconds since the epoch) as a host time.
fn from_nanos(ns: u64) -> SystemTime {
    UNIX_EPOCH + Duration::from_nanos(ns)
}

/// WASI's view of a host `stat` (the field types differ between targets, hence the casts).
#[allow(clippy::unnecessary_cast)]
fn filestat(st: &Stat) -> Filestat {
    let filetype = match FileType::from_raw_mode(st.st_mode as _) {
        FileType::Symlink => FILETYPE_SYMBOLIC_LINK,
        FileType::Directory => FILETYPE_DIRECTORY,
        FileType::RegularFile => FILETYPE_REGULAR_FILE,
        FileType::BlockDevice => 1,
        FileType::CharacterDevice => 2,
        FileType::Socket => 6,
        _ => FILETYPE_UNKNOWN,
    };
    let ts = |s: i64, ns: i64| (s.max(0) as u64).saturating_mul(1_000_000_000).saturating_add(ns.max(0) as u64);
    Filestat {
        dev: st.st_dev as u64,
        ino: st.st_ino as u64,
        filetype,
        nlink: st.st_nlink as u64,
        size: st.st_size.max(0) as u64,
        atim: ts(st.st_atime as i64, st.st_atime_nsec as i64),
        mtim: ts(st.st_mtime as i64, st.st_mtime_nsec as i64),
        ctim: ts(st.st_ctime as i64, st.st_ctime_nsec as i64),
    }
}

fn not_a_directory() -> String {
    io::Error::from_raw_os_error(libc::ENOTDIR).to_string()
}

/// The WASI errno for an error of a `*at` call.
fn os(e: rustix::io::Errno) -> Errno {
    from_os(e.raw_os_error())
}

/// The WASI errno for a host I/O error.
pub fn errno(e: &io::Error) -> Errno {
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
    use std::path::PathBuf;

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

    /// A second thread swaps a directory under the preopen for a link to the outside and back while
    /// files are opened through it in a loop: every open reads the inside file or fails, none reads
    /// the outside one (with a path-based open, about one in a few hundred did).
    #[test]
    fn swapping_a_directory_for_a_link_never_leads_outside() {
        let root = scratch("swap");
        fs::write(root.join("data/sub/f.txt"), "inside").unwrap();
        fs::write(root.join("secret/f.txt"), "secret").unwrap();
        let d = Dir::preopen(root.join("data").to_str().unwrap(), "/data", false).unwrap();
        let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
        let swapper = {
            let (root, stop) = (root.clone(), stop.clone());
            std::thread::spawn(move || {
                let mut swaps = 0u32;
                while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                    fs::rename(root.join("data/sub"), root.join("data/real")).unwrap();
                    std::os::unix::fs::symlink(root.join("secret"), root.join("data/sub")).unwrap();
                    fs::remove_file(root.join("data/sub")).unwrap();
                    fs::rename(root.join("data/real"), root.join("data/sub")).unwrap();
                    swaps += 1;
                }
                swaps
            })
        };
        let (mut inside, mut refused) = (0u32, 0u32);
        for _ in 0..20_000 {
            match d.open("sub/f.txt", true, 0, true, false, 0) {
                Ok(Opened::File(mut f)) => {
                    let mut buf = [0u8; 16];
                    let n = f.read(&mut buf).unwrap();
                    assert_eq!(&buf[..n], b"inside", "an open through the swapped directory left the preopen");
                    inside += 1;
                }
                Ok(Opened::Dir(_)) => panic!("sub/f.txt opened as a directory"),
                Err(_) => refused += 1,
            }
        }
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        let swaps = swapper.join().unwrap();
        assert!(swaps > 0 && inside > 0, "the race did not run: {swaps} swaps, {inside} opens inside, {refused} refused");
        let _ = fs::remove_dir_all(&root);
    }

    /// A directory the plugin holds stays the one it opened when the host renames it.
    #[test]
    fn a_held_directory_follows_its_handle_not_its_path() {
        let root = scratch("held");
        fs::write(root.join("data/sub/f.txt"), "inside").unwrap();
        let d = Dir::preopen(root.join("data").to_str().unwrap(), "/data", false).unwrap();
        let Ok(Opened::Dir(sub)) = d.open("sub", true, OFLAGS_DIRECTORY, true, false, 0) else { panic!("sub should open") };
        fs::rename(root.join("data/sub"), root.join("data/moved")).unwrap();
        std::os::unix::fs::symlink(root.join("secret"), root.join("data/sub")).unwrap();
        assert_eq!(sub.path_filestat("f.txt", true).map(|s| s.size), Ok(6));
        assert_eq!(sub.path_filestat("s.txt", true).map(|_| ()), Err(ENOENT));
        assert_eq!(open_read(&d, "sub/s.txt"), Err(EPERM));
        let _ = fs::remove_dir_all(&root);
    }

    #[test]
    fn missing_preopen_fails_like_upstream() {
        let e = Dir::preopen("/definitely/not/here", "/x", false).err().unwrap();
        assert_eq!(e, "No such file or directory (os error 2)");
    }
}
