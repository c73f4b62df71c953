/* A host program (built for the build machine, linked with the host's libextism.a): saves the state
 * of the Rust PDK plugin after one call, for the firmware images to restore (firmware/firmware.mk,
 * pdk_plugins.c's saved_state_step). The plugin gets the config the images give it (vowels =
 * "aeiouy"), counts the vowels of "Hello, World!" (its var `total` becomes 3), and is saved.
 * With --restore it goes the other way: a state the board saved (after its own call, total 9) is
 * restored here and counts on from it.
 *
 *   save-state <plugin.wasm> <out.state>
 *   save-state --restore <plugin.wasm> <board.state>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extism.h"

static int fail(const char *what, const char *why) {
  fprintf(stderr, "save-state: %s: %s\n", what, why ? why : "(no message)");
  return 1;
}

/* Reads the file `path` into `buf` (at most `cap` bytes); its length, or 0 if it cannot be read. */
static size_t read_file(const char *path, uint8_t *buf, size_t cap) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) return 0;
  size_t len = fread(buf, 1, cap, f);
  fclose(f);
  return len;
}

/* A state saved on the board restored on the host: the board's plugin counted "Tiny plugins, tiny
 * MCU" (6 vowels with y) after the host's 3, so this call makes the total 15. */
static int restore(const char *wasm_path, const char *state_path) {
  static uint8_t wasm[4 << 20], state[1 << 20];
  size_t wasm_len = read_file(wasm_path, wasm, sizeof wasm), state_len = read_file(state_path, state, sizeof state);
  if (wasm_len == 0) return fail(wasm_path, "cannot read");
  if (state_len == 0) return fail(state_path, "cannot read");
  char *err = NULL;
  ExtismCompiledPlugin *c = extism_compiled_plugin_new(wasm, wasm_len, NULL, 0, false, &err);
  if (c == NULL) return fail("extism_compiled_plugin_new", err);
  ExtismPlugin *p = extism_x_plugin_new_from_state(c, state, state_len, &err);
  if (p == NULL) return fail("extism_x_plugin_new_from_state", err);
  const char *input = "Tiny plugins, tiny MCU";
  if (extism_plugin_call(p, "count_vowels", (const uint8_t *)input, strlen(input)) != 0)
    return fail("count_vowels", extism_plugin_error(p));
  const char *want = "{\"count\":6,\"total\":15,\"vowels\":\"aeiouy\"}";
  size_t out_len = (size_t)extism_plugin_output_length(p);
  if (out_len != strlen(want) || memcmp(extism_plugin_output_data(p), want, out_len) != 0)
    return fail("count_vowels after the board's state", "unexpected output");
  printf("save-state: %s (%zu bytes, saved on the board) restored on the host: count_vowels(\"%s\") = %s\n", state_path,
         state_len, input, want);
  extism_plugin_free(p);
  extism_compiled_plugin_free(c);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "--restore") == 0) return restore(argv[2], argv[3]);
  if (argc != 3) return fail("usage", "save-state <plugin.wasm> <out.state> | save-state --restore <plugin.wasm> <board.state>");
  static uint8_t wasm[4 << 20];
  size_t len = read_file(argv[1], wasm, sizeof wasm);
  if (len == 0) return fail(argv[1], "cannot read");
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new(wasm, len, NULL, 0, false, &err);
  if (p == NULL) return fail("extism_plugin_new", err);
  const char *config = "{\"vowels\":\"aeiouy\"}";
  if (!extism_plugin_config(p, (const uint8_t *)config, strlen(config))) return fail("config", extism_plugin_error(p));
  const char *input = "Hello, World!";
  if (extism_plugin_call(p, "count_vowels", (const uint8_t *)input, strlen(input)) != 0)
    return fail("count_vowels", extism_plugin_error(p));
  const char *want = "{\"count\":3,\"total\":3,\"vowels\":\"aeiouy\"}";
  if (extism_plugin_output_length(p) != strlen(want) ||
      memcmp(extism_plugin_output_data(p), want, strlen(want)) != 0)
    return fail("count_vowels", "unexpected output");
  ExtismSize n = 0;
  uint8_t *state = extism_x_plugin_save(p, &n);
  if (state == NULL) return fail("extism_x_plugin_save", extism_plugin_error(p));
  FILE *out = fopen(argv[2], "wb");
  if (out == NULL || fwrite(state, 1, n, out) != n || fclose(out) != 0) return fail(argv[2], "cannot write");
  printf("save-state: %s: %llu bytes\n", argv[2], (unsigned long long)n);
  extism_x_state_free(state);
  extism_plugin_free(p);
  return 0;
}
