/* A minimal Extism host: load a plugin from a file, call one of its exports, print the output.
 *
 *   usage: host PLUGIN.wasm FUNCTION [INPUT]
 *
 * Written against extism.h only, so it builds unchanged against upstream's libextism too. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extism.h"

/* Reads a whole file into a malloc'd buffer; the caller frees it. */
static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (f == NULL) {
    perror(path);
    return NULL;
  }
  uint8_t *buf = NULL;
  size_t cap = 0, n = 0, got;
  do {
    if (n == cap) {
      cap = cap ? cap * 2 : 65536;
      uint8_t *grown = realloc(buf, cap);
      if (grown == NULL) {
        free(buf);
        fclose(f);
        return NULL;
      }
      buf = grown;
    }
    got = fread(buf + n, 1, cap - n, f);
    n += got;
  } while (got > 0);
  fclose(f);
  *len = n;
  return buf;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: %s PLUGIN.wasm FUNCTION [INPUT]\n", argv[0]);
    return 2;
  }
  size_t wasm_len = 0;
  uint8_t *wasm = read_file(argv[1], &wasm_len);
  if (wasm == NULL)
    return 1;

  char *errmsg = NULL;
  ExtismPlugin *plugin = extism_plugin_new(wasm, wasm_len, NULL, 0, true, &errmsg);
  free(wasm); /* the library copied what it needs */
  if (plugin == NULL) {
    fprintf(stderr, "error: %s\n", errmsg ? errmsg : "(no message)");
    extism_plugin_new_error_free(errmsg);
    return 1;
  }

  const char *input = argc > 3 ? argv[3] : "";
  int32_t rc = extism_plugin_call(plugin, argv[2], (const uint8_t *)input, strlen(input));
  if (rc != EXTISM_SUCCESS) {
    const char *err = extism_plugin_error(plugin);
    fprintf(stderr, "call failed (rc %d): %s\n", rc, err ? err : "(no message)");
    extism_plugin_free(plugin);
    return 1;
  }
  ExtismSize out_len = extism_plugin_output_length(plugin);
  const uint8_t *out = extism_plugin_output_data(plugin);
  fwrite(out, 1, (size_t)out_len, stdout);
  fputc('\n', stdout);
  extism_plugin_free(plugin);
  return 0;
}
