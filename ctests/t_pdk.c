/* Plugins built with the official PDKs from the registries, checked the same way on every PDK:
 * pdk_rs (Rust extism-pdk, wasm32-unknown-unknown), pdk_rs_wasi (the same source on wasm32-wasip1)
 * and pdk_as (AssemblyScript, @extism/as-pdk from npm). Each exercises input, output, errors,
 * config, vars, logs, host functions and HTTP; pdk_rs also JSON in and out through the PDK's own
 * `Json` type. The plugins' exports are described in plugins/pdk/pdk_rs/src/lib.rs. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "testhttp.h"

struct pdk {
  const char *name;
  bool wasi;
  bool rust; /* trace logs, JSON */
};

static const struct pdk PDKS[] = {
    {"pdk_rs", false, true},
    {"pdk_rs_wasi", true, true},
    {"pdk_as", false, false},
};
#define N_PDKS (sizeof PDKS / sizeof PDKS[0])

/* extism:host/user transform (I64 -> I64): the argument's text upper-cased, in a new block. */
static void transform_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in,
                         ExtismVal *out, ExtismSize n_out, void *data) {
  uint8_t *mem = extism_current_plugin_memory(cp);
  ExtismSize len = extism_current_plugin_memory_length(cp, (ExtismMemoryHandle)in[0].v.i64);
  ExtismMemoryHandle h = extism_current_plugin_memory_alloc(cp, len);
  ExtismSize i;
  (void)n_in, (void)n_out, (void)data;
  mem = extism_current_plugin_memory(cp); /* an alloc may move kernel memory: read the base again */
  for (i = 0; i < len; i++)
    mem[h + i] = (uint8_t)toupper(mem[(ExtismMemoryHandle)in[0].v.i64 + i]);
  out[0].t = EXTISM_PTR;
  out[0].v.i64 = (int64_t)h;
}

/* The PDK plugin k with host function `transform` and manifest fields `extra` ("" or ",..."). */
static ExtismPlugin *pdk_load(const struct pdk *k, const char *extra) {
  ExtismValType t = EXTISM_PTR;
  const ExtismFunction *fns[1];
  ExtismFunction *f = extism_function_new("transform", &t, 1, &t, 1, transform_cb, NULL, NULL);
  char *m = manifest_for(k->name, extra), *err = NULL;
  ExtismPlugin *p;
  REQUIRE_NOT_NULL(f);
  fns[0] = f;
  p = extism_plugin_new((const uint8_t *)m, strlen(m), fns, 1, k->wasi, &err);
  if (!p) {
    harness_note("%s: %s", k->name, err ? err : "(no error)");
    extism_plugin_new_error_free(err);
  }
  free(m);
  extism_function_free(f);
  REQUIRE_NOT_NULL(p);
  return p;
}

#define FOR_EACH_PDK(k) for (const struct pdk *k = PDKS; k < PDKS + N_PDKS; k++)

/* Like CHECK_OUTPUT, naming the plugin when it fails. */
#define CHECK_PDK_OUTPUT(k, p, want)                                                               \
  do {                                                                                             \
    if (!CHECK_OUTPUT(p, want))                                                                    \
      harness_note("plugin %s", (k)->name);                                                        \
  } while (0)
#define CHECK_PDK_RC(k, got, want)                                                                 \
  do {                                                                                             \
    if (!CHECK_EQ_INT(got, want))                                                                  \
      harness_note("plugin %s", (k)->name);                                                        \
  } while (0)

TEST(pdk_input_output) {
  FOR_EACH_PDK(k) {
    ExtismPlugin *p = pdk_load(k, "");
    size_t big = 100000;
    char *in = malloc(big + 1), *want = malloc(big + 9);
    CHECK_PDK_RC(k, call_str(p, "greet", "World"), 0);
    CHECK_PDK_OUTPUT(k, p, "Hello, World!");
    CHECK_NULL(extism_plugin_error(p));
    CHECK_PDK_RC(k, call_str(p, "greet", NULL), 0);
    CHECK_PDK_OUTPUT(k, p, "Hello, !");
    memset(in, 'a', big);
    in[big] = 0;
    snprintf(want, big + 9, "Hello, %s!", in);
    CHECK_PDK_RC(k, call_str(p, "greet", in), 0);
    CHECK_PDK_OUTPUT(k, p, want);
    CHECK(extism_plugin_function_exists(p, "greet"));
    CHECK(!extism_plugin_function_exists(p, "nope"));
    free(in);
    free(want);
    extism_plugin_free(p);
  }
}

TEST(pdk_errors) {
  FOR_EACH_PDK(k) {
    ExtismPlugin *p = pdk_load(k, "");
    CHECK_PDK_RC(k, call_str(p, "fail", "on purpose"), 1);
    CHECK_STR(extism_plugin_error(p), "failed: on purpose");
    CHECK_EQ_U64(extism_plugin_output_length(p), 0);
    CHECK_PDK_RC(k, call_str(p, "greet", "again"), 0);
    CHECK_PDK_OUTPUT(k, p, "Hello, again!");
    CHECK_NULL(extism_plugin_error(p));
    CHECK_PDK_RC(k, call_str(p, "nope", ""), -1);
    CHECK_STR(extism_plugin_error(p), "Function not found: nope");
    extism_plugin_free(p);
  }
}

/* AssemblyScript's `throw` calls abort, which pdk_as routes to error_set + a trap (item 56). */
TEST(pdk_as_abort) {
  ExtismPlugin *p = pdk_load(&PDKS[2], "");
  CHECK_EQ_INT(call_str(p, "boom", "bang"), -1);
  CHECK_STR(extism_plugin_error(p), "boom: bang");
  CHECK_EQ_INT(call_str(p, "greet", "after"), 0);
  CHECK_OUTPUT(p, "Hello, after!");
  extism_plugin_free(p);
}

TEST(pdk_config) {
  FOR_EACH_PDK(k) {
    ExtismPlugin *p = pdk_load(k, ",\"config\":{\"greeting\":\"hi there\",\"empty\":\"\"}");
    const char *more = "{\"missing\":\"now set\",\"greeting\":null}";
    CHECK_PDK_RC(k, call_str(p, "config", "greeting"), 0);
    CHECK_PDK_OUTPUT(k, p, "hi there");
    CHECK_PDK_RC(k, call_str(p, "config", "missing"), 0);
    CHECK_PDK_OUTPUT(k, p, "<unset>");
    CHECK_PDK_RC(k, call_str(p, "config", "empty"), 0);
    CHECK_PDK_OUTPUT(k, p, "<unset>");
    CHECK(extism_plugin_config(p, (const uint8_t *)more, strlen(more)));
    CHECK_PDK_RC(k, call_str(p, "config", "missing"), 0);
    CHECK_PDK_OUTPUT(k, p, "now set");
    CHECK_PDK_RC(k, call_str(p, "config", "greeting"), 0);
    CHECK_PDK_OUTPUT(k, p, "<unset>");
    extism_plugin_free(p);
  }
}

TEST(pdk_vars) {
  FOR_EACH_PDK(k) {
    ExtismPlugin *p = pdk_load(k, ""), *q = pdk_load(k, "");
    CHECK_PDK_RC(k, call_str(p, "count", NULL), 0);
    CHECK_PDK_OUTPUT(k, p, "1");
    CHECK_PDK_RC(k, call_str(p, "count", NULL), 0);
    CHECK_PDK_OUTPUT(k, p, "2");
    CHECK_PDK_RC(k, call_str(q, "count", NULL), 0); /* vars belong to one plugin */
    CHECK_PDK_OUTPUT(k, q, "1");
    CHECK(extism_plugin_reset(p)); /* a reset keeps vars */
    CHECK_PDK_RC(k, call_str(p, "count", NULL), 0);
    CHECK_PDK_OUTPUT(k, p, "3");
    CHECK_PDK_RC(k, call_str(p, "var_clear", NULL), 0);
    CHECK_EQ_U64(extism_plugin_output_length(p), 0);
    CHECK_PDK_RC(k, call_str(p, "count", NULL), 0);
    CHECK_PDK_OUTPUT(k, p, "1");
    extism_plugin_free(p);
    extism_plugin_free(q);
    /* vars disabled by the host: var_set fails the call */
    p = pdk_load(k, ",\"memory\":{\"max_var_bytes\":0}");
    CHECK_PDK_RC(k, call_str(p, "count", NULL), -1);
    CHECK_NOT_NULL(extism_plugin_error(p));
    extism_plugin_free(p);
  }
}

static char drained[8192];
static void drain_cb(const char *data, ExtismSize size) {
  size_t used = strlen(drained);
  if (used + size < sizeof drained) {
    memcpy(drained + used, data, size);
    drained[used + size] = 0;
  }
}

/* The `extism::pdk` lines of the drained log, each as "<LEVEL> <message>", one per line. */
static void pdk_lines(char *out, size_t cap) {
  char *line = drained, *next;
  out[0] = 0;
  for (; *line; line = next) {
    char *t = strstr(line, " extism::pdk: "), *lvl, *q;
    next = strchr(line, '\n');
    next = next ? next + 1 : line + strlen(line);
    if (!t || t > next)
      continue;
    for (lvl = t; lvl > line && lvl[-1] == ' '; lvl--)
      ;
    while (lvl > line && lvl[-1] != ' ')
      lvl--;
    q = strstr(t, " plugin=\"");
    if (!q || q > next)
      q = next - 1;
    snprintf(out + strlen(out), cap - strlen(out), "%.*s %.*s\n", (int)(t - lvl), lvl,
             (int)(q - (t + 14)), t + 14);
  }
}

TEST(pdk_logs) {
  REQUIRE(extism_log_custom("trace"));
  FOR_EACH_PDK(k) {
    ExtismPlugin *p = pdk_load(k, "");
    char got[2048];
    const char *want = k->rust ? "TRACE trace: hi\nDEBUG debug: hi\nINFO info: hi\n"
                                 "WARN warn: hi\nERROR error: hi\n"
                               : "DEBUG debug: hi\nINFO info: hi\nWARN warn: hi\nERROR error: hi\n";
    drained[0] = 0;
    extism_log_drain(drain_cb);
    drained[0] = 0;
    CHECK_PDK_RC(k, call_str(p, "log", "hi"), 0);
    CHECK_EQ_U64(extism_plugin_output_length(p), 0);
    extism_log_drain(drain_cb);
    pdk_lines(got, sizeof got);
    if (!CHECK_STR(got, want))
      harness_note("plugin %s, drained:\n%s", k->name, drained);
    extism_plugin_free(p);
  }
}

TEST(pdk_host_function) {
  FOR_EACH_PDK(k) {
    ExtismPlugin *p = pdk_load(k, "");
    char *m, *err;
    CHECK_PDK_RC(k, call_str(p, "host", "hello, host"), 0);
    CHECK_PDK_OUTPUT(k, p, "host said: HELLO, HOST");
    CHECK_PDK_RC(k, call_str(p, "host", NULL), 0);
    CHECK_PDK_OUTPUT(k, p, "host said: ");
    extism_plugin_free(p);
    /* without it: the import is missing */
    m = manifest_for(k->name, "");
    err = create_error(m, strlen(m), k->wasi);
    CHECK_CONTAINS(err, "unknown import: `extism:host/user::transform` has not been defined");
    free(err);
    free(m);
  }
}

TEST(pdk_http) {
  int port = testhttp_start();
  char url[128];
  FOR_EACH_PDK(k) {
    ExtismPlugin *p = pdk_load(k, ",\"allowed_hosts\":[\"127.0.0.1\"]");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", port);
    CHECK_PDK_RC(k, call_str(p, "http", url), 0);
    CHECK_PDK_OUTPUT(k, p, "200|ok body");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/404", port);
    CHECK_PDK_RC(k, call_str(p, "http", url), 0);
    CHECK_PDK_OUTPUT(k, p, "404|not found body");
    snprintf(url, sizeof url, "http://127.0.0.1:%d/empty", port);
    CHECK_PDK_RC(k, call_str(p, "http", url), 0);
    CHECK_PDK_OUTPUT(k, p, "200|");
    snprintf(url, sizeof url, "http://localhost:%d/ok", port); /* not allowed */
    CHECK_PDK_RC(k, call_str(p, "http", url), -1);
    CHECK_NOT_NULL(extism_plugin_error(p));
    extism_plugin_free(p);
    p = pdk_load(k, ""); /* no allowed_hosts */
    snprintf(url, sizeof url, "http://127.0.0.1:%d/ok", port);
    CHECK_PDK_RC(k, call_str(p, "http", url), -1);
    CHECK_NOT_NULL(extism_plugin_error(p));
    extism_plugin_free(p);
  }
}

TEST(pdk_json) {
  FOR_EACH_PDK(k) {
    ExtismPlugin *p;
    if (!k->rust)
      continue;
    p = pdk_load(k, "");
    CHECK_PDK_RC(k, call_str(p, "json", "{\"a\":2,\"b\":40,\"name\":\"Ada\"}"), 0);
    CHECK_PDK_OUTPUT(k, p, "{\"sum\":42,\"name\":\"Ada\",\"greeting\":\"Hello, Ada!\"}");
    CHECK_PDK_RC(k, call_str(p, "json", "{\"a\":2}"), -1);
    CHECK_CONTAINS(extism_plugin_error(p), "missing field");
    extism_plugin_free(p);
  }
}

/* The wasm32-wasip1 build imports WASI: without it the plugin cannot be created. */
TEST(pdk_wasi_build_needs_wasi) {
  char *m = manifest_for("pdk_rs_wasi", "");
  char *err = create_error(m, strlen(m), false);
  CHECK_CONTAINS(err, "unknown import: `wasi_snapshot_preview1::");
  free(err);
  free(m);
}
