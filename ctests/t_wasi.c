/* Checklist "WASI" (items 160-174). Plugins: wasi_basic.wat, wasi_nomem.wat, calls.wat, and the
 * PDK plugin rw (wasm32-wasip1, file access through allowed_paths). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

/* Runs a call with fd `fd` redirected to a temporary file; returns what was written there. */
static char *capture_fd(int fd, ExtismPlugin *p, const char *fn, int *rc) {
  char path[] = "/tmp/extism-ctests-out-XXXXXX";
  int tmp = mkstemp(path), saved;
  size_t len = 0;
  char *text;
  fflush(stdout);
  fflush(stderr);
  saved = dup(fd);
  dup2(tmp, fd);
  *rc = call_str(p, fn, NULL);
  fflush(stdout);
  fflush(stderr);
  dup2(saved, fd);
  close(saved);
  close(tmp);
  text = (char *)read_file(path, &len);
  unlink(path);
  return text ? text : strdup("(unreadable)");
}

/* 160 */
TEST(wasi_stdout_swallowed) {
  ExtismPlugin *p = load_plugin("wasi_basic", true);
  int rc = 0;
  char *out = capture_fd(1, p, "write_stdout", &rc);
  CHECK_EQ_INT(rc, 16); /* errno 0, 16 bytes written */
  CHECK_STR(out, "");
  free(out);
  out = capture_fd(2, p, "write_stderr", &rc);
  CHECK_EQ_INT(rc, 16);
  CHECK_STR(out, "");
  free(out);
  extism_plugin_free(p);
}

/* 161 */
TEST(wasi_stdout_enabled) {
  ExtismPlugin *p;
  int rc = 0;
  char *out;
  setenv("EXTISM_ENABLE_WASI_OUTPUT", "1", 1);
  p = load_plugin("wasi_basic", true);
  unsetenv("EXTISM_ENABLE_WASI_OUTPUT");
  out = capture_fd(1, p, "write_stdout", &rc);
  CHECK_EQ_INT(rc, 16);
  CHECK_STR(out, "hello from wasi\n");
  free(out);
  extism_plugin_free(p);
}

/* 162 */
TEST(wasi_no_args_no_env) {
  ExtismPlugin *p = load_plugin("wasi_basic", true);
  CHECK_EQ_INT(call_str(p, "sizes", NULL), 0);
  extism_plugin_free(p);
}

/* 163 */
TEST(wasi_no_preopens) {
  ExtismPlugin *p = load_plugin("wasi_basic", true);
  CHECK_EQ_INT(call_str(p, "prestat3", NULL), 8); /* EBADF */
  extism_plugin_free(p);
}

/* 169-171 */
TEST(wasi_proc_exit) {
  ExtismPlugin *p = load_plugin("wasi_basic", true);
  CHECK_EQ_INT(call_str(p, "exit0", "kept output"), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_OUTPUT(p, "kept output");
  CHECK_EQ_INT(call_str(p, "exit3", NULL), 3);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "err_exit0", NULL), -1);
  CHECK_STR(extism_plugin_error(p), "X");
  /* still usable */
  CHECK_EQ_INT(call_str(p, "ok", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 172 */
TEST(wasi_without_exported_memory) {
  ExtismPlugin *p = load_plugin("wasi_nomem", true);
  CHECK_EQ_INT(call_str(p, "sizes", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 173, 174 */
TEST(wasi_plain_module) {
  ExtismPlugin *p = load_plugin("calls", true);
  CHECK_EQ_INT(call_str(p, "trap", NULL), 134);
  CHECK_EQ_INT(call_str(p, "nothing", NULL), 0);
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* ---- files through allowed_paths (rw: like upstream's read_write.wasm) ---- */

struct rwdir {
  char dir[64];
  char file[128];
};

static void make_dir(struct rwdir *d) {
  FILE *f;
  strcpy(d->dir, "/tmp/extism-ctests-dir-XXXXXX");
  REQUIRE(mkdtemp(d->dir) != NULL);
  snprintf(d->file, sizeof d->file, "%s/data.txt", d->dir);
  f = fopen(d->file, "w");
  REQUIRE_NOT_NULL(f);
  fputs("hello world!", f);
  fclose(f);
}

static void remove_dir(struct rwdir *d) {
  unlink(d->file);
  rmdir(d->dir);
}

static ExtismPlugin *rw_plugin(const char *mapping, const char *path_config) {
  char extra[512];
  char *m;
  ExtismPlugin *p;
  if (path_config)
    snprintf(extra, sizeof extra, ",\"allowed_paths\":{\"%s\":\"/data\"},\"config\":{\"path\":\"%s\"}",
             mapping, path_config);
  else
    snprintf(extra, sizeof extra, ",\"allowed_paths\":{\"%s\":\"/data\"}", mapping);
  m = manifest_for("rw", extra);
  {
    char *err = NULL;
    p = extism_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, true, &err);
    if (!p)
      printf("    %s\n", err ? err : "NULL");
    extism_plugin_new_error_free(err);
  }
  free(m);
  return p;
}

/* 164, 165 */
TEST(wasi_read_only_dir) {
  struct rwdir d;
  char mapping[128];
  ExtismPlugin *p;
  size_t len = 0;
  char *content;
  make_dir(&d);
  snprintf(mapping, sizeof mapping, "ro:%s", d.dir);
  p = rw_plugin(mapping, "/data/data.txt");
  if (CHECK_NOT_NULL(p)) {
    CHECK_EQ_INT(call_str(p, "try_read", NULL), 0);
    CHECK_OUTPUT(p, "hello world!");
    CHECK_EQ_INT(call_str(p, "try_write", "more"), 1);
    CHECK_PREFIX(extism_plugin_error(p), "Failed to write file: ");
    extism_plugin_free(p);
  }
  content = (char *)read_file(d.file, &len);
  CHECK_STR(content, "hello world!");
  free(content);
  remove_dir(&d);
}

/* 166 */
TEST(wasi_writable_dir) {
  struct rwdir d;
  ExtismPlugin *p;
  size_t len = 0;
  char *content;
  make_dir(&d);
  p = rw_plugin(d.dir, "/data/data.txt");
  if (CHECK_NOT_NULL(p)) {
    CHECK_EQ_INT(call_str(p, "try_write", "new content"), 0);
    CHECK_NULL(extism_plugin_error(p));
    CHECK_OUTPUT(p, "hello world!new content");
    extism_plugin_free(p);
  }
  content = (char *)read_file(d.file, &len);
  CHECK_STR(content, "hello world!new content");
  free(content);
  remove_dir(&d);
}

/* 167 */
TEST(wasi_path_escape) {
  struct rwdir d;
  ExtismPlugin *p;
  make_dir(&d);
  p = rw_plugin(d.dir, "/data/../data.txt");
  if (CHECK_NOT_NULL(p)) {
    CHECK_EQ_INT(call_str(p, "try_read", NULL), 1);
    CHECK_PREFIX(extism_plugin_error(p), "Failed to read file: ");
    CHECK_CONTAINS(extism_plugin_error(p), "(os error 63)");
    extism_plugin_free(p);
  }
  remove_dir(&d);
}

/* 168 */
TEST(wasi_path_config_missing) {
  struct rwdir d;
  ExtismPlugin *p;
  make_dir(&d);
  p = rw_plugin(d.dir, NULL);
  if (CHECK_NOT_NULL(p)) {
    CHECK_EQ_INT(call_str(p, "try_read", NULL), 1);
    CHECK_STR(extism_plugin_error(p), "Path not found in config");
    extism_plugin_free(p);
  }
  remove_dir(&d);
}
