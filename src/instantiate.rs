//! Instantiating the modules of a plugin in its store: the manifest's other modules first (linked
//! under their names; commands as fresh-instance functions), then the main module with its start
//! code and initialisers, each run in fuel slices under the plugin's limits.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use wasmi::{Extern, Func, Instance, Linker, Module, Store, Val, ValType};

use crate::compiled::Compiled;
use crate::config;
use crate::import_cycle;
use crate::plugin::CancelHandle;
use crate::run::{Outcome, Run};
use crate::log::{self, Level};
use crate::state::{plugin_log, State, Stop};

/// A failure outside the export itself (instantiation, initialisers).
#[derive(Debug)]
pub struct Failure {
    pub rc: i32,
    pub message: String,
    /// Start code or an initialiser used up the fuel limit (a call reports it as upstream does).
    pub out_of_fuel: bool,
    /// The instance was made and stays: only this call fails (upstream's `hs_init` of another type).
    pub instance: Option<Instance>,
}

impl Failure {
    fn new(rc: i32, message: impl Into<String>) -> Failure {
        Failure { rc, message: message.into(), out_of_fuel: false, instance: None }
    }
    fn out_of_fuel(message: impl Into<String>) -> Failure {
        Failure { rc: config::RC_ERROR, message: message.into(), out_of_fuel: true, instance: None }
    }
}

/// Runs `func` (no parameters, no results) to its end under `limits`.
fn run_to_end(store: &mut Store<State>, func: Func, limits: &RunLimits<'_>) -> Outcome {
    let mut run = Run::new(func, false, limits.fuel_limit, limits.timeout_ms, limits.metered);
    run.to_end(store, limits.cancel)
}

/// The budget of start code and initialisers.
struct RunLimits<'a> {
    metered: bool,
    fuel_limit: Option<u64>,
    timeout_ms: Option<u64>,
    cancel: Option<&'a CancelHandle>,
}

/// Text of an engine error: traps read like upstream's (`wasm trap: ...`).
pub(crate) fn trap_text(e: &wasmi::Error) -> String {
    match e.as_trap_code() {
        Some(code) => format!("wasm trap: {code}"),
        None => e.to_string(),
    }
}

/// Start code and initialisers run under the fuel limit, the timeout and the cancel flag too.
fn init_limits<'a>(compiled: &Compiled, cancel: Option<&'a CancelHandle>) -> RunLimits<'a> {
    RunLimits {
        metered: compiled.metered(),
        fuel_limit: compiled.metered().then(|| compiled.fuel_limit().unwrap_or(config::INIT_FUEL)),
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
    let instance = instantiate_unstarted(compiled, store, linker, module)?;
    run_start(compiled, store, instance, cancel)?;
    Ok(instance)
}

/// Instantiates the main module without running its start function or initialisers: a restored
/// plugin's memories and globals are then overwritten with the saved ones.
pub fn instantiate_main_unstarted(
    compiled: &Compiled,
    store: &mut Store<State>,
    linker: &Linker<State>,
) -> Result<Instance, Failure> {
    instantiate_unstarted(compiled, store, linker, &compiled.main_module().module)
}

/// Instantiates `module` without running its (hoisted) start function.
fn instantiate_unstarted(
    compiled: &Compiled,
    store: &mut Store<State>,
    linker: &Linker<State>,
    module: &Module,
) -> Result<Instance, Failure> {
    if compiled.metered() {
        let fuel = compiled.fuel_limit().unwrap_or(config::INIT_FUEL);
        store.set_fuel(fuel).map_err(|e| Failure::new(config::RC_ERROR, e.to_string()))?;
    }
    store.data_mut().pages.instantiating = true;
    let result = linker.instantiate_and_start(&mut *store, module);
    store.data_mut().pages.instantiating = false;
    result.map_err(|e| {
        let stop = store.data_mut().stop.take();
        match stop {
            Some(Stop::OutOfMemory) => Failure::new(config::RC_ERROR, store.data().oom_text()),
            Some(Stop::Import(m)) | Some(Stop::Host(m)) => Failure::new(config::RC_ERROR, m),
            Some(Stop::Timeout) => Failure::new(config::RC_TRAP, "timeout"),
            None if e.as_trap_code() == Some(wasmi::TrapCode::OutOfFuel) => Failure::out_of_fuel(trap_text(&e)),
            None => Failure::new(config::RC_ERROR, trap_text(&e)),
        }
    })
}

/// Runs the start function `start_hoist` moved into a hidden export, if any, in fuel slices.
fn run_start(
    compiled: &Compiled,
    store: &mut Store<State>,
    instance: Instance,
    cancel: Option<&CancelHandle>,
) -> Result<(), Failure> {
    if let Some(Extern::Func(start)) = instance.get_export(&*store, crate::start_hoist::HIDDEN_START) {
        let outcome = run_to_end(store, start, &init_limits(compiled, cancel));
        finish_init(store, outcome)?;
    }
    Ok(())
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
        // Upstream calls `_initialize` as a `() -> ()` function and fails creation on any other
        // type with its engine's check (the parameters counted first, then the results).
        if name == "_initialize" {
            let found = if ty.params().is_empty() { ty.results().len() } else { ty.params().len() };
            return Err(Failure::new(config::RC_ERROR, format!("expected 0 types, found {found}")));
        }
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
        // Upstream fails the call that instantiates a plugin whose `hs_init` has another type, and
        // keeps the instance: the next calls run.
        if ty.params() != [ValType::I32, ValType::I32] || !ty.results().is_empty() {
            let message = "failed to initialize Haskell using hs_init";
            return Err(Failure { instance: Some(instance), ..Failure::new(config::RC_ERROR, message) });
        }
        // hs_init(argc, argv) takes arguments, so it is run directly rather than sliced.
        store.set_fuel(compiled.fuel_limit().unwrap_or(config::INIT_FUEL)).ok();
        hs_init
            .call(&mut *store, &[Val::I32(0), Val::I32(0)], &mut [])
            .map_err(|e| Failure::new(config::RC_TRAP, trap_text(&e)))?;
    } else if main_export(store, instance, "__wasm_call_ctors").is_some() {
        run_initializer(compiled, store, instance, "__wasm_call_ctors", cancel)?;
    } else {
        run_initializer(compiled, store, instance, "_initialize", cancel)?;
    }
    Ok(instance)
}

/// Whether instantiating runs start code and initialisers: a restore skips them (the saved state
/// is past them, and overwrites what instantiation made).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Init {
    Run,
    Skip,
}

/// Instantiates the manifest's modules other than the main one into `store` (listed in its
/// `linked`) and defines each under its name in `linker` (commands as functions making a fresh
/// instance per call), dependencies first; the imports that close a cycle go through forwarders
/// (`import_cycle`).
pub fn link_modules(
    compiled: &Compiled,
    store: &mut Store<State>,
    linker: &mut Linker<State>,
    init: Init,
) -> Result<(), String> {
    let modules: Vec<(&str, &Module)> = compiled.modules().iter().map(|m| (m.name.as_str(), &m.module)).collect();
    let not_targets: Vec<bool> =
        compiled.modules().iter().enumerate().map(|(i, m)| i == compiled.main || m.is_command).collect();
    let mut instantiated = alloc::vec![false; modules.len()];
    let mut pending = Vec::new();
    for i in import_cycle::order(&modules, compiled.main) {
        let m = &compiled.modules()[i];
        if m.is_command {
            define_command(linker, &m.name, &m.module).map_err(|e| e.to_string())?;
            continue;
        }
        let waiting = import_cycle::define_forwarders(&modules, i, &instantiated, &not_targets, linker)?;
        pending.extend(waiting);
        let in_module = |e: Failure| format!("module `{}`: {}", m.name, e.message);
        let instance = instantiate_unstarted(compiled, store, linker, &m.module).map_err(in_module)?;
        instantiated[i] = true;
        // The forwarders to this module work from here on, its own start function included.
        import_cycle::fill(&pending, i, &m.name, instance, store)?;
        store.data_mut().linked.push((i, instance));
        if init == Init::Run {
            run_start(compiled, store, instance, None).map_err(in_module)?;
        }
        linker.instance(&mut *store, &m.name, instance).map_err(|e| e.to_string())?;
        if init == Init::Run {
            run_initializer(compiled, store, instance, "_initialize", None).map_err(|e| e.message)?;
        }
        let name = &m.name;
        plugin_log!(store.data(), Level::Trace, log::TARGET_PLUGIN, "module {name} instantiated and linked");
    }
    Ok(())
}

/// A non-main module exporting `_start` is a command: every call into one of its exports runs on
/// a brand-new instance (its start section runs each time), linked against what is defined so far.
fn define_command(linker: &mut Linker<State>, name: &str, module: &Module) -> Result<(), wasmi::Error> {
    let snapshot = linker.clone();
    for export in module.exports() {
        let wasmi::ExternType::Func(ty) = export.ty() else { continue };
        if export.name() == crate::start_hoist::HIDDEN_START {
            continue;
        }
        let (module, linker_at_definition, field) = (module.clone(), snapshot.clone(), export.name().to_string());
        linker.func_new(name, export.name(), ty.clone(), move |mut caller, params, results| {
            let instance = linker_at_definition.instantiate_and_start(&mut caller, &module)?;
            if let Some(Extern::Func(start)) = instance.get_export(&caller, crate::start_hoist::HIDDEN_START) {
                start.call(&mut caller, &[], &mut [])?;
            }
            match instance.get_export(&caller, &field) {
                Some(Extern::Func(f)) => f.call(&mut caller, params, results),
                _ => Err(wasmi::Error::new(format!("command export `{field}` disappeared"))),
            }
        })?;
    }
    Ok(())
}

/// The main module's export `name`, if it is a function.
pub fn main_export(store: &Store<State>, main: Instance, name: &str) -> Option<wasmi::Func> {
    match main.get_export(store, name) {
        Some(Extern::Func(f)) => Some(f),
        _ => None,
    }
}
