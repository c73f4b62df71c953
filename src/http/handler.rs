//! Plugin requests served by the host (`extism_x_set_http_handler`, `extism_x_plugin_set_http_handler`):
//! the host's handler gets each request after the runtime's checks and answers now, fails, or (in a
//! stepped call) waits and is answered later with `resume`. No OS needed: in a build without the
//! `http` feature (the firmware) this is the only way a plugin reaches the network.
//!
//! The runtime keeps the rules of the built-in client: `allowed_hosts` is checked before the handler
//! sees a request; a 301/302/303/307/308 answer with a `Location` is followed here (the handler does
//! not follow redirects), each target checked again, at most `config::HTTP_MAX_REDIRECTS` hops; a
//! body over `memory.max_http_response_bytes` is refused before anything is copied, and the body is
//! copied once, straight into kernel memory, whose growth the memory budget bounds; a handler that
//! returns after the call's deadline or a cancel ends the call as a timeout (as a response that came
//! too late does), and a request that waits is ended by the stepped call's timeout or cancel.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use core::fmt;

use super::{host_allowed, not_allowed, too_large, url_parts, Failure, Request};
use crate::config;
use crate::hooks;
use crate::state::State;
use crate::sync::Lock;

/// A request as the handler sees it (after the checks; a redirect's follow-up is a new one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outgoing {
    pub method: String,
    pub url: String,
    /// As the plugin gave them (a redirect drops `authorization`).
    pub headers: BTreeMap<String, String>,
    /// None: the plugin sent no body.
    pub body: Option<alloc::vec::Vec<u8>>,
    redirects: u32,
}

/// What the handler returned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The response was given (`Responder::respond`).
    Ok,
    /// The request failed (the handler's text, or `Responder::fail`'s).
    Error,
    /// Answer later (`resume`); only a stepped call can wait.
    Wait,
}

/// The host's handler: the request, the milliseconds left before the call's deadline (None: no
/// deadline), and where the response goes.
pub type HandlerFn = dyn Fn(&Outgoing, Option<u64>, &mut Responder<'_>) -> Answer + Send + Sync;

/// A handler as the runtime keeps it (per plugin, process-wide, and with a waiting request).
#[derive(Clone)]
pub struct Handler(pub Arc<HandlerFn>);

impl fmt::Debug for Handler {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Handler")
    }
}

/// The process-wide handler (`extism_x_set_http_handler`): used by plugins without their own.
static DEFAULT: Lock<Option<Handler>> = Lock::new(None);

pub fn set_default(handler: Option<Handler>) {
    *DEFAULT.lock() = handler;
}

/// The handler serving `state`'s requests: the plugin's own, else the process-wide one.
pub fn current(state: &State) -> Option<Handler> {
    state.http.handler.clone().or_else(|| DEFAULT.lock().clone())
}

/// A request waiting for the host (a stepped call paused in `http_request`).
#[derive(Debug, Clone)]
pub struct Pending {
    request: Outgoing,
    handler: Handler,
}

/// A response whose body is in kernel memory already.
struct Reply {
    status: u16,
    headers: BTreeMap<String, String>,
    /// Kernel offset of the body block (0: empty).
    block: u64,
}

/// Where a handler's response goes: copied once into the plugin's kernel memory, after the checks.
pub struct Responder<'a> {
    state: &'a mut State,
    reply: Option<Reply>,
    /// Why the response was refused, or the handler's own failure text.
    refused: Option<String>,
}

impl<'a> Responder<'a> {
    fn new(state: &'a mut State) -> Self {
        Responder { state, reply: None, refused: None }
    }

    /// Takes the response: false when it is refused (the request then fails with the reason, whatever
    /// the handler returns). A second call replaces the first response.
    pub fn respond<'h>(&mut self, status: i32, headers: impl Iterator<Item = (&'h [u8], &'h [u8])>, body: &[u8]) -> bool {
        self.drop_reply();
        if self.refused.is_some() {
            return false;
        }
        let Some(status) = u16::try_from(status).ok().filter(|s| (100..=999).contains(s)) else {
            self.refused = Some(alloc::format!("the HTTP handler answered an invalid status: {status}"));
            return false;
        };
        let max = self.state.http.max_response_bytes;
        if body.len() as u64 > max {
            self.refused = Some(too_large(max));
            return false;
        }
        let mut names = BTreeMap::new();
        for (name, value) in headers {
            let (Ok(name), Ok(value)) = (core::str::from_utf8(name), core::str::from_utf8(value)) else {
                // As the built-in client: a header that is not text is left out.
                continue;
            };
            names.insert(name.to_ascii_lowercase(), value.to_string());
        }
        let block = if body.is_empty() {
            0
        } else {
            match self.state.kernel.alloc_bytes(body) {
                Some(block) => block,
                None => {
                    let text = self.state.budget_refusal().unwrap_or_else(|| "failed to allocate extism memory".into());
                    self.refused = Some(text);
                    return false;
                }
            }
        };
        self.reply = Some(Reply { status, headers: names, block });
        true
    }

    /// The request fails with `message` (whatever the handler returns).
    pub fn fail(&mut self, message: String) {
        self.drop_reply();
        self.refused.get_or_insert(message);
    }

    fn drop_reply(&mut self) {
        if let Some(reply) = self.reply.take() {
            self.state.kernel.free(reply.block);
        }
    }
}

/// How a request through the handler stands.
pub enum Served {
    /// The final response's body, in kernel memory (0: empty); status and headers are in `state.http`.
    Block(u64),
    /// The handler waits: the stepped call pauses until `resume`.
    Wait,
}

/// Serves the plugin's request `req` through `handler` (the request's host not yet checked).
pub fn perform(state: &mut State, handler: Handler, req: Request, body: Option<&[u8]>) -> Result<Served, Failure> {
    check_host(state, &req.url)?;
    let text = |s: &str| !s.contains('\0');
    // The handler gets C strings: a NUL inside one would cut it short.
    if !text(&req.url) || !text(&req.method) || !req.headers.iter().all(|(n, v)| text(n) && text(v)) {
        return Err(Failure::Error("HTTP request URL, method or header contains a NUL byte".to_string()));
    }
    let request = Outgoing { method: req.method, url: req.url, headers: req.headers, body: body.map(<[u8]>::to_vec), redirects: 0 };
    exchange(state, handler, request)
}

/// Whether a request waits for the host (`resume` answers it).
pub fn is_pending(state: &State) -> bool {
    state.http.pending.is_some()
}

/// Answers the waiting request: the response as `Responder::respond` takes it; a redirect is followed
/// (the handler is asked again, and may wait again). None if no request waits.
pub fn resume<'h>(
    state: &mut State,
    status: i32,
    headers: impl Iterator<Item = (&'h [u8], &'h [u8])>,
    body: &[u8],
) -> Option<Result<Served, Failure>> {
    let Pending { mut request, handler } = *state.http.pending.take()?;
    let mut responder = Responder::new(state);
    responder.respond(status, headers, body);
    Some(settle(into_settled(responder), Answer::Ok, &mut request).and_then(|done| match done {
        Some(block) => Ok(Served::Block(block)),
        None => exchange(state, handler, request),
    }))
}

/// The responder's reply and refusal, handed back with the state (see `settle`).
struct Settled<'a> {
    state: &'a mut State,
    reply: Option<Reply>,
    refused: Option<String>,
}

fn into_settled(r: Responder<'_>) -> Settled<'_> {
    let Responder { state, reply, refused } = r;
    Settled { state, reply, refused }
}

/// Asks the handler until a final response, a failure or a wait.
fn exchange(state: &mut State, handler: Handler, mut request: Outgoing) -> Result<Served, Failure> {
    loop {
        if out_of_time(state) {
            return Err(Failure::Timeout);
        }
        let left_ms = state.deadline_ns.map(|d| hooks::now_ns().map_or(0, |now| d.saturating_sub(now)) / 1_000_000);
        let mut responder = Responder::new(state);
        let answer = (handler.0)(&request, left_ms, &mut responder);
        let mut settled = into_settled(responder);
        if out_of_time(settled.state) {
            discard(&mut settled);
            return Err(Failure::Timeout);
        }
        if answer == Answer::Wait && settled.refused.is_none() {
            discard(&mut settled);
            let state = settled.state;
            state.http.pending = Some(alloc::boxed::Box::new(Pending { request, handler }));
            state.waiting_function.clear();
            state.waiting_function.extend_from_slice(b"extism:host/env::http_request\0");
            return Ok(Served::Wait);
        }
        if let Some(block) = settle(settled, answer, &mut request)? {
            return Ok(Served::Block(block));
        }
    }
}

fn discard(settled: &mut Settled<'_>) {
    if let Some(reply) = settled.reply.take() {
        settled.state.kernel.free(reply.block);
    }
}

/// The call's deadline has passed or it was cancelled.
fn out_of_time(state: &State) -> bool {
    state.cancel.as_ref().is_some_and(|c| c.is_requested())
        || state.deadline_ns.is_some_and(|d| hooks::now_ns().is_none_or(|now| now >= d))
}

/// What a handler's answer means: Some(body block) for a final response, None when `request` was
/// turned into a redirect's follow-up (ask the handler again).
fn settle(mut settled: Settled<'_>, answer: Answer, request: &mut Outgoing) -> Result<Option<u64>, Failure> {
    if let Some(reason) = settled.refused.take() {
        discard(&mut settled);
        return Err(Failure::Error(reason));
    }
    let state = settled.state;
    let reply = match (answer, settled.reply) {
        (Answer::Ok, Some(reply)) => reply,
        (Answer::Ok, None) => return Err(Failure::Error("the HTTP handler answered without a response".into())),
        (_, reply) => {
            if let Some(reply) = reply {
                state.kernel.free(reply.block);
            }
            return Err(Failure::Error("the HTTP handler failed".into()));
        }
    };
    let location = matches!(reply.status, 301 | 302 | 303 | 307 | 308).then(|| reply.headers.get("location")).flatten();
    let Some(location) = location else {
        state.http.status = reply.status;
        if state.http.headers_enabled {
            state.http.headers = reply.headers;
        }
        return Ok(Some(reply.block));
    };
    state.kernel.free(reply.block);
    if request.redirects == config::HTTP_MAX_REDIRECTS {
        return Err(Failure::Error("too many redirects".into()));
    }
    let next = url_parts::join(&request.url, location).map_err(Failure::Error)?;
    check_host(state, &next)?;
    request.redirects += 1;
    // As the built-in client: 303 becomes GET, and so do 301/302 for anything but HEAD; 307/308
    // resend the method and the body. Credentials are not forwarded.
    if reply.status == 303 || (matches!(reply.status, 301 | 302) && request.method != "HEAD") {
        request.method = "GET".to_string();
        request.body = None;
    }
    request.headers.retain(|name, _| !name.eq_ignore_ascii_case("authorization"));
    request.url = next;
    Ok(None)
}

/// `url`'s host must be allowed (the error names `url`).
fn check_host(state: &State, url: &str) -> Result<(), Failure> {
    let host = url_parts::host(url).map_err(Failure::Error)?;
    if host_allowed(state.http.allowed_hosts.as_deref(), &host) {
        Ok(())
    } else {
        Err(Failure::Error(not_allowed(url)))
    }
}
