//! Stepped calls: a call started without running, then run a fuel slice per step from the host's
//! own loop, possibly pausing while a host function waits for the host. Everything a plain call
//! obeys (timeout from the first slice, cancel, fuel, memory limits) holds between and within steps.

use alloc::string::String;
use alloc::vec::Vec;

use wasmi::Val;

use crate::call::{self, CallResult};
use crate::plugin::{Inner, LastError, Plugin};
use crate::run::{Outcome, Slice};
use crate::state::Stop;

/// Where a stepped call stands after a step (numbers are the C enum's).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepState {
    /// No stepped call is in progress on this plugin.
    Idle = -1,
    /// The slice's budget ran out; step again.
    Running = 0,
    /// The call ended with rc 0 and no error.
    Finished = 1,
    /// The call ended otherwise (rc and error as after a plain call).
    Failed = 2,
    /// A host function waits for the host (`resume` / `resume_error`).
    Waiting = 3,
}

pub const IN_PROGRESS: &str =
    "a stepped call is in progress on this plugin: finish it with extism_x_call_step or end it with extism_x_call_abort";

/// Why an unmetered plugin cannot take a stepped call: a step is a slice of fuel.
pub const UNMETERED: &str = "a stepped call needs fuel metering, and this plugin is compiled unmetered \
                             (extism_x_compiled_plugin_new_unmetered)";

/// Starts a call; false when it ended before running (its rc and error are then readable).
pub fn begin(plugin: &Plugin, inner: &mut Inner, name: &str, input: &[u8], host_context: usize) -> bool {
    if inner.stepped.is_some() {
        inner.set_runtime_error(IN_PROGRESS.as_bytes());
        return false;
    }
    if !plugin.compiled.metered() {
        inner.set_runtime_error(UNMETERED.as_bytes());
        inner.last_rc = crate::config::RC_ERROR;
        return false;
    }
    match call::begin(plugin, inner, name, "extism_x_call_begin", input, host_context) {
        Ok(mut started) => {
            started.name = String::from(name);
            inner.set_error(LastError::None);
            inner.stepped = Some(started);
            true
        }
        Err(result) => {
            let result = call::end_early(inner, name, result);
            inner.set_error(result.error);
            false
        }
    }
}

/// Runs one slice of at most `budget` fuel.
pub fn step(plugin: &Plugin, inner: &mut Inner, budget: u64) -> StepState {
    let Some(mut started) = inner.stepped.take() else { return StepState::Idle };
    match started.run.slice(&mut inner.store, budget, Some(&plugin.cancel)) {
        Slice::Running => {
            inner.stepped = Some(started);
            StepState::Running
        }
        Slice::Waiting => {
            inner.stepped = Some(started);
            StepState::Waiting
        }
        Slice::Done(outcome) => end(plugin, inner, started, outcome),
    }
}

fn end(plugin: &Plugin, inner: &mut Inner, mut started: call::Started, outcome: Outcome) -> StepState {
    let name = core::mem::take(&mut started.name);
    let CallResult { rc, error, .. } = call::finish(plugin, inner, &name, started, outcome);
    let success = rc == 0 && matches!(error, LastError::None);
    inner.set_error(error);
    if success {
        StepState::Finished
    } else {
        StepState::Failed
    }
}

/// Ends the call in progress as failed (rc -1, `message`); false if none was in progress.
pub fn fail(plugin: &Plugin, inner: &mut Inner, message: String) -> bool {
    let Some(mut started) = inner.stepped.take() else { return false };
    started.run.abandon();
    inner.store.data_mut().stop = Some(Stop::Host(message.clone()));
    end(plugin, inner, started, Outcome::HostError(wasmi::Error::new(message)));
    true
}

/// The result types the waiting host function must be answered with.
pub fn waiting_result_types(inner: &Inner) -> Option<Vec<wasmi::ValType>> {
    let started = inner.stepped.as_ref()?;
    let func = started.run.waiting_on()?;
    Some(func.ty(&inner.store).results().to_vec())
}

/// Answers the waiting host function; the next step continues the call. An HTTP request that waits
/// is answered with `resume_http` only.
pub fn resume(inner: &mut Inner, results: Vec<Val>) -> bool {
    if crate::http::handler::is_pending(inner.store.data()) {
        return false;
    }
    match inner.stepped.as_mut() {
        Some(started) => started.run.supply(results),
        None => false,
    }
}

/// Answers the HTTP request the call waits on (see `http::handler::resume`): the body's handle goes to
/// the plugin, or the call fails, or (after a redirect) the handler was asked again and may wait
/// again. False if the call does not wait on an HTTP request.
pub fn resume_http<'h>(
    plugin: &Plugin,
    inner: &mut Inner,
    status: i32,
    headers: impl Iterator<Item = (&'h [u8], &'h [u8])>,
    body: &[u8],
) -> bool {
    if !inner.stepped.as_ref().is_some_and(|s| s.run.is_waiting()) {
        return false;
    }
    let Some(answer) = crate::http::handler::resume(inner.store.data_mut(), status, headers, body) else {
        return false;
    };
    match answer {
        Ok(crate::http::handler::Served::Block(block)) => resume_with(inner, block),
        Ok(crate::http::handler::Served::Wait) => true,
        Err(crate::http::Failure::Error(message)) => fail(plugin, inner, message),
        // Out of time: the next step ends the call as a timeout (it checks before resuming).
        Err(crate::http::Failure::Timeout) => true,
    }
}

fn resume_with(inner: &mut Inner, block: u64) -> bool {
    match inner.stepped.as_mut() {
        Some(started) => started.run.supply(alloc::vec![Val::I64(block as i64)]),
        None => false,
    }
}
