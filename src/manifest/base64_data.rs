//! Standard base64 (RFC 4648 alphabet, canonical `=` padding, no trailing bits) for a manifest's
//! `data`: the base64 crate's `STANDARD` decoding step for step, with its error texts (the tests
//! compare the two), in a few hundred bytes of flash instead of its general engine's 2.8 KB.

use alloc::vec::Vec;
use core::fmt;

/// Why text is not standard base64; `Display` is the base64 crate's `DecodeError` text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Base64Error {
    /// A byte outside the alphabet (or a misplaced `=`) at an offset.
    Byte(usize, u8),
    /// The text ends with a single symbol of a group: the length (in symbols) where it went wrong.
    Length(usize),
    /// The last symbol carries bits that no byte uses (offset, symbol).
    LastSymbol(usize, u8),
    /// Padding missing, or more than the last group needs.
    Padding,
}

impl fmt::Display for Base64Error {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        match *self {
            Self::Byte(at, byte) => write!(f, "Invalid symbol {byte}, offset {at}."),
            Self::Length(len) => write!(f, "Invalid input length: {len}"),
            Self::LastSymbol(at, byte) => write!(f, "Invalid last symbol {byte}, offset {at}."),
            Self::Padding => f.write_str("Invalid padding"),
        }
    }
}

/// The 6 bits a symbol stands for.
fn morsel(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Decodes `text`. Like the crate: every group but the last must be four symbols; the last (which
/// may carry `=`) is checked for its length, its padding and unused bits, in that order.
pub fn decode(text: &[u8]) -> Result<Vec<u8>, Base64Error> {
    let rem = text.len() % 4;
    // A lone trailing symbol that is not in the alphabet (a newline, say) is named first.
    if let (1, Some(&last)) = (rem, text.last()) {
        if last != b'=' && morsel(last).is_none() {
            return Err(Base64Error::Byte(text.len() - 1, last));
        }
    }
    let body = text.len().saturating_sub(rem).saturating_sub(if rem == 0 { 4 } else { 0 });
    let mut out = Vec::with_capacity(text.len() / 4 * 3 + 3);
    let mut bits: u32 = 0;
    for (i, &b) in text[..body].iter().enumerate() {
        let Some(m) = morsel(b) else { return Err(Base64Error::Byte(i, b)) };
        bits = bits << 6 | u32::from(m);
        if i % 4 == 3 {
            out.extend_from_slice(&bits.to_be_bytes()[1..]);
        }
    }
    // The last group: up to four symbols, `=` only from its third place on and only at its end.
    let (mut symbols, mut pads, mut first_pad, mut last_symbol) = (0usize, 0usize, 0usize, 0u8);
    let mut last: u32 = 0;
    for (k, &b) in text[body..].iter().enumerate() {
        if b == b'=' {
            if k < 2 {
                return Err(Base64Error::Byte(body + k, b));
            }
            if pads == 0 {
                first_pad = k;
            }
            pads += 1;
            continue;
        }
        if pads > 0 {
            return Err(Base64Error::Byte(body + first_pad, b'='));
        }
        let Some(m) = morsel(b) else { return Err(Base64Error::Byte(body + k, b)) };
        last |= u32::from(m) << (26 - 6 * symbols);
        last_symbol = b;
        symbols += 1;
    }
    if !text.is_empty() && symbols < 2 {
        return Err(Base64Error::Length(body + symbols));
    }
    if (pads + symbols) % 4 != 0 {
        return Err(Base64Error::Padding);
    }
    let bytes = symbols * 6 / 8;
    if last & (u32::MAX >> (bytes * 8)) != 0 {
        return Err(Base64Error::LastSymbol(body + symbols - 1, last_symbol));
    }
    out.extend_from_slice(&last.to_be_bytes()[..bytes]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use alloc::string::ToString;
    use alloc::vec::Vec;

    use base64::Engine as _;

    use super::decode;

    /// Returns the error's kind (its text up to the first digit), or "ok".
    fn same_as_the_crate(text: &[u8]) -> alloc::string::String {
        let theirs = base64::engine::general_purpose::STANDARD.decode(text).map_err(|e| e.to_string());
        let ours = decode(text).map_err(|e| e.to_string());
        assert_eq!(ours, theirs, "{:?}", core::str::from_utf8(text));
        ours.err().map_or("ok".into(), |e| e.split(|c: char| c.is_ascii_digit()).next().unwrap_or("").into())
    }

    #[test]
    fn valid_texts_and_their_mutations_decode_as_the_crate_does() {
        let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        const SYMBOLS: &[u8] = b"AQgw/+z9=\n -_.\xff";
        let mut kinds = alloc::collections::BTreeSet::new();
        for len in 0..40usize {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + len) as u8).collect();
            let text = base64::engine::general_purpose::STANDARD.encode(&bytes).into_bytes();
            same_as_the_crate(&text);
            for cut in 0..text.len() {
                same_as_the_crate(&text[..cut]);
            }
            for _ in 0..300 {
                let mut t = text.clone();
                for _ in 0..1 + next(2) {
                    let at = next(t.len() + 1);
                    match next(3) {
                        0 if at < t.len() => t[at] = SYMBOLS[next(SYMBOLS.len())],
                        1 if at < t.len() => {
                            t.remove(at);
                        }
                        _ => t.insert(at, SYMBOLS[next(SYMBOLS.len())]),
                    }
                }
                kinds.insert(same_as_the_crate(&t));
            }
        }
        // Every outcome was met: decoded, and each of the four errors.
        assert_eq!(kinds.len(), 5, "{kinds:?}");
    }
}
