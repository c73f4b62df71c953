//! Our own `wasi_snapshot_preview1`: every preview-1 function, with its exact signature, so any
//! wasip1 module links. What needs an OS sits behind `std` (files, host stdio, sleeping, the
//! wall clock) or `crate::hooks` (monotonic clock, randomness); without them the functions answer
//! with an errno instead.
//!
//! Files: `errno` (numbers, how a call fails), `memory` (checked views of the caller's `memory`),
//! `fd` (the per-plugin fd table, held in the store's `State`), `path` (confining paths to a
//! directory), `fs_std`/`fs_none` (host files), `stdio`, and one file per function group:
//! `args_env`, `clock`, `random`, `proc` (exit, raise, yield), `poll`, `fd_ops`, `path_ops`, `sock`.
//!
//! Every function needs the calling module to export its memory as `memory` (as upstream); a
//! plugin that breaks the ABI (a pointer outside its memory, an invalid enum value) fails the call.

// Without the `wasi` feature only the types the rest of the runtime names stay (the state, the
// function list for import checks); the functions themselves are not built.
#[cfg(feature = "wasi")]
mod args_env;
#[cfg(feature = "wasi")]
mod clock;
pub mod errno;
pub mod fd;
#[cfg(feature = "wasi")]
mod fd_ops;
pub mod memory;
pub mod path;
#[cfg(feature = "wasi")]
mod path_ops;
#[cfg(feature = "wasi")]
mod poll;
#[cfg(feature = "wasi")]
mod proc;
#[cfg(feature = "wasi")]
mod random;
#[cfg(feature = "wasi")]
mod sock;
mod stdio;

// Host files need `std` and a Unix kernel's `*at` calls (see fs_std); elsewhere nothing is preopened.
#[cfg(not(all(feature = "std", unix)))]
mod fs_none;
#[cfg(all(feature = "std", unix))]
mod fs_std;
#[cfg(not(all(feature = "std", unix)))]
use fs_none as fs;
#[cfg(all(feature = "std", unix))]
use fs_std as fs;

pub use fd::WasiState;

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use wasmi::{Error, FuncType, ValType};

#[cfg(feature = "wasi")]
use {
    crate::state::State,
    crate::state::Stop,
    errno::{Abort, WasiResult},
    memory::Guest,
    wasmi::{Caller, Extern},
};

pub const MODULE: &str = "wasi_snapshot_preview1";

/// Every preview-1 function and its signature: parameters, `:`, results (`i` i32, `I` i64).
pub const FUNCTIONS: &[(&str, &str)] = &[
    ("args_get", "ii:i"),
    ("args_sizes_get", "ii:i"),
    ("environ_get", "ii:i"),
    ("environ_sizes_get", "ii:i"),
    ("clock_res_get", "ii:i"),
    ("clock_time_get", "iIi:i"),
    ("fd_advise", "iIIi:i"),
    ("fd_allocate", "iII:i"),
    ("fd_close", "i:i"),
    ("fd_datasync", "i:i"),
    ("fd_fdstat_get", "ii:i"),
    ("fd_fdstat_set_flags", "ii:i"),
    ("fd_fdstat_set_rights", "iII:i"),
    ("fd_filestat_get", "ii:i"),
    ("fd_filestat_set_size", "iI:i"),
    ("fd_filestat_set_times", "iIIi:i"),
    ("fd_pread", "iiiIi:i"),
    ("fd_prestat_get", "ii:i"),
    ("fd_prestat_dir_name", "iii:i"),
    ("fd_pwrite", "iiiIi:i"),
    ("fd_read", "iiii:i"),
    ("fd_readdir", "iiiIi:i"),
    ("fd_renumber", "ii:i"),
    ("fd_seek", "iIii:i"),
    ("fd_sync", "i:i"),
    ("fd_tell", "ii:i"),
    ("fd_write", "iiii:i"),
    ("path_create_directory", "iii:i"),
    ("path_filestat_get", "iiiii:i"),
    ("path_filestat_set_times", "iiiiIIi:i"),
    ("path_link", "iiiiiii:i"),
    ("path_open", "iiiiiIIii:i"),
    ("path_readlink", "iiiiii:i"),
    ("path_remove_directory", "iii:i"),
    ("path_rename", "iiiiii:i"),
    ("path_symlink", "iiiii:i"),
    ("path_unlink_file", "iii:i"),
    ("poll_oneoff", "iiii:i"),
    ("proc_exit", "i:"),
    ("proc_raise", "i:i"),
    ("sched_yield", ":i"),
    ("random_get", "ii:i"),
    ("sock_accept", "iii:i"),
    ("sock_recv", "iiiiii:i"),
    ("sock_send", "iiiii:i"),
    ("sock_shutdown", "ii:i"),
];

/// The type of the preview-1 function `name`, or None if there is no such function.
pub fn func_type(name: &str) -> Option<FuncType> {
    let (_, sig) = FUNCTIONS.iter().find(|(n, _)| *n == name)?;
    let (params, results) = sig.split_once(':')?;
    let types = |s: &str| -> Vec<ValType> { s.chars().map(|c| if c == 'I' { ValType::I64 } else { ValType::I32 }).collect() };
    Some(FuncType::new(types(params), types(results)))
}

/// The WASI state of a new plugin store: preopens from `allowed_paths` (see `WasiState::new`), and
/// whether stdout/stderr reach the host (`EXTISM_ENABLE_WASI_OUTPUT`, read now).
pub fn new_state(allowed_paths: Option<&BTreeMap<String, String>>) -> Result<WasiState, String> {
    WasiState::new(allowed_paths.into_iter().flatten(), stdio::output_requested())
}

/// Whether this build has the `wasi_snapshot_preview1` functions (cargo feature `wasi`).
pub const BUILT: bool = cfg!(feature = "wasi");

/// Why a plugin importing `wasi_snapshot_preview1` cannot be created when the feature is off.
pub const NOT_BUILT: &str = "WASI is not built into this library (cargo feature `wasi`)";

#[cfg(not(feature = "wasi"))]
pub fn define(_linker: &mut crate::imports::Definer<'_>) -> Result<(), Error> {
    Ok(())
}

#[cfg(feature = "wasi")]
pub fn define(linker: &mut crate::imports::Definer<'_>) -> Result<(), Error> {
    args_env::define(linker)?;
    clock::define(linker)?;
    random::define(linker)?;
    proc::define(linker)?;
    poll::define(linker)?;
    fd_ops::define(linker)?;
    path_ops::define(linker)?;
    sock::define(linker)?;
    Ok(())
}

#[cfg(feature = "wasi")]
type Ctx<'a> = Caller<'a, State>;

/// Text of the failure when the calling module has no exported `memory`.
pub const MISSING_MEMORY: &str = "WASI: the calling module does not export its memory as `memory`";

/// Runs the body of a WASI function with the caller's memory and the plugin's WASI state, and
/// turns its outcome into the errno returned to the plugin (or a failed call).
#[cfg(feature = "wasi")]
fn run(c: &mut Ctx<'_>, body: impl FnOnce(&mut Guest<'_>, &mut WasiState) -> WasiResult<()>) -> Result<i32, Error> {
    let Some(Extern::Memory(memory)) = c.get_export("memory") else {
        return Err(stop(c, MISSING_MEMORY));
    };
    let (bytes, state) = memory.data_and_store_mut(&mut *c);
    let outcome = match state.wasi.as_mut() {
        Some(wasi) => {
            // What a waiting function (poll_oneoff) must watch: the call's deadline and cancel flag.
            wasi.interrupt = fd::Interrupt { deadline_ns: state.deadline_ns, cancel: state.cancel.clone() };
            body(&mut Guest::new(bytes), wasi)
        }
        None => Err(Abort::Trap("WASI is not enabled for this plugin")),
    };
    match outcome {
        Ok(()) => Ok(0),
        Err(Abort::Errno(e)) => Ok(i32::from(e)),
        Err(Abort::Trap(message)) => Err(stop(c, message)),
        Err(Abort::Interrupted) => {
            c.data_mut().stop = Some(Stop::Timeout);
            Err(Error::new(String::from("timeout")))
        }
    }
}

/// Fails the running call with `message` (rc -1).
#[cfg(feature = "wasi")]
fn stop(c: &mut Ctx<'_>, message: &str) -> Error {
    c.data_mut().stop = Some(Stop::Import(message.into()));
    Error::new(String::from(message))
}

/// Defines a WASI function whose body gets the guest memory and the WASI state:
/// `define_fn!(linker, "name", |guest, wasi, a: u32, b: u64| { ...; Ok(()) });`
#[cfg(feature = "wasi")]
macro_rules! define_fn {
    ($l:expr, $name:literal, |$g:ident, $w:ident $(, $p:ident : $t:ty)*| $body:block) => {{
        debug_assert!($crate::wasi::func_type($name).is_some(), "not a preview-1 function");
        $l.func_wrap($crate::wasi::MODULE, $name, |mut c: ::wasmi::Caller<'_, $crate::state::State>, $($p: $t),*| -> Result<i32, ::wasmi::Error> {
            $crate::wasi::run(&mut c, |$g, $w| $body)
        })?;
    }};
}
#[cfg(feature = "wasi")]
pub(crate) use define_fn;

#[cfg(all(test, feature = "std", feature = "wasi"))]
mod tests;
