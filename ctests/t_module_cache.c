/* Plugins created from the same bytes (our runtime shares their compiled code through a process-wide
 * cache keyed by the modules' non-custom sections): each still has its own memory, vars and config;
 * a module with the same code but another data section is another plugin; a copy of the bytes with
 * debug info (a custom section) added behaves the same; and creating from the same bytes while a
 * plugin made from them is in a call on another thread is fine. Upstream compiles every create call
 * on its own, so all of this holds there too. Plugin: plugins/twin.wat. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static const char MARKER_A[] = "DATA-A-MARKER-01", MARKER_B[] = "DATA-B-MARKER-02";

static ExtismPlugin *from_bytes(const uint8_t *b, size_t len) {
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new(b, len, NULL, 0, false, &err);
  if (!p) {
    printf("  create failed: %s\n", err ? err : "(no message)");
    extism_plugin_new_error_free(err);
  }
  return p;
}

/* Output of a call that must succeed, as a string (caller frees). */
static char *call_out(ExtismPlugin *p, const char *fn, const char *input) {
  CHECK_EQ_INT(call_str(p, fn, input), 0);
  return output_str(p);
}

static void check_data(ExtismPlugin *p, const char *want) {
  char *s = call_out(p, "data", NULL);
  CHECK_STR(s, want);
  free(s);
}

static void check_count(ExtismPlugin *p, uint64_t want) {
  CHECK_EQ_INT(call_str(p, "count", NULL), 0);
  CHECK_EQ_U64(output_u64(p, 0), want);
}

static void check_cfg(ExtismPlugin *p, const char *want) {
  char *s = call_out(p, "cfg", NULL);
  CHECK_STR(s, want);
  free(s);
}

/* The twin: the same bytes with the data segment's marker swapped (same code section). */
static uint8_t *twin_bytes(const uint8_t *b, size_t len) {
  uint8_t *t = malloc(len);
  size_t i;
  memcpy(t, b, len);
  for (i = 0; i + 16 <= len; i++)
    if (memcmp(t + i, MARKER_A, 16) == 0) {
      memcpy(t + i, MARKER_B, 16);
      return t;
    }
  CHECK(!"marker not found in twin.wasm");
  free(t);
  return NULL;
}

TEST(module_cache_same_bytes_independent_state) {
  size_t len = 0;
  uint8_t *b = plugin_bytes("twin", &len);
  ExtismPlugin *p = from_bytes(b, len), *q = from_bytes(b, len);
  REQUIRE(p && q);
  /* memory: a write in one is not seen by the other, nor by a plugin made later */
  check_data(p, MARKER_A);
  CHECK_EQ_INT(call_str(p, "poke", "Z"), 0);
  check_data(p, "ZATA-A-MARKER-01");
  check_data(q, MARKER_A);
  /* vars */
  check_count(p, 1);
  check_count(p, 2);
  check_count(q, 1);
  /* config */
  CHECK(extism_plugin_config(p, (const uint8_t *)"{\"k\":\"for p\"}", 13));
  check_cfg(p, "for p");
  check_cfg(q, "");
  CHECK(extism_plugin_config(q, (const uint8_t *)"{\"k\":\"for q\"}", 13));
  check_cfg(p, "for p");
  check_cfg(q, "for q");
  /* freeing the first leaves the second working; a third from the same bytes starts fresh */
  extism_plugin_free(p);
  check_count(q, 2);
  ExtismPlugin *r = from_bytes(b, len);
  REQUIRE(r);
  check_data(r, MARKER_A);
  check_count(r, 1);
  check_cfg(r, "");
  extism_plugin_free(q);
  extism_plugin_free(r);
  free(b);
}

TEST(module_cache_other_data_section_is_another_module) {
  size_t len = 0;
  uint8_t *b = plugin_bytes("twin", &len), *t = twin_bytes(b, len);
  REQUIRE(t);
  ExtismPlugin *p = from_bytes(b, len), *q = from_bytes(t, len);
  REQUIRE(p && q);
  check_data(p, MARKER_A);
  check_data(q, MARKER_B);
  /* and the other way round, with the twin created first and the original freed in between */
  extism_plugin_free(p);
  ExtismPlugin *q2 = from_bytes(t, len), *p2 = from_bytes(b, len);
  REQUIRE(q2 && p2);
  check_data(q2, MARKER_B);
  check_data(p2, MARKER_A);
  extism_plugin_free(q);
  extism_plugin_free(q2);
  extism_plugin_free(p2);
  free(t);
  free(b);
}

TEST(module_cache_custom_section_added_same_behaviour) {
  size_t len = 0, i;
  uint8_t *b = plugin_bytes("twin", &len);
  /* append a custom section "dbg" of 300 bytes: id 0, size 304 (LEB 0xb0 0x02), name */
  size_t dlen = len + 3 + 4 + 300;
  uint8_t *d = malloc(dlen);
  memcpy(d, b, len);
  d[len] = 0;
  d[len + 1] = 0xb0;
  d[len + 2] = 0x02;
  d[len + 3] = 3;
  memcpy(d + len + 4, "dbg", 3);
  for (i = 0; i < 300; i++)
    d[len + 7 + i] = (uint8_t)i;
  ExtismPlugin *p = from_bytes(b, len), *q = from_bytes(d, dlen);
  REQUIRE(p && q);
  check_data(q, MARKER_A);
  check_count(p, 1);
  check_count(q, 1);
  extism_plugin_free(p);
  extism_plugin_free(q);
  free(d);
  free(b);
}

struct spinner {
  ExtismPlugin *p;
  int32_t rc;
};

static void *spin_thread(void *arg) {
  struct spinner *s = arg;
  s->rc = extism_plugin_call(s->p, "spin", NULL, 0);
  return NULL;
}

TEST(module_cache_create_while_a_twin_runs) {
  size_t len = 0;
  uint8_t *b = plugin_bytes("twin", &len);
  struct spinner s = {from_bytes(b, len), 0};
  pthread_t th;
  int i;
  REQUIRE(s.p);
  const ExtismCancelHandle *cancel = extism_plugin_cancel_handle(s.p);
  REQUIRE(pthread_create(&th, NULL, spin_thread, &s) == 0);
  usleep(20000);
  for (i = 0; i < 5; i++) {
    ExtismPlugin *q = from_bytes(b, len);
    CHECK(q != NULL);
    if (q) {
      check_count(q, 1);
      check_data(q, MARKER_A);
      extism_plugin_free(q);
    }
  }
  CHECK(extism_plugin_cancel(cancel));
  pthread_join(th, NULL);
  CHECK(s.rc != 0);
  check_count(s.p, 1);
  extism_plugin_free(s.p);
  free(b);
}
