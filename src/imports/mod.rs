//! What plugins import from the runtime: `extism:host/env` bound to the kernel, the host's own
//! functions, and (with WASI on) `wasi_snapshot_preview1`. `check` explains a missing or mistyped
//! import the way upstream does, before the engine would give its own, vaguer message.

pub mod env;
pub mod link_check;
pub mod user;

use alloc::sync::Arc;

use wasmi::{Error, Linker};

use crate::function::HostFunction;
use crate::state::State;

pub fn define_all(linker: &mut Linker<State>, functions: &[Arc<HostFunction>], with_wasi: bool) -> Result<(), Error> {
    env::define(linker)?;
    if with_wasi {
        crate::wasi::define(linker)?;
    }
    user::define(linker, functions)?;
    Ok(())
}
