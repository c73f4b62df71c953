/* Extensions (issue 18): per-plugin log sinks and output sinks. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define OURS "extension of this library"

struct lines {
  char text[256][512];
  int n;
};

static void collect_line(void *data, const char *line, size_t len) {
  struct lines *l = data;
  if (l->n < 256 && len < sizeof l->text[0]) {
    memcpy(l->text[l->n], line, len);
    l->text[l->n][len] = 0;
    l->n++;
  }
}

static int count_containing(const struct lines *l, const char *needle) {
  int i, c = 0;
  for (i = 0; i < l->n; i++)
    if (strstr(l->text[i], needle))
      c++;
  return c;
}

struct logger_job {
  const char *level;
  const char *message;
  struct lines lines;
  int level_code;
  int rc;
};

static void *log_worker(void *arg) {
  struct logger_job *j = arg;
  ExtismPlugin *p = load_plugin("log", false);
  int i;
  j->rc = extism_x_plugin_set_log_sink(p, collect_line, &j->lines, j->level) ? 0 : -100;
  for (i = 0; i < 10 && j->rc == 0; i++)
    j->rc = call_str(p, "all", j->message);
  j->level_code = call_str(p, "level", NULL);
  extism_plugin_free(p);
  return NULL;
}

TEST_NOT_UPSTREAM(plugin_log_sinks_on_two_threads, OURS) {
  struct logger_job a, b;
  pthread_t ta, tb;
  memset(&a, 0, sizeof a);
  memset(&b, 0, sizeof b);
  a.level = "warn";
  a.message = "from-a";
  b.level = "trace";
  b.message = "from-b";
  REQUIRE(pthread_create(&ta, NULL, log_worker, &a) == 0);
  REQUIRE(pthread_create(&tb, NULL, log_worker, &b) == 0);
  pthread_join(ta, NULL);
  pthread_join(tb, NULL);
  CHECK_EQ_INT(a.rc, 0);
  CHECK_EQ_INT(b.rc, 0);
  /* warn and error lines only for a (10 calls x 2; the calls succeed: no runtime line at these
   * levels), all five levels for b, and b's runtime lines at trace (each call's start and end) */
  CHECK_EQ_INT(a.lines.n, 20);
  CHECK_EQ_INT(count_containing(&a.lines, "from-a"), 20);
  CHECK_EQ_INT(count_containing(&a.lines, " WARN extism::pdk: from-a plugin=\""), 10);
  CHECK_EQ_INT(count_containing(&a.lines, "ERROR extism::pdk: from-a plugin=\""), 10);
  CHECK_EQ_INT(count_containing(&a.lines, "from-b"), 0);
  CHECK_EQ_INT(count_containing(&b.lines, "extism::pdk: from-b"), 50);
  CHECK_EQ_INT(count_containing(&b.lines, "TRACE extism::pdk: from-b"), 10);
  CHECK_EQ_INT(count_containing(&b.lines, "TRACE extism::sdk: calling function all using extism_plugin_call"), 10);
  /* the ten calls of `all`, then `level` (get_log_level answers 0, trace) */
  CHECK_EQ_INT(count_containing(&b.lines, "DEBUG extism::plugin: got return code: 0 plugin=\""), 11);
  CHECK_EQ_INT(count_containing(&b.lines, "TRACE extism::sdk: called extism_plugin_free plugin=\""), 1);
  CHECK_EQ_INT(count_containing(&b.lines, "extism::pdk") + count_containing(&b.lines, "extism::sdk") +
                   count_containing(&b.lines, "extism::plugin") +
                   count_containing(&b.lines, "extism::current_plugin"),
               b.lines.n);
  CHECK_EQ_INT(count_containing(&b.lines, "from-a"), 0);
  CHECK_EQ_INT(a.level_code, 3);
  CHECK_EQ_INT(b.level_code, 0);
}

/* The runtime's lines about a plugin follow its log lines to its own sink, filtered by the sink's
 * level: a failed call's ERROR lines reach the sink and not the process-wide logger, which keeps
 * the lines without a plugin field (creation). */
static int drained_n;
static char drained_text[8192];
static void drain_count(const char *line, ExtismSize len) {
  size_t used = strlen(drained_text);
  drained_n++;
  if (used + len < sizeof drained_text)
    memcpy(drained_text + used, line, len + 1);
}

TEST_NOT_UPSTREAM(plugin_log_sink_gets_runtime_lines, OURS) {
  static struct lines mine;
  ExtismPlugin *p;
  REQUIRE(extism_log_custom("trace"));
  p = load_plugin("calls", false);
  memset(&mine, 0, sizeof mine);
  CHECK(extism_x_plugin_set_log_sink(p, collect_line, &mine, "error"));
  extism_log_drain(drain_count);
  CHECK_CONTAINS(drained_text, "DEBUG extism::plugin: Available pages: None");
  CHECK_CONTAINS(drained_text, " created\n");
  drained_n = 0;
  drained_text[0] = 0;
  CHECK_EQ_INT(call_str(p, "err_ret_7", NULL), 7);
  CHECK_EQ_INT(call_str(p, "trap", NULL), 134);
  CHECK_EQ_INT(mine.n, 3);
  CHECK_EQ_INT(count_containing(&mine, "ERROR extism::plugin: call to err_ret_7 returned with error message: EEE plugin=\""), 1);
  CHECK_EQ_INT(count_containing(&mine, "ERROR extism::plugin: call to err_ret_7 encountered an error: EEE plugin=\""), 1);
  CHECK_EQ_INT(count_containing(&mine, "ERROR extism::plugin: call to trap encountered an error: wasm trap: "), 1);
  /* the sink's filter decides by target, as the process-wide logger's */
  CHECK(extism_x_plugin_set_log_sink(p, collect_line, &mine, "extism::pdk=trace"));
  CHECK_EQ_INT(call_str(p, "trap", NULL), 134);
  CHECK_EQ_INT(mine.n, 3);
  /* the stepped call's start names its entry point (at trace) */
  CHECK(extism_x_plugin_set_log_sink(p, collect_line, &mine, "trace"));
  CHECK(extism_x_call_begin(p, "ret_42", NULL, 0, NULL));
  while (extism_x_call_step(p, 1000) == EXTISM_X_STEP_RUNNING)
    ;
  CHECK_EQ_INT(extism_x_call_rc(p), 42);
  CHECK_EQ_INT(count_containing(&mine, "TRACE extism::sdk: calling function ret_42 using extism_x_call_begin"), 1);
  CHECK_EQ_INT(count_containing(&mine, "DEBUG extism::plugin: got return code: 42"), 1);
  extism_plugin_free(p);
  CHECK_EQ_INT(count_containing(&mine, "TRACE extism::sdk: called extism_plugin_free"), 1);
  /* nothing of this plugin's calls went to the process-wide logger */
  extism_log_drain(drain_count);
  CHECK_EQ_INT(drained_n, 0);
}

/* Other plugins keep using the process-wide logger; removing the sink restores it. */
TEST_NOT_UPSTREAM(plugin_log_sink_leaves_others_alone, OURS) {
  struct lines mine;
  ExtismPlugin *p = load_plugin("log", false), *q = load_plugin("log", false);
  memset(&mine, 0, sizeof mine);
  CHECK_EQ_INT(call_str(q, "level", NULL), 2147483647); /* no global logger */
  CHECK(extism_x_plugin_set_log_sink(p, collect_line, &mine, "info"));
  CHECK_EQ_INT(call_str(p, "level", NULL), 2);
  CHECK_EQ_INT(call_str(q, "info", "global"), 0);
  CHECK_EQ_INT(call_str(p, "info", "mine"), 0);
  CHECK_EQ_INT(mine.n, 1);
  CHECK(extism_x_plugin_set_log_sink(p, NULL, NULL, NULL));
  CHECK_EQ_INT(call_str(p, "info", "gone"), 0);
  CHECK_EQ_INT(mine.n, 1);
  CHECK_EQ_INT(call_str(p, "level", NULL), 2147483647);
  CHECK(!extism_x_plugin_set_log_sink(NULL, collect_line, &mine, "info"));
  CHECK(!extism_x_plugin_set_log_sink(p, collect_line, &mine, "\xff"));
  extism_plugin_free(p);
  extism_plugin_free(q);
}

struct captured {
  char order[64]; /* fd of each write, as '1'/'2' */
  size_t n_writes;
  char *bytes[3];
  size_t len[3];
};

static void collect_output(void *data, int32_t fd, const uint8_t *bytes, size_t len) {
  struct captured *c = data;
  if (fd != 1 && fd != 2)
    return;
  if (c->n_writes < sizeof c->order - 1)
    c->order[c->n_writes++] = (char)('0' + fd);
  c->bytes[fd] = realloc(c->bytes[fd], c->len[fd] + len + 1);
  memcpy(c->bytes[fd] + c->len[fd], bytes, len);
  c->len[fd] += len;
  c->bytes[fd][c->len[fd]] = 0;
}

TEST_NOT_UPSTREAM(output_sink_interleaved_writes, OURS) {
  struct captured c;
  ExtismPlugin *p = load_plugin("wasi_out", true);
  memset(&c, 0, sizeof c);
  CHECK(extism_x_plugin_set_output_sink(p, collect_output, &c));
  CHECK_EQ_INT(call_str(p, "interleave", NULL), 0);
  CHECK_STR(c.order, "1212121212");
  CHECK_STR(c.bytes[1], "out-0\nout-1\nout-2\nout-3\nout-4\n");
  CHECK_STR(c.bytes[2], "err-0\nerr-1\nerr-2\nerr-3\nerr-4\n");
  free(c.bytes[1]);
  free(c.bytes[2]);
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(output_sink_one_mib_write, OURS) {
  struct captured c;
  ExtismPlugin *p = load_plugin("wasi_out", true);
  size_t n = 1 << 20, i;
  uint8_t *in = malloc(n);
  for (i = 0; i < n; i++)
    in[i] = (uint8_t)(i * 31 + 7);
  memset(&c, 0, sizeof c);
  CHECK(extism_x_plugin_set_output_sink(p, collect_output, &c));
  CHECK_EQ_INT(extism_plugin_call(p, "big", in, n), 0);
  CHECK_EQ_INT(c.n_writes, 1);
  CHECK_MEM(c.bytes[1], c.len[1], in, n);
  free(c.bytes[1]);
  free(in);
  extism_plugin_free(p);
}

TEST_NOT_UPSTREAM(output_sink_needs_wasi, OURS) {
  struct captured c;
  ExtismPlugin *p = load_plugin("tiny", false);
  CHECK(!extism_x_plugin_set_output_sink(p, collect_output, &c));
  CHECK(!extism_x_plugin_set_output_sink(NULL, collect_output, &c));
  extism_plugin_free(p);
}
