//! What of a module's instance a saved state must carry, found once at compile time: the memories,
//! mutable globals and tables the module defines. wasmi reaches an instance's items only through
//! its exports, so the compiled module gets a hidden export for each (`hidden_exports`, added by
//! `start_hoist::rewrite`); the code is also scanned for instructions that change a table, since
//! a changed table cannot be saved (its entries are function references wasmi does not map back
//! to indices).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use wasmparser::{Operator, Parser, Payload, TypeRef, ValType};

/// Prefix of every export name the runtime adds to a module (never a plugin's own export).
pub const HIDDEN_PREFIX: &str = "__extism_x_";

/// Export kinds, as in the binary format.
const KIND_TABLE: u8 = 1;
const KIND_MEMORY: u8 = 2;
const KIND_GLOBAL: u8 = 3;

/// The items of one module a saved state carries, by their index in the module's index spaces.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Layout {
    pub memories: Vec<u32>,
    /// Mutable globals of a number type (i32, i64, f32, f64, v128).
    pub globals: Vec<u32>,
    pub tables: Vec<u32>,
    /// Why this module's instance cannot be saved, if it cannot (checked at save time only, so a
    /// plugin that is never saved is unaffected).
    pub unsaveable: Option<String>,
}

pub fn memory_export(index: u32) -> String {
    format!("{HIDDEN_PREFIX}m{index}")
}
pub fn global_export(index: u32) -> String {
    format!("{HIDDEN_PREFIX}g{index}")
}
pub fn table_export(index: u32) -> String {
    format!("{HIDDEN_PREFIX}t{index}")
}

/// Whether `name` is an export the runtime added.
pub fn is_hidden(name: &str) -> bool {
    name.as_bytes().starts_with(HIDDEN_PREFIX.as_bytes())
}

impl Layout {
    /// The export entries (name, kind, index) to add to the module.
    pub fn hidden_exports(&self) -> Vec<(String, u8, u32)> {
        let memories = self.memories.iter().map(|&i| (memory_export(i), KIND_MEMORY, i));
        let globals = self.globals.iter().map(|&i| (global_export(i), KIND_GLOBAL, i));
        let tables = self.tables.iter().map(|&i| (table_export(i), KIND_TABLE, i));
        memories.chain(globals).chain(tables).collect()
    }
}

/// The layout of the module in `bytes`; None when the parser cannot read it (the engine then
/// reports the real error).
pub fn scan(bytes: &[u8]) -> Option<Layout> {
    let mut layout = Layout::default();
    let (mut memory_index, mut global_index, mut table_index) = (0u32, 0u32, 0u32);
    let mut refs_in_globals = None;
    let mut table_changer = None;
    for payload in Parser::new(0).parse_all(bytes) {
        match payload.ok()? {
            Payload::ImportSection(reader) => {
                for import in reader {
                    match import.ok()?.ty {
                        TypeRef::Memory(_) => memory_index += 1,
                        TypeRef::Global(_) => global_index += 1,
                        TypeRef::Table(_) => table_index += 1,
                        _ => {}
                    }
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    memory.ok()?;
                    layout.memories.push(memory_index);
                    memory_index += 1;
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    table.ok()?;
                    layout.tables.push(table_index);
                    table_index += 1;
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let ty = global.ok()?.ty;
                    if ty.mutable {
                        match ty.content_type {
                            ValType::Ref(_) => refs_in_globals = refs_in_globals.or(Some(global_index)),
                            _ => layout.globals.push(global_index),
                        }
                    }
                    global_index += 1;
                }
            }
            Payload::CodeSectionEntry(body) if table_changer.is_none() && !layout.tables_empty() => {
                table_changer = changes_a_table(&body);
            }
            _ => {}
        }
    }
    layout.unsaveable = match (refs_in_globals, table_changer) {
        (Some(g), _) => Some(format!("global {g} is a mutable reference, which a saved state cannot hold")),
        (None, Some(op)) => Some(format!(
            "its code can change a table ({op}), and a changed table cannot be saved"
        )),
        (None, None) => None,
    };
    Some(layout)
}

impl Layout {
    fn tables_empty(&self) -> bool {
        self.tables.is_empty()
    }
}

/// The first instruction in `body` that can change a table's size or entries (an unreadable body
/// counts as one: what it holds is unknown).
fn changes_a_table(body: &wasmparser::FunctionBody<'_>) -> Option<&'static str> {
    let Ok(mut reader) = body.get_operators_reader() else { return Some("unreadable code") };
    while !reader.eof() {
        match reader.read() {
            Ok(Operator::TableSet { .. }) => return Some("table.set"),
            Ok(Operator::TableGrow { .. }) => return Some("table.grow"),
            Ok(Operator::TableFill { .. }) => return Some("table.fill"),
            Ok(Operator::TableCopy { .. }) => return Some("table.copy"),
            Ok(Operator::TableInit { .. }) => return Some("table.init"),
            Ok(_) => {}
            Err(_) => return Some("unreadable code"),
        }
    }
    None
}
