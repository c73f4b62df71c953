/* The per-plugin memory budget (extism_x_set_memory_budget, our extension): one cap over a plugin's
 * wasm memories, kernel memory, vars and config. Passing it fails creation, the call or the config
 * merge with a clear error, and the plugin keeps working. Each test runs in its own process, so
 * setting the process-wide budget here does not leak into other tests. The no_std run of the
 * suite runs these too (heap arenas sized by the budget); ctests/budget_arena.c shows, on a fixed
 * static heap, that no call reaches past it. Plugin: plugins/exhaust.wat. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"
#include "testhttp.h"

#define KIB 1024u
#define BUDGET_TEXT "oom: the plugin's memory budget of "
/* Small enough that the budget, not the no_std build's 256 KiB kernel arena, is what stops kernel
 * allocations there too (the budget then sizes the arena). */
#define BUDGET (256 * KIB)

static ExtismPlugin *exhaust(const char *extra) {
  char *m = manifest_for("exhaust", extra);
  ExtismPlugin *p = plugin_from_text(m, false);
  free(m);
  return p;
}

static void still_works(ExtismPlugin *p) {
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
}

/* The exact message for a budget of `bytes`. */
static void check_budget_error(ExtismPlugin *p, uint64_t bytes) {
  char want[160];
  snprintf(want, sizeof want, BUDGET_TEXT "%llu bytes is spent (extism_x_set_memory_budget)",
           (unsigned long long)bytes);
  CHECK_STR(extism_plugin_error(p), want);
}

TEST(x_budget_set_returns_previous) {
  CHECK_EQ_U64(extism_x_set_memory_budget(512 * KIB), 0); /* built without a default budget */
  CHECK_EQ_U64(extism_x_set_memory_budget(0), 512 * KIB);
  CHECK_EQ_U64(extism_x_set_memory_budget(0), 0);
}

/* The call stack's bound in a build with the default limits (extism.h): three times the 1 MiB value
 * stack and one and a half times 16384 frames of four words. ctests/budget_arena.c checks that
 * endless recursion stays within it. */
TEST(x_call_stack_bytes_default_build) {
  uint64_t frames = 16384 * 4 * (uint64_t)sizeof(void *);
  CHECK_EQ_U64(extism_x_call_stack_bytes(), 3 * 1024 * KIB + frames + frames / 2);
}

/* 64 KiB cannot hold the fixed charge, one page of wasm memory and one of kernel memory. */
TEST(x_budget_too_small_for_creation) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("exhaust", &len);
  char *err = NULL;
  ExtismPlugin *p;
  extism_x_set_memory_budget(64 * KIB);
  p = extism_plugin_new(w, len, NULL, 0, false, &err);
  CHECK_NULL(p);
  CHECK_NOT_NULL(err);
  if (err) {
    CHECK_CONTAINS(err, BUDGET_TEXT "65536 bytes is spent");
    CHECK_CONTAINS(err, "before its first page of kernel memory");
  }
  extism_plugin_new_error_free(err);
  /* With the budget removed the same bytes make a working plugin. */
  extism_x_set_memory_budget(0);
  p = extism_plugin_new(w, len, NULL, 0, false, &err);
  CHECK_NOT_NULL(p);
  if (p)
    still_works(p);
  extism_plugin_free(p);
  free(w);
}

/* The exhaust plugin under BUDGET; NULL (a failed check) if it could not be made. */
static ExtismPlugin *exhaust_under_budget(void) {
  ExtismPlugin *p;
  extism_x_set_memory_budget(BUDGET);
  p = exhaust("");
  CHECK_NOT_NULL(p);
  return p;
}

/* Calling `export` passes the budget: the call fails with the budget's "oom", the plugin works on. */
static void stopped_by_budget(ExtismPlugin *p, const char *export) {
  CHECK_EQ_INT(call_str(p, export, NULL), -1);
  check_budget_error(p, BUDGET);
  CHECK_EQ_U64(extism_plugin_output_length(p), 0);
  still_works(p);
}

/* Kernel allocations in a loop: the one that passes the budget stops the call; the next call fails
 * the same way again (kernel memory was wiped in between). */
TEST(x_budget_kernel_alloc_loop) {
  ExtismPlugin *p = exhaust_under_budget();
  if (!p)
    return;
  stopped_by_budget(p, "alloc_loop");
  stopped_by_budget(p, "alloc_loop");
  extism_plugin_free(p);
}

/* memory.grow page by page: refused at the budget, the call fails whatever the wasm does with -1. */
TEST(x_budget_memory_grow_loop) {
  ExtismPlugin *p = exhaust_under_budget();
  if (!p)
    return;
  stopped_by_budget(p, "grow_loop");
  extism_plugin_free(p);
}

/* Tables count (4 bytes an element, as the interpreter keeps them): growing one by 65536 elements
 * at a time passes the budget long before the table cap of 2^20 elements. */
TEST(x_budget_table_growth) {
  ExtismPlugin *p;
  extism_x_set_memory_budget(BUDGET);
  p = load_plugin("bulk", false);
  stopped_by_budget(p, "table_loop");
  extism_plugin_free(p);
}

/* Vars count: 1 KiB values under fresh keys until var_set passes the budget (well under the
 * default max_var_bytes of 1 MiB, so the budget is what stops it). The vars already set stay, and
 * still count: the loop stops again at once. */
TEST(x_budget_var_loop) {
  ExtismPlugin *p = exhaust_under_budget();
  if (!p)
    return;
  stopped_by_budget(p, "var_loop");
  stopped_by_budget(p, "var_loop");
  extism_plugin_free(p);
}

/* Without a budget the same loop ends at max_var_bytes, with upstream's message. */
TEST(x_budget_var_loop_without_budget) {
  ExtismPlugin *p = exhaust("");
  CHECK_NOT_NULL(p);
  if (!p)
    return;
  CHECK_EQ_INT(call_str(p, "var_loop", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "Variable store is full");
  extism_plugin_free(p);
}

/* An input bigger than what the budget leaves for kernel memory. */
TEST(x_budget_big_input) {
  size_t n = 2048 * KIB;
  char *input = malloc(n + 1);
  ExtismPlugin *p;
  memset(input, 'a', n);
  input[n] = 0;
  extism_x_set_memory_budget(BUDGET);
  p = exhaust("");
  CHECK_NOT_NULL(p);
  if (p) {
    CHECK_EQ_INT(call_str(p, "quick", input), -1);
    check_budget_error(p, BUDGET);
    still_works(p);
    CHECK_EQ_INT(call_str(p, "quick", "small input"), 0);
  }
  extism_plugin_free(p);
  free(input);
}

/* Config counts: a merge that would pass the budget returns false and changes nothing; a small
 * one still succeeds. */
TEST(x_budget_config_merge) {
  size_t n = 1024 * KIB;
  char *json = malloc(n + 32);
  ExtismPlugin *p;
  extism_x_set_memory_budget(BUDGET);
  p = exhaust("");
  CHECK_NOT_NULL(p);
  if (p) {
    int k = snprintf(json, 32, "{\"big\":\"");
    memset(json + k, 'x', n);
    strcpy(json + k + n, "\"}");
    CHECK(!extism_plugin_config(p, (const uint8_t *)json, strlen(json)));
    CHECK_PREFIX(extism_plugin_error(p), BUDGET_TEXT "262144 bytes is spent");
    CHECK(extism_plugin_config(p, (const uint8_t *)"{\"small\":\"1\"}", 13));
    still_works(p);
  }
  extism_plugin_free(p);
  free(json);
}

/* A manifest config that cannot fit fails creation. */
TEST(x_budget_manifest_config_too_big) {
  size_t n = 1024 * KIB;
  char *extra = malloc(n + 64), *err = NULL, *m;
  int k = snprintf(extra, 64, ",\"config\":{\"big\":\"");
  memset(extra + k, 'x', n);
  strcpy(extra + k + n, "\"}");
  extism_x_set_memory_budget(1024 * KIB);
  m = manifest_for("exhaust", extra);
  CHECK_NULL(extism_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, false, &err));
  CHECK_NOT_NULL(err);
  if (err)
    CHECK_CONTAINS(err, BUDGET_TEXT "1048576 bytes is spent");
  extism_plugin_new_error_free(err);
  free(m);
  free(extra);
}

/* The budget in force at creation is the plugin's for life; plugins from a compiled plugin get
 * one too. */
TEST(x_budget_fixed_at_creation) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("exhaust", &len);
  char *err = NULL;
  ExtismPlugin *before, *after;
  ExtismCompiledPlugin *c = extism_compiled_plugin_new(w, len, NULL, 0, false, &err);
  CHECK_NOT_NULL(c);
  before = extism_plugin_new_from_compiled(c, &err);
  extism_x_set_memory_budget(BUDGET);
  after = extism_plugin_new_from_compiled(c, &err);
  CHECK_NOT_NULL(before);
  CHECK_NOT_NULL(after);
  if (before && after) {
    CHECK_EQ_INT(call_str(after, "grow_loop", NULL), -1);
    check_budget_error(after, BUDGET);
    /* `before` has no budget: its vars fill up to max_var_bytes (1 MiB), far past the budget. */
    extism_x_set_memory_budget(0);
    CHECK_EQ_INT(call_str(before, "var_loop", NULL), -1);
    CHECK_STR(extism_plugin_error(before), "Variable store is full");
  }
  extism_plugin_free(before);
  extism_plugin_free(after);
  extism_compiled_plugin_free(c);
  free(w);
}

/* An HTTP response counts too: the body and its copy in kernel memory must fit in what is left, so
 * a 1 MiB body under a 256 KiB budget fails the call (before it is read past what fits); a small one
 * works, and without a budget the large one does too. Server: testhttp.c. */
TEST(x_budget_http_response) {
  char extra[96], request[128];
  int port = testhttp_start();
  ExtismPlugin *p;
  snprintf(extra, sizeof extra, ",\"allowed_hosts\":[\"127.0.0.1\"]");
  extism_x_set_memory_budget(BUDGET);
  {
    char *m = manifest_for("runtime", extra);
    p = plugin_from_text(m, false);
    free(m);
  }
  CHECK_NOT_NULL(p);
  if (!p)
    return;
  snprintf(request, sizeof request, "{\"url\":\"http://127.0.0.1:%d/1m\"}", port);
  CHECK_EQ_INT(call_str(p, "http", request), -1);
  check_budget_error(p, BUDGET);
  snprintf(request, sizeof request, "{\"url\":\"http://127.0.0.1:%d/1000\"}", port);
  CHECK_EQ_INT(call_str(p, "http", request), 0);
  CHECK_EQ_U64(extism_plugin_output_length(p), 1000);
  extism_plugin_free(p);
  extism_x_set_memory_budget(0);
  {
    char *m = manifest_for("runtime", extra);
    p = plugin_from_text(m, false);
    free(m);
  }
  CHECK_NOT_NULL(p);
  if (!p)
    return;
  snprintf(request, sizeof request, "{\"url\":\"http://127.0.0.1:%d/1m\"}", port);
  CHECK_EQ_INT(call_str(p, "http", request), 0);
  CHECK_EQ_U64(extism_plugin_output_length(p), 1u << 20);
  extism_plugin_free(p);
}
