/* The process-wide logger (checklist 127-139 and spec section 10): levels and filter directives,
 * get_log_level, the log_* imports' handle quirks, line shape, drain order, install-once, file and
 * standard-stream destinations, the runtime's own lines, threads, and the custom logger's bounded
 * buffer. Each test runs in its own process (the harness forks), so each installs its own logger.
 * Plugin: plugins/log.wat. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

/* ---- helpers ---- */

struct lines {
  char **text;
  size_t *len;
  int n, cap;
};

static struct lines got;

static void lines_clear(void) {
  int i;
  for (i = 0; i < got.n; i++)
    free(got.text[i]);
  free(got.text);
  free(got.len);
  memset(&got, 0, sizeof got);
}

static void collect(const char *text, ExtismSize len) {
  if (got.n == got.cap) {
    got.cap = got.cap ? got.cap * 2 : 64;
    got.text = realloc(got.text, sizeof(char *) * (size_t)got.cap);
    got.len = realloc(got.len, sizeof(size_t) * (size_t)got.cap);
  }
  got.text[got.n] = strdup(text);
  got.len[got.n] = (size_t)len;
  got.n++;
}

/* Drains into `got` (replacing what it held); returns the number of lines. */
static int drain_all(void) {
  lines_clear();
  extism_log_drain(collect);
  return got.n;
}

/* Index of the first drained line containing `needle` at or after `from`, or -1. */
static int find_line(const char *needle, int from) {
  int i;
  for (i = from; i < got.n; i++)
    if (strstr(got.text[i], needle))
      return i;
  return -1;
}

static int count_lines(const char *needle) {
  int i, n = 0;
  for (i = 0; i < got.n; i++)
    if (strstr(got.text[i], needle))
      n++;
  return n;
}

static void uuid_of(ExtismPlugin *p, char out[37]) {
  const uint8_t *id = extism_plugin_id(p);
  sprintf(out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", id[0], id[1],
          id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9], id[10], id[11], id[12], id[13],
          id[14], id[15]);
}

/* Checks "YYYY-MM-DDTHH:MM:SS.uuuuuuZ " at the start of `line`, within a minute of now (UTC);
 * returns the length of that prefix (28) or 0. */
static size_t check_timestamp(const char *line) {
  static const char shape[] = "dddd-dd-ddTdd:dd:dd.ddddddZ ";
  struct tm tm;
  time_t t, now = time(NULL);
  size_t i;
  for (i = 0; shape[i]; i++) {
    int ok = shape[i] == 'd' ? (line[i] >= '0' && line[i] <= '9') : line[i] == shape[i];
    if (!ok) {
      CHECK(!"timestamp shape");
      harness_note("line: %s", line);
      return 0;
    }
  }
  memset(&tm, 0, sizeof tm);
  tm.tm_year = atoi(line) - 1900;
  tm.tm_mon = atoi(line + 5) - 1;
  tm.tm_mday = atoi(line + 8);
  tm.tm_hour = atoi(line + 11);
  tm.tm_min = atoi(line + 14);
  tm.tm_sec = atoi(line + 17);
  t = timegm(&tm);
  CHECK(t >= now - 60 && t <= now + 60);
  return sizeof shape - 1;
}

static ExtismPlugin *log_plugin(void) { return load_plugin("log", false); }

static ExtismPlugin *log_plugin_with(const char *extra) {
  char *m = manifest_for("log", extra);
  ExtismPlugin *p = plugin_from_text(m, false);
  free(m);
  return p;
}

/* Reads a whole file (NUL-terminated); "" when missing. */
static char *slurp(const char *path) {
  size_t n;
  char *t = (char *)read_file(path, &n);
  return t ? t : strdup("");
}

/* ---- 127, 128: get_log_level for each level string ---- */

static int level_after(const char *spec) {
  ExtismPlugin *p;
  int rc;
  CHECK(extism_log_custom(spec));
  p = log_plugin();
  rc = call_str(p, "level", NULL);
  extism_plugin_free(p);
  return rc;
}

TEST(logger_level_unconfigured) {
  ExtismPlugin *p = log_plugin();
  CHECK_EQ_INT(call_str(p, "level", NULL), 2147483647);
  extism_plugin_free(p);
}

#define LEVEL_CASE(name, spec, want)                                                               \
  TEST(logger_level_##name) { CHECK_EQ_INT(level_after(spec), want); }

LEVEL_CASE(trace, "trace", 0)
LEVEL_CASE(debug, "debug", 1)
LEVEL_CASE(info, "info", 2)
LEVEL_CASE(warn, "warn", 3)
LEVEL_CASE(error, "error", 4)
LEVEL_CASE(null_is_error, NULL, 4)
LEVEL_CASE(off, "off", 2147483647)
LEVEL_CASE(mixed_case, "DeBuG", 1)
/* numbers count the other way round: 1 is error, 5 is trace */
LEVEL_CASE(number_1_is_error, "1", 4)
LEVEL_CASE(number_5_is_trace, "5", 0)
LEVEL_CASE(number_0_is_off, "0", 2147483647)
/* a directive list answers its most verbose level, whatever the target */
LEVEL_CASE(directives_most_verbose, "extism::pdk=trace,extism=warn", 0)
LEVEL_CASE(directives_other_target, "extism::plugin=debug", 1)
LEVEL_CASE(directives_all_off, "extism=off", 2147483647)
/* nothing readable: the default, error */
LEVEL_CASE(unreadable_is_error, "extism=loud", 4)

/* ---- 135 and filtering: which plugin messages a level string lets through ---- */

/* Installs `spec`, logs "m" at every level, returns the initials of the extism::pdk lines drained
 * (in order) in a static buffer. */
static const char *pdk_levels_after(const char *spec) {
  static char out[16];
  static const char *labels[5] = {"TRACE extism::pdk: m ", "DEBUG extism::pdk: m ",
                                  " INFO extism::pdk: m ", " WARN extism::pdk: m ",
                                  "ERROR extism::pdk: m "};
  static const char initials[] = "TDIWE";
  ExtismPlugin *p;
  int i, j, n = 0;
  CHECK(extism_log_custom(spec));
  p = log_plugin();
  CHECK_EQ_INT(call_str(p, "all", "m"), 0);
  extism_plugin_free(p);
  drain_all();
  for (i = 0; i < got.n && n < 15; i++)
    for (j = 0; j < 5; j++)
      if (strstr(got.text[i], labels[j]))
        out[n++] = initials[j];
  out[n] = 0;
  CHECK_EQ_INT(count_lines("extism::pdk"), n);
  lines_clear();
  return out;
}

#define FILTER_CASE(name, spec, want)                                                              \
  TEST(logger_filter_##name) { CHECK_STR(pdk_levels_after(spec), want); }

FILTER_CASE(trace, "trace", "TDIWE")
FILTER_CASE(debug, "debug", "DIWE")
FILTER_CASE(info, "info", "IWE") /* 135 */
FILTER_CASE(warn, "WARN", "WE")
FILTER_CASE(error, "error", "E")
FILTER_CASE(null_is_error, NULL, "E")
FILTER_CASE(number_3_is_info, "3", "IWE")
FILTER_CASE(off, "off", "")
FILTER_CASE(pdk_directive, "extism::pdk=trace,extism=warn", "TDIWE")
FILTER_CASE(extism_directive, "extism=debug", "DIWE")
FILTER_CASE(other_target_only, "extism::plugin=trace", "")
FILTER_CASE(pdk_off, "warn,extism::pdk=off", "")
FILTER_CASE(longest_target_wins, "extism::pdk=error,extism=trace", "E")
FILTER_CASE(unknown_target_ignored, "foo=trace,extism::pdk=info", "IWE")

/* ---- 129-134: handles given to log_* ---- */

/* 129 */
TEST(logger_bad_handle_without_logger) {
  ExtismPlugin *p = log_plugin();
  CHECK_EQ_INT(call_str(p, "info_bad", NULL), 0);
  CHECK_EQ_INT(call_str(p, "error_bad", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 130-132 */
TEST(logger_bad_handles_info) {
  ExtismPlugin *p;
  REQUIRE(extism_log_custom("info"));
  p = log_plugin();
  CHECK_EQ_INT(call_str(p, "error_bad", NULL), -1); /* 130 */
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "debug_bad", NULL), 0); /* 131: filtered out, only freed */
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "info_twice", "twice"), -1); /* 132 */
  drain_all();
  CHECK_EQ_INT(count_lines("extism::pdk: twice plugin="), 1);
  lines_clear();
  extism_plugin_free(p);
}

/* The import compares with the most verbose level of the whole filter, not with extism::pdk's:
 * here debug is "on" (so a bad handle fails) although no plugin line is printed. */
TEST(logger_bad_handle_checked_against_max_level) {
  ExtismPlugin *p;
  REQUIRE(extism_log_custom("extism::plugin=debug"));
  p = log_plugin();
  CHECK_EQ_INT(call_str(p, "debug_bad", NULL), -1);
  CHECK_EQ_INT(call_str(p, "trace", "t"), 0);
  CHECK_EQ_INT(call_str(p, "info", "i"), 0);
  drain_all();
  CHECK_EQ_INT(count_lines("extism::pdk"), 0);
  lines_clear();
  extism_plugin_free(p);
}

TEST(logger_bad_handle_when_off) {
  ExtismPlugin *p;
  REQUIRE(extism_log_custom("off"));
  p = log_plugin();
  CHECK_EQ_INT(call_str(p, "error_bad", NULL), 0);
  extism_plugin_free(p);
}

/* 133, 134 */
TEST(logger_empty_and_non_utf8) {
  ExtismPlugin *p;
  char uuid[37], want[128];
  int i;
  REQUIRE(extism_log_custom("warn"));
  p = log_plugin();
  uuid_of(p, uuid);
  CHECK_EQ_INT(call_str(p, "error_zero", NULL), 0);
  /* non-UTF-8 at WARN: logged at ERROR */
  CHECK_EQ_INT(extism_plugin_call(p, "warn", (const uint8_t *)"ab\xff", 3), 0);
  /* non-UTF-8 at INFO: filtered out like any INFO message */
  CHECK_EQ_INT(extism_plugin_call(p, "info", (const uint8_t *)"cd\xfe", 3), 0);
  CHECK_NULL(extism_plugin_error(p));
  drain_all();
  CHECK_EQ_INT(count_lines("extism::pdk"), 2);
  snprintf(want, sizeof want, "ERROR extism::pdk:  plugin=\"%s\"\n", uuid);
  i = find_line(want, 0);
  CHECK(i >= 0);
  i = find_line("ERROR extism::pdk: unable to log message: Err(invalid utf-8 sequence of 1 bytes "
                "from index 2",
                i + 1);
  CHECK(i >= 0);
  if (i >= 0)
    CHECK_CONTAINS(got.text[i], uuid);
  lines_clear();
  extism_plugin_free(p);
}

/* ---- 136, 137: line shape, order, draining ---- */

TEST(logger_drain_line_shape) {
  ExtismPlugin *p;
  char uuid[37], want[160];
  static const char *sent[3][2] = {{"info", "first"}, {"warn", "second"}, {"error", "third"}};
  static const char *label[3] = {" INFO", " WARN", "ERROR"};
  int i, at = 0;
  REQUIRE(extism_log_custom("info"));
  p = log_plugin();
  uuid_of(p, uuid);
  for (i = 0; i < 3; i++)
    CHECK_EQ_INT(call_str(p, sent[i][0], sent[i][1]), 0);
  drain_all();
  CHECK_EQ_INT(got.n, 3); /* nothing else at info: no runtime line */
  for (i = 0; i < 3 && i < got.n; i++) {
    size_t ts = check_timestamp(got.text[i]);
    snprintf(want, sizeof want, "%s extism::pdk: %s plugin=\"%s\"\n", label[i], sent[i][1], uuid);
    CHECK_STR(got.text[i] + ts, want);
    CHECK_EQ_INT(got.len[i], strlen(got.text[i]));
    CHECK(find_line(sent[i][1], 0) >= at);
    at = find_line(sent[i][1], 0);
  }
  /* 137 */
  CHECK_EQ_INT(drain_all(), 0);
  CHECK_EQ_INT(call_str(p, "info", "fourth"), 0);
  CHECK_EQ_INT(drain_all(), 1);
  CHECK_EQ_INT(count_lines("extism::pdk: fourth plugin="), 1);
  lines_clear();
  extism_plugin_free(p);
}

TEST(logger_drain_without_custom_logger) {
  ExtismPlugin *p = log_plugin();
  CHECK_EQ_INT(call_str(p, "error", "x"), 0);
  CHECK_EQ_INT(drain_all(), 0);
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(logger_drain_null_handler, "extism_log_drain(NULL) calls NULL") {
  ExtismPlugin *p;
  REQUIRE(extism_log_custom("info"));
  p = log_plugin();
  CHECK_EQ_INT(call_str(p, "info", "kept"), 0);
  extism_log_drain(NULL);
  CHECK_EQ_INT(drain_all(), 1);
  lines_clear();
  extism_plugin_free(p);
}

/* ---- 138: the first install wins ---- */

TEST(logger_second_install_false) {
  REQUIRE(extism_log_custom("info"));
  CHECK(!extism_log_custom("info"));
  CHECK(!extism_log_custom("trace"));
  CHECK(!extism_log_file("stderr", "info"));
}

TEST(logger_file_then_custom_false) {
  REQUIRE(extism_log_file("stderr", "off"));
  CHECK(!extism_log_custom("info"));
  CHECK(!extism_log_file("stdout", "info"));
}

TEST_NOT_UPSTREAM(logger_refused_install_changes_nothing,
                  "a refused extism_log_custom swaps the drained buffer for a new, unused one") {
  ExtismPlugin *p;
  REQUIRE(extism_log_custom("warn"));
  p = log_plugin();
  CHECK_EQ_INT(call_str(p, "warn", "before"), 0);
  CHECK(!extism_log_custom("trace"));
  CHECK_EQ_INT(call_str(p, "warn", "after"), 0);
  CHECK_EQ_INT(call_str(p, "info", "filtered"), 0);
  CHECK_EQ_INT(call_str(p, "level", NULL), 3);
  drain_all();
  CHECK_EQ_INT(count_lines("extism::pdk"), 2);
  CHECK(find_line("before", 0) >= 0 && find_line("after", 0) > find_line("before", 0));
  lines_clear();
  extism_plugin_free(p);
}

TEST(logger_non_utf8_level_refused) {
  CHECK(!extism_log_custom("in\xff" "fo"));
  CHECK(extism_log_custom("info"));
}

/* ---- 139: files ---- */

TEST(logger_file_appends_plain_text) {
  char path[] = "/tmp/extism-ctests-log-XXXXXX", uuid[37], want[160];
  int fd = mkstemp(path);
  ExtismPlugin *p;
  char *text, *line;
  REQUIRE(fd >= 0);
  REQUIRE(write(fd, "existing\n", 9) == 9);
  close(fd);
  REQUIRE(extism_log_file(path, "info"));
  p = log_plugin();
  uuid_of(p, uuid);
  CHECK_EQ_INT(call_str(p, "all", "to-file"), 0);
  extism_plugin_free(p);
  text = slurp(path);
  unlink(path);
  CHECK_PREFIX(text, "existing\n");
  CHECK(strchr(text, '\x1b') == NULL);
  CHECK(strstr(text, "DEBUG") == NULL);
  line = strstr(text, "\n");
  if (line) {
    size_t ts = check_timestamp(line + 1);
    snprintf(want, sizeof want, " INFO extism::pdk: to-file plugin=\"%s\"\n", uuid);
    CHECK_PREFIX(line + 1 + ts, want);
  }
  CHECK_CONTAINS(text, " WARN extism::pdk: to-file plugin=");
  CHECK_CONTAINS(text, "ERROR extism::pdk: to-file plugin=");
  CHECK(!extism_log_custom("info"));
  free(text);
}

TEST(logger_file_created) {
  char dir[] = "/tmp/extism-ctests-logdir-XXXXXX", path[96];
  ExtismPlugin *p;
  char *text;
  REQUIRE(mkdtemp(dir) != NULL);
  snprintf(path, sizeof path, "%s/new.log", dir);
  REQUIRE(extism_log_file(path, "error"));
  p = log_plugin();
  CHECK_EQ_INT(call_str(p, "warn", "not-shown"), 0);
  CHECK_EQ_INT(call_str(p, "error", "shown"), 0);
  extism_plugin_free(p);
  text = slurp(path);
  unlink(path);
  rmdir(dir);
  CHECK_CONTAINS(text, "ERROR extism::pdk: shown plugin=");
  CHECK(strstr(text, "not-shown") == NULL);
  free(text);
}

TEST_NOT_UPSTREAM(logger_file_unopenable, "aborts on a path it cannot open") {
  CHECK(!extism_log_file("/nonexistent-extism-dir/x.log", "info"));
  CHECK(!extism_log_file("", "info"));
  /* nothing was installed */
  CHECK(extism_log_custom("info"));
}

/* ---- standard streams: ANSI colours ---- */

/* Runs `all` with input "ansi" while file descriptor `fd` points to a temporary file; returns
 * what was written there. */
static char *capture_fd(int fd, const char *dest, const char *level) {
  char path[] = "/tmp/extism-ctests-logfd-XXXXXX";
  int tmp = mkstemp(path), saved;
  ExtismPlugin *p;
  char *text;
  REQUIRE(tmp >= 0);
  fflush(stdout);
  fflush(stderr);
  saved = dup(fd);
  dup2(tmp, fd);
  close(tmp);
  if (extism_log_file(dest, level)) {
    p = log_plugin();
    call_str(p, "all", "ansi");
    extism_plugin_free(p);
  }
  fflush(stdout);
  fflush(stderr);
  dup2(saved, fd);
  close(saved);
  text = slurp(path);
  unlink(path);
  return text;
}

static void check_ansi(const char *text) {
  CHECK_CONTAINS(text, "\x1b[32m INFO\x1b[0m \x1b[2mextism::pdk\x1b[0m\x1b[2m:\x1b[0m ansi "
                       "\x1b[3mplugin\x1b[0m\x1b[2m=\x1b[0m\"");
  CHECK_CONTAINS(text, "\x1b[33m WARN\x1b[0m");
  CHECK_CONTAINS(text, "\x1b[31mERROR\x1b[0m");
  CHECK(strstr(text, "DEBUG") == NULL);
  CHECK_PREFIX(text, "\x1b[2m");
  if (strlen(text) > 40) {
    char ts[32];
    memcpy(ts, text + 4, 27);
    strcpy(ts + 27, " ");
    check_timestamp(ts);
    CHECK_PREFIX(text + 4 + 27, "\x1b[0m \x1b[32m INFO");
  }
}

TEST(logger_stderr_ansi) {
  char *text = capture_fd(2, "stderr", "info");
  check_ansi(text);
  free(text);
}

TEST(logger_dash_is_stderr) {
  char *text = capture_fd(2, "-", "info");
  check_ansi(text);
  free(text);
}

TEST(logger_null_file_is_stderr) {
  char *text = capture_fd(2, NULL, "info");
  check_ansi(text);
  free(text);
}

TEST(logger_stdout_ansi) {
  char *text = capture_fd(1, "stdout", "info");
  check_ansi(text);
  free(text);
}

/* ---- the runtime's own lines (target extism::plugin) ---- */

TEST(logger_runtime_lines_debug) {
  ExtismPlugin *p;
  char uuid[37], want[192];
  int i;
  REQUIRE(extism_log_custom("debug"));
  p = log_plugin();
  uuid_of(p, uuid);
  CHECK_EQ_INT(call_str(p, "trap", "before-trap"), 134);
  drain_all();
  /* creation: DEBUG, the id in the message, no plugin field */
  snprintf(want, sizeof want, "DEBUG extism::plugin: %s created\n", uuid);
  i = find_line(want, 0);
  CHECK(i >= 0);
  /* a failed call: ERROR, after the plugin's own line */
  i = find_line(" INFO extism::pdk: before-trap", i < 0 ? 0 : i);
  CHECK(i >= 0);
  i = find_line("ERROR extism::plugin: call to trap encountered an error: ", i < 0 ? 0 : i);
  CHECK(i >= 0);
  if (i >= 0) {
    snprintf(want, sizeof want, "plugin=\"%s\"\n", uuid);
    CHECK_CONTAINS(got.text[i], want);
    CHECK_CONTAINS(got.text[i], "unreachable");
  }
  lines_clear();
  extism_plugin_free(p);
}

TEST(logger_runtime_lines_timeout) {
  ExtismPlugin *p;
  int i;
  REQUIRE(extism_log_custom("debug"));
  p = log_plugin_with(",\"timeout_ms\":50");
  CHECK_EQ_INT(call_str(p, "spin", NULL), 134);
  drain_all();
  i = find_line("DEBUG extism::plugin: call to spin timed out plugin=\"", 0);
  CHECK(i >= 0);
  CHECK_EQ_INT(count_lines("ERROR"), 0);
  lines_clear();
  extism_plugin_free(p);
}

TEST(logger_runtime_lines_fuel) {
  ExtismPlugin *p;
  char *err = NULL;
  size_t len;
  uint8_t *wasm = plugin_bytes("log", &len);
  REQUIRE(extism_log_custom("error"));
  p = extism_plugin_new_with_fuel_limit(wasm, len, NULL, 0, false, 100000, &err);
  free(wasm);
  extism_plugin_new_error_free(err);
  REQUIRE_NOT_NULL(p);
  CHECK_EQ_INT(call_str(p, "spin", NULL), -1);
  drain_all();
  CHECK(find_line("ERROR extism::plugin: call to spin encountered an error: plugin ran out of fuel",
                  0) >= 0);
  lines_clear();
  extism_plugin_free(p);
}

TEST(logger_runtime_lines_filtered) {
  ExtismPlugin *p;
  REQUIRE(extism_log_custom("extism::pdk=trace"));
  p = log_plugin();
  CHECK_EQ_INT(call_str(p, "trap", "t"), 134);
  drain_all();
  CHECK_EQ_INT(got.n, 1);
  CHECK_EQ_INT(count_lines(" INFO extism::pdk: t plugin="), 1);
  lines_clear();
  extism_plugin_free(p);
}

/* An ordinary non-zero rc and a missing export are not logged as failures. */
TEST(logger_plain_failures_not_logged) {
  ExtismPlugin *p;
  REQUIRE(extism_log_custom("warn"));
  p = log_plugin();
  CHECK_EQ_INT(call_str(p, "nope", NULL), -1);
  drain_all();
  CHECK_EQ_INT(got.n, 0);
  lines_clear();
  extism_plugin_free(p);
}

/* ---- threads: many loggers, one drainer ---- */

#define THREADS 4
#define PER_THREAD 400

struct worker {
  ExtismPlugin *p;
  int rc;
};

static void *worker_main(void *arg) {
  struct worker *w = arg;
  uint8_t n[8] = {0};
  n[0] = PER_THREAD & 0xff;
  n[1] = PER_THREAD >> 8;
  w->rc = extism_plugin_call(w->p, "many", n, 8);
  return NULL;
}

/* Moves the lines of `got` to the end of `all`. */
static void keep_drained(struct lines *all) {
  int j;
  for (j = 0; j < got.n; j++) {
    if (all->n == all->cap) {
      all->cap = all->cap ? all->cap * 2 : 256;
      all->text = realloc(all->text, sizeof(char *) * (size_t)all->cap);
    }
    all->text[all->n++] = got.text[j];
  }
  got.n = 0;
  lines_clear();
}

TEST(logger_threads_and_concurrent_drain) {
  struct worker w[THREADS];
  pthread_t th[THREADS];
  char uuid[THREADS][37], want[64];
  struct lines all = {0};
  int i, j, k;
  REQUIRE(extism_log_custom("info"));
  for (i = 0; i < THREADS; i++) {
    w[i].p = log_plugin();
    uuid_of(w[i].p, uuid[i]);
  }
  for (i = 0; i < THREADS; i++)
    REQUIRE(pthread_create(&th[i], NULL, worker_main, &w[i]) == 0);
  /* drain while they log, keeping everything */
  for (k = 0; k < 2000; k++) {
    drain_all();
    keep_drained(&all);
    if (all.n >= THREADS * PER_THREAD)
      break;
    usleep(200);
  }
  for (i = 0; i < THREADS; i++) {
    pthread_join(th[i], NULL);
    CHECK_EQ_INT(w[i].rc, 0);
  }
  drain_all();
  keep_drained(&all);
  CHECK_EQ_INT(all.n, THREADS * PER_THREAD);
  /* each plugin's lines arrive complete and in order */
  for (i = 0; i < THREADS; i++) {
    int next = 0;
    for (j = 0; j < all.n; j++) {
      if (!strstr(all.text[j], uuid[i]))
        continue;
      snprintf(want, sizeof want, "extism::pdk: line-%06d plugin=", next);
      if (!CHECK_CONTAINS(all.text[j], want))
        break;
      next++;
    }
    CHECK_EQ_INT(next, PER_THREAD);
  }
  for (j = 0; j < all.n; j++)
    free(all.text[j]);
  free(all.text);
  for (i = 0; i < THREADS; i++)
    extism_plugin_free(w[i].p);
}

/* ---- ours: the custom logger's buffer is bounded ---- */

static int32_t log_many(ExtismPlugin *p, unsigned n) {
  uint8_t b[8] = {0};
  b[0] = n & 0xff;
  b[1] = (n >> 8) & 0xff;
  b[2] = (n >> 16) & 0xff;
  return extism_plugin_call(p, "many", b, 8);
}

TEST_NOT_UPSTREAM(logger_ring_overflow_keeps_newest,
                  "the custom logger's buffer is unbounded upstream") {
  enum { N = 12000 };
  ExtismPlugin *p;
  char want[64];
  long dropped = -1;
  int i, first;
  REQUIRE(extism_log_custom("info"));
  p = log_plugin();
  CHECK_EQ_INT(log_many(p, N), 0);
  drain_all();
  REQUIRE(got.n > 1);
  /* first: how many were dropped */
  CHECK_CONTAINS(got.text[0], " WARN extism::log: ");
  CHECK_CONTAINS(got.text[0], " log lines were dropped");
  check_timestamp(got.text[0]);
  {
    const char *m = strstr(got.text[0], "extism::log: ");
    if (m)
      dropped = strtol(m + strlen("extism::log: "), NULL, 10);
  }
  CHECK(dropped > 0);
  CHECK_EQ_INT(got.n - 1 + dropped, N);
  /* then the newest lines, consecutive, ending with the last one */
  first = N - (got.n - 1);
  for (i = 1; i < got.n; i++) {
    snprintf(want, sizeof want, " INFO extism::pdk: line-%06d plugin=", first + i - 1);
    if (!CHECK_CONTAINS(got.text[i], want))
      break;
    CHECK_EQ_INT(got.len[i], strlen(got.text[i]));
  }
  /* reported once */
  CHECK_EQ_INT(drain_all(), 0);
  CHECK_EQ_INT(log_many(p, 3), 0);
  CHECK_EQ_INT(drain_all(), 3);
  CHECK_EQ_INT(count_lines("dropped"), 0);
  lines_clear();
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(logger_ring_long_line_cut, "lines are unbounded upstream") {
  enum { LEN = 100000 };
  ExtismPlugin *p;
  char *msg = malloc(LEN + 1), uuid[37], want[80];
  size_t n;
  REQUIRE(extism_log_custom("info"));
  p = log_plugin();
  uuid_of(p, uuid);
  memset(msg, 'x', LEN);
  msg[LEN] = 0;
  CHECK_EQ_INT(call_str(p, "info", msg), 0);
  CHECK_EQ_INT(call_str(p, "info", "short"), 0);
  REQUIRE(drain_all() == 2);
  n = strlen(got.text[0]);
  CHECK_EQ_INT(got.len[0], n);
  CHECK(n < LEN && n > 1000);
  snprintf(want, sizeof want, "xxx... plugin=\"%s\"\n", uuid);
  CHECK(n > strlen(want) && strcmp(got.text[0] + n - strlen(want), want) == 0);
  CHECK_CONTAINS(got.text[1], "extism::pdk: short plugin=");
  lines_clear();
  free(msg);
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(logger_ring_nul_in_message,
                  "a line holding a NUL byte is dropped (and a complaint printed)") {
  ExtismPlugin *p;
  REQUIRE(extism_log_custom("info"));
  p = log_plugin();
  CHECK_EQ_INT(extism_plugin_call(p, "info", (const uint8_t *)"a\0b", 3), 0);
  REQUIRE(drain_all() == 1);
  CHECK_CONTAINS(got.text[0], "extism::pdk: a\\0b plugin=");
  CHECK_EQ_INT(got.len[0], strlen(got.text[0]));
  lines_clear();
  extism_plugin_free(p);
}

/* The handler may use plugins (which log): those lines wait for the next drain. */
static ExtismPlugin *reentrant_plugin;
static int reentrant_calls;

static void log_from_handler(const char *text, ExtismSize len) {
  (void)text;
  (void)len;
  reentrant_calls++;
  call_str(reentrant_plugin, "info", "from-handler");
}

TEST_NOT_UPSTREAM(logger_drain_handler_may_log, "deadlocks: the buffer stays locked during the handler") {
  REQUIRE(extism_log_custom("info"));
  reentrant_plugin = log_plugin();
  CHECK_EQ_INT(call_str(reentrant_plugin, "info", "one"), 0);
  CHECK_EQ_INT(call_str(reentrant_plugin, "info", "two"), 0);
  extism_log_drain(log_from_handler);
  CHECK_EQ_INT(reentrant_calls, 2);
  CHECK_EQ_INT(drain_all(), 2);
  CHECK_EQ_INT(count_lines("extism::pdk: from-handler plugin="), 2);
  lines_clear();
  extism_plugin_free(reentrant_plugin);
}
