//! The HTTP client (`http` feature): ureq 3 with rustls and gzip, as upstream's.
//!
//! A plugin request runs on a helper thread with its own ureq agent while the calling thread waits,
//! every `config::HTTP_POLL_MS`, for the answer, the call's cancel flag or its deadline. A cancel
//! or a passed deadline shuts the agent down (which interrupts its socket reads and writes, TLS
//! handshakes included) and ends the call as a timeout at once; the helper then finishes by itself.
//! The agent also carries the time left before the deadline as its global timeout. Name resolution
//! and a TCP connect in progress cannot be interrupted: the helper stays in them until they end or
//! time out, but the call has already returned.
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
    /// The client's timeout (the text is the client's, used when the call has no deadline).
    Timeout(String),
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
    let left = |d: u64| hooks::now_ns().map_or(0, |now| d.saturating_sub(now));
    let stopped = || cancel.as_ref().is_some_and(|c| c.is_requested()) || deadline.is_some_and(|d| left(d) == 0);
    if stopped() {
        return Err(Failure::Timeout);
    }
    let agent = plugin_agent(deadline.map(|d| Duration::from_nanos(left(d))));
    let job = Job {
        url,
        method: req.method,
        headers: req.headers,
        body: body.map(<[u8]>::to_vec),
        allowed_hosts,
        max: state.http.max_response_bytes,
    };
    let (tx, rx) = mpsc::sync_channel(1);
    let worker = agent.clone();
    std::thread::Builder::new()
        .name("extism-http".into())
        .spawn(move || {
            let _ = tx.send(run(&worker, job));
        })
        .map_err(|e| Failure::Error(format!("failed to start the HTTP request: {e}")))?;
    let outcome = loop {
        match rx.recv_timeout(Duration::from_millis(config::HTTP_POLL_MS)) {
            Ok(outcome) => break outcome,
            Err(RecvTimeoutError::Timeout) if stopped() => {
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
            state.http.headers = response.headers;
            Ok(response.body)
        }
        Err(_) if stopped() => Err(Failure::Timeout),
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

fn io_error(e: std::io::Error) -> JobError {
    if e.kind() == ErrorKind::TimedOut {
        return JobError::Timeout(e.to_string());
    }
    // ureq hands its own errors back through `Read` wrapped in io::Error.
    match e.into_inner().map(|inner| inner.downcast::<ureq::Error>()) {
        Some(Ok(ureq_error)) => client_error(*ureq_error),
        Some(Err(inner)) => JobError::Other(inner.to_string()),
        None => JobError::Other("I/O error while reading the HTTP response".into()),
    }
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
            .map_err(io_error)?;
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
