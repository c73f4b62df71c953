/* Modules of one manifest that import each other in a cycle (issue 32; the JS and Chicory SDKs run
 * them, upstream's library segfaults creating them): each import that closes the cycle reaches the
 * other instance's export once it exists; a start function calling into a module not yet
 * instantiated is a creation error, never a crash. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

/* {"wasm":[{"data":"<base64>","name":"<name>"},...]<extra>} from n (name, test plugin) pairs; the
 * module named "main" is the main one. malloc'd. */
static char *cycle_manifest(const char *const pairs[][2], size_t n, const char *extra) {
  size_t cap = 64 + strlen(extra), used = 0, i;
  char **b64 = calloc(n, sizeof *b64), *m;
  for (i = 0; i < n; i++) {
    size_t len = 0;
    uint8_t *w = plugin_bytes(pairs[i][1], &len);
    b64[i] = base64_encode(w, len);
    free(w);
    cap += strlen(b64[i]) + strlen(pairs[i][0]) + 32;
  }
  m = malloc(cap);
  used += (size_t)snprintf(m + used, cap - used, "{\"wasm\":[");
  for (i = 0; i < n; i++) {
    used += (size_t)snprintf(m + used, cap - used, "%s{\"data\":\"%s\",\"name\":\"%s\"}", i ? "," : "", b64[i],
                             pairs[i][0]);
    free(b64[i]);
  }
  snprintf(m + used, cap - used, "]%s}", extra);
  free(b64);
  return m;
}

static ExtismPlugin *cycle_plugin(const char *const pairs[][2], size_t n, const char *extra, char **err) {
  char *m = cycle_manifest(pairs, n, extra);
  ExtismPlugin *p = extism_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, false, err);
  free(m);
  return p;
}

static const char *const two[][2] = {{"a", "cycle2_a"}, {"b", "cycle2_b"}, {"main", "cycle2_main"}};

/* The JS SDK's `circular` test: a.step and b.add_one call each other until the value passes 100. */
TEST_NOT_UPSTREAM(import_cycle_two_modules, "segfaults creating a plugin with an import cycle") {
  char *err = NULL;
  ExtismPlugin *p = cycle_plugin(two, 3, "", &err);
  int i;
  if (!CHECK_NOT_NULL(p)) {
    harness_note("%s", err ? err : "NULL");
    extism_plugin_new_error_free(err);
    return;
  }
  for (i = 0; i < 3; i++) {
    CHECK_EQ_INT(call_str(p, "encalculate", "Hello, world!"), 0);
    CHECK_NULL(extism_plugin_error(p));
    CHECK_EQ_INT(extism_plugin_output_length(p), 8);
    CHECK_EQ_U64(output_u64(p, 0), 127);
  }
  extism_plugin_free(p);
}

/* The same modules listed the other way round (main first, then b, then a). */
TEST_NOT_UPSTREAM(import_cycle_order_of_the_manifest, "segfaults creating a plugin with an import cycle") {
  static const char *const reversed[][2] = {{"main", "cycle2_main"}, {"b", "cycle2_b"}, {"a", "cycle2_a"}};
  char *err = NULL;
  ExtismPlugin *p = cycle_plugin(reversed, 3, "", &err);
  if (!CHECK_NOT_NULL(p)) {
    harness_note("%s", err ? err : "NULL");
    extism_plugin_new_error_free(err);
    return;
  }
  CHECK_EQ_INT(call_str(p, "encalculate", NULL), 0);
  CHECK_EQ_U64(output_u64(p, 0), 127);
  extism_plugin_free(p);
}

/* x -> y -> z -> x, the main module in the middle of the manifest: y.step(1) = 155. */
TEST_NOT_UPSTREAM(import_cycle_three_modules, "segfaults creating a plugin with an import cycle") {
  static const char *const three[][2] = {
      {"z", "cycle3_z"}, {"main", "cycle3_main"}, {"x", "cycle3_x"}, {"y", "cycle3_y"}};
  char *err = NULL;
  ExtismPlugin *p = cycle_plugin(three, 4, "", &err);
  int i;
  if (!CHECK_NOT_NULL(p)) {
    harness_note("%s", err ? err : "NULL");
    extism_plugin_new_error_free(err);
    return;
  }
  for (i = 0; i < 2; i++) {
    CHECK_EQ_INT(call_str(p, "run", NULL), 0);
    CHECK_NULL(extism_plugin_error(p));
    CHECK_EQ_U64(output_u64(p, 0), 155);
  }
  extism_plugin_free(p);
}

/* An export that never ends, reached through the cycle, is stopped by timeout_ms and by a fuel limit
 * like any other code, and the plugin keeps working. */
TEST_NOT_UPSTREAM(import_cycle_limits_reach_across, "segfaults creating a plugin with an import cycle") {
  char *err = NULL, *m;
  ExtismPlugin *p = cycle_plugin(two, 3, ",\"timeout_ms\":200", &err);
  if (!CHECK_NOT_NULL(p)) {
    harness_note("%s", err ? err : "NULL");
    extism_plugin_new_error_free(err);
    return;
  }
  CHECK_EQ_INT(call_str(p, "spin", NULL), 134);
  CHECK_STR(extism_plugin_error(p), "timeout");
  CHECK_EQ_INT(call_str(p, "encalculate", NULL), 0);
  CHECK_EQ_U64(output_u64(p, 0), 127);
  extism_plugin_free(p);

  m = cycle_manifest(two, 3, "");
  p = extism_plugin_new_with_fuel_limit((const uint8_t *)m, strlen(m), NULL, 0, false, 3000000, &err);
  free(m);
  if (!CHECK_NOT_NULL(p)) {
    extism_plugin_new_error_free(err);
    return;
  }
  CHECK_EQ_INT(call_str(p, "spin", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "plugin ran out of fuel");
  CHECK_EQ_INT(call_str(p, "encalculate", NULL), 0);
  CHECK_EQ_U64(output_u64(p, 0), 127);
  extism_plugin_free(p);
}

/* A start function may go round the cycle once its own module exists ("s", whose start calls t.f,
 * which calls s.g), but not into a module not instantiated yet ("t", instantiated first, whose start
 * calls s.g): that is a creation error naming the call, and no crash. */
TEST_NOT_UPSTREAM(import_cycle_start_function, "segfaults creating a plugin with an import cycle") {
  static const char *const works[][2] = {{"s", "cycle_start_s"}, {"t", "cycle_start_t"}, {"main", "cycle_start_main"}};
  static const char *const early[][2] = {
      {"s", "cycle_start_s"}, {"t", "cycle_start_early"}, {"main", "cycle_start_main"}};
  char *err = NULL;
  ExtismPlugin *p = cycle_plugin(works, 3, "", &err);
  if (CHECK_NOT_NULL(p)) {
    CHECK_EQ_INT(call_str(p, "run", NULL), 1002);
    extism_plugin_free(p);
  } else {
    harness_note("%s", err ? err : "NULL");
    extism_plugin_new_error_free(err);
    err = NULL;
  }
  p = cycle_plugin(early, 3, "", &err);
  CHECK_NULL(p);
  CHECK_STR(err, "Unable to compile Extism plugin: module `t`: import cycle: `s::g` was called before module `s` "
                 "was instantiated (from a start function or initialiser)");
  extism_plugin_new_error_free(err);
  extism_plugin_free(p);
}

/* Only functions can be forwarded: a cycle through a memory works when the module exporting the
 * memory can come first (listed first or not), and a cycle of globals, which no order can
 * instantiate, fails creation with a message. */
TEST_NOT_UPSTREAM(import_cycle_memory_and_globals, "segfaults creating a plugin with an import cycle") {
  static const char *const memory[][2] = {{"a", "cycle_memory_a"}, {"b", "cycle_memory_b"}, {"main", "cycle_memory_main"}};
  static const char *const memory_b_first[][2] = {
      {"b", "cycle_memory_b"}, {"a", "cycle_memory_a"}, {"main", "cycle_memory_main"}};
  static const char *const globals[][2] = {{"a", "cycle_global_a"}, {"b", "cycle_global_b"}, {"main", "tiny"}};
  char *err = NULL;
  ExtismPlugin *p = cycle_plugin(memory, 3, "", &err);
  if (CHECK_NOT_NULL(p))
    CHECK_EQ_INT(call_str(p, "run", NULL), 42);
  else
    harness_note("%s", err ? err : "NULL");
  extism_plugin_new_error_free(err);
  extism_plugin_free(p);
  err = NULL;
  p = cycle_plugin(memory_b_first, 3, "", &err);
  if (CHECK_NOT_NULL(p))
    CHECK_EQ_INT(call_str(p, "run", NULL), 42);
  else
    harness_note("%s", err ? err : "NULL");
  extism_plugin_new_error_free(err);
  extism_plugin_free(p);
  err = NULL;
  p = cycle_plugin(globals, 3, "", &err);
  CHECK_NULL(p);
  CHECK_CONTAINS(err, "only functions can be imported across an import cycle");
  extism_plugin_new_error_free(err);
  extism_plugin_free(p);
}
