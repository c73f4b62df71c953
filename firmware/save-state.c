/* A host program (built for the build machine, linked with the host's libextism.a): saves the state
 * of the Rust PDK plugin after one call, for the firmware images to restore (firmware/firmware.mk,
 * pdk_plugins.c's saved_state_step). The plugin gets the config the images give it (vowels =
 * "aeiouy"), counts the vowels of "Hello, World!" (its var `total` becomes 3), and is saved.
 *
 *   save-state <plugin.wasm> <out.state>
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extism.h"

static int fail(const char *what, const char *why) {
  fprintf(stderr, "save-state: %s: %s\n", what, why ? why : "(no message)");
  return 1;
}

int main(int argc, char **argv) {
  if (argc != 3) return fail("usage", "save-state <plugin.wasm> <out.state>");
  FILE *f = fopen(argv[1], "rb");
  if (f == NULL) return fail(argv[1], "cannot open");
  static uint8_t wasm[4 << 20];
  size_t len = fread(wasm, 1, sizeof wasm, f);
  fclose(f);
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
