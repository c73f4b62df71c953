/* `make size`: heap one loaded plugin takes, measured through the allocator hook (no_std library).
 *
 *   usage: size-heap <label> <plugin.wasm or "-" for an empty module> [function input]
 *
 * Counts every block the library takes through extism_x_set_allocator (over malloc) and prints one
 * line: the peak while the plugin is created (and called, when a function is given), the bytes
 * still held by the idle plugin afterwards, how many of those are wasm linear memory (blocks
 * that are whole wasm pages: the plugin's memory and the kernel's), and the rest. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "extism.h"

static size_t live, peak, pages_live;

static int is_pages(size_t size) { return size >= 65536 && size % 65536 == 0; }

static void *count_alloc(void *user, size_t size, size_t align) {
  void *p = NULL;
  (void)user;
  if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size))
    return NULL;
  live += size;
  pages_live += is_pages(size) ? size : 0;
  if (live > peak)
    peak = live;
  return p;
}

static void count_free(void *user, void *ptr, size_t size, size_t align) {
  (void)user, (void)align;
  live -= size;
  pages_live -= is_pages(size) ? size : 0;
  free(ptr);
}

int main(int argc, char **argv) {
  static const uint8_t empty[] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  uint8_t *wasm = (uint8_t *)empty;
  size_t len = sizeof empty, before;
  char *err = NULL;
  ExtismPlugin *p;
  if (argc != 3 && argc != 5) {
    fprintf(stderr, "usage: size-heap <label> <plugin.wasm|-> [function input]\n");
    return 2;
  }
  if (!extism_x_set_allocator(count_alloc, count_free, NULL)) {
    fprintf(stderr, "size-heap: extism_x_set_allocator failed (not the no_std library?)\n");
    return 1;
  }
  if (strcmp(argv[2], "-")) {
    FILE *f = fopen(argv[2], "rb");
    if (!f || fseek(f, 0, SEEK_END) || (len = (size_t)ftell(f), fseek(f, 0, SEEK_SET)) ||
        !(wasm = malloc(len)) || fread(wasm, 1, len, f) != len) {
      fprintf(stderr, "size-heap: cannot read %s\n", argv[2]);
      return 1;
    }
    fclose(f);
  }
  before = live;
  peak = live;
  p = extism_plugin_new(wasm, len, NULL, 0, false, &err);
  if (!p) {
    fprintf(stderr, "size-heap: %s\n", err ? err : "create failed");
    return 1;
  }
  if (argc == 5 && extism_plugin_call(p, argv[3], (const uint8_t *)argv[4], strlen(argv[4])) != 0) {
    fprintf(stderr, "size-heap: call failed: %s\n", extism_plugin_error(p));
    return 1;
  }
  printf("| %s | %zu KiB | %zu KiB | %zu KiB | %zu KiB |\n", argv[1], (peak - before) / 1024,
         (live - before) / 1024, pages_live / 1024, (live - before - pages_live) / 1024);
  extism_plugin_free(p);
  return 0;
}
