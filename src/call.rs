//! One call from start to rc: refill fuel, rebuild after `_start`, instantiate and initialise the
//! main module, copy the input, run the export in fuel slices (checking deadline and cancel between
//! slices), then turn what happened into upstream's rc and error text.

use alloc::format;
use alloc::string::{String, ToString};

use wasmi::{Extern, Instance, Store, Val};

use crate::compiled::Compiled;
use crate::config;
use crate::log::{Level, TARGET_CURRENT_PLUGIN, TARGET_PLUGIN, TARGET_SDK};
use crate::run::{Outcome, Run};
use crate::instantiate::{instantiate_main, main_export, trap_text};
use crate::plugin::{Inner, LastError, Plugin};
use crate::state::{plugin_log, State, Stop};

/// The result of one call: the rc and what `extism_plugin_error` will report.
pub struct CallResult {
    pub rc: i32,
    pub error: LastError,
    /// A failure upstream returns before its logging: a missing export, a declared memory over
    /// `max_pages`.
    pub unlogged: bool,
}

impl CallResult {
    fn new(rc: i32, error: LastError) -> CallResult {
        CallResult { rc, error, unlogged: false }
    }

    fn fail(rc: i32, message: impl Into<String>) -> CallResult {
        CallResult::new(rc, LastError::Runtime(message.into().into_bytes()))
    }
}

/// A call that has started (instance ready, input copied, export found) and not yet ended.
pub struct Started {
    pub run: Run,
    main: Instance,
    /// The export's name, kept for a stepped call (`step::begin` sets it; a plain call's caller has
    /// the name, so a plain call makes no copy).
    pub name: String,
    /// Clock reading when the call began (0 without a clock).
    began_ns: u64,
    /// The main module's exported memory (looked up once per instance).
    memory: Option<wasmi::Memory>,
    /// DEBUG lines were on when the call began: its end logs them too (one level test a call).
    verbose: bool,
}

/// The main module's instance and what calls look up in it, kept for as long as the instance: its
/// exported memory, and the export the last call ran. A host that calls the same export again
/// skips the search by name through the instance's exports and the check of its type.
pub struct MainInstance {
    instance: Instance,
    memory: Option<wasmi::Memory>,
    last_export: Option<CachedExport>,
}

struct CachedExport {
    name: String,
    func: wasmi::Func,
    /// It returns an i32 (the rc) rather than nothing.
    returns: bool,
}

impl MainInstance {
    pub fn new(store: &Store<State>, instance: Instance) -> MainInstance {
        let memory = match instance.get_export(store, "memory") {
            Some(Extern::Memory(m)) => Some(m),
            _ => None,
        };
        MainInstance { instance, memory, last_export: None }
    }

    pub fn instance(&self) -> Instance {
        self.instance
    }

    /// `name` is the export the last call ran.
    pub fn last_export_is(&self, name: &[u8]) -> bool {
        self.last_export.as_ref().is_some_and(|e| e.name.as_bytes() == name)
    }

    /// Export `name` as a function the runtime can call (no parameters, at most an i32 result):
    /// `(func, returns a value)`, or the call's failure.
    fn export(&mut self, store: &Store<State>, name: &str) -> Result<(wasmi::Func, bool), CallResult> {
        if let Some(e) = self.last_export.as_ref().filter(|e| e.name == name) {
            return Ok((e.func, e.returns));
        }
        let hidden = name == crate::start_hoist::HIDDEN_START;
        let Some(func) = main_export(store, self.instance, name).filter(|_| !hidden) else {
            let mut result = CallResult::fail(config::RC_ERROR, format!("Function not found: {name}"));
            result.unlogged = true;
            return Err(result);
        };
        let ty = func.ty(store);
        if ty.results().len() > 1 {
            return Err(CallResult::fail(
                config::RC_ERROR,
                format!("Function {name} has {} results, expected 0 or 1", ty.results().len()),
            ));
        }
        if !ty.params().is_empty() {
            return Err(CallResult::fail(config::RC_ERROR, format!("expected {} arguments, got 0", ty.params().len())));
        }
        let returns = !ty.results().is_empty();
        self.last_export = Some(CachedExport { name: String::from(name), func, returns });
        Ok((func, returns))
    }
}

/// Calls export `name` of `plugin` with `input` to its end; the caller holds the plugin's lock.
pub fn call(plugin: &Plugin, inner: &mut Inner, name: &str, input: &[u8], host_context: usize) -> CallResult {
    match begin(plugin, inner, name, "extism_plugin_call", input, host_context) {
        Err(result) => end_early(inner, name, result),
        Ok(mut started) => {
            let outcome = started.run.to_end(&mut inner.store, Some(&plugin.cancel));
            finish(plugin, inner, name, started, outcome)
        }
    }
}

/// A call that failed before running any of the export: log it (unless upstream returns before its
/// logging does, `unlogged`), record what it cost (nothing).
pub fn end_early(inner: &mut Inner, name: &str, result: CallResult) -> CallResult {
    if !result.unlogged {
        log_failure(inner.store.data(), name, &result);
    }
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

/// Everything a call does before the export runs (spec §3, steps 1-5). `entry`: the C function that
/// started it (for the log). A failure is handed to `end_early`.
pub fn begin(
    plugin: &Plugin,
    inner: &mut Inner,
    name: &str,
    entry: &str,
    input: &[u8],
    host_context: usize,
) -> Result<Started, CallResult> {
    let compiled = &*plugin.compiled;
    let began_ns = crate::hooks::now_ns().unwrap_or(0);
    plugin.cancel.clear();
    inner.output = (0, 0);
    if inner.needs_rebuild {
        if let Err(e) = plugin.rebuild(inner) {
            return Err(CallResult::fail(config::RC_ERROR, e));
        }
    }
    inner.needs_rebuild = false;
    {
        let state = inner.store.data_mut();
        state.stop = None;
        state.budget.spent = false;
        state.host_context = host_context;
        state.host_calls = 0;
        // A request an ended call left waiting is answered by nobody.
        state.http.pending = None;
    }
    if let Some(result) = check_initial_memory(compiled) {
        return Err(result);
    }
    // The call's lines are DEBUG or TRACE: one test for all of them (TRACE is never on without DEBUG).
    let verbose = inner.store.data().log_on(Level::Debug);
    if verbose {
        log_call_begin(inner.store.data(), name, entry, inner.main.is_none(), input.len());
    }
    let main = match &mut inner.main {
        Some(m) => {
            // What an earlier call grew and left pending (one plugin alive) goes back to the OS now.
            crate::trim::before_call(&mut inner.store, m.instance);
            m
        }
        None => match instantiate_main(compiled, &mut inner.store, &inner.linker, false, Some(&plugin.cancel)) {
            Ok(m) => inner.main.insert(MainInstance::new(&inner.store, m)),
            Err(f) if f.out_of_fuel => return Err(CallResult::fail(config::RC_ERROR, "plugin ran out of fuel")),
            Err(f) => {
                if let Some(m) = f.instance {
                    inner.main = Some(MainInstance::new(&inner.store, m));
                }
                return Err(CallResult::fail(f.rc, f.message));
            }
        },
    };
    let state = inner.store.data_mut();
    state.kernel.reset();
    state.sync_kernel_limit();
    if !state.kernel.set_input(input) {
        let message = state.budget_refusal().unwrap_or_else(|| "failed to allocate extism memory".into());
        return Err(CallResult::fail(config::RC_ERROR, message));
    }
    if verbose && !input.is_empty() {
        let (offset, length) = (state.kernel.input_offset(), state.kernel.input_length());
        plugin_log!(state, Level::Trace, TARGET_CURRENT_PLUGIN, "memory_alloc({offset}) = {length}");
    }
    let (func, returns) = main.export(&inner.store, name)?;
    // A `_start` that ran makes the next call rebuild the plugin (upstream); a missing one does not.
    inner.needs_rebuild = name == "_start";
    let run = Run::new(func, returns, compiled.fuel_limit(), compiled.manifest.timeout_ms, compiled.metered());
    Ok(Started { run, main: main.instance, name: String::new(), began_ns, memory: main.memory, verbose })
}

/// Everything a call does after the export ended: rc, error, output registers, dumps, logs, stats.
pub fn finish(plugin: &Plugin, inner: &mut Inner, name: &str, started: Started, outcome: Outcome) -> CallResult {
    let Started { run, main, began_ns, memory, verbose, .. } = started;
    let results = run.results();
    // After fuel exhaustion the registers are not read (upstream), so the output stays empty.
    let read_output = !matches!(outcome, Outcome::OutOfFuel);
    let timed_out = matches!(outcome, Outcome::Timeout);
    let trapped = matches!(&outcome, Outcome::Trap(_));
    let returned = matches!(outcome, Outcome::Finished) && !results.is_empty();
    // DEBUG and TRACE lines as tested when the call began; errors are tested on their own.
    if verbose && read_output {
        log_registers(inner.store.data());
    }
    let result = finish_call(&mut inner.store, outcome, results);
    write_dumps(plugin, inner, main, &result, trapped);
    let cancelled = timed_out && plugin.cancel.is_requested();
    let ended = End { returned, registers_read: read_output, timed_out, cancelled, verbose };
    log_call_end(inner.store.data(), name, &result, ended);
    // An empty recorded error decided nothing above (upstream: the rc and the log are the call's
    // own), but extism_plugin_error still reads the error register: an empty text.
    let kernel = &inner.store.data().kernel;
    let off = kernel.error_get();
    let mut result = result;
    if off != 0 && read_output && !timed_out && kernel.block(off).is_none_or(<[u8]>::is_empty) {
        result.error = LastError::Recorded(off);
    }
    inner.store.data_mut().host_context = 0;
    inner.stats = stats_of(inner, memory, &run, began_ns);
    if verbose {
        let (rc, ns) = (result.rc, inner.stats.wall_time_ns);
        plugin_log!(inner.store.data(), Level::Trace, TARGET_PLUGIN, "call to {name} finished: rc {rc}, {ns} ns");
    }
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
    (compiled.main_module().initial_pages > u64::from(max))
        .then(|| CallResult { unlogged: true, ..CallResult::fail(config::RC_ERROR, "oom") })
}

/// Maps how the export ended onto upstream's rc table (spec §3).
fn finish_call(store: &mut Store<State>, outcome: Outcome, results: &[Val]) -> CallResult {
    // Only a non-empty recorded error counts here (upstream); `finish` deals with an empty one.
    let recorded = match store.data().kernel.error_get() {
        0 => None,
        off if store.data().kernel.block(off).is_none_or(<[u8]>::is_empty) => None,
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
            CallResult::new(rc, recorded.unwrap_or(LastError::None))
        }
        Outcome::Timeout => CallResult::fail(config::RC_TRAP, "timeout"),
        Outcome::OutOfFuel => CallResult::fail(config::RC_ERROR, "plugin ran out of fuel"),
        Outcome::HostError(e) | Outcome::Trap(e) => {
            if let Some(code) = e.i32_exit_status() {
                return exit_status(code, recorded);
            }
            if let Some(r) = recorded {
                return CallResult::new(config::RC_ERROR, r);
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
        (_, Some(r)) => CallResult::new(config::RC_ERROR, r),
        (0, None) => CallResult::new(0, LastError::None),
        (n, None) => CallResult::fail(n, format!("Exited with i32 exit status {n}")),
    }
}

/// Upstream's DEBUG lines about the registers when an export ended (not after fuel ran out).
#[inline(never)]
fn log_registers(state: &State) {
    let kernel = &state.kernel;
    let (offset, length) = (kernel.output_offset(), kernel.output_length());
    plugin_log!(state, Level::Debug, TARGET_PLUGIN, "output offset={offset}, length={length}");
    let offset = kernel.error_get();
    let length = kernel.length(offset);
    plugin_log!(state, Level::Trace, TARGET_CURRENT_PLUGIN, "memory_length({offset}) = {length}");
    plugin_log!(state, Level::Debug, TARGET_PLUGIN, "error offset={offset}, length={length}");
}

/// The text of a call's error (a plugin-recorded one read from kernel memory).
fn error_text<'a>(state: &'a State, error: &'a LastError) -> Option<&'a [u8]> {
    match error {
        LastError::None => None,
        LastError::Runtime(m) => Some(m),
        LastError::Recorded(off) => Some(state.kernel.block(*off).unwrap_or(&[])),
    }
}

/// A failed call, at ERROR as upstream: `call to <name> encountered an error: <text>`.
#[inline]
fn log_failure(state: &State, name: &str, result: &CallResult) {
    if !matches!(result.error, LastError::None) && state.log_on(Level::Error) {
        log_error(state, name, result);
    }
}

/// `log_failure` past its tests: reads the text (out of line, off the call's path). As upstream, a
/// plugin's recorded error that is empty (or not a block) is no failure to log, and one that is not
/// UTF-8 is logged as the decoding error.
#[inline(never)]
fn log_error(state: &State, name: &str, result: &CallResult) {
    let Some(bytes) = error_text(state, &result.error) else { return };
    if matches!(result.error, LastError::Recorded(_)) {
        match core::str::from_utf8(bytes) {
            Ok("") => {}
            Ok(text) => plugin_log!(state, Level::Error, TARGET_PLUGIN, "call to {name} encountered an error: {text}"),
            Err(e) => plugin_log!(
                state,
                Level::Error,
                TARGET_PLUGIN,
                "call to {name} encountered an error: unable to load error message from memory: {e}"
            ),
        }
        return;
    }
    let text = String::from_utf8_lossy(bytes);
    plugin_log!(state, Level::Error, TARGET_PLUGIN, "call to {name} encountered an error: {text}");
}

/// Upstream's lines at the start of a call (DEBUG and TRACE, logged when DEBUG is on), the first
/// naming the C function that started it.
#[inline(never)]
fn log_call_begin(state: &State, name: &str, entry: &str, instantiating: bool, input_len: usize) {
    plugin_log!(state, Level::Trace, TARGET_SDK, "calling function {name} using {entry}");
    if instantiating {
        plugin_log!(state, Level::Trace, TARGET_PLUGIN, "Plugin::instance is none, instantiating");
    }
    plugin_log!(state, Level::Trace, TARGET_PLUGIN, "clearing error");
    plugin_log!(state, Level::Debug, TARGET_PLUGIN, "input size: {input_len}");
}

/// How an export ended, for the log.
struct End {
    /// It returned a value (its return code is the rc; upstream logs none for an export without).
    returned: bool,
    /// The output and error registers were read (not after fuel ran out).
    registers_read: bool,
    timed_out: bool,
    /// The timeout was the host's cancel.
    cancelled: bool,
    /// DEBUG lines are on (the caller tested once).
    verbose: bool,
}

/// Upstream's lines at the end of a call: the return code (an export that returned), the plugin's
/// own error message, then a timeout (or cancel) at DEBUG or any error at ERROR.
fn log_call_end(state: &State, name: &str, result: &CallResult, end: End) {
    let End { returned, registers_read, timed_out, cancelled, verbose } = end;
    if verbose && returned {
        plugin_log!(state, Level::Debug, TARGET_PLUGIN, "got return code: {}", result.rc);
    }
    let recorded = state.kernel.error_get();
    if recorded != 0 && registers_read && !timed_out && state.log_on(Level::Error) {
        // Only a non-empty UTF-8 message is "returned" (upstream; see log_error for the others).
        if let Ok(text) = core::str::from_utf8(state.kernel.block(recorded).unwrap_or(&[])) {
            if !text.is_empty() {
                plugin_log!(state, Level::Error, TARGET_PLUGIN, "call to {name} returned with error message: {text}");
            }
        }
    }
    if timed_out {
        if cancelled {
            plugin_log!(state, Level::Debug, TARGET_PLUGIN, "call to {name} cancelled by the host (extism_plugin_cancel)");
        }
        plugin_log!(state, Level::Debug, TARGET_PLUGIN, "call to {name} timed out");
    } else {
        log_failure(state, name, result);
    }
}
