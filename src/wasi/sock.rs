//! Sockets: a plugin can hold none, so every socket function answers ENOTSOCK for an open fd and
//! EBADF otherwise (as upstream).

use wasmi::Error;

use super::define_fn;
use super::errno::{err, WasiResult, ENOTSOCK};
use super::fd::WasiState;

fn not_a_socket(w: &mut WasiState, fd: u32) -> WasiResult<()> {
    w.get(fd)?;
    err(ENOTSOCK)
}

pub fn define(l: &mut crate::imports::Definer<'_>) -> Result<(), Error> {
    define_fn!(l, "sock_accept", |_g, w, fd: u32, _flags: u32, _out: u32| { not_a_socket(w, fd) });
    define_fn!(l, "sock_recv", |_g, w, fd: u32, _iovs: u32, _n: u32, _flags: u32, _len: u32, _oflags: u32| {
        not_a_socket(w, fd)
    });
    define_fn!(l, "sock_send", |_g, w, fd: u32, _iovs: u32, _n: u32, _flags: u32, _len: u32| { not_a_socket(w, fd) });
    define_fn!(l, "sock_shutdown", |_g, w, fd: u32, _how: u32| { not_a_socket(w, fd) });
    Ok(())
}
