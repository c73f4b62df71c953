//! The little of URL syntax a host handler's requests need, without the `url` crate (the firmware has
//! no room for it and its IDNA tables): the host that `allowed_hosts` checks, and a redirect's
//! `Location` resolved against the URL that answered it. Error texts name the `url` crate's cases, as
//! the built-in client reports them (`Invalid URL: ...`).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

/// Where the scheme ends (the index of its `:`), if `url` starts with one (RFC 3986: a letter, then
/// letters, digits, `+`, `-`, `.`).
fn scheme_end(url: &str) -> Option<usize> {
    let colon = url.find(':')?;
    let scheme = &url[..colon];
    let mut chars = scheme.chars();
    let first_ok = chars.next().is_some_and(|c| c.is_ascii_alphabetic());
    (first_ok && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))).then_some(colon)
}

/// The authority of an absolute `scheme://authority/...` URL and the index where it ends.
fn authority(url: &str) -> Result<(&str, usize), String> {
    let colon = scheme_end(url).ok_or_else(|| invalid("RelativeUrlWithoutBase"))?;
    let rest = url[colon + 1..].strip_prefix("//").ok_or_else(|| invalid("EmptyHost"))?;
    let start = colon + 3;
    let len = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    Ok((&rest[..len], start + len))
}

fn invalid(case: &str) -> String {
    format!("Invalid URL: {case}")
}

/// The host of an absolute URL, lower-cased, without user info and port (an IPv6 literal keeps its
/// brackets, as `url::Url::host_str` gives it): what `allowed_hosts` is checked against.
pub fn host(url: &str) -> Result<String, String> {
    let (authority, _) = authority(url)?;
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if host_port.starts_with('[') {
        match host_port.find(']') {
            Some(end) => &host_port[..=end],
            None => return Err(invalid("InvalidIpv6Address")),
        }
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    if host.is_empty() {
        return Err(invalid("EmptyHost"));
    }
    if host.bytes().any(|b| b <= b' ' || b == 0x7f) {
        return Err(invalid("InvalidDomainCharacter"));
    }
    Ok(host.to_ascii_lowercase())
}

/// `location` (a redirect's target) resolved against `base` (the URL that answered): absolute,
/// scheme-relative (`//host/p`), absolute-path (`/p`), query-only (`?q`) or relative to the base's
/// directory; then its path's `.` and `..` segments removed (and an empty path made `/`), as the
/// `url` crate (the built-in client's) resolves them.
pub fn join(base: &str, location: &str) -> Result<String, String> {
    let joined = join_raw(base, location)?;
    let (_, authority_end) = authority(&joined)?;
    let path_end = joined[authority_end..].find(['?', '#']).map_or(joined.len(), |i| authority_end + i);
    let path = remove_dot_segments(&joined[authority_end..path_end]);
    Ok(format!("{}{path}{}", &joined[..authority_end], &joined[path_end..]))
}

/// RFC 3986's remove_dot_segments over an absolute path: `.` segments go, `..` takes the segment
/// before it along; a path ending in either keeps its trailing `/`. An empty path is `/`, as the
/// `url` crate writes an http URL.
fn remove_dot_segments(path: &str) -> String {
    let segments: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, segment) in segments.iter().enumerate() {
        let last = i + 1 == segments.len();
        match *segment {
            "." => {}
            ".." => {
                kept.pop();
            }
            other => kept.push(other),
        }
        if last && matches!(*segment, "." | "..") {
            kept.push("");
        }
    }
    format!("/{}", kept.join("/"))
}

/// `join` before the dot segments go.
fn join_raw(base: &str, location: &str) -> Result<String, String> {
    let location = location.trim_matches(|c: char| c.is_ascii_whitespace());
    if scheme_end(location).is_some() {
        host(location)?;
        return Ok(location.to_string());
    }
    let colon = scheme_end(base).ok_or_else(|| invalid("RelativeUrlWithoutBase"))?;
    let (_, authority_end) = authority(base)?;
    let joined = if location.starts_with("//") {
        format!("{}:{location}", &base[..colon])
    } else if location.starts_with('/') {
        format!("{}{location}", &base[..authority_end])
    } else {
        let path_end = base[authority_end..].find(['?', '#']).map_or(base.len(), |i| authority_end + i);
        let query_end = base.find('#').unwrap_or(base.len());
        if location.starts_with('#') || location.is_empty() {
            // Only the fragment changes: the base's query stays.
            format!("{}{location}", &base[..query_end])
        } else if location.starts_with('?') {
            format!("{}{location}", &base[..path_end])
        } else {
            let dir_end = base[authority_end..path_end].rfind('/').map_or(authority_end, |i| authority_end + i);
            format!("{}/{location}", &base[..dir_end])
        }
    };
    host(&joined)?;
    Ok(joined)
}
