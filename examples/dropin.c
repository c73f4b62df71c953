/* Drop-in proof: a host written the way upstream Extism's own C example is written, using only the
 * upstream 1.x API. It builds unchanged against upstream's extism.h and libextism, and against ours.
 *
 *   usage: dropin PLUGIN.wasm [INPUT]
 *
 * It reads the plugin from a file, gives it a host function `hello_world` (extism:host/user,
 * I64 -> I64) that echoes the plugin's string back through a new block of kernel memory, buffers
 * the runtime's log with extism_log_custom and hands the lines to a drain callback at the end.
 * With ctests/build/plugins/cf.wasm (count_vowels -> hello_world) and "Hello, World!" it prints
 *
 *   hello_world: user data "Hello, again!", plugin says {"count": 3}
 *   {"count": 3}
 *
 * on stdout, the log lines on stderr, and "freeing user data" when the host function goes away. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extism.h"

static size_t log_lines = 0;

/* The log drain: one call per buffered line; `line` is valid only during the call. */
static void log_handler(const char *line, ExtismSize length) {
  fwrite(line, 1, (size_t)length, stderr);
  log_lines++;
}

/* The host function. `data` is the user data given to extism_function_new. */
static void hello_world(ExtismCurrentPlugin *plugin, const ExtismVal *inputs, ExtismSize n_inputs,
                        ExtismVal *outputs, ExtismSize n_outputs, void *data) {
  (void)n_inputs;
  (void)n_outputs;
  ExtismMemoryHandle in = (ExtismMemoryHandle)inputs[0].v.i64;
  ExtismSize len = extism_current_plugin_memory_length(plugin, in);
  const uint8_t *text = extism_current_plugin_memory(plugin) + in;
  printf("hello_world: user data \"%s\", plugin says %.*s\n", (const char *)data, (int)len,
         (const char *)text);

  /* Echo: copy the string into a new block and return its handle. The base address from
   * extism_current_plugin_memory is read again after the allocation. */
  ExtismMemoryHandle out = extism_current_plugin_memory_alloc(plugin, len);
  if (out != 0)
    memcpy(extism_current_plugin_memory(plugin) + out, extism_current_plugin_memory(plugin) + in,
           (size_t)len);
  outputs[0].v.i64 = (int64_t)out;
}

static void free_data(void *data) {
  (void)data;
  puts("freeing user data");
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *fp = fopen(path, "rb");
  if (fp == NULL)
    return NULL;
  uint8_t *buf = NULL;
  size_t cap = 0, n = 0, got;
  do {
    if (n == cap) {
      uint8_t *grown = realloc(buf, cap = cap ? 2 * cap : 65536);
      if (grown == NULL) {
        free(buf);
        fclose(fp);
        return NULL;
      }
      buf = grown;
    }
    got = fread(buf + n, 1, cap - n, fp);
    n += got;
  } while (got > 0);
  fclose(fp);
  *len = n;
  return buf;
}

int main(int argc, char *argv[]) {
  if (argc < 2) {
    fputs("usage: dropin PLUGIN.wasm [INPUT]\n", stderr);
    return 2;
  }
  const char *input = argc > 2 ? argv[2] : "Hello, World!";

  extism_log_custom("debug");

  size_t len = 0;
  uint8_t *wasm = read_file(argv[1], &len);
  if (wasm == NULL) {
    perror(argv[1]);
    return 1;
  }

  ExtismValType inputs[] = {EXTISM_PTR};
  ExtismValType outputs[] = {EXTISM_PTR};
  ExtismFunction *f = extism_function_new("hello_world", inputs, 1, outputs, 1, hello_world,
                                          "Hello, again!", free_data);

  char *errmsg = NULL;
  ExtismPlugin *plugin =
      extism_plugin_new(wasm, len, (const ExtismFunction **)&f, 1, true, &errmsg);
  free(wasm);
  if (plugin == NULL) {
    fprintf(stderr, "%s\n", errmsg);
    extism_plugin_new_error_free(errmsg);
    extism_function_free(f);
    return 1;
  }

  int status = 0;
  int32_t rc = extism_plugin_call(plugin, "count_vowels", (const uint8_t *)input, strlen(input));
  const char *err = extism_plugin_error(plugin);
  if (rc != EXTISM_SUCCESS || err != NULL) {
    fprintf(stderr, "call failed (rc %d): %s\n", (int)rc, err ? err : "(no message)");
    status = 1;
  } else {
    ExtismSize out_len = extism_plugin_output_length(plugin);
    const uint8_t *output = extism_plugin_output_data(plugin);
    fwrite(output, 1, (size_t)out_len, stdout);
    fputc('\n', stdout);
  }
  fflush(stdout);
  extism_plugin_free(plugin); /* releases the host function it took over: free_data runs here */
  extism_function_free(f);
  extism_log_drain(log_handler);
  fprintf(stderr, "drained %zu log lines\n", log_lines);
  return status;
}
