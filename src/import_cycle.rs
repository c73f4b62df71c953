//! Modules of a manifest that import each other in a cycle (as the JS and Chicory SDKs allow): the
//! modules are instantiated dependencies first, and an import of a module not instantiated yet (a
//! cycle's back edge) is bound to a forwarder, a host function that calls the other instance's
//! export once it exists. Only functions can be forwarded; a start function or initialiser that
//! reaches a module not yet instantiated fails creation with a message saying so.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;

use wasmi::{Caller, Error, ExternType, Func, FuncType, Instance, Linker, Module, ResumableCall, Store, Val};

use crate::config;
use crate::imports::link_check::show_func;
use crate::run::WaitRequest;
use crate::state::{State, Stop};

/// An export, filled in once its module is instantiated.
type Slot = Arc<spin::Once<Func>>;

/// A forwarder waiting for its target: module `target`'s export `name` of type `ty`.
pub struct Pending {
    importer: String,
    target: usize,
    name: String,
    ty: FuncType,
    slot: Slot,
}

/// The order to instantiate `modules` in (indexes; `skip`, the main module, left out): each module
/// after the modules it imports from, except where a cycle makes that impossible. Only function
/// imports can be forwarded, so when the first order would need a memory, table or global of a
/// module not instantiated yet, the order of the non-function imports alone is taken (every function
/// import of a later module then goes through a forwarder).
pub fn order(modules: &[(&str, &Module)], skip: usize) -> Vec<usize> {
    let first = depth_first(modules, skip, true);
    match only_functions_forwarded(modules, &first) {
        true => first,
        false => depth_first(modules, skip, false),
    }
}

fn depth_first(modules: &[(&str, &Module)], skip: usize, functions_too: bool) -> Vec<usize> {
    let mut order = Vec::with_capacity(modules.len());
    let mut seen = alloc::vec![false; modules.len()];
    for start in 0..modules.len() {
        visit(modules, skip, functions_too, start, &mut seen, &mut order);
    }
    order
}

/// Dependencies before dependants. The depth is at most the number of modules
/// (`config::MAX_MODULES`), so the recursion is bounded.
fn visit(
    modules: &[(&str, &Module)],
    skip: usize,
    functions_too: bool,
    at: usize,
    seen: &mut [bool],
    order: &mut Vec<usize>,
) {
    if at == skip || seen[at] {
        return;
    }
    seen[at] = true;
    for import in modules[at].1.imports() {
        if !functions_too && matches!(import.ty(), ExternType::Func(_)) {
            continue;
        }
        if let Some(dep) = modules.iter().position(|(name, _)| *name == import.module()) {
            visit(modules, skip, functions_too, dep, seen, order);
        }
    }
    order.push(at);
}

/// Whether in `order` every non-function import of another module names one instantiated before.
fn only_functions_forwarded(modules: &[(&str, &Module)], order: &[usize]) -> bool {
    let position = |i: usize| order.iter().position(|o| *o == i);
    order.iter().enumerate().all(|(at, i)| {
        modules[*i].1.imports().filter(|import| !matches!(import.ty(), ExternType::Func(_))).all(|import| {
            match modules.iter().position(|(name, _)| *name == import.module()).and_then(position) {
                Some(dep_at) => dep_at < at,
                None => true,
            }
        })
    })
}

/// Binds `importer`'s imports of modules not instantiated yet (`instantiated[i]` false) to
/// forwarders in `linker`; returns them, to be filled by `fill` when their modules exist. Modules
/// marked in `not_targets` (the main module, commands) are never forwarded to: an import of one
/// not defined yet fails to link as before.
pub fn define_forwarders(
    modules: &[(&str, &Module)],
    importer: usize,
    instantiated: &[bool],
    not_targets: &[bool],
    linker: &mut Linker<State>,
) -> Result<Vec<Pending>, String> {
    let mut pending = Vec::new();
    for import in modules[importer].1.imports() {
        let Some(target) = modules.iter().position(|(name, _)| *name == import.module()) else { continue };
        if instantiated[target] || not_targets[target] || target == importer {
            continue;
        }
        let (ns, name) = (import.module(), import.name());
        let ExternType::Func(ty) = import.ty() else {
            return Err(format!(
                "module `{}`: cannot import `{ns}::{name}`: modules `{}` and `{ns}` import from each other, \
                 and only functions can be imported across an import cycle",
                modules[importer].0, modules[importer].0
            ));
        };
        let slot: Slot = Arc::new(spin::Once::new());
        let (reached, target_name, field) = (slot.clone(), ns.to_string(), name.to_string());
        linker
            .func_new(ns, name, ty.clone(), move |mut caller, params, results| {
                let Some(func) = reached.get().copied() else {
                    let message = format!(
                        "import cycle: `{target_name}::{field}` was called before module `{target_name}` was \
                         instantiated (from a start function or initialiser)"
                    );
                    caller.data_mut().stop = Some(Stop::Host(message.clone()));
                    return Err(Error::new(message));
                };
                call_nested(&mut caller, func, params, results)
            })
            .map_err(|e| e.to_string())?;
        pending.push(Pending { importer: modules[importer].0.to_string(), target, name: name.to_string(), ty: ty.clone(), slot });
    }
    Ok(pending)
}

/// Gives the forwarders waiting for module `target` its exports, now that it is `instance`.
pub fn fill(
    pending: &[Pending],
    target: usize,
    target_name: &str,
    instance: Instance,
    store: &Store<State>,
) -> Result<(), String> {
    for p in pending.iter().filter(|p| p.target == target) {
        let Some(func) = instance.get_func(store, &p.name) else {
            return Err(format!(
                "module `{}`: unknown import: `{target_name}::{}` has not been defined",
                p.importer, p.name
            ));
        };
        let found = func.ty(store);
        if found != p.ty {
            return Err(format!(
                "module `{}`: types incompatible: expected type `{}`, found type `{}`",
                p.importer,
                show_func(&p.ty),
                show_func(&found)
            ));
        }
        p.slot.call_once(|| func);
    }
    Ok(())
}

/// Runs `func` inside a forwarder, in fuel slices as the outer run does: between slices it checks
/// the cancel flag and the deadline, and takes more fuel within the fuel limit (`State::fuel`).
fn call_nested(caller: &mut Caller<'_, State>, func: Func, params: &[Val], results: &mut [Val]) -> Result<(), Error> {
    let mut call = func.call_resumable(&mut *caller, params, results)?;
    loop {
        match call {
            ResumableCall::Finished => return Ok(()),
            ResumableCall::HostTrap(t) => {
                if t.host_error().downcast_ref::<WaitRequest>().is_some() {
                    let message = "a host function asked to wait inside a call between modules of an import \
                                   cycle, where a call cannot pause";
                    caller.data_mut().stop = Some(Stop::Host(message.to_string()));
                    return Err(Error::new(message));
                }
                return Err(t.into_host_error());
            }
            ResumableCall::OutOfFuel(t) => {
                let state = caller.data_mut();
                if state.cancel.as_ref().is_some_and(|c| c.is_requested())
                    || state.deadline_ns.is_some_and(|d| crate::hooks::now_ns().is_none_or(|now| now >= d))
                {
                    state.stop = Some(Stop::Timeout);
                    return Err(Error::new("timeout"));
                }
                let more = state.fuel.take(config::FUEL_SLICE.saturating_add(t.required_fuel()));
                if more < t.required_fuel() {
                    return Err(Error::from(wasmi::TrapCode::OutOfFuel));
                }
                let left = caller.get_fuel().unwrap_or(0);
                caller.set_fuel(left.saturating_add(more))?;
                call = t.resume(&mut *caller, results)?;
            }
        }
    }
}
