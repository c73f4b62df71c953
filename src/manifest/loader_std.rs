//! Source loading with an operating system (`std` feature).

extern crate std;

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::loader_noos::host_memory;
use super::SourceLoader;

/// Loader for `std` builds: files through `std::fs`, host memory by copy, URLs with the `http` feature.
#[derive(Debug, Default, Clone, Copy)]
pub struct StdLoader;

impl SourceLoader for StdLoader {
    /// Errors are the I/O error *kind* (`entity not found`, `permission denied`, `is a directory`),
    /// which is what upstream prints after `Unable to load Wasm file "<path>": `.
    fn read_file(&self, path: &str) -> Result<Vec<u8>, String> {
        std::fs::read(path).map_err(|e| e.kind().to_string())
    }

    /// With the `http` feature: the client's own error texts (`http status: 404`, `io: ...`).
    #[cfg(feature = "http")]
    fn fetch_url(
        &self,
        url: &str,
        headers: &BTreeMap<String, String>,
        method: Option<&str>,
    ) -> Result<Vec<u8>, String> {
        crate::http::client::fetch(url, headers, method)
    }

    #[cfg(not(feature = "http"))]
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
