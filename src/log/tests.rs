//! Filter parser (against what upstream's library does with each level string), ring, line format.

use alloc::string::String;
use alloc::vec::Vec;

use super::filter::{parse_level, parse_level_filter};
use super::format::{format_line, Style, Timestamp};
use super::*;

/// (level string, get_log_level, enabled extism::pdk levels of T D I W E, extism::plugin ERROR line
/// with a plugin field). Every row was observed on upstream's libextism.
const TABLE: &[(&str, i32, &str, bool)] = &[
    ("error", 4, "E", true),
    ("trace", 0, "TDIWE", true),
    ("debug", 1, "DIWE", true),
    ("info", 2, "IWE", true),
    ("warn", 3, "WE", true),
    ("TRACE", 0, "TDIWE", true),
    ("Info", 2, "IWE", true),
    ("1", 4, "E", true),
    ("2", 3, "WE", true),
    ("3", 2, "IWE", true),
    ("4", 1, "DIWE", true),
    ("5", 0, "TDIWE", true),
    ("0", LEVEL_OFF, "", false),
    ("6", 0, "", false),
    ("off", LEVEL_OFF, "", false),
    ("OFF", LEVEL_OFF, "", false),
    ("", 4, "E", true),
    (" info", 0, "", false),
    ("info ", 0, "", false),
    ("extism=debug", 1, "DIWE", true),
    ("extism::pdk=trace,extism=warn", 0, "TDIWE", true),
    ("extism::pdk=trace", 0, "TDIWE", false),
    ("extism::plugin=debug", 1, "", true),
    ("ext=info", 2, "IWE", true),
    ("extism::pd=warn", 3, "WE", false),
    ("garbage", 0, "", false),
    ("extism", 0, "TDIWE", true),
    ("extism=", 0, "TDIWE", true),
    ("extism=bogus", 4, "E", true),
    ("info,extism=off", 2, "", false),
    ("warn,extism::pdk=off", 3, "", true),
    ("extism=info,extism=error", 2, "E", true),
    ("extism=error,extism=info", 2, "IWE", true),
    ("foo=trace", 0, "", false),
    ("extism = info", 4, "E", true),
    ("extism=info, extism::pdk=trace", 2, "IWE", true),
    ("extism=2", 3, "WE", true),
    ("extism=0", LEVEL_OFF, "", false),
    ("extism::pdk=+3", 2, "IWE", false),
    ("extism=INFO", 2, "IWE", true),
    ("extism::pdk::x=trace", 0, "", false),
    (",,", 4, "E", true),
    ("info,", 2, "IWE", true),
    ("a=b=c", 4, "E", true),
    ("extism[span]=info", 2, "", false),
    ("extism[{a}]=info", 2, "", false),
    ("[{a}]=info", 2, "", false),
    ("trace,extism::pdk=warn", 0, "WE", true),
    ("extism[{plugin}]=info", 2, "IWE", true),
    ("extism[{message}]=debug", 1, "DIWE", true),
    ("extism[{plugin=x}]=error", 0, "", false),
    ("extism::pdk=debug,extism::pdk=warn", 1, "WE", false),
    ("[]=info", 2, "", false),
    ("extism[]=warn", 3, "", false),
    ("-=info", 2, "", false),
    ("extism::pdk=", 0, "TDIWE", false),
    ("extism::pdk=5,extism=1", 0, "TDIWE", true),
    ("Extism=info", 2, "", false),
];

fn pdk_levels(f: &Filter) -> String {
    let mut s = String::new();
    for (level, c) in
        [(Level::Trace, 'T'), (Level::Debug, 'D'), (Level::Info, 'I'), (Level::Warn, 'W'), (Level::Error, 'E')]
    {
        if f.enabled(level, TARGET_PDK, true) {
            s.push(c);
        }
    }
    s
}

#[test]
fn filter_matches_upstream() {
    for &(spec, code, pdk, plugin_error) in TABLE {
        let f = Filter::parse(spec);
        assert_eq!(f.level_code(), code, "get_log_level for {spec:?}: {f:?}");
        assert_eq!(pdk_levels(&f), pdk, "extism::pdk levels for {spec:?}: {f:?}");
        assert_eq!(f.enabled(Level::Error, TARGET_PLUGIN, true), plugin_error, "extism::plugin ERROR for {spec:?}");
    }
}

#[test]
fn filter_fields_and_targets() {
    // The creation line has no plugin field: a `[{plugin}]` directive does not match it.
    let f = Filter::parse("extism[{plugin}]=debug");
    assert!(f.enabled(Level::Debug, TARGET_PLUGIN, true));
    assert!(!f.enabled(Level::Debug, TARGET_PLUGIN, false));
    // Longest target wins whatever the order; a bare level covers other targets.
    let f = Filter::parse("extism=warn,extism::plugin=trace,error");
    assert!(f.enabled(Level::Trace, TARGET_PLUGIN, false));
    assert!(!f.enabled(Level::Info, TARGET_PDK, true));
    assert!(f.enabled(Level::Error, "other", false));
    assert!(!f.enabled(Level::Warn, "other", false));
    // Targets match as plain string prefixes, as tracing does.
    let f = Filter::parse("extism::p=debug");
    assert!(f.enabled(Level::Debug, TARGET_PDK, true));
    assert!(f.enabled(Level::Debug, TARGET_PLUGIN, true));
    assert!(!f.enabled(Level::Debug, TARGET_LOG, true));
}

#[test]
fn filter_odd_inputs_do_not_panic() {
    for spec in [
        "\u{3000}a=info",
        " \u{e9}=info",
        "[",
        "a[",
        "a[{",
        "a[{}]=info",
        "a[b]c",
        "a]=x",
        "=",
        "=info",
        "a==",
        "\u{e9}t\u{e9}",
    ] {
        let _ = Filter::parse(spec).level_code();
    }
    assert_eq!(Filter::parse("\u{e9}t\u{e9}=debug").level_code(), 1);
}

#[test]
fn level_strings() {
    assert_eq!(parse_level("+1"), Some(1));
    assert_eq!(parse_level("0"), None);
    assert_eq!(parse_level("off"), None);
    assert_eq!(parse_level("wArN"), Some(2));
    assert_eq!(parse_level_filter("0"), Some(0));
    assert_eq!(parse_level_filter("Off"), Some(0));
    assert_eq!(parse_level_filter("6"), None);
}

fn drain_ring(ring: &mut Ring) -> Vec<Vec<u8>> {
    let mut out = Vec::new();
    let mut line = Vec::new();
    while ring.pop_into(&mut line) {
        out.push(line.clone());
    }
    out
}

#[test]
fn ring_keeps_order_and_forgets_drained_lines() {
    let mut ring = Ring::new(256, 16);
    ring.push(b"one\n");
    ring.push(b"two\n");
    ring.push(b"\n");
    assert_eq!(drain_ring(&mut ring), [b"one\n".to_vec(), b"two\n".to_vec(), b"\n".to_vec()]);
    assert!(drain_ring(&mut ring).is_empty());
    assert_eq!(ring.take_dropped(), 0);
}

#[test]
fn ring_drops_oldest_by_bytes_and_counts() {
    // 64 bytes hold five records of 4 + 8 bytes.
    let mut ring = Ring::new(64, 100);
    for i in 0..23u8 {
        ring.push(&[b'a' + i; 8]);
    }
    let lines = drain_ring(&mut ring);
    assert_eq!(lines.len(), 5);
    for (k, line) in lines.iter().enumerate() {
        assert_eq!(line, &[b'a' + 18 + k as u8; 8].to_vec());
    }
    assert_eq!(ring.take_dropped(), 18);
    assert_eq!(ring.take_dropped(), 0);
}

#[test]
fn ring_drops_oldest_by_line_count() {
    let mut ring = Ring::new(4096, 3);
    for i in 0..10u8 {
        ring.push(&[i]);
    }
    assert_eq!(drain_ring(&mut ring), [[7u8].to_vec(), [8].to_vec(), [9].to_vec()]);
    assert_eq!(ring.take_dropped(), 7);
}

#[test]
fn ring_wraps_with_mixed_sizes() {
    let mut ring = Ring::new(100, 1000);
    let mut model: alloc::collections::VecDeque<Vec<u8>> = alloc::collections::VecDeque::new();
    let mut dropped = 0u64;
    let mut seed = 12345u32;
    for n in 0..2000u32 {
        seed = seed.wrapping_mul(1_103_515_245).wrapping_add(12345);
        let len = (seed >> 16) as usize % 40;
        let line: Vec<u8> = (0..len).map(|k| (n as usize + k) as u8).collect();
        ring.push(&line);
        model.push_back(line);
        while model.iter().map(|l| l.len() + 4).sum::<usize>() > 100 {
            model.pop_front();
            dropped += 1;
        }
        if n % 7 == 0 {
            let mut out = Vec::new();
            assert_eq!(ring.pop_into(&mut out), !model.is_empty());
            if let Some(front) = model.pop_front() {
                assert_eq!(out, front);
            }
        }
    }
    assert_eq!(drain_ring(&mut ring), model.into_iter().collect::<Vec<_>>());
    assert_eq!(ring.take_dropped(), dropped);
}

#[test]
fn ring_refuses_a_line_larger_than_itself() {
    let mut ring = Ring::new(16, 10);
    ring.push(b"keep");
    ring.push(&[b'x'; 13]);
    assert_eq!(drain_ring(&mut ring), [b"keep".to_vec()]);
    assert_eq!(ring.take_dropped(), 1);
}

fn line(style: Style, ns: Option<u64>, level: Level, target: &str, msg: &str, id: Option<&[u8; 16]>) -> String {
    let mut out = Vec::new();
    format_line(&mut out, style, ns, level, target, &msg, id);
    String::from_utf8(out).unwrap()
}

const PLAIN: Style = Style { ansi: false, max_line: None, escape_nul: false };
const ID: [u8; 16] = [0x1e, 0x1f, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 0xa, 0xb, 0xc, 0xff];

#[test]
fn line_shapes() {
    let ns = Some(1_795_628_401_123_456_789);
    assert_eq!(
        line(PLAIN, ns, Level::Info, TARGET_PDK, "hello", Some(&ID)),
        "2026-11-25T17:40:01.123456Z  INFO extism::pdk: hello plugin=\"1e1f0001-0203-0405-0607-08090a0b0cff\"\n"
    );
    assert_eq!(line(PLAIN, None, Level::Debug, TARGET_PLUGIN, "x created", None), "DEBUG extism::plugin: x created\n");
    assert_eq!(
        line(PLAIN, Some(0), Level::Error, TARGET_PDK, "", None),
        "1970-01-01T00:00:00.000000Z ERROR extism::pdk: \n"
    );
    let ansi = Style { ansi: true, ..PLAIN };
    assert_eq!(
        line(ansi, ns, Level::Warn, TARGET_PDK, "m", Some(&ID)),
        "\x1b[2m2026-11-25T17:40:01.123456Z\x1b[0m \x1b[33m WARN\x1b[0m \x1b[2mextism::pdk\x1b[0m\x1b[2m:\x1b[0m m \
         \x1b[3mplugin\x1b[0m\x1b[2m=\x1b[0m\"1e1f0001-0203-0405-0607-08090a0b0cff\"\n"
    );
}

/// Upstream's formatter (tracing-subscriber 0.3.20+) escapes the characters that could steer a
/// terminal, as measured on its library with every control character in a plugin's message
/// (make fuzz-diff found the difference): BEL, BS, FF, ESC, DEL and C1 controls; the rest stay raw.
#[test]
fn message_control_characters_escaped_as_upstream() {
    let message: String = (1u8..32).map(char::from).chain(['\x7f', '\u{85}', '\u{9b}', 'A']).collect();
    let want = "\x01\x02\x03\x04\x05\x06\\x07\\x08\t\n\x0b\\x0c\r\x0e\x0f\x10\x11\x12\x13\x14\x15\x16\
                \x17\x18\x19\x1a\\x1b\x1c\x1d\x1e\x1f\\x7f\\u{85}\\u{9b}A";
    for style in [PLAIN, Style { escape_nul: true, ..PLAIN }, Style { ansi: true, ..PLAIN }] {
        let l = line(style, None, Level::Info, TARGET_PDK, &message, None);
        let sep = if style.ansi { "\x1b[0m\x1b[2m:\x1b[0m " } else { ": " };
        assert!(l.ends_with(&alloc::format!("extism::pdk{sep}{want}\n")), "{l:?}");
    }
    // the target and the plugin field are not messages
    let l = line(PLAIN, None, Level::Info, TARGET_PDK, "\x1b", Some(&ID));
    assert_eq!(l, " INFO extism::pdk: \\x1b plugin=\"1e1f0001-0203-0405-0607-08090a0b0cff\"\n");
}

#[test]
fn timestamps() {
    let s = |secs: u64| alloc::format!("{}", Timestamp(secs * 1_000_000_000));
    assert_eq!(s(951_782_400), "2000-02-29T00:00:00.000000");
    assert_eq!(s(1_709_164_800), "2024-02-29T00:00:00.000000");
    assert_eq!(s(4_102_444_799), "2099-12-31T23:59:59.000000");
}

#[test]
fn ring_lines_are_bounded_and_nul_free() {
    let style = Style { ansi: false, max_line: Some(256), escape_nul: true };
    let long = "\u{e9}".repeat(400);
    let l = line(style, Some(0), Level::Info, TARGET_PDK, &long, Some(&ID));
    assert!(l.len() <= 256, "{} bytes", l.len());
    assert!(l.contains("\u{e9}... plugin=\"1e1f0001-0203-0405-0607-08090a0b0cff\"\n"));
    let l = line(style, None, Level::Info, TARGET_PDK, "a\0b", None);
    assert_eq!(l, " INFO extism::pdk: a\\0b\n");
    // Files keep NUL bytes and whole lines.
    let l = line(PLAIN, None, Level::Info, TARGET_PDK, "a\0b", None);
    assert_eq!(l, " INFO extism::pdk: a\0b\n");
}
