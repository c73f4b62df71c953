//! Extensions: HTTP through a host handler (`extism_x_set_http_handler`,
//! `extism_x_plugin_set_http_handler`, `extism_x_http_respond`, `extism_x_http_fail`,
//! `extism_x_call_resume_http`). The rules live in `crate::http::handler`; this file converts.

use alloc::string::String;
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ffi::{c_char, c_void};

use super::types::*;
use super::{c_bytes, c_str, lock_idle, plugin_ref};
use crate::http::handler::{self, Answer, Handler, Outgoing, Responder};
use crate::step;

/// `ExtismXHttpRequest`, laid out as the header declares it.
#[repr(C)]
pub struct ExtismXHttpRequest {
    pub method: *const c_char,
    pub url: *const c_char,
    pub header_names: *const *const c_char,
    pub header_values: *const *const c_char,
    pub n_headers: usize,
    pub body: *const u8,
    pub body_len: usize,
    pub timeout_ms: u64,
}

/// `ExtismXHttpResponse`: where the handler's answer goes (valid during the handler call).
pub type ExtismXHttpResponse = Responder<'static>;

/// `ExtismXHttpHandlerFn`; NULL removes a handler.
pub type ExtismXHttpHandlerFn =
    Option<unsafe extern "C" fn(user_data: *mut c_void, request: *const ExtismXHttpRequest, response: *mut ExtismXHttpResponse) -> i32>;

/// The C strings of one request, kept while the handler runs.
struct CRequest {
    strings: Vec<Vec<u8>>,
}

impl CRequest {
    /// `text` NUL-terminated (the runtime refused requests with NUL bytes before the handler).
    fn push(&mut self, text: &str) -> *const c_char {
        let mut bytes = Vec::with_capacity(text.len() + 1);
        bytes.extend_from_slice(text.as_bytes());
        bytes.push(0);
        let ptr = bytes.as_ptr() as *const c_char;
        // The heap buffer does not move when the Vec holding it grows.
        self.strings.push(bytes);
        ptr
    }
}

/// A C handler as the core's `Handler`.
fn wrap(callback: unsafe extern "C" fn(*mut c_void, *const ExtismXHttpRequest, *mut ExtismXHttpResponse) -> i32, user_data: usize) -> Handler {
    Handler(Arc::new(move |request: &Outgoing, left_ms: Option<u64>, responder: &mut Responder<'_>| {
        let mut c = CRequest { strings: Vec::with_capacity(2 + 2 * request.headers.len()) };
        let method = c.push(&request.method);
        let url = c.push(&request.url);
        let names: Vec<*const c_char> = request.headers.keys().map(|n| c.push(n)).collect();
        let values: Vec<*const c_char> = request.headers.values().map(|v| c.push(v)).collect();
        let (body, body_len) = match &request.body {
            Some(b) => (if b.is_empty() { b"".as_ptr() } else { b.as_ptr() }, b.len()),
            None => (core::ptr::null(), 0),
        };
        let creq = ExtismXHttpRequest {
            method,
            url,
            header_names: if names.is_empty() { core::ptr::null() } else { names.as_ptr() },
            header_values: if values.is_empty() { core::ptr::null() } else { values.as_ptr() },
            n_headers: names.len(),
            body,
            body_len,
            timeout_ms: left_ms.unwrap_or(u64::MAX),
        };
        let response = responder as *mut Responder<'_> as *mut ExtismXHttpResponse;
        // SAFETY: the host's callback; the request and every string it points to live until it
        // returns, and the response pointer is only used by our functions during the call.
        match unsafe { callback(user_data as *mut c_void, &creq, response) } {
            0 => Answer::Ok,
            2 => Answer::Wait,
            _ => Answer::Error,
        }
    }))
}

fn handler_of(handler: ExtismXHttpHandlerFn, user_data: *mut c_void) -> Option<Handler> {
    handler.map(|f| wrap(f, user_data as usize))
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_set_http_handler(handler: ExtismXHttpHandlerFn, user_data: *mut c_void) {
    handler::set_default(handler_of(handler, user_data));
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_plugin_set_http_handler(
    plugin: *mut ExtismPlugin,
    handler: ExtismXHttpHandlerFn,
    user_data: *mut c_void,
) -> bool {
    // SAFETY: NULL or a live plugin (header contract).
    let Some(mut inner) = (unsafe { lock_idle(plugin) }) else { return false };
    inner.store.data_mut().http.handler = handler_of(handler, user_data);
    true
}

/// The header pairs of a response, or None when the arrays are NULL with a count above 0.
///
/// # Safety
/// When the count is above 0, `names` and `values` point to that many C strings (or NULL entries).
unsafe fn header_pairs<'h>(names: *const *const c_char, values: *const *const c_char, n: usize) -> Option<Vec<(&'h [u8], &'h [u8])>> {
    if n == 0 {
        return Some(Vec::new());
    }
    if names.is_null() || values.is_null() {
        return None;
    }
    // Grown as entries are read, not sized from `n` up front: a count from C is not an allocation size.
    let mut pairs = Vec::new();
    for i in 0..n {
        // SAFETY: `n` readable entries in each array (header contract).
        let (name, value) = unsafe { (*names.add(i), *values.add(i)) };
        // SAFETY: each entry NULL or a C string (header contract); NULL entries are skipped.
        if let (Some(name), Some(value)) = unsafe { (c_str(name), c_str(value)) } {
            pairs.push((name, value));
        }
    }
    Some(pairs)
}

/// A response's header pairs and body, borrowed from the host's arrays.
type HostResponse<'h> = (Vec<(&'h [u8], &'h [u8])>, &'h [u8]);

/// The headers and body of a response a host hands over, or None when an array or the body is
/// NULL with a count or length above 0.
///
/// # Safety
/// As `header_pairs`; `body` points to `body_len` readable bytes when `body_len` is above 0.
unsafe fn answer<'h>(
    names: *const *const c_char,
    values: *const *const c_char,
    n: usize,
    body: *const u8,
    body_len: usize,
) -> Option<HostResponse<'h>> {
    // SAFETY: forwarded caller promises.
    Some((unsafe { header_pairs(names, values, n) }?, unsafe { c_bytes(body, body_len as u64) }?))
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_http_respond(
    response: *mut ExtismXHttpResponse,
    status: i32,
    header_names: *const *const c_char,
    header_values: *const *const c_char,
    n_headers: usize,
    body: *const u8,
    body_len: usize,
) -> bool {
    // SAFETY: NULL or the pointer the running handler received (header contract).
    let Some(responder) = (unsafe { response.as_mut() }) else { return false };
    // SAFETY: header contract.
    let Some((pairs, body)) = (unsafe { answer(header_names, header_values, n_headers, body, body_len) }) else {
        responder.fail(String::from("extism_x_http_respond: NULL headers or body with a length above 0"));
        return false;
    };
    responder.respond(status, pairs.into_iter(), body)
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_http_fail(response: *mut ExtismXHttpResponse, message: *const c_char) -> bool {
    // SAFETY: NULL or the pointer the running handler received (header contract).
    let Some(responder) = (unsafe { response.as_mut() }) else { return false };
    // SAFETY: header contract.
    let text = unsafe { c_str(message) }.map(|m| String::from_utf8_lossy(m).into_owned());
    responder.fail(text.unwrap_or_else(|| String::from("the HTTP handler failed")));
    true
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_x_call_resume_http(
    plugin: *mut ExtismPlugin,
    status: i32,
    header_names: *const *const c_char,
    header_values: *const *const c_char,
    n_headers: usize,
    body: *const u8,
    body_len: usize,
) -> bool {
    // SAFETY: NULL or a live plugin (header contract).
    let Some(p) = (unsafe { plugin_ref(plugin) }) else { return false };
    // SAFETY: header contract.
    let Some((pairs, body)) = (unsafe { answer(header_names, header_values, n_headers, body, body_len) }) else {
        return false;
    };
    let mut inner = p.lock();
    step::resume_http(p, &mut inner, status, pairs.into_iter(), body)
}
