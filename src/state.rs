//! What a plugin's wasm store carries between the engine and the imports: the kernel memory, vars,
//! config, the page budget, and the context of the call that is running.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use extism_kernel::Kernel;
use wasmi_core::LimiterError;
use wasmi::errors::{MemoryError, TableError};
use wasmi::ResourceLimiter;

use crate::arena::ArenaBuf;
use crate::budget::{BufferKind, Growth};
use crate::config;
use crate::log::{self, Level};

/// A runtime line about the plugin whose `State` is given (to its own sink or the process-wide
/// logger: `State::log`), the message built only when `level` is on: a line that is off costs one
/// atomic load (or a compare with the plugin sink's level) and nothing else, on every hot path.
macro_rules! plugin_log {
    ($state:expr, $level:expr, $target:expr, $($message:tt)+) => {{
        let state: &$crate::state::State = $state;
        let level: $crate::log::Level = $level;
        if state.log_on(level) {
            state.log(level, $target, format_args!($($message)+));
        }
    }};
}
pub(crate) use plugin_log;

/// Why the runtime itself stopped a call (as opposed to a wasm trap).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stop {
    /// A memory grew past `memory.max_pages`.
    OutOfMemory,
    /// A runtime-provided import failed; the text is the cause.
    Import(String),
    /// A host function asked to fail the call.
    Host(String),
    /// An import that waits (HTTP) saw the deadline pass or a cancel: the call ends as a timeout.
    Timeout,
}

pub struct State {
    pub kernel: Kernel<ArenaBuf>,
    pub vars: Vars,
    pub config: BTreeMap<String, String>,
    pub pages: PageBudget,
    /// The per-plugin memory budget over wasm memories, kernel memory, vars and config.
    pub budget: crate::budget::MemoryBudget,
    /// The `host_context` pointer of the running call (0 outside calls and for plain calls).
    pub host_context: usize,
    /// Set by an import or the limiter when it stops the call; read by the call driver.
    pub stop: Option<Stop>,
    pub plugin_id: [u8; 16],
    /// Host-function (C callback) calls made by the running call.
    pub host_calls: u64,
    /// True while a host-function callback runs (what `extism_x_current_plugin_fail` checks).
    pub in_host_call: bool,
    /// What the running callback asked for: fail the call, or wait for the host.
    pub host_request: Option<crate::function::HostStop>,
    /// `namespace::name` of the host function a stepped call waits on (NUL-terminated for C).
    pub waiting_function: Vec<u8>,
    /// This plugin's own log destination, if the host set one (else the process-wide logger).
    pub log_sink: Option<crate::log::PluginSink>,
    /// The running call's deadline (`hooks::now_ns` scale; None: no timeout) and cancel flag, for
    /// imports that wait (HTTP). Set by the call driver.
    pub deadline_ns: Option<u64>,
    pub cancel: Option<alloc::sync::Arc<crate::plugin::CancelHandle>>,
    /// Fuel a call across an import cycle may take beyond the running slice's (`import_cycle`).
    pub fuel: FuelReserve,
    /// HTTP settings and the last response (`http_status_code`, `http_headers`).
    pub http: crate::http::HttpState,
    /// `wasi_snapshot_preview1` state (fd table, preopens); Some when the plugin has WASI on.
    pub wasi: Option<crate::wasi::WasiState>,
    /// The memory growth whose zero pages are still to be given back to the OS (`trim`).
    pub trim: crate::trim::Tracker,
    /// The instances of the manifest's other modules (module index, instance), which a saved
    /// state carries with the main one's.
    pub linked: Vec<(usize, wasmi::Instance)>,
}

/// Fuel beyond the running slice's, within the fuel limit: `Run` sets it before each slice and counts
/// what was taken as spent after it. A call into another module through a forwarder
/// (`import_cycle`) runs in slices of its own and takes their fuel from here.
pub struct FuelReserve {
    /// What may still be taken; None: no fuel limit. Outside a slice nothing may be taken.
    pub left: Option<u64>,
    /// Taken during the running slice.
    pub taken: u64,
}

impl Default for FuelReserve {
    fn default() -> FuelReserve {
        FuelReserve { left: Some(0), taken: 0 }
    }
}

impl FuelReserve {
    /// Takes up to `want`; returns how much was given.
    pub fn take(&mut self, want: u64) -> u64 {
        let given = self.left.map_or(want, |left| left.min(want));
        if let Some(left) = self.left.as_mut() {
            *left -= given;
        }
        self.taken = self.taken.saturating_add(given);
        given
    }
}

impl State {
    pub fn new(
        kernel: Kernel<ArenaBuf>,
        config: BTreeMap<String, String>,
        max_pages: Option<u32>,
        max_var_bytes: u64,
        plugin_id: [u8; 16],
    ) -> State {
        let mut state = State {
            kernel,
            vars: Vars::new(max_var_bytes),
            config,
            pages: PageBudget { max_pages, module_growth: 0, instantiating: false },
            budget: crate::budget::MemoryBudget::default(),
            host_context: 0,
            stop: None,
            plugin_id,
            host_calls: 0,
            in_host_call: false,
            host_request: None,
            waiting_function: Vec::new(),
            log_sink: None,
            deadline_ns: None,
            cancel: None,
            fuel: FuelReserve::default(),
            http: crate::http::HttpState::default(),
            wasi: None,
            trim: crate::trim::Tracker::default(),
            linked: Vec::new(),
        };
        state.sync_kernel_limit();
        state
    }

    /// Pages the kernel has grown beyond its first one.
    fn kernel_growth(&self) -> u64 {
        u64::from(self.kernel.pages()).saturating_sub(1)
    }

    /// Tells the kernel how far it may still grow: within the shared page budget (`max_pages`) and
    /// within the memory budget.
    pub fn sync_kernel_limit(&mut self) {
        let mut limit = self.pages.max_pages.map(|max| {
            let left = u64::from(max).saturating_sub(self.pages.module_growth);
            u32::try_from(1 + left).unwrap_or(u32::MAX)
        });
        if self.budget.limit.is_some() {
            let pages = match self.kernel.arena() {
                // A heap arena was charged whole at creation. Sized by the budget, its end is where
                // the budget stops the kernel (an `oom`); else it ends growth as it always does.
                // One below a page counts as one page (the kernel's first, never grown).
                ArenaBuf::Heap(buf) => {
                    self.budget.arena_capped.then_some((buf.len() as u64).div_ceil(config::WASM_PAGE))
                }
                #[cfg(all(feature = "std", unix))]
                ArenaBuf::Mapped(_) => {
                    let others = self.memory_used().saturating_sub(self.kernel_bytes());
                    self.budget.limit.map(|limit| limit.saturating_sub(others) / config::WASM_PAGE)
                }
            };
            self.budget.bounds_kernel = false;
            if let Some(pages) = pages {
                let pages = u32::try_from(pages).unwrap_or(u32::MAX);
                self.budget.bounds_kernel = limit.is_none_or(|l| pages < l);
                limit = Some(limit.map_or(pages, |l| l.min(pages)));
            }
        }
        self.kernel.set_page_limit(limit);
    }

    /// What the kernel memory costs in the memory budget.
    fn kernel_bytes(&self) -> u64 {
        match self.kernel.arena() {
            ArenaBuf::Heap(buf) => buf.len() as u64,
            #[cfg(all(feature = "std", unix))]
            ArenaBuf::Mapped(_) => self.kernel.committed_bytes(),
        }
    }

    /// Bytes this plugin's store holds against its memory budget (see `budget.rs`).
    pub fn memory_used(&self) -> u64 {
        config::PLUGIN_BASE_BYTES
            + self.budget.linear
            + self.kernel_bytes()
            + self.vars.bytes()
            + crate::budget::config_bytes(self.config.iter())
    }

    /// Whether `more` bytes still fit in the memory budget; when they do not, the budget is marked
    /// spent so the error that follows names it.
    pub fn budget_allows(&mut self, more: u64) -> bool {
        if self.budget.limit.is_none() {
            return true;
        }
        let fits = self.budget.allows(self.memory_used(), more);
        if !fits {
            self.budget.spent = true;
        }
        fits
    }

    /// The budget's message when the memory budget is what refused the last request, else None.
    pub fn budget_refusal(&self) -> Option<String> {
        let limit = self.budget.limit?;
        (self.budget.spent || self.kernel_full_by_budget()).then(|| crate::budget::MemoryBudget::spent_message(limit))
    }

    /// The text of an `oom` stop: upstream's "oom", or the budget's message when the budget caused it.
    pub fn oom_text(&self) -> String {
        self.budget_refusal().unwrap_or_else(|| String::from("oom"))
    }

    /// The kernel's last growth failed at the memory budget rather than at `max_pages`.
    fn kernel_full_by_budget(&self) -> bool {
        self.budget.bounds_kernel && self.kernel.grow_failed()
    }

    /// Whether a runtime line at `level` about this plugin could be written: one atomic load (or the
    /// plugin sink's level). Test it before building a message that costs anything.
    #[inline]
    pub fn log_on(&self, level: Level) -> bool {
        log::on(level, self.log_sink.as_ref())
    }

    /// A runtime line about this plugin (`plugin="<id>"`), to its own sink or the process-wide logger.
    /// Call it through `plugin_log!`, which tests the level before the message is built.
    #[inline]
    pub fn log(&self, level: Level, target: &str, message: fmt::Arguments<'_>) {
        log::about(level, target, &self.plugin_id, self.log_sink.as_ref(), message);
    }

    /// Host-side use of kernel memory, logged at TRACE as upstream's `CurrentPlugin` does.
    pub fn alloc_logged(&mut self, n: u64) -> u64 {
        let offset = self.kernel.alloc(n);
        // Upstream's words and order: the offset in the parentheses, the size after.
        plugin_log!(self, Level::Trace, log::TARGET_CURRENT_PLUGIN, "memory_alloc({offset}) = {n}");
        offset
    }

    pub fn length_logged(&self, offset: u64) -> u64 {
        let length = self.kernel.length(offset);
        plugin_log!(self, Level::Trace, log::TARGET_CURRENT_PLUGIN, "memory_length({offset}) = {length}");
        length
    }

    /// Upstream's free looks the block up first, and logs that (not the free).
    pub fn free_logged(&mut self, offset: u64) {
        if self.log_on(Level::Trace) {
            let length = self.length_logged(offset);
            if length > 0 {
                let message = format_args!("memory handle found: offs = {offset}, length = {length}");
                self.log(Level::Trace, log::TARGET_CURRENT_PLUGIN, message);
            }
        }
        self.kernel.free(offset);
    }
}

/// `memory.max_pages`: the cumulative growth of every memory of the plugin, kernel included, in pages.
pub struct PageBudget {
    pub max_pages: Option<u32>,
    /// Pages the module memories grew by since the store was made.
    pub module_growth: u64,
    /// Set while modules are instantiated: memories being created do not count as growth.
    pub instantiating: bool,
}

impl State {
    /// A wasm memory's or table's growth from `current` to `desired` bytes, planned and checked
    /// against the memory budget (declared sizes count too: a buffer made while instantiating).
    /// Refused: the call stops with the budget's `oom`.
    fn plan_budgeted_growth(&mut self, kind: BufferKind, current: u64, desired: u64) -> Result<Growth, LimiterError> {
        let creating = self.pages.instantiating && current == 0;
        let growth = self.budget.plan_growth(kind, current, desired, creating);
        if !self.budget_allows(growth.peak) {
            self.stop = Some(Stop::OutOfMemory);
            return Err(LimiterError::ResourceLimiterDeniedAllocation);
        }
        Ok(growth)
    }

    /// Records a growth that was allowed, and moves the kernel's limit to what the budget leaves.
    fn commit_growth(&mut self, growth: Growth) {
        self.budget.commit(growth);
        self.sync_kernel_limit();
    }
}

impl ResourceLimiter for State {
    fn memory_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        if let Some(max) = maximum {
            if desired > max {
                return Ok(false);
            }
        }
        // The memory budget counts declared sizes too (instantiation included), and the buffers as
        // wasmi allocates them.
        let delta_bytes = desired.saturating_sub(current) as u64;
        let growth = self.plan_budgeted_growth(BufferKind::Memory, current as u64, desired as u64)?;
        // A memory's declared initial size is not growth under max_pages (the call checks it).
        if let (Some(max_pages), false) = (self.pages.max_pages, self.pages.instantiating) {
            // Upstream quirk: a memory that declares its own maximum cannot grow at all under max_pages.
            let delta = delta_bytes / config::WASM_PAGE;
            let grown = self.pages.module_growth + self.kernel_growth() + delta;
            if maximum.is_some() || grown > u64::from(max_pages) {
                self.stop = Some(Stop::OutOfMemory);
                return Err(LimiterError::ResourceLimiterDeniedAllocation);
            }
            self.pages.module_growth += delta;
        }
        self.commit_growth(growth);
        self.trim.grew = true;
        Ok(true)
    }

    fn memory_grow_failed(&mut self, _error: &MemoryError) -> Result<(), LimiterError> {
        Ok(())
    }

    fn table_growing(
        &mut self,
        current: usize,
        desired: usize,
        maximum: Option<usize>,
    ) -> Result<bool, LimiterError> {
        if maximum.is_some_and(|max| desired > max) || desired > config::MAX_TABLE_ELEMENTS {
            return Ok(false);
        }
        let bytes = |elements: usize| elements as u64 * config::TABLE_ELEMENT_BYTES;
        let growth = self.plan_budgeted_growth(BufferKind::Table, bytes(current), bytes(desired))?;
        self.commit_growth(growth);
        Ok(true)
    }

    fn table_grow_failed(&mut self, _error: &TableError) -> Result<(), LimiterError> {
        Ok(())
    }

    fn instances(&self) -> usize {
        config::MAX_INSTANCES
    }
    fn tables(&self) -> usize {
        config::MAX_TABLES
    }
    fn memories(&self) -> usize {
        config::MAX_MEMORIES
    }
}

/// The plugin's key/value store (`var_get` / `var_set`), bounded by `memory.max_var_bytes`.
pub struct Vars {
    entries: BTreeMap<Vec<u8>, Vec<u8>>,
    max_bytes: u64,
    /// What the entries cost (`entry_cost` summed), kept as they change: every `var_set` checks it.
    bytes: u64,
}

pub enum VarError {
    Disabled,
    Full,
    /// `config::MAX_VAR_ENTRIES` vars already, and this key is a new one.
    TooMany,
}

impl Vars {
    pub fn new(max_bytes: u64) -> Vars {
        Vars { entries: BTreeMap::new(), max_bytes, bytes: 0 }
    }

    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        self.entries.get(key).map(|v| v.as_slice())
    }

    /// `max_var_bytes` 0: every `var_set` is refused, deletes included.
    pub fn disabled(&self) -> bool {
        self.max_bytes == 0
    }

    pub fn remove(&mut self, key: &[u8]) {
        if let Some(old) = self.entries.remove(key) {
            self.bytes -= entry_cost(key, &old);
        }
    }

    /// Every var, in key order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u8], &[u8])> {
        self.entries.iter().map(|(k, v)| (k.as_slice(), v.as_slice()))
    }

    /// `memory.max_var_bytes`.
    pub fn max_bytes(&self) -> u64 {
        self.max_bytes
    }

    /// What the vars cost (upstream's accounting: key, value and a fixed overhead per entry).
    pub fn bytes(&self) -> u64 {
        self.bytes
    }

    /// What storing `value` under `key` adds to `bytes()` (a replaced value is given back).
    pub fn added_bytes(&self, key: &[u8], value: &[u8]) -> u64 {
        let old = self.entries.get(key).map_or(0, |v| entry_cost(key, v));
        entry_cost(key, value).saturating_sub(old)
    }

    /// Stores a copy; accounting as upstream: every entry costs its key, its value and a fixed
    /// overhead, and an existing entry under the same key is still counted while checking.
    pub fn set(&mut self, key: &[u8], value: &[u8]) -> Result<(), VarError> {
        if self.max_bytes == 0 {
            return Err(VarError::Disabled);
        }
        let used = self.bytes();
        if used.saturating_add(entry_cost(key, value)) > self.max_bytes {
            return Err(VarError::Full);
        }
        if self.entries.len() >= config::MAX_VAR_ENTRIES && !self.entries.contains_key(key) {
            return Err(VarError::TooMany);
        }
        let added = entry_cost(key, value);
        if let Some(old) = self.entries.insert(key.to_vec(), value.to_vec()) {
            self.bytes -= entry_cost(key, &old);
        }
        self.bytes += added;
        Ok(())
    }
}

fn entry_cost(key: &[u8], value: &[u8]) -> u64 {
    config::VAR_ENTRY_OVERHEAD + key.len() as u64 + value.len() as u64
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The running total equals the sum over the entries through sets, replacements and removals.
    #[test]
    fn var_bytes_follow_the_entries() {
        let mut vars = Vars::new(1 << 20);
        let sum = |v: &Vars| v.entries.iter().map(|(k, v)| entry_cost(k, v)).sum::<u64>();
        assert!(vars.set(b"a", b"12345").is_ok());
        assert!(vars.set(b"bb", b"x").is_ok());
        assert_eq!(vars.bytes(), sum(&vars));
        assert_eq!(vars.added_bytes(b"a", b"1234567"), 2);
        assert!(vars.set(b"a", b"1234567").is_ok());
        assert_eq!(vars.bytes(), sum(&vars));
        vars.remove(b"bb");
        vars.remove(b"missing");
        assert_eq!(vars.bytes(), sum(&vars));
        assert_eq!(vars.bytes(), entry_cost(b"a", b"1234567"));
    }

    /// A plugin's state over a heap arena of `bytes` (what a no_std build reserves), whatever the
    /// build's `KERNEL_ARENA_BYTES`.
    fn state_on_heap_arena(bytes: usize, max_pages: Option<u32>, budget: Option<u64>, capped: bool) -> State {
        let arena = ArenaBuf::Heap(alloc::vec![0u8; bytes].into_boxed_slice());
        let mut state = State::new(Kernel::new(arena), BTreeMap::new(), max_pages, 1 << 20, [0; 16]);
        state.budget = crate::budget::MemoryBudget::new(budget);
        state.budget.arena_capped = capped;
        state.sync_kernel_limit();
        state
    }

    /// A 4 KiB arena is one kernel page that never grows: allocations up to its end work, free
    /// blocks are reused, and one beyond it fails as in a full arena (0, not an `oom`).
    #[test]
    fn sub_page_arena_is_one_page_never_grown() {
        let unit = config::KERNEL_ARENA_UNIT;
        let mut state = state_on_heap_arena(unit as usize, None, None, false);
        let k = &mut state.kernel;
        assert_eq!((k.pages(), k.committed_bytes(), k.page_limit()), (1, unit, None));
        assert_eq!(k.memory_bytes(), unit - 64);
        let a = k.alloc(2000);
        let b = k.alloc(1900);
        assert_eq!(a, extism_kernel::FIRST_BLOCK);
        assert_eq!(b, a + 2000 + 12);
        assert_eq!((k.length(a), k.length(b)), (2000, 1900));
        assert_eq!(k.alloc(2000), 0, "no room left in the arena");
        assert!(!k.grow_failed(), "the arena's end is not a page limit");
        assert_eq!(k.alloc(unit), 0, "a block as large as the arena never fits");
        assert_eq!(k.pages(), 1, "a failed allocation grows nothing");
        k.free(a);
        assert_eq!(k.length(a), 0);
        assert_eq!(k.alloc(2000), a, "the freed block is reused");
        k.reset();
        let whole = k.alloc(unit - 64 - 12 - 64);
        assert_eq!(whole, extism_kernel::FIRST_BLOCK, "after a wipe the whole arena is there again");
        assert_eq!(k.length(whole), unit - 140);
        assert_eq!(state.oom_text(), "oom");
        assert_eq!(state.memory_used(), config::PLUGIN_BASE_BYTES + unit);
    }

    /// Under `max_pages` the sub-page arena counts as the kernel's first page: growth past it is
    /// refused by the page budget first, an `oom` as upstream's.
    #[test]
    fn sub_page_arena_counts_one_page_under_max_pages() {
        let unit = config::KERNEL_ARENA_UNIT;
        let mut state = state_on_heap_arena(unit as usize, Some(0), None, false);
        assert_eq!(state.kernel.page_limit(), Some(1));
        assert_eq!(state.kernel.alloc(2 * unit), 0);
        assert!(state.kernel.grow_failed());
        assert_eq!(state.oom_text(), "oom");
        // With room in the page budget, the arena's end is what stops it (no `oom`).
        let mut state = state_on_heap_arena(unit as usize, Some(4), None, false);
        assert_eq!(state.kernel.page_limit(), Some(5));
        assert_eq!(state.kernel.alloc(2 * unit), 0);
        assert!(!state.kernel.grow_failed());
    }

    /// A budget that sized the arena below a page stops the kernel at its end with the budget's
    /// `oom`, and the whole arena is charged.
    #[test]
    fn sub_page_arena_sized_by_the_budget_stops_with_its_oom() {
        let unit = config::KERNEL_ARENA_UNIT;
        let limit = config::PLUGIN_BASE_BYTES + 2 * unit;
        let mut state = state_on_heap_arena(2 * unit as usize, None, Some(limit), true);
        assert_eq!(state.kernel.page_limit(), Some(1));
        assert_eq!(state.memory_used(), limit);
        assert_ne!(state.kernel.alloc(unit), 0);
        assert_eq!(state.kernel.alloc(unit + 1), 0);
        assert!(state.kernel.grow_failed());
        assert_eq!(state.oom_text(), crate::budget::MemoryBudget::spent_message(limit));
        // The block it had still works.
        assert_ne!(state.kernel.alloc(100), 0);
    }
}
