use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec;

use super::{headers_json, host_allowed, method_or_get, parse_request, HttpState};

#[test]
fn headers_json_is_sorted_compact_and_escaped() {
    let mut h = BTreeMap::new();
    h.insert("x-b".to_string(), "1".to_string());
    h.insert("content-length".to_string(), "2".to_string());
    h.insert("x-a".to_string(), "first".to_string());
    // Response headers are collected with insert: the last duplicate wins.
    h.insert("x-a".to_string(), "second".to_string());
    h.insert("connection".to_string(), "close".to_string());
    assert_eq!(headers_json(&h), r#"{"connection":"close","content-length":"2","x-a":"second","x-b":"1"}"#);
    let mut q = BTreeMap::new();
    q.insert("x-q".to_string(), "say \"hi\"\\".to_string());
    assert_eq!(headers_json(&q), r#"{"x-q":"say \"hi\"\\"}"#);
    assert_eq!(headers_json(&BTreeMap::new()), "{}");
}

/// Every escape as serde_json writes it: control bytes, quotes, backslashes, DEL, non-ASCII.
#[test]
fn headers_json_escapes_as_serde_json() {
    let mut h = BTreeMap::new();
    let every: String = (0u8..0x80).map(char::from).chain("é€😀\u{2028}".chars()).collect();
    h.insert(every.clone(), every);
    h.insert("\"k\\".to_string(), String::new());
    assert_eq!(headers_json(&h), serde_json::to_string(&h).unwrap());
}

#[test]
fn headers_only_when_enabled() {
    let mut state = HttpState::new(None, 10);
    assert_eq!(state.headers_json(), None);
    state.headers_enabled = true;
    assert_eq!(state.headers_json().as_deref(), Some("{}"));
    state.headers.insert("a".into(), "b".into());
    assert_eq!(state.headers_json().as_deref(), Some(r#"{"a":"b"}"#));
}

#[test]
fn request_json() {
    let r = parse_request(br#"{"url":"http://h/x","method":"post","headers":{"X-A":"1"}}"#).unwrap();
    assert_eq!(r.url, "http://h/x");
    assert_eq!(r.method, "POST");
    assert_eq!(r.headers.get("X-A").map(String::as_str), Some("1"));
    let r = parse_request(br#" {"url":"http://h/"} "#).unwrap();
    assert_eq!(r.method, "GET");
    assert!(r.headers.is_empty());
    assert_eq!(parse_request(br#"{"url":"u","method":null}"#).unwrap().method, "GET");
    for bad in [
        &br#"{"url":"u","extra":1}"#[..],
        br#"{"method":"GET"}"#,
        br#"{"url":"u","headers":null}"#,
        br#"{"url":"u","headers":{"a":1}}"#,
        br#"{"url":"u","url":"u"}"#,
        br#"{"url":"u","header":{}}"#,
        b"not json",
        b"",
    ] {
        assert!(parse_request(bad).is_err(), "{}", String::from_utf8_lossy(bad));
    }
    let e = parse_request(br#"{"url":"u","extra":1}"#).unwrap_err();
    assert!(e.contains("unknown field `extra`"), "{e}");
}

#[test]
fn methods_are_upper_cased() {
    assert_eq!(method_or_get(None), "GET");
    assert_eq!(method_or_get(Some("delete")), "DELETE");
    assert_eq!(method_or_get(Some("")), "");
}

#[test]
fn allowed_hosts() {
    assert!(!host_allowed(None, "127.0.0.1"));
    assert!(!host_allowed(Some(&[]), "127.0.0.1"));
    let list = vec!["[invalid".to_string(), "127.0.0.1".to_string()];
    assert!(host_allowed(Some(&list), "127.0.0.1"));
    assert!(host_allowed(Some(&list), "[invalid"));
    assert!(!host_allowed(Some(&list), "localhost"));
    let list = vec!["*.example.com".to_string()];
    assert!(!host_allowed(Some(&list), "example.com"));
    assert!(host_allowed(Some(&list), "api.example.com"));
}

fn state(allowed_hosts: Option<alloc::vec::Vec<String>>) -> crate::state::State {
    let kernel = extism_kernel::Kernel::new(crate::arena::ArenaBuf::reserve(1 << 20).unwrap());
    let mut state = crate::state::State::new(kernel, Default::default(), None, 0, [0; 16]);
    state.http = HttpState::new(allowed_hosts, 100);
    state
}

#[test]
fn a_failed_request_forgets_the_last_response() {
    let mut s = state(None);
    s.http.status = 200;
    s.http.headers.insert("a".into(), "b".into());
    assert!(super::request(&mut s, b"not json", None).is_err());
    assert_eq!(s.http.status, 0);
    assert!(s.http.headers.is_empty());
}

#[cfg(not(feature = "http"))]
#[test]
fn without_the_feature_every_request_fails() {
    let mut s = state(Some(vec!["*".to_string()]));
    let e = super::request(&mut s, br#"{"url":"http://127.0.0.1:1/"}"#, None).unwrap_err();
    assert_eq!(e, super::Failure::Error(super::NOT_AVAILABLE.to_string()));
}

#[cfg(feature = "http")]
#[test]
fn hosts_are_checked_before_anything_is_sent() {
    use super::Failure;
    let url = br#"{"url":"http://127.0.0.1:1/x"}"#;
    let refused = Failure::Error("HTTP request to http://127.0.0.1:1/x is not allowed".to_string());
    assert_eq!(super::request(&mut state(None), url, None).unwrap_err(), refused);
    assert_eq!(super::request(&mut state(Some(vec![])), url, None).unwrap_err(), refused);
    let e = super::request(&mut state(Some(vec!["localhost".to_string()])), url, None).unwrap_err();
    assert_eq!(e, refused);
    // Allowed: the connection is refused (nothing listens on port 1).
    match super::request(&mut state(Some(vec!["127.0.0.*".to_string()])), url, None).unwrap_err() {
        Failure::Error(m) => assert!(m.contains("refused"), "{m}"),
        other => panic!("{other:?}"),
    }
    // The host is the parsed one: lower-cased, without port or credentials.
    let e = super::request(&mut state(Some(vec!["LOCALHOST".to_string()])), br#"{"url":"http://LocalHost:1/"}"#, None);
    assert_eq!(e.unwrap_err(), Failure::Error("HTTP request to http://LocalHost:1/ is not allowed".to_string()));
    let e = super::request(&mut state(Some(vec!["x".to_string()])), br#"{"url":"not a url"}"#, None).unwrap_err();
    assert_eq!(e, Failure::Error("Invalid URL: RelativeUrlWithoutBase".to_string()));
}
