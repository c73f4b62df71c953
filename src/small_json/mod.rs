//! A small JSON reader for the lean firmware set (cargo feature `small-json`): a serde `Deserializer`
//! straight over the bytes, for the same derived and hand-written serde types as serde_json.
//!
//! It accepts and rejects the same documents as serde_json for the types the library reads (RFC 8259
//! JSON; numbers only as integers, since none of those types takes a float: a fraction or exponent is
//! refused as a floating point number, as serde_json refuses a float there). It has no float parsing or
//! formatting and no line/column tracking, which is where its flash saving comes from; its error texts
//! are its own (`Error`): the one difference of the lean set, documented in `docs/firmware.md`.

mod de;
mod error;
#[cfg(test)]
mod tests;

pub use error::Error;

/// Reads one JSON value of type `T` from `bytes` (whitespace around it allowed, nothing else after it).
pub fn from_slice<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    de::from_slice(bytes)
}
