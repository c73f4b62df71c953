//! Like upstream's read_write.wasm: file access through WASI preopens (`allowed_paths`).
//! Config key `path` names the file. `try_read` returns its contents; `try_write` appends the input
//! and returns the whole file. Errors: `Path not found in config`, `Failed to read file: …`,
//! `Failed to write file: …` (the call's rc is then 1).
use std::io::Write;

use extism_pdk::*;

fn path() -> FnResult<String> {
    match config::get("path")? {
        Some(p) => Ok(p),
        None => Err(Error::msg("Path not found in config").into()),
    }
}

fn read(path: &str) -> FnResult<String> {
    std::fs::read_to_string(path).map_err(|e| Error::msg(format!("Failed to read file: {e}")).into())
}

#[plugin_fn]
pub fn try_read() -> FnResult<String> {
    read(&path()?)
}

#[plugin_fn]
pub fn try_write(line: String) -> FnResult<String> {
    let path = path()?;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(|e| Error::msg(format!("Failed to write file: {e}")))?;
    file.write_all(line.as_bytes()).map_err(|e| Error::msg(format!("Failed to write file: {e}")))?;
    drop(file);
    read(&path)
}
