//! Debug dumps after a failed call, switched on by environment variables read when the plugin is
//! created (std builds; as upstream): `EXTISM_MEMDUMP=<file>` receives the kernel memory after any
//! failed call, `EXTISM_COREDUMP=<file>` the main module's linear memory after a trap (raw bytes:
//! enough to inspect a crashed plugin's state with a hex editor).

use alloc::string::String;

/// Where to write dumps for one plugin (both None without `std` or when the variables are unset).
#[derive(Clone, Default)]
pub struct DumpPaths {
    pub memdump: Option<String>,
    pub coredump: Option<String>,
}

impl DumpPaths {
    pub fn from_env() -> DumpPaths {
        #[cfg(feature = "std")]
        {
            let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
            DumpPaths { memdump: var("EXTISM_MEMDUMP"), coredump: var("EXTISM_COREDUMP") }
        }
        #[cfg(not(feature = "std"))]
        DumpPaths::default()
    }
}

/// Writes `bytes` to `path`, best effort: a dump that cannot be written must not fail anything.
pub fn write(path: &str, bytes: &[u8]) {
    #[cfg(feature = "std")]
    {
        let _ = std::fs::write(path, bytes);
    }
    #[cfg(not(feature = "std"))]
    {
        let _ = (path, bytes);
    }
}
