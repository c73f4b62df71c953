/* Checklist "Creation and input sniffing" items that need no host functions (6-8, 11-15, 18, 30,
 * 33, 35-38) and the creation part of the bad-input list. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define COMPILE_PREFIX "Unable to compile Extism plugin: "
#define CREATE_PREFIX "Unable to create Extism plugin: "

/* 6 */
TEST(create_unknown_text) {
  char *e = create_error_text("hello there");
  CHECK_DETAILED(e, COMPILE_PREFIX "Unknown manifest format");
  free(e);
}

/* 7 */
TEST(create_zero_bytes) {
  static const uint8_t one[1] = {'x'};
  char *e = create_error(one, 0, false);
  CHECK_STR(e, COMPILE_PREFIX "No wasm files specified in Extism manifest");
  free(e);
}

/* bad input: NULL wasm with size 0 */
TEST(create_null_wasm_size_zero) {
  char *e = create_error(NULL, 0, false);
  CHECK_STR(e, COMPILE_PREFIX "No wasm files specified in Extism manifest");
  free(e);
}

/* 8 and manifests without wasm */
TEST(create_manifest_without_wasm) {
  char *e = create_error_text("{}");
  CHECK_STR(e, COMPILE_PREFIX "No wasm files specified in Extism manifest");
  free(e);
  e = create_error_text("{\"wasm\":[]}");
  CHECK_STR(e, COMPILE_PREFIX "No wasm files specified in Extism manifest");
  free(e);
  e = create_error_text("{\"config\":{\"a\":\"b\"}}");
  CHECK_STR(e, COMPILE_PREFIX "No wasm files specified in Extism manifest");
  free(e);
}

/* 11 */
TEST(create_wat_text) {
  static const char *texts[] = {"(module)", "( module )", ";; c\n(module)", "(; c ;)(module)",
                                "(module (func (export \"five\") (result i32) i32.const 5))"};
  size_t i;
  for (i = 0; i < sizeof texts / sizeof texts[0]; i++) {
    char *err = NULL;
    ExtismPlugin *p =
        extism_plugin_new((const uint8_t *)texts[i], strlen(texts[i]), NULL, 0, false, &err);
    if (!CHECK_NOT_NULL(p)) {
      printf("    text %s: %s\n", texts[i], err ? err : "NULL");
      extism_plugin_new_error_free(err);
      continue;
    }
    if (i == 4)
      CHECK_EQ_INT(call_str(p, "five", NULL), 5);
    extism_plugin_free(p);
  }
}

/* 12 */
TEST(create_wat_with_leading_spaces) {
  char *e = create_error_text("  (module)");
  CHECK_DETAILED(e, COMPILE_PREFIX "Unknown manifest format");
  free(e);
}

/* 13 */
TEST(create_bad_section_id) {
  static const uint8_t bytes[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0xff};
  char *e = create_error(bytes, sizeof bytes, false);
  CHECK_PREFIX(e, COMPILE_PREFIX);
  CHECK_CONTAINS(e, "malformed section id");
  free(e);
}

/* 14 */
TEST(create_non_utf8_garbage) {
  static const uint8_t bytes[] = {0xff, 0xfe, 0x00, 0x01, 0x80, 0x81, 0x82, 0x83};
  char *e = create_error(bytes, sizeof bytes, false);
  CHECK_PREFIX(e, COMPILE_PREFIX);
  CHECK_CONTAINS(e, "input bytes aren't valid utf-8");
  free(e);
}

/* bad input: garbage that is valid UTF-8 */
TEST(create_utf8_garbage) {
  char *e = create_error_text("\x01\x02 garbage \x7f");
  CHECK_DETAILED(e, COMPILE_PREFIX "Unknown manifest format");
  free(e);
}

/* bad input: a wasm module cut in half, and a bare header */
TEST(create_truncated_module) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("calls", &len);
  char *e = create_error(w, len / 2, false);
  CHECK_PREFIX(e, COMPILE_PREFIX);
  CHECK(strlen(e) > strlen(COMPILE_PREFIX));
  free(e);
  e = create_error(w, 4, false); /* magic only */
  CHECK_PREFIX(e, COMPILE_PREFIX);
  CHECK(strlen(e) > strlen(COMPILE_PREFIX));
  free(e);
  e = create_error(w, 6, false); /* magic + half a version */
  CHECK_PREFIX(e, COMPILE_PREFIX);
  free(e);
  free(w);
}

TEST(create_empty_binary_module_succeeds) {
  static const uint8_t empty[] = {0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00};
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new(empty, sizeof empty, NULL, 0, false, &err);
  CHECK_NOT_NULL(p);
  CHECK_NULL(err);
  if (p) {
    CHECK_EQ_INT(call_str(p, "anything", NULL), -1);
    CHECK_STR(extism_plugin_error(p), "Function not found: anything");
  }
  extism_plugin_free(p);
}

/* bad input: invalid JSON */
TEST(create_invalid_json) {
  static const char *bad[] = {"{\"wasm\": [", "{\"wasm\": [{\"data\": }]}", "{\"wasm\" 1}",
                              "[1, 2, 3]", "{\"wasm\": \"x\"}"};
  size_t i;
  for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
    char *e = create_error_text(bad[i]);
    CHECK_DETAILED(e, COMPILE_PREFIX "Unknown manifest format");
    free(e);
  }
}

/* 15: missing file */
TEST(create_missing_path) {
  char *e = create_error_text("{\"wasm\":[{\"path\":\"/nonexistent/dir/x.wasm\"}]}");
  CHECK_STR(e, COMPILE_PREFIX "Unable to load Wasm file \"/nonexistent/dir/x.wasm\": entity not found");
  free(e);
}

/* a manifest with an existing path works */
TEST(create_from_path) {
  char m[4200];
  ExtismPlugin *p;
  snprintf(m, sizeof m, "{\"wasm\":[{\"path\":\"%s\"}]}", plugin_path("tiny"));
  p = plugin_from_text(m, false);
  CHECK_EQ_INT(call_str(p, "five", NULL), 5);
  extism_plugin_free(p);
}

/* a manifest with base64 data works, as does `name` */
TEST(create_from_base64_data) {
  char *m = manifest_for("tiny", "");
  ExtismPlugin *p = plugin_from_text(m, false);
  CHECK_EQ_INT(call_str(p, "five", NULL), 5);
  extism_plugin_free(p);
  free(m);
}

/* 18 and other base64 errors */
TEST(create_base64_errors) {
  char *m = manifest_for("tiny", ""), *q, *e;
  /* strip the padding: tiny.wasm's base64 must end with '=' for this test to mean anything */
  q = strstr(m, "=\"");
  REQUIRE_NOT_NULL(q);
  while (q > m && q[-1] == '=')
    q--;
  memmove(q, strstr(q, "\"}"), strlen(strstr(q, "\"}")) + 1);
  e = create_error_text(m);
  CHECK_DETAILED(e, COMPILE_PREFIX "Unknown manifest format");
  free(e);
  free(m);
  e = create_error_text("{\"wasm\":[{\"data\":\"!!!!\"}]}");
  CHECK_DETAILED(e, COMPILE_PREFIX "Unknown manifest format");
  free(e);
  e = create_error_text("{\"wasm\":[{\"data\":\"AGFzbQEAAAA=x\"}]}");
  CHECK_DETAILED(e, COMPILE_PREFIX "Unknown manifest format");
  free(e);
}

/* 30 */
TEST(create_start_section_traps) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("start_trap", &len);
  char *e = create_error(w, len, false);
  CHECK_PREFIX(e, COMPILE_PREFIX);
  CHECK_CONTAINS(e, "unreachable");
  free(e);
  free(w);
}

/* 38 */
TEST(create_errmsg_null) {
  static const char text[] = "hello there";
  size_t len = 0;
  uint8_t *w = plugin_bytes("start_trap", &len);
  CHECK_NULL(extism_plugin_new((const uint8_t *)text, strlen(text), NULL, 0, false, NULL));
  CHECK_NULL(extism_plugin_new(w, len, NULL, 0, false, NULL));
  CHECK_NULL(extism_plugin_new_with_fuel_limit((const uint8_t *)text, strlen(text), NULL, 0, false,
                                               1000, NULL));
  CHECK_NULL(extism_compiled_plugin_new((const uint8_t *)text, strlen(text), NULL, 0, false, NULL));
  free(w);
}

/* 33 */
TEST(create_null_function_entry) {
  const ExtismFunction *fns[2] = {NULL, NULL};
  size_t len = 0;
  uint8_t *w = plugin_bytes("tiny", &len);
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new(w, len, fns, 2, false, &err);
  CHECK_NULL(p);
  CHECK_STR(err, "Cannot pass null pointer");
  extism_plugin_new_error_free(err);
  extism_plugin_free(p);
  free(w);
}

/* 35 */
TEST(create_null_functions_ignores_count) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("tiny", &len);
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new(w, len, NULL, 3, false, &err);
  CHECK_NOT_NULL(p);
  CHECK_NULL(err);
  if (p)
    CHECK_EQ_INT(call_str(p, "five", NULL), 5);
  extism_plugin_free(p);
  free(w);
}

/* 25 */
TEST(create_missing_import) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("import_missing", &len);
  char *e = create_error(w, len, false);
  CHECK_PREFIX(e, COMPILE_PREFIX);
  CHECK_CONTAINS(e, "unknown import: `env::f` has not been defined");
  free(e);
  free(w);
}

/* 36, 37 */
TEST(compiled_missing_import_fails_at_plugin) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("import_missing", &len);
  char *err = NULL;
  ExtismCompiledPlugin *c = extism_compiled_plugin_new(w, len, NULL, 0, false, &err);
  ExtismPlugin *p;
  free(w);
  if (!CHECK_NOT_NULL(c)) {
    printf("    %s\n", err ? err : "NULL");
    extism_plugin_new_error_free(err);
    return;
  }
  CHECK_NULL(err);
  p = extism_plugin_new_from_compiled(c, &err);
  CHECK_NULL(p);
  CHECK_PREFIX(err, CREATE_PREFIX "unknown import: `env::f` has not been defined");
  extism_plugin_new_error_free(err);
  err = NULL;
  CHECK_NULL(extism_plugin_new_from_compiled(c, NULL));
  extism_compiled_plugin_free(c);
}

/* compile errors through every create function carry the compile prefix */
TEST(create_prefixes_for_parse_errors) {
  static const char text[] = "hello there";
  char *err = NULL;
  CHECK_NULL(extism_plugin_new_with_fuel_limit((const uint8_t *)text, strlen(text), NULL, 0, false,
                                               1000000, &err));
  CHECK_DETAILED(err, COMPILE_PREFIX "Unknown manifest format");
  extism_plugin_new_error_free(err);
  err = NULL;
  CHECK_NULL(extism_compiled_plugin_new((const uint8_t *)text, strlen(text), NULL, 0, false, &err));
  CHECK_DETAILED(err, COMPILE_PREFIX "Unknown manifest format");
  extism_plugin_new_error_free(err);
  err = NULL;
  CHECK_NULL(extism_compiled_plugin_new_with_fuel_limit((const uint8_t *)text, strlen(text), NULL, 0,
                                                        false, 1000000, &err));
  CHECK_DETAILED(err, COMPILE_PREFIX "Unknown manifest format");
  extism_plugin_new_error_free(err);
}

/* instantiation failures: extism_plugin_new says "compile", the fuel variant "create" */
TEST(create_prefixes_for_instantiation_errors) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("import_missing", &len);
  char *err = NULL;
  CHECK_NULL(extism_plugin_new_with_fuel_limit(w, len, NULL, 0, false, 1000000, &err));
  CHECK_PREFIX(err, CREATE_PREFIX "unknown import: `env::f` has not been defined");
  extism_plugin_new_error_free(err);
  free(w);
}

/* the input buffer may be freed right after creation */
TEST(create_copies_input) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("tiny", &len);
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new(w, len, NULL, 0, false, &err);
  memset(w, 0, len);
  free(w);
  REQUIRE_NOT_NULL(p);
  CHECK_EQ_INT(call_str(p, "five", NULL), 5);
  extism_plugin_free(p);
}

/* 199: a plugin made from a compiled plugin keeps working after the compiled plugin is freed */
TEST(compiled_freed_before_plugins) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("c1", &len);
  char *err = NULL;
  ExtismCompiledPlugin *c = extism_compiled_plugin_new(w, len, NULL, 0, false, &err);
  ExtismPlugin *a, *b;
  free(w);
  REQUIRE_NOT_NULL(c);
  a = extism_plugin_new_from_compiled(c, &err);
  b = extism_plugin_new_from_compiled(c, &err);
  extism_compiled_plugin_free(c);
  REQUIRE(a && b);
  CHECK_EQ_INT(call_str(a, "count_vowels", "aaa"), 0);
  CHECK_OUTPUT(a, "{\"count\":3,\"total\":3,\"vowels\":\"aeiouAEIOU\"}");
  CHECK_EQ_INT(call_str(b, "count_vowels", "a"), 0);
  CHECK_OUTPUT(b, "{\"count\":1,\"total\":1,\"vowels\":\"aeiouAEIOU\"}");
  extism_plugin_free(a);
  extism_plugin_free(b);
}

TEST(create_with_fuel_and_wasi) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("c1", &len);
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new_with_fuel_limit(w, len, NULL, 0, true, 100000000, &err);
  free(w);
  REQUIRE_NOT_NULL(p);
  CHECK_EQ_INT(call_str(p, "count_vowels", "hello world"), 0);
  CHECK_OUTPUT(p, "{\"count\":3,\"total\":3,\"vowels\":\"aeiouAEIOU\"}");
  extism_plugin_free(p);
}
