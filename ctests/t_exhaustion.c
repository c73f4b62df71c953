/* Resource exhaustion (reliability): a plugin that allocates kernel memory in a loop, one that grows
 * its memory to the limit, one that recurses forever, one that loops forever with no timeout but a
 * fuel limit, one that asks for a 1 GiB output. Each fails cleanly with a clear error, the plugin
 * keeps working, and the host's memory (resident set, from /proc/self/statm) returns to its level
 * once the plugin is freed. Plugin: plugins/exhaust.wat. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

/* Memory the host may keep after a plugin is gone (allocator caches): far below what the tests
 * make the plugins take (64 MiB and more). */
#define RSS_SLACK_KIB (16 * 1024)

static long statm_kib(int field) {
  long v[2] = {0, 0};
  FILE *f = fopen("/proc/self/statm", "r");
  if (f == NULL)
    return -1;
  if (fscanf(f, "%ld %ld", &v[0], &v[1]) != 2)
    v[field] = -1;
  fclose(f);
  return v[field] * (sysconf(_SC_PAGESIZE) / 1024);
}
static long rss_kib(void) { return statm_kib(1); }

/* Peak resident set so far (VmHWM), to show the plugin really took the memory. */
static long peak_kib(void) {
  char line[256];
  long v = -1;
  FILE *f = fopen("/proc/self/status", "r");
  if (f == NULL)
    return -1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "VmHWM: %ld kB", &v) == 1)
      break;
  fclose(f);
  return v;
}


static ExtismPlugin *exhaust(const char *extra) {
  char *m = manifest_for("exhaust", extra);
  ExtismPlugin *p = plugin_from_text(m, false);
  free(m);
  return p;
}

/* The level to come back to: measured after one plugin was made, used and freed, so one-time
 * allocations (engine statics, the logger) are already in it. */
static long baseline(void) {
  ExtismPlugin *p = exhaust("");
  call_str(p, "quick", NULL);
  extism_plugin_free(p);
  return rss_kib();
}

static void check_rss_back(long before, const char *what) {
  long after = rss_kib(), peak = peak_kib();
  if (memory_checker()) {
    printf("    (resident set not checked under %s)\n", memory_checker());
    return;
  }
  printf("    %s: resident %ld KiB before, peak %ld KiB, %ld KiB after freeing the plugin\n", what,
         before, peak, after);
  CHECK(before > 0 && after > 0);
  CHECK(after - before < RSS_SLACK_KIB);
}

static void still_works(ExtismPlugin *p) {
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
}

/* Kernel allocations in a loop under a page budget: the allocation that passes it stops the call
 * with "oom". */
TEST(exhaust_kernel_alloc_loop_page_limit) {
  long before = baseline();
  ExtismPlugin *p = exhaust(",\"memory\":{\"max_pages\":1024}");
  CHECK_EQ_INT(call_str(p, "alloc_loop", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "oom");
  CHECK_EQ_U64(extism_plugin_output_length(p), 0);
  still_works(p);
  CHECK_EQ_INT(call_str(p, "alloc_loop", NULL), -1); /* the same again: memory was wiped */
  CHECK_STR(extism_plugin_error(p), "oom");
  extism_plugin_free(p);
  check_rss_back(before, "alloc loop, 1024 pages");
}

/* With no budget, kernel memory ends at its 1 GiB arena: alloc returns 0 there (the plugin sees
 * the failure and stops), about 16380 blocks of 64 KiB later, one page of each touched (64 MiB).
 * The next call's wipe of those 1 GiB must not make the untouched pages resident, and gives the
 * touched ones back (fuzz/README.md: before, the wipe wrote zeros over all of it, 1 GiB resident). */
TEST_NOT_UPSTREAM(exhaust_kernel_alloc_loop_arena,
                  "kernel memory grows to 4 GiB there, so the loop runs four times as long") {
  long before = baseline(), after_loop, after_wipe;
  ExtismPlugin *p = exhaust("");
  uint64_t n;
  CHECK_EQ_INT(call_str(p, "alloc_loop", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  n = output_u64(p, 0);
  CHECK(n > 16000 && n < 16384);
  after_loop = rss_kib();
  still_works(p); /* this call wipes the 1 GiB */
  after_wipe = rss_kib();
  if (!memory_checker()) {
    printf("    resident %ld KiB after the loop, %ld KiB after the next call's wipe, peak %ld KiB\n",
           after_loop, after_wipe, peak_kib());
    CHECK(after_loop - before > 48 * 1024);     /* the loop did touch its blocks */
    CHECK(after_wipe - before < RSS_SLACK_KIB); /* the wipe gave them back... */
    CHECK(peak_kib() - before < 256 * 1024);   /* ...without touching the rest first */
  }
  extism_plugin_free(p);
  check_rss_back(before, "alloc loop, 1 GiB arena");
}

/* memory.grow page by page (each page touched) up to max_pages: the refusal fails the call with
 * "oom", whatever the plugin does with the -1. */
TEST(exhaust_memory_grow_to_limit) {
  long before = baseline();
  ExtismPlugin *p = exhaust(",\"memory\":{\"max_pages\":1024}");
  CHECK_EQ_INT(call_str(p, "grow_loop", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "oom");
  still_works(p);
  extism_plugin_free(p);
  check_rss_back(before, "memory.grow to 1024 pages");
}

/* Recursion with no base case: a trap, not a crash of the host's stack. */
TEST(exhaust_infinite_recursion) {
  long before = baseline();
  ExtismPlugin *p = exhaust("");
  int i;
  for (i = 0; i < 3; i++) {
    CHECK_EQ_INT(call_str(p, "recurse", NULL), 134);
    CHECK_NOT_NULL(extism_plugin_error(p));
    /* 128 locals a frame: the value stack's limit comes before the depth limit */
    CHECK_EQ_INT(call_str(p, "recurse_wide", NULL), 134);
    CHECK_NOT_NULL(extism_plugin_error(p));
  }
  still_works(p);
  extism_plugin_free(p);
  check_rss_back(before, "infinite recursion");
}

TEST_NOT_UPSTREAM(exhaust_infinite_recursion_message,
                  "its error text is a multi-line wasm backtrace without the trap's name") {
  ExtismPlugin *p = exhaust("");
  CHECK_EQ_INT(call_str(p, "recurse", NULL), 134);
  CHECK_STR(extism_plugin_error(p), "wasm trap: call stack exhausted");
  CHECK_EQ_INT(call_str(p, "recurse_wide", NULL), 134);
  CHECK_STR(extism_plugin_error(p), "wasm trap: call stack exhausted");
  extism_plugin_free(p);
}

/* Endless loops with no timeout but a fuel limit: "plugin ran out of fuel", every call. */
TEST(exhaust_infinite_loop_fuel_limit) {
  long before = baseline();
  size_t len = 0;
  uint8_t *w = plugin_bytes("exhaust", &len);
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new_with_fuel_limit(w, len, NULL, 0, false, 2000000, &err);
  static const char *fns[] = {"spin", "spin_alloc", "spin"};
  size_t i;
  free(w);
  if (p == NULL)
    printf("    %s\n", err ? err : "?");
  extism_plugin_new_error_free(err);
  REQUIRE_NOT_NULL(p);
  for (i = 0; i < sizeof fns / sizeof *fns; i++) {
    CHECK_EQ_INT(call_str(p, fns[i], NULL), -1);
    CHECK_STR(extism_plugin_error(p), "plugin ran out of fuel");
  }
  still_works(p);
  extism_plugin_free(p);
  check_rss_back(before, "endless loop, fuel 2e6");
}

/* A 1 GiB output under a page budget: the allocation fails the call with "oom". */
TEST(exhaust_big_output_page_limit) {
  long before = baseline();
  ExtismPlugin *p = exhaust(",\"memory\":{\"max_pages\":100}");
  CHECK_EQ_INT(call_str(p, "big_output", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "oom");
  CHECK_EQ_U64(extism_plugin_output_length(p), 0);
  still_works(p);
  extism_plugin_free(p);
  check_rss_back(before, "1 GiB output, 100 pages");
}

/* A 1 GiB output with no budget: ours refuses the block (kernel memory is a 1 GiB arena) and the
 * plugin reports it; upstream hands it out (its kernel memory grows to 4 GiB) without touching
 * it. Either way nothing is copied and the memory comes back. */
TEST(exhaust_big_output_no_limit) {
  long before = baseline();
  ExtismPlugin *p = exhaust("");
  int32_t rc = call_str(p, "big_output", NULL);
  if (rc == 0) {
    CHECK_EQ_U64(extism_plugin_output_length(p), 1ULL << 30);
    CHECK_EQ_INT(extism_plugin_output_data(p)[(1u << 30) - 1], 7);
  } else {
    CHECK_EQ_INT(rc, 1);
    CHECK_STR(extism_plugin_error(p), "alloc of 1 GiB failed");
    CHECK_EQ_U64(extism_plugin_output_length(p), 0);
  }
  still_works(p);
  extism_plugin_free(p);
  check_rss_back(before, "1 GiB output, no budget");
}

TEST_NOT_UPSTREAM(exhaust_big_output_refused, "kernel memory grows to 4 GiB there: the block is made") {
  ExtismPlugin *p = exhaust("");
  CHECK_EQ_INT(call_str(p, "big_output", NULL), 1);
  CHECK_STR(extism_plugin_error(p), "alloc of 1 GiB failed");
  extism_plugin_free(p);
}
