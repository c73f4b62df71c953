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
    #[cfg(feature = "http")]
    assert_eq!(method_or_get(Some("poß")), "POSS");
    #[cfg(not(feature = "http"))]
    assert_eq!(method_or_get(Some("poß")), "POß");
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

mod url_parts {
    use super::super::url_parts::{host, join};

    #[test]
    fn host_is_lower_cased_without_user_info_and_port() {
        assert_eq!(host("http://127.0.0.1:8080/ok").unwrap(), "127.0.0.1");
        assert_eq!(host("https://user:pw@Api.Example.COM:443/p?q#f").unwrap(), "api.example.com");
        assert_eq!(host("http://[::1]:80/").unwrap(), "[::1]");
        assert_eq!(host("http://example.com?x").unwrap(), "example.com");
        assert_eq!(host("nope").unwrap_err(), "Invalid URL: RelativeUrlWithoutBase");
        assert_eq!(host("/relative").unwrap_err(), "Invalid URL: RelativeUrlWithoutBase");
        assert_eq!(host("http://:80/").unwrap_err(), "Invalid URL: EmptyHost");
        assert_eq!(host("http://a b/").unwrap_err(), "Invalid URL: InvalidDomainCharacter");
        assert_eq!(host("http://[::1/").unwrap_err(), "Invalid URL: InvalidIpv6Address");
    }

    #[test]
    fn redirect_targets_resolve_as_browsers_do() {
        let base = "http://h:1/a/b?x=1#f";
        assert_eq!(join(base, "http://other/p").unwrap(), "http://other/p");
        assert_eq!(join(base, "//other:2/p").unwrap(), "http://other:2/p");
        assert_eq!(join(base, "/ok").unwrap(), "http://h:1/ok");
        assert_eq!(join(base, "c").unwrap(), "http://h:1/a/c");
        assert_eq!(join(base, "?y=2").unwrap(), "http://h:1/a/b?y=2");
        assert_eq!(join("http://h", "c").unwrap(), "http://h/c");
        assert!(join(base, "http://:1/").is_err());
        assert_eq!(join(base, "../c").unwrap(), "http://h:1/c");
        assert_eq!(join(base, "./c/./d/../e?q=../x").unwrap(), "http://h:1/a/c/e?q=../x");
    }

    /// Dot segments come out as the `url` crate (the built-in client's) resolves them.
    #[cfg(feature = "http")]
    #[test]
    fn dot_segments_go_as_in_the_url_crate() {
        let bases = ["http://h:1/a/b/c?x=1#f", "http://h/", "http://h", "https://u@h/a/"];
        let locations = [
            "../x", "../../x", "../../../../x", "./", ".", "..", "x/..", "x/.", "/a/./b/../c/", "/..", "/./",
            "//o/p/../q", "http://o/a/../b", "a/b/../../..", "?q=../..", "#../f", "x/../y/..",
        ];
        for base in bases {
            for location in locations {
                let ours = join(base, location).unwrap();
                let theirs = url::Url::parse(base).unwrap().join(location).unwrap();
                assert_eq!(ours, theirs.as_str(), "{base} + {location}");
            }
        }
    }
}

/// The small reader takes the same request documents as serde_json, with the same values and texts.
#[cfg(feature = "small-json")]
#[test]
fn small_reader_reads_requests_as_serde_json() {
    let docs = [
        r#"{"url":"http://a/b"}"#,
        r#"{"url":"http://a/b","method":"post","headers":{"X":"1","A":"2"}}"#,
        r#"{"url":"u","method":null}"#,
        r#"{"url":"u","headers":null}"#,
        r#"{"method":"GET"}"#,
        r#"{"url":"u","extra":1}"#,
        r#"{"url":"u","url":"v"}"#,
        r#"["u",{"a":"b"},"put"]"#,
        r#"["u"]"#,
        r#"["u",{},null,1]"#,
        r#"[]"#,
        r#"not json"#,
        r#"{"url":1}"#,
        r#"{"url":"u"} x"#,
    ];
    for doc in docs {
        let serde = serde_json::from_slice::<super::RequestJson>(doc.as_bytes()).map_err(|e| e.to_string());
        let small = super::request_json::read(doc.as_bytes()).map_err(|e| e.to_string());
        assert_eq!(small, serde, "{doc}");
    }
}
