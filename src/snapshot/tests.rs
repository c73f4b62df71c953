//! Save and restore, end to end on small modules: what comes back, what is refused, and that a
//! refused state leaves nothing changed.

use alloc::sync::Arc;
use alloc::vec::Vec;

use super::format;
use crate::compiled::{Compiled, CreateError};
use crate::plugin::Plugin;

/// A reactor whose `_initialize` counts its runs, with a mutable global that is not exported, a
/// data segment, a table used by `call_indirect`, and a byte on its second page that each call
/// increments. `count` outputs: calls, initialiser runs, table entry 1's result, the data byte at
/// 16 (overwritten by the first call), the second page's byte.
const COUNTER: &str = r#"(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory 2)
  (global $calls (mut i32) (i32.const 0))
  (global $inits (mut i32) (i32.const 0))
  (data (i32.const 16) "h")
  (type $t (func (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $one $two)
  (func $one (result i32) (i32.const 1))
  (func $two (result i32) (i32.const 2))
  (func (export "_initialize") (global.set $inits (i32.add (global.get $inits) (i32.const 1))))
  (func (export "count") (result i32) (local $o i64)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i32.store8 (i32.const 16) (i32.const 72))
    (i32.store8 (i32.const 65541) (i32.add (i32.load8_u (i32.const 65541)) (i32.const 1)))
    (local.set $o (call $alloc (i64.const 5)))
    (call $store_u8 (local.get $o) (global.get $calls))
    (call $store_u8 (i64.add (local.get $o) (i64.const 1)) (global.get $inits))
    (call $store_u8 (i64.add (local.get $o) (i64.const 2)) (call_indirect (type $t) (i32.const 1)))
    (call $store_u8 (i64.add (local.get $o) (i64.const 3)) (i32.load8_u (i32.const 16)))
    (call $store_u8 (i64.add (local.get $o) (i64.const 4)) (i32.load8_u (i32.const 65541)))
    (call $output_set (local.get $o) (i64.const 5))
    (i32.const 0)))"#;

fn compiled(wat: &str) -> Arc<Compiled> {
    compiled_with(wat, "")
}

/// `manifest_memory`: a JSON `memory` object for the manifest, or "".
fn compiled_with(wat: &str, manifest_memory: &str) -> Arc<Compiled> {
    let wasm = wat::parse_str(wat).expect("valid wat");
    let input = match manifest_memory {
        "" => wasm,
        memory => {
            use base64::Engine as _;
            let data = base64::engine::general_purpose::STANDARD.encode(&wasm);
            alloc::format!(r#"{{"wasm":[{{"data":"{data}"}}],"memory":{memory}}}"#).into_bytes()
        }
    };
    let loader = crate::capi::plugin::source_loader();
    Arc::new(Compiled::new(&input, Vec::new(), false, crate::compiled::Metering::Fuel(None), loader).unwrap_or_else(|e| panic!("{e:?}")))
}

fn call(plugin: &Plugin, name: &str) -> Vec<u8> {
    let mut inner = plugin.lock();
    let result = crate::call::call(plugin, &mut inner, name, b"", 0);
    assert_eq!(result.rc, 0, "call {name}");
    inner.store.data().kernel.output().to_vec()
}

fn save(plugin: &Plugin) -> Result<Vec<u8>, String> {
    let mut inner = plugin.lock();
    super::save(plugin, &mut inner)
}

fn restore_error(compiled: &Arc<Compiled>, bytes: &[u8]) -> String {
    match super::restore(compiled.clone(), bytes) {
        Ok(_) => panic!("restored"),
        Err(CreateError::Create(m)) | Err(CreateError::Compile(m)) => m,
    }
}

use alloc::string::String;

/// Memory (both pages, the data segment's byte as the call left it), the unexported global, vars,
/// config and kernel memory come back; the initialiser does not run again; the next call goes on
/// from where the saved plugin was, as it would have without the save.
#[test]
fn a_restored_plugin_goes_on_where_it_was() {
    let compiled = compiled(COUNTER);
    let plugin = Plugin::new(compiled.clone()).unwrap();
    assert_eq!(call(&plugin, "count"), [1, 1, 2, b'H', 1]);
    assert_eq!(call(&plugin, "count"), [2, 1, 2, b'H', 2]);
    {
        let mut inner = plugin.lock();
        assert!(inner.store.data_mut().vars.set(b"k", b"v").is_ok());
        inner.store.data_mut().config.insert("c".into(), "d".into());
    }
    let bytes = save(&plugin).unwrap();
    assert_eq!(call(&plugin, "count"), [3, 1, 2, b'H', 3], "the saved plugin goes on");

    let restored = super::restore(compiled.clone(), &bytes).unwrap_or_else(|e| panic!("{e:?}"));
    {
        let inner = restored.lock();
        assert_eq!(inner.store.data().kernel.output(), [2, 1, 2, b'H', 2], "kernel memory, output register");
        assert_eq!(inner.store.data().vars.get(b"k"), Some(&b"v"[..]));
        assert_eq!(inner.store.data().config.get("c").map(String::as_str), Some("d"));
    }
    assert_eq!(call(&restored, "count"), [3, 1, 2, b'H', 3]);
    // A second restore of the same bytes is the same plugin again (a pool's reset).
    let again = super::restore(compiled, &bytes).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(call(&again, "count"), [3, 1, 2, b'H', 3]);
}

/// Saving a plugin that never ran initialises it first: the restored plugin's first call finds the
/// initialiser run once, not again.
#[test]
fn saving_a_fresh_plugin_saves_it_initialised() {
    let compiled = compiled(COUNTER);
    let bytes = save(&Plugin::new(compiled.clone()).unwrap()).unwrap();
    let restored = super::restore(compiled, &bytes).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(call(&restored, "count"), [1, 1, 2, b'H', 1]);
}

/// Zero bytes are not stored: a state of two pages holding a few bytes is a few hundred bytes.
#[test]
fn zero_blocks_are_left_out() {
    let compiled = compiled(COUNTER);
    let plugin = Plugin::new(compiled).unwrap();
    call(&plugin, "count");
    let bytes = save(&plugin).unwrap();
    // Memory: a byte on each page; kernel memory: its root record and the output block.
    assert!(bytes.len() < 512, "{}", bytes.len());
    let empty = compiled_with(r#"(module (memory 4) (func (export "f")))"#, "");
    let bytes = save(&Plugin::new(empty).unwrap()).unwrap();
    assert!(bytes.len() < 400, "{}", bytes.len());
}

/// Extents: zero blocks split them, their zero ends are trimmed, and what a reader fills in is the
/// buffer that was written, over zeros or over old bytes.
#[test]
fn extents_give_back_the_bytes_written() {
    let block = format::EXTENT_BLOCK;
    let mut data = alloc::vec![0u8; 3 * 65536 + 100];
    // One byte at a block's end and one at the next block's start: one extent of two bytes.
    data[block - 1] = 1;
    data[block] = 2;
    // Two blocks apart with a zero block between: two extents.
    data[5 * block + 7] = 3;
    data[7 * block] = 4;
    // A run across many blocks, and the buffer's last byte (a short last block).
    data[20 * block..30 * block].fill(9);
    let last = data.len() - 1;
    data[last] = 5;
    let mut w = format::Writer::new(0, 0);
    w.begin(format::TAG_MEMORY);
    w.extents(&data);
    let state = w.finish();
    let mut r = format::Reader::new(&state[format::HEADER_BYTES + format::RECORD_HEADER_BYTES..]);
    let extents = r.extents().unwrap();
    let spans: Vec<(usize, usize)> = extents.list.iter().map(|(at, b)| (*at, b.len())).collect();
    assert_eq!(spans, [(block - 1, 2), (5 * block + 7, 1), (7 * block, 1), (20 * block, 10 * block), (last, 1)]);
    let mut over_zero = alloc::vec![0u8; data.len()];
    extents.fill_over_zero(&mut over_zero, &[]).unwrap();
    assert!(over_zero == data);
    // Over zero but for dirty ranges (data segments): those come out as written too.
    let b = block as u64;
    let dirty: [(u64, u64); 5] = [(0, 10), (b - 5, 20), (6 * b, 3 * b), (25 * b, 100), (last as u64, 9)];
    let mut over_dirty = alloc::vec![0u8; data.len()];
    for &(at, len) in &dirty {
        let end = (at + len).min(data.len() as u64) as usize;
        over_dirty[at as usize..end].fill(0x77);
    }
    extents.fill_over_zero(&mut over_dirty, &dirty).unwrap();
    assert!(over_dirty == data);
    let mut over_old = alloc::vec![0x55u8; data.len()];
    extents.fill(&mut over_old).unwrap();
    assert!(over_old == data);
    let mut short = alloc::vec![0u8; 4 * block];
    assert!(extents.fill_prefix_over_zero(&mut short).is_err(), "non-zero bytes past the target");
}

/// An extent list that overlaps itself, runs past its buffer or holds an offset past 4 GiB on a
/// 32-bit target is refused.
#[test]
fn bad_extents_are_refused() {
    let list = |len: u64, extents: &[(u64, u64)]| {
        let mut bytes = Vec::new();
        bytes.extend_from_slice(&len.to_le_bytes());
        bytes.extend_from_slice(&(extents.len() as u32).to_le_bytes());
        for &(at, size) in extents {
            bytes.extend_from_slice(&at.to_le_bytes());
            bytes.extend_from_slice(&size.to_le_bytes());
            bytes.extend(core::iter::repeat(1u8).take(size as usize));
        }
        bytes
    };
    let read = |bytes: &[u8]| format::Reader::new(bytes).extents().map(|e| e.list.len());
    assert_eq!(read(&list(100, &[(0, 2), (2, 3), (99, 1)])), Ok(3));
    assert!(read(&list(100, &[(0, 3), (2, 3)])).is_err(), "overlap");
    assert!(read(&list(100, &[(10, 1), (5, 1)])).is_err(), "out of order");
    assert!(read(&list(100, &[(99, 2)])).is_err(), "past the buffer");
    assert!(read(&list(u64::MAX, &[(u64::MAX - 1, 2)])).is_err(), "offset + size overflows");
    assert!(read(&list(100, &[(0, 5)])[..20]).is_err(), "bytes missing");
}

/// Every cut of a state is refused with an error (and never read past its end).
#[test]
fn truncated_states_are_refused() {
    let compiled = compiled(COUNTER);
    let bytes = save(&Plugin::new(compiled.clone()).unwrap()).unwrap();
    for len in (0..bytes.len()).step_by(97).chain([bytes.len() - 1, 7, 8, 31, 32, 40]) {
        let e = restore_error(&compiled, &bytes[..len]);
        assert!(e.contains("truncated") || e.contains("magic"), "{len}: {e}");
    }
}

/// A changed byte anywhere is caught by the checksum; a changed checksum too.
#[test]
fn corrupted_states_are_refused() {
    let compiled = compiled(COUNTER);
    let bytes = save(&Plugin::new(compiled.clone()).unwrap()).unwrap();
    for at in (32..bytes.len()).step_by(331).chain([bytes.len() - 1]) {
        let mut bad = bytes.clone();
        bad[at] ^= 0x10;
        assert!(restore_error(&compiled, &bad).contains("checksum"), "byte {at}");
    }
}

/// A state is refused by other modules, and a state of a newer format version by this library,
/// even with a correct checksum.
#[test]
fn other_modules_and_future_versions_are_refused() {
    let compiled_a = compiled(COUNTER);
    let bytes = save(&Plugin::new(compiled_a.clone()).unwrap()).unwrap();
    let other = compiled(&COUNTER.replace("(i32.const 72)", "(i32.const 73)"));
    assert!(restore_error(&other, &bytes).contains("other wasm modules"));

    let mut newer = bytes.clone();
    newer[8..12].copy_from_slice(&(format::VERSION + 1).to_le_bytes());
    let body = newer.len() - 8;
    let sum = format::checksum(&newer[..body]);
    newer[body..].copy_from_slice(&sum.to_le_bytes());
    assert!(restore_error(&compiled_a, &newer).contains("newer format version"));
}

/// A state whose memory is larger than the restoring plugin's limits allow is refused.
#[test]
fn a_state_larger_than_the_limits_is_refused() {
    let grows = r#"(module (memory 1)
        (func (export "grow") (result i32) (drop (memory.grow (i32.const 3))) (i32.store8 (i32.const 200000) (i32.const 1)) (i32.const 0)))"#;
    let plugin = Plugin::new(compiled(grows)).unwrap();
    call(&plugin, "grow");
    let bytes = save(&plugin).unwrap();
    let limited = compiled_with(grows, r#"{"max_pages":2}"#);
    let e = restore_error(&limited, &bytes);
    assert!(e.contains("memory 0 cannot grow"), "{e}");
}

/// A module whose code can change a table, and a plugin in the middle of a call, cannot be saved.
#[test]
fn unsaveable_plugins_are_refused_with_the_reason() {
    let changer = r#"(module (table 1 funcref) (func $f)
        (func (export "set") (result i32) (table.set (i32.const 0) (ref.func $f)) (i32.const 0)) (elem declare func $f))"#;
    let e = save(&Plugin::new(compiled(changer)).unwrap()).unwrap_err();
    assert!(e.contains("table.set"), "{e}");
}

/// Items a module exports itself are read through its own exports: a module exporting its
/// memory, mutable global and table needs no hidden export, so it is compiled as given (no copy),
/// and saves and restores all the same.
#[test]
fn a_module_exporting_its_items_is_compiled_as_given() {
    let wat = r#"(module
        (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
        (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
        (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
        (memory (export "memory") 1) (global $n (export "n") (mut i32) (i32.const 0))
        (table (export "t") 1 funcref)
        (func (export "bump") (result i32) (local $o i64)
          (global.set $n (i32.add (global.get $n) (i32.const 1)))
          (local.set $o (call $alloc (i64.const 1)))
          (call $store_u8 (local.get $o) (global.get $n))
          (call $output_set (local.get $o) (i64.const 1)) (i32.const 0)))"#;
    let wasm = wat::parse_str(wat).unwrap();
    let layout = super::layout::scan(&wasm, true).unwrap();
    assert!(layout.hidden_exports().is_empty(), "{layout:?}");
    assert!(crate::start_hoist::rewrite(&wasm, &layout.hidden_exports()).is_none());
    let compiled = compiled(wat);
    let plugin = Plugin::new(compiled.clone()).unwrap();
    assert_eq!(call(&plugin, "bump"), [1]);
    let bytes = save(&plugin).unwrap();
    let restored = super::restore(compiled, &bytes).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(call(&restored, "bump"), [2]);
}

/// A page the plugin cleared is not stored; its data segment, which instantiation writes again
/// on restore, is cleared too: the restored memory reads zero there, as the saved one did.
#[test]
fn a_cleared_data_segment_stays_cleared() {
    let wat = r#"(module
        (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
        (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
        (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
        (memory 2) (data (i32.const 100) "xyz")
        (func (export "clear") (result i32) (i32.store8 (i32.const 100) (i32.const 0))
          (i32.store8 (i32.const 101) (i32.const 0)) (i32.store8 (i32.const 102) (i32.const 0)) (i32.const 0))
        (func (export "read") (result i32) (local $o i64)
          (local.set $o (call $alloc (i64.const 1)))
          (call $store_u8 (local.get $o) (i32.load8_u (i32.const 101)))
          (call $output_set (local.get $o) (i64.const 1)) (i32.const 0)))"#;
    let compiled = compiled(wat);
    let plugin = Plugin::new(compiled.clone()).unwrap();
    assert_eq!(call(&plugin, "read"), [b'y']);
    call(&plugin, "clear");
    let bytes = save(&plugin).unwrap();
    let restored = super::restore(compiled, &bytes).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(call(&restored, "read"), [0]);
}

/// The table scan: at compile time where the build keeps no copy of the module (`no_std`), else
/// at the first save from the module cache's copy; both find the same instruction.
#[test]
fn the_table_scan_now_or_deferred_finds_the_same() {
    use super::layout::{scan, TableScan};
    let changer = wat::parse_str(
        r#"(module (table 1 funcref) (func $f) (elem declare func $f)
            (func (export "grow") (drop (table.grow (ref.func $f) (i32.const 1)))))"#,
    )
    .unwrap();
    let now = scan(&changer, true).unwrap();
    assert_eq!(now.table_changer, TableScan::Done(Some("table.grow")));
    let later = scan(&changer, false).unwrap();
    assert_eq!(later.table_changer, TableScan::Deferred);
    let why = later.unsaveable(|| Some(changer.clone())).unwrap();
    assert!(why.contains("table.grow"), "{why}");
    assert!(later.unsaveable(|| None).unwrap().contains("not scanned"));
    let plain = wat::parse_str(r#"(module (table 1 funcref) (func (export "f")))"#).unwrap();
    assert_eq!(scan(&plain, false).unwrap().unsaveable(|| Some(plain.clone())), None);
}

/// A module's hash ignores its custom sections (debug info): a state saved from a plugin built
/// with debug info restores onto the same code without it, and the copy the library compiles
/// leaves them out.
#[test]
fn custom_sections_do_not_change_the_modules_hash() {
    let plain = wat::parse_str(COUNTER).unwrap();
    let mut with_debug = plain.clone();
    // A custom section "debug" of 1000 bytes at the end.
    with_debug.push(0);
    let payload_len = 1 + 5 + 1000;
    with_debug.extend_from_slice(&[(payload_len & 0x7f) as u8 | 0x80, (payload_len >> 7) as u8]);
    with_debug.push(5);
    with_debug.extend_from_slice(b"debug");
    with_debug.extend_from_slice(&[7u8; 1000]);
    assert_eq!(format::module_hash("main", &plain), format::module_hash("main", &with_debug));
    assert_ne!(format::module_hash("main", &plain), format::module_hash("other", &plain));
    let layout = super::layout::scan(&with_debug, true).unwrap();
    let rewritten = crate::start_hoist::rewrite(&with_debug, &layout.hidden_exports()).unwrap();
    assert!(rewritten.len() < plain.len() + 200, "{} vs {}", rewritten.len(), plain.len());
}

/// The hash made later from the module cache's copy (std builds) is the one made at compile time
/// from the bytes as given (no_std builds): states move between the two.
#[test]
fn the_hash_from_the_cached_copy_is_the_hash_of_the_bytes() {
    let wasm = wat::parse_str(COUNTER).unwrap();
    let m = format::module_hash("main", &wasm);
    let want = format::hash64(format::hash64(format::HASH_SEED, &m.to_le_bytes()), &0u64.to_le_bytes());
    let compiled = compiled(COUNTER);
    assert_eq!(compiled.main_module().hash.is_none(), crate::config::MODULE_CACHE_ENTRIES > 0);
    assert_eq!(compiled.modules_hash(), Some(want));
}

/// The byte pre-check of the table scan lets every table-changing instruction through to the
/// decode, and a body whose immediates hold the same bytes is decoded and found harmless.
#[test]
fn the_table_scan_finds_every_changer_and_no_false_one() {
    use super::layout::{scan, TableScan};
    let cases = [
        ("(table.set (i32.const 0) (ref.null func))", "table.set"),
        ("(drop (table.grow (ref.null func) (i32.const 1)))", "table.grow"),
        ("(table.fill (i32.const 0) (ref.null func) (i32.const 1))", "table.fill"),
        ("(table.copy (i32.const 0) (i32.const 0) (i32.const 1))", "table.copy"),
        ("(table.init $e (i32.const 0) (i32.const 0) (i32.const 1))", "table.init"),
        // immediates holding 0x26 (38) and 0xfc 0x0c (1660 as LEB128): decoded, nothing found
        ("(drop (i32.const 38)) (drop (i64.const 1660))", ""),
        ("", ""),
    ];
    for (body, want) in cases {
        let wat = alloc::format!(
            "(module (table 1 funcref) (func $f) (elem $e func $f) (func (export \"f\") {body}))"
        );
        let wasm = wat::parse_str(&wat).unwrap();
        let found = scan(&wasm, true).unwrap().table_changer;
        let want = TableScan::Done((!want.is_empty()).then_some(want));
        assert_eq!(found, want, "{body}");
    }
}

/// The checksum changes when any byte changes, in the lanes and in the tail alike.
#[test]
fn the_checksum_sees_every_byte() {
    let bytes: Vec<u8> = (0..103u32).map(|i| (i * 7) as u8).collect();
    let sum = format::checksum(&bytes);
    for i in 0..bytes.len() {
        let mut changed = bytes.clone();
        changed[i] ^= 0x10;
        assert_ne!(format::checksum(&changed), sum, "byte {i}");
    }
    assert_ne!(format::checksum(&bytes[..96]), format::checksum(&bytes[..97]));
}

/// A manifest of two modules: `lib` keeps a counter in its memory and in a global the main module
/// cannot see; both come back, and neither module's initialiser runs again.
#[test]
fn a_plugin_of_two_modules_comes_back_whole() {
    let lib = r#"(module
        (memory 1) (global $n (mut i32) (i32.const 0)) (global $inits (mut i32) (i32.const 0))
        (func (export "_initialize") (global.set $inits (i32.add (global.get $inits) (i32.const 1))))
        (func (export "bump") (result i32)
          (global.set $n (i32.add (global.get $n) (i32.const 1)))
          (i32.store8 (i32.const 40000) (i32.add (i32.load8_u (i32.const 40000)) (i32.const 2)))
          (i32.add (i32.mul (global.get $inits) (i32.const 10000))
            (i32.add (i32.mul (global.get $n) (i32.const 100)) (i32.load8_u (i32.const 40000))))))"#;
    let main = r#"(module
        (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
        (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
        (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
        (import "lib" "bump" (func $bump (result i32)))
        (memory 1)
        (func (export "count") (result i32) (local $o i64)
          (local.set $o (call $alloc (i64.const 8)))
          (call $store_u64 (local.get $o) (i64.extend_i32_u (call $bump)))
          (call $output_set (local.get $o) (i64.const 8)) (i32.const 0)))"#;
    use base64::Engine as _;
    let b64 = |wat: &str| base64::engine::general_purpose::STANDARD.encode(wat::parse_str(wat).unwrap());
    let manifest =
        alloc::format!(r#"{{"wasm":[{{"data":"{}","name":"lib"}},{{"data":"{}","name":"main"}}]}}"#, b64(lib), b64(main));
    let loader = crate::capi::plugin::source_loader();
    let compiled = Arc::new(
        Compiled::new(manifest.as_bytes(), Vec::new(), false, crate::compiled::Metering::Fuel(None), loader)
            .unwrap_or_else(|e| panic!("{e:?}")),
    );
    let value = |out: Vec<u8>| u64::from_le_bytes(out.try_into().unwrap());
    let plugin = Plugin::new(compiled.clone()).unwrap();
    assert_eq!(value(call(&plugin, "count")), 10_102);
    assert_eq!(value(call(&plugin, "count")), 10_204);
    let bytes = save(&plugin).unwrap();
    let restored = super::restore(compiled.clone(), &bytes).unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(value(call(&restored, "count")), 10_306, "lib's global, memory and initialiser count");
    assert_eq!(value(call(&plugin, "count")), 10_306, "the saved plugin goes on too");
    // A state naming a module the plugin has no instance of is refused.
    let one = compiled_with(main.replace(r#"(import "lib" "bump" (func $bump (result i32)))"#, "(func $bump (result i32) (i32.const 0))").as_str(), "");
    assert!(restore_error(&one, &bytes).contains("other wasm modules"));
}
