//! The runtime's own lines (not a plugin's `log_*` messages), for the layers above to emit: a line
//! about one plugin (field `plugin="<id>"`) goes to that plugin's own sink when the host gave it one
//! (`extism_x_plugin_set_log_sink`), else to the process-wide logger; a line about no plugin
//! (manifest, host functions, creation) goes to the process-wide logger.
//!
//! Each starts with the cheap test (`on`): one relaxed atomic load, or the plugin sink's level. Hot
//! paths (kernel memory, every call) call `on` first when building the message costs anything.

use core::fmt;

use super::install::{enabled, runtime_line};
use super::sink::PluginSink;
use super::Level;

/// Whether a line at `level` about a plugin with sink `own` could be written.
#[inline]
pub fn on(level: Level, own: Option<&PluginSink>) -> bool {
    match own {
        Some(sink) => sink.enabled(level),
        None => enabled(level),
    }
}

/// A line about the plugin `id` (whose own sink is `own`).
#[inline]
pub fn about(level: Level, target: &str, id: &[u8; 16], own: Option<&PluginSink>, message: fmt::Arguments<'_>) {
    match own {
        Some(sink) => {
            if sink.enabled(level) {
                sink.line(level, target, message, id);
            }
        }
        None => runtime_line(level, target, message, Some(id)),
    }
}

/// A line about no plugin in particular.
#[inline]
pub fn line(level: Level, target: &str, message: fmt::Arguments<'_>) {
    runtime_line(level, target, message, None);
}
