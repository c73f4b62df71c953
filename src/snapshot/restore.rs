//! Bringing a saved state back: a new plugin from a compiled plugin and the bytes `save` made.
//! Everything is read and checked before the plugin is made, and the plugin is built aside, so a
//! failure changes nothing. The instances (the main module's and the manifest's other modules') are
//! made without running start code or initialisers (the saved memories and globals are where they
//! left them), then overwritten with the state.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use extism_kernel::{BlockImage, KernelImage};
use wasmi::{Extern, Instance, Store, Val};

use super::format::{self, Extents, Reader};
use super::layout::{Item, Layout};
use super::save::{GLOBAL_F32, GLOBAL_F64, GLOBAL_I32, GLOBAL_I64, GLOBAL_V128};
use crate::compiled::{Compiled, CreateError};
use crate::instantiate::Init;
use crate::plugin::{Inner, Plugin};
use crate::state::State;

/// A saved state, read and checked (but for what only the target plugin can check).
pub struct Parsed<'a> {
    pub instance: bool,
    pub config: BTreeMap<String, String>,
    pub vars: Entries<'a>,
    pub kernel: KernelImage,
    pub kernel_bytes: Extents<'a>,
    /// Instance records, each naming its module (position in the manifest) and item index.
    pub memories: Vec<(Slot, Extents<'a>)>,
    pub globals: Vec<(Slot, u8, &'a [u8])>,
    pub tables: Vec<(Slot, u64)>,
}

/// An instance item a record names: (module, index in the module's index space).
pub type Slot = (u32, u32);

/// Reads every record of `bytes` (frame checks first: magic, version, length, checksum).
pub fn parse(bytes: &[u8]) -> Result<(u64, Parsed<'_>), &'static str> {
    let frame = format::frame(bytes)?;
    let mut records = Reader::new(frame.records);
    let mut kernel = None;
    let mut parsed = Parsed {
        instance: frame.flags & format::FLAG_INSTANCE != 0,
        config: BTreeMap::new(),
        vars: Vec::new(),
        kernel: KernelImage::default_empty(),
        kernel_bytes: Extents { len: 0, list: Vec::new() },
        memories: Vec::new(),
        globals: Vec::new(),
        tables: Vec::new(),
    };
    while !records.is_empty() {
        let (tag, payload) = records.record()?;
        let mut r = Reader::new(payload);
        match tag {
            format::TAG_LIMITS => {
                // A record of the limits in force when saved: the compiled plugin's apply.
                r.take(5 * 8)?;
            }
            format::TAG_CONFIG => {
                for (k, v) in read_map(&mut r)? {
                    let text = |b: &[u8]| core::str::from_utf8(b).map(str::to_string);
                    let (Ok(k), Ok(v)) = (text(k), text(v)) else {
                        return Err("saved state malformed (config that is not UTF-8)");
                    };
                    parsed.config.insert(k, v);
                }
            }
            format::TAG_VARS => parsed.vars = read_map(&mut r)?,
            format::TAG_KERNEL => kernel = Some(read_kernel(&mut r)?),
            format::TAG_MEMORY => parsed.memories.push(((r.u32()?, r.u32()?), r.extents()?)),
            format::TAG_GLOBAL => {
                let slot = (r.u32()?, r.u32()?);
                let ty = r.u8()?;
                let value = r.take(if ty == GLOBAL_V128 { 16 } else { 8 })?;
                parsed.globals.push((slot, ty, value));
            }
            format::TAG_TABLE => parsed.tables.push(((r.u32()?, r.u32()?), r.u64()?)),
            _ => return Err("saved state malformed (a record this library does not know)"),
        }
        if !r.is_empty() {
            return Err("saved state malformed (a record longer than its contents)");
        }
    }
    let (image, pages) = kernel.ok_or("saved state malformed (no kernel memory record)")?;
    parsed.kernel = image;
    parsed.kernel_bytes = pages;
    let instance_records = !parsed.memories.is_empty() || !parsed.globals.is_empty() || !parsed.tables.is_empty();
    if !parsed.instance && instance_records {
        return Err("saved state malformed (instance records without an instance)");
    }
    Ok((frame.modules_hash, parsed))
}

/// Key/value pairs of a config or vars record.
type Entries<'a> = Vec<(&'a [u8], &'a [u8])>;

/// A store in a saved state: the store, its linker and, when saved, its main instance.
type RestoredStore = (Store<State>, Arc<wasmi::Linker<State>>, Option<crate::call::MainInstance>);

fn read_map<'a>(r: &mut Reader<'a>) -> Result<Entries<'a>, &'static str> {
    let count = r.u32()?;
    let mut entries = Vec::new();
    for _ in 0..count {
        entries.push((r.string()?, r.string()?));
    }
    Ok(entries)
}

fn read_kernel<'a>(r: &mut Reader<'a>) -> Result<(KernelImage, Extents<'a>), &'static str> {
    let (committed, length, position) = (r.u64()?, r.u64()?, r.u64()?);
    let mut registers = [0u64; 5];
    for reg in &mut registers {
        *reg = r.u64()?;
    }
    let grow_failed = r.u8()? != 0;
    let count = r.u32()?;
    let mut blocks = Vec::new();
    for _ in 0..count {
        let (data, size, used, free) = (r.u32()?, r.u32()?, r.u32()?, r.u8()? != 0);
        blocks.push(BlockImage { data, size, used, free });
    }
    let bytes = r.extents()?;
    if bytes.len != committed {
        return Err("saved state malformed (kernel memory of another size than recorded)");
    }
    Ok((KernelImage { committed, length, position, registers, grow_failed, blocks }, bytes))
}

/// A new plugin from `compiled` in the state `bytes` hold.
pub fn restore(compiled: Arc<Compiled>, bytes: &[u8]) -> Result<Plugin, CreateError> {
    let id = crate::id::new_uuid_v4();
    let (store, linker, main) = restored_store(&compiled, bytes, id, crate::budget::process_budget())?;
    Ok(Plugin::assemble(compiled, id, store, linker, main))
}

/// Puts `plugin` (idle) in the state `bytes` hold, keeping its id, memory budget and the host's
/// settings (log and output sinks, the HTTP headers switch). On error the plugin is unchanged.
pub fn restore_into(plugin: &Plugin, inner: &mut Inner, bytes: &[u8]) -> Result<(), String> {
    if inner.stepped.is_some() {
        return Err("the plugin is not idle: a call started with extism_x_call_begin has not ended".into());
    }
    let budget = inner.store.data().budget.limit;
    let (mut store, linker, main) = restored_store(&plugin.compiled, bytes, plugin.id, budget).map_err(|e| match e {
        CreateError::Compile(m) | CreateError::Create(m) => m,
    })?;
    let old = inner.store.data_mut();
    let new = store.data_mut();
    new.http.headers_enabled = old.http.headers_enabled;
    new.log_sink = old.log_sink.take();
    if let (Some(wasi), Some(old_wasi)) = (new.wasi.as_mut(), old.wasi.as_ref()) {
        wasi.output_sink = old_wasi.output_sink;
    }
    new.cancel = Some(plugin.cancel.clone());
    inner.store = store;
    inner.linker = linker;
    inner.main = main;
    inner.needs_rebuild = false;
    inner.output = (0, 0);
    Ok(())
}

/// A store (with its linker and, when saved, its main instance) in the saved state, checked
/// whole first: nothing outside it changes, on success or failure.
fn restored_store(
    compiled: &Arc<Compiled>,
    bytes: &[u8],
    id: [u8; 16],
    budget: Option<u64>,
) -> Result<RestoredStore, CreateError> {
    let fail = |m: &str| CreateError::Create(m.to_string());
    let (modules_hash, parsed) = parse(bytes).map_err(fail)?;
    if Some(modules_hash) != compiled.modules_hash() {
        return Err(fail("the saved state belongs to other wasm modules than this compiled plugin's"));
    }
    Plugin::check_links(compiled)?;
    // Without the instances in the state (never written today) they start as at creation.
    let init = if parsed.instance { Init::Skip } else { Init::Run };
    let (mut store, linker) =
        crate::plugin::new_store(compiled, parsed.config.clone(), id, budget, init).map_err(CreateError::Create)?;
    restore_state(&mut store, &parsed).map_err(CreateError::Create)?;
    let main = match parsed.instance {
        false => None,
        true => {
            let instance = crate::instantiate::instantiate_main_unstarted(compiled, &mut store, &linker)
                .map_err(|f| CreateError::Create(f.message))?;
            let mut instances = alloc::vec![(compiled.main, instance)];
            instances.extend(store.data().linked.iter().copied());
            restore_instances(&mut store, compiled, &instances, &parsed).map_err(CreateError::Create)?;
            Some(crate::call::MainInstance::new(&store, instance))
        }
    };
    Ok((store, linker, main))
}

/// Vars and kernel memory, within the plugin's limits and memory budget.
fn restore_state(store: &mut Store<State>, parsed: &Parsed<'_>) -> Result<(), String> {
    if parsed.config.len() > crate::config::MAX_CONFIG_ENTRIES {
        return Err(format!(
            "the saved config has {} entries (this build allows {})",
            parsed.config.len(),
            crate::config::MAX_CONFIG_ENTRIES
        ));
    }
    let state = store.data_mut();
    for (k, v) in &parsed.vars {
        state.vars.set(k, v).map_err(|_| "the saved vars do not fit this plugin's memory.max_var_bytes".to_string())?;
    }
    state.kernel.restore_image(&parsed.kernel).map_err(|e| format!("saved state: {e}"))?;
    parsed.kernel_bytes.fill_prefix_over_zero(state.kernel.committed_memory_mut())?;
    state.kernel.restored();
    state.sync_kernel_limit();
    if let Some(limit) = state.budget.limit {
        if state.memory_used() > limit {
            return Err(format!(
                "{}: the saved state needs {} bytes before its wasm memories",
                crate::budget::MemoryBudget::spent_message(limit),
                state.memory_used()
            ));
        }
    }
    Ok(())
}

/// The saved memories, globals and tables onto the fresh instances (module index, instance): each
/// instance's records must be exactly its module's items, in index order.
fn restore_instances(
    store: &mut Store<State>,
    compiled: &Compiled,
    instances: &[(usize, Instance)],
    parsed: &Parsed<'_>,
) -> Result<(), String> {
    let slots = parsed.memories.iter().map(|r| r.0).chain(parsed.globals.iter().map(|r| r.0)).chain(parsed.tables.iter().map(|r| r.0));
    for (module, _) in slots {
        if !instances.iter().any(|&(m, _)| m as u64 == u64::from(module)) {
            return Err(format!("the saved state names module {module}, which has no instance in this plugin"));
        }
    }
    for &(module, instance) in instances {
        let layout = compiled.modules()[module]
            .layout
            .as_ref()
            .ok_or("this plugin's module could not be prepared for restoring")?;
        restore_instance(store, instance, module as u32, layout, parsed).map_err(|e| match instances.len() {
            1 => e,
            _ => format!("module `{}`: {e}", compiled.modules()[module].name),
        })?;
    }
    Ok(())
}

/// The records of `module` onto its fresh `instance`.
fn restore_instance(
    store: &mut Store<State>,
    instance: Instance,
    module: u32,
    layout: &Layout,
    parsed: &Parsed<'_>,
) -> Result<(), String> {
    let memories = || parsed.memories.iter().filter(|r| r.0 .0 == module);
    let globals = || parsed.globals.iter().filter(|r| r.0 .0 == module);
    let tables = || parsed.tables.iter().filter(|r| r.0 .0 == module);
    let index = |i: &Item| i.index;
    let same_items = memories().map(|r| r.0 .1).eq(layout.memories.iter().map(index))
        && globals().map(|r| r.0 .1).eq(layout.globals.iter().map(index))
        && tables().map(|r| r.0 .1).eq(layout.tables.iter().map(index));
    if !same_items {
        return Err("the saved state does not match this module's memories, globals and tables".into());
    }
    for ((_, index), extents) in memories() {
        let Some(Extern::Memory(memory)) = export_of(store, instance, &layout.memories, *index) else {
            return Err(format!("memory {index} is not reachable"));
        };
        let now = memory.data(&*store).len() as u64;
        if extents.len % crate::config::WASM_PAGE != 0 || extents.len < now {
            return Err(format!("the saved size of memory {index} does not fit its module"));
        }
        if extents.len > now {
            let grow = (extents.len - now) / crate::config::WASM_PAGE;
            if memory.grow(&mut *store, grow).is_err() {
                let why = store.data().budget_refusal().unwrap_or_else(|| "its limits".to_string());
                return Err(format!("memory {index} cannot grow to its saved size: {why}"));
            }
            store.data_mut().stop = None;
        }
        // A fresh instance's memory is zero but where its data segments went.
        match &layout.data_ranges {
            Some(ranges) => {
                let dirty: Vec<(u64, u64)> =
                    ranges.iter().filter(|r| r.0 == *index).map(|&(_, at, len)| (at, len)).collect();
                extents.fill_over_zero(memory.data_mut(&mut *store), &dirty)?
            }
            None => extents.fill(memory.data_mut(&mut *store))?,
        }
    }
    for &((_, index), ty, bytes) in globals() {
        let Some(Extern::Global(global)) = export_of(store, instance, &layout.globals, index) else {
            return Err(format!("global {index} is not reachable"));
        };
        let value = global_value(ty, bytes).ok_or("saved state malformed (a global of an unknown type)")?;
        global.set(&mut *store, value).map_err(|_| format!("the saved value of global {index} does not fit its type"))?;
    }
    for &((_, index), size) in tables() {
        let Some(Extern::Table(table)) = export_of(store, instance, &layout.tables, index) else {
            return Err(format!("table {index} is not reachable"));
        };
        if table.size(&*store) != size {
            return Err(format!("the saved size of table {index} does not match its module"));
        }
    }
    Ok(())
}

/// The export through which item `index` of `items` is reached, if the module defines it.
fn export_of(store: &Store<State>, instance: Instance, items: &[Item], index: u32) -> Option<Extern> {
    let item = items.iter().find(|i| i.index == index)?;
    instance.get_export(store, &item.export)
}

fn global_value(ty: u8, bytes: &[u8]) -> Option<Val> {
    let mut word = [0u8; 8];
    word.copy_from_slice(bytes.get(..8)?);
    let v = u64::from_le_bytes(word);
    Some(match ty {
        GLOBAL_I32 => Val::I32(u32::try_from(v).ok()? as i32),
        GLOBAL_I64 => Val::I64(v as i64),
        GLOBAL_F32 => Val::F32(wasmi::F32::from_bits(u32::try_from(v).ok()?)),
        GLOBAL_F64 => Val::F64(wasmi::F64::from_bits(v)),
        GLOBAL_V128 => {
            let mut wide = [0u8; 16];
            wide.copy_from_slice(bytes.get(..16)?);
            Val::V128(wasmi::V128::from(u128::from_le_bytes(wide)))
        }
        _ => return None,
    })
}
