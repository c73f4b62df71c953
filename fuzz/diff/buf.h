/* A growable byte buffer (wasm bytes, transcripts, case listings) and the seeded generator. */
#ifndef DIFF_BUF_H
#define DIFF_BUF_H
#include <stddef.h>
#include <stdint.h>

typedef struct {
  uint8_t *p;
  size_t n, cap;
} Buf;

void buf_put(Buf *b, const void *data, size_t n);
void buf_u8(Buf *b, uint8_t v);
void buf_uleb(Buf *b, uint64_t v);
void buf_sleb(Buf *b, int64_t v);
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* NUL-terminates without counting the NUL (b->p usable as a C string). */
const char *buf_str(Buf *b);
void buf_free(Buf *b);

/* splitmix64: every case is rebuilt from (seed, target, case index) alone, so one case replays alone. */
typedef struct {
  uint64_t s;
} Rng;
uint64_t rng_next(Rng *r);
/* 0..n-1 (n > 0). */
uint32_t rng_below(Rng *r, uint32_t n);
/* true with probability pct/100. */
int rng_pct(Rng *r, unsigned pct);

#endif
