/* Host functions with user data and a per-call host context.
 *
 *   usage: host_context PLUGIN.wasm        (ctests/build/plugins/cf.wasm)
 *
 * The plugin's count_vowels passes {"count": N} to the host function extism:host/user hello_world
 * (I64 -> I64) and outputs whatever the host function returns. Two kinds of host data reach it:
 *   - user data (extism_function_new): fixed when the function is made, shared by every call;
 *     here a greeting, released by free_user_data when the last plugin holding it is freed;
 *   - the host context (extism_plugin_call_with_host_context): chosen per call; here the request
 *     being served, which the host function reads and updates. A plain extism_plugin_call passes
 *     no context: extism_current_plugin_host_context returns NULL.
 * Expected output:
 *   {"greeting":"Hello, alice","plugin":{"count": 3}}
 *   {"greeting":"Hello, bob","plugin":{"count": 1}}
 *   {"greeting":"Hello, stranger","plugin":{"count": 0}}
 *   host calls: alice 1, bob 1
 *   user data released */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extism.h"

/* One request served by the host: the per-call host context. */
struct request {
  const char *user;
  int host_calls;
};

static void hello_world(ExtismCurrentPlugin *plugin, const ExtismVal *inputs, ExtismSize n_inputs,
                        ExtismVal *outputs, ExtismSize n_outputs, void *user_data) {
  (void)n_inputs;
  (void)n_outputs;
  const char *greeting = user_data;
  struct request *req = extism_current_plugin_host_context(plugin);
  const char *user = "stranger";
  if (req != NULL) {
    req->host_calls++;
    user = req->user;
  }

  /* The plugin's string: a block of kernel memory (handle = offset from the memory's base). */
  ExtismMemoryHandle in = (ExtismMemoryHandle)inputs[0].v.i64;
  ExtismSize in_len = extism_current_plugin_memory_length(plugin, in);

  /* The answer goes into a new block; its handle is the result. */
  char head[128];
  int head_len = snprintf(head, sizeof head, "{\"greeting\":\"%s, %s\",\"plugin\":", greeting, user);
  if (head_len < 0 || (size_t)head_len >= sizeof head) {
    outputs[0].v.i64 = 0;
    return;
  }
  ExtismSize out_len = (ExtismSize)head_len + in_len + 1;
  ExtismMemoryHandle out = extism_current_plugin_memory_alloc(plugin, out_len);
  if (out == 0) { /* memory exhausted: 0 stands for "nothing" */
    outputs[0].v.i64 = 0;
    return;
  }
  uint8_t *base = extism_current_plugin_memory(plugin);
  memcpy(base + out, head, (size_t)head_len);
  memcpy(base + out + head_len, base + in, (size_t)in_len);
  base[out + out_len - 1] = '}';
  outputs[0].v.i64 = (int64_t)out;
}

static void release_greeting(void *user_data) {
  free(user_data);
  puts("user data released");
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

/* Calls count_vowels with `input` (and `req` as host context, may be NULL); prints the output. */
static int call(ExtismPlugin *plugin, const char *input, struct request *req) {
  int32_t rc = extism_plugin_call_with_host_context(plugin, "count_vowels", (const uint8_t *)input,
                                                    strlen(input), req);
  const char *err = extism_plugin_error(plugin);
  if (rc != EXTISM_SUCCESS || err != NULL) {
    fprintf(stderr, "call failed (rc %d): %s\n", (int)rc, err ? err : "(no message)");
    return 1;
  }
  fwrite(extism_plugin_output_data(plugin), 1, (size_t)extism_plugin_output_length(plugin), stdout);
  fputc('\n', stdout);
  return 0;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: host_context PLUGIN.wasm\n", stderr);
    return 2;
  }
  size_t len = 0;
  uint8_t *wasm = read_file(argv[1], &len);
  if (wasm == NULL) {
    perror(argv[1]);
    return 1;
  }

  /* User data owned by the function from now on: release_greeting frees it. */
  char *greeting = malloc(sizeof "Hello");
  if (greeting == NULL)
    return 1;
  memcpy(greeting, "Hello", sizeof "Hello");
  ExtismValType ptr[] = {EXTISM_PTR};
  ExtismFunction *fn =
      extism_function_new("hello_world", ptr, 1, ptr, 1, hello_world, greeting, release_greeting);
  if (fn == NULL)
    return 1;

  char *errmsg = NULL;
  const ExtismFunction *functions[] = {fn};
  ExtismPlugin *plugin = extism_plugin_new(wasm, len, functions, 1, false, &errmsg);
  free(wasm);
  extism_function_free(fn); /* the plugin took the function over; the handle is no longer needed */
  if (plugin == NULL) {
    fprintf(stderr, "error: %s\n", errmsg);
    extism_plugin_new_error_free(errmsg);
    return 1;
  }

  struct request alice = {"alice", 0}, bob = {"bob", 0};
  int failed = call(plugin, "Hello, World!", &alice);
  failed |= call(plugin, "Bye", &bob);
  failed |= extism_plugin_call(plugin, "count_vowels", (const uint8_t *)"xyz", 3) != EXTISM_SUCCESS;
  if (!failed) {
    fwrite(extism_plugin_output_data(plugin), 1, (size_t)extism_plugin_output_length(plugin),
           stdout);
    fputc('\n', stdout);
  }
  printf("host calls: alice %d, bob %d\n", alice.host_calls, bob.host_calls);
  fflush(stdout);
  extism_plugin_free(plugin); /* last holder of the function: release_greeting runs */
  return failed;
}
