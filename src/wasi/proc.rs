//! `proc_exit` ends the call with the exit code (see `call::exit_status`: 0 is success); codes of
//! 126 and up fail the call, as upstream. `proc_raise` is not supported; `sched_yield` yields.

use wasmi::{Caller, Error};

use super::errno::{err, ENOTSUP};
use super::{define_fn, run, MODULE};
use crate::config;
use crate::state::State;

pub fn define(l: &mut crate::imports::Definer<'_>) -> Result<(), Error> {
    l.func_wrap(MODULE, "proc_exit", |mut c: Caller<'_, State>, code: u32| -> Result<(), Error> {
        // Checks the memory export like every WASI function.
        run(&mut c, |_, _| Ok(()))?;
        if code >= config::WASI_EXIT_CODE_LIMIT {
            return Err(super::stop(&mut c, "WASI: exit with an invalid exit status outside of [0..126)"));
        }
        Err(Error::i32_exit(code as i32))
    })?;
    define_fn!(l, "proc_raise", |_g, _w, _signal: u32| { err(ENOTSUP) });
    define_fn!(l, "sched_yield", |_g, _w| {
        #[cfg(feature = "std")]
        std::thread::yield_now();
        Ok(())
    });
    Ok(())
}
