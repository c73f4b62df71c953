//! The manifest read with the lean build's small JSON reader (cargo feature `small-json`): the steps
//! serde's derived code for `RawManifest` and `RawMemory` and the hand-written `WasmSource` visitor
//! take over serde_json, written out for these types, so that none of serde's generic code is built.
//! Same documents accepted, same values, same error texts (`src/small_json/tests.rs` checks all three
//! against serde_json).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::schema::{RawManifest, RawMemory};
use super::wasm_source::{self, Data, Fields, WasmSource, DATA_EXPECTING, SOURCE_EXPECTING};
use crate::small_json::{string_map, Accept, Entries, Error, Reader};

const MANIFEST_FIELDS: &[&str] = &["wasm", "memory", "config", "allowed_hosts", "allowed_paths", "timeout_ms"];
const DATA_FIELDS: &[&str] = &["ptr", "len"];

/// The manifest in `text` (JSON), nothing but whitespace after it.
pub fn manifest(text: &str) -> Result<RawManifest, Error> {
    let mut r = Reader::new(text.as_bytes());
    let m = structure(&mut r, "struct RawManifest", manifest_object, manifest_array)?;
    r.end()?;
    Ok(m)
}

// --- serde's error texts ---

pub(crate) fn unknown_field(field: &str, expected: &[&str]) -> Error {
    let mut text = format!("unknown field `{field}`, expected ");
    match expected {
        [a, b] => text.push_str(&format!("`{a}` or `{b}`")),
        _ => {
            text.push_str("one of ");
            for (i, name) in expected.iter().enumerate() {
                text.push_str(if i == 0 { "`" } else { ", `" });
                text.push_str(name);
                text.push('`');
            }
        }
    }
    Error::unplaced(text)
}

pub(crate) fn duplicate_field(field: &str) -> Error {
    Error::unplaced(format!("duplicate field `{field}`"))
}

pub(crate) fn invalid_length(len: usize, expected: &str) -> Error {
    Error::unplaced(format!("invalid length {len}, expected {expected}"))
}

/// A key seen once: its value is read only if it was not seen before (derived code checks first).
pub(crate) fn first_time<T>(slot: &Option<T>, field: &str) -> Result<(), Error> {
    match slot {
        Some(_) => Err(duplicate_field(field)),
        None => Ok(()),
    }
}

// --- the shapes serde gives a type ---

/// A derived struct: from an object (fields by name) or an array (fields in order).
fn structure<T>(
    r: &mut Reader,
    expected: &str,
    object: fn(&mut Reader, &mut Entries) -> Result<T, Error>,
    array: fn(&mut Reader, &mut Entries) -> Result<T, Error>,
) -> Result<T, Error> {
    let (is_object, mut entries) = r.open(Accept::Either, expected)?;
    let read = if is_object { object(r, &mut entries) } else { array(r, &mut entries) };
    r.close(is_object, read)
}

/// A `Vec<T>`.
fn list<T>(r: &mut Reader, mut element: impl FnMut(&mut Reader) -> Result<T, Error>) -> Result<Vec<T>, Error> {
    let (is_object, mut entries) = r.open(Accept::Array, "a sequence")?;
    let mut read = || {
        let mut items = Vec::new();
        while r.next_element(&mut entries)? {
            items.push(element(r)?);
        }
        Ok(items)
    };
    let read = read();
    r.close(is_object, read)
}

pub(crate) fn string(r: &mut Reader) -> Result<String, Error> {
    r.string("a string")
}

fn u64(r: &mut Reader) -> Result<u64, Error> {
    r.unsigned(u64::MAX, "u64")
}

fn u32(r: &mut Reader) -> Result<u32, Error> {
    r.unsigned(u64::from(u32::MAX), "u32").map(|n| n as u32)
}

/// An `Option<T>`: `null` or a `T`.
pub(crate) fn option<T>(r: &mut Reader, value: impl FnOnce(&mut Reader) -> Result<T, Error>) -> Result<Option<T>, Error> {
    if r.null()? {
        Ok(None)
    } else {
        value(r).map(Some)
    }
}

// --- the manifest ---

fn manifest_object(r: &mut Reader, e: &mut Entries) -> Result<RawManifest, Error> {
    let mut wasm = None;
    let mut memory = None;
    let mut config = None;
    let mut allowed_hosts = None;
    let mut allowed_paths = None;
    let mut timeout_ms = None;
    while let Some(key) = r.next_key(e)? {
        match key.as_str() {
            "wasm" => {
                first_time(&wasm, "wasm")?;
                r.colon()?;
                wasm = Some(list(r, source)?);
            }
            "memory" => {
                first_time(&memory, "memory")?;
                r.colon()?;
                memory = Some(raw_memory(r)?);
            }
            "config" => {
                first_time(&config, "config")?;
                r.colon()?;
                config = Some(string_map(r, string)?);
            }
            "allowed_hosts" => {
                first_time(&allowed_hosts, "allowed_hosts")?;
                r.colon()?;
                allowed_hosts = Some(option(r, |r| list(r, string))?);
            }
            "allowed_paths" => {
                first_time(&allowed_paths, "allowed_paths")?;
                r.colon()?;
                allowed_paths = Some(option(r, |r| string_map(r, string))?);
            }
            "timeout_ms" => {
                first_time(&timeout_ms, "timeout_ms")?;
                r.colon()?;
                timeout_ms = Some(option(r, u64)?);
            }
            other => return Err(unknown_field(other, MANIFEST_FIELDS)),
        }
    }
    Ok(RawManifest {
        wasm: wasm.unwrap_or_default(),
        memory: memory.unwrap_or_default(),
        config: config.unwrap_or_default(),
        allowed_hosts: allowed_hosts.flatten(),
        allowed_paths: allowed_paths.flatten(),
        timeout_ms: timeout_ms.flatten(),
    })
}

/// Serde's derived code also reads a struct from an array, field by field; every field of the
/// manifest has a default when the array ends early.
fn manifest_array(r: &mut Reader, e: &mut Entries) -> Result<RawManifest, Error> {
    let mut m = RawManifest {
        wasm: Vec::new(),
        memory: RawMemory::default(),
        config: Default::default(),
        allowed_hosts: None,
        allowed_paths: None,
        timeout_ms: None,
    };
    if r.next_element(e)? {
        m.wasm = list(r, source)?;
    }
    if r.next_element(e)? {
        m.memory = raw_memory(r)?;
    }
    if r.next_element(e)? {
        m.config = string_map(r, string)?;
    }
    if r.next_element(e)? {
        m.allowed_hosts = option(r, |r| list(r, string))?;
    }
    if r.next_element(e)? {
        m.allowed_paths = option(r, |r| string_map(r, string))?;
    }
    if r.next_element(e)? {
        m.timeout_ms = option(r, u64)?;
    }
    Ok(m)
}

fn raw_memory(r: &mut Reader) -> Result<RawMemory, Error> {
    structure(r, "struct RawMemory", memory_object, memory_array)
}

fn memory_object(r: &mut Reader, e: &mut Entries) -> Result<RawMemory, Error> {
    let mut max_pages = None;
    let mut max_http_response_bytes = None;
    let mut max_var_bytes = None;
    while let Some(key) = r.next_key(e)? {
        match key.as_str() {
            "max_pages" => {
                first_time(&max_pages, "max_pages")?;
                r.colon()?;
                max_pages = Some(option(r, u32)?);
            }
            "max_http_response_bytes" => {
                first_time(&max_http_response_bytes, "max_http_response_bytes")?;
                r.colon()?;
                max_http_response_bytes = Some(option(r, u64)?);
            }
            "max_var_bytes" => {
                first_time(&max_var_bytes, "max_var_bytes")?;
                r.colon()?;
                max_var_bytes = Some(option(r, u64)?);
            }
            other => {
                return Err(unknown_field(other, &["max_pages", "max_http_response_bytes", "max_var_bytes"]))
            }
        }
    }
    Ok(RawMemory {
        max_pages: max_pages.flatten(),
        max_http_response_bytes: max_http_response_bytes.flatten(),
        max_var_bytes: max_var_bytes.flatten(),
    })
}

/// From an array every field must be there (none has a serde default).
fn memory_array(r: &mut Reader, e: &mut Entries) -> Result<RawMemory, Error> {
    const EXPECTED: &str = "struct RawMemory with 3 elements";
    let next = |r: &mut Reader, i: usize, e: &mut Entries| match r.next_element(e)? {
        true => Ok(()),
        false => Err(invalid_length(i, EXPECTED)),
    };
    next(r, 0, e)?;
    let max_pages = option(r, u32)?;
    next(r, 1, e)?;
    let max_http_response_bytes = option(r, u64)?;
    next(r, 2, e)?;
    let max_var_bytes = option(r, u64)?;
    Ok(RawMemory { max_pages, max_http_response_bytes, max_var_bytes })
}

// --- one wasm source (wasm_source.rs has the rules) ---

fn source(r: &mut Reader) -> Result<WasmSource, Error> {
    let (is_object, mut e) = r.open(Accept::Object, SOURCE_EXPECTING)?;
    let read = source_fields(r, &mut e);
    r.close(is_object, read)
}

fn source_fields(r: &mut Reader, e: &mut Entries) -> Result<WasmSource, Error> {
    let mut f = Fields { path: None, data: None, url: None, headers: None, method: None, name: None, hash: None };
    while let Some(key) = r.next_key(e)? {
        // The hand-written visitor reads the value, then refuses a repeated key.
        let repeated = match key.as_str() {
            "path" => put(&mut f.path, value(r, string)?),
            "data" => put(&mut f.data, value(r, data)?),
            "url" => put(&mut f.url, value(r, string)?),
            "headers" => put(&mut f.headers, value(r, |r| string_map(r, string))?),
            "method" => put(&mut f.method, value(r, |r| option(r, string))?),
            "name" => put(&mut f.name, value(r, |r| option(r, string))?),
            "hash" => put(&mut f.hash, value(r, |r| option(r, string))?),
            other => return Err(unknown_field(other, wasm_source::FIELDS)),
        };
        if repeated {
            return Err(duplicate_field(&key));
        }
    }
    wasm_source::assemble(f).map_err(|why| Error::unplaced(String::from(why)))
}

/// The `:` and the value after a key.
fn value<T>(r: &mut Reader, read: impl FnOnce(&mut Reader) -> Result<T, Error>) -> Result<T, Error> {
    r.colon()?;
    read(r)
}

/// Stores a key's value; true if the key was there already.
fn put<T>(slot: &mut Option<T>, value: T) -> bool {
    let repeated = slot.is_some();
    if !repeated {
        *slot = Some(value);
    }
    repeated
}

/// `data`: base64 text, `{"ptr": N, "len": N}` or `[ptr, len]` (serde's `deserialize_any`).
fn data(r: &mut Reader) -> Result<Data, Error> {
    match r.value_start()? {
        b'"' => {
            let text = r.string(DATA_EXPECTING)?;
            wasm_source::decode_data(&text).map(Data::Bytes).map_err(|why| r.place(Error::unplaced(why)))
        }
        b'{' | b'[' => {
            let (is_object, mut e) = r.open(Accept::Either, DATA_EXPECTING)?;
            let read = if is_object { data_object(r, &mut e) } else { data_array(r, &mut e) };
            r.close(is_object, read)
        }
        _ => Err(r.invalid_type(DATA_EXPECTING)),
    }
}

fn data_object(r: &mut Reader, e: &mut Entries) -> Result<Data, Error> {
    let (mut ptr, mut len) = (None, None);
    while let Some(key) = r.next_key(e)? {
        let repeated = match key.as_str() {
            "ptr" => put(&mut ptr, value(r, u64)?),
            "len" => put(&mut len, value(r, u64)?),
            other => return Err(unknown_field(other, DATA_FIELDS)),
        };
        if repeated {
            return Err(duplicate_field(&key));
        }
    }
    let missing = |field: &str| Error::unplaced(format!("missing field `{field}`"));
    let ptr = ptr.ok_or_else(|| missing("ptr"))?;
    let len = len.ok_or_else(|| missing("len"))?;
    Ok(Data::Ptr { ptr, len })
}

fn data_array(r: &mut Reader, e: &mut Entries) -> Result<Data, Error> {
    if !r.next_element(e)? {
        return Err(invalid_length(0, DATA_EXPECTING));
    }
    let ptr = u64(r)?;
    if !r.next_element(e)? {
        return Err(invalid_length(1, DATA_EXPECTING));
    }
    let len = u64(r)?;
    if r.next_element(e)? {
        r.skip_value()?;
        return Err(invalid_length(3, DATA_EXPECTING));
    }
    Ok(Data::Ptr { ptr, len })
}
