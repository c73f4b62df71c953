/* make firmware-bench, our side: the kernels (bench/fw/kernels_fw.c) as an Extism plugin through the
 * public C API only, on the firmware's library, board files and heap (firmware/). Prints the figures
 * bench/fw/report.py reads (measure.h); exits 0 only if every call gave the right result. */
#include <string.h>

#include "extism.h"
#include "measure.h"

static uint64_t clock_ns(void *user_data) {
  (void)user_data;
  return board_now_ns();
}

static bool call_ok(ExtismPlugin *p, const char *func) { return extism_plugin_call(p, func, NULL, 0) == 0; }

/* A plugin of the kernels: metered through extism_plugin_new as an upstream host makes it, or
 * unmetered (extism_x_compiled_plugin_new_unmetered, then a plugin from it). */
static ExtismPlugin *create(bool metered, char **err) {
  const uint64_t len = (uint64_t)(kernels_wasm_end - kernels_wasm);
  if (metered)
    return extism_plugin_new(kernels_wasm, len, NULL, 0, false, err);
  ExtismCompiledPlugin *c = extism_x_compiled_plugin_new_unmetered(kernels_wasm, len, NULL, 0, false, err);
  if (!c)
    return NULL;
  ExtismPlugin *p = extism_plugin_new_from_compiled(c, err);
  extism_compiled_plugin_free(c);
  return p;
}

/* One pass over the rows; `prefix` names them ("" metered, "unmetered_" unmetered). */
static bool measure(bool metered, const char *prefix) {
  char row[48];
  bool ok = true;
  uint64_t t0 = board_now_ns();
  char *err = NULL;
  ExtismPlugin *p = create(metered, &err);
  uint64_t t1 = board_now_ns();
  if (!check("ours", metered ? "create" : "create unmetered", p != NULL)) {
    console(err ? err : "(no message)");
    console("\n");
    return false;
  }
  ok &= check("ours", "first call", call_ok(p, "trivial"));
  uint64_t t2 = board_now_ns();
#define ROW(name) (strcpy(row, prefix), strcat(row, name), row)
  emit("ours", ROW("create"), t1 - t0);
  emit("ours", ROW("create_first_call"), t2 - t0);

  bool calls_ok = true;
  uint64_t t3 = board_now_ns();
  for (unsigned i = 0; i < TRIVIAL_CALLS; i++)
    calls_ok &= call_ok(p, "trivial");
  uint64_t t4 = board_now_ns();
  ok &= check("ours", "trivial", calls_ok);
  emit("ours", ROW("trivial_call"), (t4 - t3) / TRIVIAL_CALLS);

  static const char *const kernels[] = {"fib20", "sum"};
  for (unsigned k = 0; k < 2; k++) {
    bool r = call_ok(p, kernels[k]); /* the first call may translate the export: not timed */
    uint64_t a = board_now_ns();
    r &= call_ok(p, kernels[k]);
    uint64_t b = board_now_ns();
    ok &= check("ours", kernels[k], r);
    emit("ours", ROW(kernels[k]), b - a);
  }
#undef ROW
  if (metered)
    emit_ram("ours");
  extism_plugin_free(p);
  return ok;
}

int main(void) {
  heap_init(__arena_start, (size_t)(__arena_end - __arena_start));
  if (!extism_x_set_allocator(heap_alloc, heap_free, NULL))
    return 1;
  timer_start();
  extism_x_set_clock(clock_ns, NULL);
  bool ok = measure(true, "");
  ok &= measure(false, "unmetered_");
  ok &= check("ours", "heap given back", heap_stats().live == 0);
  return ok ? 0 : 1;
}
