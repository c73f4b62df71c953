/* make firmware-bench, wasm3's side: the same kernels (bench/fw/kernels_fw.c) run bare by wasm3's C
 * core (from PyPI's pywasm3 sdist, no WASI, nothing linked), on the same board files, linker script
 * and heap as our image (firmware/). wasm3 allocates through the C library's malloc family: here a
 * size header over firmware/heap.c, so the heap's peak counts 8 bytes per live block more than
 * wasm3 asked for. Prints the figures bench/fw/report.py reads (measure.h); exits 0 only if every
 * call gave the right result. */
#include <string.h>

#include "measure.h"
#include "wasm3.h"

/* wasm3's value stack (m3_NewRuntime): 16 KiB, the limit our image's library has
 * (EXTISM_MAX_VALUE_STACK_BYTES in firmware/firmware.mk). */
#define WASM3_STACK_BYTES 16384

/* ---- the malloc family over the heap: a header keeps each block's size ---- */
#define HEADER 8u

void *malloc(size_t size) {
  uint8_t *block = heap_alloc(NULL, size + HEADER, HEADER);
  if (block == NULL)
    return NULL;
  *(size_t *)block = size;
  return block + HEADER;
}

void free(void *ptr) {
  if (ptr == NULL)
    return;
  uint8_t *block = (uint8_t *)ptr - HEADER;
  heap_free(NULL, block, *(size_t *)block + HEADER, HEADER);
}

void *calloc(size_t n, size_t size) {
  if (size != 0 && n > (size_t)-1 / size)
    return NULL;
  void *p = malloc(n * size);
  if (p != NULL)
    memset(p, 0, n * size);
  return p;
}

void *realloc(void *ptr, size_t size) {
  if (ptr == NULL)
    return malloc(size);
  size_t old = *(size_t *)((uint8_t *)ptr - HEADER);
  void *p = malloc(size);
  if (p == NULL)
    return NULL;
  memcpy(p, ptr, old < size ? old : size);
  free(ptr);
  return p;
}

/* wasm3's error paths format text (vsnprintf, fprintf), which brings newlib's own allocator: it gets
 * no memory of its own (what it asks for would not be counted). */
void *_sbrk(ptrdiff_t increment) {
  (void)increment;
  return (void *)-1;
}

static bool call_ok(IM3Function f) {
  int32_t ret = -1;
  return m3_CallV(f) == m3Err_none && m3_GetResultsV(f, &ret) == m3Err_none && ret == 0;
}

static bool fail(const char *what, M3Result r) {
  check("wasm3", what, false);
  console(r ? r : "(no message)");
  console("\n");
  return false;
}

int main(void) {
  heap_init(__arena_start, (size_t)(__arena_end - __arena_start));
  timer_start();
  bool ok = true;

  uint64_t t0 = board_now_ns();
  IM3Environment env = m3_NewEnvironment();
  IM3Runtime runtime = env ? m3_NewRuntime(env, WASM3_STACK_BYTES, NULL) : NULL;
  if (runtime == NULL)
    return fail("create", "out of memory"), 1;
  IM3Module module = NULL;
  M3Result r = m3_ParseModule(env, &module, kernels_wasm, (uint32_t)(kernels_wasm_end - kernels_wasm));
  if (r == m3Err_none)
    r = m3_LoadModule(runtime, module);
  uint64_t t1 = board_now_ns();
  if (r != m3Err_none)
    return fail("create", r), 1;
  check("wasm3", "create", true);
  IM3Function trivial = NULL;
  r = m3_FindFunction(&trivial, runtime, "trivial");
  ok &= r == m3Err_none ? check("wasm3", "first call", call_ok(trivial)) : fail("first call", r);
  uint64_t t2 = board_now_ns();
  emit("wasm3", "create", t1 - t0);
  emit("wasm3", "create_first_call", t2 - t0);
  if (!ok)
    return 1;

  bool calls_ok = true;
  uint64_t t3 = board_now_ns();
  for (unsigned i = 0; i < TRIVIAL_CALLS; i++)
    calls_ok &= call_ok(trivial);
  uint64_t t4 = board_now_ns();
  ok &= check("wasm3", "trivial", calls_ok);
  emit("wasm3", "trivial_call", (t4 - t3) / TRIVIAL_CALLS);

  /* Each kernel is looked up (wasm3 compiles it then) and called once before the timed call, as
   * ours is (its first call of an export may translate it). */
  static const char *const kernels[] = {"fib20", "sum"};
  for (unsigned k = 0; k < 2; k++) {
    IM3Function f = NULL;
    r = m3_FindFunction(&f, runtime, kernels[k]);
    if (r != m3Err_none) {
      ok = fail(kernels[k], r);
      continue;
    }
    bool good = call_ok(f);
    uint64_t a = board_now_ns();
    good &= call_ok(f);
    uint64_t b = board_now_ns();
    ok &= check("wasm3", kernels[k], good);
    emit("wasm3", kernels[k], b - a);
  }
  emit_ram("wasm3");
  m3_FreeRuntime(runtime);
  m3_FreeEnvironment(env);
  return ok ? 0 : 1;
}
