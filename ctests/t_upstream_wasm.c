/* The checklist items that name upstream's own fixtures (spec section 11: code.wasm = C1,
 * code-functions.wasm = CF, http.wasm), run against upstream's real prebuilt plugins: those that
 * the official `extism-pdk` crate ships (count_vowels.wasm, test/code.wasm, test/host_function.wasm,
 * test/http.wasm, test/http_headers.wasm; sources in the crate's examples/). The Makefile has cargo
 * download the crate (upstream-wasm/Cargo.toml) and copies them to build/plugins/up_*.wasm.
 *
 * They differ from the wasm/ fixtures of upstream's runtime repository (which no crate ships):
 * code.wasm here counts vowels without config or vars and outputs compact JSON `{"count":N}`;
 * host_function.wasm passes `{"count":N}` through `extism:host/user` `hello_world` as JSON and
 * outputs what it decodes from the reply; http.wasm's `http_get` takes a request JSON and outputs
 * the response body; http_headers.wasm outputs the response headers as a JSON object. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "testhttp.h"

static ExtismPlugin *up_plugin(const char *name, const char *extra, const ExtismFunction **fns,
                               size_t n) {
  char *m = manifest_for(name, extra), *err = NULL;
  ExtismPlugin *p = extism_plugin_new((const uint8_t *)m, strlen(m), fns, n, false, &err);
  if (!p) {
    harness_note("%s: %s", name, err ? err : "(no error)");
    extism_plugin_free(p);
    extism_plugin_new_error_free(err);
  }
  free(m);
  REQUIRE_NOT_NULL(p);
  return p;
}

/* host_function.wasm with an identity hello_world (CF in the checklist). */
static ExtismPlugin *up_cf(void) {
  const ExtismFunction *fns[1];
  ExtismFunction *f = identity_function("hello_world");
  ExtismPlugin *p;
  fns[0] = f;
  p = up_plugin("up_host_function", "", fns, 1);
  extism_function_free(f);
  return p;
}

TEST(upstream_code_count_vowels) {
  static const char *names[2] = {"up_code", "up_count_vowels"};
  int i;
  for (i = 0; i < 2; i++) {
    ExtismPlugin *p = up_plugin(names[i], "", NULL, 0);
    CHECK_EQ_INT(call_str(p, "count_vowels", "Hello, World!"), 0);
    CHECK_OUTPUT(p, "{\"count\":3}");
    CHECK_NULL(extism_plugin_error(p));
    CHECK_EQ_INT(call_str(p, "count_vowels", NULL), 0);
    CHECK_OUTPUT(p, "{\"count\":0}");
    CHECK(extism_plugin_function_exists(p, "count_vowels"));
    extism_plugin_free(p);
  }
}

/* 19 */
TEST(upstream_code_data_ptr_len) {
  size_t len = 0;
  uint8_t *b = plugin_bytes("up_code", &len);
  char m[256];
  ExtismPlugin *p;
  snprintf(m, sizeof m, "{\"wasm\":[{\"data\":{\"ptr\":%llu,\"len\":%llu}}]}",
           (unsigned long long)(uintptr_t)b, (unsigned long long)len);
  p = plugin_from_text(m, false);
  CHECK_EQ_INT(call_str(p, "count_vowels", "abc123"), 0);
  CHECK_OUTPUT(p, "{\"count\":1}");
  extism_plugin_free(p);
  free(b);
}

/* 186-188: code.wasm declares 17 pages */
TEST(upstream_code_max_pages) {
  static const char *extras[2] = {",\"memory\":{\"max_pages\":17}", ""};
  ExtismPlugin *p = up_plugin("up_code", ",\"memory\":{\"max_pages\":16}", NULL, 0);
  size_t n = 131072;
  char *in = malloc(n), want[64];
  int i;
  for (i = 0; i < 2; i++) {
    CHECK_EQ_INT(call_str(p, "count_vowels", "abc"), -1);
    CHECK_STR(extism_plugin_error(p), "oom");
  }
  extism_plugin_free(p);
  memset(in, 'a', n);
  snprintf(want, sizeof want, "{\"count\":%lu}", (unsigned long)n);
  for (i = 0; i < 2; i++) {
    p = up_plugin("up_code", extras[i], NULL, 0);
    CHECK_EQ_INT(extism_plugin_call(p, "count_vowels", (const uint8_t *)in, n), 0);
    CHECK_OUTPUT(p, want);
    extism_plugin_free(p);
  }
  free(in);
}

/* The host answers with its own JSON; the plugin decodes it with the PDK's types. */
static void answer_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                      ExtismSize n_out, void *data) {
  const char *reply = data;
  size_t len = strlen(reply);
  ExtismMemoryHandle h = extism_current_plugin_memory_alloc(cp, len);
  (void)in, (void)n_in, (void)n_out;
  memcpy(extism_current_plugin_memory(cp) + h, reply, len);
  out[0].v.i64 = (int64_t)h;
}

/* 26-28 */
TEST(upstream_cf_import_errors) {
  char *m = manifest_for("up_host_function", ""), *err = NULL;
  ExtismValType i32 = ExtismValType_I32, ptr = EXTISM_PTR;
  const ExtismFunction *fns[1];
  ExtismFunction *f;
  ExtismPlugin *p;
  err = create_error(m, strlen(m), false);
  CHECK_STR(err, "Unable to compile Extism plugin: unknown import: "
                 "`extism:host/user::hello_world` has not been defined");
  free(err);
  err = NULL;
  f = extism_function_new("hello_world", &i32, 1, &ptr, 1, answer_cb, NULL, NULL);
  fns[0] = f;
  p = extism_plugin_new((const uint8_t *)m, strlen(m), fns, 1, false, &err);
  CHECK_NULL(p);
  CHECK_CONTAINS(err, "types incompatible");
  extism_plugin_new_error_free(err);
  extism_function_free(f);
  err = NULL;
  f = identity_function("hello_world");
  extism_function_set_namespace(f, "other");
  fns[0] = f;
  p = extism_plugin_new((const uint8_t *)m, strlen(m), fns, 1, false, &err);
  CHECK_NULL(p);
  CHECK_CONTAINS(err, "unknown import: `extism:host/user::hello_world` has not been defined");
  extism_plugin_new_error_free(err);
  extism_function_free(f);
  free(m);
}

/* 78-80, with upstream's it_works input for 79 */
TEST(upstream_cf_identity) {
  ExtismPlugin *p = up_cf();
  const char *unit = "aeiouAEIOU____________________________________&smtms_y?";
  size_t unit_len = strlen(unit), n = unit_len * 1182, i;
  char *in = malloc(n + 1);
  for (i = 0; i < 1182; i++)
    memcpy(in + i * unit_len, unit, unit_len);
  in[n] = 0;
  CHECK_EQ_U64(n, 65010);
  CHECK_EQ_INT(call_str(p, "count_vowels", "aeiou xyz"), 0);
  CHECK_OUTPUT(p, "{\"count\":5}");
  CHECK_EQ_INT(call_str(p, "count_vowels", in), 0);
  CHECK_OUTPUT(p, "{\"count\":11820}");
  CHECK_EQ_INT(call_str(p, "count_vowels", "this is a test aaa"), 0);
  CHECK_OUTPUT(p, "{\"count\":7}");
  free(in);
  extism_plugin_free(p);
}

/* 77 */
TEST(upstream_cf_10001_calls) {
  ExtismPlugin *p = up_cf();
  int i, bad = 0;
  for (i = 0; i < 10001; i++)
    if (call_str(p, "count_vowels", "this is a test") != 0)
      bad++;
  CHECK_EQ_INT(bad, 0);
  CHECK_OUTPUT(p, "{\"count\":4}");
  extism_plugin_free(p);
}

TEST(upstream_cf_host_reply_decoded) {
  ExtismValType t = EXTISM_PTR;
  const ExtismFunction *fns[1];
  ExtismFunction *f = extism_function_new("hello_world", &t, 1, &t, 1, answer_cb,
                                          (void *)"{\"count\": 99, \"extra\": true}", NULL);
  ExtismPlugin *p;
  fns[0] = f;
  p = up_plugin("up_host_function", "", fns, 1);
  CHECK_EQ_INT(call_str(p, "count_vowels", "aaa"), 0);
  CHECK_OUTPUT(p, "{\"count\":99}");
  extism_plugin_free(p);
  extism_function_free(f);
  f = extism_function_new("hello_world", &t, 1, &t, 1, answer_cb, (void *)"not json", NULL);
  fns[0] = f;
  p = up_plugin("up_host_function", "", fns, 1);
  CHECK_EQ_INT(call_str(p, "count_vowels", "aaa"), -1);
  CHECK_CONTAINS(extism_plugin_error(p), "expected");
  extism_plugin_free(p);
  extism_function_free(f);
}

static char req_buf[512];
static const char *req(const char *host, int port, const char *path, const char *rest) {
  snprintf(req_buf, sizeof req_buf, "{\"url\":\"http://%s:%d%s\"%s}", host, port, path, rest);
  return req_buf;
}
#define ALLOW_LOCAL ",\"allowed_hosts\":[\"127.0.0.1\"]"

/* 142-146, 149, 156 */
TEST(upstream_http_get) {
  int port = testhttp_start();
  ExtismPlugin *p = up_plugin("up_http", "", NULL, 0);
  CHECK_EQ_INT(call_str(p, "http_get", req("127.0.0.1", port, "/ok", "")), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
  p = up_plugin("up_http", ",\"allowed_hosts\":[]", NULL, 0);
  CHECK_EQ_INT(call_str(p, "http_get", req("127.0.0.1", port, "/ok", "")), -1);
  extism_plugin_free(p);
  p = up_plugin("up_http", ALLOW_LOCAL, NULL, 0);
  CHECK_EQ_INT(call_str(p, "http_get", req("127.0.0.1", port, "/ok", "")), 0);
  CHECK_OUTPUT(p, "ok body");
  CHECK_EQ_INT(call_str(p, "http_get", req("127.0.0.1", port, "/404", "")), 0);
  CHECK_OUTPUT(p, "not found body");
  CHECK_EQ_INT(call_str(p, "http_get", req("127.0.0.1", port, "/500", "")), 0);
  CHECK_OUTPUT(p, "server error body");
  CHECK_EQ_INT(call_str(p, "http_get", req("127.0.0.1", port, "/empty", "")), 0);
  CHECK_EQ_U64(extism_plugin_output_length(p), 0);
  CHECK_EQ_INT(call_str(p, "http_get", req("localhost", port, "/ok", "")), -1);
  CHECK_EQ_INT(call_str(p, "http_get", req("127.0.0.1", testhttp_closed_port(), "/ok", "")), -1);
  CHECK_EQ_INT(call_str(p, "http_get", req("127.0.0.1", port, "/ok", "")), 0);
  CHECK_OUTPUT(p, "ok body");
  extism_plugin_free(p);
}

/* 147 (method; this http.wasm sends no body), 148 */
TEST(upstream_http_method_and_headers) {
  int port = testhttp_start();
  ExtismPlugin *p = up_plugin("up_http", ALLOW_LOCAL, NULL, 0);
  char method[16], x_test[128], body[256];
  CHECK_EQ_INT(call_str(p, "http_get",
                        req("127.0.0.1", port, "/echo",
                            ",\"method\":\"post\",\"headers\":{\"X-Test\":\"from wasm\"}")),
               0);
  CHECK_OUTPUT(p, "POST from wasm ");
  testhttp_last(method, x_test, body);
  CHECK_STR(method, "POST");
  CHECK_STR(x_test, "from wasm");
  CHECK_STR(body, "");
  extism_plugin_free(p);
}

/* 153, 154 */
TEST(upstream_http_response_limit) {
  int port = testhttp_start();
  ExtismPlugin *p = up_plugin(
      "up_http", ALLOW_LOCAL ",\"memory\":{\"max_http_response_bytes\":999}", NULL, 0);
  CHECK_EQ_INT(call_str(p, "http_get", req("127.0.0.1", port, "/1000", "")), -1);
  extism_plugin_free(p);
  p = up_plugin("up_http", ALLOW_LOCAL ",\"memory\":{\"max_http_response_bytes\":1000}", NULL, 0);
  CHECK_EQ_INT(call_str(p, "http_get", req("127.0.0.1", port, "/1000", "")), 0);
  CHECK_EQ_U64(extism_plugin_output_length(p), 1000);
  extism_plugin_free(p);
}

/* 157 through the PDK's HttpResponse::headers (a HashMap, so the order is the plugin's) */
TEST(upstream_http_headers) {
  int port = testhttp_start();
  ExtismPlugin *p = up_plugin("up_http_headers", ALLOW_LOCAL, NULL, 0);
  char *out;
  CHECK_EQ_INT(call_str(p, "http_get", req("127.0.0.1", port, "/headers", "")), 0);
  CHECK_OUTPUT(p, "{}"); /* capture is off */
  extism_plugin_allow_http_response_headers(p);
  CHECK_EQ_INT(call_str(p, "http_get", req("127.0.0.1", port, "/headers", "")), 0);
  out = output_str(p);
  CHECK_CONTAINS(out, "\"x-a\":\"second\"");
  CHECK_CONTAINS(out, "\"x-b\":\"1\"");
  CHECK_CONTAINS(out, "\"content-length\":\"2\"");
  CHECK_CONTAINS(out, "\"connection\":\"close\"");
  free(out);
  extism_plugin_free(p);
}
