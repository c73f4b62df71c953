//! The manifest document (spec 6.2) and its parsing: TOML first, then JSON, as upstream.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::Deserialize;

use super::wasm_source::WasmSource;
use super::{LoadError, LoadErrorKind, Manifest, MemoryOptions};
use crate::config::{DEFAULT_MAX_HTTP_RESPONSE_BYTES, DEFAULT_MAX_VAR_BYTES};
use crate::log::{self, Level};

/// The document as written. Non-`Option` fields reject `null` (upstream does too); `Option` fields
/// accept it. Missing fields take their defaults.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawManifest {
    #[serde(default)]
    pub wasm: Vec<WasmSource>,
    #[serde(default)]
    pub memory: RawMemory,
    #[serde(default)]
    pub config: BTreeMap<String, String>,
    #[serde(default)]
    pub allowed_hosts: Option<Vec<String>>,
    #[serde(default)]
    pub allowed_paths: Option<BTreeMap<String, String>>,
    #[serde(default)]
    pub timeout_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMemory {
    pub max_pages: Option<u32>,
    pub max_http_response_bytes: Option<u64>,
    pub max_var_bytes: Option<u64>,
}

impl RawManifest {
    /// Splits the document into the runtime settings and the sources still to load.
    pub fn into_parts(self) -> (Manifest, Vec<WasmSource>) {
        // Upstream treats a missing or null limit as its default at the point of use; we resolve it here
        // so the engine never has to guess what `None` means.
        let memory = MemoryOptions {
            max_pages: self.memory.max_pages,
            max_http_response_bytes: Some(
                self.memory
                    .max_http_response_bytes
                    .unwrap_or(DEFAULT_MAX_HTTP_RESPONSE_BYTES),
            ),
            max_var_bytes: Some(self.memory.max_var_bytes.unwrap_or(DEFAULT_MAX_VAR_BYTES)),
        };
        let manifest = Manifest {
            config: self.config,
            allowed_hosts: self.allowed_hosts,
            allowed_paths: self.allowed_paths,
            timeout_ms: self.timeout_ms,
            memory,
        };
        (manifest, self.wasm)
    }
}

/// Parses manifest text: TOML first, then JSON; neither → `Unknown manifest format: <why>`.
///
/// The reason shown is the JSON parser's when the text starts (after whitespace) with `{` (no TOML
/// document can), the TOML parser's otherwise. Without the `toml` feature only JSON is read, and
/// text that is not JSON (and does not start with `{`) is reported as a TOML manifest this build
/// cannot read.
pub fn parse(text: &str) -> Result<RawManifest, LoadError> {
    // Blank text is the empty TOML document (no sources: "No wasm files specified"); keep that
    // answer without the TOML parser.
    #[cfg(not(feature = "toml"))]
    let text = if text.trim_matches([' ', '\t', '\n', '\r']).is_empty() { "{}" } else { text };
    #[cfg(feature = "toml")]
    let toml_err = match toml::from_str::<RawManifest>(text) {
        Ok(m) => return Ok(found(m, "TOML")),
        Err(e) => e,
    };
    let json_err = match crate::json::manifest(text) {
        Ok(m) => return Ok(found(m, "JSON")),
        Err(e) => e,
    };
    let why = if text.trim_start().starts_with('{') {
        format!("{json_err}")
    } else {
        #[cfg(feature = "toml")]
        let why = toml_reason(text, &toml_err);
        #[cfg(not(feature = "toml"))]
        let why = String::from(TOML_NOT_BUILT);
        why
    };
    Err(LoadError::new(
        LoadErrorKind::UnknownFormat,
        format!("Unknown manifest format: {why}"),
    ))
}

/// Upstream's line naming the format a manifest was read as.
fn found(manifest: RawManifest, format: &str) -> RawManifest {
    log::line(Level::Trace, log::TARGET_MANIFEST, format_args!("Manifest is {format}"));
    manifest
}

/// The reason given for a manifest that is not JSON when the `toml` feature is off.
#[cfg(not(feature = "toml"))]
pub const TOML_NOT_BUILT: &str =
    "TOML manifests are not built into this library (cargo feature `toml`), and it is not JSON either";

/// One line out of the TOML error (its `Display` is a multi-line source excerpt), with the position in
/// serde_json's style.
#[cfg(feature = "toml")]
fn toml_reason(text: &str, e: &toml::de::Error) -> String {
    let msg = e.message().trim_end();
    match e.span() {
        Some(span) => {
            let (line, col) = line_col(text, span.start);
            format!("TOML: {msg} at line {line} column {col}")
        }
        None => format!("TOML: {msg}"),
    }
}

/// 1-based line and column (in characters) of byte offset `at`.
#[cfg(feature = "toml")]
fn line_col(text: &str, at: usize) -> (usize, usize) {
    let at = at.min(text.len());
    let before = text.get(..at).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let col = before[line_start..].chars().count() + 1;
    (line, col)
}
