/* extism_x_compiled_plugin_new_unmetered (issue 28): plugins that run without fuel metering. They
 * compute what metered plugins compute, and give up exactly what extism.h lists: no timeout_ms
 * (refused at compile time), no cancel (extism_plugin_cancel returns false), no stepped call, fuel
 * counted as 0. The memory budget, memory limits and the call-stack bound still hold. Plugins:
 * loop, recurse, grow (WAT), c1 and cf (PDK). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static const char UNMETERED_TIMEOUT[] =
    "Unable to compile Extism plugin: timeout_ms needs fuel metering, and this plugin is compiled unmetered (extism_x_compiled_plugin_new_unmetered)";
static const char UNMETERED_STEP[] =
    "a stepped call needs fuel metering, and this plugin is compiled unmetered (extism_x_compiled_plugin_new_unmetered)";

/* A plugin from `bytes` compiled unmetered (metered when `metered`), with `fns`. */
static ExtismPlugin *from_compiled(const void *bytes, size_t len, const ExtismFunction **fns, size_t n,
                                   bool metered) {
  char *err = NULL;
  ExtismCompiledPlugin *c =
      metered ? extism_compiled_plugin_new(bytes, len, fns, n, false, &err)
              : extism_x_compiled_plugin_new_unmetered(bytes, len, fns, n, false, &err);
  ExtismPlugin *p;
  if (!c) {
    printf("    compile: %s\n", err ? err : "NULL");
    extism_plugin_new_error_free(err);
    return NULL;
  }
  p = extism_plugin_new_from_compiled(c, &err);
  if (!p) {
    printf("    create: %s\n", err ? err : "NULL");
    extism_plugin_new_error_free(err);
  }
  extism_compiled_plugin_free(c);
  return p;
}

static ExtismPlugin *unmetered(const char *name) {
  size_t len = 0;
  uint8_t *wasm = plugin_bytes(name, &len);
  ExtismPlugin *p = from_compiled(wasm, len, NULL, 0, false);
  free(wasm);
  return p;
}

static int32_t call_u64(ExtismPlugin *p, const char *fn, uint64_t n) {
  uint8_t in[8];
  memcpy(in, &n, 8);
  return extism_plugin_call(p, fn, in, 8);
}

/* Same outputs, vars and host calls as a metered plugin; no fuel counted. */
TEST(x_unmetered_runs_like_metered) {
  size_t len = 0;
  uint8_t *wasm = plugin_bytes("c1", &len);
  ExtismPlugin *m = from_compiled(wasm, len, NULL, 0, true);
  ExtismPlugin *u = from_compiled(wasm, len, NULL, 0, false);
  ExtismXCallStats sm, su;
  const char *inputs[] = {"hello world", "aaa", ""};
  size_t i;
  free(wasm);
  REQUIRE(m != NULL && u != NULL);
  for (i = 0; i < 3; i++) {
    char *want, *got;
    CHECK_EQ_INT(call_str(m, "count_vowels", inputs[i]), 0);
    CHECK_EQ_INT(call_str(u, "count_vowels", inputs[i]), 0);
    want = output_str(m);
    got = output_str(u);
    CHECK_STR(got, want);
    free(want);
    free(got);
  }
  CHECK_OUTPUT(u, "{\"count\":0,\"total\":6,\"vowels\":\"aeiouAEIOU\"}");
  REQUIRE(extism_x_plugin_last_call_stats(m, &sm) && extism_x_plugin_last_call_stats(u, &su));
  CHECK(sm.fuel_consumed > 0);
  CHECK_EQ_U64(su.fuel_consumed, 0);
  CHECK_EQ_U64(su.linear_memory_bytes, sm.linear_memory_bytes);
  extism_plugin_free(m);
  extism_plugin_free(u);
}

TEST(x_unmetered_host_functions) {
  size_t len = 0;
  uint8_t *wasm = plugin_bytes("cf", &len);
  const ExtismFunction *fns[1];
  ExtismFunction *f = identity_function("hello_world");
  ExtismPlugin *p;
  ExtismXCallStats s;
  fns[0] = f;
  p = from_compiled(wasm, len, fns, 1, false);
  free(wasm);
  extism_function_free(f);
  REQUIRE(p != NULL);
  CHECK_EQ_INT(call_str(p, "count_vowels", "hello world"), 0);
  {
    char *out = output_str(p);
    CHECK_STR(out, "{\"count\": 3}");
    free(out);
  }
  REQUIRE(extism_x_plugin_last_call_stats(p, &s));
  CHECK_EQ_U64(s.host_calls, 1);
  extism_plugin_free(p);
}

/* A loop with an end runs to it in one go. */
TEST(x_unmetered_bounded_loop) {
  ExtismPlugin *p = unmetered("loop");
  REQUIRE(p != NULL);
  CHECK_EQ_INT(extism_plugin_call(p, "count", NULL, 0), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

TEST(x_unmetered_refuses_timeout) {
  char *m = manifest_for("loop", ",\"timeout_ms\":100");
  char *err = NULL;
  ExtismCompiledPlugin *c = extism_x_compiled_plugin_new_unmetered((const uint8_t *)m, strlen(m), NULL, 0,
                                                                   false, &err);
  CHECK_NULL(c);
  CHECK_STR(err, UNMETERED_TIMEOUT);
  extism_plugin_new_error_free(err);
  err = NULL;
  c = extism_compiled_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, false, &err);
  CHECK_NOT_NULL(c);
  extism_compiled_plugin_free(c);
  free(m);
}

/* The handle exists (upstream hosts take it unchecked) but a cancel is refused and changes nothing. */
TEST(x_unmetered_cancel_refused) {
  ExtismPlugin *p = unmetered("loop");
  const ExtismCancelHandle *h;
  REQUIRE(p != NULL);
  h = extism_plugin_cancel_handle(p);
  REQUIRE(h != NULL);
  CHECK(!extism_plugin_cancel(h));
  CHECK_EQ_INT(extism_plugin_call(p, "quick", NULL, 0), 0);
  CHECK_EQ_INT(extism_plugin_call(p, "count", NULL, 0), 0);
  extism_plugin_free(p);
}

TEST(x_unmetered_stepped_call_refused) {
  ExtismPlugin *p = unmetered("loop");
  REQUIRE(p != NULL);
  CHECK(!extism_x_call_begin(p, "quick", NULL, 0, NULL));
  CHECK_EQ_INT(extism_x_call_rc(p), -1);
  CHECK_STR(extism_plugin_error(p), UNMETERED_STEP);
  CHECK_EQ_INT(extism_x_call_step(p, 1000), EXTISM_X_STEP_IDLE);
  CHECK_EQ_INT(extism_plugin_call(p, "quick", NULL, 0), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* Endless recursion traps as it does metered: the call-stack bound is not fuel. */
TEST(x_unmetered_recursion_bounded) {
  ExtismPlugin *p = unmetered("recurse");
  REQUIRE(p != NULL);
  CHECK_EQ_INT(call_u64(p, "deep", 10000), 1);
  CHECK_EQ_INT(call_u64(p, "deep", 100000000), 134);
  CHECK_CONTAINS(extism_plugin_error(p), "call stack exhausted");
  CHECK_EQ_INT(call_u64(p, "deep", 100), 1);
  extism_plugin_free(p);
}

/* memory.max_pages bounds an unmetered plugin's growth (the memory budget is the same limiter). */
TEST(x_unmetered_memory_limits_hold) {
  char *m = manifest_for("grow", ",\"memory\":{\"max_pages\":3}");
  ExtismPlugin *p = from_compiled(m, strlen(m), NULL, 0, false);
  free(m);
  REQUIRE(p != NULL);
  /* as metered (t_limits.c, max_pages_memory_grow) */
  CHECK_EQ_INT(call_str(p, "grow3", NULL), 1);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "size", NULL), 4);
  CHECK_EQ_INT(call_str(p, "grow3", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "oom");
  extism_plugin_free(p);
}
