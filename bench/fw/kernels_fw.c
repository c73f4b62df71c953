/* The wasm code of `make firmware-bench` (bench/fw/fwbench.mk): three exports, each () -> i32,
 * returning 0 when its result is right (so an Extism call's rc, or wasm3's result, checks it), and
 * no imports: our runtime runs it as an Extism plugin, wasm3 bare, the same bytes. One page of
 * memory (clang -O2, -Wl,--initial-memory=65536, 8 KiB of it the shadow stack).
 *   trivial  returns at once: what a call costs around the export
 *   fib20    fib(20), recursive (21,891 calls)
 *   sum      1 + 2 + ... + 100,000 in a loop the compiler keeps a loop */
#include <stdint.h>

#define EXPORT(name) __attribute__((export_name(name), used))
#define NOINLINE __attribute__((noinline))

static NOINLINE uint32_t fib(uint32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

/* The bound is read from memory: the compiler may not count the loop at compile time. The empty asm
 * keeps the sum an addition per turn (clang would otherwise replace the loop by n(n+1)/2). */
static volatile uint32_t sum_bound = 100000;

EXPORT("trivial") int32_t trivial(void) { return 0; }

EXPORT("fib20") int32_t fib20(void) { return fib(20) == 6765 ? 0 : 1; }

EXPORT("sum") int32_t sum(void) {
  uint32_t n = sum_bound;
  uint64_t s = 0;
  for (uint32_t i = 1; i <= n; i++) {
    s += i;
    __asm__ volatile("" : "+r"(s));
  }
  return s == 5000050000ull ? 0 : 1;
}
