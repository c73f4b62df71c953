/* What both benchmark images share (bench/fw/ours.c, bench/fw/wasm3.c): the kernels' bytes in flash,
 * the heap over the linker script's arena, and the lines the report reads. Each figure is guest
 * instructions: under QEMU's -icount shift=0 a nanosecond of the board's clock is one instruction
 * (firmware/firmware.mk), so board_now_ns differences count them, to the timer's resolution (40 on
 * the 25 MHz Cortex-M4; the trivial call is timed over TRIVIAL_CALLS calls for that reason). */
#ifndef FWBENCH_MEASURE_H
#define FWBENCH_MEASURE_H

#include "board.h"

extern const uint8_t kernels_wasm[], kernels_wasm_end[]; /* kernels.S */
extern uint8_t __arena_start[], __arena_end[];         /* the linker script */

#define TRIVIAL_CALLS 1000u

/* "fwbench <engine> <row> <value>": one figure for bench/fw/report.py. */
static inline void emit(const char *engine, const char *row, uint64_t value) {
  console("fwbench ");
  console(engine);
  console(" ");
  console(row);
  console(" ");
  console_u64(value);
  console("\n");
}

/* "fwbench <engine> check <what> ok|FAIL": the smoke test fails on a FAIL. */
static inline bool check(const char *engine, const char *what, bool ok) {
  console("fwbench ");
  console(engine);
  console(" check ");
  console(what);
  console(ok ? " ok\n" : " FAIL\n");
  return ok;
}

/* The RAM lines: the heap's peak over the run, the stack's deepest use; .data + .bss come from the map. */
static inline void emit_ram(const char *engine) {
  emit(engine, "heap_peak", heap_stats().run_peak);
  emit(engine, "stack_peak", stack_run_peak_bytes());
}

#endif
