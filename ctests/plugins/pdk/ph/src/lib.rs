//! "PH": HTTP through the official PDK's `http::request`. `fetch` takes the request JSON
//! (`{"url":…,"method":…,"headers":{…}}`) as input, sends it (with the body `pdk body` when the
//! method is POST) and outputs `<status>|<x-a response header or ->|<response body>`.
use extism_pdk::*;

#[plugin_fn]
pub fn fetch(input: String) -> FnResult<String> {
    let req: HttpRequest = json::from_str(&input)?;
    let post = req.method.as_deref().is_some_and(|m| m.eq_ignore_ascii_case("post"));
    let res = http::request::<&str>(&req, post.then_some("pdk body"))?;
    let x_a = res.header("x-a").unwrap_or("-").to_string();
    let body = String::from_utf8_lossy(&res.body()).into_owned();
    Ok(format!("{}|{}|{}", res.status_code(), x_a, body))
}
