//! What kind of input `extism_plugin_new` was handed (spec 6.1), decided exactly as upstream does.

/// The four bytes every binary wasm module starts with.
pub const WASM_MAGIC: [u8; 4] = *b"\0asm";

/// The kinds of input, in the order they are tried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sniffed<'a> {
    /// Rule 1: starts with the wasm magic.
    Binary,
    /// Rule 2: UTF-8 text that looks like a WAT module.
    Wat(&'a str),
    /// Rule 3: any other UTF-8 text (empty input included): a TOML or JSON manifest.
    Manifest(&'a str),
    /// Rule 4: neither magic nor UTF-8. Upstream hands these bytes to the compiler, which fails with
    /// `input bytes aren't valid utf-8`; `load` reports that same error itself (see `sources::to_binary`).
    NotUtf8,
}

/// Classifies `input`.
///
/// The WAT test copies upstream's quirks on purpose: `(` must be the very first byte (so `  (module)`
/// is *not* WAT and ends up as an unknown manifest), while `;;` and `(;` comments may follow leading
/// whitespace, and `( module` with spaces inside the parenthesis is WAT.
pub fn sniff(input: &[u8]) -> Sniffed<'_> {
    if input.starts_with(&WASM_MAGIC) {
        return Sniffed::Binary;
    }
    let Ok(text) = core::str::from_utf8(input) else {
        return Sniffed::NotUtf8;
    };
    let trimmed = text.trim_start();
    // `trimmed.len() > 2` keeps upstream's guard; when input[0] is `(` nothing was trimmed, so
    // slicing off that one ASCII byte stays on a char boundary.
    let starts_with_module =
        trimmed.len() > 2 && input[0] == b'(' && trimmed[1..].trim_start().starts_with("module");
    if starts_with_module || trimmed.starts_with(";;") || trimmed.starts_with("(;") {
        Sniffed::Wat(text)
    } else {
        Sniffed::Manifest(text)
    }
}
