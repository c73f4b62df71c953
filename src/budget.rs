//! The per-plugin memory budget: one cap over the memory the runtime takes for one plugin, so a
//! host with a fixed heap (firmware) knows that no plugin call can reach past it.
//!
//! What counts, in bytes: a fixed charge for the plugin's own structures (`PLUGIN_BASE_BYTES`), every
//! wasm memory and table of the plugin as wasmi allocates it (`LinearBuffer`: a growth that
//! reallocates needs the old and the new buffer at once), its kernel memory (the
//! whole arena where it is one heap block, the committed pages where it is a lazy mapping), its
//! vars and its config (key, value and a per-entry overhead each). The compiled code is not
//! counted: it belongs to the compiled plugin, which many plugins share.
//!
//! Exceeding it fails cleanly: creation fails, `memory.grow` and kernel `alloc` stop the call as
//! `oom` (with the budget named in the message), `var_set` and an HTTP response too large for what
//! is left fail the call, `extism_plugin_config` returns false. Nothing is lost: the plugin keeps
//! working.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use crate::config;
use crate::sync::Lock;

/// The budget new plugins get (`extism_x_set_memory_budget`); starts at the build's default.
static PROCESS_BUDGET: Lock<Option<u64>> = Lock::new(config::PLUGIN_MEMORY_BUDGET);

/// Sets the budget of plugins created from now on (None: no budget); returns the previous one.
pub fn set_process_budget(limit: Option<u64>) -> Option<u64> {
    core::mem::replace(&mut *PROCESS_BUDGET.lock(), limit)
}

/// The budget a plugin created now gets.
pub fn process_budget() -> Option<u64> {
    *PROCESS_BUDGET.lock()
}

/// One plugin store's budget and the bytes of its wasm memories and tables (the other parts are
/// read from where they live: the kernel, vars and config).
#[derive(Clone, Debug, Default)]
pub struct MemoryBudget {
    pub limit: Option<u64>,
    /// Bytes of every wasm memory and table of the store: the buffers wasmi holds (see
    /// `LinearBuffer`).
    pub linear: u64,
    /// Each wasm memory's and table's size and buffer capacity, in bytes.
    buffers: Vec<LinearBuffer>,
    /// Set when the budget refused something: the `oom` that follows names it.
    pub spent: bool,
    /// The kernel's heap arena was made smaller than the build's default to fit the budget.
    pub arena_capped: bool,
    /// The kernel's page limit comes from this budget (not from `max_pages`).
    pub bounds_kernel: bool,
}

impl MemoryBudget {
    pub fn new(limit: Option<u64>) -> MemoryBudget {
        MemoryBudget { limit, linear: 0, buffers: Vec::new(), spent: false, arena_capped: false, bounds_kernel: false }
    }

    /// Whether `used + more` bytes fit.
    pub fn allows(&self, used: u64, more: u64) -> bool {
        self.limit.is_none_or(|limit| used.saturating_add(more) <= limit)
    }

    /// What growing a wasm memory or table from `current` to `desired` bytes costs, before it happens.
    pub fn plan_growth(&self, kind: BufferKind, current: u64, desired: u64, creating: bool) -> Growth {
        let found = match creating {
            true => None,
            false => self.buffers.iter().position(|b| b.kind == kind && b.len == current),
        };
        let capacity = found.map_or(0, |i| self.buffers[i].capacity);
        let new_capacity = LinearBuffer::capacity_after(capacity, desired);
        // Reallocating holds the old buffer and the new one at once (the allocator hook has no
        // in-place realloc): the new buffer's bytes are needed on top of everything counted now.
        let peak = if new_capacity > capacity { new_capacity } else { 0 };
        Growth { kind, index: found, desired, new_capacity, peak }
    }

    /// Records a growth that was allowed.
    pub fn commit(&mut self, g: Growth) {
        match g.index {
            Some(i) => {
                let b = &mut self.buffers[i];
                self.linear = self.linear.saturating_sub(b.capacity) + g.new_capacity;
                *b = LinearBuffer { kind: g.kind, len: g.desired, capacity: g.new_capacity };
            }
            None => {
                self.linear += g.new_capacity;
                self.buffers.push(LinearBuffer { kind: g.kind, len: g.desired, capacity: g.new_capacity });
            }
        }
    }

    /// The text of an `oom` this budget caused.
    pub fn spent_message(limit: u64) -> String {
        format!("oom: the plugin's memory budget of {limit} bytes is spent (extism_x_set_memory_budget)")
    }
}

/// What a `LinearBuffer` holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BufferKind {
    Memory,
    /// A table: `config::TABLE_ELEMENT_BYTES` per element.
    Table,
}

/// A wasm memory or table as wasmi keeps it: a `Vec` made at the declared size exactly, grown with
/// `try_reserve`, which reallocates to at least double the capacity when the new size does not fit.
#[derive(Clone, Copy, Debug)]
struct LinearBuffer {
    kind: BufferKind,
    len: u64,
    capacity: u64,
}

impl LinearBuffer {
    fn capacity_after(capacity: u64, desired: u64) -> u64 {
        if desired <= capacity {
            capacity
        } else if capacity == 0 {
            desired
        } else {
            desired.max(capacity.saturating_mul(2))
        }
    }
}

/// A growth of one wasm memory or table, planned: what it needs at its peak and what it leaves.
#[derive(Clone, Copy, Debug)]
pub struct Growth {
    kind: BufferKind,
    index: Option<usize>,
    desired: u64,
    new_capacity: u64,
    /// Bytes needed on top of what is counted now while the growth happens.
    pub peak: u64,
}

/// What one config entry costs in the budget.
pub fn config_entry_bytes(key: &str, value: &str) -> u64 {
    config::CONFIG_ENTRY_OVERHEAD + key.len() as u64 + value.len() as u64
}

/// What a config map costs in the budget.
pub fn config_bytes<'a>(entries: impl Iterator<Item = (&'a String, &'a String)>) -> u64 {
    entries.map(|(k, v)| config_entry_bytes(k, v)).sum()
}

/// Bytes the kernel arena may take for a plugin under `limit` when `committed` bytes are already
/// spoken for (the fixed charge, declared memories, config): whole wasm pages (the kernel grows by
/// pages), None when not even one page fits. A heap arena (`heap`: reserved whole at creation) may
/// also be smaller than a page, in whole `KERNEL_ARENA_UNIT`s: one page the kernel never grows past.
pub fn arena_room(limit: u64, committed: u64, heap: bool) -> Option<u64> {
    let room = limit.saturating_sub(committed);
    let unit = match (heap, room < config::WASM_PAGE) {
        (true, true) => config::KERNEL_ARENA_UNIT,
        _ => config::WASM_PAGE,
    };
    let room = room / unit * unit;
    (room >= unit).then_some(room)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_limit_allows_everything() {
        assert!(MemoryBudget::new(None).allows(u64::MAX, u64::MAX));
    }

    #[test]
    fn limit_is_inclusive() {
        let b = MemoryBudget::new(Some(1000));
        assert!(b.allows(600, 400));
        assert!(!b.allows(600, 401));
        assert!(!b.allows(u64::MAX, 1));
    }

    #[test]
    fn growth_follows_the_vec_policy() {
        let page = config::WASM_PAGE;
        let mut b = MemoryBudget::new(Some(u64::MAX));
        let created = b.plan_growth(BufferKind::Memory, 0, 17 * page, true);
        assert_eq!(created.peak, 17 * page);
        b.commit(created);
        assert_eq!(b.linear, 17 * page);
        // One more page reallocates to double the capacity, holding both buffers meanwhile.
        let grown = b.plan_growth(BufferKind::Memory, 17 * page, 18 * page, false);
        assert_eq!(grown.peak, 34 * page);
        b.commit(grown);
        assert_eq!(b.linear, 34 * page);
        // Within the capacity: no new buffer, nothing more counted.
        let within = b.plan_growth(BufferKind::Memory, 18 * page, 30 * page, false);
        assert_eq!(within.peak, 0);
        b.commit(within);
        assert_eq!(b.linear, 34 * page);
        // A second memory is counted on its own.
        b.commit(b.plan_growth(BufferKind::Memory, 0, page, true));
        assert_eq!(b.linear, 35 * page);
    }

    #[test]
    fn tables_and_memories_are_told_apart() {
        let mut b = MemoryBudget::new(Some(u64::MAX));
        b.commit(b.plan_growth(BufferKind::Memory, 0, 4096, true));
        b.commit(b.plan_growth(BufferKind::Table, 0, 4096, true));
        // The table of the same size grows, not the memory: its buffer doubles.
        let grown = b.plan_growth(BufferKind::Table, 4096, 4100, false);
        assert_eq!(grown.peak, 8192);
        b.commit(grown);
        assert_eq!(b.linear, 4096 + 8192);
        let memory = b.plan_growth(BufferKind::Memory, 4096, 5000, false);
        assert_eq!(memory.peak, 8192);
    }

    #[test]
    fn arena_room_is_whole_pages() {
        let page = config::WASM_PAGE;
        for heap in [false, true] {
            assert_eq!(arena_room(3 * page + 10, page, heap), Some(2 * page));
            assert_eq!(arena_room(page, 2 * page, heap), None);
        }
        assert_eq!(arena_room(2 * page - 1, page, false), None);
    }

    #[test]
    fn a_heap_arena_may_be_smaller_than_a_page() {
        let page = config::WASM_PAGE;
        let unit = config::KERNEL_ARENA_UNIT;
        // Below a page: whole units, at least one.
        assert_eq!(arena_room(2 * page - 1, page, true), Some(page - unit));
        assert_eq!(arena_room(page + 3 * unit + 10, page, true), Some(3 * unit));
        assert_eq!(arena_room(page + unit, page, true), Some(unit));
        assert_eq!(arena_room(page + unit - 1, page, true), None);
        // A lazy mapping commits a whole page at once: it needs one.
        assert_eq!(arena_room(page + 3 * unit, page, false), None);
    }

    #[test]
    fn config_cost_counts_keys_values_and_overhead() {
        let mut m = alloc::collections::BTreeMap::new();
        m.insert(String::from("ab"), String::from("cde"));
        assert_eq!(config_bytes(m.iter()), config::CONFIG_ENTRY_OVERHEAD + 5);
    }
}
