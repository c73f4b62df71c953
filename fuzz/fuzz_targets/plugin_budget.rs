//! plugin_smith's modules (valid, calling the whole kernel with random arguments) under a memory
//! budget (`extism_x_set_memory_budget`) chosen by the input, with no `max_pages`, a var cap far
//! above the budget, and a config merge of random size between calls: the budget is the only
//! thing that bounds what the plugin takes.
//!
//! Checked: no crash whatever the plugin does; and the heap the plugin takes, counted by this
//! program's global allocator from just before the plugin is created from its compiled plugin to
//! its end, never passes its budget plus one call's stack (`extism_x_call_stack_bytes`) plus a
//! margin for the code translated on first calls (the budget counts neither). Kernel memory is a
//! lazy mapping in this build, outside the heap: what is measured is the wasm memories and tables,
//! vars, config and the plugin's own structures. Errors are not fetched (their C copy is the
//! caller's, not the budget's).
#![no_main]

use std::alloc::{GlobalAlloc, Layout, System};
use std::ffi::CString;
use std::ptr::null_mut;
use std::sync::atomic::{AtomicUsize, Ordering};

use arbitrary::Unstructured;
use extism::capi::compiled::{extism_compiled_plugin_free, extism_compiled_plugin_new_with_fuel_limit};
use extism::capi::hooks::{extism_x_call_stack_bytes, extism_x_set_memory_budget};
use extism::capi::plugin::*;
use extism::capi::types::ExtismPlugin;
use extism_fuzz::{base64, smith_config, take_create_error};
use libfuzzer_sys::fuzz_target;
use wasm_smith::Module;

const FUEL: u64 = 1_000_000;
const KIB: u64 = 1024;
/// Code translated by the first calls of the module's (at most 20 small) functions, and the
/// allocator's own rounding.
const MARGIN: u64 = 256 * KIB;

/// The system allocator, counting the bytes live and their peak.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator unchanged; the counters are only statistics.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded contract.
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            let live = LIVE.fetch_add(layout.size(), Ordering::Relaxed) + layout.size();
            PEAK.fetch_max(live, Ordering::Relaxed);
        }
        p
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: forwarded contract.
        unsafe { System.dealloc(ptr, layout) };
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// A config object of up to 8 entries of up to 4 KiB each, from the input.
fn config_json(u: &mut Unstructured) -> String {
    let n = u.int_in_range(0..=8).unwrap_or(0);
    let entries: Vec<String> = (0..n)
        .map(|i| {
            let len = u.int_in_range(0..=4096).unwrap_or(0);
            let fill = char::from(b'a' + u.int_in_range(0..=25).unwrap_or(0));
            format!("\"k{i}\":\"{}\"", String::from(fill).repeat(len))
        })
        .collect();
    format!("{{{}}}", entries.join(","))
}

fn call(p: *mut ExtismPlugin, name: &CString, input: &[u8]) {
    // SAFETY: p is live, name and input outlive the call; the output is read in place.
    unsafe {
        let _rc = extism_plugin_call(p, name.as_ptr(), input.as_ptr(), input.len() as u64);
        let (data, len) = (extism_plugin_output_data(p), extism_plugin_output_length(p));
        if len > 0 {
            let bytes = std::slice::from_raw_parts(data, len as usize);
            std::hint::black_box(bytes.iter().fold(0u8, |a, b| a ^ b));
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let mut u = Unstructured::new(data);
    let budget = 96 * KIB + 32 * KIB * u.int_in_range(0..=31).unwrap_or(0);
    let Ok(module) = Module::new(smith_config().clone(), &mut u) else { return };
    let wasm = module.to_bytes();
    let update = config_json(&mut u);
    let input = u.bytes(u.len().min(64)).unwrap_or(&[]).to_vec();
    let manifest = format!(
        r#"{{"wasm":[{{"data":"{}"}}],"memory":{{"max_var_bytes":16777216}},"config":{}}}"#,
        base64(&wasm),
        config_json(&mut u)
    );
    let (run, go) = (CString::new("run").unwrap(), CString::new("go").unwrap());
    let mut err = null_mut();
    // SAFETY: valid buffer and out-pointer.
    let compiled = unsafe {
        extism_compiled_plugin_new_with_fuel_limit(manifest.as_ptr(), manifest.len() as u64, null_mut(), 0, false.into(), FUEL, &mut err)
    };
    if compiled.is_null() {
        // SAFETY: set by the failed create.
        unsafe { take_create_error(err) };
        return;
    }
    extism_x_set_memory_budget(budget);
    let before = LIVE.load(Ordering::Relaxed);
    PEAK.store(before, Ordering::Relaxed);
    // SAFETY: a live compiled plugin and an out-pointer.
    let p = unsafe { extism_plugin_new_from_compiled(compiled, &mut err) };
    if p.is_null() {
        // SAFETY: set by the failed create (the budget, start code, ...).
        unsafe { take_create_error(err) };
    } else {
        for round in 0..2 {
            call(p, &run, &input);
            // SAFETY: p is live and idle; the JSON outlives the call.
            unsafe { extism_plugin_config(p, update.as_ptr(), update.len() as u64) };
            call(p, &go, &input);
            if round == 0 {
                // SAFETY: p is live and idle.
                unsafe { extism_plugin_reset(p) };
            }
        }
        let peak = (PEAK.load(Ordering::Relaxed) - before) as u64;
        let bound = budget + extism_x_call_stack_bytes() + MARGIN;
        assert!(peak <= bound, "the plugin took {peak} bytes of heap under a budget of {budget} (bound {bound})");
        // SAFETY: freed once, no call running.
        unsafe { extism_plugin_free(p) };
    }
    extism_x_set_memory_budget(0);
    // SAFETY: freed once, after its plugin.
    unsafe { extism_compiled_plugin_free(compiled) };
});
