//! `crate::manifest::load` on arbitrary input (wasm magic, WAT, JSON or TOML manifests, or junk),
//! with a source loader that answers from the names it is given (no files, network or host memory).
//!
//! Checked: no panic; a success has 1..=MAX_MODULES modules, unique names, exactly one `main` at
//! `main_index`, binary input passed through unchanged, byte limits resolved; a failure has a
//! message; loading is deterministic (same input, same result).
#![no_main]

use extism::config::MAX_MODULES;
use extism::manifest::{self, sniff, Sniffed, MAIN};
use extism_fuzz::FuzzLoader;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let first = manifest::load(data, &FuzzLoader);
    match &first {
        Ok(loaded) => {
            assert!(!loaded.modules.is_empty());
            assert!(loaded.modules.len() <= MAX_MODULES);
            assert!(loaded.main_index < loaded.modules.len());
            assert_eq!(loaded.main().name, MAIN);
            let mains = loaded.modules.iter().filter(|m| m.name == MAIN).count();
            assert_eq!(mains, 1, "exactly one main module");
            for (i, a) in loaded.modules.iter().enumerate() {
                for b in &loaded.modules[i + 1..] {
                    assert_ne!(a.name, b.name, "module names are unique");
                }
            }
            assert!(loaded.manifest.memory.max_http_response_bytes.is_some());
            assert!(loaded.manifest.memory.max_var_bytes.is_some());
            if let Sniffed::Binary = sniff(data) {
                assert_eq!(loaded.modules.len(), 1);
                assert_eq!(loaded.modules[0].bytes, data, "binary input passes through");
            }
        }
        Err(e) => assert!(!e.message.is_empty(), "errors say something"),
    }
    assert_eq!(first, manifest::load(data, &FuzzLoader), "load is deterministic");
});
