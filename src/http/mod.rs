//! HTTP from plugins (`http_request`, `http_status_code`, `http_headers`; spec 5 and 6.4) and `url`
//! manifest sources (spec 6.2).
//!
//! This module is `no_std`: the request JSON, the `allowed_hosts` patterns (`glob`), the host's
//! handler (`handler`, which serves requests when the host set one) and what a plugin can read back
//! about the last response. The built-in client (`client`, ureq with rustls) needs the `http`
//! feature; without it and without a handler every request fails with [`NOT_AVAILABLE`].

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::Deserialize;

use crate::state::State;

#[cfg(feature = "http")]
pub mod client;
pub mod glob;
pub mod handler;
#[cfg(feature = "small-json")]
mod request_json;
mod url_parts;

#[cfg(test)]
mod tests;

/// The call error of `http_request` in a build without the `http` feature.
pub const NOT_AVAILABLE: &str = "HTTP is not available in this build";

/// What a plugin asks for: upstream's `HttpRequest` (`deny_unknown_fields`; `headers` may be absent but
/// not null, `method` may be null).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
struct RequestJson {
    url: String,
    #[serde(default)]
    headers: BTreeMap<String, String>,
    method: Option<String>,
}

/// A parsed plugin request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub url: String,
    pub headers: BTreeMap<String, String>,
    /// Upper-cased; `GET` when the JSON has none.
    pub method: String,
}

/// Parses the request JSON a plugin hands to `http_request`; the error is serde_json's text.
#[cfg(not(feature = "small-json"))]
pub fn parse_request(json: &[u8]) -> Result<Request, String> {
    let r: RequestJson = serde_json::from_slice(json).map_err(|e| e.to_string())?;
    Ok(Request {
        url: r.url,
        headers: r.headers,
        method: method_or_get(r.method.as_deref()),
    })
}

/// Parses the request JSON with the lean build's small reader (same documents, same texts).
#[cfg(feature = "small-json")]
pub fn parse_request(json: &[u8]) -> Result<Request, String> {
    let r = request_json::read(json).map_err(|e| e.to_string())?;
    Ok(Request { url: r.url, headers: r.headers, method: method_or_get(r.method.as_deref()) })
}

/// The method to send: upper-cased, `GET` by default (also for `url` manifest sources).
pub fn method_or_get(method: Option<&str>) -> String {
    method.map_or_else(|| "GET".to_string(), upper_case)
}

/// As upstream: Unicode upper case in the build with the built-in client (`poß` is sent as `POSS`).
#[cfg(feature = "http")]
fn upper_case(method: &str) -> String {
    method.to_uppercase()
}

/// Without the built-in client, ASCII upper case: Unicode's case tables would cost the firmware
/// 12 KiB of flash for methods no HTTP stack sends (a method is an ASCII token); other letters are
/// left as they are, for the host's handler to refuse.
#[cfg(not(feature = "http"))]
fn upper_case(method: &str) -> String {
    method.to_ascii_uppercase()
}

/// `allowed_hosts` says yes to `host` (the URL's host without port): absent or empty lists allow
/// nothing; otherwise one pattern must match (see [`glob`]).
pub fn host_allowed(allowed_hosts: Option<&[String]>, host: &str) -> bool {
    allowed_hosts.is_some_and(|patterns| patterns.iter().any(|p| glob::matches(p, host)))
}

/// The error text for a request to a host that is not allowed (the URL as the plugin gave it, or the
/// redirect target).
pub fn not_allowed(url: &str) -> String {
    alloc::format!("HTTP request to {url} is not allowed")
}

/// The error text for a body over `memory.max_http_response_bytes`.
pub fn too_large(max: u64) -> String {
    alloc::format!("HTTP response exceeds the configured maximum number of bytes: {max}")
}

/// A plugin store's HTTP settings and what it can read back about its last request.
#[derive(Debug, Clone, Default)]
pub struct HttpState {
    /// The manifest's `allowed_hosts` (None: no HTTP at all, as an empty list).
    pub allowed_hosts: Option<Vec<String>>,
    /// `memory.max_http_response_bytes` in force.
    pub max_response_bytes: u64,
    /// Status of the last response; 0 before any request and after a failed one.
    pub status: u16,
    /// Headers of the last response (kept only while `headers_enabled`): lower-case names, the last
    /// of duplicates.
    pub headers: BTreeMap<String, String>,
    /// `extism_plugin_allow_http_response_headers` was called (copied from the plugin at each call).
    pub headers_enabled: bool,
    /// This plugin's own handler (`extism_x_plugin_set_http_handler`); else the process-wide one.
    pub handler: Option<handler::Handler>,
    /// The request a stepped call waits on (the handler answered "wait"); boxed, as it is rare and
    /// every plugin's state carries the slot.
    pub pending: Option<alloc::boxed::Box<handler::Pending>>,
}

impl HttpState {
    pub fn new(allowed_hosts: Option<Vec<String>>, max_response_bytes: u64) -> HttpState {
        HttpState { allowed_hosts, max_response_bytes, ..HttpState::default() }
    }

    /// What `http_headers` returns: None (handle 0) while disabled, otherwise a compact JSON object
    /// with sorted keys (`{}` before any request).
    pub fn headers_json(&self) -> Option<String> {
        self.headers_enabled.then(|| headers_json(&self.headers))
    }
}

/// `{"name":"value",...}` in key order, JSON-escaped as serde_json writes it (written here, so that
/// builds without HTTP, the firmware's, link no JSON writer).
pub fn headers_json(headers: &BTreeMap<String, String>) -> String {
    let mut out = String::from("{");
    for (i, (name, value)) in headers.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_json_string(&mut out, name);
        out.push(':');
        push_json_string(&mut out, value);
    }
    out.push('}');
    out
}

/// `text` as a JSON string: serde_json's escapes (the short ones, else `\u00XX` for control bytes).
fn push_json_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\0'..='\u{1f}' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[c as usize >> 4]));
                out.push(char::from(HEX[c as usize & 15]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// How `http_request` failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The call's deadline passed or it was cancelled while the request ran: the call ends as a
    /// timeout (rc 134, `timeout`).
    Timeout,
    /// Anything else: the call fails with this text (rc -1).
    Error(String),
}

/// What `http_request` gives the plugin.
#[derive(Debug)]
pub enum Response {
    /// The built-in client's body (copied into kernel memory by the import).
    Body(Vec<u8>),
    /// A handler's body, in kernel memory already (0: empty).
    Block(u64),
    /// The handler waits for the host: the stepped call pauses (`handler::resume` answers).
    Wait,
}

/// Runs a plugin's request: forgets the previous response, parses `json`, checks the host, sends it
/// (with `body` when Some) through the host's handler when one is set, else the built-in client.
/// Status and headers of the response are left in `state.http` for `http_status_code` and
/// `http_headers`.
pub fn request(state: &mut State, json: &[u8], body: Option<&[u8]>) -> Result<Response, Failure> {
    state.http.status = 0;
    state.http.headers.clear();
    state.http.pending = None;
    match handler::current(state) {
        Some(h) => {
            let req = parse_request(json).map_err(Failure::Error)?;
            match handler::perform(state, h, req, body)? {
                handler::Served::Block(block) => Ok(Response::Block(block)),
                handler::Served::Wait => Ok(Response::Wait),
            }
        }
        None => send(state, json, body).map(Response::Body),
    }
}

#[cfg(feature = "http")]
fn send(state: &mut State, json: &[u8], body: Option<&[u8]>) -> Result<Vec<u8>, Failure> {
    let req = parse_request(json).map_err(Failure::Error)?;
    client::perform(state, req, body)
}

#[cfg(not(feature = "http"))]
fn send(_state: &mut State, _json: &[u8], _body: Option<&[u8]>) -> Result<Vec<u8>, Failure> {
    Err(Failure::Error(NOT_AVAILABLE.to_string()))
}
