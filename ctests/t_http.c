/* Checklist "HTTP" (items 142-159), against a small HTTP/1.1 server run by the test on
 * 127.0.0.1 (an ephemeral port). Plugins: plugins/runtime.c (`http*` exports hand the input JSON to
 * http_request directly) and pdk/ph (the official PDK's http::request). Also: redirects, status and
 * headers across calls, cancel during a request, manifest `url` sources. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/* ---- the server ---- */

static int server_port;
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static char seen_method[16], seen_body[256], seen_x_test[128];
static int seen_requests;
/* What /wasm serves (set by the test before it creates the plugin). */
static uint8_t *wasm_bytes;
static size_t wasm_len;

static void respond(int fd, int status, const char *reason, const char *extra_headers,
                    const char *body, size_t body_len) {
  char head[1024];
  int n = snprintf(head, sizeof head,
                   "HTTP/1.1 %d %s\r\nContent-Length: %lu\r\n%sConnection: close\r\n\r\n", status,
                   reason, (unsigned long)body_len, extra_headers);
  if (write(fd, head, (size_t)n) < 0 || (body_len && write(fd, body, body_len) < 0))
    return;
}

static void *serve_one(void *v) {
  int fd = (int)(intptr_t)v;
  char buf[8192], method[16] = "", path[256] = "", *hdr_end, *line;
  size_t got = 0, content_length = 0, header_len;
  ssize_t r;
  char x_test[128] = "";
  while (got < sizeof buf - 1 && (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0) {
    got += (size_t)r;
    buf[got] = 0;
    if ((hdr_end = strstr(buf, "\r\n\r\n")) != NULL)
      break;
  }
  buf[got] = 0;
  hdr_end = strstr(buf, "\r\n\r\n");
  if (!hdr_end) {
    close(fd);
    return NULL;
  }
  header_len = (size_t)(hdr_end - buf) + 4;
  sscanf(buf, "%15s %255s", method, path);
  for (line = strstr(buf, "\r\n"); line && line < hdr_end; line = strstr(line + 2, "\r\n")) {
    char *h = line + 2;
    if (strncasecmp(h, "content-length:", 15) == 0)
      content_length = (size_t)strtoul(h + 15, NULL, 10);
    else if (strncasecmp(h, "x-test:", 7) == 0)
      sscanf(h + 7, " %127[^\r]", x_test);
  }
  while (got < header_len + content_length && got < sizeof buf - 1 &&
         (r = read(fd, buf + got, sizeof buf - 1 - got)) > 0)
    got += (size_t)r;
  buf[got] = 0;
  pthread_mutex_lock(&seen_lock);
  seen_requests++;
  snprintf(seen_method, sizeof seen_method, "%s", method);
  snprintf(seen_body, sizeof seen_body, "%.*s", (int)content_length, buf + header_len);
  snprintf(seen_x_test, sizeof seen_x_test, "%s", x_test);
  pthread_mutex_unlock(&seen_lock);

  if (strcmp(path, "/ok") == 0)
    respond(fd, 200, "OK", "", "ok body", 7);
  else if (strcmp(path, "/404") == 0)
    respond(fd, 404, "Not Found", "", "not found body", 14);
  else if (strcmp(path, "/500") == 0)
    respond(fd, 500, "Internal Server Error", "", "server error body", 17);
  else if (strcmp(path, "/empty") == 0)
    respond(fd, 200, "OK", "", "", 0);
  else if (strcmp(path, "/1000") == 0) {
    char body[1000];
    memset(body, 'x', sizeof body);
    respond(fd, 200, "OK", "", body, sizeof body);
  } else if (strcmp(path, "/slow") == 0) {
    sleep(2);
    respond(fd, 200, "OK", "", "slow body", 9);
  } else if (strcmp(path, "/headers") == 0)
    respond(fd, 201, "Created", "X-B: 1\r\nx-a: first\r\nX-A: second\r\n", "hi", 2);
  else if (strcmp(path, "/redir-ok") == 0)
    respond(fd, 302, "Found", "Location: /ok\r\n", "moved", 5);
  else if (strcmp(path, "/redir-localhost") == 0) {
    char loc[96];
    snprintf(loc, sizeof loc, "Location: http://localhost:%d/ok\r\n", server_port);
    respond(fd, 302, "Found", loc, "moved", 5);
  } else if (strcmp(path, "/redir-loop") == 0)
    respond(fd, 302, "Found", "Location: /redir-loop\r\n", "moved", 5);
  else if (strcmp(path, "/slowbody") == 0) {
    /* the headers at once, the body 2 s later */
    const char *head = "HTTP/1.1 200 OK\r\nContent-Length: 9\r\nConnection: close\r\n\r\n";
    if (write(fd, head, strlen(head)) >= 0) {
      sleep(2);
      if (write(fd, "slow body", 9) < 0)
        perror("write");
    }
  } else if (strcmp(path, "/wasm") == 0 && wasm_bytes)
    respond(fd, 200, "OK", "", (const char *)wasm_bytes, wasm_len);
  else if (strcmp(path, "/wasm-post") == 0 && wasm_bytes) {
    if (strcmp(method, "POST") == 0 && strcmp(x_test, "wasm") == 0)
      respond(fd, 200, "OK", "", (const char *)wasm_bytes, wasm_len);
    else
      respond(fd, 403, "Forbidden", "", "no", 2);
  } else
    respond(fd, 400, "Bad Request", "", "?", 1);
  close(fd);
  return NULL;
}

static void *accept_loop(void *v) {
  int s = (int)(intptr_t)v;
  for (;;) {
    int c = accept(s, NULL, NULL);
    pthread_t th;
    if (c < 0)
      continue;
    if (pthread_create(&th, NULL, serve_one, (void *)(intptr_t)c) == 0)
      pthread_detach(th);
    else
      close(c);
  }
  return NULL;
}

/* Starts the server (once per test process). */
static void start_server(void) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int s = socket(AF_INET, SOCK_STREAM, 0), one = 1;
  pthread_t th;
  REQUIRE(s >= 0);
  setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  a.sin_port = 0;
  REQUIRE(bind(s, (struct sockaddr *)&a, sizeof a) == 0);
  REQUIRE(listen(s, 16) == 0);
  REQUIRE(getsockname(s, (struct sockaddr *)&a, &len) == 0);
  server_port = ntohs(a.sin_port);
  REQUIRE(pthread_create(&th, NULL, accept_loop, (void *)(intptr_t)s) == 0);
  pthread_detach(th);
}

/* A port with nothing listening. */
static int closed_port(void) {
  struct sockaddr_in a;
  socklen_t len = sizeof a;
  int s = socket(AF_INET, SOCK_STREAM, 0), port;
  memset(&a, 0, sizeof a);
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(s, (struct sockaddr *)&a, sizeof a);
  getsockname(s, (struct sockaddr *)&a, &len);
  port = ntohs(a.sin_port);
  close(s);
  return port;
}

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
  CHECK_EQ_INT(seen_requests, 0);
}

/* 144-146, 158 */
TEST(http_get) {
  ExtismPlugin *p;
  start_server();
  p = http_plugin(ALLOW_LOCAL);
  CHECK_EQ_INT(call_str(p, "http", req("127.0.0.1", "/ok", "")), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_OUTPUT(p, "ok body");
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
  CHECK_STR(seen_method, "POST");
  CHECK_STR(seen_body, "posted body");
  CHECK_EQ_INT(
      call_str(p, "http", req("127.0.0.1", "/ok", ",\"headers\":{\"X-Test\":\"forwarded\"}")), 0);
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
  CHECK_EQ_INT(seen_requests, 0);
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
  CHECK_EQ_INT(seen_requests, 0);
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
  CHECK_EQ_INT(seen_requests, 2);
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
  CHECK_EQ_INT(seen_requests, 1); /* the redirect only */
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
  start_server();
  wasm_bytes = plugin_bytes("runtime", &wasm_len);
  sha256_hex(wasm_bytes, wasm_len, hash);
  snprintf(manifest, sizeof manifest, "{\"wasm\":[{\"url\":\"http://127.0.0.1:%d/wasm\",\"hash\":\"%s\"}]}",
           server_port, hash);
  p = plugin_from_text(manifest, false);
  CHECK_EQ_INT(call_str(p, "status", NULL), 0);
  extism_plugin_free(p);
  CHECK_STR(seen_method, "GET");
  /* the method (upper-cased) and the headers are sent */
  snprintf(manifest, sizeof manifest,
           "{\"wasm\":[{\"url\":\"http://127.0.0.1:%d/wasm-post\",\"method\":\"post\","
           "\"headers\":{\"X-Test\":\"wasm\"}}]}",
           server_port);
  p = plugin_from_text(manifest, false);
  CHECK_EQ_INT(call_str(p, "status", NULL), 0);
  extism_plugin_free(p);
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
  free(wasm_bytes);
  wasm_bytes = NULL;
}
