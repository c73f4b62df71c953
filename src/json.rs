//! The JSON reader the library uses for everything it reads as JSON (manifests, config updates, HTTP
//! requests): serde_json, or with the cargo feature `small-json` (the firmware's lean set) our own
//! small reader, `crate::small_json`, whose error texts differ (docs/firmware.md).

use serde::de::DeserializeOwned;

#[cfg(not(feature = "small-json"))]
pub use serde_json::Error;

#[cfg(feature = "small-json")]
pub use crate::small_json::Error;

/// One JSON value of type `T` from `text`.
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, Error> {
    #[cfg(not(feature = "small-json"))]
    return serde_json::from_str(text);
    #[cfg(feature = "small-json")]
    return crate::small_json::from_slice(text.as_bytes());
}

/// One JSON value of type `T` from `bytes` (which must be UTF-8 inside strings).
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Error> {
    #[cfg(not(feature = "small-json"))]
    return serde_json::from_slice(bytes);
    #[cfg(feature = "small-json")]
    return crate::small_json::from_slice(bytes);
}
