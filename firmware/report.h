/* What the firmware prints: checked steps ("ok: ..." / "FAIL: ...", the lines `make firmware-test`
 * requires) and a small string builder for the figures (no printf: nothing of newlib's stdio in
 * the image). Shared by main.c and pdk_plugins.c. */
#ifndef FIRMWARE_REPORT_H
#define FIRMWARE_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "extism.h"

extern int failures; /* FAIL lines so far */

void check(bool ok, const char *what);

struct text {
  char buf[320];
  size_t len;
};

void add(struct text *t, const char *s);
void add_n(struct text *t, const void *s, size_t n);
void add_u64(struct text *t, uint64_t v);
void add_i64(struct text *t, int64_t v);
/* `{"wasm":[{"data":{"ptr":P,"len":N}}]`: a manifest's start naming the `end - wasm` bytes at `wasm`
 * (in flash); the caller adds any other fields and the closing `}`. */
void add_flash_wasm(struct text *t, const uint8_t *wasm, const uint8_t *end);
void print(struct text *t); /* the text and a newline on the console; empties t */
/* ": rc N" and then ", error \"...\"" or ", output ..." of the plugin's last call. */
void add_call_result(struct text *t, ExtismPlugin *p, int32_t rc);

#endif
