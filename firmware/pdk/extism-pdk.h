/* extism-pdk.h: a small PDK for Extism plugins written in C, for microcontroller-sized plugins.
 *
 * Header only, no libc: clang --target=wasm32-unknown-unknown -nostdlib -ffreestanding. Wraps the
 * `extism:host/env` imports (../../../shared/spec/abi.md, section 5) in the helpers a plugin needs:
 * its input, its output, config, vars, log lines and an error. Names follow upstream's C PDK
 * (extism_input_length, extism_output_buf, ...); everything is copied between the plugin's own
 * memory and the kernel's blocks a byte or 8 bytes at a time through the accessor imports, so the
 * plugin needs no allocator of its own. A plugin can also do without memory of its own at all: see
 * the last section, "plugins without linear memory".
 *
 * A handle (ExtismHandle) is an offset in kernel memory; 0 is "none". Kernel blocks last until the
 * next call starts (the runtime wipes kernel memory then), so the helpers never free them.
 *
 * firmware/firmware.mk builds firmware/pdk/count_vowels.c with it; docs/firmware.md shows how. */
#ifndef EXTISM_PDK_H
#define EXTISM_PDK_H

typedef unsigned long long ExtismHandle;
typedef unsigned long long extism_u64;
typedef unsigned long extism_size;

#define EXTISM_IMPORT(name) __attribute__((import_module("extism:host/env"), import_name(name)))
/* Marks a function as a plugin export, callable by the host under `name`: int32_t f(void), 0 = ok. */
#define EXTISM_EXPORT(name) __attribute__((export_name(name)))

/* ---- the imports (each one a function of the kernel or of the runtime) ---- */
EXTISM_IMPORT("alloc") ExtismHandle extism_alloc(extism_u64 n);
EXTISM_IMPORT("length") extism_u64 extism_length(ExtismHandle h);
EXTISM_IMPORT("load_u8") unsigned extism_load_u8(ExtismHandle at);
EXTISM_IMPORT("load_u64") extism_u64 extism_load_u64(ExtismHandle at);
EXTISM_IMPORT("store_u8") void extism_store_u8(ExtismHandle at, unsigned v);
EXTISM_IMPORT("store_u64") void extism_store_u64(ExtismHandle at, extism_u64 v);
EXTISM_IMPORT("input_length") extism_u64 extism_input_length(void);
EXTISM_IMPORT("input_load_u8") unsigned extism_input_load_u8(extism_u64 i);
EXTISM_IMPORT("input_load_u64") extism_u64 extism_input_load_u64(extism_u64 i);
EXTISM_IMPORT("output_set") void extism_output_set(ExtismHandle at, extism_u64 n);
EXTISM_IMPORT("error_set") void extism_error_set(ExtismHandle msg);
EXTISM_IMPORT("config_get") ExtismHandle extism_config_get(ExtismHandle key);
EXTISM_IMPORT("var_get") ExtismHandle extism_var_get(ExtismHandle key);
EXTISM_IMPORT("var_set") void extism_var_set(ExtismHandle key, ExtismHandle value);
EXTISM_IMPORT("log_debug") void extism_log_debug(ExtismHandle msg);
EXTISM_IMPORT("log_info") void extism_log_info(ExtismHandle msg);
EXTISM_IMPORT("log_warn") void extism_log_warn(ExtismHandle msg);
EXTISM_IMPORT("log_error") void extism_log_error(ExtismHandle msg);

/* ---- helpers ---- */

static inline extism_size extism_strlen(const char *s) {
  extism_size n = 0;
  while (s[n])
    n++;
  return n;
}

/* Copies n bytes of kernel memory at `h` + `offset` into dest (8 bytes at a time, then the tail). */
static inline void extism_load(ExtismHandle h, extism_u64 offset, void *dest, extism_u64 n) {
  unsigned char *d = dest;
  extism_u64 i = 0;
  for (; i + 8 <= n; i += 8) {
    extism_u64 w = extism_load_u64(h + offset + i);
    for (int b = 0; b < 8; b++)
      d[i + b] = (unsigned char)(w >> (8 * b));
  }
  for (; i < n; i++)
    d[i] = (unsigned char)extism_load_u8(h + offset + i);
}

/* A new kernel block holding a copy of n bytes at src (0 when n is 0 or the kernel is full). */
static inline ExtismHandle extism_alloc_buf(const void *src, extism_u64 n) {
  const unsigned char *s = src;
  ExtismHandle h = extism_alloc(n);
  if (h == 0)
    return 0;
  extism_u64 i = 0;
  for (; i + 8 <= n; i += 8) {
    extism_u64 w = 0;
    for (int b = 0; b < 8; b++)
      w |= (extism_u64)s[i + b] << (8 * b);
    extism_store_u64(h + i, w);
  }
  for (; i < n; i++)
    extism_store_u8(h + i, s[i]);
  return h;
}

static inline ExtismHandle extism_alloc_str(const char *s) { return extism_alloc_buf(s, extism_strlen(s)); }

/* Copies the call's input into dest, at most cap bytes; returns the input's full length (compare
 * with cap to know whether it was cut). */
static inline extism_u64 extism_load_input(void *dest, extism_size cap) {
  unsigned char *d = dest;
  extism_u64 len = extism_input_length(), n = len < cap ? len : cap, i = 0;
  for (; i + 8 <= n; i += 8) {
    extism_u64 w = extism_input_load_u64(i);
    for (int b = 0; b < 8; b++)
      d[i + b] = (unsigned char)(w >> (8 * b));
  }
  for (; i < n; i++)
    d[i] = (unsigned char)extism_input_load_u8(i);
  return len;
}

/* Publishes n bytes at src as the call's output. Returns 0, or 1 if the kernel had no room. */
static inline int extism_output_buf(const void *src, extism_u64 n) {
  ExtismHandle h = extism_alloc_buf(src, n);
  if (h == 0 && n != 0)
    return 1;
  extism_output_set(h, n);
  return 0;
}

/* Records `msg` as the call's error; returns 1, for `return extism_error("...")` from an export. */
static inline int extism_error(const char *msg) {
  extism_error_set(extism_alloc_str(msg));
  return 1;
}

/* Copies the value of a block into dest (at most cap - 1 bytes, NUL-terminated); returns its full
 * length, or -1 for handle 0 (no value). */
static inline long long extism_load_str(ExtismHandle h, char *dest, extism_size cap) {
  if (h == 0)
    return -1;
  extism_u64 len = extism_length(h), n = len < cap - 1 ? len : cap - 1;
  extism_load(h, 0, dest, n);
  dest[n] = 0;
  return (long long)len;
}

/* The manifest's (or extism_plugin_config's) value for `key`, as extism_load_str: -1 if unset. */
static inline long long extism_config_str(const char *key, char *dest, extism_size cap) {
  return extism_load_str(extism_config_get(extism_alloc_str(key)), dest, cap);
}

/* The var `key` as extism_load_str (-1 if unset); vars outlive calls, for the plugin's life. */
static inline long long extism_var_buf(const char *key, void *dest, extism_size cap) {
  return extism_load_str(extism_var_get(extism_alloc_str(key)), dest, cap);
}

/* Stores n bytes at src as the var `key` (n = 0 removes it). A var the host refuses (over
 * memory.max_var_bytes, or vars disabled) fails the call with the host's error. */
static inline void extism_var_set_buf(const char *key, const void *src, extism_u64 n) {
  extism_var_set(extism_alloc_str(key), n ? extism_alloc_buf(src, n) : 0);
}

/* A var holding an unsigned 64-bit count, 8 bytes little-endian (as the Rust PDK's var::set of a
 * u64 stores it, so plugins in either language read each other's). Unset: `fallback`. */
static inline extism_u64 extism_var_u64(const char *key, extism_u64 fallback) {
  unsigned char b[9];
  if (extism_var_buf(key, b, sizeof b) != 8)
    return fallback;
  extism_u64 v = 0;
  for (int i = 0; i < 8; i++)
    v |= (extism_u64)b[i] << (8 * i);
  return v;
}

static inline void extism_var_set_u64(const char *key, extism_u64 v) {
  unsigned char b[8];
  for (int i = 0; i < 8; i++)
    b[i] = (unsigned char)(v >> (8 * i));
  extism_var_set_buf(key, b, 8);
}

typedef enum { EXTISM_LOG_DEBUG, EXTISM_LOG_INFO, EXTISM_LOG_WARN, EXTISM_LOG_ERROR } ExtismLogLevel;

/* A log line at `level` (the host's level filter decides whether it is shown). */
static inline void extism_log(ExtismLogLevel level, const char *msg) {
  ExtismHandle h = extism_alloc_str(msg);
  switch (level) {
  case EXTISM_LOG_DEBUG: extism_log_debug(h); break;
  case EXTISM_LOG_INFO: extism_log_info(h); break;
  case EXTISM_LOG_WARN: extism_log_warn(h); break;
  default: extism_log_error(h); break;
  }
}

/* ---- plugins without linear memory ----
 *
 * A wasm memory is whole 64 KiB pages, and the engine allocates every declared page, so a plugin
 * that declares one page costs 64 KiB of RAM however little it uses. A plugin that keeps its bytes
 * in kernel memory (through the accessors) and its variables in wasm locals needs no page: built
 * with `-Wl,-z,stack-size=0 -Wl,--global-base=0` and no data (no string literal, array or
 * address-taken variable that the compiler keeps in memory), it declares a memory of 0 pages, which
 * costs nothing. Any access to that memory traps ("out of bounds memory access"): a plugin that
 * needs memory after all fails its call, never anything else. The helpers below store string
 * literals into kernel memory without placing them in the plugin's memory (the literal's bytes
 * become 64-bit constants in the code), print numbers there and read and write u64 vars. firmware/pdk/count_vowels.c is written this way. */

/* Byte i of the literal s (0 past its end), and 8 of them from byte i, little-endian: constants. */
#define EXTISM_LIT_B_(s, i) ((extism_u64)(unsigned char)((i) < sizeof(s) - 1 ? (s)[(i) < sizeof(s) ? (i) : 0] : 0))
#define EXTISM_LIT_W_(s, i)                                                                                        \
  (EXTISM_LIT_B_(s, i) | EXTISM_LIT_B_(s, i + 1) << 8 | EXTISM_LIT_B_(s, i + 2) << 16 |                          \
   EXTISM_LIT_B_(s, i + 3) << 24 | EXTISM_LIT_B_(s, i + 4) << 32 | EXTISM_LIT_B_(s, i + 5) << 40 |                 \
   EXTISM_LIT_B_(s, i + 6) << 48 | EXTISM_LIT_B_(s, i + 7) << 56)
/* The length of the literal s; a literal over 32 bytes fails the build (a negative array size). */
#define EXTISM_LIT_LEN_(s) (sizeof(char[sizeof(s) <= 33 ? 1 : -1]) * (sizeof(s) - 1))
#define EXTISM_LIT_ARGS_(s)                                                                                        \
  EXTISM_LIT_LEN_(s), EXTISM_LIT_W_(s, 0), EXTISM_LIT_W_(s, 8), EXTISM_LIT_W_(s, 16), EXTISM_LIT_W_(s, 24)

/* Stores the n (at most 32) bytes packed in w0..w3 at kernel offset `at`; returns `at + n`. Not
 * inlined: with the words as arguments the compiler cannot turn them into a table in memory. */
static inline __attribute__((noinline)) ExtismHandle extism_store_words_(ExtismHandle at, extism_u64 n,
                                                                          extism_u64 w0, extism_u64 w1,
                                                                          extism_u64 w2, extism_u64 w3) {
  for (extism_u64 i = 0; i < n; i++) {
    extism_u64 w = i < 8 ? w0 : i < 16 ? w1 : i < 24 ? w2 : w3;
    extism_store_u8(at + i, (unsigned)(w >> (8 * (i % 8))) & 0xff);
  }
  return at + n;
}

/* A new kernel block holding the packed bytes (0 when the kernel is full). */
static inline __attribute__((noinline)) ExtismHandle extism_lit_block_(extism_u64 n, extism_u64 w0,
                                                                        extism_u64 w1, extism_u64 w2,
                                                                        extism_u64 w3) {
  ExtismHandle h = extism_alloc(n);
  if (h != 0)
    extism_store_words_(h, n, w0, w1, w2, w3);
  return h;
}

/* EXTISM_LIT("text"): a new kernel block holding the literal (at most 32 bytes), for a config or
 * var key, a log line or an error. EXTISM_STORE_LIT(at, "text"): stores it at kernel offset `at`,
 * evaluates to the offset after it. */
#define EXTISM_LIT(s) extism_lit_block_(EXTISM_LIT_ARGS_(s))
#define EXTISM_STORE_LIT(at, s) extism_store_words_((at), EXTISM_LIT_ARGS_(s))

/* The number of decimal digits of v (1 to 20). */
static inline extism_u64 extism_u64_dec_len(extism_u64 v) {
  extism_u64 digits = 1;
  for (v /= 10; v; v /= 10)
    digits++;
  return digits;
}

/* Stores v in decimal at kernel offset `at`; returns the offset after it. */
static inline ExtismHandle extism_store_u64_dec(ExtismHandle at, extism_u64 v) {
  extism_u64 digits = extism_u64_dec_len(v);
  for (extism_u64 i = digits; i-- > 0; v /= 10)
    extism_store_u8(at + i, (unsigned)('0' + v % 10));
  return at + digits;
}

/* The var `key` (a kernel block, which the runtime frees, as upstream's does: pass a new one each
 * time) as an unsigned 64-bit count, 8 bytes little-endian as extism_var_u64 reads it; unset or
 * another length: `fallback`. */
static inline extism_u64 extism_var_u64_at(ExtismHandle key, extism_u64 fallback) {
  ExtismHandle h = extism_var_get(key);
  return h != 0 && extism_length(h) == 8 ? extism_load_u64(h) : fallback;
}

/* Stores v as the var `key` (a kernel block, freed by the runtime), as extism_var_set_u64 does. */
static inline void extism_var_set_u64_at(ExtismHandle key, extism_u64 v) {
  ExtismHandle h = extism_alloc(8);
  if (h == 0)
    return; /* the kernel is full: the var keeps its value */
  extism_store_u64(h, v);
  extism_var_set(key, h);
}

#endif
