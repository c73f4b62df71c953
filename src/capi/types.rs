//! The C types of `extism.h`, laid out exactly as the header declares them.

use crate::compiled::Compiled;
use crate::plugin::{CancelHandle, Plugin};
use crate::state::State;
use alloc::sync::Arc;

/// An `ExtismValType` as C passes it (`extism_function_new`'s arrays): any 32 bits, since a C enum
/// may hold a value out of its range and a Rust enum holding one is undefined behaviour; read with
/// `ValKind::from_code`, which refuses unknown codes. cbindgen renders it as `ExtismValType`
/// (tools/cbindgen.toml; tools/check-c-edge.py fails on a crate enum taken from C).
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct ExtismValTypeCode(pub u32);

#[repr(C)]
#[derive(Clone, Copy)]
pub union ExtismValUnion {
    pub i32: i32,
    pub i64: i64,
    pub f32: f32,
    pub f64: f64,
}

/// The tag is read as a raw `u32` (see `ExtismValType`).
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ExtismVal {
    pub t: u32,
    pub v: ExtismValUnion,
}

/// A `bool` as C really passes it: any byte. A binding may declare the flag as `uint8_t` or `int`
/// and pass 2, and JNA passes Java's `true` as 0xFF; read as a Rust `bool`, a byte other than 0 or 1
/// is undefined behaviour. Nonzero is true, as upstream. Every `bool` that comes from C (arguments,
/// a callback's result) is taken as this; tools/check-header.sh fails on a Rust `bool` there.
#[repr(transparent)]
#[derive(Clone, Copy)]
pub struct CBool(u8);

impl CBool {
    pub fn is_true(self) -> bool {
        self.0 != 0
    }
}

/// For Rust callers of the C functions (the fuzz targets).
impl From<bool> for CBool {
    fn from(b: bool) -> CBool {
        CBool(u8::from(b))
    }
}

pub type ExtismSize = u64;
pub type ExtismMemoryHandle = u64;

/// `ExtismPlugin*` is a boxed plugin.
pub struct ExtismPlugin {
    pub plugin: Plugin,
}

/// `ExtismCompiledPlugin*` is a boxed shared compiled plugin.
pub struct ExtismCompiledPlugin {
    pub compiled: Arc<Compiled>,
}

/// `ExtismCurrentPlugin*` is the running plugin's state, valid only inside a host-function callback.
pub type ExtismCurrentPlugin = State;

/// `ExtismCancelHandle*` points at the plugin's cancel flag.
pub type ExtismCancelHandle = CancelHandle;

pub type ExtismFunctionType = Option<
    unsafe extern "C" fn(
        plugin: *mut ExtismCurrentPlugin,
        inputs: *const ExtismVal,
        n_inputs: ExtismSize,
        outputs: *mut ExtismVal,
        n_outputs: ExtismSize,
        data: *mut core::ffi::c_void,
    ),
>;

pub type ExtismFreeUserData = Option<unsafe extern "C" fn(data: *mut core::ffi::c_void)>;

pub type ExtismLogDrainFunctionType = Option<unsafe extern "C" fn(data: *const core::ffi::c_char, size: ExtismSize)>;
