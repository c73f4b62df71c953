/* A WASI reactor in C on wasi-libc (clang --target=wasm32-wasi -mexec-model=reactor): stdio, files
 * through preopens, time. Paths come in the input; failures set the error and return 1. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../wasm_abi.h"

static char *input_str(void) {
  u64 n = x_input_length(), i;
  char *s = malloc(n + 1);
  for (i = 0; i < n; i++)
    s[i] = (char)x_input_load_u8(i);
  s[n] = 0;
  return s;
}

static void output_bytes(const char *s, u64 n) {
  u64 p = x_alloc(n), i;
  for (i = 0; i < n; i++)
    x_store_u8(p + i, (u8)s[i]);
  x_output_set(p, n);
}

static i32 fail(const char *op, const char *path) {
  char buf[512];
  snprintf(buf, sizeof buf, "%s %s: %s", op, path, strerror(errno));
  x_error_set(kstr(buf));
  return 1;
}

/* printf to stdout and fprintf to stderr. */
EXPORT("c_hello") i32 c_hello(void) {
  printf("hello from c stdout\n");
  fprintf(stderr, "hello from c stderr\n");
  fflush(stdout);
  output_bytes("ok", 2);
  return 0;
}

/* Reads the file named by the input. */
EXPORT("c_read") i32 c_read(void) {
  char *path = input_str(), buf[4096];
  size_t n;
  FILE *f = fopen(path, "r");
  if (!f)
    return fail("fopen", path);
  n = fread(buf, 1, sizeof buf, f);
  fclose(f);
  output_bytes(buf, n);
  free(path);
  return 0;
}

/* Input `path\ncontent`: writes the file. */
EXPORT("c_write") i32 c_write(void) {
  char *path = input_str(), *content = strchr(path, '\n');
  FILE *f;
  if (content)
    *content++ = 0;
  else
    content = "";
  f = fopen(path, "w");
  if (!f)
    return fail("fopen", path);
  fputs(content, f);
  if (fclose(f) != 0)
    return fail("fclose", path);
  output_bytes("ok", 2);
  free(path);
  return 0;
}

/* Entry names of the input directory in readdir order, '/'-terminated, skipping . and .. */
EXPORT("c_list") i32 c_list(void) {
  char *path = input_str(), out[4096];
  size_t used = 0;
  struct dirent *e;
  DIR *d = opendir(path);
  if (!d)
    return fail("opendir", path);
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
      continue;
    if (used + n + 1 < sizeof out) {
      memcpy(out + used, e->d_name, n);
      used += n;
      out[used++] = '/';
    }
  }
  closedir(d);
  output_bytes(out, used);
  free(path);
  return 0;
}

/* time(NULL) as decimal text. */
EXPORT("c_time") i32 c_time(void) {
  char buf[32];
  int n = snprintf(buf, sizeof buf, "%lld", (long long)time(NULL));
  output_bytes(buf, (u64)n);
  return 0;
}
