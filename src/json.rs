//! The JSON documents the library reads from hosts: manifests and `extism_plugin_config` updates.
//! serde_json reads them, or with the cargo feature `small-json` (the firmware's lean set) the
//! library's own small reader (`crate::small_json`), which gives the same values and error texts
//! without serde's generic code. (The HTTP request a plugin sends is read by serde_json: HTTP needs
//! `std`, which no firmware build has.)

use alloc::collections::BTreeMap;
use alloc::string::String;

use crate::manifest::schema::RawManifest;

#[cfg(not(feature = "small-json"))]
pub use serde_json::Error;

#[cfg(feature = "small-json")]
pub use crate::small_json::Error;

/// A manifest document.
pub fn manifest(text: &str) -> Result<RawManifest, Error> {
    #[cfg(not(feature = "small-json"))]
    return serde_json::from_str(text);
    #[cfg(feature = "small-json")]
    return crate::manifest::schema_json::manifest(text);
}

/// A config update: an object of strings (set) or nulls (remove).
pub fn config_update(bytes: &[u8]) -> Result<BTreeMap<String, Option<String>>, Error> {
    #[cfg(not(feature = "small-json"))]
    return serde_json::from_slice(bytes);
    #[cfg(feature = "small-json")]
    return crate::small_json::config_update(bytes);
}
