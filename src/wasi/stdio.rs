//! Standard streams: no stdin (reads see end of file); fd 1 and 2 are swallowed unless
//! `EXTISM_ENABLE_WASI_OUTPUT` was set when the plugin was made (then they reach the host's
//! stdout and stderr; `std` only).
// Without the `wasi` feature only `output_requested` (for the WASI state) is used.
#![cfg_attr(not(feature = "wasi"), allow(dead_code))]

use super::errno::Errno;
use super::fd::{FILETYPE_CHARACTER_DEVICE, FILETYPE_UNKNOWN};

/// Whether the host asked for plugin output (any value of `EXTISM_ENABLE_WASI_OUTPUT`, as upstream).
#[cfg(feature = "std")]
pub fn output_requested() -> bool {
    std::env::var("EXTISM_ENABLE_WASI_OUTPUT").is_ok()
}

#[cfg(not(feature = "std"))]
pub fn output_requested() -> bool {
    false
}

/// Writes the plugin's bytes for fd 1 (`err == false`) or fd 2, when output is enabled.
#[cfg(feature = "std")]
pub fn write(output: bool, err: bool, bytes: &[u8]) -> Result<(), Errno> {
    use std::io::Write;
    if !output {
        return Ok(());
    }
    use super::errno::EIO;
    let r = if err { std::io::stderr().write_all(bytes) } else { std::io::stdout().write_all(bytes) };
    r.map_err(|_| EIO)
}

#[cfg(not(feature = "std"))]
pub fn write(_output: bool, _err: bool, _bytes: &[u8]) -> Result<(), Errno> {
    Ok(())
}

/// Flushes the host stream after a write (the plugin already buffers).
#[cfg(feature = "std")]
pub fn flush(output: bool, err: bool) {
    use std::io::Write;
    if output {
        let _ = if err { std::io::stderr().flush() } else { std::io::stdout().flush() };
    }
}

#[cfg(not(feature = "std"))]
pub fn flush(_output: bool, _err: bool) {}

/// The filetype reported for stdio: a character device only when it reaches a terminal.
pub fn filetype(output: bool, fd: u32) -> u8 {
    #[cfg(feature = "std")]
    {
        use std::io::IsTerminal;
        let terminal = match fd {
            1 => std::io::stdout().is_terminal(),
            2 => std::io::stderr().is_terminal(),
            _ => false,
        };
        if output && terminal {
            return FILETYPE_CHARACTER_DEVICE;
        }
    }
    let _ = (output, fd, FILETYPE_CHARACTER_DEVICE);
    FILETYPE_UNKNOWN
}
