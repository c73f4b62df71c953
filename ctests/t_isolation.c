/* Isolation (reliability): a plugin cannot read or write outside its kernel blocks and its own
 * memory through any import: ranges whose offset + length overflow, freed blocks, forged block
 * headers, stores past the end of kernel memory and past any arena it could have; a host
 * function's view of kernel memory is exactly the plugin's blocks; and that view faults (instead of
 * reading the host's heap) once the plugin is freed. Under valgrind every output the host
 * reads is checked to lie in live memory. Plugin: plugins/isolation.c. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common.h"

#define MAX64 0xffffffffffffffffULL

/* The plugin imports a host function `probe`; these tests give it an identity. */
static ExtismPlugin *isolation(void) {
  const ExtismFunction *fns[1];
  fns[0] = identity_function("probe");
  return load_plugin_fns("isolation", fns, 1, false);
}


TEST(isolation_overflowing_ranges) {
  ExtismPlugin *p = isolation();
  CHECK_EQ_INT(call_str(p, "overflow_ranges", "input"), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_U64(output_u64(p, 0), 0);             /* output_set refused */
  CHECK_EQ_U64(output_u64(p, 1), 0);
  CHECK_EQ_U64(output_u64(p, 2), 0);             /* input_set refused */
  CHECK_EQ_U64(output_u64(p, 4), 0);             /* input loads past the input */
  CHECK_EQ_U64(output_u64(p, 5), 0);             /* loads whose end wraps */
  CHECK_EQ_U64(output_u64(p, 6), 0);
  CHECK_EQ_U64(output_u64(p, 7), 0x636261);      /* "abc": wrapping stores landed nowhere */
  CHECK_EQ_U64(output_u64(p, 8), 0);
  /* and the plugin works on */
  CHECK_EQ_INT(call_str(p, "store_far", NULL), 0);
  extism_plugin_free(p);
}

/* input_load_u64(2^64-4): offset + 8 overflows; ours reads 0. Upstream adds the index to the
 * input's offset with wrapping and reads the 4 bytes before the input (its block header) and the
 * first 4 of the input: still the plugin's own kernel memory, so no escape, but not "past the
 * input" either. */
TEST_NOT_UPSTREAM(isolation_input_load_wrapping,
                  "input_load_u64 wraps around and reads the input's header (own memory)") {
  ExtismPlugin *p = isolation();
  CHECK_EQ_INT(call_str(p, "overflow_ranges", "input"), 0);
  CHECK_EQ_U64(output_u64(p, 3), 0);
  extism_plugin_free(p);
}

TEST(isolation_freed_block) {
  ExtismPlugin *p = isolation();
  CHECK_EQ_INT(call_str(p, "freed_block", NULL), 0);
  CHECK_EQ_U64(output_u64(p, 0), 0);   /* length of a freed block */
  CHECK_EQ_U64(output_u64(p, 1), 0);   /* length_unsafe too: its header says free */
  CHECK_EQ_U64(output_u64(p, 2), 1);   /* the next block is elsewhere */
  CHECK_EQ_U64(output_u64(p, 3), 100);
  CHECK_EQ_U64(output_u64(p, 4), 0);   /* and the freed one stays freed */
  extism_plugin_free(p);
}

/* A freed block is no handle: runtime imports refuse it and fail the call. */
TEST(isolation_freed_handles_refused) {
  static const char *fns[] = {"var_set_freed_key", "config_get_freed_key", "var_set_freed_value"};
  ExtismPlugin *p = isolation();
  size_t i;
  for (i = 0; i < sizeof fns / sizeof *fns; i++) {
    CHECK_EQ_INT(call_str(p, fns[i], NULL), -1);
    CHECK_NOT_NULL(extism_plugin_error(p));
  }
  CHECK_EQ_INT(call_str(p, "freed_block", NULL), 0);
  extism_plugin_free(p);
}

/* A header forged in a block's data is the plugin's own bytes: length_unsafe reads it as written,
 * but it makes no block (length 0, runtime imports refuse it), and the output registers refuse
 * the range it claims. */
TEST(isolation_forged_header) {
  ExtismPlugin *p = isolation();
  CHECK_EQ_INT(call_str(p, "forged_header", NULL), 0);
  CHECK_EQ_U64(output_u64(p, 0), 0);
  CHECK_EQ_U64(output_u64(p, 1), 1000000);
  CHECK_EQ_U64(output_u64(p, 2), 0);   /* output_set(h, 1000000) refused */
  CHECK_EQ_U64(output_u64(p, 3), 8);   /* an honest range inside memory is fine */
  CHECK_EQ_INT(call_str(p, "var_get_forged", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* Stores far past the end (past 16 pages, a 1 GiB arena, a wasm32 memory, 2^63) write nothing
 * and do not trap. */
TEST(isolation_stores_past_any_end) {
  ExtismPlugin *p = isolation();
  CHECK_EQ_INT(call_str(p, "store_far", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_U64(output_u64(p, 0), 0);
  CHECK_EQ_U64(output_u64(p, 1), 42);
  extism_plugin_free(p);
}

/* With max_pages the arena is only (max_pages + 1) pages: stores past it still land nowhere. */
TEST(isolation_stores_past_small_arena) {
  char *m = manifest_for("isolation", ",\"memory\":{\"max_pages\":2}"), *err = NULL;
  const ExtismFunction *fns[1];
  ExtismPlugin *p;
  fns[0] = identity_function("probe");
  p = extism_plugin_new((const uint8_t *)m, strlen(m), fns, 1, false, &err);
  extism_function_free((ExtismFunction *)fns[0]);
  free(m);
  if (p == NULL)
    printf("    %s\n", err ? err : "?");
  extism_plugin_new_error_free(err);
  REQUIRE_NOT_NULL(p);
  CHECK_EQ_INT(call_str(p, "store_far", NULL), 0);
  CHECK_EQ_U64(output_u64(p, 0), 0);
  CHECK_EQ_U64(output_u64(p, 1), 42);
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(isolation_store_past_committed_end,
                  "its kernel memory starts at 16 pages, so the committed end is elsewhere") {
  ExtismPlugin *p = isolation();
  CHECK_EQ_INT(call_str(p, "store_past_committed", NULL), 0);
  CHECK_EQ_U64(output_u64(p, 0), 65536);
  CHECK_EQ_U64(output_u64(p, 1), 0);   /* the stores before growth wrote nothing */
  CHECK(output_u64(p, 2) != 0);
  CHECK_EQ_U64(output_u64(p, 3), 3 * 65536);
  /* a store at exactly the committed end traps, like upstream's kernel at its end */
  CHECK_EQ_INT(call_str(p, "store_at_committed_end", NULL), 134);
  CHECK_CONTAINS(extism_plugin_error(p), "out of bounds memory access");
  extism_plugin_free(p);
}

/* The largest output range the kernel accepts: the host reads all of it (valgrind checks every
 * byte is live memory). */
TEST(isolation_largest_output_is_readable) {
  ExtismPlugin *p = isolation();
  const uint8_t *out;
  uint64_t n, i, bad = 0;
  CHECK_EQ_INT(call_str(p, "output_whole_area", NULL), 0);
  n = extism_plugin_output_length(p);
  out = extism_plugin_output_data(p);
  CHECK_EQ_U64(n, 65471);
  REQUIRE_NOT_NULL(out);
  for (i = 0; i < n; i++)
    bad += out[i] != 0x61;
  CHECK_EQ_U64(bad, 0);
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(isolation_output_past_committed_is_empty,
                  "its kernel memory starts at 16 pages: the same range is inside it") {
  ExtismPlugin *p = isolation();
  CHECK_EQ_INT(call_str(p, "output_past_committed", NULL), 65471); /* the register took it */
  CHECK_EQ_U64(extism_plugin_output_length(p), 0);                  /* the host sees nothing */
  extism_plugin_free(p);
}

/* ---- a host function's view of kernel memory ---- */

static struct {
  uint8_t *base;
  uint64_t len, len_next, len_zero, len_max, len_far, big, big_len;
  int content_ok, base_stable, big_writable;
  uint8_t *stale_base;
} seen;

static void probe_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                     ExtismSize n_out, void *data) {
  uint64_t h = (uint64_t)in[0].v.i64;
  uint8_t *base = extism_current_plugin_memory(cp);
  (void)n_in;
  (void)n_out;
  (void)data;
  seen.base = base;
  seen.len = extism_current_plugin_memory_length(cp, h);
  seen.content_ok = base != NULL && seen.len == 11 && memcmp(base + h, "hello, host", 11) == 0;
  seen.len_next = extism_current_plugin_memory_length(cp, h + 1);
  seen.len_zero = extism_current_plugin_memory_length(cp, 0);
  seen.len_max = extism_current_plugin_memory_length(cp, MAX64);
  seen.len_far = extism_current_plugin_memory_length(cp, 1ULL << 40);
  /* growing kernel memory by 128 KiB does not move it, and the whole new block is writable */
  seen.big = extism_current_plugin_memory_alloc(cp, 128u << 10);
  seen.big_len = extism_current_plugin_memory_length(cp, seen.big);
  seen.base_stable = extism_current_plugin_memory(cp) == base;
  if (seen.big != 0 && seen.big_len == (128u << 10)) {
    memset(base + seen.big, 0x11, 128u << 10);
    seen.big_writable = base[seen.big + (128u << 10) - 1] == 0x11;
  }
  extism_current_plugin_memory_free(cp, seen.big);
  extism_current_plugin_memory_free(cp, MAX64); /* ignored */
  extism_current_plugin_memory_free(cp, h + 1); /* ignored */
  out[0].t = EXTISM_PTR;
  out[0].v.i64 = (int64_t)h;
}

static ExtismPlugin *with_probe(void) {
  ExtismValType t = EXTISM_PTR;
  const ExtismFunction *fns[1];
  ExtismFunction *f = extism_function_new("probe", &t, 1, &t, 1, probe_cb, NULL, NULL);
  REQUIRE_NOT_NULL(f);
  fns[0] = f;
  return load_plugin_fns("isolation", fns, 1, false);
}

TEST(isolation_host_function_view) {
  ExtismPlugin *p = with_probe();
  int32_t rc;
  memset(&seen, 0, sizeof seen);
  rc = call_str(p, "call_probe", NULL);
  CHECK(rc > 0);
  CHECK_NOT_NULL(seen.base);
  CHECK_EQ_U64(seen.len, 11);
  CHECK(seen.content_ok);
  CHECK_EQ_U64(seen.len_next, 0);
  CHECK_EQ_U64(seen.len_zero, 0);
  CHECK_EQ_U64(seen.len_max, 0);
  CHECK_EQ_U64(seen.len_far, 0);
  CHECK(seen.big != 0);
  CHECK_EQ_U64(seen.big_len, 128u << 10);
  CHECK(seen.base_stable);
  CHECK(seen.big_writable);
  /* the plugin keeps working after all that */
  CHECK_EQ_INT(call_str(p, "freed_block", NULL), 0);
  extism_plugin_free(p);
}

/* A host function's memory pointer kept past extism_plugin_free: kernel memory is its own mapping,
 * unmapped with the plugin, so a late access faults instead of reading the host's heap (until the
 * address is mapped again). Shown in a child process; skipped under valgrind, which would report
 * the read. */
TEST(isolation_memory_view_after_free_faults) {
  ExtismPlugin *p = with_probe();
  pid_t pid;
  int status = 0;
  memset(&seen, 0, sizeof seen);
  CHECK(call_str(p, "call_probe", NULL) > 0);
  REQUIRE_NOT_NULL(seen.base);
  seen.stale_base = seen.base;
  extism_plugin_free(p);
  if (memory_checker()) {
    printf("    (fault check skipped under %s)\n", memory_checker());
    return;
  }
  fflush(stdout);
  pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    volatile uint8_t *stale = seen.stale_base;
    uint8_t v = stale[77];
    _exit(v == 0xee ? 3 : 0); /* reaching here means the read did not fault */
  }
  REQUIRE(waitpid(pid, &status, 0) == pid);
  CHECK(WIFSIGNALED(status));
  if (WIFSIGNALED(status))
    CHECK(WTERMSIG(status) == SIGSEGV || WTERMSIG(status) == SIGBUS);
}

/* extism_current_plugin_memory_alloc of sizes kernel memory cannot hold returns 0 */
static uint64_t huge[4];
static void huge_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                    ExtismSize n_out, void *data) {
  (void)n_in;
  (void)n_out;
  (void)data;
  huge[0] = extism_current_plugin_memory_alloc(cp, 1ULL << 63);
  huge[1] = extism_current_plugin_memory_alloc(cp, MAX64);
  huge[2] = extism_current_plugin_memory_alloc(cp, 1ULL << 32);
  huge[3] = extism_current_plugin_memory_alloc(cp, 1ULL << 30); /* the whole 1 GiB arena */
  out[0] = in[0];
}

TEST_NOT_UPSTREAM(isolation_host_alloc_impossible_sizes,
                  "its kernel truncates sizes to 32 bits and grows kernel memory up to 4 GiB") {
  ExtismValType t = EXTISM_PTR;
  const ExtismFunction *fns[1];
  ExtismFunction *f = extism_function_new("probe", &t, 1, &t, 1, huge_cb, NULL, NULL);
  ExtismPlugin *p;
  int i;
  REQUIRE_NOT_NULL(f);
  fns[0] = f;
  p = load_plugin_fns("isolation", fns, 1, false);
  CHECK(call_str(p, "call_probe", NULL) > 0);
  for (i = 0; i < 4; i++)
    CHECK_EQ_U64(huge[i], 0);
  CHECK_EQ_INT(call_str(p, "freed_block", NULL), 0);
  extism_plugin_free(p);
}
