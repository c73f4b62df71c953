/* Bad input through the C API: NULL plugins and names, non-UTF-8 names, unknown functions,
 * calls after failures, bad config JSON. Tests of arguments upstream crashes on (spec section 2,
 * "Crash-on-NULL in upstream") are TEST_NOT_UPSTREAM: they hold our library to the spec's
 * recommended guards and are skipped against the reference. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void noop_fn(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                    ExtismSize n_out, void *data) {
  (void)cp;
  (void)in;
  (void)n_in;
  (void)out;
  (void)n_out;
  (void)data;
}

static bool config(ExtismPlugin *p, const char *json) {
  return extism_plugin_config(p, (const uint8_t *)json, strlen(json));
}

/* NULL plugin to every function taking one (69 covers the guarded-upstream ones) */
TEST(bad_null_plugin_everywhere) {
  CHECK_EQ_INT(extism_plugin_call(NULL, "five", NULL, 0), -1);
  CHECK_EQ_INT(extism_plugin_call_with_host_context(NULL, "five", NULL, 0, NULL), -1);
  CHECK_NULL(extism_plugin_error(NULL));
  CHECK_NULL(extism_error(NULL));
  CHECK_EQ_INT(extism_plugin_output_length(NULL), 0);
  CHECK_NULL(extism_plugin_output_data(NULL));
  CHECK_NULL(extism_plugin_id(NULL));
  CHECK_NULL(extism_plugin_cancel_handle(NULL));
  CHECK(!extism_plugin_function_exists(NULL, "five"));
  CHECK(!extism_plugin_config(NULL, (const uint8_t *)"{}", 2));
  CHECK(!extism_plugin_config(NULL, NULL, 0));
  extism_plugin_free(NULL);
  extism_compiled_plugin_free(NULL);
  extism_function_free(NULL);
  extism_plugin_new_error_free(NULL);
}

/* NULL ExtismCurrentPlugin to the five host-function helpers */
TEST(bad_null_current_plugin) {
  CHECK_NULL(extism_current_plugin_host_context(NULL));
  CHECK_NULL(extism_current_plugin_memory(NULL));
  CHECK_EQ_U64(extism_current_plugin_memory_alloc(NULL, 5), 0);
  CHECK_EQ_U64(extism_current_plugin_memory_length(NULL, 77), 0);
  extism_current_plugin_memory_free(NULL, 77);
}

TEST_NOT_UPSTREAM(bad_null_plugin_reset, "segfaults on a NULL plugin") {
  CHECK(!extism_plugin_reset(NULL));
}

TEST_NOT_UPSTREAM(bad_null_plugin_allow_headers, "segfaults on a NULL plugin") {
  extism_plugin_allow_http_response_headers(NULL);
  CHECK(1); /* reaching this line is the test */
}

TEST_NOT_UPSTREAM(bad_null_cancel_handle, "segfaults on a NULL handle") {
  CHECK(!extism_plugin_cancel(NULL));
}

TEST_NOT_UPSTREAM(bad_null_compiled_plugin, "segfaults on a NULL compiled plugin") {
  char *err = NULL;
  CHECK_NULL(extism_plugin_new_from_compiled(NULL, &err));
  CHECK_NOT_NULL(err);
  extism_plugin_new_error_free(err);
  CHECK_NULL(extism_plugin_new_from_compiled(NULL, NULL));
}

TEST_NOT_UPSTREAM(bad_null_function_name, "segfaults on a NULL name") {
  CHECK_NULL(extism_function_new(NULL, NULL, 0, NULL, 0, noop_fn, NULL, NULL));
}

TEST_NOT_UPSTREAM(bad_null_namespace_arguments, "segfaults on a NULL function or namespace") {
  ExtismFunction *f = extism_function_new("x", NULL, 0, NULL, 0, noop_fn, NULL, NULL);
  REQUIRE_NOT_NULL(f);
  extism_function_set_namespace(NULL, "ns");
  extism_function_set_namespace(f, NULL);
  extism_function_free(f);
  CHECK(1); /* reaching this line is the test */
}

TEST_NOT_UPSTREAM(bad_null_call_name, "segfaults on a NULL function name") {
  ExtismPlugin *p = load_plugin("tiny", false);
  CHECK_EQ_INT(extism_plugin_call(p, NULL, NULL, 0), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(extism_plugin_call_with_host_context(p, NULL, NULL, 0, p), -1);
  CHECK(!extism_plugin_function_exists(p, NULL));
  /* still usable */
  CHECK_EQ_INT(call_str(p, "five", NULL), 5);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* spec section 2: data == NULL is read as empty input */
TEST_NOT_UPSTREAM(bad_null_data_with_length, "segfaults on NULL data with a non-zero length") {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK_EQ_INT(extism_plugin_call(p, "input_info", NULL, 5), 0);
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(bad_null_wasm_with_size, "segfaults on NULL wasm with a non-zero size") {
  char *err = NULL;
  CHECK_NULL(extism_plugin_new(NULL, 5, NULL, 0, false, &err));
  CHECK_NOT_NULL(err);
  extism_plugin_new_error_free(err);
  err = NULL;
  CHECK_NULL(extism_compiled_plugin_new(NULL, 5, NULL, 0, false, &err));
  CHECK_NOT_NULL(err);
  extism_plugin_new_error_free(err);
}

TEST_NOT_UPSTREAM(bad_null_config_with_size, "segfaults on NULL json with a non-zero size") {
  ExtismPlugin *p = load_plugin("tiny", false);
  CHECK(!extism_plugin_config(p, NULL, 5));
  extism_plugin_free(p);
}

/* NULL JSON with size 0 is not an object */
TEST(bad_config_null_empty) {
  ExtismPlugin *p = load_plugin("tiny", false);
  CHECK(!extism_plugin_config(p, NULL, 0));
  extism_plugin_free(p);
}

/* non-UTF-8 host function name: NULL */
TEST(bad_function_name_not_utf8) {
  CHECK_NULL(extism_function_new("\xff\xfe", NULL, 0, NULL, 0, noop_fn, NULL, NULL));
  CHECK_NULL(extism_function_new("ok\xc3", NULL, 0, NULL, 0, noop_fn, NULL, NULL));
}

/* non-UTF-8 call names, with the byte index in the message */
TEST(bad_call_name_not_utf8) {
  ExtismPlugin *p = load_plugin("tiny", false);
  CHECK_EQ_INT(call_str(p, "\xff", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "invalid utf-8 sequence of 1 bytes from index 0");
  CHECK_EQ_INT(call_str(p, "fi\xc3(", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "invalid utf-8 sequence of 1 bytes from index 2");
  CHECK(!extism_plugin_function_exists(p, "\xff"));
  CHECK_EQ_INT(extism_plugin_call_with_host_context(p, "\xff", NULL, 0, p), -1);
  CHECK_STR(extism_plugin_error(p), "invalid utf-8 sequence of 1 bytes from index 0");
  CHECK_EQ_INT(call_str(p, "five", NULL), 5);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* unknown function, then calling after failed calls of every kind */
TEST(bad_calls_after_failures) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK_EQ_INT(call_str(p, "nope", "x"), -1);
  CHECK_STR(extism_plugin_error(p), "Function not found: nope");
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  CHECK_EQ_INT(call_str(p, "echo", "one"), 0);
  CHECK_OUTPUT(p, "one");
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "takes_param", "x"), -1);
  CHECK_EQ_INT(call_str(p, "echo", "two"), 0);
  CHECK_OUTPUT(p, "two");
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "err_trap", "x"), -1);
  CHECK_EQ_INT(call_str(p, "echo", "three"), 0);
  CHECK_OUTPUT(p, "three");
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "trap", "x"), 134);
  CHECK_EQ_INT(call_str(p, "trap", "x"), 134);
  CHECK_EQ_INT(call_str(p, "input_info", "abc"), 77003);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* config JSON that is not an object, and the config left unchanged */
TEST(bad_config_not_object) {
  ExtismPlugin *p = load_plugin("start", false);
  CHECK(config(p, "{\"k\":\"abcd\"}"));
  CHECK(!config(p, "[\"k\",\"x\"]"));
  CHECK(!config(p, "\"k\""));
  CHECK(!config(p, "true"));
  CHECK(!config(p, "1"));
  CHECK(!config(p, "null"));
  CHECK(!config(p, "{\"k\":\"x\""));
  CHECK(!config(p, "{\"k\":\"x\"}{}"));
  CHECK(!config(p, "{\"k\":1.5}"));
  CHECK(!config(p, "{\"k\":[]}"));
  CHECK(!extism_plugin_config(p, (const uint8_t *)"\xff\xfe", 2));
  CHECK(!extism_plugin_config(p, (const uint8_t *)"{\"k\":\"\xff\"}", 8));
  CHECK_EQ_INT(call_str(p, "getcfg", NULL), 4);
  CHECK(config(p, "{\"k\":null}"));
  CHECK_EQ_INT(call_str(p, "getcfg", NULL), 0);
  extism_plugin_free(p);
}

/* A `bool` flag as bindings really pass it (issue: the Java SDK passes true as 0xFF; a binding that
 * declares the flag as an integer may pass 2). The four create functions are called through
 * declarations taking uint8_t, as such a binding links them: every nonzero byte is true (WASI is
 * linked, the call runs), 0 is false (the WASI plugin cannot be created). */
typedef ExtismPlugin *(*plugin_new_u8)(const uint8_t *, ExtismSize, const ExtismFunction **, ExtismSize,
                                       uint8_t, char **);
typedef ExtismPlugin *(*plugin_new_fuel_u8)(const uint8_t *, ExtismSize, const ExtismFunction **,
                                            ExtismSize, uint8_t, uint64_t, char **);
typedef ExtismCompiledPlugin *(*compiled_new_u8)(const uint8_t *, ExtismSize, const ExtismFunction **,
                                                 ExtismSize, uint8_t, char **);
typedef ExtismCompiledPlugin *(*compiled_new_fuel_u8)(const uint8_t *, ExtismSize, const ExtismFunction **,
                                                      ExtismSize, uint8_t, uint64_t, char **);

/* Checks a plugin made with flag byte `flag`: created and working iff flag != 0 (NULL plugin and an
 * error naming the missing WASI import otherwise). Frees what it is given. */
static void check_flag_result(ExtismPlugin *p, char *err, uint8_t flag) {
  if (flag == 0) {
    CHECK_NULL(p);
    REQUIRE_NOT_NULL(err);
    CHECK_CONTAINS(err, "wasi_snapshot_preview1");
    extism_plugin_new_error_free(err);
    return;
  }
  if (p == NULL) {
    CHECK_STR(err, "(created)");
    extism_plugin_new_error_free(err);
    return;
  }
  CHECK_NULL(err);
  CHECK_EQ_INT(extism_plugin_call(p, "ok", NULL, 0), 0);
  extism_plugin_free(p);
}

TEST(bad_bool_flag_bytes_create) {
  static const uint8_t flags[] = {0, 1, 2, 0x7f, 0x80, 0xff};
  size_t len = 0;
  uint8_t *wasm = plugin_bytes("wasi_basic", &len);
  plugin_new_u8 new_u8 = (plugin_new_u8)(void (*)(void))extism_plugin_new;
  plugin_new_fuel_u8 new_fuel_u8 = (plugin_new_fuel_u8)(void (*)(void))extism_plugin_new_with_fuel_limit;
  compiled_new_u8 compiled_u8 = (compiled_new_u8)(void (*)(void))extism_compiled_plugin_new;
  compiled_new_fuel_u8 compiled_fuel_u8 =
      (compiled_new_fuel_u8)(void (*)(void))extism_compiled_plugin_new_with_fuel_limit;
  REQUIRE_NOT_NULL(wasm);
  for (size_t i = 0; i < sizeof flags; i++) {
    uint8_t flag = flags[i];
    char *err = NULL;
    ExtismPlugin *p = new_u8(wasm, len, NULL, 0, flag, &err);
    check_flag_result(p, err, flag);

    err = NULL;
    p = new_fuel_u8(wasm, len, NULL, 0, flag, 1000000, &err);
    check_flag_result(p, err, flag);

    for (int fuel = 0; fuel < 2; fuel++) {
      ExtismCompiledPlugin *c;
      err = NULL;
      c = fuel ? compiled_fuel_u8(wasm, len, NULL, 0, flag, 1000000, &err)
               : compiled_u8(wasm, len, NULL, 0, flag, &err);
      if (flag == 0 && c == NULL) { /* refused when compiled, or below when instantiated */
        check_flag_result(NULL, err, flag);
        continue;
      }
      REQUIRE_NOT_NULL(c);
      CHECK_NULL(err);
      err = NULL;
      p = extism_plugin_new_from_compiled(c, &err);
      check_flag_result(p, err, flag);
      extism_compiled_plugin_free(c);
    }
  }
  free(wasm);
}
