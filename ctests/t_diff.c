/* Differences between upstream's library and ours found by the differential fuzzer (make fuzz-diff,
 * fuzz/diff/, fuzz/README.md), each fixed in ours and kept here, on both libraries; and the upstream
 * crashes it found, as TEST_NOT_UPSTREAM (ctests/REFERENCE-NOTES.md).
 *
 * Upstream's extism_plugin_error gives only "error while executing at wasm backtrace: ..." for an
 * error raised in an import, so the cause is read where both libraries write it: the ERROR line
 * `call to run encountered an error: ...` of a custom logger (each test runs in its own process,
 * so each installs its own). */
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

/* A plugin whose `run` makes a block holding the two bytes ff 41 (not UTF-8) in $bad and "k1" in
 * $key, then runs BODY (which leaves the i32 result). */
#define PLUGIN(body)                                                                               \
  "(module"                                                                                        \
  " (import \"extism:host/env\" \"alloc\" (func $alloc (param i64) (result i64)))"                 \
  " (import \"extism:host/env\" \"store_u8\" (func $store_u8 (param i64 i32)))"                    \
  " (import \"extism:host/env\" \"error_set\" (func $error_set (param i64)))"                      \
  " (import \"extism:host/env\" \"config_get\" (func $config_get (param i64) (result i64)))"       \
  " (import \"extism:host/env\" \"var_get\" (func $var_get (param i64) (result i64)))"             \
  " (import \"extism:host/env\" \"var_set\" (func $var_set (param i64 i64)))"                      \
  " (import \"extism:host/env\" \"log_error\" (func $log_error (param i64)))"                       \
  " (memory (export \"memory\") 1)"                                                                \
  " (func (export \"run\") (result i32) (local $bad i64) (local $key i64)"                         \
  "  (local.set $bad (call $alloc (i64.const 2)))"                                                 \
  "  (call $store_u8 (local.get $bad) (i32.const 255))"                                            \
  "  (call $store_u8 (i64.add (local.get $bad) (i64.const 1)) (i32.const 65))"                     \
  "  (local.set $key (call $alloc (i64.const 2)))"                                                 \
  "  (call $store_u8 (local.get $key) (i32.const 107))"                                            \
  "  (call $store_u8 (i64.add (local.get $key) (i64.const 1)) (i32.const 49))"                     \
  body "))"

/* Runs `run` of PLUGIN(body) with the logger on; returns the rc, the log in *log. */
static int32_t run_logged(const char *wat, const char **log) {
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new((const uint8_t *)wat, strlen(wat), NULL, 0, false, &err);
  if (p == NULL) {
    harness_note("create: %s", err ? err : "(null)");
    extism_plugin_new_error_free(err);
    *log = "";
    return -1000;
  }
  drain();
  int32_t rc = extism_plugin_call(p, "run", NULL, 0);
  *log = drain();
  extism_plugin_free(p);
  return rc;
}

/* Found: ours named the handles `key` and `value` and printed a negative handle as i64. */
TEST(diff_invalid_handle_names_as_upstream) {
  const char *log;
  REQUIRE(extism_log_custom("extism::plugin=error"));
  CHECK_EQ_INT(run_logged(PLUGIN("(drop (call $config_get (i64.const 12345))) (i32.const 0)"), &log), -1);
  CHECK_CONTAINS(log, "invalid handle offset for config key: 12345");
  CHECK_EQ_INT(run_logged(PLUGIN("(drop (call $config_get (i64.const -1))) (i32.const 0)"), &log), -1);
  CHECK_CONTAINS(log, "invalid handle offset for config key: 18446744073709551615");
  CHECK_EQ_INT(run_logged(PLUGIN("(drop (call $var_get (i64.const 12345))) (i32.const 0)"), &log), -1);
  CHECK_CONTAINS(log, "invalid handle offset for var key: 12345");
  CHECK_EQ_INT(run_logged(PLUGIN("(call $var_set (i64.const 12345) (local.get $key)) (i32.const 0)"), &log), -1);
  CHECK_CONTAINS(log, "invalid handle offset for var key: 12345");
  CHECK_EQ_INT(run_logged(PLUGIN("(call $var_set (local.get $key) (i64.const 12345)) (i32.const 0)"), &log), -1);
  CHECK_CONTAINS(log, "invalid handle offset for var value: 12345");
}

/* Found: ours looked a key that is not UTF-8 up as missing (config, var_get) or stored it (var_set);
 * upstream reads keys as strings and fails the call with the decoding error. */
TEST(diff_non_utf8_keys_fail_the_call) {
  static const char *bodies[] = {
      "(drop (call $config_get (local.get $bad))) (i32.const 0)",
      "(drop (call $var_get (local.get $bad))) (i32.const 0)",
      "(call $var_set (local.get $bad) (local.get $key)) (i32.const 0)",
  };
  REQUIRE(extism_log_custom("extism::plugin=error"));
  for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
    char wat[4096];
    const char *log;
    snprintf(wat, sizeof wat, PLUGIN("%s"), bodies[i]);
    harness_note("body %s", bodies[i]);
    CHECK_EQ_INT(run_logged(wat, &log), -1);
    CHECK_CONTAINS(log, "invalid utf-8 sequence of 1 bytes from index 0");
  }
  /* a UTF-8 key still works */
  const char *log;
  CHECK_EQ_INT(run_logged(PLUGIN("(drop (call $config_get (local.get $key))) (i32.const 0)"), &log), 0);
  CHECK(strstr(log, "encountered an error") == NULL);
}

/* Found: an error the plugin recorded that is empty (error_set on an offset that starts no block)
 * is no failure to log, and one that is not UTF-8 is logged as the decoding error, without the
 * "returned with error message" line. The rc and extism_plugin_error are the plugin's, as before. */
TEST(diff_recorded_error_log_lines) {
  const char *log;
  REQUIRE(extism_log_custom("extism::plugin=error"));
  CHECK_EQ_INT(run_logged(PLUGIN("(call $error_set (i64.add (local.get $bad) (i64.const 1))) (i32.const 3)"), &log), 3);
  CHECK(strstr(log, "returned with error message") == NULL);
  CHECK(strstr(log, "encountered an error") == NULL);
  CHECK_EQ_INT(run_logged(PLUGIN("(call $error_set (local.get $bad)) (i32.const 7)"), &log), 7);
  CHECK(strstr(log, "returned with error message") == NULL);
  CHECK_CONTAINS(log, "call to run encountered an error: unable to load error message from memory: "
                      "invalid utf-8 sequence of 1 bytes from index 0");
  /* a UTF-8 message: both lines */
  CHECK_EQ_INT(run_logged(PLUGIN("(call $error_set (local.get $key)) (i32.const 1)"), &log), 1);
  CHECK_CONTAINS(log, "call to run returned with error message: k1");
  CHECK_CONTAINS(log, "call to run encountered an error: k1");
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
  static const char *bodies[] = {
      "(call $var_set (i64.const 12345) (local.get $key)) (i32.const 0)",
      "(call $var_set (local.get $key) (i64.const 0)) (i32.const 0)",
      "(call $var_set (local.get $key) (i64.const 12345)) (i32.const 0)",
      "(call $var_set (local.get $bad) (local.get $key)) (i32.const 0)",
  };
  REQUIRE(extism_log_custom("extism::plugin=error"));
  for (size_t i = 0; i < sizeof bodies / sizeof *bodies; i++) {
    char wat[4096], *manifest, *b64;
    snprintf(wat, sizeof wat, PLUGIN("%s"), bodies[i]);
    b64 = base64_encode((const uint8_t *)wat, strlen(wat));
    manifest = malloc(strlen(b64) + 128);
    REQUIRE_NOT_NULL(manifest);
    sprintf(manifest, "{\"wasm\":[{\"data\":\"%s\"}],\"memory\":{\"max_var_bytes\":0}}", b64);
    free(b64);
    const char *log;
    harness_note("body %s", bodies[i]);
    CHECK_EQ_INT(run_logged(manifest, &log), -1);
    CHECK_CONTAINS(log, "Vars are disabled by this host");
    free(manifest);
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
#define EMPTY_ERROR "(call $error_set (i64.add (local.get $bad) (i64.const 1)))"
  const char *log;
  REQUIRE(extism_log_custom("extism::plugin=error"));
  ExtismPlugin *p = extism_plugin_new((const uint8_t *)PLUGIN(EMPTY_ERROR " unreachable"),
                                      strlen(PLUGIN(EMPTY_ERROR " unreachable")), NULL, 0, false, NULL);
  REQUIRE_NOT_NULL(p);
  drain();
  CHECK_EQ_INT(extism_plugin_call(p, "run", NULL, 0), 134);
  CHECK_STR(extism_plugin_error(p), "");
  log = drain();
  CHECK_CONTAINS(log, "call to run encountered an error");
  CHECK_CONTAINS(log, "unreachable");
  extism_plugin_free(p);
  CHECK_EQ_INT(run_logged(PLUGIN(EMPTY_ERROR " (call $log_error (i64.const 118)) (i32.const 0)"), &log), -1);
  CHECK_CONTAINS(log, "invalid handle offset for log message: 118");
  CHECK_EQ_INT(run_logged(PLUGIN(EMPTY_ERROR " (i32.const 3)"), &log), 3);
  CHECK(strstr(log, "encountered an error") == NULL);
}

/* Found: upstream's log formatter escapes the characters of a message that could steer a terminal
 * (BEL, BS, FF, ESC, DEL as \x07 and so on, C1 controls as \u{85}); ours wrote them raw. Other
 * control characters stay raw in both. */
TEST(diff_log_control_characters_escaped) {
  REQUIRE(extism_log_custom("extism::pdk=error"));
  const char *log;
  CHECK_EQ_INT(run_logged(PLUGIN("(local.set $bad (call $alloc (i64.const 6)))"
                                 "(call $store_u8 (local.get $bad) (i32.const 7))"
                                 "(call $store_u8 (i64.add (local.get $bad) (i64.const 1)) (i32.const 27))"
                                 "(call $store_u8 (i64.add (local.get $bad) (i64.const 2)) (i32.const 1))"
                                 "(call $store_u8 (i64.add (local.get $bad) (i64.const 3)) (i32.const 0xc2))"
                                 "(call $store_u8 (i64.add (local.get $bad) (i64.const 4)) (i32.const 0x85))"
                                 "(call $store_u8 (i64.add (local.get $bad) (i64.const 5)) (i32.const 65))"
                                 "(call $log_error (local.get $bad)) (i32.const 0)"),
                          &log),
               0);
  CHECK_CONTAINS(log, "extism::pdk: \\x07\\x1b\x01\\u{85}A");
}

/* Recorded, not followed: a plugin store over a block header (here byte 71, the size field of the
 * first block) steers upstream's allocator, whose `length` then walks the blocks by the overwritten
 * size and answers 0 for the next block; ours keeps its own block table (kernel/src/layout.rs), so
 * the bytes change and the blocks do not. make fuzz-diff keeps its stores inside blocks for this. */
TEST_NOT_UPSTREAM(diff_store_over_header_leaves_blocks_alone,
                  "a store over a block header steers its allocator: length of the next block is 0") {
  static const char wat[] =
      "(module"
      " (import \"extism:host/env\" \"alloc\" (func $alloc (param i64) (result i64)))"
      " (import \"extism:host/env\" \"length\" (func $length (param i64) (result i64)))"
      " (import \"extism:host/env\" \"store_u8\" (func $store_u8 (param i64 i32)))"
      " (import \"extism:host/env\" \"store_u64\" (func $store_u64 (param i64 i64)))"
      " (import \"extism:host/env\" \"output_set\" (func $output_set (param i64 i64)))"
      " (memory (export \"memory\") 1)"
      " (func (export \"run\") (result i32) (local $a i64) (local $b i64) (local $o i64)"
      "  (local.set $a (call $alloc (i64.const 9)))"
      "  (call $store_u8 (i64.sub (local.get $a) (i64.const 6)) (i32.const 68))"
      "  (local.set $b (call $alloc (i64.const 5)))"
      "  (local.set $o (call $alloc (i64.const 24)))"
      "  (call $store_u64 (local.get $o) (local.get $a))"
      "  (call $store_u64 (i64.add (local.get $o) (i64.const 8)) (local.get $b))"
      "  (call $store_u64 (i64.add (local.get $o) (i64.const 16)) (call $length (local.get $b)))"
      "  (call $output_set (local.get $o) (i64.const 24))"
      "  (i32.const 0)))";
  ExtismPlugin *p = extism_plugin_new((const uint8_t *)wat, strlen(wat), NULL, 0, false, NULL);
  REQUIRE_NOT_NULL(p);
  CHECK_EQ_INT(extism_plugin_call(p, "run", NULL, 0), 0);
  REQUIRE(extism_plugin_output_length(p) == 24);
  CHECK_EQ_U64(output_u64(p, 0), 77); /* the first block, as upstream */
  CHECK_EQ_U64(output_u64(p, 1), 98); /* the next one, as upstream */
  CHECK_EQ_U64(output_u64(p, 2), 5);  /* its length (upstream: 0) */
  extism_plugin_free(p);
}
