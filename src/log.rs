//! The process-wide logger, installed once by `extism_log_file` / `extism_log_custom`.
//!
//! Three parts:
//! - [`Filter`]: the level string, read like upstream's tracing `EnvFilter` (`extism=<level>` for a
//!   plain level, otherwise a comma-separated directive list; see `Filter::parse`).
//! - the line format: `<UTC time>Z <LEVEL> <target>: <message> plugin="<uuid>"`, with upstream's ANSI
//!   colours on the standard streams.
//! - [`Sink`]: where lines go. `Ring` is the fixed-capacity buffer behind `extism_log_custom` /
//!   `extism_log_drain`; the std build adds standard error, standard output and files.
//!
//! The first successful install wins and is permanent. `get_log_level` and the cheap "is this plugin
//! level on" test read one atomic; lines are formatted outside any lock and written under the sink's
//! lock, so any number of threads may log while another drains.

use alloc::string::String;
use alloc::vec::Vec;
use core::cmp::Ordering as CmpOrdering;
use core::fmt::{self, Write as _};
use core::sync::atomic::{AtomicI32, Ordering};

use crate::config;
use crate::hooks;
use crate::sync::Lock;

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
/// Target of the runtime's own messages about plugins and calls.
pub const TARGET_PLUGIN: &str = "extism::plugin";
/// Target of the logger's own notices (the "lines dropped" line of a drain).
pub const TARGET_LOG: &str = "extism::log";

/// The most verbose level any directive of the installed filter mentions, as a `get_log_level` code
/// (upstream answers `LevelFilter::current()`, the filter's max-level hint, not the level of
/// `extism::pdk`). Plugin log imports compare against it before touching their message block.
static PLUGIN_LEVEL: AtomicI32 = AtomicI32::new(LEVEL_OFF);

pub fn plugin_level_code() -> i32 {
    PLUGIN_LEVEL.load(Ordering::Acquire)
}

/// Whether a plugin message at `level` gets past the max-level hint (whether it is printed is then
/// up to the filter: `plugin_line` checks).
pub fn enabled(level: Level) -> bool {
    (level as i32) >= plugin_level_code()
}

// ================================================================================================
// Filter
// ================================================================================================

/// The subset of tracing's `EnvFilter` a level string can express for our events: static
/// directives (`target=level`, `target[{field}]=level`, a bare level) decide; directives naming a
/// span or a field value (dynamic in tracing) never match an event of ours, but still count for
/// the max-level hint, as upstream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Filter {
    /// Most specific first: longer target, then more field names (tracing's order).
    statics: Vec<StaticDirective>,
    statics_max: u8,
    dynamics_max: u8,
    /// A dynamic directive filters on a field value: tracing then hints TRACE.
    value_filters: bool,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct StaticDirective {
    target: Option<String>,
    fields: Vec<String>,
    /// Verbosity 0 (off) ..= 5 (trace).
    level: u8,
}

/// One parsed directive before it is sorted into static or dynamic.
#[derive(Debug, Default)]
struct Directive {
    target: Option<String>,
    span: Option<String>,
    /// Field names, and whether each names a value too.
    fields: Vec<(String, bool)>,
    level: u8,
}

/// tracing's `Level::from_str`: "1" (error) ..= "5" (trace) or a level name, any case.
fn parse_level(s: &str) -> Option<u8> {
    if let Ok(n) = s.parse::<usize>() {
        if (1..=5).contains(&n) {
            return Some(n as u8);
        }
    }
    level_name(s)
}

fn level_name(s: &str) -> Option<u8> {
    ["error", "warn", "info", "debug", "trace"]
        .iter()
        .position(|name| s.eq_ignore_ascii_case(name))
        .map(|i| i as u8 + 1)
}

/// tracing's `LevelFilter::from_str`: "0" (off) ..= "5" (trace), a level name or "off", any case.
fn parse_level_filter(s: &str) -> Option<u8> {
    if let Ok(n) = s.parse::<usize>() {
        if n <= 5 {
            return Some(n as u8);
        }
    }
    if s.is_empty() {
        return Some(1);
    }
    if s.eq_ignore_ascii_case("off") {
        return Some(0);
    }
    level_name(s)
}

/// One directive, by tracing-subscriber's own state machine, quirks included: it walks the trimmed
/// text but slices the untrimmed one with those positions, so " info" is a target named " info"
/// and " a=info" fails on its level.
fn parse_directive(from: &str) -> Result<Directive, ()> {
    #[derive(Clone, Copy)]
    enum St {
        Start,
        LevelOrTarget(usize),
        Span(usize),
        Field(usize),
        Fields,
        Target,
        Level(usize),
        Complete,
    }
    let part = |a: usize, b: usize| from.get(a..b).map(String::from).ok_or(());
    let rest = |a: usize| from.get(a..).ok_or(());
    let level_or_default = |s: &str| if s.is_empty() { Ok(5) } else { parse_level_filter(s).ok_or(()) };
    let field = |s: &str| -> Result<(String, bool), ()> {
        if s.is_empty() {
            return Err(());
        }
        let mut it = s.split('=');
        let name = it.next().unwrap_or("");
        Ok((String::from(name), it.next().is_some()))
    };
    let mut d = Directive { level: 5, ..Directive::default() };
    let mut st = St::Start;
    for (i, c) in from.trim().char_indices() {
        st = match (st, c) {
            (St::Start, '[') => St::Span(i + 1),
            (St::Start, c) if !matches!(c, '-' | ':' | '_') && !c.is_alphanumeric() => return Err(()),
            (St::Start, _) => St::LevelOrTarget(i),
            (St::LevelOrTarget(s), '=') => {
                d.target = Some(part(s, i)?);
                St::Level(i + 1)
            }
            (St::LevelOrTarget(s), '[') => {
                d.target = Some(part(s, i)?);
                St::Span(i + 1)
            }
            (St::LevelOrTarget(s), ',') => {
                level_or_target(&mut d, rest(s)?);
                St::Complete
            }
            (st @ St::LevelOrTarget(_), _) => st,
            (St::Target, '=') => St::Level(i + 1),
            (St::Span(s), ']') => {
                d.span = Some(part(s, i)?);
                St::Target
            }
            (St::Span(s), '{') => {
                let name = part(s, i)?;
                d.span = if name.is_empty() { None } else { Some(name) };
                St::Field(i + 1)
            }
            (st @ St::Span(_), _) => st,
            (St::Field(s), '}') => {
                d.fields.push(field(&part(s, i)?)?);
                St::Fields
            }
            (St::Field(s), ',') => {
                d.fields.push(field(&part(s, i)?)?);
                St::Field(i + 1)
            }
            (st @ St::Field(_), _) => st,
            (St::Fields, ']') => St::Target,
            (St::Level(s), ',') => {
                d.level = level_or_default(&part(s, i)?)?;
                St::Complete
            }
            (st @ St::Level(_), _) => st,
            _ => return Err(()),
        };
    }
    match st {
        St::LevelOrTarget(s) => level_or_target(&mut d, rest(s)?),
        St::Level(s) => d.level = level_or_default(rest(s)?)?,
        St::Target | St::Complete => {}
        _ => return Err(()),
    }
    Ok(d)
}

/// A lone word: a level filter if it reads as one, otherwise a target with every level on.
fn level_or_target(d: &mut Directive, word: &str) {
    match word {
        "" => (d.level, d.target) = (5, None),
        w => match parse_level_filter(w) {
            Some(level) => (d.level, d.target) = (level, None),
            None => (d.level, d.target) = (5, Some(String::from(w))),
        },
    }
}

/// tracing's specificity order, most specific first.
fn specificity(a: &StaticDirective, b: &StaticDirective) -> CmpOrdering {
    a.target
        .as_ref()
        .map(String::len)
        .cmp(&b.target.as_ref().map(String::len))
        .then_with(|| a.fields.len().cmp(&b.fields.len()))
        .then_with(|| a.target.cmp(&b.target).then_with(|| a.fields.cmp(&b.fields)))
        .reverse()
}

impl Filter {
    /// Reads a level string as upstream does: a plain level (`info`, `WARN`, `3`, ...) means
    /// `extism=<level>`; anything else is a directive list whose unreadable directives are skipped;
    /// with no directive left, the filter is `error`.
    pub fn parse(spec: &str) -> Filter {
        let mut filter = Filter { statics: Vec::new(), statics_max: 0, dynamics_max: 0, value_filters: false };
        let list;
        let spec = if parse_level(spec).is_some() {
            list = alloc::format!("extism={spec}");
            list.as_str()
        } else {
            spec
        };
        let mut dynamics = false;
        for d in spec.split(',').filter(|s| !s.is_empty()).filter_map(|s| parse_directive(s).ok()) {
            dynamics |= filter.add(d);
        }
        if filter.statics.is_empty() && !dynamics {
            filter.add(Directive { level: 1, ..Directive::default() });
        }
        filter
    }

    /// Adds one directive; true if it was dynamic.
    fn add(&mut self, d: Directive) -> bool {
        if d.span.is_some() || d.fields.iter().any(|(_, value)| *value) {
            self.dynamics_max = self.dynamics_max.max(d.level);
            self.value_filters |= d.fields.iter().any(|(_, value)| *value);
            return true;
        }
        self.statics_max = self.statics_max.max(d.level);
        let s = StaticDirective {
            target: d.target,
            fields: d.fields.into_iter().map(|(n, _)| n).collect(),
            level: d.level,
        };
        match self.statics.binary_search_by(|probe| specificity(probe, &s)) {
            Ok(i) => self.statics[i] = s,
            Err(i) => self.statics.insert(i, s),
        }
        false
    }

    /// Whether an event at `level` with `target` is written. Our events carry the field `message`,
    /// and `plugin` when `has_plugin`.
    pub fn enabled(&self, level: Level, target: &str, has_plugin: bool) -> bool {
        let v = level.verbosity();
        if v > self.statics_max {
            return false;
        }
        let has_field = |name: &String| name == "message" || (has_plugin && name == "plugin");
        self.statics
            .iter()
            .find(|d| {
                d.target.as_ref().is_none_or(|t| target.starts_with(t.as_str())) && d.fields.iter().all(has_field)
            })
            .is_some_and(|d| v <= d.level)
    }

    /// The `get_log_level` code of the max-level hint: 0 trace .. 4 error, `LEVEL_OFF` for off.
    pub fn level_code(&self) -> i32 {
        let max = if self.value_filters { 5 } else { self.statics_max.max(self.dynamics_max) };
        if max == 0 {
            LEVEL_OFF
        } else {
            5 - i32::from(max)
        }
    }
}

// ================================================================================================
// Line format
// ================================================================================================

/// A plugin id as 8-4-4-4-12 lower-case hex.
pub struct Uuid<'a>(pub &'a [u8; 16]);

impl fmt::Display for Uuid<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, b) in self.0.iter().enumerate() {
            if matches!(i, 4 | 6 | 8 | 10) {
                f.write_char('-')?;
            }
            write!(f, "{b:02x}")?;
        }
        Ok(())
    }
}

/// `YYYY-MM-DDTHH:MM:SS.uuuuuu` (UTC) for nanoseconds since the Unix epoch.
struct Timestamp(u64);

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secs = self.0 / 1_000_000_000;
        let micros = (self.0 % 1_000_000_000) / 1000;
        let (days, rem) = (secs / 86_400, secs % 86_400);
        // Civil date from days since 1970-01-01 (H. Hinnant's algorithm, unsigned form).
        let z = days + 719_468;
        let era = z / 146_097;
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + u64::from(month <= 2);
        write!(f, "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}", rem / 3600, rem / 60 % 60, rem % 60)
    }
}

/// How a sink wants its lines.
#[derive(Clone, Copy)]
struct Style {
    ansi: bool,
    /// Longest line (bytes, with its "\n"); longer messages are cut and end with "...".
    max_line: Option<usize>,
    /// Write NUL bytes of the message as the two characters `\0` (the drain hands out C strings).
    escape_nul: bool,
}

/// Appends to a line buffer, stopping at `limit` bytes on a character boundary.
struct Bounded<'a> {
    out: &'a mut Vec<u8>,
    limit: usize,
    escape_nul: bool,
    truncated: bool,
}

impl Bounded<'_> {
    fn push(&mut self, s: &str) {
        if self.truncated {
            return;
        }
        let room = self.limit.saturating_sub(self.out.len());
        if s.len() <= room {
            self.out.extend_from_slice(s.as_bytes());
            return;
        }
        let mut cut = room;
        while !s.is_char_boundary(cut) {
            cut -= 1;
        }
        self.out.extend_from_slice(&s.as_bytes()[..cut]);
        self.truncated = true;
    }
}

impl fmt::Write for Bounded<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if !self.escape_nul {
            self.push(s);
            return Ok(());
        }
        let mut pieces = s.split('\0');
        if let Some(first) = pieces.next() {
            self.push(first);
        }
        for piece in pieces {
            self.push("\\0");
            self.push(piece);
        }
        Ok(())
    }
}

/// Formats one line (ending with "\n") into `out`.
fn format_line(
    out: &mut Vec<u8>,
    style: Style,
    time_ns: Option<u64>,
    level: Level,
    target: &str,
    message: &dyn fmt::Display,
    plugin_id: Option<&[u8; 16]>,
) {
    out.clear();
    // Writing into a Vec cannot fail; a failing Display impl only shortens its own text.
    let mut w = Bounded { out, limit: usize::MAX, escape_nul: false, truncated: false };
    let (dim, end, italic, colour) =
        if style.ansi { ("\x1b[2m", "\x1b[0m", "\x1b[3m", level.colour()) } else { ("", "", "", "") };
    if let Some(ns) = time_ns {
        let _ = write!(w, "{dim}{}Z{end} ", Timestamp(ns));
    }
    let _ = write!(w, "{colour}{}{end} {dim}{target}{end}{dim}:{end} ", level.label());
    // The plugin field goes after the message; room is kept for it when lines are bounded.
    const SUFFIX_ROOM: usize = 64;
    if let Some(max) = style.max_line {
        w.limit = max.saturating_sub(SUFFIX_ROOM + "...\n".len()).max(w.out.len());
    }
    w.escape_nul = style.escape_nul;
    let _ = write!(w, "{message}");
    let truncated = w.truncated;
    w.limit = usize::MAX;
    w.truncated = false;
    w.escape_nul = false;
    if truncated {
        w.push("...");
    }
    if let Some(id) = plugin_id {
        let _ = write!(w, " {italic}plugin{end}{dim}={end}\"{}\"", Uuid(id));
    }
    w.push("\n");
}

// ================================================================================================
// Ring
// ================================================================================================

/// Lines waiting for `extism_log_drain`: a fixed byte buffer used as a circle of records
/// (4-byte little-endian length, then the line). When a new line does not fit (bytes or line
/// count), the oldest lines are discarded and counted.
pub struct Ring {
    buf: Vec<u8>,
    max_lines: usize,
    /// Offset of the oldest record.
    head: usize,
    used: usize,
    lines: usize,
    /// Lines discarded since the last drain reported it.
    dropped: u64,
}

const RECORD_HEADER: usize = 4;

impl Ring {
    /// A ring of `bytes` bytes (allocated now, once) holding at most `max_lines` lines.
    pub fn new(bytes: usize, max_lines: usize) -> Ring {
        Ring { buf: alloc::vec![0; bytes], max_lines, head: 0, used: 0, lines: 0, dropped: 0 }
    }

    pub fn lines(&self) -> usize {
        self.lines
    }

    fn copy_in(&mut self, at: usize, data: &[u8]) {
        let cap = self.buf.len();
        let first = data.len().min(cap - at);
        self.buf[at..at + first].copy_from_slice(&data[..first]);
        self.buf[..data.len() - first].copy_from_slice(&data[first..]);
    }

    fn copy_out(&self, at: usize, n: usize, out: &mut Vec<u8>) {
        let cap = self.buf.len();
        let first = n.min(cap - at);
        out.extend_from_slice(&self.buf[at..at + first]);
        out.extend_from_slice(&self.buf[..n - first]);
    }

    fn oldest_len(&self) -> usize {
        let cap = self.buf.len();
        let b = |k: usize| self.buf[(self.head + k) % cap];
        u32::from_le_bytes([b(0), b(1), b(2), b(3)]) as usize
    }

    fn discard_oldest(&mut self) {
        let size = RECORD_HEADER + self.oldest_len();
        self.head = (self.head + size) % self.buf.len();
        self.used -= size;
        self.lines -= 1;
        if self.lines == 0 {
            self.head = 0;
        }
    }

    /// Keeps `line`, discarding (and counting) the oldest lines to make room. A line that could never
    /// fit is itself counted as dropped.
    pub fn push(&mut self, line: &[u8]) {
        let size = RECORD_HEADER + line.len();
        if size > self.buf.len() || self.max_lines == 0 || u32::try_from(line.len()).is_err() {
            self.dropped += 1;
            return;
        }
        while self.lines > 0 && (self.buf.len() - self.used < size || self.lines >= self.max_lines) {
            self.discard_oldest();
            self.dropped += 1;
        }
        let tail = (self.head + self.used) % self.buf.len();
        self.copy_in(tail, &(line.len() as u32).to_le_bytes());
        self.copy_in((tail + RECORD_HEADER) % self.buf.len(), line);
        self.used += size;
        self.lines += 1;
    }

    /// Moves the oldest line into `out` (replacing its contents); false when empty.
    pub fn pop_into(&mut self, out: &mut Vec<u8>) -> bool {
        if self.lines == 0 {
            return false;
        }
        out.clear();
        let len = self.oldest_len();
        self.copy_out((self.head + RECORD_HEADER) % self.buf.len(), len, out);
        self.discard_oldest();
        true
    }

    /// The dropped count, reset.
    pub fn take_dropped(&mut self) -> u64 {
        core::mem::take(&mut self.dropped)
    }
}

// ================================================================================================
// Sinks and the installed logger
// ================================================================================================

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
    fn style(&self) -> Style {
        match self {
            Sink::Ring(_) | Sink::Hook(_) => {
                Style { ansi: false, max_line: Some(config::LOG_LINE_MAX_BYTES), escape_nul: true }
            }
            #[cfg(feature = "std")]
            Sink::Stderr | Sink::Stdout => Style { ansi: true, max_line: None, escape_nul: false },
            _ => Style { ansi: false, max_line: None, escape_nul: false },
        }
    }

    fn write(&mut self, line: &[u8]) {
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
pub fn runtime_line(level: Level, target: &str, message: impl fmt::Display, plugin_id: Option<&[u8; 16]>) {
    let Some(installed) = INSTALLED.get() else { return };
    if !installed.filter.enabled(level, target, plugin_id.is_some()) {
        return;
    }
    let mut line = Vec::new();
    format_line(&mut line, installed.style, hooks::wall_clock_ns(), level, target, &message, plugin_id);
    SINK.lock().write(&line);
}

/// A plugin message (target `extism::pdk`).
pub fn plugin_line(level: Level, message: &str, plugin_id: &[u8; 16]) {
    runtime_line(level, TARGET_PDK, message, Some(plugin_id));
}

/// One plugin's own log destination (`extism_x_plugin_set_log_sink`): its `log_*` lines go here,
/// filtered by its own level, instead of to the process-wide logger.
pub struct PluginSink {
    hook: hooks::Hook<hooks::LogSinkHook>,
    filter: Filter,
}

impl PluginSink {
    /// None if the level is not UTF-8 (NULL level means "error", as for the global logger).
    pub fn new(hook: hooks::Hook<hooks::LogSinkHook>, level: Option<&[u8]>) -> Option<PluginSink> {
        let spec = match level {
            None => "error",
            Some(bytes) => core::str::from_utf8(bytes).ok()?,
        };
        Some(PluginSink { hook, filter: Filter::parse(spec) })
    }

    /// What `get_log_level` answers for this plugin.
    pub fn level_code(&self) -> i32 {
        self.filter.level_code()
    }

    /// Whether a plugin message at `level` goes through (the same rule `enabled` applies globally).
    pub fn enabled(&self, level: Level) -> bool {
        (level as i32) >= self.level_code()
    }

    /// Formats and hands over one plugin line, if this sink's filter lets it through.
    pub fn plugin_line(&self, level: Level, message: &str, plugin_id: &[u8; 16]) {
        if !self.filter.enabled(level, TARGET_PDK, true) {
            return;
        }
        let mut line = Vec::new();
        let style = Style { ansi: false, max_line: Some(config::LOG_LINE_MAX_BYTES), escape_nul: true };
        format_line(&mut line, style, hooks::wall_clock_ns(), level, TARGET_PDK, &message, Some(plugin_id));
        hooks::write_log_line(self.hook, &line);
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

#[cfg(test)]
mod tests;
