/* A firmware-style host: the no_std library (make nostd) running on what the host hands it through
 * the extension hooks (extism_x_*), with no files and no operating-system clock or randomness.
 *
 *   build: linked against target/nostd/release/libextism.a and nothing else but the C library;
 *          the plugins are compiled in (examples/build/embedded_plugins.h, made from
 *          ctests/build/plugins/c1.wasm and loop.wasm by `make examples`)
 *   usage: nostd_host
 *
 * What the host supplies:
 *   - heap: a static arena (extism_x_set_allocator, installed before anything else), a bump
 *     allocator with per-size free lists; it reports its peak use at the end;
 *   - clock and wall clock: a tick counter (extism_x_set_clock, extism_x_set_wall_clock). On a
 *     board this reads a hardware timer; this hosted demo simulates a 1 kHz tick that advances by
 *     one each time it is read, so timeouts are measured without any OS time call;
 *   - randomness: a stand-in for a hardware RNG (extism_x_set_random);
 *   - log sink: every log line goes straight to the console (extism_x_set_log_sink);
 *   - a memory budget per plugin (extism_x_set_memory_budget): with it, the arena is sized by
 *     arithmetic, and a plugin that wants more gets an error instead of exhausting the arena.
 * The plugins come from memory through a manifest ({"data": {"ptr": ..., "len": ...}}).
 *
 * Everything here is single-threaded; hooks of a multi-threaded host must be thread-safe.
 * Expected output (ids and numbers vary; the timestamps come from the simulated tick):
 *   heap: static arena of 32768 KiB
 *   log: 1970-01-01T00:00:00.000000Z DEBUG extism::plugin: Available pages: None
 *   log: 1970-01-01T00:00:00.000000Z DEBUG extism::plugin: <plugin id> created
 *   log: ... DEBUG extism::plugin: input size: 13 plugin="<plugin id>"
 *   log: ... DEBUG extism::plugin: output offset=..., length=38 plugin="<plugin id>"
 *   log: ... DEBUG extism::plugin: error offset=0, length=0 plugin="<plugin id>"
 *   log: ... DEBUG extism::plugin: got return code: 0 plugin="<plugin id>"
 *   count_vowels: {"count":3,"total":3,"vowels":"aeiou"}
 *   (the same four lines)
 *   count_vowels: {"count":3,"total":6,"vowels":"aeiou"}
 *   log: ... DEBUG extism::plugin: Available pages: None
 *   log: ... DEBUG extism::plugin: <plugin id> created
 *   log: ... DEBUG extism::plugin: input size: 0 plugin="<plugin id>"
 *   log: ... DEBUG extism::plugin: output offset=0, length=0 plugin="<plugin id>"
 *   log: ... DEBUG extism::plugin: error offset=0, length=0 plugin="<plugin id>"
 *   log: ... DEBUG extism::plugin: call to loop timed out plugin="<plugin id>"
 *   loop (timeout_ms 50): rc 134, error "timeout"
 *   arena: peak 6687 KiB */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "embedded_plugins.h" /* c1_wasm[], loop_wasm[] and their _len */
#include "extism.h"

/* ---- the console: the one place output leaves the host (a UART on a board) ------------------ */
static void console(const char *text) { fputs(text, stdout); }

/* ---- heap: a static arena ----------------------------------------------------------------------
 * Blocks are rounded up to a power of two; a freed block goes on the free list of its size and is
 * reused by the next request of that size whose alignment it satisfies. The library passes the
 * size and alignment back to free, so blocks need no header. */
#define ARENA_SIZE ((size_t)32 << 20)
#define CLASSES 40
static uint8_t arena_mem[ARENA_SIZE];

struct arena {
  uint8_t *base;
  size_t top;               /* first never-used byte */
  size_t live, peak;        /* bytes in blocks handed out (rounded sizes) */
  void *free_list[CLASSES]; /* per size class (2^k bytes), linked through the blocks */
};

static unsigned size_class(size_t size) {
  unsigned k = 4; /* 16 bytes at least: room for the free-list link */
  while (((size_t)1 << k) < size)
    k++;
  return k;
}

static void *arena_alloc(void *user_data, size_t size, size_t align) {
  struct arena *a = user_data;
  unsigned k = size_class(size);
  if (k >= CLASSES)
    return NULL;
  size_t block = (size_t)1 << k;
  void *head = a->free_list[k];
  uint8_t *p = NULL;
  if (head != NULL && (uintptr_t)head % align == 0) {
    memcpy(&a->free_list[k], head, sizeof(void *));
    p = head;
  } else {
    uintptr_t at = ((uintptr_t)(a->base + a->top) + align - 1) & ~(uintptr_t)(align - 1);
    size_t offset = (size_t)(at - (uintptr_t)a->base);
    if (offset > ARENA_SIZE || ARENA_SIZE - offset < block)
      return NULL; /* out of memory: the library fails the operation cleanly where it can */
    a->top = offset + block;
    p = a->base + offset;
  }
  a->live += block;
  if (a->live > a->peak)
    a->peak = a->live;
  return p;
}

static void arena_free(void *user_data, void *ptr, size_t size, size_t align) {
  struct arena *a = user_data;
  (void)align;
  unsigned k = size_class(size);
  memcpy(ptr, &a->free_list[k], sizeof(void *));
  a->free_list[k] = ptr;
  a->live -= (size_t)1 << k;
}

static struct arena heap = {arena_mem, 0, 0, 0, {0}};

/* ---- clocks: a simulated 1 kHz tick (a board reads its timer here) ----------------------------- */
static uint64_t ticks;

static uint64_t monotonic_ns(void *user_data) {
  (void)user_data;
  return ++ticks * 1000000u;
}

static uint64_t wall_clock_ns(void *user_data) {
  (void)user_data;
  return ticks * 1000000u; /* the board has no calendar: time since power-on, as 1970 + ticks */
}

/* ---- randomness: stand-in for a hardware RNG (splitmix64; NOT cryptographically secure) ------- */
static bool random_bytes(void *user_data, uint8_t *buf, size_t len) {
  uint64_t *state = user_data;
  for (size_t i = 0; i < len; i++) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    buf[i] = (uint8_t)(z ^ (z >> 31));
  }
  return true;
}
static uint64_t rng_state = 0x5eed;

/* ---- log sink: each line straight to the console ------------------------------------------------ */
static void log_sink(void *user_data, const char *line, size_t len) {
  (void)user_data;
  (void)len;
  console("log: ");
  console(line); /* ends with "\n" */
}

/* A plugin from bytes in memory: a manifest naming them by address and length. */
static ExtismPlugin *plugin_from_memory(const unsigned char *wasm, size_t len, const char *extra) {
  char manifest[256];
  snprintf(manifest, sizeof manifest, "{\"wasm\":[{\"data\":{\"ptr\":%" PRIuPTR ",\"len\":%zu}}]%s}",
           (uintptr_t)wasm, len, extra);
  char *errmsg = NULL;
  ExtismPlugin *p =
      extism_plugin_new((const uint8_t *)manifest, strlen(manifest), NULL, 0, false, &errmsg);
  if (p == NULL) {
    console("error: ");
    console(errmsg ? errmsg : "(no message)");
    console("\n");
    extism_plugin_new_error_free(errmsg);
  }
  return p;
}

int main(void) {
  char text[256];
  /* The allocator comes first: once the library has allocated anything, its heap is fixed. A std
   * build always uses the system heap and refuses. */
  if (extism_x_set_allocator(arena_alloc, arena_free, &heap)) {
    snprintf(text, sizeof text, "heap: static arena of %zu KiB\n", ARENA_SIZE >> 10);
  } else {
    snprintf(text, sizeof text, "heap: the system's (this library was built with std)\n");
  }
  console(text);
  extism_x_set_clock(monotonic_ns, NULL);
  extism_x_set_wall_clock(wall_clock_ns, NULL);
  extism_x_set_random(random_bytes, &rng_state);
  extism_x_set_log_sink(log_sink, NULL, "debug");
  /* Each plugin may take at most 8 MiB (its wasm memories as the interpreter allocates them, its
   * kernel memory, vars and config): the 32 MiB arena holds three plugins at their budget plus the
   * compiled code plus the stack of the one call running at a time (extism_x_call_stack_bytes(),
   * 3.75 MiB with the default limits), so no plugin can exhaust it. */
  extism_x_set_memory_budget(8u << 20);

  int failed = 0;
  ExtismPlugin *c1 = plugin_from_memory(c1_wasm, c1_wasm_len, ",\"config\":{\"vowels\":\"aeiou\"}");
  if (c1 == NULL)
    return 1;
  for (int i = 0; i < 2; i++) {
    static const char input[] = "Hello, World!";
    int32_t rc = extism_plugin_call(c1, "count_vowels", (const uint8_t *)input, sizeof input - 1);
    if (rc != EXTISM_SUCCESS || extism_plugin_error(c1) != NULL) {
      failed = 1;
      break;
    }
    ExtismSize n = extism_plugin_output_length(c1);
    snprintf(text, sizeof text, "count_vowels: %.*s\n", (int)n,
             (const char *)extism_plugin_output_data(c1));
    console(text);
  }
  extism_plugin_free(c1);

  ExtismPlugin *loop = plugin_from_memory(loop_wasm, loop_wasm_len, ",\"timeout_ms\":50");
  if (loop == NULL)
    return 1;
  int32_t rc = extism_plugin_call(loop, "loop", NULL, 0);
  const char *err = extism_plugin_error(loop);
  snprintf(text, sizeof text, "loop (timeout_ms 50): rc %d, error \"%s\"\n", (int)rc,
           err ? err : "(none)");
  console(text);
  extism_plugin_free(loop);

  snprintf(text, sizeof text, "arena: peak %zu KiB\n", heap.peak >> 10);
  console(text);
  return failed;
}
