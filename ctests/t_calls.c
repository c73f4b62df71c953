/* Checklist "Calls and results" (items 39-77): C1 (count_vowels), config, rc table, output and
 * error registers, reset, threads, `_start` rebuilds. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define DEFAULT_VOWELS "aeiouAEIOU"

static bool config(ExtismPlugin *p, const char *json) {
  return extism_plugin_config(p, (const uint8_t *)json, strlen(json));
}

/* 39, 40 */
TEST(c1_count_vowels_and_total) {
  ExtismPlugin *p = load_plugin("c1", false);
  CHECK_EQ_INT(call_str(p, "count_vowels", "hello world"), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_OUTPUT(p, "{\"count\":3,\"total\":3,\"vowels\":\"aeiouAEIOU\"}");
  CHECK_EQ_INT(call_str(p, "count_vowels", "aaa"), 0);
  CHECK_OUTPUT(p, "{\"count\":3,\"total\":6,\"vowels\":\"aeiouAEIOU\"}");
  CHECK_EQ_INT(call_str(p, "count_vowels", ""), 0);
  CHECK_OUTPUT(p, "{\"count\":0,\"total\":6,\"vowels\":\"aeiouAEIOU\"}");
  extism_plugin_free(p);
}

/* vars belong to one plugin */
TEST(c1_totals_are_per_plugin) {
  ExtismPlugin *a = load_plugin("c1", false), *b = load_plugin("c1", false);
  CHECK_EQ_INT(call_str(a, "count_vowels", "aaaa"), 0);
  CHECK_EQ_INT(call_str(b, "count_vowels", "a"), 0);
  CHECK_OUTPUT(b, "{\"count\":1,\"total\":1,\"vowels\":\"aeiouAEIOU\"}");
  CHECK_EQ_INT(call_str(a, "count_vowels", "e"), 0);
  CHECK_OUTPUT(a, "{\"count\":1,\"total\":5,\"vowels\":\"aeiouAEIOU\"}");
  extism_plugin_free(a);
  extism_plugin_free(b);
}

/* 41, 42, 44 */
TEST(c1_config_vowels) {
  ExtismPlugin *p = load_plugin("c1", false);
  CHECK(config(p, "{\"vowels\":\"xyz\"}"));
  CHECK_EQ_INT(call_str(p, "count_vowels", "xxyyzz aa"), 0);
  CHECK_OUTPUT(p, "{\"count\":6,\"total\":6,\"vowels\":\"xyz\"}");
  CHECK(config(p, "{\"vowels\":null}"));
  CHECK_EQ_INT(call_str(p, "count_vowels", "xxyyzz aa"), 0);
  CHECK_OUTPUT(p, "{\"count\":2,\"total\":8,\"vowels\":\"aeiouAEIOU\"}");
  /* deleting a missing key and an empty object are fine */
  CHECK(config(p, "{\"vowels\":null}"));
  CHECK(config(p, "{}"));
  CHECK(config(p, " { \"other\" : \"1\" , \"x\":null } "));
  /* config set in one call is merged with earlier settings */
  CHECK(config(p, "{\"vowels\":\"a\"}"));
  CHECK(config(p, "{\"unrelated\":\"b\"}"));
  CHECK_EQ_INT(call_str(p, "count_vowels", "banana"), 0);
  CHECK_OUTPUT(p, "{\"count\":3,\"total\":11,\"vowels\":\"a\"}");
  extism_plugin_free(p);
}

/* 43: non-object, non-string values, syntax errors, trailing bytes -> false and no change */
TEST(c1_config_rejects_bad_json) {
  ExtismPlugin *p = load_plugin("c1", false);
  static const char with_nul[] = "{\"vowels\":\"q\"}"; /* sent with its NUL byte */
  CHECK(config(p, "{\"vowels\":\"z\"}"));
  CHECK(!config(p, "{\"k\":1}"));
  CHECK(!config(p, "{\"vowels\":1}"));
  CHECK(!config(p, "{\"vowels\":[\"a\"]}"));
  CHECK(!config(p, "{\"vowels\":{\"a\":\"b\"}}"));
  CHECK(!config(p, "{\"vowels\":true}"));
  CHECK(!config(p, "[]"));
  CHECK(!config(p, "\"str\""));
  CHECK(!config(p, "null"));
  CHECK(!config(p, "42"));
  CHECK(!config(p, "{\"vowels\":"));
  CHECK(!config(p, "not json"));
  CHECK(!config(p, ""));
  CHECK(!config(p, "{\"vowels\":\"a\"} x"));
  CHECK(!extism_plugin_config(p, (const uint8_t *)with_nul, sizeof with_nul));
  /* a rejected object changes nothing, even its valid members */
  CHECK(!config(p, "{\"vowels\":\"y\",\"bad\":2}"));
  CHECK_EQ_INT(call_str(p, "count_vowels", "zzz yyy"), 0);
  CHECK_OUTPUT(p, "{\"count\":3,\"total\":3,\"vowels\":\"z\"}");
  extism_plugin_free(p);
}

/* 45 */
TEST(null_data_is_empty_input) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK_EQ_INT(extism_plugin_call(p, "input_info", NULL, 0), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(extism_plugin_call(p, "input_info", (const uint8_t *)"xyz", 0), 0);
  CHECK_EQ_INT(extism_plugin_call(p, "echo", NULL, 0), 0);
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  CHECK_NOT_NULL(extism_plugin_output_data(p));
  extism_plugin_free(p);
}

/* 46 */
TEST(input_at_77) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK_EQ_INT(call_str(p, "input_info", "abc"), 77003);
  CHECK_EQ_INT(call_str(p, "input_info", "abcdef"), 77006);
  extism_plugin_free(p);
}

/* the input is copied: changing the caller's buffer after the call starts has no effect, and the
 * buffer may be freed right after the call */
TEST(input_is_copied) {
  ExtismPlugin *p = load_plugin("calls", false);
  char *buf = strdup("copy me");
  CHECK_EQ_INT(extism_plugin_call(p, "echo", (const uint8_t *)buf, strlen(buf)), 0);
  memset(buf, 'X', strlen(buf));
  free(buf);
  CHECK_OUTPUT(p, "copy me");
  extism_plugin_free(p);
}

/* 47 */
TEST(missing_export) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK_EQ_INT(call_str(p, "no_such_function", "x"), -1);
  CHECK_STR(extism_plugin_error(p), "Function not found: no_such_function");
  CHECK_STR(extism_error(p), "Function not found: no_such_function");
  CHECK(!extism_plugin_function_exists(p, "no_such_function"));
  CHECK_EQ_INT(call_str(p, "", "x"), -1);
  CHECK_STR(extism_plugin_error(p), "Function not found: ");
  extism_plugin_free(p);
}

/* 48 */
TEST(non_function_exports_are_not_found) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK_EQ_INT(call_str(p, "memory", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "Function not found: memory");
  CHECK_EQ_INT(call_str(p, "a_global", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "Function not found: a_global");
  CHECK_EQ_INT(call_str(p, "a_table", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "Function not found: a_table");
  CHECK(!extism_plugin_function_exists(p, "memory"));
  CHECK(!extism_plugin_function_exists(p, "a_global"));
  CHECK(!extism_plugin_function_exists(p, "a_table"));
  /* imports are not exports */
  CHECK(!extism_plugin_function_exists(p, "alloc"));
  CHECK_EQ_INT(call_str(p, "alloc", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "Function not found: alloc");
  extism_plugin_free(p);
}

/* 49 */
TEST(two_results) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK(!extism_plugin_function_exists(p, "two_results"));
  CHECK_EQ_INT(call_str(p, "two_results", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "Function two_results has 2 results, expected 0 or 1");
  extism_plugin_free(p);
}

/* 50 */
TEST(export_with_parameters) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK(!extism_plugin_function_exists(p, "takes_param"));
  CHECK(!extism_plugin_function_exists(p, "takes_param_void"));
  CHECK_EQ_INT(call_str(p, "takes_param", "x"), -1);
  CHECK_STR(extism_plugin_error(p), "expected 1 arguments, got 0");
  CHECK_EQ_INT(call_str(p, "takes_param_void", "x"), -1);
  CHECK_STR(extism_plugin_error(p), "expected 1 arguments, got 0");
  extism_plugin_free(p);
}

/* 51 */
TEST(i32_results_become_rc) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK_EQ_INT(call_str(p, "ret_42", NULL), 42);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "ret_minus5", NULL), -5);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "ret_0", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK(extism_plugin_function_exists(p, "ret_42"));
  extism_plugin_free(p);
}

/* 52 */
TEST(non_i32_result_gives_minus1_without_error) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK_EQ_INT(call_str(p, "ret_i64", NULL), -1);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "ret_f32", NULL), -1);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "ret_f64", NULL), -1);
  CHECK_NULL(extism_plugin_error(p));
  CHECK(!extism_plugin_function_exists(p, "ret_i64"));
  CHECK(!extism_plugin_function_exists(p, "ret_f32"));
  extism_plugin_free(p);
}

/* 53 */
TEST(void_export) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK(extism_plugin_function_exists(p, "nothing"));
  CHECK_EQ_INT(call_str(p, "nothing", "x"), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  extism_plugin_free(p);
}

/* 54-57, 67 */
TEST(recorded_errors) {
  ExtismPlugin *p = load_plugin("calls", false);
  const char *e1, *e2;
  char *e1_copy;
  CHECK_EQ_INT(call_str(p, "err_ret_0", NULL), 0);
  CHECK_STR(extism_plugin_error(p), "EEE");
  CHECK_EQ_INT(call_str(p, "err_ret_7", NULL), 7);
  CHECK_STR(extism_plugin_error(p), "EEE");
  CHECK_EQ_INT(call_str(p, "err_void", NULL), 0);
  CHECK_STR(extism_plugin_error(p), "EEE");
  /* 67: read twice, same text (each string lives only until the next API call on the plugin,
   * so keep a copy of the first) */
  e1 = extism_plugin_error(p);
  CHECK_STR(e1, "EEE");
  e1_copy = e1 ? strdup(e1) : NULL;
  e2 = extism_plugin_error(p);
  CHECK_STR(e2, "EEE");
  CHECK_STR(e1_copy, e2);
  free(e1_copy);
  CHECK_STR(extism_error(p), "EEE");
  CHECK_EQ_INT(call_str(p, "err_trap", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "EEE");
  CHECK_EQ_INT(call_str(p, "err_inside", NULL), 1);
  CHECK_STR(extism_plugin_error(p), "");
  /* error_set(0) clears the register */
  CHECK_EQ_INT(call_str(p, "err_then_clear", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  /* the next successful call clears the previous error */
  CHECK_EQ_INT(call_str(p, "err_ret_7", NULL), 7);
  CHECK_EQ_INT(call_str(p, "nothing", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 58-60 */
TEST(traps) {
  ExtismPlugin *p = load_plugin("calls", false);
  const char *e;
  CHECK_EQ_INT(call_str(p, "trap", NULL), 134);
  e = extism_plugin_error(p);
  CHECK(e != NULL && e[0] != 0);
  CHECK_EQ_INT(call_str(p, "trap_i32", NULL), 134);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "oob_load", NULL), 134);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "div_zero", NULL), 134);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "stack_overflow", NULL), 134);
  CHECK_NOT_NULL(extism_plugin_error(p));
  /* 60: the plugin stays usable */
  CHECK_EQ_INT(call_str(p, "ret_42", NULL), 42);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "echo", "after trap"), 0);
  CHECK_OUTPUT(p, "after trap");
  extism_plugin_free(p);
}

/* a trap does not reset the module's globals (the instance is kept) */
TEST(trap_keeps_instance_state) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK_EQ_INT(call_str(p, "bump", NULL), 1);
  CHECK_EQ_INT(call_str(p, "bump", NULL), 2);
  CHECK_EQ_INT(call_str(p, "trap", NULL), 134);
  CHECK_EQ_INT(call_str(p, "bump", NULL), 3);
  extism_plugin_free(p);
}

/* 61-63 */
TEST(output_register) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK_EQ_INT(call_str(p, "echo", "hello"), 0);
  CHECK_OUTPUT(p, "hello");
  CHECK_EQ_INT(call_str(p, "echo", ""), 0);
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  CHECK_NOT_NULL(extism_plugin_output_data(p));
  CHECK_EQ_INT(call_str(p, "echo_inner", "hello"), 0);
  CHECK_OUTPUT(p, "el");
  CHECK_EQ_INT(call_str(p, "out_far", "hello"), 0);
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "out_zero", "hello"), 0);
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  CHECK_NULL(extism_plugin_error(p));
  /* a call that sets no output publishes nothing (the previous output is gone) */
  CHECK_EQ_INT(call_str(p, "echo", "again"), 0);
  CHECK_OUTPUT(p, "again");
  CHECK_EQ_INT(call_str(p, "nothing", "x"), 0);
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  extism_plugin_free(p);
}

/* output published before a trap or a non-zero return stays readable */
TEST(output_before_failure) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK_EQ_INT(call_str(p, "out_then_9", NULL), 9);
  CHECK_OUTPUT(p, "abc");
  CHECK_EQ_INT(call_str(p, "out_then_trap", NULL), 134);
  CHECK_OUTPUT(p, "abc");
  extism_plugin_free(p);
}

/* large input and output round trip */
TEST(large_echo) {
  ExtismPlugin *p = load_plugin("calls", false);
  size_t n = 3 * 65536 + 17, i;
  uint8_t *buf = malloc(n);
  for (i = 0; i < n; i++)
    buf[i] = (uint8_t)(i * 7 + (i >> 9));
  CHECK_EQ_INT(extism_plugin_call(p, "echo", buf, n), 0);
  CHECK_MEM(extism_plugin_output_data(p), extism_plugin_output_length(p), buf, n);
  free(buf);
  extism_plugin_free(p);
}

/* 64, 65 */
TEST(error_cleared_by_success_and_other_calls) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK_EQ_INT(call_str(p, "ret_42", NULL), 42);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "missing", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK(config(p, "{\"a\":\"b\"}"));
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "missing", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK(!extism_plugin_function_exists(p, "x"));
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* A plugin-recorded error is read from the error register each time: config and function_exists
 * do not clear it (unlike a runtime error, item 65); extism_plugin_reset wipes its bytes, which
 * leaves an empty text rather than NULL (like the output length of item 70). */
TEST(recorded_error_survives_config_and_exists) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK_EQ_INT(call_str(p, "err_ret_7", NULL), 7);
  CHECK_STR(extism_plugin_error(p), "EEE");
  CHECK(extism_plugin_function_exists(p, "nothing"));
  CHECK_STR(extism_plugin_error(p), "EEE");
  CHECK(!extism_plugin_function_exists(p, "x"));
  CHECK_STR(extism_plugin_error(p), "EEE");
  CHECK(config(p, "{}"));
  CHECK_STR(extism_plugin_error(p), "EEE");
  CHECK(extism_plugin_reset(p));
  CHECK_STR(extism_plugin_error(p), "");
  CHECK_EQ_INT(call_str(p, "nothing", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 66, 68 */
TEST(non_utf8_function_name) {
  ExtismPlugin *p = load_plugin("calls", false);
  static const char bad[] = "\xff\xfe";
  CHECK_EQ_INT(call_str(p, bad, "x"), -1);
  CHECK_STR(extism_plugin_error(p), "invalid utf-8 sequence of 1 bytes from index 0");
  CHECK_EQ_INT(call_str(p, "missing", NULL), -1);
  CHECK(!extism_plugin_function_exists(p, bad));
  CHECK_STR(extism_plugin_error(p), "Function not found: missing");
  CHECK_EQ_INT(call_str(p, "ret_42", NULL), 42);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 69 */
TEST(null_plugin) {
  uint8_t in[1] = {'x'};
  CHECK_EQ_INT(extism_plugin_call(NULL, "f", in, 1), -1);
  CHECK_EQ_INT(extism_plugin_call_with_host_context(NULL, "f", in, 1, in), -1);
  CHECK_NULL(extism_plugin_error(NULL));
  CHECK_NULL(extism_error(NULL));
  CHECK_NULL(extism_plugin_output_data(NULL));
  CHECK_EQ_INT(extism_plugin_output_length(NULL), 0);
  CHECK_NULL(extism_plugin_id(NULL));
  CHECK_NULL(extism_plugin_cancel_handle(NULL));
  CHECK(!extism_plugin_function_exists(NULL, "f"));
  CHECK(!extism_plugin_config(NULL, (const uint8_t *)"{}", 2));
  extism_plugin_free(NULL);
  extism_compiled_plugin_free(NULL);
  extism_plugin_new_error_free(NULL);
  extism_function_free(NULL);
}

/* 70 */
TEST(reset_wipes_output_bytes) {
  ExtismPlugin *p = load_plugin("calls", false);
  const uint8_t *d;
  CHECK_EQ_INT(call_str(p, "echo", "hello"), 0);
  CHECK_OUTPUT(p, "hello");
  CHECK(extism_plugin_reset(p));
  CHECK_EQ_INT(extism_plugin_output_length(p), 5);
  d = extism_plugin_output_data(p);
  REQUIRE_NOT_NULL(d);
  CHECK_MEM(d, 5, "\0\0\0\0\0", 5);
  CHECK(extism_plugin_reset(p));
  CHECK_EQ_INT(call_str(p, "input_info", "abc"), 77003);
  extism_plugin_free(p);
}

/* 71 */
TEST(reset_keeps_vars) {
  ExtismPlugin *p = load_plugin("c1", false);
  CHECK_EQ_INT(call_str(p, "count_vowels", "aa"), 0);
  CHECK_OUTPUT(p, "{\"count\":2,\"total\":2,\"vowels\":\"aeiouAEIOU\"}");
  CHECK(extism_plugin_reset(p));
  CHECK_EQ_INT(call_str(p, "count_vowels", "eee"), 0);
  CHECK_OUTPUT(p, "{\"count\":3,\"total\":5,\"vowels\":\"aeiouAEIOU\"}");
  extism_plugin_free(p);
}

/* reset keeps config and the module's globals */
TEST(reset_keeps_config_and_globals) {
  ExtismPlugin *c = load_plugin("c1", false), *g = load_plugin("calls", false);
  CHECK(config(c, "{\"vowels\":\"b\"}"));
  CHECK(extism_plugin_reset(c));
  CHECK_EQ_INT(call_str(c, "count_vowels", "abba"), 0);
  CHECK_OUTPUT(c, "{\"count\":2,\"total\":2,\"vowels\":\"b\"}");
  CHECK_EQ_INT(call_str(g, "bump", NULL), 1);
  CHECK(extism_plugin_reset(g));
  CHECK_EQ_INT(call_str(g, "bump", NULL), 2);
  extism_plugin_free(c);
  extism_plugin_free(g);
}

/* 72 */
struct thread_arg {
  ExtismPlugin *p;
  int rc;
  char out[128];
};

static void *count_thread(void *v) {
  struct thread_arg *a = v;
  size_t n;
  a->rc = call_str(a->p, "count_vowels", "aaaa");
  n = (size_t)extism_plugin_output_length(a->p);
  /* the output may be replaced by another thread's call: record it right away (the harness's
   * goal here is the set of totals, see below) */
  if (n < sizeof a->out) {
    memcpy(a->out, extism_plugin_output_data(a->p), n);
    a->out[n] = 0;
  }
  return NULL;
}

TEST(threads_share_one_plugin) {
  ExtismPlugin *p = load_plugin("c1", false);
  pthread_t th[4];
  struct thread_arg args[4];
  int i;
  for (i = 0; i < 4; i++) {
    args[i].p = p;
    args[i].rc = -99;
    args[i].out[0] = 0;
    REQUIRE(pthread_create(&th[i], NULL, count_thread, &args[i]) == 0);
  }
  for (i = 0; i < 4; i++)
    pthread_join(th[i], NULL);
  for (i = 0; i < 4; i++)
    CHECK_EQ_INT(args[i].rc, 0);
  /* every call ran alone: the final total is 16 and a fifth call sees 20 */
  CHECK_EQ_INT(call_str(p, "count_vowels", "aaaa"), 0);
  CHECK_OUTPUT(p, "{\"count\":4,\"total\":20,\"vowels\":\"aeiouAEIOU\"}");
  extism_plugin_free(p);
}

/* 73 */
TEST(start_rebuilds_instance) {
  ExtismPlugin *p = load_plugin("start", false);
  CHECK_EQ_INT(call_str(p, "bump", NULL), 1);
  CHECK_EQ_INT(call_str(p, "bump", NULL), 2);
  CHECK_EQ_INT(call_str(p, "_start", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "get", NULL), 0);
  CHECK_EQ_INT(call_str(p, "bump", NULL), 1);
  /* a call other than _start does not rebuild */
  CHECK_EQ_INT(call_str(p, "get", NULL), 1);
  extism_plugin_free(p);
}

/* 74 */
TEST(start_drops_vars) {
  ExtismPlugin *p = load_plugin("start", false);
  CHECK_EQ_INT(call_str(p, "setvar", NULL), 0);
  CHECK_EQ_INT(call_str(p, "getvar", NULL), 2);
  CHECK_EQ_INT(call_str(p, "getvar", NULL), 2);
  CHECK_EQ_INT(call_str(p, "_start", NULL), 0);
  CHECK_EQ_INT(call_str(p, "getvar", NULL), 0);
  extism_plugin_free(p);
}

/* 75 */
TEST(start_keeps_config) {
  ExtismPlugin *p = load_plugin("start", false);
  CHECK_EQ_INT(call_str(p, "getcfg", NULL), 0);
  CHECK(config(p, "{\"k\":\"vvv\"}"));
  CHECK_EQ_INT(call_str(p, "getcfg", NULL), 3);
  CHECK_EQ_INT(call_str(p, "_start", NULL), 0);
  CHECK_EQ_INT(call_str(p, "getcfg", NULL), 3);
  extism_plugin_free(p);
}

/* 76 */
TEST(globals_with_wasi) {
  ExtismPlugin *p = load_plugin("c1", true);
  CHECK_EQ_INT(call_str(p, "globals", NULL), 0);
  CHECK_OUTPUT(p, "{\"count\": 0}");
  CHECK_EQ_INT(call_str(p, "globals", NULL), 0);
  CHECK_OUTPUT(p, "{\"count\": 1}");
  CHECK_EQ_INT(call_str(p, "globals", NULL), 0);
  CHECK_OUTPUT(p, "{\"count\": 2}");
  extism_plugin_free(p);
}

/* 77 */
TEST(cf_10001_calls) {
  ExtismPlugin *p = load_cf();
  int i, bad = 0;
  for (i = 0; i < 10001; i++) {
    if (call_str(p, "count_vowels", "this is a test aaa") != 0 || extism_plugin_error(p) != NULL)
      bad++;
  }
  CHECK_EQ_INT(bad, 0);
  CHECK_OUTPUT(p, "{\"count\": 7}");
  extism_plugin_free(p);
}
