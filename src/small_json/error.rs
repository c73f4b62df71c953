//! The reader's error: serde_json's text for the same document (`<what> at line L column C`).

use alloc::string::String;
use core::fmt;

/// What went wrong and, once known, where: the 1-based line and the column as serde_json counts it
/// (bytes since the line's start, so the column of a byte is its offset in the line plus one when
/// the reader stood after it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    what: String,
    at: Option<(usize, usize)>,
}

impl Error {
    /// An error whose position the enclosing value fills in (serde_json's visitor errors).
    pub fn unplaced(what: String) -> Self {
        Error { what, at: None }
    }

    pub(super) fn at(what: String, line: usize, column: usize) -> Self {
        Error { what, at: Some((line, column)) }
    }

    pub(super) fn is_placed(&self) -> bool {
        self.at.is_some()
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.at {
            Some((line, column)) => write!(f, "{} at line {line} column {column}", self.what),
            None => f.write_str(&self.what),
        }
    }
}
