//! The pull reader: the steps serde_json's deserializer takes for each kind of value the library
//! reads, in the same order and with the same errors at the same positions, so that code reading a
//! document with it (`crate::manifest::schema_json`) gives hosts serde_json's texts.
//!
//! Numbers are kept as integers only: a fraction, an exponent or an integer beyond 64 bits is read by
//! JSON's grammar and kept as its text (`Number::Float`), since nothing the library reads takes one.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::Error;

/// serde_json's recursion limit: the 128th nested array or object is refused.
const MAX_DEPTH: u32 = 128;

const EOF_VALUE: &str = "EOF while parsing a value";
const EOF_LIST: &str = "EOF while parsing a list";
const EOF_OBJECT: &str = "EOF while parsing an object";
const EOF_STRING: &str = "EOF while parsing a string";
const EXPECTED_VALUE: &str = "expected value";
const EXPECTED_IDENT: &str = "expected ident";
const INVALID_NUMBER: &str = "invalid number";
const INVALID_ESCAPE: &str = "invalid escape";
const TRAILING_COMMA: &str = "trailing comma";
const TRAILING_CHARACTERS: &str = "trailing characters";
const LONE_SURROGATE: &str = "lone leading surrogate in hex escape";

/// Which containers a value may be: a struct is read from an object or an array, a map only from an
/// object, a list only from an array.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Accept {
    Object,
    Array,
    Either,
}

/// A number as read.
pub enum Number {
    Unsigned(u64),
    /// Negative, `-1` down to `i64::MIN`.
    Signed(i64),
    /// A fraction, exponent, `-0` or an integer out of 64-bit range (serde_json's `f64`): its text.
    Float(String),
}

/// An open object or array: whether its first entry is still to come.
pub struct Entries {
    first: bool,
}

pub struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    remaining_depth: u32,
}

impl<'a> Reader<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Reader { bytes, pos: 0, remaining_depth: MAX_DEPTH }
    }

    /// After the document's value: only whitespace may follow.
    pub fn end(&mut self) -> Result<(), Error> {
        match self.whitespace() {
            Some(_) => Err(self.peek_error(TRAILING_CHARACTERS)),
            None => Ok(()),
        }
    }

    // --- positions and errors ---

    /// serde_json's line (1-based) and column (bytes since the line's start) of byte offset `at`.
    fn line_column(&self, at: usize) -> (usize, usize) {
        let before = &self.bytes[..at.min(self.bytes.len())];
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let line = 1 + before[..line_start].iter().filter(|&&b| b == b'\n').count();
        (line, before.len() - line_start)
    }

    /// `what` at byte offset `at`.
    fn error_at(&self, what: String, at: usize) -> Error {
        let (line, column) = self.line_column(at);
        Error::at(what, line, column)
    }

    /// An error where the reader stands (after what it consumed).
    fn error(&self, what: &str) -> Error {
        self.error_at(String::from(what), self.pos)
    }

    /// An error at the byte the reader looks at (serde_json's `peek_error`).
    fn peek_error(&self, what: &str) -> Error {
        self.error_at(String::from(what), (self.pos + 1).min(self.bytes.len()))
    }

    /// Gives an error raised by the code reading a value (which knows no position) the position
    /// where the reader stands, as serde_json does when the error leaves the value.
    pub fn place(&self, e: Error) -> Error {
        if e.is_placed() {
            e
        } else {
            self.error_at(format!("{e}"), self.pos)
        }
    }

    // --- bytes ---

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn next(&mut self) -> Option<u8> {
        let b = self.peek();
        if b.is_some() {
            self.pos += 1;
        }
        b
    }

    fn whitespace(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.pos += 1;
        }
        self.peek()
    }

    /// The first byte of the next value, not consumed.
    pub fn value_start(&mut self) -> Result<u8, Error> {
        self.whitespace().ok_or_else(|| self.peek_error(EOF_VALUE))
    }

    /// The rest of `null`, `true` or `false` after its first byte.
    fn ident(&mut self, rest: &[u8]) -> Result<(), Error> {
        for &expected in rest {
            match self.next() {
                None => return Err(self.error(EOF_VALUE)),
                Some(b) if b != expected => return Err(self.error(EXPECTED_IDENT)),
                Some(_) => {}
            }
        }
        Ok(())
    }

    // --- scalars ---

    /// `null` (consumed: `true`) or anything else (left for the value's reader: `false`), as serde_json
    /// reads an `Option`.
    pub fn null(&mut self) -> Result<bool, Error> {
        if self.whitespace() != Some(b'n') {
            return Ok(false);
        }
        self.pos += 1;
        self.ident(b"ull")?;
        Ok(true)
    }

    /// A string; anything else is an error naming `expected`.
    pub fn string(&mut self, expected: &str) -> Result<String, Error> {
        if self.value_start()? != b'"' {
            return Err(self.invalid_type(expected));
        }
        self.pos += 1;
        self.string_body()
    }

    /// An unsigned integer up to `max`; anything else is an error naming `expected` (`u32`, `u64`).
    pub fn unsigned(&mut self, max: u64, expected: &str) -> Result<u64, Error> {
        let first = self.value_start()?;
        if first != b'-' && !first.is_ascii_digit() {
            return Err(self.invalid_type(expected));
        }
        let unexpected = match self.number()? {
            Number::Unsigned(n) if n <= max => return Ok(n),
            Number::Unsigned(n) => format!("invalid value: integer `{n}`"),
            Number::Signed(n) => format!("invalid value: integer `{n}`"),
            Number::Float(text) => format!("invalid type: floating point `{text}`"),
        };
        Err(self.error_at(format!("{unexpected}, expected {expected}"), self.pos))
    }

    /// A number in JSON's grammar (serde_json's `parse_integer` and what follows it).
    fn number(&mut self) -> Result<Number, Error> {
        let start = self.pos;
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let mut value: Option<u64> = Some(0);
        match self.next() {
            None => return Err(self.error(EOF_VALUE)),
            Some(b'0') => {
                if let Some(b'0'..=b'9') = self.peek() {
                    return Err(self.peek_error(INVALID_NUMBER));
                }
            }
            Some(d @ b'1'..=b'9') => {
                value = Some(u64::from(d - b'0'));
                while let Some(d @ b'0'..=b'9') = self.peek() {
                    self.pos += 1;
                    value = value.and_then(|v| v.checked_mul(10)?.checked_add(u64::from(d - b'0')));
                }
            }
            Some(_) => return Err(self.error(INVALID_NUMBER)),
        }
        let mut float = value.is_none();
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if !matches!(self.peek(), Some(b'0'..=b'9')) {
                let what = if self.peek().is_some() { INVALID_NUMBER } else { EOF_VALUE };
                return Err(self.peek_error(what));
            }
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
            float = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            match self.next() {
                None => return Err(self.error(EOF_VALUE)),
                Some(b'0'..=b'9') => {}
                Some(_) => return Err(self.error(INVALID_NUMBER)),
            }
            while let Some(b'0'..=b'9') = self.peek() {
                self.pos += 1;
            }
            float = true;
        }
        Ok(match (float, value, negative) {
            (false, Some(n), false) => Number::Unsigned(n),
            // -1 ..= i64::MIN; `-0` and anything lower are floats to serde_json.
            (false, Some(n @ 1..=0x8000_0000_0000_0000), true) => Number::Signed(0i64.wrapping_sub_unsigned(n)),
            _ => Number::Float(self.bytes[start..self.pos].iter().map(|&b| char::from(b)).collect()),
        })
    }

    /// A string's content after its opening quote, escapes resolved, up to and with its closing quote.
    fn string_body(&mut self) -> Result<String, Error> {
        let mut out: Vec<u8> = Vec::new();
        loop {
            match self.next() {
                None => return Err(self.error(EOF_STRING)),
                Some(b'"') => break,
                Some(b'\\') => self.escape(&mut out)?,
                Some(0..=0x1f) => {
                    return Err(self.error("control character (\\u0000-\\u001F) found while parsing a string"))
                }
                Some(b) => out.push(b),
            }
        }
        String::from_utf8(out).map_err(|e| {
            // serde_json points back from the closing quote by the bytes after the first invalid one.
            let back = e.as_bytes().len() - e.utf8_error().valid_up_to();
            let (line, column) = self.line_column(self.pos);
            Error::at(String::from("invalid unicode code point"), line, column.saturating_sub(back))
        })
    }

    /// One escape after its backslash.
    fn escape(&mut self, out: &mut Vec<u8>) -> Result<(), Error> {
        let byte = match self.next() {
            None => return Err(self.error(EOF_STRING)),
            Some(b'"') => b'"',
            Some(b'\\') => b'\\',
            Some(b'/') => b'/',
            Some(b'b') => 0x08,
            Some(b'f') => 0x0c,
            Some(b'n') => b'\n',
            Some(b'r') => b'\r',
            Some(b't') => b'\t',
            Some(b'u') => {
                let c = self.unicode_escape()?;
                out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                return Ok(());
            }
            Some(_) => return Err(self.error(INVALID_ESCAPE)),
        };
        out.push(byte);
        Ok(())
    }

    /// Four hex digits of a `\u` escape (all four consumed before they are checked, as serde_json).
    fn hex4(&mut self) -> Result<u32, Error> {
        let Some(digits) = self.bytes.get(self.pos..self.pos + 4) else {
            self.pos = self.bytes.len();
            return Err(self.error(EOF_STRING));
        };
        self.pos += 4;
        let mut v = 0u32;
        for &d in digits {
            let Some(d) = (d as char).to_digit(16) else { return Err(self.error(INVALID_ESCAPE)) };
            v = v * 16 + d;
        }
        Ok(v)
    }

    /// A `\uXXXX` escape after its `\u`, with the second half of a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, Error> {
        let first = self.hex4()?;
        if (0xDC00..=0xDFFF).contains(&first) {
            return Err(self.error(LONE_SURROGATE));
        }
        if !(0xD800..=0xDBFF).contains(&first) {
            // Outside the surrogates every code point is a char.
            return char::from_u32(first).ok_or_else(|| self.error(INVALID_ESCAPE));
        }
        for expected in [b'\\', b'u'] {
            match self.next() {
                None => return Err(self.error(EOF_STRING)),
                Some(b) if b != expected => return Err(self.error("unexpected end of hex escape")),
                Some(_) => {}
            }
        }
        let second = self.hex4()?;
        if !(0xDC00..=0xDFFF).contains(&second) {
            return Err(self.error(LONE_SURROGATE));
        }
        char::from_u32(0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)).ok_or_else(|| self.error(INVALID_ESCAPE))
    }

    /// The error for a value that is not what the reader wanted (serde_json's `peek_invalid_type`):
    /// a scalar is read to name it, a container is named where it starts.
    pub fn invalid_type(&mut self, expected: &str) -> Error {
        let unexpected = match self.peek() {
            Some(b'n') => {
                self.pos += 1;
                self.ident(b"ull").map(|()| String::from("null"))
            }
            Some(b't') => {
                self.pos += 1;
                self.ident(b"rue").map(|()| String::from("boolean `true`"))
            }
            Some(b'f') => {
                self.pos += 1;
                self.ident(b"alse").map(|()| String::from("boolean `false`"))
            }
            Some(b'-' | b'0'..=b'9') => self.number().map(|n| match n {
                Number::Unsigned(n) => format!("integer `{n}`"),
                Number::Signed(n) => format!("integer `{n}`"),
                Number::Float(text) => format!("floating point `{text}`"),
            }),
            Some(b'"') => {
                self.pos += 1;
                self.string_body().map(|s| format!("string {s:?}"))
            }
            Some(b'[') => Ok(String::from("sequence")),
            Some(b'{') => Ok(String::from("map")),
            _ => return self.peek_error(EXPECTED_VALUE),
        };
        match unexpected {
            Ok(u) => self.error_at(format!("invalid type: {u}, expected {expected}"), self.pos),
            Err(e) => e,
        }
    }

    // --- containers ---

    /// Opens the object or array that must come next (`accept`); anything else is an error naming
    /// `expected`. Returns whether it is an object. Each `open` is followed by `close`.
    pub fn open(&mut self, accept: Accept, expected: &str) -> Result<(bool, Entries), Error> {
        let object = match self.value_start()? {
            b'{' if accept != Accept::Array => true,
            b'[' if accept != Accept::Object => false,
            _ => return Err(self.invalid_type(expected)),
        };
        self.remaining_depth -= 1;
        if self.remaining_depth == 0 {
            return Err(self.peek_error("recursion limit exceeded"));
        }
        self.pos += 1;
        Ok((object, Entries { first: true }))
    }

    /// Closes what `open` opened, with the result of reading its entries: serde_json's check of the
    /// closing bracket, the entries' error first, and that error placed after the check.
    pub fn close<T>(&mut self, object: bool, read: Result<T, Error>) -> Result<T, Error> {
        self.remaining_depth += 1;
        let end = if object { self.end_object() } else { self.end_array() };
        match (read, end) {
            (Ok(v), Ok(())) => Ok(v),
            (Err(e), _) | (_, Err(e)) => Err(self.place(e)),
        }
    }

    fn end_array(&mut self) -> Result<(), Error> {
        match self.whitespace() {
            Some(b']') => {
                self.pos += 1;
                Ok(())
            }
            Some(b',') => {
                self.pos += 1;
                let what = if self.whitespace() == Some(b']') { TRAILING_COMMA } else { TRAILING_CHARACTERS };
                Err(self.peek_error(what))
            }
            Some(_) => Err(self.peek_error(TRAILING_CHARACTERS)),
            None => Err(self.peek_error(EOF_LIST)),
        }
    }

    fn end_object(&mut self) -> Result<(), Error> {
        match self.whitespace() {
            Some(b'}') => {
                self.pos += 1;
                Ok(())
            }
            Some(b',') => Err(self.peek_error(TRAILING_COMMA)),
            Some(_) => Err(self.peek_error(TRAILING_CHARACTERS)),
            None => Err(self.peek_error(EOF_OBJECT)),
        }
    }

    /// Whether an array has another element (its `,` consumed); the `]` is left for `close`.
    pub fn next_element(&mut self, e: &mut Entries) -> Result<bool, Error> {
        let Some(b) = self.whitespace() else { return Err(self.peek_error(EOF_LIST)) };
        if b == b']' {
            return Ok(false);
        }
        if e.first {
            e.first = false;
            return Ok(true);
        }
        if b != b',' {
            return Err(self.peek_error("expected `,` or `]`"));
        }
        self.pos += 1;
        match self.whitespace() {
            Some(b']') => Err(self.peek_error(TRAILING_COMMA)),
            Some(_) => Ok(true),
            None => Err(self.peek_error(EOF_VALUE)),
        }
    }

    /// An object's next key (its `,` consumed), or None at its `}` (left for `close`). The `:` is
    /// read by `colon`, before the value.
    pub fn next_key(&mut self, e: &mut Entries) -> Result<Option<String>, Error> {
        let Some(b) = self.whitespace() else { return Err(self.peek_error(EOF_OBJECT)) };
        if b == b'}' {
            return Ok(None);
        }
        let b = if e.first {
            e.first = false;
            b
        } else if b == b',' {
            self.pos += 1;
            match self.whitespace() {
                Some(b'}') => return Err(self.peek_error(TRAILING_COMMA)),
                Some(b) => b,
                None => return Err(self.peek_error(EOF_VALUE)),
            }
        } else {
            return Err(self.peek_error("expected `,` or `}`"));
        };
        if b != b'"' {
            return Err(self.peek_error("key must be a string"));
        }
        self.pos += 1;
        self.string_body().map(Some)
    }

    /// The `:` between a key and its value.
    pub fn colon(&mut self) -> Result<(), Error> {
        match self.whitespace() {
            Some(b':') => {
                self.pos += 1;
                Ok(())
            }
            Some(_) => Err(self.peek_error("expected `:`")),
            None => Err(self.peek_error(EOF_OBJECT)),
        }
    }

    /// Reads and drops one value of any kind, checking its grammar: serde_json's `ignore_value`,
    /// step for step (iterative, with no depth limit: the open brackets are kept on the heap).
    pub fn skip_value(&mut self) -> Result<(), Error> {
        let mut open: Vec<u8> = Vec::new();
        loop {
            let frame = match self.value_start()? {
                b'n' => self.skip_ident(b"null").map(|()| None)?,
                b't' => self.skip_ident(b"true").map(|()| None)?,
                b'f' => self.skip_ident(b"false").map(|()| None)?,
                b'-' | b'0'..=b'9' => self.number().map(|_| None)?,
                b'"' => {
                    self.pos += 1;
                    self.string_body().map(|_| None)?
                }
                b @ (b'[' | b'{') => {
                    self.pos += 1;
                    Some(b)
                }
                _ => return Err(self.peek_error(EXPECTED_VALUE)),
            };
            // After a scalar or a closed container: a `,` or the enclosing close; after an opening
            // bracket: its close or the first entry.
            let (mut after_value, mut frame) = match frame {
                Some(b) => (false, b),
                None => match open.pop() {
                    Some(b) => (true, b),
                    None => return Ok(()),
                },
            };
            loop {
                match self.whitespace() {
                    Some(b',') if after_value => {
                        self.pos += 1;
                        break;
                    }
                    Some(b']') if frame == b'[' => {}
                    Some(b'}') if frame == b'{' => {}
                    Some(_) if after_value => {
                        let what = if frame == b'[' { "expected `,` or `]`" } else { "expected `,` or `}`" };
                        return Err(self.peek_error(what));
                    }
                    Some(_) => break,
                    None => return Err(self.peek_error(if frame == b'[' { EOF_LIST } else { EOF_OBJECT })),
                }
                self.pos += 1;
                frame = match open.pop() {
                    Some(b) => b,
                    None => return Ok(()),
                };
                after_value = true;
            }
            if frame == b'{' {
                match self.whitespace() {
                    Some(b'"') => self.pos += 1,
                    Some(_) => return Err(self.peek_error("key must be a string")),
                    None => return Err(self.peek_error(EOF_OBJECT)),
                }
                self.string_body()?;
                self.colon()?;
            }
            open.push(frame);
        }
    }

    fn skip_ident(&mut self, word: &[u8]) -> Result<(), Error> {
        self.pos += 1;
        self.ident(&word[1..])
    }
}
