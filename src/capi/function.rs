//! `extism_function_*`: host functions made from C callbacks, and the ownership rules of their
//! `user_data` (the destructor runs exactly once, when the last owner lets go).

use alloc::boxed::Box;
use alloc::string::{String, ToString};
use alloc::sync::Arc;
use alloc::vec::Vec;
use core::ffi::{c_char, c_void};

use wasmi::Val;

use super::types::*;
use super::{c_str};
use crate::function::{HostFunction, HostStop, ValKind, DEFAULT_NAMESPACE};
use crate::log::{self, Level};
use crate::state::State;
use crate::sync::Lock;

/// The host's `user_data` and its destructor; dropping this runs the destructor (once).
struct UserData {
    ptr: usize,
    free: ExtismFreeUserData,
}

impl Drop for UserData {
    fn drop(&mut self) {
        if let (Some(free), false) = (self.free, self.ptr == 0) {
            // SAFETY: the host gave this destructor for this pointer; it runs once, here.
            unsafe { free(self.ptr as *mut c_void) };
        }
    }
}

/// A host function not yet handed to a create call.
struct Pending {
    namespace: String,
    name: String,
    params: Vec<ValKind>,
    results: Vec<ValKind>,
    callback: CCallback,
    user_data: UserData,
}

/// `ExtismFunction*`: holds the function until the first create call takes it.
pub struct ExtismFunction {
    pending: Lock<Option<Pending>>,
}

/// Why a function array could not be taken over (texts are upstream's).
pub enum TakeError {
    Null,
    AlreadyUsed,
    TooMany,
}

impl TakeError {
    pub fn message(&self) -> String {
        match self {
            TakeError::Null => "Cannot pass null pointer".to_string(),
            TakeError::AlreadyUsed => "Function cannot be registered with multiple different Plugins".to_string(),
            TakeError::TooMany => alloc::format!(
                "too many host functions (this build allows {})",
                crate::config::MAX_HOST_FUNCTIONS
            ),
        }
    }
}

/// Takes over every function of a create call's array. NULL array means none, whatever `n` says.
///
/// # Safety
/// `functions` is NULL or points to `n` pointers, each NULL or from `extism_function_new`.
pub(crate) unsafe fn take_functions(
    functions: *mut *const ExtismFunction,
    n: ExtismSize,
) -> Result<Vec<Arc<HostFunction>>, TakeError> {
    if functions.is_null() {
        return Ok(Vec::new());
    }
    if n > crate::config::MAX_HOST_FUNCTIONS as u64 {
        return Err(TakeError::TooMany);
    }
    let mut taken = Vec::with_capacity(n as usize);
    let mut failure = None;
    for i in 0..n as usize {
        // SAFETY: `functions` holds `n` entries (caller's promise).
        let f = unsafe { *functions.add(i) };
        // SAFETY: non-NULL entries come from `extism_function_new` and are still alive.
        let Some(f) = (unsafe { f.as_ref() }) else {
            failure.get_or_insert(TakeError::Null);
            continue;
        };
        match f.pending.lock().take() {
            Some(p) => taken.push(Arc::new(into_host_function(p))),
            None => {
                failure.get_or_insert(TakeError::AlreadyUsed);
            }
        }
    }
    match failure {
        Some(e) => Err(e),
        None => Ok(taken),
    }
}

/// Most values a host call converts without touching the heap.
const INLINE_VALS: usize = crate::config::HOST_CALL_INLINE_VALUES;

fn into_host_function(p: Pending) -> HostFunction {
    let Pending { namespace, name, params, results, callback, user_data } = p;
    let result_kinds = results.clone();
    let (namespace_c, name_c) = (namespace.clone(), name.clone());
    let call = move |state: &mut State, args: &[Val], rets: &mut [Val]| -> Result<(), HostStop> {
        // Capture the whole guard (not just its pointer field): its drop runs the destructor.
        let user_data = &user_data;
        let c = CCall { callback, user_data: user_data.ptr, result_kinds: &result_kinds };
        let stop = if args.len() <= INLINE_VALS && rets.len() <= INLINE_VALS {
            // Host calls are hot (millions per plugin call): values live on the stack, and only the
            // slots in use are written (no zeroing of the whole arrays).
            let mut inputs = core::mem::MaybeUninit::<[ExtismVal; INLINE_VALS]>::uninit();
            let mut outputs = core::mem::MaybeUninit::<[ExtismVal; INLINE_VALS]>::uninit();
            let (in_ptr, out_ptr) = (inputs.as_mut_ptr() as *mut ExtismVal, outputs.as_mut_ptr() as *mut ExtismVal);
            // SAFETY: both arrays hold INLINE_VALS values and at most that many are written; the
            // slices below cover exactly the slots written just before.
            let (ins, outs) = unsafe {
                for (i, arg) in args.iter().enumerate() {
                    in_ptr.add(i).write(to_c(arg));
                }
                for i in 0..rets.len() {
                    out_ptr.add(i).write(c.blank_result(i));
                }
                (core::slice::from_raw_parts(in_ptr, args.len()), core::slice::from_raw_parts_mut(out_ptr, rets.len()))
            };
            c.run(state, ins, outs, rets)
        } else {
            let ins: Vec<ExtismVal> = args.iter().map(to_c).collect();
            let mut outs: Vec<ExtismVal> = (0..rets.len()).map(|i| c.blank_result(i)).collect();
            c.run(state, &ins, &mut outs, rets)
        };
        match stop {
            None => Ok(()),
            Some(HostStop::Wait) => {
                state.waiting_function.clear();
                state.waiting_function.extend_from_slice(alloc::format!("{}::{}\0", namespace_c, name_c).as_bytes());
                Err(HostStop::Wait)
            }
            Some(stop) => Err(stop),
        }
    };
    HostFunction { namespace, name, params, results, callback: Box::new(call) }
}

/// NULL is allowed (upstream hands out a usable handle for it); calling such a function fails the call.
type CCallback = ExtismFunctionType;

/// One call of a C host function: its callback, user data and declared result types.
struct CCall<'a> {
    callback: CCallback,
    user_data: usize,
    result_kinds: &'a [ValKind],
}

impl CCall<'_> {
    /// An output slot as the callback receives it: the declared type's tag, a zero value.
    #[inline(always)]
    fn blank_result(&self, i: usize) -> ExtismVal {
        let kind = self.result_kinds.get(i).copied().unwrap_or(ValKind::I64);
        ExtismVal { t: kind as u32, v: ExtismValUnion { i64: 0 } }
    }

    /// Runs the callback on `ins`/`outs`, copies `outs` into `rets`, and returns what the callback
    /// asked of the running call (fail or wait), if anything.
    #[inline(always)]
    fn run(&self, state: &mut State, ins: &[ExtismVal], outs: &mut [ExtismVal], rets: &mut [Val]) -> Option<HostStop> {
        let in_ptr = if ins.is_empty() { core::ptr::null() } else { ins.as_ptr() };
        let out_ptr = if outs.is_empty() { core::ptr::null_mut() } else { outs.as_mut_ptr() };
        let Some(callback) = self.callback else {
            return Some(HostStop::Fail("host function has no callback (it was created with NULL)".to_string()));
        };
        state.in_host_call = true;
        state.host_request = None;
        // SAFETY: a C callback given by the host; the arrays live across the call and have the
        // lengths passed; the state pointer is valid until it returns.
        unsafe {
            callback(
                state as *mut State,
                in_ptr,
                ins.len() as u64,
                out_ptr,
                outs.len() as u64,
                self.user_data as *mut c_void,
            )
        };
        state.in_host_call = false;
        for (i, (ret, slot)) in rets.iter_mut().zip(outs.iter()).enumerate() {
            *ret = from_c(slot, self.result_kinds.get(i).copied().unwrap_or(ValKind::I64));
        }
        state.host_request.take()
    }
}

fn to_c(v: &Val) -> ExtismVal {
    // Start from an all-zero union so the unused bytes are defined for the host.
    let mut out = ExtismVal { t: 1, v: ExtismValUnion { i64: 0 } };
    match v {
        Val::I32(x) => {
            out.t = 0;
            out.v.i32 = *x;
        }
        Val::I64(x) => out.v.i64 = *x,
        Val::F32(x) => {
            out.t = 2;
            out.v.f32 = f32::from(*x);
        }
        Val::F64(x) => {
            out.t = 3;
            out.v.f64 = f64::from(*x);
        }
        _ => {}
    }
    out
}

/// Reads a result through the member of its declared type.
pub(crate) fn from_c(v: &ExtismVal, kind: ValKind) -> Val {
    // SAFETY: every member of the union is plain data; any bit pattern is a valid value.
    unsafe {
        match kind {
            ValKind::I32 => Val::I32(v.v.i32),
            ValKind::F32 => Val::F32(v.v.f32.into()),
            ValKind::F64 => Val::F64(v.v.f64.into()),
            _ => Val::I64(v.v.i64),
        }
    }
}

/// Reads `n` value types from C (NULL with n == 0 is fine).
///
/// # Safety
/// `types` is NULL or points to `n` readable 4-byte enum values.
unsafe fn read_kinds(types: *const ExtismValTypeCode, n: ExtismSize) -> Option<Vec<ValKind>> {
    if n == 0 {
        return Some(Vec::new());
    }
    if types.is_null() || n > 1024 {
        return None;
    }
    (0..n as usize)
        .map(|i| {
            // SAFETY: `n` readable entries (caller's promise); any 32 bits are a valid code value.
            let code = unsafe { *types.add(i) };
            ValKind::from_code(code.0)
        })
        .collect()
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_function_new(
    name: *const c_char,
    inputs: *const ExtismValTypeCode,
    n_inputs: ExtismSize,
    outputs: *const ExtismValTypeCode,
    n_outputs: ExtismSize,
    func: ExtismFunctionType,
    user_data: *mut c_void,
    free_user_data: Option<unsafe extern "C" fn(_: *mut c_void)>,
) -> *mut ExtismFunction {
    // SAFETY: NULL or a C string (header contract).
    let name = match unsafe { c_str(name) }.map(core::str::from_utf8) {
        Some(Ok(n)) => n.to_string(),
        _ => return core::ptr::null_mut(),
    };
    // SAFETY: arrays of the given lengths (header contract).
    let (Some(params), Some(results)) = (unsafe { read_kinds(inputs, n_inputs) }, unsafe { read_kinds(outputs, n_outputs) })
    else {
        return core::ptr::null_mut();
    };
    // Upstream accepts a NULL callback and hands out a usable handle; calling it fails the call.
    let callback = func;
    // From here on the function owns user_data (a failed new takes nothing over).
    let (p, r) = (&params, &results);
    log::line(Level::Trace, log::TARGET_FUNCTION, format_args!("Creating function {name}: params={p:?}, results={r:?}"));
    let guard = UserData { ptr: user_data as usize, free: free_user_data };
    let pending = Pending { namespace: DEFAULT_NAMESPACE.to_string(), name, params, results, callback, user_data: guard };
    Box::into_raw(Box::new(ExtismFunction { pending: Lock::new(Some(pending)) }))
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_function_set_namespace(ptr: *mut ExtismFunction, namespace_: *const c_char) {
    // SAFETY: NULL or a live function handle (header contract).
    let Some(f) = (unsafe { ptr.as_ref() }) else { return };
    // SAFETY: NULL or a C string.
    let Some(Ok(ns)) = (unsafe { c_str(namespace_) }).map(core::str::from_utf8) else { return };
    if let Some(p) = f.pending.lock().as_mut() {
        p.namespace = ns.to_string();
    }
}

#[no_mangle]
/// # Safety
/// See `extism.h`.
pub unsafe extern "C" fn extism_function_free(f: *mut ExtismFunction) {
    if !f.is_null() {
        // SAFETY: a handle from `extism_function_new`, freed once (header contract).
        drop(unsafe { Box::from_raw(f) });
    }
}
