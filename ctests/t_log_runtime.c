/* The runtime's own log lines (issue 32): what upstream's library logs about manifests, creation,
 * calls, errors, timeouts and cancels, kernel memory used from the host side, host functions and
 * frees, checked by level, target and key words (not byte for byte), on both libraries. Each test
 * runs in its own process (the harness forks), so each installs its own logger.
 * Plugins: plugins/calls.wat, plugins/log.wat, plugins/hostloop.wat. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

/* ---- helpers ---- */

static char **lines;
static int n_lines, cap_lines;

static void keep(const char *text, ExtismSize len) {
  (void)len;
  if (n_lines == cap_lines) {
    cap_lines = cap_lines ? cap_lines * 2 : 64;
    lines = realloc(lines, sizeof(char *) * (size_t)cap_lines);
  }
  lines[n_lines++] = strdup(text);
}

static void forget(void) {
  int i;
  for (i = 0; i < n_lines; i++)
    free(lines[i]);
  n_lines = 0;
}

/* Drains the custom logger into `lines` (replacing what they held). */
static int drain(void) {
  forget();
  extism_log_drain(keep);
  return n_lines;
}

/* Index of the first line at or after `from` holding every one of the (NULL-terminated) words, or
 * -1. */
static int find_words(int from, const char *const *words) {
  int i, j;
  for (i = from < 0 ? 0 : from; i < n_lines; i++) {
    for (j = 0; words[j] && strstr(lines[i], words[j]); j++)
      ;
    if (!words[j])
      return i;
  }
  return -1;
}

#define FIND(from, ...) find_words((from), (const char *const[]){__VA_ARGS__, NULL})

static int count(const char *needle) {
  int i, c = 0;
  for (i = 0; i < n_lines; i++)
    c += strstr(lines[i], needle) != NULL;
  return c;
}

/* ` plugin="<uuid>"` of a plugin. */
static void plugin_field(ExtismPlugin *p, char out[64]) {
  const uint8_t *id = extism_plugin_id(p);
  sprintf(out,
          " plugin=\"%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x\"", id[0],
          id[1], id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9], id[10], id[11], id[12],
          id[13], id[14], id[15]);
}

/* Prints what was drained when a check failed (the harness shows notes with the failure). */
static void note_lines(void) {
  int i;
  for (i = 0; i < n_lines; i++)
    harness_note("line %d: %s", i, lines[i]);
}

static ExtismPlugin *from_text(const char *text) {
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new((const uint8_t *)text, strlen(text), NULL, 0, false, &err);
  extism_plugin_new_error_free(err);
  return p;
}

/* ---- creation ---- */

TEST(log_runtime_creation_lines) {
  ExtismPlugin *p;
  char field[64];
  int i;
  REQUIRE(extism_log_custom("extism=trace"));
  p = load_plugin("calls", false);
  REQUIRE_NOT_NULL(p);
  plugin_field(p, field);
  drain();
  /* a wasm binary is no manifest */
  CHECK_EQ_INT(count("extism::manifest"), 0);
  i = FIND(0, "DEBUG extism::plugin: Available pages: None");
  CHECK(i >= 0);
  field[45] = 0; /* the uuid alone */
  i = FIND(i, "DEBUG extism::plugin: ", field + 9, " created");
  CHECK(i >= 0);
  if (i >= 0)
    CHECK(strstr(lines[i], " plugin=\"") == NULL); /* the id is in the message, not a field */
  if (i < 0)
    note_lines();
  extism_plugin_free(p);
  drain();
  CHECK(FIND(0, "TRACE extism::sdk: called extism_plugin_free", field + 9) >= 0);
  forget();
}

/* A creation that fails still says what it read (the Perl SDK's check). */
TEST(log_runtime_failed_creation_names_the_manifest) {
  REQUIRE(extism_log_custom("extism=trace"));
  CHECK_NULL(from_text("{\"wasm\":[{\"path\":\"/nonexistent-extism/x.wasm\"}]}"));
  drain();
  CHECK(FIND(0, "TRACE extism::manifest: Loading manifest") >= 0);
  CHECK(FIND(0, "TRACE extism::manifest: Manifest is JSON") >= 0);
  CHECK_NULL(from_text("[[wasm]]\npath = \"/nonexistent-extism/x.wasm\"\n"));
  drain();
  CHECK(FIND(0, "TRACE extism::manifest: Loading manifest") >= 0);
  CHECK(FIND(0, "TRACE extism::manifest: Manifest is TOML") >= 0);
  /* neither: only the first line */
  CHECK_NULL(from_text("not a manifest at all"));
  drain();
  CHECK(FIND(0, "TRACE extism::manifest: Loading manifest") >= 0);
  CHECK_EQ_INT(count("Manifest is"), 0);
  forget();
}

TEST(log_runtime_manifest_modules) {
  char *m = NULL;
  size_t n = 0;
  FILE *f = open_memstream(&m, &n);
  ExtismPlugin *p;
  int i;
  fprintf(f, "{\"wasm\":[{\"path\":\"%s\",\"name\":\"other\"},{\"path\":\"%s\"}],\"memory\":{\"max_pages\":4}}",
          plugin_path("calls"), plugin_path("log"));
  fclose(f);
  REQUIRE(extism_log_custom("trace"));
  p = from_text(m);
  free(m);
  REQUIRE_NOT_NULL(p);
  drain();
  i = FIND(0, "TRACE extism::manifest: Manifest is JSON");
  CHECK(i >= 0);
  i = FIND(i, "TRACE extism::manifest: Found module other");
  CHECK(i >= 0);
  CHECK(FIND(0, "TRACE extism::manifest: Found module main") >= 0);
  CHECK(FIND(0, "DEBUG extism::plugin: Available pages: Some(4)") >= 0);
  forget();
  extism_plugin_free(p);
}

/* ---- calls ---- */

TEST(log_runtime_call_lines) {
  ExtismPlugin *p;
  char field[64];
  int i;
  REQUIRE(extism_log_custom("extism=trace"));
  p = load_plugin("calls", false);
  plugin_field(p, field);
  drain();
  CHECK_EQ_INT(call_str(p, "echo", "hello"), 0);
  drain();
  /* in upstream's order, each with the plugin field */
  i = FIND(0, "TRACE extism::sdk: calling function echo using extism_plugin_call", field);
  CHECK(i >= 0);
  i = FIND(i, "TRACE extism::plugin: Plugin::instance is none, instantiating", field);
  CHECK(i >= 0);
  i = FIND(i, "DEBUG extism::plugin: input size: 5", field);
  CHECK(i >= 0);
  i = FIND(i, "TRACE extism::current_plugin: memory_alloc(", ") = 5", field);
  CHECK(i >= 0);
  i = FIND(i, "DEBUG extism::plugin: output offset=", ", length=5", field);
  CHECK(i >= 0);
  i = FIND(i, "DEBUG extism::plugin: error offset=0, length=0", field);
  CHECK(i >= 0);
  /* echo returns nothing: no return code */
  CHECK_EQ_INT(count("got return code"), 0);
  CHECK_EQ_INT(count(" INFO "), 0);
  CHECK_EQ_INT(count(" WARN "), 0);
  CHECK_EQ_INT(count("ERROR"), 0);
  if (i < 0)
    note_lines();
  /* the second call: the instance is kept */
  CHECK_EQ_INT(call_str(p, "ret_42", NULL), 42);
  drain();
  CHECK(FIND(0, "calling function ret_42") >= 0);
  CHECK_EQ_INT(count("instantiating"), 0);
  CHECK(FIND(0, "DEBUG extism::plugin: input size: 0", field) >= 0);
  CHECK(FIND(0, "DEBUG extism::plugin: got return code: 42", field) >= 0);
  CHECK_EQ_INT(count("ERROR"), 0); /* a non-zero rc alone is no error */
  forget();
  extism_plugin_free(p);
}

/* The plugin's own error (the Perl SDK's check): at ERROR, whatever the rc, in an error-level
 * log file. */
TEST(log_runtime_plugin_error_in_error_file) {
  char path[] = "/tmp/extism-ctests-runtime-log-XXXXXX", field[64];
  int fd = mkstemp(path);
  ExtismPlugin *p;
  size_t len;
  char *text;
  REQUIRE(fd >= 0);
  close(fd);
  REQUIRE(extism_log_file(path, "error"));
  p = load_plugin("calls", false);
  plugin_field(p, field);
  CHECK_EQ_INT(call_str(p, "err_ret_7", NULL), 7);
  CHECK_EQ_INT(call_str(p, "ret_42", NULL), 42);
  CHECK_EQ_INT(call_str(p, "err_ret_0", NULL), 0);
  CHECK_EQ_INT(call_str(p, "ret_0", NULL), 0);
  extism_plugin_free(p);
  text = (char *)read_file(path, &len);
  unlink(path);
  REQUIRE_NOT_NULL(text);
  CHECK_CONTAINS(text, "ERROR extism::plugin: call to err_ret_7 returned with error message: EEE");
  CHECK_CONTAINS(text, "ERROR extism::plugin: call to err_ret_7 encountered an error: EEE");
  CHECK_CONTAINS(text, "ERROR extism::plugin: call to err_ret_0 returned with error message: EEE");
  CHECK_CONTAINS(text, "ERROR extism::plugin: call to err_ret_0 encountered an error: EEE");
  CHECK_CONTAINS(text, field);
  CHECK(strstr(text, "ret_42") == NULL);
  CHECK(strstr(text, "call to ret_0 ") == NULL);
  CHECK(strstr(text, "DEBUG") == NULL && strstr(text, "TRACE") == NULL);
  free(text);
}

TEST(log_runtime_failed_calls) {
  ExtismPlugin *p;
  int i;
  REQUIRE(extism_log_custom("error"));
  p = load_plugin("calls", false);
  CHECK_EQ_INT(call_str(p, "trap", NULL), 134);
  CHECK_EQ_INT(call_str(p, "err_trap", NULL), -1);
  CHECK_EQ_INT(call_str(p, "takes_param", NULL), -1);
  CHECK_EQ_INT(call_str(p, "nope", NULL), -1);
  drain();
  i = FIND(0, "ERROR extism::plugin: call to trap encountered an error: ", "unreachable");
  CHECK(i >= 0);
  i = FIND(i, "ERROR extism::plugin: call to err_trap returned with error message: EEE");
  CHECK(i >= 0);
  i = FIND(i, "ERROR extism::plugin: call to err_trap encountered an error: ");
  CHECK(i >= 0);
  /* a failure before the export ran */
  i = FIND(i, "ERROR extism::plugin: call to takes_param encountered an error: expected 1 arguments");
  CHECK(i >= 0);
  /* a missing export: not logged, as upstream */
  CHECK_EQ_INT(count("nope"), 0);
  if (i < 0)
    note_lines();
  forget();
  extism_plugin_free(p);
}

TEST(log_runtime_fuel_lines) {
  ExtismPlugin *p;
  char *err = NULL;
  size_t len;
  uint8_t *wasm = plugin_bytes("log", &len);
  REQUIRE(extism_log_custom("extism=trace"));
  p = extism_plugin_new_with_fuel_limit(wasm, len, NULL, 0, false, 100000, &err);
  free(wasm);
  extism_plugin_new_error_free(err);
  REQUIRE_NOT_NULL(p);
  drain();
  CHECK_EQ_INT(call_str(p, "spin", NULL), -1);
  drain();
  CHECK(FIND(0, "ERROR extism::plugin: call to spin encountered an error: plugin ran out of fuel") >= 0);
  /* the registers are not read after fuel ran out */
  CHECK_EQ_INT(count("output offset="), 0);
  CHECK_EQ_INT(count("got return code"), 0);
  forget();
  extism_plugin_free(p);
}

/* ---- timeouts and cancels ---- */

TEST(log_runtime_timeout) {
  char *m = manifest_for("log", ",\"timeout_ms\":50");
  ExtismPlugin *p;
  char field[64];
  int i;
  REQUIRE(extism_log_custom("extism=trace"));
  p = from_text(m);
  free(m);
  REQUIRE_NOT_NULL(p);
  plugin_field(p, field);
  CHECK_EQ_INT(call_str(p, "spin", NULL), 134);
  drain();
  i = FIND(0, "DEBUG extism::plugin: output offset=0, length=0", field);
  CHECK(i >= 0);
  i = FIND(i, "DEBUG extism::plugin: call to spin timed out", field);
  CHECK(i >= 0);
  CHECK_EQ_INT(count("ERROR"), 0);
  CHECK_EQ_INT(count("got return code"), 0);
  forget();
  extism_plugin_free(p);
}

static void *cancel_later(void *handle) {
  usleep(100000);
  extism_plugin_cancel((const ExtismCancelHandle *)handle);
  return NULL;
}

TEST(log_runtime_cancel) {
  ExtismPlugin *p;
  pthread_t t;
  char field[64];
  REQUIRE(extism_log_custom("extism=debug"));
  p = load_plugin("log", false);
  plugin_field(p, field);
  REQUIRE(pthread_create(&t, NULL, cancel_later, (void *)extism_plugin_cancel_handle(p)) == 0);
  CHECK_EQ_INT(call_str(p, "spin", NULL), 134);
  pthread_join(t, NULL);
  drain();
  /* upstream: "sending cancel event" from the cancelling thread; ours: from the call (the cancel
   * itself is one atomic store) */
  CHECK(FIND(0, "DEBUG extism::plugin: ", "cancel", field) >= 0);
  CHECK(FIND(0, "DEBUG extism::plugin: call to spin timed out", field) >= 0);
  CHECK_EQ_INT(count("ERROR"), 0);
  forget();
  extism_plugin_free(p);
}

/* ---- host functions and kernel memory from the host side ---- */

static void tick_with_memory(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in,
                             ExtismVal *out, ExtismSize n_out, void *data) {
  ExtismMemoryHandle h = extism_current_plugin_memory_alloc(cp, 24);
  (void)n_in;
  (void)n_out;
  (void)data;
  if (extism_current_plugin_memory_length(cp, h) != 24)
    h = 0;
  extism_current_plugin_memory_free(cp, h);
  out[0].v.i64 = in[0].v.i64 + (h != 0);
}

TEST(log_runtime_host_function_lines) {
  ExtismValType t = EXTISM_PTR;
  ExtismFunction *f;
  ExtismPlugin *p;
  char *err = NULL, field[64];
  uint8_t one[8] = {1};
  size_t len;
  uint8_t *wasm = plugin_bytes("hostloop", &len);
  int i;
  REQUIRE(extism_log_custom("extism=trace"));
  f = extism_function_new("tick", &t, 1, &t, 1, tick_with_memory, NULL, NULL);
  drain();
  CHECK(FIND(0, "TRACE extism::function: Creating function tick: params=[I64], results=[I64]") >= 0);
  p = extism_plugin_new(wasm, len, (const ExtismFunction **)&f, 1, false, &err);
  free(wasm);
  extism_plugin_new_error_free(err);
  REQUIRE_NOT_NULL(p);
  plugin_field(p, field);
  drain();
  CHECK_EQ_INT(extism_plugin_call(p, "run", one, 8), 0);
  CHECK_EQ_U64(output_u64(p, 0), 1);
  drain();
  i = FIND(0, "TRACE extism::current_plugin: memory_alloc(", ") = 8", field); /* the input */
  CHECK(i >= 0);
  i = FIND(i, "TRACE extism::current_plugin: memory_alloc(", ") = 24", field);
  CHECK(i >= 0);
  i = FIND(i, "TRACE extism::current_plugin: memory_length(", ") = 24", field);
  CHECK(i >= 0);
  /* the free: upstream logs the handle it looked up */
  i = FIND(i + 1, "TRACE extism::current_plugin: memory handle found: offs = ", ", length = 24", field);
  CHECK(i >= 0);
  if (i < 0)
    note_lines();
  forget();
  extism_plugin_free(p);
  extism_function_free(f);
}
