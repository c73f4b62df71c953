//! The installed process-wide logger: install once (first wins), write a line through the filter,
//! drain the ring.

use alloc::vec::Vec;
use core::fmt;
use core::sync::atomic::{AtomicI32, Ordering};

use super::filter::Filter;
use super::format::{format_line, Style};
use super::ring::Ring;
use super::sink::Sink;
use super::{Level, LEVEL_OFF, TARGET_LOG, TARGET_PDK};
use crate::config;
use crate::hooks;
use crate::sync::Lock;

/// The most verbose level any directive of the installed filter mentions, as a `get_log_level` code
/// (upstream answers `LevelFilter::current()`, the filter's max-level hint, not the level of
/// `extism::pdk`). Plugin log imports compare against it before touching their message block.
static PLUGIN_LEVEL: AtomicI32 = AtomicI32::new(LEVEL_OFF);

pub fn plugin_level_code() -> i32 {
    PLUGIN_LEVEL.load(Ordering::Acquire)
}

/// Whether a message at `level` gets past the max-level hint (whether it is printed is then up to
/// the filter). One relaxed atomic load: with no logger, or with `level` filtered out everywhere,
/// this is all a log line costs (the hint only ever goes from off to one value, at install).
#[inline]
pub fn enabled(level: Level) -> bool {
    (level as i32) >= PLUGIN_LEVEL.load(Ordering::Relaxed)
}

/// The filter and line style, fixed at install.
struct Installed {
    filter: Filter,
    style: Style,
}

/// Made only under SINK's lock and read without waiting: nobody ever spins on it.
static INSTALLED: spin::Once<Installed> = spin::Once::new();
/// The sink; its lock also serialises installs.
static SINK: Lock<Sink> = Lock::new(Sink::None);

/// Installs `sink` with the level string `level` (NULL = "error") unless a logger is installed.
/// `open` makes the sink, under the install lock; None refuses.
fn install(level: Option<&[u8]>, open: impl FnOnce() -> Option<Sink>) -> bool {
    let spec = match level {
        None => "error",
        Some(bytes) => match core::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) => return false,
        },
    };
    let mut sink = SINK.lock();
    if INSTALLED.is_completed() {
        return false;
    }
    let Some(new_sink) = open() else { return false };
    let filter = Filter::parse(spec);
    let code = filter.level_code();
    let style = new_sink.style();
    *sink = new_sink;
    INSTALLED.call_once(|| Installed { filter, style });
    PLUGIN_LEVEL.store(code, Ordering::Release);
    true
}

/// Installs the file/stream logger (first install wins). `file`: None, "stderr" or "-" for standard
/// error, "stdout" for standard output, else a path opened for appending (created if missing).
/// False if a logger is installed, the level or path is not UTF-8, or the file cannot be opened.
#[cfg(feature = "std")]
pub fn install_file(file: Option<&[u8]>, level: Option<&[u8]>) -> bool {
    let name = match file {
        None => "stderr",
        Some(bytes) => match core::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(_) => return false,
        },
    };
    install(level, || match name {
        "stderr" | "-" => Some(Sink::Stderr),
        "stdout" => Some(Sink::Stdout),
        path => std::fs::OpenOptions::new().create(true).append(true).open(path).ok().map(Sink::File),
    })
}

/// Without an OS there are no files or standard streams.
#[cfg(not(feature = "std"))]
pub fn install_file(_file: Option<&[u8]>, _level: Option<&[u8]>) -> bool {
    false
}

/// Installs the buffering logger drained by `drain` (first install wins).
pub fn install_custom(level: Option<&[u8]>) -> bool {
    install(level, || Some(Sink::Ring(Ring::new(config::LOG_RING_BYTES, config::LOG_RING_LINES))))
}

/// Installs the logger that hands every line to a host callback (first install wins).
pub fn install_hook(level: Option<&[u8]>, hook: hooks::Hook<hooks::LogSinkHook>) -> bool {
    install(level, || Some(Sink::Hook(hook)))
}

/// Whether a logger is installed.
pub fn installed() -> bool {
    INSTALLED.is_completed()
}

/// Writes one line if the installed filter lets (`level`, `target`) through.
#[inline]
pub fn runtime_line(level: Level, target: &str, message: fmt::Arguments<'_>, plugin_id: Option<&[u8; 16]>) {
    if enabled(level) {
        write_line(level, target, &message, plugin_id);
    }
}

/// `runtime_line` past the cheap test: the filter, the format, the sink.
#[inline(never)]
fn write_line(level: Level, target: &str, message: &dyn fmt::Display, plugin_id: Option<&[u8; 16]>) {
    let Some(installed) = INSTALLED.get() else { return };
    if !installed.filter.enabled(level, target, plugin_id.is_some()) {
        return;
    }
    let mut line = Vec::new();
    format_line(&mut line, installed.style, hooks::wall_clock_ns(), level, target, message, plugin_id);
    SINK.lock().write(&line);
}

/// A plugin message (target `extism::pdk`).
pub fn plugin_line(level: Level, message: &str, plugin_id: &[u8; 16]) {
    if enabled(level) {
        write_line(level, TARGET_PDK, &message, Some(plugin_id));
    }
}

/// Hands each line buffered by the custom logger to `sink`, oldest first, and forgets it. Each slice
/// is the line (ending "\n") followed by a NUL. When lines were dropped since the last drain, a
/// WARN line saying how many comes first. Lines logged while draining wait for the next drain, and
/// no lock is held while `sink` runs.
pub fn drain(sink: &mut dyn FnMut(&[u8])) {
    let (count, dropped) = match &mut *SINK.lock() {
        Sink::Ring(ring) => (ring.lines(), ring.take_dropped()),
        _ => return,
    };
    let mut line = Vec::new();
    if dropped > 0 {
        let style = Style { ansi: false, max_line: None, escape_nul: false };
        let message = format_args!("{dropped} log lines were dropped: the log buffer was full");
        format_line(&mut line, style, hooks::wall_clock_ns(), Level::Warn, TARGET_LOG, &message, None);
        line.push(0);
        sink(&line);
    }
    for _ in 0..count {
        let popped = match &mut *SINK.lock() {
            Sink::Ring(ring) => ring.pop_into(&mut line),
            _ => false,
        };
        if !popped {
            break;
        }
        line.push(0);
        sink(&line);
    }
}
