//! A plugin: one instantiation of a compiled plugin, with its store, id, cancel handle and the
//! registers of its last call. One call runs at a time (the lock); the cancel handle is lock-free.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::sync::atomic::{AtomicBool, Ordering};

use extism_kernel::Kernel;
use wasmi::{Linker, Store};

use crate::arena::ArenaBuf;
use crate::compiled::{Compiled, CreateError};
use crate::config;
use crate::id;
use crate::imports::link_check::{self, Offer};
use crate::instantiate::Init;
use crate::log::{self, Level};
use crate::state::State;
use crate::sync::{Guard, Lock};

/// Asks the running call of one plugin to stop. Lives as long as the plugin; safe to use from any
/// thread (and from an interrupt handler: it is one atomic store).
pub struct CancelHandle {
    requested: AtomicBool,
    /// The plugin is metered: an unmetered one runs calls to their end, and a cancel is refused.
    honoured: bool,
}

impl CancelHandle {
    /// Asks the running or next call to stop; false (nothing asked) for an unmetered plugin.
    pub fn cancel(&self) -> bool {
        if self.honoured {
            self.requested.store(true, Ordering::Release);
        }
        self.honoured
    }
    pub fn is_requested(&self) -> bool {
        self.requested.load(Ordering::Acquire)
    }
    pub fn clear(&self) {
        self.requested.store(false, Ordering::Release);
    }
}

pub struct Plugin {
    pub compiled: Arc<Compiled>,
    pub id: [u8; 16],
    pub cancel: Arc<CancelHandle>,
    /// Debug dump destinations (from the environment at creation).
    pub dumps: crate::dump::DumpPaths,
    inner: Lock<Inner>,
}

/// Everything a call touches, behind the plugin's lock.
pub struct Inner {
    pub store: Store<State>,
    /// The runtime imports plus the instances of the non-main modules of this store (the compiled
    /// plugin's own linker, shared, when the manifest has only the main module).
    pub linker: Arc<Linker<State>>,
    /// The live instance of the main module, made at the first call.
    pub main: Option<crate::call::MainInstance>,
    /// The previous call was to `_start`: rebuild everything before the next one.
    pub needs_rebuild: bool,
    /// What `extism_plugin_error` reports about the last call.
    pub error: LastError,
    /// The NUL-terminated text last handed to C by `extism_plugin_error`.
    pub error_text: Vec<u8>,
    /// Output registers as of the end of the last call (offset, length).
    pub output: (u64, u64),
    /// A call started with `extism_x_call_begin` and not yet ended.
    pub stepped: Option<crate::call::Started>,
    /// rc of the last call that ended.
    pub last_rc: i32,
    /// What the last call cost.
    pub stats: crate::call::CallStats,
}

impl Plugin {
    pub fn new(compiled: Arc<Compiled>) -> Result<Plugin, CreateError> {
        let pages = compiled.manifest.memory.max_pages;
        log::line(Level::Debug, log::TARGET_PLUGIN, format_args!("Available pages: {pages:?}"));
        Plugin::check_links(&compiled)?;
        let id = id::new_uuid_v4();
        let config = compiled.manifest.config.clone();
        let budget = crate::budget::process_budget();
        if compiled.main_module().runs_code_on_instantiation {
            // Upstream instantiates the main module once at creation, running its start section and
            // `_initialize`, on an instance that later calls never see.
            let (mut store, linker) = new_store(&compiled, config.clone(), id, budget, Init::Run).map_err(CreateError::Create)?;
            crate::instantiate::instantiate_main(&compiled, &mut store, &linker, true, None)
                .map_err(|e| CreateError::Create(e.message))?;
        }
        let (store, linker) = new_store(&compiled, config, id, budget, Init::Run).map_err(CreateError::Create)?;
        Ok(Plugin::assemble(compiled, id, store, linker, None))
    }

    /// A plugin around a store made for it (`main`: its main instance, when already made).
    pub(crate) fn assemble(
        compiled: Arc<Compiled>,
        id: [u8; 16],
        mut store: Store<State>,
        linker: Arc<Linker<State>>,
        main: Option<crate::call::MainInstance>,
    ) -> Plugin {
        let cancel = Arc::new(CancelHandle { requested: AtomicBool::new(false), honoured: compiled.metered() });
        store.data_mut().cancel = Some(cancel.clone());
        let inner = Inner {
            store,
            linker,
            main,
            needs_rebuild: false,
            error: LastError::None,
            error_text: Vec::new(),
            output: (0, 0),
            stepped: None,
            last_rc: 0,
            stats: crate::call::CallStats::default(),
        };
        log::line(Level::Debug, log::TARGET_PLUGIN, format_args!("{} created", log::Uuid(&id)));
        crate::trim::plugin_created();
        Plugin {
            compiled,
            id,
            cancel,
            dumps: crate::dump::DumpPaths::from_env(),
            inner: Lock::new(inner),
        }
    }

    /// Checks once per compiled plugin that every module's imports can be satisfied.
    pub(crate) fn check_links(compiled: &Compiled) -> Result<(), CreateError> {
        compiled.links.call_once(|| check_links(compiled)).clone().map_err(CreateError::Create)
    }

    pub fn lock(&self) -> Guard<'_, Inner> {
        self.inner.lock()
    }

    /// Throws away every instance, kernel memory and vars; keeps config, the headers switch, the HTTP
    /// handler and the sinks.
    pub fn rebuild(&self, inner: &mut Inner) -> Result<(), String> {
        let config = core::mem::take(&mut inner.store.data_mut().config);
        let headers_enabled = inner.store.data().http.headers_enabled;
        let http_handler = inner.store.data_mut().http.handler.take();
        let log_sink = inner.store.data_mut().log_sink.take();
        let output_sink = inner.store.data().wasi.as_ref().and_then(|w| w.output_sink);
        // The plugin keeps the memory budget it was made with.
        let budget = inner.store.data().budget.limit;
        // The old store goes first, so a host with a fixed heap needs room for one store, not two.
        // Until the new one is made, a placeholder without memory stands in (kept if making fails:
        // the next call tries again).
        inner.needs_rebuild = true;
        inner.main = None;
        let placeholder = State::new(Kernel::new(ArenaBuf::empty()), config.clone(), None, 0, self.id);
        inner.store = Store::new(self.compiled.engine(), placeholder);
        let (mut store, linker) = match new_store(&self.compiled, config, self.id, budget, Init::Run) {
            Ok(made) => made,
            Err(e) => {
                let state = inner.store.data_mut();
                state.http.headers_enabled = headers_enabled;
                state.http.handler = http_handler;
                state.log_sink = log_sink;
                state.cancel = Some(self.cancel.clone());
                state.budget = crate::budget::MemoryBudget::new(budget);
                return Err(e);
            }
        };
        store.data_mut().http.headers_enabled = headers_enabled;
        store.data_mut().http.handler = http_handler;
        store.data_mut().log_sink = log_sink;
        if let Some(wasi) = store.data_mut().wasi.as_mut() {
            wasi.output_sink = output_sink;
        }
        store.data_mut().cancel = Some(self.cancel.clone());
        inner.store = store;
        inner.linker = linker;
        inner.main = None;
        inner.needs_rebuild = false;
        Ok(())
    }
}

impl Drop for Plugin {
    fn drop(&mut self) {
        crate::trim::plugin_freed();
    }
}

/// The last call's error. A plugin-recorded error is read from kernel memory each time it is asked
/// for (as upstream), so a reset leaves an empty text; the runtime's own messages are kept here.
pub enum LastError {
    None,
    Runtime(Vec<u8>),
    Recorded(u64),
}

impl Inner {
    /// Clears a runtime error (API calls do that); a plugin-recorded error survives them.
    pub fn clear_runtime_error(&mut self) {
        if matches!(self.error, LastError::Runtime(_)) {
            self.error = LastError::None;
        }
    }

    pub fn set_runtime_error(&mut self, message: &[u8]) {
        self.set_error(LastError::Runtime(message[..message.len().min(config::MAX_ERROR_BYTES)].to_vec()));
    }

    /// Records the last error (a call's outcome, or an API call's failure) and gives back the C copy
    /// of the previous one (`error_c_text`), which is only valid until the next API call.
    pub fn set_error(&mut self, error: LastError) {
        self.error = error;
        self.error_text = Vec::new();
    }

    /// The error text as a NUL-terminated buffer owned by `self`, or None.
    pub fn error_c_text(&mut self) -> Option<&[u8]> {
        let text: &[u8] = match &self.error {
            LastError::None => return None,
            LastError::Runtime(m) => m,
            // Read from the plugin's error register each time (a reset wipes its bytes).
            LastError::Recorded(off) => self.store.data().kernel.block(*off).unwrap_or_default(),
        };
        // Already made with this text: the same pointer for every caller.
        if self.error_text.split_last().is_some_and(|(_, made)| made == text) {
            return Some(&self.error_text);
        }
        // A buffer the size of this text (a plugin's recorded error may be large: keep no more).
        let mut c_text = Vec::with_capacity(text.len() + 1);
        c_text.extend_from_slice(text);
        c_text.push(0);
        self.error_text = c_text;
        Some(&self.error_text)
    }
}

/// Every module's imports must be satisfiable, with upstream's messages when they are not.
fn check_links(compiled: &Compiled) -> Result<(), String> {
    for (i, m) in compiled.modules().iter().enumerate() {
        let offer = Offer {
            functions: &compiled.functions,
            modules: compiled
                .modules()
                .iter()
                .enumerate()
                .filter(|(j, _)| *j != i)
                .map(|(_, o)| (o.name.as_str(), &o.module))
                .collect(),
            wasi: compiled.with_wasi,
        };
        link_check::check(&m.module, &offer)?;
    }
    Ok(())
}

/// A fresh store: new kernel memory, empty vars, the non-main modules instantiated and linked
/// (their start code and initialisers run as `init` says). `budget`: the plugin's memory budget
/// (see `budget.rs`).
pub fn new_store(
    compiled: &Compiled,
    config: BTreeMap<String, String>,
    id: [u8; 16],
    budget: Option<u64>,
    init: crate::instantiate::Init,
) -> Result<(Store<State>, Arc<Linker<State>>), String> {
    let memory = &compiled.manifest.memory;
    let mut arena_bytes = match memory.max_pages {
        Some(pages) => config::KERNEL_ARENA_BYTES.min((u64::from(pages) + 1) * config::WASM_PAGE),
        None => config::KERNEL_ARENA_BYTES,
    };
    let mut arena_capped = false;
    if let Some(limit) = budget {
        // What the plugin needs before its kernel memory: a heap arena (no lazy mapping) gets the
        // room left after that, the whole reservation being charged.
        let declared: u64 = compiled.modules().iter().map(|m| m.initial_pages * config::WASM_PAGE).sum();
        let before_kernel =
            config::PLUGIN_BASE_BYTES + declared + crate::budget::config_bytes(config.iter());
        let Some(room) = crate::budget::arena_room(limit, before_kernel, !ArenaBuf::lazy()) else {
            return Err(format!(
                "{}: the plugin needs {} bytes before its first page of kernel memory",
                crate::budget::MemoryBudget::spent_message(limit),
                before_kernel
            ));
        };
        if !ArenaBuf::lazy() && room < arena_bytes {
            arena_bytes = room;
            arena_capped = true;
        }
        // A mapping is charged by its committed pages, which the budget stops before its limit:
        // it never needs to grow past that.
        if ArenaBuf::lazy() {
            arena_bytes = arena_bytes.min((limit / config::WASM_PAGE).max(1) * config::WASM_PAGE);
        }
    }
    let initial = config::KERNEL_ARENA_INITIAL_BYTES.min(arena_bytes);
    let arena = usize::try_from(arena_bytes)
        .ok()
        .zip(usize::try_from(initial).ok())
        .and_then(|(cap, initial)| ArenaBuf::reserve_growing(initial, cap))
        .ok_or_else(|| "failed to allocate extism memory".to_string())?;
    let kernel = Kernel::new(arena);
    let max_var_bytes = memory.max_var_bytes.unwrap_or(config::DEFAULT_MAX_VAR_BYTES);
    let mut state = State::new(kernel, config, memory.max_pages, max_var_bytes, id);
    state.budget = crate::budget::MemoryBudget::new(budget);
    state.budget.arena_capped = arena_capped;
    state.sync_kernel_limit();
    state.http = crate::http::HttpState::new(compiled.manifest.allowed_hosts.clone(), memory.http_response_limit());
    if crate::wasi::BUILT && compiled.with_wasi {
        state.wasi = Some(crate::wasi::new_state(compiled.manifest.allowed_paths.as_ref())?);
    }
    let mut store = Store::new(compiled.engine(), state);
    store.limiter(|state| state);
    if compiled.modules().len() == 1 {
        // Nothing to add to the compiled plugin's linker: share it (cloning it is a third of the
        // cost of a plugin made from a compiled plugin).
        return Ok((store, Arc::clone(&compiled.linker)));
    }
    let mut linker = (*compiled.linker).clone();
    crate::instantiate::link_modules(compiled, &mut store, &mut linker, init)?;
    Ok((store, Arc::new(linker)))
}

