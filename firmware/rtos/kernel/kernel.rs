//! Empty: this package only names the FreeRTOS kernel sources for `cargo fetch` (see Cargo.toml).
