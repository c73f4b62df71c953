//! The HTTP client (`http` feature): ureq 3 with rustls and gzip, as upstream's.
//!
//! A plugin request runs on a helper thread with its own ureq agent while the calling thread waits,
//! checking the call's cancel flag every `config::HTTP_POLL_MS`. A cancel shuts the agent down
//! (which interrupts its socket reads and writes, TLS handshakes included) and ends the call as a
//! timeout at once; the helper then finishes by itself. Name resolution and a TCP connect in progress
//! cannot be interrupted: the helper stays in them until they end or time out, but the call has
//! already returned.
//!
//! The deadline is the agent's global timeout (the time left when the request starts). As upstream,
//! running out of time before the response arrives ends the call as a timeout (rc 134), while
//! running out of time during the body is an ordinary failure (rc -1). Should the agent overrun the
//! deadline by `config::HTTP_DEADLINE_GRACE_MS`, the call stops waiting and times out.
//!
//! Redirects are followed here, not by ureq, so that each target's host is checked against
//! `allowed_hosts` (upstream follows redirects anywhere).

extern crate std;

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use std::io::{ErrorKind, Read};
use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use ureq::http::{self, header, StatusCode};
use ureq::Agent;

use super::{host_allowed, method_or_get, not_allowed, too_large, Failure, Request};
use crate::config;
use crate::hooks;
use crate::state::State;

/// Everything the helper thread needs (owned).
struct Job {
    url: url::Url,
    method: String,
    headers: BTreeMap<String, String>,
    body: Option<Vec<u8>>,
    allowed_hosts: Option<Vec<String>>,
    max: u64,
}

struct Response {
    status: u16,
    headers: BTreeMap<String, String>,
    body: Vec<u8>,
}

enum JobError {
    /// The client timed out before the response arrived (the text is the client's, used when the
    /// call has no deadline).
    Timeout(String),
    /// Anything else, including a timeout while reading the body.
    Other(String),
}

/// A plugin's request (host of `req.url` not yet checked).
pub(crate) fn perform(state: &mut State, req: Request, body: Option<&[u8]>) -> Result<Vec<u8>, Failure> {
    let url = url::Url::parse(&req.url).map_err(|e| Failure::Error(format!("Invalid URL: {e:?}")))?;
    let allowed_hosts = state.http.allowed_hosts.clone();
    if !host_allowed(allowed_hosts.as_deref(), url.host_str().unwrap_or_default()) {
        return Err(Failure::Error(not_allowed(&req.url)));
    }
    let deadline = state.deadline_ns;
    let cancel = state.cancel.clone();
    // Nanoseconds left before `d` (0 without a clock).
    let left = |d: u64| hooks::now_ns().map_or(0, |now| d.saturating_sub(now));
    let cancelled = || cancel.as_ref().is_some_and(|c| c.is_requested());
    let grace = config::HTTP_DEADLINE_GRACE_MS.saturating_mul(1_000_000);
    let overrun = || deadline.is_some_and(|d| left(d.saturating_add(grace)) == 0);
    if cancelled() || deadline.is_some_and(|d| left(d) == 0) {
        return Err(Failure::Timeout);
    }
    let agent = plugin_agent(deadline.map(|d| Duration::from_nanos(left(d))));
    // The memory budget: the body read here and its copy in kernel memory must both fit in what the
    // plugin has left, so the body may take half of it.
    let budget_room = state.budget.limit.map(|limit| limit.saturating_sub(state.memory_used()) / 2);
    let budget_bound = budget_room.is_some_and(|room| room < state.http.max_response_bytes);
    let max = match budget_room {
        Some(room) if budget_bound => room,
        _ => state.http.max_response_bytes,
    };
    let job = Job { url, method: req.method, headers: req.headers, body: body.map(<[u8]>::to_vec), allowed_hosts, max };
    let (tx, rx) = mpsc::sync_channel(1);
    let worker = agent.clone();
    let helper = std::thread::Builder::new()
        .name("extism-http".into())
        .spawn(move || {
            let _ = tx.send(run(&worker, job));
        })
        .map_err(|e| Failure::Error(format!("failed to start the HTTP request: {e}")))?;
    let outcome = loop {
        match rx.recv_timeout(Duration::from_millis(config::HTTP_POLL_MS)) {
            Ok(outcome) => {
                // The helper has sent its last word and is exiting: wait for it, so no thread (and
                // none of its thread-local state, such as libc's resolver context) outlives the
                // request. Only a cancelled or overrun request leaves its helper to finish alone.
                let _ = helper.join();
                break outcome;
            }
            Err(RecvTimeoutError::Timeout) if cancelled() || overrun() => {
                agent.shutdown();
                return Err(Failure::Timeout);
            }
            Err(RecvTimeoutError::Timeout) => {}
            Err(RecvTimeoutError::Disconnected) => {
                return Err(Failure::Error("the HTTP request stopped unexpectedly".into()));
            }
        }
    };
    match outcome {
        Ok(response) => {
            state.http.status = response.status;
            // As upstream, headers are only kept while the host lets plugins read them.
            if state.http.headers_enabled {
                state.http.headers = response.headers;
            }
            Ok(response.body)
        }
        Err(_) if cancelled() => Err(Failure::Timeout),
        Err(JobError::Other(message)) if budget_bound && message == too_large(max) => {
            state.budget.spent = true;
            Err(Failure::Error(state.oom_text()))
        }
        Err(JobError::Timeout(_)) if deadline.is_some() => Err(Failure::Timeout),
        Err(JobError::Timeout(message) | JobError::Other(message)) => Err(Failure::Error(message)),
    }
}

/// A fresh agent for one plugin request: any status is a response, redirects come back to us.
fn plugin_agent(timeout: Option<Duration>) -> Agent {
    Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(timeout)
        .build()
        .new_agent()
}

fn client_error(e: ureq::Error) -> JobError {
    match e {
        ureq::Error::Timeout(_) => JobError::Timeout(e.to_string()),
        ureq::Error::Io(ref io) if io.kind() == ErrorKind::TimedOut => JobError::Timeout(e.to_string()),
        e => JobError::Other(e.to_string()),
    }
}

/// A failure while reading the body: never a timeout of the call (as upstream).
fn body_error(e: std::io::Error) -> JobError {
    JobError::Other(format!("failed to read the HTTP response body: {e}"))
}

/// Sends `job`, following redirects to allowed hosts, and reads at most `max + 1` body bytes.
fn run(agent: &Agent, job: Job) -> Result<Response, JobError> {
    let Job { mut url, mut method, mut headers, mut body, allowed_hosts, max } = job;
    let mut redirects = 0;
    loop {
        let response = send(agent, url.as_str(), &method, &headers, body.as_deref())?;
        let status = response.status();
        if let Some(next) = redirect_target(&response, &url)? {
            if redirects == config::HTTP_MAX_REDIRECTS {
                return Err(JobError::Other(ureq::Error::TooManyRedirects.to_string()));
            }
            redirects += 1;
            if !host_allowed(allowed_hosts.as_deref(), next.host_str().unwrap_or_default()) {
                return Err(JobError::Other(not_allowed(next.as_str())));
            }
            // As browsers (and ureq): 303 becomes GET, and so do 301/302 for anything but GET/HEAD;
            // 307/308 resend the method and the body. Credentials are not forwarded.
            if status == StatusCode::SEE_OTHER
                || (matches!(status, StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND) && method != "HEAD")
            {
                method = "GET".to_string();
                body = None;
            }
            headers.retain(|name, _| !name.eq_ignore_ascii_case("authorization"));
            url = next;
            continue;
        }
        let mut names = BTreeMap::new();
        for (name, value) in response.headers() {
            if let Ok(value) = value.to_str() {
                names.insert(name.as_str().to_string(), value.to_string());
            }
        }
        let mut bytes = Vec::new();
        response
            .into_body()
            .into_reader()
            .take(max.saturating_add(1))
            .read_to_end(&mut bytes)
            .map_err(body_error)?;
        if bytes.len() as u64 > max {
            return Err(JobError::Other(too_large(max)));
        }
        return Ok(Response { status: status.as_u16(), headers: names, body: bytes });
    }
}

fn send(
    agent: &Agent,
    url: &str,
    method: &str,
    headers: &BTreeMap<String, String>,
    body: Option<&[u8]>,
) -> Result<http::Response<ureq::Body>, JobError> {
    let mut builder = http::Request::builder().method(method).uri(url);
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let other = |e: http::Error| JobError::Other(e.to_string());
    let result = match body {
        Some(bytes) => agent.run(builder.body(bytes).map_err(other)?),
        None => agent.run(builder.body(()).map_err(other)?),
    };
    result.map_err(client_error)
}

/// Where a 301/302/303/307/308 response with a usable `Location` points.
fn redirect_target(response: &http::Response<ureq::Body>, base: &url::Url) -> Result<Option<url::Url>, JobError> {
    let status = response.status().as_u16();
    if !matches!(status, 301 | 302 | 303 | 307 | 308) {
        return Ok(None);
    }
    let Some(location) = response.headers().get(header::LOCATION) else {
        return Ok(None);
    };
    let location = location
        .to_str()
        .map_err(|_| JobError::Other("redirect Location is not valid text".into()))?;
    base.join(location)
        .map(Some)
        .map_err(|e| JobError::Other(format!("Invalid redirect URL {location:?}: {e:?}")))
}

/// Downloads a manifest `url` source (upstream's client defaults: a status of 400 or more is the
/// error `http status: <n>`, redirects followed anywhere). At most `config::MAX_URL_SOURCE_BYTES`.
pub fn fetch(url: &str, headers: &BTreeMap<String, String>, method: Option<&str>) -> Result<Vec<u8>, String> {
    let agent = Agent::config_builder().max_redirects(config::HTTP_MAX_REDIRECTS).build().new_agent();
    let method = method_or_get(method);
    let mut builder = http::Request::builder().method(method.as_str()).uri(url);
    for (name, value) in headers {
        builder = builder.header(name.as_str(), value.as_str());
    }
    let request = builder.body(()).map_err(|e| e.to_string())?;
    let response = agent.run(request).map_err(|e| e.to_string())?;
    let max = config::MAX_URL_SOURCE_BYTES;
    let mut bytes = Vec::new();
    response
        .into_body()
        .into_reader()
        .take(max + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > max {
        return Err(format!("URL source exceeds the maximum number of bytes: {max}"));
    }
    Ok(bytes)
}
