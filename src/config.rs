//! Every capacity, default limit and magic number of the runtime, in one place
//! (like wasm3's `m3_config.h`). Change a value here and nowhere else.

/// The version string `extism_version` reports: the upstream release whose C API and behaviour this
/// library matches and is tested against (`make test-reference`), so that a host deciding which
/// calls exist by the version sees the truth. Cargo.toml's package version (soname file name,
/// pkg-config) is the same. Raise both when the suite passes against a newer upstream.
pub const VERSION: &str = "1.41.0";
/// `VERSION` with its NUL terminator, for the C edge.
pub const VERSION_CSTR: &[u8] = b"1.41.0\0";
/// This library's own release (`extism_x_version`): raised with every change that lands.
pub const RELEASE_CSTR: &[u8] = b"0.23.0\0";

/// Most one plugin's kernel memory (the `extism:host/env` arena) may grow to. `memory.max_pages` and
/// the memory budget lower it per plugin. Address space is reserved as the kernel grows (see
/// `KERNEL_ARENA_INITIAL_BYTES`); pages are only touched as the plugin uses them.
#[cfg(feature = "std")]
pub const KERNEL_ARENA_BYTES: u64 = 1 << 30;
/// Address space reserved for one plugin's kernel memory at creation (std build on Unix): a call's
/// input and output of up to about 190 KiB fit without growth, and 1,000 plugins take 256 MiB of a
/// 32-bit process. Past it the mapping grows to twice its size (it may move: see
/// `extism_current_plugin_memory` in extism.h), up to `KERNEL_ARENA_BYTES`.
pub const KERNEL_ARENA_INITIAL_BYTES: u64 = 256 * 1024;
/// Without an OS there is no lazy reservation: keep the arena small (raise it for your board).
/// A board sets its own at build time, without editing this file, with the environment variable
/// `EXTISM_KERNEL_ARENA_BYTES` (decimal bytes): whole wasm pages, or below one page a multiple of
/// `KERNEL_ARENA_UNIT` (at least one unit). An arena below a page is counted as one page the kernel
/// never grows past: allocations beyond its bytes fail as they do in a full arena. The firmware
/// images of `make firmware-test` use 8192, what their plugins need with room to spare.
#[cfg(not(feature = "std"))]
pub const KERNEL_ARENA_BYTES: u64 = match option_env!("EXTISM_KERNEL_ARENA_BYTES") {
    Some(text) => parse_arena_bytes(text),
    None => 256 * 1024,
};

/// `EXTISM_KERNEL_ARENA_BYTES`, checked at compile time (a bad value fails the build).
#[cfg(not(feature = "std"))]
const fn parse_arena_bytes(text: &str) -> u64 {
    let value = parse_build_bytes(text);
    assert!(value >= KERNEL_ARENA_UNIT, "EXTISM_KERNEL_ARENA_BYTES: less than 4096");
    assert!(
        value >= WASM_PAGE || value % KERNEL_ARENA_UNIT == 0,
        "EXTISM_KERNEL_ARENA_BYTES: below one wasm page (65536), not a multiple of 4096"
    );
    value
}

/// The smallest kernel arena, and the unit a heap arena below one wasm page is sized in (by the
/// build variable or by the memory budget): room for the kernel's bookkeeping (77 bytes) and a
/// small call's input, output, vars and errors.
pub const KERNEL_ARENA_UNIT: u64 = 4096;

/// A decimal byte count from a build-time environment variable (a bad value fails the build).
const fn parse_build_bytes(text: &str) -> u64 {
    let digits = text.as_bytes();
    assert!(!digits.is_empty(), "a byte-count build variable is empty");
    let mut value: u64 = 0;
    let mut i = 0;
    while i < digits.len() {
        assert!(digits[i].is_ascii_digit(), "a byte-count build variable is not a decimal number");
        value = match value.checked_mul(10) {
            Some(v) => match v.checked_add((digits[i] - b'0') as u64) {
                Some(v) => v,
                None => panic!("a byte-count build variable is too large"),
            },
            None => panic!("a byte-count build variable is too large"),
        };
        i += 1;
    }
    value
}

/// The memory budget of one plugin, in bytes (see `budget.rs` for what counts): None means no
/// budget. Plugins get the value in force when they are created; a host changes it at run time with
/// `extism_x_set_memory_budget`, a board sets its default at build time, without editing this file,
/// with the environment variable `EXTISM_PLUGIN_MEMORY_BUDGET` (decimal bytes; 0 means none).
pub const PLUGIN_MEMORY_BUDGET: Option<u64> = match option_env!("EXTISM_PLUGIN_MEMORY_BUDGET") {
    Some(text) => match parse_build_bytes(text) {
        0 => None,
        bytes => Some(bytes),
    },
    None => None,
};
/// What the budget charges every plugin for the runtime's own structures: the wasm store and
/// instances, the plugin handle, its locks and registers (measured: 33.2 KiB for a Rust PDK
/// plugin after two calls, no_std build; ctests/budget_arena.c prints it and checks it fits).
pub const PLUGIN_BASE_BYTES: u64 = 40 * 1024;
/// Bytes every config entry costs in the budget on top of its key and value.
pub const CONFIG_ENTRY_OVERHEAD: u64 = 48;

/// When a call wipes kernel memory, the first this many bytes are zeroed in place (they stay resident
/// for the next call, which most likely uses them again); whole pages beyond are given back to the
/// system (they read as zero again), so a plugin that once used a lot of kernel memory does not keep
/// it resident, and a wipe never touches pages the plugin left alone. `std` builds on Unix only.
pub const KERNEL_WIPE_RESIDENT_BYTES: usize = 4 << 20;

/// Default cap on the bytes a plugin may keep in vars (manifest `memory.max_var_bytes`).
pub const DEFAULT_MAX_VAR_BYTES: u64 = 1024 * 1024;
/// Bytes every var entry costs in the var budget on top of its key and value (upstream's accounting).
pub const VAR_ENTRY_OVERHEAD: u64 = 48;
/// Most vars one plugin may hold at once, beside the byte budget above; a `var_set` adding one more
/// fails the call with "Variable store is full". Our limit (upstream has only the byte budget).
pub const MAX_VAR_ENTRIES: usize = 16 * 1024;
/// Most entries one plugin's config may hold: the manifest's `config` and what `extism_plugin_config`
/// merges in. A manifest over it fails creation; a merge that would exceed it returns false and
/// changes nothing. Our limit (upstream has none).
pub const MAX_CONFIG_ENTRIES: usize = 4096;
/// Default cap on an HTTP response body (manifest `memory.max_http_response_bytes`).
pub const DEFAULT_MAX_HTTP_RESPONSE_BYTES: u64 = 50 * 1024 * 1024;
/// Redirects one plugin HTTP request follows (each target's host checked against `allowed_hosts`)
/// before failing with `too many redirects` (upstream's client default).
pub const HTTP_MAX_REDIRECTS: u32 = 10;
/// While a plugin's HTTP request runs, how often (ms) the call checks its cancel flag and deadline.
pub const HTTP_POLL_MS: u64 = 10;
/// How long past the call's deadline the call still waits for the HTTP client to give up by itself
/// (its own timeout is the same deadline) before it stops waiting and times out.
pub const HTTP_DEADLINE_GRACE_MS: u64 = 200;
/// Largest wasm module a manifest `url` source may download (upstream has no limit).
pub const MAX_URL_SOURCE_BYTES: u64 = 1 << 30;

/// Deepest wasm call stack a plugin may build before the call traps with "call stack exhausted"
/// (real plugins need thousands: ctests/t_depth.c checks 10,000). A board sets a smaller one at
/// build time with `EXTISM_MAX_RECURSION_DEPTH` (decimal, at least 16).
pub const MAX_RECURSION_DEPTH: usize = match option_env!("EXTISM_MAX_RECURSION_DEPTH") {
    Some(text) => parse_stack_limit(text, 16, "EXTISM_MAX_RECURSION_DEPTH: below 16"),
    None => 16 * 1024,
};
/// Most bytes of wasm values (locals, operands) one running call may keep on the interpreter's value
/// stack before it traps with "call stack exhausted". The stack starts at `MIN_VALUE_STACK_BYTES`
/// and grows on demand. A board sets a smaller one with `EXTISM_MAX_VALUE_STACK_BYTES` (decimal
/// bytes, at least `MIN_VALUE_STACK_BYTES`).
pub const MAX_VALUE_STACK_BYTES: usize = match option_env!("EXTISM_MAX_VALUE_STACK_BYTES") {
    Some(text) => parse_stack_limit(text, MIN_VALUE_STACK_BYTES, "EXTISM_MAX_VALUE_STACK_BYTES: below 1024"),
    None => 1 << 20,
};
/// The value stack a call starts with.
pub const MIN_VALUE_STACK_BYTES: usize = 1024;
/// Call stacks the interpreter keeps for the next call once a call ends, per compiled plugin. With
/// `std`, two (calls start faster); without, none: a call's stack is the call's alone, taken when it
/// starts and given back when it ends, so an idle plugin holds none of it.
pub const CACHED_CALL_STACKS: usize = if cfg!(feature = "std") { 2 } else { 0 };
/// The most heap one running call's stack can take (`extism_x_call_stack_bytes`): a host with a
/// fixed heap keeps this much free beside its plugins' memory budgets, once per call that may run
/// at the same time. The interpreter's two stacks are `Vec`s that double when full and hold the old
/// and the new buffer while they copy: the value stack (8-byte cells) ends below twice its maximum,
/// plus the buffer it left (under the maximum); the frame stack (four words per frame, from 4
/// frames doubling) ends at the first power of two at or above the depth, plus the half it left.
/// `ctests/budget_arena.c` and the firmware check that endless recursion stays within it.
pub const CALL_STACK_WORST_BYTES: u64 = {
    let value = 3 * MAX_VALUE_STACK_BYTES as u64;
    let frames = MAX_RECURSION_DEPTH.next_power_of_two() as u64 * FRAME_BYTES;
    value + frames + frames / 2
};
/// Bytes of one frame on the interpreter's frame stack (wasmi 2.0's `Frame`: instruction pointer,
/// value-stack offset, and an optional instance, which takes a tag word and a pointer-sized word).
const FRAME_BYTES: u64 = 4 * core::mem::size_of::<usize>() as u64;

/// A count or size limit from a build-time environment variable, at least `min` (a bad value fails
/// the build).
const fn parse_stack_limit(text: &str, min: usize, too_small: &str) -> usize {
    let value = parse_build_bytes(text);
    assert!(value <= u32::MAX as u64, "a stack limit build variable is too large");
    if (value as usize) < min {
        panic!("{}", too_small);
    }
    value as usize
}

/// Fuel handed to wasm per slice when the call has no fuel limit: between slices the runtime checks the
/// deadline and the cancel flag. ~1M units is well under a millisecond of wasm.
pub const FUEL_SLICE: u64 = 1_000_000;
/// Fuel given to instantiation (start sections, initialisers) when the plugin has no fuel limit.
pub const INIT_FUEL: u64 = u64::MAX / 4;

/// Most elements one wasm table may have, declared or grown: past it `table.grow` returns -1 and a
/// module declaring more fails to instantiate. Our limit (upstream has none; real plugins' function
/// tables hold hundreds to thousands), which keeps a plugin from taking the host's memory through
/// its tables. The memory budget counts them too.
pub const MAX_TABLE_ELEMENTS: usize = 1 << 20;
/// Bytes wasmi keeps per table element (the budget's count of a table).
pub const TABLE_ELEMENT_BYTES: u64 = 4;

/// Most host functions one create call may receive.
pub const MAX_HOST_FUNCTIONS: usize = 1024;
/// Most wasm modules one manifest may list.
pub const MAX_MODULES: usize = 64;
/// Longest function name, namespace or error message the C edge copies (longer ones are truncated).
pub const MAX_ERROR_BYTES: usize = 64 * 1024;

/// Wasm page size in bytes.
pub const WASM_PAGE: u64 = 65536;

/// Return code of a call stopped by a trap, a timeout or a cancel (upstream's value).
pub const RC_TRAP: i32 = 134;
/// Return code of a call that failed for any other reason.
pub const RC_ERROR: i32 = -1;

/// Most wasm instances, tables and memories one plugin store may hold.
pub const MAX_INSTANCES: usize = 1000;
pub const MAX_TABLES: usize = 1000;
pub const MAX_MEMORIES: usize = 1000;

/// Bytes of the buffer that keeps `extism_log_custom` lines until `extism_log_drain` (allocated once,
/// at install). When it is full the oldest lines are dropped and the next drain says how many.
#[cfg(feature = "std")]
pub const LOG_RING_BYTES: usize = 1024 * 1024;
#[cfg(not(feature = "std"))]
pub const LOG_RING_BYTES: usize = 16 * 1024;
/// Most lines that buffer holds at once (the oldest beyond it are dropped the same way).
#[cfg(feature = "std")]
pub const LOG_RING_LINES: usize = 8192;
#[cfg(not(feature = "std"))]
pub const LOG_RING_LINES: usize = 128;
/// Longest line that buffer keeps, in bytes with its "\n"; a longer message is cut to fit and ends
/// with "...". Files and standard streams get whole lines.
#[cfg(feature = "std")]
pub const LOG_LINE_MAX_BYTES: usize = 16 * 1024;
#[cfg(not(feature = "std"))]
pub const LOG_LINE_MAX_BYTES: usize = 1024;
const _: () = assert!(LOG_LINE_MAX_BYTES + 4 <= LOG_RING_BYTES && LOG_LINE_MAX_BYTES >= 256);

/// WASI: most file descriptors one plugin may have open at once (stdio and preopens included).
pub const WASI_MAX_FDS: usize = 128;
/// WASI: most `allowed_paths` entries (preopened directories) one plugin may have.
pub const WASI_MAX_PREOPENS: usize = 32;
/// WASI: longest path, in bytes, a plugin may pass to a path function (longer → ENAMETOOLONG).
pub const WASI_MAX_PATH: usize = 4096;
/// WASI: most symbolic links followed while resolving one path (more → ELOOP).
pub const WASI_MAX_SYMLINKS: usize = 32;
/// WASI: most subscriptions one `poll_oneoff` call may pass (more → EINVAL).
pub const WASI_MAX_SUBSCRIPTIONS: usize = 256;
/// WASI: the guest's exit code must be below this for `proc_exit` (as upstream: `[0..126)`).
pub const WASI_EXIT_CODE_LIMIT: u32 = 126;

/// Zero pages of what a memory grew by (its creation included) are given back to the OS (`trim`,
/// Linux `std` builds) at the end of the call that grew it while more plugins than this are alive,
/// else at the plugin's next call: a host that keeps plugins saves ~1 MiB each at once, a host that
/// creates, calls and frees one plugin at a time does not pay for it.
pub const TRIM_MIN_LIVE_PLUGINS: usize = 1;

/// Host-function arguments and results converted on the stack (more go to the heap, per call).
pub const HOST_CALL_INLINE_VALUES: usize = 8;
/// Longest stretch a WASI sleep (poll_oneoff) goes without checking the call's deadline and cancel.
pub const WASI_SLEEP_CHECK_NS: u64 = 5_000_000;

/// Most live entries of the process-wide module cache (`module_cache`): distinct wasm inputs whose
/// compiled code plugins created from bytes share. An entry lives as long as a plugin or compiled
/// plugin uses its code; when this many are alive, new code is compiled and used without caching.
/// Each entry keeps a copy of its modules' non-custom sections to confirm hits (87 KB for a small
/// Rust PDK plugin). Without `std` the cache is off (0): on a board, RAM counts more than creation
/// time, and plugins that should share code are made from one `ExtismCompiledPlugin`.
#[cfg(feature = "std")]
pub const MODULE_CACHE_ENTRIES: usize = 64;
#[cfg(not(feature = "std"))]
pub const MODULE_CACHE_ENTRIES: usize = 0;
/// Custom section names longer than this make a module uncacheable (the engine's parser limit is
/// larger; being stricter only means compiling it).
pub const MODULE_CACHE_MAX_CUSTOM_NAME: usize = 1024;

#[cfg(test)]
mod version_tests {
    use super::*;

    #[test]
    fn versions_agree() {
        // The C strings are the texts with a NUL; the package version (soname file, pkg-config) is
        // the upstream API level extism_version reports.
        assert_eq!(VERSION_CSTR, [VERSION.as_bytes(), b"\0"].concat().as_slice());
        assert_eq!(VERSION, env!("CARGO_PKG_VERSION"));
        let release = core::str::from_utf8(&RELEASE_CSTR[..RELEASE_CSTR.len() - 1]).unwrap();
        assert_eq!(RELEASE_CSTR.last(), Some(&0));
        assert_eq!(release.split('.').filter(|p| p.parse::<u32>().is_ok()).count(), 3);
        assert_ne!(release, VERSION);
    }
}
