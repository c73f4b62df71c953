//! The process-wide logger (installed once by `extism_log_file` / `extism_log_custom`).

use core::sync::atomic::{AtomicI32, Ordering};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
}

/// What `get_log_level` answers when no logger is installed or everything is filtered out.
pub const LEVEL_OFF: i32 = i32::MAX;

/// Lowest level that plugin messages (`extism::pdk`) are emitted at, as its numeric code.
static PLUGIN_LEVEL: AtomicI32 = AtomicI32::new(LEVEL_OFF);

pub fn plugin_level_code() -> i32 {
    PLUGIN_LEVEL.load(Ordering::Relaxed)
}

pub fn enabled(level: Level) -> bool {
    (level as i32) >= plugin_level_code()
}

pub fn plugin_line(_level: Level, _message: &str, _plugin_id: &[u8; 16]) {}

/// Installs the file/stream logger (first install wins). Not wired yet: refuses.
pub fn install_file(_file: Option<&[u8]>, _level: Option<&[u8]>) -> bool {
    false
}

/// Installs the buffering logger drained by `drain` (first install wins). Not wired yet: refuses.
pub fn install_custom(_level: Option<&[u8]>) -> bool {
    false
}

/// Hands each buffered line (ending "\n\0") to `sink`, oldest first, and forgets it.
pub fn drain(_sink: &mut dyn FnMut(&[u8])) {}
