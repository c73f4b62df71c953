/* Fixed capacities (src/config.rs): hitting each is a clear error, never a crash or a silent drop.
 * Upstream has none of these limits, so every test here is ours only. The WASI open-file cap is
 * tested in t_wasi.c (wasi_open_files_capacity), beside the helpers that build a directory tree.
 * Plugins: tiny.wat, runtime.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* Our build's values (src/config.rs). */
#define MAX_HOST_FUNCTIONS 1024
#define MAX_MODULES 64
#define MAX_CONFIG_ENTRIES 4096
#define MAX_VAR_ENTRIES 16384

static void noop_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                    ExtismSize n_out, void *data) {
  (void)cp, (void)in, (void)n_in, (void)out, (void)n_out, (void)data;
}

/* ExtismPlugin *from n host functions (all named "f<i>" in the default namespace); *err on failure. */
static ExtismPlugin *with_functions(size_t n, char **err) {
  const ExtismFunction **fns = calloc(n, sizeof *fns);
  size_t i, len = 0;
  uint8_t *w = plugin_bytes("tiny", &len);
  ExtismPlugin *p;
  for (i = 0; i < n; i++) {
    char name[32];
    snprintf(name, sizeof name, "f%zu", i);
    fns[i] = extism_function_new(name, NULL, 0, NULL, 0, noop_cb, NULL, NULL);
  }
  p = extism_plugin_new(w, len, fns, n, false, err);
  for (i = 0; i < n; i++)
    extism_function_free((ExtismFunction *)fns[i]);
  free(fns);
  free(w);
  return p;
}

TEST_NOT_UPSTREAM(capacity_host_functions, "no limit on host functions per create call (ours: 1024)") {
  char *err = NULL;
  ExtismPlugin *p = with_functions(MAX_HOST_FUNCTIONS, &err);
  CHECK_NOT_NULL(p);
  extism_plugin_free(p);
  extism_plugin_new_error_free(err);
  err = NULL;
  p = with_functions(MAX_HOST_FUNCTIONS + 1, &err);
  CHECK_NULL(p);
  CHECK_CONTAINS(err ? err : "", "too many host functions (this build allows 1024)");
  extism_plugin_new_error_free(err);
  extism_plugin_free(p);
}

/* {"wasm":[n times tiny.wasm, named m<i>]} */
static char *modules_manifest(size_t n) {
  size_t len = 0, i, cap;
  uint8_t *w = plugin_bytes("tiny", &len);
  char *b64 = base64_encode(w, len), *m, *at;
  cap = n * (strlen(b64) + 48) + 64;
  m = malloc(cap);
  at = m + sprintf(m, "{\"wasm\":[");
  for (i = 0; i < n; i++)
    at += sprintf(at, "%s{\"data\":\"%s\",\"name\":\"%s%zu\"}", i ? "," : "", b64,
                  i + 1 == n ? "main" : "m", i);
  strcpy(at, "]}");
  free(b64);
  free(w);
  return m;
}

TEST_NOT_UPSTREAM(capacity_modules, "no limit on modules per manifest (ours: 64)") {
  char *m = modules_manifest(MAX_MODULES + 1), *err = create_error_text(m);
  CHECK_CONTAINS(err, "Too many wasm files in Extism manifest: 65 (at most 64)");
  free(err);
  free(m);
}

/* {"k0":"v","k1":"v",...} with keys k<from>..k<from+n-1>, value `value` (a JSON literal) */
static char *config_object(size_t from, size_t n, const char *value) {
  char *j = malloc(n * 32 + 8), *at = j;
  size_t i;
  *at++ = '{';
  for (i = 0; i < n; i++)
    at += sprintf(at, "%s\"k%zu\":%s", i ? "," : "", from + i, value);
  strcpy(at, "}");
  return j;
}

static bool merge(ExtismPlugin *p, const char *json) {
  return extism_plugin_config(p, (const uint8_t *)json, strlen(json));
}

/* manifest_for("runtime") with a config of n entries */
static char *config_manifest(size_t n) {
  char *obj = config_object(0, n, "\"v\""), *extra = malloc(strlen(obj) + 16), *m;
  sprintf(extra, ",\"config\":%s", obj);
  m = manifest_for("runtime", extra);
  free(extra);
  free(obj);
  return m;
}

TEST_NOT_UPSTREAM(capacity_config_manifest, "no limit on config entries (ours: 4096)") {
  char *m = config_manifest(MAX_CONFIG_ENTRIES + 1), *err = create_error_text(m);
  ExtismPlugin *p;
  CHECK_CONTAINS(err, "Too many config entries in Extism manifest: 4097 (at most 4096)");
  free(err);
  free(m);
  /* exactly the capacity is fine; a merge that would add one more fails whole */
  m = config_manifest(MAX_CONFIG_ENTRIES);
  p = plugin_from_text(m, false);
  free(m);
  CHECK(!merge(p, "{\"extra\":\"x\",\"k1\":\"changed\"}"));
  CHECK_CONTAINS(extism_plugin_error(p) ? extism_plugin_error(p) : "",
                 "too many config entries: 4097 (this build allows 4096)");
  CHECK_EQ_INT(call_str(p, "cfg", "extra"), 1);
  CHECK_EQ_INT(call_str(p, "cfg", "k1"), 0);
  CHECK_OUTPUT(p, "v");
  /* adds one, replaces one, removes two: 4095 */
  CHECK(merge(p, "{\"extra\":\"x\",\"k0\":null,\"k1\":\"changed\",\"k2\":null}"));
  CHECK(merge(p, "{\"new1\":\"a\"}"));
  CHECK(!merge(p, "{\"new2\":\"b\"}"));
  CHECK(merge(p, "{\"new2\":\"b\",\"new1\":null}"));
  CHECK_EQ_INT(call_str(p, "cfg", "new2"), 0);
  CHECK_OUTPUT(p, "b");
  CHECK_EQ_INT(call_str(p, "cfg", "k1"), 0);
  CHECK_OUTPUT(p, "changed");
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(capacity_config_merges, "no limit on config entries (ours: 4096)") {
  ExtismPlugin *p = load_plugin("runtime", false);
  char *over = config_object(0, MAX_CONFIG_ENTRIES + 1, "\"v\"");
  char *full = config_object(0, MAX_CONFIG_ENTRIES, "\"v\"");
  char *drop = config_object(0, MAX_CONFIG_ENTRIES, "null");
  CHECK(!merge(p, over));
  CHECK_EQ_INT(call_str(p, "cfg", "k0"), 1); /* nothing was stored */
  CHECK(merge(p, full));
  CHECK(!merge(p, "{\"one_more\":\"x\"}"));
  CHECK_EQ_INT(call_str(p, "cfg", "one_more"), 1);
  CHECK(merge(p, "{\"k4095\":\"replaced\"}")); /* replacing an entry needs no room */
  CHECK(merge(p, drop));
  CHECK(merge(p, "{\"one_more\":\"x\"}"));
  CHECK_EQ_INT(call_str(p, "cfg", "one_more"), 0);
  CHECK_OUTPUT(p, "x");
  extism_plugin_free(p);
  free(over);
  free(full);
  free(drop);
}

static int32_t var_many(ExtismPlugin *p, uint64_t n) {
  uint8_t in[8];
  int i;
  for (i = 0; i < 8; i++)
    in[i] = (uint8_t)(n >> (8 * i));
  return extism_plugin_call(p, "var_many", in, 8);
}

TEST_NOT_UPSTREAM(capacity_vars, "no limit on the number of vars, only their bytes (ours: 16384)") {
  ExtismPlugin *p = load_plugin("runtime", false);
  CHECK_EQ_INT(var_many(p, MAX_VAR_ENTRIES), 0);
  CHECK_EQ_INT(var_many(p, MAX_VAR_ENTRIES), 0); /* the same keys again: no new entry */
  CHECK(var_many(p, MAX_VAR_ENTRIES + 1) != 0);
  CHECK_STR(extism_plugin_error(p), "Variable store is full: too many vars (this build allows 16384)");
  extism_plugin_free(p);
}
