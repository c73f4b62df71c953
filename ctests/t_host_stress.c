/* Host functions under load and from several threads (issue 14): a plugin calling a host function
 * a million times in one call, one compiled plugin shared by 4 threads creating and calling plugins
 * at once, and value types a C host function cannot use. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

static void tick_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                    ExtismSize n_out, void *data) {
  (void)cp;
  (void)n_in;
  (void)n_out;
  (*(uint64_t *)data)++;
  out[0].v.i64 = in[0].v.i64 * 2;
}

static ExtismFunction *tick_function(uint64_t *counter) {
  ExtismValType t = EXTISM_PTR;
  return extism_function_new("tick", &t, 1, &t, 1, tick_cb, counter, NULL);
}

static int32_t run_n(ExtismPlugin *p, uint64_t n) {
  uint8_t in[8];
  memcpy(in, &n, 8); /* the suite runs on little-endian hosts */
  return extism_plugin_call(p, "run", in, 8);
}

TEST(host_function_called_a_million_times) {
  uint64_t counter = 0;
  const ExtismFunction *fns[1];
  ExtismPlugin *p;
  fns[0] = tick_function(&counter);
  p = load_plugin_fns("hostloop", fns, 1, false);
  CHECK_EQ_INT(run_n(p, 1000000), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_U64(counter, 1000000);
  CHECK_EQ_U64(output_u64(p, 0), 999999ULL * 2);
  extism_plugin_free(p);
}

struct shared {
  ExtismCompiledPlugin *compiled;
  int failures;
  pthread_mutex_t lock;
};

/* Each thread makes plugins from the shared compiled plugin and calls them; the host function's
 * counter is shared too, so only the per-call output is checked here. */
static void *worker(void *arg) {
  struct shared *s = arg;
  int round, bad = 0;
  for (round = 0; round < 25; round++) {
    char *err = NULL;
    ExtismPlugin *p = extism_plugin_new_from_compiled(s->compiled, &err);
    if (p == NULL) {
      bad++;
      extism_plugin_new_error_free(err);
      continue;
    }
    if (run_n(p, (uint64_t)(round + 1)) != 0 || extism_plugin_output_length(p) != 8)
      bad++;
    else {
      uint64_t v;
      memcpy(&v, extism_plugin_output_data(p), 8);
      if (v != (uint64_t)round * 2)
        bad++;
    }
    extism_plugin_free(p);
  }
  pthread_mutex_lock(&s->lock);
  s->failures += bad;
  pthread_mutex_unlock(&s->lock);
  return NULL;
}

TEST(compiled_plugin_shared_by_four_threads) {
  static uint64_t counter; /* written by all threads: only its final total is checked */
  const ExtismFunction *fns[1];
  struct shared s;
  pthread_t threads[4];
  size_t len = 0;
  uint8_t *w = plugin_bytes("hostloop", &len);
  char *err = NULL;
  int i;
  counter = 0;
  fns[0] = tick_function(&counter);
  memset(&s, 0, sizeof s);
  pthread_mutex_init(&s.lock, NULL);
  s.compiled = extism_compiled_plugin_new(w, len, fns, 1, false, &err);
  free(w);
  extism_function_free((ExtismFunction *)fns[0]);
  REQUIRE_NOT_NULL(s.compiled);
  for (i = 0; i < 4; i++)
    REQUIRE(pthread_create(&threads[i], NULL, worker, &s) == 0);
  for (i = 0; i < 4; i++)
    pthread_join(threads[i], NULL);
  CHECK_EQ_INT(s.failures, 0);
  extism_compiled_plugin_free(s.compiled);
  pthread_mutex_destroy(&s.lock);
}

TEST(host_function_count_is_ignored_for_null_array) {
  ExtismPlugin *p = load_plugin_fns("tiny", NULL, 5, false);
  CHECK_NOT_NULL(p);
  extism_plugin_free(p);
}

/* FuncRef/ExternRef cannot cross the C boundary by value: refused when a plugin is made
 * (upstream aborts the process when such a function is called). V128 links, as upstream's, and
 * fails the call instead: t_simd.c. */
TEST_NOT_UPSTREAM(host_function_unusable_types_refused, "aborts when called") {
  static const ExtismValType bad[2] = {ExtismValType_FuncRef, ExtismValType_ExternRef};
  int i;
  for (i = 0; i < 2; i++) {
    ExtismValType t = bad[i];
    const ExtismFunction *fns[1];
    size_t len = 0;
    uint8_t *w = plugin_bytes("hostloop", &len);
    char *e;
    fns[0] = extism_function_new("tick", &t, 1, &t, 1, tick_cb, NULL, NULL);
    REQUIRE_NOT_NULL(fns[0]);
    {
      char *err = NULL;
      ExtismPlugin *p = extism_plugin_new(w, len, fns, 1, false, &err);
      CHECK_NULL(p);
      e = err ? err : "";
      CHECK_CONTAINS(e, "is not supported");
      extism_plugin_new_error_free(err);
      extism_plugin_free(p);
    }
    extism_function_free((ExtismFunction *)fns[0]);
    free(w);
  }
}

/* Upstream hands out a usable handle for a NULL callback; a plugin links against it. */
TEST(host_function_null_callback_links) {
  ExtismValType t = EXTISM_PTR;
  const ExtismFunction *fns[1];
  ExtismPlugin *p;
  fns[0] = extism_function_new("tick", &t, 1, &t, 1, NULL, NULL, NULL);
  REQUIRE_NOT_NULL(fns[0]);
  p = load_plugin_fns("hostloop", fns, 1, false);
  CHECK_NOT_NULL(p);
  extism_plugin_free(p);
}

/* Calling it fails the call with a clear error (upstream would jump to address 0). */
TEST_NOT_UPSTREAM(host_function_null_callback_fails_call, "calls a NULL function pointer") {
  ExtismValType t = EXTISM_PTR;
  const ExtismFunction *fns[1];
  ExtismPlugin *p;
  fns[0] = extism_function_new("tick", &t, 1, &t, 1, NULL, NULL, NULL);
  p = load_plugin_fns("hostloop", fns, 1, false);
  CHECK_EQ_INT(run_n(p, 3), -1);
  CHECK_CONTAINS(extism_plugin_error(p), "no callback");
  CHECK_EQ_INT(run_n(p, 0), 0);
  extism_plugin_free(p);
}
