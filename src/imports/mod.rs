//! What plugins import from the runtime: `extism:host/env` bound to the kernel, the host's own
//! functions, and (with WASI on) `wasi_snapshot_preview1`. `check` explains a missing or mistyped
//! import the way upstream does, before the engine would give its own, vaguer message.

pub mod env;
pub mod link_check;
pub mod user;

use alloc::sync::Arc;

use wasmi::errors::LinkerError;
use wasmi::{Error, IntoFunc, Linker};

use crate::function::HostFunction;
use crate::state::State;

/// Defines the runtime's imports into a linker: all of them, or only those `wanted` names (the
/// imports of the modules the linker is made for). Defining the ~45 functions of a plugin that
/// imports a few was about a quarter of creating a small plugin (x86 callgrind: 94 K of 338 K
/// instructions), and a linker is made per compiled plugin.
pub struct Definer<'a> {
    linker: &'a mut Linker<State>,
    wanted: Option<Wanted<'a>>,
}

/// Whether an import (module, name) is wanted.
pub type Wanted<'a> = &'a dyn Fn(&str, &str) -> bool;

impl<'a> Definer<'a> {
    pub fn new(linker: &'a mut Linker<State>, wanted: Option<Wanted<'a>>) -> Definer<'a> {
        Definer { linker, wanted }
    }

    /// `Linker::func_wrap` for a wanted name; nothing for another.
    pub fn func_wrap<Params, Args>(
        &mut self,
        module: &str,
        name: &str,
        func: impl IntoFunc<State, Params, Args>,
    ) -> Result<&mut Self, LinkerError> {
        if self.wanted.is_none_or(|wanted| wanted(module, name)) {
            self.linker.func_wrap(module, name, func)?;
        }
        Ok(self)
    }
}

/// Defines the runtime's imports (those `wanted`, or all: see `Definer`), then every host function.
pub fn define_all(
    linker: &mut Linker<State>,
    functions: &[Arc<HostFunction>],
    with_wasi: bool,
    wanted: Option<Wanted<'_>>,
) -> Result<(), Error> {
    let mut definer = Definer::new(linker, wanted);
    env::define(&mut definer)?;
    if with_wasi {
        crate::wasi::define(&mut definer)?;
    }
    user::define(linker, functions)?;
    Ok(())
}
