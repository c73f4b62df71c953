#include "buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void reserve(Buf *b, size_t extra) {
  if (b->n + extra + 1 <= b->cap) return;
  size_t cap = b->cap ? b->cap : 64;
  while (cap < b->n + extra + 1) cap *= 2;
  uint8_t *p = realloc(b->p, cap);
  if (p == NULL) {
    fprintf(stderr, "fuzz-diff: out of memory\n");
    exit(2);
  }
  b->p = p;
  b->cap = cap;
}

void buf_put(Buf *b, const void *data, size_t n) {
  reserve(b, n);
  if (n) memcpy(b->p + b->n, data, n);
  b->n += n;
}

void buf_u8(Buf *b, uint8_t v) { buf_put(b, &v, 1); }

void buf_uleb(Buf *b, uint64_t v) {
  do {
    uint8_t byte = v & 0x7f;
    v >>= 7;
    if (v) byte |= 0x80;
    buf_u8(b, byte);
  } while (v);
}

void buf_sleb(Buf *b, int64_t v) {
  for (;;) {
    uint8_t byte = v & 0x7f;
    v >>= 7; /* arithmetic shift on every compiler we build with */
    int done = (v == 0 && !(byte & 0x40)) || (v == -1 && (byte & 0x40));
    if (!done) byte |= 0x80;
    buf_u8(b, byte);
    if (done) return;
  }
}

void buf_printf(Buf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n <= 0) return;
  reserve(b, (size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf((char *)b->p + b->n, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)n;
}

const char *buf_str(Buf *b) {
  reserve(b, 1);
  b->p[b->n] = 0;
  return (const char *)b->p;
}

void buf_free(Buf *b) {
  free(b->p);
  b->p = NULL;
  b->n = b->cap = 0;
}

uint64_t rng_next(Rng *r) {
  uint64_t z = (r->s += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint32_t rng_below(Rng *r, uint32_t n) { return (uint32_t)(rng_next(r) % n); }

int rng_pct(Rng *r, unsigned pct) { return rng_below(r, 100) < pct; }
