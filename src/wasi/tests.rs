//! Every preview-1 function is defined with the type `FUNCTIONS` gives it (so link checking and
//! linking agree), and a module importing all of them links.

use alloc::format;
use alloc::string::String;

use wasmi::{Engine, Linker, Module, Store};

use super::{define, func_type, FUNCTIONS, MODULE};
use crate::arena::ArenaBuf;
use crate::state::State;

fn wat_type(sig: &str) -> String {
    let (params, results) = sig.split_once(':').unwrap();
    let names = |s: &str| s.chars().map(|c| if c == 'I' { " i64" } else { " i32" }).collect::<String>();
    format!("(param{}) (result{})", names(params), names(results))
}

fn store(engine: &Engine) -> Store<State> {
    let kernel = extism_kernel::Kernel::new(ArenaBuf::reserve(1 << 20).unwrap());
    let mut state = State::new(kernel, Default::default(), None, 0, [0; 16]);
    state.wasi = Some(super::new_state(None).unwrap());
    Store::new(engine, state)
}

fn link(imports: &str) -> Result<(), wasmi::Error> {
    let engine = Engine::default();
    let mut linker = Linker::new(&engine);
    define(&mut crate::imports::Definer::new(&mut linker, None))?;
    let wat = format!("(module {imports} (memory (export \"memory\") 1))");
    let module = Module::new(&engine, wat::parse_str(&wat).unwrap())?;
    linker.instantiate_and_start(store(&engine), &module)?;
    Ok(())
}

#[test]
fn all_functions_link_with_their_types() {
    assert_eq!(FUNCTIONS.len(), 46);
    let imports: String = FUNCTIONS
        .iter()
        .map(|(name, sig)| format!("(import \"{MODULE}\" \"{name}\" (func {}))\n", wat_type(sig)))
        .collect();
    link(&imports).unwrap();
    for (name, _) in FUNCTIONS {
        assert!(func_type(name).is_some());
    }
    assert!(func_type("fd_nope").is_none());
}

#[test]
fn a_wrong_type_does_not_link() {
    let import = format!("(import \"{MODULE}\" \"fd_write\" (func (param i32) (result i32)))");
    assert!(link(&import).is_err());
}
