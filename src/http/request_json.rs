//! A plugin's request JSON read with the lean build's small reader (feature `small-json`): the steps
//! serde's derived code for `RequestJson` takes over serde_json, so the firmware, whose only HTTP is
//! the host's handler, links no serde_json for it. Same documents, same texts (`tests.rs` compares).

use alloc::collections::BTreeMap;
use alloc::string::String;

use super::RequestJson;
use crate::manifest::schema_json::{first_time, invalid_length, option, string, unknown_field};
use crate::small_json::{string_map, Accept, Entries, Error, Reader};

const FIELDS: &[&str] = &["url", "headers", "method"];
const EXPECTED: &str = "struct RequestJson with 3 elements";

pub(super) fn read(json: &[u8]) -> Result<RequestJson, Error> {
    let mut r = Reader::new(json);
    let (is_object, mut entries) = r.open(Accept::Either, "struct RequestJson")?;
    let read = if is_object { object(&mut r, &mut entries) } else { array(&mut r, &mut entries) };
    let request = r.close(is_object, read)?;
    r.end()?;
    Ok(request)
}

fn object(r: &mut Reader, e: &mut Entries) -> Result<RequestJson, Error> {
    let (mut url, mut headers, mut method) = (None, None, None);
    while let Some(key) = r.next_key(e)? {
        match key.as_str() {
            "url" => {
                first_time(&url, "url")?;
                r.colon()?;
                url = Some(string(r)?);
            }
            "headers" => {
                first_time(&headers, "headers")?;
                r.colon()?;
                headers = Some(string_map(r, string)?);
            }
            "method" => {
                first_time(&method, "method")?;
                r.colon()?;
                method = Some(option(r, string)?);
            }
            other => return Err(unknown_field(other, FIELDS)),
        }
    }
    let url = url.ok_or_else(|| Error::unplaced(String::from("missing field `url`")))?;
    Ok(RequestJson { url, headers: headers.unwrap_or_default(), method: method.flatten() })
}

/// From an array: the fields in order; `headers` may be left out at the end (its serde default),
/// `url` and `method` may not.
fn array(r: &mut Reader, e: &mut Entries) -> Result<RequestJson, Error> {
    if !r.next_element(e)? {
        return Err(invalid_length(0, EXPECTED));
    }
    let url = string(r)?;
    let headers: BTreeMap<String, String> = if r.next_element(e)? { string_map(r, string)? } else { BTreeMap::new() };
    if !r.next_element(e)? {
        return Err(invalid_length(2, EXPECTED));
    }
    let method = option(r, string)?;
    // More elements: `close` finds no `]` (serde_json's "trailing characters").
    Ok(RequestJson { url, headers, method })
}
