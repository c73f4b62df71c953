/* fuzz-diff: differential fuzzing of our libextism against upstream's (make fuzz-diff).
 *
 * The same generated cases go through both libraries, loaded with dlopen into one child process;
 * what a host can observe (transcripts, targets.c) must be the same. The parent runs the child,
 * watches its progress lines, and restarts it after a crash or a hang (20 s without progress),
 * naming the case and the library it happened in. See fuzz/README.md, "Differential fuzzing". */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lib.h"
#include "targets.h"

#define HANG_SECONDS 20
#define CASES_PER_CHILD 3000
#define MAX_SIGS 64
#define PRINTED_REPORTS 3

static const Target *TARGETS[] = {&TARGET_MANIFEST, &TARGET_PLUGIN, &TARGET_API};
#define N_TARGETS 3

typedef struct {
  const char *ours, *upstream, *logdir;
  uint64_t seed;
  double seconds;
  uint64_t max_cases; /* per target (0: no limit): a smoke run of a fixed set of cases */
  int enabled[N_TARGETS];
  int verbose;
} Options;

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static Rng case_rng(uint64_t seed, int target, uint64_t index) {
  Rng r = {seed ^ ((uint64_t)(target + 1) * 0x9e3779b97f4a7c15ULL) ^ (index * 0xd1b54a32d192ed03ULL)};
  rng_next(&r);
  return r;
}

static void say(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void say(int fd, const char *fmt, ...) {
  char line[256];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line, fmt, ap);
  va_end(ap);
  if (n > (int)sizeof line - 1) n = (int)sizeof line - 1;
  if (n > 0 && write(fd, line, (size_t)n) < 0) _exit(3);
}

/* The first line where the transcripts differ, numbers replaced by '#': groups repeats of one
 * difference. */
static void signature(const char *a, const char *b, char *out, size_t cap) {
  const char *start = a;
  while (*a && *a == *b) a++, b++;
  while (a > start && a[-1] != '\n') a--; /* start of the line */
  size_t n = 0;
  for (; *a && *a != '\n' && n + 1 < cap; a++) {
    if (*a >= '0' && *a <= '9') {
      if (n == 0 || out[n - 1] != '#') out[n++] = '#';
    } else {
      out[n++] = *a;
    }
  }
  out[n] = 0;
}

/* Runs one case on both libraries; returns 1 when they differ and writes the report to f. */
static int run_case(const Target *t, int ti, const Options *o, uint64_t i, const Lib *up, const Lib *ours,
                    const char *tmpdir, int progress_fd, FILE *f, char *sig, size_t sigcap) {
  Rng r = case_rng(o->seed, ti, i);
  Case *c = t->gen(&r, tmpdir);
  Transcript tu = {0}, to = {0};
  if (o->verbose && f != NULL) { /* a replay: the case first, in case a library crashes on it */
    fprintf(f, "=== %s case %llu (seed %llu)\n%s", t->name, (unsigned long long)i, (unsigned long long)o->seed,
            t->describe(c));
    fflush(f);
  }
  if (progress_fd >= 0) say(progress_fd, "U %llu\n", (unsigned long long)i);
  t->exec(c, up, &tu);
  if (progress_fd >= 0) say(progress_fd, "O %llu\n", (unsigned long long)i);
  t->exec(c, ours, &to);
  const char *a = buf_str(&tu.cmp), *b = buf_str(&to.cmp);
  int differ = strcmp(a, b) != 0;
  if (differ) signature(a, b, sig, sigcap);
  if ((differ || o->verbose) && f != NULL) {
    fprintf(f, "=== %s case %llu (seed %llu): %s\n%s--- upstream:\n%s--- ours:\n%s", t->name,
            (unsigned long long)i, (unsigned long long)o->seed, differ ? "DIFFERENCE" : "same",
            o->verbose ? "" : t->describe(c), a, b);
    fprintf(f, "--- upstream's errors:\n%s--- our errors:\n%s\n", buf_str(&tu.raw), buf_str(&to.raw));
    fflush(f);
  }
  buf_free(&tu.cmp);
  buf_free(&tu.raw);
  buf_free(&to.cmp);
  buf_free(&to.raw);
  t->free(c);
  return differ;
}

static int open_both(const Options *o, Lib *up, Lib *ours) {
  if (!lib_open(up, "upstream", o->upstream) || !lib_open(ours, "ours", o->ours)) return 0;
  targets_init_logging(up);
  targets_init_logging(ours);
  return 1;
}

/* The child: cases from `first` until the deadline or CASES_PER_CHILD, progress lines on fd. */
static void child(const Options *o, int ti, uint64_t first, double deadline, const char *tmpdir, int fd) {
  Lib up, ours;
  if (!open_both(o, &up, &ours)) _exit(4);
  char path[512];
  snprintf(path, sizeof path, "%s/diff-%s.log", o->logdir, TARGETS[ti]->name);
  FILE *f = fopen(path, "a");
  uint64_t last = first + CASES_PER_CHILD;
  if (o->max_cases && last > o->max_cases) last = o->max_cases;
  for (uint64_t i = first; i < last && now() < deadline; i++) {
    char sig[128];
    if (run_case(TARGETS[ti], ti, o, i, &up, &ours, tmpdir, fd, f, sig, sizeof sig))
      say(fd, "D %llu %s\n", (unsigned long long)i, sig);
    else
      say(fd, "C %llu\n", (unsigned long long)i);
  }
  if (f) fclose(f);
  _exit(0);
}

typedef struct {
  unsigned long long cases, differences, crashes[2], hangs[2];
  int n_sigs;
  char sigs[MAX_SIGS][128];
  unsigned long long sig_count[MAX_SIGS];
} Stats;

static void count_sig(Stats *s, const char *sig) {
  for (int i = 0; i < s->n_sigs; i++)
    if (strcmp(s->sigs[i], sig) == 0) {
      s->sig_count[i]++;
      return;
    }
  if (s->n_sigs < MAX_SIGS) {
    snprintf(s->sigs[s->n_sigs], sizeof s->sigs[0], "%s", sig);
    s->sig_count[s->n_sigs++] = 1;
  }
}

/* Reports a crash or hang of one library at case i (into the target's log, with the case). */
static void record_failure(const Options *o, int ti, uint64_t i, char lib, const char *what, const char *tmpdir) {
  char path[512];
  snprintf(path, sizeof path, "%s/diff-%s.log", o->logdir, TARGETS[ti]->name);
  FILE *f = fopen(path, "a");
  Rng r = case_rng(o->seed, ti, i);
  Case *c = TARGETS[ti]->gen(&r, tmpdir);
  const char *who = lib == 'U' ? "upstream" : "ours";
  printf("fuzz-diff: %s: %s %s at case %llu (seed %llu)\n", TARGETS[ti]->name, who, what,
         (unsigned long long)i, (unsigned long long)o->seed);
  if (f) {
    fprintf(f, "=== %s case %llu (seed %llu): %s %s\n%s\n", TARGETS[ti]->name, (unsigned long long)i,
            (unsigned long long)o->seed, who, what, TARGETS[ti]->describe(c));
    fclose(f);
  }
  TARGETS[ti]->free(c);
}

static void run_target(const Options *o, int ti, const char *tmpdir, Stats *s) {
  double deadline = now() + o->seconds;
  uint64_t next = 0;
  int printed = 0;
  while (now() < deadline && (o->max_cases == 0 || next < o->max_cases)) {
    int p[2];
    if (pipe(p) != 0) {
      perror("pipe");
      exit(2);
    }
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
      perror("fork");
      exit(2);
    }
    if (pid == 0) {
      close(p[0]);
      /* upstream's logger complains on stderr about NUL bytes in messages: keep that out of the way */
      char errpath[512];
      snprintf(errpath, sizeof errpath, "%s/diff-stderr.log", o->logdir);
      if (freopen(errpath, "a", stderr) == NULL) _exit(5);
      child(o, ti, next, deadline, tmpdir, p[1]);
    }
    close(p[1]);
    char buf[8192];
    size_t have = 0;
    char phase = 'U';
    uint64_t at = next;
    int hung = 0;
    for (;;) {
      struct pollfd pfd = {.fd = p[0], .events = POLLIN};
      int pr = poll(&pfd, 1, HANG_SECONDS * 1000);
      if (pr == 0) {
        hung = 1;
        kill(pid, SIGKILL);
        break;
      }
      if (pr < 0 && errno == EINTR) continue;
      ssize_t got = read(p[0], buf + have, sizeof buf - 1 - have);
      if (got < 0 && errno == EINTR) continue;
      if (got <= 0) break;
      have += (size_t)got;
      buf[have] = 0;
      char *line = buf, *nl;
      while ((nl = strchr(line, '\n')) != NULL) {
        *nl = 0;
        unsigned long long i = 0;
        char sig[200] = "";
        if (sscanf(line, "%c %llu %199[^\n]", &phase, &i, sig) >= 2) {
          at = i;
          if (phase == 'C' || phase == 'D') {
            s->cases++;
            next = i + 1;
          }
          if (phase == 'D') {
            s->differences++;
            count_sig(s, sig);
            if (printed++ < PRINTED_REPORTS)
              printf("fuzz-diff: %s: difference at case %llu: %s\n", TARGETS[ti]->name, i, sig);
          }
        }
        line = nl + 1;
      }
      have = strlen(line);
      memmove(buf, line, have);
    }
    close(p[0]);
    int status = 0;
    waitpid(pid, &status, 0);
    if (hung || !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
      if (WIFEXITED(status) && WEXITSTATUS(status) == 4) {
        fprintf(stderr, "fuzz-diff: cannot load the libraries\n");
        exit(2);
      }
      int lib = phase == 'U' ? 0 : 1;
      char what[64];
      if (hung) snprintf(what, sizeof what, "hung (%d s)", HANG_SECONDS);
      else if (WIFSIGNALED(status)) snprintf(what, sizeof what, "crashed (signal %d)", WTERMSIG(status));
      else snprintf(what, sizeof what, "exited (status %d)", WEXITSTATUS(status));
      if (hung) s->hangs[lib]++;
      else s->crashes[lib]++;
      record_failure(o, ti, at, phase == 'U' ? 'U' : 'O', what, tmpdir);
      s->cases++;
      next = at + 1;
    }
  }
}

static void usage(void) {
  fprintf(stderr,
          "usage: fuzz-diff --ours LIB --upstream LIB [--seconds N] [--cases N] [--seed S]\n"
          "                 [--targets manifest,plugin,api] [--logdir DIR] [--case TARGET:INDEX]\n");
  exit(2);
}

int main(int argc, char **argv) {
  Options o = {.seed = 1, .seconds = 60, .logdir = ".", .enabled = {1, 1, 1}};
  const char *replay = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (v == NULL) usage();
    if (strcmp(a, "--ours") == 0) o.ours = v;
    else if (strcmp(a, "--upstream") == 0) o.upstream = v;
    else if (strcmp(a, "--seconds") == 0) o.seconds = atof(v);
    else if (strcmp(a, "--seed") == 0) o.seed = strtoull(v, NULL, 0);
    else if (strcmp(a, "--cases") == 0) o.max_cases = strtoull(v, NULL, 0);
    else if (strcmp(a, "--logdir") == 0) o.logdir = v;
    else if (strcmp(a, "--case") == 0) replay = v;
    else if (strcmp(a, "--targets") == 0) {
      for (int t = 0; t < N_TARGETS; t++) o.enabled[t] = strstr(v, TARGETS[t]->name) != NULL;
    } else usage();
    i++;
  }
  if (o.ours == NULL || o.upstream == NULL) usage();
  /* Upstream appends a stack backtrace to some log lines when these are set. */
  unsetenv("RUST_BACKTRACE");
  unsetenv("RUST_LIB_BACKTRACE");
  char tmpdir[] = "/tmp/fuzz-diff.XXXXXX";
  if (mkdtemp(tmpdir) == NULL) {
    perror("mkdtemp");
    return 2;
  }
  int bad = 0;
  if (replay != NULL) { /* one case, in this process, both transcripts printed */
    char name[32];
    unsigned long long index;
    if (sscanf(replay, "%31[^:]:%llu", name, &index) != 2) usage();
    Lib up, ours;
    if (!open_both(&o, &up, &ours)) return 2;
    for (int t = 0; t < N_TARGETS; t++)
      if (strcmp(TARGETS[t]->name, name) == 0) {
        char sig[128];
        o.verbose = 1;
        bad = run_case(TARGETS[t], t, &o, index, &up, &ours, tmpdir, -1, stdout, sig, sizeof sig);
      }
  } else {
    printf("fuzz-diff: seed %llu, %g s per target, logs in %s/diff-<target>.log\n",
           (unsigned long long)o.seed, o.seconds, o.logdir);
    for (int t = 0; t < N_TARGETS; t++) {
      if (!o.enabled[t]) continue;
      char path[512];
      snprintf(path, sizeof path, "%s/diff-%s.log", o.logdir, TARGETS[t]->name);
      FILE *f = fopen(path, "w"); /* a fresh log per run */
      if (f) fclose(f);
      Stats s = {0};
      run_target(&o, t, tmpdir, &s);
      printf("fuzz-diff: %s: %llu executions, %llu differences (%d kinds), crashes upstream %llu ours %llu, "
             "hangs upstream %llu ours %llu\n",
             TARGETS[t]->name, s.cases, s.differences, s.n_sigs, s.crashes[0], s.crashes[1], s.hangs[0],
             s.hangs[1]);
      for (int k = 0; k < s.n_sigs; k++) printf("  %6llu x %s\n", s.sig_count[k], s.sigs[k]);
      if (s.differences || s.crashes[1] || s.hangs[1]) bad = 1;
    }
  }
  char path[600];
  snprintf(path, sizeof path, "%s/plugin.wasm", tmpdir);
  unlink(path);
  rmdir(tmpdir);
  return bad;
}
