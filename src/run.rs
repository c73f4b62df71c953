//! Running wasm code a slice of fuel at a time. Between slices the runner checks the cancel flag,
//! the deadline and the fuel limit; a plain call runs slices back to back, a stepped call
//! (`extism_x_call_step`) runs one slice per step, and a host function may pause the run until the
//! host supplies its results (`Slice::Waiting`). An unmetered plugin (`compiled::Metering::Off`)
//! runs in one slice.

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use wasmi::errors::HostError;
use wasmi::{Func, ResumableCall, ResumableCallHostTrap, ResumableCallOutOfFuel, Store, Val};

use crate::config;
use crate::hooks;
use crate::plugin::CancelHandle;
use crate::state::{State, Stop};

/// How a run of wasm code ended.
pub enum Outcome {
    Finished,
    /// A wasm trap or engine error.
    Trap(wasmi::Error),
    /// A host function or runtime import returned an error.
    HostError(wasmi::Error),
    Timeout,
    OutOfFuel,
}

/// What one slice did.
pub enum Slice {
    /// Out of slice budget; call `slice` again.
    Running,
    /// A host function asked to wait; supply its results with `Run::supply`.
    Waiting,
    Done(Outcome),
}

/// What the engine's call or resumption returned, its paused handles boxed (see `State_`).
enum Resumed {
    Finished,
    Failed(wasmi::Error),
    HostTrap(Box<ResumableCallHostTrap>),
    OutOfFuel(Box<ResumableCallOutOfFuel>),
}

impl Resumed {
    fn of(answer: Result<ResumableCall, wasmi::Error>) -> Resumed {
        match answer {
            Err(e) => Resumed::Failed(e),
            Ok(ResumableCall::Finished) => Resumed::Finished,
            Ok(ResumableCall::HostTrap(t)) => Resumed::HostTrap(Box::new(t)),
            Ok(ResumableCall::OutOfFuel(t)) => Resumed::OutOfFuel(Box::new(t)),
        }
    }
}

/// The engine refused to enter the function: its first block needs more fuel than was given.
fn refused_for_fuel(entered: &Result<ResumableCall, wasmi::Error>) -> bool {
    matches!(entered, Err(e) if e.as_trap_code() == Some(wasmi::TrapCode::OutOfFuel))
}

/// The error a host function returns to pause the run (see `Slice::Waiting`).
#[derive(Debug)]
pub struct WaitRequest;

impl fmt::Display for WaitRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("host function is waiting for the host")
    }
}

impl HostError for WaitRequest {}

/// The paused states are boxed: the engine's handle holds its call stack by value (hundreds of
/// bytes), and a `Run` moves with every call (begin, end); a pause (a slice boundary, a host
/// function that waits) is rare next to a call.
enum State_ {
    NotStarted(Func),
    OutOfFuel(Box<ResumableCallOutOfFuel>),
    /// Paused in a host function; `Some(results)` once the host has answered.
    Waiting(Box<ResumableCallHostTrap>, Option<Vec<Val>>),
    Done,
}

pub struct Run {
    state: State_,
    /// The export's result, if it has one (the runtime calls only exports with none or one i32):
    /// in place, so a call allocates nothing for it.
    result: [Val; 1],
    returns: bool,
    fuel_limit: Option<u64>,
    /// Fuel consumed so far.
    pub spent: u64,
    /// Counted from the first slice.
    deadline_ns: Option<u64>,
    timeout_ns: Option<u64>,
    /// The engine counts fuel; false: one slice runs the whole call (see `compiled::Metering`).
    metered: bool,
}

impl Run {
    /// `returns`: the export returns an i32 (checked by the caller), else nothing. `metered`: the
    /// store's engine counts fuel (else `fuel_limit` and `timeout_ms` must be None).
    pub fn new(func: Func, returns: bool, fuel_limit: Option<u64>, timeout_ms: Option<u64>, metered: bool) -> Run {
        Run {
            result: [Val::I32(0)],
            returns,
            state: State_::NotStarted(func),
            fuel_limit,
            spent: 0,
            deadline_ns: None,
            timeout_ns: timeout_ms.map(|ms| ms.saturating_mul(1_000_000)),
            metered,
        }
    }

    pub fn results(&self) -> &[Val] {
        &self.result[..usize::from(self.returns)]
    }

    /// Where the engine writes the results: as many slots as the export has.
    fn results_mut(&mut self) -> &mut [Val] {
        &mut self.result[..usize::from(self.returns)]
    }

    pub fn is_waiting(&self) -> bool {
        matches!(self.state, State_::Waiting(_, None))
    }

    /// The host function the run waits on, if any.
    pub fn waiting_on(&self) -> Option<Func> {
        match &self.state {
            State_::Waiting(t, None) => Some(t.host_func()),
            _ => None,
        }
    }

    /// Gives a waiting host function its results; false if nothing waits.
    pub fn supply(&mut self, results: Vec<Val>) -> bool {
        match &mut self.state {
            State_::Waiting(_, answer @ None) => {
                *answer = Some(results);
                true
            }
            _ => false,
        }
    }

    /// Ends the run as failed (abort, or a failure answered for a waiting host function).
    pub fn abandon(&mut self) {
        self.state = State_::Done;
    }

    /// Runs up to `budget` fuel (more if one instruction needs more), then reports. Unmetered, a
    /// slice runs until the call ends or a host function waits.
    pub fn slice(&mut self, store: &mut Store<State>, budget: u64, cancel: Option<&CancelHandle>) -> Slice {
        if self.deadline_ns.is_none() {
            if let Some(t) = self.timeout_ns {
                self.deadline_ns = Some(hooks::now_ns().unwrap_or(0).saturating_add(t));
            }
        }
        // The deadline is not checked before the first slice: a quick export finishes even with
        // `timeout_ms: 0` (as upstream); a cancel is honoured at once.
        // Imports that wait (HTTP) stop at the same deadline.
        store.data_mut().deadline_ns = self.deadline_ns;
        let started = !matches!(self.state, State_::NotStarted(_));
        if let Some(done) = self.stop_reason(cancel, started) {
            self.state = State_::Done;
            return Slice::Done(done);
        }
        let mut given = match self.metered {
            true => match self.give_fuel(store, budget) {
                Some(given) => given,
                None => return Slice::Done(Outcome::OutOfFuel),
            },
            false => 0,
        };
        // The engine's answer is settled where it is made (its paused handles boxed), not moved
        // whole: it holds a call stack by value.
        let resumed = match core::mem::replace(&mut self.state, State_::Done) {
            State_::NotStarted(func) => {
                let entered = func.call_resumable(&mut *store, &[], self.results_mut());
                if self.metered && refused_for_fuel(&entered) {
                    match self.enter_with_more_fuel(store, func, &mut given, entered) {
                        Some(resumed) => resumed,
                        None => return Slice::Done(Outcome::OutOfFuel),
                    }
                } else {
                    Resumed::of(entered)
                }
            }
            State_::OutOfFuel(t) => Resumed::of(t.resume(&mut *store, self.results_mut())),
            State_::Waiting(t, Some(answer)) => Resumed::of(t.resume(&mut *store, &answer, self.results_mut())),
            State_::Waiting(t, None) => {
                self.state = State_::Waiting(t, None);
                return Slice::Waiting;
            }
            State_::Done => return Slice::Done(Outcome::Trap(wasmi::Error::new("the call has already ended"))),
        };
        if self.metered {
            // Fuel taken by calls across an import cycle was added to the store's during the slice.
            let taken = core::mem::take(&mut store.data_mut().fuel).taken;
            let used = given.saturating_add(taken).saturating_sub(store.get_fuel().unwrap_or(0));
            self.spent = self.spent.saturating_add(used);
        }
        // An import that waited (HTTP) saw the deadline pass or a cancel.
        if store.data().stop == Some(Stop::Timeout) {
            store.data_mut().stop = None;
            self.state = State_::Done;
            return Slice::Done(Outcome::Timeout);
        }
        match resumed {
            Resumed::Failed(e) => Slice::Done(Outcome::Trap(e)),
            Resumed::Finished => Slice::Done(Outcome::Finished),
            Resumed::HostTrap(t) => {
                if t.host_error().downcast_ref::<WaitRequest>().is_some() {
                    self.state = State_::Waiting(t, None);
                    return Slice::Waiting;
                }
                Slice::Done(Outcome::HostError(t.into_host_error()))
            }
            Resumed::OutOfFuel(t) => {
                let exhausted = self.fuel_limit.is_some_and(|l| self.spent >= l);
                self.state = State_::OutOfFuel(t);
                if exhausted {
                    self.state = State_::Done;
                    return Slice::Done(Outcome::OutOfFuel);
                }
                Slice::Running
            }
        }
    }

    /// Puts this slice's fuel into the store (`budget`, within the fuel limit); None when the limit
    /// is spent (the run is then done). The part of the limit not given stays in `State::fuel` for
    /// calls across an import cycle.
    fn give_fuel(&mut self, store: &mut Store<State>, budget: u64) -> Option<u64> {
        // An instruction that stopped for fuel (a bulk copy, fill or table.grow can cost more than a
        // slice) needs its whole cost at once, and what ran before it in its block is charged again
        // when it resumes: give the cost on top of a slice, or it could stop at the same place forever.
        let (required, wanted) = match &self.state {
            State_::OutOfFuel(t) => (t.required_fuel(), budget.saturating_add(t.required_fuel())),
            _ => (1, budget.max(1)),
        };
        let given = match self.fuel_limit {
            Some(limit) => {
                let left = limit.saturating_sub(self.spent);
                if left < required && !matches!(self.state, State_::NotStarted(_)) {
                    self.state = State_::Done;
                    return None;
                }
                left.min(wanted)
            }
            None => wanted,
        };
        // Fails only in an engine without metering, which the caller rules out.
        if store.set_fuel(given).is_err() {
            self.state = State_::Done;
            return None;
        }
        let reserve = self.fuel_limit.map(|limit| limit.saturating_sub(self.spent).saturating_sub(given));
        store.data_mut().fuel = crate::state::FuelReserve { left: reserve, taken: 0 };
        Some(given)
    }

    /// Entering a function needs a minimum of fuel at once (wasmi charges its first block up front)
    /// and refuses, without running anything, when the slice is smaller: double the slice until it
    /// enters, within the fuel limit (None: it never will). `given` becomes the fuel given.
    fn enter_with_more_fuel(
        &mut self,
        store: &mut Store<State>,
        func: Func,
        given: &mut u64,
        mut entered: Result<ResumableCall, wasmi::Error>,
    ) -> Option<Resumed> {
        while refused_for_fuel(&entered) {
            let more = given.saturating_mul(2);
            if self.fuel_limit.is_some_and(|limit| more > limit.saturating_sub(self.spent)) || more == *given {
                return None;
            }
            *given = more;
            store.data_mut().fuel.left =
                self.fuel_limit.map(|limit| limit.saturating_sub(self.spent).saturating_sub(more));
            if store.set_fuel(more).is_err() {
                break;
            }
            entered = func.call_resumable(&mut *store, &[], self.results_mut());
        }
        Some(Resumed::of(entered))
    }

    /// A cancel or a passed deadline ends the run between slices.
    fn stop_reason(&self, cancel: Option<&CancelHandle>, check_deadline: bool) -> Option<Outcome> {
        if cancel.is_some_and(|c| c.is_requested()) {
            return Some(Outcome::Timeout);
        }
        if let (Some(deadline), true) = (self.deadline_ns, check_deadline) {
            if hooks::now_ns().is_none_or(|now| now >= deadline) {
                return Some(Outcome::Timeout);
            }
        }
        None
    }

    /// Runs slices back to back until the run ends (a plain call). A host function cannot wait here.
    pub fn to_end(&mut self, store: &mut Store<State>, cancel: Option<&CancelHandle>) -> Outcome {
        loop {
            match self.slice(store, config::FUEL_SLICE, cancel) {
                Slice::Running => continue,
                Slice::Done(outcome) => return outcome,
                Slice::Waiting => {
                    self.state = State_::Done;
                    return Outcome::HostError(wasmi::Error::new(String::from(
                        "a host function asked to wait, which only a stepped call (extism_x_call_step) allows",
                    )));
                }
            }
        }
    }
}
