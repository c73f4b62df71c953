/* The RTOS image: the no_std libextism under FreeRTOS (V11.2.0, the kernel sources of the crates.io
 * crate freertos-next) on QEMU's mps2-an386 (Cortex-M4F), with the board code of the bare image
 * (firmware/mps2-an386.c, common.c) and firmware/plugin.c's plugin.
 *
 * The hooks map to FreeRTOS: the heap is pvPortMalloc/vPortFree (heap_5 over the board's arena),
 * the clock is the tick count, and the library's locks are FreeRTOS mutexes (extism_x_set_lock),
 * which put a waiting task to sleep and lend the holder the waiter's priority.
 *
 * Preemptive scheduling with time slicing; the tasks, lowest priority first:
 *   1  count      its own plugin: a long call (sum of 1..N)          } time-sliced: all four
 *   1  stepped    its own plugin: the same sum as a stepped call     } share the core a tick
 *   1  spin       its own plugin: a call that never ends             } at a time
 *   1  lock-low   its own plugin, whose call enters a host function  }
 *   2  instances  fresh plugins from one compiled plugin, one after the other, preempting the above
 *   3  lock-high  asks for lock-low's plugin while lock-low is inside the host function
 *   4  cancel     cancels spin's call (extism_plugin_cancel) from above
 *   5  main       installs the hooks, measures what an engine costs, starts the others, checks
 *
 * The lock case: lock-low's call holds its plugin's lock while the host function runs; the host
 * function wakes lock-high, which preempts it and asks for the same plugin
 * (extism_plugin_output_length). With spin locks lock-high would spin forever (lock-low never runs
 * again to release it); with the FreeRTOS mutex lock-high sleeps, lock-low inherits its priority,
 * ends the call and releases the lock, and lock-high reads the call's output.
 *
 * The interpreter keeps spin locks of its own inside each engine (extism.h, extism_x_set_lock):
 * every task here has its own plugins, hence its own engine, so none of those is shared across
 * tasks. What an engine of its own costs is measured first and printed ("engine:" lines).
 *
 * Exits through semihosting with 0 only if every check passed; `make firmware-test-rtos` runs it
 * under QEMU and checks its lines (firmware/rtos/expected-lines.txt) and the status.
 *
 * Built with -DRTOS_SPIN_LOCKS (firmware-spin.elf, expected-lines-spin.txt), it installs no lock
 * hook and runs the lock case alone, to show what the hook prevents: the library's spin locks
 * deadlock there, which the main task (above both) sees and reports. */
#include <string.h>

#include "FreeRTOS.h"
#include "semphr.h"
#include "task.h"

#include "board.h"
#include "extism.h"

extern const uint8_t plugin_wasm[], plugin_wasm_end[];
extern const uint8_t hold_wasm[], hold_wasm_end[];
extern uint8_t __arena_start[], __arena_end[];

enum { PRIO_WORK = 1, PRIO_INSTANCES = 2, PRIO_LOCK_HIGH = 3, PRIO_CANCEL = 4, PRIO_MAIN = 5 };
/* Words (4 bytes): the interpreter's native stack peaks near 12 KiB on this board. */
#define TASK_STACK_WORDS 5120u
#define SUM_N "200000"
#define SUM_OF_N "20000100000"
#define STEP_FUEL 5000u
#define INSTANCES 6u
#define CANCEL_AFTER_MS 20u
/* Without the lock hook: how long the main task lets lock-high spin (lock-low needs about 10,000
 * instructions, 0.01 ticks, to finish the call once it runs). */
#define SPIN_WAIT_MS 50
#define STR_(x) #x
#define STR(x) STR_(x)

static volatile int failures;

/* ---- one line at a time on the console (one semihosting call per line: lines never mix) ---- */
struct text {
  char buf[320];
  size_t len;
};

static void add(struct text *t, const char *s) {
  while (*s && t->len + 2 < sizeof t->buf)
    t->buf[t->len++] = *s++;
  t->buf[t->len] = 0;
}

static void add_n(struct text *t, const void *s, size_t n) {
  for (size_t i = 0; i < n && t->len + 2 < sizeof t->buf; i++)
    t->buf[t->len++] = ((const char *)s)[i];
  t->buf[t->len] = 0;
}

static void add_u64(struct text *t, uint64_t v) {
  char digits[21], *p = digits + sizeof digits;
  *--p = 0;
  do {
    *--p = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  add(t, p);
}

static void add_i64(struct text *t, int64_t v) {
  if (v < 0) {
    add(t, "-");
    add_u64(t, (uint64_t)0 - (uint64_t)v);
  } else {
    add_u64(t, (uint64_t)v);
  }
}

static void print(struct text *t) {
  t->buf[t->len++] = '\n';
  t->buf[t->len] = 0;
  console(t->buf);
  t->len = 0;
}

static void check(bool ok, const char *what) {
  struct text t = {.len = 0};
  add(&t, ok ? "ok: " : "FAIL: ");
  add(&t, what);
  print(&t);
  if (!ok)
    __atomic_fetch_add(&failures, 1, __ATOMIC_RELAXED);
}

/* ---- FreeRTOS's own hooks ---- */
void xPortSysTickHandler(void); /* the port's tick (port.c) */
void board_tick_hook(void) { xPortSysTickHandler(); } /* the board's SysTick handler calls it */

void rtos_assert_failed(const char *file, int line) {
  struct text t = {.len = 0};
  add(&t, "abort: FreeRTOS assertion failed at ");
  add(&t, file);
  add(&t, ":");
  add_u64(&t, (uint64_t)line);
  print(&t);
  board_exit(EXIT_ABORT);
}

void vApplicationStackOverflowHook(TaskHandle_t task, char *name) {
  (void)task;
  struct text t = {.len = 0};
  add(&t, "abort: stack overflow in task ");
  add(&t, name);
  print(&t);
  board_exit(EXIT_ABORT);
}

/* ---- the library's hooks on FreeRTOS ---- */

/* Heap: pvPortMalloc hands out 8-byte aligned blocks; a larger alignment takes a bigger block and
 * keeps the block's own address in the word before the aligned one. */
static void *rtos_alloc(void *user_data, size_t size, size_t align) {
  (void)user_data;
  if (align <= portBYTE_ALIGNMENT)
    return pvPortMalloc(size);
  if (size > SIZE_MAX - align - sizeof(void *))
    return NULL;
  uint8_t *block = pvPortMalloc(size + align + sizeof(void *));
  if (block == NULL)
    return NULL;
  uintptr_t at = ((uintptr_t)block + sizeof(void *) + align - 1) & ~(uintptr_t)(align - 1);
  ((void **)at)[-1] = block;
  return (void *)at;
}

static void rtos_free(void *user_data, void *ptr, size_t size, size_t align) {
  (void)user_data;
  (void)size;
  vPortFree(align <= portBYTE_ALIGNMENT ? ptr : ((void **)ptr)[-1]);
}

/* Locks: FreeRTOS mutexes (priority inheritance), counted to show they are used and balanced. */
static struct {
  uint32_t made, destroyed, taken, given, waited;
} locks;

static void *lock_create(void *user_data) {
  (void)user_data;
  SemaphoreHandle_t m = xSemaphoreCreateMutex();
  if (m != NULL)
    __atomic_fetch_add(&locks.made, 1, __ATOMIC_RELAXED);
  return m;
}

static void lock_take(void *user_data, void *lock) {
  (void)user_data;
  if (xSemaphoreTake((SemaphoreHandle_t)lock, 0) != pdTRUE) {
    __atomic_fetch_add(&locks.waited, 1, __ATOMIC_RELAXED); /* another task holds it: sleep */
    while (xSemaphoreTake((SemaphoreHandle_t)lock, portMAX_DELAY) != pdTRUE) {
    }
  }
  __atomic_fetch_add(&locks.taken, 1, __ATOMIC_RELAXED);
}

static void lock_give(void *user_data, void *lock) {
  (void)user_data;
  __atomic_fetch_add(&locks.given, 1, __ATOMIC_RELAXED);
  xSemaphoreGive((SemaphoreHandle_t)lock);
}

static void lock_destroy(void *user_data, void *lock) {
  (void)user_data;
  __atomic_fetch_add(&locks.destroyed, 1, __ATOMIC_RELAXED);
  vSemaphoreDelete((SemaphoreHandle_t)lock);
}

/* Clock: the tick count (1 ms), widened to 64 bits. */
static uint64_t tick_clock_ns(void *user_data) {
  (void)user_data;
  static TickType_t last;
  static uint64_t wraps;
  taskENTER_CRITICAL();
  TickType_t now = xTaskGetTickCount();
  if (now < last)
    wraps += (uint64_t)1 << 32;
  last = now;
  uint64_t ticks = wraps + now;
  taskEXIT_CRITICAL();
  return ticks * (1000000000u / configTICK_RATE_HZ);
}

static void log_sink(void *user_data, const char *line, size_t len) {
  (void)user_data;
  (void)len;
  struct text t = {.len = 0};
  add(&t, "log: ");
  add(&t, line); /* ends with "\n" */
  console(t.buf);
}

/* ---- plugins ---- */

/* A manifest naming the plugin's bytes in flash, one page of memory. */
static size_t manifest(char *out, size_t cap, const uint8_t *wasm, const uint8_t *end) {
  struct text t = {.len = 0};
  add(&t, "{\"wasm\":[{\"data\":{\"ptr\":");
  add_u64(&t, (uintptr_t)wasm);
  add(&t, ",\"len\":");
  add_u64(&t, (uintptr_t)(end - wasm));
  add(&t, "}}],\"memory\":{\"max_pages\":1}}");
  size_t n = t.len < cap ? t.len : cap - 1;
  memcpy(out, t.buf, n);
  out[n] = 0;
  return n;
}

static void creation_failed(const char *what, char *err) {
  struct text t = {.len = 0};
  add(&t, what);
  add(&t, ": creation failed: ");
  add(&t, err ? err : "(no message)");
  print(&t);
  extism_plugin_new_error_free(err);
}

static ExtismPlugin *create(const char *what, const uint8_t *wasm, const uint8_t *end, const ExtismFunction **fns,
                            size_t n_fns) {
  char m[160];
  size_t n = manifest(m, sizeof m, wasm, end);
  char *err = NULL;
  ExtismPlugin *p = extism_plugin_new((const uint8_t *)m, n, fns, n_fns, false, &err);
  if (p == NULL)
    creation_failed(what, err);
  return p;
}

static bool output_is(ExtismPlugin *p, const char *want) {
  size_t n = (size_t)extism_plugin_output_length(p);
  return n == strlen(want) && memcmp(extism_plugin_output_data(p), want, n) == 0;
}

/* "<label>: rc N, output ..." or "..., error "..."" */
static void report_call(const char *label, ExtismPlugin *p, int32_t rc) {
  struct text t = {.len = 0};
  add(&t, label);
  add(&t, ": rc ");
  add_i64(&t, rc);
  const char *err = extism_plugin_error(p);
  if (err) {
    add(&t, ", error \"");
    add(&t, err);
    add(&t, "\"");
  } else {
    add(&t, ", output ");
    add_n(&t, extism_plugin_output_data(p), (size_t)extism_plugin_output_length(p));
  }
  print(&t);
}

/* ---- what the tasks share ---- */
static TaskHandle_t main_task, lock_high_task, lock_low_task;
static volatile uint32_t step_slices;      /* slices the stepped call has run so far */
static volatile bool step_running, count_running;
static ExtismPlugin *volatile spin_plugin; /* set while spin's call may run */
static volatile TickType_t spin_cancelled_at;
static ExtismPlugin *volatile hold_plugin;
static volatile UBaseType_t hold_priority_inside; /* lock-low's priority inside the host function */
static volatile eTaskState hold_high_state;       /* lock-high's state as seen from there */
static volatile uint32_t stack_used[8];
static const char *const task_names[8] = {"count", "stepped", "spin", "lock-low", "instances", "lock-high", "cancel", ""};

/* Every worker ends here: its stack figure, a word to main, then it deletes itself. */
static void task_done(unsigned index) {
  stack_used[index] = (uint32_t)(TASK_STACK_WORDS - uxTaskGetStackHighWaterMark(NULL)) * 4u;
  xTaskNotifyGive(main_task);
  vTaskDelete(NULL);
}

static void count_task(void *arg) {
  (void)arg;
  ExtismPlugin *p = create("count", plugin_wasm, plugin_wasm_end, NULL, 0);
  if (p != NULL) {
    while (!step_running) /* start once the stepped call runs: the two overlap */
      vTaskDelay(1);
    uint32_t slices_before = step_slices;
    TickType_t t0 = xTaskGetTickCount();
    count_running = true;
    int32_t rc = extism_plugin_call(p, "sum", (const uint8_t *)SUM_N, strlen(SUM_N));
    count_running = false;
    TickType_t ms = xTaskGetTickCount() - t0;
    uint32_t interleaved = step_slices - slices_before;
    report_call("count: sum(" SUM_N ")", p, rc);
    check(rc == 0 && output_is(p, SUM_OF_N), "the long call in the count task");
    struct text t = {.len = 0};
    add(&t, "count: the call took ");
    add_u64(&t, ms);
    add(&t, " ticks; the stepped call ran ");
    add_u64(&t, interleaved);
    add(&t, " slices meanwhile");
    print(&t);
    check(interleaved > 0, "the two calls ran at once, time-sliced");
    extism_plugin_free(p);
  } else {
    check(false, "the long call in the count task");
  }
  task_done(0);
}

static void stepped_task(void *arg) {
  (void)arg;
  ExtismPlugin *p = create("stepped", plugin_wasm, plugin_wasm_end, NULL, 0);
  if (p != NULL && extism_x_call_begin(p, "sum", (const uint8_t *)SUM_N, strlen(SUM_N), NULL)) {
    int32_t step;
    uint32_t during_count = 0;
    step_running = true;
    do {
      step = extism_x_call_step(p, STEP_FUEL);
      step_slices++;
      if (count_running)
        during_count++;
    } while (step == EXTISM_X_STEP_RUNNING && step_slices < 1000000u);
    step_running = false;
    struct text t = {.len = 0};
    add(&t, "stepped: sum(" SUM_N ") in ");
    add_u64(&t, step_slices);
    add(&t, " slices of " );
    add_u64(&t, STEP_FUEL);
    add(&t, " fuel (");
    add_u64(&t, during_count);
    add(&t, " while the count call ran): ");
    add_n(&t, extism_plugin_output_data(p), (size_t)extism_plugin_output_length(p));
    print(&t);
    check(step == EXTISM_X_STEP_FINISHED && output_is(p, SUM_OF_N), "the stepped call in its own task");
  } else {
    check(false, "the stepped call in its own task");
  }
  extism_plugin_free(p);
  task_done(1);
}

static void spin_task(void *arg) {
  (void)arg;
  ExtismPlugin *p = create("spin", plugin_wasm, plugin_wasm_end, NULL, 0);
  if (p != NULL) {
    TickType_t t0 = xTaskGetTickCount();
    spin_plugin = p; /* from here the cancel task may cancel */
    int32_t rc = extism_plugin_call(p, "spin", NULL, 0);
    TickType_t ended = xTaskGetTickCount();
    spin_plugin = NULL;
    report_call("cancel: spin", p, rc);
    struct text t = {.len = 0};
    add(&t, "cancel: the call ran ");
    add_u64(&t, ended - t0);
    add(&t, " ticks, stopped ");
    add_u64(&t, ended - spin_cancelled_at);
    add(&t, " ticks after the cancel");
    print(&t);
    const char *err = extism_plugin_error(p);
    check(rc == 134 && err != NULL && strcmp(err, "timeout") == 0 && spin_cancelled_at != 0 &&
              ended - t0 >= CANCEL_AFTER_MS,
          "a higher-priority task cancelled the running call");
    extism_plugin_free(p);
  } else {
    check(false, "a higher-priority task cancelled the running call");
  }
  task_done(2);
}

static void cancel_task(void *arg) {
  (void)arg;
  while (spin_plugin == NULL)
    vTaskDelay(1);
  vTaskDelay(CANCEL_AFTER_MS);
  spin_cancelled_at = xTaskGetTickCount();
  bool sent = extism_plugin_cancel(extism_plugin_cancel_handle(spin_plugin));
  check(sent, "extism_plugin_cancel from the cancel task");
  task_done(6);
}

/* The host function: runs inside lock-low's call, so lock-low holds the plugin's lock here. */
static void host_hold(ExtismCurrentPlugin *plugin, const ExtismVal *inputs, ExtismSize n_inputs, ExtismVal *outputs,
                      ExtismSize n_outputs, void *data) {
  (void)plugin, (void)inputs, (void)n_inputs, (void)outputs, (void)n_outputs, (void)data;
  xTaskNotifyGive(lock_high_task); /* lock-high preempts us at once, and asks for the plugin */
  hold_priority_inside = uxTaskPriorityGet(NULL);
  hold_high_state = eTaskGetState(lock_high_task);
}

static void lock_low_task_fn(void *arg) {
  (void)arg;
  ExtismFunction *fn = extism_function_new("hold", NULL, 0, NULL, 0, host_hold, NULL, NULL);
  const ExtismFunction *fns[] = {fn};
  ExtismPlugin *p = create("lock-low", hold_wasm, hold_wasm_end, fns, 1);
  if (p != NULL) {
    hold_plugin = p;
    int32_t rc = extism_plugin_call(p, "hold", NULL, 0);
    report_call("lock-low: hold", p, rc);
    UBaseType_t after = uxTaskPriorityGet(NULL);
    struct text t = {.len = 0};
    add(&t, "lock-low: inside the host function at priority ");
    add_u64(&t, hold_priority_inside);
    add(&t, " (its own: ");
    add_u64(&t, PRIO_WORK);
    add(&t, "), lock-high ");
    add(&t, hold_high_state == eBlocked ? "asleep on the plugin's lock" : "NOT waiting");
    add(&t, "; back to priority ");
    add_u64(&t, after);
    add(&t, " after the call");
    print(&t);
    check(rc == 0 && hold_priority_inside == PRIO_LOCK_HIGH && hold_high_state == eBlocked && after == PRIO_WORK,
          "the waiting high-priority task lent the lock holder its priority");
    ulTaskNotifyTake(pdTRUE, portMAX_DELAY); /* lock-high has read the plugin */
    extism_plugin_free(p);
  } else {
    check(false, "the waiting high-priority task lent the lock holder its priority");
    xTaskNotifyGive(lock_high_task);
  }
  extism_function_free(fn);
  task_done(3);
}

static void lock_high_task_fn(void *arg) {
  (void)arg;
  ulTaskNotifyTake(pdTRUE, portMAX_DELAY);
  ExtismPlugin *p = hold_plugin;
  if (p != NULL) {
    uint64_t t0 = board_now_ns();
    /* The call that holds the plugin's lock is still inside the host function: this waits for it. */
    ExtismSize len = extism_plugin_output_length(p);
    uint64_t waited = board_now_ns() - t0;
    struct text t = {.len = 0};
    add(&t, "lock-high: waited ");
    add_u64(&t, waited);
    add(&t, " instructions for the plugin's lock, then read an output of ");
    add_u64(&t, len);
    add(&t, " bytes");
    print(&t);
    check(len == 4, "no deadlock: the high-priority task got the lock once the call ended");
  }
  xTaskNotifyGive(lock_low_task);
  task_done(5);
}

static void instances_task(void *arg) {
  (void)arg;
  char m[160];
  size_t n = manifest(m, sizeof m, plugin_wasm, plugin_wasm_end);
  char *err = NULL;
  ExtismCompiledPlugin *c = extism_compiled_plugin_new((const uint8_t *)m, n, NULL, 0, false, &err);
  unsigned good = 0;
  if (c == NULL) {
    creation_failed("instances", err);
  } else {
    static const char *const inputs[INSTANCES] = {"a", "ae", "aei", "aeio", "aeiou", "Hello, World!"};
    static const char *const outputs[INSTANCES] = {"{\"count\":1}", "{\"count\":2}", "{\"count\":3}",
                                                   "{\"count\":4}", "{\"count\":5}", "{\"count\":3}"};
    for (unsigned i = 0; i < INSTANCES; i++) {
      ExtismPlugin *p = extism_plugin_new_from_compiled(c, &err);
      if (p == NULL) {
        creation_failed("instance", err);
        continue;
      }
      int32_t rc = extism_plugin_call(p, "count_vowels", (const uint8_t *)inputs[i], strlen(inputs[i]));
      if (rc == 0 && output_is(p, outputs[i]))
        good++;
      else
        report_call("instance", p, rc);
      extism_plugin_free(p);
      vTaskDelay(2); /* the time-sliced tasks run in between */
    }
    extism_compiled_plugin_free(c);
  }
  struct text t = {.len = 0};
  add(&t, "instances: ");
  add_u64(&t, good);
  add(&t, " of ");
  add_u64(&t, INSTANCES);
  add(&t, " fresh plugins from one compiled plugin gave the right output");
  print(&t);
  check(good == INSTANCES, "fresh plugins from a compiled plugin, preempting the others");
  task_done(4);
}

/* ---- main ---- */

static size_t heap_used(void) { return (size_t)(__arena_end - __arena_start) - xPortGetFreeHeapSize(); }

/* What an engine of its own costs: the heap a creation keeps and the instructions it runs. */
static void engine_costs(void) {
  struct text t = {.len = 0};
  /* A first plugin makes the library's own lasting locks (FreeRTOS mutexes, made at first use). */
  ExtismPlugin *first = create("first", plugin_wasm, plugin_wasm_end, NULL, 0);
  int32_t first_rc = first ? extism_plugin_call(first, "count_vowels", (const uint8_t *)"aeiou", 5) : -1;
  check(first_rc == 0 && output_is(first, "{\"count\":5}"), "a plugin in the main task before the others start");
  extism_plugin_free(first);
  char m[160];
  size_t n = manifest(m, sizeof m, plugin_wasm, plugin_wasm_end);
  char *err = NULL;
  size_t h0 = heap_used();
  uint64_t t0 = board_now_ns();
  ExtismCompiledPlugin *c = extism_compiled_plugin_new((const uint8_t *)m, n, NULL, 0, false, &err);
  uint64_t t1 = board_now_ns();
  size_t h1 = heap_used();
  ExtismPlugin *p = c ? extism_plugin_new_from_compiled(c, &err) : NULL;
  uint64_t t2 = board_now_ns();
  size_t h2 = heap_used();
  if (p == NULL) {
    creation_failed("engine", err);
    check(false, "engine costs measured");
    extism_compiled_plugin_free(c);
    return;
  }
  int32_t rc = extism_plugin_call(p, "count_vowels", (const uint8_t *)"aei", 3);
  check(rc == 0 && output_is(p, "{\"count\":3}"), "a plugin made from a compiled plugin");
  add(&t, "engine: a compiled plugin (engine, module, linker) takes ");
  add_u64(&t, h1 - h0);
  add(&t, " bytes of heap and ");
  add_u64(&t, t1 - t0);
  add(&t, " instructions to make");
  print(&t);
  add(&t, "engine: a plugin made from it takes ");
  add_u64(&t, h2 - h1);
  add(&t, " bytes of heap and ");
  add_u64(&t, t2 - t1);
  add(&t, " instructions to make");
  print(&t);
  extism_plugin_free(p);
  extism_compiled_plugin_free(c);
  check(heap_used() == h0, "both freed: the heap is back where it was");
}

#ifdef RTOS_SPIN_LOCKS
/* The lock case on spin locks: lock-high spins on the lock lock-low holds, and lock-low, below it,
 * never runs again. The main task, above both, waits a while and reports what it sees. */
static void spin_lock_case(void) {
  struct text t = {.len = 0};
  xTaskCreate(lock_high_task_fn, "lock-high", TASK_STACK_WORDS, NULL, PRIO_LOCK_HIGH, &lock_high_task);
  xTaskCreate(lock_low_task_fn, "lock-low", TASK_STACK_WORDS, NULL, PRIO_WORK, &lock_low_task);
  unsigned done = 0;
  while (done < 2 && ulTaskNotifyTake(pdFALSE, pdMS_TO_TICKS(SPIN_WAIT_MS)) != 0)
    done++;
  eTaskState high = eTaskGetState(lock_high_task), low = eTaskGetState(lock_low_task);
  bool deadlock = done == 0 && high == eReady && low == eReady && hold_plugin != NULL;
  add(&t, "spin locks: after " STR(SPIN_WAIT_MS) " ticks ");
  add_u64(&t, done);
  add(&t, " of 2 tasks finished; lock-high is ");
  add(&t, high == eReady ? "ready (spinning on the plugin's lock)" : "not spinning");
  add(&t, ", lock-low is ");
  add(&t, low == eReady ? "ready but never scheduled (inside the host function)" : "not stuck");
  print(&t);
  add(&t, "spin locks: ");
  add(&t, deadlock ? "deadlock, as expected without extism_x_set_lock" : "NO DEADLOCK (unexpected)");
  print(&t);
  board_exit(deadlock ? 0 : 1);
}
#endif

static void main_task_fn(void *arg) {
  (void)arg;
  struct text t = {.len = 0};
  extism_x_set_clock(tick_clock_ns, NULL);
  extism_x_set_log_sink(log_sink, NULL, "warn");
  add(&t, "libextism ");
  add(&t, extism_version());
  add(&t, " on FreeRTOS " tskKERNEL_VERSION_NUMBER ", ");
  add(&t, board_name);
  print(&t);
#ifdef RTOS_SPIN_LOCKS
  spin_lock_case();
#endif

  engine_costs();
  size_t base = heap_used();
  uint32_t base_locks = locks.made - locks.destroyed;

  static const struct {
    TaskFunction_t fn;
    unsigned name;
    UBaseType_t prio;
    TaskHandle_t *handle;
  } tasks[] = {
      {lock_high_task_fn, 5, PRIO_LOCK_HIGH, &lock_high_task},
      {lock_low_task_fn, 3, PRIO_WORK, &lock_low_task},
      {count_task, 0, PRIO_WORK, NULL},
      {stepped_task, 1, PRIO_WORK, NULL},
      {spin_task, 2, PRIO_WORK, NULL},
      {instances_task, 4, PRIO_INSTANCES, NULL},
      {cancel_task, 6, PRIO_CANCEL, NULL},
  };
  const unsigned n_tasks = sizeof tasks / sizeof tasks[0];
  for (unsigned i = 0; i < n_tasks; i++) {
    if (xTaskCreate(tasks[i].fn, task_names[tasks[i].name], TASK_STACK_WORDS, NULL, tasks[i].prio,
                    tasks[i].handle) != pdPASS) {
      check(false, "task created");
      board_exit(1);
    }
  }
  unsigned done = 0;
  while (done < n_tasks && ulTaskNotifyTake(pdFALSE, pdMS_TO_TICKS(20000)) != 0)
    done++;
  add(&t, "tasks: ");
  add_u64(&t, done);
  add(&t, " of ");
  add_u64(&t, n_tasks);
  add(&t, " finished");
  print(&t);
  check(done == n_tasks, "every task finished (no deadlock)");
  vTaskDelay(5); /* the idle task frees the deleted tasks' stacks */

  for (unsigned i = 0; i < n_tasks; i++) {
    add(&t, "stack: ");
    add(&t, task_names[i]);
    add(&t, " used ");
    add_u64(&t, stack_used[i]);
    add(&t, " of ");
    add_u64(&t, TASK_STACK_WORDS * 4u);
    add(&t, " bytes");
    print(&t);
  }
  add(&t, "lock: ");
  add_u64(&t, locks.made);
  add(&t, " FreeRTOS mutexes made, ");
  add_u64(&t, locks.destroyed);
  add(&t, " destroyed; ");
  add_u64(&t, locks.taken);
  add(&t, " takes, ");
  add_u64(&t, locks.given);
  add(&t, " gives, ");
  add_u64(&t, locks.waited);
  add(&t, " waited for another task");
  print(&t);
  check(locks.taken > 0 && locks.taken == locks.given && locks.waited > 0 &&
            locks.made - locks.destroyed == base_locks,
        "the library's locks are the host's mutexes, balanced");
  add(&t, "heap: peak ");
  add_u64(&t, (size_t)(__arena_end - __arena_start) - xPortGetMinimumEverFreeHeapSize());
  add(&t, " bytes (all tasks, stacks and plugins), in use at the end ");
  add_u64(&t, heap_used());
  add(&t, ", before the tasks ");
  add_u64(&t, base);
  print(&t);
  check(heap_used() == base, "every plugin and task freed: heap back where it started");
  add(&t, "rtos: ");
  add(&t, failures ? "FAILED, " : "all passed, ");
  add_u64(&t, (uint64_t)failures);
  add(&t, " failure(s)");
  print(&t);
  board_exit(failures ? 1 : 0);
}

int main(void) {
  struct text t = {.len = 0};
  HeapRegion_t regions[] = {{__arena_start, (size_t)(__arena_end - __arena_start)}, {NULL, 0}};
  vPortDefineHeapRegions(regions);
  /* The allocator, then the lock, before anything else of the library (extism.h). */
  bool heap_hooked = extism_x_set_allocator(rtos_alloc, rtos_free, NULL);
#ifdef RTOS_SPIN_LOCKS
  const bool lock_hooked = true; /* none: this build shows the spin locks' deadlock */
  const char *lock_kind = "left out (spin locks)";
  (void)lock_create, (void)lock_take, (void)lock_give, (void)lock_destroy;
#else
  bool lock_hooked = extism_x_set_lock(lock_create, lock_take, lock_give, lock_destroy, NULL);
  const char *lock_kind = lock_hooked ? "installed" : "REFUSED";
#endif
  add(&t, "heap: ");
  add_u64(&t, xPortGetFreeHeapSize() >> 10);
  add(&t, " KiB for pvPortMalloc (heap_5), allocator hook ");
  add(&t, heap_hooked ? "installed" : "REFUSED");
  add(&t, ", lock hook ");
  add(&t, lock_kind);
  print(&t);
  if (!heap_hooked || !lock_hooked)
    return 1;
  if (xTaskCreate(main_task_fn, "main", TASK_STACK_WORDS, NULL, PRIO_MAIN, &main_task) != pdPASS)
    return 1;
  vTaskStartScheduler();
  console("abort: the scheduler returned\n");
  return EXIT_ABORT;
}
