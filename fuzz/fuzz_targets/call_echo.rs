//! Calls with arbitrary input into plugins that echo and transform it, through the C API.
//!
//! Plugins (made once per process, reused by every run, so state carried between calls is
//! exercised too): `plugins/echo.wat` (echo, upper, reverse, fail_on_bang, poke: see the file), with
//! `memory.max_pages` 256; and, when built (`make -C ctests plugins`), the PDK plugin
//! `ctests/build/plugins/c1.wasm` (`count_vowels`, which keeps a running total in a var).
//! The first input byte picks the function, the rest is the call's input.
//!
//! Checked: each output is exactly what the transform gives (the model is in this file); a failing
//! call has the right rc and error; `poke` (arbitrary kernel operations) ends with its record count,
//! a trap (134) or a failure (-1), and whatever output it publishes is readable host memory.
#![no_main]

use std::ffi::CString;
use std::ptr::null_mut;
use std::sync::Mutex;

use extism::capi::plugin::*;
use extism::capi::types::ExtismPlugin;
use extism_fuzz::{base64, c_text, read_all, take_create_error};
use libfuzzer_sys::fuzz_target;

const ECHO_WAT: &str = include_str!("../plugins/echo.wat");
const MAX_PAGES: u64 = 256;

struct Plugins {
    echo: *mut ExtismPlugin,
    c1: Option<*mut ExtismPlugin>,
    /// c1's running total (its var), as the model expects it.
    total: u64,
}

// SAFETY: the plugins are only used under the mutex (libFuzzer runs one input at a time anyway).
unsafe impl Send for Plugins {}

static PLUGINS: Mutex<Option<Plugins>> = Mutex::new(None);

fn create(bytes: &[u8]) -> *mut ExtismPlugin {
    let mut err = null_mut();
    // SAFETY: valid buffer and out-pointer.
    let p = unsafe { extism_plugin_new(bytes.as_ptr(), bytes.len() as u64, null_mut(), 0, false.into(), &mut err) };
    if p.is_null() {
        // SAFETY: set by the failed create.
        panic!("plugin creation failed: {}", unsafe { take_create_error(err) });
    }
    p
}

fn setup() -> Plugins {
    let manifest = format!(
        r#"{{"wasm":[{{"data":"{}"}}],"memory":{{"max_pages":{MAX_PAGES}}}}}"#,
        base64(ECHO_WAT.as_bytes())
    );
    let echo = create(manifest.as_bytes());
    let c1_path = std::env::var("EXTISM_FUZZ_C1")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../ctests/build/plugins/c1.wasm").to_string());
    let c1 = match std::fs::read(&c1_path) {
        Ok(bytes) => Some(create(&bytes)),
        Err(e) => {
            eprintln!("call_echo: {c1_path}: {e}; count_vowels not fuzzed (make -C ctests plugins)");
            None
        }
    };
    Plugins { echo, c1, total: 0 }
}

struct Call {
    rc: i32,
    output: Vec<u8>,
    error: Option<Vec<u8>>,
}

fn call(p: *mut ExtismPlugin, name: &str, input: &[u8]) -> Call {
    let name = CString::new(name).unwrap();
    // SAFETY: p is live; the name and input outlive the call; output and error are read before the
    // next call on p.
    unsafe {
        let rc = extism_plugin_call(p, name.as_ptr(), input.as_ptr(), input.len() as u64);
        let output = read_all(extism_plugin_output_data(p), extism_plugin_output_length(p));
        let error = c_text(extism_plugin_error(p)).map(<[u8]>::to_vec);
        Call { rc, output, error }
    }
}

fn expect_ok(c: &Call, want: &[u8]) {
    assert_eq!(c.rc, 0, "rc (error {:?})", c.error.as_deref().map(String::from_utf8_lossy));
    assert!(c.error.is_none());
    assert_eq!(c.output, want);
}

fn vowels(input: &str) -> u64 {
    input.chars().filter(|c| "aeiouAEIOU".contains(*c)).count() as u64
}

fuzz_target!(|data: &[u8]| {
    let Some((&which, input)) = data.split_first() else { return };
    let mut guard = PLUGINS.lock().unwrap_or_else(|e| e.into_inner());
    let plugins = guard.get_or_insert_with(setup);
    let echo = plugins.echo;
    match which % 8 {
        0 => expect_ok(&call(echo, "echo", input), input),
        1 => expect_ok(&call(echo, "upper", input), &input.to_ascii_uppercase()),
        2 => {
            let mut want = input.to_vec();
            want.reverse();
            expect_ok(&call(echo, "reverse", input), &want);
        }
        3 => {
            let c = call(echo, "fail_on_bang", input);
            if input.contains(&b'!') {
                assert_eq!(c.rc, 1);
                // The error is the input as a C string: up to its first NUL.
                let until_nul = input.split(|&b| b == 0).next().unwrap_or(&[]);
                assert_eq!(c.error.as_deref(), Some(until_nul));
                assert!(c.output.is_empty());
            } else {
                expect_ok(&c, input);
            }
        }
        4 => {
            let c = call(echo, "poke", input);
            let records = (input.len() / 17) as i32;
            assert!(c.rc == records || c.rc == 134 || c.rc == -1, "poke rc {}", c.rc);
            if c.rc == 134 && records != 134 {
                let e = c.error.as_deref().expect("a trap says why");
                assert!(e.starts_with(b"wasm trap: "), "{}", String::from_utf8_lossy(e));
            }
            assert!(c.output.len() as u64 <= (MAX_PAGES + 1) * 65536);
            // The plugin still works after whatever poke did.
            expect_ok(&call(echo, "echo", b"still here"), b"still here");
        }
        5 | 6 => {
            let Some(c1) = plugins.c1 else { return };
            let c = call(c1, "count_vowels", input);
            match std::str::from_utf8(input) {
                Ok(text) => {
                    plugins.total += vowels(text);
                    let want = format!(
                        r#"{{"count":{},"total":{},"vowels":"aeiouAEIOU"}}"#,
                        vowels(text),
                        plugins.total
                    );
                    expect_ok(&c, want.as_bytes());
                }
                Err(_) => {
                    assert_ne!(c.rc, 0, "non-UTF-8 input fails count_vowels");
                    assert!(c.error.is_some_and(|e| !e.is_empty()));
                }
            }
        }
        _ => {
            // Reset both plugins: kernel memory is wiped (vars stay, as upstream: c1's total goes
            // on), calls work as before.
            // SAFETY: live plugins, no call running.
            unsafe {
                assert!(extism_plugin_reset(echo));
                if let Some(c1) = plugins.c1 {
                    assert!(extism_plugin_reset(c1));
                }
            }
            expect_ok(&call(echo, "echo", input), input);
        }
    }
});
