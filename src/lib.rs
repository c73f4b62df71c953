//! A drop-in Extism runtime for C hosts on the wasmi interpreter.
//!
//! Layers, top to bottom: `capi` (the C edge, the only `extern "C"`), `plugin`/`compiled` (objects
//! the host holds), `call` (one call from start to rc), `imports` (what plugins import), and the
//! `extism-kernel` crate (kernel memory). `config` holds every limit; `hooks` what a host may supply
//! in place of an OS. The core is `no_std` + `alloc`; the `std` feature adds files, clocks and stdio.
#![no_std]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod arena;
pub mod budget;
pub mod call;
pub mod capi;
pub mod compiled;
pub mod config;
pub mod dump;
pub mod function;
pub mod hooks;
pub mod http;
pub mod id;
pub mod import_cycle;
pub mod imports;
pub mod instantiate;
pub mod json;
pub mod log;
pub mod manifest;
pub mod module_cache;
pub mod plugin;
pub mod run;
#[cfg(feature = "small-json")]
pub mod small_json;
pub mod snapshot;
pub mod start_hoist;
pub mod state;
pub mod step;
pub mod sync;
pub mod trim;
pub mod wasi;

#[cfg(not(feature = "std"))]
mod nostd_runtime;

