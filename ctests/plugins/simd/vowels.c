/* count_vowels in C on the kernel ABI, input -> {"count":N} counting aeiouAEIOU (as firmware/plugin.c
 * and the count part of c1). Built twice (ctests/Makefile): with clang -msimd128 as vowels_simd.wasm,
 * which compares 16 input bytes at a time through wasm_simd128.h, and without as vowels_scalar.wasm,
 * one byte at a time. simd_used returns 1 in the SIMD build. */
#include "../wasm_abi.h"

#ifdef __wasm_simd128__
#include <wasm_simd128.h>
#endif

#define CHUNK 4096
static u8 buf[CHUNK];

/* Vowels in buf[0..n), 16 bytes at a time where SIMD is built in. */
static u64 count_chunk(u64 n) {
  u64 count = 0, i = 0;
#ifdef __wasm_simd128__
  const v128_t lower = wasm_i8x16_splat(0x20);
  for (; i + 16 <= n; i += 16) {
    v128_t c = wasm_v128_or(wasm_v128_load(buf + i), lower);
    v128_t hit = wasm_v128_or(
        wasm_v128_or(wasm_i8x16_eq(c, wasm_i8x16_splat('a')), wasm_i8x16_eq(c, wasm_i8x16_splat('e'))),
        wasm_v128_or(wasm_v128_or(wasm_i8x16_eq(c, wasm_i8x16_splat('i')), wasm_i8x16_eq(c, wasm_i8x16_splat('o'))),
                     wasm_i8x16_eq(c, wasm_i8x16_splat('u'))));
    count += (u64)__builtin_popcount(wasm_i8x16_bitmask(hit));
  }
#endif
  for (; i < n; i++) {
    switch (buf[i] | 0x20) {
    case 'a': case 'e': case 'i': case 'o': case 'u':
      count++;
    }
  }
  return count;
}

EXPORT("count_vowels") i32 count_vowels(void) {
  static const char head[] = "{\"count\":";
  char text[32], digits[20];
  u64 len = x_input_length(), count = 0, at = 0, n = 0, d = 0, p, i;
  while (at < len) {
    u64 take = len - at < CHUNK ? len - at : CHUNK;
    for (i = 0; i < take; i++)
      buf[i] = (u8)x_input_load_u8(at + i);
    count += count_chunk(take);
    at += take;
  }
  for (; head[n]; n++)
    text[n] = head[n];
  do {
    digits[d++] = (char)('0' + count % 10);
    count /= 10;
  } while (count);
  while (d)
    text[n++] = digits[--d];
  text[n++] = '}';
  p = x_alloc(n);
  for (i = 0; i < n; i++)
    x_store_u8(p + i, (u8)text[i]);
  x_output_set(p, n);
  return 0;
}

EXPORT("simd_used") i32 simd_used(void) {
#ifdef __wasm_simd128__
  return 1;
#else
  return 0;
#endif
}
