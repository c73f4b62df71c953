//! Where finished lines go: the process-wide logger's destinations (`Sink`) and one plugin's own
//! destination (`PluginSink`, `extism_x_plugin_set_log_sink`).

use alloc::vec::Vec;
use core::fmt;

use super::filter::Filter;
use super::format::{format_line, Style};
use super::ring::Ring;
use super::{Level, TARGET_PDK};
use crate::config;
use crate::hooks;

/// Where lines go. A no_std host sink (a hook receiving each finished line) is one more variant
/// here, installed like the others; nothing else has to change.
pub enum Sink {
    None,
    /// `extism_log_custom`: kept until `extism_log_drain`.
    Ring(Ring),
    #[cfg(feature = "std")]
    Stderr,
    #[cfg(feature = "std")]
    Stdout,
    #[cfg(feature = "std")]
    File(std::fs::File),
    /// `extism_x_set_log_sink`: each line handed to the host's callback as it is written.
    Hook(hooks::Hook<hooks::LogSinkHook>),
}

impl Sink {
    pub(super) fn style(&self) -> Style {
        match self {
            Sink::Ring(_) | Sink::Hook(_) => {
                Style { ansi: false, max_line: Some(config::LOG_LINE_MAX_BYTES), escape_nul: true }
            }
            #[cfg(feature = "std")]
            Sink::Stderr | Sink::Stdout => Style { ansi: true, max_line: None, escape_nul: false },
            _ => Style { ansi: false, max_line: None, escape_nul: false },
        }
    }

    pub(super) fn write(&mut self, line: &[u8]) {
        match self {
            Sink::None => {}
            Sink::Ring(ring) => ring.push(line),
            Sink::Hook(hook) => hooks::write_log_line(*hook, line),
            // A failed write has nowhere to be reported: the line is lost, as upstream.
            #[cfg(feature = "std")]
            Sink::Stderr => {
                use std::io::Write;
                let _ = std::io::stderr().write_all(line);
            }
            #[cfg(feature = "std")]
            Sink::Stdout => {
                use std::io::Write;
                let mut out = std::io::stdout().lock();
                let _ = out.write_all(line);
                let _ = out.flush();
            }
            #[cfg(feature = "std")]
            Sink::File(file) => {
                use std::io::Write;
                let _ = file.write_all(line);
            }
        }
    }
}

/// One plugin's own log destination (`extism_x_plugin_set_log_sink`): its `log_*` lines and the
/// runtime's lines about it go here, filtered by its own level, instead of to the process-wide logger.
pub struct PluginSink {
    hook: hooks::Hook<hooks::LogSinkHook>,
    filter: Filter,
    /// `filter.level_code()`, kept: the hot paths compare against it.
    level_code: i32,
}

impl PluginSink {
    /// None if the level is not UTF-8 (NULL level means "error", as for the global logger).
    pub fn new(hook: hooks::Hook<hooks::LogSinkHook>, level: Option<&[u8]>) -> Option<PluginSink> {
        let spec = match level {
            None => "error",
            Some(bytes) => core::str::from_utf8(bytes).ok()?,
        };
        let filter = Filter::parse(spec);
        Some(PluginSink { hook, level_code: filter.level_code(), filter })
    }

    /// What `get_log_level` answers for this plugin.
    pub fn level_code(&self) -> i32 {
        self.level_code
    }

    /// Whether a line at `level` gets past this sink's max-level hint (the same rule `enabled`
    /// applies globally; the filter then decides by target).
    #[inline]
    pub fn enabled(&self, level: Level) -> bool {
        (level as i32) >= self.level_code
    }

    /// Formats and hands over one plugin line, if this sink's filter lets it through.
    pub fn plugin_line(&self, level: Level, message: &str, plugin_id: &[u8; 16]) {
        self.line(level, TARGET_PDK, format_args!("{message}"), plugin_id);
    }

    /// Formats and hands over one line about the plugin, if this sink's filter lets it through.
    pub fn line(&self, level: Level, target: &str, message: fmt::Arguments<'_>, plugin_id: &[u8; 16]) {
        if !self.enabled(level) || !self.filter.enabled(level, target, true) {
            return;
        }
        let mut line = Vec::new();
        let style = Style { ansi: false, max_line: Some(config::LOG_LINE_MAX_BYTES), escape_nul: true };
        format_line(&mut line, style, hooks::wall_clock_ns(), level, target, &message, Some(plugin_id));
        hooks::write_log_line(self.hook, &line);
    }
}
