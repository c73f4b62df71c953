/* Helpers shared by the conformance tests: locating and loading test plugins, building manifests,
 * reading outputs. */
#ifndef CTESTS_COMMON_H
#define CTESTS_COMMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "extism.h"
#include "harness.h"

/* "<plugin dir>/<name>.wasm" in a per-thread buffer (valid until that thread calls again). */
const char *plugin_path(const char *name);
/* Whole file in a malloc'd buffer (NUL-terminated for convenience); NULL if unreadable. */
uint8_t *read_file(const char *path, size_t *len);
/* Bytes of a built test plugin; stops the test when missing. Free with free(). */
uint8_t *plugin_bytes(const char *name, size_t *len);

/* Creates a plugin from a built test plugin; stops the test (showing the error) on failure.
 * load_plugin_fns releases the function handles (extism_function_free) after the create call. */
ExtismPlugin *load_plugin(const char *name, bool wasi);
ExtismPlugin *load_plugin_fns(const char *name, const ExtismFunction **fns, size_t n, bool wasi);
/* Creates a plugin from a NUL-terminated text (manifest or WAT); stops the test on failure. */
ExtismPlugin *plugin_from_text(const char *text, bool wasi);

/* Expects extism_plugin_new to fail on (data, len); returns a malloc'd copy of the error message
 * ("" if errmsg stayed NULL). If creation unexpectedly succeeded, records a failure and returns "". */
char *create_error(const void *data, size_t len, bool wasi);
char *create_error_text(const char *text);

/* Calls with a NUL-terminated input (NULL -> no input). */
int32_t call_str(ExtismPlugin *p, const char *fn, const char *input);

/* Output of the last call as a malloc'd NUL-terminated copy. */
char *output_str(ExtismPlugin *p);
/* n-th little-endian u64 of the output (0 when the output is too short, after a recorded failure). */
uint64_t output_u64(ExtismPlugin *p, size_t n);

#define CHECK_OUTPUT(p, want)                                                                      \
  CHECK_MEM(extism_plugin_output_data(p), extism_plugin_output_length(p), (want), strlen(want))

/* Standard base64 with padding; malloc'd. */
char *base64_encode(const uint8_t *data, size_t len);
/* {"wasm":[{"data":"<base64 of plugin>"}]<extra>} where extra is "" or starts with ','. */
char *manifest_for(const char *plugin_name, const char *extra);

/* Little-endian helpers. */
uint64_t le64(const uint8_t *p);



/* A host function `name` (I64 -> I64) in extism:host/user returning its argument unchanged. */
ExtismFunction *identity_function(const char *name);
/* CF (code-functions-like plugin) with an identity `hello_world`. */
ExtismPlugin *load_cf(void);

/* The memory checker the suite runs under, or NULL: "valgrind" (make test-valgrind) or
 * "AddressSanitizer" (make ctest-asan). Both keep freed memory aside (so resident-set checks do not
 * hold) and report a deliberate read of unmapped memory instead of letting it fault. */
const char *memory_checker(void);

/* SHA-256 of data as 64 lower-case hex characters plus NUL. */
void sha256_hex(const uint8_t *data, size_t len, char out[65]);


/* An error text that upstream gives exactly and that we may follow with ": <detail>" (for example
 * "Unknown manifest format: unknown field `bogus`"): passes for `want` alone or `want` + ": ...". */
int check_detailed(const char *got, const char *want, const char *file, int line, const char *expr);
#define CHECK_DETAILED(got, want) check_detailed((got), (want), __FILE__, __LINE__, #got)
#endif
