//! Saving an idle plugin: its instances' memories (zero blocks left out), mutable globals and
//! table sizes (the main module's and those of the manifest's other modules), kernel memory, vars,
//! config and the limits in force, in the format of `format`. A plugin that has not run its initialisers yet runs them first, as its next call
//! would: the state saved is always an initialised one.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use wasmi::{Extern, Instance, Store, Val};

use super::format::{self, Writer};
use super::layout::Layout;
use crate::plugin::{Inner, Plugin};
use crate::state::State;

/// The plugin's state as bytes, or why it cannot be saved (the plugin is left as it was, but for
/// initialisers that ran).
pub fn save(plugin: &Plugin, inner: &mut Inner) -> Result<Vec<u8>, String> {
    let compiled = &*plugin.compiled;
    if inner.stepped.is_some() {
        return Err("the plugin is not idle: a call started with extism_x_call_begin has not ended".into());
    }
    let main_layout = saveable_layout(compiled, compiled.main)?;
    if let Some(fd) = inner.store.data().wasi.as_ref().and_then(|w| w.opened_fd()) {
        return Err(format!("the plugin holds an open file (WASI fd {fd}): close it before saving"));
    }
    if inner.needs_rebuild {
        // The last call was `_start`: the next call starts from scratch, and so does the state.
        plugin.rebuild(inner)?;
    }
    let instance = match &inner.main {
        Some(main) => main.instance(),
        None => {
            let made = crate::instantiate::instantiate_main(
                compiled,
                &mut inner.store,
                &inner.linker,
                false,
                Some(&plugin.cancel),
            )
            .map_err(|f| format!("initialising the plugin before saving it failed: {}", f.message))?;
            inner.main.insert(crate::call::MainInstance::new(&inner.store, made)).instance()
        }
    };
    let modules_hash = compiled.modules_hash().ok_or("this plugin's modules are not kept: no hash for the state")?;
    let mut w = Writer::new(format::FLAG_INSTANCE, modules_hash);
    write_limits(&mut w, plugin, inner.store.data());
    write_map(&mut w, format::TAG_CONFIG, inner.store.data().config.iter().map(|(k, v)| (k.as_bytes(), v.as_bytes())))?;
    write_map(&mut w, format::TAG_VARS, inner.store.data().vars.iter())?;
    write_kernel(&mut w, inner.store.data());
    // In module order (a loop, not a sort: a sort's code is 3 KiB of a firmware image's flash).
    let linked = &inner.store.data().linked;
    let mut instances = Vec::new();
    for module in 0..compiled.modules().len() {
        let found = match module == compiled.main {
            true => Some((instance, main_layout)),
            false => match linked.iter().find(|l| l.0 == module) {
                Some(&(_, linked)) => Some((linked, saveable_layout(compiled, module)?)),
                None => None,
            },
        };
        if let Some((instance, layout)) = found {
            instances.push((module, instance, layout));
        }
    }
    write_instances(&mut w, &inner.store, &instances)?;
    Ok(w.finish())
}

/// The layout of module `index` of the manifest, if a state of it can be saved.
fn saveable_layout(compiled: &crate::compiled::Compiled, index: usize) -> Result<&Layout, String> {
    let module = &compiled.modules()[index];
    let named = |why: String| match compiled.modules().len() {
        1 => why,
        _ => format!("module `{}`: {why}", module.name),
    };
    let layout = module.layout.as_ref().ok_or_else(|| {
        named("this plugin's module could not be prepared for saving (its hidden exports did not compile)".to_string())
    })?;
    let bytes = || {
        let key = compiled.code.key.as_deref()?;
        crate::module_cache::module_bytes(key, index)
    };
    match module.save_refusal.call_once(|| layout.unsaveable(bytes)) {
        Some(why) => Err(format!("this plugin cannot be saved: {}", named(why.clone()))),
        None => Ok(layout),
    }
}

/// The limits in force when saved (a restore uses its compiled plugin's; these are a record).
fn write_limits(w: &mut Writer, plugin: &Plugin, state: &State) {
    let manifest = &plugin.compiled.manifest;
    w.begin(format::TAG_LIMITS);
    w.u64(plugin.compiled.fuel_limit().unwrap_or(u64::MAX));
    w.u64(manifest.timeout_ms.unwrap_or(u64::MAX));
    w.u64(manifest.memory.max_pages.map_or(u64::MAX, u64::from));
    w.u64(state.vars.max_bytes());
    w.u64(state.budget.limit.unwrap_or(u64::MAX));
}

fn write_map<'a>(w: &mut Writer, tag: u32, entries: impl Iterator<Item = (&'a [u8], &'a [u8])>) -> Result<(), String> {
    w.begin(tag);
    let entries: Vec<_> = entries.collect();
    w.u32(entries.len() as u32);
    for (k, v) in entries {
        w.string(k)?;
        w.string(v)?;
    }
    Ok(())
}

fn write_kernel(w: &mut Writer, state: &State) {
    let image = state.kernel.image();
    w.begin(format::TAG_KERNEL);
    w.u64(image.committed);
    w.u64(image.length);
    w.u64(image.position);
    for r in image.registers {
        w.u64(r);
    }
    w.u8(u8::from(image.grow_failed));
    w.u32(image.blocks.len() as u32);
    for b in &image.blocks {
        w.u32(b.data);
        w.u32(b.size);
        w.u32(b.used);
        w.u8(u8::from(b.free));
    }
    w.extents(state.kernel.committed_memory());
}

/// Global value types in a saved state.
pub const GLOBAL_I32: u8 = 0;
pub const GLOBAL_I64: u8 = 1;
pub const GLOBAL_F32: u8 = 2;
pub const GLOBAL_F64: u8 = 3;
pub const GLOBAL_V128: u8 = 4;

/// The instances' records (module index, instance, layout; in module order): every memory, then
/// every mutable global, then every table, each record naming its module.
fn write_instances(w: &mut Writer, store: &Store<State>, instances: &[(usize, Instance, &Layout)]) -> Result<(), String> {
    write_records(w, store, instances, format::TAG_MEMORY, |l| &l.memories, |w, found, index| match found {
        Extern::Memory(memory) => {
            w.extents(memory.data(store));
            Ok(())
        }
        _ => Err(format!("memory {index} is not a memory")),
    })?;
    write_records(w, store, instances, format::TAG_GLOBAL, |l| &l.globals, |w, found, index| match found {
        Extern::Global(global) => write_global(w, global.get(store))
            .map_err(|()| format!("global {index} holds a reference, which a saved state cannot hold")),
        _ => Err(format!("global {index} is not a global")),
    })?;
    write_records(w, store, instances, format::TAG_TABLE, |l| &l.tables, |w, found, index| match found {
        Extern::Table(table) => {
            w.u64(table.size(store));
            Ok(())
        }
        _ => Err(format!("table {index} is not a table")),
    })
}

/// One record `tag` per item `items` picks of each instance's layout: the module, the item's index,
/// then what `body` writes of the item (reached through its export).
fn write_records(
    w: &mut Writer,
    store: &Store<State>,
    instances: &[(usize, Instance, &Layout)],
    tag: u32,
    items: fn(&Layout) -> &[super::layout::Item],
    mut body: impl FnMut(&mut Writer, Extern, u32) -> Result<(), String>,
) -> Result<(), String> {
    for &(module, instance, layout) in instances {
        for item in items(layout) {
            let in_module = |e: String| format!("module {module}: {e}");
            let found = instance.get_export(store, &item.export).ok_or_else(|| in_module(format!("item {} is not reachable", item.index)))?;
            w.begin(tag);
            w.u32(module as u32);
            w.u32(item.index);
            body(w, found, item.index).map_err(in_module)?;
        }
    }
    Ok(())
}

/// A global's type byte and value bits (8 bytes, 16 for v128); Err for a reference.
fn write_global(w: &mut Writer, value: Val) -> Result<(), ()> {
    match value {
        Val::I32(v) => {
            w.u8(GLOBAL_I32);
            w.bytes(&(v as u32 as u64).to_le_bytes());
        }
        Val::I64(v) => {
            w.u8(GLOBAL_I64);
            w.bytes(&v.to_le_bytes());
        }
        Val::F32(v) => {
            w.u8(GLOBAL_F32);
            w.bytes(&u64::from(v.to_bits()).to_le_bytes());
        }
        Val::F64(v) => {
            w.u8(GLOBAL_F64);
            w.bytes(&v.to_bits().to_le_bytes());
        }
        Val::V128(v) => {
            w.u8(GLOBAL_V128);
            w.bytes(&v.as_u128().to_le_bytes());
        }
        _ => return Err(()),
    }
    Ok(())
}
