//! Restores plugins from arbitrary bytes (`extism_x_plugin_new_from_state` and, in place,
//! `extism_x_plugin_restore`) onto `plugins/echo.wat` compiled once per process, alone or as the
//! main module of a manifest whose module "lib" is another copy of it (two instances in a state).
//!
//! The first input byte picks the plugin (bit 7: the two-module one) and how the rest is used
//! (its low bits, mod 3): (0) as a state, as given; (1) as a state whose length and checksum
//! fields are then made right, so the records behind the checksum are reached; (2) as patches
//! (offset u16 LE, xor byte) to a valid state saved by the process (after a call), its length and
//! checksum fixed afterwards: valid framing with anything inside.
//!
//! Checked: no crash and no read outside a buffer (ASan); a refused state gives NULL and a
//! non-empty error, and leaves the live plugin it was restored into as it was (it still echoes);
//! a restored plugin can be called (any rc: its memory may be anything) and freed.
#![no_main]

use std::ffi::CString;
use std::ptr::null_mut;
use std::sync::Mutex;

use extism::capi::compiled::*;
use extism::capi::plugin::*;
use extism::capi::snapshot::*;
use extism::capi::types::{ExtismCompiledPlugin, ExtismPlugin};
use extism::snapshot::format::{checksum, CHECKSUM_BYTES, HEADER_BYTES};
use extism_fuzz::{base64, read_all, take_create_error};
use libfuzzer_sys::fuzz_target;

const ECHO_WAT: &str = include_str!("../plugins/echo.wat");

/// One plugin the inputs restore onto.
struct Target {
    compiled: *mut ExtismCompiledPlugin,
    /// A live plugin that every input also tries to restore in place.
    live: *mut ExtismPlugin,
    /// A valid state of the echo plugin after a call.
    valid: Vec<u8>,
}

/// The one-module plugin and the two-module one.
struct Setup {
    targets: [Target; 2],
}

// SAFETY: used only under the mutex.
unsafe impl Send for Setup {}

static SETUP: Mutex<Option<Setup>> = Mutex::new(None);

fn call(p: *mut ExtismPlugin, name: &str, input: &[u8]) -> (i32, Vec<u8>) {
    let name = CString::new(name).unwrap();
    // SAFETY: p is live; name and input outlive the call; the output is copied before the next.
    unsafe {
        let rc = extism_plugin_call(p, name.as_ptr(), input.as_ptr(), input.len() as u64);
        (rc, read_all(extism_plugin_output_data(p), extism_plugin_output_length(p)))
    }
}

fn setup() -> Setup {
    let echo = base64(ECHO_WAT.as_bytes());
    let one = format!(r#"{{"wasm":[{{"data":"{echo}"}}],"memory":{{"max_pages":64}}}}"#);
    let two = format!(r#"{{"wasm":[{{"data":"{echo}","name":"lib"}},{{"data":"{echo}","name":"main"}}],"memory":{{"max_pages":64}}}}"#);
    Setup { targets: [target(&one), target(&two)] }
}

fn target(manifest: &str) -> Target {
    let mut err = null_mut();
    // SAFETY: valid buffer and out-pointer.
    let compiled = unsafe { extism_compiled_plugin_new(manifest.as_ptr(), manifest.len() as u64, null_mut(), 0, false.into(), &mut err) };
    // SAFETY: set by the failed create.
    assert!(!compiled.is_null(), "compile: {}", unsafe { take_create_error(err) });
    // SAFETY: a live compiled plugin.
    let live = unsafe { extism_plugin_new_from_compiled(compiled, &mut err) };
    assert!(!live.is_null());
    assert_eq!(call(live, "reverse", b"abc"), (0, b"cba".to_vec()));
    let mut len = 0;
    // SAFETY: live plugin, valid out-pointer; the state is copied then freed once.
    let valid = unsafe {
        let state = extism_x_plugin_save(live, &mut len);
        assert!(!state.is_null());
        let copy = std::slice::from_raw_parts(state, len as usize).to_vec();
        extism_x_state_free(state);
        copy
    };
    Target { compiled, live, valid }
}

/// Makes the total-length field and the checksum agree with `state`'s bytes.
fn fix_frame(state: &mut [u8]) {
    if state.len() < HEADER_BYTES + CHECKSUM_BYTES {
        return;
    }
    let len = state.len() as u64;
    state[24..32].copy_from_slice(&len.to_le_bytes());
    let body = state.len() - CHECKSUM_BYTES;
    let sum = checksum(&state[..body]);
    state[body..].copy_from_slice(&sum.to_le_bytes());
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else { return };
    let mut guard = SETUP.lock().unwrap_or_else(|e| e.into_inner());
    let setup = &guard.get_or_insert_with(setup).targets[usize::from(mode >> 7)];
    let state = match (mode & 0x7f) % 3 {
        0 => rest.to_vec(),
        1 => {
            let mut s = rest.to_vec();
            fix_frame(&mut s);
            s
        }
        _ => {
            let mut s = setup.valid.clone();
            for patch in rest.chunks_exact(3) {
                let at = usize::from(u16::from_le_bytes([patch[0], patch[1]])) % s.len();
                s[at] ^= patch[2];
            }
            fix_frame(&mut s);
            s
        }
    };
    let mut err = null_mut();
    // SAFETY: a live compiled plugin, a buffer of state.len() bytes, a valid out-pointer.
    let restored = unsafe { extism_x_plugin_new_from_state(setup.compiled, state.as_ptr(), state.len() as u64, &mut err) };
    if restored.is_null() {
        // SAFETY: set by the failed create.
        let text = unsafe { take_create_error(err) };
        assert!(!text.is_empty(), "a refusal says why");
    } else {
        // Any rc: the restored memory may be anything. The plugin must survive the call and free.
        let _ = call(restored, "echo", b"after restore");
        let _ = call(restored, "reverse", b"xyz");
        // SAFETY: a live plugin, freed once.
        unsafe { extism_plugin_free(restored) };
    }
    // In place: a refusal leaves the live plugin working; a success is restored again from the
    // valid state so the next input starts from it.
    // SAFETY: live plugin; buffers outlive the calls.
    unsafe {
        if extism_x_plugin_restore(setup.live, state.as_ptr(), state.len() as u64) {
            let _ = call(setup.live, "echo", b"x");
            assert!(extism_x_plugin_restore(setup.live, setup.valid.as_ptr(), setup.valid.len() as u64));
        }
    }
    assert_eq!(call(setup.live, "echo", b"still here"), (0, b"still here".to_vec()));
});
