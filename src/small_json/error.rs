//! The reader's error: what went wrong and the byte offset where the reader stood.

use alloc::format;
use alloc::string::{String, ToString};
use core::fmt;

use serde::de::{Expected, Unexpected};

/// Either invalid JSON (`invalid JSON at byte N: <what>`) or valid JSON that does not fit the type
/// (`<serde's message> at byte N`). N is the 0-based byte offset in the input.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Error {
    what: String,
    syntax: bool,
    at: Option<usize>,
}

impl Error {
    /// Invalid JSON at byte offset `at`.
    pub(super) fn syntax(what: &str, at: usize) -> Self {
        Error { what: what.to_string(), syntax: true, at: Some(at) }
    }

    /// Gives an error raised by a visitor (which cannot know the position) the reader's position.
    pub(super) fn at(mut self, at: usize) -> Self {
        self.at.get_or_insert(at);
        self
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.syntax, self.at) {
            (true, Some(at)) => write!(f, "invalid JSON at byte {at}: {}", self.what),
            (false, Some(at)) => write!(f, "{} at byte {at}", self.what),
            (_, None) => f.write_str(&self.what),
        }
    }
}

/// serde's `Unexpected` in words, without its float formatting (which would link core's float
/// printing: the reader never produces a float, so only a visitor's own value could carry one).
fn unexpected(u: &Unexpected<'_>) -> String {
    match *u {
        Unexpected::Float(_) => String::from("floating point"),
        Unexpected::Bool(b) => format!("boolean `{b}`"),
        Unexpected::Unsigned(n) => format!("integer `{n}`"),
        Unexpected::Signed(n) => format!("integer `{n}`"),
        Unexpected::Char(c) => format!("character `{c}`"),
        Unexpected::Str(s) => format!("string {s:?}"),
        Unexpected::Bytes(_) => String::from("byte array"),
        Unexpected::Unit => String::from("null"),
        Unexpected::Option => String::from("Option value"),
        Unexpected::NewtypeStruct => String::from("newtype struct"),
        Unexpected::Seq => String::from("sequence"),
        Unexpected::Map => String::from("map"),
        Unexpected::Enum => String::from("enum"),
        Unexpected::UnitVariant => String::from("unit variant"),
        Unexpected::NewtypeVariant => String::from("newtype variant"),
        Unexpected::TupleVariant => String::from("tuple variant"),
        Unexpected::StructVariant => String::from("struct variant"),
        Unexpected::Other(other) => String::from(other),
    }
}

impl serde::de::Error for Error {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        Error { what: msg.to_string(), syntax: false, at: None }
    }

    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Self::custom(format_args!("invalid type: {}, expected {exp}", unexpected(&unexp)))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Self::custom(format_args!("invalid value: {}, expected {exp}", unexpected(&unexp)))
    }
}

impl serde::de::StdError for Error {}
