/* Board: QEMU's RISC-V `virt` machine with one RV32IMAC hart in machine mode. The entry point, a
 * trap handler that reports exceptions and exits instead of hanging, the CLINT's machine timer as
 * the 1 kHz tick, its 10 MHz mtime counter as the clock, semihosting through the slli/ebreak/srai
 * sequence. Memory map: firmware/riscv-virt.ld. */
#include "board.h"

int main(void);

/* The CLINT (ACLINT) of QEMU's virt machine: mtime counts at 10 MHz; mtimecmp of hart 0. */
#define TIMER_HZ 10000000u
#define MTIME_LO (*(volatile uint32_t *)0x0200BFF8)
#define MTIME_HI (*(volatile uint32_t *)0x0200BFFC)
#define MTIMECMP_LO (*(volatile uint32_t *)0x02004000)
#define MTIMECMP_HI (*(volatile uint32_t *)0x02004004)
#define MSTATUS_MIE (1u << 3)
#define MIE_MTIE (1u << 7)
#define MCAUSE_INTERRUPT (1u << 31)
#define IRQ_M_TIMER 7

const char board_name[] = "RV32IMAC (QEMU virt), machine timer at 1 kHz from the 10 MHz mtime";

/* ---- semihosting: the operation in a0, its argument in a1, the three uncompressed instructions
 * of RISC-V's semihosting trap (they must not straddle a page: aligned to 16 bytes) ---- */
int semihost(int op, const void *arg) {
  register int a0 __asm__("a0") = op;
  register const void *a1 __asm__("a1") = arg;
  __asm__ volatile(".option push\n .option norvc\n .balign 16\n"
                   "slli x0, x0, 0x1f\n ebreak\n srai x0, x0, 7\n .option pop"
                   : "+r"(a0)
                   : "r"(a1)
                   : "memory");
  return a0;
}

/* ---- the timer ---- */
static volatile uint64_t ticks;
static uint64_t next_tick; /* mtime of the next tick */

static uint64_t mtime(void) {
  uint32_t hi, lo;
  do {
    hi = MTIME_HI;
    lo = MTIME_LO;
  } while (hi != MTIME_HI);
  return (uint64_t)hi << 32 | lo;
}

static void set_mtimecmp(uint64_t t) {
  MTIMECMP_HI = 0xFFFFFFFFu; /* no spurious interrupt while the halves disagree */
  MTIMECMP_LO = (uint32_t)t;
  MTIMECMP_HI = (uint32_t)(t >> 32);
}

void timer_start(void) {
  next_tick = mtime() + TIMER_HZ / TICK_HZ;
  set_mtimecmp(next_tick);
  __asm__ volatile("csrs mie, %0" ::"r"(MIE_MTIE));
  __asm__ volatile("csrs mstatus, %0" ::"r"(MSTATUS_MIE));
}

static uint32_t irq_save(void) {
  uint32_t old;
  __asm__ volatile("csrrc %0, mstatus, %1" : "=r"(old) : "r"(MSTATUS_MIE) : "memory");
  return old & MSTATUS_MIE;
}

static void irq_restore(uint32_t mie) { __asm__ volatile("csrs mstatus, %0" ::"r"(mie) : "memory"); }

uint64_t board_ms(void) {
  uint32_t s = irq_save();
  uint64_t t = ticks;
  irq_restore(s);
  return t;
}

/* mtime is a free-running 64-bit counter: the clock needs nothing else. */
uint64_t board_now_ns(void) { return mtime() * (1000000000u / TIMER_HZ); }

/* ---- traps: the tick, or a fault reported and the run ended ---- */
__attribute__((interrupt("machine"), aligned(4))) void trap_entry(void) {
  uint32_t cause, epc, tval, ra, t0;
  __asm__ volatile("mv %0, ra\n mv %1, t0" : "=r"(ra), "=r"(t0));
  __asm__ volatile("csrr %0, mcause" : "=r"(cause));
  if (cause == (MCAUSE_INTERRUPT | IRQ_M_TIMER)) {
    ticks++;
    next_tick += TIMER_HZ / TICK_HZ;
    set_mtimecmp(next_tick);
    return;
  }
  __asm__ volatile("csrr %0, mepc" : "=r"(epc));
  __asm__ volatile("csrr %0, mtval" : "=r"(tval));
  static const char *const names[] = {"mcause", "mepc", "mtval", "ra", "t0"};
  const uint32_t values[] = {cause, epc, tval, ra, t0};
  board_fault(cause & MCAUSE_INTERRUPT ? "unexpected interrupt" : "exception", names, values, 5);
}

/* ---- reset: QEMU's reset vector jumps here (the ELF's entry) ---- */
_Noreturn void reset(void) {
  __asm__ volatile("csrw mtvec, %0" ::"r"(trap_entry)); /* direct mode */
  reset_memory();
  board_exit(main());
}

/* The stack, then C (no gp relaxation: __global_pointer$ is not defined; no TLS: see the .ld). */
__attribute__((naked, section(".text.start"))) void _start(void) {
  __asm__ volatile("la sp, __stack_top\n"
                   "j reset\n");
}
