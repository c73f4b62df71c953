//! One entry of the manifest's `wasm` list, deserialized by hand.
//!
//! Upstream uses an untagged enum (`path` | `data` | `url`, each with flattened `name`/`hash`, all
//! `deny_unknown_fields`). That accepts and rejects the same documents as the rules below, but its only
//! error is "did not match any variant"; walking the map ourselves says which key was wrong.
//! Rules (each mirrors what the untagged enum does):
//! - keys: `path`, `data`, `url`, `headers`, `method`, `name`, `hash`; any other key or a repeated key
//!   rejects the manifest;
//! - exactly one of `path`, `data`, `url` is present; `headers` and `method` only next to `url`
//!   (a key counts as present even when its value is `null`);
//! - `name`, `hash` and `method` may be `null`; `path`, `data`, `url` and `headers` may not;
//! - `data` is padded standard base64, or `{"ptr": N, "len": N}` (also `[ptr, len]`, which serde's
//!   derived struct visitor accepts upstream).

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};

/// Where a module's bytes come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Location {
    /// A file on the host's file system.
    Path(String),
    /// Bytes given inline (base64 already decoded).
    Data(Vec<u8>),
    /// Bytes at an address of the host process (`data: {ptr, len}`), read when the manifest is loaded.
    HostMemory { ptr: u64, len: u64 },
    /// An HTTP download.
    Url {
        url: String,
        headers: BTreeMap<String, String>,
        method: Option<String>,
    },
}

/// A parsed, not yet loaded, wasm source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WasmSource {
    pub location: Location,
    pub name: Option<String>,
    pub hash: Option<String>,
}

pub(super) const FIELDS: &[&str] = &["path", "data", "url", "headers", "method", "name", "hash"];
/// What a wasm source and its `data` must be (the visitors' `expecting`, in type errors).
pub(super) const SOURCE_EXPECTING: &str = "a wasm source object with one of `path`, `data` or `url`";
pub(super) const DATA_EXPECTING: &str = "base64 text or {\"ptr\": N, \"len\": N}";

/// `data` given as text: padded standard base64. STANDARD requires canonical padding, like upstream:
/// unpadded data rejects the manifest.
pub(super) fn decode_data(text: &str) -> Result<Vec<u8>, String> {
    super::base64_data::decode(text.as_bytes()).map_err(|e| alloc::format!("invalid base64 in `data`: {e}"))
}

impl<'de> Deserialize<'de> for WasmSource {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(SourceVisitor)
    }
}

struct SourceVisitor;

/// Stores `value` in `slot`, refusing a second occurrence of the key.
fn put<T, E: de::Error>(slot: &mut Option<T>, key: &'static str, value: T) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::duplicate_field(key));
    }
    *slot = Some(value);
    Ok(())
}

impl<'de> Visitor<'de> for SourceVisitor {
    type Value = WasmSource;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(SOURCE_EXPECTING)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<WasmSource, A::Error> {
        let mut path: Option<String> = None;
        let mut data: Option<Data> = None;
        let mut url: Option<String> = None;
        let mut headers: Option<BTreeMap<String, String>> = None;
        // Outer Option: key present; inner: value (null allowed).
        let mut method: Option<Option<String>> = None;
        let mut name: Option<Option<String>> = None;
        let mut hash: Option<Option<String>> = None;

        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "path" => put(&mut path, "path", map.next_value()?)?,
                "data" => put(&mut data, "data", map.next_value()?)?,
                "url" => put(&mut url, "url", map.next_value()?)?,
                "headers" => put(&mut headers, "headers", map.next_value()?)?,
                "method" => put(&mut method, "method", map.next_value()?)?,
                "name" => put(&mut name, "name", map.next_value()?)?,
                "hash" => put(&mut hash, "hash", map.next_value()?)?,
                other => return Err(de::Error::unknown_field(other, FIELDS)),
            }
        }

        assemble(Fields { path, data, url, headers, method, name, hash }).map_err(de::Error::custom)
    }
}

/// A wasm source's keys as read (outer Option: the key is present; inner: its value, null allowed).
pub(super) struct Fields {
    pub path: Option<String>,
    pub data: Option<Data>,
    pub url: Option<String>,
    pub headers: Option<BTreeMap<String, String>>,
    pub method: Option<Option<String>>,
    pub name: Option<Option<String>>,
    pub hash: Option<Option<String>>,
}

/// The source from its keys, or why they do not make one (the rules above); shared with the lean
/// build's reader (`super::schema_json`).
pub(super) fn assemble(f: Fields) -> Result<WasmSource, &'static str> {
    let given = [f.path.is_some(), f.data.is_some(), f.url.is_some()].iter().filter(|x| **x).count();
    if given == 0 {
        return Err("wasm source needs one of `path`, `data` or `url`");
    }
    if given > 1 {
        return Err("wasm source may have only one of `path`, `data` or `url`");
    }
    if f.url.is_none() && (f.headers.is_some() || f.method.is_some()) {
        return Err("`headers` and `method` are only allowed with `url`");
    }
    let location = if let Some(p) = f.path {
        Location::Path(p)
    } else if let Some(d) = f.data {
        match d {
            Data::Bytes(b) => Location::Data(b),
            Data::Ptr { ptr, len } => Location::HostMemory { ptr, len },
        }
    } else {
        Location::Url {
            url: f.url.unwrap_or_default(),
            headers: f.headers.unwrap_or_default(),
            method: f.method.flatten(),
        }
    };
    Ok(WasmSource { location, name: f.name.flatten(), hash: f.hash.flatten() })
}

/// The value of `data`.
pub(super) enum Data {
    Bytes(Vec<u8>),
    Ptr { ptr: u64, len: u64 },
}

impl<'de> Deserialize<'de> for Data {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(DataVisitor)
    }
}

struct DataVisitor;

impl<'de> Visitor<'de> for DataVisitor {
    type Value = Data;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(DATA_EXPECTING)
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Data, E> {
        decode_data(v).map(Data::Bytes).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Data, A::Error> {
        let mut ptr: Option<u64> = None;
        let mut len: Option<u64> = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "ptr" => put(&mut ptr, "ptr", map.next_value()?)?,
                "len" => put(&mut len, "len", map.next_value()?)?,
                other => return Err(de::Error::unknown_field(other, &["ptr", "len"])),
            }
        }
        let ptr = ptr.ok_or_else(|| de::Error::missing_field("ptr"))?;
        let len = len.ok_or_else(|| de::Error::missing_field("len"))?;
        Ok(Data::Ptr { ptr, len })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Data, A::Error> {
        let ptr: u64 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let len: u64 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        if seq.next_element::<de::IgnoredAny>()?.is_some() {
            return Err(de::Error::invalid_length(3, &self));
        }
        Ok(Data::Ptr { ptr, len })
    }
}
