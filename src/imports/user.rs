//! Host functions given by the host (C callbacks behind `HostFunction::callback`).

use alloc::string::ToString;
use alloc::sync::Arc;

use wasmi::{Caller, Error, Linker};

use crate::function::HostFunction;
use crate::state::{State, Stop};

/// Defines every host function; a later one with the same namespace and name wins (as upstream).
pub fn define(linker: &mut Linker<State>, functions: &[Arc<HostFunction>]) -> Result<(), Error> {
    for f in functions {
        let ty = match f.func_type() {
            Ok(ty) => ty,
            // Unusable types are reported when a plugin links against the function (see link_check).
            Err(_) => continue,
        };
        let func = Arc::clone(f);
        linker.func_new(&f.namespace, &f.name, ty, move |mut caller: Caller<'_, State>, params, results| {
            let state = caller.data_mut();
            (func.callback)(state, params, results).map_err(|message| {
                state.stop = Some(Stop::Host(message.clone()));
                Error::new(message.to_string())
            })
        })?;
    }
    Ok(())
}
