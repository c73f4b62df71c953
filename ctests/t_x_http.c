/* Extension (issue 27): plugins' HTTP served by a host handler (extism_x_set_http_handler,
 * extism_x_plugin_set_http_handler, extism_x_http_respond, extism_x_http_fail,
 * extism_x_call_resume_http). Every rule the runtime keeps whoever serves the request (allowed_hosts
 * before the handler, redirects re-checked at each hop, the size cap, the memory budget, timeout_ms
 * and cancel, response headers only when enabled), plain and stepped calls, a failing handler, one
 * that never answers; and the same plugin calls through the built-in client against the local test
 * server (testhttp.c) and through a handler that forwards them to it with its own sockets give the
 * same results. Plugins: plugins/runtime.c (`http*` exports) and pdk/ph (the official PDK). */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"
#include "testhttp.h"

#define ALLOW_LOCAL ",\"allowed_hosts\":[\"127.0.0.1\"]"
#define WAIT_ERROR "a host function asked to wait, which only a stepped call (extism_x_call_step) allows"

/* ---- a handler serving a table (testhttp.c's routes, without a network) ---- */

enum mode { TABLE, FAIL, FAIL_TEXT, NO_RESPONSE, BAD_STATUS, WAIT, SLOW };

struct served {
  enum mode mode;
  int calls;
  int respond_rc; /* what the last extism_x_http_respond returned */
  /* the last request */
  char method[16], url[256], x_test[128], auth[64], body[256], first_header[64];
  int had_body;
  size_t n_headers;
  uint64_t timeout_ms;
};

static int server_port; /* for /redir-localhost, as testhttp.c answers it */

static const char *path_of(const char *url) {
  const char *p = strstr(url, "://");
  p = p ? strchr(p + 3, '/') : NULL;
  return p ? p : "/";
}

static void remember(struct served *s, const ExtismXHttpRequest *r) {
  size_t i;
  s->calls++;
  snprintf(s->method, sizeof s->method, "%s", r->method);
  snprintf(s->url, sizeof s->url, "%s", r->url);
  s->x_test[0] = s->auth[0] = s->first_header[0] = 0;
  s->n_headers = r->n_headers;
  for (i = 0; i < r->n_headers; i++) {
    if (i == 0)
      snprintf(s->first_header, sizeof s->first_header, "%s", r->header_names[i]);
    if (strcasecmp(r->header_names[i], "x-test") == 0)
      snprintf(s->x_test, sizeof s->x_test, "%s", r->header_values[i]);
    if (strcasecmp(r->header_names[i], "authorization") == 0)
      snprintf(s->auth, sizeof s->auth, "%s", r->header_values[i]);
  }
  s->had_body = r->body != NULL;
  snprintf(s->body, sizeof s->body, "%.*s", (int)(r->body_len < 255 ? r->body_len : 255),
           r->body ? (const char *)r->body : "");
  s->timeout_ms = r->timeout_ms;
}

static int answer(ExtismXHttpResponse *resp, struct served *s, int status, const char *name,
                  const char *value, const char *body, size_t len) {
  const char *names[1] = {name}, *values[1] = {value};
  s->respond_rc = extism_x_http_respond(resp, status, names, values, name ? 1 : 0,
                                        (const uint8_t *)body, len);
  return EXTISM_X_HTTP_OK;
}

/* The table: the same content as testhttp.c's routes. */
static int serve_table(ExtismXHttpResponse *resp, struct served *s, const char *path) {
  static char big[1 << 20];
  char text[512];
  if (strcmp(path, "/ok") == 0)
    return answer(resp, s, 200, NULL, NULL, "ok body", 7);
  if (strcmp(path, "/404") == 0)
    return answer(resp, s, 404, NULL, NULL, "not found body", 14);
  if (strcmp(path, "/empty") == 0)
    return answer(resp, s, 200, NULL, NULL, NULL, 0);
  if (strcmp(path, "/1000") == 0 || strcmp(path, "/1m") == 0) {
    memset(big, 'x', sizeof big);
    return answer(resp, s, 200, NULL, NULL, big, path[2] == 'm' ? sizeof big : 1000);
  }
  if (strcmp(path, "/headers") == 0) {
    const char *names[3] = {"X-B", "x-a", "X-A"}, *values[3] = {"1", "first", "second"};
    s->respond_rc = extism_x_http_respond(resp, 201, names, values, 3, (const uint8_t *)"hi", 2);
    return EXTISM_X_HTTP_OK;
  }
  if (strcmp(path, "/echo") == 0) {
    int n = snprintf(text, sizeof text, "%s %s %s", s->method, s->x_test, s->body);
    return answer(resp, s, 200, NULL, NULL, text, (size_t)n);
  }
  if (strcmp(path, "/redir-ok") == 0)
    return answer(resp, s, 302, "Location", "/ok", "moved", 5);
  if (strcmp(path, "/redir-loop") == 0)
    return answer(resp, s, 302, "Location", "/redir-loop", "moved", 5);
  if (strcmp(path, "/redir-localhost") == 0) {
    snprintf(text, sizeof text, "http://localhost:%d/ok", server_port);
    return answer(resp, s, 302, "Location", text, "moved", 5);
  }
  if (strcmp(path, "/see-other") == 0)
    return answer(resp, s, 303, "location", "echo", NULL, 0); /* relative to /see-other */
  if (strcmp(path, "/temporary") == 0)
    return answer(resp, s, 307, "Location", "/echo", NULL, 0);
  return answer(resp, s, 400, NULL, NULL, "?", 1);
}

static int32_t table_handler(void *user_data, const ExtismXHttpRequest *r, ExtismXHttpResponse *resp) {
  struct served *s = user_data;
  remember(s, r);
  switch (s->mode) {
  case FAIL:
    return EXTISM_X_HTTP_ERROR;
  case FAIL_TEXT:
    extism_x_http_fail(resp, "modem down");
    return EXTISM_X_HTTP_OK;
  case NO_RESPONSE:
    return EXTISM_X_HTTP_OK;
  case BAD_STATUS:
    return answer(resp, s, 42, NULL, NULL, "x", 1);
  case WAIT:
    answer(resp, s, 200, NULL, NULL, "dropped", 7); /* a wait drops it */
    return EXTISM_X_HTTP_WAIT;
  case SLOW:
    usleep(500 * 1000);
    return serve_table(resp, s, path_of(r->url));
  case TABLE:
    break;
  }
  return serve_table(resp, s, path_of(r->url));
}

/* ---- helpers ---- */

static ExtismPlugin *served_plugin(const char *plugin, const char *extra, struct served *s) {
  char *m = manifest_for(plugin, extra);
  ExtismPlugin *p = plugin_from_text(m, false);
  free(m);
  REQUIRE(extism_x_plugin_set_http_handler(p, table_handler, s));
  return p;
}

static char req_buf[1024];
/* {"url":"http://<host>:<port><path>"<rest>} */
static const char *req(const char *host, const char *path, const char *rest) {
  snprintf(req_buf, sizeof req_buf, "{\"url\":\"http://%s:%d%s\"%s}", host, server_port, path, rest);
  return req_buf;
}

static double ms_since(const struct timespec *t0) {
  struct timespec t1;
  clock_gettime(CLOCK_MONOTONIC, &t1);
  return (t1.tv_sec - t0->tv_sec) * 1000.0 + (t1.tv_nsec - t0->tv_nsec) / 1e6;
}

static int step_to_end(ExtismPlugin *p) {
  int st;
  do
    st = extism_x_call_step(p, 100000);
  while (st == EXTISM_X_STEP_RUNNING);
  return st;
}

static int begin(ExtismPlugin *p, const char *fn, const char *input) {
  return extism_x_call_begin(p, fn, (const uint8_t *)input, strlen(input), NULL);
}

/* ---- the rules, through the handler ---- */

TEST(x_http_handler_serves_requests) {
  struct served s = {0};
  ExtismPlugin *p;
  server_port = 1; /* nothing listens: only the handler answers */
  p = served_plugin("runtime", ALLOW_LOCAL, &s);
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/ok", "")), 200);
  CHECK_OUTPUT(p, "ok body");
  CHECK_STR(s.method, "GET");
  CHECK_STR(s.url, "http://127.0.0.1:1/ok");
  CHECK_EQ_INT(s.had_body, 0);
  CHECK_EQ_U64(s.n_headers, 0);
  CHECK_EQ_U64(s.timeout_ms, UINT64_MAX); /* no timeout_ms */
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/404", "")), 404);
  CHECK_OUTPUT(p, "not found body");
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/empty", "")), 200);
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  /* method upper-cased, headers sorted by name, the body */
  CHECK_EQ_INT(call_str(p, "http_post",
                        req("127.0.0.1", "/echo", ",\"method\":\"post\",\"headers\":{\"X-Test\":\"t\",\"A\":\"1\"}")),
               0);
  CHECK_OUTPUT(p, "POST t posted body");
  CHECK_EQ_U64(s.n_headers, 2);
  CHECK_STR(s.first_header, "A");
  CHECK_EQ_INT(s.had_body, 1);
  CHECK_EQ_INT(s.calls, 4);
  CHECK_EQ_INT(call_str(p, "status", NULL), 200);
  extism_plugin_free(p);
  /* the official PDK's http::request */
  p = served_plugin("ph", ALLOW_LOCAL, &s);
  extism_plugin_allow_http_response_headers(p);
  CHECK_EQ_INT(call_str(p, "fetch", req("127.0.0.1", "/headers", "")), 0);
  CHECK_OUTPUT(p, "201|second|hi");
  extism_plugin_free(p);
}

TEST(x_http_timeout_left_is_given) {
  struct served s = {0};
  ExtismPlugin *p = served_plugin("runtime", ALLOW_LOCAL ",\"timeout_ms\":5000", &s);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK(s.timeout_ms > 0 && s.timeout_ms <= 5000);
  extism_plugin_free(p);
}

/* allowed_hosts is checked before the handler sees anything. */
TEST(x_http_allowed_hosts_before_handler) {
  struct served s = {0};
  ExtismPlugin *p;
  server_port = 1;
  p = served_plugin("runtime", "", &s);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), -1);
  CHECK_STR(extism_plugin_error(p), "HTTP request to http://127.0.0.1:1/ok is not allowed");
  extism_plugin_free(p);
  p = served_plugin("runtime", ",\"allowed_hosts\":[\"*.example.com\"]", &s);
  CHECK_EQ_INT(call_str(p, "http", "{\"url\":\"https://example.com/x\"}"), -1);
  CHECK_EQ_INT(call_str(p, "http", "{\"url\":\"https://user@EVIL.com:8/a.example.com\"}"), -1);
  CHECK_EQ_INT(call_str(p, "http", "{\"url\":\"not a url\"}"), -1);
  CHECK_STR(extism_plugin_error(p), "Invalid URL: RelativeUrlWithoutBase");
  CHECK_EQ_INT(call_str(p, "http", "{\"url\":\"http://:80/path\"}"), -1);
  CHECK_STR(extism_plugin_error(p), "Invalid URL: EmptyHost");
  CHECK_EQ_INT(call_str(p, "http", "{\"url\":\"http://127.0.0.1/ok\",\"extra\":1}"), -1);
  CHECK_PREFIX(extism_plugin_error(p), "unknown field `extra`");
  CHECK_EQ_INT(call_str(p, "http", "{\"url\":\"https://x.example.com/\",\"headers\":{\"a\":\"b\\u0000c\"}}"), -1);
  CHECK_STR(extism_plugin_error(p), "HTTP request URL, method or header contains a NUL byte");
  CHECK_EQ_INT(s.calls, 0);
  CHECK_EQ_INT(call_str(p, "http_status", "{\"url\":\"https://api.EXAMPLE.com:8443/ok?q=1\"}"), 400);
  CHECK_STR(s.url, "https://api.EXAMPLE.com:8443/ok?q=1");
  CHECK_EQ_INT(s.calls, 1);
  extism_plugin_free(p);
}

/* Redirects are followed by the runtime, each target checked against allowed_hosts. */
TEST(x_http_redirects) {
  struct served s = {0};
  ExtismPlugin *p;
  server_port = 9;
  p = served_plugin("runtime", ALLOW_LOCAL, &s);
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/redir-ok", "")), 200);
  CHECK_OUTPUT(p, "ok body");
  CHECK_EQ_INT(s.calls, 2);
  CHECK_STR(s.url, "http://127.0.0.1:9/ok");
  s.calls = 0;
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/redir-localhost", "")), -1);
  CHECK_STR(extism_plugin_error(p), "HTTP request to http://localhost:9/ok is not allowed");
  CHECK_EQ_INT(s.calls, 1);
  CHECK_EQ_INT(call_str(p, "status", NULL), 0);
  s.calls = 0;
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/redir-loop", "")), -1);
  CHECK_STR(extism_plugin_error(p), "too many redirects");
  CHECK_EQ_INT(s.calls, 11);
  /* 303 turns a POST into a GET without body (relative Location); 307 keeps both */
  CHECK_EQ_INT(call_str(p, "http_post", req("127.0.0.1", "/see-other", ",\"method\":\"POST\"")), 0);
  CHECK_OUTPUT(p, "GET  ");
  CHECK_STR(s.url, "http://127.0.0.1:9/echo");
  CHECK_EQ_INT(call_str(p, "http_post", req("127.0.0.1", "/temporary", ",\"method\":\"POST\"")), 0);
  CHECK_OUTPUT(p, "POST  posted body");
  /* credentials are not forwarded */
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/redir-ok",
                                       ",\"headers\":{\"Authorization\":\"secret\",\"X-Test\":\"kept\"}")),
               0);
  CHECK_STR(s.auth, "");
  CHECK_STR(s.x_test, "kept");
  extism_plugin_free(p);
  p = served_plugin("runtime", ",\"allowed_hosts\":[\"127.0.0.1\",\"localhost\"]", &s);
  CHECK_EQ_INT(call_str(p, "http_status", req("127.0.0.1", "/redir-localhost", "")), 200);
  CHECK_OUTPUT(p, "ok body");
  extism_plugin_free(p);
}

/* The size cap: refused before anything is copied, and extism_x_http_respond says so. */
TEST(x_http_size_cap) {
  struct served s = {0};
  ExtismPlugin *p = served_plugin("runtime", ALLOW_LOCAL ",\"memory\":{\"max_http_response_bytes\":999}", &s);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/1000", "")), -1);
  CHECK_STR(extism_plugin_error(p), "HTTP response exceeds the configured maximum number of bytes: 999");
  CHECK_EQ_INT(s.respond_rc, 0);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_EQ_INT(s.respond_rc, 1);
  extism_plugin_free(p);
  p = served_plugin("runtime", ALLOW_LOCAL ",\"memory\":{\"max_http_response_bytes\":1000}", &s);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/1000", "")), 0);
  CHECK_EQ_INT(extism_plugin_output_length(p), 1000);
  extism_plugin_free(p);
}

/* The memory budget: a body it cannot hold is refused with its message. */
TEST(x_http_memory_budget) {
  struct served s = {0};
  ExtismPlugin *p;
  char want[160];
  extism_x_set_memory_budget(256 * 1024);
  p = served_plugin("runtime", ALLOW_LOCAL, &s);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/1m", "")), -1);
  snprintf(want, sizeof want,
           "oom: the plugin's memory budget of %d bytes is spent (extism_x_set_memory_budget)", 256 * 1024);
  CHECK_STR(extism_plugin_error(p), want);
  CHECK_EQ_INT(s.respond_rc, 0);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/1000", "")), 0);
  CHECK_EQ_INT(extism_plugin_output_length(p), 1000);
  extism_plugin_free(p);
  extism_x_set_memory_budget(0);
}

/* Response headers reach the plugin only when the host enabled them. */
TEST(x_http_headers_only_when_enabled) {
  struct served s = {0};
  ExtismPlugin *p = served_plugin("runtime", ALLOW_LOCAL, &s);
  CHECK_EQ_INT(call_str(p, "http_then_headers", req("127.0.0.1", "/headers", "")), 1);
  extism_plugin_allow_http_response_headers(p);
  CHECK_EQ_INT(call_str(p, "http_then_headers", req("127.0.0.1", "/headers", "")), 0);
  CHECK_OUTPUT(p, "{\"x-a\":\"second\",\"x-b\":\"1\"}");
  CHECK_EQ_INT(call_str(p, "status", NULL), 201);
  extism_plugin_free(p);
}

/* A handler that fails, answers nothing, or answers nonsense fails the call; the plugin stays usable. */
TEST(x_http_failing_handler) {
  struct served s = {0};
  ExtismPlugin *p = served_plugin("runtime", ALLOW_LOCAL, &s);
  s.mode = FAIL;
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), -1);
  CHECK_STR(extism_plugin_error(p), "the HTTP handler failed");
  s.mode = FAIL_TEXT;
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), -1);
  CHECK_STR(extism_plugin_error(p), "modem down");
  s.mode = NO_RESPONSE;
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), -1);
  CHECK_STR(extism_plugin_error(p), "the HTTP handler answered without a response");
  s.mode = BAD_STATUS;
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), -1);
  CHECK_STR(extism_plugin_error(p), "the HTTP handler answered an invalid status: 42");
  CHECK_EQ_INT(s.respond_rc, 0);
  CHECK_EQ_INT(call_str(p, "status", NULL), 0);
  /* a wait in a plain call */
  s.mode = WAIT;
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), -1);
  CHECK_STR(extism_plugin_error(p), WAIT_ERROR);
  s.mode = TABLE;
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_OUTPUT(p, "ok body");
  /* NULL arguments */
  CHECK(!extism_x_http_respond(NULL, 200, NULL, NULL, 0, NULL, 0));
  CHECK(!extism_x_http_fail(NULL, "x"));
  CHECK(!extism_x_plugin_set_http_handler(NULL, table_handler, &s));
  CHECK(!extism_x_call_resume_http(NULL, 200, NULL, NULL, 0, NULL, 0));
  CHECK(!extism_x_call_resume_http(p, 200, NULL, NULL, 0, NULL, 0)); /* nothing waits */
  extism_plugin_free(p);
}

/* A synchronous handler that returns after the deadline ends the call as a timeout. */
TEST(x_http_slow_handler_times_out) {
  struct served s = {0};
  ExtismPlugin *p = served_plugin("runtime", ALLOW_LOCAL ",\"timeout_ms\":300", &s);
  s.mode = SLOW;
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 134);
  CHECK_STR(extism_plugin_error(p), "timeout");
  CHECK(s.timeout_ms <= 300);
  s.mode = TABLE;
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  extism_plugin_free(p);
}

/* The plugin's handler overrides the process-wide one; without either the built-in client (or, in
 * a build without it, nothing) serves. */
TEST(x_http_default_and_plugin_handler) {
  struct served d = {0}, own = {0};
  ExtismPlugin *p;
  char *m = manifest_for("runtime", ALLOW_LOCAL);
  char url[128];
  server_port = 1;
  extism_x_set_http_handler(table_handler, &d);
  p = plugin_from_text(m, false);
  free(m);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_EQ_INT(d.calls, 1);
  REQUIRE(extism_x_plugin_set_http_handler(p, table_handler, &own));
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_EQ_INT(own.calls, 1);
  CHECK_EQ_INT(d.calls, 1);
  REQUIRE(extism_x_plugin_set_http_handler(p, NULL, NULL));
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_EQ_INT(d.calls, 2);
  extism_x_set_http_handler(NULL, NULL);
  snprintf(url, sizeof url, "{\"url\":\"http://127.0.0.1:%d/ok\"}", testhttp_closed_port());
  CHECK_EQ_INT(call_str(p, "http", url), -1);
  CHECK_EQ_INT(d.calls + own.calls, 3);
  /* kept when the plugin is rebuilt (a `_start` call) is covered by set-then-call; not settable
   * during a stepped call */
  REQUIRE(extism_x_plugin_set_http_handler(p, table_handler, &own));
  REQUIRE(begin(p, "http", req("127.0.0.1", "/ok", "")));
  CHECK(!extism_x_plugin_set_http_handler(p, NULL, NULL));
  CHECK_EQ_INT(step_to_end(p), EXTISM_X_STEP_FINISHED);
  CHECK_EQ_INT(own.calls, 2);
  extism_plugin_free(p);
}

/* ---- stepped calls: a handler that answers later ---- */

TEST(x_http_stepped_wait_and_resume) {
  struct served s = {0};
  const char *names[2] = {"Content-Type", "X-A"}, *values[2] = {"text/plain", "1"};
  ExtismVal v;
  ExtismPlugin *p = served_plugin("runtime", ALLOW_LOCAL, &s);
  server_port = 1;
  extism_plugin_allow_http_response_headers(p);
  s.mode = WAIT;
  /* answered directly by the handler in a stepped call: no wait */
  REQUIRE(begin(p, "http_status", req("127.0.0.1", "/ok", "")));
  CHECK_EQ_INT(step_to_end(p), EXTISM_X_STEP_WAITING);
  CHECK_STR(extism_x_call_waiting_function(p), "extism:host/env::http_request");
  CHECK_EQ_INT(s.calls, 1);
  v.t = EXTISM_PTR;
  v.v.i64 = 1;
  CHECK(!extism_x_call_resume(p, &v, 1)); /* a host function's answer does not fit */
  CHECK(!extism_x_call_resume_http(p, 200, NULL, NULL, 1, NULL, 0));
  CHECK(extism_x_call_resume_http(p, 203, names, values, 2, (const uint8_t *)"later", 5));
  CHECK(!extism_x_call_resume_http(p, 200, NULL, NULL, 0, NULL, 0)); /* answered already */
  CHECK_EQ_INT(step_to_end(p), EXTISM_X_STEP_FAILED); /* rc 203 is not 0 */
  CHECK_EQ_INT(extism_x_call_rc(p), 203);
  CHECK_OUTPUT(p, "later");
  CHECK_EQ_INT(call_str(p, "headers", NULL), 0);
  CHECK_OUTPUT(p, "{\"content-type\":\"text/plain\",\"x-a\":\"1\"}");
  /* a redirect given to resume: the handler is asked again (and here answers at once) */
  REQUIRE(begin(p, "http", req("127.0.0.1", "/redir-ok", "")));
  CHECK_EQ_INT(step_to_end(p), EXTISM_X_STEP_WAITING);
  s.mode = TABLE;
  {
    const char *loc_n[1] = {"location"}, *loc_v[1] = {"/ok"};
    CHECK(extism_x_call_resume_http(p, 302, loc_n, loc_v, 1, NULL, 0));
  }
  CHECK_EQ_INT(step_to_end(p), EXTISM_X_STEP_FINISHED);
  CHECK_OUTPUT(p, "ok body");
  CHECK_STR(s.url, "http://127.0.0.1:1/ok");
  /* ... and may wait again, until answered */
  s.mode = WAIT;
  REQUIRE(begin(p, "http", req("127.0.0.1", "/redir-ok", "")));
  CHECK_EQ_INT(step_to_end(p), EXTISM_X_STEP_WAITING);
  {
    const char *loc_n[1] = {"Location"}, *loc_v[1] = {"http://localhost:1/ok"};
    CHECK(extism_x_call_resume_http(p, 301, loc_n, loc_v, 1, NULL, 0));
  }
  CHECK_EQ_INT(extism_x_call_step(p, 1000), EXTISM_X_STEP_IDLE); /* localhost is not allowed */
  CHECK_EQ_INT(extism_x_call_rc(p), -1);
  CHECK_STR(extism_plugin_error(p), "HTTP request to http://localhost:1/ok is not allowed");
  /* a failure answered later */
  REQUIRE(begin(p, "http", req("127.0.0.1", "/ok", "")));
  CHECK_EQ_INT(step_to_end(p), EXTISM_X_STEP_WAITING);
  CHECK(extism_x_call_resume_error(p, "link lost"));
  CHECK_EQ_INT(extism_x_call_rc(p), -1);
  CHECK_STR(extism_plugin_error(p), "link lost");
  extism_plugin_free(p);
}

/* A refused answer (over the size cap) ends the stepped call with the reason. */
TEST(x_http_stepped_refused_answer) {
  struct served s = {0};
  static uint8_t body[1000];
  ExtismPlugin *p = served_plugin("runtime", ALLOW_LOCAL ",\"memory\":{\"max_http_response_bytes\":999}", &s);
  s.mode = WAIT;
  REQUIRE(begin(p, "http", req("127.0.0.1", "/ok", "")));
  CHECK_EQ_INT(step_to_end(p), EXTISM_X_STEP_WAITING);
  CHECK(extism_x_call_resume_http(p, 200, NULL, NULL, 0, body, sizeof body));
  CHECK_EQ_INT(extism_x_call_step(p, 1000), EXTISM_X_STEP_IDLE);
  CHECK_EQ_INT(extism_x_call_rc(p), -1);
  CHECK_STR(extism_plugin_error(p), "HTTP response exceeds the configured maximum number of bytes: 999");
  s.mode = TABLE;
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  extism_plugin_free(p);
}

/* A handler that never answers: the call's timeout_ms ends it at a step. */
TEST(x_http_never_answered_timeout) {
  struct served s = {0};
  struct timespec t0;
  int st;
  ExtismPlugin *p = served_plugin("runtime", ALLOW_LOCAL ",\"timeout_ms\":200", &s);
  s.mode = WAIT;
  clock_gettime(CLOCK_MONOTONIC, &t0);
  REQUIRE(begin(p, "http", req("127.0.0.1", "/ok", "")));
  do {
    st = step_to_end(p);
    if (st == EXTISM_X_STEP_WAITING)
      usleep(10 * 1000);
  } while (st == EXTISM_X_STEP_WAITING && ms_since(&t0) < 5000);
  CHECK_EQ_INT(st, EXTISM_X_STEP_FAILED);
  CHECK(ms_since(&t0) >= 190);
  CHECK_EQ_INT(extism_x_call_rc(p), 134);
  CHECK_STR(extism_plugin_error(p), "timeout");
  CHECK(!extism_x_call_resume_http(p, 200, NULL, NULL, 0, NULL, 0));
  s.mode = TABLE;
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_OUTPUT(p, "ok body");
  extism_plugin_free(p);
}

/* ... and so does a cancel. */
TEST(x_http_never_answered_cancel) {
  struct served s = {0};
  ExtismPlugin *p = served_plugin("runtime", ALLOW_LOCAL, &s);
  s.mode = WAIT;
  REQUIRE(begin(p, "http", req("127.0.0.1", "/ok", "")));
  CHECK_EQ_INT(step_to_end(p), EXTISM_X_STEP_WAITING);
  CHECK_EQ_INT(step_to_end(p), EXTISM_X_STEP_WAITING);
  CHECK(extism_plugin_cancel(extism_plugin_cancel_handle(p)));
  CHECK_EQ_INT(extism_x_call_step(p, 1000), EXTISM_X_STEP_FAILED);
  CHECK_EQ_INT(extism_x_call_rc(p), 134);
  CHECK_STR(extism_plugin_error(p), "timeout");
  /* the next call starts afresh: a host function's wait is not taken for the old request */
  s.mode = TABLE;
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  extism_plugin_free(p);
}

/* ---- the same calls through the built-in client and through a handler ---- */

/* The proxy handler: sends the request to 127.0.0.1 (the test server) with its own socket and
 * reports the response as it came, redirects included (the runtime follows them). */
static int32_t proxy_handler(void *user_data, const ExtismXHttpRequest *r, ExtismXHttpResponse *resp) {
  const char *host = strstr(r->url, "://"), *path;
  char head[2048], *buf = NULL, *end, *line, *names[32], *values[32];
  size_t used = 0, cap = 0, n = 0, i, body_start;
  int port = 80, fd, status = 0, len;
  struct sockaddr_in a;
  ssize_t got;
  (void)user_data;
  if (!host)
    return EXTISM_X_HTTP_ERROR;
  host += 3;
  path = strchr(host, '/');
  if (strchr(host, ':') && strchr(host, ':') < (path ? path : host + strlen(host)))
    port = atoi(strchr(host, ':') + 1);
  len = snprintf(head, sizeof head, "%s %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n", r->method, path ? path : "/",
                 port);
  for (i = 0; i < r->n_headers; i++)
    len += snprintf(head + len, sizeof head - (size_t)len, "%s: %s\r\n", r->header_names[i], r->header_values[i]);
  if (r->body)
    len += snprintf(head + len, sizeof head - (size_t)len, "Content-Length: %lu\r\n", (unsigned long)r->body_len);
  len += snprintf(head + len, sizeof head - (size_t)len, "\r\n");
  fd = socket(AF_INET, SOCK_STREAM, 0);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_port = htons((uint16_t)port);
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    if (fd >= 0)
      close(fd);
    extism_x_http_fail(resp, "Connection refused");
    return EXTISM_X_HTTP_ERROR;
  }
  if (write(fd, head, (size_t)len) < 0 || (r->body_len && write(fd, r->body, r->body_len) < 0)) {
    close(fd);
    return EXTISM_X_HTTP_ERROR;
  }
  for (;;) { /* Connection: close: the response ends at EOF */
    if (cap - used < 4096) {
      char *bigger = realloc(buf, cap + 65536 + 1);
      if (!bigger)
        break;
      buf = bigger;
      cap += 65536;
    }
    if ((got = read(fd, buf + used, cap - used)) <= 0)
      break;
    used += (size_t)got;
  }
  close(fd);
  if (!buf)
    return EXTISM_X_HTTP_ERROR;
  buf[used] = 0;
  end = strstr(buf, "\r\n\r\n");
  if (!end || sscanf(buf, "HTTP/1.1 %d", &status) != 1) {
    free(buf);
    return EXTISM_X_HTTP_ERROR;
  }
  body_start = (size_t)(end - buf) + 4;
  *end = 0;
  for (line = strstr(buf, "\r\n"); line && n < 32; line = strstr(line, "\r\n")) {
    char *colon;
    *line = 0;
    line += 2;
    colon = strchr(line, ':');
    if (!colon)
      break;
    *colon = 0;
    names[n] = line;
    values[n] = colon + 1 + strspn(colon + 1, " ");
    n++;
    line = colon + 1;
  }
  extism_x_http_respond(resp, status, (const char *const *)names, (const char *const *)values, n,
                        (const uint8_t *)buf + body_start, used - body_start);
  free(buf);
  return EXTISM_X_HTTP_OK;
}

struct outcome {
  int32_t rc;
  char text[1100]; /* output, or the error */
  char headers[256];
};

/* One call and what the plugin saw: rc, output (or error), then its `headers` export's output. */
static void run_call(ExtismPlugin *p, const char *fn, const char *input, struct outcome *o) {
  char *out;
  o->rc = call_str(p, fn, input);
  if (o->rc == -1) {
    snprintf(o->text, sizeof o->text, "error: %s", extism_plugin_error(p));
  } else {
    out = output_str(p);
    snprintf(o->text, sizeof o->text, "%s", out);
    free(out);
  }
  if (call_str(p, "headers", NULL) == 0) {
    out = output_str(p);
    snprintf(o->headers, sizeof o->headers, "%s", out);
    free(out);
  } else {
    snprintf(o->headers, sizeof o->headers, "(none)");
  }
}

TEST(x_http_builtin_client_same_results) {
  static const char *const cases[][3] = {
      {"http_status", "/ok", ""},
      {"http_status", "/404", ""},
      {"http_status", "/500", ""},
      {"http_status", "/empty", ""},
      {"http_status", "/1000", ""},
      {"http_status", "/headers", ""},
      {"http_status", "/nothing", ""},
      {"http_post", "/echo", ",\"method\":\"POST\",\"headers\":{\"X-Test\":\"same\"}"},
      {"http", "/echo", ",\"method\":\"put\",\"headers\":{\"X-Test\":\"put\"}"},
      {"http_status", "/redir-ok", ""},
      {"http_status", "/redir-localhost", ""},
      {"http_status", "/redir-loop", ""},
      {"http_then_headers", "/headers", ""},
      {"http", "/ok", ",\"bogus\":1"},
  };
  const size_t n = sizeof cases / sizeof cases[0];
  struct outcome builtin[sizeof cases / sizeof cases[0] + 2], handled[sizeof cases / sizeof cases[0] + 2];
  int pass, served_before, hits[2];
  size_t i;
  server_port = testhttp_start();
  for (pass = 0; pass < 2; pass++) {
    struct outcome *o = pass ? handled : builtin;
    char *m = manifest_for("runtime", ALLOW_LOCAL ",\"memory\":{\"max_http_response_bytes\":1000}");
    ExtismPlugin *p = plugin_from_text(m, false), *small;
    free(m);
    if (pass)
      REQUIRE(extism_x_plugin_set_http_handler(p, proxy_handler, NULL));
    extism_plugin_allow_http_response_headers(p);
    served_before = testhttp_requests();
    for (i = 0; i < n; i++)
      run_call(p, cases[i][0], req("127.0.0.1", cases[i][1], cases[i][2]), &o[i]);
    run_call(p, "http", req("localhost", "/ok", ""), &o[n]);
    extism_plugin_free(p);
    m = manifest_for("runtime", ALLOW_LOCAL ",\"memory\":{\"max_http_response_bytes\":999}");
    small = plugin_from_text(m, false);
    free(m);
    if (pass)
      REQUIRE(extism_x_plugin_set_http_handler(small, proxy_handler, NULL));
    run_call(small, "http", req("127.0.0.1", "/1000", ""), &o[n + 1]);
    extism_plugin_free(small);
    hits[pass] = testhttp_requests() - served_before;
  }
  /* both reach the server the same number of times (redirect hops included) */
  CHECK_EQ_INT(hits[1], hits[0]);
  /* what the built-in client gave (so the comparison is not between two empty lists) */
  CHECK_EQ_INT(builtin[0].rc, 200);
  CHECK_STR(builtin[0].text, "ok body");
  CHECK_STR(builtin[5].headers, "{\"connection\":\"close\",\"content-length\":\"2\",\"x-a\":\"second\",\"x-b\":\"1\"}");
  CHECK_STR(builtin[7].text, "POST same posted body");
  CHECK_STR(builtin[11].text, "error: too many redirects");
  CHECK_STR(builtin[n + 1].text, "error: HTTP response exceeds the configured maximum number of bytes: 999");
  for (i = 0; i < n + 2; i++) {
    CHECK_EQ_INT(handled[i].rc, builtin[i].rc);
    CHECK_STR(handled[i].text, builtin[i].text);
    CHECK_STR(handled[i].headers, builtin[i].headers);
  }
  /* and the PDK plugin */
  {
    char *m = manifest_for("ph", ALLOW_LOCAL);
    char got[2][256];
    for (pass = 0; pass < 2; pass++) {
      ExtismPlugin *p = plugin_from_text(m, false);
      char *out;
      if (pass)
        REQUIRE(extism_x_plugin_set_http_handler(p, proxy_handler, NULL));
      extism_plugin_allow_http_response_headers(p);
      CHECK_EQ_INT(call_str(p, "fetch", req("127.0.0.1", "/headers", "")), 0);
      out = output_str(p);
      snprintf(got[pass], sizeof got[pass], "%s", out);
      free(out);
      extism_plugin_free(p);
    }
    CHECK_STR(got[1], got[0]);
    CHECK_STR(got[0], "201|second|hi");
    free(m);
  }
}
