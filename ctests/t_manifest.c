/* Checklist "Creation and input sniffing": the manifest items (9, 10, 16, 17, 19-24, 29, 31, 32)
 * and manifest field types (spec section 6.2). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define COMPILE_PREFIX "Unable to compile Extism plugin: "
#define UNKNOWN COMPILE_PREFIX "Unknown manifest format"

/* {"wasm":[{"data":"<b64 of name>"<source_extra>}]<extra>} */
static char *manifest2(const char *name, const char *source_extra, const char *extra) {
  size_t len = 0;
  uint8_t *b = plugin_bytes(name, &len);
  char *b64 = base64_encode(b, len);
  size_t n = strlen(b64) + strlen(source_extra) + strlen(extra) + 64;
  char *m = malloc(n);
  snprintf(m, n, "{\"wasm\":[{\"data\":\"%s\"%s}]%s}", b64, source_extra, extra);
  free(b64);
  free(b);
  return m;
}

static void expect_error(char *manifest, const char *want) {
  char *e = create_error_text(manifest);
  CHECK_DETAILED(e, want);
  free(e);
  free(manifest);
}

static void expect_ok(char *manifest, bool wasi) {
  char *err = NULL;
  ExtismPlugin *p =
      extism_plugin_new((const uint8_t *)manifest, strlen(manifest), NULL, 0, wasi, &err);
  if (!CHECK_NOT_NULL(p))
    printf("    error: %s\n", err ? err : "NULL");
  else
    CHECK_EQ_INT(call_str(p, "five", NULL), 5);
  extism_plugin_new_error_free(err);
  extism_plugin_free(p);
  free(manifest);
}

/* 9 */
TEST(manifest_unknown_top_level_key) {
  expect_error(manifest2("tiny", "", ",\"bogus\":1"), UNKNOWN);
  expect_error(manifest2("tiny", "", ",\"memory\":{\"max_pages\":4,\"bogus\":1}"), UNKNOWN);
}

/* 10 */
TEST(manifest_bad_wasm_source) {
  char path[4200];
  expect_error(manifest2("tiny", ",\"bogus\":\"x\"", ""), UNKNOWN);
  snprintf(path, sizeof path, ",\"path\":\"%s\"", plugin_path("tiny"));
  expect_error(manifest2("tiny", path, ""), UNKNOWN);
}

/* optional fields accept null; types are strict */
TEST(manifest_field_types) {
  expect_ok(manifest2("tiny", ",\"name\":null,\"hash\":null",
                      ",\"allowed_hosts\":null,\"allowed_paths\":null,\"timeout_ms\":null,"
                      "\"memory\":{\"max_pages\":null,\"max_var_bytes\":null,"
                      "\"max_http_response_bytes\":null}"),
            false);
  /* but not for `config` and `memory` themselves (REFERENCE-NOTES.md) */
  expect_error(manifest2("tiny", "", ",\"config\":null"), UNKNOWN);
  expect_error(manifest2("tiny", "", ",\"memory\":null"), UNKNOWN);
  expect_ok(manifest2("tiny", "",
                      ",\"config\":{\"a\":\"b\"},\"memory\":{\"max_pages\":10,"
                      "\"max_http_response_bytes\":1000,\"max_var_bytes\":100},"
                      "\"allowed_hosts\":[\"example.com\"],\"timeout_ms\":1000"),
            false);
  expect_error(manifest2("tiny", "", ",\"config\":{\"a\":1}"), UNKNOWN);
  expect_error(manifest2("tiny", "", ",\"timeout_ms\":-1"), UNKNOWN);
  expect_error(manifest2("tiny", "", ",\"timeout_ms\":\"100\""), UNKNOWN);
  expect_error(manifest2("tiny", "", ",\"memory\":{\"max_pages\":\"4\"}"), UNKNOWN);
  expect_error(manifest2("tiny", "", ",\"allowed_hosts\":\"example.com\""), UNKNOWN);
}

/* 16, 17 */
TEST(manifest_hash) {
  size_t len = 0;
  uint8_t *b = plugin_bytes("tiny", &len);
  char hex[65], upper[65], extra[200], want[400];
  int i;
  sha256_hex(b, len, hex);
  free(b);
  snprintf(extra, sizeof extra, ",\"hash\":\"%s\"", hex);
  expect_ok(manifest2("tiny", extra, ""), false);
  /* upper case is a mismatch */
  for (i = 0; i < 65; i++)
    upper[i] = (hex[i] >= 'a' && hex[i] <= 'f') ? (char)(hex[i] - 32) : hex[i];
  snprintf(extra, sizeof extra, ",\"hash\":\"%s\"", upper);
  snprintf(want, sizeof want, COMPILE_PREFIX "Hash mismatch, found %s but expected %s", hex, upper);
  expect_error(manifest2("tiny", extra, ""), want);
  snprintf(extra, sizeof extra, ",\"hash\":\"%064d\"", 0);
  snprintf(want, sizeof want, COMPILE_PREFIX "Hash mismatch, found %s but expected %064d", hex, 0);
  expect_error(manifest2("tiny", extra, ""), want);
}

/* sanity of the test's own SHA-256 */
TEST(manifest_sha256_helper) {
  char hex[65];
  sha256_hex((const uint8_t *)"abc", 3, hex);
  CHECK_STR(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  sha256_hex((const uint8_t *)"", 0, hex);
  CHECK_STR(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

/* 19 */
TEST(manifest_data_ptr_len) {
  size_t len = 0;
  uint8_t *b = plugin_bytes("c1", &len);
  char m[256];
  ExtismPlugin *p;
  snprintf(m, sizeof m, "{\"wasm\":[{\"data\":{\"ptr\":%llu,\"len\":%llu}}]}",
           (unsigned long long)(uintptr_t)b, (unsigned long long)len);
  p = plugin_from_text(m, false);
  free(b);
  CHECK_EQ_INT(call_str(p, "count_vowels", "abc123"), 0);
  CHECK_OUTPUT(p, "{\"count\":1,\"total\":1,\"vowels\":\"aeiouAEIOU\"}");
  extism_plugin_free(p);
}

/* 20 */
TEST(manifest_toml) {
  size_t len = 0;
  uint8_t *b = plugin_bytes("tiny", &len);
  char *b64 = base64_encode(b, len), *m = malloc(strlen(b64) + 200);
  ExtismPlugin *p;
  sprintf(m, "timeout_ms = 5000\n\n[[wasm]]\ndata = \"%s\"\n\n[config]\nk = \"v\"\n", b64);
  p = plugin_from_text(m, false);
  CHECK_EQ_INT(call_str(p, "five", NULL), 5);
  extism_plugin_free(p);
  free(m);
  free(b64);
  free(b);
}

static char *two_sources(const char *a, const char *a_extra, const char *b, const char *b_extra,
                         const char *c, const char *c_extra) {
  const char *names[3];
  const char *extras[3];
  char *parts[3] = {NULL, NULL, NULL}, *m;
  size_t total = 64, i, n = c ? 3 : 2;
  names[0] = a, names[1] = b, names[2] = c;
  extras[0] = a_extra, extras[1] = b_extra, extras[2] = c_extra;
  for (i = 0; i < n; i++) {
    size_t len = 0;
    uint8_t *w = plugin_bytes(names[i], &len);
    char *b64 = base64_encode(w, len);
    parts[i] = malloc(strlen(b64) + strlen(extras[i]) + 32);
    sprintf(parts[i], "{\"data\":\"%s\"%s}", b64, extras[i]);
    total += strlen(parts[i]) + 1;
    free(b64);
    free(w);
  }
  m = malloc(total);
  strcpy(m, "{\"wasm\":[");
  for (i = 0; i < n; i++) {
    if (i)
      strcat(m, ",");
    strcat(m, parts[i]);
    free(parts[i]);
  }
  strcat(m, "]}");
  return m;
}

/* 21, 22 */
TEST(manifest_duplicate_module_names) {
  expect_error(two_sources("tiny", "", "tiny", "", NULL, NULL),
               COMPILE_PREFIX "Duplicate module name found in Extism manifest: main");
  expect_error(two_sources("tiny", ",\"name\":\"a\"", "tiny", ",\"name\":\"a\"", "tiny", ""),
               COMPILE_PREFIX "Duplicate module name found in Extism manifest: a");
}

/* 6.3: the last source becomes main when no earlier one is named main */
TEST(manifest_last_source_is_main) {
  char *m = two_sources("calls", ",\"name\":\"x\"", "tiny", ",\"name\":\"y\"", NULL, NULL);
  ExtismPlugin *p = plugin_from_text(m, false);
  CHECK_EQ_INT(call_str(p, "five", NULL), 5);
  CHECK(!extism_plugin_function_exists(p, "nothing"));
  extism_plugin_free(p);
  free(m);
  m = two_sources("calls", ",\"name\":\"main\"", "tiny", ",\"name\":\"y\"", NULL, NULL);
  p = plugin_from_text(m, false);
  CHECK(extism_plugin_function_exists(p, "nothing"));
  CHECK_EQ_INT(call_str(p, "five", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "Function not found: five");
  extism_plugin_free(p);
  free(m);
}

static char *create_plugin_error(const char *name, bool wasi) {
  size_t len = 0;
  uint8_t *w = plugin_bytes(name, &len);
  char *e = create_error(w, len, wasi);
  free(w);
  return e;
}

/* 23 */
TEST(manifest_env_unknown_import) {
  char *e = create_plugin_error("env_nope", false);
  CHECK_PREFIX(e, COMPILE_PREFIX "Invalid function import from extism:host/env: nope ");
  free(e);
}

/* 24 */
TEST(manifest_env_memory_import) {
  char *e = create_plugin_error("env_memory", false);
  CHECK_STR(e, COMPILE_PREFIX "linked modules cannot access non-function exports of extism kernel");
  free(e);
}

TEST(manifest_env_wrong_type) {
  char *e = create_plugin_error("env_wrong_type", false);
  CHECK_STR(e, COMPILE_PREFIX "types incompatible: expected type `(func (param i32) (result i32))`, "
               "found type `(func (param i64) (result i64))`");
  free(e);
}

/* 29 */
TEST(manifest_wasi_import_without_wasi) {
  char *e = create_plugin_error("wasi_basic", false);
  CHECK_PREFIX(e, COMPILE_PREFIX "unknown import: `wasi_snapshot_preview1::");
  free(e);
}

/* 31, 32 */
TEST(manifest_allowed_paths_missing_dir) {
  char *m = manifest2("tiny", "", ",\"allowed_paths\":{\"/nonexistent/dir/x\":\"/data\"}");
  char *e = create_error(m, strlen(m), true);
  CHECK_PREFIX(e, COMPILE_PREFIX);
  CHECK_CONTAINS(e, "No such file or directory (os error 2)");
  free(e);
  expect_ok(m, false);
}

/* spec 5: any other kind imported from extism:host/env */
TEST(manifest_env_global_import) {
  char *e = create_plugin_error("env_global", false);
  CHECK_PREFIX(e, COMPILE_PREFIX "Invalid global import from extism:host/env: nope ");
  free(e);
}
