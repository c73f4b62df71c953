/* report.h: checked steps and the string builder. */
#include "report.h"

#include "board.h"

int failures;

void check(bool ok, const char *what) {
  console(ok ? "ok: " : "FAIL: ");
  console(what);
  console("\n");
  if (!ok)
    failures++;
}

void add(struct text *t, const char *s) {
  while (*s && t->len + 1 < sizeof t->buf)
    t->buf[t->len++] = *s++;
  t->buf[t->len] = 0;
}

void add_n(struct text *t, const void *s, size_t n) {
  for (size_t i = 0; i < n && t->len + 1 < sizeof t->buf; i++)
    t->buf[t->len++] = ((const char *)s)[i];
  t->buf[t->len] = 0;
}

void add_u64(struct text *t, uint64_t v) {
  char digits[21], *p = digits + sizeof digits;
  *--p = 0;
  do {
    *--p = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  add(t, p);
}

void add_flash_wasm(struct text *t, const uint8_t *wasm, const uint8_t *end) {
  add(t, "{\"wasm\":[{\"data\":{\"ptr\":");
  add_u64(t, (uintptr_t)wasm);
  add(t, ",\"len\":");
  add_u64(t, (uintptr_t)(end - wasm));
  add(t, "}}]");
}

void add_i64(struct text *t, int64_t v) {
  if (v < 0) {
    add(t, "-");
    add_u64(t, (uint64_t)0 - (uint64_t)v);
  } else {
    add_u64(t, (uint64_t)v);
  }
}

void add_call_result(struct text *t, ExtismPlugin *p, int32_t rc) {
  add(t, ": rc ");
  add_i64(t, rc);
  const char *err = extism_plugin_error(p);
  if (err) {
    add(t, ", error \"");
    add(t, err);
    add(t, "\"");
  } else {
    add(t, ", output ");
    add_n(t, extism_plugin_output_data(p), (size_t)extism_plugin_output_length(p));
  }
}

void print(struct text *t) {
  add(t, "\n");
  console(t->buf);
  t->len = 0;
}
