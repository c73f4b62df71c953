/* Checklist "Runtime imports" (items 116-141): config_get, vars and their byte budget, logging
 * (each test runs in its own process, so each can install the process-wide logger), and the HTTP
 * header/status registers. Plugin: plugins/runtime.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common.h"

static ExtismPlugin *runtime_with(const char *extra) {
  char *m = manifest_for("runtime", extra);
  ExtismPlugin *p = plugin_from_text(m, false);
  free(m);
  return p;
}

/* 116-118 */
TEST(config_get_values) {
  ExtismPlugin *p = runtime_with(",\"config\":{\"kkk\":\"value!\",\"\":\"empty key\",\"e\":\"\"}");
  CHECK_EQ_INT(call_str(p, "cfg", "kkk"), 0);
  CHECK_OUTPUT(p, "value!");
  CHECK_EQ_INT(call_str(p, "cfg_zero", NULL), 0); /* 117 */
  CHECK_OUTPUT(p, "empty key");
  CHECK_EQ_INT(call_str(p, "cfg", "e"), 1); /* 118: empty value */
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  CHECK_EQ_INT(call_str(p, "cfg", "missing"), 1);
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  /* extism_plugin_config adds to the manifest's config */
  {
    static const char json[] = "{\"kkk\":\"new\",\"x\":\"y\"}";
    CHECK(extism_plugin_config(p, (const uint8_t *)json, strlen(json)));
  }
  CHECK_EQ_INT(call_str(p, "cfg", "kkk"), 0);
  CHECK_OUTPUT(p, "new");
  CHECK_EQ_INT(call_str(p, "cfg", "x"), 0);
  CHECK_OUTPUT(p, "y");
  CHECK_EQ_INT(call_str(p, "cfg_zero", NULL), 0);
  CHECK_OUTPUT(p, "empty key");
  extism_plugin_free(p);
}

/* 119 */
TEST(config_get_not_a_block) {
  ExtismPlugin *p = load_plugin("kernel", false);
  CHECK_EQ_INT(call_str(p, "config_get_bad", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* vars: set, read back, delete with 0 */
TEST(vars_roundtrip) {
  ExtismPlugin *p = load_plugin("runtime", false);
  CHECK_EQ_INT(call_str(p, "var_read", NULL), 1);
  CHECK_EQ_INT(call_str(p, "var_roundtrip", "stored"), 0);
  CHECK_OUTPUT(p, "stored");
  CHECK_EQ_INT(call_str(p, "var_read", NULL), 0);
  CHECK_OUTPUT(p, "stored");
  CHECK_EQ_INT(call_str(p, "var_roundtrip", ""), 1); /* value 0 deletes */
  CHECK_EQ_INT(call_str(p, "var_read", NULL), 1);
  extism_plugin_free(p);
}

/* 120 */
TEST(vars_disabled) {
  ExtismPlugin *p = runtime_with(",\"memory\":{\"max_var_bytes\":0}");
  CHECK_EQ_INT(call_str(p, "var_aaa", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 121, 122 */
TEST(vars_budget_54) {
  ExtismPlugin *p = runtime_with(",\"memory\":{\"max_var_bytes\":54}");
  CHECK_EQ_INT(call_str(p, "var_aaa", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "var_aaa", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 123 */
TEST(vars_budget_53) {
  ExtismPlugin *p = runtime_with(",\"memory\":{\"max_var_bytes\":53}");
  CHECK_EQ_INT(call_str(p, "var_aaa", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 124 */
TEST(vars_budget_1) {
  ExtismPlugin *p = runtime_with(",\"memory\":{\"max_var_bytes\":1}");
  char big[1024];
  memset(big, 'v', sizeof big);
  CHECK_EQ_INT(extism_plugin_call(p, "var_input_input", (const uint8_t *)big, sizeof big), -1);
  CHECK_EQ_INT(call_str(p, "var_input_input", ""), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 125, 126 */
TEST(vars_bad_handles) {
  ExtismPlugin *p = load_plugin("kernel", false);
  CHECK_EQ_INT(call_str(p, "var_set_bad_key", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "var_get_bad", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* ---- logging ---- */

#define MAX_LINES 64
static char *lines[MAX_LINES];
static size_t line_lens[MAX_LINES];
static int n_lines;

static void drain_cb(const char *text, ExtismSize len) {
  if (n_lines < MAX_LINES) {
    lines[n_lines] = strdup(text);
    line_lens[n_lines] = (size_t)len;
    n_lines++;
  }
}

static void drain(void) {
  int i;
  for (i = 0; i < n_lines; i++)
    free(lines[i]);
  n_lines = 0;
  extism_log_drain(drain_cb);
}

/* lines with target extism::pdk, in order */
static int pdk_lines(char **out, int max) {
  int i, n = 0;
  for (i = 0; i < n_lines && n < max; i++)
    if (strstr(lines[i], "extism::pdk"))
      out[n++] = lines[i];
  return n;
}

static void uuid_text(const uint8_t *id, char out[37]) {
  sprintf(out, "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", id[0], id[1],
          id[2], id[3], id[4], id[5], id[6], id[7], id[8], id[9], id[10], id[11], id[12], id[13],
          id[14], id[15]);
}

static int level_with_logger(const char *level) {
  ExtismPlugin *p;
  int rc;
  if (level)
    CHECK(extism_log_custom(level));
  p = load_plugin("runtime", false);
  rc = call_str(p, "log_level", NULL);
  extism_plugin_free(p);
  return rc;
}

/* 127 */
TEST(log_level_without_logger) { CHECK_EQ_INT(level_with_logger(NULL), 2147483647); }
/* 128 */
TEST(log_level_info) { CHECK_EQ_INT(level_with_logger("info"), 2); }
TEST(log_level_trace) { CHECK_EQ_INT(level_with_logger("trace"), 0); }
TEST(log_level_debug) { CHECK_EQ_INT(level_with_logger("debug"), 1); }
TEST(log_level_warn) { CHECK_EQ_INT(level_with_logger("warn"), 3); }
TEST(log_level_error) { CHECK_EQ_INT(level_with_logger("error"), 4); }
TEST(log_level_off) { CHECK_EQ_INT(level_with_logger("off"), 2147483647); }
TEST(log_level_upper_case) { CHECK_EQ_INT(level_with_logger("WARN"), 3); }

/* 129 */
TEST(log_bad_handle_without_logger) {
  ExtismPlugin *p = load_plugin("runtime", false);
  CHECK_EQ_INT(call_str(p, "log_info_bad", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "log_error_bad", NULL), 0);
  extism_plugin_free(p);
}

/* 130-132 */
TEST(log_bad_handles_with_info_logger) {
  ExtismPlugin *p;
  CHECK(extism_log_custom("info"));
  p = load_plugin("runtime", false);
  CHECK_EQ_INT(call_str(p, "log_error_bad", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "log_debug_bad", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "log_info_twice", NULL), -1);
  drain();
  {
    char *pdk[8];
    int n = pdk_lines(pdk, 8);
    CHECK_EQ_INT(n, 1); /* the first log_info("twice") */
    if (n >= 1)
      CHECK_CONTAINS(pdk[0], "extism::pdk: twice plugin=");
  }
  extism_plugin_free(p);
}

/* 133, 134 */
TEST(log_empty_and_non_utf8_messages) {
  ExtismPlugin *p;
  char *pdk[8];
  int n;
  CHECK(extism_log_custom("info"));
  p = load_plugin("runtime", false);
  CHECK_EQ_INT(call_str(p, "log_error_zero", NULL), 0);
  CHECK_EQ_INT(call_str(p, "log_error_not_utf8", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  drain();
  n = pdk_lines(pdk, 8);
  CHECK_EQ_INT(n, 2);
  if (n >= 2) {
    CHECK_CONTAINS(pdk[0], "ERROR");
    CHECK_CONTAINS(pdk[0], "extism::pdk:  plugin=\"");
    CHECK_CONTAINS(pdk[1], "ERROR");
    CHECK_CONTAINS(pdk[1], "extism::pdk: unable to log message:");
  }
  extism_plugin_free(p);
}

/* 135-138 */
TEST(log_custom_drain) {
  ExtismPlugin *p;
  char *pdk[8], uuid[37], want[128];
  int n, i;
  static const char *msgs[3] = {"m-info", "m-warn", "m-error"};
  static const char *levels[3] = {" INFO ", " WARN ", "ERROR "};
  CHECK(extism_log_custom("info"));
  p = load_plugin("runtime", false);
  uuid_text(extism_plugin_id(p), uuid);
  CHECK_EQ_INT(call_str(p, "log_all", NULL), 0);
  drain();
  n = pdk_lines(pdk, 8);
  CHECK_EQ_INT(n, 3);
  for (i = 0; i < n && i < 3; i++) {
    size_t len = strlen(pdk[i]);
    snprintf(want, sizeof want, "extism::pdk: %s plugin=\"%s\"\n", msgs[i], uuid);
    CHECK_CONTAINS(pdk[i], want);
    CHECK(len > 0 && pdk[i][len - 1] == '\n');
    CHECK_CONTAINS(pdk[i], levels[i]);
  }
  for (i = 0; i < n_lines; i++)
    CHECK_EQ_INT(line_lens[i], strlen(lines[i]));
  /* 137 */
  drain();
  CHECK_EQ_INT(n_lines, 0);
  /* 138 */
  CHECK(!extism_log_custom("debug"));
  CHECK(!extism_log_file("stderr", "info"));
  extism_plugin_free(p);
}

/* 139 */
TEST(log_file_plain_text) {
  char path[] = "/tmp/extism-ctests-log-XXXXXX";
  int fd = mkstemp(path);
  ExtismPlugin *p;
  size_t len = 0;
  char *text, uuid[37], want[128];
  REQUIRE(fd >= 0);
  close(fd);
  REQUIRE(extism_log_file(path, "info"));
  p = load_plugin("runtime", false);
  uuid_text(extism_plugin_id(p), uuid);
  CHECK_EQ_INT(call_str(p, "log_all", NULL), 0);
  extism_plugin_free(p);
  text = (char *)read_file(path, &len);
  unlink(path);
  REQUIRE_NOT_NULL(text);
  snprintf(want, sizeof want, "extism::pdk: m-info plugin=\"%s\"\n", uuid);
  CHECK_CONTAINS(text, want);
  CHECK_CONTAINS(text, "extism::pdk: m-error plugin=");
  CHECK(strstr(text, "m-debug") == NULL);
  CHECK(strchr(text, '\x1b') == NULL);
  CHECK(!extism_log_custom("info"));
  free(text);
}

/* ---- HTTP registers ---- */

/* 140, 141 */
TEST(http_headers_capture_switch) {
  ExtismPlugin *p = load_plugin("runtime", false);
  CHECK_EQ_INT(call_str(p, "headers", NULL), 1);
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  extism_plugin_allow_http_response_headers(p);
  CHECK_EQ_INT(call_str(p, "headers", NULL), 0);
  CHECK_OUTPUT(p, "{}");
  CHECK_EQ_INT(call_str(p, "status", NULL), 0);
  extism_plugin_free(p);
}
