//! The small reader against serde_json (always a dependency, so the two can be compared): the same
//! documents accepted with the same values, the same refused, on the types the library reads.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::from_slice;
use crate::manifest::schema::RawManifest;

type ConfigUpdate = BTreeMap<String, Option<String>>;

/// Both readers on `doc`: the same verdict, and the same value when accepted. Returns whether the
/// manifest was accepted.
fn same_as_serde_json(doc: &[u8]) -> bool {
    let ours = from_slice::<RawManifest>(doc).map(|m| format!("{m:?}"));
    let theirs = serde_json::from_slice::<RawManifest>(doc).map(|m| format!("{m:?}"));
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{:?}", String::from_utf8_lossy(doc)),
        (Err(_), Err(_)) => {}
        _ => panic!("manifest {:?}: ours {ours:?}, serde_json {theirs:?}", String::from_utf8_lossy(doc)),
    }
    let accepted = ours.is_ok();
    let ours = from_slice::<ConfigUpdate>(doc);
    let theirs = serde_json::from_slice::<ConfigUpdate>(doc);
    match (&ours, &theirs) {
        (Ok(a), Ok(b)) => assert_eq!(a, b, "{:?}", String::from_utf8_lossy(doc)),
        (Err(_), Err(_)) => {}
        _ => panic!("config {:?}: ours {ours:?}, serde_json {theirs:?}", String::from_utf8_lossy(doc)),
    }
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
    r#"{"a":true}"#, r#"{"a":[]}"#, r#"{"a":{}}"#, r#"{"a":1.5e}"#,
];

#[test]
fn valid_and_invalid_documents_agree_with_serde_json() {
    for doc in VALID.iter().chain(INVALID) {
        let _ = same_as_serde_json(doc.as_bytes());
    }
    for doc in VALID {
        assert!(serde_json::from_str::<RawManifest>(doc).is_ok() || serde_json::from_str::<ConfigUpdate>(doc).is_ok(), "{doc}");
    }
    for doc in INVALID {
        assert!(from_slice::<RawManifest>(doc.as_bytes()).is_err(), "{doc}");
    }
}

#[test]
fn invalid_utf8_in_a_string_is_refused() {
    let _ = same_as_serde_json(b"{\"a\":\"\xff\"}");
    let _ = same_as_serde_json(b"{\"a\":\"\xc3\xa9\"}");
    assert!(from_slice::<ConfigUpdate>(b"{\"a\":\"\xff\"}").is_err());
}

#[test]
fn deep_nesting_is_refused_without_overflowing_the_stack() {
    let doc = format!(r#"{{"config":{}"#, "[".repeat(100_000));
    let e = from_slice::<RawManifest>(doc.as_bytes()).unwrap_err();
    assert!(e.to_string().starts_with("invalid"), "{e}");
    let mut doc = String::from(r#"{"wasm":[{"url":"u","headers":"#);
    doc.push_str(&"{\"a\":".repeat(1000));
    assert!(from_slice::<RawManifest>(doc.as_bytes()).is_err());
}

#[test]
fn error_texts_say_what_and_where() {
    let text = |doc: &str| from_slice::<RawManifest>(doc.as_bytes()).unwrap_err().to_string();
    assert_eq!(text(r#"{"wasm":[}"#), "invalid JSON at byte 9: expected a value");
    assert_eq!(text(r#"{"wasm":[]"#), "invalid JSON at byte 10: unexpected end of input");
    assert_eq!(text(r#"{"wasm":[] x"#), "invalid JSON at byte 11: expected `,` or `}`");
    assert_eq!(text(r#"{} x"#), "invalid JSON at byte 3: trailing characters after the value");
    assert_eq!(text(r#"{"config":{"a":"\q"}}"#), "invalid JSON at byte 17: invalid escape");
    assert_eq!(text(r#"{"timeout_ms":1.5}"#), "invalid type: number that is not a 64-bit integer, expected u64 at byte 17");
    assert_eq!(text(r#"{"memory":{"max_pages":-1}}"#), "invalid value: integer `-1`, expected u32 at byte 25");
    assert_eq!(text(r#"{"config":{"a":true}}"#), "invalid type: boolean `true`, expected a string at byte 19");
    assert!(text(r#"{"foo":1}"#).starts_with("unknown field `foo`, expected one of `wasm`, "), "{}", text(r#"{"foo":1}"#));
    assert!(text(r#"{"foo":1}"#).ends_with(" at byte 1"), "{}", text(r#"{"foo":1}"#));
    assert_eq!(text(r#"{"wasm":null}"#), "invalid type: null, expected a sequence at byte 12");
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
