/* Step 8: plugins written with the Extism PDKs, on the board. Three builds of one plugin, count_vowels
 * with a config key and a var (ctests/plugins/pdk/c1's behaviour), each built for a small memory by
 * firmware/firmware.mk:
 *   rust-pdk  ctests/plugins/pdk/c1 on the official `extism-pdk` crate, as c1_fw: a 16 KiB shadow
 *             stack and its heap inside its one page
 *   as-pdk    firmware/pdk/count_vowels.ts on the official `@extism/as-pdk`
 *   c-pdk     firmware/pdk/count_vowels.c on our header firmware/pdk/extism-pdk.h, with no linear
 *             memory at all (0 pages: everything in kernel memory and wasm locals)
 *
 * For each, two runs of its whole life (compile, make a plugin, call it, free both) and at times a
 * third:
 *   1. measured: the heap counted after each stage, so that the RAM it takes splits into its parts
 *      (one "pdk-budget:" line; firmware/size-report.py renders them as a table);
 *   2. proven: the same run with the heap cut (heap_set_limit) to what a RAM size leaves once the
 *      image's .data + .bss and a stack reserve are counted: the plugin's RAM goal if the measured
 *      run fitted it, else what the measured run needed (the line says by how much that is over the
 *      goal), so that the figure is shown to hold on this board, not only computed; and a plugin
 *      over its goal is run once more inside the goal, where it must fail cleanly. */
#include "pdk_plugins.h"

#include <string.h>

#include "board.h"
#include "extism.h"
#include "report.h"

extern const uint8_t pdk_rust_wasm[], pdk_rust_wasm_end[];
extern const uint8_t pdk_as_wasm[], pdk_as_wasm_end[];
extern const uint8_t pdk_c_wasm[], pdk_c_wasm_end[];
extern const uint8_t pdk_rust_state[], pdk_rust_state_end[];
extern uint8_t __data_start[], __bss_end[]; /* from the linker script: .data then .bss */

/* The stack this step may use, reserved out of each goal (the step checks its real peak against it:
 * main's frames, the library's calls and the interpreter's native frames). */
#define STACK_RESERVE (16u * 1024u)

struct pdk_plugin {
  const char *name;
  const uint8_t *wasm, *end;
  uint32_t goal;     /* RAM in all, bytes: issue 24's aims (the AssemblyScript one: a 256 KiB part) */
  bool errors_empty; /* the plugin answers an empty input with an error (rc 1) */
  bool no_memory;    /* built to declare a memory of 0 pages (firmware.mk): its calls must show none */
};

/* Where the heap stood after each stage of one plugin's life (bytes live, from `before`). */
struct stages {
  size_t before, compiled, created, held, plugin_freed, all_freed, peak, top;
  uint64_t linear, kernel;
  bool call_stats; /* linear and kernel came from extism_x_plugin_last_call_stats */
  size_t stack;
};

static void log_line(void *user_data, const char *line, size_t len) {
  (void)user_data;
  (void)len;
  console("log: ");
  console(line); /* ends with "\n" */
}

static bool call_expect(ExtismPlugin *p, const char *name, const char *input, int32_t want_rc, const char *want,
                        bool print_it) {
  int32_t rc = extism_plugin_call(p, "count_vowels", (const uint8_t *)input, strlen(input));
  const char *err = extism_plugin_error(p);
  size_t n = (size_t)extism_plugin_output_length(p);
  bool ok = rc == want_rc && (rc == 0 ? err == NULL && n == strlen(want) &&
                                            memcmp(extism_plugin_output_data(p), want, n) == 0
                                      : err != NULL && strcmp(err, want) == 0);
  if (print_it || !ok) {
    struct text t = {.len = 0};
    add(&t, name);
    add(&t, " count_vowels(\"");
    add(&t, input);
    add(&t, "\"): rc ");
    add_i64(&t, rc);
    if (err != NULL) {
      add(&t, ", error \"");
      add(&t, err);
      add(&t, "\"");
    } else {
      add(&t, ", output ");
      add_n(&t, extism_plugin_output_data(p), n);
    }
    print(&t);
  }
  return ok;
}

/* One life of the plugin: compile, create, two calls (and an empty input where it is an error),
 * free. Fills *s; returns whether every call answered as expected. `print_it`: print the calls. */
static bool run(const struct pdk_plugin *pl, struct stages *s, bool print_it) {
  char m[200];
  struct text t = {.len = 0};
  add_flash_wasm(&t, pl->wasm, pl->end);
  add(&t, ",\"config\":{\"vowels\":\"aeiouy\"}}");
  memcpy(m, t.buf, t.len + 1);
  t.len = 0;

  *s = (struct stages){.before = heap_stats().live};
  stack_repaint();
  heap_reset_peak();
  char *err = NULL;
  ExtismCompiledPlugin *c = extism_compiled_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, false, &err);
  s->compiled = heap_stats().live;
  ExtismPlugin *p = c ? extism_plugin_new_from_compiled(c, &err) : NULL;
  s->created = heap_stats().live;
  bool ok = p != NULL;
  if (p == NULL) {
    add(&t, pl->name);
    add(&t, ": plugin creation failed: ");
    add(&t, err ? err : "(no message)");
    print(&t);
    extism_plugin_new_error_free(err);
  } else {
    extism_x_plugin_set_log_sink(p, log_line, NULL, "info");
    /* config "aeiouy": y counts, capitals do not; the var `total` carries over between calls */
    ok = call_expect(p, pl->name, "Hello, World!", 0, "{\"count\":3,\"total\":3,\"vowels\":\"aeiouy\"}", print_it);
    ok = call_expect(p, pl->name, "Tiny plugins, tiny MCU", 0, "{\"count\":6,\"total\":9,\"vowels\":\"aeiouy\"}",
                     print_it) && ok;
    s->held = heap_stats().live;
    ExtismXCallStats cs;
    if (extism_x_plugin_last_call_stats(p, &cs)) {
      s->call_stats = true;
      s->linear = cs.linear_memory_bytes;
      s->kernel = cs.kernel_memory_bytes;
    }
    if (pl->errors_empty)
      ok = call_expect(p, pl->name, "", 1, "count_vowels: no input", print_it) && ok;
  }
  extism_plugin_free(p);
  s->plugin_freed = heap_stats().live;
  extism_compiled_plugin_free(c);
  struct heap_stats h = heap_stats();
  s->all_freed = h.live;
  s->peak = h.peak;
  s->top = h.top;
  s->stack = stack_peak_bytes();
  return ok;
}

static void field(struct text *t, const char *key, int64_t value) {
  add(t, " ");
  add(t, key);
  add(t, "=");
  add_i64(t, value);
}

/* The budget line: every figure in bytes; size-report.py reads it. The parts of what the idle
 * plugin holds after its calls:
 *   module    the engine's parsed and validated module (it keeps every function's wasm bytes
 *             until that function is translated);
 *   code      what the engine translated (on first calls; kept by the compiled plugin for every
 *             plugin made from it: what freeing the plugin alone leaves);
 *   state     what creating the plugin took besides kernel memory: our handle, store and registers
 *             (a module with a start function is instantiated then: AssemblyScript's);
 *   kernel    the kernel's arena; linear: the plugin's linear memory;
 *   instance  the rest: the engine's instance, and the vars.
 * "call" is the most the calls took on top of what the plugin holds after them: the interpreter's
 * call stack and the call's buffers (the stack: at most extism_x_call_stack_bytes). */
static void report(const struct pdk_plugin *pl, const struct stages *s, size_t statics, size_t proven) {
  int64_t module = (int64_t)(s->compiled - s->before);
  int64_t code = (int64_t)s->plugin_freed - (int64_t)s->compiled;
  int64_t state = (int64_t)(s->created - s->compiled) - (int64_t)s->kernel;
  int64_t held = (int64_t)(s->held - s->before);
  int64_t instance = held - module - code - state - (int64_t)s->kernel - (int64_t)s->linear;
  struct text t = {.len = 0};
  add(&t, "pdk-budget: ");
  add(&t, pl->name);
  field(&t, "wasm", pl->end - pl->wasm);
  field(&t, "peak", (int64_t)(s->peak - s->before));
  field(&t, "held", held);
  field(&t, "module", module);
  field(&t, "code", code);
  field(&t, "state", state);
  field(&t, "kernel", (int64_t)s->kernel);
  field(&t, "linear", (int64_t)s->linear);
  field(&t, "instance", instance);
  field(&t, "call", (int64_t)(s->peak - s->held));
  field(&t, "globals", (int64_t)s->before);
  field(&t, "heap_top", (int64_t)s->top);
  field(&t, "stack", (int64_t)s->stack);
  field(&t, "static", (int64_t)statics);
  field(&t, "total", (int64_t)(statics + s->stack + s->top));
  field(&t, "proven", (int64_t)proven);
  field(&t, "goal", pl->goal);
  print(&t);
}

/* A plugin over its goal, run inside the goal: it must fail with an error (printed by run) and
 * leave the heap as it found it, never fault. */
static void goal_refusal(const struct pdk_plugin *pl, size_t statics) {
  struct text t = {.len = 0};
  add(&t, pl->name);
  add(&t, ": inside its goal of ");
  add_u64(&t, pl->goal >> 10);
  add(&t, " KiB (heap cut to ");
  add_u64(&t, pl->goal - statics - STACK_RESERVE);
  add(&t, " bytes):");
  print(&t);
  heap_set_limit(pl->goal - statics - STACK_RESERVE);
  struct stages s;
  bool ran = run(pl, &s, false);
  heap_set_limit(0);
  add(&t, pl->name);
  add(&t, ": over its goal, refused with an error and nothing kept");
  check(!ran && s.all_freed == s.before, t.buf);
}

static size_t round_up_kib(size_t n) { return (n + 1023u) & ~(size_t)1023u; }

void pdk_plugins_step(void) {
  const struct pdk_plugin plugins[] = {
      {"rust-pdk", pdk_rust_wasm, pdk_rust_wasm_end, 256u * 1024u, false, false},
      {"as-pdk", pdk_as_wasm, pdk_as_wasm_end, 256u * 1024u, true, false},
      {"c-pdk", pdk_c_wasm, pdk_c_wasm_end, 96u * 1024u, true, true},
  };
  size_t statics = (size_t)(__bss_end - __data_start);
  struct text t = {.len = 0};
  for (size_t i = 0; i < sizeof plugins / sizeof plugins[0]; i++) {
    const struct pdk_plugin *pl = &plugins[i];
    struct stages s;
    bool ok = run(pl, &s, true);
    add(&t, pl->name);
    add(&t, ": count_vowels with config and var");
    check(ok && s.all_freed == s.before, t.buf);
    t.len = 0;
    if (pl->no_memory) {
      add(&t, pl->name);
      add(&t, ": no linear memory (0 pages), its bytes in kernel memory");
      check(ok && s.call_stats && s.linear == 0, t.buf);
      t.len = 0;
    }

    /* The proof: the same life again, inside the RAM of the goal if the measured run fitted it,
     * else inside what the measured run needed (rounded up to KiB): .data + .bss, the stack
     * reserve, and the heap cut to the rest. */
    size_t need = statics + STACK_RESERVE + round_up_kib(s.top);
    size_t ram = need <= pl->goal ? pl->goal : round_up_kib(need);
    size_t heap_bytes = ram - statics - STACK_RESERVE;
    size_t refused = heap_stats().refused;
    heap_set_limit(heap_bytes);
    struct stages proof;
    bool fits = run(pl, &proof, false);
    heap_set_limit(0);
    fits = fits && heap_stats().refused == refused && proof.top <= heap_bytes && proof.stack <= STACK_RESERVE;
    add(&t, pl->name);
    add(&t, ": runs in ");
    add_u64(&t, ram >> 10);
    add(&t, " KiB of RAM in all (heap cut to ");
    add_u64(&t, heap_bytes);
    add(&t, " bytes, used ");
    add_u64(&t, proof.top);
    add(&t, "; stack ");
    add_u64(&t, proof.stack);
    add(&t, " of ");
    add_u64(&t, STACK_RESERVE);
    add(&t, "; .data+.bss ");
    add_u64(&t, statics);
    add(&t, ")");
    if (ram <= pl->goal) {
      add(&t, ", its goal");
    } else {
      add(&t, ", ");
      add_u64(&t, (ram - pl->goal) >> 10);
      add(&t, " KiB over its goal of ");
      add_u64(&t, pl->goal >> 10);
      add(&t, " KiB");
    }
    print(&t);
    add(&t, pl->name);
    add(&t, ": runs inside the RAM it was given");
    check(fits, t.buf);
    t.len = 0;
    if (ram > pl->goal)
      goal_refusal(pl, statics);
    report(pl, &s, statics, ram);
  }
}

/* Step 9. The host saved the plugin after count_vowels("Hello, World!") (total 3): restored here,
 * the next call counts on from 3 exactly as the never-saved plugin of step 8 did. Then the board
 * saves it (total 9), frees it, restores from its own bytes and calls once more (total 15). */
/* Where the board's saved state goes on the host (QEMU's working directory is the project's). */
#if defined(__riscv)
#define BOARD_STATE_FILE "firmware/build/riscv/board.state"
#else
#define BOARD_STATE_FILE "firmware/build/arm/board.state"
#endif

void saved_state_step(void) {
  struct text t = {.len = 0};
  size_t live_before = heap_stats().live;
  size_t state_len = (size_t)(pdk_rust_state_end - pdk_rust_state);
  char m[200];
  add_flash_wasm(&t, pdk_rust_wasm, pdk_rust_wasm_end);
  add(&t, "}");
  memcpy(m, t.buf, t.len + 1);
  t.len = 0;
  char *err = NULL;
  ExtismCompiledPlugin *c = extism_compiled_plugin_new((const uint8_t *)m, strlen(m), NULL, 0, false, &err);
  ExtismPlugin *p = c ? extism_x_plugin_new_from_state(c, pdk_rust_state, state_len, &err) : NULL;
  add(&t, "saved-state: ");
  if (p == NULL) {
    add(&t, "restore failed: ");
    add(&t, err ? err : "(no message)");
    extism_plugin_new_error_free(err);
  } else {
    add(&t, "restored the host's state of ");
    add_u64(&t, state_len);
    add(&t, " bytes from flash");
  }
  print(&t);
  bool ok = p != NULL &&
            call_expect(p, "saved-state", "Tiny plugins, tiny MCU", 0,
                        "{\"count\":6,\"total\":9,\"vowels\":\"aeiouy\"}", true);
  check(ok, "a state saved on the host restores on the board, as if never saved");

  ExtismSize n = 0;
  uint8_t *mine = p ? extism_x_plugin_save(p, &n) : NULL;
  extism_plugin_free(p);
  /* The other way: the host build restores this state (firmware.mk runs save-state --restore). */
  check(mine != NULL && host_file_write(BOARD_STATE_FILE, mine, (size_t)n),
        "saved-state: the board's state written to the host as " BOARD_STATE_FILE);
  p = mine ? extism_x_plugin_new_from_state(c, mine, n, &err) : NULL;
  extism_x_state_free(mine);
  add(&t, "saved-state: saved on the board (");
  add_u64(&t, (uint64_t)n);
  add(&t, " bytes), freed, restored");
  print(&t);
  ok = p != NULL && call_expect(p, "saved-state", "Tiny plugins, tiny MCU", 0,
                                "{\"count\":6,\"total\":15,\"vowels\":\"aeiouy\"}", true);
  check(ok, "save, free, restore and call on the board");
  extism_plugin_free(p);
  extism_compiled_plugin_free(c);
  check(heap_stats().live == live_before, "saved-state: everything freed");
}
