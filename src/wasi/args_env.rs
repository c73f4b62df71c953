//! Arguments and environment: a plugin has neither (as upstream), so both lists are empty.

use wasmi::Error;

use super::define_fn;

pub fn define(l: &mut crate::imports::Definer<'_>) -> Result<(), Error> {
    define_fn!(l, "args_get", |_g, _w, _argv: u32, _buf: u32| { Ok(()) });
    define_fn!(l, "environ_get", |_g, _w, _environ: u32, _buf: u32| { Ok(()) });
    define_fn!(l, "args_sizes_get", |g, _w, count: u32, size: u32| {
        g.set_u32(count, 0)?;
        g.set_u32(size, 0)
    });
    define_fn!(l, "environ_sizes_get", |g, _w, count: u32, size: u32| {
        g.set_u32(count, 0)?;
        g.set_u32(size, 0)
    });
    Ok(())
}
