//! One call from start to rc: refill fuel, rebuild after `_start`, instantiate and initialise the
//! main module, copy the input, run the export in fuel slices (checking deadline and cancel between
//! slices), then turn what happened into upstream's rc and error text.

use alloc::format;
use alloc::string::{String, ToString};

use wasmi::{Extern, Instance, Store, Val};

use crate::compiled::Compiled;
use crate::config;
use crate::run::{Outcome, Run};
use crate::instantiate::{instantiate_main, main_export, trap_text};
use crate::plugin::{Inner, LastError, Plugin};
use crate::state::{State, Stop};

/// The result of one call: the rc and what `extism_plugin_error` will report.
pub struct CallResult {
    pub rc: i32,
    pub error: LastError,
}

impl CallResult {
    fn fail(rc: i32, message: impl Into<String>) -> CallResult {
        CallResult { rc, error: LastError::Runtime(message.into().into_bytes()) }
    }
}

/// A call that has started (instance ready, input copied, export found) and not yet ended.
pub struct Started {
    pub run: Run,
    main: Instance,
    name: String,
    /// Clock reading when the call began (0 without a clock).
    began_ns: u64,
    /// The main module's exported memory, looked up once per call.
    memory: Option<wasmi::Memory>,
    /// Size of that memory when the export started (0 for an instance made by this call): a call
    /// that ends with more gets its zero pages released (`trim`).
    memory_bytes_at_start: u64,
}

/// Calls export `name` of `plugin` with `input` to its end; the caller holds the plugin's lock.
pub fn call(plugin: &Plugin, inner: &mut Inner, name: &str, input: &[u8], host_context: usize) -> CallResult {
    match begin(plugin, inner, name, input, host_context) {
        Err(result) => end_early(inner, result),
        Ok(mut started) => {
            let outcome = started.run.to_end(&mut inner.store, Some(&plugin.cancel));
            finish(plugin, inner, started, outcome)
        }
    }
}

/// A call that failed before running any of the export: record what it cost (nothing).
pub fn end_early(inner: &mut Inner, result: CallResult) -> CallResult {
    inner.stats = CallStats::default();
    inner.last_rc = result.rc;
    result
}

/// What the last call cost (`extism_x_plugin_last_call_stats`).
#[derive(Clone, Copy, Default, Debug)]
pub struct CallStats {
    pub fuel_consumed: u64,
    pub wall_time_ns: u64,
    pub kernel_memory_bytes: u64,
    pub linear_memory_bytes: u64,
    pub host_calls: u64,
}

/// Everything a call does before the export runs (spec §3, steps 1-5).
pub fn begin(plugin: &Plugin, inner: &mut Inner, name: &str, input: &[u8], host_context: usize) -> Result<Started, CallResult> {
    let compiled = &*plugin.compiled;
    let began_ns = crate::hooks::now_ns().unwrap_or(0);
    plugin.cancel.clear();
    inner.output = (0, 0);
    if inner.needs_rebuild {
        if let Err(e) = plugin.rebuild(inner) {
            return Err(CallResult::fail(config::RC_ERROR, e));
        }
    }
    inner.needs_rebuild = name == "_start";
    {
        let state = inner.store.data_mut();
        state.stop = None;
        state.budget.spent = false;
        state.host_context = host_context;
        state.host_calls = 0;
    }
    if let Some(result) = check_initial_memory(compiled) {
        return Err(result);
    }
    let mut fresh_instance = false;
    let main = match inner.main {
        Some(m) => m,
        None => match instantiate_main(compiled, &mut inner.store, &inner.linker, false, Some(&plugin.cancel)) {
            Ok(m) => {
                inner.main = Some(m);
                fresh_instance = true;
                m
            }
            Err(f) if f.out_of_fuel => return Err(CallResult::fail(config::RC_ERROR, "plugin ran out of fuel")),
            Err(f) => return Err(CallResult::fail(f.rc, f.message)),
        },
    };
    let state = inner.store.data_mut();
    state.kernel.reset();
    state.sync_kernel_limit();
    if !state.kernel.set_input(input) {
        let message = state.budget_refusal().unwrap_or_else(|| "failed to allocate extism memory".into());
        return Err(CallResult::fail(config::RC_ERROR, message));
    }
    let hidden = name == crate::start_hoist::HIDDEN_START;
    let Some(func) = main_export(&inner.store, main, name).filter(|_| !hidden) else {
        return Err(CallResult::fail(config::RC_ERROR, format!("Function not found: {name}")));
    };
    let ty = func.ty(&inner.store);
    if ty.results().len() > 1 {
        return Err(CallResult::fail(
            config::RC_ERROR,
            format!("Function {name} has {} results, expected 0 or 1", ty.results().len()),
        ));
    }
    if !ty.params().is_empty() {
        return Err(CallResult::fail(config::RC_ERROR, format!("expected {} arguments, got 0", ty.params().len())));
    }
    let run = Run::new(&inner.store, func, compiled.fuel_limit, compiled.manifest.timeout_ms);
    let memory = match main.get_export(&inner.store, "memory") {
        Some(Extern::Memory(m)) => Some(m),
        _ => None,
    };
    let memory_bytes_at_start = match (fresh_instance, memory) {
        (false, Some(m)) => m.data_size(&inner.store) as u64,
        _ => 0,
    };
    Ok(Started { run, main, name: String::from(name), began_ns, memory, memory_bytes_at_start })
}

/// Everything a call does after the export ended: rc, error, output registers, dumps, logs, stats.
pub fn finish(plugin: &Plugin, inner: &mut Inner, started: Started, outcome: Outcome) -> CallResult {
    let Started { run, main, name, began_ns, memory, memory_bytes_at_start } = started;
    let name = name.as_str();
    let results = run.results();
    // After fuel exhaustion the registers are not read (upstream), so the output stays empty.
    let read_output = !matches!(outcome, Outcome::OutOfFuel);
    let failed = matches!(outcome, Outcome::Trap(_) | Outcome::HostError(_) | Outcome::OutOfFuel);
    let timed_out = matches!(outcome, Outcome::Timeout);
    let trapped = matches!(&outcome, Outcome::Trap(_));
    let result = finish_call(&mut inner.store, outcome, results);
    write_dumps(plugin, inner, main, &result, trapped);
    log_call_end(&inner.store, &plugin.id, name, &result, failed, timed_out);
    inner.store.data_mut().host_context = 0;
    inner.stats = stats_of(inner, memory, &run, began_ns);
    if inner.stats.linear_memory_bytes > memory_bytes_at_start {
        // A new instance, or a memory that grew (and may have been copied whole): give its zero
        // pages back to the OS while plugins are being kept alive.
        crate::trim::after_growth(&mut inner.store, main);
    }
    inner.last_rc = result.rc;
    if read_output {
        let kernel = &inner.store.data().kernel;
        let (off, len) = (kernel.output_offset(), kernel.output_length());
        if kernel.bytes(off, len).is_some() {
            inner.output = (off, len);
        }
    }
    result
}

fn stats_of(inner: &Inner, memory: Option<wasmi::Memory>, run: &Run, began_ns: u64) -> CallStats {
    let state = inner.store.data();
    let linear = memory.map_or(0, |m| m.data_size(&inner.store) as u64);
    let now = crate::hooks::now_ns().unwrap_or(began_ns);
    CallStats {
        fuel_consumed: run.spent,
        wall_time_ns: now.saturating_sub(began_ns),
        kernel_memory_bytes: state.kernel.committed_bytes(),
        linear_memory_bytes: linear,
        host_calls: state.host_calls,
    }
}

/// `EXTISM_MEMDUMP` / `EXTISM_COREDUMP` (see `dump`).
fn write_dumps(plugin: &Plugin, inner: &Inner, main: Instance, result: &CallResult, trapped: bool) {
    let failed = result.rc != 0 || !matches!(result.error, LastError::None);
    if let (Some(path), true) = (&plugin.dumps.memdump, failed) {
        let kernel = &inner.store.data().kernel;
        crate::dump::write(path, kernel.bytes(0, kernel.committed_bytes()).unwrap_or(&[]));
    }
    if let (Some(path), true) = (&plugin.dumps.coredump, trapped) {
        if let Some(Extern::Memory(memory)) = main.get_export(&inner.store, "memory") {
            crate::dump::write(path, memory.data(&inner.store));
        }
    }
}

/// With `memory.max_pages`, the main module's declared memory must fit, or every call is `oom`.
fn check_initial_memory(compiled: &Compiled) -> Option<CallResult> {
    let max = compiled.manifest.memory.max_pages?;
    (compiled.main_module().initial_pages > u64::from(max)).then(|| CallResult::fail(config::RC_ERROR, "oom"))
}

/// Maps how the export ended onto upstream's rc table (spec §3).
fn finish_call(store: &mut Store<State>, outcome: Outcome, results: &[Val]) -> CallResult {
    let recorded = match store.data().kernel.error_get() {
        0 => None,
        off => Some(LastError::Recorded(off)),
    };
    // A memory that grew past `max_pages` fails the call whatever the wasm did with the refusal.
    if store.data().stop == Some(Stop::OutOfMemory) && !matches!(outcome, Outcome::Timeout) {
        return CallResult::fail(config::RC_ERROR, store.data().oom_text());
    }
    if let Outcome::Trap(e) | Outcome::HostError(e) = &outcome {
        if e.as_trap_code() == Some(wasmi::TrapCode::OutOfFuel) {
            return CallResult::fail(config::RC_ERROR, "plugin ran out of fuel");
        }
    }
    match outcome {
        Outcome::Finished => {
            let rc = match results.first() {
                None => 0,
                Some(Val::I32(v)) => *v,
                Some(_) => config::RC_ERROR,
            };
            CallResult { rc, error: recorded.unwrap_or(LastError::None) }
        }
        Outcome::Timeout => CallResult::fail(config::RC_TRAP, "timeout"),
        Outcome::OutOfFuel => CallResult::fail(config::RC_ERROR, "plugin ran out of fuel"),
        Outcome::HostError(e) | Outcome::Trap(e) => {
            if let Some(code) = e.i32_exit_status() {
                return exit_status(code, recorded);
            }
            if let Some(r) = recorded {
                return CallResult { rc: config::RC_ERROR, error: r };
            }
            match store.data_mut().stop.take() {
                Some(Stop::OutOfMemory) => CallResult::fail(config::RC_ERROR, store.data().oom_text()),
                Some(Stop::Import(m)) | Some(Stop::Host(m)) => CallResult::fail(config::RC_ERROR, m),
                Some(Stop::Timeout) => CallResult::fail(config::RC_TRAP, "timeout"),
                None if e.as_trap_code().is_some() => CallResult::fail(config::RC_TRAP, trap_text(&e)),
                None => CallResult::fail(config::RC_ERROR, e.to_string()),
            }
        }
    }
}

/// WASI `proc_exit`: 0 is success, anything else fails the call with the code as rc.
fn exit_status(code: i32, recorded: Option<LastError>) -> CallResult {
    match (code, recorded) {
        (_, Some(r)) => CallResult { rc: config::RC_ERROR, error: r },
        (0, None) => CallResult { rc: 0, error: LastError::None },
        (n, None) => CallResult::fail(n, format!("Exited with i32 exit status {n}")),
    }
}

/// Upstream's log lines at the end of a call: a failure inside wasm at ERROR, a timeout at DEBUG.
fn log_call_end(store: &Store<State>, id: &[u8; 16], name: &str, result: &CallResult, failed: bool, timed_out: bool) {
    use crate::log::{runtime_line, Level, TARGET_PLUGIN};
    if timed_out {
        runtime_line(Level::Debug, TARGET_PLUGIN, format_args!("call to {name} timed out"), Some(id));
    } else if failed && result.rc != 0 {
        let text: &[u8] = match &result.error {
            LastError::Runtime(m) => m,
            LastError::Recorded(off) => store.data().kernel.block(*off).unwrap_or(&[]),
            LastError::None => &[],
        };
        let text = String::from_utf8_lossy(text);
        let message = format_args!("call to {name} encountered an error: {text}");
        runtime_line(Level::Error, TARGET_PLUGIN, message, Some(id));
    }
}
