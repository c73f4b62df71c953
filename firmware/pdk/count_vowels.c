/* The C twin of ctests/plugins/pdk/c1 (the Rust PDK plugin the firmware also runs), on our small
 * PDK header (extism-pdk.h): `count_vowels` counts the input bytes found in config key `vowels`
 * (default "aeiouAEIOU"), adds the count to a running `total` kept in a var (8 bytes little-endian,
 * as the Rust PDK stores a u64), logs a line at info level, and returns
 * {"count":N,"total":T,"vowels":"..."}. An empty input is an error (rc 1). */
#include "extism-pdk.h"

/* Appends s (JSON-escaped when `quote`) to out at *n, within cap. */
static void put(char *out, extism_size *n, extism_size cap, const char *s, int quote) {
  for (; *s && *n + 2 < cap; s++) {
    if (quote && (*s == '"' || *s == '\\'))
      out[(*n)++] = '\\';
    out[(*n)++] = *s;
  }
}

static void put_u64(char *out, extism_size *n, extism_size cap, extism_u64 v) {
  char digits[21], *p = digits + sizeof digits;
  *--p = 0;
  do {
    *--p = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  put(out, n, cap, p, 0);
}

EXTISM_EXPORT("count_vowels") int count_vowels(void) {
  char vowels[64], input[512], out[160], line[48];
  if (extism_config_str("vowels", vowels, sizeof vowels) < 0) {
    const char *fallback = "aeiouAEIOU";
    extism_size i = 0;
    for (; fallback[i]; i++)
      vowels[i] = fallback[i];
    vowels[i] = 0;
  }
  extism_u64 len = extism_load_input(input, sizeof input);
  if (len == 0)
    return extism_error("count_vowels: no input");
  if (len > sizeof input)
    return extism_error("count_vowels: input over 512 bytes");
  extism_u64 count = 0;
  for (extism_u64 i = 0; i < len; i++)
    for (const char *v = vowels; *v; v++)
      if (input[i] == *v) {
        count++;
        break;
      }
  extism_u64 total = extism_var_u64("total", 0) + count;
  extism_var_set_u64("total", total);

  extism_size n = 0;
  put(line, &n, sizeof line, "count_vowels: counted ", 0);
  put_u64(line, &n, sizeof line, count);
  line[n] = 0;
  extism_log(EXTISM_LOG_INFO, line);

  n = 0;
  put(out, &n, sizeof out, "{\"count\":", 0);
  put_u64(out, &n, sizeof out, count);
  put(out, &n, sizeof out, ",\"total\":", 0);
  put_u64(out, &n, sizeof out, total);
  put(out, &n, sizeof out, ",\"vowels\":\"", 0);
  put(out, &n, sizeof out, vowels, 1);
  put(out, &n, sizeof out, "\"}", 0);
  return extism_output_buf(out, n) ? extism_error("count_vowels: no room for the output") : 0;
}
