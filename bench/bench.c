/*
 * make bench: libextism-compatible libraries side by side (issue 20).
 *
 * Loads each library by path with dlopen (ours, and upstream's for comparison) and measures, in one run,
 * alternating between the libraries round by round: plugin creation (from bytes, from a compiled
 * plugin), calls of several sizes, host-function calls, reset, free, resident memory of 100 live
 * plugins (in a child process per library), our extensions (stepped calls, call stats), and compute
 * kernels on our C API, upstream's C API, raw wasmi, wasm3 and native C. Prints medians, the min-max
 * spread and the ratio per line; writes the table as Markdown and every number as TSV.
 *
 *   bench [options]
 *     --ours PATH        our library (default target/release/libextism.so)
 *     --ref PATH         upstream's library ("" = none; the Makefile passes the reference's path)
 *     --plugins DIR      ctests' built plugins (default ctests/build/plugins)
 *     --build DIR        bench/build: bench plugins, kernels, outputs (default bench/build)
 *     --wasmi CMD        the raw-wasmi kernel harness ("" = skip)
 *     --wasm3 CMD        the wasm3 kernel runner, e.g. "venv/bin/python wasm3_kernels.py" ("" = skip)
 *     --rounds N         rounds per line (default 9; smoke 2)
 *     --only WORDS       run only lines whose id contains one of the comma-separated words
 *     --iters N          N ops per round, no calibration (exact counts under callgrind; call_grow: N calls)
 *     --ksizes F,S,M     compute kernel sizes: fib(F), sha256 over S bytes, MxM matmul
 *     --smoke            a few iterations per line; fails if a line did not run (no timing checks)
 *     --md FILE --tsv FILE   where to write the table and the raw numbers
 *     --sizes "A B C"    stripped sizes of ours and upstream's shared library and the no_std .a text
 *                        (bytes, -1 = unknown; the Makefile measures them)
 *   internal: bench --rss-child LIB MODE N WASM   (one library, MODE bytes|compiled; prints KiB)
 *   internal: bench --grow-child LIB CALLS WASM  (grow_each_call.wasm called CALLS times; prints KiB)
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "extism.h"

#include "kernels/kernels.h"

/* ---- small helpers ----------------------------------------------------------------------------- */

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "bench: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(2);
}

typedef struct {
  uint8_t *data;
  size_t len;
  const char *path;
} Buf;

static Buf read_file(const char *path) {
  Buf b = {NULL, 0, path};
  FILE *f = fopen(path, "rb");
  if (!f) die("cannot open %s: %s", path, strerror(errno));
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  b.data = malloc(n > 0 ? (size_t)n : 1);
  if (n > 0 && fread(b.data, 1, (size_t)n, f) != (size_t)n) die("cannot read %s", path);
  fclose(f);
  b.len = (size_t)n;
  return b;
}

static char *path_join(const char *dir, const char *name) {
  char *p = malloc(strlen(dir) + strlen(name) + 2);
  sprintf(p, "%s/%s", dir, name);
  return p;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(double *v, int n) {
  double *c = malloc(sizeof(double) * (size_t)n);
  memcpy(c, v, sizeof(double) * (size_t)n);
  qsort(c, (size_t)n, sizeof(double), cmp_double);
  double m = n % 2 ? c[n / 2] : 0.5 * (c[n / 2 - 1] + c[n / 2]);
  free(c);
  return m;
}

static double vmin(const double *v, int n) {
  double m = v[0];
  for (int i = 1; i < n; i++) m = v[i] < m ? v[i] : m;
  return m;
}

static double vmax(const double *v, int n) {
  double m = v[0];
  for (int i = 1; i < n; i++) m = v[i] > m ? v[i] : m;
  return m;
}

/* ---- a library, loaded by path ----------------------------------------------------------------- */

#define FN(member, fn) __typeof__(fn) *member
typedef struct {
  const char *label; /* "ours" or "upstream" */
  const char *path;
  void *h;
  const char *version;
  FN(plugin_new, extism_plugin_new);
  FN(error_free, extism_plugin_new_error_free);
  FN(compiled_new, extism_compiled_plugin_new);
  FN(compiled_free, extism_compiled_plugin_free);
  FN(from_compiled, extism_plugin_new_from_compiled);
  FN(plugin_free, extism_plugin_free);
  FN(call, extism_plugin_call);
  FN(out_len, extism_plugin_output_length);
  FN(out_data, extism_plugin_output_data);
  FN(error, extism_plugin_error);
  FN(reset, extism_plugin_reset);
  FN(function_new, extism_function_new);
  FN(function_free, extism_function_free);
  FN(log_file, extism_log_file);
  /* our extensions (NULL in upstream's library) */
  FN(x_begin, extism_x_call_begin);
  FN(x_step, extism_x_call_step);
  FN(x_rc, extism_x_call_rc);
  FN(x_stats, extism_x_plugin_last_call_stats);
  FN(x_compiled_unmetered, extism_x_compiled_plugin_new_unmetered);
  FN(x_save, extism_x_plugin_save);
  FN(x_state_free, extism_x_state_free);
  FN(x_from_state, extism_x_plugin_new_from_state);
} Lib;

static void *sym(Lib *L, const char *name, bool required) {
  void *p = dlsym(L->h, name);
  if (!p && required) die("%s (%s) lacks %s", L->label, L->path, name);
  return p;
}

static void lib_load(Lib *L, const char *label, const char *path) {
  memset(L, 0, sizeof *L);
  L->label = label;
  L->path = path;
  L->h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
  if (!L->h) die("dlopen %s: %s", path, dlerror());
#define REQ(m, name) *(void **)&L->m = sym(L, name, true)
#define OPT(m, name) *(void **)&L->m = sym(L, name, false)
  REQ(plugin_new, "extism_plugin_new");
  REQ(error_free, "extism_plugin_new_error_free");
  REQ(compiled_new, "extism_compiled_plugin_new");
  REQ(compiled_free, "extism_compiled_plugin_free");
  REQ(from_compiled, "extism_plugin_new_from_compiled");
  REQ(plugin_free, "extism_plugin_free");
  REQ(call, "extism_plugin_call");
  REQ(out_len, "extism_plugin_output_length");
  REQ(out_data, "extism_plugin_output_data");
  REQ(error, "extism_plugin_error");
  REQ(reset, "extism_plugin_reset");
  REQ(function_new, "extism_function_new");
  REQ(function_free, "extism_function_free");
  REQ(log_file, "extism_log_file");
  OPT(x_begin, "extism_x_call_begin");
  OPT(x_compiled_unmetered, "extism_x_compiled_plugin_new_unmetered");
  OPT(x_step, "extism_x_call_step");
  OPT(x_rc, "extism_x_call_rc");
  OPT(x_stats, "extism_x_plugin_last_call_stats");
  OPT(x_save, "extism_x_plugin_save");
  OPT(x_state_free, "extism_x_state_free");
  OPT(x_from_state, "extism_x_plugin_new_from_state");
  const char *(*version)(void) = sym(L, "extism_version", true);
  L->version = version();
}

/* The host function of hostloop.wat: `tick` (I64 -> I64) in extism:host/user. */
static void tick_cb(ExtismCurrentPlugin *cp, const ExtismVal *in, ExtismSize n_in, ExtismVal *out,
                    ExtismSize n_out, void *data) {
  (void)cp, (void)n_in, (void)n_out, (void)data;
  out[0].v.i64 = in[0].v.i64 * 2 + 1;
}

static ExtismPlugin *make_plugin(Lib *L, const Buf *wasm, bool wasi, bool with_tick) {
  char *err = NULL;
  const ExtismFunction *fns[1];
  ExtismSize nf = 0;
  if (with_tick) {
    ExtismValType t = EXTISM_PTR;
    fns[0] = L->function_new("tick", &t, 1, &t, 1, tick_cb, NULL, NULL);
    nf = 1;
  }
  ExtismPlugin *p = L->plugin_new(wasm->data, wasm->len, nf ? fns : NULL, nf, wasi, &err);
  if (nf) L->function_free((ExtismFunction *)fns[0]);
  if (!p) die("%s: extism_plugin_new(%s): %s", L->label, wasm->path, err ? err : "?");
  return p;
}

static ExtismCompiledPlugin *make_compiled(Lib *L, const Buf *wasm, bool wasi) {
  char *err = NULL;
  ExtismCompiledPlugin *c = L->compiled_new(wasm->data, wasm->len, NULL, 0, wasi, &err);
  if (!c) die("%s: extism_compiled_plugin_new(%s): %s", L->label, wasm->path, err ? err : "?");
  return c;
}

static ExtismPlugin *from_compiled(Lib *L, ExtismCompiledPlugin *c) {
  char *err = NULL;
  ExtismPlugin *p = L->from_compiled(c, &err);
  if (!p) die("%s: extism_plugin_new_from_compiled: %s", L->label, err ? err : "?");
  return p;
}

static bool failed; /* a line went wrong: the run exits 1 */

static void call_ok(Lib *L, ExtismPlugin *p, const char *fn, const uint8_t *in, size_t n) {
  int32_t rc = L->call(p, fn, in, n);
  const char *e = L->error(p);
  if (rc != 0 || e != NULL) die("%s: call %s failed: rc %d: %s", L->label, fn, rc, e ? e : "(no error)");
}

/* ---- inputs ------------------------------------------------------------------------------------ */

static Buf text_input(size_t n) { /* "Hello, World! Hello, World! ..." */
  Buf b = {malloc(n ? n : 1), n, "text"};
  static const char pat[] = "Hello, World! ";
  for (size_t i = 0; i < n; i++) b.data[i] = (uint8_t)pat[i % (sizeof pat - 1)];
  return b;
}

static Buf u64_input(uint64_t v) {
  Buf b = {malloc(8), 8, "u64"};
  memcpy(b.data, &v, 8); /* little-endian hosts */
  return b;
}

/* Expected count_vowels "count" for text_input(n): "Hello, World! " has 3 vowels in 14 bytes. */
static uint64_t vowels_in_text(size_t n) {
  static const char pat[] = "Hello, World! ";
  uint64_t c = 0;
  for (size_t i = 0; i < n; i++) c += strchr("aeiouAEIOU", pat[i % (sizeof pat - 1)]) != NULL;
  return c;
}

/* ---- the lines --------------------------------------------------------------------------------- */

typedef struct Line Line;
typedef struct {
  Lib *lib;
  int variant; /* a line-specific knob: stepping budget, cache mode, ... */
  const char *label;
} Subject;

typedef double (*RunFn)(Line *line, Subject *s, void *state, long n); /* seconds for n ops */

struct Line {
  const char *id;
  const char *what;
  const char *section;
  void *(*setup)(Line *, Subject *);
  RunFn run;
  void (*teardown)(Line *, Subject *, void *);
  /* parameters */
  const Buf *wasm;
  bool wasi;
  const char *func;
  const Buf *input;
  uint64_t expect; /* line-specific expected value (output length, vowel count, ...) */
  double units_per_op; /* divide per-op time by this for the reported unit (1M host calls -> 1) */
  double bytes_per_op; /* > 0: also report MiB/s */
  long fixed_n;        /* ops per round fixed (live plugins), else calibrated */
  /* subjects: A and B; the ratio is A/B */
  Subject subj[2];
  int nsubj;
  const char *ratio_label;
  /* results */
  double *samples[2];
  int nsamples;
  double med[2], lo[2], hi[2];
  bool ran[2];
};

/* ---- generic: calls of `func` with `input` on one warm plugin ---- */

typedef struct {
  ExtismPlugin *p;
} CallState;

static void check_output(Line *ln, Lib *L, ExtismPlugin *p) {
  uint64_t len = L->out_len(p);
  const uint8_t *out = L->out_data(p);
  if (strcmp(ln->func, "echo") == 0) {
    if (len != ln->input->len || memcmp(out, ln->input->data, len) != 0)
      die("%s %s: echo output differs (%llu bytes)", ln->id, L->label, (unsigned long long)len);
  } else if (strcmp(ln->func, "count_vowels") == 0) {
    char want[64];
    snprintf(want, sizeof want, "\"count\":%llu,", (unsigned long long)ln->expect);
    if (!memmem(out, len, want, strlen(want)))
      die("%s %s: unexpected output %.*s (want %s)", ln->id, L->label, (int)(len < 200 ? len : 200), out, want);
  } else if (strcmp(ln->func, "run") == 0) { /* hostloop: the last tick value */
    uint64_t v = 0;
    if (len == 8) memcpy(&v, out, 8);
    if (len != 8 || v != ln->expect) die("%s %s: hostloop output %llu, want %llu", ln->id, L->label,
                                         (unsigned long long)v, (unsigned long long)ln->expect);
  }
}

static void *call_setup(Line *ln, Subject *s) {
  CallState *st = calloc(1, sizeof *st);
  st->p = make_plugin(s->lib, ln->wasm, ln->wasi, strcmp(ln->func, "run") == 0);
  call_ok(s->lib, st->p, ln->func, ln->input->data, ln->input->len); /* warm: instantiation, first use */
  check_output(ln, s->lib, st->p);
  return st;
}

static double call_run(Line *ln, Subject *s, void *state, long n) {
  CallState *st = state;
  Lib *L = s->lib;
  double t = now_s();
  for (long i = 0; i < n; i++) {
    if (L->call(st->p, ln->func, ln->input->data, ln->input->len) != 0) die("%s %s: call failed", ln->id, L->label);
  }
  t = now_s() - t;
  if (L->error(st->p)) die("%s %s: %s", ln->id, L->label, L->error(st->p));
  check_output(ln, L, st->p);
  return t;
}

/* The tiny call with a logger installed at "error" (the default level: the runtime's trace and debug
 * lines are filtered out, and a call that succeeds writes nothing): what the level checks on the call
 * path cost. A logger cannot be removed, so this line runs after every other one. */
static void *log_off_setup(Line *ln, Subject *s) {
  if (!s->lib->log_file("/dev/null", "error")) die("%s: extism_log_file refused", s->lib->label);
  return call_setup(ln, s);
}

static void call_teardown(Line *ln, Subject *s, void *state) {
  (void)ln;
  CallState *st = state;
  s->lib->plugin_free(st->p);
  free(st);
}

/* ---- stepped calls (ours): variant = slice budget; 0 = plain call ---- */

static double step_run(Line *ln, Subject *s, void *state, long n) {
  CallState *st = state;
  Lib *L = s->lib;
  if (s->variant == 0) return call_run(ln, s, state, n);
  double t = now_s();
  for (long i = 0; i < n; i++) {
    if (!L->x_begin(st->p, ln->func, ln->input->data, ln->input->len, NULL)) die("%s: x_call_begin failed", ln->id);
    int32_t r;
    while ((r = L->x_step(st->p, (uint64_t)s->variant)) == EXTISM_X_STEP_RUNNING) {
    }
    if (r != EXTISM_X_STEP_FINISHED) die("%s: stepped call ended with %d: %s", ln->id, r, L->error(st->p));
  }
  t = now_s() - t;
  check_output(ln, L, st->p);
  return t;
}

/* ---- stats (ours): variant 1 = extism_x_plugin_last_call_stats alone, 0 = the tiny call ---- */

static double stats_run(Line *ln, Subject *s, void *state, long n) {
  CallState *st = state;
  Lib *L = s->lib;
  if (s->variant == 0) return call_run(ln, s, state, n);
  ExtismXCallStats cs;
  uint64_t sink = 0;
  double t = now_s();
  for (long i = 0; i < n; i++) {
    if (!L->x_stats(st->p, &cs)) die("%s: stats failed", ln->id);
    sink += cs.fuel_consumed;
  }
  t = now_s() - t;
  if (sink == 0 || cs.linear_memory_bytes == 0 || cs.kernel_memory_bytes == 0) die("%s: stats look empty", ln->id);
  return t;
}

/* ---- saved state (ours) ---- */

/* A compiled plugin and a state saved from a plugin of it after one call of the line's function. */
typedef struct {
  CallState call; /* the plugin that was saved (kept for the save line) */
  ExtismCompiledPlugin *c;
  uint8_t *state;
  ExtismSize state_len;
  uint8_t lookup[8]; /* init_table's answer, which every made plugin must give */
  uint8_t *copy;     /* FROM_COMPILED_COPY's destination: state_len bytes, touched once in setup */
} StateState;

/* The sizes of the states the lines saved, for the report. */
static char g_state_sizes[512];

static void *state_setup(Line *ln, Subject *s) {
  StateState *st = calloc(1, sizeof *st);
  Lib *L = s->lib;
  st->c = make_compiled(L, ln->wasm, ln->wasi);
  st->call.p = from_compiled(L, st->c);
  call_ok(L, st->call.p, ln->func, ln->input->data, ln->input->len);
  st->state = L->x_save(st->call.p, &st->state_len);
  if (!st->state) die("%s: extism_x_plugin_save: %s", ln->id, L->error(st->call.p));
  st->copy = malloc(st->state_len);
  if (!st->copy) die("%s: no memory for a copy of the state", ln->id);
  memset(st->copy, 1, st->state_len);
  if (strcmp(ln->func, "lookup") == 0) {
    if (L->out_len(st->call.p) != 8) die("%s: lookup output of %llu bytes", ln->id, (unsigned long long)L->out_len(st->call.p));
    memcpy(st->lookup, L->out_data(st->call.p), 8);
  }
  char note[128];
  snprintf(note, sizeof note, "%s%s (%s after a call): %llu bytes", g_state_sizes[0] ? "; " : "", ln->wasm->path,
           ln->func, (unsigned long long)st->state_len);
  if (!strstr(g_state_sizes, ln->wasm->path) && strlen(g_state_sizes) + strlen(note) < sizeof g_state_sizes)
    strcat(g_state_sizes, note);
  return st;
}

static void state_teardown(Line *ln, Subject *s, void *state) {
  (void)ln;
  StateState *st = state;
  s->lib->x_state_free(st->state);
  free(st->copy);
  s->lib->plugin_free(st->call.p);
  s->lib->compiled_free(st->c);
  free(st);
}

/* variant 1: extism_x_plugin_save + extism_x_state_free of the plugin after its call; 0: the call. */
static double save_run(Line *ln, Subject *s, void *state, long n) {
  StateState *st = state;
  Lib *L = s->lib;
  if (s->variant == 0) return call_run(ln, s, &st->call, n);
  double t = now_s();
  for (long i = 0; i < n; i++) {
    ExtismSize len = 0;
    uint8_t *bytes = L->x_save(st->call.p, &len);
    if (!bytes || len != st->state_len) die("%s: save gave %llu bytes", ln->id, (unsigned long long)len);
    L->x_state_free(bytes);
  }
  return now_s() - t;
}

/* FROM_COMPILED_COPY: from compiled, plus a copy of the saved state's bytes (the goal of issue 26:
 * restoring costs no more than creating from compiled and copying what was saved). */
enum { FROM_BYTES, FROM_COMPILED, FROM_STATE, FROM_COMPILED_COPY };

/* A plugin made (variant: from bytes, from compiled, from the saved state), with `call_it` its first
 * call of the line's function, then freed; creation and call timed. */
static double made_run(Line *ln, Subject *s, void *state, long n, bool call_it) {
  StateState *st = state;
  Lib *L = s->lib;
  double total = 0;
  for (long i = 0; i < n; i++) {
    char *err = NULL;
    double t = now_s();
    ExtismPlugin *p = s->variant == FROM_BYTES      ? L->plugin_new(ln->wasm->data, ln->wasm->len, NULL, 0, ln->wasi, &err)
                      : s->variant == FROM_STATE ? L->x_from_state(st->c, st->state, st->state_len, &err)
                                                 : L->from_compiled(st->c, &err);
    if (!p) die("%s %s: %s", ln->id, s->label, err ? err : "?");
    if (s->variant == FROM_COMPILED_COPY) memcpy(st->copy, st->state, st->state_len);
    if (call_it && L->call(p, ln->func, ln->input->data, ln->input->len) != 0)
      die("%s %s: call failed: %s", ln->id, s->label, L->error(p));
    total += now_s() - t;
    if (call_it && strcmp(ln->func, "lookup") == 0 &&
        (L->out_len(p) != 8 || memcmp(L->out_data(p), st->lookup, 8) != 0))
      die("%s %s: lookup differs from the saved plugin's", ln->id, s->label);
    if (call_it && strcmp(ln->func, "count_vowels") == 0) check_output(ln, L, p);
    L->plugin_free(p);
  }
  return total;
}

static double made_run_create(Line *ln, Subject *s, void *state, long n) {
  return made_run(ln, s, state, n, false);
}

static double made_run_first_call(Line *ln, Subject *s, void *state, long n) {
  return made_run(ln, s, state, n, true);
}

/* ---- creation ---- */

enum { CACHE_DEFAULT, CACHE_OFF, CACHE_ON };
static char *g_cache_config; /* a wasmtime cache config file (upstream's disk cache, in bench/build) */

static void set_cache(int mode) {
  if (mode == CACHE_OFF) setenv("EXTISM_CACHE_CONFIG", "", 1);
  else if (mode == CACHE_ON) setenv("EXTISM_CACHE_CONFIG", g_cache_config, 1);
  else unsetenv("EXTISM_CACHE_CONFIG");
}

typedef struct {
  ExtismCompiledPlugin *c;
  ExtismPlugin **live;
} CreateState;

static void *create_setup(Line *ln, Subject *s) {
  CreateState *st = calloc(1, sizeof *st);
  set_cache(s->variant);
  /* One creation first: one-time costs of the library (engine set-up, a cold disk cache). */
  ExtismPlugin *p = make_plugin(s->lib, ln->wasm, ln->wasi, false);
  s->lib->plugin_free(p);
  /* A compiled plugin kept for the line (its code stays alive: our module cache hits), except in
   * the cold lines. */
  if (s->variant != CACHE_OFF)
    st->c = make_compiled(s->lib, ln->wasm, ln->wasi);
  set_cache(CACHE_DEFAULT);
  st->live = calloc((size_t)(ln->fixed_n > 0 ? ln->fixed_n : 1), sizeof(ExtismPlugin *));
  return st;
}

static void create_teardown(Line *ln, Subject *s, void *state) {
  (void)ln;
  CreateState *st = state;
  if (st->c)
    s->lib->compiled_free(st->c);
  free(st->live);
  free(st);
}

/* extism_plugin_new (or with `compile`, extism_compiled_plugin_new) from the line's bytes, made and
 * freed in turn: the creation is timed. */
static double from_bytes(Line *ln, Subject *s, long n, bool compile) {
  Lib *L = s->lib;
  double total = 0;
  set_cache(s->variant);
  for (long i = 0; i < n; i++) {
    char *err = NULL;
    double t = now_s();
    void *made = compile ? (void *)L->compiled_new(ln->wasm->data, ln->wasm->len, NULL, 0, ln->wasi, &err)
                         : (void *)L->plugin_new(ln->wasm->data, ln->wasm->len, NULL, 0, ln->wasi, &err);
    total += now_s() - t;
    if (!made) die("%s %s: %s", ln->id, L->label, err);
    if (compile)
      L->compiled_free(made);
    else
      L->plugin_free(made);
  }
  set_cache(CACHE_DEFAULT);
  return total;
}

static double new_bytes_run(Line *ln, Subject *s, void *state, long n) {
  (void)state;
  return from_bytes(ln, s, n, false);
}

static double compile_run(Line *ln, Subject *s, void *state, long n) {
  (void)state;
  return from_bytes(ln, s, n, true);
}

/* extism_plugin_new_from_compiled, created and freed in turn. */
static double from_compiled_churn_run(Line *ln, Subject *s, void *state, long n) {
  (void)ln;
  CreateState *st = state;
  double total = 0;
  for (long i = 0; i < n; i++) {
    double t = now_s();
    ExtismPlugin *p = from_compiled(s->lib, st->c);
    total += now_s() - t;
    s->lib->plugin_free(p);
  }
  return total;
}

/* extism_plugin_new_from_compiled, all n kept alive (freed after the timing). */
static double from_compiled_live_run(Line *ln, Subject *s, void *state, long n) {
  (void)ln;
  CreateState *st = state;
  double t = now_s();
  for (long i = 0; i < n; i++) st->live[i] = from_compiled(s->lib, st->c);
  t = now_s() - t;
  for (long i = 0; i < n; i++) s->lib->plugin_free(st->live[i]);
  return t;
}

/* The first call of each of n live plugins made from compiled (creation and free not timed). */
static double first_call_live_run(Line *ln, Subject *s, void *state, long n) {
  CreateState *st = state;
  Lib *L = s->lib;
  for (long i = 0; i < n; i++) st->live[i] = from_compiled(L, st->c);
  double t = now_s();
  for (long i = 0; i < n; i++)
    if (L->call(st->live[i], ln->func, ln->input->data, ln->input->len) != 0) die("%s: call failed", ln->id);
  t = now_s() - t;
  check_output(ln, L, st->live[n - 1]);
  for (long i = 0; i < n; i++) L->plugin_free(st->live[i]);
  return t;
}

/* A plugin's whole short life: new_from_compiled, one call, free (all timed). */
static double cycle_run(Line *ln, Subject *s, void *state, long n) {
  CreateState *st = state;
  Lib *L = s->lib;
  double t = now_s();
  for (long i = 0; i < n; i++) {
    ExtismPlugin *p = from_compiled(L, st->c);
    if (L->call(p, ln->func, ln->input->data, ln->input->len) != 0) die("%s: call failed", ln->id);
    L->plugin_free(p);
  }
  return now_s() - t;
}

/* extism_plugin_free of a plugin from compiled that made one call (creation and call not timed). */
static double free_run(Line *ln, Subject *s, void *state, long n) {
  CreateState *st = state;
  Lib *L = s->lib;
  double total = 0;
  for (long i = 0; i < n; i++) {
    ExtismPlugin *p = from_compiled(L, st->c);
    call_ok(L, p, ln->func, ln->input->data, ln->input->len);
    double t = now_s();
    L->plugin_free(p);
    total += now_s() - t;
  }
  return total;
}

/* extism_plugin_reset after a call (the call is not timed). */
static double reset_run(Line *ln, Subject *s, void *state, long n) {
  CallState *st = state;
  Lib *L = s->lib;
  double total = 0;
  for (long i = 0; i < n; i++) {
    call_ok(L, st->p, ln->func, ln->input->data, ln->input->len);
    double t = now_s();
    bool ok = L->reset(st->p);
    total += now_s() - t;
    if (!ok) die("%s %s: reset failed", ln->id, L->label);
  }
  return total;
}

/* ---- a plugin growing its memory one page per call (grow_each_call.wasm, issue 25) ---- */

/* n calls of `echo` on a fresh plugin (creation and free not timed): every call grows the memory by
 * one page that the plugin never writes, so the time per call includes what growing costs as the
 * memory gets bigger (zero-filling, moving the buffer, giving untouched pages back). */
static double grow_run(Line *ln, Subject *s, void *state, long n) {
  (void)state;
  Lib *L = s->lib;
  ExtismPlugin *p = make_plugin(L, ln->wasm, false, false);
  double t = now_s();
  for (long i = 0; i < n; i++)
    if (L->call(p, ln->func, ln->input->data, ln->input->len) != 0)
      die("%s %s: call %ld failed: %s", ln->id, L->label, i + 1, L->error(p));
  t = now_s() - t;
  check_output(ln, L, p);
  L->plugin_free(p);
  return t;
}

/* ---- running a line: alternate subjects round by round ---- */

static int g_rounds = 9;
static bool g_smoke;
static double g_batch_s = 0.05; /* aim for this much measured time per subject per round */

static long g_iters; /* --iters: ops per round, no calibration (for callgrind: exact counts) */

static long calibrate(Line *ln, Subject *s, void *state) {
  if (ln->fixed_n > 0) return ln->fixed_n;
  if (g_iters > 0) return g_iters;
  double t1 = ln->run(ln, s, state, 1);
  if (g_smoke) return 1;
  long n = t1 > 0 ? (long)(g_batch_s / t1) : 1000;
  if (n < 1) n = 1;
  if (n > 100000) n = 100000;
  return n;
}

static void run_line(Line *ln) {
  void *state[2];
  long n[2];
  for (int k = 0; k < ln->nsubj; k++) {
    ln->samples[k] = calloc((size_t)g_rounds, sizeof(double));
    state[k] = ln->setup ? ln->setup(ln, &ln->subj[k]) : NULL;
    n[k] = calibrate(ln, &ln->subj[k], state[k]);
  }
  for (int r = 0; r < g_rounds; r++) {
    for (int j = 0; j < ln->nsubj; j++) {
      int k = (r % 2 == 0) ? j : ln->nsubj - 1 - j; /* AB, BA, AB, ... */
      double t = ln->run(ln, &ln->subj[k], state[k], n[k]);
      ln->samples[k][r] = t / (double)n[k] / (ln->units_per_op > 0 ? ln->units_per_op : 1);
    }
  }
  ln->nsamples = g_rounds;
  for (int k = 0; k < ln->nsubj; k++) {
    if (ln->teardown) ln->teardown(ln, &ln->subj[k], state[k]);
    ln->med[k] = median(ln->samples[k], g_rounds);
    ln->lo[k] = vmin(ln->samples[k], g_rounds);
    ln->hi[k] = vmax(ln->samples[k], g_rounds);
    ln->ran[k] = true;
  }
}

/* ---- resident memory of N live plugins: one child process per library ---- */

static long status_kib(const char *field) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long v = -1;
  size_t fl = strlen(field);
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, field, fl) == 0 && line[fl] == ':') v = strtol(line + fl + 1, NULL, 10);
  if (f) fclose(f);
  return v;
}

static int rss_child(const char *libpath, const char *mode, int nplugins, const char *wasm_path) {
  Lib L;
  lib_load(&L, "lib", libpath);
  Buf wasm = read_file(wasm_path);
  Buf in = text_input(13);
  bool compiled = strcmp(mode, "compiled") == 0;
  ExtismCompiledPlugin *c = compiled ? make_compiled(&L, &wasm, false) : NULL;
  ExtismPlugin **ps = calloc((size_t)nplugins, sizeof *ps);
  /* one plugin made, called and freed first: one-time costs are not per-plugin costs */
  ExtismPlugin *warm = compiled ? from_compiled(&L, c) : make_plugin(&L, &wasm, false, false);
  call_ok(&L, warm, "count_vowels", in.data, in.len);
  L.plugin_free(warm);
  long base = status_kib("VmRSS");
  for (int i = 0; i < nplugins; i++) ps[i] = compiled ? from_compiled(&L, c) : make_plugin(&L, &wasm, false, false);
  long created = status_kib("VmRSS");
  for (int i = 0; i < nplugins; i++) call_ok(&L, ps[i], "count_vowels", in.data, in.len);
  long called = status_kib("VmRSS");
  long hwm = status_kib("VmHWM");
  printf("%ld %ld %ld %ld\n", base, created, called, hwm);
  return 0;
}

/* One plugin of grow_each_call.wasm called `calls` times: prints VmRSS (KiB) before the first call,
 * after a fifth of the calls and after all of them. */
static int grow_child(const char *libpath, int calls, const char *wasm_path) {
  Lib L;
  lib_load(&L, "lib", libpath);
  Buf wasm = read_file(wasm_path);
  Buf in = text_input(13);
  ExtismPlugin *p = make_plugin(&L, &wasm, false, false);
  long base = status_kib("VmRSS"), fifth = -1;
  for (int i = 1; i <= calls; i++) {
    call_ok(&L, p, "echo", in.data, in.len);
    if (i == calls / 5) fifth = status_kib("VmRSS");
  }
  printf("%ld %ld %ld\n", base, fifth, status_kib("VmRSS"));
  L.plugin_free(p);
  return 0;
}

typedef struct {
  long base, created, called, hwm;
  bool ok;
} Rss;

static Rss run_rss_child(const char *self, const char *libpath, const char *mode, int n, const char *wasm) {
  Rss r = {0};
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "'%s' --rss-child '%s' %s %d '%s'", self, libpath, mode, n, wasm);
  FILE *p = popen(cmd, "r");
  if (p && fscanf(p, "%ld %ld %ld %ld", &r.base, &r.created, &r.called, &r.hwm) == 4) r.ok = true;
  if (p && pclose(p) != 0) r.ok = false;
  return r;
}

/* ---- compute kernels ---- */

enum { K_FIB, K_SHA, K_MAT, NK };
static const char *k_names[NK] = {"fib", "sha256", "matmul"};
enum { E_NATIVE, E_OURS, E_OURS_UNMETERED, E_REF, E_WASMI, E_WASMI_FUEL, E_WASM3, NE };
static const char *e_names[NE] = {"native C", "ours (C API)", "ours, unmetered", "upstream (C API)", "wasmi (raw)",
                                  "wasmi + fuel", "wasm3"};
typedef struct {
  double *s[NE][NK];
  int n[NE][NK];
  uint64_t sum[NE][NK];
  bool have[NE];
} Kern;

static void kern_add(Kern *k, int e, int kn, double sec, uint64_t sum) {
  k->s[e][kn][k->n[e][kn]++] = sec;
  k->sum[e][kn] = sum;
  k->have[e] = true;
}

static uint64_t (*const native_kernel[NK])(void) = {kern_fib, kern_sha256, kern_matmul};

static void kern_capi(Kern *k, int e, Lib *L, ExtismPlugin *p, const uint64_t *sizes) {
  for (int kn = 0; kn < NK; kn++) {
    Buf in = u64_input(sizes[kn]);
    double t = now_s();
    int32_t rc = L->call(p, k_names[kn], in.data, 8);
    t = now_s() - t;
    if (rc != 0 || L->out_len(p) != 8) die("kernel %s on %s failed: %s", k_names[kn], L->label, L->error(p));
    uint64_t sum;
    memcpy(&sum, L->out_data(p), 8);
    kern_add(k, e, kn, t, sum);
    free(in.data);
  }
}

/* Runs an external kernel runner once per kernel (it prints ENGINE\tNAME\tNS\tSUM lines). */
static void kern_external(Kern *k, const char *cmd_prefix, const char *wasm, const uint64_t *sizes) {
  char cmd[4096];
  snprintf(cmd, sizeof cmd, "%s '%s' 1 fib=%llu sha256=%llu matmul=%llu", cmd_prefix, wasm,
           (unsigned long long)sizes[0], (unsigned long long)sizes[1], (unsigned long long)sizes[2]);
  FILE *p = popen(cmd, "r");
  char line[512];
  while (p && fgets(line, sizeof line, p)) {
    char eng[64], name[64];
    unsigned long long ns, sum;
    if (sscanf(line, "%63s %63s %llu %llu", eng, name, &ns, &sum) != 4) continue;
    int e = strcmp(eng, "wasmi") == 0 ? E_WASMI : strcmp(eng, "wasmi+fuel") == 0 ? E_WASMI_FUEL
          : strcmp(eng, "wasm3") == 0 ? E_WASM3 : -1;
    int kn = -1;
    for (int i = 0; i < NK; i++)
      if (strcmp(name, k_names[i]) == 0) kn = i;
    if (e >= 0 && kn >= 0) kern_add(k, e, kn, (double)ns * 1e-9, sum);
  }
  if (!p || pclose(p) != 0) {
    fprintf(stderr, "bench: kernel runner failed: %s\n", cmd);
  }
}

/* ---- output ---- */

static FILE *g_md, *g_tsv;

static void out(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  if (g_md) {
    va_start(ap, fmt);
    vfprintf(g_md, fmt, ap);
    va_end(ap);
  }
}

static const char *fmt_time(char *buf, size_t n, double s, double scale_ref) {
  double a = scale_ref > 0 ? scale_ref : s;
  if (a < 1e-6) snprintf(buf, n, "%.1f ns", s * 1e9);
  else if (a < 1e-3) snprintf(buf, n, "%.2f µs", s * 1e6);
  else if (a < 1) snprintf(buf, n, "%.2f ms", s * 1e3);
  else snprintf(buf, n, "%.2f s", s);
  return buf;
}

static const char *fmt_val(char *buf, size_t n, double s, double scale) {
  if (scale < 1e-6) snprintf(buf, n, "%.1f", s * 1e9);
  else if (scale < 1e-3) snprintf(buf, n, "%.2f", s * 1e6);
  else if (scale < 1) snprintf(buf, n, "%.2f", s * 1e3);
  else snprintf(buf, n, "%.2f", s);
  return buf;
}

static void cell(char *buf, size_t n, Line *ln, int k) {
  if (!ln->ran[k]) {
    snprintf(buf, n, "-");
    return;
  }
  char a[32], b[32], c[32];
  fmt_time(a, sizeof a, ln->med[k], 0);
  fmt_val(b, sizeof b, ln->lo[k], ln->med[k]);
  fmt_val(c, sizeof c, ln->hi[k], ln->med[k]);
  if (ln->bytes_per_op > 0)
    snprintf(buf, n, "%s (%.0f MiB/s) [%s–%s]", a, ln->bytes_per_op / 1048576.0 / ln->med[k], b, c);
  else
    snprintf(buf, n, "%s [%s–%s]", a, b, c);
}

static void print_line(Line *ln) {
  char c0[96], c1[96];
  cell(c0, sizeof c0, ln, 0);
  cell(c1, sizeof c1, ln, 1);
  char ratio[32] = "-";
  if (ln->nsubj == 2 && ln->ran[0] && ln->ran[1]) snprintf(ratio, sizeof ratio, "%.3g×", ln->med[0] / ln->med[1]);
  out("| %s | %s | %s | %s |\n", ln->what, c0, ln->nsubj == 2 ? c1 : "-", ratio);
  if (g_tsv)
    for (int k = 0; k < ln->nsubj; k++)
      if (ln->ran[k])
        fprintf(g_tsv, "line\t%s\t%s\t%s\t%.9g\t%.9g\t%.9g\t%.9g\n", ln->id, ln->subj[k].label, ln->what,
                ln->med[k], ln->lo[k], ln->hi[k], ln->bytes_per_op);
  fflush(stdout);
}

static bool selected(const char *only, const char *id) {
  if (!only || !*only) return true;
  char *copy = strdup(only), *save = NULL;
  bool hit = false;
  for (char *w = strtok_r(copy, ",", &save); w; w = strtok_r(NULL, ",", &save))
    if (strstr(id, w)) hit = true;
  free(copy);
  return hit;
}

static void machine_info(char *buf, size_t n) {
  char model[256] = "?";
  FILE *f = fopen("/proc/cpuinfo", "r");
  char line[512];
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "model name", 10) == 0) {
      char *c = strchr(line, ':');
      if (c) snprintf(model, sizeof model, "%s", c + 2);
      model[strcspn(model, "\n")] = 0;
      break;
    }
  if (f) fclose(f);
  snprintf(buf, n, "%s, %ld CPUs", model, sysconf(_SC_NPROCESSORS_ONLN));
}

static void loadavg(char *buf, size_t n) {
  FILE *f = fopen("/proc/loadavg", "r");
  buf[0] = 0;
  if (f && fgets(buf, (int)n, f)) buf[strcspn(buf, "\n")] = 0;
  if (f) fclose(f);
}

static long file_size(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

/* ---- main ---------------------------------------------------------------------------------------- */

int main(int argc, char **argv) {
  const char *ours_path = "target/release/libextism.so", *ref_path = "", *plugins = "ctests/build/plugins";
  const char *build = "bench/build", *wasmi_cmd = "", *wasm3_cmd = "", *only = "", *md = NULL, *tsv = NULL;
  const char *sizes_arg = NULL, *ksizes = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (strcmp(a, "--rss-child") == 0 && i + 4 < argc) return rss_child(argv[i + 1], argv[i + 2], atoi(argv[i + 3]), argv[i + 4]);
    if (strcmp(a, "--grow-child") == 0 && i + 3 < argc) return grow_child(argv[i + 1], atoi(argv[i + 2]), argv[i + 3]);
    if (strcmp(a, "--smoke") == 0) { g_smoke = true; continue; }
    if (!v) die("%s needs a value", a);
    if (strcmp(a, "--ours") == 0) ours_path = v;
    else if (strcmp(a, "--ref") == 0) ref_path = v;
    else if (strcmp(a, "--plugins") == 0) plugins = v;
    else if (strcmp(a, "--build") == 0) build = v;
    else if (strcmp(a, "--wasmi") == 0) wasmi_cmd = v;
    else if (strcmp(a, "--wasm3") == 0) wasm3_cmd = v;
    else if (strcmp(a, "--rounds") == 0) g_rounds = atoi(v);
    else if (strcmp(a, "--iters") == 0) g_iters = atol(v);
    else if (strcmp(a, "--ksizes") == 0) ksizes = v; /* "FIB,SHA_BYTES,MAT_N" */
    else if (strcmp(a, "--only") == 0) only = v;
    else if (strcmp(a, "--md") == 0) md = v;
    else if (strcmp(a, "--tsv") == 0) tsv = v;
    else if (strcmp(a, "--sizes") == 0) sizes_arg = v; /* "stripped_ours stripped_ref nostd_text" */
    else die("unknown option %s", a);
    i++;
  }
  if (g_smoke) {
    g_rounds = g_rounds < 2 || g_rounds == 9 ? 2 : g_rounds;
    g_batch_s = 0.002;
  }
  if (g_rounds < 1) g_rounds = 1;
  if (md) g_md = fopen(md, "w");
  if (tsv) g_tsv = fopen(tsv, "w");
  g_cache_config = path_join(build, "wasmtime-cache.toml");
  {
    /* upstream's disk cache: a private cache directory under bench/build */
    char *dir = realpath(build, NULL);
    FILE *f = fopen(g_cache_config, "w");
    if (!f || !dir) die("cannot write %s", g_cache_config);
    fprintf(f, "[cache]\ndirectory = \"%s/wasmtime-cache\"\n", dir);
    fclose(f);
    free(dir);
  }

  Lib libs[2];
  int nlibs = 0;
  lib_load(&libs[nlibs++], "ours", ours_path);
  if (ref_path && *ref_path) lib_load(&libs[nlibs++], "upstream", ref_path);
  Lib *ours = &libs[0], *ref = nlibs > 1 ? &libs[1] : NULL;
  if (!ours->x_begin || !ours->x_step || !ours->x_stats || !ours->x_compiled_unmetered || !ours->x_save ||
      !ours->x_from_state)
    die("%s lacks the extism_x_* extensions", ours_path);

  Buf c1 = read_file(path_join(plugins, "c1.wasm"));
  Buf hostloop = read_file(path_join(plugins, "hostloop.wasm"));
  Buf echo_small = read_file(path_join(build, "benchpdk.wasm"));
  Buf big = read_file(path_join(build, "benchpdk-big.wasm"));
  Buf kernels = read_file(path_join(build, "kernels.wasm"));
  char *kernels_raw = path_join(build, "kernels_raw.wasm");
  Buf grow = read_file(path_join(plugins, "grow_each_call.wasm"));
  Buf init_table = read_file(path_join(build, "init_table.wasm"));
  long grow_calls = g_smoke ? 50 : 20000;

  size_t mib = 1u << 20;
  Buf tiny = text_input(13);
  Buf in_1m = text_input(g_smoke ? 4096 : mib), in_10m = text_input(g_smoke ? 8192 : 10 * mib);
  Buf in_6m = text_input(g_smoke ? 8192 : 6 * mib);
  long host_n = g_smoke ? 1000 : 1000000;
  Buf in_host = u64_input((uint64_t)host_n);
  long live_n = g_smoke ? 5 : 100;

  char mach[300], la0[128], la1[128];
  machine_info(mach, sizeof mach);
  loadavg(la0, sizeof la0);
  double t_start = now_s();

  out("# make bench%s\n\n", g_smoke ? " (smoke: a few iterations, numbers meaningless)" : "");
  out("- machine: %s; load average at start: %s\n", mach, la0);
  out("- ours: %s (%s)\n", ours->path, ours->version);
  if (ref) out("- upstream: %s (%s)\n", ref->path, ref->version);
  else out("- upstream: not loaded (no --ref)\n");
  out("- %d rounds per line, libraries alternating (AB, BA, ...); each cell: median of the rounds "
      "[min–max], per operation\n\n", g_rounds);

  /* ---- lines: ours vs upstream ---- */
#define PAIR {{ours, CACHE_DEFAULT, "ours"}, {ref, CACHE_DEFAULT, "upstream"}}, ref ? 2 : 1, "ours/upstream"
/* Upstream's disk cache off: ours runs cold too (nothing of these bytes alive, so its in-memory module
 * cache misses every time); on: ours with a compiled plugin of the same bytes alive (every creation
 * hits the module cache), against upstream's warm disk cache. */
#define PAIR_CACHE(m) {{ours, m, "ours"}, {ref, m, "upstream"}}, ref ? 2 : 1, "ours/upstream"
  Line lines[] = {
    {"new_small_nocache", "extism_plugin_new, small PDK plugin (c1.wasm), created and freed in turn, cold (ours: no "
     "module-cache hit; upstream: no disk cache)", "Creating plugins", create_setup, new_bytes_run, create_teardown, &c1, false, NULL,
     &tiny, 0, 0, 0, 0, PAIR_CACHE(CACHE_OFF)},
    {"new_small_cache", "extism_plugin_new, small PDK plugin, warm (ours: module-cache hit, a compiled plugin of "
     "these bytes alive; upstream: its disk cache)",
     "Creating plugins", create_setup, new_bytes_run, create_teardown, &c1, false, NULL, &tiny, 0, 0, 0, 0,
     PAIR_CACHE(CACHE_ON)},
    {"new_large_nocache", "extism_plugin_new, large PDK plugin (benchpdk-big.wasm), cold",
     "Creating plugins", create_setup, new_bytes_run, create_teardown, &big, false, NULL, &tiny, 0, 0, 0, 0,
     PAIR_CACHE(CACHE_OFF)},
    {"new_large_cache", "extism_plugin_new, large PDK plugin, warm",
     "Creating plugins", create_setup, new_bytes_run, create_teardown, &big, false, NULL, &tiny, 0, 0, 0, 0,
     PAIR_CACHE(CACHE_ON)},
    {"compile_large", "extism_compiled_plugin_new, large PDK plugin, cold",
     "Creating plugins", create_setup, compile_run, create_teardown, &big, false, NULL, &tiny, 0, 0, 0, 0,
     PAIR_CACHE(CACHE_OFF)},
    {"from_compiled_churn", "extism_plugin_new_from_compiled (large plugin), created and freed in turn",
     "Creating plugins", create_setup, from_compiled_churn_run, create_teardown, &big, false, NULL, &tiny, 0, 0, 0,
     0, PAIR},
    {"from_compiled_live", "extism_plugin_new_from_compiled (large plugin), 100 kept alive", "Creating plugins",
     create_setup, from_compiled_live_run, create_teardown, &big, false, NULL, &tiny, 0, 0, 0, 0, PAIR},
    {"first_call_live", "first call (tiny count_vowels) of each of 100 live plugins from compiled",
     "Creating plugins", create_setup, first_call_live_run, create_teardown, &big, false, "count_vowels", &tiny, 3, 0,
     0, 0, PAIR},
    {"cycle", "new_from_compiled + tiny call + free, one plugin at a time (large plugin)", "Creating plugins",
     create_setup, cycle_run, create_teardown, &big, false, "count_vowels", &tiny, 3, 0, 0, 0, PAIR},
    {"free", "extism_plugin_free (plugin from compiled, after one call)", "Creating plugins", create_setup, free_run,
     create_teardown, &big, false, "count_vowels", &tiny, 3, 0, 0, 0, PAIR},
    {"call_tiny_cv", "tiny call: count_vowels, 13-byte input (c1.wasm)", "Calls", call_setup, call_run,
     call_teardown, &c1, false, "count_vowels", &tiny, 3, 0, 0, 0, PAIR},
    {"call_tiny_echo", "tiny call: echo, 13-byte input (benchpdk.wasm)", "Calls", call_setup, call_run,
     call_teardown, &echo_small, false, "echo", &tiny, 0, 0, 0, 0, PAIR},
    {"call_cv_1m", "count_vowels, 1 MiB input", "Calls", call_setup, call_run, call_teardown, &c1, false,
     "count_vowels", &in_1m, 0, 0, (double)in_1m.len, 0, PAIR},
    {"call_cv_10m", "count_vowels, 10 MiB input", "Calls", call_setup, call_run, call_teardown, &c1, false,
     "count_vowels", &in_10m, 0, 0, (double)in_10m.len, 0, PAIR},
    {"call_echo_1m", "echo, 1 MiB input to output", "Calls", call_setup, call_run, call_teardown, &echo_small,
     false, "echo", &in_1m, 0, 0, (double)in_1m.len, 0, PAIR},
    {"call_echo_6m", "echo, 6 MiB input to output", "Calls", call_setup, call_run, call_teardown, &echo_small,
     false, "echo", &in_6m, 0, 0, (double)in_6m.len, 0, PAIR},
    {"call_grow", "call of a plugin that grows its memory one page per call and writes only its first bytes "
     "(grow_each_call.wasm, 13-byte echo), per call over 20,000 calls of a fresh plugin", "Calls", NULL, grow_run, NULL,
     &grow, false, "echo", &tiny, 0, 0, 0, 0, PAIR},
    {"host_call", "one host-function call (1M `tick` calls from one plugin call, hostloop.wasm), per host call",
     "Calls", call_setup, call_run, call_teardown, &hostloop, false, "run", &in_host, 0, (double)host_n, 0, 0, PAIR},
    {"reset", "extism_plugin_reset (after a tiny count_vowels call)", "Calls", call_setup, reset_run, call_teardown,
     &c1, false, "count_vowels", &tiny, 3, 0, 0, 0, PAIR},
    /* ours only: our extensions */
    {"step_1e3", "stepped call, slices of 10^3 fuel, vs plain call (count_vowels 1 MiB)", "Our extensions",
     call_setup, step_run, call_teardown, &c1, false, "count_vowels", &in_1m, 0, 0, 0, 0,
     {{ours, 1000, "stepped"}, {ours, 0, "plain"}}, 2, "stepped/plain"},
    {"step_1e5", "stepped call, slices of 10^5 fuel, vs plain call (count_vowels 1 MiB)", "Our extensions",
     call_setup, step_run, call_teardown, &c1, false, "count_vowels", &in_1m, 0, 0, 0, 0,
     {{ours, 100000, "stepped"}, {ours, 0, "plain"}}, 2, "stepped/plain"},
    {"step_1e7", "stepped call, slices of 10^7 fuel, vs plain call (count_vowels 1 MiB)", "Our extensions",
     call_setup, step_run, call_teardown, &c1, false, "count_vowels", &in_1m, 0, 0, 0, 0,
     {{ours, 10000000, "stepped"}, {ours, 0, "plain"}}, 2, "stepped/plain"},
    {"stats", "extism_x_plugin_last_call_stats, vs the tiny count_vowels call itself", "Our extensions",
     call_setup, stats_run, call_teardown, &c1, false, "count_vowels", &tiny, 3, 0, 0, 0,
     {{ours, 1, "stats"}, {ours, 0, "tiny call"}}, 2, "stats/call"},
    /* ours only: saved state (extism_x_plugin_save, extism_x_plugin_new_from_state) */
    {"state_save", "extism_x_plugin_save + extism_x_state_free, Rust PDK plugin (c1.wasm) after a call, vs the "
     "tiny call itself", "Our extensions", state_setup, save_run, state_teardown, &c1, false, "count_vowels", &tiny,
     3, 0, 0, 0, {{ours, 1, "save"}, {ours, 0, "tiny call"}}, 2, "save/call"},
    {"state_restore", "extism_x_plugin_new_from_state (c1.wasm's state after a call) vs "
     "extism_plugin_new_from_compiled", "Our extensions", state_setup, made_run_create, state_teardown, &c1, false,
     "count_vowels", &tiny, 3, 0, 0, 0, {{ours, FROM_STATE, "from state"}, {ours, FROM_COMPILED, "from compiled"}}, 2,
     "state/compiled"},
    {"state_restore_call", "from saved state + first tiny call vs new_from_compiled + first tiny call (c1.wasm)",
     "Our extensions", state_setup, made_run_first_call, state_teardown, &c1, false, "count_vowels", &tiny, 3, 0, 0, 0,
     {{ours, FROM_STATE, "from state"}, {ours, FROM_COMPILED, "from compiled"}}, 2, "state/compiled"},
    {"state_restore_goal", "from saved state + first tiny call vs new_from_compiled + a copy of the saved state's "
     "bytes + first tiny call (c1.wasm)", "Our extensions", state_setup, made_run_first_call, state_teardown, &c1,
     false, "count_vowels", &tiny, 3, 0, 0, 0,
     {{ours, FROM_STATE, "from state"}, {ours, FROM_COMPILED_COPY, "compiled + copy"}}, 2, "state/(compiled+copy)"},
    {"init_state_vs_compiled", "plugin with an expensive initialiser (init_table.wasm: 1 MiB table, 4 passes): "
     "creation + first call, from saved state vs from compiled", "Our extensions", state_setup, made_run_first_call,
     state_teardown, &init_table, false, "lookup", &tiny, 0, 0, 0, 0,
     {{ours, FROM_STATE, "from state"}, {ours, FROM_COMPILED, "from compiled"}}, 2, "state/compiled"},
    {"init_state_vs_bytes", "the same: from saved state vs extism_plugin_new from bytes", "Our extensions",
     state_setup, made_run_first_call, state_teardown, &init_table, false, "lookup", &tiny, 0, 0, 0, 0,
     {{ours, FROM_STATE, "from state"}, {ours, FROM_BYTES, "from bytes"}}, 2, "state/bytes"},
    /* last: it installs the process-wide logger of each library for good */
    {"call_tiny_log_off", "tiny call: count_vowels (c1.wasm), logger installed at `error` (runtime lines filtered "
     "out)", "Logging off", log_off_setup, call_run, call_teardown, &c1, false, "count_vowels", &tiny, 3, 0, 0, 0, PAIR},
  };
  int nlines = (int)(sizeof lines / sizeof lines[0]);
  /* expected values that depend on sizes */
  for (int i = 0; i < nlines; i++) {
    Line *ln = &lines[i];
    if (ln->func && strcmp(ln->func, "count_vowels") == 0) ln->expect = vowels_in_text(ln->input->len);
    if (ln->func && strcmp(ln->func, "run") == 0) ln->expect = (uint64_t)(host_n - 1) * 2 + 1;
    if (strcmp(ln->id, "from_compiled_live") == 0 || strcmp(ln->id, "first_call_live") == 0) ln->fixed_n = live_n;
    if (strcmp(ln->id, "call_grow") == 0) ln->fixed_n = g_iters > 0 ? g_iters : grow_calls;
  }

  const char *section = NULL;
  int ran_lines = 0, want_lines = 0;
  for (int i = 0; i < nlines; i++) {
    Line *ln = &lines[i];
    if (!selected(only, ln->id)) continue;
    if (!section || strcmp(section, ln->section) != 0) {
      section = ln->section;
      bool ext = strcmp(section, "Our extensions") == 0;
      out("\n## %s\n\n| line | %s | %s | %s |\n|---|---|---|---|\n", section, ext ? "A" : "ours",
          ext ? "B" : "upstream", ext ? "A/B" : "ours/upstream");
    }
    run_line(ln);
    print_line(ln);
    want_lines++;
    if (ln->ran[0] && (ln->nsubj < 2 || ln->ran[1])) ran_lines++;
  }
  if (g_state_sizes[0]) out("\nSaved states (extism_x_plugin_save, zero blocks left out): %s.\n", g_state_sizes);

  /* ---- resident memory ---- */
  int rss_ok = 0, rss_want = 0;
  if (selected(only, "rss")) {
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0) die("readlink /proc/self/exe");
    self[sl] = 0;
    out("\n## Resident memory, %ld live plugins (one child process per library; VmRSS growth per plugin)\n\n",
        live_n);
    out("| plugins made | %s after creation | after one call each | peak VmHWM | %s after creation | after one call "
        "each | peak VmHWM | ours/upstream (after call) |\n|---|---|---|---|---|---|---|---|---|\n",
        "ours:", ref ? "upstream:" : "upstream: -");
    const char *modes[2] = {"bytes", "compiled"};
    const char *mode_what[2] = {"from bytes (large plugin)", "from compiled (large plugin)"};
    for (int m = 0; m < 2; m++) {
      Rss r[2] = {{0}};
      for (int k = 0; k < nlibs; k++) {
        rss_want++;
        set_cache(CACHE_DEFAULT);
        r[k] = run_rss_child(self, libs[k].path, modes[m], (int)live_n, big.path);
        if (r[k].ok) rss_ok++;
        else {
          fprintf(stderr, "bench: rss child for %s %s failed\n", libs[k].label, modes[m]);
          failed = true;
        }
      }
      char c[2][3][48];
      for (int k = 0; k < 2; k++) {
        if (k >= nlibs || !r[k].ok) {
          for (int j = 0; j < 3; j++) snprintf(c[k][j], 48, "-");
          continue;
        }
        snprintf(c[k][0], 48, "%.0f KiB", (double)(r[k].created - r[k].base) / (double)live_n);
        snprintf(c[k][1], 48, "%.0f KiB", (double)(r[k].called - r[k].base) / (double)live_n);
        snprintf(c[k][2], 48, "%.1f MiB", (double)r[k].hwm / 1024.0);
        if (g_tsv)
          fprintf(g_tsv, "rss\t%s\t%s\t%.1f\t%.1f\t%ld\n", modes[m], libs[k].label,
                  (double)(r[k].created - r[k].base) / (double)live_n, (double)(r[k].called - r[k].base) / (double)live_n,
                  r[k].hwm);
      }
      char ratio[32] = "-";
      if (nlibs > 1 && r[0].ok && r[1].ok && r[1].called > r[1].base)
        snprintf(ratio, sizeof ratio, "%.3g×", (double)(r[0].called - r[0].base) / (double)(r[1].called - r[1].base));
      out("| %s | %s | %s | %s | %s | %s | %s | %s |\n", mode_what[m], c[0][0], c[0][1], c[0][2], c[1][0], c[1][1],
          c[1][2], ratio);
      fflush(stdout);
    }
  }

  /* ---- resident memory of one plugin growing its memory one page per call ---- */
  if (selected(only, "rss_grow")) {
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl <= 0) die("readlink /proc/self/exe");
    self[sl] = 0;
    long kib[2][3] = {{0}};
    bool ok[2] = {false, false};
    for (int k = 0; k < nlibs; k++) {
      char cmd[8192];
      rss_want++;
      snprintf(cmd, sizeof cmd, "'%s' --grow-child '%s' %ld '%s'", self, libs[k].path, grow_calls, grow.path);
      FILE *p = popen(cmd, "r");
      ok[k] = p && fscanf(p, "%ld %ld %ld", &kib[k][0], &kib[k][1], &kib[k][2]) == 3;
      if (p && pclose(p) != 0) ok[k] = false;
      if (ok[k]) rss_ok++;
      else {
        fprintf(stderr, "bench: grow child for %s failed\n", libs[k].label);
        failed = true;
      }
    }
    out("\n## Resident memory, one plugin growing its memory one page per call (grow_each_call.wasm, a 13-byte "
        "echo: it writes only its first bytes; VmRSS of a child process per library, and its growth since before "
        "the first call)\n\n| after | ours | upstream | ours/upstream (VmRSS) |\n|---|---|---|---|\n");
    for (int j = 1; j <= 2; j++) {
      long calls = j == 1 ? grow_calls / 5 : grow_calls;
      char c[2][64], ratio[32] = "-";
      for (int k = 0; k < 2; k++) {
        if (k >= nlibs || !ok[k]) {
          snprintf(c[k], sizeof c[k], "-");
          continue;
        }
        snprintf(c[k], sizeof c[k], "%.1f MiB (+%.1f MiB)", (double)kib[k][j] / 1024.0,
                 (double)(kib[k][j] - kib[k][0]) / 1024.0);
        if (g_tsv) fprintf(g_tsv, "rssgrow\t%ld\t%s\t%ld\t%ld\n", calls, libs[k].label, kib[k][j], kib[k][j] - kib[k][0]);
      }
      if (nlibs > 1 && ok[0] && ok[1] && kib[1][j] > 0) snprintf(ratio, sizeof ratio, "%.3g×", (double)kib[0][j] / (double)kib[1][j]);
      out("| %ld calls | %s | %s | %s |\n", calls, c[0], c[1], ratio);
    }
    fflush(stdout);
  }

  /* ---- creation time against module size (for the plot) ---- */
  int sweep_ok = 0, sweep_want = 0;
  if (selected(only, "sweep")) {
    const char *files[][2] = {{"tiny.wasm", ""}, {"kernels.wasm", "b"},
                              {"c1.wasm", ""}, {"wasi_rs.wasm", "w"}, {"wasi_libc.wasm", "w"},
                              {"benchpdk-big.wasm", "b"}};
    out("\n## Creation from bytes against module size (extism_plugin_new, created and freed in turn, cold: "
        "ours without a module-cache hit, upstream without its disk cache)\n\n| module | bytes | ours | upstream | ours/upstream |\n|---|---|---|---|---|\n");
    for (size_t f = 0; f < sizeof files / sizeof files[0]; f++) {
      bool in_build = strchr(files[f][1], 'b') != NULL;
      char *path = path_join(in_build ? build : plugins, files[f][0]);
      if (file_size(path) < 0) continue;
      Buf *w = malloc(sizeof *w);
      *w = read_file(path);
      bool wasi = strchr(files[f][1], 'w') != NULL;
      Line ln = {files[f][0], files[f][0], "sweep", create_setup, new_bytes_run, create_teardown, w, wasi, NULL,
                 &tiny, 0, 0, 0, 0, PAIR_CACHE(CACHE_OFF)};
      int saved = g_rounds;
      g_rounds = g_smoke ? 1 : 5;
      run_line(&ln);
      g_rounds = saved;
      sweep_want++;
      if (ln.ran[0]) sweep_ok++;
      char a[32], b[32], ratio[32] = "-";
      fmt_time(a, sizeof a, ln.med[0], 0);
      if (ln.nsubj > 1) fmt_time(b, sizeof b, ln.med[1], 0);
      else snprintf(b, sizeof b, "-");
      if (ln.nsubj > 1) snprintf(ratio, sizeof ratio, "%.3g×", ln.med[0] / ln.med[1]);
      out("| %s | %zu | %s | %s | %s |\n", files[f][0], w->len, a, b, ratio);
      if (g_tsv)
        for (int k = 0; k < ln.nsubj; k++)
          fprintf(g_tsv, "sweep\t%s\t%s\t%zu\t%.9g\n", files[f][0], ln.subj[k].label, w->len, ln.med[k]);
      fflush(stdout);
      free(path);
    }
  }

  /* ---- compute kernels ---- */
  int kern_ok = 1;
  if (selected(only, "kernels")) {
    uint64_t sizes[NK] = {30, 1u << 20, 128};
    if (g_smoke) sizes[0] = 15, sizes[1] = 4096, sizes[2] = 8;
    if (ksizes) {
      unsigned long long a, b, c;
      if (sscanf(ksizes, "%llu,%llu,%llu", &a, &b, &c) == 3) sizes[0] = a, sizes[1] = b, sizes[2] = c;
    }
    int kr = g_smoke ? 1 : (g_rounds < 5 ? g_rounds : 5);
    Kern k;
    memset(&k, 0, sizeof k);
    for (int e = 0; e < NE; e++)
      for (int kn = 0; kn < NK; kn++) k.s[e][kn] = calloc((size_t)kr * 2 + 2, sizeof(double));
    ExtismPlugin *kp[2] = {make_plugin(ours, &kernels, false, false), ref ? make_plugin(ref, &kernels, false, false) : NULL};
    /* ours again, compiled without fuel metering (extism_x_compiled_plugin_new_unmetered) */
    ExtismPlugin *kunmetered = NULL;
    {
      char *err = NULL;
      ExtismCompiledPlugin *c = ours->x_compiled_unmetered(kernels.data, kernels.len, NULL, 0, false, &err);
      if (!c) die("ours: extism_x_compiled_plugin_new_unmetered(%s): %s", kernels.path, err ? err : "?");
      kunmetered = from_compiled(ours, c);
      ours->compiled_free(c);
    }
    /* warm-up: instantiation, lazy compilation */
    {
      uint64_t small[NK] = {5, 64, 2};
      kern_capi(&k, E_OURS, ours, kp[0], small);
      kern_capi(&k, E_OURS_UNMETERED, ours, kunmetered, small);
      if (ref) kern_capi(&k, E_REF, ref, kp[1], small);
      memset(k.n, 0, sizeof k.n);
    }
    for (int r = 0; r < kr; r++) {
      for (int kn = 0; kn < NK; kn++) {
        kern_set_n(sizes[kn]);
        double t = now_s();
        uint64_t sum = native_kernel[kn]();
        kern_add(&k, E_NATIVE, kn, now_s() - t, sum);
      }
      kern_capi(&k, E_OURS, ours, kp[0], sizes);
      kern_capi(&k, E_OURS_UNMETERED, ours, kunmetered, sizes);
      if (ref) kern_capi(&k, E_REF, ref, kp[1], sizes);
      if (*wasmi_cmd) kern_external(&k, wasmi_cmd, kernels_raw, sizes);
      if (*wasm3_cmd) kern_external(&k, wasm3_cmd, kernels_raw, sizes);
    }
    ours->plugin_free(kp[0]);
    ours->plugin_free(kunmetered);
    if (ref) ref->plugin_free(kp[1]);
    out("\n## Compute kernels (the same C source: native, and compiled to wasm with clang -O2)\n\n");
    out("fib(%llu) recursive; sha256 over a %llu-byte buffer; %llux%llu matmul of doubles. Median of %d runs "
        "[min–max]; ×native and ×raw wasmi are ratios of medians.\n\n",
        (unsigned long long)sizes[0], (unsigned long long)sizes[1], (unsigned long long)sizes[2],
        (unsigned long long)sizes[2], kr);
    out("| engine | fib | sha256 | matmul |\n|---|---|---|---|\n");
    double med[NE][NK];
    for (int e = 0; e < NE; e++)
      for (int kn = 0; kn < NK; kn++) med[e][kn] = k.n[e][kn] ? median(k.s[e][kn], k.n[e][kn]) : 0;
    for (int e = 0; e < NE; e++) {
      if (!k.have[e]) {
        bool skipped = (e == E_REF && !ref) || (e == E_WASMI && !*wasmi_cmd) || (e == E_WASMI_FUEL && !*wasmi_cmd) ||
                       (e == E_WASM3 && !*wasm3_cmd);
        out("| %s | %s | | |\n", e_names[e], skipped ? "not run" : "FAILED");
        if (!skipped) kern_ok = 0;
        continue;
      }
      char cells[NK][128];
      for (int kn = 0; kn < NK; kn++) {
        if (k.n[e][kn] == 0) {
          snprintf(cells[kn], sizeof cells[kn], "FAILED");
          kern_ok = 0;
          continue;
        }
        if (k.sum[e][kn] != k.sum[E_NATIVE][kn]) {
          fprintf(stderr, "bench: %s %s checksum %llu differs from native %llu\n", e_names[e], k_names[kn],
                  (unsigned long long)k.sum[e][kn], (unsigned long long)k.sum[E_NATIVE][kn]);
          kern_ok = 0;
        }
        char t[32], lo[32], hi[32], rel[64] = "";
        fmt_time(t, sizeof t, med[e][kn], 0);
        fmt_val(lo, sizeof lo, vmin(k.s[e][kn], k.n[e][kn]), med[e][kn]);
        fmt_val(hi, sizeof hi, vmax(k.s[e][kn], k.n[e][kn]), med[e][kn]);
        if (e != E_NATIVE) {
          int len = snprintf(rel, sizeof rel, "; %.2f× native", med[e][kn] / med[E_NATIVE][kn]);
          if (k.have[E_WASMI] && e != E_WASMI && med[E_WASMI][kn] > 0)
            snprintf(rel + len, sizeof rel - (size_t)len, ", %.2f× wasmi", med[e][kn] / med[E_WASMI][kn]);
        }
        snprintf(cells[kn], sizeof cells[kn], "%s [%s–%s]%s", t, lo, hi, rel);
        if (g_tsv)
          fprintf(g_tsv, "kernel\t%s\t%s\t%.9g\t%.9g\t%.9g\n", e_names[e], k_names[kn], med[e][kn],
                  vmin(k.s[e][kn], k.n[e][kn]), vmax(k.s[e][kn], k.n[e][kn]));
      }
      out("| %s | %s | %s | %s |\n", e_names[e], cells[0], cells[1], cells[2]);
    }
    if (!*wasm3_cmd) out("\nwasm3: not run (pywasm3 unavailable: see bench/build/pywasm3.log)\n");
  }

  /* ---- sizes ---- */
  if (sizes_arg && selected(only, "size")) {
    long so = -1, sr = -1, nt = -1;
    sscanf(sizes_arg, "%ld %ld %ld", &so, &sr, &nt);
    out("\n## Size\n\n| what | ours | upstream | ours/upstream |\n|---|---|---|---|\n");
    char r[32] = "-";
    if (so > 0 && sr > 0) snprintf(r, sizeof r, "%.3g×", (double)so / (double)sr);
    char up[32] = "-";
    if (sr > 0) snprintf(up, sizeof up, "%.2f MB", sr / 1e6);
    out("| stripped shared library (`strip --strip-all`) | %.2f MB | %s | %s |\n", so / 1e6, up, r);
    if (nt > 0) out("| no_std static library, text (`size -t` of libextism.a) | %.2f MB | - | - |\n", nt / 1e6);
    if (g_tsv) fprintf(g_tsv, "size\t%ld\t%ld\t%ld\n", so, sr, nt);
  }

  loadavg(la1, sizeof la1);
  out("\n- run took %.0f s; load average at end: %s\n", now_s() - t_start, la1);

  if (g_smoke) {
    bool ok = ran_lines == want_lines && rss_ok == rss_want && sweep_ok == sweep_want && kern_ok && !failed;
    printf("\nbench-smoke: %d/%d lines, %d/%d memory runs, %d/%d creation sizes, kernels %s on %s%s\n", ran_lines,
           want_lines, rss_ok, rss_want, sweep_ok, sweep_want, kern_ok ? "ok" : "FAILED", nlibs > 1 ? "ours and upstream" : "ours only",
           ok ? "" : " -- FAILED");
    return ok ? 0 : 1;
  }
  return failed || !kern_ok ? 1 : 0;
}
