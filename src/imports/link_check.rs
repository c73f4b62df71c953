//! Checks a module's imports against what a plugin can offer it, with upstream's messages.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use wasmi::{ExternType, FuncType, Module, ValType};

use super::env;
use crate::function::HostFunction;

/// What else a module may import from: the other modules of the manifest, with their exports.
pub struct Offer<'a> {
    pub functions: &'a [alloc::sync::Arc<HostFunction>],
    pub modules: Vec<(&'a str, &'a Module)>,
    pub wasi: bool,
}

pub const WASI_MODULES: &[&str] = &["wasi_snapshot_preview1"];

pub fn check(module: &Module, offer: &Offer<'_>) -> Result<(), String> {
    for import in module.imports() {
        let (ns, name) = (import.module(), import.name());
        let ty = import.ty();
        if ns == env::MODULE {
            check_env_import(name, ty)?;
            continue;
        }
        let host_shadows = || offer.functions.iter().any(|f| f.namespace == ns && f.name == name);
        if !crate::wasi::BUILT && WASI_MODULES.contains(&ns) && !host_shadows() {
            return Err(format!("{}: the plugin imports `{ns}::{name}`", crate::wasi::NOT_BUILT));
        }
        if offer.wasi && WASI_MODULES.contains(&ns) && !host_shadows() {
            check_wasi_import(ns, name, ty)?;
            continue;
        }
        if let Some((_, other)) = offer.modules.iter().find(|(n, _)| *n == ns) {
            if other.get_export(name).is_none() {
                return Err(unknown(ns, name));
            }
            continue;
        }
        // The last registration of a namespace/name pair wins, as in the linker.
        match offer.functions.iter().rev().find(|f| f.namespace == ns && f.name == name) {
            None => return Err(unknown(ns, name)),
            Some(f) => {
                let found = f.func_type()?;
                match ty {
                    ExternType::Func(expected) if *expected == found => {}
                    ExternType::Func(expected) => {
                        return Err(format!(
                            "types incompatible: expected type `{}`, found type `{}`",
                            show_func(expected),
                            show_func(&found)
                        ))
                    }
                    other => {
                        return Err(format!(
                            "types incompatible: expected {} import `{ns}::{name}`, found a function",
                            kind(other)
                        ))
                    }
                }
            }
        }
    }
    Ok(())
}

/// A WASI import must name a preview-1 function with its exact type.
fn check_wasi_import(ns: &str, name: &str, ty: &ExternType) -> Result<(), String> {
    match (crate::wasi::func_type(name), ty) {
        (None, _) => Err(unknown(ns, name)),
        (Some(found), ExternType::Func(expected)) if *expected == found => Ok(()),
        (Some(found), ExternType::Func(expected)) => Err(format!(
            "types incompatible: expected type `{}`, found type `{}`",
            show_func(expected),
            show_func(&found)
        )),
        (Some(_), other) => {
            Err(format!("types incompatible: expected {} import `{ns}::{name}`, found a function", kind(other)))
        }
    }
}

fn unknown(ns: &str, name: &str) -> String {
    format!("unknown import: `{ns}::{name}` has not been defined")
}

fn check_env_import(name: &str, ty: &ExternType) -> Result<(), String> {
    match ty {
        ExternType::Func(expected) if env::FUNCTIONS.contains(&name) => {
            let found = env::signature(name);
            if found.as_ref().is_none_or(|f| f == expected) {
                return Ok(());
            }
            let found = found.map(|f| show_func(&f)).unwrap_or_default();
            Err(format!("types incompatible: expected type `{}`, found type `{found}`", show_func(expected)))
        }
        ExternType::Func(f) => Err(invalid_env("function", name, &show_func(f))),
        _ if env::KERNEL_NON_FUNCTIONS.contains(&name) => {
            Err(String::from("linked modules cannot access non-function exports of extism kernel"))
        }
        other => Err(invalid_env(kind(other), name, "")),
    }
}

fn invalid_env(kind: &str, name: &str, ty: &str) -> String {
    format!(
        "Invalid {kind} import from extism:host/env: {name} {ty}\n\n\
         Note: this runtime provides the extism:host/env functions of Extism 1.x; the plugin may have \
         been built for a newer runtime, or imports a name that does not exist."
    )
}

fn kind(ty: &ExternType) -> &'static str {
    match ty {
        ExternType::Func(_) => "function",
        ExternType::Global(_) => "global",
        ExternType::Memory(_) => "memory",
        ExternType::Table(_) => "table",
    }
}

fn type_names(types: &[ValType]) -> String {
    let names: Vec<&str> = types
        .iter()
        .map(|t| match t {
            ValType::I32 => "i32",
            ValType::I64 => "i64",
            ValType::F32 => "f32",
            ValType::F64 => "f64",
            ValType::V128 => "v128",
            ValType::FuncRef => "funcref",
            ValType::ExternRef => "externref",
        })
        .collect();
    names.join(" ")
}

/// A function type as upstream (wasmtime) prints it: `(func (param i64) (result i64))`.
pub fn show_func(f: &FuncType) -> String {
    let mut out = String::from("(func");
    if !f.params().is_empty() {
        out.push_str(&format!(" (param {})", type_names(f.params())));
    }
    if !f.results().is_empty() {
        out.push_str(&format!(" (result {})", type_names(f.results())));
    }
    out.push(')');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module whose only content is an import of `wasi_snapshot_preview1::fd_write`.
    const WASI_IMPORT: &[u8] = &[
        0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, // magic, version
        0x01, 0x09, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, // (i32 i32 i32 i32) -> i32
        0x02, 0x23, 0x01, 0x16, b'w', b'a', b's', b'i', b'_', b's', b'n', b'a', b'p', b's', b'h', b'o', b't',
        b'_', b'p', b'r', b'e', b'v', b'i', b'e', b'w', b'1', 0x08, b'f', b'd', b'_', b'w', b'r', b'i', b't',
        b'e', 0x00, 0x00,
    ];

    /// With the `wasi` feature a WASI import links when the plugin has WASI on; without it the plugin
    /// is refused at creation with an error naming the feature, WASI on or off.
    #[test]
    fn wasi_import_links_or_names_the_missing_feature() {
        let engine = wasmi::Engine::default();
        let module = Module::new(&engine, WASI_IMPORT).expect("valid module");
        for wasi in [true, false] {
            let offer = Offer { functions: &[], modules: Vec::new(), wasi };
            let result = check(&module, &offer);
            if !cfg!(feature = "wasi") {
                assert_eq!(
                    result.unwrap_err(),
                    "WASI is not built into this library (cargo feature `wasi`): the plugin imports \
                     `wasi_snapshot_preview1::fd_write`"
                );
            } else if wasi {
                assert_eq!(result, Ok(()));
            } else {
                assert_eq!(
                    result.unwrap_err(),
                    "unknown import: `wasi_snapshot_preview1::fd_write` has not been defined"
                );
            }
        }
    }
}
