//! What `extism_plugin_new` is handed, resolved into wasm binaries and settings (spec section 6).
//!
//! `load` sniffs the input (binary, WAT, TOML/JSON manifest; `sniff.rs`), parses a manifest strictly
//! (`schema.rs`, `wasm_source.rs`), loads each source through a [`SourceLoader`], checks hashes,
//! converts WAT and names the modules (`sources.rs`). Nothing here compiles wasm: binary bytes are
//! passed through for the engine to validate.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;
use core::fmt;

mod base64_data;
mod loader_noos;
#[cfg(feature = "std")]
mod loader_std;
pub(crate) mod schema;
#[cfg(feature = "small-json")]
pub(crate) mod schema_json;
mod sniff;
mod sources;
mod wasm_source;

#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_fields;

pub use loader_noos::NoOsLoader;
#[cfg(feature = "std")]
pub use loader_std::StdLoader;
pub use sniff::{sniff, Sniffed, WASM_MAGIC};
pub use sources::{sha256_hex, MAIN};

use crate::config::{DEFAULT_MAX_HTTP_RESPONSE_BYTES, DEFAULT_MAX_VAR_BYTES};
use crate::log::{self, Level};

/// Runtime settings of a plugin (everything in the manifest except the wasm sources).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// `config`: values plugins read with `config_get`.
    pub config: BTreeMap<String, String>,
    /// `allowed_hosts`: glob patterns; `None` (absent/null) or empty means no HTTP at all.
    pub allowed_hosts: Option<Vec<String>>,
    /// `allowed_paths`: host directory (maybe `ro:`-prefixed, meaning read-only) → guest path.
    pub allowed_paths: Option<BTreeMap<String, String>>,
    /// `timeout_ms`: per-call wall-clock limit; `None` means no limit.
    pub timeout_ms: Option<u64>,
    pub memory: MemoryOptions,
}

/// `memory` settings. After `load`, the two byte caps are always `Some` (a missing or null value is
/// replaced by its default); `max_pages: None` means no page budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemoryOptions {
    pub max_pages: Option<u32>,
    pub max_http_response_bytes: Option<u64>,
    /// 0 disables vars.
    pub max_var_bytes: Option<u64>,
}

impl MemoryOptions {
    /// The HTTP response cap in force (`None` counts as the default, as upstream).
    pub fn http_response_limit(&self) -> u64 {
        self.max_http_response_bytes
            .unwrap_or(DEFAULT_MAX_HTTP_RESPONSE_BYTES)
    }

    /// The var store cap in force (`None` counts as the default, as upstream).
    pub fn var_limit(&self) -> u64 {
        self.max_var_bytes.unwrap_or(DEFAULT_MAX_VAR_BYTES)
    }
}

impl Default for MemoryOptions {
    fn default() -> Self {
        MemoryOptions {
            max_pages: None,
            max_http_response_bytes: Some(DEFAULT_MAX_HTTP_RESPONSE_BYTES),
            max_var_bytes: Some(DEFAULT_MAX_VAR_BYTES),
        }
    }
}

/// The empty manifest a bare module gets: no config, hosts, paths or timeout; default limits.
impl Default for Manifest {
    fn default() -> Self {
        Manifest {
            config: BTreeMap::new(),
            allowed_hosts: None,
            allowed_paths: None,
            timeout_ms: None,
            memory: MemoryOptions::default(),
        }
    }
}

/// One module to compile: its final link name and its wasm binary (WAT already converted; binary
/// content not validated yet).
/// A binary handed to `extism_plugin_new` directly, or named by a manifest's `data: {ptr, len}`, is
/// borrowed, not copied (a copy of a multi-MB plugin would only fragment the host's heap for the
/// time of the compile; on a board, measured: the hole a Rust PDK plugin's 81 KiB copy left kept
/// its first call's 64 KiB page from fitting below, 46 KiB more RAM in all, docs/firmware.md).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NamedModule<'a> {
    pub name: String,
    pub bytes: alloc::borrow::Cow<'a, [u8]>,
}

/// Everything `extism_plugin_new` input can be, resolved: modules in manifest order with final names
/// (a single source is `main`; with several, names per spec 6.3), sources loaded, hashes checked, WAT
/// converted. `modules[main_index].name == "main"` always.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loaded<'a> {
    pub manifest: Manifest,
    pub modules: Vec<NamedModule<'a>>,
    pub main_index: usize,
}

impl<'a> Loaded<'a> {
    /// The same with every module's bytes owned.
    pub fn into_owned(self) -> Loaded<'static> {
        let modules = self
            .modules
            .into_iter()
            .map(|m| NamedModule { name: m.name, bytes: alloc::borrow::Cow::Owned(m.bytes.into_owned()) })
            .collect();
        Loaded { manifest: self.manifest, modules, main_index: self.main_index }
    }

    /// The main module.
    pub fn main(&self) -> &NamedModule<'a> {
        &self.modules[self.main_index]
    }
}

/// Which rule failed; the text to show is in [`LoadError::message`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoadErrorKind {
    /// Text that is neither a TOML nor a JSON manifest, or a manifest breaking the schema.
    UnknownFormat,
    /// A manifest without sources.
    NoWasm,
    /// More sources than `config::MAX_MODULES` (our limit; upstream has none).
    TooManyModules,
    /// More `config` entries than `config::MAX_CONFIG_ENTRIES` (our limit; upstream has none).
    TooManyConfigEntries,
    /// A file, URL or host-memory source could not be read.
    Source,
    HashMismatch,
    DuplicateName,
    /// Module bytes that cannot become a binary: invalid WAT, or neither wasm nor UTF-8
    /// (`input bytes aren't valid utf-8`, which upstream's compiler reports for such input).
    Compile,
    /// WAT text in a build without the `std` feature.
    WatUnsupported,
}

/// Why `load` failed. `message` is upstream's text, without the `Unable to compile Extism plugin: `
/// prefix the C edge adds (e.g. `Unknown manifest format: unknown field `foo`...`,
/// `No wasm files specified in Extism manifest`, `Hash mismatch, found <x> but expected <y>`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadError {
    pub kind: LoadErrorKind,
    pub message: String,
}

impl LoadError {
    pub(crate) fn new(kind: LoadErrorKind, message: String) -> Self {
        LoadError { kind, message }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// How sources that live outside the manifest are fetched. Errors are short texts that `load` puts
/// after its own prefix (`Unable to load Wasm file "<path>": <error>`) or, for URLs, shows as is.
pub trait SourceLoader {
    fn read_file(&self, path: &str) -> Result<Vec<u8>, String>;
    fn fetch_url(
        &self,
        url: &str,
        headers: &BTreeMap<String, String>,
        method: Option<&str>,
    ) -> Result<Vec<u8>, String>;
    /// Bytes at an address of the host process (`data: {ptr, len}`), read in place: a board's
    /// plugin in flash is compiled from there, with no copy of it in the heap.
    ///
    /// # Safety
    /// The host promises those bytes readable and unchanged for the duration of the create call
    /// (spec 6.2): the caller must not keep the result past that call. [`load`] ties it to the
    /// lifetime of the call's input.
    unsafe fn read_host_memory<'a>(&self, ptr: u64, len: u64) -> Result<&'a [u8], String>;
}

/// Resolves `extism_plugin_new` input: a wasm binary, WAT text, or a TOML/JSON manifest (spec 6.1).
///
/// Input that is neither wasm nor UTF-8 (sniffing rule 4) fails here with
/// `input bytes aren't valid utf-8` (kind `Compile`), the same text upstream's compiler gives, so the
/// engine never sees it. Binary input is returned unchanged and unvalidated.
pub fn load<'a>(input: &'a [u8], loader: &dyn SourceLoader) -> Result<Loaded<'a>, LoadError> {
    match sniff(input) {
        Sniffed::Manifest(text) => {
            log::line(Level::Trace, log::TARGET_MANIFEST, format_args!("Loading manifest"));
            let (manifest, sources) = schema::parse(text)?.into_parts();
            let entries = manifest.config.len();
            if entries > crate::config::MAX_CONFIG_ENTRIES {
                return Err(LoadError::new(
                    LoadErrorKind::TooManyConfigEntries,
                    format!(
                        "Too many config entries in Extism manifest: {entries} (at most {})",
                        crate::config::MAX_CONFIG_ENTRIES
                    ),
                ));
            }
            // SAFETY: the modules live in the returned `Loaded<'a>`, tied to the input of the create
            // call, which the host keeps for that call only, as it keeps the memory `data.ptr` names.
            let (modules, main_index) = unsafe { sources::resolve(sources, loader)? };
            if modules.len() > 1 {
                for m in &modules {
                    log::line(Level::Trace, log::TARGET_MANIFEST, format_args!("Found module {}", m.name));
                }
            }
            Ok(Loaded {
                manifest,
                modules,
                main_index,
            })
        }
        Sniffed::Binary | Sniffed::Wat(_) | Sniffed::NotUtf8 => {
            let bytes = match input.starts_with(&sniff::WASM_MAGIC) {
                true => alloc::borrow::Cow::Borrowed(input),
                false => alloc::borrow::Cow::Owned(sources::to_binary(input.to_vec())?),
            };
            Ok(Loaded {
                manifest: Manifest::default(),
                modules: vec![NamedModule {
                    name: String::from(MAIN),
                    bytes,
                }],
                main_index: 0,
            })
        }
    }
}
