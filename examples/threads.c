/* One compiled plugin, used from several threads (POSIX threads).
 *
 *   usage: threads PLUGIN.wasm        (ctests/build/plugins/c1.wasm)
 *
 * The module is parsed and compiled once (extism_compiled_plugin_new). Then:
 *   1. each of THREADS threads makes its own plugin from it (extism_plugin_new_from_compiled, safe
 *      to call concurrently) and calls count_vowels CALLS times: plugins are independent and run
 *      in parallel, and each keeps its own variables (the running "total" of c1's count_vowels)
 *      and configuration (each thread counts a different set of vowels);
 *   2. one plugin is shared by all threads: a plugin runs one call at a time, and a call's output
 *      belongs to the plugin until the next call, so each thread holds a lock from its call until
 *      it has read the output.
 * Expected output (4 threads, 100 calls each):
 *   own plugins: 4 threads x 100 calls: OK
 *   shared plugin: 4 threads x 100 calls, total 1200: OK */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extism.h"

#define THREADS 4
#define CALLS 100
static const char INPUT[] = "Hello, World!"; /* 3 of "aeiouAEIOU", 2 of "o", 1 of "e" */

static const ExtismCompiledPlugin *compiled;
static ExtismPlugin *shared;
static pthread_mutex_t shared_lock = PTHREAD_MUTEX_INITIALIZER;

struct job {
  int index;
  int ok;
  long last_total;
};

/* Finds "key":<number> in a JSON output and returns the number, or -1. */
static long json_number(const uint8_t *out, ExtismSize len, const char *key) {
  char buf[256];
  if (len >= sizeof buf)
    return -1;
  memcpy(buf, out, (size_t)len);
  buf[len] = '\0';
  char pattern[64];
  snprintf(pattern, sizeof pattern, "\"%s\":", key);
  const char *at = strstr(buf, pattern);
  return at ? strtol(at + strlen(pattern), NULL, 10) : -1;
}

static void *own_plugin(void *arg) {
  struct job *job = arg;
  /* Thread i counts only "o" (2 per call) or only "e" (1 per call), through its own config. */
  const char *config = job->index % 2 ? "{\"vowels\":\"o\"}" : "{\"vowels\":\"e\"}";
  long per_call = job->index % 2 ? 2 : 1;
  char *errmsg = NULL;
  ExtismPlugin *plugin = extism_plugin_new_from_compiled(compiled, &errmsg);
  if (plugin == NULL) {
    fprintf(stderr, "thread %d: %s\n", job->index, errmsg);
    extism_plugin_new_error_free(errmsg);
    return NULL;
  }
  job->ok = extism_plugin_config(plugin, (const uint8_t *)config, strlen(config));
  for (int i = 0; i < CALLS && job->ok; i++) {
    int32_t rc = extism_plugin_call(plugin, "count_vowels", (const uint8_t *)INPUT, strlen(INPUT));
    const uint8_t *out = extism_plugin_output_data(plugin);
    ExtismSize len = extism_plugin_output_length(plugin);
    job->ok = rc == EXTISM_SUCCESS && json_number(out, len, "count") == per_call &&
              json_number(out, len, "total") == per_call * (i + 1);
  }
  if (!job->ok)
    fprintf(stderr, "thread %d: wrong result: %s\n", job->index,
            extism_plugin_error(plugin) ? extism_plugin_error(plugin) : "(no error)");
  extism_plugin_free(plugin);
  return NULL;
}

static void *shared_plugin(void *arg) {
  struct job *job = arg;
  job->ok = 1;
  for (int i = 0; i < CALLS && job->ok; i++) {
    pthread_mutex_lock(&shared_lock);
    int32_t rc = extism_plugin_call(shared, "count_vowels", (const uint8_t *)INPUT, strlen(INPUT));
    long total = json_number(extism_plugin_output_data(shared), extism_plugin_output_length(shared),
                             "total");
    pthread_mutex_unlock(&shared_lock);
    job->ok = rc == EXTISM_SUCCESS && total > job->last_total;
    job->last_total = total;
  }
  return NULL;
}

static int run(void *(*body)(void *), struct job *jobs) {
  pthread_t threads[THREADS];
  for (int i = 0; i < THREADS; i++) {
    jobs[i] = (struct job){.index = i};
    if (pthread_create(&threads[i], NULL, body, &jobs[i]) != 0)
      return 0;
  }
  int ok = 1;
  for (int i = 0; i < THREADS; i++) {
    pthread_join(threads[i], NULL);
    ok &= jobs[i].ok;
  }
  return ok;
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

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs("usage: threads PLUGIN.wasm\n", stderr);
    return 2;
  }
  size_t len = 0;
  uint8_t *wasm = read_file(argv[1], &len);
  if (wasm == NULL) {
    perror(argv[1]);
    return 1;
  }
  char *errmsg = NULL;
  ExtismCompiledPlugin *c = extism_compiled_plugin_new(wasm, len, NULL, 0, false, &errmsg);
  free(wasm);
  if (c == NULL) {
    fprintf(stderr, "error: %s\n", errmsg);
    extism_plugin_new_error_free(errmsg);
    return 1;
  }
  compiled = c;

  struct job jobs[THREADS];
  int own_ok = run(own_plugin, jobs);
  printf("own plugins: %d threads x %d calls: %s\n", THREADS, CALLS, own_ok ? "OK" : "FAILED");

  shared = extism_plugin_new_from_compiled(compiled, &errmsg);
  extism_compiled_plugin_free(c); /* plugins made from it keep working */
  if (shared == NULL) {
    fprintf(stderr, "error: %s\n", errmsg);
    extism_plugin_new_error_free(errmsg);
    return 1;
  }
  int shared_ok = run(shared_plugin, jobs);
  int32_t rc = extism_plugin_call(shared, "count_vowels", (const uint8_t *)"", 0);
  long total = json_number(extism_plugin_output_data(shared), extism_plugin_output_length(shared),
                           "total");
  shared_ok &= rc == EXTISM_SUCCESS && total == 3L * THREADS * CALLS;
  printf("shared plugin: %d threads x %d calls, total %ld: %s\n", THREADS, CALLS, total,
         shared_ok ? "OK" : "FAILED");
  extism_plugin_free(shared);
  return own_ok && shared_ok ? 0 : 1;
}
