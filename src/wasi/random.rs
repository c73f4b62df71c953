//! `random_get`: bytes from `hooks::fill_random` (the host's hook, else the OS under `std`). With
//! no source of randomness it fails with ENOSYS rather than hand out predictable bytes.

use wasmi::Error;

use super::define_fn;
use super::errno::{err, ENOSYS};
use crate::hooks;

pub fn define(l: &mut crate::imports::Definer<'_>) -> Result<(), Error> {
    define_fn!(l, "random_get", |g, _w, buf: u32, len: u32| {
        let bytes = g.slice_mut(buf, len)?;
        if !hooks::fill_random(bytes) {
            bytes.fill(0);
            return err(ENOSYS);
        }
        Ok(())
    });
    Ok(())
}
