/* The C twin of ctests/plugins/pdk/c1 (the Rust PDK plugin the firmware also runs), on our small
 * PDK header (extism-pdk.h): `count_vowels` counts the input bytes found in config key `vowels`
 * (default "aeiouAEIOU"), adds the count to a running `total` kept in a var (8 bytes little-endian,
 * as the Rust PDK stores a u64), logs a line at info level, and returns
 * {"count":N,"total":T,"vowels":"..."}. An empty input is an error (rc 1).
 *
 * Written for no linear memory (extism-pdk.h, "plugins without linear memory"): every byte it reads
 * or writes is in kernel memory, every string a literal stored from constants, every variable a wasm
 * local, so it declares a memory of 0 pages (firmware/firmware.mk links it so) and costs no 64 KiB
 * page of RAM. */
#include "extism-pdk.h"

/* Whether byte c is one of the n bytes of the kernel block `set`. */
static int in_set(unsigned c, ExtismHandle set, extism_u64 n) {
  for (extism_u64 i = 0; i < n; i++)
    if (extism_load_u8(set + i) == c)
      return 1;
  return 0;
}

/* Copies the n bytes of kernel block `src` to `at`, JSON-escaped (a backslash before '"' and '\\'),
 * when `at` is not 0; returns the bytes that takes. */
static extism_u64 store_escaped(ExtismHandle at, ExtismHandle src, extism_u64 n) {
  extism_u64 out = 0;
  for (extism_u64 i = 0; i < n; i++) {
    unsigned c = extism_load_u8(src + i);
    if (c == '"' || c == '\\') {
      if (at)
        extism_store_u8(at + out, '\\');
      out++;
    }
    if (at)
      extism_store_u8(at + out, c);
    out++;
  }
  return out;
}

static int fail(ExtismHandle msg) {
  extism_error_set(msg);
  return 1;
}

EXTISM_EXPORT("count_vowels") int count_vowels(void) {
  extism_u64 len = extism_input_length();
  if (len == 0)
    return fail(EXTISM_LIT("count_vowels: no input"));
  ExtismHandle vowels = extism_config_get(EXTISM_LIT("vowels"));
  if (vowels == 0)
    vowels = EXTISM_LIT("aeiouAEIOU");
  extism_u64 nvowels = extism_length(vowels);

  extism_u64 count = 0;
  for (extism_u64 i = 0; i < len; i++)
    count += (extism_u64)in_set(extism_input_load_u8(i), vowels, nvowels);
  extism_u64 total = extism_var_u64_at(EXTISM_LIT("total"), 0) + count;
  extism_var_set_u64_at(EXTISM_LIT("total"), total);

  ExtismHandle line = extism_alloc(22 + extism_u64_dec_len(count));
  if (line != 0) {
    extism_store_u64_dec(EXTISM_STORE_LIT(line, "count_vowels: counted "), count);
    extism_log_info(line);
  }

  /* {"count":N,"total":T,"vowels":"..."} */
  extism_u64 n = 9 + extism_u64_dec_len(count) + 9 + extism_u64_dec_len(total) + 11 +
                 store_escaped(0, vowels, nvowels) + 2;
  ExtismHandle out = extism_alloc(n);
  if (out == 0)
    return fail(EXTISM_LIT("count_vowels: no room for output"));
  ExtismHandle at = extism_store_u64_dec(EXTISM_STORE_LIT(out, "{\"count\":"), count);
  at = extism_store_u64_dec(EXTISM_STORE_LIT(at, ",\"total\":"), total);
  at = EXTISM_STORE_LIT(at, ",\"vowels\":\"");
  at += store_escaped(at, vowels, nvowels);
  EXTISM_STORE_LIT(at, "\"}");
  extism_output_set(out, n);
  return 0;
}
