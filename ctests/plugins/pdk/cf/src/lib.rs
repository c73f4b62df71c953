//! "CF": behaves like upstream's code-functions.wasm. `count_vowels` counts the vowels of the
//! input, formats `{"count": N}`, passes that text through the host function
//! `extism:host/user` `hello_world` (I64 -> I64) and outputs what the host function returned.
use extism_pdk::*;

#[host_fn]
extern "ExtismHost" {
    fn hello_world(text: String) -> String;
}

#[plugin_fn]
pub fn count_vowels(input: String) -> FnResult<String> {
    let count = input.chars().filter(|c| "aeiouAEIOU".contains(*c)).count();
    let text = format!("{{\"count\": {}}}", count);
    let out = unsafe { hello_world(text)? };
    Ok(out)
}
