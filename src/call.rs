//! One call from start to rc: refill fuel, rebuild after `_start`, instantiate and initialise the
//! main module, copy the input, run the export in fuel slices (checking deadline and cancel between
//! slices), then turn what happened into upstream's rc and error text.

use alloc::format;
use alloc::string::{String, ToString};

use wasmi::{Extern, Func, Instance, Linker, Module, Store, Val, ValType};

use crate::compiled::Compiled;
use crate::config;
use crate::run::{Outcome, Run};
use crate::plugin::{main_export, CancelHandle, Inner, LastError, Plugin};
use crate::state::{State, Stop};

/// A failure outside the export itself (instantiation, initialisers).
#[derive(Debug)]
pub struct Failure {
    pub rc: i32,
    pub message: String,
    /// Start code or an initialiser used up the fuel limit (a call reports it as upstream does).
    pub out_of_fuel: bool,
}

impl Failure {
    fn new(rc: i32, message: impl Into<String>) -> Failure {
        Failure { rc, message: message.into(), out_of_fuel: false }
    }
    fn out_of_fuel(message: impl Into<String>) -> Failure {
        Failure { rc: config::RC_ERROR, message: message.into(), out_of_fuel: true }
    }
}

/// Runs `func` (no parameters, no results) to its end under `limits`.
fn run_to_end(store: &mut Store<State>, func: Func, limits: &RunLimits<'_>) -> Outcome {
    let mut run = Run::new(store, func, limits.fuel_limit, limits.timeout_ms);
    run.to_end(store, limits.cancel)
}

/// The budget of start code and initialisers.
struct RunLimits<'a> {
    fuel_limit: Option<u64>,
    timeout_ms: Option<u64>,
    cancel: Option<&'a CancelHandle>,
}

/// Text of an engine error: traps read like upstream's (`wasm trap: ...`).
fn trap_text(e: &wasmi::Error) -> String {
    match e.as_trap_code() {
        Some(code) => format!("wasm trap: {code}"),
        None => e.to_string(),
    }
}

/// Start code and initialisers run under the fuel limit, the timeout and the cancel flag too.
fn init_limits<'a>(compiled: &Compiled, cancel: Option<&'a CancelHandle>) -> RunLimits<'a> {
    RunLimits {
        fuel_limit: Some(compiled.fuel_limit.unwrap_or(config::INIT_FUEL)),
        timeout_ms: compiled.manifest.timeout_ms,
        cancel,
    }
}

/// Instantiates `module` against `linker`, then runs its start function (hoisted out of the start
/// section at compile time) in fuel slices.
pub fn instantiate_module(
    compiled: &Compiled,
    store: &mut Store<State>,
    linker: &Linker<State>,
    module: &Module,
    cancel: Option<&CancelHandle>,
) -> Result<Instance, Failure> {
    let fuel = compiled.fuel_limit.unwrap_or(config::INIT_FUEL);
    store.set_fuel(fuel).map_err(|e| Failure::new(config::RC_ERROR, e.to_string()))?;
    store.data_mut().pages.instantiating = true;
    let result = linker.instantiate_and_start(&mut *store, module);
    store.data_mut().pages.instantiating = false;
    let instance = result.map_err(|e| {
        let stop = store.data_mut().stop.take();
        match stop {
            Some(Stop::OutOfMemory) => Failure::new(config::RC_ERROR, store.data().oom_text()),
            Some(Stop::Import(m)) | Some(Stop::Host(m)) => Failure::new(config::RC_ERROR, m),
            Some(Stop::Timeout) => Failure::new(config::RC_TRAP, "timeout"),
            None if e.as_trap_code() == Some(wasmi::TrapCode::OutOfFuel) => Failure::out_of_fuel(trap_text(&e)),
            None => Failure::new(config::RC_ERROR, trap_text(&e)),
        }
    })?;
    if let Some(Extern::Func(start)) = instance.get_export(&*store, crate::start_hoist::HIDDEN_START) {
        let outcome = run_to_end(store, start, &init_limits(compiled, cancel));
        finish_init(store, outcome)?;
    }
    Ok(instance)
}

/// Runs the export `name` of `instance` if it exists and has type `() -> ()`.
pub fn run_initializer(
    compiled: &Compiled,
    store: &mut Store<State>,
    instance: Instance,
    name: &str,
    cancel: Option<&CancelHandle>,
) -> Result<(), Failure> {
    let Some(func) = main_export(store, instance, name) else { return Ok(()) };
    let ty = func.ty(&*store);
    if !ty.params().is_empty() || !ty.results().is_empty() {
        return Ok(());
    }
    let outcome = run_to_end(store, func, &init_limits(compiled, cancel));
    finish_init(store, outcome)
}

fn finish_init(store: &mut Store<State>, outcome: Outcome) -> Result<(), Failure> {
    match outcome {
        Outcome::Finished => Ok(()),
        Outcome::Timeout => Err(Failure::new(config::RC_TRAP, "timeout")),
        // At creation upstream reports the engine text; a call reports "plugin ran out of fuel".
        Outcome::OutOfFuel => Err(Failure::out_of_fuel("wasm trap: all fuel consumed by WebAssembly")),
        Outcome::Trap(e) | Outcome::HostError(e) => {
            if e.as_trap_code() == Some(wasmi::TrapCode::OutOfFuel) {
                return Err(Failure::out_of_fuel(trap_text(&e)));
            }
            let stop = store.data_mut().stop.take();
            Err(match stop {
                Some(Stop::OutOfMemory) => Failure::new(config::RC_ERROR, store.data().oom_text()),
                Some(Stop::Import(m)) | Some(Stop::Host(m)) => Failure::new(config::RC_ERROR, m),
                Some(Stop::Timeout) => Failure::new(config::RC_TRAP, "timeout"),
                None => Failure::new(config::RC_TRAP, trap_text(&e)),
            })
        }
    }
}

/// Instantiates the main module. At creation only `_initialize` runs (upstream's throwaway
/// instance); for calls, one initialiser by upstream's rule: `hs_init` (after `_initialize`),
/// else `__wasm_call_ctors`, else `_initialize`.
pub fn instantiate_main(
    compiled: &Compiled,
    store: &mut Store<State>,
    linker: &Linker<State>,
    at_creation: bool,
    cancel: Option<&CancelHandle>,
) -> Result<Instance, Failure> {
    let instance = instantiate_module(compiled, store, linker, &compiled.main_module().module, cancel)?;
    if at_creation {
        run_initializer(compiled, store, instance, "_initialize", cancel)?;
        return Ok(instance);
    }
    if let Some(hs_init) = main_export(store, instance, "hs_init") {
        run_initializer(compiled, store, instance, "_initialize", cancel)?;
        let ty = hs_init.ty(&*store);
        if ty.params() == [ValType::I32, ValType::I32] && ty.results().is_empty() {
            // hs_init(argc, argv) takes arguments, so it is run directly rather than sliced.
            store.set_fuel(compiled.fuel_limit.unwrap_or(config::INIT_FUEL)).ok();
            hs_init
                .call(&mut *store, &[Val::I32(0), Val::I32(0)], &mut [])
                .map_err(|e| Failure::new(config::RC_TRAP, trap_text(&e)))?;
        }
    } else if main_export(store, instance, "__wasm_call_ctors").is_some() {
        run_initializer(compiled, store, instance, "__wasm_call_ctors", cancel)?;
    } else {
        run_initializer(compiled, store, instance, "_initialize", cancel)?;
    }
    Ok(instance)
}

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
    let main = match inner.main {
        Some(m) => {
            // What an earlier call grew and left pending (one plugin alive) goes back to the OS now.
            crate::trim::before_call(&mut inner.store, m);
            m
        }
        None => match instantiate_main(compiled, &mut inner.store, &inner.linker, false, Some(&plugin.cancel)) {
            Ok(m) => {
                inner.main = Some(m);
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
    Ok(Started { run, main, name: String::from(name), began_ns, memory })
}

/// Everything a call does after the export ended: rc, error, output registers, dumps, logs, stats.
pub fn finish(plugin: &Plugin, inner: &mut Inner, started: Started, outcome: Outcome) -> CallResult {
    let Started { run, main, name, began_ns, memory } = started;
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
    // A new instance, or a memory that grew (wasmi zero-filled it, and may have copied it whole):
    // give the zero pages of what it grew by back to the OS, now or at the next call.
    crate::trim::after_call(&mut inner.store, main);
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
