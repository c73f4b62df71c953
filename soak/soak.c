/* The soak (issue 31): threads creating plugins from bytes and from a compiled plugin, calling,
 * resetting, cancelling and freeing at random for a set time, while the main thread samples the
 * process's resident set. Uses upstream's API only, so the same program links against upstream's
 * libextism too (soak/soak.mk: SOAK_LIB).
 *
 * usage: soak PLUGIN_DIR SECONDS THREADS SAMPLE_SECONDS OUT.tsv
 *
 * Every call's result is checked: count_vowels (c1.wasm, the official Rust PDK) must answer
 * {"count":N,... with N the vowels of the input, a missing export must fail with rc -1 and an error,
 * a call of loop.wasm's endless export must end with rc 134 and "timeout" (by the host's cancel or
 * the manifest's timeout_ms). The TSV gets one row per sample: seconds, resident KiB, operations.
 * Exits 1 if any result was wrong or anything failed to be created. Whether the resident set is
 * flat is soak/plot.py's verdict. */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "extism.h"

#define POOL 3
#define MAX_THREADS 64
/* How long an endless call may run when no cancel comes: the manifest's timeout_ms. */
#define LOOP_TIMEOUT_MS 100

static uint8_t *c1_wasm;
static size_t c1_len;
static char loop_manifest[4096];
static ExtismCompiledPlugin *shared_compiled;
static atomic_bool stopping;

/* What the threads did (atomic counters, read by the sampler). */
static atomic_ulong ops, calls_ok, cancels_fired, loop_calls, created, freed, resets, compiled_churn;
static atomic_ulong bad;
static pthread_mutex_t detail_lock = PTHREAD_MUTEX_INITIALIZER;
static char detail[512];

/* Records a wrong result; the first one's text is kept for the report. */
static void wrong(const char *what, const char *text, long rc) {
  atomic_fetch_add(&bad, 1);
  pthread_mutex_lock(&detail_lock);
  if (!detail[0])
    snprintf(detail, sizeof detail, "%s: %s (rc %ld)", what, text ? text : "no error", rc);
  pthread_mutex_unlock(&detail_lock);
}

/* Each thread publishes the cancel handle of its endless call while it runs; the cancel thread
 * fires at random ones. The lock keeps a handle from being used after its plugin is freed. */
static struct {
  pthread_mutex_t lock;
  const ExtismCancelHandle *handle;
} published[MAX_THREADS];

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f)
    return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static long resident_kib(void) {
  long pages_total, pages_resident;
  FILE *f = fopen("/proc/self/statm", "r");
  if (!f)
    return -1;
  int n = fscanf(f, "%ld %ld", &pages_total, &pages_resident);
  fclose(f);
  return n == 2 ? pages_resident * (sysconf(_SC_PAGESIZE) / 1024) : -1;
}

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int vowels_in(const char *s, size_t n) {
  int count = 0;
  for (size_t i = 0; i < n; i++)
    count += strchr("aeiouAEIOU", s[i]) != NULL && s[i] != 0;
  return count;
}

/* Calls count_vowels on `p` with a random input and checks the answer. */
static void call_checked(ExtismPlugin *p, unsigned *seed) {
  static const char *words[] = {"soak", "extism", "wasmi", "interpreter", "firmware", "a", "", "AEIOU xyz"};
  char in[128];
  int n = snprintf(in, sizeof in, "%s %u %s", words[rand_r(seed) % 8], rand_r(seed) % 1000, words[rand_r(seed) % 8]);
  int32_t rc = extism_plugin_call(p, "count_vowels", (const uint8_t *)in, (ExtismSize)n);
  if (rc != 0) {
    wrong("count_vowels", extism_plugin_error(p), rc);
    return;
  }
  char want[48];
  int w = snprintf(want, sizeof want, "{\"count\":%d,", vowels_in(in, (size_t)n));
  ExtismSize len = extism_plugin_output_length(p);
  const uint8_t *out = extism_plugin_output_data(p);
  if (len < (ExtismSize)w || out == NULL || memcmp(out, want, (size_t)w) != 0)
    wrong("count_vowels: wrong output for input", in, 0);
  else
    atomic_fetch_add(&calls_ok, 1);
}

static ExtismPlugin *create(bool from_compiled, ExtismCompiledPlugin *compiled) {
  char *err = NULL;
  ExtismPlugin *p = from_compiled ? extism_plugin_new_from_compiled(compiled, &err)
                                  : extism_plugin_new(c1_wasm, c1_len, NULL, 0, false, &err);
  if (p == NULL) {
    wrong("create", err, 0);
    extism_plugin_new_error_free(err);
    return NULL;
  }
  atomic_fetch_add(&created, 1);
  return p;
}

static void destroy(ExtismPlugin *p) {
  extism_plugin_free(p);
  atomic_fetch_add(&freed, 1);
}

/* An endless call, published for the cancel thread; ends by cancel or by timeout_ms. */
static void endless_call(int id, ExtismPlugin **loop_plugin, unsigned *seed) {
  if (*loop_plugin == NULL || rand_r(seed) % 5 == 0) {
    if (*loop_plugin) {
      pthread_mutex_lock(&published[id].lock);
      published[id].handle = NULL;
      pthread_mutex_unlock(&published[id].lock);
      destroy(*loop_plugin);
    }
    char *err = NULL;
    *loop_plugin = extism_plugin_new((const uint8_t *)loop_manifest, strlen(loop_manifest), NULL, 0, false, &err);
    if (*loop_plugin == NULL) {
      wrong("create the loop plugin", err, 0);
      extism_plugin_new_error_free(err);
      return;
    }
    atomic_fetch_add(&created, 1);
    pthread_mutex_lock(&published[id].lock);
    published[id].handle = extism_plugin_cancel_handle(*loop_plugin);
    pthread_mutex_unlock(&published[id].lock);
  }
  int32_t rc = extism_plugin_call(*loop_plugin, "loop", NULL, 0);
  const char *e = extism_plugin_error(*loop_plugin);
  if (rc != 134 || e == NULL || strcmp(e, "timeout") != 0)
    wrong("endless call", e, rc);
  atomic_fetch_add(&loop_calls, 1);
}

static void *worker(void *arg) {
  int id = (int)(intptr_t)arg;
  unsigned seed = 7919u * (unsigned)id + 1;
  ExtismPlugin *pool[POOL] = {0};
  ExtismPlugin *loop_plugin = NULL;
  while (!atomic_load(&stopping)) {
    unsigned r = rand_r(&seed) % 100, slot = rand_r(&seed) % POOL;
    ExtismPlugin *p = pool[slot];
    if (r < 25) { /* create, from bytes or from the shared compiled plugin */
      if (p)
        destroy(p);
      pool[slot] = create(r >= 10, shared_compiled);
    } else if (r < 70) {
      if (p)
        call_checked(p, &seed);
    } else if (r < 78) {
      if (p) {
        extism_plugin_reset(p);
        atomic_fetch_add(&resets, 1);
        call_checked(p, &seed);
      }
    } else if (r < 88) {
      if (p)
        destroy(p);
      pool[slot] = NULL;
    } else if (r < 93) {
      endless_call(id, &loop_plugin, &seed);
    } else if (r < 96) { /* a compiled plugin of its own: compile, instantiate, call, free both */
      char *err = NULL;
      ExtismCompiledPlugin *c = extism_compiled_plugin_new(c1_wasm, c1_len, NULL, 0, false, &err);
      if (c == NULL) {
        wrong("compile", err, 0);
        extism_plugin_new_error_free(err);
      } else {
        ExtismPlugin *q = create(true, c);
        if (q) {
          call_checked(q, &seed);
          destroy(q);
        }
        extism_compiled_plugin_free(c);
        atomic_fetch_add(&compiled_churn, 1);
      }
    } else if (p) { /* an error path: a missing export */
      int32_t rc = extism_plugin_call(p, "no_such_export", NULL, 0);
      if (rc != -1 || extism_plugin_error(p) == NULL)
        wrong("missing export", extism_plugin_error(p), rc);
    }
    atomic_fetch_add(&ops, 1);
  }
  for (int i = 0; i < POOL; i++)
    if (pool[i])
      destroy(pool[i]);
  pthread_mutex_lock(&published[id].lock);
  published[id].handle = NULL;
  pthread_mutex_unlock(&published[id].lock);
  if (loop_plugin)
    destroy(loop_plugin);
  return NULL;
}

static int n_threads;

static void *canceller(void *arg) {
  (void)arg;
  unsigned seed = 104729u;
  while (!atomic_load(&stopping)) {
    int w = (int)(rand_r(&seed) % (unsigned)n_threads);
    pthread_mutex_lock(&published[w].lock);
    if (published[w].handle != NULL && extism_plugin_cancel(published[w].handle))
      atomic_fetch_add(&cancels_fired, 1);
    pthread_mutex_unlock(&published[w].lock);
    usleep(rand_r(&seed) % 5000);
  }
  return NULL;
}

int main(int argc, char **argv) {
  if (argc != 6) {
    fprintf(stderr, "usage: soak PLUGIN_DIR SECONDS THREADS SAMPLE_SECONDS OUT.tsv\n");
    return 2;
  }
  const char *dir = argv[1];
  double seconds = atof(argv[2]), sample = atof(argv[4]);
  n_threads = atoi(argv[3]);
  if (seconds <= 0 || sample <= 0 || n_threads < 1 || n_threads > MAX_THREADS) {
    fprintf(stderr, "soak: bad arguments\n");
    return 2;
  }
  char path[2048];
  snprintf(path, sizeof path, "%s/c1.wasm", dir);
  c1_wasm = read_file(path, &c1_len);
  if (!c1_wasm) {
    fprintf(stderr, "soak: cannot read %s\n", path);
    return 2;
  }
  snprintf(loop_manifest, sizeof loop_manifest, "{\"wasm\":[{\"path\":\"%s/loop.wasm\"}],\"timeout_ms\":%d}", dir,
           LOOP_TIMEOUT_MS);
  char *err = NULL;
  shared_compiled = extism_compiled_plugin_new(c1_wasm, c1_len, NULL, 0, false, &err);
  if (!shared_compiled) {
    fprintf(stderr, "soak: compile: %s\n", err ? err : "?");
    return 2;
  }
  FILE *out = fopen(argv[5], "w");
  if (!out) {
    fprintf(stderr, "soak: cannot write %s\n", argv[5]);
    return 2;
  }
  fprintf(out, "# soak: %s, %d threads, %.0f s\nseconds\trss_kib\toperations\n", extism_version(), n_threads, seconds);

  pthread_t threads[MAX_THREADS], cancel_thread;
  for (int i = 0; i < n_threads; i++)
    pthread_mutex_init(&published[i].lock, NULL);
  double t0 = now_s();
  fprintf(out, "0\t%ld\t0\n", resident_kib());
  for (int i = 0; i < n_threads; i++)
    pthread_create(&threads[i], NULL, worker, (void *)(intptr_t)i);
  pthread_create(&cancel_thread, NULL, canceller, NULL);
  for (double next = sample; next <= seconds + 1e-9; next += sample) {
    double wait = t0 + next - now_s();
    if (wait > 0)
      usleep((useconds_t)(wait * 1e6));
    fprintf(out, "%.1f\t%ld\t%lu\n", now_s() - t0, resident_kib(), atomic_load(&ops));
    fflush(out);
  }
  atomic_store(&stopping, true);
  for (int i = 0; i < n_threads; i++)
    pthread_join(threads[i], NULL);
  pthread_join(cancel_thread, NULL);
  extism_compiled_plugin_free(shared_compiled);
  fprintf(out, "# after every plugin was freed: %ld KiB\n", resident_kib());
  fclose(out);
  free(c1_wasm);

  printf("soak: %lu operations in %.0f s on %d threads: %lu calls checked, %lu endless calls (%lu cancels fired), "
         "%lu created, %lu freed, %lu resets, %lu compiled plugins made and freed; %lu wrong\n",
         atomic_load(&ops), seconds, n_threads, atomic_load(&calls_ok), atomic_load(&loop_calls),
         atomic_load(&cancels_fired), atomic_load(&created), atomic_load(&freed), atomic_load(&resets),
         atomic_load(&compiled_churn), atomic_load(&bad));
  if (atomic_load(&bad) || atomic_load(&created) != atomic_load(&freed) || atomic_load(&calls_ok) == 0 ||
      atomic_load(&loop_calls) == 0) {
    printf("soak: FAIL: %s\n", detail[0] ? detail : "created and freed differ, or nothing was called");
    return 1;
  }
  return 0;
}
