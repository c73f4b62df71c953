/* The memory budget on a fixed heap (make ctest-nostd, VARIANT=arena): the no_std library runs on
 * one static arena through the allocator hook (firmware/heap.c, the allocator the firmware images
 * use), and every plugin gets a budget (extism_x_set_memory_budget). Plugins that try to take
 * everything (kernel allocations, memory.grow, vars, a huge input, a huge config) fail with the
 * budget's error, keep working, and the allocator never once refuses a request: no call reaches
 * past the arena, and the arena is sized as a host would size it (plugins x budget, plus the
 * compiled code, which the budget does not count). Each test runs in its own process with its own
 * copy of the arena. The budget's other behaviour is in t_x_budget.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* The firmware's allocator, compiled into this test as it is into the images. */
#include "../firmware/heap.c"

#define KIB 1024u
/* Under the build's 256 KiB kernel arena, so the budget sizes it. */
#define BUDGET (256 * KIB)
/* Plugins at their budget, plus room for compiled code and the library's own state: three small
 * ones, or two of the PDK plugin, whose memory declares 17 pages (1088 KiB) and whose first growth
 * reallocates them to 2176 KiB while the old buffer is still held. */
#define PLUGINS 3
#define PDK_BUDGET (4096 * KIB)
#define ARENA_BYTES (2 * PDK_BUDGET + 1024 * KIB)

static _Alignas(64) uint8_t arena[ARENA_BYTES];

__attribute__((constructor)) static void install_arena_heap(void) {
  heap_init(arena, sizeof arena);
  if (!extism_x_set_allocator(heap_alloc, heap_free, NULL)) {
    fprintf(stderr, "budget_arena: the allocator hook was refused (not the no_std library?)\n");
    abort();
  }
  extism_x_set_memory_budget(BUDGET);
}

static void budget_error(ExtismPlugin *p) {
  char want[160];
  snprintf(want, sizeof want, "oom: the plugin's memory budget of %u bytes is spent (extism_x_set_memory_budget)",
           BUDGET);
  CHECK_STR(extism_plugin_error(p), want);
}

static void still_works(ExtismPlugin *p) {
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
}

static void never_refused(const char *when) {
  struct heap_stats s = heap_stats();
  printf("    %s: arena %zu KiB, peak %zu KiB, live %zu KiB, refused %zu\n", when, s.size / KIB,
         s.peak / KIB, s.live / KIB, s.refused);
  CHECK_EQ_U64(s.refused, 0);
  CHECK(s.peak <= s.size);
}

/* Every way exhaust.wat has of taking memory, three plugins at once, each stopped at its budget. */
TEST(arena_budget_stops_every_exhaustion) {
  ExtismPlugin *p[PLUGINS];
  size_t n = 2048 * KIB;
  char *input = malloc(n + 1); /* the host's own memory, not the arena */
  int i;
  memset(input, 'a', n);
  input[n] = 0;
  for (i = 0; i < PLUGINS; i++) {
    char *m = manifest_for("exhaust", "");
    p[i] = plugin_from_text(m, false);
    free(m);
    CHECK_NOT_NULL(p[i]);
    if (!p[i])
      return;
  }
  for (i = 0; i < PLUGINS; i++) {
    CHECK_EQ_INT(call_str(p[i], "grow_loop", NULL), -1);
    budget_error(p[i]);
    CHECK_EQ_INT(call_str(p[i], "alloc_loop", NULL), -1);
    budget_error(p[i]);
    CHECK_EQ_INT(call_str(p[i], "quick", input), -1);
    budget_error(p[i]);
    still_works(p[i]);
  }
  never_refused("grow, alloc and input on 3 plugins");
  for (i = 0; i < PLUGINS; i++) {
    CHECK_EQ_INT(call_str(p[i], "var_loop", NULL), -1);
    budget_error(p[i]);
    still_works(p[i]);
  }
  never_refused("then vars on 3 plugins");
  for (i = 0; i < PLUGINS; i++)
    extism_plugin_free(p[i]);
  free(input);
}

/* Endless recursion, deep (the frame stack's limit) and wide (the value stack's): the call stack is
 * the call's own, outside the budget; it stays within extism_x_call_stack_bytes and is all given
 * back when the call ends (this build keeps no stack for the next call). */
TEST(arena_recursion_within_the_call_stack_bound) {
  static const char *const exports[] = {"recurse", "recurse_wide"};
  uint64_t bound = extism_x_call_stack_bytes();
  ExtismPlugin *p = load_plugin("exhaust", false);
  size_t i;
  still_works(p);
  for (i = 0; i < 2; i++) {
    struct heap_stats before, after;
    /* The first call also translates the function (compiled code, kept): measure the second. */
    CHECK_EQ_INT(call_str(p, exports[i], NULL), 134);
    before = heap_stats();
    heap_reset_peak();
    CHECK_EQ_INT(call_str(p, exports[i], NULL), 134);
    after = heap_stats(); /* (before the error text, which the plugin keeps until its next call) */
    CHECK_STR(extism_plugin_error(p), "wasm trap: call stack exhausted");
    printf("    %s: the call's stack took %zu KiB at its peak (bound %llu KiB), %zu bytes kept\n", exports[i],
           (after.peak - before.live) / KIB, (unsigned long long)(bound / KIB), after.live - before.live);
    CHECK(after.peak - before.live <= bound);
    CHECK_EQ_U64(after.live, before.live);
    still_works(p);
  }
  never_refused("endless recursion");
  extism_plugin_free(p);
}

/* A plugin's recorded error can be as large as its kernel memory; the host's C copy of it
 * (extism_plugin_error) is the library's, outside the budget: it is dropped by the next call, and
 * a later short error does not keep the large buffer. */
TEST(arena_error_copy_given_back) {
  ExtismPlugin *p = load_plugin("exhaust", false);
  size_t live_before;
  /* (the first call of an export also translates it: compiled code, kept) */
  CHECK_EQ_INT(call_str(p, "big_error", NULL), 1);
  still_works(p);
  live_before = heap_stats().live;
  CHECK_EQ_INT(call_str(p, "big_error", NULL), 1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK(heap_stats().live >= live_before + 32 * KIB); /* the copy */
  still_works(p);
  CHECK_EQ_U64(heap_stats().live, live_before);
  CHECK_EQ_INT(call_str(p, "no_such_export", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK(heap_stats().live < live_before + KIB);
  extism_plugin_free(p);
}

/* Two calls of a real PDK plugin (Rust, count_vowels). */
static void count_twice(ExtismPlugin *p) {
  CHECK_EQ_INT(call_str(p, "count_vowels", "hello world"), 0);
  CHECK_OUTPUT(p, "{\"count\":3,\"total\":3,\"vowels\":\"aeiouAEIOU\"}");
  CHECK_EQ_INT(call_str(p, "count_vowels", "aaa"), 0);
  CHECK_OUTPUT(p, "{\"count\":3,\"total\":6,\"vowels\":\"aeiouAEIOU\"}");
}

/* A plugin from `c` after two calls; NULL (a failed check) if it could not be made. */
static ExtismPlugin *counted_from(ExtismCompiledPlugin *c) {
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new_from_compiled(c, &err);
  CHECK_NOT_NULL(p);
  extism_plugin_new_error_free(err);
  if (p)
    count_twice(p);
  return p;
}

/* The PDK plugin runs under the budget. Two plugins from one compiled plugin: the first also
 * brings the compiled code its calls translate (lazily, shared), so the second shows what one
 * plugin takes by itself. Beyond its memory buffer and kernel arena, that is what the budget's
 * fixed charge (PLUGIN_BASE_BYTES, 40 KiB, config.rs) stands for. */
TEST(arena_budget_pdk_plugin) {
  size_t live_before = heap_stats().live, live_compiled, live_first, live_second, len = 0;
  uint8_t *w = plugin_bytes("c1", &len);
  char *err = NULL;
  ExtismCompiledPlugin *c;
  ExtismPlugin *p, *q;
  extism_x_set_memory_budget(PDK_BUDGET);
  c = extism_compiled_plugin_new(w, len, NULL, 0, false, &err);
  free(w);
  CHECK_NOT_NULL(c);
  if (!c)
    return;
  live_compiled = heap_stats().live;
  p = counted_from(c);
  if (!p)
    return;
  live_first = heap_stats().live;
  q = counted_from(c);
  if (!q)
    return;
  live_second = heap_stats().live;
  {
    /* The buffer of a 17-page memory grown once (2 x 1088 KiB) and the 256 KiB kernel arena. */
    size_t memories = 2 * 1088 * KIB + 256 * KIB, plugin = live_second - live_first;
    printf("    compiled plugin %zu KiB (+%zu KiB translated by the first calls); one plugin after "
           "two calls %zu KiB: memory buffer + kernel arena %zu KiB, the rest %zu bytes\n",
           (live_compiled - live_before) / KIB,
           (live_first - live_compiled - plugin) / KIB, plugin / KIB, memories / KIB,
           plugin - memories);
    CHECK(plugin >= memories);
    CHECK(plugin - memories <= 40 * KIB); /* within the fixed charge */
  }
  never_refused("two count_vowels plugins");
  extism_plugin_free(p);
  extism_plugin_free(q);
  extism_compiled_plugin_free(c);
  CHECK_EQ_U64(heap_stats().live, live_before);
}

/* A budget that leaves less than a wasm page for kernel memory: the heap arena is sized below a page
 * (whole 4 KiB units: here 8 KiB), the plugin works inside it, and whatever passes its end (a kernel
 * allocation, an input) fails the call with the budget's error; the plugin works on. */
TEST(arena_budget_sizes_a_sub_page_kernel_arena) {
  /* The fixed charge (40 KiB, extism.h), exhaust.wat's one page of memory, 8 KiB and 100 bytes. */
  uint64_t budget = 40 * KIB + 64 * KIB + 8 * KIB + 100;
  size_t live_before = heap_stats().live, n = 8 * KIB;
  char *input = malloc(n + 1), want[160];
  ExtismXCallStats stats;
  ExtismPlugin *p;
  memset(input, 'a', n);
  input[n] = 0;
  snprintf(want, sizeof want, "oom: the plugin's memory budget of %llu bytes is spent (extism_x_set_memory_budget)",
           (unsigned long long)budget);
  extism_x_set_memory_budget(budget);
  p = load_plugin("exhaust", false);
  CHECK_NOT_NULL(p);
  if (p) {
    input[n / 2] = 0; /* 4 KiB of input fits */
    CHECK_EQ_INT(call_str(p, "quick", input), 0);
    CHECK(extism_x_plugin_last_call_stats(p, &stats));
    CHECK_EQ_U64(stats.kernel_memory_bytes, 8 * KIB);
    input[n / 2] = 'a'; /* 8 KiB does not */
    CHECK_EQ_INT(call_str(p, "quick", input), -1);
    CHECK_STR(extism_plugin_error(p), want);
    CHECK_EQ_INT(call_str(p, "alloc_loop", NULL), -1);
    CHECK_STR(extism_plugin_error(p), want);
    CHECK_EQ_INT(call_str(p, "grow_loop", NULL), -1);
    CHECK_STR(extism_plugin_error(p), want);
    still_works(p);
    CHECK(extism_x_plugin_last_call_stats(p, &stats));
    CHECK_EQ_U64(stats.kernel_memory_bytes, 8 * KIB); /* never grown */
    extism_plugin_free(p);
  }
  never_refused("a sub-page kernel arena");
  CHECK_EQ_U64(heap_stats().live, live_before);
  free(input);
}

/* Plugins that cannot fit are refused at creation, before they take anything. */
TEST(arena_budget_refuses_at_creation) {
  size_t live_before = heap_stats().live;
  char *err = NULL;
  size_t len = 0;
  uint8_t *w = plugin_bytes("exhaust", &len);
  extism_x_set_memory_budget(64 * KIB);
  CHECK_NULL(extism_plugin_new(w, len, NULL, 0, false, &err));
  CHECK_NOT_NULL(err);
  if (err)
    CHECK_CONTAINS(err, "memory budget of 65536 bytes is spent");
  extism_plugin_new_error_free(err);
  CHECK_EQ_U64(heap_stats().live, live_before);
  never_refused("creation refused");
  free(w);
}
