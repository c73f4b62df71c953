/* Checklist "WASI" (items 29-32, 76, 160-174) and more: exact errnos of the raw functions
 * (wasi_raw.wat), sandbox escapes (`..`, absolute paths, symbolic links out), read-only mounts,
 * stdio with and without EXTISM_ENABLE_WASI_OUTPUT, clocks, randomness, sleep, exit codes, and real
 * libc users: the Rust std plugin wasi_rs and the wasi-libc plugin wasi_libc. Plugins: wasi_basic,
 * wasi_nomem, wasi_raw, calls (WAT), rw and wasi_rs (PDK, wasm32-wasip1), wasi_libc (C reactor).
 * Expected values are what upstream's library answers (see REFERENCE-NOTES.md for differences). */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
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

/* capture_fd on `fd` while `other` goes to /dev/null (keeps the runner's output clean). */
static char *capture_fd_quiet(int fd, int other, ExtismPlugin *p, const char *fn, int *rc) {
  int null = open("/dev/null", O_WRONLY), saved;
  char *text;
  fflush(NULL);
  saved = dup(other);
  dup2(null, other);
  text = capture_fd(fd, p, fn, rc);
  fflush(NULL);
  dup2(saved, other);
  close(saved);
  close(null);
  return text;
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

/* ---- creation (31, 32) ---- */

#define COMPILE_PREFIX "Unable to compile Extism plugin: "

static char *wasi_manifest(const char *plugin, const char *paths_json, const char *more) {
  char extra[1024];
  snprintf(extra, sizeof extra, ",\"allowed_paths\":%s%s", paths_json, more ? more : "");
  return manifest_for(plugin, extra);
}

/* 31, 32 */
TEST(wasi_allowed_path_missing) {
  char *m = wasi_manifest("calls", "{\"/nonexistent/extism-ctests\":\"/data\"}", NULL);
  char *e = create_error(m, strlen(m), true);
  char *err = NULL;
  ExtismPlugin *p;
  CHECK_STR(e, COMPILE_PREFIX "No such file or directory (os error 2)");
  free(e);
  /* with WASI off, allowed_paths is not looked at */
  p = extism_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, false, &err);
  CHECK_NOT_NULL(p);
  CHECK_NULL(err);
  extism_plugin_free(p);
  extism_plugin_new_error_free(err);
  free(m);
  m = wasi_manifest("calls", "{\"ro:/nonexistent/extism-ctests\":\"/data\"}", NULL);
  e = create_error(m, strlen(m), true);
  CHECK_STR(e, COMPILE_PREFIX "No such file or directory (os error 2)");
  free(e);
  free(m);
}

TEST(wasi_allowed_path_is_a_file) {
  char *m = wasi_manifest("wasi_basic", "{\"/etc/passwd\":\"/data\"}", NULL);
  char *e = create_error(m, strlen(m), true);
  CHECK_STR(e, COMPILE_PREFIX "Not a directory (os error 20)");
  free(e);
  free(m);
}

TEST(wasi_allowed_path_missing_fuel_variant) {
  char *m = wasi_manifest("wasi_basic", "{\"/nonexistent/extism-ctests\":\"/data\"}", NULL);
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new_with_fuel_limit((const uint8_t *)m, strlen(m), NULL, 0, true,
                                                      1000000, &err);
  CHECK_NULL(p);
  CHECK_STR(err, "Unable to create Extism plugin: No such file or directory (os error 2)");
  extism_plugin_new_error_free(err);
  free(m);
}

TEST(wasi_unknown_function) {
  const char *wat = "(module (import \"wasi_snapshot_preview1\" \"fd_nope\" (func (param i32) (result i32))))";
  char *e = create_error(wat, strlen(wat), true);
  CHECK_STR(e, COMPILE_PREFIX "unknown import: `wasi_snapshot_preview1::fd_nope` has not been defined");
  free(e);
  wat = "(module (import \"wasi_unstable\" \"fd_write\" (func (param i32 i32 i32 i32) (result i32))))";
  e = create_error(wat, strlen(wat), true);
  CHECK_STR(e, COMPILE_PREFIX "unknown import: `wasi_unstable::fd_write` has not been defined");
  free(e);
}

TEST(wasi_function_wrong_type) {
  const char *wat = "(module (import \"wasi_snapshot_preview1\" \"fd_write\" (func (param i32) (result i32))))";
  char *e = create_error(wat, strlen(wat), true);
  CHECK_STR(e, COMPILE_PREFIX "types incompatible: expected type `(func (param i32) (result i32))`, "
               "found type `(func (param i32 i32 i32 i32) (result i32))`");
  free(e);
}

/* ---- a scratch tree: <root>/data (mapped to /data) and <root>/secret (outside it) ---- */

struct tree {
  char root[64];
  char data[96];
};

static void put_file(const char *dir, const char *name, const char *text) {
  char path[256];
  FILE *f;
  snprintf(path, sizeof path, "%s/%s", dir, name);
  f = fopen(path, "w");
  REQUIRE_NOT_NULL(f);
  fputs(text, f);
  fclose(f);
}

static void put_link(const char *dir, const char *name, const char *target) {
  char path[256];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  REQUIRE(symlink(target, path) == 0);
}

static void make_tree(struct tree *t) {
  char path[160];
  strcpy(t->root, "/tmp/extism-ctests-wasi-XXXXXX");
  REQUIRE(mkdtemp(t->root) != NULL);
  snprintf(t->data, sizeof t->data, "%s/data", t->root);
  REQUIRE(mkdir(t->data, 0755) == 0);
  snprintf(path, sizeof path, "%s/data/sub", t->root);
  REQUIRE(mkdir(path, 0755) == 0);
  put_file(path, "f", "");
  snprintf(path, sizeof path, "%s/secret", t->root);
  REQUIRE(mkdir(path, 0755) == 0);
  put_file(path, "s.txt", "top secret");
  put_file(t->data, "data.txt", "hello world!");
  put_link(t->data, "abs_link", "/etc/passwd");
  put_link(t->data, "rel_out", "../secret/s.txt");
  put_link(t->data, "etc_dir", "/etc");
  put_link(t->data, "in_link", "data.txt");
  put_link(t->data, "in_link2", "sub/../data.txt");
}

static void remove_tree_at(const char *path) {
  struct stat st;
  DIR *d;
  struct dirent *e;
  if (lstat(path, &st) != 0)
    return;
  if (!S_ISDIR(st.st_mode)) {
    unlink(path);
    return;
  }
  d = opendir(path);
  while (d && (e = readdir(d)) != NULL) {
    char child[512];
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    snprintf(child, sizeof child, "%s/%s", path, e->d_name);
    remove_tree_at(child);
  }
  if (d)
    closedir(d);
  rmdir(path);
}

static int exists_in(const struct tree *t, const char *rel) {
  char path[256];
  struct stat st;
  snprintf(path, sizeof path, "%s/%s", t->root, rel);
  return lstat(path, &st) == 0;
}

/* `plugin` with `<prefix><t->data>` mapped to /data. */
static ExtismPlugin *tree_plugin(const struct tree *t, const char *plugin, const char *prefix) {
  char paths[256], *m, *err = NULL;
  ExtismPlugin *p;
  snprintf(paths, sizeof paths, "{\"%s%s\":\"/data\"}", prefix, t->data);
  m = wasi_manifest(plugin, paths, NULL);
  p = extism_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, true, &err);
  if (!p)
    printf("  creating %s failed: %s\n", plugin, err ? err : "(no message)");
  extism_plugin_new_error_free(err);
  free(m);
  REQUIRE_NOT_NULL(p);
  return p;
}

struct raw_case {
  const char *fn;
  const char *input;
  int rc;
};

static void run_cases(ExtismPlugin *p, const struct raw_case *c, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    int rc = call_str(p, c[i].fn, c[i].input);
    if (rc != c[i].rc)
      harness_note("%s(\"%s\"): rc %d, expected %d (%s)", c[i].fn, c[i].input, rc, c[i].rc,
                   extism_plugin_error(p) ? extism_plugin_error(p) : "no error");
    CHECK_EQ_INT(rc, c[i].rc);
  }
}

#define N_CASES(a) (sizeof(a) / sizeof((a)[0]))

/* ---- raw preview-1 calls: errno for errno with the reference ---- */

/* Lookups inside /data; `..`, absolute paths and links leading out are refused with EPERM (63). */
TEST(wasi_raw_lookups_and_escapes) {
  static const struct raw_case cases[] = {
      {"open_read", "data.txt", 0},
      {"open_read", "../secret/s.txt", 63},
      {"open_read", "sub/../../secret/s.txt", 63},
      {"open_read", "/etc/passwd", 63},
      {"open_read", "abs_link", 63},
      {"open_read", "rel_out", 63},
      {"open_read", "etc_dir/passwd", 63},
      {"open_read", "in_link", 0},
      {"open_read", "in_link2", 0},
      {"open_read_nofollow", "in_link", 32}, /* ELOOP */
      {"open_read", "sub/../data.txt", 0},
      {"open_read", "./sub/./f", 0},
      {"open_read", "sub//f", 0},
      {"open_read", "nope", 44},
      {"open_read", "", 44},
      {"open_read", ".", 0},
      {"open_read", "sub", 0},
      {"open_read", "sub/", 0},
      {"open_read", "data.txt/", 54},
      {"open_read", "data.txt/x", 54},
      {"open_dir", "sub", 0},
      {"open_dir", "data.txt", 54},
      {"filestat", "data.txt", 4},
      {"filestat", "sub", 3},
      {"filestat", "sub/", 3},
      {"filestat", "data.txt/", 54003},
      {"filestat", "abs_link", 63003},
      {"filestat_nofollow", "abs_link", 7},
      {"filestat", "nope", 44007},
      {"unlink", "in_link/", 54},
  };
  struct tree t;
  ExtismPlugin *p;
  make_tree(&t);
  p = tree_plugin(&t, "wasi_raw", "");
  run_cases(p, cases, N_CASES(cases));
  extism_plugin_free(p);
  remove_tree_at(t.root);
}

/* Changes inside /data succeed; none can reach outside it. */
TEST(wasi_raw_changes_and_escapes) {
  static const struct raw_case cases[] = {
      {"mkdir", "sub", 20},
      {"mkdir", "sub2", 0},
      {"rmdir", "sub2", 0},
      {"rmdir", "nope", 44},
      {"rmdir", "sub", 55},
      {"mkdir", "../esc", 63},
      {"mkdir", "/abs", 63},
      {"unlink", "sub", 31},
      {"unlink", "nope", 44},
      {"open_create", "new.txt", 0},
      {"unlink", "new.txt", 0},
      {"rename_to_x", "data.txt", 0},
      {"rename_from_x", "data.txt", 0},
      {"rename_to_x", "../secret/s.txt", 63},
      {"rename_from_x", "../moved", 63},
      {"rename_to_x", "sub/../../secret", 63},
      {"unlink", "../secret/s.txt", 63},
      {"rmdir", "../secret", 63},
      {"symlink", "lnk", 0},
      {"unlink", "abs_link", 0},
      {"unlink", "rel_out", 0},
      {"mkdir", ".", 20},
      {"rmdir", ".", 28},
      {"rmdir", "sub/..", 28},
      {"unlink", ".", 31},
      {"rename_to_x", ".", 10},
      {"rename_from_x", ".", 10},
      {"symlink", ".", 20},
  };
  struct tree t;
  ExtismPlugin *p;
  make_tree(&t);
  p = tree_plugin(&t, "wasi_raw", "");
  run_cases(p, cases, N_CASES(cases));
  extism_plugin_free(p);
  CHECK(exists_in(&t, "secret/s.txt"));
  CHECK(exists_in(&t, "data/data.txt"));
  CHECK(exists_in(&t, "data/lnk"));
  CHECK(exists_in(&t, "data"));
  CHECK(!exists_in(&t, "esc"));
  CHECK(!exists_in(&t, "moved"));
  CHECK(!exists_in(&t, "data/abs_link"));
  CHECK(!exists_in(&t, "x"));
  remove_tree_at(t.root);
}

/* ro: every change is refused with EPERM (63; the spec's 58 ENOTSUP was upstream 1.13). */
TEST(wasi_raw_read_only) {
  static const struct raw_case cases[] = {
      {"open_read", "data.txt", 0},
      {"open_dir", "sub", 0},
      {"filestat", "data.txt", 4},
      {"fdstat", "3", 3},
      {"open_create", "new.txt", 63},
      {"open_create", "data.txt", 63},
      {"open_append", "data.txt", 63},
      {"mkdir", "d", 63},
      {"unlink", "data.txt", 63},
      {"rmdir", "sub", 63},
      {"rename_to_x", "data.txt", 63},
      {"symlink", "lnk", 63},
      {"open_read", "../secret/s.txt", 63},
  };
  struct tree t;
  ExtismPlugin *p;
  size_t len = 0;
  char path[160], *content;
  make_tree(&t);
  p = tree_plugin(&t, "wasi_raw", "ro:");
  run_cases(p, cases, N_CASES(cases));
  extism_plugin_free(p);
  snprintf(path, sizeof path, "%s/data.txt", t.data);
  content = (char *)read_file(path, &len);
  CHECK_STR(content, "hello world!");
  free(content);
  CHECK(!exists_in(&t, "data/new.txt"));
  CHECK(!exists_in(&t, "data/d"));
  CHECK(!exists_in(&t, "data/x"));
  remove_tree_at(t.root);
}

/* Stdio, fds, clocks, randomness and the rest of the small functions. */
TEST(wasi_raw_misc) {
  static const struct raw_case cases[] = {
      {"prestat", "3", 5}, /* tag 0, name "/data" */
      {"prestat", "4", 8005},
      {"prestat", "0", 8005},
      {"fdstat", "0", 0},
      {"fdstat", "1", 0},
      {"fdstat", "2", 0},
      {"fdstat", "3", 3},
      {"fdstat", "9", 8099},
      {"write_bad_fds", "", 8008},
      {"read_stdin", "", 0},
      {"seek_stdout", "", 70},
      {"clock", "0", 1000000},
      {"clock", "1", 1000000},
      {"clock", "2", 8},
      {"clock", "3", 8},
      {"clock_res", "0", 1000000},
      {"clock_res", "1", 1000000},
      {"clock_res", "2", 8},
      {"random", "", 0},
      {"yield", "", 0},
      {"poll_clock", "", 100}, /* one event, a clock, errno 0 */
      {"sock_accept", "", 57},
      {"proc_raise", "", 58},
  };
  struct tree t;
  ExtismPlugin *p;
  make_tree(&t);
  p = tree_plugin(&t, "wasi_raw", "");
  run_cases(p, cases, N_CASES(cases));
  CHECK_EQ_INT(call_str(p, "prestat_name", NULL), 0);
  CHECK_OUTPUT(p, "/data");
  extism_plugin_free(p);
  remove_tree_at(t.root);
}

/* A pointer outside memory or an invalid enum value fails the call (upstream traps). */
TEST(wasi_raw_abi_violations) {
  ExtismPlugin *p = load_plugin("wasi_raw", true);
  CHECK_EQ_INT(call_str(p, "write_fault", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "clock", "7"), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "yield", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* Files opened and closed over and over do not use up the fd table. */
TEST(wasi_raw_fds_are_reused) {
  struct tree t;
  ExtismPlugin *p;
  int i, bad = 0;
  make_tree(&t);
  p = tree_plugin(&t, "wasi_raw", "");
  for (i = 0; i < 500; i++)
    bad += call_str(p, "open_read", "data.txt") != 0;
  CHECK_EQ_INT(bad, 0);
  extism_plugin_free(p);
  remove_tree_at(t.root);
}

/* config::WASI_MAX_FDS (128): stdio (3) and the one preopen leave 124 fds for files; the next
 * path_open fails with EMFILE and the plugin goes on. */
TEST_NOT_UPSTREAM(wasi_open_files_capacity, "no fixed limit on open WASI files (ours: 128 fds)") {
  struct tree t;
  ExtismPlugin *p;
  make_tree(&t);
  p = tree_plugin(&t, "wasi_raw", "");
  CHECK_EQ_INT(call_str(p, "open_until_full", "data.txt"), 124);
  extism_plugin_free(p);
  remove_tree_at(t.root);
}

/* Preopens come in sorted key order (the `ro:` prefix counts), from fd 3. */
TEST(wasi_preopen_order) {
  struct tree t;
  char paths[512], secret[128], *m, *err = NULL;
  ExtismPlugin *p;
  make_tree(&t);
  snprintf(secret, sizeof secret, "%s/secret", t.root);
  snprintf(paths, sizeof paths, "{\"%s\":\"/b\",\"%s\":\"/a\",\"ro:%s\":\"zzz\"}", t.data, secret,
           t.root);
  m = wasi_manifest("wasi_raw", paths, NULL);
  p = extism_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, true, &err);
  free(m);
  extism_plugin_new_error_free(err);
  REQUIRE_NOT_NULL(p);
  CHECK_EQ_INT(call_str(p, "prestat_name", NULL), 0);
  CHECK_OUTPUT(p, "/b");
  CHECK_EQ_INT(call_str(p, "prestat", "3"), 2);
  CHECK_EQ_INT(call_str(p, "prestat", "4"), 2);
  CHECK_EQ_INT(call_str(p, "prestat", "5"), 3);
  CHECK_EQ_INT(call_str(p, "prestat", "6"), 8003);
  extism_plugin_free(p);
  remove_tree_at(t.root);
}

/* ---- the Rust std plugin (wasi_rs) ---- */

/* 76 with a WASI plugin: module globals live as long as the instance. */
TEST(wasi_globals_counter) {
  ExtismPlugin *p = load_plugin("wasi_rs", true);
  CHECK_EQ_INT(call_str(p, "globals", NULL), 0);
  CHECK_OUTPUT(p, "{\"count\": 0}");
  CHECK_EQ_INT(call_str(p, "globals", NULL), 0);
  CHECK_OUTPUT(p, "{\"count\": 1}");
  CHECK_EQ_INT(call_str(p, "globals", NULL), 0);
  CHECK_OUTPUT(p, "{\"count\": 2}");
  extism_plugin_free(p);
}

TEST(wasi_rust_stdio_swallowed) {
  ExtismPlugin *p = load_plugin("wasi_rs", true);
  int rc = 0;
  char *out = capture_fd(1, p, "rs_hello", &rc);
  CHECK_EQ_INT(rc, 0);
  CHECK_STR(out, "");
  CHECK_OUTPUT(p, "ok");
  free(out);
  out = capture_fd(2, p, "rs_hello", &rc);
  CHECK_EQ_INT(rc, 0);
  CHECK_STR(out, "");
  free(out);
  extism_plugin_free(p);
}

TEST(wasi_rust_stdio_enabled) {
  ExtismPlugin *p;
  int rc = 0;
  char *out;
  setenv("EXTISM_ENABLE_WASI_OUTPUT", "1", 1);
  p = load_plugin("wasi_rs", true);
  unsetenv("EXTISM_ENABLE_WASI_OUTPUT");
  out = capture_fd_quiet(1, 2, p, "rs_hello", &rc);
  CHECK_EQ_INT(rc, 0);
  CHECK_STR(out, "hello from rust stdout\n");
  free(out);
  out = capture_fd_quiet(2, 1, p, "rs_hello", &rc);
  CHECK_EQ_INT(rc, 0);
  CHECK_STR(out, "hello from rust stderr\n");
  free(out);
  extism_plugin_free(p);
}

/* The variable counts when the plugin is made, whatever its value (upstream: set at all). */
TEST(wasi_output_switch_read_at_creation) {
  ExtismPlugin *p;
  int rc = 0;
  char *out;
  unsetenv("EXTISM_ENABLE_WASI_OUTPUT");
  p = load_plugin("wasi_basic", true);
  setenv("EXTISM_ENABLE_WASI_OUTPUT", "1", 1);
  out = capture_fd(1, p, "write_stdout", &rc);
  CHECK_EQ_INT(rc, 16);
  CHECK_STR(out, "");
  free(out);
  extism_plugin_free(p);
  setenv("EXTISM_ENABLE_WASI_OUTPUT", "", 1);
  p = load_plugin("wasi_basic", true);
  out = capture_fd(1, p, "write_stdout", &rc);
  CHECK_EQ_INT(rc, 16);
  CHECK_STR(out, "hello from wasi\n");
  free(out);
  extism_plugin_free(p);
}

TEST(wasi_rust_clocks) {
  ExtismPlugin *p = load_plugin("wasi_rs", true);
  long long secs = 0;
  int mono = 0;
  char *out;
  CHECK_EQ_INT(call_str(p, "rs_clocks", NULL), 0);
  out = output_str(p);
  CHECK_EQ_INT(sscanf(out, "%lld %d", &secs, &mono), 2);
  CHECK(llabs(secs - (long long)time(NULL)) <= 5);
  CHECK_EQ_INT(mono, 1);
  free(out);
  extism_plugin_free(p);
}

TEST(wasi_rust_random) {
  ExtismPlugin *p = load_plugin("wasi_rs", true), *q = load_plugin("wasi_rs", true);
  char *a, *b, *c;
  CHECK_EQ_INT(call_str(p, "rs_random", NULL), 0);
  a = output_str(p);
  CHECK_EQ_INT(call_str(p, "rs_random", NULL), 0);
  b = output_str(p);
  CHECK_EQ_INT(call_str(q, "rs_random", NULL), 0);
  c = output_str(q);
  CHECK_EQ_INT(strlen(a), 32);
  CHECK(strcmp(a, b) != 0);
  CHECK(strcmp(a, c) != 0);
  CHECK(strcmp(a, "00000000000000000000000000000000") != 0);
  free(a);
  free(b);
  free(c);
  extism_plugin_free(p);
  extism_plugin_free(q);
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* std::thread::sleep is poll_oneoff with a clock subscription. */
TEST(wasi_rust_sleep) {
  ExtismPlugin *p = load_plugin("wasi_rs", true);
  double start = now_ms(), took;
  char *out;
  CHECK_EQ_INT(call_str(p, "rs_sleep", "60"), 0);
  took = now_ms() - start;
  out = output_str(p);
  CHECK(atoi(out) >= 60);
  CHECK(took >= 55 && took < 2000);
  free(out);
  extism_plugin_free(p);
}

/* A sleeping plugin is still bound by timeout_ms and cancel (upstream sleeps through both). */
TEST_NOT_UPSTREAM(wasi_sleep_obeys_timeout, "sleeps until the sleep ends (upstream issue 860)") {
  char *m = manifest_for("wasi_rs", ",\"timeout_ms\":200");
  ExtismPlugin *p = plugin_from_text(m, true);
  double start, took;
  free(m);
  start = now_ms();
  CHECK_EQ_INT(call_str(p, "rs_sleep", "5000"), 134);
  took = now_ms() - start;
  CHECK_STR(extism_plugin_error(p), "timeout");
  CHECK(took >= 190 && took < 1500);
  CHECK_EQ_INT(call_str(p, "rs_sleep", "10"), 0);
  extism_plugin_free(p);
}

TEST(wasi_rust_exit) {
  ExtismPlugin *p = load_plugin("wasi_rs", true);
  CHECK_EQ_INT(call_str(p, "rs_exit", "0"), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "rs_exit", "7"), 7);
  CHECK_NOT_NULL(extism_plugin_error(p));
  /* upstream: exit codes must be below 126, else the call fails */
  CHECK_EQ_INT(call_str(p, "rs_exit", "126"), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "globals", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

static void check_call(ExtismPlugin *p, const char *fn, const char *input, int rc,
                       const char *output, const char *error) {
  int got = call_str(p, fn, input);
  if (got != rc)
    harness_note("%s(\"%s\"): rc %d (%s)", fn, input, got,
                 extism_plugin_error(p) ? extism_plugin_error(p) : "no error");
  CHECK_EQ_INT(got, rc);
  if (output)
    CHECK_OUTPUT(p, output);
  CHECK_STR(extism_plugin_error(p), error);
}

TEST(wasi_rust_files) {
  struct tree t;
  ExtismPlugin *p;
  size_t len = 0;
  char path[160], *content;
  make_tree(&t);
  p = tree_plugin(&t, "wasi_rs", "");
  check_call(p, "rs_read", "/data/data.txt", 0, "hello world!", NULL);
  check_call(p, "rs_read", "/data/in_link", 0, "hello world!", NULL);
  check_call(p, "rs_read", "/data/../secret/s.txt", -1, NULL,
             "read: Operation not permitted (os error 63)");
  check_call(p, "rs_read", "/data/rel_out", -1, NULL, "read: Operation not permitted (os error 63)");
  check_call(p, "rs_read", "/data/abs_link", -1, NULL, "read: Operation not permitted (os error 63)");
  check_call(p, "rs_read", "/data/etc_dir/passwd", -1, NULL,
             "read: Operation not permitted (os error 63)");
  check_call(p, "rs_read", "/etc/passwd", -1, NULL, "read: No such file or directory (os error 44)");
  check_call(p, "rs_read", "data.txt", -1, NULL, "read: No such file or directory (os error 44)");
  check_call(p, "rs_stat", "/data/sub", 0, "dir", NULL);
  check_call(p, "rs_stat", "/data/data.txt", 0, "file 12", NULL);
  check_call(p, "rs_list", "/data", 0, "abs_link,data.txt,etc_dir,in_link,in_link2,rel_out,sub", NULL);
  check_call(p, "rs_fs_ops", "/data", 0,
             "mkdir;write;append;list=a.txt;rename;size=5;read=abcde;rmdir_full=refused;unlink;rmdir;"
             "gone=1",
             NULL);
  check_call(p, "rs_write", "/data/w.txt\nwritten", 0, "ok", NULL);
  check_call(p, "rs_read", "/data/w.txt", 0, "written", NULL);
  check_call(p, "rs_write", "/data/../w.txt\nescaped", -1, NULL,
             "write: Operation not permitted (os error 63)");
  extism_plugin_free(p);
  snprintf(path, sizeof path, "%s/w.txt", t.data);
  content = (char *)read_file(path, &len);
  CHECK_STR(content, "written");
  free(content);
  CHECK(!exists_in(&t, "w.txt"));
  CHECK(!exists_in(&t, "data/ops"));
  remove_tree_at(t.root);
}

TEST(wasi_rust_files_read_only) {
  struct tree t;
  ExtismPlugin *p;
  make_tree(&t);
  p = tree_plugin(&t, "wasi_rs", "ro:");
  check_call(p, "rs_read", "/data/data.txt", 0, "hello world!", NULL);
  check_call(p, "rs_list", "/data/sub", 0, "f", NULL);
  check_call(p, "rs_fs_ops", "/data", -1, NULL, "mkdir: Operation not permitted (os error 63)");
  check_call(p, "rs_write", "/data/w.txt\nx", -1, NULL, "write: Operation not permitted (os error 63)");
  check_call(p, "rs_write", "/data/data.txt\nx", -1, NULL,
             "write: Operation not permitted (os error 63)");
  check_call(p, "rs_read", "/data/data.txt", 0, "hello world!", NULL);
  extism_plugin_free(p);
  CHECK(!exists_in(&t, "data/w.txt"));
  CHECK(!exists_in(&t, "data/ops"));
  remove_tree_at(t.root);
}

/* ---- the wasi-libc plugin (wasi_libc: printf, fopen, opendir, time) ---- */

TEST(wasi_libc_stdio) {
  ExtismPlugin *p = load_plugin("wasi_libc", true);
  int rc = 0;
  char *out = capture_fd(1, p, "c_hello", &rc);
  CHECK_EQ_INT(rc, 0);
  CHECK_STR(out, "");
  CHECK_OUTPUT(p, "ok");
  free(out);
  extism_plugin_free(p);
  setenv("EXTISM_ENABLE_WASI_OUTPUT", "1", 1);
  p = load_plugin("wasi_libc", true);
  out = capture_fd_quiet(1, 2, p, "c_hello", &rc);
  CHECK_EQ_INT(rc, 0);
  CHECK_STR(out, "hello from c stdout\n");
  free(out);
  extism_plugin_free(p);
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts a '/'-terminated list of names in place; returns it joined with ','. */
static char *sorted_names(char *list) {
  char *names[64], *s = list, *out = calloc(1, strlen(list) + 2);
  size_t n = 0, i;
  while (*s && n < 64) {
    char *end = strchr(s, '/');
    if (!end)
      break;
    *end = 0;
    names[n++] = s;
    s = end + 1;
  }
  qsort(names, n, sizeof names[0], cmp_str);
  for (i = 0; i < n; i++) {
    if (i)
      strcat(out, ",");
    strcat(out, names[i]);
  }
  return out;
}

TEST(wasi_libc_files) {
  struct tree t;
  ExtismPlugin *p;
  char *list, *sorted;
  make_tree(&t);
  p = tree_plugin(&t, "wasi_libc", "");
  check_call(p, "c_read", "/data/data.txt", 0, "hello world!", NULL);
  check_call(p, "c_read", "/data/../secret/s.txt", 1, NULL,
             "fopen /data/../secret/s.txt: Operation not permitted");
  check_call(p, "c_read", "/data/rel_out", 1, NULL, "fopen /data/rel_out: Operation not permitted");
  check_call(p, "c_write", "/data/cw.txt\nfrom c", 0, "ok", NULL);
  check_call(p, "c_read", "/data/cw.txt", 0, "from c", NULL);
  CHECK_EQ_INT(call_str(p, "c_list", "/data"), 0);
  list = output_str(p);
  sorted = sorted_names(list);
  CHECK_STR(sorted, "abs_link,cw.txt,data.txt,etc_dir,in_link,in_link2,rel_out,sub");
  free(list);
  free(sorted);
  extism_plugin_free(p);
  remove_tree_at(t.root);
}

TEST(wasi_libc_time) {
  ExtismPlugin *p = load_plugin("wasi_libc", true);
  char *out;
  CHECK_EQ_INT(call_str(p, "c_time", NULL), 0);
  out = output_str(p);
  CHECK(llabs(atoll(out) - (long long)time(NULL)) <= 5);
  free(out);
  extism_plugin_free(p);
}

/* A command module: fds stay open between calls, and after `_start` the plugin starts over with
 * fresh WASI state (only the preopens). */
TEST(wasi_command_state_after_start) {
  struct tree t;
  ExtismPlugin *p;
  make_tree(&t);
  p = tree_plugin(&t, "wasi_command", "");
  CHECK_EQ_INT(call_str(p, "open", NULL), 4);
  CHECK_EQ_INT(call_str(p, "open", NULL), 5);
  CHECK_EQ_INT(call_str(p, "close4", NULL), 0);
  CHECK_EQ_INT(call_str(p, "open", NULL), 4);
  CHECK_EQ_INT(call_str(p, "_start", NULL), 0);
  CHECK_EQ_INT(call_str(p, "close4", NULL), 8);
  CHECK_EQ_INT(call_str(p, "open", NULL), 4);
  CHECK_EQ_INT(call_str(p, "open", NULL), 5);
  extism_plugin_free(p);
  remove_tree_at(t.root);
}
