//! Moves a module's start function out of the start section and into a hidden export, so the
//! runtime can run it itself in fuel slices: start code then obeys timeouts, cancels and fuel
//! like any other code (the engine runs a start section in one go, which could never be stopped).
//! The module is otherwise unchanged; its start function still runs right after instantiation.

use alloc::vec::Vec;

/// The export name the start function gets. Calls and `function_exists` never see it.
pub const HIDDEN_START: &str = "__extism_x_start";

const SECTION_EXPORT: u8 = 7;
const SECTION_START: u8 = 8;

pub(crate) struct Section {
    pub id: u8,
    /// Where the section starts (its id byte).
    pub header: usize,
    /// Byte range of the section's payload in the module.
    pub start: usize,
    pub end: usize,
}

const SECTION_CUSTOM: u8 = 0;

/// Rewritten bytes when the module has a start section; None when it has none (or is malformed,
/// in which case the engine reports the real error on the original bytes).
pub fn hoist(bytes: &[u8]) -> Option<Vec<u8>> {
    rewrite(bytes, &[])
}

/// Rewritten bytes with the start function hoisted (if any) and `extra` exports (name, kind,
/// index) added: the hidden exports `snapshot::layout` asks for. None when there is nothing to
/// change, or the module is malformed.
pub fn rewrite(bytes: &[u8], extra: &[(alloc::string::String, u8, u32)]) -> Option<Vec<u8>> {
    let sections = sections(bytes)?;
    let start = sections.iter().find(|s| s.id == SECTION_START);
    if start.is_none() && extra.is_empty() {
        return None;
    }
    let mut entry = Vec::new();
    let mut added = 0u32;
    if let Some(start) = start {
        let (func_index, _) = read_leb_u32(&bytes[start.start..start.end])?;
        write_leb_u32(&mut entry, HIDDEN_START.len() as u32);
        entry.extend_from_slice(HIDDEN_START.as_bytes());
        entry.push(0x00); // export kind: function
        write_leb_u32(&mut entry, func_index);
        added += 1;
    }
    for (name, kind, index) in extra {
        write_leb_u32(&mut entry, u32::try_from(name.len()).ok()?);
        entry.extend_from_slice(name.as_bytes());
        entry.push(*kind);
        write_leb_u32(&mut entry, *index);
        added += 1;
    }

    let mut out = Vec::with_capacity(bytes.len() + entry.len() + 8);
    out.extend_from_slice(&bytes[..8]);
    let mut export_written = false;
    for s in &sections {
        match s.id {
            // The engine ignores custom sections (debug info can be most of a module): not copied.
            SECTION_START | SECTION_CUSTOM => continue,
            SECTION_EXPORT => {
                let payload = &bytes[s.start..s.end];
                let (count, used) = read_leb_u32(payload)?;
                let mut body = Vec::with_capacity(payload.len() + entry.len() + 5);
                write_leb_u32(&mut body, count.checked_add(added)?);
                body.extend_from_slice(&payload[used..]);
                body.extend_from_slice(&entry);
                push_section(&mut out, SECTION_EXPORT, &body);
                export_written = true;
            }
            id => {
                // A module without exports gets its export section just before where start was.
                if !export_written && is_after_exports(id) {
                    push_new_export_section(&mut out, added, &entry);
                    export_written = true;
                }
                push_section(&mut out, id, &bytes[s.start..s.end]);
            }
        }
    }
    if !export_written {
        push_new_export_section(&mut out, added, &entry);
    }
    Some(out)
}

/// Sections that must come after the export section (start, element, data count, code, data).
fn is_after_exports(id: u8) -> bool {
    matches!(id, 8..=12)
}

fn push_new_export_section(out: &mut Vec<u8>, count: u32, entry: &[u8]) {
    let mut body = Vec::with_capacity(entry.len() + 5);
    write_leb_u32(&mut body, count);
    body.extend_from_slice(entry);
    push_section(out, SECTION_EXPORT, &body);
}

fn push_section(out: &mut Vec<u8>, id: u8, payload: &[u8]) {
    out.push(id);
    write_leb_u32(out, payload.len() as u32);
    out.extend_from_slice(payload);
}

/// The sections of a module, in order; None when it is not a well-framed wasm binary.
pub(crate) fn sections(bytes: &[u8]) -> Option<Vec<Section>> {
    if bytes.len() < 8 || &bytes[..4] != b"\0asm" {
        return None;
    }
    let mut out = Vec::new();
    let mut pos = 8;
    while pos < bytes.len() {
        let id = bytes[pos];
        let (size, used) = read_leb_u32(bytes.get(pos + 1..)?)?;
        let start = pos + 1 + used;
        let end = start.checked_add(size as usize)?;
        if end > bytes.len() {
            return None;
        }
        out.push(Section { id, header: pos, start, end });
        pos = end;
    }
    Some(out)
}

pub fn has_start_section(bytes: &[u8]) -> bool {
    sections(bytes).is_some_and(|s| s.iter().any(|s| s.id == SECTION_START))
}

fn read_leb_u32(bytes: &[u8]) -> Option<(u32, usize)> {
    let mut value: u32 = 0;
    for (i, byte) in bytes.iter().take(5).enumerate() {
        value |= u32::from(byte & 0x7f).checked_shl(7 * i as u32)?;
        if byte & 0x80 == 0 {
            return Some((value, i + 1));
        }
    }
    None
}

fn write_leb_u32(out: &mut Vec<u8>, mut value: u32) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(all(test, feature = "std"))]
mod tests {
    use super::*;

    fn exports_of(bytes: &[u8]) -> alloc::vec::Vec<alloc::string::String> {
        let engine = wasmi::Engine::default();
        let m = wasmi::Module::new(&engine, bytes).expect("valid module");
        m.exports().map(|e| alloc::string::String::from(e.name())).collect()
    }

    #[test]
    fn moves_start_into_an_export() {
        let wasm = wat::parse_str(
            r#"(module (global (export "g") (mut i32) (i32.const 0))
                (func $s (global.set 0 (i32.const 7))) (start $s)
                (func (export "get") (result i32) (global.get 0)))"#,
        )
        .unwrap();
        assert!(has_start_section(&wasm));
        let out = hoist(&wasm).unwrap();
        assert!(!has_start_section(&out));
        let names = exports_of(&out);
        assert!(names.iter().any(|n| n == HIDDEN_START), "{names:?}");
        assert!(names.iter().any(|n| n == "get"));
    }

    #[test]
    fn adds_an_export_section_when_there_is_none() {
        let wasm = wat::parse_str(r#"(module (func $s) (start $s) (func (result i32) (i32.const 1)))"#).unwrap();
        let out = hoist(&wasm).unwrap();
        assert_eq!(exports_of(&out), [HIDDEN_START]);
    }

    #[test]
    fn leaves_modules_without_start_alone() {
        let wasm = wat::parse_str(r#"(module (func (export "f")))"#).unwrap();
        assert!(hoist(&wasm).is_none());
        assert!(hoist(b"garbage").is_none());
        assert!(hoist(b"\0asm\x01\0\0\0\x08\xff").is_none());
    }
}
