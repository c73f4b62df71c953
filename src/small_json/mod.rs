//! A small JSON reader for the lean firmware set (cargo feature `small-json`), instead of serde_json
//! and serde's generic code: a pull reader (`Reader`) that the code reading each document drives
//! (`crate::manifest::schema_json` for manifests, `config_update` here for `extism_plugin_config`).
//!
//! It takes serde_json's steps for each kind of value, so it accepts and refuses the same documents
//! and gives the same error texts at the same line and column (`src/small_json/tests.rs` compares
//! the two). One difference: a number with a fraction or exponent (or beyond 64 bits) where an
//! integer belongs is shown as written (`floating point `1e3``), where serde_json shows the float it
//! parsed (`floating point `1000.0``; for `1e400` it says `number out of range`): this reader has no
//! float parsing or formatting, which is much of its flash saving.

mod error;
mod read;
#[cfg(test)]
mod tests;

use alloc::collections::BTreeMap;
use alloc::string::String;

pub use error::Error;
pub use read::{Accept, Entries, Reader};

/// A config update for `extism_plugin_config`: a JSON object of strings or nulls, read as serde_json
/// reads a `BTreeMap<String, Option<String>>` (a repeated key: the last one counts).
pub fn config_update(bytes: &[u8]) -> Result<BTreeMap<String, Option<String>>, Error> {
    let mut r = Reader::new(bytes);
    let update = string_map(&mut r, |r| if r.null()? { Ok(None) } else { r.string("a string").map(Some) })?;
    r.end()?;
    Ok(update)
}

/// A JSON object whose values `value` reads, as serde_json reads a `BTreeMap<String, _>`.
pub fn string_map<T>(
    r: &mut Reader,
    mut value: impl FnMut(&mut Reader) -> Result<T, Error>,
) -> Result<BTreeMap<String, T>, Error> {
    let (object, mut entries) = r.open(Accept::Object, "a map")?;
    let mut read = || {
        let mut map = BTreeMap::new();
        while let Some(key) = r.next_key(&mut entries)? {
            r.colon()?;
            map.insert(key, value(r)?);
        }
        Ok(map)
    };
    let read = read();
    r.close(object, read)
}
