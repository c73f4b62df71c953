//! Turning parsed sources into named wasm binaries: load, check the hash, convert WAT, name (spec 6.3).

use alloc::borrow::{Cow, ToOwned};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use super::sniff::WASM_MAGIC;
use super::wasm_source::{Location, WasmSource};
use super::{LoadError, LoadErrorKind, NamedModule, SourceLoader};
use crate::config::MAX_MODULES;

/// Name of the module whose exports a plugin calls.
pub const MAIN: &str = "main";

/// Loads every source in manifest order and names them; returns the modules and the index of `main`.
///
/// Like upstream, each source is loaded (read, hash-checked, converted) before its name is checked, so
/// an unreadable second source is reported before a duplicate name on that same source.
///
/// # Safety
/// A `data: {ptr, len}` source is borrowed in place for `'a` (`SourceLoader::read_host_memory`):
/// the modules must not outlive the create call.
pub unsafe fn resolve<'a>(
    sources: Vec<WasmSource>,
    loader: &dyn SourceLoader,
) -> Result<(Vec<NamedModule<'a>>, usize), LoadError> {
    let count = sources.len();
    if count == 0 {
        return Err(LoadError::new(
            LoadErrorKind::NoWasm,
            "No wasm files specified in Extism manifest".to_owned(),
        ));
    }
    if count > MAX_MODULES {
        return Err(LoadError::new(
            LoadErrorKind::TooManyModules,
            format!("Too many wasm files in Extism manifest: {count} (at most {MAX_MODULES})"),
        ));
    }

    let mut modules: Vec<NamedModule<'a>> = Vec::with_capacity(count);
    for (i, source) in sources.into_iter().enumerate() {
        // SAFETY: our caller's guarantee: the modules do not outlive the create call.
        let bytes = unsafe { load_source(&source, loader)? };
        // A lone source is main whatever it is called.
        let name = if count == 1 {
            MAIN.to_owned()
        } else {
            let has_main = modules.iter().any(|m| m.name == MAIN);
            if i == count - 1 && !has_main {
                // Upstream renames the last source to main when no earlier one took that name.
                MAIN.to_owned()
            } else {
                source.name.unwrap_or_else(|| MAIN.to_owned())
            }
        };
        if modules.iter().any(|m| m.name == name) {
            return Err(LoadError::new(
                LoadErrorKind::DuplicateName,
                format!("Duplicate module name found in Extism manifest: {name}"),
            ));
        }
        modules.push(NamedModule { name, bytes });
    }
    let main_index = modules
        .iter()
        .position(|m| m.name == MAIN)
        .unwrap_or(count - 1);
    Ok((modules, main_index))
}

/// Reads one source's bytes, checks its hash against the bytes as read, then converts WAT text.
/// A binary in host memory is borrowed in place (no copy of a plugin in the heap); WAT text there is
/// converted into a new buffer.
///
/// # Safety
/// As `resolve`: the result must not outlive the create call.
unsafe fn load_source<'a>(source: &WasmSource, loader: &dyn SourceLoader) -> Result<Cow<'a, [u8]>, LoadError> {
    let raw: Cow<'a, [u8]> = match &source.location {
        Location::Data(bytes) => Cow::Owned(bytes.clone()),
        Location::Path(path) => Cow::Owned(loader.read_file(path).map_err(|e| {
            LoadError::new(
                LoadErrorKind::Source,
                format!("Unable to load Wasm file \"{path}\": {e}"),
            )
        })?),
        Location::HostMemory { ptr, len } => {
            // SAFETY: our caller's guarantee: the slice does not outlive the create call.
            let bytes = unsafe { loader.read_host_memory(*ptr, *len) }.map_err(|e| {
                LoadError::new(
                    LoadErrorKind::Source,
                    format!("Unable to load Wasm data from host memory (ptr {ptr}, len {len}): {e}"),
                )
            })?;
            Cow::Borrowed(bytes)
        }
        // Upstream surfaces the HTTP client's own message (`http status: 404`, ...), unwrapped.
        Location::Url {
            url,
            headers,
            method,
        } => Cow::Owned(
            loader
                .fetch_url(url, headers, method.as_deref())
                .map_err(|e| LoadError::new(LoadErrorKind::Source, e))?,
        ),
    };
    check_hash(source.hash.as_deref(), &raw)?;
    if raw.starts_with(&WASM_MAGIC) {
        return Ok(raw);
    }
    to_binary(raw.into_owned()).map(Cow::Owned)
}

/// Compares the SHA-256 of `data` with the manifest's lower-case hex; exact text comparison, so an
/// upper-case hash never matches (upstream behaves the same).
fn check_hash(expected: Option<&str>, data: &[u8]) -> Result<(), LoadError> {
    let Some(expected) = expected else {
        return Ok(());
    };
    let found = sha256_hex(data);
    if found != expected {
        return Err(LoadError::new(
            LoadErrorKind::HashMismatch,
            format!("Hash mismatch, found {found} but expected {expected}"),
        ));
    }
    Ok(())
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Sha256::digest(data);
    let mut s = String::with_capacity(64);
    for b in digest.iter() {
        s.push(HEX[(b >> 4) as usize] as char);
        s.push(HEX[(b & 15) as usize] as char);
    }
    s
}

/// What upstream's compiler does with module bytes before compiling (`wat::parse_bytes`): binary
/// passes through untouched (the engine reports its own errors, e.g. `malformed section id`), UTF-8
/// text is WAT, anything else fails with wat's own message.
pub fn to_binary(bytes: Vec<u8>) -> Result<Vec<u8>, LoadError> {
    if bytes.starts_with(&WASM_MAGIC) {
        return Ok(bytes);
    }
    match core::str::from_utf8(&bytes) {
        Ok(text) => wat_to_binary(text),
        Err(_) => Err(LoadError::new(
            LoadErrorKind::Compile,
            "input bytes aren't valid utf-8".to_owned(),
        )),
    }
}

#[cfg(feature = "std")]
fn wat_to_binary(text: &str) -> Result<Vec<u8>, LoadError> {
    wat::parse_str(text).map_err(|e| LoadError::new(LoadErrorKind::Compile, format!("{e}")))
}

/// The WAT parser needs `std`; a no_std build takes binary modules only.
#[cfg(not(feature = "std"))]
fn wat_to_binary(_text: &str) -> Result<Vec<u8>, LoadError> {
    Err(LoadError::new(
        LoadErrorKind::WatUnsupported,
        "WAT text is not supported in this build".to_owned(),
    ))
}
