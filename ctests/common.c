#include "common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* One buffer per thread: tests load plugins from several threads at once. */
const char *plugin_path(const char *name) {
  static __thread char buf[4096];
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
  size_t i;
  free(b);
  /* the plugin (or the failed create call) took the functions over: release our handles */
  for (i = 0; fns && i < n; i++)
    extism_function_free((ExtismFunction *)fns[i]);
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

/* ---- SHA-256 (FIPS 180-4), small and slow: for manifest hash tests only ---- */
static const uint32_t sha_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

#define ROR32(x, n) (((x) >> (n)) | ((x) << (32 - (n))))

static void sha256_block(uint32_t h[8], const uint8_t *b) {
  uint32_t w[64], a, bb, c, d, e, f, g, hh, t1, t2;
  int i;
  for (i = 0; i < 16; i++)
    w[i] = (uint32_t)b[i * 4] << 24 | (uint32_t)b[i * 4 + 1] << 16 | (uint32_t)b[i * 4 + 2] << 8 |
           b[i * 4 + 3];
  for (i = 16; i < 64; i++) {
    uint32_t s0 = ROR32(w[i - 15], 7) ^ ROR32(w[i - 15], 18) ^ (w[i - 15] >> 3);
    uint32_t s1 = ROR32(w[i - 2], 17) ^ ROR32(w[i - 2], 19) ^ (w[i - 2] >> 10);
    w[i] = w[i - 16] + s0 + w[i - 7] + s1;
  }
  a = h[0], bb = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
  for (i = 0; i < 64; i++) {
    t1 = hh + (ROR32(e, 6) ^ ROR32(e, 11) ^ ROR32(e, 25)) + ((e & f) ^ (~e & g)) + sha_k[i] + w[i];
    t2 = (ROR32(a, 2) ^ ROR32(a, 13) ^ ROR32(a, 22)) + ((a & bb) ^ (a & c) ^ (bb & c));
    hh = g, g = f, f = e, e = d + t1, d = c, c = bb, bb = a, a = t1 + t2;
  }
  h[0] += a, h[1] += bb, h[2] += c, h[3] += d, h[4] += e, h[5] += f, h[6] += g, h[7] += hh;
}

void sha256_hex(const uint8_t *data, size_t len, char out[65]) {
  uint32_t h[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  uint8_t tail[128];
  size_t i, rest = len % 64, tail_len = rest < 56 ? 64 : 128;
  uint64_t bits = (uint64_t)len * 8;
  for (i = 0; i + 64 <= len; i += 64)
    sha256_block(h, data + i);
  memset(tail, 0, sizeof tail);
  memcpy(tail, data + len - rest, rest);
  tail[rest] = 0x80;
  for (i = 0; i < 8; i++)
    tail[tail_len - 1 - i] = (uint8_t)(bits >> (8 * i));
  sha256_block(h, tail);
  if (tail_len == 128)
    sha256_block(h, tail + 64);
  for (i = 0; i < 8; i++)
    sprintf(out + i * 8, "%08x", (unsigned)h[i]);
  out[64] = 0;
}

int check_detailed(const char *got, const char *want, const char *file, int line, const char *expr) {
  size_t n = strlen(want);
  if (got != NULL && strncmp(got, want, n) == 0 && (got[n] == '\0' || strncmp(got + n, ": ", 2) == 0))
    return harness_check(1, file, line, expr);
  return harness_check_str(got, want, file, line, expr);
}

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define COMMON_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define COMMON_ASAN 1
#endif

const char *memory_checker(void) {
#ifdef COMMON_ASAN
  return "AddressSanitizer";
#else
  const char *p = getenv("LD_PRELOAD");
  return p && strstr(p, "vgpreload") ? "valgrind" : NULL;
#endif
}
