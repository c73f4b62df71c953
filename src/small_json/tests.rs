//! The small reader against serde_json (always a dependency, so the two can be compared): the same
//! documents accepted with the same values, the same refused with the same error text, on the
//! documents the library reads (manifests, config updates).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::config_update;
use crate::manifest::schema::RawManifest;
use crate::manifest::schema_json::manifest;

type ConfigUpdate = BTreeMap<String, Option<String>>;

/// The same error text, but for the one documented difference: a float where an integer belongs is
/// shown as written, where serde_json shows the float it parsed (or says it is out of range).
fn same_text(ours: &str, theirs: &str) -> bool {
    if ours == theirs {
        return true;
    }
    // serde_json finds an out-of-range float while reading its digits; this reader reads it whole.
    let float = |t: &str| t.contains("floating point `");
    float(ours)
        && (theirs.starts_with("number out of range")
            || float(theirs) && ours.split(" at line ").nth(1) == theirs.split(" at line ").nth(1))
}

fn compare<T: PartialEq + core::fmt::Debug, E1: ToString, E2: ToString>(
    what: &str,
    doc: &[u8],
    ours: Result<T, E1>,
    theirs: Result<T, E2>,
) -> bool {
    let show = || String::from_utf8_lossy(doc).into_owned();
    match (ours, theirs) {
        (Ok(a), Ok(b)) => {
            assert_eq!(a, b, "{what} {:?}", show());
            true
        }
        (Err(a), Err(b)) => {
            let (a, b) = (a.to_string(), b.to_string());
            assert!(same_text(&a, &b), "{what} {:?}:\n ours       {a}\n serde_json {b}", show());
            false
        }
        (a, b) => panic!(
            "{what} {:?}: ours {:?}, serde_json {:?}",
            show(),
            a.map_err(|e| e.to_string()),
            b.map_err(|e| e.to_string())
        ),
    }
}

/// Both readers on `doc`, as a manifest (when it is text) and as a config update: the same verdict,
/// value and error text. Returns whether the manifest was accepted.
fn same_as_serde_json(doc: &[u8]) -> bool {
    let accepted = match core::str::from_utf8(doc) {
        Ok(text) => compare(
            "manifest",
            doc,
            manifest(text).map(|m| format!("{m:?}")),
            serde_json::from_str::<RawManifest>(text).map(|m| format!("{m:?}")),
        ),
        Err(_) => false,
    };
    compare("config", doc, config_update(doc), serde_json::from_slice::<ConfigUpdate>(doc));
    accepted
}

const VALID: &[&str] = &[
    r#"{"wasm":[{"data":"AGFzbQEAAAA=","name":"main","hash":null}]}"#,
    r#" { "wasm" : [ { "path" : "a.wasm" } , {"url":"http://x/a.wasm","headers":{"k":"v"},"method":"GET"} ] ,
        "memory" : { "max_pages" : 4 , "max_http_response_bytes" : 18446744073709551615, "max_var_bytes": null },
        "config" : { "a" : "1", "b\"\\\/\b\f\n\r\t" : "\u00e9\u20ac\ud83d\ude00", "" : "" },
        "allowed_hosts" : ["*.example.com"], "allowed_paths" : {"/tmp":"/data"}, "timeout_ms" : 0 } "#,
    r#"{"wasm":[{"data":{"ptr":4096,"len":8}},{"data":[1,2]}],"allowed_hosts":null,"timeout_ms":null}"#,
    r#"{"config":{"a":"x","a":"y"},"wasm":[]}"#,
    "{}",
    "[]",
    r#"[[{"path":"a"}],[1,null,2],{"k":"v"},null,{"/a":"/b"},5]"#,
    r#"{"memory":[null,null,null],"wasm":[{"data":[1,2]}]}"#,
    r#"{"a":"1","b":null}"#,
];

const INVALID: &[&str] = &[
    "", " ", "{", "}", "[", "{]", r#"{"a"}"#, r#"{"a":}"#, r#"{"a":"1",}"#, r#"{,"a":"1"}"#, r#"{"a":"1""b":"2"}"#,
    r#"{"wasm":[],}"#, r#"{"wasm":[,]}"#, r#"{"wasm":[{"path":"a"},]}"#, r#"{"timeout_ms":-1}"#,
    r#"{"timeout_ms":1.0}"#, r#"{"timeout_ms":1e3}"#, r#"{"timeout_ms":01}"#, r#"{"timeout_ms":18446744073709551616}"#,
    r#"{"timeout_ms":-}"#, r#"{"timeout_ms":1.}"#, r#"{"timeout_ms":.5}"#, r#"{"timeout_ms":+1}"#,
    r#"{"memory":{"max_pages":4294967296}}"#, r#"{"wasm":[{"data":[1,2,3]}]}"#, r#"{"wasm":[{"data":[1]}]}"#,
    r#"{"config":{"a":1}}"#, r#"{"config":{"a":"\x"}}"#, r#"{"config":{"a":"\ud800"}}"#,
    r#"{"config":{"a":"\udc00"}}"#, r#"{"config":{"a":"\ud800\u0041"}}"#, r#"{"config":{"a":"\u12"}}"#,
    "{\"config\":{\"a\":\"\n\"}}", r#"{"config":{"a":"1"}} x"#, r#"{"config":{"a":"1"}}}"#, r#"{"foo":1}"#,
    r#"{"config":{1:"1"}}"#, r#"{'config':{}}"#, r#"{"config":{"a":tru}}"#, r#"{"config":nul}"#, "null",
    r#"{"a":true}"#, r#"{"a":[]}"#, r#"{"a":{}}"#, r#"{"a":1.5e}"#, r#"{"timeout_ms":-0}"#,
    r#"{"timeout_ms":-9223372036854775809}"#, r#"{"timeout_ms":1e400}"#, r#"{"wasm":[{"data":{"ptr":1}}]}"#,
    r#"{"wasm":[{"data":{"ptr":1,"len":2,"x":3}}]}"#, r#"{"wasm":[{"data":{"ptr":1,"ptr":2}}]}"#,
    r#"{"wasm":[{"data":[1,2,{"a":[1,]}]}]}"#, r#"{"wasm":[{"data":[1,2,{"a":1,}]}]}"#, r#"{"wasm":[{"data":true}]}"#,
    r#"{"wasm":[{"url":"u","headers":{"a":1}}]}"#, r#"{"wasm":[{"path":"a","method":"GET"}]}"#, "[[],{},{},null,null,1,2]", r#"{"timeout_ms":-0.0e0}"#,
    r#"{"wasm":[{"data":[1,2,[{"a":[1,-2.5e-3,"x",null,true,false]}]]}]}"#,
    r#"{"memory":[1,2,3,4]}"#, r#"{"memory":[1,2,3,]}"#, r#"{"wasm":[{"path":"a"}] , "wasm":[]}"#, r#"{"foo" : 1}"#,
    "{\"config\":{\"a\":\"\\ud800x\"}}", "{\"config\":{\"a\":\"\\ud800\\n\"}}", "{\"config\":{\"a\":\"\\ud800\\u12\"}}",
    "{\n  \"wasm\": [\n    {\"path\": 1}\n  ]\n}",
];

#[test]
fn valid_and_invalid_documents_agree_with_serde_json() {
    for doc in VALID {
        assert!(same_as_serde_json(doc.as_bytes()) || config_update(doc.as_bytes()).is_ok(), "{doc}");
    }
    for doc in INVALID {
        assert!(!same_as_serde_json(doc.as_bytes()), "{doc}");
    }
}

#[test]
fn invalid_utf8_in_a_string_is_refused() {
    let _ = same_as_serde_json(b"{\"a\":\"\xff\"}");
    let _ = same_as_serde_json(b"{\"a\":\"x\\n\xc3\xa9\xc3\"}");
    let _ = same_as_serde_json(b"{\"a\":\"\xc3\xa9\"}");
    assert!(config_update(b"{\"a\":\"\xff\"}").is_err());
}

/// Only a skipped value (the third element of `data: [ptr, len, ...]`) can nest without bound: it
/// is skipped without recursion, as serde_json does.
#[test]
fn deep_nesting_is_read_without_recursion() {
    let deep = "[".repeat(100_000);
    let doc = format!(r#"{{"wasm":[{{"data":[1,2,{deep}"#);
    assert!(!same_as_serde_json(doc.as_bytes()));
    let doc = format!(r#"{{"wasm":[{{"data":[1,2,{deep}{}]}}]}}"#, "]".repeat(100_000));
    assert!(!same_as_serde_json(doc.as_bytes()));
}

/// Texts a host sees after `Unknown manifest format: `, each also checked against serde_json.
#[test]
fn error_texts_are_serde_jsons() {
    let cases: &[(&str, &str)] = &[
        (r#"{"wasm":[}"#, "expected value at line 1 column 10"),
        (r#"{"wasm":[]"#, "EOF while parsing an object at line 1 column 10"),
        (r#"{"wasm":[] x"#, "expected `,` or `}` at line 1 column 12"),
        ("{}\n x", "trailing characters at line 2 column 2"),
        (r#"{"config":{"a":"\q"}}"#, "invalid escape at line 1 column 18"),
        (r#"{"timeout_ms":1.5}"#, "invalid type: floating point `1.5`, expected u64 at line 1 column 17"),
        (r#"{"memory":{"max_pages":-1}}"#, "invalid value: integer `-1`, expected u32 at line 1 column 25"),
        (r#"{"config":{"a":true}}"#, "invalid type: boolean `true`, expected a string at line 1 column 19"),
        (r#"{"wasm":null}"#, "invalid type: null, expected a sequence at line 1 column 12"),
        (
            r#"{"foo":1}"#,
            "unknown field `foo`, expected one of `wasm`, `memory`, `config`, `allowed_hosts`, `allowed_paths`, `timeout_ms` at line 1 column 6",
        ),
        (r#"{"wasm":[{"path":"a","path":"b"}]}"#, "duplicate field `path` at line 1 column 32"),
        (r#"{"wasm":[{"name":"a"}]}"#, "wasm source needs one of `path`, `data` or `url` at line 1 column 21"),
        (r#"{"wasm":[{"data":"AGFzbQ"}]}"#, "invalid base64 in `data`: Invalid padding at line 1 column 25"),
        (r#"{"wasm":[{"data":[1]}]}"#, "invalid length 1, expected base64 text or {\"ptr\": N, \"len\": N} at line 1 column 20"),
        (r#"{"memory":[4]}"#, "invalid length 1, expected struct RawMemory with 3 elements at line 1 column 13"),
    ];
    for (doc, want) in cases {
        assert!(!same_as_serde_json(doc.as_bytes()), "{doc}");
        assert_eq!(manifest(doc).unwrap_err().to_string(), *want, "{doc}");
    }
}

/// A small xorshift generator: the same mutations on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

/// Truncations and byte mutations of valid documents: never a panic, and always serde_json's verdict.
#[test]
fn mutated_documents_agree_with_serde_json() {
    const BYTES: &[u8] = b"{}[]\",:\\ 0123456789-.eEtrufalsn\x00\x1f\x7f\xc3\xa9\xffu";
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let (mut accepted, mut refused) = (0, 0);
    for doc in VALID {
        let doc = doc.as_bytes();
        for cut in 0..doc.trim_ascii_end().len() {
            assert!(!same_as_serde_json(&doc[..cut]), "a cut manifest is never valid");
        }
        for _ in 0..2000 {
            let mut d: Vec<u8> = doc.to_vec();
            for _ in 0..1 + rng.below(3) {
                let at = rng.below(d.len() + 1);
                match rng.below(3) {
                    0 if at < d.len() => d[at] = BYTES[rng.below(BYTES.len())],
                    1 if at < d.len() => {
                        d.remove(at);
                    }
                    _ => d.insert(at, BYTES[rng.below(BYTES.len())]),
                }
            }
            if same_as_serde_json(&d) {
                accepted += 1;
            } else {
                refused += 1;
            }
        }
    }
    // Both verdicts were exercised (a mutation can land in a string and keep the manifest valid).
    assert!(accepted > 100 && refused > 100, "accepted {accepted}, refused {refused}");
}
