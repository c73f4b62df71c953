//! The line format: `<UTC time>Z <LEVEL> <target>: <message> plugin="<uuid>"`, with upstream's ANSI
//! colours on the standard streams, bounded and NUL-escaped for the ring and the hooks.

use alloc::vec::Vec;
use core::fmt::{self, Write as _};

use super::Level;

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
pub(super) struct Timestamp(pub(super) u64);

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
pub(super) struct Style {
    pub(super) ansi: bool,
    /// Longest line (bytes, with its "\n"); longer messages are cut and end with "...".
    pub(super) max_line: Option<usize>,
    /// Write NUL bytes of the message as the two characters `\0` (the drain hands out C strings).
    pub(super) escape_nul: bool,
}

/// Appends to a line buffer, stopping at `limit` bytes on a character boundary.
struct Bounded<'a> {
    out: &'a mut Vec<u8>,
    limit: usize,
    /// Writing the message: control characters escaped as upstream's formatter does.
    message: bool,
    escape_nul: bool,
    truncated: bool,
}

/// How upstream's log formatter (tracing-subscriber 0.3.20 and later) writes a message character
/// that could steer a terminal: BEL, BS, FF, ESC and DEL as `\x07`, C1 controls as `\u{85}`;
/// other characters, tab and newline included, as they are. A NUL is `\0` where asked.
fn escaped(ch: char, escape_nul: bool, buf: &mut [u8; 8]) -> Option<&str> {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let code = ch as u32;
    let text: &[u8] = match ch {
        '\0' if escape_nul => b"\\0",
        '\x07' | '\x08' | '\x0c' | '\x1b' | '\x7f' => {
            *buf = [b'\\', b'x', HEX[(code >> 4) as usize], HEX[(code & 15) as usize], 0, 0, 0, 0];
            &buf[..4]
        }
        '\u{80}'..='\u{9f}' => {
            *buf = [b'\\', b'u', b'{', HEX[(code >> 4) as usize], HEX[(code & 15) as usize], b'}', 0, 0];
            &buf[..6]
        }
        _ => return None,
    };
    core::str::from_utf8(text).ok()
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
        if !self.message {
            self.push(s);
            return Ok(());
        }
        let mut start = 0;
        let mut buf = [0u8; 8];
        for (i, ch) in s.char_indices() {
            if let Some(e) = escaped(ch, self.escape_nul, &mut buf) {
                self.push(&s[start..i]);
                self.push(e);
                start = i + ch.len_utf8();
            }
        }
        self.push(&s[start..]);
        Ok(())
    }
}

/// Formats one line (ending with "\n") into `out`.
pub(super) fn format_line(
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
    let mut w = Bounded { out, limit: usize::MAX, message: false, escape_nul: false, truncated: false };
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
    w.message = true;
    let _ = write!(w, "{message}");
    let truncated = w.truncated;
    w.limit = usize::MAX;
    w.truncated = false;
    w.message = false;
    w.escape_nul = false;
    if truncated {
        w.push("...");
    }
    if let Some(id) = plugin_id {
        let _ = write!(w, " {italic}plugin{end}{dim}={end}\"{}\"", Uuid(id));
    }
    w.push("\n");
}
