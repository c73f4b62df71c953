/*
 * extism.h: the C API of libextism. This library is a drop-in replacement for
 * upstream Extism's runtime library (https://extism.org), written in Rust on the
 * wasmi WebAssembly interpreter, for firmware and minimal C hosts.
 *
 * A program written against upstream Extism 1.x's extism.h compiles unchanged
 * against this file and links against this library. The header is also the
 * manual: each type and function says what it does, who frees what, how long
 * returned pointers stay valid, which thread may call it, and what failure
 * looks like.
 *
 * The file has two parts:
 *   1. Upstream's API, unchanged: the same names, types and signatures as
 *      Extism 1.x, with the same behaviour (see "Conventions" just below).
 *   2. "Extensions (not in upstream Extism)", at the end of the file: names
 *      prefixed extism_x_ / ExtismX that only this library provides. A program
 *      that uses nothing from part 2 stays portable to upstream.
 */

#pragma once
#ifndef EXTISM_H
#define EXTISM_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

/*
 * Conventions that hold for the whole API (details at each function)
 *
 * - Failure values. A function that returns a pointer returns NULL on failure,
 *   one that returns bool returns false, extism_plugin_call* returns -1, and
 *   sizes and memory handles are 0. A failed creation can explain itself
 *   through its `errmsg` argument; after a failed call, ask extism_plugin_error.
 * - NULL arguments. Wherever a valid object or string is required, this
 *   implementation checks for NULL and returns the failure value (or does
 *   nothing). Upstream crashes on several of these (a NULL function name, a
 *   NULL cancel handle, ...), so portable code must not rely on the check.
 * - Ownership. Every object you create is released by its own *_free
 *   function, and every *_free function accepts NULL. Pointers returned by the
 *   library point into memory the library owns: never free them. The only
 *   string you free yourself is a creation error message (`errmsg`), with
 *   extism_plugin_new_error_free.
 * - Your buffers. Bytes and strings you pass in are only read during the
 *   function (copied where needed): you may free or reuse them as soon as it
 *   returns.
 * - Strings are NUL-terminated. Names (function names, namespaces) must be
 *   UTF-8.
 * - Threads. All functions may be called from any thread, with the limits
 *   described at ExtismPlugin (one call at a time per plugin) and at the
 *   logging functions (process-wide, set up once).
 * - Builds. The library is built with or without its `std` feature (an
 *   operating system: files, clocks, standard streams, environment variables,
 *   WAT text). Both builds export exactly the same functions; features that
 *   need an operating system are absent from a build without `std`, and the
 *   function asked for them fails as described where it is documented.
 */

/* ======================================================================== */
/* Part 1: upstream Extism 1.x API                                          */
/* ======================================================================== */

/* ------------------------------------------------------------------------ */
/* Macros                                                                   */
/* ------------------------------------------------------------------------ */

/**
 * Declares a host function named N with the signature of ExtismFunctionType,
 * so that a definition can follow in another file:
 *
 *     EXTISM_FUNCTION(hello_world);
 *     ... extism_function_new("hello_world", ..., hello_world, ...);
 */
#define EXTISM_FUNCTION(N) extern void N(ExtismCurrentPlugin*, const ExtismVal*, ExtismSize, ExtismVal*, ExtismSize, void*)

/**
 * Declares a function N with the shape used by upstream's Go SDK for its cgo
 * trampolines (opaque plugin pointer, non-const inputs, user data passed as
 * an integer handle). Kept for source compatibility; C hosts use
 * EXTISM_FUNCTION.
 */
#define EXTISM_GO_FUNCTION(N) extern void N(void*, ExtismVal*, ExtismSize, ExtismVal*, ExtismSize, uintptr_t)

/**
 * The result code of extism_plugin_call for a successful call. A call counts
 * as a success only when the result code is EXTISM_SUCCESS and
 * extism_plugin_error returns NULL afterwards.
 */
#define EXTISM_SUCCESS 0

/**
 * The value type of an Extism pointer: a memory handle (ExtismMemoryHandle)
 * passed between a plugin and a host function is an I64. Use it in the type
 * arrays of extism_function_new for parameters and results that are handles.
 */
#define EXTISM_PTR ExtismValType_I64

/* ------------------------------------------------------------------------ */
/* Types                                                                    */
/* ------------------------------------------------------------------------ */

/**
 * A WebAssembly value type, used to declare the parameters and results of a
 * host function (extism_function_new) and as the tag of an ExtismVal.
 *
 * The values are fixed: I32 = 0, I64 = 1, F32 = 2, F64 = 3, V128 = 4,
 * FuncRef = 5, ExternRef = 6; the type is 4 bytes wide.
 *
 * Only I32, I64, F32 and F64 can be exchanged with a host function.
 * V128 (SIMD plugins; see the `simd` feature in docs/building.md) may appear in a
 * host function's signature, and a plugin importing the function with that
 * type is created, as upstream; but ExtismVal holds no 128-bit value, so a
 * call of that function fails the plugin call (rc -1, error "host function
 * `<namespace>::<name>` takes or returns V128, which cannot cross the C API
 * (ExtismVal holds at most 64 bits)") without running the callback, where
 * upstream aborts the process. FuncRef and ExternRef exist for source
 * compatibility: a plugin importing a function declared with them is refused
 * at creation ("... is not supported").
 */
typedef enum {
  /** Signed 32-bit integer (ExtismVal member `i32`). */
  ExtismValType_I32,
  /** Signed 64-bit integer (ExtismVal member `i64`); also the type of memory handles, see EXTISM_PTR. */
  ExtismValType_I64,
  /** 32-bit floating point number (ExtismVal member `f32`). */
  ExtismValType_F32,
  /** 64-bit floating point number (ExtismVal member `f64`). */
  ExtismValType_F64,
  /** 128-bit SIMD vector. A host function declared with it links, but calling it fails the call. */
  ExtismValType_V128,
  /** Reference to a WebAssembly function. Not supported in host functions. */
  ExtismValType_FuncRef,
  /** Reference to opaque host data. Not supported in host functions. */
  ExtismValType_ExternRef
} ExtismValType;

/**
 * A token that stops the call a plugin is running, from any thread: see
 * extism_plugin_cancel_handle and extism_plugin_cancel.
 *
 * Owned by its plugin: never free it. It is valid until extism_plugin_free of
 * that plugin; do not use it afterwards, and do not let a cancel race with the
 * free.
 */
typedef struct ExtismCancelHandle ExtismCancelHandle;

/**
 * A module (or manifest) parsed and compiled once, from which any number of
 * plugins can be made quickly with extism_plugin_new_from_compiled.
 *
 * Created by extism_compiled_plugin_new or
 * extism_compiled_plugin_new_with_fuel_limit, released by
 * extism_compiled_plugin_free. Plugins made from it keep working after it has
 * been freed. It is never modified after creation: several threads may make
 * plugins from one compiled plugin at the same time.
 */
typedef struct ExtismCompiledPlugin ExtismCompiledPlugin;

/**
 * The plugin that is running a host function, as seen from inside that host
 * function: the first argument of every ExtismFunctionType callback.
 *
 * It gives access to the plugin's kernel memory (extism_current_plugin_memory
 * and friends) and to the call's host context. It is owned by the runtime and
 * valid only until the callback returns: never store it, never free it, and
 * never pass it to functions that take an ExtismPlugin.
 */
typedef struct ExtismCurrentPlugin ExtismCurrentPlugin;

/**
 * A host function: a C callback that plugins can import.
 *
 * Created by extism_function_new, handed to one plugin-creating call, and
 * released by extism_function_free. See extism_function_new for the complete
 * ownership rules.
 */
typedef struct ExtismFunction ExtismFunction;

/**
 * A loaded plugin: one instance of a WebAssembly program with its kernel
 * memory, configuration, variables and the results of its last call.
 *
 * Created by extism_plugin_new, extism_plugin_new_with_fuel_limit or
 * extism_plugin_new_from_compiled; released by extism_plugin_free.
 *
 * Threads: a plugin may be used from any thread. It runs one call at a time: a
 * second thread calling while a call is running waits until the first call has
 * finished. The results of a call (output data, error text) belong to the
 * plugin and are replaced by the next call, whichever thread makes it: a host
 * that shares one plugin between threads must hold its own lock from the call
 * until it has read (or copied) the results. extism_plugin_cancel may be used
 * from any thread at any time while the plugin is alive. extism_plugin_free
 * must not run at the same time as any other use of the plugin.
 *
 * Plugins are independent: different plugins run in parallel on different
 * threads.
 */
typedef struct ExtismPlugin ExtismPlugin;

/**
 * A handle to a block of a plugin's kernel memory: the block's byte offset
 * from the start of that memory (extism_current_plugin_memory). 0 never
 * designates data; it stands for "nothing" (no block, failed allocation).
 *
 * Kernel memory is separate from the plugin module's own linear memory; it is
 * where a plugin and its host functions exchange data. It is wiped before each
 * call and by extism_plugin_reset, so a handle is meaningful only during the
 * call in which it was obtained.
 */
typedef uint64_t ExtismMemoryHandle;

/** A size or count in bytes or elements; always 64 bits wide. */
typedef uint64_t ExtismSize;

/**
 * The value part of an ExtismVal: read and write the member named by the
 * value's type tag (i32 for ExtismValType_I32, and so on). 8 bytes.
 */
typedef union {
  int32_t i32;
  int64_t i64;
  float f32;
  double f64;
} ExtismValUnion;

/**
 * A typed value passed to or returned from a host function: the type tag `t`
 * and the value `v`. 16 bytes: `t` at offset 0, `v` at offset 8.
 */
typedef struct {
  ExtismValType t;
  ExtismValUnion v;
} ExtismVal;

/**
 * The signature of a host function callback (see extism_function_new).
 *
 * - `plugin`: the running plugin; valid only until the callback returns (see
 *   ExtismCurrentPlugin).
 * - `inputs`, `n_inputs`: one value per declared parameter, in order, each with
 *   its type tag set. NULL when the function has no parameters. Read-only, and
 *   valid only during the callback.
 * - `outputs`, `n_outputs`: one value per declared result, in order, each with
 *   its tag preset to the declared type and its value zeroed. NULL when the
 *   function has no results. Write each result through the member named by its
 *   tag; a result left untouched is 0.
 * - `data`: the `user_data` pointer given to extism_function_new.
 *
 * The callback runs on the thread that called extism_plugin_call*, while that
 * plugin's call is in progress. It cannot fail the call: there is no error
 * return. It must not call extism_plugin_call*, extism_plugin_output_*,
 * extism_plugin_error or any other extism_plugin_* function on the plugin
 * that is running it (upstream deadlocks); other plugins may be used freely.
 * Time spent in the callback counts against the call's timeout but does not
 * interrupt it.
 */
typedef void (*ExtismFunctionType)(ExtismCurrentPlugin *plugin,
                                   const ExtismVal *inputs,
                                   ExtismSize n_inputs,
                                   ExtismVal *outputs,
                                   ExtismSize n_outputs,
                                   void *data);

/**
 * The callback of extism_log_drain, called once per buffered log line.
 *
 * - `data`: the line, NUL-terminated and ending with "\n". It is owned by the
 *   library and valid only until the callback returns: copy it to keep it.
 * - `size`: the number of bytes before the NUL (strlen(data)).
 */
typedef void (*ExtismLogDrainFunctionType)(const char *data, ExtismSize size);

#ifdef __cplusplus
extern "C" {
#endif /* __cplusplus */

/* ------------------------------------------------------------------------ */
/* Version and identity                                                     */
/* ------------------------------------------------------------------------ */

/**
 * Returns the upstream Extism release whose C API and behaviour this library
 * matches, as a plain semantic version string: "1.41.0" (the release the
 * conformance suite runs against). A host that reads it to decide which calls
 * exist decides right: every function upstream 1.41.0 declares is here. The
 * pkg-config version and the shared library's file name say the same. This
 * library's own release is extism_x_version (extensions).
 *
 * The string is static: never NULL, never freed, valid for the life of the
 * process. Any thread.
 */
const char *extism_version(void);

/**
 * Returns the plugin's identifier: the address of 16 raw bytes forming a
 * version-4 UUID, distinct for every plugin (also for plugins made from one
 * compiled plugin). The bytes are not NUL-terminated and not text.
 *
 * The pointer is owned by the plugin, is the same on every call, and stays
 * valid until extism_plugin_free. NULL plugin: NULL. The same UUID appears in
 * the `plugin="..."` field of the plugin's log lines. Any thread; it does not
 * wait for a running call.
 */
const uint8_t *extism_plugin_id(ExtismPlugin *plugin);

/* ------------------------------------------------------------------------ */
/* Host functions                                                           */
/* ------------------------------------------------------------------------ */

/**
 * Creates a host function: a C callback that plugins can import.
 *
 * - `name`: the import name (the field name in the plugin's import), UTF-8.
 *   Copied.
 * - `inputs`, `n_inputs`: parameter types; `outputs`, `n_outputs`: result types.
 *   Copied. An array may be NULL when its count is 0. Only I32, I64, F32 and
 *   F64 are usable (see ExtismValType); memory handles are I64 (EXTISM_PTR).
 * - `func`: the callback (see ExtismFunctionType). NULL is accepted, as
 *   upstream: plugins link against the function, and a call that reaches it
 *   fails (rc -1, "host function has no callback ...") instead of crashing.
 * - `user_data`: any pointer; handed to every call of `func` as `data`. It must
 *   stay valid as long as any plugin may call the function.
 * - `free_user_data`: called as free_user_data(user_data) when the function is
 *   finally released (see below), or NULL.
 *
 * The import module (namespace) starts as "extism:host/user"; change it with
 * extism_function_set_namespace before handing the function over.
 *
 * A plugin's import is matched by namespace, name and exact type (parameter
 * and result lists). A missing or mistyped import makes plugin creation fail
 * ("unknown import: `<ns>::<name>` has not been defined", "types incompatible:
 * ..."). Extra host functions nobody imports are fine; of two functions with
 * the same namespace and name, the later one in the array wins.
 *
 * Ownership and lifetime:
 * - The caller owns the returned handle and releases it with
 *   extism_function_free, whether or not it was used.
 * - A handle can be handed to exactly one plugin-creating call
 *   (extism_plugin_new, extism_plugin_new_with_fuel_limit,
 *   extism_compiled_plugin_new, extism_compiled_plugin_new_with_fuel_limit).
 *   That call takes the function over, even when the call fails. Handing the
 *   same handle to a second creating call makes that call fail with
 *   "Function cannot be registered with multiple different Plugins". To use
 *   one callback in several plugins, create one handle per plugin, or create
 *   the plugins from one compiled plugin.
 * - free_user_data(user_data) runs exactly once, when the last owner lets go:
 *   at extism_function_free if the handle was never handed over; otherwise
 *   when the last plugin or compiled plugin that holds the function is freed
 *   (a compiled plugin and every plugin made from it share it). It runs only
 *   when both `user_data` and `free_user_data` are non-NULL.
 *
 * Returns NULL if `name` is NULL or not valid UTF-8, or a type array is
 * NULL with a count above 0, a count is above 1024, or a type is not one of
 * ExtismValType's values. Nothing is taken over
 * then: free_user_data is not called and `user_data` stays the caller's.
 *
 * Threads: any thread. The callback runs on the thread of the plugin call
 * that invokes it, so if plugins using it run on several threads, `func` and
 * `user_data` must be safe to use from several threads at once.
 */
ExtismFunction *extism_function_new(const char *name,
                                    const ExtismValType *inputs,
                                    ExtismSize n_inputs,
                                    const ExtismValType *outputs,
                                    ExtismSize n_outputs,
                                    ExtismFunctionType func,
                                    void *user_data,
                                    void (*free_user_data)(void *_));

/**
 * Releases a host function handle. NULL is fine.
 *
 * If the handle was never handed to a plugin-creating call, its
 * free_user_data(user_data) runs now. Otherwise the plugins (or compiled
 * plugin) that took the function over keep it, and its user data is released
 * when the last of them is freed; freeing the handle before or after that
 * makes no difference to them. The handle must not be used after this call,
 * and must not be freed while another thread is still using it.
 */
void extism_function_free(ExtismFunction *f);

/**
 * Sets the import module name (namespace) under which plugins find the
 * function, e.g. "env" or "my:host/api" (default "extism:host/user").
 * `namespace_` is copied; it must be UTF-8.
 *
 * Has no effect once the function has been handed to a plugin-creating call.
 * NULL `ptr` or `namespace_`: nothing happens (upstream crashes).
 */
void extism_function_set_namespace(ExtismFunction *ptr, const char *namespace_);

/* ------------------------------------------------------------------------ */
/* Creating plugins                                                         */
/* ------------------------------------------------------------------------ */

/**
 * Creates a plugin from a WebAssembly module or a manifest.
 *
 * `wasm`, `wasm_size`: the input, read during the call only. Its format is
 * recognised from its bytes:
 *   1. starts with "\0asm" (00 61 73 6d): a binary WebAssembly module;
 *   2. UTF-8 text whose first byte is "(" followed (after optional blanks) by
 *      "module", or that begins (after blanks) with a ";;" or "(;" comment: a
 *      WAT text module (builds with the `std` feature only; other builds fail);
 *   3. other UTF-8 text: a manifest, tried as TOML, then as JSON. Empty input
 *      is an empty manifest;
 *   4. anything else: compiled as a binary module (and fails).
 * A bare module runs with an empty manifest: no config, no HTTP hosts, no
 * directories, no timeout, default limits.
 *
 * The manifest (unknown keys anywhere reject it; null is accepted for any
 * optional field; types are strict):
 *   - "wasm": required, non-empty list of module sources, each one of
 *       {"path": "file.wasm"}, {"data": "<base64>"},
 *       {"data": {"ptr": <address>, "len": <size>}} (bytes in this process,
 *       compiled in place, e.g. from flash: they must stay readable and
 *       unchanged until the call returns, and are not kept after it),
 *       {"url": "https://...", "headers": {...}, "method": "GET"};
 *     each may add "name" (module name) and "hash" (lower-case hex SHA-256 of
 *     the bytes, checked). With one source it is the main module (the one whose
 *     exports you call). With several, each is registered under its "name"
 *     (default "main") and the sources can import each other by name; if no
 *     earlier source is named "main", the last one becomes "main". A source
 *     named "extism:host/user" can provide host-function imports in wasm.
 *     The other sources are instantiated before the main one, each after the
 *     sources it imports from; sources may import each other's functions in a
 *     cycle (upstream crashes on one): the import that closes the cycle
 *     reaches the other source's export once that source is instantiated.
 *     Creation fails if a start function calls such an import before then
 *     ("import cycle: `<name>::<export>` was called before module `<name>`
 *     was instantiated ..."), or if a memory, table or global is imported
 *     across a cycle ("... only functions can be imported across an import
 *     cycle").
 *   - "memory": {"max_pages": <64 KiB pages the plugin's memories may grow by
 *     in total, kernel memory included>, "max_http_response_bytes": <default
 *     52428800>, "max_var_bytes": <bytes of plugin variables, default 1048576,
 *     0 disables variables>};
 *   - "config": {"key": "value", ...}, read by plugins with config_get (see
 *     also extism_plugin_config);
 *   - "allowed_hosts": glob patterns ("*", "?", "[...]") of host names plugins
 *     may reach over HTTP; absent or empty: no HTTP at all;
 *   - "allowed_paths": {"<host dir>": "<guest path>"}, a "ro:" prefix on the
 *     host directory makes it read-only; used with WASI only;
 *   - "timeout_ms": wall-clock limit of each call, in milliseconds.
 * TOML uses the same fields, e.g. [[wasm]] tables and top-level timeout_ms.
 *
 * - `functions`, `n_functions`: host functions for the plugin's imports, an
 *   array of handles from extism_function_new. NULL means none, whatever
 *   `n_functions` says. Every handle in the array is taken over by this call,
 *   even when it fails (see extism_function_new); the array itself stays
 *   yours. A NULL entry fails with "Cannot pass null pointer".
 * - `with_wasi`: provide WASI (wasi_snapshot_preview1) to the plugin: no
 *   arguments, no environment variables, empty stdin; stdout and stderr are
 *   discarded unless the environment variable EXTISM_ENABLE_WASI_OUTPUT is set
 *   when the plugin is created; the manifest's "allowed_paths" are the
 *   preopened directories (fd 3 onwards, in sorted order). Without WASI, a
 *   module importing WASI fails to load ("unknown import").
 * - `errmsg`: NULL, or where to store an explanation on failure.
 *
 * Returns the new plugin, to release with extism_plugin_free; the input buffer
 * may be freed right away. On failure returns NULL and, if `errmsg` is not
 * NULL, sets *errmsg to a heap string that the caller releases with
 * extism_plugin_new_error_free (it is left untouched on success). Its text
 * starts with "Unable to compile Extism plugin: ", followed by the cause
 * (e.g. "Unknown manifest format", "No wasm files specified in Extism
 * manifest", an unknown import); problems with the function array have no
 * prefix.
 *
 * Creation instantiates the modules and runs their start functions and
 * initialisers, which may call host functions (on the calling thread).
 *
 * Threads: any thread; several plugins may be created at the same time.
 */
ExtismPlugin *extism_plugin_new(const uint8_t *wasm,
                                ExtismSize wasm_size,
                                const ExtismFunction **functions,
                                ExtismSize n_functions,
                                bool with_wasi,
                                char **errmsg);

/**
 * Like extism_plugin_new, with a fuel limit: each call may execute at most
 * `fuel_limit` units of work (roughly one per WebAssembly instruction; the
 * exact count differs from upstream's engine, so keep a wide margin). The tank
 * is refilled before every call. Running dry ends the call with result code -1
 * and the error text "plugin ran out of fuel"; the plugin stays usable. Start
 * functions and initialisers run at creation are limited too (creation fails,
 * "... all fuel consumed by WebAssembly").
 *
 * Error texts: "Unable to create Extism plugin: " for failures while
 * instantiating or linking, "Unable to compile Extism plugin: " for parse or
 * compile failures. Everything else as extism_plugin_new.
 */
ExtismPlugin *extism_plugin_new_with_fuel_limit(const uint8_t *wasm,
                                                ExtismSize wasm_size,
                                                const ExtismFunction **functions,
                                                ExtismSize n_functions,
                                                bool with_wasi,
                                                uint64_t fuel_limit,
                                                char **errmsg);

/**
 * Parses and compiles a module or manifest once, to make plugins from it with
 * extism_plugin_new_from_compiled. The arguments are those of
 * extism_plugin_new, and the host functions are taken over the same way: they
 * are shared by the compiled plugin and every plugin made from it.
 *
 * Only parsing and compiling happen here: import and linking problems (e.g. a
 * missing host function) are reported when a plugin is made from it.
 *
 * Returns the compiled plugin, to release with extism_compiled_plugin_free, or
 * NULL with *errmsg set as for extism_plugin_new (free it with
 * extism_plugin_new_error_free).
 */
ExtismCompiledPlugin *extism_compiled_plugin_new(const uint8_t *wasm,
                                                 ExtismSize wasm_size,
                                                 const ExtismFunction **functions,
                                                 ExtismSize n_functions,
                                                 bool with_wasi,
                                                 char **errmsg);

/**
 * Like extism_compiled_plugin_new, with a per-call fuel limit (see
 * extism_plugin_new_with_fuel_limit) that applies to every plugin made from
 * it.
 */
ExtismCompiledPlugin *extism_compiled_plugin_new_with_fuel_limit(const uint8_t *wasm,
                                                                 ExtismSize wasm_size,
                                                                 const ExtismFunction **functions,
                                                                 ExtismSize n_functions,
                                                                 bool with_wasi,
                                                                 uint64_t fuel_limit,
                                                                 char **errmsg);

/**
 * Releases a compiled plugin. NULL is fine. Plugins already made from it keep
 * working; its host functions are released when the last of those plugins is
 * freed. Must not run while another thread is making a plugin from it; the
 * compiled plugin must not be used afterwards.
 */
void extism_compiled_plugin_free(ExtismCompiledPlugin *plugin);

/**
 * Makes a new, independent plugin from a compiled plugin: its own id, kernel
 * memory, variables, configuration (from the manifest) and instances; the
 * compiled plugin's WASI setting, fuel limit and host functions. This is the
 * fast way to create many plugins from one module. May be called from several
 * threads at once on one compiled plugin.
 *
 * Returns the plugin, to release with extism_plugin_free, or NULL with
 * *errmsg set (when `errmsg` is not NULL; free it with
 * extism_plugin_new_error_free): "Unable to create Extism plugin: ..." for
 * instantiation and linking failures such as a missing import. NULL
 * `compiled`: NULL (upstream crashes).
 */
ExtismPlugin *extism_plugin_new_from_compiled(const ExtismCompiledPlugin *compiled, char **errmsg);

/**
 * Releases a creation error message stored through `errmsg` by one of the
 * creating functions. NULL is fine. Do not use it for the strings returned by
 * extism_plugin_error, which the plugin owns, and free each message once. Any
 * thread.
 */
void extism_plugin_new_error_free(char *err);

/**
 * Releases a plugin and everything it owns: its id, cancel handle, output
 * and error strings all become invalid. Host functions it took over are
 * released (their free_user_data runs) if no other plugin or compiled plugin
 * still holds them. NULL is fine.
 *
 * Must not run while another thread uses the plugin (including a running
 * call).
 */
void extism_plugin_free(ExtismPlugin *plugin);

/* ------------------------------------------------------------------------ */
/* Calling a plugin                                                         */
/* ------------------------------------------------------------------------ */

/**
 * Calls the exported function `func_name` of the plugin's main module with
 * `data_len` bytes of input at `data`, and returns its result code (rc).
 * Same as extism_plugin_call_with_host_context with a NULL host context.
 *
 * - `func_name`: NUL-terminated UTF-8 name of the export. The export must take
 *   no parameters and return nothing or one value.
 * - `data`, `data_len`: the input, copied before the function runs. NULL is
 *   read as empty input.
 *
 * What a call does, in order:
 *   1. if the plugin's previous call was to a function named "_start", the
 *      plugin is rebuilt from scratch first (kernel memory, variables, WASI
 *      state and instances are fresh; configuration survives);
 *   2. on first use the main module is instantiated and one initialiser runs
 *      (hs_init, else __wasm_call_ctors, else _initialize);
 *   3. kernel memory is wiped (handles from earlier calls become invalid), the
 *      error is cleared, and the input is copied in;
 *   4. the export runs under the plugin's limits: timeout_ms from the
 *      manifest, cancellation, the fuel limit, the memory page budget;
 *   5. the output and the error text are collected.
 * Variables set by the plugin (var_set) and configuration persist from call
 * to call.
 *
 * Result codes (rc) and the error text extism_plugin_error returns after the
 * call:
 *
 *   outcome                                    rc      error text
 *   returned nothing, or i32 0                 0       NULL
 *   returned i32 v != 0                        v       NULL
 *   returned a single value that is not i32    -1      NULL
 *   plugin recorded an error and returned v    v (*)   the recorded text
 *   plugin recorded an error, then trapped     -1      the recorded text
 *   trap (unreachable, out-of-bounds, ...)     134     engine diagnostic
 *   timeout or extism_plugin_cancel            134     "timeout"
 *   fuel exhausted                             -1      "plugin ran out of fuel"
 *   memory budget (max_pages) exceeded         -1      "oom"
 *   failure in a runtime-provided import       -1      diagnostic with cause
 *     (bad handle, HTTP refused, vars full ...)
 *   export not found (or not a function)       -1      "Function not found: <name>"
 *   export has more than one result            -1      "Function <name> has N results, expected 0 or 1"
 *   export needs parameters                    -1      "expected N arguments, got 0"
 *   func_name not valid UTF-8                  -1      "invalid utf-8 sequence of ..."
 *   WASI proc_exit(0), no recorded error       0       NULL
 *   WASI proc_exit(n), n != 0                  n       diagnostic ("Exited with i32 exit status n")
 *   WASI exit after a recorded error           -1      the recorded text
 *   NULL plugin or NULL func_name              -1      (upstream crashes on a NULL name)
 *
 *   (*) 0 is possible: check the error text too. A call counts as a success
 *   only when rc is EXTISM_SUCCESS (0) and extism_plugin_error returns NULL.
 *
 * After a trap, timeout or failure the plugin remains usable for the next call,
 * and output published before the failure stays readable.
 *
 * Threads: one call at a time per plugin; a call made while another thread's
 * call runs waits for it (see ExtismPlugin).
 */
int32_t extism_plugin_call(ExtismPlugin *plugin,
                           const char *func_name,
                           const uint8_t *data,
                           ExtismSize data_len);

/**
 * Like extism_plugin_call, and makes `host_context` available to the host
 * functions the plugin calls during this call, through
 * extism_current_plugin_host_context. The runtime never reads, writes or
 * frees `host_context`; it is forgotten when the call returns.
 */
int32_t extism_plugin_call_with_host_context(ExtismPlugin *plugin,
                                             const char *func_name,
                                             const uint8_t *data,
                                             ExtismSize data_len,
                                             void *host_context);

/**
 * Returns true if the plugin's main module exports a function named
 * `func_name` that can be called: it takes no parameters and returns nothing
 * or one i32. False otherwise, for a NULL plugin or a NULL name.
 *
 * A successful check clears the plugin's error text (see
 * extism_plugin_error). Waits for a running call of the plugin to finish.
 */
bool extism_plugin_function_exists(ExtismPlugin *plugin, const char *func_name);

/**
 * Returns the number of bytes of output the plugin published during its last
 * call (0 if none). NULL plugin: 0.
 *
 * After extism_plugin_reset the length keeps its old value while the bytes
 * read as zeros (upstream quirk). Waits for a running call of the plugin to
 * finish; the value describes the last finished call (see ExtismPlugin for
 * sharing a plugin between threads).
 */
ExtismSize extism_plugin_output_length(ExtismPlugin *plugin);

/**
 * Returns the address of the output the plugin published during its last
 * call; extism_plugin_output_length gives its size. The bytes are not
 * NUL-terminated.
 *
 * Never NULL for a live plugin (even when the length is 0, also after a call
 * that ran out of fuel). The data is owned by the plugin and stays valid until
 * the next call, extism_plugin_reset or extism_plugin_free of that plugin:
 * copy it to keep it. NULL plugin: NULL. Waits for a running call of the
 * plugin to finish.
 */
const uint8_t *extism_plugin_output_data(ExtismPlugin *plugin);

/**
 * Returns the error text of the plugin's last operation, or NULL if it
 * succeeded:
 *   - if the plugin code recorded an error message during the last call
 *     (error_set), a NUL-terminated copy of those bytes;
 *   - else the runtime's own message for the last failure (see the table at
 *     extism_plugin_call);
 *   - else NULL.
 * extism_plugin_config and extism_plugin_function_exists also update it: a
 * successful one clears it.
 *
 * The string is owned by the plugin: do not free it. It stays valid until the
 * next API call on that plugin, including another extism_plugin_error (each
 * call may return a fresh buffer), or until extism_plugin_free: copy it to
 * keep it. NULL plugin: NULL. Waits for a running call of the plugin to
 * finish.
 */
const char *extism_plugin_error(ExtismPlugin *plugin);

/**
 * Deprecated alias of extism_plugin_error, with identical behaviour. Kept for
 * source compatibility.
 */
const char *extism_error(ExtismPlugin *plugin);

/* ------------------------------------------------------------------------ */
/* Configuration, reset, cancellation, HTTP headers                         */
/* ------------------------------------------------------------------------ */

/**
 * Updates the plugin's configuration (the values plugins read with
 * config_get). `json`, `json_size`: a JSON object whose values are strings or
 * null, e.g. {"key": "value", "old": null}; a string sets its key, null
 * deletes it, keys not mentioned keep their values. The bytes are read during
 * the call only and need no NUL terminator.
 *
 * Returns true on success (and clears the plugin's error text). Returns false
 * without changing anything (the error text of the last call included, as
 * upstream) for anything else: invalid JSON, a value that is not a string or
 * null, a non-object, trailing bytes (a NUL included), or a NULL plugin. The configuration survives calls, extism_plugin_reset and
 * "_start" rebuilds. Waits for a running call of the plugin to finish.
 */
bool extism_plugin_config(ExtismPlugin *plugin, const uint8_t *json, ExtismSize json_size);

/**
 * Wipes the plugin's kernel memory: every block, the input, the output and
 * the error are gone (existing memory handles become invalid). Variables,
 * configuration and the module's own state (globals, linear memory) are kept.
 *
 * Returns true; false for a NULL plugin (upstream crashes). Invalidates the
 * pointer from extism_plugin_output_data; the output length keeps its old
 * value. Waits for a running call of the plugin to finish.
 */
bool extism_plugin_reset(ExtismPlugin *plugin);

/**
 * Returns the plugin's cancel handle, for extism_plugin_cancel. The handle is
 * owned by the plugin (never free it), is the same pointer every time, and
 * stays valid until extism_plugin_free: hand it to the thread that may need to
 * cancel. NULL plugin: NULL.
 */
const ExtismCancelHandle *extism_plugin_cancel_handle(const ExtismPlugin *plugin);

/**
 * Asks the call that the handle's plugin is running right now to stop. Safe
 * from any thread while the plugin is alive.
 *
 * The call stops at its next loop or function boundary, exactly like a
 * timeout: rc 134 and error text "timeout"; the plugin remains usable. A host
 * function in progress is not interrupted; the call stops after it returns.
 * Cancelling an idle plugin has no effect and is not remembered for a later
 * call. Only the handle's plugin is affected (upstream also stops plugins made
 * from the same compiled plugin).
 *
 * Returns true when the request was registered, whether or not a call was
 * running. NULL handle: false (upstream crashes).
 */
bool extism_plugin_cancel(const ExtismCancelHandle *handle);

/**
 * Lets the plugin read the headers of its HTTP responses: from now on the
 * plugin import http_headers returns a JSON object of the last response's
 * headers (lower-case names, sorted; "{}" before any request) instead of
 * nothing. Cannot be switched off again. NULL plugin: nothing happens
 * (upstream crashes). Waits for a running call of the plugin to finish.
 */
void extism_plugin_allow_http_response_headers(ExtismPlugin *plugin);

/* ------------------------------------------------------------------------ */
/* Inside a host function                                                   */
/*                                                                          */
/* These take the ExtismCurrentPlugin a callback receives as its first      */
/* argument and may only be used during that callback, on its thread. With  */
/* a NULL plugin they return 0 / NULL or do nothing.                        */
/* ------------------------------------------------------------------------ */

/**
 * Returns the base address of the running plugin's kernel memory (not the
 * module's own linear memory). The bytes of a block with handle h start at
 * base + h and extism_current_plugin_memory_length(plugin, h) bytes are
 * readable and writable there. Owned by the plugin: never free it.
 *
 * How long the base (and any pointer computed from it) is valid: until the
 * callback returns, or until the callback calls
 * extism_current_plugin_memory_alloc, whichever comes first. An allocation
 * that needs more kernel memory than the plugin has reserved may move it:
 * in std builds on Unix kernel memory reserves 256 KiB of address space when
 * the plugin is created and, when a block needs more, grows to twice its
 * size (at least to what the block needs; at most to the plugin's
 * "memory.max_pages", its memory budget, or 1 GiB), at a new address if it
 * cannot grow where it is. So call extism_current_plugin_memory again after
 * an allocation. Handles (offsets) never change, and the bytes behind them
 * move with the memory. extism_current_plugin_memory_length and
 * extism_current_plugin_memory_free never move it, and nothing moves it
 * between calls: extism_plugin_output_data stays valid as documented there.
 * In builds without `std` kernel memory is one heap block reserved whole at
 * creation and never moves.
 *
 * Kernel memory is the plugin's own mapping (std builds on Unix), unmapped
 * when it moves and by extism_plugin_free: a pointer kept past that faults
 * rather than reading the host's heap (until the address is mapped again, by
 * a new plugin for example, so never keep it).
 */
uint8_t *extism_current_plugin_memory(ExtismCurrentPlugin *plugin);

/**
 * Allocates a block of `n` bytes in the running plugin's kernel memory and
 * returns its handle, to give to the plugin as an I64 result (EXTISM_PTR).
 * Returns 0 when `n` is 0 or the memory is exhausted. The block's content is
 * unspecified; it lives until it is freed (by the host or the plugin), the
 * plugin's next call, or extism_plugin_reset. It may move kernel memory:
 * pointers from extism_current_plugin_memory taken before it are no longer
 * valid (read the base again; handles stay valid).
 */
ExtismMemoryHandle extism_current_plugin_memory_alloc(ExtismCurrentPlugin *plugin, ExtismSize n);

/**
 * Returns the length in bytes of the block whose handle is `n`, or 0 if `n`
 * is not the start of a live block (0, an offset inside a block, a freed
 * block). Use it to size the data behind a handle a plugin passed in.
 */
ExtismSize extism_current_plugin_memory_length(ExtismCurrentPlugin *plugin, ExtismMemoryHandle n);

/**
 * Frees the block whose handle is `ptr` in the running plugin's kernel memory.
 * Unknown handles and 0 are ignored.
 */
void extism_current_plugin_memory_free(ExtismCurrentPlugin *plugin, ExtismMemoryHandle ptr);

/**
 * Returns the `host_context` pointer given to
 * extism_plugin_call_with_host_context for the call in progress, or NULL when
 * the call was made with extism_plugin_call (or a NULL context).
 */
void *extism_current_plugin_host_context(ExtismCurrentPlugin *plugin);

/* ------------------------------------------------------------------------ */
/* Logging                                                                  */
/*                                                                          */
/* One logger for the whole process, installed once by extism_log_file or   */
/* extism_log_custom: the first successful install wins, and every later    */
/* install (of either kind) returns false and changes nothing. Without a    */
/* logger nothing is logged and plugins see the level as "off". Any thread. */
/*                                                                          */
/* Log levels: "trace", "debug", "info", "warn", "error" (any case) or "1"  */
/* (error) to "5" (trace). A plain level shows the runtime's own messages   */
/* and the plugins' messages (target extism::pdk) at that level and above.  */
/* Any other string is read as a comma-separated list of filter directives, */
/* as upstream's (tracing's EnvFilter): "target=level", a bare level for    */
/* every target, "off" or "0" to silence. A target matches as a prefix and  */
/* the longest matching one decides; the targets in use are extism::pdk     */
/* (the plugins' messages) and, for the runtime's own lines, upstream's:    */
/* extism::plugin, extism::manifest, extism::function,                      */
/* extism::current_plugin and extism::sdk. Unreadable directives are        */
/* skipped; if none is left the level is "error". NULL means "error".       */
/* Example: "extism::pdk=trace,extism=warn" shows every plugin message and  */
/* only the runtime's warnings and errors.                                  */
/*                                                                          */
/* The level plugins see (get_log_level, and the test made before a log_*   */
/* import reads its message) is the most verbose level any directive names, */
/* whatever its target, as upstream.                                        */
/*                                                                          */
/* Line format:                                                             */
/*   <UTC time, RFC 3339 with microseconds>Z <LEVEL> <target>: <message>    */
/*   plugin="<uuid>"                                                        */
/* (one line unless the message holds newlines; the level padded to 5       */
/* characters; the uuid as extism_plugin_id, 8-4-4-4-12 lower-case hex),    */
/* for example                                                              */
/*   2026-11-25T17:40:01.123456Z  INFO extism::pdk: hello plugin="1e1f..."  */
/* The time stamp is left out when there is no wall clock (no `std` feature */
/* and no extism_x_set_wall_clock hook).                                    */
/*                                                                          */
/* The runtime's own lines are upstream's, at upstream's levels and targets */
/* (lines about one plugin carry its plugin field; <name> is the export):   */
/* - TRACE extism::manifest: "Loading manifest", "Manifest is JSON" (or     */
/*   TOML), "Found module <name>" (manifests of several modules);           */
/* - DEBUG extism::plugin: "Available pages: None" (or Some(<max_pages>)),  */
/*   "<uuid> created" (both without the plugin field);                      */
/* - TRACE extism::function: "Creating function <name>: params=[I64],       */
/*   results=[I64]" (extism_function_new);                                  */
/* - a call: TRACE extism::sdk "calling function <name> using               */
/*   extism_plugin_call" (extism_x_call_begin for a stepped call); TRACE    */
/*   extism::plugin "Plugin::instance is none, instantiating" (first call), */
/*   "clearing error"; DEBUG extism::plugin "input size: <n>"; then when    */
/*   the export has ended (not after fuel ran out) DEBUG "output            */
/*   offset=<o>, length=<n>", "error offset=<o>, length=<n>", and "got      */
/*   return code: <rc>" if it returned a value;                             */
/* - ERROR extism::plugin: "call to <name> returned with error message:     */
/*   <text>" when the plugin set an error, and "call to <name> encountered  */
/*   an error: <error>" for every call that ends with an error (a trap, a   */
/*   host function's failure, fuel, the plugin's own error even with rc 0,  */
/*   a failure before the export ran), except a missing export, which       */
/*   upstream does not log either;                                          */
/* - DEBUG extism::plugin: "call to <name> timed out" (timeout_ms, or       */
/*   extism_plugin_cancel: then "call to <name> cancelled by the host       */
/*   (extism_plugin_cancel)" first; extism_plugin_cancel itself logs        */
/*   nothing, so that it stays one atomic store);                           */
/* - TRACE extism::current_plugin, for kernel memory used from the host     */
/*   side (the input, extism_current_plugin_memory_*):                      */
/*   "memory_alloc(<offset>) = <size>", "memory_length(<offset>) =          */
/*   <length>", and for a free "memory handle found: offs = <offset>,       */
/*   length = <length>";                                                    */
/* - TRACE extism::sdk: "called extism_plugin_free", "called                */
/*   extism_compiled_plugin_free", "error is NULL",                         */
/*   "extism_plugin_output_data: offset=<o>, length=<n>".                   */
/* Ours only, at TRACE: extism::plugin "compiling module <name> (<n>        */
/* bytes)", "modules reused from the module cache", "module <name>          */
/* instantiated and linked", "call to <name> finished: rc <rc>, <n> ns"     */
/* (the call's wall time); extism::function "host function                  */
/* <namespace>::<name> linked". With no logger, or with a level that        */
/* filters a line out, a line costs one atomic load.                        */
/* ------------------------------------------------------------------------ */

/**
 * Installs the process-wide logger writing to `filename`, showing messages at
 * `log_level` (see above) and above.
 *
 * `filename`: "stderr", "-" or NULL for standard error, "stdout" for standard
 * output (both with upstream's ANSI colours); anything else is a file path,
 * opened for appending and created if missing, written without colours.
 * Each line is written whole, as it is logged.
 *
 * Returns true if installed; false if a logger is already installed, the
 * file name or level is not UTF-8, or the file cannot be opened (upstream
 * aborts then). Builds without the `std` feature have no files or standard
 * streams and return false.
 */
bool extism_log_file(const char *filename, const char *log_level);

/**
 * Installs the process-wide logger that keeps lines in memory until the host
 * collects them with extism_log_drain. `log_level` as above.
 *
 * The buffer has a fixed size, allocated here (1 MiB and at most 8192 lines
 * in the std build; 16 KiB and 128 lines without `std`): when a new line
 * does not fit, the oldest lines are dropped, and the next drain says how
 * many. A line longer than 16 KiB (1 KiB without `std`) has its message cut,
 * ending with "...". NUL bytes in a message are written as the two
 * characters \0. Upstream's buffer is unbounded: drain regularly.
 *
 * Returns true if installed; false if a logger is already installed or the
 * level is not UTF-8.
 */
bool extism_log_custom(const char *log_level);

/**
 * Hands every line buffered by the extism_log_custom logger, oldest first, to
 * `handler` (see ExtismLogDrainFunctionType), then discards it: each line is
 * delivered once. Runs `handler` on the calling thread before returning; does
 * nothing if there are no lines, no such logger, or `handler` is NULL.
 *
 * If lines were dropped because the buffer was full, the first line handed
 * over says how many, in the usual line format:
 *   <time>Z  WARN extism::log: <n> log lines were dropped: the log buffer
 *   was full
 * (one line), and the count starts again from zero.
 *
 * No lock is held while `handler` runs: other threads keep logging, and
 * lines logged meanwhile (also by plugins the handler calls) wait for the
 * next drain. The handler must not call extism_log_drain itself.
 */
void extism_log_drain(ExtismLogDrainFunctionType handler);

/* ======================================================================== */
/* Part 2: Extensions (not in upstream Extism)                              */
/*                                                                          */
/* Everything below is specific to this library; a program that uses it    */
/* does not build against upstream's extism.h. Test for EXTISM_X_VERSION    */
/* with #ifdef to write code that builds against both.                      */
/*                                                                          */
/* Naming rule: every extension function is prefixed extism_x_, every      */
/* extension type ExtismX and every extension macro EXTISM_X_, so that a    */
/* name upstream adds in the future can never collide with one of ours.     */
/* ======================================================================== */

/**
 * Version of the extension API declared in this part. It only grows: it is
 * raised whenever an extension is added; existing extensions keep their
 * signatures and behaviour.
 */
#define EXTISM_X_VERSION 3

/**
 * Returns this library's own release (the wasmi-based runtime, not the
 * upstream API level of extism_version), as a plain semantic version string,
 * for example "0.23.0". Static: never NULL, never freed. Any thread.
 * Since EXTISM_X_VERSION 2.
 */
const char *extism_x_version(void);

/* ------------------------------------------------------------------------ */
/* Host hooks: what a host supplies instead of an operating system          */
/*                                                                          */
/* A build with the `std` feature takes its heap, clocks and randomness     */
/* from the operating system; a build without it (firmware, `make nostd`)   */
/* has none of these and asks the host for them through the functions      */
/* below. Both builds export all of them.                                   */
/*                                                                          */
/* Each hook is a plain C function plus a `user_data` pointer that the      */
/* library hands back as the first argument of every call and never reads, */
/* writes or frees: it must stay valid while the hook is installed (for    */
/* the allocator: for the rest of the process).                             */
/*                                                                          */
/* Threads. Hooks are called on whichever thread is inside the library at   */
/* the time (the thread calling extism_plugin_new, extism_plugin_call,      */
/* ...), possibly on several threads at once: a host that uses the library  */
/* from more than one thread must make its hooks thread-safe. A hook must   */
/* not call any extism_* function and must return (no longjmp out of it).   */
/*                                                                          */
/* Install the hooks once, at start-up, before creating any plugin: the     */
/* allocator must come before any other call into the library (see         */
/* extism_x_set_allocator); the others may be replaced later, but a clock   */
/* replaced while a call with a timeout runs gives that call a meaningless */
/* deadline.                                                                */
/*                                                                          */
/* Without them, in a build without `std`:                                  */
/*   - heap: malloc, calloc, realloc and free of the C library;             */
/*   - clock: a manifest with "timeout_ms" is refused at creation ("timeout_ */
/*     ms needs a clock: this build has none; install one with              */
/*     extism_x_set_clock"); WASI clock_time_get, clock_res_get and clock   */
/*     waits in poll_oneoff return ENOSYS to the plugin;                    */
/*   - wall clock: log lines carry no timestamp; WASI's realtime clock      */
/*     returns ENOSYS;                                                      */
/*   - randomness: WASI random_get returns ENOSYS to the plugin (never      */
/*     predictable bytes); plugin ids stay distinct (a counter), but are    */
/*     not random;                                                          */
/*   - log sink: extism_log_custom and extism_log_drain work as usual;      */
/*     extism_log_file returns false (no files, no standard streams).       */
/*   - lock: the library's locks are spin locks (see extism_x_set_lock for  */
/*     why an RTOS with priorities must install its own).                   */
/* In a `std` build a clock, wall clock or randomness hook replaces the     */
/* operating system's source, and extism_x_set_allocator returns false.    */
/* ------------------------------------------------------------------------ */

/**
 * The allocation half of the heap hook (see extism_x_set_allocator).
 *
 * Returns a block of `size` bytes whose address is a multiple of `align`,
 * or NULL when there is no memory (the operation that needed it then fails
 * cleanly where it can, or the process aborts, as on any out-of-memory in
 * Rust). `size` is never 0; `align` is a power of two, at least 1, and may be
 * larger than malloc's alignment (64, 4096, ...). The content of the block
 * is unspecified (the library zeroes it itself where it must).
 */
typedef void *(*ExtismXAllocFn)(void *user_data, size_t size, size_t align);

/**
 * The release half of the heap hook (see extism_x_set_allocator): `ptr` is a
 * block returned by the matching ExtismXAllocFn, never NULL, with the very
 * `size` and `align` it was requested with, so a pool or arena allocator
 * needs no header of its own. Each block is released exactly once.
 */
typedef void (*ExtismXFreeFn)(void *user_data, void *ptr, size_t size, size_t align);

/**
 * A clock: returns the current time in nanoseconds.
 *
 * For extism_x_set_clock the time is monotonic (it never goes back) from
 * any origin, e.g. a board's tick counter scaled to nanoseconds; its
 * resolution bounds how precisely timeouts fire. For extism_x_set_wall_clock
 * it is the time since 1970-01-01T00:00:00 UTC.
 */
typedef uint64_t (*ExtismXClockFn)(void *user_data);

/**
 * A source of randomness: fills the `len` bytes at `buf` (len > 0) with
 * unpredictable bytes and returns true, or returns false if it cannot (the
 * request then fails as if there were no source: see above). The bytes reach
 * plugins through WASI random_get and make plugin ids: use a hardware RNG or
 * a seeded CSPRNG, not rand().
 */
typedef bool (*ExtismXRandomFn)(void *user_data, uint8_t *buf, size_t len);

/**
 * A log sink: receives one finished log line (see the line format at
 * "Logging" above, without colours).
 *
 * - `line`: the line, ending with "\n" and NUL-terminated. Owned by the
 *   library and valid only until the sink returns: copy it to keep it. A NUL
 *   byte inside a plugin's message is written as the two characters "\0"; a
 *   line longer than the library's line limit (16 KiB with `std`, 1 KiB
 *   without) has its message cut, ending with "...".
 * - `len`: the number of bytes before the NUL (strlen(line)).
 *
 * Called on the thread that logs, while the logger's lock is held: lines
 * from several threads arrive one at a time, in the order they were
 * written. Keep it short (copy to a buffer, write to a UART); it must not
 * call any extism_* function (that deadlocks).
 */
typedef void (*ExtismXLogSinkFn)(void *user_data, const char *line, size_t len);

/**
 * Makes `alloc` and `free` the heap of the whole library for the rest of the
 * process: every byte the library allocates afterwards (plugins, their wasm
 * memories and kernel memory, compiled code, host function handles, error
 * strings, log buffers) comes from `alloc` and goes back through `free`.
 *
 * Call it first, before any other function of the library except
 * extism_version, extism_x_set_clock, extism_x_set_wall_clock and
 * extism_x_set_random (they allocate nothing): a block taken from the
 * fallback heap (malloc) could never be released through `free`, so once the
 * library has allocated anything, the heap is fixed and this returns false. It also returns false when a heap was
 * already installed (it cannot be replaced or removed), when `alloc` or
 * `free` is NULL, and always in a build with `std`, whose heap is the
 * system allocator. Returns true when installed.
 *
 * The error strings returned through `errmsg` by the plugin-creating
 * functions come from this heap too: release them with
 * extism_plugin_new_error_free as usual, never with your own free.
 *
 * Thread-safety: call it once, before any other thread uses the library;
 * `alloc` and `free` may then be called from any thread using the library,
 * concurrently (see "Threads" above).
 */
bool extism_x_set_allocator(ExtismXAllocFn alloc, ExtismXFreeFn free, void *user_data);

/**
 * The host's lock, first half (see extism_x_set_lock): makes one lock
 * object, unlocked, and returns it, e.g. an RTOS mutex with priority
 * inheritance (FreeRTOS: xSemaphoreCreateMutex). It must not return NULL:
 * a lock that cannot be made is treated as out of memory (the process aborts,
 * as on any failed allocation the library cannot recover from). Called at the
 * first use of each of the library's locks, possibly by two threads at once
 * for the same one (the library then destroys the extra object).
 */
typedef void *(*ExtismXLockCreateFn)(void *user_data);

/**
 * The host's lock, second half (see extism_x_set_lock): locks, unlocks or
 * destroys a `lock` object made by the ExtismXLockCreateFn. Lock waits as
 * long as it takes (no timeout); unlock is called by the thread that locked
 * it; destroy is called once, on an unlocked object, when the library drops
 * the lock (most of its locks live for the rest of the process).
 */
typedef void (*ExtismXLockFn)(void *user_data, void *lock);

/**
 * Makes `create`, `lock`, `unlock` and `destroy` the lock behind every lock
 * of the library (the logger, the clocks' and the budget's settings, each
 * plugin's call state, the once-made parts of a compiled plugin: its
 * linkers and its import check), for the rest of the process.
 *
 * Why: without `std` the library's locks are spin locks. On one core with a
 * preemptive scheduler and priorities (FreeRTOS, Zephyr, ...), a task that
 * wants a spin lock held by a lower-priority task spins forever: the holder
 * never runs again to release it. With an RTOS mutex the waiting task
 * sleeps, and with priority inheritance the holder runs at its priority
 * until it unlocks. Example: a task whose plugin is inside a host function
 * holds that plugin's lock; a higher-priority task calling
 * extism_plugin_output_length on the same plugin waits for the call to end.
 *
 * Call it at start-up, before any other function of the library except
 * extism_version and extism_x_set_allocator (the allocator first, as that
 * function asks): a lock taken as a spin lock must be released as one, so
 * once the library has taken any lock (most functions, including the other
 * extism_x_set_* hooks, take one), the kind of lock is fixed and this
 * returns false. It also returns false when a host lock was already
 * installed (it cannot be replaced or removed), when any callback is NULL,
 * and always in a build with `std`, whose locks are the operating system's
 * mutexes. Returns true when installed. `user_data` is handed to every
 * callback and must stay valid for the rest of the process.
 *
 * The callbacks may be called from any thread that uses the library, at the
 * same time; they must not call any extism_* function. The library never
 * takes the same lock twice on one thread (no recursive mutex needed). A
 * plugin's lock is held for the whole of a call to it, host functions
 * included: another thread's extism_plugin_* on that plugin waits for it
 * (extism_plugin_cancel excepted: it takes no lock).
 *
 * Not covered: the interpreter (wasmi) keeps spin locks of its own inside
 * an engine, which is shared by a compiled plugin and every plugin made
 * from it (without `std`, where there is no module cache, a plugin from
 * extism_plugin_new has an engine of its own). They are held for short
 * stretches (handing out a call's stacks, creating plugins) and while a
 * function is translated at its first call (the library translates lazily).
 * Keep each compiled plugin and the plugins made from it to
 * one task, or to tasks of equal priority with time slicing; different
 * compiled plugins in different tasks share nothing of the engine.
 * Since EXTISM_X_VERSION 2.
 */
bool extism_x_set_lock(ExtismXLockCreateFn create, ExtismXLockFn lock, ExtismXLockFn unlock,
                       ExtismXLockFn destroy, void *user_data);

/**
 * Installs the monotonic clock that measures manifest timeouts
 * ("timeout_ms") and serves WASI's monotonic clock (clock_time_get,
 * clock_res_get, clock waits in poll_oneoff). `clock` NULL removes the hook:
 * the operating system's clock again with `std`, no clock without it.
 *
 * Install it before creating plugins whose manifest sets "timeout_ms": a
 * build without `std` refuses those without a clock (see above). The clock
 * is read when a call with a timeout starts and then about every
 * millisecond of wasm execution (or more often) until it ends. Always returns true. May be
 * called at any time from any thread; a call in progress may still use the
 * previous clock once.
 */
bool extism_x_set_clock(ExtismXClockFn clock, void *user_data);

/**
 * Installs the wall clock (nanoseconds since the Unix epoch, UTC) that
 * stamps log lines and serves WASI's realtime clock. `clock` NULL removes the
 * hook: the operating system's time again with `std`; without it, log lines
 * have no timestamp and the realtime clock answers ENOSYS. Always returns
 * true. May be called at any time from any thread.
 */
bool extism_x_set_wall_clock(ExtismXClockFn clock, void *user_data);

/**
 * Installs the source of randomness behind WASI random_get and plugin ids.
 * `random` NULL removes the hook: /dev/urandom again with `std`; without it,
 * random_get answers ENOSYS and plugin ids are made from a counter. Always
 * returns true. May be called at any time from any thread.
 */
bool extism_x_set_random(ExtismXRandomFn random, void *user_data);

/**
 * Installs the process-wide logger that hands every line, as it is written,
 * to `sink` (see ExtismXLogSinkFn): the logger for hosts without files or
 * standard streams, and for hosts that want lines at once rather than
 * through extism_log_drain. `log_level` as for extism_log_file (NULL means
 * "error").
 *
 * It is one more kind of logger: the first successful install of
 * extism_log_file, extism_log_custom or this function wins, and every later
 * install returns false. Returns true if installed; false if a logger is
 * already installed, `sink` is NULL or the level is not UTF-8. It cannot be
 * removed: `sink` and `user_data` must stay valid for the rest of the
 * process. Works in every build. Any thread.
 */
bool extism_x_set_log_sink(ExtismXLogSinkFn sink, void *user_data, const char *log_level);

/**
 * Sets the memory budget of every plugin created from now on: one cap, in
 * bytes, over all the memory the library takes for one plugin, so that a
 * host with a fixed heap (a static arena behind extism_x_set_allocator)
 * can size it and know no call reaches past it. 0 removes the budget.
 * Returns the previous budget (0: none). The initial budget is the one the
 * library was built with (the build variable EXTISM_PLUGIN_MEMORY_BUDGET,
 * decimal bytes; none by default).
 *
 * What counts: a fixed charge of 40 KiB for the plugin's own structures
 * (its wasm store and instances, handle and registers), every wasm memory
 * and table of the plugin as the interpreter holds it (a buffer of the
 * declared size at first, 4 bytes a table element; a memory.grow or
 * table.grow past the buffer reallocates it to at least twice its size,
 * and holds old and new buffers while it copies, so that growth needs the
 * new buffer's bytes free on top of the rest), its kernel
 * memory (the memory behind extism_current_plugin_memory: in a build
 * without `std` a heap block reserved whole at creation, at most the
 * build's EXTISM_KERNEL_ARENA_BYTES and sized down to what the budget
 * leaves, in whole 64 KiB pages or, below one page, whole 4 KiB units (at
 * least one: a smaller remainder fails creation); an arena below a page is
 * one page of kernel memory that never grows; with `std` the 64 KiB pages
 * the plugin commits, at least one), its vars
 * (key + value + 48 bytes each) and its config (the same). Not counted: the
 * compiled code, which belongs to the compiled plugin (shared by every
 * plugin made from it: ExtismCompiledPlugin), the stack of a running call
 * (extism_x_call_stack_bytes), and the few bytes of a call's error text. The budget applies together with the manifest's
 * "memory.max_pages" and "memory.max_var_bytes": the tighter one wins.
 *
 * When something would pass it, nothing is lost and the plugin stays
 * usable: plugin creation fails (the error says how many bytes the plugin
 * needs); a memory.grow or table.grow, or a kernel allocation (alloc, a
 * large input or output), fails the call with rc -1 and the error "oom: the plugin's
 * memory budget of N bytes is spent (extism_x_set_memory_budget)"; a
 * var_set fails the call with the same error, and so does an HTTP
 * response whose body is over half of what the plugin has left (the body
 * and its copy in kernel memory must both fit; it is not read past that);
 * extism_plugin_config returns false and changes nothing
 * (extism_plugin_error says why).
 *
 * A plugin keeps the budget it was created with for its whole life. Any
 * thread, any time; plugins already created are not affected.
 */
uint64_t extism_x_set_memory_budget(uint64_t bytes);

/**
 * The most heap one running call's wasm stack can take, in bytes: a host
 * with a fixed heap keeps this much free beside its plugins' memory
 * budgets, once for every call that may run at the same time.
 *
 * The stack belongs to the call, not to the plugin, so the memory budget
 * does not count it: the interpreter takes it as the call goes deeper and,
 * in a build without `std`, gives it all back when the call ends (with
 * `std` it keeps up to two per compiled plugin for the next calls). Its
 * bounds are fixed when the library is built: at most
 * EXTISM_MAX_RECURSION_DEPTH nested wasm calls (16384 by default) and
 * EXTISM_MAX_VALUE_STACK_BYTES of wasm values (1 MiB by default; both are
 * build variables, as for EXTISM_PLUGIN_MEMORY_BUDGET). A call that would
 * pass either fails with rc 134 and the error "wasm trap: call stack
 * exhausted"; the plugin stays usable. The figure includes the old and the
 * new buffer the stacks hold while they grow (about three times the value
 * stack's maximum plus one and a half times the frame stack's).
 *
 * Any thread, any time.
 */
uint64_t extism_x_call_stack_bytes(void);

/* ------------------------------------------------------------------------ */
/* Stepped calls: run a plugin call a slice at a time from your own loop    */
/*                                                                          */
/* For hosts without threads (firmware main loops, event loops): start a    */
/* call without running it, then run it in slices of a fuel budget you      */
/* choose, each slice returning at once with where the call stands. The     */
/* state of the call lives in the plugin (a plugin runs one call at a time  */
/* anyway), so there is no call object to manage or free: the plugin is the */
/* handle. After the call ends, read its result exactly as after            */
/* extism_plugin_call: extism_x_call_rc for the return code,                */
/* extism_plugin_output_* and extism_plugin_error for the rest.             */
/*                                                                          */
/* A stepped call obeys everything a plain call does: fuel limits (counted  */
/* over all slices), memory limits, host functions, WASI, and timeout_ms,   */
/* counted from the first slice with the library's clock (the host clock    */
/* hook in no_std builds). extism_plugin_cancel stops it at the next slice  */
/* (or inside the running one, at the next fuel boundary); the cancel path  */
/* takes no lock and allocates nothing, so an interrupt handler may call it.*/
/*                                                                          */
/* While a stepped call is in progress, extism_plugin_call* fail with rc -1 */
/* and an error saying so, extism_plugin_config and extism_plugin_reset     */
/* return false and change nothing, and extism_x_call_begin returns false.  */
/* extism_plugin_free is safe at any time: it ends the call and frees all.  */
/* Thread-safety: the functions lock the plugin like every other call, so   */
/* steps from several threads are serialised; one thread is the normal use.*/
/* ------------------------------------------------------------------------ */

/** Where a stepped call stands (the result of extism_x_call_step). */
typedef enum {
  /** No stepped call is in progress on this plugin (none begun, or it ended). */
  EXTISM_X_STEP_IDLE = -1,
  /** The slice's fuel ran out before the call ended: step again. */
  EXTISM_X_STEP_RUNNING = 0,
  /** The call ended successfully: rc 0 and no error. */
  EXTISM_X_STEP_FINISHED = 1,
  /** The call ended otherwise: see extism_x_call_rc and extism_plugin_error. */
  EXTISM_X_STEP_FAILED = 2,
  /** A host function asked to wait (extism_x_current_plugin_wait): answer
   *  it with extism_x_call_resume or extism_x_call_resume_error, then step;
   *  or an HTTP handler did (EXTISM_X_HTTP_WAIT): answer with
   *  extism_x_call_resume_http or extism_x_call_resume_error. */
  EXTISM_X_STEP_WAITING = 3
} ExtismXStep;

/**
 * Starts a call of `func_name` with `data_len` bytes of input (copied; NULL
 * data with length 0 is empty input) without running any of the export.
 * Everything extism_plugin_call does before the export runs happens here
 * (instantiating the plugin and its initialisers on first use, copying the
 * input, looking the function up). `host_context` is what
 * extism_current_plugin_host_context returns inside host functions.
 *
 * Returns true when the call is ready: step it with extism_x_call_step.
 * Returns false when it ended before running (unknown function, NULL or
 * non-UTF-8 name, instantiation failure, or a stepped call already in
 * progress): extism_x_call_rc and extism_plugin_error tell why. NULL plugin:
 * false.
 */
bool extism_x_call_begin(ExtismPlugin *plugin, const char *func_name, const uint8_t *data,
                         ExtismSize data_len, void *host_context);

/**
 * Runs the stepped call for at most `fuel` units of fuel (wasmi's units;
 * 0 counts as 1; one instruction that needs more, such as a large
 * memory.grow, gets what it needs) and returns where it stands
 * (ExtismXStep, as an int). Never blocks beyond the slice and the host
 * functions it calls. A timeout or cancel noticed between slices ends the
 * call with rc 134 and error "timeout", as for a plain call. NULL plugin or
 * no call in progress: EXTISM_X_STEP_IDLE.
 */
int32_t extism_x_call_step(ExtismPlugin *plugin, uint64_t fuel);

/**
 * Ends the stepped call in progress as failed: rc -1, error "call aborted
 * by the host". Output published before the abort stays readable. Returns
 * true if a call was in progress, false otherwise (and for NULL).
 */
bool extism_x_call_abort(ExtismPlugin *plugin);

/**
 * The return code of the plugin's last call that ended (stepped or plain),
 * with the meaning of extism_plugin_call's. Before any call: 0. NULL: -1.
 */
int32_t extism_x_call_rc(ExtismPlugin *plugin);

/* ------------------------------------------------------------------------ */
/* Host functions that fail or wait                                         */
/* ------------------------------------------------------------------------ */

/**
 * Called inside a host-function callback: makes the running call stop once
 * the callback returns, with rc -1 and `message` (copied; NULL gives "host
 * function failed") as extism_plugin_error, like a failure inside a
 * runtime-provided import. The plugin cannot catch it. The callback's
 * results are ignored. Returns true; false (and does nothing) when `plugin`
 * is NULL or no callback of this plugin is running.
 */
bool extism_x_current_plugin_fail(ExtismCurrentPlugin *plugin, const char *message);

/**
 * Called inside a host-function callback of a stepped call: the call pauses
 * once the callback returns (its results are ignored) and the current step
 * returns EXTISM_X_STEP_WAITING. Later, from the same loop, the host answers
 * with extism_x_call_resume (the function's results) or
 * extism_x_call_resume_error, and steps on. One thread, no blocking, no
 * extra stacks. In a plain (non-stepped) call a wait fails the call (rc -1)
 * with an error saying only stepped calls can wait. Returns true; false
 * (and does nothing) when `plugin` is NULL or no callback is running.
 */
bool extism_x_current_plugin_wait(ExtismCurrentPlugin *plugin);

/**
 * The host function the stepped call waits on, as "namespace::name"; owned
 * by the plugin, valid until the next step, abort or free. NULL when no
 * host function waits (or plugin NULL).
 */
const char *extism_x_call_waiting_function(ExtismPlugin *plugin);

/**
 * Answers the waiting host function with its results: `n_results` values,
 * read through the member of each declared result type (the tag `t` is not
 * read). The next extism_x_call_step continues the call. Returns false and
 * changes nothing if nothing waits, the count differs from the function's
 * result count, or `results` is NULL with a count above 0; also when the
 * call waits on an HTTP request (answer it with extism_x_call_resume_http).
 */
bool extism_x_call_resume(ExtismPlugin *plugin, const ExtismVal *results, ExtismSize n_results);

/**
 * Answers the waiting host function with a failure: the call ends at once
 * with rc -1 and `message` (copied; NULL gives "host function failed") as
 * extism_plugin_error. Returns false if nothing waits.
 */
bool extism_x_call_resume_error(ExtismPlugin *plugin, const char *message);

/* ------------------------------------------------------------------------ */
/* What a call cost                                                         */
/* ------------------------------------------------------------------------ */

/** What the last call of a plugin cost (see extism_x_plugin_last_call_stats). */
typedef struct {
  /** Fuel the export consumed (wasmi's units; always counted, but 0 for a
   *  plugin compiled with extism_x_compiled_plugin_new_unmetered). */
  uint64_t fuel_consumed;
  /** Wall time from the start of the call to its end (0 without a clock).
   *  For a stepped call this includes the time between steps. */
  uint64_t wall_time_ns;
  /** Size of the plugin's kernel memory at the end of the call (it never
   *  shrinks, so this is its peak). */
  uint64_t kernel_memory_bytes;
  /** Size of the main module's linear memory at the end of the call (its
   *  peak, for the same reason; 0 if it exports none). */
  uint64_t linear_memory_bytes;
  /** Calls the plugin made to host functions (C callbacks). */
  uint64_t host_calls;
} ExtismXCallStats;

/**
 * Fills `*out` with what the plugin's last call that ended cost (all zero
 * before the first call, and for a call that failed before running).
 * Always on: it is a handful of counters kept anyway. Returns false if
 * `plugin` or `out` is NULL.
 */
bool extism_x_plugin_last_call_stats(ExtismPlugin *plugin, ExtismXCallStats *out);

/* ------------------------------------------------------------------------ */
/* Unmetered plugins                                                        */
/*                                                                          */
/* Every upstream create function compiles a plugin with fuel metering: the */
/* interpreter counts what the code runs, in slices, so that a fuel limit,  */
/* timeout_ms, extism_plugin_cancel and stepped calls can stop it between   */
/* two instructions. Counting costs time on every instruction (12-34 % of   */
/* compute on a Cortex-M4, a few percent on x86-64; bench/RESULTS.md). A    */
/* host that needs none of these, typically firmware running its own       */
/* trusted plugins, can compile without it.                                 */
/* ------------------------------------------------------------------------ */

/**
 * Like extism_compiled_plugin_new, but the plugins made from the result
 * (extism_plugin_new_from_compiled) run unmetered: a call runs until its
 * export returns, traps, or fails in a host function. What the host gives
 * up, exactly:
 * - a plugin in an endless loop never returns: nothing can stop it (no fuel
 *   limit exists, and the thread running the call is lost to it);
 * - a manifest with timeout_ms is refused here, with the error "Unable to
 *   compile Extism plugin: timeout_ms needs fuel metering, and this plugin
 *   is compiled unmetered (extism_x_compiled_plugin_new_unmetered)";
 * - extism_plugin_cancel_handle still returns a handle, but
 *   extism_plugin_cancel on it returns false and changes nothing (a call
 *   runs to its end, and the next call is not cancelled either);
 * - extism_x_call_begin returns false, with extism_x_call_rc -1 and the
 *   error "a stepped call needs fuel metering, and this plugin is compiled
 *   unmetered (extism_x_compiled_plugin_new_unmetered)" (a step is a slice
 *   of fuel); waiting host functions (extism_x_current_plugin_wait) need a
 *   stepped call, so a metered plugin;
 * - ExtismXCallStats.fuel_consumed is 0.
 * What still holds: the memory budget (extism_x_set_memory_budget), the
 * manifest's memory limits, the call-stack bounds (extism_x_call_stack_bytes:
 * deep recursion traps with "call stack exhausted", it never overflows the
 * host's stack), traps, host function errors and everything else a call
 * does. Arguments, ownership, errors and thread rules as for
 * extism_compiled_plugin_new. Unmetered and metered compilations of the same
 * wasm are separate (each compiles once; the module cache keeps them apart).
 * Since EXTISM_X_VERSION 3.
 */
ExtismCompiledPlugin *extism_x_compiled_plugin_new_unmetered(const uint8_t *wasm,
                                                            ExtismSize wasm_size,
                                                            const ExtismFunction **functions,
                                                            ExtismSize n_functions,
                                                            bool with_wasi,
                                                            char **errmsg);

/* ------------------------------------------------------------------------ */
/* Per-plugin log and output sinks                                          */
/* ------------------------------------------------------------------------ */

/**
 * Gives one plugin its own log destination: its log_* messages (target
 * extism::pdk) and the runtime's own lines about it (those with its plugin
 * field: a call's start and end, its errors, kernel memory, the free; see
 * "Logging") go to `sink` (see ExtismXLogSinkFn: one finished line at a
 * time, with the plugin's id, NUL-terminated, valid during the call),
 * filtered by `log_level` (as for extism_log_file; NULL means "error"),
 * instead of the process-wide logger; get_log_level answers this level
 * for the plugin. Other plugins are unaffected. `sink` NULL removes it (the
 * process-wide logger applies again). Lines without the plugin field
 * (manifest, "<uuid> created") go to the process-wide logger.
 *
 * The sink is called on the thread running the plugin's call, inside the
 * call (and on the thread calling extism_plugin_error,
 * extism_plugin_output_data or extism_plugin_free, for their lines); it
 * must not call extism_* functions on this plugin (that deadlocks).
 * `user_data` must stay valid while the sink is set (until the plugin is
 * freed: the free logs its line there). Kept when the plugin is rebuilt
 * after a `_start` call. Returns false (nothing changes) for a NULL plugin,
 * a non-UTF-8 level, or while a stepped call is in progress. Any thread;
 * waits for a running call.
 */
bool extism_x_plugin_set_log_sink(ExtismPlugin *plugin, ExtismXLogSinkFn sink, void *user_data,
                                  const char *log_level);

/**
 * Receives what a plugin writes to WASI standard output or error.
 * - `fd`: 1 for stdout, 2 for stderr.
 * - `data`, `len`: the bytes of one write (not NUL-terminated), owned by
 *   the library and valid only until the sink returns.
 * Called on the thread running the plugin's call, in the order of the
 * plugin's writes; must not call extism_* functions on this plugin.
 */
typedef void (*ExtismXOutputSinkFn)(void *user_data, int32_t fd, const uint8_t *data, size_t len);

/**
 * Sends a WASI plugin's writes to fd 1 and 2 to `sink` (with the fd),
 * whatever EXTISM_ENABLE_WASI_OUTPUT says; `sink` NULL restores upstream's
 * behaviour (swallowed, or the host's streams when that variable was set at
 * creation). Returns false for a NULL plugin, a plugin made without WASI
 * (it has no standard streams), or while a stepped call is in progress.
 * `user_data` must stay valid while the sink is set. Kept when the plugin
 * is rebuilt after a `_start` call. Any thread; waits for a running call.
 */
bool extism_x_plugin_set_output_sink(ExtismPlugin *plugin, ExtismXOutputSinkFn sink, void *user_data);

/* ------------------------------------------------------------------------ */
/* HTTP through the host                                                    */
/* ------------------------------------------------------------------------ */
/* A plugin's http_request can be served by the host instead of the         */
/* library's own client: a board's network stack (lwIP, a modem, ESP-IDF's  */
/* client), or a C host's proxy, certificates or libcurl. In a build        */
/* without the built-in client (no_std, the firmware) a handler is the only */
/* way plugins reach the network; without one their requests fail with      */
/* "HTTP is not available in this build". In the default build a handler,  */
/* when set, replaces the built-in client; with none nothing changes.       */
/*                                                                          */
/* Which handler serves a request: the plugin's own                         */
/* (extism_x_plugin_set_http_handler), else the process-wide one            */
/* (extism_x_set_http_handler), else the built-in client. It is chosen when */
/* the plugin calls http_request.                                           */
/*                                                                          */
/* The library keeps its rules whoever serves the request:                  */
/*   - allowed_hosts: a request whose host is not allowed fails ("HTTP      */
/*     request to <url> is not allowed") before the handler sees anything;  */
/*     the request JSON is checked first, as always.                        */
/*   - redirects: the handler does not follow them. It answers the 301,    */
/*     302, 303, 307 or 308 with its Location header as any response; the   */
/*     library resolves the target, checks its host against allowed_hosts   */
/*     and calls the handler again with the follow-up request (303, and     */
/*     301/302 for anything but HEAD, become a GET without body; the        */
/*     Authorization header is dropped), at most 10 hops ("too many         */
/*     redirects"): the same rules as the built-in client.                  */
/*   - size: a body over memory.max_http_response_bytes is refused before   */
/*     any of it is copied ("HTTP response exceeds the configured maximum   */
/*     number of bytes: <n>"); an accepted body is copied once, straight    */
/*     into the plugin's kernel memory, whose growth the memory budget      */
/*     (extism_x_set_memory_budget) bounds: a body the budget cannot hold   */
/*     is refused with the budget's message.                                */
/*   - time: the handler is told the milliseconds left before the call's    */
/*     deadline (timeout_ms); a handler that returns after the deadline or  */
/*     a cancel ends the call with rc 134 and "timeout", as a late response */
/*     does. A request that waits (below) is ended by the deadline or a     */
/*     cancel at the next extism_x_call_step.                               */
/*   - response headers reach the plugin (http_headers) only when the host  */
/*     called extism_plugin_allow_http_response_headers; names are          */
/*     lower-cased, the last of duplicates kept.                            */
/* Any failure ends the call with rc -1 and the error text, as a failure of */
/* the built-in client does.                                                */
/* ------------------------------------------------------------------------ */

/**
 * A plugin's request as the handler sees it. Everything it points to is
 * owned by the library and valid only until the handler returns (a handler
 * that waits copies what it needs).
 */
typedef struct {
  /** Upper-cased ("GET" when the plugin gave none), NUL-terminated. */
  const char *method;
  /** The URL (the plugin's, or a redirect's target), NUL-terminated. */
  const char *url;
  /** The plugin's headers: n_headers names and values, NUL-terminated,
   *  sorted by name (NULL when n_headers is 0). A request whose URL,
   *  method or headers hold a NUL byte fails before the handler ("HTTP
   *  request URL, method or header contains a NUL byte"). */
  const char *const *header_names;
  const char *const *header_values;
  size_t n_headers;
  /** The request body, body_len bytes; NULL when the plugin sent none. */
  const uint8_t *body;
  size_t body_len;
  /** Milliseconds left before the call's deadline (timeout_ms);
   *  UINT64_MAX when the call has none. */
  uint64_t timeout_ms;
} ExtismXHttpRequest;

/** Where a handler's response goes (opaque; valid during the handler). */
typedef struct ExtismXHttpResponse ExtismXHttpResponse;

/** What a handler returns. */
typedef enum {
  /** The response was given with extism_x_http_respond. */
  EXTISM_X_HTTP_OK = 0,
  /** The request failed: the call ends with rc -1 and the text given to
   *  extism_x_http_fail, else "the HTTP handler failed". Any value other
   *  than 0 and 2 means the same. */
  EXTISM_X_HTTP_ERROR = 1,
  /** Answer later (stepped calls only): the step returns
   *  EXTISM_X_STEP_WAITING, extism_x_call_waiting_function says
   *  "extism:host/env::http_request", and the host answers with
   *  extism_x_call_resume_http or extism_x_call_resume_error. In a plain
   *  call a wait fails the call (rc -1) with an error saying only stepped
   *  calls can wait. Anything given to extism_x_http_respond is dropped. */
  EXTISM_X_HTTP_WAIT = 2
} ExtismXHttpAnswer;

/**
 * A host HTTP handler: serves `request` and returns an ExtismXHttpAnswer.
 * Called on the thread running the plugin's call, inside the call (for a
 * redirect's follow-up of a waiting request, inside
 * extism_x_call_resume_http), with the plugin locked: it must not call
 * extism_* functions on this plugin other than extism_x_http_respond and
 * extism_x_http_fail with `response`. It should return within
 * request->timeout_ms. `response` is valid only until it returns.
 */
typedef int32_t (*ExtismXHttpHandlerFn)(void *user_data, const ExtismXHttpRequest *request,
                                        ExtismXHttpResponse *response);

/**
 * Sets the process-wide HTTP handler, used for every plugin without its
 * own, from the next request on; `handler` NULL removes it (the built-in
 * client, or none, serves again). `user_data` is passed to every call and
 * must stay valid while the handler is set; the handler may be called from
 * any thread that runs a plugin, concurrently for different plugins. Any
 * thread. Requests already waiting keep the handler they started with.
 */
void extism_x_set_http_handler(ExtismXHttpHandlerFn handler, void *user_data);

/**
 * Sets one plugin's own HTTP handler, which overrides the process-wide one;
 * `handler` NULL removes it. `user_data` must stay valid while the handler
 * is set (until the plugin is freed). Kept when the plugin is rebuilt after
 * a `_start` call. Returns false (nothing changes) for a NULL plugin or
 * while a stepped call is in progress. Any thread; waits for a running call.
 */
bool extism_x_plugin_set_http_handler(ExtismPlugin *plugin, ExtismXHttpHandlerFn handler,
                                      void *user_data);

/**
 * Inside a handler: gives the response. `status` must be 100 to 999;
 * `n_headers` names and values (NUL-terminated; NULL entries are skipped;
 * the arrays may be NULL when n_headers is 0; names are taken
 * case-insensitively, stored lower-cased, the last duplicate kept; a
 * header that is not UTF-8 is left out, as the built-in client does);
 * `body_len` bytes of body (NULL with 0 is empty). Everything is copied
 * before it returns. A redirect is a response like any other (see above).
 *
 * Returns true when the response is taken. Returns false when it is
 * refused: a status out of range ("the HTTP handler answered an invalid
 * status: <n>"), a body over max_http_response_bytes, a body the memory
 * budget cannot hold, NULL arrays or body with a count or length above 0;
 * the request then fails with that reason whatever the handler returns, so
 * a handler may stop reading the network at once. Also false for a NULL
 * response. A second call replaces the first response.
 */
bool extism_x_http_respond(ExtismXHttpResponse *response, int32_t status,
                           const char *const *header_names, const char *const *header_values,
                           size_t n_headers, const uint8_t *body, size_t body_len);

/**
 * Inside a handler: the request fails with `message` (copied; NULL gives
 * "the HTTP handler failed"), whatever the handler returns; a response
 * already given is dropped. The first reason given is kept. Returns false
 * only for a NULL response.
 */
bool extism_x_http_fail(ExtismXHttpResponse *response, const char *message);

/**
 * Answers the HTTP request a stepped call waits on (its handler returned
 * EXTISM_X_HTTP_WAIT), with the arguments of extism_x_http_respond; the
 * next extism_x_call_step continues the call. A refused response (see
 * extism_x_http_respond) ends the call at once with rc -1 and the reason
 * (the next step returns EXTISM_X_STEP_IDLE; extism_x_call_rc and
 * extism_plugin_error tell). A redirect calls the request's handler again
 * with the follow-up, from inside this function; it may answer, fail or
 * wait again (the next step then returns EXTISM_X_STEP_WAITING). To fail
 * the request, use extism_x_call_resume_error. Call it from the thread
 * that steps the call (it locks the plugin).
 *
 * Returns true when the answer was taken (including a refused one). Returns
 * false and changes nothing for a NULL plugin, when the call does not wait
 * on an HTTP request (extism_x_call_resume answers host functions; it
 * returns false for a waiting HTTP request), or for NULL arrays or body with
 * a count or length above 0.
 */
bool extism_x_call_resume_http(ExtismPlugin *plugin, int32_t status, const char *const *header_names,
                               const char *const *header_values, size_t n_headers,
                               const uint8_t *body, size_t body_len);

/* ------------------------------------------------------------------------ */
/* Saved plugin state                                                       */
/* ------------------------------------------------------------------------ */
/* An idle plugin saved to bytes and brought back, on this machine or       */
/* another (the format is little-endian and the same on every target:       */
/* docs/state-format.md). What is saved: the linear memories (zero bytes    */
/* are not stored), mutable globals and tables' sizes of the main module    */
/* and of the manifest's other modules (but commands, which have no         */
/* instance of their own), kernel memory (blocks, registers, bytes), vars,  */
/* config, and that the initialisers have run (a restored plugin does not   */
/* run start code, _initialize, __wasm_call_ctors or hs_init again). Not    */
/* saved: host functions and their user data (the compiled plugin supplies  */
/* them), log and output sinks, the HTTP headers switch and last response,  */
/* the output of the last call as extism_plugin_output_* report it (0 bytes */
/* until the next call). The limits in force are recorded in the state, but */
/* a restored plugin runs under its compiled plugin's (fuel limit, timeout, */
/* max_pages, max_var_bytes) and the memory budget of the process.          */
/*                                                                          */
/* A plugin cannot be saved (the error says which case) while a stepped     */
/* call is in progress, when a module's code can change a table (table.set, */
/* table.grow, table.fill, table.copy, table.init: a table's entries are    */
/* saved as they were made at instantiation, only their count is checked),  */
/* when a module has a mutable global holding a reference, or when a WASI   */
/* plugin holds a file descriptor it opened (or moved or closed one of      */
/* stdio and the preopens). A restore fails, and changes nothing, on bytes  */
/* that are not a state, a truncated or corrupted one (length and           */
/* checksum), one of a newer format version, one saved from other wasm      */
/* modules (a hash of their bytes, but custom sections, is recorded), or    */
/* one that does not fit the plugin's limits (max_pages, max_var_bytes, the */
/* memory budget).                                                          */
/* ------------------------------------------------------------------------ */

/**
 * Saves an idle plugin. If it has not run its initialisers yet (no call
 * since it was made, or its last call was `_start`), they run first, as
 * its next call would run them: the state saved is always initialised, so
 * saving a plugin right after creating it gives a pre-initialised state.
 * The plugin is otherwise unchanged and can go on being called.
 *
 * Returns the state (`*len` bytes), owned by the caller and freed with
 * extism_x_state_free (allocated through the heap hook where one is set,
 * extism_x_set_allocator); NULL on error: a NULL plugin (nothing else
 * happens), a NULL `len`, or a plugin that cannot be saved (see above),
 * extism_plugin_error then says why ("extism_x_plugin_save: ..."). Any
 * thread; waits for a running call (the lock).
 */
uint8_t *extism_x_plugin_save(ExtismPlugin *plugin, ExtismSize *len);

/**
 * Frees a state from extism_x_plugin_save (NULL: nothing). Each state is
 * freed once, with this function only. Any thread.
 */
void extism_x_state_free(uint8_t *state);

/**
 * Saves an idle plugin (as extism_x_plugin_save) into a buffer the caller
 * owns: `buf` with room for `buf_len` bytes. Returns the state's size in
 * bytes; when that is more than `buf_len` (or `buf` is NULL) nothing is
 * written and extism_plugin_error says how many bytes it needs (call again
 * with a buffer that large: the size of a plugin's state changes only when
 * the plugin does). Returns 0 on error: a NULL plugin, or a plugin that
 * cannot be saved (extism_plugin_error says why). The state is built in
 * the library's heap first, then copied. Any thread; waits for a running
 * call.
 */
ExtismSize extism_x_plugin_save_into(ExtismPlugin *plugin, uint8_t *buf, ExtismSize buf_len);

/**
 * Creates a plugin from a compiled plugin in a saved state (`state_len`
 * bytes at `state`, read during the call only: the caller keeps it, and
 * may free it or restore from it again). The plugin's start code and
 * initialisers are not run: its memories, globals, kernel memory, vars and
 * config are the saved ones. It gets a new id, the compiled plugin's host
 * functions and limits and the process's memory budget, as
 * extism_plugin_new_from_compiled gives them. The compiled plugin must be
 * made from the same wasm modules (byte for byte) as the saved plugin's;
 * its manifest may differ otherwise.
 *
 * Returns NULL on error and, when `errmsg` is not NULL, sets `*errmsg` to
 * the reason, prefixed "Unable to create Extism plugin: " (free it with
 * extism_plugin_new_error_free): a NULL `compiled`, a NULL `state` with a
 * nonzero length, and every refusal listed above. Any thread; the compiled
 * plugin may be used from other threads at the same time.
 */
ExtismPlugin *extism_x_plugin_new_from_state(const ExtismCompiledPlugin *compiled, const uint8_t *state,
                                             ExtismSize state_len, char **errmsg);

/**
 * Puts an idle plugin back into a saved state (a pool's reset between
 * tenants: memories, globals, kernel memory, vars and config all become
 * the saved ones, which extism_plugin_reset does not do). The state must
 * come from a plugin of the same wasm modules (see
 * extism_x_plugin_new_from_state). The plugin keeps its id, its memory
 * budget, its log and output sinks and its HTTP headers switch. Returns
 * false, and changes nothing, for a NULL plugin, a NULL `state` with a
 * nonzero length, while a stepped call is in progress, or for any refusal
 * listed above (extism_plugin_error says why, but for a NULL plugin). Any
 * thread; waits for a running call.
 */
bool extism_x_plugin_restore(ExtismPlugin *plugin, const uint8_t *state, ExtismSize state_len);

#ifdef __cplusplus
} /* extern "C" */
#endif /* __cplusplus */

#endif /* EXTISM_H */
