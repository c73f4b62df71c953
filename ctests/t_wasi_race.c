/* A preopened directory's subdirectory swapped for a symbolic link to the outside, and back, by a
 * second thread while the plugin reads a file through it in a loop (issue 31): every read gives the
 * inside file or fails, none the outside one. Resolving by host path after a check let about one
 * read in fifteen through; both libraries resolve from a held directory handle. Plugin: rw
 * (PDK, wasm32-wasip1), try_read reading the config's `path`. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

struct swap_dirs {
  char root[64];
  char sub[128], real[128], secret[128];
  volatile int stop;
  volatile int swaps;
};

static void write_text(const char *dir, const char *text) {
  char path[192];
  FILE *f;
  snprintf(path, sizeof path, "%s/data.txt", dir);
  f = fopen(path, "w");
  REQUIRE_NOT_NULL(f);
  fputs(text, f);
  fclose(f);
}

static void *swapper(void *arg) {
  struct swap_dirs *d = arg;
  while (!d->stop) {
    if (rename(d->sub, d->real) != 0 || symlink(d->secret, d->sub) != 0 || unlink(d->sub) != 0 ||
        rename(d->real, d->sub) != 0)
      break;
    d->swaps++;
  }
  return NULL;
}

/* 160 (paths stay below the preopen), under a concurrent swap */
TEST(wasi_swapped_directory_never_leads_outside) {
  struct swap_dirs d;
  char data[128], extra[512], path[192];
  char *m, *err = NULL;
  ExtismPlugin *p;
  pthread_t thread;
  int i, inside = 0, refused = 0, outside = 0;
  memset(&d, 0, sizeof d);
  strcpy(d.root, "/tmp/extism-ctests-race-XXXXXX");
  REQUIRE(mkdtemp(d.root) != NULL);
  snprintf(data, sizeof data, "%s/data", d.root);
  snprintf(d.sub, sizeof d.sub, "%s/data/sub", d.root);
  snprintf(d.real, sizeof d.real, "%s/data/real", d.root);
  snprintf(d.secret, sizeof d.secret, "%s/secret", d.root);
  REQUIRE(mkdir(data, 0700) == 0 && mkdir(d.sub, 0700) == 0 && mkdir(d.secret, 0700) == 0);
  write_text(d.sub, "inside");
  write_text(d.secret, "secret");

  snprintf(extra, sizeof extra,
           ",\"allowed_paths\":{\"%s\":\"/data\"},\"config\":{\"path\":\"/data/sub/data.txt\"}", data);
  m = manifest_for("rw", extra);
  p = extism_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, true, &err);
  free(m);
  if (!CHECK_NOT_NULL(p)) {
    printf("    %s\n", err ? err : "NULL");
    extism_plugin_new_error_free(err);
    return;
  }
  REQUIRE(pthread_create(&thread, NULL, swapper, &d) == 0);
  /* At least 2,000 reads and 100 swaps, and one read between swaps (a loaded machine may start
   * the swapper late or run it long): up to 200,000 reads. */
  for (i = 0; i < 200000 && !(i >= 2000 && d.swaps >= 100 && inside > 0); i++) {
    if (call_str(p, "try_read", NULL) == 0) {
      ExtismSize len = extism_plugin_output_length(p);
      const uint8_t *out = extism_plugin_output_data(p);
      if (len == 6 && memcmp(out, "inside", 6) == 0)
        inside++;
      else
        outside++;
    } else {
      refused++;
    }
  }
  d.stop = 1;
  pthread_join(thread, NULL);
  extism_plugin_free(p);
  if (outside || d.swaps < 100 || inside == 0)
    printf("    %d reads: %d left the preopen, %d inside, %d refused; %d swaps\n", i, outside, inside, refused,
           d.swaps);
  CHECK_EQ_INT(outside, 0);
  CHECK(d.swaps >= 100 && inside > 0);

  snprintf(path, sizeof path, "%s/data.txt", d.sub);
  unlink(path);
  rmdir(d.sub);
  rmdir(d.real);
  rmdir(data);
  snprintf(path, sizeof path, "%s/data.txt", d.secret);
  unlink(path);
  rmdir(d.secret);
  rmdir(d.root);
}
