//! A wasm32-wasip1 plugin on Rust's std: stdio, clocks, randomness, sleep, exit and file-system
//! operations through WASI preopens. Paths come in the input; failures are `<op>: <io error>` (rc 1).
//! Exports are prefixed `rs_` so they cannot clash with libc symbols (`read`, `write`, `exit`, ...).
use std::io::Write;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use extism_pdk::*;

fn fail(op: &str, e: std::io::Error) -> WithReturnCode<Error> {
    Error::msg(format!("{op}: {e}")).into()
}

/// Writes to fd 1 and fd 2 through std.
#[plugin_fn]
pub fn rs_hello() -> FnResult<String> {
    println!("hello from rust stdout");
    eprintln!("hello from rust stderr");
    std::io::stdout().flush().ok();
    Ok("ok".into())
}

static mut COUNT: u64 = 0;

/// Like upstream's globals.wasm: a module-global counter, `{"count": N}`.
#[plugin_fn]
pub fn globals() -> FnResult<String> {
    let n = unsafe {
        let n = COUNT;
        COUNT += 1;
        n
    };
    Ok(format!("{{\"count\": {n}}}"))
}

/// `<seconds since the epoch> <monotonic clock moved forward: 1/0>`.
#[plugin_fn]
pub fn rs_clocks() -> FnResult<String> {
    let secs = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0);
    let a = Instant::now();
    let mut x = 0u64;
    for i in 0..10_000u64 {
        x = x.wrapping_add(i * i);
    }
    std::hint::black_box(x);
    let b = Instant::now();
    Ok(format!("{secs} {}", u8::from(b >= a)))
}

/// Sleeps for the input's number of milliseconds (`poll_oneoff` with a clock subscription).
#[plugin_fn]
pub fn rs_sleep(ms: String) -> FnResult<String> {
    let ms: u64 = ms.trim().parse().unwrap_or(0);
    let start = Instant::now();
    std::thread::sleep(Duration::from_millis(ms));
    Ok(format!("{}", start.elapsed().as_millis()))
}

#[link(wasm_import_module = "wasi_snapshot_preview1")]
extern "C" {
    #[link_name = "random_get"]
    fn wasi_random_get(buf: *mut u8, len: usize) -> u16;
}

/// 16 random bytes in hex, straight from `random_get`.
#[plugin_fn]
pub fn rs_random() -> FnResult<String> {
    let mut buf = [0u8; 16];
    let errno = unsafe { wasi_random_get(buf.as_mut_ptr(), buf.len()) };
    if errno != 0 {
        return Err(Error::msg(format!("random_get: errno {errno}")).into());
    }
    Ok(buf.iter().map(|b| format!("{b:02x}")).collect())
}

/// `std::process::exit(input)`.
#[plugin_fn]
pub fn rs_exit(code: String) -> FnResult<()> {
    std::process::exit(code.trim().parse().unwrap_or(1))
}

#[plugin_fn]
pub fn rs_read(path: String) -> FnResult<String> {
    std::fs::read_to_string(&path).map_err(|e| fail("read", e))
}

/// Input `path\ncontent`: creates or truncates the file.
#[plugin_fn]
pub fn rs_write(input: String) -> FnResult<String> {
    let (path, content) = input.split_once('\n').unwrap_or((&input, ""));
    std::fs::write(path, content).map_err(|e| fail("write", e))?;
    Ok("ok".into())
}

/// Sorted entry names of a directory, comma-separated.
#[plugin_fn]
pub fn rs_list(dir: String) -> FnResult<String> {
    let mut names = Vec::new();
    for entry in std::fs::read_dir(&dir).map_err(|e| fail("list", e))? {
        names.push(entry.map_err(|e| fail("list", e))?.file_name().to_string_lossy().into_owned());
    }
    names.sort();
    Ok(names.join(","))
}

/// `file <len>`, `dir` or `other`.
#[plugin_fn]
pub fn rs_stat(path: String) -> FnResult<String> {
    let m = std::fs::metadata(&path).map_err(|e| fail("stat", e))?;
    Ok(if m.is_file() {
        format!("file {}", m.len())
    } else if m.is_dir() {
        "dir".into()
    } else {
        "other".into()
    })
}

/// Runs a fixed sequence of file-system operations inside the input directory and logs each.
#[plugin_fn]
pub fn rs_fs_ops(dir: String) -> FnResult<String> {
    let sub = format!("{dir}/ops");
    let a = format!("{sub}/a.txt");
    let b = format!("{sub}/b.txt");
    let mut log = Vec::new();
    let mut step = |name: &str, r: std::io::Result<String>| -> Result<(), String> {
        match r {
            Ok(s) if s.is_empty() => log.push(name.to_string()),
            Ok(s) => log.push(format!("{name}={s}")),
            Err(e) => {
                log.push(format!("{name}: {e}"));
                return Err(log.join(";"));
            }
        }
        Ok(())
    };
    let run = (|| -> Result<(), String> {
        step("mkdir", std::fs::create_dir(&sub).map(|_| String::new()))?;
        step("write", std::fs::write(&a, "abc").map(|_| String::new()))?;
        step("append", {
            std::fs::OpenOptions::new().append(true).open(&a).and_then(|mut f| f.write_all(b"de")).map(|_| String::new())
        })?;
        step("list", std::fs::read_dir(&sub).and_then(|it| {
            let mut v = it.map(|e| e.map(|e| e.file_name().to_string_lossy().into_owned())).collect::<Result<Vec<_>, _>>()?;
            v.sort();
            Ok(v.join(","))
        }))?;
        step("rename", std::fs::rename(&a, &b).map(|_| String::new()))?;
        step("size", std::fs::metadata(&b).map(|m| m.len().to_string()))?;
        step("read", std::fs::read_to_string(&b))?;
        step("rmdir_full", match std::fs::remove_dir(&sub) {
            Ok(()) => Ok("removed?".into()),
            Err(_) => Ok("refused".into()),
        })?;
        step("unlink", std::fs::remove_file(&b).map(|_| String::new()))?;
        step("rmdir", std::fs::remove_dir(&sub).map(|_| String::new()))?;
        step("gone", Ok(u8::from(std::fs::metadata(&sub).is_err()).to_string()))?;
        Ok(())
    })();
    match run {
        Ok(()) => Ok(log.join(";")),
        Err(text) => Err(Error::msg(text).into()),
    }
}
