//! Embeds the shared library's soname (`libextism.so.<major>`) at link time, so that programs linked
//! against `libextism.so` record `libextism.so.1` and keep working across compatible upgrades.
//! `make install` creates the matching version links (libextism.so.1.41.0, .so.1, .so).

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let family = std::env::var("CARGO_CFG_TARGET_FAMILY").unwrap_or_default();
    // ELF platforms with a GNU-compatible linker; macOS (install_name) and Windows have no soname.
    if family == "unix" && os != "macos" && os != "ios" {
        let major = std::env::var("CARGO_PKG_VERSION_MAJOR").unwrap_or_else(|_| "1".into());
        println!("cargo:rustc-cdylib-link-arg=-Wl,-soname,libextism.so.{major}");
    }
}
