//! Sniffing, error texts, hashes and naming (spec 6.1, 6.3; checklist 6-22).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use core::cell::RefCell;

use base64::Engine as _;

use super::*;

/// The smallest valid module: magic + version.
pub(super) const EMPTY_WASM: &[u8] = b"\0asm\x01\0\0\0";

pub(super) fn b64(bytes: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// One recorded URL request: url, headers, method.
pub(super) type Request = (String, BTreeMap<String, String>, Option<String>);

/// In-memory loader: files and URLs from maps; records URL requests.
#[derive(Default)]
pub(super) struct MockLoader {
    pub files: BTreeMap<String, Vec<u8>>,
    pub urls: BTreeMap<String, Vec<u8>>,
    pub requests: RefCell<Vec<Request>>,
}

impl MockLoader {
    pub fn with_file(mut self, path: &str, bytes: &[u8]) -> Self {
        self.files.insert(path.to_string(), bytes.to_vec());
        self
    }
    pub fn with_url(mut self, url: &str, bytes: &[u8]) -> Self {
        self.urls.insert(url.to_string(), bytes.to_vec());
        self
    }
}

impl SourceLoader for MockLoader {
    fn read_file(&self, path: &str) -> Result<Vec<u8>, String> {
        self.files
            .get(path)
            .cloned()
            .ok_or_else(|| "entity not found".to_string())
    }
    fn fetch_url(
        &self,
        url: &str,
        headers: &BTreeMap<String, String>,
        method: Option<&str>,
    ) -> Result<Vec<u8>, String> {
        self.requests
            .borrow_mut()
            .push((url.to_string(), headers.clone(), method.map(Into::into)));
        self.urls
            .get(url)
            .cloned()
            .ok_or_else(|| "http status: 404".to_string())
    }
    unsafe fn read_host_memory<'a>(&self, ptr: u64, len: u64) -> Result<&'a [u8], String> {
        // SAFETY: forwarded with the caller's guarantee (the trait's).
        unsafe { NoOsLoader.read_host_memory(ptr, len) }
    }
}

pub(super) fn load_str(s: &str) -> Result<Loaded<'static>, LoadError> {
    load(s.as_bytes(), &MockLoader::default()).map(Loaded::into_owned)
}

pub(super) fn err_of(r: Result<Loaded<'_>, LoadError>) -> LoadError {
    match r {
        Ok(l) => panic!("expected an error, got {l:?}"),
        Err(e) => e,
    }
}

pub(super) fn assert_unknown(s: &str) {
    let e = err_of(load_str(s));
    assert_eq!(e.kind, LoadErrorKind::UnknownFormat, "{s:?} -> {e}");
    assert!(
        e.message.starts_with("Unknown manifest format: "),
        "{s:?} -> {e}"
    );
}

pub(super) fn data_manifest(extra: &str) -> String {
    format!(r#"{{"wasm": [{{"data": "{}"}}]{extra}}}"#, b64(EMPTY_WASM))
}

fn names<'l>(l: &'l Loaded<'_>) -> Vec<&'l str> {
    l.modules.iter().map(|m| m.name.as_str()).collect()
}

// ---- sniffing (6.1) ----

#[test]
fn sniff_classifies_like_upstream() {
    assert_eq!(sniff(EMPTY_WASM), Sniffed::Binary);
    assert_eq!(sniff(b"\0asm"), Sniffed::Binary);
    for wat in [
        "(module)",
        "( module )",
        "(\n\tmodule)",
        ";; c\n(module)",
        "(; c ;)(module)",
    ] {
        assert_eq!(sniff(wat.as_bytes()), Sniffed::Wat(wat), "{wat:?}");
    }
    // Comments may follow whitespace; `(` may not.
    assert_eq!(sniff(b"  ;; c\n(module)"), Sniffed::Wat("  ;; c\n(module)"));
    assert_eq!(
        sniff(b" \n(; c ;)(module)"),
        Sniffed::Wat(" \n(; c ;)(module)")
    );
    assert_eq!(sniff(b"  (module)"), Sniffed::Manifest("  (module)"));
    // `(module` is only a prefix test (then the WAT parser complains).
    assert_eq!(sniff(b"(modulex"), Sniffed::Wat("(modulex"));
    assert_eq!(sniff(b"(func)"), Sniffed::Manifest("(func)"));
    assert_eq!(sniff(b"()"), Sniffed::Manifest("()"));
    assert_eq!(sniff(b""), Sniffed::Manifest(""));
    assert_eq!(sniff(b"\0as"), Sniffed::Manifest("\0as"));
    assert_eq!(sniff(b"{}"), Sniffed::Manifest("{}"));
    assert_eq!(sniff(b"\xff\xfe(module)"), Sniffed::NotUtf8);
}

#[test]
fn binary_input_passes_through_unchanged() {
    let bad = b"\0asm\x01\0\0\0\xff"; // checklist 13: the engine reports `malformed section id`
    let l = load(bad, &MockLoader::default()).unwrap();
    assert_eq!(
        l.modules,
        vec![NamedModule {
            name: "main".into(),
            bytes: bad.to_vec().into()
        }]
    );
    assert_eq!(l.main_index, 0);
    assert_eq!(l.main().name, "main");
    assert_eq!(l.manifest, Manifest::default());
}

#[test]
fn bare_module_gets_empty_manifest() {
    let m = load(EMPTY_WASM, &MockLoader::default()).unwrap().manifest;
    assert!(m.config.is_empty());
    assert_eq!(m.allowed_hosts, None);
    assert_eq!(m.allowed_paths, None);
    assert_eq!(m.timeout_ms, None);
    assert_eq!(m.memory.max_pages, None);
    assert_eq!(m.memory.max_http_response_bytes, Some(52_428_800));
    assert_eq!(m.memory.max_var_bytes, Some(1_048_576));
}

#[test]
#[cfg(feature = "toml")]
fn hello_there_is_unknown_format() {
    let e = err_of(load_str("hello there"));
    assert_eq!(e.kind, LoadErrorKind::UnknownFormat);
    assert!(
        e.message.starts_with("Unknown manifest format: TOML: "),
        "{e}"
    );
    assert!(e.message.contains("line 1 column"), "{e}");
    assert!(!e.message.contains('\n'), "one line: {e:?}");
}

#[test]
fn leading_spaces_before_module_is_unknown_format() {
    assert_unknown("  (module)");
}

#[test]
fn empty_input_and_empty_object_have_no_wasm() {
    // "wasm = []" is TOML: without the `toml` feature it is refused instead (tests_fields.rs).
    let toml: &[&str] = if cfg!(feature = "toml") { &["wasm = []"] } else { &[] };
    for &s in ["", "   \n", "{}", " {} ", r#"{"wasm": []}"#].iter().chain(toml) {
        let e = err_of(load_str(s));
        assert_eq!(e.kind, LoadErrorKind::NoWasm, "{s:?}");
        assert_eq!(e.message, "No wasm files specified in Extism manifest");
        assert_eq!(e.to_string(), e.message);
    }
}

#[test]
fn non_utf8_without_magic_fails_like_the_compiler() {
    let e = err_of(load(b"\xff\xfe\xfd\x00", &MockLoader::default()));
    assert_eq!(e.kind, LoadErrorKind::Compile);
    assert_eq!(e.message, "input bytes aren't valid utf-8");
}

#[cfg(feature = "std")]
#[test]
fn wat_inputs_are_converted() {
    for wat in [
        "(module)",
        "( module )",
        ";; c\n(module)",
        "(; c ;)(module)",
        "  ;; c\n(module)",
    ] {
        let l = load(wat.as_bytes(), &MockLoader::default()).unwrap();
        assert_eq!(l.modules.len(), 1);
        assert_eq!(l.modules[0].name, "main");
        assert!(l.modules[0].bytes.starts_with(&WASM_MAGIC), "{wat:?}");
        assert_eq!(l.manifest, Manifest::default());
    }
}

#[cfg(feature = "std")]
#[test]
fn bad_wat_is_a_compile_error() {
    let e = err_of(load(b"(modulex", &MockLoader::default()));
    assert_eq!(e.kind, LoadErrorKind::Compile);
    assert!(!e.message.is_empty());
}

#[cfg(not(feature = "std"))]
#[test]
fn wat_needs_std() {
    let e = err_of(load(b"(module)", &MockLoader::default()));
    assert_eq!(e.kind, LoadErrorKind::WatUnsupported);
    assert_eq!(e.message, "WAT text is not supported in this build");
}

// ---- hashes (checklist 16-17) ----

#[test]
fn sha256_hex_is_lower_case() {
    assert_eq!(
        sha256_hex(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}

#[test]
fn hash_match_mismatch_and_upper_case() {
    let good = sha256_hex(EMPTY_WASM);
    let data = b64(EMPTY_WASM);
    let ok = load_str(&format!(
        r#"{{"wasm":[{{"data":"{data}","hash":"{good}"}}]}}"#
    ))
    .unwrap();
    assert_eq!(ok.modules[0].bytes, EMPTY_WASM);
    load_str(&format!(r#"{{"wasm":[{{"data":"{data}","hash":null}}]}}"#)).unwrap();

    let wrong = sha256_hex(b"other");
    let upper = good.to_uppercase();
    for given in [wrong.as_str(), upper.as_str()] {
        let e = err_of(load_str(&format!(
            r#"{{"wasm":[{{"data":"{data}","hash":"{given}"}}]}}"#
        )));
        assert_eq!(e.kind, LoadErrorKind::HashMismatch);
        assert_eq!(
            e.message,
            format!("Hash mismatch, found {good} but expected {given}")
        );
    }
}

#[test]
fn hash_is_checked_for_files_urls_and_host_memory() {
    let good = sha256_hex(EMPTY_WASM);
    let bad = sha256_hex(b"x");
    let loader = MockLoader::default()
        .with_file("a.wasm", EMPTY_WASM)
        .with_url("http://h/a", EMPTY_WASM);
    let ptr = EMPTY_WASM.as_ptr() as u64;
    let len = EMPTY_WASM.len();
    for src in [
        r#""path":"a.wasm""#.to_string(),
        r#""url":"http://h/a""#.to_string(),
        format!(r#""data":{{"ptr":{ptr},"len":{len}}}"#),
    ] {
        let ok = format!(r#"{{"wasm":[{{{src},"hash":"{good}"}}]}}"#);
        assert_eq!(
            load(ok.as_bytes(), &loader).unwrap().modules[0].bytes,
            EMPTY_WASM
        );
        let ko = format!(r#"{{"wasm":[{{{src},"hash":"{bad}"}}]}}"#);
        let e = err_of(load(ko.as_bytes(), &loader));
        assert_eq!(
            e.message,
            format!("Hash mismatch, found {good} but expected {bad}")
        );
    }
}

// ---- naming (6.3, checklist 21-22) ----

fn multi(names: &[Option<&str>]) -> String {
    let data = b64(EMPTY_WASM);
    let items: Vec<String> = names
        .iter()
        .map(|n| match n {
            Some(n) => format!(r#"{{"data":"{data}","name":"{n}"}}"#),
            None => format!(r#"{{"data":"{data}"}}"#),
        })
        .collect();
    format!(r#"{{"wasm":[{}]}}"#, items.join(","))
}

#[test]
fn single_source_is_main_whatever_its_name() {
    let l = load_str(&multi(&[Some("foo")])).unwrap();
    assert_eq!(names(&l), ["main"]);
    assert_eq!(l.main_index, 0);
}

#[test]
fn several_sources_are_named_and_last_becomes_main() {
    let l = load_str(&multi(&[Some("a"), Some("b")])).unwrap();
    assert_eq!((names(&l), l.main_index), (vec!["a", "main"], 1));
    let l = load_str(&multi(&[Some("a"), Some("b"), None])).unwrap();
    assert_eq!((names(&l), l.main_index), (vec!["a", "b", "main"], 2));
    // An earlier main keeps the last one's own name.
    let l = load_str(&multi(&[Some("main"), Some("b")])).unwrap();
    assert_eq!((names(&l), l.main_index), (vec!["main", "b"], 0));
    let l = load_str(&multi(&[None, Some("b")])).unwrap();
    assert_eq!((names(&l), l.main_index), (vec!["main", "b"], 0));
    let l = load_str(&multi(&[Some("extism:host/user"), None])).unwrap();
    assert_eq!(names(&l), ["extism:host/user", "main"]);
}

#[test]
fn duplicate_names_are_refused() {
    let cases: [(&[Option<&str>], &str); 4] = [
        (&[None, None], "main"),
        (&[Some("a"), Some("a"), None], "a"),
        (&[Some("main"), Some("main")], "main"),
        (&[None, Some("x"), None], "main"),
    ];
    for (list, dup) in cases {
        let e = err_of(load_str(&multi(list)));
        assert_eq!(e.kind, LoadErrorKind::DuplicateName);
        assert_eq!(
            e.message,
            format!("Duplicate module name found in Extism manifest: {dup}")
        );
    }
}

#[test]
fn a_source_is_loaded_before_its_name_is_checked() {
    let m = r#"{"wasm":[{"path":"a.wasm","name":"a"},{"path":"missing.wasm","name":"a"},{"path":"a.wasm"}]}"#;
    let loader = MockLoader::default().with_file("a.wasm", EMPTY_WASM);
    let e = err_of(load(m.as_bytes(), &loader));
    assert_eq!(
        e.message,
        r#"Unable to load Wasm file "missing.wasm": entity not found"#
    );
}

#[test]
fn too_many_modules_are_refused() {
    let list: Vec<Option<&str>> = (0..crate::config::MAX_MODULES + 1).map(|_| None).collect();
    let e = err_of(load_str(&multi(&list)));
    assert_eq!(e.kind, LoadErrorKind::TooManyModules);
}
