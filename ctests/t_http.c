/* Checklist "HTTP" (items 142-159), against the tests' small HTTP/1.1 server (testhttp.c) on
 * 127.0.0.1 (an ephemeral port). Plugins: plugins/runtime.c (`http*` exports hand the input JSON to
 * http_request directly) and pdk/ph (the official PDK's http::request). Also: redirects, status and
 * headers across calls, cancel during a request, manifest `url` sources. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "testhttp.h"

/* ---- the server: testhttp.c ---- */

static int server_port;

/* Starts the server (once per test process). */
static void start_server(void) { server_port = testhttp_start(); }

static int closed_port(void) { return testhttp_closed_port(); }

/* What the last request carried: seen() copies it in. */
static char seen_method[16], seen_x_test[128], seen_body[256];
static void seen(void) { testhttp_last(seen_method, seen_x_test, seen_body); }

/* ---- helpers ---- */

static ExtismPlugin *http_plugin(const char *extra) {
  char *m = manifest_for("runtime", extra);
  ExtismPlugin *p = plugin_from_text(m, false);
  free(m);
  return p;
}

static char req_buf[1024];
/* {"url":"http://<host>:<port><path>"<rest>} */
static const char *req(const char *host, const char *path, const char *rest) {
  snprintf(req_buf, sizeof req_buf, "{\"url\":\"http://%s:%d%s\"%s}", host, server_port, path,
           rest);
  return req_buf;
}

#define ALLOW_LOCAL ",\"allowed_hosts\":[\"127.0.0.1\"]"

/* 142, 143 */
TEST(http_no_allowed_hosts) {
  ExtismPlugin *p;
  start_server();
  p = http_plugin("");
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
  p = http_plugin(",\"allowed_hosts\":[]");
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
  CHECK_EQ_INT(testhttp_requests(), 0);
}

/* 144-146, 158 */
TEST(http_get) {
  ExtismPlugin *p;
  start_server();
  p = http_plugin(ALLOW_LOCAL);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_OUTPUT(p, "ok body");
  seen();
  CHECK_STR(seen_method, "GET");
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/404", "")), 0);
  CHECK_OUTPUT(p, "not found body");
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/500", "")), 0);
  CHECK_OUTPUT(p, "server error body");
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/empty", "")), 0);
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  /* 158 */
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/404", "")), 404);
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/headers", "")), 201);
  CHECK_OUTPUT(p, "hi");
  extism_plugin_free(p);
}

/* 147, 148 */
TEST(http_post_and_headers) {
  ExtismPlugin *p;
  start_server();
  p = http_plugin(ALLOW_LOCAL);
  CHECK_EQ_INT(call_str(p, "http_post", req("127.0.0.1", "/ok", ",\"method\":\"post\"")), 0);
  CHECK_OUTPUT(p, "ok body");
  seen();
  CHECK_STR(seen_method, "POST");
  CHECK_STR(seen_body, "posted body");
  CHECK_EQ_INT(
      call_str(p, "http", req("127.0.0.1", "/ok", ",\"headers\":{\"X-Test\":\"forwarded\"}")), 0);
  seen();
  CHECK_STR(seen_method, "GET");
  CHECK_STR(seen_x_test, "forwarded");
  extism_plugin_free(p);
}

/* 149-152: host patterns */
TEST(http_host_patterns) {
  ExtismPlugin *p;
  start_server();
  p = http_plugin(ALLOW_LOCAL);
  CHECK_EQ_INT(call_str(p, "http", req("localhost", "/ok", "")), -1); /* 149 */
  extism_plugin_free(p);
  p = http_plugin(",\"allowed_hosts\":[\"*.127.0.0.1\"]"); /* 150: "*." needs a dot */
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), -1);
  extism_plugin_free(p);
  CHECK_EQ_INT(testhttp_requests(), 0);
  p = http_plugin(",\"allowed_hosts\":[\"127.0.0.*\"]"); /* 151 */
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_OUTPUT(p, "ok body");
  extism_plugin_free(p);
  p = http_plugin(",\"allowed_hosts\":[\"[invalid\",\"127.0.0.1\"]"); /* 152 */
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_OUTPUT(p, "ok body");
  extism_plugin_free(p);
  p = http_plugin(",\"allowed_hosts\":[\"*\"]");
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_OUTPUT(p, "ok body");
  extism_plugin_free(p);
}

/* 153, 154 */
TEST(http_response_size_cap) {
  ExtismPlugin *p;
  start_server();
  p = http_plugin(ALLOW_LOCAL ",\"memory\":{\"max_http_response_bytes\":999}");
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/1000", "")), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
  p = http_plugin(ALLOW_LOCAL ",\"memory\":{\"max_http_response_bytes\":1000}");
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/1000", "")), 0);
  CHECK_EQ_INT(extism_plugin_output_length(p), 1000);
  extism_plugin_free(p);
}

/* 155, 156 */
TEST(http_bad_requests) {
  ExtismPlugin *p;
  char url[128];
  start_server();
  p = http_plugin(ALLOW_LOCAL);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", ",\"extra\":1")), -1);
  CHECK_EQ_INT(call_str(p, "http", "{\"method\":\"GET\"}"), -1); /* no url */
  CHECK_EQ_INT(call_str(p, "http", "not json"), -1);
  CHECK_EQ_INT(testhttp_requests(), 0);
  snprintf(url, sizeof url, "{\"url\":\"http://127.0.0.1:%d/ok\"}", closed_port());
  CHECK_EQ_INT(call_str(p, "http_status", url), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  /* still usable */
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_OUTPUT(p, "ok body");
  extism_plugin_free(p);
}

/* 157 */
TEST(http_response_headers) {
  ExtismPlugin *p;
  start_server();
  p = http_plugin(ALLOW_LOCAL);
  CHECK_EQ_INT(call_str(p, "http_then_headers", req("127.0.0.1", "/headers", "")), 1);
  extism_plugin_allow_http_response_headers(p);
  CHECK_EQ_INT(call_str(p, "http_then_headers", req("127.0.0.1", "/headers", "")), 0);
  CHECK_OUTPUT(p, "{\"connection\":\"close\",\"content-length\":\"2\",\"x-a\":\"second\",\"x-b\":\"1\"}");
  extism_plugin_free(p);
}

/* 159 */
TEST(http_timeout) {
  ExtismPlugin *p;
  struct timespec t0, t1;
  double ms;
  start_server();
  p = http_plugin(ALLOW_LOCAL ",\"timeout_ms\":500");
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/slow", "")), 134);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  ms = (t1.tv_sec - t0.tv_sec) * 1000.0 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
  CHECK_STR(extism_plugin_error(p), "timeout");
  CHECK(ms >= 400 && ms < 1800);
  extism_plugin_free(p);
}

/* ---- beyond the checklist ---- */

/* A redirect to an allowed host is followed (as upstream's client does); a redirect loop fails. */
TEST(http_redirect_followed) {
  ExtismPlugin *p;
  start_server();
  p = http_plugin(ALLOW_LOCAL);
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/redir-ok", "")), 200);
  CHECK_OUTPUT(p, "ok body");
  CHECK_EQ_INT(testhttp_requests(), 2);
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/redir-loop", "")), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "status", NULL), 0);
  extism_plugin_free(p);
}

/* Issue 6: a redirect must not take a plugin to a host that `allowed_hosts` refuses. */
TEST_NOT_UPSTREAM(http_redirect_to_host_not_allowed,
                  "upstream's client follows redirects to any host") {
  ExtismPlugin *p;
  char want[160];
  start_server();
  p = http_plugin(ALLOW_LOCAL);
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/redir-localhost", "")), -1);
  snprintf(want, sizeof want, "HTTP request to http://localhost:%d/ok is not allowed", server_port);
  CHECK_STR(extism_plugin_error(p), want);
  CHECK_EQ_INT(testhttp_requests(), 1); /* the redirect only */
  CHECK_EQ_INT(call_str(p, "status", NULL), 0);
  extism_plugin_free(p);
  /* followed when localhost is allowed too */
  p = http_plugin(",\"allowed_hosts\":[\"127.0.0.1\",\"localhost\"]");
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/redir-localhost", "")), 200);
  CHECK_OUTPUT(p, "ok body");
  extism_plugin_free(p);
}

/* The status stays readable in later calls and goes back to 0 after a failed request; headers are
 * kept only for requests made while capture is on. */
TEST(http_status_and_headers_across_calls) {
  ExtismPlugin *p;
  char url[128];
  start_server();
  p = http_plugin(ALLOW_LOCAL);
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/404", "")), 404);
  CHECK_EQ_INT(call_str(p, "status", NULL), 404);
  extism_plugin_allow_http_response_headers(p);
  CHECK_EQ_INT(call_str(p, "headers", NULL), 0);
  CHECK_OUTPUT(p, "{}");
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/headers", "")), 0);
  CHECK_EQ_INT(call_str(p, "status", NULL), 201);
  CHECK_EQ_INT(call_str(p, "headers", NULL), 0);
  CHECK_OUTPUT(p, "{\"connection\":\"close\",\"content-length\":\"2\",\"x-a\":\"second\",\"x-b\":\"1\"}");
  snprintf(url, sizeof url, "{\"url\":\"http://127.0.0.1:%d/ok\"}", closed_port());
  CHECK_EQ_INT(call_str(p, "http", url), -1);
  CHECK_EQ_INT(call_str(p, "status", NULL), 0);
  CHECK_EQ_INT(call_str(p, "headers", NULL), 0);
  CHECK_OUTPUT(p, "{}");
  extism_plugin_free(p);
}

/* The deadline also covers a body that is slow to arrive; running out of time there is an ordinary
 * failure (rc -1), not a timeout (see REFERENCE-NOTES.md). */
TEST(http_timeout_during_body) {
  ExtismPlugin *p;
  struct timespec t0, t1;
  double ms;
  start_server();
  p = http_plugin(ALLOW_LOCAL ",\"timeout_ms\":500");
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/slowbody", "")), -1);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  ms = (t1.tv_sec - t0.tv_sec) * 1000.0 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK(ms >= 400 && ms < 1800);
  /* still usable */
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_OUTPUT(p, "ok body");
  extism_plugin_free(p);
}

static void *cancel_after_300ms(void *v) {
  usleep(300 * 1000);
  extism_plugin_cancel((const ExtismCancelHandle *)v);
  return NULL;
}

/* A cancel stops a call that waits for an HTTP response at once. */
TEST_NOT_UPSTREAM(http_cancel_during_request,
                  "a cancel takes effect only once the server has answered") {
  ExtismPlugin *p;
  pthread_t th;
  struct timespec t0, t1;
  double ms;
  start_server();
  p = http_plugin(ALLOW_LOCAL);
  REQUIRE(pthread_create(&th, NULL, cancel_after_300ms, (void *)extism_plugin_cancel_handle(p)) == 0);
  clock_gettime(CLOCK_MONOTONIC, &t0);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/slow", "")), 134);
  clock_gettime(CLOCK_MONOTONIC, &t1);
  pthread_join(th, NULL);
  ms = (t1.tv_sec - t0.tv_sec) * 1000.0 + (t1.tv_nsec - t0.tv_nsec) / 1e6;
  CHECK_STR(extism_plugin_error(p), "timeout");
  CHECK(ms >= 250 && ms < 1000);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_OUTPUT(p, "ok body");
  extism_plugin_free(p);
}

/* Our error texts name the cause (upstream's is a wasm backtrace, see REFERENCE-NOTES.md). */
TEST_NOT_UPSTREAM(http_error_texts, "a runtime-import failure reads as a wasm backtrace") {
  ExtismPlugin *p;
  char want[160], url[128];
  start_server();
  p = http_plugin("");
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), -1);
  snprintf(want, sizeof want, "HTTP request to http://127.0.0.1:%d/ok is not allowed", server_port);
  CHECK_STR(extism_plugin_error(p), want);
  extism_plugin_free(p);
  p = http_plugin(ALLOW_LOCAL ",\"memory\":{\"max_http_response_bytes\":999}");
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/1000", "")), -1);
  CHECK_STR(extism_plugin_error(p), "HTTP response exceeds the configured maximum number of bytes: 999");
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", ",\"extra\":1")), -1);
  CHECK_PREFIX(extism_plugin_error(p), "unknown field `extra`");
  snprintf(url, sizeof url, "{\"url\":\"http://127.0.0.1:%d/ok\"}", closed_port());
  CHECK_EQ_INT(call_str(p, "http", url), -1);
  CHECK_CONTAINS(extism_plugin_error(p), "Connection refused");
  extism_plugin_free(p);
}

/* Issue 6: a plugin built with the official PDK (http::request). */
TEST(http_pdk_request) {
  char *m;
  ExtismPlugin *p;
  start_server();
  m = manifest_for("ph", ALLOW_LOCAL);
  p = plugin_from_text(m, false);
  free(m);
  CHECK_EQ_INT(call_str(p, "fetch", req("127.0.0.1", "/headers", "")), 0);
  CHECK_OUTPUT(p, "201|-|hi");
  extism_plugin_allow_http_response_headers(p);
  CHECK_EQ_INT(call_str(p, "fetch", req("127.0.0.1", "/headers", "")), 0);
  CHECK_OUTPUT(p, "201|second|hi");
  CHECK_EQ_INT(call_str(p, "fetch",
                        req("127.0.0.1", "/ok", ",\"method\":\"POST\",\"headers\":{\"X-Test\":\"pdk\"}")),
               0);
  CHECK_OUTPUT(p, "200|-|ok body");
  seen();
  CHECK_STR(seen_method, "POST");
  CHECK_STR(seen_body, "pdk body");
  CHECK_STR(seen_x_test, "pdk");
  CHECK_EQ_INT(call_str(p, "fetch", req("127.0.0.1", "/404", "")), 0);
  CHECK_OUTPUT(p, "404|-|not found body");
  CHECK_EQ_INT(call_str(p, "fetch", req("localhost", "/ok", "")), -1);
  extism_plugin_free(p);
}

/* Spec 6.2: a manifest `url` source fetched from the local server, with its hash. */
TEST(http_url_source) {
  char manifest[512], want[512], hash[65], *e;
  ExtismPlugin *p;
  size_t wasm_len = 0;
  uint8_t *wasm_bytes = plugin_bytes("runtime", &wasm_len);
  start_server();
  testhttp_serve_wasm(wasm_bytes, wasm_len);
  sha256_hex(wasm_bytes, wasm_len, hash);
  snprintf(manifest, sizeof manifest, "{\"wasm\":[{\"url\":\"http://127.0.0.1:%d/wasm\",\"hash\":\"%s\"}]}",
           server_port, hash);
  p = plugin_from_text(manifest, false);
  CHECK_EQ_INT(call_str(p, "status", NULL), 0);
  extism_plugin_free(p);
  seen();
  CHECK_STR(seen_method, "GET");
  /* the method (upper-cased) and the headers are sent */
  snprintf(manifest, sizeof manifest,
           "{\"wasm\":[{\"url\":\"http://127.0.0.1:%d/wasm-post\",\"method\":\"post\","
           "\"headers\":{\"X-Test\":\"wasm\"}}]}",
           server_port);
  p = plugin_from_text(manifest, false);
  CHECK_EQ_INT(call_str(p, "status", NULL), 0);
  extism_plugin_free(p);
  seen();
  CHECK_STR(seen_method, "POST");
  /* a wrong hash */
  snprintf(manifest, sizeof manifest, "{\"wasm\":[{\"url\":\"http://127.0.0.1:%d/wasm\",\"hash\":\"%064d\"}]}",
           server_port, 0);
  e = create_error_text(manifest);
  snprintf(want, sizeof want, "Unable to compile Extism plugin: Hash mismatch, found %s but expected %064d",
           hash, 0);
  CHECK_STR(e, want);
  free(e);
  /* an error status, then nothing listening */
  snprintf(manifest, sizeof manifest, "{\"wasm\":[{\"url\":\"http://127.0.0.1:%d/wasm-post\"}]}",
           server_port);
  e = create_error_text(manifest);
  CHECK_STR(e, "Unable to compile Extism plugin: http status: 403");
  free(e);
  snprintf(manifest, sizeof manifest, "{\"wasm\":[{\"url\":\"http://127.0.0.1:%d/x.wasm\"}]}", closed_port());
  e = create_error_text(manifest);
  CHECK_PREFIX(e, "Unable to compile Extism plugin: ");
  CHECK_CONTAINS(e, "Connection refused");
  free(e);
  testhttp_serve_wasm(NULL, 0);
  free(wasm_bytes);
}
