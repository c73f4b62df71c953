/* Extensions: stepped calls (issue 17), host functions that fail or wait (issue 18), and what a call
 * cost. None of this exists upstream, so every test here is ours (TEST_NOT_UPSTREAM). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define OURS "extension of this library"

/* Runs a stepped call to its end with slices of `fuel`; returns the final step state. */
static int step_to_end(ExtismPlugin *p, uint64_t fuel, long *steps) {
  int st;
  long n = 0;
  do {
    st = extism_x_call_step(p, fuel);
    n++;
  } while (st == EXTISM_X_STEP_RUNNING);
  if (steps)
    *steps = n;
  return st;
}

struct result {
  int32_t rc;
  char *error; /* malloc'd copy or NULL */
  char *output;
  size_t output_len;
};

static void capture(ExtismPlugin *p, int32_t rc, struct result *r) {
  const char *e = extism_plugin_error(p);
  r->rc = rc;
  r->error = e ? strdup(e) : NULL;
  r->output_len = (size_t)extism_plugin_output_length(p);
  r->output = malloc(r->output_len + 1);
  memcpy(r->output, extism_plugin_output_data(p), r->output_len);
  r->output[r->output_len] = 0;
}

static void release(struct result *r) {
  free(r->error);
  free(r->output);
}

/* The same call, plain and stepped at several slice sizes, on fresh plugins: same rc, error, output. */
static void same_as_plain(const char *plugin, const char *fn, const char *input) {
  static const uint64_t slices[3] = {1, 1000, 1000000000ULL};
  struct result plain, stepped;
  int i;
  ExtismPlugin *p = load_plugin(plugin, false);
  capture(p, call_str(p, fn, input), &plain);
  extism_plugin_free(p);
  for (i = 0; i < 3; i++) {
    int st;
    p = load_plugin(plugin, false);
    if (extism_x_call_begin(p, fn, (const uint8_t *)input, input ? strlen(input) : 0, NULL)) {
      st = step_to_end(p, slices[i], NULL);
      CHECK(st == EXTISM_X_STEP_FINISHED || st == EXTISM_X_STEP_FAILED);
      CHECK_EQ_INT(st == EXTISM_X_STEP_FINISHED, plain.rc == 0 && plain.error == NULL);
    }
    capture(p, extism_x_call_rc(p), &stepped);
    CHECK_EQ_INT(stepped.rc, plain.rc);
    if (plain.error && stepped.error && strstr(plain.error, "wasm trap") == NULL)
      CHECK_STR(stepped.error, plain.error);
    CHECK_EQ_INT(stepped.error == NULL, plain.error == NULL);
    CHECK_MEM(stepped.output, stepped.output_len, plain.output, plain.output_len);
    CHECK_EQ_INT(extism_x_call_step(p, 1), EXTISM_X_STEP_IDLE);
    release(&stepped);
    extism_plugin_free(p);
  }
  release(&plain);
}

TEST_NOT_UPSTREAM(step_results_match_plain_calls, OURS) {
  same_as_plain("c1", "count_vowels", "Hello, stepped World! aeiou");
  same_as_plain("calls", "ret_42", NULL);
  same_as_plain("calls", "nothing", NULL);
  same_as_plain("calls", "echo", "echo me");
  same_as_plain("calls", "err_ret_7", NULL);
  same_as_plain("calls", "err_trap", NULL);
  same_as_plain("calls", "trap", NULL);
  same_as_plain("calls", "div_zero", NULL);
  same_as_plain("calls", "stack_overflow", NULL);
  same_as_plain("calls", "two_results", NULL);
  same_as_plain("calls", "missing_export", NULL);
  same_as_plain("loop", "count", NULL);
}

TEST_NOT_UPSTREAM(step_small_slices_take_many_steps, OURS) {
  ExtismPlugin *p = load_plugin("loop", false);
  long steps = 0;
  REQUIRE(extism_x_call_begin(p, "count", NULL, 0, NULL));
  CHECK_EQ_INT(step_to_end(p, 1000, &steps), EXTISM_X_STEP_FINISHED);
  CHECK(steps > 100);
  CHECK_EQ_INT(extism_x_call_rc(p), 0);
  extism_plugin_free(p);
}

/* One instruction costing more than a slice (a table.grow of 2^20 elements: 65536 fuel) runs in one
 * step that is given its cost on top of the slice; it once stopped at the same place forever. */
TEST_NOT_UPSTREAM(step_instruction_costing_more_than_a_slice, OURS) {
  ExtismPlugin *p = load_plugin("bulk", false);
  long steps = 0;
  REQUIRE(extism_x_call_begin(p, "table_full", NULL, 0, NULL));
  CHECK_EQ_INT(step_to_end(p, 10000, &steps), EXTISM_X_STEP_FINISHED);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(extism_x_call_rc(p), 0);
  CHECK(steps <= 3);
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(step_loop_stopped_by_abort, OURS) {
  ExtismPlugin *p = load_plugin("loop", false);
  int i;
  REQUIRE(extism_x_call_begin(p, "loop", NULL, 0, NULL));
  for (i = 0; i < 50; i++)
    CHECK_EQ_INT(extism_x_call_step(p, 10000), EXTISM_X_STEP_RUNNING);
  CHECK(extism_x_call_abort(p));
  CHECK(!extism_x_call_abort(p));
  CHECK_EQ_INT(extism_x_call_rc(p), -1);
  CHECK_STR(extism_plugin_error(p), "call aborted by the host");
  CHECK_EQ_INT(extism_x_call_step(p, 1), EXTISM_X_STEP_IDLE);
  /* the plugin is usable afterwards, plain and stepped */
  CHECK_EQ_INT(call_str(p, "quick", NULL), 0);
  REQUIRE(extism_x_call_begin(p, "quick", NULL, 0, NULL));
  CHECK_EQ_INT(step_to_end(p, 5, NULL), EXTISM_X_STEP_FINISHED);
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(step_loop_stopped_by_cancel, OURS) {
  ExtismPlugin *p = load_plugin("loop", false);
  const ExtismCancelHandle *h = extism_plugin_cancel_handle(p);
  REQUIRE(extism_x_call_begin(p, "loop", NULL, 0, NULL));
  CHECK_EQ_INT(extism_x_call_step(p, 10000), EXTISM_X_STEP_RUNNING);
  CHECK(extism_plugin_cancel(h));
  CHECK_EQ_INT(extism_x_call_step(p, 10000), EXTISM_X_STEP_FAILED);
  CHECK_EQ_INT(extism_x_call_rc(p), 134);
  CHECK_STR(extism_plugin_error(p), "timeout");
  /* a cancel does not carry over to the next call */
  REQUIRE(extism_x_call_begin(p, "count", NULL, 0, NULL));
  CHECK_EQ_INT(step_to_end(p, 100000, NULL), EXTISM_X_STEP_FINISHED);
  extism_plugin_free(p);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* timeout_ms counts from the first slice, and is noticed between slices. */
TEST_NOT_UPSTREAM(step_loop_stopped_by_timeout, OURS) {
  char *m = manifest_for("loop", ",\"timeout_ms\":100");
  ExtismPlugin *p = plugin_from_text(m, false);
  double t0;
  int st;
  REQUIRE(extism_x_call_begin(p, "loop", NULL, 0, NULL));
  usleep(200000); /* time before the first slice does not count */
  t0 = now_ms();
  CHECK_EQ_INT(extism_x_call_step(p, 1000), EXTISM_X_STEP_RUNNING);
  do
    st = extism_x_call_step(p, 1000);
  while (st == EXTISM_X_STEP_RUNNING && now_ms() - t0 < 5000);
  CHECK_EQ_INT(st, EXTISM_X_STEP_FAILED);
  CHECK(now_ms() - t0 >= 95);
  CHECK(now_ms() - t0 < 1000);
  CHECK_EQ_INT(extism_x_call_rc(p), 134);
  CHECK_STR(extism_plugin_error(p), "timeout");
  extism_plugin_free(p);
  free(m);
}

TEST_NOT_UPSTREAM(step_fuel_limit_spans_slices, OURS) {
  size_t len = 0;
  uint8_t *w = plugin_bytes("loop", &len);
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new_with_fuel_limit(w, len, NULL, 0, false, 100000, &err);
  free(w);
  REQUIRE_NOT_NULL(p);
  REQUIRE(extism_x_call_begin(p, "loop", NULL, 0, NULL));
  CHECK_EQ_INT(step_to_end(p, 1000, NULL), EXTISM_X_STEP_FAILED);
  CHECK_EQ_INT(extism_x_call_rc(p), -1);
  CHECK_STR(extism_plugin_error(p), "plugin ran out of fuel");
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(step_other_calls_refused_while_in_progress, OURS) {
  ExtismPlugin *p = load_plugin("loop", false);
  REQUIRE(extism_x_call_begin(p, "loop", NULL, 0, NULL));
  CHECK_EQ_INT(extism_x_call_step(p, 1000), EXTISM_X_STEP_RUNNING);
  CHECK_EQ_INT(call_str(p, "quick", NULL), -1);
  CHECK_CONTAINS(extism_plugin_error(p), "stepped call is in progress");
  CHECK(!extism_plugin_config(p, (const uint8_t *)"{}", 2));
  CHECK(!extism_plugin_reset(p));
  CHECK(!extism_x_call_begin(p, "quick", NULL, 0, NULL));
  /* the stepped call itself is untouched */
  CHECK_EQ_INT(extism_x_call_step(p, 1000), EXTISM_X_STEP_RUNNING);
  extism_plugin_free(p); /* freeing mid-call is safe */
}

TEST_NOT_UPSTREAM(step_begin_failures, OURS) {
  ExtismPlugin *p = load_plugin("calls", false);
  CHECK(!extism_x_call_begin(p, "missing_export", NULL, 0, NULL));
  CHECK_EQ_INT(extism_x_call_rc(p), -1);
  CHECK_STR(extism_plugin_error(p), "Function not found: missing_export");
  CHECK(!extism_x_call_begin(p, NULL, NULL, 0, NULL));
  CHECK(!extism_x_call_begin(p, "\xff", NULL, 0, NULL));
  CHECK_EQ_INT(extism_x_call_step(p, 10), EXTISM_X_STEP_IDLE);
  CHECK(!extism_x_call_begin(NULL, "x", NULL, 0, NULL));
  CHECK_EQ_INT(extism_x_call_step(NULL, 10), EXTISM_X_STEP_IDLE);
  CHECK(!extism_x_call_abort(NULL));
  CHECK_EQ_INT(extism_x_call_rc(NULL), -1);
  extism_plugin_free(p);
}

/* --- host functions inside slices, failing and waiting ------------------------------------------ */

struct sensor {
  int calls;
  int fail_next; /* the callback fails the call */
  int wait_next; /* the callback asks to wait */
};

static void tick_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                    ExtismSize n_out, void *data) {
  struct sensor *s = data;
  (void)n_in;
  (void)n_out;
  s->calls++;
  out[0].v.i64 = in[0].v.i64 * 2;
  if (s->fail_next)
    CHECK(extism_x_current_plugin_fail(cp, "sensor unplugged"));
  if (s->wait_next)
    CHECK(extism_x_current_plugin_wait(cp));
}

static ExtismPlugin *hostloop(struct sensor *s) {
  ExtismValType t = EXTISM_PTR;
  const ExtismFunction *fns[1];
  fns[0] = extism_function_new("tick", &t, 1, &t, 1, tick_cb, s, NULL);
  return load_plugin_fns("hostloop", fns, 1, false);
}

static bool begin_n(ExtismPlugin *p, uint64_t n) {
  uint8_t in[8];
  memcpy(in, &n, 8);
  return extism_x_call_begin(p, "run", in, 8, NULL);
}

TEST_NOT_UPSTREAM(step_host_function_inside_slices, OURS) {
  struct sensor s = {0, 0, 0};
  ExtismPlugin *p = hostloop(&s);
  ExtismXCallStats stats;
  REQUIRE(begin_n(p, 1000));
  CHECK_EQ_INT(step_to_end(p, 50, NULL), EXTISM_X_STEP_FINISHED);
  CHECK_EQ_INT(s.calls, 1000);
  CHECK_EQ_U64(output_u64(p, 0), 999 * 2);
  CHECK(extism_x_plugin_last_call_stats(p, &stats));
  CHECK_EQ_U64(stats.host_calls, 1000);
  CHECK(stats.fuel_consumed > 1000);
  CHECK(stats.kernel_memory_bytes >= 65536);
  CHECK_EQ_U64(stats.linear_memory_bytes, 65536);
  CHECK(!extism_x_plugin_last_call_stats(p, NULL));
  CHECK(!extism_x_plugin_last_call_stats(NULL, &stats));
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(call_stats_for_plain_calls, OURS) {
  struct sensor s = {0, 0, 0};
  ExtismPlugin *p = hostloop(&s);
  ExtismXCallStats a, b;
  uint8_t in[8];
  uint64_t n = 10;
  CHECK(extism_x_plugin_last_call_stats(p, &a));
  CHECK_EQ_U64(a.fuel_consumed, 0);
  memcpy(in, &n, 8);
  CHECK_EQ_INT(extism_plugin_call(p, "run", in, 8), 0);
  CHECK(extism_x_plugin_last_call_stats(p, &a));
  CHECK_EQ_U64(a.host_calls, 10);
  n = 1000;
  memcpy(in, &n, 8);
  CHECK_EQ_INT(extism_plugin_call(p, "run", in, 8), 0);
  CHECK(extism_x_plugin_last_call_stats(p, &b));
  CHECK_EQ_U64(b.host_calls, 1000);
  CHECK(b.fuel_consumed > a.fuel_consumed);
  CHECK(b.wall_time_ns > 0);
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(host_function_fails_the_call, OURS) {
  struct sensor s = {0, 1, 0};
  ExtismPlugin *p = hostloop(&s);
  uint8_t in[8];
  uint64_t n = 3;
  memcpy(in, &n, 8);
  CHECK_EQ_INT(extism_plugin_call(p, "run", in, 8), -1);
  CHECK_STR(extism_plugin_error(p), "sensor unplugged");
  CHECK_EQ_INT(s.calls, 1); /* stopped at the first failing call */
  s.fail_next = 0;
  CHECK_EQ_INT(extism_plugin_call(p, "run", in, 8), 0);
  CHECK_NULL(extism_plugin_error(p));
  /* outside a callback it does nothing */
  CHECK(!extism_x_current_plugin_fail(NULL, "x"));
  CHECK(!extism_x_current_plugin_wait(NULL));
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(host_function_wait_in_plain_call_fails, OURS) {
  struct sensor s = {0, 0, 1};
  ExtismPlugin *p = hostloop(&s);
  uint8_t in[8];
  uint64_t n = 3;
  memcpy(in, &n, 8);
  CHECK_EQ_INT(extism_plugin_call(p, "run", in, 8), -1);
  CHECK_CONTAINS(extism_plugin_error(p), "only a stepped call");
  extism_plugin_free(p);
}

/* The waiting sensor answers after `delay` loop turns with a value of the host's choosing. */
static void wait_answered_after(int delay) {
  struct sensor s = {0, 0, 1};
  ExtismPlugin *p = hostloop(&s);
  int st, turns = 0, waits = 0;
  REQUIRE(begin_n(p, 3));
  for (;;) {
    st = extism_x_call_step(p, 100);
    if (st == EXTISM_X_STEP_WAITING) {
      ExtismVal v;
      CHECK_STR(extism_x_call_waiting_function(p), "extism:host/user::tick");
      if (turns++ < delay)
        continue; /* not ready yet: step again, still waiting */
      turns = 0;
      waits++;
      v.t = ExtismValType_I64;
      v.v.i64 = 1000 + waits;
      CHECK(!extism_x_call_resume(p, &v, 2));
      CHECK(extism_x_call_resume(p, &v, 1));
      CHECK(!extism_x_call_resume(p, &v, 1));
      continue;
    }
    if (st != EXTISM_X_STEP_RUNNING)
      break;
  }
  CHECK_EQ_INT(st, EXTISM_X_STEP_FINISHED);
  CHECK_EQ_INT(waits, 3);
  CHECK_EQ_INT(s.calls, 3);
  CHECK_EQ_U64(output_u64(p, 0), 1003); /* the last answer, not what the callback wrote */
  CHECK_NULL(extism_x_call_waiting_function(p));
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(host_function_wait_answered_after_0_1_100_steps, OURS) {
  wait_answered_after(0);
  wait_answered_after(1);
  wait_answered_after(100);
}

TEST_NOT_UPSTREAM(host_function_wait_answered_with_failure, OURS) {
  struct sensor s = {0, 0, 1};
  ExtismPlugin *p = hostloop(&s);
  REQUIRE(begin_n(p, 3));
  CHECK_EQ_INT(extism_x_call_step(p, 100000), EXTISM_X_STEP_WAITING);
  CHECK(extism_x_call_resume_error(p, "sensor timed out"));
  CHECK_EQ_INT(extism_x_call_step(p, 100000), EXTISM_X_STEP_IDLE);
  CHECK_EQ_INT(extism_x_call_rc(p), -1);
  CHECK_STR(extism_plugin_error(p), "sensor timed out");
  CHECK(!extism_x_call_resume_error(p, "again"));
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(plugin_freed_while_host_function_waits, OURS) {
  struct sensor s = {0, 0, 1};
  ExtismPlugin *p = hostloop(&s);
  REQUIRE(begin_n(p, 3));
  CHECK_EQ_INT(extism_x_call_step(p, 100000), EXTISM_X_STEP_WAITING);
  extism_plugin_free(p);
}
