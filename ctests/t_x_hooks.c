/* Extensions: the host hooks (extism_x_set_allocator, _lock, _clock, _wall_clock, _random, _log_sink).
 *
 * Runs against our library in both builds: `make ctest` (std: the OS is the fallback of every
 * hook, the heap is the system's) and `make ctest-nostd` (no_std with hooks_nostd.c installed
 * before any test; EXTISM_TEST_NOSTD: without a hook there is no clock and no randomness).
 * Each test runs in its own process; it puts back the hooks the run started with when it ends. */
#include "common.h"

#ifdef EXTISM_NOT_UPSTREAM /* extensions: not in upstream's library */

#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef EXTISM_TEST_NOSTD
#include "hooks_nostd.h"
#define NOSTD 1
#else
#define NOSTD 0
#endif

#define ENOSYS_WASI 52

static const char *const NO_CLOCK =
    "Unable to compile Extism plugin: timeout_ms needs a clock: this build has none; install one "
    "with extism_x_set_clock";

static uint64_t host_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Puts back the hooks this run started with: hooks_nostd.c's, or none (the OS) under std. */
static void restore_hooks(void) {
#if NOSTD
  hooks_nostd_install();
#else
  extism_x_set_clock(NULL, NULL);
  extism_x_set_wall_clock(NULL, NULL);
  extism_x_set_random(NULL, NULL);
#endif
}

static ExtismPlugin *with_manifest(const char *plugin, const char *extra) {
  char *m = manifest_for(plugin, extra);
  ExtismPlugin *p = plugin_from_text(m, false);
  free(m);
  return p;
}

/* ---- clock --------------------------------------------------------------------------------- */

/* A clock that jumps one second at every read. */
static uint64_t jumping_clock(void *user_data) {
  uint64_t *t = user_data;
  *t += 1000000000ull;
  return *t;
}

TEST(x_hooks_clock_measures_timeouts) {
  uint64_t t = 42, start;
  ExtismPlugin *p;
  REQUIRE(extism_x_set_clock(jumping_clock, &t));
  p = with_manifest("loop", ",\"timeout_ms\":10000");
  start = host_ns(CLOCK_MONOTONIC);
  /* 10 s on the hook's clock pass after about 10 reads: long before 10 s of real time */
  CHECK_EQ_INT(call_str(p, "loop", NULL), 134);
  CHECK_STR(extism_plugin_error(p), "timeout");
  CHECK(host_ns(CLOCK_MONOTONIC) - start < 5000000000ull);
  CHECK(t >= 42 + 10 * 1000000000ull);
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  extism_plugin_free(p);
  restore_hooks();
}

static uint64_t fixed_clock(void *user_data) { return *(uint64_t *)user_data; }

TEST(x_hooks_clock_serves_wasi_monotonic) {
  uint64_t t = 5;
  ExtismPlugin *p = load_plugin("wasi_raw", true);
  REQUIRE(extism_x_set_clock(fixed_clock, &t));
  CHECK_EQ_INT(call_str(p, "clock", "1"), 1000000); /* errno 0, time > 0 */
  t = 0;
  CHECK_EQ_INT(call_str(p, "clock", "1"), 0); /* the hook's 0, not the OS's time */
  REQUIRE(extism_x_set_clock(NULL, NULL));
  CHECK_EQ_INT(call_str(p, "clock", "1"), NOSTD ? ENOSYS_WASI : 1000000);
  CHECK_EQ_INT(call_str(p, "clock_res", "1"), NOSTD ? ENOSYS_WASI : 1000000);
  extism_plugin_free(p);
  restore_hooks();
}

TEST(x_hooks_timeout_without_clock) {
  char *m = manifest_for("loop", ",\"timeout_ms\":200");
  char *err = NULL;
  ExtismPlugin *p;
  ExtismCompiledPlugin *c;
  REQUIRE(extism_x_set_clock(NULL, NULL));
  p = extism_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, false, &err);
  c = extism_compiled_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, false, NULL);
  if (NOSTD) {
    /* refused at creation, never a timeout that cannot fire */
    CHECK_NULL(p);
    CHECK_STR(err, NO_CLOCK);
    CHECK_NULL(c);
  } else {
    /* the OS clock */
    CHECK_NULL(err);
    REQUIRE_NOT_NULL(p);
    CHECK_EQ_INT(call_str(p, "loop", NULL), 134);
    CHECK_STR(extism_plugin_error(p), "timeout");
    CHECK_NOT_NULL(c);
  }
  extism_plugin_new_error_free(err);
  extism_plugin_free(p);
  extism_compiled_plugin_free(c);
  free(m);
  /* without a timeout, no clock is needed */
  p = load_plugin("loop", false);
  CHECK_EQ_INT(call_str(p, "count", NULL), 0);
  extism_plugin_free(p);
  restore_hooks();
}

/* ---- lock ---------------------------------------------------------------------------------- */

static void *counting_create(void *user_data) {
  (*(int *)user_data)++;
  return NULL;
}

static void counting_lock(void *user_data, void *lock) {
  (void)lock;
  (*(int *)user_data)++;
}

/* The lock hook can only be installed before the library takes its first lock: by hooks_nostd.c in
 * the no_std run (which counts what it is asked), never under std (the OS's mutexes). */
TEST(x_hooks_lock_is_fixed_before_first_use) {
  int calls = 0;
  ExtismPlugin *p;
  CHECK(!extism_x_set_lock(counting_create, counting_lock, counting_lock, counting_lock, &calls));
  CHECK(!extism_x_set_lock(NULL, counting_lock, counting_lock, counting_lock, &calls));
  CHECK(!extism_x_set_lock(counting_create, counting_lock, NULL, counting_lock, &calls));
  p = load_plugin("loop", false);
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  extism_plugin_free(p);
  CHECK_EQ_INT(calls, 0); /* a refused hook is never called */
}

#if NOSTD
TEST(x_hooks_lock_is_used_and_balanced) {
  struct hooks_nostd_locks before, during, after;
  ExtismPlugin *p = load_plugin("loop", false);
  /* a first plugin makes the library's lasting locks (made at their first use) */
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  extism_plugin_free(p);
  before = hooks_nostd_locks();
  CHECK(before.made > 0);
  p = load_plugin("loop", false);
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  during = hooks_nostd_locks();
  /* every lock of the library goes through the hook, and nothing is left locked between calls */
  CHECK(during.taken >= before.taken + 2);
  CHECK_EQ_U64(during.given, during.taken);
  /* the plugin has lock objects of its own while it lives (its call state at least) */
  CHECK(during.made - during.destroyed > before.made - before.destroyed);
  extism_plugin_free(p);
  after = hooks_nostd_locks();
  CHECK_EQ_U64(after.made - after.destroyed, before.made - before.destroyed);
  CHECK_EQ_U64(after.given, after.taken);
  CHECK_EQ_INT(after.contract_violations, 0);
}
#endif

/* ---- randomness ---------------------------------------------------------------------------- */

struct random_state {
  int calls;
  bool ok;
};

static bool pattern_random(void *user_data, uint8_t *buf, size_t len) {
  struct random_state *s = user_data;
  s->calls++;
  memset(buf, 0xa5, len);
  return s->ok;
}

TEST(x_hooks_random_feeds_ids_and_random_get) {
  struct random_state s = {0, true};
  static const uint8_t want_id[16] = {0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0x45, 0xa5,
                                      0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5, 0xa5};
  ExtismPlugin *p;
  REQUIRE(extism_x_set_random(pattern_random, &s));
  p = load_plugin("wasi_raw", true);
  /* the id is the hook's bytes with the UUID version 4 and variant bits set */
  CHECK_MEM(extism_plugin_id(p), 16, want_id, 16);
  CHECK_EQ_INT(call_str(p, "random", NULL), 0);
  CHECK(s.calls >= 2);
  extism_plugin_free(p);
  restore_hooks();
}

TEST(x_hooks_random_failure_and_removal) {
  struct random_state s = {0, false};
  ExtismPlugin *a, *b;
  REQUIRE(extism_x_set_random(pattern_random, &s));
  a = load_plugin("wasi_raw", true);
  b = load_plugin("wasi_raw", true);
  /* a failing source: random_get fails, never hands out the bytes; ids stay distinct v4 UUIDs */
  CHECK_EQ_INT(call_str(a, "random", NULL), ENOSYS_WASI);
  CHECK(memcmp(extism_plugin_id(a), extism_plugin_id(b), 16) != 0);
  CHECK_EQ_INT(extism_plugin_id(a)[6] >> 4, 4);
  CHECK_EQ_INT(extism_plugin_id(a)[8] >> 6, 2);
  extism_plugin_free(a);
  extism_plugin_free(b);
  /* removed: the OS's randomness under std, none without */
  REQUIRE(extism_x_set_random(NULL, NULL));
  a = load_plugin("wasi_raw", true);
  b = load_plugin("wasi_raw", true);
  CHECK_EQ_INT(call_str(a, "random", NULL), NOSTD ? ENOSYS_WASI : 0);
  CHECK(memcmp(extism_plugin_id(a), extism_plugin_id(b), 16) != 0);
  extism_plugin_free(a);
  extism_plugin_free(b);
  restore_hooks();
}

/* ---- wall clock ---------------------------------------------------------------------------- */

struct lines {
  char text[8192];
  size_t used;
  int n;
  int bad_len;
};

static struct lines drained;

static void drain_into(const char *data, ExtismSize size) {
  if (strlen(data) != size)
    drained.bad_len++;
  if (drained.used + size + 1 < sizeof drained.text) {
    memcpy(drained.text + drained.used, data, size + 1);
    drained.used += size;
  }
  drained.n++;
}

TEST(x_hooks_wall_clock_stamps_log_lines) {
  uint64_t t = 1000000000000000000u; /* 2001-09-09T01:46:40Z */
  ExtismPlugin *p, *w;
  REQUIRE(extism_x_set_wall_clock(fixed_clock, &t));
  REQUIRE(extism_log_custom("info"));
  p = load_plugin("log", false);
  w = load_plugin("wasi_raw", true);
  CHECK_EQ_INT(call_str(p, "info", "stamped"), 0);
  CHECK_EQ_INT(call_str(w, "clock", "0"), 1000000); /* WASI realtime from the hook */
  REQUIRE(extism_x_set_wall_clock(NULL, NULL));
  CHECK_EQ_INT(call_str(p, "info", "unstamped"), 0);
  CHECK_EQ_INT(call_str(w, "clock", "0"), NOSTD ? ENOSYS_WASI : 1000000);
  extism_log_drain(drain_into);
  CHECK_EQ_INT(drained.n, 2);
  CHECK_PREFIX(drained.text, "2001-09-09T01:46:40.000000Z  INFO extism::pdk: stamped plugin=\"");
  {
    const char *second = strchr(drained.text, '\n');
    REQUIRE(second != NULL);
    if (NOSTD) /* no wall clock: no timestamp */
      CHECK_PREFIX(second + 1, " INFO extism::pdk: unstamped plugin=\"");
    else
      CHECK(strstr(second + 1, "Z  INFO extism::pdk: unstamped plugin=\"") != NULL &&
            strncmp(second + 1, "2001", 4) != 0);
  }
  extism_plugin_free(p);
  extism_plugin_free(w);
  restore_hooks();
}

/* ---- log sink ------------------------------------------------------------------------------ */

static struct lines sunk;

static void sink(void *user_data, const char *line, size_t len) {
  struct lines *l = user_data;
  if (strlen(line) != len || len == 0 || line[len - 1] != '\n')
    l->bad_len++;
  if (l->used + len + 1 < sizeof l->text) {
    memcpy(l->text + l->used, line, len + 1);
    l->used += len;
  }
  l->n++;
}

TEST(x_hooks_log_sink_gets_each_line) {
  ExtismPlugin *p;
  REQUIRE(extism_x_set_log_sink(sink, &sunk, "info"));
  /* it is the process's logger: the first install won */
  CHECK(!extism_log_custom("info"));
  CHECK(!extism_x_set_log_sink(sink, &sunk, "trace"));
  p = load_plugin("log", false);
  CHECK_EQ_INT(call_str(p, "debug", "filtered out"), 0);
  CHECK_EQ_INT(sunk.n, 0);
  CHECK_EQ_INT(call_str(p, "warn", "at once"), 0);
  /* delivered while the call ran: nothing to drain */
  CHECK_EQ_INT(sunk.n, 1);
  CHECK_EQ_INT(extism_plugin_call(p, "info", (const uint8_t *)"a\0b", 3), 0);
  CHECK_EQ_INT(sunk.n, 2);
  CHECK_EQ_INT(sunk.bad_len, 0);
  CHECK_CONTAINS(sunk.text, " WARN extism::pdk: at once plugin=\"");
  CHECK_CONTAINS(sunk.text, " INFO extism::pdk: a\\0b plugin=\"");
  CHECK(strstr(sunk.text, "\x1b[") == NULL); /* no colours */
  CHECK(sunk.used >= 2 && strcmp(sunk.text + sunk.used - 2, "\"\n") == 0);
  extism_log_drain(drain_into);
  CHECK_EQ_INT(drained.n, 0);
  extism_plugin_free(p);
}

/* The runtime's own lines reach the hook as they are written (the firmware's log path). */
TEST(x_hooks_log_sink_gets_runtime_lines) {
  ExtismPlugin *p;
  REQUIRE(extism_x_set_log_sink(sink, &sunk, "debug"));
  p = load_plugin("calls", false);
  CHECK_CONTAINS(sunk.text, "DEBUG extism::plugin: Available pages: None\n");
  CHECK_CONTAINS(sunk.text, " created\n");
  CHECK_EQ_INT(call_str(p, "err_ret_7", NULL), 7);
  CHECK_CONTAINS(sunk.text, "DEBUG extism::plugin: input size: 0 plugin=\"");
  CHECK_CONTAINS(sunk.text, "DEBUG extism::plugin: got return code: 7 plugin=\"");
  CHECK_CONTAINS(sunk.text, "ERROR extism::plugin: call to err_ret_7 returned with error message: EEE plugin=\"");
  CHECK_CONTAINS(sunk.text, "ERROR extism::plugin: call to err_ret_7 encountered an error: EEE plugin=\"");
  CHECK(strstr(sunk.text, "TRACE") == NULL);
  CHECK_EQ_INT(sunk.bad_len, 0);
  extism_plugin_free(p);
}

TEST(x_hooks_log_sink_refusals) {
  CHECK(!extism_x_set_log_sink(NULL, &sunk, "info"));
  CHECK(!extism_x_set_log_sink(sink, &sunk, "\xff"));
  /* nothing was installed by the refusals */
  CHECK(extism_log_custom("info"));
  CHECK(!extism_x_set_log_sink(sink, &sunk, "info"));
}

/* ---- heap ---------------------------------------------------------------------------------- */

static void *never_alloc(void *user_data, size_t size, size_t align) {
  (void)user_data;
  (void)size;
  (void)align;
  abort();
}

static void never_free(void *user_data, void *ptr, size_t size, size_t align) {
  (void)user_data;
  (void)ptr;
  (void)size;
  (void)align;
  abort();
}

TEST(x_hooks_allocator_refusals) {
  CHECK(!extism_x_set_allocator(NULL, never_free, NULL));
  CHECK(!extism_x_set_allocator(never_alloc, NULL, NULL));
  /* std: the system heap, always; no_std: hooks_nostd.c installed one before any test, and a
   * heap cannot be replaced */
  CHECK(!extism_x_set_allocator(never_alloc, never_free, NULL));
  {
    ExtismPlugin *p = load_plugin("loop", false);
    CHECK_EQ_INT(call_str(p, "count", NULL), 0);
    extism_plugin_free(p);
  }
}

#if NOSTD
/* One plugin created, called and freed, and one create that fails. */
static void plugin_cycle(const char *name, const char *fn) {
  char *err = NULL;
  ExtismPlugin *p = load_plugin(name, false);
  CHECK_EQ_INT(call_str(p, fn, "Hello, World!"), 0);
  extism_plugin_free(p);
  /* a failed create: its error string comes from the hook too */
  CHECK_NULL(extism_plugin_new((const uint8_t *)"nope", 4, NULL, 0, false, &err));
  CHECK_NOT_NULL(err);
  extism_plugin_new_error_free(err);
}

TEST(x_hooks_allocator_serves_the_whole_library) {
  struct hooks_nostd_heap before, after;
  int i;
  plugin_cycle("c1", "count_vowels"); /* warm-up: anything kept for the process is made now */
  before = hooks_nostd_heap();
  CHECK(before.allocs > 0);
  for (i = 0; i < 3; i++)
    plugin_cycle("c1", "count_vowels");
  after = hooks_nostd_heap();
  CHECK(after.allocs > before.allocs);
  /* every block the library took from the hook went back through it */
  CHECK_EQ_U64(after.live_blocks, before.live_blocks);
  CHECK_EQ_U64(after.live_bytes, before.live_bytes);
  CHECK_EQ_INT(after.contract_violations, 0);
  harness_note("c1 (PDK count_vowels): %zu hook allocations per create+call+free, peak heap %zu KiB,"
               " largest alignment %zu",
               (after.allocs - before.allocs) / 3, after.peak_bytes / 1024, after.max_align);
}
#endif

#endif /* EXTISM_NOT_UPSTREAM */
