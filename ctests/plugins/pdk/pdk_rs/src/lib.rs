//! "PDK_RS": every PDK feature a host can see, written with the official Rust `extism-pdk` and built
//! for wasm32-unknown-unknown (`pdk_rs.wasm`) and wasm32-wasip1 (`pdk_rs_wasi.wasm`). The
//! AssemblyScript plugin `pdk_as` (ctests/plugins/as/) has the same exports with the same outputs
//! where its PDK allows; t_pdk.c runs the same checks on all of them, on both libraries.
//!
//! | export      | input             | output                                                         |
//! |-------------|-------------------|----------------------------------------------------------------|
//! | `greet`     | a name            | `Hello, <name>!`                                               |
//! | `fail`      | a text            | no output; error `failed: <text>`, rc 1                        |
//! | `config`    | a config key      | the value, or `<unset>`                                        |
//! | `count`     | anything          | var `n` + 1 (decimal text, kept in var `n`)                    |
//! | `var_clear` | anything          | removes var `n`; empty output                                  |
//! | `log`       | a text            | logs `<level>: <text>` at trace (Rust only), debug, info, warn, error; empty output |
//! | `host`      | a text            | `host said: <what extism:host/user transform returned>`       |
//! | `http`      | a URL             | `<status>|<body>` of a GET (allowed_hosts applies)             |
//! | `json`      | `{"a":i,"b":i,"name":s}` | `{"sum":a+b,"name":"<name>","greeting":"Hello, <name>!"}` (Rust only: the PDK's `Json`) |
use extism_pdk::*;
use serde::{Deserialize, Serialize};

#[host_fn]
extern "ExtismHost" {
    fn transform(input: String) -> String;
}

#[plugin_fn]
pub fn greet(name: String) -> FnResult<String> {
    Ok(format!("Hello, {name}!"))
}

#[plugin_fn]
pub fn fail(text: String) -> FnResult<()> {
    Err(WithReturnCode::new(Error::msg(format!("failed: {text}")), 1))
}

#[plugin_fn]
pub fn config(key: String) -> FnResult<String> {
    Ok(config::get(&key)?.unwrap_or_else(|| "<unset>".to_string()))
}

#[plugin_fn]
pub fn count() -> FnResult<String> {
    let n: u64 = match var::get::<String>("n")? {
        Some(s) => s.parse()?,
        None => 0,
    } + 1;
    var::set("n", n.to_string())?;
    Ok(n.to_string())
}

#[plugin_fn]
pub fn var_clear() -> FnResult<()> {
    var::remove("n")?;
    Ok(())
}

#[plugin_fn]
pub fn log(text: String) -> FnResult<()> {
    trace!("trace: {}", text);
    debug!("debug: {}", text);
    info!("info: {}", text);
    warn!("warn: {}", text);
    error!("error: {}", text);
    Ok(())
}

#[plugin_fn]
pub fn host(text: String) -> FnResult<String> {
    let reply = unsafe { transform(text)? };
    Ok(format!("host said: {reply}"))
}

#[plugin_fn]
pub fn http(url: String) -> FnResult<String> {
    let req = HttpRequest::new(url);
    let res = http::request::<()>(&req, None)?;
    Ok(format!("{}|{}", res.status_code(), String::from_utf8_lossy(&res.body())))
}

#[derive(Deserialize)]
struct Sum {
    a: i64,
    b: i64,
    name: String,
}

#[derive(Serialize)]
struct SumReply {
    sum: i64,
    name: String,
    greeting: String,
}

#[plugin_fn]
pub fn json(Json(req): Json<Sum>) -> FnResult<Json<SumReply>> {
    Ok(Json(SumReply { sum: req.a + req.b, greeting: format!("Hello, {}!", req.name), name: req.name }))
}
