/* The plugin the firmware image embeds: Extism's kernel ABI (extism:host/env) from plain C, built with
 * clang for wasm32 with one 64 KiB page of linear memory (8 KiB of it shadow stack) and no libc.
 *
 *   count_vowels  input text -> {"count":N}
 *   sum           input decimal N -> the decimal sum 1 + 2 + ... + N (a bounded amount of work,
 *                 run by the firmware as a stepped call)
 *   spin          never returns (stopped by a fuel limit or by timeout_ms)
 *   trap          executes `unreachable`
 *   grow          grows its memory a page at a time until refused (the memory budget stops the call)
 *   recurse       recursion with no base case (stopped by the interpreter's call stack limits)
 *
 * The same source built with a huge initial memory is the plugin too large for the board's heap. */

typedef unsigned long long u64;
typedef unsigned int u32;

#define ENV(name) __attribute__((import_module("extism:host/env"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

ENV("alloc") u64 x_alloc(u64 n);
ENV("store_u8") void x_store_u8(u64 p, u32 v);
ENV("input_length") u64 x_input_length(void);
ENV("input_load_u8") u32 x_input_load_u8(u64 i);
ENV("output_set") void x_output_set(u64 p, u64 n);

/* Publishes n bytes of linear memory as the call's output. */
static void output(const char *s, u64 n) {
  u64 p = x_alloc(n);
  for (u64 i = 0; i < n; i++)
    x_store_u8(p + i, (unsigned char)s[i]);
  x_output_set(p, n);
}

/* Writes v in decimal at *at; returns the number of digits. */
static u64 put_u64(char *at, u64 v) {
  char tmp[20];
  u64 n = 0, i;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  for (i = 0; i < n; i++)
    at[i] = tmp[n - 1 - i];
  return n;
}

EXPORT("count_vowels") int count_vowels(void) {
  static const char head[] = "{\"count\":";
  char buf[48];
  u64 len = x_input_length(), count = 0, n = 0;
  for (u64 i = 0; i < len; i++) {
    switch (x_input_load_u8(i) | 0x20) {
    case 'a': case 'e': case 'i': case 'o': case 'u':
      count++;
    }
  }
  for (; head[n]; n++)
    buf[n] = head[n];
  n += put_u64(buf + n, count);
  buf[n++] = '}';
  output(buf, n);
  return 0;
}

EXPORT("sum") int sum(void) {
  char buf[24];
  u64 len = x_input_length(), n = 0, total = 0;
  for (u64 i = 0; i < len; i++) {
    u32 c = x_input_load_u8(i);
    if (c < '0' || c > '9')
      return 1;
    n = n * 10 + (c - '0');
  }
  /* The loop is the point (a long call for stepping); keep clang from closing the form. */
  for (volatile u64 i = 1; i <= n; i++)
    total += i;
  output(buf, put_u64(buf, total));
  return 0;
}

EXPORT("spin") int spin(void) {
  volatile u32 x = 0;
  for (;;)
    x++;
}

EXPORT("trap") int trap(void) { __builtin_trap(); }

/* Called through a volatile pointer, so clang can turn the recursion into neither a loop nor a tail
 * call: every level is a wasm call frame. */
static u64 down(u64 n);
static u64 (*volatile down_ptr)(u64) = down;
static u64 down(u64 n) { return down_ptr(n + 1) + n; }

EXPORT("recurse") int recurse(void) { return (int)down_ptr(0); }

EXPORT("grow") int grow(void) {
  while (__builtin_wasm_memory_grow(0, 1) != (__SIZE_TYPE__)-1) {
  }
  return 0;
}
