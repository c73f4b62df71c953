/* Limits of our own (issue 15): the recursion depth real plugins need, and the bound kernel memory
 * keeps without memory.max_pages. */
#include <string.h>

#include "common.h"

static int32_t call_u64(ExtismPlugin *p, const char *fn, uint64_t n) {
  uint8_t in[8];
  memcpy(in, &n, 8);
  return extism_plugin_call(p, fn, in, 8);
}

/* Real plugins (parsers, interpreters compiled to wasm) recurse deeply: 10,000 frames must work. */
TEST(recursion_10000_frames) {
  ExtismPlugin *p = load_plugin("recurse", false);
  CHECK_EQ_INT(call_u64(p, "deep", 10000), 1);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* Unbounded recursion traps cleanly and the plugin stays usable. */
TEST(recursion_without_end_traps) {
  ExtismPlugin *p = load_plugin("recurse", false);
  CHECK_EQ_INT(call_u64(p, "deep", 100000000), 134);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_u64(p, "deep", 100), 1);
  extism_plugin_free(p);
}

/* Without max_pages kernel memory is still bounded (1 GiB in std builds, config.rs): a larger
 * allocation returns 0, and the plugin goes on. */
TEST_NOT_UPSTREAM(kernel_memory_bounded_without_max_pages, "upstream's bound is 4 GiB") {
  ExtismPlugin *p = load_plugin("recurse", false);
  CHECK_EQ_INT(call_u64(p, "alloc_fails", (uint64_t)1 << 31), 1);
  CHECK_EQ_INT(call_u64(p, "alloc_fails", (uint64_t)3 << 29), 1);
  CHECK_EQ_INT(call_u64(p, "alloc_fails", 1 << 20), 0);
  extism_plugin_free(p);
}
