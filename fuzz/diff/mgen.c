#include "mgen.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { V_NULL, V_BOOL, V_INT, V_FLOAT, V_STR, V_ARR, V_OBJ, V_RAW };
#define MAXC 8
typedef struct Val {
  int kind;
  long long i;
  double f;
  char s[96];       /* V_STR text, V_RAW literal */
  char *big;        /* a long string (base64 of a module) instead of s */
  int n;            /* children */
  char key[MAXC][40];
  struct Val *c[MAXC];
} Val;

static Val *val(int kind) {
  Val *v = calloc(1, sizeof *v);
  if (v == NULL) exit(2);
  v->kind = kind;
  return v;
}
static Val *str(const char *s) {
  Val *v = val(V_STR);
  snprintf(v->s, sizeof v->s, "%s", s);
  return v;
}
static Val *num(long long i) {
  Val *v = val(V_INT);
  v->i = i;
  return v;
}
static void put(Val *o, const char *k, Val *c) {
  if (o->n >= MAXC || c == NULL) return;
  snprintf(o->key[o->n], sizeof o->key[0], "%s", k);
  o->c[o->n++] = c;
}
static void val_free(Val *v) {
  if (v == NULL) return;
  for (int i = 0; i < v->n; i++) val_free(v->c[i]);
  free(v->big);
  free(v);
}

/* An odd value of any kind: what a field of the wrong type, or an edge of the right one, looks like. */
static Val *odd(Rng *r) {
  static const long long INTS[] = {0, 1, -1, 2, 3, 16, 65535, 65536, 4294967295LL, 4294967296LL,
                                   9223372036854775807LL, (-9223372036854775807LL - 1)};
  /* the last five are TOML's own (a date, inf, nan, hex, digit groups): junk in JSON */
  static const char *RAW[] = {"18446744073709551615", "18446744073709551616", "1e30", "-0", "1.5",
                              "0.0", "100000000000000000000000", "1979-05-27T07:32:00Z", "inf", "nan",
                              "0x10", "1_000"};
  static const char *STRS[] = {"", "x", "1", "true", "null", "\\u00e9t\\u00e9", "a\\nb", "\\ud800"};
  switch (rng_below(r, 8)) {
  case 0: return val(V_NULL);
  case 1: { Val *v = val(V_BOOL); v->i = rng_below(r, 2); return v; }
  case 2: case 3: return num(INTS[rng_below(r, sizeof INTS / sizeof *INTS)]);
  case 4: { Val *v = val(V_RAW); snprintf(v->s, sizeof v->s, "%s", RAW[rng_below(r, sizeof RAW / sizeof *RAW)]); return v; }
  case 5: { Val *v = val(V_STR); snprintf(v->s, sizeof v->s, "%s", STRS[rng_below(r, 8)]); return v; }
  case 6: return val(V_ARR);
  default: return val(V_OBJ);
  }
}

/* A plausible value for a field, or (pct_odd of the time) an odd one. */
static Val *maybe_odd(Rng *r, Val *good, unsigned pct_odd) {
  if (rng_pct(r, pct_odd)) {
    val_free(good);
    return odd(r);
  }
  return good;
}

void base64(const uint8_t *p, size_t n, Buf *out) {
  static const char T[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  for (size_t i = 0; i < n; i += 3) {
    uint32_t v = (uint32_t)p[i] << 16 | (i + 1 < n ? (uint32_t)p[i + 1] << 8 : 0) |
                 (i + 2 < n ? p[i + 2] : 0);
    buf_u8(out, (uint8_t)T[v >> 18]);
    buf_u8(out, (uint8_t)T[(v >> 12) & 63]);
    buf_u8(out, i + 1 < n ? (uint8_t)T[(v >> 6) & 63] : '=');
    buf_u8(out, i + 2 < n ? (uint8_t)T[v & 63] : '=');
  }
}

static Val *source(Rng *r, const Buf *wasm, const char *wasm_path, int main_name) {
  Val *s = val(V_OBJ);
  uint32_t k = rng_below(r, 10);
  if (k < 6) {
    Val *d = val(V_STR);
    Buf b = {0};
    base64(wasm->p, wasm->n, &b);
    if (k == 5 && b.n > 4) b.p[b.n / 2] = '!'; /* not base64 */
    d->big = strdup(buf_str(&b));
    buf_free(&b);
    put(s, "data", d);
  } else if (k < 8) {
    put(s, "path", str(k == 6 ? wasm_path : "/nonexistent/plugin.wasm"));
  } else if (k == 8) {
    put(s, "data", maybe_odd(r, str("AGFzbQEAAAA="), 50)); /* the empty module, or junk */
  } else {
    put(s, "url", str("http://127.0.0.1:1/plugin.wasm")); /* nothing listens there */
  }
  if (main_name || rng_pct(r, 30))
    put(s, "name", maybe_odd(r, str(main_name ? "main" : (rng_pct(r, 50) ? "main" : "other")), 15));
  if (rng_pct(r, 10))
    put(s, "hash", maybe_odd(r, str(rng_pct(r, 50) ? "00" : "0000000000000000000000000000000000000000000000000000000000000000"), 30));
  if (rng_pct(r, 5)) put(s, "unknown_field", odd(r));
  return s;
}

static Val *manifest(Rng *r, const Buf *wasm, const char *wasm_path) {
  Val *m = val(V_OBJ);
  if (rng_pct(r, 95)) {
    Val *w = val(V_ARR);
    int n = rng_pct(r, 85) ? 1 : (int)rng_below(r, 3);
    for (int i = 0; i < n; i++) w->c[w->n++] = source(r, wasm, wasm_path, n > 1 && i == n - 1);
    put(m, "wasm", maybe_odd(r, w, 5));
  }
  if (rng_pct(r, 50)) {
    Val *mem = val(V_OBJ);
    static const char *F[] = {"max_pages", "max_http_response_bytes", "max_var_bytes"};
    for (int i = 0; i < 3; i++)
      if (rng_pct(r, 50)) put(mem, F[i], maybe_odd(r, num(rng_pct(r, 50) ? (long long)rng_below(r, 5) : 1LL << rng_below(r, 20)), 30));
    put(m, "memory", maybe_odd(r, mem, 10));
  }
  if (rng_pct(r, 50)) {
    Val *c = val(V_OBJ);
    int n = (int)rng_below(r, 4);
    static const char *K[] = {"k1", "k2", "", "k1"};
    for (int i = 0; i < n; i++) put(c, K[rng_below(r, 4)], maybe_odd(r, str(rng_pct(r, 50) ? "v" : "value two"), 25));
    put(m, "config", maybe_odd(r, c, 10));
  }
  if (rng_pct(r, 30)) {
    Val *h = val(V_ARR);
    h->c[h->n++] = maybe_odd(r, str(rng_pct(r, 50) ? "*.example.com" : "127.0.0.1"), 20);
    put(m, "allowed_hosts", maybe_odd(r, h, 20));
  }
  if (rng_pct(r, 30)) {
    Val *p = val(V_OBJ);
    put(p, rng_pct(r, 50) ? "/tmp" : "ro:/tmp", maybe_odd(r, str("/data"), 20));
    put(m, "allowed_paths", maybe_odd(r, p, 20));
  }
  if (rng_pct(r, 30)) {
    /* timeout_ms 0 is racy upstream (a call may time out at once or run: REFERENCE-NOTES.md) */
    Val *t = maybe_odd(r, num(rng_pct(r, 50) ? 1000 : 60000), 50);
    if (t->kind == V_INT && t->i == 0) t->i = 1000;
    if (t->kind == V_RAW && (strcmp(t->s, "-0") == 0 || strcmp(t->s, "0.0") == 0)) snprintf(t->s, sizeof t->s, "1000.0");
    put(m, "timeout_ms", t);
  }
  if (rng_pct(r, 5)) put(m, rng_pct(r, 50) ? "extra" : "Wasm", odd(r));
  return m;
}

static void json_str(const char *s, Buf *out) {
  buf_u8(out, '"');
  buf_put(out, s, strlen(s)); /* already JSON-escaped text */
  buf_u8(out, '"');
}

static void write_json(const Val *v, Buf *out) {
  switch (v->kind) {
  case V_NULL: buf_printf(out, "null"); break;
  case V_BOOL: buf_printf(out, v->i ? "true" : "false"); break;
  case V_INT: buf_printf(out, "%lld", v->i); break;
  case V_RAW: buf_printf(out, "%s", v->s); break;
  case V_STR: json_str(v->big ? v->big : v->s, out); break;
  case V_ARR:
    buf_u8(out, '[');
    for (int i = 0; i < v->n; i++) {
      if (i) buf_u8(out, ',');
      write_json(v->c[i], out);
    }
    buf_u8(out, ']');
    break;
  default:
    buf_u8(out, '{');
    for (int i = 0; i < v->n; i++) {
      if (i) buf_u8(out, ',');
      json_str(v->key[i], out);
      buf_u8(out, ':');
      write_json(v->c[i], out);
    }
    buf_u8(out, '}');
  }
}

/* TOML has no null: a null member is left out (a null in an array becomes an empty table). */
static void write_toml_value(const Val *v, Buf *out) {
  switch (v->kind) {
  case V_NULL: buf_printf(out, "{}"); break;
  case V_ARR:
    buf_u8(out, '[');
    for (int i = 0; i < v->n; i++) {
      if (i) buf_printf(out, ", ");
      write_toml_value(v->c[i], out);
    }
    buf_u8(out, ']');
    break;
  case V_OBJ: {
    buf_u8(out, '{');
    int first = 1;
    for (int i = 0; i < v->n; i++) {
      if (v->c[i]->kind == V_NULL) continue;
      buf_printf(out, first ? " " : ", ");
      first = 0;
      json_str(v->key[i], out);
      buf_printf(out, " = ");
      write_toml_value(v->c[i], out);
    }
    buf_printf(out, " }");
    break;
  }
  default: write_json(v, out);
  }
}

static void write_toml(const Val *m, Buf *out) {
  for (int i = 0; i < m->n; i++) {
    if (m->c[i]->kind == V_NULL) continue;
    buf_printf(out, "%s = ", m->key[i]);
    write_toml_value(m->c[i], out);
    buf_u8(out, '\n');
  }
}

void gen_manifest(Rng *r, const Buf *wasm, const char *wasm_path, int toml, Buf *out) {
  Val *m = manifest(r, wasm, wasm_path);
  if (toml) write_toml(m, out);
  else write_json(m, out);
  val_free(m);
  /* Sometimes damage the text: cut it, or put a stray byte in. */
  if (out->n && rng_pct(r, 8)) {
    if (rng_pct(r, 50)) out->n = rng_below(r, (uint32_t)out->n);
    else out->p[rng_below(r, (uint32_t)out->n)] = "}]\",:\x01\xff"[rng_below(r, 7)];
  }
}

void gen_config_json(Rng *r, Buf *out) {
  uint32_t k = rng_below(r, 20);
  if (k == 0) { buf_printf(out, "not json"); return; }
  if (k == 1) { buf_printf(out, "[]"); return; }
  if (k == 2) return; /* empty */
  Val *c = val(V_OBJ);
  int n = (int)rng_below(r, 4);
  static const char *K[] = {"k1", "k2", "", "missing"};
  for (int i = 0; i < n; i++) {
    Val *v = rng_pct(r, 30) ? val(V_NULL) : str(rng_pct(r, 50) ? "new" : "");
    put(c, K[rng_below(r, 4)], maybe_odd(r, v, 10));
  }
  write_json(c, out);
  val_free(c);
}
