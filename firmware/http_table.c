/* Step 9: HTTP through the host (extism.h, "HTTP through the host"). The image has no HTTP client and
 * no TLS: a plugin's http_request goes to the handler below, which serves a table in flash (where a
 * board would call its network stack: lwIP, a modem's AT commands, ESP-IDF's client). The library
 * keeps its rules: allowed_hosts is checked before the handler sees a request, a redirect the
 * handler reports is followed (its target checked again), the body is copied once into the plugin's
 * kernel memory. In a stepped call the handler may answer "wait" and the main loop answers later
 * (extism_x_call_resume_http), so a single-threaded firmware does its network I/O between steps. */
#include "http_table.h"

#include <string.h>

#include "extism.h"
#include "report.h"

/* firmware/http_plugin.c, in flash (plugins.S) */
extern const uint8_t http_plugin_wasm[], http_plugin_wasm_end[];

/* The "server": every field is const, so the table and its strings stay in flash. */
struct route {
  const char *url;
  int32_t status;
  const char *location; /* a redirect's target, or NULL */
  const char *body;
};
static const struct route ROUTES[] = {
    {"http://device.local/sensors/temp", 200, NULL, "{\"celsius\":21.5}"},
    {"http://device.local/config", 200, NULL, "{\"interval_s\":60}"},
    {"http://device.local/old-config", 301, "/config", ""},
};
static const struct route NOT_FOUND = {NULL, 404, NULL, "not found"};

static const struct route *route_for(const char *url) {
  for (size_t i = 0; i < sizeof ROUTES / sizeof ROUTES[0]; i++)
    if (strcmp(ROUTES[i].url, url) == 0)
      return &ROUTES[i];
  return &NOT_FOUND;
}

/* What the handler saw, and a request it left for the main loop. */
struct served {
  int calls;
  bool defer;           /* answer "wait" (in the stepped call) */
  char pending_url[96]; /* copied: the request is valid only during the handler */
};

static int32_t table_handler(void *user_data, const ExtismXHttpRequest *request, ExtismXHttpResponse *response) {
  struct served *s = user_data;
  s->calls++;
  if (s->defer) {
    size_t n = strlen(request->url);
    if (n >= sizeof s->pending_url)
      return EXTISM_X_HTTP_ERROR;
    memcpy(s->pending_url, request->url, n + 1);
    return EXTISM_X_HTTP_WAIT;
  }
  const struct route *r = route_for(request->url);
  const char *name = "location";
  return extism_x_http_respond(response, r->status, &name, &r->location, r->location ? 1 : 0,
                               (const uint8_t *)r->body, strlen(r->body))
             ? EXTISM_X_HTTP_OK
             : EXTISM_X_HTTP_ERROR;
}

/* Prints "<label>(<url>): rc N, output ..." (or the error); returns the rc. */
static int32_t report_fetch(ExtismPlugin *p, const char *label, const char *url, int32_t rc) {
  struct text t = {.len = 0};
  add(&t, label);
  add(&t, "(");
  add(&t, url);
  add(&t, ")");
  add_call_result(&t, p, rc);
  print(&t);
  return rc;
}

static int32_t fetch(ExtismPlugin *p, const char *url) {
  return report_fetch(p, "http fetch", url, extism_plugin_call(p, "fetch", (const uint8_t *)url, strlen(url)));
}

static bool output_is(ExtismPlugin *p, const char *want) {
  size_t n = strlen(want);
  return extism_plugin_output_length(p) == n && memcmp(extism_plugin_output_data(p), want, n) == 0;
}

void http_table_step(void) {
  struct text t = {.len = 0};
  add_flash_wasm(&t, http_plugin_wasm, http_plugin_wasm_end);
  add(&t, ",\"allowed_hosts\":[\"device.local\"]}");
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new((const uint8_t *)t.buf, t.len, NULL, 0, false, &err);
  t.len = 0;
  if (p == NULL) {
    add(&t, "http: extism_plugin_new failed: ");
    add(&t, err ? err : "(no message)");
    print(&t);
    extism_plugin_new_error_free(err);
    check(false, "http: served from the table in flash, redirect followed, host checked first");
    return;
  }
  struct served s = {.calls = 0, .defer = false};
  extism_x_set_http_handler(table_handler, &s); /* the process-wide handler: every plugin's */

  bool ok = fetch(p, "http://device.local/sensors/temp") == 0 && output_is(p, "{\"celsius\":21.5}");
  ok = fetch(p, "http://device.local/old-config") == 0 && output_is(p, "{\"interval_s\":60}") && ok;
  int calls = s.calls; /* 3: one, then a redirect and its follow-up */
  ok = fetch(p, "http://elsewhere.example/x") == -1 && s.calls == calls && calls == 3 && ok;
  ok = fetch(p, "http://device.local/missing") == 404 && output_is(p, "not found") && ok;
  check(ok, "http: served from the table in flash, redirect followed, host checked first");

  /* The stepped call: the handler asks to wait; the main loop answers between steps. */
  s.defer = true;
  const char *url = "http://device.local/sensors/temp";
  int32_t st = EXTISM_X_STEP_FAILED;
  int steps = 0, answered_at = 0;
  if (extism_x_call_begin(p, "fetch", (const uint8_t *)url, strlen(url), NULL)) {
    do {
      st = extism_x_call_step(p, 20000);
      steps++;
      if (st == EXTISM_X_STEP_WAITING) { /* the main loop's network I/O */
        const struct route *r = route_for(s.pending_url);
        const char *name = "location";
        if (!extism_x_call_resume_http(p, r->status, &name, &r->location, r->location ? 1 : 0,
                                       (const uint8_t *)r->body, strlen(r->body)))
          break;
        answered_at = steps;
      }
    } while ((st == EXTISM_X_STEP_RUNNING || st == EXTISM_X_STEP_WAITING) && steps < 1000);
  }
  add(&t, "http stepped: handler waited, answered from the main loop at step ");
  add_u64(&t, (uint64_t)answered_at);
  print(&t);
  report_fetch(p, "http stepped fetch", url, extism_x_call_rc(p));
  check(st == EXTISM_X_STEP_FINISHED && answered_at > 0 && output_is(p, "{\"celsius\":21.5}"),
        "http: a request answered later from the main loop");
  extism_x_set_http_handler(NULL, NULL);
  extism_plugin_free(p);
}
