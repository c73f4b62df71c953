/* Checklist "Limits" (items 175-192): timeouts, cancel, fuel, memory pages.
 * Plugins: loop.wat, start_loop.wat, grow.wat, grow_max.wat, c1; bulk.wat (fuel of bulk operations,
 * table caps). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static ExtismPlugin *with_manifest(const char *name, const char *extra) {
  char *m = manifest_for(name, extra);
  ExtismPlugin *p = plugin_from_text(m, false);
  free(m);
  return p;
}

static ExtismPlugin *with_fuel(const char *name, uint64_t fuel, char **err) {
  size_t len = 0;
  uint8_t *w = plugin_bytes(name, &len);
  ExtismPlugin *p = extism_plugin_new_with_fuel_limit(w, len, NULL, 0, false, fuel, err);
  free(w);
  return p;
}

/* 175, 176 */
TEST(timeout_stops_loop) {
  ExtismPlugin *p = with_manifest("loop", ",\"timeout_ms\":300");
  int i;
  for (i = 0; i < 2; i++) {
    double t0 = now_ms(), dt;
    CHECK_EQ_INT(call_str(p, "loop", NULL), 134);
    dt = now_ms() - t0;
    CHECK_STR(extism_plugin_error(p), "timeout");
    CHECK(dt >= 250 && dt < 3000);
    if (dt < 250 || dt >= 3000)
      printf("    took %.0f ms\n", dt);
  }
  /* still usable, each call gets the full budget */
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "count", NULL), 0);
  extism_plugin_free(p);
}

struct canceller {
  const ExtismCancelHandle *h;
  int delay_ms;
  bool result;
};

static void *cancel_later(void *v) {
  struct canceller *c = v;
  usleep((useconds_t)c->delay_ms * 1000);
  c->result = extism_plugin_cancel(c->h);
  return NULL;
}

/* 177 */
TEST(cancel_from_other_thread) {
  ExtismPlugin *p = load_plugin("loop", false);
  struct canceller c;
  pthread_t th;
  double t0, dt;
  c.h = extism_plugin_cancel_handle(p);
  c.delay_ms = 300;
  c.result = false;
  REQUIRE_NOT_NULL(c.h);
  REQUIRE(pthread_create(&th, NULL, cancel_later, &c) == 0);
  t0 = now_ms();
  CHECK_EQ_INT(call_str(p, "loop", NULL), 134);
  dt = now_ms() - t0;
  pthread_join(th, NULL);
  CHECK(c.result);
  CHECK_STR(extism_plugin_error(p), "timeout");
  CHECK(dt >= 250 && dt < 5000);
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  extism_plugin_free(p);
}

/* 178, 200 */
TEST(cancel_while_idle) {
  ExtismPlugin *p = load_plugin("loop", false);
  const ExtismCancelHandle *h = extism_plugin_cancel_handle(p);
  REQUIRE_NOT_NULL(h);
  CHECK(extism_plugin_cancel_handle(p) == h);
  CHECK(extism_plugin_cancel(h));
  CHECK(extism_plugin_cancel(h));
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "count", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 179 */
TEST(timeout_zero_trivial_call) {
  ExtismPlugin *p = with_manifest("loop", ",\"timeout_ms\":0");
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  extism_plugin_free(p);
}

/* 180 [rec] */
TEST_NOT_UPSTREAM(timeout_zero_loop, "may hang: timeout_ms 0 is not enforced") {
  ExtismPlugin *p = with_manifest("loop", ",\"timeout_ms\":0");
  double t0 = now_ms();
  CHECK_EQ_INT(call_str(p, "loop", NULL), 134);
  CHECK_STR(extism_plugin_error(p), "timeout");
  CHECK(now_ms() - t0 < 1000);
  extism_plugin_free(p);
}

/* 181, 182 (v1.13.0 behaviour; 1.41 refuses creation with fuel 1) */
TEST_NOT_UPSTREAM(fuel_one, "1.41 refuses to create a plugin with fuel 1 (spec 8.3)") {
  char *err = NULL;
  ExtismPlugin *p = with_fuel("loop", 1, &err);
  int i, bad = 0;
  if (!CHECK_NOT_NULL(p)) {
    printf("    %s\n", err ? err : "NULL");
    extism_plugin_new_error_free(err);
    return;
  }
  for (i = 0; i < 10001; i++) {
    const char *e;
    if (call_str(p, "quick", NULL) != -1)
      bad++;
    e = extism_plugin_error(p);
    if (!e || strcmp(e, "plugin ran out of fuel") != 0)
      bad++;
  }
  CHECK_EQ_INT(bad, 0);
  extism_plugin_free(p);
}

/* what 1.41 does with fuel 1 */
TEST(fuel_one_reference_1_41) {
  char *err = NULL;
  ExtismPlugin *p = with_fuel("loop", 1, &err);
  if (p) {
    /* v1.13.0 behaviour: created, every call runs dry */
    CHECK_EQ_INT(call_str(p, "quick", NULL), -1);
    CHECK_STR(extism_plugin_error(p), "plugin ran out of fuel");
    extism_plugin_free(p);
  } else {
    CHECK_STR(err, "Unable to create Extism plugin: wasm trap: all fuel consumed by WebAssembly");
    extism_plugin_new_error_free(err);
  }
}

/* 183 */
TEST(fuel_runs_out_every_call) {
  char *err = NULL;
  ExtismPlugin *p = with_fuel("loop", 100000, &err);
  int i;
  if (!CHECK_NOT_NULL(p)) {
    printf("    %s\n", err ? err : "NULL");
    extism_plugin_new_error_free(err);
    return;
  }
  for (i = 0; i < 20; i++) {
    CHECK_EQ_INT(call_str(p, "loop", NULL), -1);
    CHECK_STR(extism_plugin_error(p), "plugin ran out of fuel");
  }
  /* the plugin stays usable */
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 184: fuel is refilled for every call */
TEST(fuel_refilled_per_call) {
  char *err = NULL;
  ExtismPlugin *p = with_fuel("loop", 1000000, &err);
  int i;
  REQUIRE_NOT_NULL(p);
  for (i = 0; i < 50; i++)
    CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
  /* a call needing ~3M instructions fits a 10^8 budget on each of several calls */
  p = with_fuel("loop", 100000000, &err);
  REQUIRE_NOT_NULL(p);
  for (i = 0; i < 5; i++)
    CHECK_EQ_INT(call_str(p, "count", NULL), 0);
  extism_plugin_free(p);
}

/* 185 */
TEST(fuel_stops_start_section) {
  char *err = NULL;
  ExtismPlugin *p = with_fuel("start_loop", 1000, &err);
  CHECK_NULL(p);
  CHECK_CONTAINS(err, "all fuel consumed by WebAssembly");
  extism_plugin_new_error_free(err);
  extism_plugin_free(p);
}

/* compiled plugins carry the fuel limit */
TEST(fuel_compiled_plugin) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("loop", &len);
  char *err = NULL;
  ExtismCompiledPlugin *c =
      extism_compiled_plugin_new_with_fuel_limit(w, len, NULL, 0, false, 100000, &err);
  ExtismPlugin *p;
  free(w);
  REQUIRE_NOT_NULL(c);
  p = extism_plugin_new_from_compiled(c, &err);
  REQUIRE_NOT_NULL(p);
  CHECK_EQ_INT(call_str(p, "loop", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "plugin ran out of fuel");
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  extism_plugin_free(p);
  extism_compiled_plugin_free(c);
}

/* 186 */
TEST(max_pages_below_initial_memory) {
  ExtismPlugin *p = with_manifest("c1", ",\"memory\":{\"max_pages\":16}");
  int i;
  for (i = 0; i < 3; i++) {
    CHECK_EQ_INT(call_str(p, "count_vowels", "abc"), -1);
    CHECK_STR(extism_plugin_error(p), "oom");
  }
  extism_plugin_free(p);
}

/* 187, 188 */
TEST(max_pages_enough_for_large_input) {
  static const char *extras[2] = {",\"memory\":{\"max_pages\":17}", ""};
  size_t n = 131072;
  char *in = malloc(n), want[96];
  int i;
  memset(in, 'a', n);
  snprintf(want, sizeof want, "{\"count\":%lu,\"total\":%lu,\"vowels\":\"aeiouAEIOU\"}",
           (unsigned long)n, (unsigned long)n);
  for (i = 0; i < 2; i++) {
    ExtismPlugin *p = with_manifest("c1", extras[i]);
    CHECK_EQ_INT(extism_plugin_call(p, "count_vowels", (const uint8_t *)in, n), 0);
    CHECK_NULL(extism_plugin_error(p));
    CHECK_OUTPUT(p, want);
    extism_plugin_free(p);
  }
  free(in);
}

/* 189, 190 */
TEST(max_pages_memory_grow) {
  ExtismPlugin *p = with_manifest("grow", ",\"memory\":{\"max_pages\":3}");
  CHECK_EQ_INT(call_str(p, "grow3", NULL), 1);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "size", NULL), 4);
  CHECK_EQ_INT(call_str(p, "grow3", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "oom");
  extism_plugin_free(p);
}

/* 191 */
TEST(declared_maximum_without_max_pages) {
  ExtismPlugin *p = load_plugin("grow_max", false);
  CHECK_EQ_INT(call_str(p, "grow1", NULL), 1);
  CHECK_NULL(extism_plugin_error(p));
  /* beyond the declared maximum memory.grow itself fails */
  CHECK_EQ_INT(call_str(p, "grow5", NULL), -1);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 192 [q] */
TEST(declared_maximum_with_max_pages) {
  ExtismPlugin *p = with_manifest("grow_max", ",\"memory\":{\"max_pages\":100}");
  CHECK_EQ_INT(call_str(p, "grow1", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "oom");
  extism_plugin_free(p);
}

/* Bulk operations costing more fuel than one slice of a call (80 MiB filled, 72 MiB copied, which
 * the interpreter charges as one instruction each): they finish, with no timeout or fuel limit
 * (they once stopped for fuel at the same place forever). */
TEST(bulk_operations_larger_than_a_fuel_slice) {
  ExtismPlugin *p = load_plugin("bulk", false);
  CHECK_EQ_INT(extism_plugin_call(p, "fill", NULL, 0), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
  p = load_plugin("bulk", false);
  CHECK_EQ_INT(extism_plugin_call(p, "copy", NULL, 0), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* Under a fuel limit, the same operation counts against it: 100,000 fuel cannot pay for 80 MiB. */
TEST_NOT_UPSTREAM(bulk_operation_over_the_fuel_limit, "Wasmtime's fuel charges a bulk operation as one instruction") {
  char *err = NULL;
  ExtismPlugin *p = with_fuel("bulk", 100000, &err);
  REQUIRE_NOT_NULL(p);
  CHECK_EQ_INT(extism_plugin_call(p, "fill", NULL, 0), -1);
  CHECK_STR(extism_plugin_error(p), "plugin ran out of fuel");
  CHECK_EQ_INT(extism_plugin_call(p, "quick", NULL, 0), 0);
  extism_plugin_free(p);
}

/* Tables are capped at 2^20 elements (config::MAX_TABLE_ELEMENTS): growing past it gives -1, as a
 * failed table.grow does, so a plugin cannot take the host's memory through a table. */
TEST_NOT_UPSTREAM(table_growth_capped, "upstream has no table limit") {
  ExtismPlugin *p = load_plugin("bulk", false);
  CHECK_EQ_INT(extism_plugin_call(p, "table_past", NULL, 0), 1);
  CHECK_EQ_INT(extism_plugin_call(p, "table_loop", NULL, 0), 16);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}
