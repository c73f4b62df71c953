/* A single-threaded "scheduler": two plugins run interleaved from one main loop, a slice of fuel
 * each per turn, the way firmware runs tasks. One of them reads a "sensor" through a host function
 * that cannot answer at once: it asks to wait (extism_x_current_plugin_wait), the loop keeps running
 * the other plugin, and answers the sensor a few turns later (extism_x_call_resume).
 *
 *   usage: scheduler C1.wasm HOSTLOOP.wasm
 *
 * C1.wasm: count_vowels (the suite's PDK plugin); HOSTLOOP.wasm: calls host function `tick`
 * (I64 -> I64) N times, N = the 8-byte input, and outputs the last value tick returned.
 * Uses the extensions of this library (extism_x_*): no threads, no blocking, no extra stacks. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extism.h"

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  uint8_t *buf = NULL;
  long n;
  if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
      (buf = malloc((size_t)n + 1)) == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
    perror(path);
    exit(1);
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static ExtismPlugin *load(const char *path, const ExtismFunction **fns, size_t n_fns) {
  size_t len;
  uint8_t *wasm = read_file(path, &len);
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new(wasm, len, fns, n_fns, false, &err);
  free(wasm);
  if (p == NULL) {
    fprintf(stderr, "%s: %s\n", path, err);
    exit(1);
  }
  return p;
}

/* The sensor: every read waits; the main loop answers later. */
static void sensor_read(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                        ExtismSize n_out, void *data) {
  int *reads = data;
  (void)in;
  (void)n_in;
  (void)out;
  (void)n_out;
  (*reads)++;
  extism_x_current_plugin_wait(cp);
}

struct task {
  const char *name;
  ExtismPlugin *plugin;
  int done;
  int waiting_turns; /* turns since the sensor was asked */
};

static void report(struct task *t, int st) {
  const uint8_t *out = extism_plugin_output_data(t->plugin);
  ExtismSize len = extism_plugin_output_length(t->plugin);
  if (st == EXTISM_X_STEP_FINISHED && strcmp(t->name, "sensor") == 0 && len == 8) {
    long long v;
    memcpy(&v, out, 8);
    printf("%s finished: last reading %lld\n", t->name, v);
  } else if (st == EXTISM_X_STEP_FINISHED) {
    printf("%s finished: %.*s\n", t->name, (int)len, (const char *)out);
  } else {
    printf("%s failed (rc %d): %s\n", t->name, extism_x_call_rc(t->plugin),
           extism_plugin_error(t->plugin));
  }
}

int main(int argc, char **argv) {
  ExtismValType i64 = EXTISM_PTR;
  const ExtismFunction *fns[1];
  struct task tasks[2];
  int reads = 0, turn, i, remaining = 2;
  static char text[200000];
  uint64_t samples = 5;
  uint8_t sample_input[8];

  if (argc < 3) {
    fprintf(stderr, "usage: %s C1.wasm HOSTLOOP.wasm\n", argv[0]);
    return 2;
  }
  for (i = 0; i < (int)sizeof text - 1; i++)
    text[i] = "plugins interleaved from one loop "[i % 34];

  fns[0] = extism_function_new("tick", &i64, 1, &i64, 1, sensor_read, &reads, NULL);
  tasks[0] = (struct task){"vowels", load(argv[1], NULL, 0), 0, 0};
  tasks[1] = (struct task){"sensor", load(argv[2], fns, 1), 0, 0};
  extism_function_free((ExtismFunction *)fns[0]);

  memcpy(sample_input, &samples, 8); /* little-endian hosts */
  if (!extism_x_call_begin(tasks[0].plugin, "count_vowels", (const uint8_t *)text, strlen(text), NULL) ||
      !extism_x_call_begin(tasks[1].plugin, "run", sample_input, 8, NULL)) {
    fprintf(stderr, "could not start: %s / %s\n", extism_plugin_error(tasks[0].plugin),
            extism_plugin_error(tasks[1].plugin));
    return 1;
  }

  for (turn = 0; remaining > 0; turn++) {
    for (i = 0; i < 2; i++) {
      struct task *t = &tasks[i];
      int st;
      if (t->done)
        continue;
      st = extism_x_call_step(t->plugin, 20000);
      if (st == EXTISM_X_STEP_WAITING) {
        /* The sensor answers three turns after it was asked. */
        if (++t->waiting_turns >= 3) {
          ExtismVal reading;
          reading.t = ExtismValType_I64;
          reading.v.i64 = 1000 + reads;
          printf("turn %d: %s answered (%s) with %lld\n", turn, t->name,
                 extism_x_call_waiting_function(t->plugin), (long long)reading.v.i64);
          extism_x_call_resume(t->plugin, &reading, 1);
          t->waiting_turns = 0;
        }
      } else if (st != EXTISM_X_STEP_RUNNING) {
        report(t, st);
        t->done = 1;
        remaining--;
      }
    }
  }
  printf("%d turns, %d sensor reads\n", turn, reads);
  extism_plugin_free(tasks[0].plugin);
  extism_plugin_free(tasks[1].plugin);
  return 0;
}
