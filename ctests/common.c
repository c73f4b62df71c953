#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *plugin_path(const char *name) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/%s.wasm", harness_plugin_dir(), name);
  return buf;
}

uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf;
  long n;
  if (!f)
    return NULL;
  if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
    fclose(f);
    return NULL;
  }
  buf = malloc((size_t)n + 1);
  if (!buf || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    fclose(f);
    return NULL;
  }
  buf[n] = 0;
  fclose(f);
  *len = (size_t)n;
  return buf;
}

uint8_t *plugin_bytes(const char *name, size_t *len) {
  const char *path = plugin_path(name);
  uint8_t *b = read_file(path, len);
  if (!b) {
    printf("  cannot read test plugin %s (build it with the Makefile or set PLUGIN_DIR)\n", path);
    REQUIRE(b != NULL);
  }
  return b;
}

ExtismPlugin *load_plugin_fns(const char *name, const ExtismFunction **fns, size_t n, bool wasi) {
  size_t len = 0;
  char *err = NULL;
  uint8_t *b = plugin_bytes(name, &len);
  ExtismPlugin *p = extism_plugin_new(b, len, fns, n, wasi, &err);
  free(b);
  if (!p) {
    printf("  creating plugin %s failed: %s\n", name, err ? err : "(no message)");
    extism_plugin_new_error_free(err);
  }
  REQUIRE_NOT_NULL(p);
  return p;
}

ExtismPlugin *load_plugin(const char *name, bool wasi) {
  return load_plugin_fns(name, NULL, 0, wasi);
}

ExtismPlugin *plugin_from_text(const char *text, bool wasi) {
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new((const uint8_t *)text, strlen(text), NULL, 0, wasi, &err);
  if (!p) {
    printf("  creating plugin from text failed: %s\n", err ? err : "(no message)");
    extism_plugin_new_error_free(err);
  }
  REQUIRE_NOT_NULL(p);
  return p;
}

char *create_error(const void *data, size_t len, bool wasi) {
  char *err = NULL, *copy;
  ExtismPlugin *p = extism_plugin_new(data, len, NULL, 0, wasi, &err);
  if (p) {
    CHECK(!"extism_plugin_new was expected to fail");
    extism_plugin_free(p);
  }
  copy = strdup(err ? err : "");
  extism_plugin_new_error_free(err);
  return copy;
}

char *create_error_text(const char *text) { return create_error(text, strlen(text), false); }

int32_t call_str(ExtismPlugin *p, const char *fn, const char *input) {
  return extism_plugin_call(p, fn, (const uint8_t *)input, input ? strlen(input) : 0);
}

char *output_str(ExtismPlugin *p) {
  size_t n = (size_t)extism_plugin_output_length(p);
  const uint8_t *d = extism_plugin_output_data(p);
  char *s = malloc(n + 1);
  if (n && d)
    memcpy(s, d, n);
  s[n] = 0;
  return s;
}

uint64_t le64(const uint8_t *p) {
  uint64_t v = 0;
  int i;
  for (i = 7; i >= 0; i--)
    v = (v << 8) | p[i];
  return v;
}

uint64_t output_u64(ExtismPlugin *p, size_t n) {
  size_t len = (size_t)extism_plugin_output_length(p);
  const uint8_t *d = extism_plugin_output_data(p);
  if (!CHECK(d != NULL && len >= (n + 1) * 8))
    return 0;
  return le64(d + n * 8);
}

char *base64_encode(const uint8_t *data, size_t len) {
  static const char tbl[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  char *out = malloc((len + 2) / 3 * 4 + 1), *o = out;
  size_t i;
  for (i = 0; i + 2 < len; i += 3) {
    uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8 | data[i + 2];
    *o++ = tbl[v >> 18];
    *o++ = tbl[(v >> 12) & 63];
    *o++ = tbl[(v >> 6) & 63];
    *o++ = tbl[v & 63];
  }
  if (len - i == 1) {
    uint32_t v = (uint32_t)data[i] << 16;
    *o++ = tbl[v >> 18];
    *o++ = tbl[(v >> 12) & 63];
    *o++ = '=';
    *o++ = '=';
  } else if (len - i == 2) {
    uint32_t v = (uint32_t)data[i] << 16 | (uint32_t)data[i + 1] << 8;
    *o++ = tbl[v >> 18];
    *o++ = tbl[(v >> 12) & 63];
    *o++ = tbl[(v >> 6) & 63];
    *o++ = '=';
  }
  *o = 0;
  return out;
}

char *manifest_for(const char *plugin_name, const char *extra) {
  size_t len = 0;
  uint8_t *b = plugin_bytes(plugin_name, &len);
  char *b64 = base64_encode(b, len);
  size_t n = strlen(b64) + strlen(extra) + 64;
  char *m = malloc(n);
  snprintf(m, n, "{\"wasm\":[{\"data\":\"%s\"}]%s}", b64, extra);
  free(b64);
  free(b);
  return m;
}

static void identity_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in,
                        ExtismVal *out, ExtismSize n_out, void *data) {
  (void)cp;
  (void)data;
  if (n_in == 1 && n_out == 1)
    out[0].v.i64 = in[0].v.i64;
}

ExtismFunction *identity_function(const char *name) {
  ExtismValType t = EXTISM_PTR;
  ExtismFunction *f = extism_function_new(name, &t, 1, &t, 1, identity_cb, NULL, NULL);
  REQUIRE_NOT_NULL(f);
  return f;
}

ExtismPlugin *load_cf(void) {
  const ExtismFunction *fns[1];
  fns[0] = identity_function("hello_world");
  return load_plugin_fns("cf", fns, 1, false);
}
