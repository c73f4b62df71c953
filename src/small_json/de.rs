//! The deserializer: one pass over the bytes, each value handed to serde's visitor as it is read.

use alloc::string::String;
use alloc::vec::Vec;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};

use super::Error;

/// How deep objects and arrays may nest (serde_json's limit too): the reader recurses per level.
const MAX_DEPTH: u32 = 128;

pub(super) fn from_slice<T: de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    let mut r = Reader { bytes, pos: 0, depth: 0 };
    let value = T::deserialize(&mut r).map_err(|e| e.at(r.pos))?;
    r.skip_ws();
    if r.pos < bytes.len() {
        return Err(r.fail("trailing characters after the value"));
    }
    Ok(value)
}

struct Reader<'a> {
    bytes: &'a [u8],
    pos: usize,
    depth: u32,
}

/// A number as read: only integers have a value (no type the library reads takes a float).
enum Number {
    Unsigned(u64),
    Signed(i64),
    /// A fraction or exponent, or an integer out of 64-bit range.
    NotInteger,
}

impl<'a> Reader<'a> {
    fn fail(&self, what: &str) -> Error {
        Error::syntax(what, self.pos)
    }

    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\t' | b'\r') = self.peek() {
            self.pos += 1;
        }
    }

    /// The next byte that is not whitespace, not consumed.
    fn peek_token(&mut self) -> Result<u8, Error> {
        self.skip_ws();
        self.peek().ok_or_else(|| self.fail("unexpected end of input"))
    }

    fn expect(&mut self, byte: u8, what: &str) -> Result<(), Error> {
        if self.peek_token()? != byte {
            return Err(self.fail(what));
        }
        self.pos += 1;
        Ok(())
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), Error> {
        if !self.bytes[self.pos..].starts_with(word) {
            return Err(self.fail("expected a value"));
        }
        self.pos += word.len();
        Ok(())
    }

    fn digits(&mut self) -> Result<(), Error> {
        let start = self.pos;
        while let Some(b'0'..=b'9') = self.peek() {
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.fail("expected a digit"));
        }
        Ok(())
    }

    /// Reads a number in JSON's grammar (`-`, no leading zeros, optional fraction and exponent).
    fn number(&mut self) -> Result<Number, Error> {
        let negative = self.peek() == Some(b'-');
        if negative {
            self.pos += 1;
        }
        let start = self.pos;
        if self.peek() == Some(b'0') {
            self.pos += 1;
            if let Some(b'0'..=b'9') = self.peek() {
                return Err(self.fail("a number may not start with 0"));
            }
        } else {
            self.digits()?;
        }
        let integer = &self.bytes[start..self.pos];
        let mut fractional = false;
        if self.peek() == Some(b'.') {
            self.pos += 1;
            self.digits()?;
            fractional = true;
        }
        if let Some(b'e' | b'E') = self.peek() {
            self.pos += 1;
            if let Some(b'+' | b'-') = self.peek() {
                self.pos += 1;
            }
            self.digits()?;
            fractional = true;
        }
        let mut value: u64 = 0;
        for &d in integer {
            match value.checked_mul(10).and_then(|v| v.checked_add(u64::from(d - b'0'))) {
                Some(v) => value = v,
                None => return Ok(Number::NotInteger),
            }
        }
        Ok(match (fractional, negative) {
            (true, _) => Number::NotInteger,
            (false, false) => Number::Unsigned(value),
            (false, true) => match 0i64.checked_sub_unsigned(value) {
                Some(v) => Number::Signed(v),
                None => Number::NotInteger,
            },
        })
    }

    /// Four hex digits of a `\u` escape.
    fn hex4(&mut self) -> Result<u32, Error> {
        let mut v = 0u32;
        for _ in 0..4 {
            let d = self.peek().and_then(|b| (b as char).to_digit(16));
            let Some(d) = d else { return Err(self.fail("invalid \\u escape")) };
            v = v * 16 + d;
            self.pos += 1;
        }
        Ok(v)
    }

    /// Reads a string (the opening quote already seen), escapes resolved.
    fn string(&mut self) -> Result<String, Error> {
        self.pos += 1;
        let mut out: Vec<u8> = Vec::new();
        loop {
            let Some(b) = self.peek() else { return Err(self.fail("unterminated string")) };
            match b {
                b'"' => break,
                0..=0x1f => return Err(self.fail("control character in string")),
                b'\\' => {
                    self.pos += 1;
                    let unescaped = match self.peek() {
                        Some(b'"') => b'"',
                        Some(b'\\') => b'\\',
                        Some(b'/') => b'/',
                        Some(b'b') => 0x08,
                        Some(b'f') => 0x0c,
                        Some(b'n') => b'\n',
                        Some(b'r') => b'\r',
                        Some(b't') => b'\t',
                        Some(b'u') => {
                            self.pos += 1;
                            let c = self.unicode_escape()?;
                            out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes());
                            continue;
                        }
                        _ => return Err(self.fail("invalid escape")),
                    };
                    out.push(unescaped);
                }
                _ => out.push(b),
            }
            self.pos += 1;
        }
        let text = String::from_utf8(out).map_err(|_| self.fail("invalid UTF-8 in string"))?;
        self.pos += 1;
        Ok(text)
    }

    /// A `\uXXXX` escape after its `\u`, with the second half of a surrogate pair.
    fn unicode_escape(&mut self) -> Result<char, Error> {
        let first = self.hex4()?;
        let code = match first {
            0xD800..=0xDBFF => {
                if !self.bytes[self.pos..].starts_with(b"\\u") {
                    return Err(self.fail("lone leading surrogate in \\u escape"));
                }
                self.pos += 2;
                let second = self.hex4()?;
                if !(0xDC00..=0xDFFF).contains(&second) {
                    return Err(self.fail("invalid surrogate pair in \\u escape"));
                }
                0x10000 + ((first - 0xD800) << 10) + (second - 0xDC00)
            }
            _ => first,
        };
        char::from_u32(code).ok_or_else(|| self.fail("lone trailing surrogate in \\u escape"))
    }

    /// Enters an object or array (its opening byte at `pos`), counting the depth.
    fn enter(&mut self) -> Result<(), Error> {
        if self.depth == MAX_DEPTH {
            return Err(self.fail("nested too deep"));
        }
        self.depth += 1;
        self.pos += 1;
        Ok(())
    }

    /// Leaves an object or array whose visitor is done: it must have read every entry.
    fn leave(&mut self, close: u8, done: bool) -> Result<(), Error> {
        self.depth -= 1;
        if !done {
            // The visitor stopped before the end (e.g. a 2-element struct read from a longer array).
            return Err(self.fail(if close == b']' { "too many elements" } else { "too many entries" }));
        }
        Ok(())
    }

    /// Skips one value of any kind (for `IgnoredAny`), checking its grammar.
    fn skip_value(&mut self) -> Result<(), Error> {
        match self.peek_token()? {
            b'{' | b'[' => {
                let close = if self.peek() == Some(b'{') { b'}' } else { b']' };
                self.enter()?;
                let mut first = true;
                while self.next_entry(close, &mut first)? {
                    if close == b'}' {
                        self.key_then_colon()?;
                    }
                    self.skip_value()?;
                }
                self.leave(close, true)
            }
            _ => self.deserialize_any(Ignore),
        }
    }

    /// Before the next entry of an object or array: `true` if there is one (a `,` consumed between
    /// entries), `false` at its end (the closing byte consumed).
    fn next_entry(&mut self, close: u8, first: &mut bool) -> Result<bool, Error> {
        let b = self.peek_token()?;
        if b == close {
            self.pos += 1;
            return Ok(false);
        }
        if !*first {
            if b != b',' {
                return Err(self.fail(if close == b']' { "expected `,` or `]`" } else { "expected `,` or `}`" }));
            }
            self.pos += 1;
            if self.peek_token()? == close {
                return Err(self.fail("trailing comma"));
            }
        }
        *first = false;
        Ok(true)
    }

    /// An object's key and its `:`, read as a string.
    fn key_then_colon(&mut self) -> Result<String, Error> {
        if self.peek_token()? != b'"' {
            return Err(self.fail("key must be a string"));
        }
        let key = self.string()?;
        self.expect(b':', "expected `:`")?;
        Ok(key)
    }
}

/// Visits whatever scalar `skip_value` meets, to check it with the same reader code.
struct Ignore;

impl<'de> Visitor<'de> for Ignore {
    type Value = ();
    fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }
    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }
    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }
    fn visit_string<E>(self, _: String) -> Result<(), E> {
        Ok(())
    }
    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }
}

impl<'de, 'a> Deserializer<'de> for &mut Reader<'a> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        let value: Result<V::Value, Error> = match self.peek_token()? {
            b'n' => {
                self.literal(b"null")?;
                visitor.visit_unit()
            }
            b't' => {
                self.literal(b"true")?;
                visitor.visit_bool(true)
            }
            b'f' => {
                self.literal(b"false")?;
                visitor.visit_bool(false)
            }
            b'"' => {
                let s = self.string()?;
                visitor.visit_string(s)
            }
            b'-' | b'0'..=b'9' => match self.number()? {
                Number::Unsigned(n) => visitor.visit_u64(n),
                Number::Signed(n) => visitor.visit_i64(n),
                Number::NotInteger => {
                    Err(de::Error::invalid_type(Unexpected::Other("number that is not a 64-bit integer"), &visitor))
                }
            },
            b'[' => {
                self.enter()?;
                let mut seq = Entries { r: &mut *self, first: true, done: false };
                let value = visitor.visit_seq(&mut seq);
                let done = seq.done;
                return value.map_err(|e| e.at(self.pos)).and_then(|v| self.leave(b']', done).map(|()| v));
            }
            b'{' => {
                self.enter()?;
                let mut map = Entries { r: &mut *self, first: true, done: false };
                let value = visitor.visit_map(&mut map);
                let done = map.done;
                return value.map_err(|e| e.at(self.pos)).and_then(|v| self.leave(b'}', done).map(|()| v));
            }
            _ => return Err(self.fail("expected a value")),
        };
        value.map_err(|e| e.at(self.pos))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        if self.peek_token()? == b'n' {
            self.literal(b"null")?;
            visitor.visit_none()
        } else {
            visitor.visit_some(self)
        }
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Error> {
        self.skip_value()?;
        visitor.visit_unit()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct newtype_struct seq tuple
        tuple_struct map struct enum identifier
    }
}

/// The entries of one object or array, handed to the visitor.
struct Entries<'r, 'a> {
    r: &'r mut Reader<'a>,
    first: bool,
    /// The closing byte was reached.
    done: bool,
}

impl Entries<'_, '_> {
    fn advance(&mut self, close: u8) -> Result<bool, Error> {
        if self.done {
            return Ok(false);
        }
        let more = self.r.next_entry(close, &mut self.first)?;
        self.done = !more;
        Ok(more)
    }
}

impl<'de> SeqAccess<'de> for &mut Entries<'_, '_> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>, Error> {
        if !self.advance(b']')? {
            return Ok(None);
        }
        seed.deserialize(&mut *self.r).map(Some)
    }
}

impl<'de> MapAccess<'de> for &mut Entries<'_, '_> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Error> {
        if !self.advance(b'}')? {
            return Ok(None);
        }
        let start = self.r.pos;
        let key = self.r.key_then_colon()?;
        seed.deserialize(de::value::StringDeserializer::<Error>::new(key))
            .map(Some)
            .map_err(|e| e.at(start))
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Error> {
        seed.deserialize(&mut *self.r)
    }
}
