/* How many plugins one process can hold (issue 29): creates plugins from one wasm file one after
 * the other, keeping every one alive, and calls each once, until creation or a call fails or `max`
 * is reached; prints the count and the first error. Run it under `ulimit -v` to bound the address
 * space. Built against either library (it uses upstream's API only):
 *   plugins-under-limit <plugin.wasm> <function> <input> [max] */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extism.h"

static unsigned char *read_all(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  unsigned char *buf = NULL;
  long n;
  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
      (buf = malloc((size_t)n + 1)) == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    if (f)
      fclose(f);
    free(buf);
    return NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

int main(int argc, char **argv) {
  size_t len = 0, n = 0, max;
  unsigned char *wasm;
  ExtismPlugin **plugins;
  const char *why = "reached the maximum";
  char *err = NULL;
  if (argc < 4) {
    fprintf(stderr, "usage: %s plugin.wasm function input [max]\n", argv[0]);
    return 2;
  }
  max = argc > 4 ? strtoul(argv[4], NULL, 10) : 100000;
  wasm = read_all(argv[1], &len);
  plugins = calloc(max, sizeof *plugins);
  if (wasm == NULL || plugins == NULL) {
    fprintf(stderr, "cannot read %s\n", argv[1]);
    return 2;
  }
  while (n < max) {
    ExtismPlugin *p = extism_plugin_new(wasm, len, NULL, 0, false, &err);
    if (p == NULL) {
      why = err ? err : "creation failed";
      break;
    }
    plugins[n++] = p;
    if (extism_plugin_call(p, argv[2], (const unsigned char *)argv[3], strlen(argv[3])) != 0) {
      why = extism_plugin_error(p) ? extism_plugin_error(p) : "call failed";
      n--;
      break;
    }
  }
  printf("%zu plugins created and called (%s)\n", n, why);
  return 0;
}
