//! The fixed-capacity buffer behind `extism_log_custom` / `extism_log_drain`.

use alloc::vec::Vec;
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
