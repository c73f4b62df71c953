//! Helpers shared by the fuzz targets.

use std::collections::BTreeMap;
use std::ffi::CStr;
use std::os::raw::c_char;

use extism::manifest::SourceLoader;

/// A source loader that never touches the file system, the network or host memory: fuzz input may
/// name any path, URL or `{ptr, len}`, and by the manifest contract a `ptr` is trusted (reading it
/// would crash the fuzzer for no finding). Each source kind answers deterministically from its name
/// so both the success and the failure paths of `load` are reached.
pub struct FuzzLoader;

/// A tiny valid module (exports nothing) for sources that "load".
pub const EMPTY_MODULE: &[u8] = b"\0asm\x01\0\0\0";

impl SourceLoader for FuzzLoader {
    fn read_file(&self, path: &str) -> Result<Vec<u8>, String> {
        match path.len() % 3 {
            0 => Err(format!("no such file: {path}")),
            1 => Ok(EMPTY_MODULE.to_vec()),
            _ => Ok(path.as_bytes().to_vec()),
        }
    }

    fn fetch_url(
        &self,
        url: &str,
        headers: &BTreeMap<String, String>,
        method: Option<&str>,
    ) -> Result<Vec<u8>, String> {
        match (url.len() + headers.len() + method.map_or(0, str::len)) % 3 {
            0 => Err(format!("unreachable: {url}")),
            1 => Ok(EMPTY_MODULE.to_vec()),
            _ => Ok(url.as_bytes().to_vec()),
        }
    }

    fn read_host_memory(&self, ptr: u64, len: u64) -> Result<Vec<u8>, String> {
        if len == 0 {
            return Ok(Vec::new());
        }
        if ptr % 2 == 0 {
            Err("refused by the fuzz loader".into())
        } else {
            Ok(EMPTY_MODULE.to_vec())
        }
    }
}

/// A C string the library handed out: must be valid UTF-8 (our error texts always are).
///
/// # Safety
/// `p` is NULL or a NUL-terminated string that stays valid while the result is used.
pub unsafe fn c_text<'a>(p: *const c_char) -> Option<&'a str> {
    if p.is_null() {
        return None;
    }
    // SAFETY: caller's promise.
    let s = unsafe { CStr::from_ptr(p) };
    Some(s.to_str().expect("library error texts are UTF-8"))
}

/// Reads `len` bytes at `data` (so a wrong pointer or length shows up under ASan or as a fault).
///
/// # Safety
/// `data` points at `len` readable bytes, or `len` is 0.
pub unsafe fn read_all(data: *const u8, len: u64) -> Vec<u8> {
    if len == 0 {
        return Vec::new();
    }
    assert!(!data.is_null(), "non-empty output with a NULL pointer");
    // SAFETY: caller's promise.
    unsafe { std::slice::from_raw_parts(data, len as usize) }.to_vec()
}
