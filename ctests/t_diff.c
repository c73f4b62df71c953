/* Differences between upstream's library and ours found by the differential fuzzer (make fuzz-diff,
 * fuzz/diff/, fuzz/README.md), each fixed in ours and kept here, on both libraries; and the upstream
 * crashes it found, as TEST_NOT_UPSTREAM (ctests/REFERENCE-NOTES.md).
 *
 * Upstream's extism_plugin_error gives only "error while executing at wasm backtrace: ..." for an
 * error raised in an import, so the cause is read where both libraries write it: the ERROR line
 * `call to run encountered an error: ...` of a custom logger (each test runs in its own process,
 * so each installs its own). Plugin: plugins/diffs.wat (and echo.wat). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static char *log_text; /* everything drained since the last drain() */

static void keep(const char *text, ExtismSize len) {
  size_t have = log_text ? strlen(log_text) : 0;
  char *grown = realloc(log_text, have + len + 1);
  if (grown == NULL)
    return;
  memcpy(grown + have, text, len);
  grown[have + len] = 0;
  log_text = grown;
}

static const char *drain(void) {
  free(log_text);
  log_text = NULL;
  extism_log_drain(keep);
  return log_text ? log_text : "";
}

/* Calls export `fn` of plugins/diffs.wat, on a fresh plugin made from a manifest with `extra`
 * (manifest_for), with the logger on. Returns the rc; *log: what was logged during the call;
 * *error (when not NULL): a copy of extism_plugin_error, or NULL. */
static int32_t call_diffs(const char *extra, const char *fn, const char **log, char **error) {
  char *m = manifest_for("diffs", extra);
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, false, &err);
  free(m);
  *log = "";
  if (p == NULL) {
    harness_note("create: %s", err ? err : "(null)");
    extism_plugin_new_error_free(err);
    return -1000;
  }
  drain();
  int32_t rc = extism_plugin_call(p, fn, NULL, 0);
  if (error != NULL) {
    const char *e = extism_plugin_error(p);
    *error = e ? strdup(e) : NULL;
  }
  *log = drain();
  extism_plugin_free(p);
  return rc;
}

/* Found: ours named the handles `key` and `value` and printed a negative handle as i64. */
TEST(diff_invalid_handle_names_as_upstream) {
  const char *log;
  REQUIRE(extism_log_custom("extism::plugin=error"));
  CHECK_EQ_INT(call_diffs("", "config_12345", &log, NULL), -1);
  CHECK_CONTAINS(log, "invalid handle offset for config key: 12345");
  CHECK_EQ_INT(call_diffs("", "config_neg1", &log, NULL), -1);
  CHECK_CONTAINS(log, "invalid handle offset for config key: 18446744073709551615");
  CHECK_EQ_INT(call_diffs("", "var_get_12345", &log, NULL), -1);
  CHECK_CONTAINS(log, "invalid handle offset for var key: 12345");
  CHECK_EQ_INT(call_diffs("", "var_set_key_12345", &log, NULL), -1);
  CHECK_CONTAINS(log, "invalid handle offset for var key: 12345");
  CHECK_EQ_INT(call_diffs("", "var_set_value_12345", &log, NULL), -1);
  CHECK_CONTAINS(log, "invalid handle offset for var value: 12345");
}

/* Found: ours looked a key that is not UTF-8 up as missing (config, var_get) or stored it (var_set);
 * upstream reads keys as strings and fails the call with the decoding error. */
TEST(diff_non_utf8_keys_fail_the_call) {
  static const char *exports[] = {"config_bad_key", "var_get_bad_key", "var_set_bad_key"};
  const char *log;
  REQUIRE(extism_log_custom("extism::plugin=error"));
  for (size_t i = 0; i < sizeof exports / sizeof *exports; i++) {
    harness_note("export %s", exports[i]);
    CHECK_EQ_INT(call_diffs("", exports[i], &log, NULL), -1);
    CHECK_CONTAINS(log, "invalid utf-8 sequence of 1 bytes from index 0");
  }
  /* a UTF-8 key still works */
  CHECK_EQ_INT(call_diffs("", "config_good_key", &log, NULL), 0);
  CHECK(strstr(log, "encountered an error") == NULL);
}

/* Found: an error the plugin recorded that is empty (error_set on an offset that starts no block)
 * is no failure to log, and one that is not UTF-8 is logged as the decoding error, without the
 * "returned with error message" line. The rc and extism_plugin_error are the plugin's, as before. */
TEST(diff_recorded_error_log_lines) {
  const char *log;
  REQUIRE(extism_log_custom("extism::plugin=error"));
  CHECK_EQ_INT(call_diffs("", "error_empty_rc3", &log, NULL), 3);
  CHECK(strstr(log, "returned with error message") == NULL);
  CHECK(strstr(log, "encountered an error") == NULL);
  CHECK_EQ_INT(call_diffs("", "error_bad_rc7", &log, NULL), 7);
  CHECK(strstr(log, "returned with error message") == NULL);
  CHECK_CONTAINS(log, "call to error_bad_rc7 encountered an error: unable to load error message from memory: "
                      "invalid utf-8 sequence of 1 bytes from index 0");
  /* a UTF-8 message: both lines */
  CHECK_EQ_INT(call_diffs("", "error_key_rc1", &log, NULL), 1);
  CHECK_CONTAINS(log, "call to error_key_rc1 returned with error message: k1");
  CHECK_CONTAINS(log, "call to error_key_rc1 encountered an error: k1");
}

/* Found by the fuzzer (upstream crashed): a call refused with `oom` before the plugin was
 * instantiated (`max_pages` below the module's declared memory), then extism_plugin_output_data:
 * upstream segfaults; ours gives a readable empty output. */
TEST_NOT_UPSTREAM(diff_output_data_after_oom_call, "segfaults in extism_plugin_output_data") {
  char *m = manifest_for("echo", ",\"memory\":{\"max_pages\":0}");
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, false, &err);
  free(m);
  extism_plugin_new_error_free(err);
  REQUIRE_NOT_NULL(p);
  CHECK_EQ_INT(extism_plugin_call(p, "echo", (const uint8_t *)"hi", 2), -1);
  CHECK_STR(extism_plugin_error(p), "oom");
  CHECK_EQ_U64(extism_plugin_output_length(p), 0);
  (void)extism_plugin_output_data(p); /* must not crash; any pointer is fine for 0 bytes */
  extism_plugin_free(p);
}

/* Found: an update that does not parse left the error NULL in ours; upstream changes nothing, so
 * the last call's error is still there (a successful update clears it, as before). */
TEST(diff_failed_config_keeps_the_error) {
  static const char *refused[] = {"not json", "[]", "", "{\"a\":1}"};
  ExtismPlugin *p = load_plugin("echo", false);
  REQUIRE_NOT_NULL(p);
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    harness_note("config %s", refused[i]);
    CHECK_EQ_INT(extism_plugin_call(p, "missing", NULL, 0), -1);
    CHECK_STR(extism_plugin_error(p), "Function not found: missing");
    CHECK(!extism_plugin_config(p, (const uint8_t *)refused[i], strlen(refused[i])));
    CHECK_STR(extism_plugin_error(p), "Function not found: missing");
  }
  CHECK(extism_plugin_config(p, (const uint8_t *)"{\"a\":\"b\"}", 9));
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* Found: freeing a compiled plugin freed its host functions' user data in the order of ours'
 * linker (by namespace and name); upstream frees it in the order the functions were given. */
static int freed[8], n_freed;
static void note_free(void *data) {
  if (n_freed < 8)
    freed[n_freed++] = (int)(intptr_t)data;
}
static void nothing(ExtismCurrentPlugin *p, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                    ExtismSize n_out, void *data) {
  (void)p, (void)in, (void)n_in, (void)out, (void)n_out, (void)data;
}

TEST(diff_user_data_freed_in_order) {
  static const char *names[] = {"b", "a", "c"};
  static const char *namespaces[] = {"extism:host/user", "zzz", "aaa"};
  const ExtismFunction *fns[3];
  ExtismFunction *owned[3];
  for (int i = 0; i < 3; i++) {
    owned[i] = extism_function_new(names[i], NULL, 0, NULL, 0, nothing, (void *)(intptr_t)(i + 1), note_free);
    REQUIRE_NOT_NULL(owned[i]);
    extism_function_set_namespace(owned[i], namespaces[i]);
    fns[i] = owned[i];
  }
  size_t len = 0;
  uint8_t *wasm = plugin_bytes("echo", &len);
  REQUIRE_NOT_NULL(wasm);
  char *err = NULL;
  ExtismCompiledPlugin *c = extism_compiled_plugin_new(wasm, len, fns, 3, false, &err);
  extism_plugin_new_error_free(err);
  free(wasm);
  REQUIRE_NOT_NULL(c);
  extism_compiled_plugin_free(c);
  CHECK_EQ_INT(n_freed, 3);
  for (int i = 0; i < n_freed; i++)
    CHECK_EQ_INT(freed[i], i + 1);
  for (int i = 0; i < 3; i++)
    extism_function_free(owned[i]);
}

/* Found: with `max_var_bytes` 0, upstream's var_set refuses before it reads either handle (a delete
 * too); ours read the handles first, so a bad handle or a delete gave another answer. */
TEST(diff_var_set_disabled_before_handles) {
  static const char *exports[] = {"var_set_key_12345", "var_set_delete", "var_set_value_12345", "var_set_bad_key"};
  const char *log;
  REQUIRE(extism_log_custom("extism::plugin=error"));
  for (size_t i = 0; i < sizeof exports / sizeof *exports; i++) {
    harness_note("export %s", exports[i]);
    CHECK_EQ_INT(call_diffs(",\"memory\":{\"max_var_bytes\":0}", exports[i], &log, NULL), -1);
    CHECK_CONTAINS(log, "Vars are disabled by this host");
  }
}

/* Found: a call refused with `oom` because the declared memory is over `max_pages` returns before
 * upstream's logging (no ERROR line); ours logged `call to echo encountered an error: oom`. */
TEST(diff_oom_before_instantiation_not_logged) {
  char *m = manifest_for("echo", ",\"memory\":{\"max_pages\":0}");
  char *err = NULL;
  REQUIRE(extism_log_custom("extism::plugin=error"));
  ExtismPlugin *p = extism_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, false, &err);
  free(m);
  extism_plugin_new_error_free(err);
  REQUIRE_NOT_NULL(p);
  drain();
  CHECK_EQ_INT(extism_plugin_call(p, "echo", (const uint8_t *)"hi", 2), -1);
  CHECK_STR(extism_plugin_error(p), "oom");
  CHECK(strstr(drain(), "encountered an error") == NULL);
  extism_plugin_free(p);
}

/* Found: an error the plugin recorded that is empty (error_set on an offset that starts no block)
 * decides nothing upstream: a trap still gives rc 134 and an import's error is still logged; only
 * extism_plugin_error reads the register, an empty text. Ours let it turn the failure into rc -1
 * and hide it. */
TEST(diff_empty_recorded_error_decides_nothing) {
  const char *log;
  char *error = NULL;
  REQUIRE(extism_log_custom("extism::plugin=error"));
  CHECK_EQ_INT(call_diffs("", "error_empty_trap", &log, &error), 134);
  CHECK_STR(error, "");
  CHECK_CONTAINS(log, "call to error_empty_trap encountered an error");
  CHECK_CONTAINS(log, "unreachable");
  free(error);
  CHECK_EQ_INT(call_diffs("", "error_empty_log_bad", &log, &error), -1);
  CHECK_STR(error, "");
  CHECK_CONTAINS(log, "invalid handle offset for log message: 118");
  free(error);
  CHECK_EQ_INT(call_diffs("", "error_empty_rc3", &log, &error), 3);
  CHECK_STR(error, "");
  CHECK(strstr(log, "encountered an error") == NULL);
  free(error);
}

/* Found: upstream's log formatter escapes the characters of a message that could steer a terminal
 * (BEL, BS, FF, ESC, DEL as \x07 and so on, C1 controls as \u{85}); ours wrote them raw. Other
 * control characters stay raw in both. */
TEST(diff_log_control_characters_escaped) {
  const char *log;
  REQUIRE(extism_log_custom("extism::pdk=error"));
  CHECK_EQ_INT(call_diffs("", "log_controls", &log, NULL), 0);
  CHECK_CONTAINS(log, "extism::pdk: \\x07\\x1b\x01\\u{85}A");
}

/* Recorded, not followed: a plugin store over a block header (here byte 71, the size field of the
 * first block) steers upstream's allocator, whose `length` then walks the blocks by the overwritten
 * size and answers 0 for the next block; ours keeps its own block table (kernel/src/layout.rs), so
 * the bytes change and the blocks do not. make fuzz-diff keeps its stores inside blocks for this. */
TEST_NOT_UPSTREAM(diff_store_over_header_leaves_blocks_alone,
                  "a store over a block header steers its allocator: length of the next block is 0") {
  ExtismPlugin *p = load_plugin("diffs", false);
  REQUIRE_NOT_NULL(p);
  CHECK_EQ_INT(extism_plugin_call(p, "header_store", NULL, 0), 0);
  REQUIRE(extism_plugin_output_length(p) == 24);
  CHECK_EQ_U64(output_u64(p, 0), 77); /* the first block, as upstream */
  CHECK_EQ_U64(output_u64(p, 1), 98); /* the next one, as upstream */
  CHECK_EQ_U64(output_u64(p, 2), 5);  /* its length (upstream: 0) */
  extism_plugin_free(p);
}

/* Found: an `_initialize` export of another type than () -> () was skipped; upstream refuses the
 * plugin with its engine's type check (parameters counted first, then results). */
TEST(diff_initialize_of_another_type_refused) {
  size_t len = 0;
  uint8_t *wasm = plugin_bytes("init_typed", &len);
  REQUIRE_NOT_NULL(wasm);
  char *err = create_error(wasm, len, false);
  CHECK_STR(err, "Unable to compile Extism plugin: expected 0 types, found 1");
  free(err);
  err = NULL;
  ExtismCompiledPlugin *c = extism_compiled_plugin_new(wasm, len, NULL, 0, false, &err);
  extism_plugin_new_error_free(err);
  free(wasm);
  REQUIRE_NOT_NULL(c);
  err = NULL;
  CHECK_NULL(extism_plugin_new_from_compiled(c, &err));
  CHECK_STR(err, "Unable to create Extism plugin: expected 0 types, found 1");
  extism_plugin_new_error_free(err);
  extism_compiled_plugin_free(c);
}

/* Found: an `hs_init` export of another type than (i32, i32) -> () was skipped; upstream creates
 * the plugin, fails the call that instantiates it, and runs the next ones. */
TEST(diff_hs_init_of_another_type_fails_the_first_call) {
  ExtismPlugin *p = load_plugin("hs_init_typed", false);
  REQUIRE_NOT_NULL(p);
  CHECK_EQ_INT(extism_plugin_call(p, "run", NULL, 0), -1);
  CHECK_STR(extism_plugin_error(p), "failed to initialize Haskell using hs_init");
  CHECK_EQ_INT(extism_plugin_call(p, "run", NULL, 0), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* Found: a call of a `_start` the plugin does not export made the next call rebuild the plugin
 * (its vars gone); upstream rebuilds only after a `_start` that exists. */
TEST(diff_missing_start_does_not_rebuild) {
  ExtismPlugin *p = load_plugin("diffs", false);
  REQUIRE_NOT_NULL(p);
  CHECK_EQ_INT(extism_plugin_call(p, "count", NULL, 0), 0);
  CHECK_OUTPUT(p, "\x01");
  CHECK_EQ_INT(extism_plugin_call(p, "_start", NULL, 0), -1);
  CHECK_STR(extism_plugin_error(p), "Function not found: _start");
  CHECK_EQ_INT(extism_plugin_call(p, "count", NULL, 0), 0);
  CHECK_OUTPUT(p, "\x02");
  extism_plugin_free(p);
}
