/* The firmware: the no_std libextism on a bare microcontroller, no OS, no threads; the same code for
 * both boards (board.h: QEMU's Cortex-M4F mps2-an386 and RISC-V virt).
 *
 * It installs the host hooks (heap over a static arena, a clock from the board's timer, a stand-in
 * RNG, a log sink on the semihosting console), then, with the plugin compiled into the image
 * (firmware/plugin.c, one 64 KiB page of linear memory):
 *   1. creates it with extism_plugin_new from a manifest naming the bytes in flash, calls
 *      count_vowels with an input and prints the output, the time of the call and the RAM it took;
 *   2. stops a looping export with a fuel limit (extism_plugin_new_with_fuel_limit);
 *   3. stops it with timeout_ms, measured on the board's timer (SysTick, mtime);
 *   4. runs a long export as a stepped call, a slice of fuel per turn of the main loop;
 *   5. checks the failure paths: a trap, a missing export, an input larger than the kernel arena,
 *      endless recursion (whose call stack stays within extism_x_call_stack_bytes and is given back),
 *      a plugin too large for the heap, each an error code and a message, never a fault;
 *   6. checks what the lean feature set (FW_FEATURES in the root Makefile) leaves out: a TOML manifest,
 *      a plugin importing wasi_snapshot_preview1 and a plugin using SIMD are each refused by
 *      extism_plugin_new with an error naming the missing cargo feature;
 *   7. sets a memory budget per plugin (extism_x_set_memory_budget): the plugin too large for the heap
 *      is refused at creation and a plugin growing its memory without end is stopped, both before
 *      the heap is asked for more than it has;
 *   8. runs count_vowels built with each PDK (Rust extism-pdk, AssemblyScript, C on our header), prints
 *      the RAM each takes by part and runs each again inside a heap cut to its RAM goal
 *      (pdk_plugins.c);
 *   9. serves a plugin's HTTP requests from a table in flash through the host's handler, at once in
 *      plain calls and from the main loop in a stepped call (http_table.c);
 *   10. restores a state of the Rust PDK plugin saved by the host build, embedded in flash, and calls
 *      it; saves it on the board, frees it, restores and calls again (pdk_plugins.c);
 * and exits through semihosting with 0 only if every step gave the expected result.
 * `make firmware-test` runs it under QEMU and checks the lines marked "ok"/"FAIL" and the status. */
#include <string.h>

#include "board.h"
#include "extism.h"
#include "http_table.h"
#include "pdk_plugins.h"
#include "report.h"

/* The plugins, in flash (plugins.S): plugin.wasm and the same code declaring 16 MiB of memory. */
extern const uint8_t plugin_wasm[], plugin_wasm_end[];
extern const uint8_t plugin_big_wasm[], plugin_big_wasm_end[];
/* The Rust PDK plugin's bytes (step 8), also the source of an input larger than the kernel arena. */
extern const uint8_t pdk_rust_wasm[], pdk_rust_wasm_end[];
#define BIG_INPUT_BYTES 16384

/* ---- host hooks ---- */
static uint64_t clock_ns(void *user_data) {
  (void)user_data;
  return board_now_ns();
}

/* The board has no calendar: time since reset, shown as 1970 + uptime. */
static uint64_t wall_clock_ns(void *user_data) {
  (void)user_data;
  return board_now_ns();
}

/* Neither board has a hardware RNG: a stand-in (splitmix64, seeded from the clock; NOT secure). A real
 * board feeds its TRNG here. */
static bool random_bytes(void *user_data, uint8_t *buf, size_t len) {
  uint64_t *state = user_data;
  for (size_t i = 0; i < len; i++) {
    uint64_t z = (*state += 0x9e3779b97f4a7c15u);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
    buf[i] = (uint8_t)(z ^ (z >> 31));
  }
  return true;
}
static uint64_t rng_state;

static void log_sink(void *user_data, const char *line, size_t len) {
  (void)user_data;
  (void)len;
  console("log: ");
  console(line); /* ends with "\n" */
}

/* ---- plugins ---- */

/* A manifest naming `len` bytes at `wasm` (in flash: the library reads them, never writes), with the
 * page budget of a small device, plus `extra` fields. memory.max_pages also sizes the plugin's
 * kernel memory (max_pages + 1 pages reserved up front, without an OS to reserve lazily). */
static size_t manifest(char *out, size_t cap, const uint8_t *wasm, const uint8_t *end, unsigned max_pages,
                       const char *extra) {
  struct text t = {.len = 0};
  add_flash_wasm(&t, wasm, end);
  add(&t, ",\"memory\":{\"max_pages\":");
  add_u64(&t, max_pages);
  add(&t, "}");
  add(&t, extra);
  add(&t, "}");
  size_t n = t.len < cap ? t.len : cap - 1;
  memcpy(out, t.buf, n);
  out[n] = 0;
  return n;
}

static ExtismPlugin *create(const char *what, const uint8_t *wasm, const uint8_t *end, unsigned max_pages,
                            const char *extra, uint64_t fuel) {
  char m[256];
  size_t n = manifest(m, sizeof m, wasm, end, max_pages, extra);
  char *err = NULL;
  ExtismPlugin *p = fuel ? extism_plugin_new_with_fuel_limit((const uint8_t *)m, n, NULL, 0, false, fuel, &err)
                         : extism_plugin_new((const uint8_t *)m, n, NULL, 0, false, &err);
  if (p == NULL) {
    struct text t = {.len = 0};
    add(&t, what);
    add(&t, ": extism_plugin_new failed: ");
    add(&t, err ? err : "(no message)");
    print(&t);
    extism_plugin_new_error_free(err);
  }
  return p;
}

/* Calls `func` with `len` bytes of input and prints "<label>: rc N, error "..."" or the output;
 * returns the rc. */
static int32_t call_n(ExtismPlugin *p, const char *label, const char *func, const uint8_t *input, size_t len,
                      uint64_t *ns) {
  uint64_t t0 = board_now_ns();
  int32_t rc = extism_plugin_call(p, func, input, len);
  uint64_t t1 = board_now_ns();
  if (ns)
    *ns = t1 - t0;
  struct text t = {.len = 0};
  add(&t, label);
  add_call_result(&t, p, rc);
  print(&t);
  return rc;
}

/* `call_n` with a string's bytes. */
static int32_t call(ExtismPlugin *p, const char *label, const char *func, const char *input, uint64_t *ns) {
  return call_n(p, label, func, (const uint8_t *)input, strlen(input), ns);
}

/* Creates a plugin that must be refused: prints "<label>: extism_plugin_new failed: <error>" and returns
 * whether it was refused with an error containing `want`. */
static bool refused_with(const char *label, const char *manifest_text, bool with_wasi, const char *want) {
  char *err = NULL;
  ExtismPlugin *p =
      extism_plugin_new((const uint8_t *)manifest_text, strlen(manifest_text), NULL, 0, with_wasi, &err);
  if (p != NULL) {
    extism_plugin_free(p);
    struct text t = {.len = 0};
    add(&t, label);
    add(&t, ": created (expected a refusal)");
    print(&t);
    return false;
  }
  struct text t = {.len = 0};
  add(&t, label);
  add(&t, ": extism_plugin_new failed: ");
  add(&t, err ? err : "(no message)");
  print(&t);
  bool ok = err != NULL && strstr(err, want) != NULL;
  extism_plugin_new_error_free(err);
  return ok;
}

/* A module whose only content is an import of wasi_snapshot_preview1.fd_write (i32 i32 i32 i32 -> i32). */
static const uint8_t wasi_import_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,                   /* magic, version */
    0x01, 0x09, 0x01, 0x60, 0x04, 0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7f, /* type 0 */
    0x02, 0x23, 0x01, 0x16, 'w', 'a', 's', 'i', '_', 's', 'n', 'a', 'p', 's', 'h', 'o', 't', '_', 'p', 'r',
    'e', 'v', 'i', 'e', 'w', '1', 0x08, 'f', 'd', '_', 'w', 'r', 'i', 't', 'e', 0x00, 0x00, /* the import */
};

/* A module using fixed-width SIMD: (func (export "f") (result i32)
 * (i32x4.extract_lane 0 (v128.const i32x4 7 0 0 0))). */
static const uint8_t simd_wasm[] = {
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x05, 0x01, 0x60, 0x00, 0x01, 0x7f, 0x03, 0x02, 0x01,
    0x00, 0x07, 0x05, 0x01, 0x01, 0x66, 0x00, 0x00, 0x0a, 0x19, 0x01, 0x17, 0x00, 0xfd, 0x0c, 0x07, 0x00, 0x00,
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xfd, 0x1b, 0x00, 0x0b,
};

static bool error_is(ExtismPlugin *p, const char *want) {
  const char *err = extism_plugin_error(p);
  return err != NULL && strstr(err, want) != NULL;
}

static bool output_is(ExtismPlugin *p, const char *want) {
  size_t n = (size_t)extism_plugin_output_length(p);
  return n == strlen(want) && memcmp(extism_plugin_output_data(p), want, n) == 0;
}

static void report_ns(const char *label, uint64_t ns) {
  struct text t = {.len = 0};
  add(&t, label);
  add_u64(&t, ns / 1000);
  add(&t, " us of virtual time = ");
  add_u64(&t, ns);
  add(&t, " guest instructions at -icount shift=0");
  print(&t);
}

extern uint8_t __arena_start[], __arena_end[]; /* from the linker script */

/* Endless recursion: an error code, and the heap the call's stack took, at most
 * extism_x_call_stack_bytes (this image's limits: FW_STACK_LIMITS in firmware.mk), all given back. */
static void recursion_step(void) {
  ExtismPlugin *p = create("recursion", plugin_wasm, plugin_wasm_end, 1, "", 0);
  if (p == NULL) {
    check(false, "endless recursion is an error code, not a fault");
    return;
  }
  /* The first call also translates the function (compiled code the plugin keeps): measure the second. */
  int32_t first = extism_plugin_call(p, "recurse", NULL, 0);
  check(call(p, "warm-up", "count_vowels", "", NULL) == 0, "warm-up call");
  struct heap_stats before = heap_stats();
  heap_reset_peak();
  int32_t rc = call(p, "recursion without end", "recurse", "", NULL);
  size_t peak = heap_stats().peak - before.live;
  check(first == 134 && rc == 134 && error_is(p, "wasm trap: call stack exhausted"),
        "endless recursion is an error code, not a fault");
  check(call(p, "after the recursion", "count_vowels", "aeiou", NULL) == 0 && output_is(p, "{\"count\":5}"),
        "the plugin still works after it");
  struct text t = {.len = 0};
  add(&t, "recursion: the call's stack took ");
  add_u64(&t, peak);
  add(&t, " bytes of heap at its peak, bound ");
  add_u64(&t, extism_x_call_stack_bytes());
  add(&t, ", kept ");
  add_i64(&t, (int64_t)heap_stats().live - (int64_t)before.live);
  print(&t);
  check(peak <= extism_x_call_stack_bytes() && heap_stats().live == before.live,
        "the call's stack stayed within its bound and was given back");
  extism_plugin_free(p);
}

int main(void) {
  struct text t = {.len = 0};
  heap_init(__arena_start, (size_t)(__arena_end - __arena_start));
  /* The allocator first: once the library has allocated anything its heap is fixed. */
  bool hooked = extism_x_set_allocator(heap_alloc, heap_free, NULL);
  add(&t, "heap: ");
  add_u64(&t, heap_stats().size >> 10);
  add(&t, " KiB arena, allocator hook ");
  add(&t, hooked ? "installed" : "REFUSED");
  print(&t);
  if (!hooked)
    return 1;
  timer_start();
  rng_state = board_now_ns() ^ 0x5eedf00dull;
  extism_x_set_clock(clock_ns, NULL);
  extism_x_set_wall_clock(wall_clock_ns, NULL);
  extism_x_set_random(random_bytes, &rng_state);
  extism_x_set_log_sink(log_sink, NULL, "warn");
  add(&t, "libextism ");
  add(&t, extism_version());
  add(&t, " on ");
  add(&t, board_name);
  print(&t);
  struct heap_stats base = heap_stats();

  /* 1. one plugin: create, call, read the output, measure */
  heap_reset_peak();
  uint64_t t0 = board_now_ns();
  ExtismPlugin *p = create("plugin", plugin_wasm, plugin_wasm_end, 1, "", 0);
  uint64_t create_ns = board_now_ns() - t0;
  check(p != NULL, "extism_plugin_new from flash");
  if (p == NULL)
    return 1;
  uint64_t first_ns = 0, second_ns = 0;
  int32_t rc = call(p, "count_vowels(\"Hello, World!\")", "count_vowels", "Hello, World!", &first_ns);
  check(rc == 0 && output_is(p, "{\"count\":3}"), "count_vowels output");
  rc = call(p, "count_vowels(\"Firmware runs plugins\")", "count_vowels", "Firmware runs plugins", &second_ns);
  check(rc == 0 && output_is(p, "{\"count\":6}"), "count_vowels again, same instance");
  report_ns("time: extism_plugin_new (parses and compiles the wasm) ", create_ns);
  report_ns("time: first call (instantiates the plugin) ", first_ns);
  report_ns("time: second call ", second_ns);
  ExtismXCallStats cs;
  if (extism_x_plugin_last_call_stats(p, &cs)) {
    add(&t, "stats: fuel ");
    add_u64(&t, cs.fuel_consumed);
    add(&t, ", linear memory ");
    add_u64(&t, cs.linear_memory_bytes >> 10);
    add(&t, " KiB, kernel memory ");
    add_u64(&t, cs.kernel_memory_bytes >> 10);
    add(&t, " KiB");
    print(&t);
  }
  struct heap_stats one = heap_stats();
  add(&t, "ram: heap peak ");
  add_u64(&t, one.peak - base.live);
  add(&t, " bytes for one plugin (");
  add_u64(&t, (one.peak - base.live + 1023) >> 10);
  add(&t, " KiB), live ");
  add_u64(&t, one.live - base.live);
  add(&t, " bytes");
  print(&t);
  extism_plugin_free(p);

  /* 2. a loop stopped by a fuel limit */
  p = create("fuel", plugin_wasm, plugin_wasm_end, 1, "", 100000);
  if (p != NULL) {
    rc = call(p, "spin with fuel 100000", "spin", "", NULL);
    check(rc != 0 && error_is(p, "fuel"), "fuel limit stops a loop");
    extism_plugin_free(p);
  } else {
    check(false, "fuel limit stops a loop");
  }

  /* 3. a loop stopped by timeout_ms on the board's clock */
  p = create("timeout", plugin_wasm, plugin_wasm_end, 1, ",\"timeout_ms\":50", 0);
  if (p != NULL) {
    uint64_t ms0 = board_ms();
    rc = call(p, "spin with timeout_ms 50", "spin", "", NULL);
    uint64_t ms = board_ms() - ms0;
    add(&t, "timeout: stopped after ");
    add_u64(&t, ms);
    add(&t, " timer ticks (ms)");
    print(&t);
    check(rc == 134 && error_is(p, "timeout") && ms >= 50 && ms < 1000, "timeout_ms stops a loop");
    extism_plugin_free(p);
  } else {
    check(false, "timeout_ms stops a loop");
  }

  /* 4. a stepped call: a slice of fuel per turn of the main loop, the board free in between */
  p = create("stepped", plugin_wasm, plugin_wasm_end, 1, "", 0);
  if (p != NULL && extism_x_call_begin(p, "sum", (const uint8_t *)"20000", 5, NULL)) {
    unsigned turns = 0;
    int32_t step;
    do {
      step = extism_x_call_step(p, 20000);
      turns++; /* ... the main loop's other work goes here ... */
    } while (step == EXTISM_X_STEP_RUNNING && turns < 100000);
    add(&t, "stepped: sum(20000) in ");
    add_u64(&t, turns);
    add(&t, " slices of 20000 fuel: ");
    add_n(&t, extism_plugin_output_data(p), (size_t)extism_plugin_output_length(p));
    print(&t);
    check(step == EXTISM_X_STEP_FINISHED && turns > 1 && output_is(p, "200010000"), "stepped call");
  } else {
    check(false, "stepped call");
  }
  extism_plugin_free(p);

  /* 5. failure paths: each an rc and a message */
  p = create("trap", plugin_wasm, plugin_wasm_end, 1, "", 0);
  if (p != NULL) {
    rc = call(p, "trap", "trap", "", NULL);
    check(rc == 134 && extism_plugin_error(p) != NULL, "a trap is an error code, not a fault");
    rc = call(p, "missing export", "no_such_export", "", NULL);
    check(rc == -1 && extism_plugin_error(p) != NULL, "a missing export is an error code");
    /* An input larger than the kernel arena (EXTISM_KERNEL_ARENA_BYTES in firmware.mk: 8 KiB, under a
     * page, so it never grows): 16 KiB of flash, the start of the Rust PDK plugin's bytes. */
    const char *no_room = "failed to allocate extism memory";
    rc = call_n(p, "input of 16384 bytes", "count_vowels", pdk_rust_wasm, BIG_INPUT_BYTES, NULL);
    check(pdk_rust_wasm_end - pdk_rust_wasm >= BIG_INPUT_BYTES && rc == -1 && extism_plugin_error(p) != NULL &&
              strcmp(extism_plugin_error(p), no_room) == 0,
          "an input larger than the kernel arena is an error code");
    rc = call(p, "after the failures", "count_vowels", "aeiou", NULL);
    check(rc == 0 && output_is(p, "{\"count\":5}"), "the plugin still works after them");
    extism_plugin_free(p);
  } else {
    check(false, "a trap is an error code, not a fault");
  }
  recursion_step();
  p = create("too large", plugin_big_wasm, plugin_big_wasm_end, 256, "", 0);
  bool refused = p == NULL;
  if (p != NULL) {
    rc = call(p, "plugin declaring 16 MiB of memory", "count_vowels", "a", NULL);
    refused = rc != 0 && extism_plugin_error(p) != NULL;
    extism_plugin_free(p);
  }
  add(&t, "heap: ");
  add_u64(&t, heap_stats().refused);
  add(&t, " allocation(s) refused so far");
  print(&t);
  check(refused && heap_stats().refused > 0, "a plugin too large for the heap is refused cleanly");

  /* 6. what the lean feature set leaves out: each refused at creation, with the feature named */
  {
    char m[160];
    struct text tm = {.len = 0};
    add(&tm, "wasm = [{ data = { ptr = ");
    add_u64(&tm, (uintptr_t)plugin_wasm);
    add(&tm, ", len = ");
    add_u64(&tm, (uintptr_t)(plugin_wasm_end - plugin_wasm));
    add(&tm, " } }]\n");
    memcpy(m, tm.buf, tm.len + 1);
    check(refused_with("TOML manifest", m, false,
                       "Unknown manifest format: TOML manifests are not built into this library (cargo feature `toml`)"),
          "a TOML manifest is refused with an error naming the feature");
    manifest(m, sizeof m, wasi_import_wasm, wasi_import_wasm + sizeof wasi_import_wasm, 1, "");
    check(refused_with("plugin importing WASI", m, true, "WASI is not built into this library (cargo feature `wasi`)"),
          "a plugin importing WASI is refused with an error naming the feature");
    manifest(m, sizeof m, simd_wasm, simd_wasm + sizeof simd_wasm, 1, "");
    check(refused_with("plugin using SIMD", m, false, "SIMD is not built into this library (cargo feature `simd`)"),
          "a plugin using SIMD is refused with an error naming the feature");
  }

  /* 7. the memory budget: both stopped before the heap is asked for what it does not have */
  {
    size_t refused_before = heap_stats().refused;
    const char *budget_error = "oom: the plugin's memory budget of 262144 bytes is spent";
    extism_x_set_memory_budget(256 * 1024);
    p = create("too large for the budget", plugin_big_wasm, plugin_big_wasm_end, 256, "", 0);
    check(p == NULL, "a plugin larger than the memory budget is refused at creation");
    extism_plugin_free(p);
    p = create("budget", plugin_wasm, plugin_wasm_end, 256, "", 0);
    if (p != NULL) {
      rc = call(p, "grow without end", "grow", "", NULL);
      const char *err = extism_plugin_error(p);
      check(rc == -1 && err != NULL && strncmp(err, budget_error, strlen(budget_error)) == 0,
            "memory growth is stopped at the budget with an error code");
      rc = call(p, "after the budget", "count_vowels", "aeiou", NULL);
      check(rc == 0 && output_is(p, "{\"count\":5}"), "the plugin still works after it");
      extism_plugin_free(p);
    } else {
      check(false, "memory growth is stopped at the budget with an error code");
    }
    extism_x_set_memory_budget(0);
    check(heap_stats().refused == refused_before, "the heap refused nothing: the budget came first");
  }

  /* 8. plugins built with the real PDKs: outputs, RAM budgets, each run inside its RAM goal */
  pdk_plugins_step();

  /* 9. HTTP through the host's handler, from a table in flash */
  http_table_step();

  /* 10. a plugin state saved by the host build, restored on the board (pdk_plugins.c) */
  saved_state_step();

  /* the end: everything freed, the figures */
  struct heap_stats end = heap_stats();
  check(end.live == base.live, "every plugin freed: heap back where it started");
  add(&t, "heap: peak ");
  add_u64(&t, end.run_peak);
  add(&t, " bytes, live at the end ");
  add_u64(&t, end.live);
  add(&t, " bytes, before the first plugin ");
  add_u64(&t, base.live);
  print(&t);
  add(&t, "stack: peak ");
  add_u64(&t, stack_run_peak_bytes());
  add(&t, " of ");
  add_u64(&t, stack_size_bytes());
  add(&t, " bytes");
  print(&t);
  add(&t, "firmware: ");
  add(&t, failures ? "FAILED, " : "all passed, ");
  add_u64(&t, (uint64_t)failures);
  add(&t, " failure(s)");
  print(&t);
  return failures ? 1 : 0;
}
