//! A compiled plugin: the engine, the parsed modules of a manifest, the host functions and the
//! import table shared by every plugin made from it. Compiling is the expensive step; plugins made
//! from one `Compiled` share all of this.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use wasmi::{Config, Engine, ExternType, Linker, Module};

use crate::config;
use crate::function::HostFunction;
use crate::imports;
use crate::log::{self, Level};
use crate::manifest::{self, Manifest};
use crate::module_cache;
use crate::start_hoist;
use crate::state::State;
use crate::sync::Once;

/// Why a create call failed; the variant picks upstream's message prefix.
#[derive(Debug)]
pub enum CreateError {
    /// Parsing or compiling failed (`Unable to compile Extism plugin: `).
    Compile(String),
    /// Linking or instantiating failed (`Unable to create Extism plugin: `).
    Create(String),
}

pub struct CompiledModule {
    pub name: String,
    pub module: Module,
    /// Exports `_start`: every call into it runs on a fresh instance.
    pub is_command: bool,
    /// Has a start section or exports `_initialize`: creation must run it once (upstream does).
    pub runs_code_on_instantiation: bool,
    /// Largest declared initial size of a memory the module exports, in pages (for `max_pages`).
    pub initial_pages: u64,
    /// What a saved state carries of this module's instance, reachable through the hidden exports
    /// the compiled module has; None when the module could not be given them (saving refuses).
    pub layout: Option<crate::snapshot::layout::Layout>,
    /// `snapshot::format::module_hash` of the module's name and bytes (a saved state names its
    /// modules): made at compile time where the build keeps no copy of the bytes (`no_std`), else
    /// at the first save or restore, from the module cache's copy (`hash_later`).
    pub hash: Option<u64>,
    hash_later: Once<Option<u64>>,
    /// Why a state of this module cannot be saved (`Layout::unsaveable`), found at the first save.
    pub save_refusal: Once<Option<String>>,
}

/// The engine and the compiled modules of a manifest: what compiling costs, and what
/// `module_cache` shares between every `Compiled` made from the same modules (plugins created from
/// the same bytes). Depends on nothing but the modules' names and non-custom sections.
pub struct Code {
    pub engine: Engine,
    pub modules: Vec<CompiledModule>,
    /// The cache key's bytes (`module_cache::Key::to_bytes`) these modules were compiled from, to
    /// confirm a cache hit; None when the input could not have a key (never cached).
    pub key: Option<Vec<u8>>,
    /// The linker of the runtime imports alone (no host functions), without and with WASI: made
    /// once, shared by every `Compiled` of this code given no host functions (each would otherwise
    /// keep its own ~40-entry copy).
    runtime_linkers: [Once<Result<Arc<Linker<State>>, String>>; 2],
}

/// Whether a compiled plugin's calls count fuel (wasmi's metering), chosen when it is compiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Metering {
    /// Fuel is counted, in slices: a fuel limit (None: no limit), `timeout_ms`, cancel and stepped
    /// calls all work. What every upstream create function gets.
    Fuel(Option<u64>),
    /// Nothing is counted (`extism_x_compiled_plugin_new_unmetered`): calls run to their end, so no
    /// fuel limit, timeout, cancel or stepped call; the memory budget and call-stack bounds hold.
    Off,
}

impl Metering {
    pub fn is_on(self) -> bool {
        matches!(self, Metering::Fuel(_))
    }
}

/// Why a manifest's `timeout_ms` is refused for an unmetered plugin.
pub const UNMETERED_TIMEOUT: &str =
    "timeout_ms needs fuel metering, and this plugin is compiled unmetered (extism_x_compiled_plugin_new_unmetered)";

impl Code {
    pub(crate) fn compile(
        loaded: &manifest::Loaded,
        key: Option<&module_cache::Key<'_>>,
        metered: bool,
    ) -> Result<Code, CreateError> {
        let engine = Engine::new(&engine_config(metered));
        let mut modules = Vec::with_capacity(loaded.modules.len());
        for source in &loaded.modules {
            modules.push(compile_module(&engine, &source.name, &source.bytes)?);
        }
        let runtime_linkers = [Once::new(), Once::new()];
        Ok(Code { engine, modules, key: key.map(|k| k.to_bytes()), runtime_linkers })
    }

    /// The linker for a create call given these host functions.
    fn linker(&self, functions: &[Arc<HostFunction>], with_wasi: bool) -> Result<Arc<Linker<State>>, CreateError> {
        let build = || -> Result<Arc<Linker<State>>, String> {
            let mut linker = Linker::new(&self.engine);
            linker.allow_shadowing(true);
            // Only what the modules import: a name they do not import is never looked up. Listed
            // once (wasmi's import iterator builds each entry as it goes).
            let list: Vec<(&str, &str)> =
                self.modules.iter().flat_map(|m| m.module.imports().map(|i| (i.module(), i.name()))).collect();
            let imported = |module: &str, name: &str| list.iter().any(|&(m, n)| n == name && m == module);
            imports::define_all(&mut linker, functions, with_wasi, Some(&imported)).map_err(|e| e.to_string())?;
            Ok(Arc::new(linker))
        };
        let linker = match functions.is_empty() {
            true => self.runtime_linkers[usize::from(with_wasi)].call_once(build).clone(),
            false => build(),
        };
        linker.map_err(CreateError::Create)
    }
}

pub struct Compiled {
    /// Shared with every other `Compiled` made from the same modules (see `module_cache`).
    pub code: Arc<Code>,
    pub main: usize,
    pub manifest: Manifest,
    /// The runtime imports and host functions; a store of several modules clones it and adds their
    /// instances, a store of the main module alone shares it. Declared before `functions`, so it
    /// drops first and the host functions' user data is freed in the order they were given, as
    /// upstream (the linker keeps them sorted by namespace and name).
    pub linker: Arc<Linker<State>>,
    pub functions: Vec<Arc<HostFunction>>,
    pub with_wasi: bool,
    /// How calls are metered: the fuel limit, or none of fuel, timeout, cancel and stepped calls.
    pub metering: Metering,
    /// Whether every module's imports can be satisfied (with upstream's message if not): checked by
    /// the first plugin made from this, then remembered (it depends on nothing else).
    pub links: Once<Result<(), String>>,
}

impl Compiled {
    pub fn new(
        input: &[u8],
        functions: Vec<Arc<HostFunction>>,
        with_wasi: bool,
        metering: Metering,
        sources: &dyn manifest::SourceLoader,
    ) -> Result<Compiled, CreateError> {
        let loaded = manifest::load(input, sources).map_err(|e| CreateError::Compile(e.to_string()))?;
        if let (Some(_), Some(why)) = (loaded.manifest.timeout_ms, crate::hooks::timeout_refusal()) {
            return Err(CreateError::Compile(why.to_string()));
        }
        if loaded.manifest.timeout_ms.is_some() && !metering.is_on() {
            return Err(CreateError::Compile(UNMETERED_TIMEOUT.to_string()));
        }
        if loaded.modules.len() > config::MAX_MODULES {
            return Err(CreateError::Compile(format!(
                "too many wasm modules in manifest: {} (this build allows {})",
                loaded.modules.len(),
                config::MAX_MODULES
            )));
        }
        // No key (no copy of the modules kept) when the cache is off in this build.
        let key = match config::MODULE_CACHE_ENTRIES {
            0 => None,
            _ => module_cache::Key::new(&loaded.modules, metering.is_on()),
        };
        let code = match key.as_ref().and_then(module_cache::lookup) {
            Some(code) => {
                log::line(Level::Trace, log::TARGET_PLUGIN, format_args!("modules reused from the module cache"));
                code
            }
            None => {
                let code = Arc::new(Code::compile(&loaded, key.as_ref(), metering.is_on())?);
                match &key {
                    Some(key) => module_cache::insert(key, code),
                    None => code,
                }
            }
        };
        let linker = code.linker(&functions, with_wasi)?;
        if log::enabled(Level::Trace) {
            for f in &functions {
                let (namespace, name) = (&f.namespace, &f.name);
                log::line(Level::Trace, log::TARGET_FUNCTION, format_args!("host function {namespace}::{name} linked"));
            }
        }
        Ok(Compiled {
            code,
            main: loaded.main_index,
            manifest: loaded.manifest,
            functions,
            with_wasi,
            metering,
            linker,
            links: Once::new(),
        })
    }

    /// The fuel limit of every call (None: no limit, or unmetered).
    pub fn fuel_limit(&self) -> Option<u64> {
        match self.metering {
            Metering::Fuel(limit) => limit,
            Metering::Off => None,
        }
    }

    /// Fuel is counted (see `Metering`).
    pub fn metered(&self) -> bool {
        self.metering.is_on()
    }

    pub fn main_module(&self) -> &CompiledModule {
        &self.code.modules[self.main]
    }

    pub fn modules(&self) -> &[CompiledModule] {
        &self.code.modules
    }

    pub fn engine(&self) -> &Engine {
        &self.code.engine
    }

    /// The hash a saved state records of the modules it belongs to: every module's hash in
    /// manifest order, then the index of the main one. None when a module's bytes are not kept
    /// (a module the cache could not key).
    pub fn modules_hash(&self) -> Option<u64> {
        use crate::snapshot::format::{hash64, module_hash, HASH_SEED};
        let mut h = HASH_SEED;
        for (i, m) in self.modules().iter().enumerate() {
            let later = || {
                let bytes = crate::module_cache::module_bytes(self.code.key.as_deref()?, i)?;
                Some(module_hash(&m.name, &bytes))
            };
            let hash = m.hash.or_else(|| *m.hash_later.call_once(later))?;
            h = hash64(h, &hash.to_le_bytes());
        }
        Some(hash64(h, &(self.main as u64).to_le_bytes()))
    }
}

/// The engine configuration: fixed but for metering, which is part of the module cache's key (make
/// it depend on anything else a create call is given only with that in `module_cache::Key` too).
fn engine_config(metered: bool) -> Config {
    let mut c = Config::default();
    // Metered: calls run in fuel slices so fuel limits, timeouts and cancels can stop tight loops.
    // Unmetered code has no fuel checks compiled in (12-34 % of compute on the Cortex-M4).
    c.consume_fuel(metered);
    // Debug info can be most of a plugin's bytes and is never needed to run it.
    c.ignore_custom_sections(true);
    // The call stack's bounds (config::CALL_STACK_WORST_BYTES). The minimum first: wasmi checks
    // each against the other as it is set, and its default maximum is above our minimum.
    c.set_max_recursion_depth(config::MAX_RECURSION_DEPTH);
    c.set_min_stack_height(config::MIN_VALUE_STACK_BYTES);
    c.set_max_stack_height(config::MAX_VALUE_STACK_BYTES);
    c.set_max_cached_stacks(config::CACHED_CALL_STACKS);
    // Validate everything at creation, translate each function on its first call (creation of a
    // real PDK plugin: ~3x faster than eager translation; see bench/RESULTS.md). wasmi charges fuel
    // for a lazy translation, and running out of fuel there is not resumable (a slice boundary
    // falling on such a call would fail the call), so translation is made free: fuel then counts
    // exactly what it counted with eager translation. Copies keep wasmi's default cost.
    c.compilation_mode(wasmi::CompilationMode::LazyTranslation);
    c.fuel_cost(wasmi::CustomFuelCosts {
        bytes_copied_per_fuel: 64,
        fuel_per_bytes_translated: 0,
        fuel_per_bytes_validated: 0,
    });
    c
}

fn compile_module(engine: &Engine, name: &str, bytes: &[u8]) -> Result<CompiledModule, CreateError> {
    log::line(Level::Trace, log::TARGET_PLUGIN, format_args!("compiling module {name} ({} bytes)", bytes.len()));
    if !bytes.starts_with(b"\0asm") && core::str::from_utf8(bytes).is_err() {
        // Upstream reads bytes that are neither wasm nor text as WAT first; keep its message.
        return Err(CreateError::Compile("input bytes aren't valid utf-8".to_string()));
    }
    let hash = (config::MODULE_CACHE_ENTRIES == 0).then(|| crate::snapshot::format::module_hash(name, bytes));
    let has_start = start_hoist::has_start_section(bytes);
    let (module, layout) = match prepared(engine, bytes, has_start) {
        Some(prepared) => prepared,
        None => (plain(engine, bytes, has_start)?, None),
    };
    let is_command = check_command_rules(&module)?;
    let runs_code_on_instantiation = has_start || module.get_export("_initialize").is_some();
    let initial_pages = module
        .exports()
        .filter(|e| !crate::snapshot::layout::is_hidden(e.name()))
        .filter_map(|e| match e.ty() {
            ExternType::Memory(m) => Some(m.minimum()),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    Ok(CompiledModule {
        name: name.to_string(),
        module,
        is_command,
        runs_code_on_instantiation,
        initial_pages,
        layout,
        hash,
        hash_later: Once::new(),
        save_refusal: Once::new(),
    })
}

/// The module with its start function hoisted and the hidden exports a saved state reads
/// (`snapshot::layout`), compiled in one go; None when that fails (`plain` then compiles the
/// plugin's own bytes, so an error speaks of them).
fn prepared(
    engine: &Engine,
    bytes: &[u8],
    has_start: bool,
) -> Option<(Module, Option<crate::snapshot::layout::Layout>)> {
    // The table scan waits for the first save where the module cache keeps the module's bytes.
    let layout = crate::snapshot::layout::scan(bytes, config::MODULE_CACHE_ENTRIES == 0)?;
    let module = match start_hoist::rewrite(bytes, &layout.hidden_exports()) {
        Some(rewritten) => Module::new(engine, &rewritten).ok()?,
        // Nothing to add: the module as given (a start section would have been hoisted).
        None if !has_start => Module::new(engine, bytes).ok()?,
        None => return None,
    };
    Some((module, Some(layout)))
}

/// The module without hidden exports: validated as given, then with its start function hoisted.
fn plain(engine: &Engine, bytes: &[u8], has_start: bool) -> Result<Module, CreateError> {
    let module = Module::new(engine, bytes).map_err(|e| CreateError::Compile(compile_error_text(&e)))?;
    match has_start.then(|| start_hoist::hoist(bytes)).flatten() {
        Some(rewritten) => Module::new(engine, &rewritten).map_err(|e| CreateError::Compile(e.to_string())),
        None => Ok(module),
    }
}

/// Whether this build runs fixed-width SIMD (cargo feature `simd`).
pub const SIMD_BUILT: bool = cfg!(feature = "simd");
pub const SIMD_NOT_BUILT: &str = "SIMD is not built into this library (cargo feature `simd`)";

/// The engine's text for a module it refused; without the `simd` feature a module using SIMD is
/// refused by the parser (wasmparser's words: an unexpected 0xfd opcode, or v128 types "not
/// enabled"), and the message says which feature would run it.
fn compile_error_text(e: &wasmi::Error) -> String {
    let text = e.to_string();
    let uses_simd = mentions(&text, "SIMD opcode") || mentions(&text, "SIMD support is not enabled");
    match SIMD_BUILT || !uses_simd {
        true => text,
        false => format!("{SIMD_NOT_BUILT}: {text}"),
    }
}

/// `text.contains(needle)` without core's substring searcher, which the firmware build links for
/// nothing else (1.2 KiB of flash on the Cortex-M4).
fn mentions(text: &str, needle: &str) -> bool {
    text.as_bytes().windows(needle.len()).any(|w| w == needle.as_bytes())
}

/// WASI command rules, as upstream enforces them at creation.
fn check_command_rules(module: &Module) -> Result<bool, CreateError> {
    let start = module.get_export("_start");
    let Some(start) = start else { return Ok(false) };
    if !matches!(start, ExternType::Func(_)) {
        return Err(CreateError::Compile("`_start` must be a function".to_string()));
    }
    if module.get_export("_initialize").is_some() {
        return Err(CreateError::Compile("Program cannot be both a Command and a Reactor".to_string()));
    }
    const ALLOWED: &[&str] =
        &["memory", "table", "__indirect_function_table", "__data_end", "__heap_base", "__dso_handle", "__rtti_base"];
    for export in module.exports().filter(|e| !crate::snapshot::layout::is_hidden(e.name())) {
        if !matches!(export.ty(), ExternType::Func(_)) && !ALLOWED.contains(&export.name()) {
            return Err(CreateError::Compile(format!("command export '{}' is not a function", export.name())));
        }
    }
    Ok(true)
}


#[cfg(test)]
mod tests {
    use super::*;

    /// `(func (export "f") (result i32) (i32x4.extract_lane 0 (v128.const i32x4 7 0 0 0)))`
    const SIMD_MODULE: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01,
        0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, 0x0a, 0x19, 0x01, 0x17, 0x00, 0xfd, 0x0c, 0x07, 0x00, 0x00,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x1b, 0x00, 0x0b,
    ];

    /// With the `simd` feature a SIMD module compiles and runs; without it, creation is refused
    /// with an error naming the feature.
    #[test]
    fn simd_module_runs_or_names_the_missing_feature() {
        let engine = Engine::new(&engine_config(true));
        match compile_module(&engine, "main", SIMD_MODULE) {
            Ok(compiled) => {
                assert!(SIMD_BUILT);
                let mut store = wasmi::Store::new(&engine, ());
                store.set_fuel(1000).expect("fuel metering is on");
                let instance = wasmi::Linker::<()>::new(&engine)
                    .instantiate_and_start(&mut store, &compiled.module)
                    .expect("no imports");
                let f = instance.get_typed_func::<(), i32>(&store, "f").expect("export f");
                assert_eq!(f.call(&mut store, ()).expect("runs"), 7);
            }
            Err(CreateError::Compile(text)) => {
                assert!(!SIMD_BUILT, "{text}");
                assert!(text.starts_with(&format!("{SIMD_NOT_BUILT}: ")), "{text}");
            }
            Err(CreateError::Create(text)) => panic!("unexpected create error: {text}"),
        }
    }
}
