/* Runner for harness.h: registration, checks, and main().
 *   run_tests [--no-fork] [--list] [FILTER...]
 * Runs every registered test whose name contains one of the FILTER strings (all when none), prints
 * one line per test and ends with the plain line "N passed, N failed". Exit status 1 on any
 * failure. HARNESS_TIMEOUT (seconds; default 120, 1200 under valgrind) bounds each forked test.
 * Under valgrind, forked children stay under valgrind: each test's errors and leaks are reported
 * at its exit, and --error-exitcode makes that test fail.
 * HARNESS_SKIP_FILE names a list of tests this run skips (one per line: the test name or a
 * shell-style pattern such as http_*, then the reason; '#' starts a comment): they are listed as
 * skipped with that reason, and an entry that matches no test fails the run (the list must not go
 * stale). */
#include "harness.h"

#include <errno.h>
#include <fnmatch.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAX_TESTS 1024

struct test_case {
  const char *name;
  const char *file;
  harness_fn fn;
  const char *skip;
};

static struct test_case tests[MAX_TESTS];
static int n_tests;
static int current_failures;
static const char *current_name;
static jmp_buf stop_jmp;
static char plugin_dir[4096];

void harness_register(const char *name, const char *file, harness_fn fn, const char *skip) {
  if (n_tests == MAX_TESTS) {
    fprintf(stderr, "harness: too many tests\n");
    abort();
  }
  tests[n_tests].name = name;
  tests[n_tests].file = file;
  tests[n_tests].fn = fn;
  tests[n_tests].skip = skip;
  n_tests++;
}

static void fail_header(const char *file, int line) {
  current_failures++;
  printf("  FAIL %s:%d [%s]: ", file, line, current_name ? current_name : "?");
}

int harness_check(int ok, const char *file, int line, const char *expr) {
  if (ok)
    return 1;
  fail_header(file, line);
  printf("%s\n", expr);
  fflush(stdout);
  return 0;
}

int harness_check_int(long long got, long long want, const char *file, int line, const char *expr) {
  if (got == want)
    return 1;
  fail_header(file, line);
  printf("%s: got %lld, want %lld\n", expr, got, want);
  fflush(stdout);
  return 0;
}

int harness_check_u64(uint64_t got, uint64_t want, const char *file, int line, const char *expr) {
  if (got == want)
    return 1;
  fail_header(file, line);
  printf("%s: got %llu (0x%llx), want %llu (0x%llx)\n", expr, (unsigned long long)got,
         (unsigned long long)got, (unsigned long long)want, (unsigned long long)want);
  fflush(stdout);
  return 0;
}

static void print_quoted(const char *s, size_t len) {
  size_t i;
  if (s == NULL) {
    printf("NULL");
    return;
  }
  putchar('"');
  for (i = 0; i < len && i < 600; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c == '"' || c == '\\')
      printf("\\%c", c);
    else if (c >= 32 && c < 127)
      putchar(c);
    else if (c == '\n')
      printf("\\n");
    else
      printf("\\x%02x", c);
  }
  if (len > 600)
    printf("...(%lu bytes)", (unsigned long)len);
  putchar('"');
}

int harness_check_str(const char *got, const char *want, const char *file, int line,
                      const char *expr) {
  if ((got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0))
    return 1;
  fail_header(file, line);
  printf("%s: got ", expr);
  print_quoted(got, got ? strlen(got) : 0);
  printf(", want ");
  print_quoted(want, want ? strlen(want) : 0);
  putchar('\n');
  fflush(stdout);
  return 0;
}

int harness_check_prefix(const char *got, const char *prefix, const char *file, int line,
                         const char *expr) {
  if (got && strncmp(got, prefix, strlen(prefix)) == 0)
    return 1;
  fail_header(file, line);
  printf("%s: got ", expr);
  print_quoted(got, got ? strlen(got) : 0);
  printf(", want a text starting with ");
  print_quoted(prefix, strlen(prefix));
  putchar('\n');
  fflush(stdout);
  return 0;
}

int harness_check_contains(const char *got, const char *needle, const char *file, int line,
                           const char *expr) {
  if (got && strstr(got, needle))
    return 1;
  fail_header(file, line);
  printf("%s: got ", expr);
  print_quoted(got, got ? strlen(got) : 0);
  printf(", want a text containing ");
  print_quoted(needle, strlen(needle));
  putchar('\n');
  fflush(stdout);
  return 0;
}

int harness_check_mem(const void *got, size_t got_len, const void *want, size_t want_len,
                      const char *file, int line, const char *expr) {
  if (got_len == want_len && (want_len == 0 || (got && memcmp(got, want, want_len) == 0)))
    return 1;
  fail_header(file, line);
  printf("%s: got %lu bytes ", expr, (unsigned long)got_len);
  print_quoted((const char *)got, got ? got_len : 0);
  printf(", want %lu bytes ", (unsigned long)want_len);
  print_quoted((const char *)want, want_len);
  putchar('\n');
  fflush(stdout);
  return 0;
}

void harness_stop(void) { longjmp(stop_jmp, 1); }

void harness_note(const char *fmt, ...) {
  va_list ap;
  printf("  note [%s]: ", current_name ? current_name : "?");
  va_start(ap, fmt);
  vprintf(fmt, ap);
  va_end(ap);
  putchar('\n');
  fflush(stdout);
}

const char *harness_plugin_dir(void) { return plugin_dir; }

static void set_plugin_dir(const char *argv0) {
  const char *env = getenv("PLUGIN_DIR");
  const char *slash;
  if (env && *env) {
    snprintf(plugin_dir, sizeof plugin_dir, "%s", env);
    return;
  }
  slash = strrchr(argv0, '/');
  if (slash)
    snprintf(plugin_dir, sizeof plugin_dir, "%.*s/../plugins", (int)(slash - argv0), argv0);
  else
    snprintf(plugin_dir, sizeof plugin_dir, "../plugins");
}

/* Runs one test in this process; returns its number of failures. */
static int run_here(struct test_case *t) {
  current_failures = 0;
  current_name = t->name;
  if (setjmp(stop_jmp) == 0)
    t->fn();
  fflush(stdout);
  fflush(stderr);
  return current_failures;
}

static int run_forked(struct test_case *t, unsigned timeout) {
  pid_t pid, w;
  int status = 0;
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid < 0) {
    perror("fork");
    return run_here(t);
  }
  if (pid == 0) {
    alarm(timeout);
    _exit(run_here(t) ? 1 : 0);
  }
  do {
    w = waitpid(pid, &status, 0);
  } while (w < 0 && errno == EINTR);
  if (w < 0) {
    perror("waitpid");
    return 1;
  }
  if (WIFEXITED(status))
    return WEXITSTATUS(status) == 0 ? 0 : 1;
  if (WIFSIGNALED(status)) {
    int sig = WTERMSIG(status);
    printf("  FAIL [%s]: test process killed by signal %d%s\n", t->name, sig,
           sig == SIGALRM ? " (timeout; raise HARNESS_TIMEOUT?)" : "");
  }
  return 1;
}

/* Marks the tests named in the file `path` as skipped; returns the number of unknown names. */
static int apply_skip_file(const char *path) {
  static char lines[64 * 1024];
  size_t used = 0;
  int unknown = 0;
  char line[1024];
  FILE *f = fopen(path, "r");
  if (!f) {
    printf("harness: cannot read HARNESS_SKIP_FILE %s\n", path);
    return 1;
  }
  while (fgets(line, sizeof line, f)) {
    char *name = line, *reason, *end;
    int i, found = 0;
    size_t len;
    line[strcspn(line, "\r\n")] = 0;
    if ((end = strchr(line, '#')) != NULL)
      *end = 0;
    name += strspn(name, " \t");
    if (*name == 0)
      continue;
    reason = name + strcspn(name, " \t");
    if (*reason)
      *reason++ = 0;
    reason += strspn(reason, " \t");
    for (end = reason + strlen(reason); end > reason && (end[-1] == ' ' || end[-1] == '\t');)
      *--end = 0;
    len = strlen(reason) + 1;
    if (used + len > sizeof lines) {
      printf("harness: skip file %s too long\n", path);
      unknown++;
      break;
    }
    memcpy(lines + used, *reason ? reason : "listed in the skip file", len);
    for (i = 0; i < n_tests; i++) {
      if (fnmatch(name, tests[i].name, 0) == 0) {
        found = 1;
        if (!tests[i].skip)
          tests[i].skip = lines + used;
      }
    }
    used += len;
    if (!found) {
      printf("harness: %s names an unknown test: %s\n", path, name);
      unknown++;
    }
  }
  fclose(f);
  return unknown;
}

static int selected(const char *name, int argc, char **argv, int first) {
  int i, any = 0;
  for (i = first; i < argc; i++) {
    if (argv[i][0] == '-')
      continue;
    any = 1;
    if (strstr(name, argv[i]))
      return 1;
  }
  return !any;
}

int main(int argc, char **argv) {
  int i, fork_tests = 1, list = 0, passed = 0, failed = 0, skipped = 0, bad_skips = 0;
  unsigned timeout = 120;
  const char *env_timeout = getenv("HARNESS_TIMEOUT");
  const char *skip_file = getenv("HARNESS_SKIP_FILE");
  static const char *failed_names[MAX_TESTS];
  static struct test_case *skipped_tests[MAX_TESTS];

  setvbuf(stdout, NULL, _IOLBF, 0);
  set_plugin_dir(argv[0]);
  {
    const char *preload = getenv("LD_PRELOAD");
    if (preload && strstr(preload, "vgpreload"))
      timeout *= 10; /* running under valgrind */
  }
  if (env_timeout && atoi(env_timeout) > 0)
    timeout = (unsigned)atoi(env_timeout);
  if (skip_file && *skip_file)
    bad_skips = apply_skip_file(skip_file);
  for (i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--no-fork") == 0)
      fork_tests = 0;
    else if (strcmp(argv[i], "--list") == 0)
      list = 1;
  }
  for (i = 0; i < n_tests; i++) {
    struct test_case *t = &tests[i];
    int bad;
    if (!selected(t->name, argc, argv, 1))
      continue;
    if (list) {
      printf("%s%s%s\n", t->name, t->skip ? "  (skipped: " : "", t->skip ? ")" : "");
      continue;
    }
    if (t->skip) {
      skipped_tests[skipped++] = t;
      continue;
    }
    bad = fork_tests ? run_forked(t, timeout) : run_here(t);
    if (bad) {
      failed_names[failed++] = t->name;
      printf("FAIL %s\n", t->name);
    } else {
      passed++;
      printf("ok   %s\n", t->name);
    }
  }
  if (list)
    return 0;
  for (i = 0; i < skipped; i++)
    printf("SKIP %s (%s) -- %s\n", skipped_tests[i]->name, skipped_tests[i]->file,
           skipped_tests[i]->skip);
  if (skipped)
    printf("%d skipped (not run against this library)\n", skipped);
  if (failed) {
    printf("failed tests:");
    for (i = 0; i < failed; i++)
      printf(" %s", failed_names[i]);
    printf("\n");
  }
  if (bad_skips) {
    printf("the skip file %s names %d unknown test(s): fix it\n", skip_file, bad_skips);
    failed += bad_skips;
  } else if (failed && skip_file && *skip_file) {
    printf("(a test that needs something this build lacks belongs in %s, with its reason)\n",
           skip_file);
  }
  printf("%d passed, %d failed\n", passed, failed);
  return failed ? 1 : 0;
}
