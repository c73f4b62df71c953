//! `extism:host/env`: the imports every Extism plugin links against. The kernel group maps one to one
//! onto the native kernel; the runtime group (config, vars, logs, HTTP) resolves handles to blocks,
//! consumes them, and answers with fresh blocks.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use wasmi::{Caller, Error, TrapCode, WasmRet, WasmTy};

use crate::log::{self, Level};
use crate::state::{State, Stop, VarError};

pub const MODULE: &str = "extism:host/env";

/// Every function name this module provides (anything else imported from it is refused).
pub const FUNCTIONS: &[&str] = &[
    "alloc", "free", "length", "length_unsafe", "load_u8", "load_u64", "store_u8", "store_u64",
    "input_length", "input_offset", "input_load_u8", "input_load_u64", "input_set", "output_set",
    "output_offset", "output_length", "error_set", "error_get", "reset", "memory_bytes", "config_get",
    "var_get", "var_set", "http_request", "http_status_code", "http_headers", "log_trace", "log_debug",
    "log_info", "log_warn", "log_error", "get_log_level",
];

/// The wasm type of each function of this module (what a plugin's import must match exactly).
pub fn signature(name: &str) -> Option<wasmi::FuncType> {
    use wasmi::ValType::{I32, I64};
    let (params, results): (&[wasmi::ValType], &[wasmi::ValType]) = match name {
        "alloc" | "length" | "length_unsafe" | "load_u64" | "input_load_u64" | "config_get" | "var_get" => (&[I64], &[I64]),
        "free" | "error_set" | "log_trace" | "log_debug" | "log_info" | "log_warn" | "log_error" => (&[I64], &[]),
        "load_u8" | "input_load_u8" => (&[I64], &[I32]),
        "store_u8" => (&[I64, I32], &[]),
        "store_u64" | "input_set" | "output_set" | "var_set" => (&[I64, I64], &[]),
        "input_length" | "input_offset" | "output_offset" | "output_length" | "error_get" | "memory_bytes"
        | "http_headers" => (&[], &[I64]),
        "reset" => (&[], &[]),
        "http_request" => (&[I64, I64], &[I64]),
        "http_status_code" | "get_log_level" => (&[], &[I32]),
        _ => return None,
    };
    Some(wasmi::FuncType::new(params.iter().copied(), results.iter().copied()))
}

/// Names of non-function exports of upstream's kernel module (importing them is refused with a
/// specific message).
pub const KERNEL_NON_FUNCTIONS: &[&str] = &["memory", "extism_context", "__data_end", "__heap_base"];

type Ctx<'a> = Caller<'a, State>;

fn oob() -> Error {
    Error::from(TrapCode::MemoryOutOfBounds)
}

/// Stops the running call with `message` (a runtime-group failure; plugins cannot catch it).
fn fail(c: &mut Ctx<'_>, message: String) -> Error {
    c.data_mut().stop = Some(Stop::Import(message.clone()));
    Error::new(message)
}

/// Resolves a handle given to a runtime import: 0 is empty, anything else must start a block.
/// `what` names the handle as upstream does in this error (`config key`, `var value`, ...).
fn block_bytes(c: &mut Ctx<'_>, handle: i64, what: &str) -> Result<Vec<u8>, Error> {
    if handle == 0 {
        return Ok(Vec::new());
    }
    match c.data().kernel.block(handle as u64) {
        Some(bytes) => Ok(bytes.to_vec()),
        // Upstream prints the handle as the u64 it reads it as.
        None => Err(fail(c, format!("invalid handle offset for {what}: {}", handle as u64))),
    }
}

/// A config or var key: upstream reads keys as strings, so a key that is not UTF-8 fails the call
/// with the decoding error (`invalid utf-8 sequence of 1 bytes from index 0`).
fn key_text(c: &mut Ctx<'_>, handle: i64, what: &str) -> Result<String, Error> {
    let bytes = block_bytes(c, handle, what)?;
    match String::from_utf8(bytes) {
        Ok(text) => Ok(text),
        Err(e) => Err(fail(c, e.utf8_error().to_string())),
    }
}

/// Copies `bytes` into a fresh block for the plugin; an empty result is handle 0.
fn new_block(c: &mut Ctx<'_>, bytes: &[u8]) -> Result<i64, Error> {
    if bytes.is_empty() {
        return Ok(0);
    }
    match c.data_mut().kernel.alloc_bytes(bytes) {
        Some(off) => Ok(off as i64),
        None => Err(fail(c, "failed to allocate extism memory".to_string())),
    }
}

/// `alloc`: a plugin-driven allocation that failed because the page budget is spent stops the call as `oom`.
fn alloc(c: &mut Ctx<'_>, n: i64) -> Result<i64, Error> {
    let kernel = &mut c.data_mut().kernel;
    let off = kernel.alloc(n as u64);
    if off == 0 && kernel.grow_failed() {
        c.data_mut().stop = Some(Stop::OutOfMemory);
        return Err(Error::new(c.data().oom_text()));
    }
    Ok(off as i64)
}

pub fn define(linker: &mut super::Definer<'_>) -> Result<(), Error> {
    define_all(linker)
}

// Each import is a plain function given to one of these as a pointer, so wasmi's generic host
// function code (trampoline, vtable, drop glue) exists once per wasm signature rather than once
// per import: 2.8 KiB less flash on the Cortex-M4 (docs/firmware-images.md), one indirect call more.
type Res<R> = Result<R, Error>;

fn def0<R: WasmRet + 'static>(l: &mut super::Definer<'_>, name: &str, f: fn(&mut Ctx<'_>) -> R) -> Res<()> {
    l.func_wrap(MODULE, name, move |mut c: Ctx| f(&mut c))?;
    Ok(())
}

fn def1<A: WasmTy + 'static, R: WasmRet + 'static>(l: &mut super::Definer<'_>, name: &str, f: fn(&mut Ctx<'_>, A) -> R) -> Res<()> {
    l.func_wrap(MODULE, name, move |mut c: Ctx, a: A| f(&mut c, a))?;
    Ok(())
}

fn def2<A: WasmTy + 'static, B: WasmTy + 'static, R: WasmRet + 'static>(
    l: &mut super::Definer<'_>,
    name: &str,
    f: fn(&mut Ctx<'_>, A, B) -> R,
) -> Res<()> {
    l.func_wrap(MODULE, name, move |mut c: Ctx, a: A, b: B| f(&mut c, a, b))?;
    Ok(())
}

/// The imports by wasm signature (named functions, not closures: a closure made a pointer gets a
/// call shim of its own).
type Imports<F> = &'static [(&'static str, F)];
type F0<R> = fn(&mut Ctx<'_>) -> Res<R>;
type F1<R> = fn(&mut Ctx<'_>, i64) -> Res<R>;
type F2<R> = fn(&mut Ctx<'_>, i64, i64) -> Res<R>;
const NONE_TO_I64: Imports<F0<i64>> = &[
    ("input_length", input_length),
    ("input_offset", input_offset),
    ("output_offset", output_offset),
    ("output_length", output_length),
    ("error_get", error_get),
    ("memory_bytes", memory_bytes),
    ("http_headers", http_headers),
];
const NONE_TO_I32: Imports<F0<i32>> =
    &[("http_status_code", http_status_code), ("get_log_level", get_log_level)];
const I64_TO_I64: Imports<F1<i64>> = &[
    ("alloc", alloc),
    ("length", length),
    ("length_unsafe", length_unsafe),
    ("load_u64", load_u64),
    ("input_load_u64", input_load_u64),
    ("config_get", config_get),
    ("var_get", var_get),
];
const I64_TO_I32: Imports<F1<i32>> = &[("load_u8", load_u8), ("input_load_u8", input_load_u8)];
const I64_TO_NONE: Imports<F1<()>> = &[
    ("free", free),
    ("error_set", error_set),
    ("log_trace", log_trace),
    ("log_debug", log_debug),
    ("log_info", log_info),
    ("log_warn", log_warn),
    ("log_error", log_error),
];
const I64_I64_TO_NONE: Imports<F2<()>> =
    &[("store_u64", store_u64), ("input_set", input_set), ("output_set", output_set), ("var_set", var_set)];

fn define_all(l: &mut super::Definer<'_>) -> Result<(), Error> {
    for &(name, f) in NONE_TO_I64 {
        def0(l, name, f)?;
    }
    for &(name, f) in NONE_TO_I32 {
        def0(l, name, f)?;
    }
    def0(l, "reset", reset)?;
    for &(name, f) in I64_TO_I64 {
        def1(l, name, f)?;
    }
    for &(name, f) in I64_TO_I32 {
        def1(l, name, f)?;
    }
    for &(name, f) in I64_TO_NONE {
        def1(l, name, f)?;
    }
    for &(name, f) in I64_I64_TO_NONE {
        def2(l, name, f)?;
    }
    def2(l, "store_u8", store_u8)?;
    def2(l, "http_request", http_request)?;
    Ok(())
}

// The kernel group: one to one onto the native kernel.
fn free(c: &mut Ctx<'_>, p: i64) -> Res<()> {
    c.data_mut().kernel.free(p as u64);
    Ok(())
}
fn length(c: &mut Ctx<'_>, p: i64) -> Res<i64> {
    Ok(c.data().kernel.length(p as u64) as i64)
}
fn length_unsafe(c: &mut Ctx<'_>, p: i64) -> Res<i64> {
    Ok(c.data().kernel.length_unsafe(p as u64) as i64)
}
fn load_u8(c: &mut Ctx<'_>, p: i64) -> Res<i32> {
    c.data().kernel.load_u8(p as u64).map(i32::from).map_err(|_| oob())
}
fn load_u64(c: &mut Ctx<'_>, p: i64) -> Res<i64> {
    c.data().kernel.load_u64(p as u64).map(|v| v as i64).map_err(|_| oob())
}
fn store_u8(c: &mut Ctx<'_>, p: i64, v: i32) -> Res<()> {
    c.data_mut().kernel.store_u8(p as u64, v as u8).map_err(|_| oob())
}
fn store_u64(c: &mut Ctx<'_>, p: i64, v: i64) -> Res<()> {
    c.data_mut().kernel.store_u64(p as u64, v as u64).map_err(|_| oob())
}
fn input_length(c: &mut Ctx<'_>) -> Res<i64> {
    Ok(c.data().kernel.input_length() as i64)
}
fn input_offset(c: &mut Ctx<'_>) -> Res<i64> {
    Ok(c.data().kernel.input_offset() as i64)
}
fn input_load_u8(c: &mut Ctx<'_>, i: i64) -> Res<i32> {
    Ok(i32::from(c.data().kernel.input_load_u8(i as u64)))
}
fn input_load_u64(c: &mut Ctx<'_>, i: i64) -> Res<i64> {
    Ok(c.data().kernel.input_load_u64(i as u64) as i64)
}
fn input_set(c: &mut Ctx<'_>, p: i64, n: i64) -> Res<()> {
    c.data_mut().kernel.input_set(p as u64, n as u64);
    Ok(())
}
fn output_set(c: &mut Ctx<'_>, p: i64, n: i64) -> Res<()> {
    c.data_mut().kernel.output_set(p as u64, n as u64);
    Ok(())
}
fn output_offset(c: &mut Ctx<'_>) -> Res<i64> {
    Ok(c.data().kernel.output_offset() as i64)
}
fn output_length(c: &mut Ctx<'_>) -> Res<i64> {
    Ok(c.data().kernel.output_length() as i64)
}
fn error_set(c: &mut Ctx<'_>, p: i64) -> Res<()> {
    c.data_mut().kernel.error_set(p as u64);
    Ok(())
}
fn error_get(c: &mut Ctx<'_>) -> Res<i64> {
    Ok(c.data().kernel.error_get() as i64)
}
fn reset(c: &mut Ctx<'_>) -> Res<()> {
    c.data_mut().kernel.reset();
    Ok(())
}
fn memory_bytes(c: &mut Ctx<'_>) -> Res<i64> {
    Ok(c.data().kernel.memory_bytes() as i64)
}

// The runtime group: handles resolved to blocks, consumed, answered with fresh blocks.
fn http_status_code(c: &mut Ctx<'_>) -> Res<i32> {
    Ok(i32::from(c.data().http.status))
}
fn http_headers(c: &mut Ctx<'_>) -> Res<i64> {
    match c.data().http.headers_json() {
        Some(json) => new_block(c, json.as_bytes()),
        None => Ok(0),
    }
}
fn get_log_level(c: &mut Ctx<'_>) -> Res<i32> {
    Ok(match &c.data().log_sink {
        Some(sink) => sink.level_code(),
        None => log::plugin_level_code(),
    })
}
fn log_trace(c: &mut Ctx<'_>, msg: i64) -> Res<()> {
    log_import(c, Level::Trace, msg)
}
fn log_debug(c: &mut Ctx<'_>, msg: i64) -> Res<()> {
    log_import(c, Level::Debug, msg)
}
fn log_info(c: &mut Ctx<'_>, msg: i64) -> Res<()> {
    log_import(c, Level::Info, msg)
}
fn log_warn(c: &mut Ctx<'_>, msg: i64) -> Res<()> {
    log_import(c, Level::Warn, msg)
}
fn log_error(c: &mut Ctx<'_>, msg: i64) -> Res<()> {
    log_import(c, Level::Error, msg)
}

fn config_get(c: &mut Ctx<'_>, key: i64) -> Res<i64> {
    let name = key_text(c, key, "config key")?;
    c.data_mut().kernel.free(key as u64);
    let value = c.data().config.get(&name).map(|v| v.as_bytes().to_vec()).unwrap_or_default();
    new_block(c, &value)
}

fn var_get(c: &mut Ctx<'_>, key: i64) -> Res<i64> {
    let name = key_text(c, key, "var key")?.into_bytes();
    c.data_mut().kernel.free(key as u64);
    let value = c.data().vars.get(&name).map(|v| v.to_vec()).unwrap_or_default();
    new_block(c, &value)
}

fn var_set(c: &mut Ctx<'_>, key: i64, value: i64) -> Res<()> {
    // Upstream refuses before it reads either handle (a delete too).
    if c.data().vars.disabled() {
        return Err(fail(c, "Vars are disabled by this host".into()));
    }
    let name = key_text(c, key, "var key")?.into_bytes();
    if value == 0 {
        c.data_mut().vars.remove(&name);
        c.data_mut().kernel.free(key as u64);
        return Ok(());
    }
    let bytes = block_bytes(c, value, "var value")?;
    let added = c.data().vars.added_bytes(&name, &bytes);
    if !c.data_mut().budget_allows(added) {
        let message = c.data().oom_text();
        return Err(fail(c, message));
    }
    match c.data_mut().vars.set(&name, &bytes) {
        Ok(()) => {}
        Err(VarError::Disabled) => return Err(fail(c, "Vars are disabled by this host".into())),
        Err(VarError::Full) => return Err(fail(c, "Variable store is full".into())),
        Err(VarError::TooMany) => {
            let message =
                format!("Variable store is full: too many vars (this build allows {})", crate::config::MAX_VAR_ENTRIES);
            return Err(fail(c, message));
        }
    }
    c.data_mut().kernel.free(key as u64);
    c.data_mut().kernel.free(value as u64);
    // Vars count in the memory budget: what the kernel may still take changed.
    c.data_mut().sync_kernel_limit();
    Ok(())
}

fn http_request(c: &mut Ctx<'_>, req: i64, body: i64) -> Res<i64> {
    let json = block_bytes(c, req, "http request")?;
    let body_bytes = match body {
        0 => None,
        _ => Some(block_bytes(c, body, "http request body")?),
    };
    c.data_mut().kernel.free(req as u64);
    c.data_mut().kernel.free(body as u64);
    match crate::http::request(c.data_mut(), &json, body_bytes.as_deref()) {
        Ok(crate::http::Response::Body(response)) => new_block(c, &response),
        Ok(crate::http::Response::Block(block)) => Ok(block as i64),
        // The host's handler answers later (`extism_x_call_resume_http`): the stepped call pauses.
        Ok(crate::http::Response::Wait) => Err(Error::host(crate::run::WaitRequest)),
        Err(crate::http::Failure::Error(message)) => Err(fail(c, message)),
        Err(crate::http::Failure::Timeout) => {
            c.data_mut().stop = Some(Stop::Timeout);
            Err(Error::new("timeout"))
        }
    }
}

/// A plugin log line: emitted when the global level lets it through; the block is consumed either way.
fn log_import(c: &mut Ctx<'_>, level: Level, msg: i64) -> Result<(), Error> {
    let enabled = match &c.data().log_sink {
        Some(sink) => sink.enabled(level),
        None => log::enabled(level),
    };
    if !enabled {
        c.data_mut().kernel.free(msg as u64);
        return Ok(());
    }
    let text = block_bytes(c, msg, "log message")?;
    c.data_mut().kernel.free(msg as u64);
    let state = c.data();
    let id = state.plugin_id;
    let (level, text) = match core::str::from_utf8(&text) {
        Ok(s) => (level, alloc::borrow::Cow::Borrowed(s)),
        Err(e) => (Level::Error, alloc::borrow::Cow::Owned(format!("unable to log message: Err({e})"))),
    };
    match &state.log_sink {
        Some(sink) => sink.plugin_line(level, &text, &id),
        None => log::plugin_line(level, &text, &id),
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::String;

    use wasmi::{Engine, Linker, Module, Store, ValType};

    use super::{define, signature, FUNCTIONS, MODULE};
    use super::{I64_I64_TO_NONE, I64_TO_I32, I64_TO_I64, I64_TO_NONE, NONE_TO_I32, NONE_TO_I64};
    use crate::arena::ArenaBuf;
    use crate::state::State;

    fn wat_types(types: &[ValType]) -> String {
        types.iter().map(|t| if *t == ValType::I64 { " i64" } else { " i32" }).collect()
    }

    /// Links a module importing `imports` (WAT import fields) against the env module.
    fn link(imports: &str) -> Result<(), wasmi::Error> {
        let engine = Engine::default();
        let mut linker = Linker::new(&engine);
        define(&mut crate::imports::Definer::new(&mut linker, None))?;
        let kernel = extism_kernel::Kernel::new(ArenaBuf::reserve(1 << 16).unwrap());
        let store = Store::new(&engine, State::new(kernel, Default::default(), None, 0, [0; 16]));
        let module = Module::new(&engine, wat::parse_str(format!("(module {imports})")).unwrap())?;
        linker.instantiate_and_start(store, &module)?;
        Ok(())
    }

    /// The signature tables define every function of `FUNCTIONS` with the type `signature` gives it
    /// (what link checking promises), each once.
    #[test]
    fn every_function_is_defined_with_its_signature() {
        let imports: String = FUNCTIONS
            .iter()
            .map(|name| {
                let ty = signature(name).unwrap();
                let (params, results) = (wat_types(ty.params()), wat_types(ty.results()));
                format!("(import \"{MODULE}\" \"{name}\" (func (param{params}) (result{results})))\n")
            })
            .collect();
        link(&imports).unwrap();
        // reset, store_u8 and http_request are defined one by one.
        let tables = [NONE_TO_I64.len(), NONE_TO_I32.len(), I64_TO_I64.len(), I64_TO_I32.len(), I64_TO_NONE.len()];
        assert_eq!(tables.iter().sum::<usize>() + I64_I64_TO_NONE.len() + 3, FUNCTIONS.len());
    }

    #[test]
    fn a_wrong_type_does_not_link() {
        assert!(link(&format!("(import \"{MODULE}\" \"load_u8\" (func (param i64) (result i64)))")).is_err());
        assert!(link(&format!("(import \"{MODULE}\" \"alloc\" (func (param i64) (result i64)))")).is_ok());
    }
}
