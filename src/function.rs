//! Host functions: functions the host gives to plugins, imported by namespace and name.
//! The core knows them as a callback over the plugin's state; the C edge wraps C function pointers.

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use wasmi::{FuncType, Val, ValType};

use crate::state::State;

/// The default import module of a host function (upstream's).
pub const DEFAULT_NAMESPACE: &str = "extism:host/user";

/// Value types as the C API numbers them (`ExtismValType`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ValKind {
    I32,
    I64,
    F32,
    F64,
    V128,
    FuncRef,
    ExternRef,
}

impl ValKind {
    pub fn from_code(code: u32) -> Option<ValKind> {
        Some(match code {
            0 => ValKind::I32,
            1 => ValKind::I64,
            2 => ValKind::F32,
            3 => ValKind::F64,
            4 => ValKind::V128,
            5 => ValKind::FuncRef,
            6 => ValKind::ExternRef,
            _ => return None,
        })
    }

    /// The four number types cross the C boundary by value. V128 is accepted in a signature (a
    /// plugin links against it, as upstream's) but cannot cross (see `HostFunction::uses_v128`);
    /// references cannot be used at all.
    fn to_wasm(self) -> Option<ValType> {
        match self {
            ValKind::I32 => Some(ValType::I32),
            ValKind::I64 => Some(ValType::I64),
            ValKind::F32 => Some(ValType::F32),
            ValKind::F64 => Some(ValType::F64),
            ValKind::V128 => Some(ValType::V128),
            ValKind::FuncRef | ValKind::ExternRef => None,
        }
    }
}

/// What a host callback asks of the running call besides returning its results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostStop {
    /// Fail the call with this message (rc -1), like a failing runtime import.
    Fail(String),
    /// Pause the (stepped) call until the host supplies this function's results.
    Wait,
}

/// What a host callback answers: Ok, or a request to stop or pause the running call.
pub type HostResult = Result<(), HostStop>;
pub type HostCallback = dyn Fn(&mut State, &[Val], &mut [Val]) -> HostResult + Send + Sync;

pub struct HostFunction {
    pub namespace: String,
    pub name: String,
    pub params: Vec<ValKind>,
    pub results: Vec<ValKind>,
    pub callback: Box<HostCallback>,
}

impl HostFunction {
    /// The wasm signature, or a message naming the first type that cannot be used.
    pub fn func_type(&self) -> Result<FuncType, String> {
        let convert = |kinds: &[ValKind], what: &str| -> Result<Vec<ValType>, String> {
            kinds
                .iter()
                .map(|k| {
                    k.to_wasm().ok_or_else(|| {
                        format!(
                            "host function `{}::{}`: {what} type {k:?} is not supported (only I32, I64, F32, F64 and V128)",
                            self.namespace, self.name
                        )
                    })
                })
                .collect()
        };
        Ok(FuncType::new(convert(&self.params, "parameter")?, convert(&self.results, "result")?))
    }

    /// A V128 parameter or result: `ExtismVal` has no 128-bit member, so such a function links
    /// (as upstream's) but calling it fails the call (upstream aborts the process there).
    pub fn uses_v128(&self) -> bool {
        self.params.iter().chain(&self.results).any(|k| *k == ValKind::V128)
    }

    /// The error of a call to a function that `uses_v128`.
    pub fn v128_call_error(&self) -> String {
        format!(
            "host function `{}::{}` takes or returns V128, which cannot cross the C API (ExtismVal holds \
             at most 64 bits)",
            self.namespace, self.name
        )
    }
}
