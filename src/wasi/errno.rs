//! WASI preview 1 error numbers (`errno`), and how a failed WASI call ends.

/// A WASI errno; 0 is success.
pub type Errno = u16;

pub const SUCCESS: Errno = 0;
pub const EACCES: Errno = 2;
pub const EAGAIN: Errno = 6;
pub const EBADF: Errno = 8;
pub const EBUSY: Errno = 10;
pub const EEXIST: Errno = 20;
pub const EFAULT: Errno = 21;
pub const EFBIG: Errno = 22;
pub const EILSEQ: Errno = 25;
pub const EINTR: Errno = 27;
pub const EINVAL: Errno = 28;
pub const EIO: Errno = 29;
pub const EISDIR: Errno = 31;
pub const ELOOP: Errno = 32;
pub const EMFILE: Errno = 33;
pub const EMLINK: Errno = 34;
pub const ENAMETOOLONG: Errno = 37;
pub const ENFILE: Errno = 41;
pub const ENOENT: Errno = 44;
pub const ENOMEM: Errno = 48;
pub const ENOSPC: Errno = 51;
pub const ENOSYS: Errno = 52;
pub const ENOTDIR: Errno = 54;
pub const ENOTEMPTY: Errno = 55;
pub const ENOTSOCK: Errno = 57;
pub const ENOTSUP: Errno = 58;
pub const EOVERFLOW: Errno = 61;
pub const EPERM: Errno = 63;
pub const ERANGE: Errno = 68;
pub const EROFS: Errno = 69;
pub const ESPIPE: Errno = 70;
pub const ETXTBSY: Errno = 74;
pub const EXDEV: Errno = 75;
pub const ENOTCAPABLE: Errno = 76;

/// Why a WASI function did not succeed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Abort {
    /// The function returns this errno to the plugin.
    Errno(Errno),
    /// The plugin broke the ABI (a pointer outside its memory, an invalid enum value): the call
    /// fails with this text, as upstream's runtime traps there too.
    Trap(&'static str),
    /// The call's deadline passed or it was cancelled while the function waited (a sleep): the
    /// call ends as a timeout.
    Interrupted,
}

impl From<Errno> for Abort {
    fn from(e: Errno) -> Abort {
        Abort::Errno(e)
    }
}

pub type WasiResult<T> = Result<T, Abort>;

/// Fails the function with `errno`.
pub fn err<T>(errno: Errno) -> WasiResult<T> {
    Err(Abort::Errno(errno))
}

/// Text of a trap for an out-of-range enum value or flag set.
pub const INVALID_VALUE: &str = "WASI: invalid enum value or flags passed by the plugin";
/// Text of a trap for a pointer or length outside the plugin's memory.
pub const OUT_OF_BOUNDS: &str = "WASI: pointer or length out of bounds of the plugin's memory";
