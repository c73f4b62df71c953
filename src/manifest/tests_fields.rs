//! Manifest fields, strictness, TOML and source kinds (spec 6.2; checklist 9, 10, 15, 18-20).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;

use super::tests::{assert_unknown, b64, data_manifest, err_of, load_str, MockLoader, EMPTY_WASM};
use super::*;

fn manifest_of(extra: &str) -> Manifest {
    load_str(&data_manifest(extra)).unwrap().manifest
}

// ---- strictness ----

#[test]
fn unknown_top_level_key_is_refused_with_its_name() {
    let e = err_of(load_str(&data_manifest(r#", "foo": 1"#)));
    assert_eq!(e.kind, LoadErrorKind::UnknownFormat);
    assert!(
        e.message
            .starts_with("Unknown manifest format: unknown field `foo`"),
        "{e}"
    );
    assert!(e.message.contains(" at line 1 column "), "{e}");
}

#[test]
fn bad_sources_are_refused() {
    let d = b64(EMPTY_WASM);
    for src in [
        format!(r#"{{"data":"{d}","foo":1}}"#),
        format!(r#"{{"data":"{d}","path":"a.wasm"}}"#),
        format!(r#"{{"path":"a.wasm","data":"{d}"}}"#),
        r#"{"path":"a.wasm","url":"http://x/a.wasm"}"#.to_string(),
        format!(r#"{{"data":"{d}","data":"{d}"}}"#),
        r#"{"path":null,"data":"AGFzbQEAAAA="}"#.to_string(),
        r#"{"name":"a"}"#.to_string(),
        r#"{}"#.to_string(),
        r#"{"path":null}"#.to_string(),
        r#"{"path":5}"#.to_string(),
        r#"{"path":"a.wasm","headers":{}}"#.to_string(),
        format!(r#"{{"data":"{d}","method":null}}"#),
        r#"{"url":"http://x/a","headers":null}"#.to_string(),
        r#"{"url":"http://x/a","headers":{"a":1}}"#.to_string(),
        r#"{"url":null}"#.to_string(),
        format!(r#"{{"data":"{d}","name":7}}"#),
        r#""a.wasm""#.to_string(),
        r#"null"#.to_string(),
    ] {
        assert_unknown(&format!(r#"{{"wasm":[{src}]}}"#));
    }
    assert_unknown(r#"{"wasm": null}"#);
    assert_unknown(r#"{"wasm": {"data": "AGFzbQEAAAA="}}"#);
}

#[test]
fn source_error_names_the_problem() {
    let e = err_of(load_str(r#"{"wasm":[{"data":"AGFzbQEAAAA=","foo":1}]}"#));
    assert!(e.message.contains("unknown field `foo`"), "{e}");
    let e = err_of(load_str(r#"{"wasm":[{"data":"AGFzbQEAAAA=","path":"a"}]}"#));
    assert!(
        e.message.contains("only one of `path`, `data` or `url`"),
        "{e}"
    );
}

#[test]
fn base64_must_be_padded_standard() {
    assert_eq!(b64(EMPTY_WASM), "AGFzbQEAAAA=");
    for bad in [
        "AGFzbQEAAAA",
        "AGFzbQEAAAA==",
        "AGFz bQEAAAA=",
        "AGFzbQEAAA-_",
        "!!!!",
    ] {
        let e = err_of(load_str(&format!(r#"{{"wasm":[{{"data":"{bad}"}}]}}"#)));
        assert_eq!(e.kind, LoadErrorKind::UnknownFormat, "{bad}");
        assert!(e.message.contains("invalid base64"), "{e}");
    }
}

#[test]
fn nulls_are_accepted_for_optional_fields() {
    let m = manifest_of(
        r#", "allowed_hosts": null, "allowed_paths": null, "timeout_ms": null,
            "memory": {"max_pages": null, "max_http_response_bytes": null, "max_var_bytes": null}"#,
    );
    assert_eq!(m, Manifest::default());
    let l = load_str(r#"{"wasm":[{"data":"AGFzbQEAAAA=","name":null,"hash":null}]}"#).unwrap();
    assert_eq!(l.modules[0].bytes, EMPTY_WASM);
}

#[test]
fn nulls_are_refused_where_upstream_has_no_option() {
    for extra in [
        r#", "config": null"#,
        r#", "memory": null"#,
        r#", "config": {"k": null}"#,
    ] {
        assert_unknown(&data_manifest(extra));
    }
}

#[test]
fn wrong_types_are_refused() {
    for extra in [
        r#", "config": {"k": 1}"#,
        r#", "config": {"k": true}"#,
        r#", "config": ["k"]"#,
        r#", "timeout_ms": -1"#,
        r#", "timeout_ms": "500""#,
        r#", "timeout_ms": 1.5"#,
        r#", "allowed_hosts": "a""#,
        r#", "allowed_hosts": [1]"#,
        r#", "allowed_paths": ["a"]"#,
        r#", "allowed_paths": {"a": 1}"#,
        r#", "memory": {"max_pages": -1}"#,
        r#", "memory": {"max_pages": 4294967296}"#,
        r#", "memory": {"max_var_bytes": "1"}"#,
        r#", "memory": {"max_http_response_bytes": -5}"#,
        r#", "memory": {"foo": 1}"#,
        r#", "memory": {"max": 1}"#,
        r#", "timeout_ms": 1, "timeout_ms": 2"#,
    ] {
        assert_unknown(&data_manifest(extra));
    }
    assert_unknown(r#"{"wasm": []} trailing"#);
    assert_unknown(r#""text""#);
}

#[test]
fn json_array_is_a_manifest_in_field_order() {
    // serde's derived struct visitor takes a sequence too (upstream uses the same derive).
    assert_eq!(err_of(load_str("[]")).kind, LoadErrorKind::NoWasm);
    let l = load_str(r#"[[{"data":"AGFzbQEAAAA="}], {"max_pages": 2}]"#).unwrap();
    assert_eq!(l.manifest.memory.max_pages, Some(2));
    assert_eq!(l.modules[0].bytes, EMPTY_WASM);
}

// ---- fields ----

#[test]
fn every_field_is_read() {
    let m = manifest_of(
        r#", "config": {"vowels": "xyz", "": "empty key"},
            "allowed_hosts": ["127.0.0.1", "*.example.com"],
            "allowed_paths": {"ro:/tmp/in": "/data", "/tmp/out": "/out"},
            "timeout_ms": 500,
            "memory": {"max_pages": 17, "max_http_response_bytes": 999, "max_var_bytes": 0}"#,
    );
    let config: BTreeMap<String, String> = [
        ("vowels".into(), "xyz".into()),
        ("".into(), "empty key".into()),
    ]
    .into_iter()
    .collect();
    assert_eq!(m.config, config);
    assert_eq!(
        m.allowed_hosts,
        Some(vec!["127.0.0.1".to_string(), "*.example.com".to_string()])
    );
    let paths: BTreeMap<String, String> = [
        ("ro:/tmp/in".into(), "/data".into()),
        ("/tmp/out".into(), "/out".into()),
    ]
    .into_iter()
    .collect();
    assert_eq!(m.allowed_paths, Some(paths));
    assert_eq!(m.timeout_ms, Some(500));
    assert_eq!(
        m.memory,
        MemoryOptions {
            max_pages: Some(17),
            max_http_response_bytes: Some(999),
            max_var_bytes: Some(0)
        }
    );
    assert_eq!(m.memory.var_limit(), 0);
    assert_eq!(m.memory.http_response_limit(), 999);
}

#[test]
fn defaults_apply_when_absent() {
    let m = manifest_of("");
    assert_eq!(m, Manifest::default());
    let m = manifest_of(r#", "memory": {}, "allowed_hosts": [], "timeout_ms": 0"#);
    assert_eq!(m.memory, MemoryOptions::default());
    assert_eq!(m.allowed_hosts, Some(vec![]));
    assert_eq!(m.timeout_ms, Some(0));
    let none = MemoryOptions {
        max_pages: None,
        max_http_response_bytes: None,
        max_var_bytes: None,
    };
    assert_eq!(
        (none.var_limit(), none.http_response_limit()),
        (1_048_576, 52_428_800)
    );
}

#[test]
fn large_u64_values_fit() {
    let m =
        manifest_of(r#", "timeout_ms": 18446744073709551615, "memory": {"max_pages": 4294967295}"#);
    assert_eq!(m.timeout_ms, Some(u64::MAX));
    assert_eq!(m.memory.max_pages, Some(u32::MAX));
}

// ---- TOML (checklist 20) ----

#[test]
#[cfg(feature = "toml")]
fn toml_manifest_is_read() {
    let text = format!(
        "timeout_ms = 300\nallowed_hosts = [\"a.com\"]\n\n[[wasm]]\ndata = \"{}\"\nname = \"lib\"\n\n\
         [[wasm]]\ndata = \"{}\"\n\n[memory]\nmax_pages = 3\n\n[config]\nk = \"v\"\n\n\
         [allowed_paths]\n\"ro:/a\" = \"/b\"\n",
        b64(EMPTY_WASM),
        b64(EMPTY_WASM)
    );
    let l = load_str(&text).unwrap();
    assert_eq!(l.manifest.timeout_ms, Some(300));
    assert_eq!(l.manifest.allowed_hosts, Some(vec!["a.com".to_string()]));
    assert_eq!(l.manifest.memory.max_pages, Some(3));
    assert_eq!(l.manifest.config.get("k").map(String::as_str), Some("v"));
    assert_eq!(
        l.manifest
            .allowed_paths
            .unwrap()
            .get("ro:/a")
            .map(String::as_str),
        Some("/b")
    );
    assert_eq!(
        l.modules
            .iter()
            .map(|m| m.name.as_str())
            .collect::<Vec<_>>(),
        ["lib", "main"]
    );
    assert_eq!(l.main_index, 1);
}

#[test]
#[cfg(feature = "toml")]
fn toml_inline_sources_and_host_memory() {
    let ptr = EMPTY_WASM.as_ptr() as u64;
    let text = format!(
        "wasm = [{{ data = {{ ptr = {ptr}, len = {} }} }}]\n",
        EMPTY_WASM.len()
    );
    assert_eq!(load_str(&text).unwrap().modules[0].bytes, EMPTY_WASM);
}

#[test]
#[cfg(feature = "toml")]
fn toml_is_as_strict_as_json() {
    let d = b64(EMPTY_WASM);
    for text in [
        format!("foo = 1\n[[wasm]]\ndata = \"{d}\"\n"),
        format!("[[wasm]]\ndata = \"{d}\"\nfoo = 1\n"),
        // timeout_ms after a table header belongs to that table.
        format!("[[wasm]]\ndata = \"{d}\"\ntimeout_ms = 1\n"),
        format!("timeout_ms = -1\n[[wasm]]\ndata = \"{d}\"\n"),
        format!("[[wasm]]\ndata = \"{d}\"\npath = \"a\"\n"),
        format!("[[wasm]]\ndata = \"{}\"\n", d.trim_end_matches('=')),
        format!("[config]\nk = 1\n[[wasm]]\ndata = \"{d}\"\n"),
        format!("[memory]\nmax = 1\n[[wasm]]\ndata = \"{d}\"\n"),
    ] {
        let e = err_of(load_str(&text));
        assert_eq!(e.kind, LoadErrorKind::UnknownFormat, "{text}");
        assert!(
            e.message.starts_with("Unknown manifest format: TOML: "),
            "{e}"
        );
    }
}

/// Without the `toml` feature a TOML manifest (anything not starting with `{` that is not JSON)
/// fails with a reason naming the missing feature; JSON manifests are unaffected.
#[test]
#[cfg(not(feature = "toml"))]
fn toml_manifest_without_the_feature_is_a_clear_error() {
    let text = format!("[[wasm]]\ndata = \"{}\"\n", b64(EMPTY_WASM));
    let e = err_of(load_str(&text));
    assert_eq!(e.kind, LoadErrorKind::UnknownFormat);
    assert!(
        e.message.starts_with(
            "Unknown manifest format: TOML manifests are not built into this library (cargo feature `toml`)"
        ),
        "{e}"
    );
    assert!(!e.message.contains('\n'), "one line: {e:?}");
    assert_eq!(load_str(&data_manifest("")).unwrap().modules.len(), 1);
}

// ---- source kinds ----

#[test]
fn file_sources_use_the_loader() {
    let loader = MockLoader::default().with_file("/w/a.wasm", EMPTY_WASM);
    let l = load(br#"{"wasm":[{"path":"/w/a.wasm"}]}"#, &loader).unwrap();
    assert_eq!(l.modules[0].bytes, EMPTY_WASM);
    let e = err_of(load(br#"{"wasm":[{"path":"/w/missing.wasm"}]}"#, &loader));
    assert_eq!(e.kind, LoadErrorKind::Source);
    assert_eq!(
        e.message,
        r#"Unable to load Wasm file "/w/missing.wasm": entity not found"#
    );
}

#[test]
fn url_sources_pass_headers_and_method_and_surface_errors() {
    let loader = MockLoader::default().with_url("http://h/a.wasm", EMPTY_WASM);
    let m =
        r#"{"wasm":[{"url":"http://h/a.wasm","headers":{"X-A":"1"},"method":"POST","name":"n"}]}"#;
    let l = load(m.as_bytes(), &loader).unwrap();
    assert_eq!(l.modules[0].bytes, EMPTY_WASM);
    let headers: BTreeMap<String, String> = [("X-A".into(), "1".into())].into_iter().collect();
    assert_eq!(
        loader.requests.borrow()[0],
        (
            "http://h/a.wasm".to_string(),
            headers,
            Some("POST".to_string())
        )
    );
    load(
        br#"{"wasm":[{"url":"http://h/a.wasm","method":null}]}"#,
        &loader,
    )
    .unwrap();
    let e = err_of(load(br#"{"wasm":[{"url":"http://h/missing"}]}"#, &loader));
    assert_eq!(
        (e.kind, e.message.as_str()),
        (LoadErrorKind::Source, "http status: 404")
    );
}

#[test]
fn host_memory_sources_are_copied() {
    let buf: Vec<u8> = EMPTY_WASM.to_vec();
    let (ptr, len) = (buf.as_ptr() as u64, buf.len());
    let l = load_str(&format!(
        r#"{{"wasm":[{{"data":{{"ptr":{ptr},"len":{len}}}}}]}}"#
    ))
    .unwrap();
    assert_eq!(l.modules[0].bytes, EMPTY_WASM);
    // serde's derived struct visitor also takes `[ptr, len]` upstream.
    let l = load_str(&format!(r#"{{"wasm":[{{"data":[{ptr},{len}]}}]}}"#)).unwrap();
    assert_eq!(l.modules[0].bytes, EMPTY_WASM);
    for bad in [
        format!(r#"{{"ptr":{ptr},"len":{len},"x":1}}"#),
        format!(r#"{{"ptr":{ptr}}}"#),
        format!(r#"{{"ptr":-1,"len":{len}}}"#),
        format!(r#"{{"ptr":"{ptr}","len":{len}}}"#),
        format!(r#"[{ptr}]"#),
        format!(r#"[{ptr},{len},1]"#),
        "null".to_string(),
        "5".to_string(),
    ] {
        assert_unknown(&format!(r#"{{"wasm":[{{"data":{bad}}}]}}"#));
    }
    let e = err_of(load_str(r#"{"wasm":[{"data":{"ptr":0,"len":8}}]}"#));
    assert_eq!(e.kind, LoadErrorKind::Source);
    assert!(e.message.contains("null pointer"), "{e}");
}

#[test]
fn source_bytes_go_through_the_compiler_front() {
    let e = err_of(load_str(&format!(
        r#"{{"wasm":[{{"data":"{}"}}]}}"#,
        b64(b"\xff\xfe")
    )));
    assert_eq!(
        (e.kind, e.message.as_str()),
        (LoadErrorKind::Compile, "input bytes aren't valid utf-8")
    );
    let wat = format!(r#"{{"wasm":[{{"data":"{}"}}]}}"#, b64(b"(module)"));
    let r = load_str(&wat);
    #[cfg(feature = "std")]
    assert!(r.unwrap().modules[0].bytes.starts_with(&WASM_MAGIC));
    #[cfg(not(feature = "std"))]
    assert_eq!(err_of(r).kind, LoadErrorKind::WatUnsupported);
}

#[test]
fn no_os_loader_refuses_files_and_urls() {
    let e = err_of(load(br#"{"wasm":[{"path":"a.wasm"}]}"#, &NoOsLoader));
    assert_eq!(
        e.message,
        r#"Unable to load Wasm file "a.wasm": file sources are not supported in this build"#
    );
    let e = err_of(load(
        br#"{"wasm":[{"url":"http://h/a.wasm"}]}"#,
        &NoOsLoader,
    ));
    assert_eq!(e.message, "URL sources are not supported in this build");
    let ptr = EMPTY_WASM.as_ptr() as u64;
    let m = format!(r#"{{"wasm":[{{"data":{{"ptr":{ptr},"len":8}}}}]}}"#);
    assert_eq!(
        load(m.as_bytes(), &NoOsLoader).unwrap().modules[0].bytes,
        EMPTY_WASM
    );
}

#[cfg(feature = "std")]
#[test]
fn std_loader_reads_files_with_upstream_error_kinds() {
    extern crate std;
    let dir = std::env::temp_dir().join(format!("extism-manifest-test-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("a.wasm");
    std::fs::write(&file, EMPTY_WASM).unwrap();
    let path = file.to_str().unwrap().replace('\\', "/");
    let text = format!(r#"{{"wasm":[{{"path":"{path}"}}]}}"#);
    let l = load(text.as_bytes(), &StdLoader).unwrap();
    assert_eq!(*l.modules[0].bytes, EMPTY_WASM[..]);

    let e = err_of(load(
        br#"{"wasm":[{"path":"/nonexistent/x.wasm"}]}"#,
        &StdLoader,
    ));
    assert_eq!(
        e.message,
        r#"Unable to load Wasm file "/nonexistent/x.wasm": entity not found"#
    );
    let dir_s = dir.to_str().unwrap().replace('\\', "/");
    let e = err_of(load(
        format!(r#"{{"wasm":[{{"path":"{dir_s}"}}]}}"#).as_bytes(),
        &StdLoader,
    ));
    assert!(e.message.starts_with("Unable to load Wasm file"), "{e}");
    // Port 1 on the loopback: nothing listens there (no outside network is touched).
    let e = err_of(load(br#"{"wasm":[{"url":"http://127.0.0.1:1/a.wasm"}]}"#, &StdLoader));
    if cfg!(feature = "http") {
        assert!(e.message.starts_with("io: ") && e.message.contains("refused"), "{e}");
    } else {
        assert_eq!(e.message, "URL sources are not supported in this build");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
