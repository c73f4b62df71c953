//! What of a module's instance a saved state must carry, found once at compile time: the memories,
//! mutable globals and tables the module defines. wasmi reaches an instance's items only through
//! its exports: an item the module exports itself is read through that export, and the compiled
//! module gets a hidden export for each other one (`hidden_exports`, added by
//! `start_hoist::rewrite`, which copies the module: a module exporting all of its items, such as a
//! firmware plugin linked with `--export=__stack_pointer --export-table`, is compiled as given).
//! The code of a module with a table is also scanned for instructions that change a table, since a
//! changed table cannot be saved (its entries are function references wasmi does not map back to
//! indices). That scan decodes every function (about as long as compiling), so it runs at the first
//! save where the build keeps the module's bytes (the module cache's key, `std` builds), and at
//! compile time only where it does not (`no_std`).

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

/// One item: its index in the module's index space and the export it is reached through.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub index: u32,
    pub export: String,
    /// The module does not export it: the runtime adds `export` (a hidden name).
    pub hidden: bool,
}

/// The items of one module a saved state carries.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Layout {
    pub memories: Vec<Item>,
    /// Mutable globals of a number type (i32, i64, f32, f64, v128).
    pub globals: Vec<Item>,
    pub tables: Vec<Item>,
    /// Where instantiation writes into each memory (active data segments: memory index, offset,
    /// length): the only bytes of a fresh instance's memories that are not zero. None when an
    /// offset is not a constant (a restore then checks every byte).
    pub data_ranges: Option<Vec<(u32, u64, u64)>>,
    /// A mutable global holding a reference (which a saved state cannot hold), if any.
    pub reference_global: Option<u32>,
    /// Whether the code can change a table: the first such instruction, once known.
    pub table_changer: TableScan,
}

/// What is known of the code's table instructions.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum TableScan {
    /// The module defines no table: nothing to look for.
    #[default]
    NoTable,
    /// Scanned: the first instruction that can change a table, or None.
    Done(Option<&'static str>),
    /// Not scanned yet (`scan_tables` does it from the module's bytes).
    Deferred,
}


/// Whether `name` is an export the runtime added.
pub fn is_hidden(name: &str) -> bool {
    name.as_bytes().starts_with(HIDDEN_PREFIX.as_bytes())
}

impl Layout {
    /// The export entries (name, kind, index) to add to the module: one per item it does not
    /// export itself.
    pub fn hidden_exports(&self) -> Vec<(String, u8, u32)> {
        let of = |items: &[Item], kind: u8| -> Vec<(String, u8, u32)> {
            items.iter().filter(|i| i.hidden).map(|i| (i.export.clone(), kind, i.index)).collect()
        };
        let mut all = of(&self.memories, KIND_MEMORY);
        all.extend(of(&self.globals, KIND_GLOBAL));
        all.extend(of(&self.tables, KIND_TABLE));
        all
    }
}

/// The layout of the module in `bytes`; None when the parser cannot read it (the engine then
/// reports the real error). `scan_code`: look for table instructions now (else `Deferred`).
pub fn scan(bytes: &[u8], scan_code: bool) -> Option<Layout> {
    let (mut memories, mut globals, mut tables) = (Vec::new(), Vec::new(), Vec::new());
    let mut exported: Vec<(u8, u32, String)> = Vec::new();
    let mut layout = Layout::default();
    let (mut memory_index, mut global_index, mut table_index) = (0u32, 0u32, 0u32);
    let mut data_ranges = Some(Vec::new());
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
                    memories.push(memory_index);
                    memory_index += 1;
                }
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    table.ok()?;
                    tables.push(table_index);
                    table_index += 1;
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let ty = global.ok()?.ty;
                    if ty.mutable {
                        match ty.content_type {
                            ValType::Ref(_) => refs_in_globals = refs_in_globals.or(Some(global_index)),
                            _ => globals.push(global_index),
                        }
                    }
                    global_index += 1;
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export.ok()?;
                    let kind = match export.kind {
                        wasmparser::ExternalKind::Memory => KIND_MEMORY,
                        wasmparser::ExternalKind::Global => KIND_GLOBAL,
                        wasmparser::ExternalKind::Table => KIND_TABLE,
                        _ => continue,
                    };
                    exported.push((kind, export.index, String::from(export.name)));
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data.ok()?;
                    if let wasmparser::DataKind::Active { memory_index, offset_expr } = data.kind {
                        let range = constant_offset(&offset_expr).map(|at| (memory_index, at, data.data.len() as u64));
                        match (range, data_ranges.as_mut()) {
                            (Some(range), Some(ranges)) => ranges.push(range),
                            _ => data_ranges = None,
                        }
                    }
                }
            }
            Payload::CodeSectionEntry(body) if scan_code && table_changer.is_none() && !tables.is_empty() => {
                table_changer = changes_a_table(&body);
            }
            _ => {}
        }
    }
    let item = |kind: u8, letter: char| {
        let exported = &exported;
        move |index: u32| match exported.iter().find(|(k, i, _)| *k == kind && *i == index) {
            Some((_, _, name)) => Item { index, export: name.clone(), hidden: false },
            None => Item { index, export: format!("{HIDDEN_PREFIX}{letter}{index}"), hidden: true },
        }
    };
    layout.data_ranges = data_ranges;
    layout.memories = memories.into_iter().map(item(KIND_MEMORY, 'm')).collect();
    layout.globals = globals.into_iter().map(item(KIND_GLOBAL, 'g')).collect();
    layout.tables = tables.into_iter().map(item(KIND_TABLE, 't')).collect();
    layout.reference_global = refs_in_globals;
    layout.table_changer = match (layout.tables.is_empty(), scan_code) {
        (true, _) => TableScan::NoTable,
        (false, true) => TableScan::Done(table_changer),
        (false, false) => TableScan::Deferred,
    };
    Some(layout)
}

/// The first instruction of the module in `bytes` that can change a table (a scan of its code).
pub fn scan_tables(bytes: &[u8]) -> Option<&'static str> {
    for payload in Parser::new(0).parse_all(bytes) {
        match payload {
            Ok(Payload::CodeSectionEntry(body)) => {
                if let Some(op) = changes_a_table(&body) {
                    return Some(op);
                }
            }
            Ok(_) => {}
            Err(_) => return Some("unreadable code"),
        }
    }
    None
}

impl Layout {
    /// Why a state of this module cannot be saved, if it cannot; `bytes` gives the module's bytes
    /// for a deferred table scan (None: not kept by this build).
    pub fn unsaveable(&self, bytes: impl FnOnce() -> Option<Vec<u8>>) -> Option<String> {
        if let Some(g) = self.reference_global {
            return Some(format!("global {g} is a mutable reference, which a saved state cannot hold"));
        }
        let changer = match &self.table_changer {
            TableScan::NoTable => None,
            TableScan::Done(op) => *op,
            TableScan::Deferred => match bytes() {
                Some(bytes) => scan_tables(&bytes),
                None => Some("its code was not scanned"),
            },
        };
        changer.map(|op| format!("its code can change a table ({op}), and a changed table cannot be saved"))
    }
}

/// False when `code` cannot hold an instruction that changes a table, read from its bytes alone
/// (decoding costs about as much as compiling): every such instruction puts its opcode into the
/// body as written, `table.set` the byte 0x26, `table.init`, `copy`, `grow` and `fill` the prefix
/// 0xfc and then a LEB128 sub-opcode whose first byte carries 12, 14, 15 or 17 in its low seven
/// bits (also when over-long). The same bytes inside immediates only send the body to the decode.
fn may_change_a_table(code: &[u8]) -> bool {
    code.iter().enumerate().any(|(i, &b)| match b {
        0x26 => true,
        0xfc => code.get(i + 1).is_some_and(|&sub| matches!(sub & 0x7f, 12 | 14 | 15 | 17)),
        _ => false,
    })
}

/// A data segment's offset when it is a constant (`i32.const` or `i64.const`, then `end`).
fn constant_offset(expr: &wasmparser::ConstExpr<'_>) -> Option<u64> {
    let mut reader = expr.get_operators_reader();
    let at = match reader.read().ok()? {
        Operator::I32Const { value } => u64::from(value as u32),
        Operator::I64Const { value } => value as u64,
        _ => return None,
    };
    matches!(reader.read().ok()?, Operator::End).then_some(at)
}

/// The first instruction in `body` that can change a table's size or entries (an unreadable body
/// counts as one: what it holds is unknown).
fn changes_a_table(body: &wasmparser::FunctionBody<'_>) -> Option<&'static str> {
    if !may_change_a_table(body.as_bytes()) {
        return None;
    }
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
