/* Issue 25: memory a plugin grows but never writes costs the host no resident memory.
 * Plugin: grow_each_call.wat (one page more per call, only the first bytes written). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

/* This process's resident set in bytes (/proc/self/statm: size resident ...), or -1 without it. */
static long long resident_bytes(void) {
  long long size = 0, resident = -1;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f) return -1;
  if (fscanf(f, "%lld %lld", &size, &resident) != 2) resident = -1;
  fclose(f);
  return resident < 0 ? -1 : resident * (long long)sysconf(_SC_PAGESIZE);
}

/* 5,000 calls grow the memory by 5,000 pages (312.5 MiB); the plugin writes 13 bytes of them per
 * call. The resident set may grow by what the runtime keeps (kernel memory, a few pages per call at
 * most), not by what the plugin declared: the bound is a fifth of the grown memory. */
TEST(grow_each_call_resident_bounded) {
  enum { CALLS = 5000, INPUT = 13 };
  const long long grown = (long long)CALLS * 65536, bound = grown / 5;
  const char *input = "Hello, World!";
  ExtismPlugin *p = load_plugin("grow_each_call", false);
  long long before, after_1000 = 0, after;
  int i, failed_calls = 0;
  REQUIRE_NOT_NULL(p);
  before = resident_bytes();
  if (before < 0) {
    harness_note("no /proc/self/statm: resident set not checked");
  }
  for (i = 1; i <= CALLS; i++) {
    if (extism_plugin_call(p, "echo", (const uint8_t *)input, INPUT) != 0) failed_calls++;
    if (i == 1000) after_1000 = resident_bytes();
  }
  CHECK_EQ_INT(failed_calls, 0);
  CHECK_OUTPUT(p, input);
  /* `pages` returns memory.size as its rc: every call grew the memory by one page. */
  CHECK_EQ_INT(call_str(p, "pages", NULL), CALLS);
  after = resident_bytes();
  if (before >= 0) {
    harness_note("resident set: +%lld KiB after 1,000 calls, +%lld KiB after %d (memory grew %lld KiB)",
                 (after_1000 - before) / 1024, (after - before) / 1024, CALLS, grown / 1024);
    CHECK(after - before < bound);
    CHECK(after_1000 - before < bound * 1000 / CALLS);
  }
  extism_plugin_free(p);
}
