//! Like upstream's read_write.wasm (wasm32-wasip1): file access through WASI preopens.
//! The file is named by config key `path`.
//! `try_read` outputs the file; `try_write` appends the input, then outputs the whole file.
//! Errors: `Path not found in config`, `Failed to read file: <io error>`,
//! `Failed to write file: <io error>`, each with rc 1 (as upstream's older PDK returned).
use extism_pdk::*;
use std::io::Write;

fn fail(msg: String) -> WithReturnCode<Error> {
    WithReturnCode::new(Error::msg(msg), 1)
}

fn path() -> Result<String, WithReturnCode<Error>> {
    config::get("path")?.ok_or_else(|| fail("Path not found in config".into()))
}

#[plugin_fn]
pub fn try_read() -> FnResult<Vec<u8>> {
    let path = path()?;
    let data =
        std::fs::read(&path).map_err(|e| fail(format!("Failed to read file: {e}")))?;
    Ok(data)
}

#[plugin_fn]
pub fn try_write(input: Vec<u8>) -> FnResult<Vec<u8>> {
    let path = path()?;
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&path)
        .map_err(|e| fail(format!("Failed to write file: {e}")))?;
    file.write_all(&input)
        .map_err(|e| fail(format!("Failed to write file: {e}")))?;
    drop(file);
    let data =
        std::fs::read(&path).map_err(|e| fail(format!("Failed to read file: {e}")))?;
    Ok(data)
}
