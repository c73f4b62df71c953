//! The process-wide logger, installed once by `extism_log_file` / `extism_log_custom`.
//!
//! One module per job:
//! - `filter`: the level string, read like upstream's tracing `EnvFilter` (`extism=<level>` for a
//!   plain level, otherwise a comma-separated directive list; see `Filter::parse`).
//! - `format`: the line, `<UTC time>Z <LEVEL> <target>: <message> plugin="<uuid>"`, with upstream's
//!   ANSI colours on the standard streams.
//! - `ring`: the fixed-capacity buffer behind `extism_log_custom` / `extism_log_drain`.
//! - `sink`: where lines go (the ring, a host hook; the std build adds standard error, standard
//!   output and files), and one plugin's own sink (`extism_x_plugin_set_log_sink`).
//! - `install`: the installed logger (first install wins), writing lines and draining the ring.
//! - `event`: the runtime's own lines, emitted by the layers above (manifest, compiled, plugin, call,
//!   capi): routed to a plugin's own sink or the process-wide logger, after one cheap level test.
//!
//! The first successful install wins and is permanent. `get_log_level` and the cheap "is this plugin
//! level on" test read one atomic; lines are formatted outside any lock and written under the sink's
//! lock, so any number of threads may log while another drains.

mod event;
mod filter;
mod format;
mod install;
mod ring;
mod sink;

pub use event::{about, line, on};
pub use filter::Filter;
pub use format::Uuid;
pub use install::{
    drain, enabled, install_custom, install_file, install_hook, installed, plugin_level_code, plugin_line,
    runtime_line,
};
pub use ring::Ring;
pub use sink::{PluginSink, Sink};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    Trace = 0,
    Debug = 1,
    Info = 2,
    Warn = 3,
    Error = 4,
}

impl Level {
    /// tracing's verbosity number: 1 error .. 5 trace (0 is "off" in a filter).
    fn verbosity(self) -> u8 {
        5 - self as u8
    }

    /// The level column, padded to 5 as upstream prints it.
    fn label(self) -> &'static str {
        match self {
            Level::Trace => "TRACE",
            Level::Debug => "DEBUG",
            Level::Info => " INFO",
            Level::Warn => " WARN",
            Level::Error => "ERROR",
        }
    }

    /// Upstream's ANSI colour of the level column.
    fn colour(self) -> &'static str {
        match self {
            Level::Trace => "\x1b[35m",
            Level::Debug => "\x1b[34m",
            Level::Info => "\x1b[32m",
            Level::Warn => "\x1b[33m",
            Level::Error => "\x1b[31m",
        }
    }
}

/// What `get_log_level` answers when no logger is installed or everything is filtered out.
pub const LEVEL_OFF: i32 = i32::MAX;

/// Target of plugin messages (`log_*` imports).
pub const TARGET_PDK: &str = "extism::pdk";
/// Target of the runtime's own messages about plugins and calls (upstream's targets throughout).
pub const TARGET_PLUGIN: &str = "extism::plugin";
/// Target of manifest loading.
pub const TARGET_MANIFEST: &str = "extism::manifest";
/// Target of host functions being made.
pub const TARGET_FUNCTION: &str = "extism::function";
/// Target of kernel memory used from the host side (the input, a host function's memory calls).
pub const TARGET_CURRENT_PLUGIN: &str = "extism::current_plugin";
/// Target of C API entry points (a call started, a plugin freed).
pub const TARGET_SDK: &str = "extism::sdk";
/// Target of the logger's own notices (the "lines dropped" line of a drain).
pub const TARGET_LOG: &str = "extism::log";

#[cfg(test)]
mod tests;
