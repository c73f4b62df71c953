/* Board: QEMU's mps2-an386, a Cortex-M4F at 25 MHz. The vector table, the reset handler (FPU on,
 * memory set up), fault handlers that report and exit instead of hanging, SysTick as the 1 kHz tick
 * and the clock, semihosting through BKPT 0xAB. Memory map: firmware/mps2-an386.ld. */
#include "board.h"

extern uint32_t __stack_top[];
int main(void);

/* Core clock QEMU models for the MPS2 AN385/AN386 FPGA images; SysTick counts it (CLKSOURCE=1). */
#define CORE_HZ 25000000u

const char board_name[] = "Cortex-M4F (mps2-an386), SysTick at 1 kHz from the 25 MHz core clock";

/* ---- system control registers (ARMv7-M) ---- */
#define REG(addr) (*(volatile uint32_t *)(addr))
#define SYST_CSR REG(0xE000E010)
#define SYST_RVR REG(0xE000E014)
#define SYST_CVR REG(0xE000E018)
#define SCB_ICSR REG(0xE000ED04)
#define SCB_CPACR REG(0xE000ED88)
#define SCB_CFSR REG(0xE000ED28)
#define SCB_HFSR REG(0xE000ED2C)
#define SCB_MMFAR REG(0xE000ED34)
#define SCB_BFAR REG(0xE000ED38)
#define ICSR_PENDSTSET (1u << 26)

/* ---- semihosting: BKPT 0xAB with the operation in r0 and its argument in r1 ---- */
int semihost(int op, const void *arg) {
  register int r0 __asm__("r0") = op;
  register const void *r1 __asm__("r1") = arg;
  __asm__ volatile("bkpt 0xAB" : "+r"(r0) : "r"(r1) : "memory");
  return r0;
}

/* ---- SysTick: TICK_HZ interrupts from the core clock ---- */
static volatile uint64_t ticks;

/* An RTOS image (firmware/rtos/) hooks its scheduler's tick here; the bare image has none. */
void board_tick_hook(void) __attribute__((weak));

void SysTick_Handler(void) {
  ticks++;
  if (board_tick_hook)
    board_tick_hook();
}

void timer_start(void) {
  SYST_RVR = CORE_HZ / TICK_HZ - 1;
  SYST_CVR = 0;
  SYST_CSR = 7; /* enable, interrupt, processor clock */
}

static uint32_t irq_save(void) {
  uint32_t primask;
  __asm__ volatile("mrs %0, primask\n cpsid i" : "=r"(primask)::"memory");
  return primask;
}

static void irq_restore(uint32_t primask) { __asm__ volatile("msr primask, %0" ::"r"(primask) : "memory"); }

uint64_t board_ms(void) {
  uint32_t s = irq_save();
  uint64_t t = ticks;
  irq_restore(s);
  return t;
}

/* Milliseconds from the tick count, the rest from the counter. The counter counts down at CORE_HZ
 * from the reload value to 0, where the tick's interrupt is raised: a tick starts as it reaches 0,
 * and the reload value is the tick's first count. A tick whose interrupt is still pending (masked
 * here) counts. */
uint64_t board_now_ns(void) {
  static uint64_t last;
  const uint32_t reload = CORE_HZ / TICK_HZ - 1;
  uint32_t s = irq_save();
  uint64_t ms = ticks;
  uint32_t val = SYST_CVR;
  if (SCB_ICSR & ICSR_PENDSTSET) {
    val = SYST_CVR;
    ms++;
  }
  uint32_t counts = val == 0 ? 0 : reload + 1 - val;
  uint64_t now = ms * (1000000000u / TICK_HZ) + (uint64_t)counts * (1000000000u / CORE_HZ);
  if (now < last)
    now = last; /* never back, whatever the hardware did */
  last = now;
  irq_restore(s);
  return now;
}

/* ---- reset ---- */
_Noreturn void Reset_Handler(void) {
  SCB_CPACR |= 0xFu << 20; /* CP10, CP11: full access to the FPU (hard-float code) */
  __asm__ volatile("dsb\n isb" ::: "memory");
  reset_memory();
  board_exit(main());
}

/* ---- faults: report and exit, never hang ---- */
static _Noreturn void fault(const char *what) {
  static const char *const names[] = {"CFSR", "HFSR", "MMFAR", "BFAR"};
  const uint32_t values[] = {SCB_CFSR, SCB_HFSR, SCB_MMFAR, SCB_BFAR};
  board_fault(what, names, values, 4);
}

void NMI_Handler(void) { fault("NMI"); }
void HardFault_Handler(void) { fault("HardFault"); }
void MemManage_Handler(void) { fault("MemManage"); }
void BusFault_Handler(void) { fault("BusFault"); }
void UsageFault_Handler(void) { fault("UsageFault"); }
void Default_Handler(void) { fault("unexpected interrupt"); }
/* The RTOS image's kernel defines these (its context switch); the bare image takes neither. */
void SVC_Handler(void) __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler(void) __attribute__((weak, alias("Default_Handler")));

typedef void (*vector)(void);

/* Cortex-M exceptions 0-15, then the board's interrupts (none used: all go to Default_Handler). */
__attribute__((section(".vectors"), used)) static const vector vectors[16 + 32] = {
    (vector)__stack_top, Reset_Handler,   NMI_Handler,     HardFault_Handler,
    MemManage_Handler,   BusFault_Handler, UsageFault_Handler, 0,
    0,                   0,               0,               SVC_Handler,
    Default_Handler /* DebugMonitor */, 0, PendSV_Handler, SysTick_Handler,
    [16 ... 47] = Default_Handler,
};
