//! Source loading without an operating system, and the host-memory copy both loaders share.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use super::SourceLoader;

/// Loader for builds without `std`: only inline `data` (base64 or `{ptr, len}`) can be used.
#[derive(Debug, Default, Clone, Copy)]
pub struct NoOsLoader;

impl SourceLoader for NoOsLoader {
    fn read_file(&self, _path: &str) -> Result<Vec<u8>, String> {
        Err("file sources are not supported in this build".into())
    }

    fn fetch_url(
        &self,
        _url: &str,
        _headers: &BTreeMap<String, String>,
        _method: Option<&str>,
    ) -> Result<Vec<u8>, String> {
        Err("URL sources are not supported in this build".into())
    }

    unsafe fn read_host_memory<'a>(&self, ptr: u64, len: u64) -> Result<&'a [u8], String> {
        // SAFETY: forwarded with the caller's guarantee (the trait's).
        unsafe { host_memory(ptr, len) }
    }
}

/// The `len` bytes at address `ptr` of this process (a manifest's `data: {ptr, len}`), in place.
///
/// Only obviously impossible ranges are refused; anything else is trusted, exactly as upstream does.
///
/// # Safety
/// As `SourceLoader::read_host_memory`: the result must not outlive the create call.
pub(crate) unsafe fn host_memory<'a>(ptr: u64, len: u64) -> Result<&'a [u8], String> {
    if len == 0 {
        return Ok(&[]);
    }
    if ptr == 0 {
        return Err("null pointer".into());
    }
    let (Ok(addr), Ok(size)) = (usize::try_from(ptr), usize::try_from(len)) else {
        return Err("range does not fit the address space".into());
    };
    if size > isize::MAX as usize || addr.checked_add(size).is_none() {
        return Err("range does not fit the address space".into());
    }
    // SAFETY: the `{ptr, len}` pair comes from the manifest the host passed to `extism_plugin_new`; by
    // the manifest contract (spec 6.2) the host promises those `len` bytes at `ptr` are readable and
    // stay unchanged for the duration of this call, and our caller keeps the slice no longer (this
    // function's contract). Null, zero-length and wrapping ranges were refused above; it is only read.
    Ok(unsafe { core::slice::from_raw_parts(addr as *const u8, size) })
}
