//! The module cache: what its key covers, how a hit is confirmed, and that entries die with their
//! code. The process-wide cache is shared by every test running in parallel, so each test here
//! uses modules of its own (a distinct export name) and checks only what concerns them.

extern crate std;

use super::*;
use crate::compiled::Compiled;
use crate::manifest::{self, NamedModule};
use alloc::string::String;
use alloc::vec;
use std::format;

/// A module exporting `tag` (so tests do not share cache entries) with `data` in a data segment.
fn module(tag: &str, data: &str) -> Vec<u8> {
    wat::parse_str(format!(
        r#"(module (memory (export "memory") 1) (data (i32.const 16) "{data}")
            (func (export "{tag}") (result i32) (i32.load (i32.const 16))))"#
    ))
    .unwrap()
}

/// `bytes` with a custom section `name` holding `payload` appended.
fn with_custom(bytes: &[u8], name: &[u8], payload: &[u8]) -> Vec<u8> {
    let mut body = Vec::new();
    body.push(name.len() as u8);
    body.extend_from_slice(name);
    body.extend_from_slice(payload);
    let mut out = bytes.to_vec();
    out.push(0);
    let mut size = body.len();
    loop {
        let byte = (size & 0x7f) as u8;
        size >>= 7;
        if size == 0 {
            out.push(byte);
            break;
        }
        out.push(byte | 0x80);
    }
    out.extend_from_slice(&body);
    out
}

fn named(name: &str, bytes: Vec<u8>) -> NamedModule<'static> {
    NamedModule { name: String::from(name), bytes: bytes.into() }
}

fn compile(bytes: &[u8]) -> Compiled {
    Compiled::new(bytes, Vec::new(), false, crate::compiled::Metering::Fuel(None), crate::capi::plugin::source_loader())
        .unwrap_or_else(|e| panic!("{e:?}"))
}

#[test]
fn key_ignores_custom_sections_only() {
    let plain = [named("main", module("k1", "abcd"))];
    let debug = [named("main", with_custom(&plain[0].bytes, b".debug_info", &[7; 3000]))];
    let other_data = [named("main", module("k1", "abce"))];
    let (a, b, c) = (Key::new(&plain, true).unwrap(), Key::new(&debug, true).unwrap(), Key::new(&other_data, true).unwrap());
    assert_eq!(a.hash(), b.hash());
    assert!(a.matches(&b.to_bytes()) && b.matches(&a.to_bytes()));
    assert!(a.matches(&a.to_bytes()));
    assert!(!c.matches(&a.to_bytes()) && !a.matches(&c.to_bytes()));
    // A stored key that is a prefix or an extension of this one is another key.
    let stored = a.to_bytes();
    assert!(!a.matches(&stored[..stored.len() - 1]));
    let mut longer = stored.clone();
    longer.push(0);
    assert!(!a.matches(&longer));
}

#[test]
fn key_covers_module_names_and_every_module() {
    let one = [named("main", module("k2", "x"))];
    let renamed = [named("other", module("k2", "x"))];
    let two = [named("lib", module("k2lib", "y")), named("main", module("k2", "x"))];
    let two_other = [named("lib", module("k2lib", "z")), named("main", module("k2", "x"))];
    let keys = [Key::new(&one, true), Key::new(&renamed, true), Key::new(&two, true), Key::new(&two_other, true)].map(Option::unwrap);
    for (i, k) in keys.iter().enumerate() {
        for (j, other) in keys.iter().enumerate() {
            assert_eq!(k.matches(&other.to_bytes()), i == j, "{i} vs {j}");
        }
    }
    // Unmetered code is compiled differently: never a hit for the metered key of the same module.
    let unmetered = Key::new(&one, false).unwrap();
    assert!(!unmetered.matches(&keys[0].to_bytes()) && !keys[0].matches(&unmetered.to_bytes()));
}

#[test]
fn inputs_the_engine_might_judge_differently_have_no_key() {
    let good = module("k3", "a");
    assert!(Key::new(&[named("main", good.clone())], true).is_some());
    // A custom section name that is not UTF-8: the engine's parser rejects it.
    assert!(Key::new(&[named("main", with_custom(&good, b"\xff\xfe", b"x"))], true).is_none());
    // A section running past the end, trailing bytes, not wasm at all.
    let mut cut = good.clone();
    cut.pop();
    assert!(Key::new(&[named("main", cut)], true).is_none());
    let mut trailing = good.clone();
    trailing.push(1);
    assert!(Key::new(&[named("main", trailing)], true).is_none());
    assert!(Key::new(&[named("main", b"(module)".to_vec())], true).is_none());
    // A size with bits beyond 32 (the engine reads it as an error, not as a truncated number).
    let mut overlong = good[..8].to_vec();
    overlong.extend_from_slice(&[0, 0x80, 0x80, 0x80, 0x80, 0x10]);
    assert!(Key::new(&[named("main", overlong)], true).is_none());
    assert_eq!(read_var_u32(&[0xff, 0xff, 0xff, 0xff, 0x0f]), Some((u32::MAX, 5)));
    assert_eq!(read_var_u32(&[0x80, 0x80, 0x80, 0x80, 0x80]), None);
}

#[test]
fn plugins_from_the_same_code_share_it_until_the_last_is_gone() {
    let bytes = module("k4", "shared");
    let a = compile(&bytes);
    let b = compile(&with_custom(&bytes, b"name", b"\0\0"));
    assert!(Arc::ptr_eq(&a.code, &b.code), "same non-custom sections: one Code");
    let c = compile(&module("k4", "differs"));
    assert!(!Arc::ptr_eq(&a.code, &c.code), "another data section: another Code");
    let loaded = manifest::load(&bytes, crate::capi::plugin::source_loader()).unwrap();
    let key = Key::new(&loaded.modules, true).unwrap();
    let weak = Arc::downgrade(&a.code);
    drop(a);
    assert!(lookup(&key).is_some_and(|code| Arc::ptr_eq(&code, &b.code)));
    drop(b);
    assert!(weak.upgrade().is_none(), "the cache keeps no strong reference");
    assert!(lookup(&key).is_none());
    let again = compile(&bytes);
    assert!(lookup(&key).is_some_and(|code| Arc::ptr_eq(&code, &again.code)));
}

fn code_for<'m>(modules: &'m [NamedModule<'_>]) -> (Key<'m>, Arc<Code>) {
    let key = Key::new(modules, true).unwrap();
    let loaded = manifest::Loaded { manifest: Default::default(), modules: modules.to_vec(), main_index: 0 };
    let code = Arc::new(Code::compile(&loaded, Some(&key), true).unwrap_or_else(|e| panic!("{e:?}")));
    (key, code)
}

#[test]
fn a_private_cache_prunes_dead_entries_and_stops_at_its_capacity() {
    let mods: Vec<[NamedModule; 1]> = (0..3).map(|i| [named("main", module(&format!("k5_{i}"), "d"))]).collect();
    let (k0, c0) = code_for(&mods[0]);
    let (k1, c1) = code_for(&mods[1]);
    let (k2, c2) = code_for(&mods[2]);
    let mut cache = Vec::new();
    assert!(Arc::ptr_eq(&insert_into(&mut cache, 2, &k0, c0.clone()), &c0));
    assert!(Arc::ptr_eq(&insert_into(&mut cache, 2, &k1, c1.clone()), &c1));
    // Full: c2 is used but not cached.
    assert!(Arc::ptr_eq(&insert_into(&mut cache, 2, &k2, c2.clone()), &c2));
    assert_eq!(cache.len(), 2);
    assert!(find(&cache, &k2).is_none());
    assert!(find(&cache, &k0).is_some_and(|c| Arc::ptr_eq(&c, &c0)));
    // A second compile of k0 (another thread raced) gets the cached one back.
    let (_, c0_again) = code_for(&mods[0]);
    assert!(Arc::ptr_eq(&insert_into(&mut cache, 2, &k0, c0_again), &c0));
    // c0 dies: its entry is pruned at the next insert, making room for c2.
    drop(c0);
    assert!(find(&cache, &k0).is_none());
    assert!(Arc::ptr_eq(&insert_into(&mut cache, 2, &k2, c2.clone()), &c2));
    assert_eq!(cache.len(), 2);
    assert!(find(&cache, &k2).is_some() && find(&cache, &k1).is_some());
    // Code whose stored key is not this key is never filed under it.
    let (_, c1_other) = code_for(&mods[1]);
    drop((c1, c2));
    assert!(Arc::ptr_eq(&insert_into(&mut cache, 2, &k0, c1_other.clone()), &c1_other));
    assert!(find(&cache, &k0).is_none());
}

#[test]
fn key_of_a_real_plugin_skips_its_debug_info() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/ctests/build/plugins/c1.wasm");
    let Ok(bytes) = std::fs::read(path) else { return };
    let mods = [named("main", bytes.clone())];
    let key = Key::new(&mods, true).unwrap();
    assert!(key.to_bytes().len() <= bytes.len() + 512, "length prefixes only");
    let big = [named("main", with_custom(&bytes, b".debug_line", &vec![1; 100_000]))];
    assert!(Key::new(&big, true).unwrap().matches(&key.to_bytes()));
}
