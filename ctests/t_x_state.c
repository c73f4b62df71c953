/* Saved plugin state (extism_x_plugin_save, extism_x_plugin_save_into, extism_x_state_free,
 * extism_x_plugin_new_from_state, extism_x_plugin_restore; our extension): a plugin saved and
 * brought back goes on as if never saved; a pre-initialised plugin's initialiser does not run
 * again; a pool resets a plugin to a saved state; every bad state is refused and changes nothing.
 * Plugins: c1 (the Rust PDK's count_vowels, its running total in a var), state_init.wat,
 * state_two_main.wat, wasi_raw.wat. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

#define OURS "extension of this library"
#define CREATE_PREFIX "Unable to create Extism plugin: "

static int init_runs;

static void init_ran(ExtismCurrentPlugin *p, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                     ExtismSize n_out, void *data) {
  (void)p, (void)in, (void)n_in, (void)out, (void)n_out, (void)data;
  __atomic_add_fetch(&init_runs, 1, __ATOMIC_SEQ_CST);
}

/* A compiled plugin of `len` bytes of wasm or manifest, with the host function init_ran. */
static ExtismCompiledPlugin *compile_bytes(const uint8_t *wasm, size_t len) {
  ExtismFunction *f = extism_function_new("init_ran", NULL, 0, NULL, 0, init_ran, NULL, NULL);
  const ExtismFunction *fns[] = {f};
  char *err = NULL;
  ExtismCompiledPlugin *c = extism_compiled_plugin_new(wasm, len, fns, 1, false, &err);
  if (c == NULL) {
    CHECK_STR(err, "");
    extism_plugin_new_error_free(err);
  }
  extism_function_free(f);
  return c;
}

static ExtismCompiledPlugin *compile(const char *name) {
  size_t len = 0;
  uint8_t *wasm = plugin_bytes(name, &len);
  ExtismCompiledPlugin *c = compile_bytes(wasm, len);
  free(wasm);
  return c;
}

/* The output of the last call as [calls, byte 100, page 2 byte] (state_init.wat). */
static void check_calls(ExtismPlugin *p, uint8_t calls, uint8_t byte100) {
  CHECK_EQ_INT(call_str(p, "calls", NULL), 0);
  const uint8_t want[3] = {calls, byte100, 0x5a};
  CHECK_MEM(extism_plugin_output_data(p), extism_plugin_output_length(p), want, 3);
}

/* c1 keeps a running total of vowels in a var: a restored plugin goes on counting from it, and
 * the bytes saved twice from an unchanged plugin are the same, whichever function made them. */
TEST_NOT_UPSTREAM(x_state_pdk_plugin_goes_on, OURS) {
  ExtismCompiledPlugin *c = compile("c1");
  ExtismPlugin *p = extism_plugin_new_from_compiled(c, NULL);
  CHECK_EQ_INT(call_str(p, "count_vowels", "aaa"), 0);
  CHECK_EQ_INT(call_str(p, "count_vowels", "ee"), 0);
  ExtismSize len = 0;
  uint8_t *state = extism_x_plugin_save(p, &len);
  CHECK_NOT_NULL(state);
  CHECK(len > 0);
  /* A buffer too small: the size needed, nothing written, the error says so. */
  uint8_t small[16] = {0};
  CHECK_EQ_U64(extism_x_plugin_save_into(p, small, sizeof small), len);
  CHECK_CONTAINS(extism_plugin_error(p), "the state needs");
  uint8_t *copy = malloc(len);
  CHECK_EQ_U64(extism_x_plugin_save_into(p, copy, len), len);
  CHECK_MEM(copy, len, state, len);
  free(copy);
  extism_plugin_free(p);

  ExtismPlugin *r = extism_x_plugin_new_from_state(c, state, len, NULL);
  CHECK_NOT_NULL(r);
  CHECK_EQ_INT(call_str(r, "count_vowels", "Hello, World!"), 0);
  char *out = output_str(r);
  CHECK_CONTAINS(out, "\"total\":8");
  free(out);
  extism_plugin_free(r);
  extism_x_state_free(state);
  extism_x_state_free(NULL);
  extism_compiled_plugin_free(c);
}

/* Saving right after creation gives a pre-initialised state: plugins made from it never run
 * `_initialize` (the host function it calls counts its runs), and find its work done. */
TEST_NOT_UPSTREAM(x_state_pre_initialised_plugin, OURS) {
  ExtismCompiledPlugin *c = compile("state_init");
  ExtismPlugin *p = extism_plugin_new_from_compiled(c, NULL);
  CHECK_EQ_INT(init_runs, 1); /* creation runs it once on a throwaway instance, as upstream */
  ExtismSize len = 0;
  uint8_t *state = extism_x_plugin_save(p, &len);
  CHECK_NOT_NULL(state);
  CHECK_EQ_INT(init_runs, 2); /* saving initialised the plugin's own instance */
  extism_plugin_free(p);
  for (int i = 0; i < 3; i++) {
    ExtismPlugin *r = extism_x_plugin_new_from_state(c, state, len, NULL);
    CHECK_NOT_NULL(r);
    check_calls(r, 1, 2);
    check_calls(r, 2, 4);
    extism_plugin_free(r);
  }
  CHECK_EQ_INT(init_runs, 2);
  extism_x_state_free(state);
  extism_compiled_plugin_free(c);
}

/* A pool's reset: a tenant's calls changed memory, a global and vars; extism_x_plugin_restore puts
 * all of it back (extism_plugin_reset clears kernel memory only), keeping the plugin's id. */
TEST_NOT_UPSTREAM(x_state_pool_reset, OURS) {
  ExtismCompiledPlugin *c = compile("state_init");
  ExtismPlugin *p = extism_plugin_new_from_compiled(c, NULL);
  check_calls(p, 1, 2);
  ExtismSize len = 0;
  uint8_t *state = extism_x_plugin_save(p, &len);
  uint8_t id[16];
  memcpy(id, extism_plugin_id(p), 16);
  check_calls(p, 2, 4);
  check_calls(p, 3, 6);
  CHECK(extism_plugin_reset(p));
  check_calls(p, 4, 8); /* the upstream reset keeps memory and globals */
  CHECK(extism_x_plugin_restore(p, state, len));
  CHECK_NULL(extism_plugin_error(p));
  check_calls(p, 2, 4);
  CHECK_MEM(extism_plugin_id(p), 16, id, 16);
  int runs = init_runs;
  CHECK(extism_x_plugin_restore(p, state, len));
  check_calls(p, 2, 4);
  CHECK_EQ_INT(init_runs, runs);
  extism_plugin_free(p);
  extism_x_state_free(state);
  extism_compiled_plugin_free(c);
}

static char *restore_error(ExtismCompiledPlugin *c, const uint8_t *state, ExtismSize len) {
  char *err = NULL;
  ExtismPlugin *p = extism_x_plugin_new_from_state(c, state, len, &err);
  CHECK_NULL(p);
  extism_plugin_free(p);
  return err;
}

/* Truncated, corrupted, future-version and other modules' states, and NULL arguments, are refused
 * with a clear error; a refused restore leaves the plugin as it was. */
TEST_NOT_UPSTREAM(x_state_bad_states_are_refused, OURS) {
  ExtismCompiledPlugin *c = compile("state_init");
  ExtismCompiledPlugin *other = compile("c1");
  ExtismPlugin *p = extism_plugin_new_from_compiled(c, NULL);
  ExtismSize len = 0;
  uint8_t *state = extism_x_plugin_save(p, &len);
  uint8_t *bad = malloc(len);
  /* Each case changes a copy of the state as its comment says. */
  const char *cases[] = {
      "saved state truncated (shorter than its recorded length)", /* one byte short */
      "saved state corrupted (checksum mismatch)",                /* one bit flipped */
      "saved state of a newer format version than this library reads", /* version 3 */
      "not a saved plugin state (bad magic)",                     /* first byte */
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
    ExtismSize n = len;
    memcpy(bad, state, len);
    if (i == 0) n = len - 1;
    if (i == 1) bad[len / 2] ^= 1;
    if (i == 2) bad[8] = 3;
    if (i == 3) bad[0] = 'X';
    char *err = restore_error(c, bad, n);
    char want[200];
    strcpy(want, CREATE_PREFIX);
    strcat(want, cases[i]);
    CHECK_STR(err, want);
    extism_plugin_new_error_free(err);
    /* In place: false, the reason, and the plugin unchanged. */
    check_calls(p, (uint8_t)(i + 1), (uint8_t)(2 * (i + 1)));
    CHECK(!extism_x_plugin_restore(p, bad, n));
    char in_place[200];
    strcpy(in_place, "extism_x_plugin_restore: ");
    strcat(in_place, cases[i]);
    CHECK_STR(extism_plugin_error(p), in_place);
  }
  char *err = restore_error(other, state, len);
  CHECK_STR(err, CREATE_PREFIX "the saved state belongs to other wasm modules than this compiled plugin's");
  extism_plugin_new_error_free(err);
  err = restore_error(NULL, state, len);
  CHECK_STR(err, "compiled plugin is NULL");
  extism_plugin_new_error_free(err);
  err = restore_error(c, NULL, 4);
  CHECK_STR(err, "state is NULL but state_len is not 0");
  extism_plugin_new_error_free(err);
  CHECK_NULL(extism_x_plugin_save(NULL, &len));
  CHECK_NULL(extism_x_plugin_save(p, NULL));
  CHECK_STR(extism_plugin_error(p), "extism_x_plugin_save: len is NULL");
  CHECK(!extism_x_plugin_restore(NULL, state, len));
  free(bad);
  extism_plugin_free(p);
  extism_x_state_free(state);
  extism_compiled_plugin_free(other);
  extism_compiled_plugin_free(c);
}

/* A manifest of two modules: main's `calls` is lib's (state_init.wat). Both instances are saved;
 * lib's memory and unexported global come back, and its initialiser does not run again. */
TEST_NOT_UPSTREAM(x_state_two_modules, OURS) {
  size_t lib_len = 0, main_len = 0;
  uint8_t *lib = plugin_bytes("state_init", &lib_len), *main_wasm = plugin_bytes("state_two_main", &main_len);
  char *lib64 = base64_encode(lib, lib_len), *main64 = base64_encode(main_wasm, main_len);
  size_t cap = strlen(lib64) + strlen(main64) + 128;
  char *manifest = malloc(cap);
  snprintf(manifest, cap, "{\"wasm\":[{\"data\":\"%s\",\"name\":\"lib\"},{\"data\":\"%s\",\"name\":\"main\"}]}", lib64,
           main64);
  ExtismCompiledPlugin *c = compile_bytes((const uint8_t *)manifest, strlen(manifest));
  int runs = init_runs;
  ExtismPlugin *p = extism_plugin_new_from_compiled(c, NULL);
  CHECK_EQ_INT(init_runs, runs + 1); /* lib's `_initialize`, when its instance is made */
  check_calls(p, 1, 2);
  ExtismSize len = 0;
  uint8_t *state = extism_x_plugin_save(p, &len);
  CHECK_NOT_NULL(state);
  check_calls(p, 2, 4);
  for (int i = 0; i < 2; i++) {
    ExtismPlugin *r = extism_x_plugin_new_from_state(c, state, len, NULL);
    CHECK_NOT_NULL(r);
    check_calls(r, 2, 4);
    check_calls(r, 3, 6);
    extism_plugin_free(r);
  }
  CHECK(extism_x_plugin_restore(p, state, len));
  check_calls(p, 2, 4);
  CHECK_EQ_INT(init_runs, runs + 1);
  extism_plugin_free(p);
  extism_x_state_free(state);
  extism_compiled_plugin_free(c);
  free(manifest), free(lib64), free(main64), free(lib), free(main_wasm);
}

/* A plugin in the middle of a stepped call is not idle: saving and restoring are refused. */
TEST_NOT_UPSTREAM(x_state_not_idle, OURS) {
  ExtismCompiledPlugin *c = compile("state_init");
  ExtismPlugin *p = extism_plugin_new_from_compiled(c, NULL);
  ExtismSize len = 0;
  uint8_t *state = extism_x_plugin_save(p, &len);
  CHECK(extism_x_call_begin(p, "calls", NULL, 0, 0));
  CHECK_NULL(extism_x_plugin_save(p, &len));
  CHECK(!extism_x_plugin_restore(p, state, len));
  CHECK(extism_x_call_abort(p));
  CHECK(extism_x_plugin_restore(p, state, len));
  check_calls(p, 1, 2);
  extism_plugin_free(p);
  extism_x_state_free(state);
  extism_compiled_plugin_free(c);
}

/* A state larger than the memory budget (extism_x_set_memory_budget) is refused: the memory grew to
 * four pages before it was saved (all zero, so not stored, but charged when restored). Each test
 * runs in its own process, so the process-wide budget does not leak into others. */
TEST_NOT_UPSTREAM(x_state_larger_than_the_budget, OURS) {
  ExtismPlugin *p = load_plugin("grow", false);
  CHECK_EQ_INT(call_str(p, "grow3", NULL), 1); /* memory.grow's result: the old size */
  ExtismSize len = 0;
  uint8_t *state = extism_x_plugin_save(p, &len);
  CHECK_NOT_NULL(state);
  extism_plugin_free(p);
  ExtismCompiledPlugin *c = compile("grow");
  extism_x_set_memory_budget(200 * 1024);
  ExtismPlugin *fresh = extism_plugin_new_from_compiled(c, NULL);
  CHECK_NOT_NULL(fresh); /* a new plugin fits */
  extism_plugin_free(fresh);
  char *err = restore_error(c, state, len);
  CHECK_STR(err, CREATE_PREFIX "memory 0 cannot grow to its saved size: oom: the plugin's memory budget of "
                               "204800 bytes is spent (extism_x_set_memory_budget)");
  extism_plugin_new_error_free(err);
  extism_x_set_memory_budget(0);
  ExtismPlugin *r = extism_x_plugin_new_from_state(c, state, len, NULL);
  CHECK_NOT_NULL(r);
  CHECK_EQ_INT(call_str(r, "size", NULL), 4);
  extism_plugin_free(r);
  extism_x_state_free(state);
  extism_compiled_plugin_free(c);
}

/* A WASI plugin holding a file it opened is refused, naming the descriptor (a saved state cannot
 * hold an open file); one that closed what it opened saves. Plugin: wasi_raw.wat. */
TEST_NOT_UPSTREAM(x_state_open_file_refused, OURS) {
  char dir[] = "/tmp/extism-ctests-state-XXXXXX";
  char path[96], extra[160];
  REQUIRE(mkdtemp(dir) != NULL);
  snprintf(path, sizeof path, "%s/f.txt", dir);
  FILE *f = fopen(path, "w");
  REQUIRE_NOT_NULL(f);
  fputs("x", f);
  fclose(f);
  snprintf(extra, sizeof extra, ",\"allowed_paths\":{\"%s\":\"/data\"}", dir);
  char *m = manifest_for("wasi_raw", extra);
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, true, &err);
  free(m);
  if (!CHECK_NOT_NULL(p)) {
    printf("    %s\n", err ? err : "NULL");
    extism_plugin_new_error_free(err);
  } else {
    ExtismSize len = 0;
    /* opened and closed again: nothing held */
    CHECK_EQ_INT(extism_plugin_call(p, "open_read", (const uint8_t *)"f.txt", 5), 0);
    uint8_t *state = extism_x_plugin_save(p, &len);
    CHECK_NOT_NULL(state);
    extism_x_state_free(state);
    /* opened until the table is full, none closed */
    CHECK(extism_plugin_call(p, "open_until_full", (const uint8_t *)"f.txt", 5) > 0);
    len = 0;
    CHECK_NULL(extism_x_plugin_save(p, &len));
    CHECK_EQ_U64(len, 0);
    CHECK_STR(extism_plugin_error(p), "extism_x_plugin_save: the plugin holds an open file (WASI fd 4): close it before saving");
    extism_plugin_free(p);
  }
  unlink(path);
  rmdir(dir);
}
