//! Host functions given by the host (C callbacks behind `HostFunction::callback`).
//!
//! Plugins may call a host function millions of times per call, so the common signatures are bound
//! through typed trampolines that keep arguments on the stack; any other signature goes through the
//! engine's dynamic trampoline (which allocates one small buffer per call).

use alloc::string::ToString;
use alloc::sync::Arc;

use wasmi::{Caller, Error, Linker, Val};

use crate::function::{HostFunction, HostStop, ValKind};
use crate::run::WaitRequest;
use crate::state::{State, Stop};

type Ctx<'a> = Caller<'a, State>;

/// Runs the host callback; a failure it reports stops the plugin call.
fn invoke(f: &HostFunction, c: &mut Ctx<'_>, params: &[Val], results: &mut [Val]) -> Result<(), Error> {
    let state = c.data_mut();
    state.host_calls += 1;
    (f.callback)(state, params, results).map_err(|stop| match stop {
        HostStop::Fail(message) => {
            state.stop = Some(Stop::Host(message.clone()));
            Error::new(message.to_string())
        }
        HostStop::Wait => Error::host(WaitRequest),
    })
}

fn i64_of(v: &Val) -> i64 {
    v.i64().unwrap_or(0)
}
fn i32_of(v: &Val) -> i32 {
    v.i32().unwrap_or(0)
}

/// Binds `f` through a typed trampoline when its signature is a common one; false otherwise.
fn define_typed(linker: &mut Linker<State>, f: &Arc<HostFunction>) -> Result<bool, Error> {
    use ValKind::{I32, I64};
    let (ns, name) = (f.namespace.as_str(), f.name.as_str());
    let h = Arc::clone(f);
    match (f.params.as_slice(), f.results.as_slice()) {
        ([], []) => linker.func_wrap(ns, name, move |mut c: Ctx| invoke(&h, &mut c, &[], &mut [])),
        ([], [I64]) => linker.func_wrap(ns, name, move |mut c: Ctx| -> Result<i64, Error> {
            let mut r = [Val::I64(0)];
            invoke(&h, &mut c, &[], &mut r)?;
            Ok(i64_of(&r[0]))
        }),
        ([I64], []) => linker.func_wrap(ns, name, move |mut c: Ctx, a: i64| invoke(&h, &mut c, &[Val::I64(a)], &mut [])),
        ([I64], [I64]) => linker.func_wrap(ns, name, move |mut c: Ctx, a: i64| -> Result<i64, Error> {
            let mut r = [Val::I64(0)];
            invoke(&h, &mut c, &[Val::I64(a)], &mut r)?;
            Ok(i64_of(&r[0]))
        }),
        ([I64, I64], []) => linker.func_wrap(ns, name, move |mut c: Ctx, a: i64, b: i64| {
            invoke(&h, &mut c, &[Val::I64(a), Val::I64(b)], &mut [])
        }),
        ([I64, I64], [I64]) => linker.func_wrap(ns, name, move |mut c: Ctx, a: i64, b: i64| -> Result<i64, Error> {
            let mut r = [Val::I64(0)];
            invoke(&h, &mut c, &[Val::I64(a), Val::I64(b)], &mut r)?;
            Ok(i64_of(&r[0]))
        }),
        ([I32], [I32]) => linker.func_wrap(ns, name, move |mut c: Ctx, a: i32| -> Result<i32, Error> {
            let mut r = [Val::I32(0)];
            invoke(&h, &mut c, &[Val::I32(a)], &mut r)?;
            Ok(i32_of(&r[0]))
        }),
        ([I32], []) => linker.func_wrap(ns, name, move |mut c: Ctx, a: i32| invoke(&h, &mut c, &[Val::I32(a)], &mut [])),
        ([], [I32]) => linker.func_wrap(ns, name, move |mut c: Ctx| -> Result<i32, Error> {
            let mut r = [Val::I32(0)];
            invoke(&h, &mut c, &[], &mut r)?;
            Ok(i32_of(&r[0]))
        }),
        _ => return Ok(false),
    }?;
    Ok(true)
}

/// Defines every host function; a later one with the same namespace and name wins (as upstream).
pub fn define(linker: &mut Linker<State>, functions: &[Arc<HostFunction>]) -> Result<(), Error> {
    for f in functions {
        let ty = match f.func_type() {
            Ok(ty) => ty,
            // Unusable types are reported when a plugin links against the function (see link_check).
            Err(_) => continue,
        };
        if f.uses_v128() {
            let message = f.v128_call_error();
            linker.func_new(&f.namespace, &f.name, ty, move |mut caller: Ctx, _, _| {
                caller.data_mut().stop = Some(Stop::Host(message.clone()));
                Err(Error::new(message.clone()))
            })?;
            continue;
        }
        if define_typed(linker, f)? {
            continue;
        }
        let func = Arc::clone(f);
        linker.func_new(&f.namespace, &f.name, ty, move |mut caller: Ctx, params, results| {
            invoke(&func, &mut caller, params, results)
        })?;
    }
    Ok(())
}
