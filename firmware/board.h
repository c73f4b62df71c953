/* What the firmware needs from its board, and what every board shares (common.c). Two boards, both
 * emulated by Debian's QEMU, no OS, no threads (one main loop plus a timer interrupt):
 *   - mps2-an386.c: ARM MPS2 AN386, a Cortex-M4F at 25 MHz; SysTick; semihosting through BKPT 0xAB.
 *   - riscv-virt.c: QEMU's RISC-V `virt` machine, an RV32IMAC hart; the CLINT's 10 MHz mtime and
 *     its machine timer interrupt; semihosting through the slli/ebreak/srai sequence.
 * Each has a linker script of the same layout: 4 MB of code memory ("flash"), 4 MB of RAM holding
 * .data, .bss, the heap arena (everything up to the stack) and the stack at the top. */
#ifndef FIRMWARE_BOARD_H
#define FIRMWARE_BOARD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TICK_HZ 1000u

/* Exit statuses besides main's: a fault handler or abort() ended the run. */
#define EXIT_FAULT 3
#define EXIT_ABORT 4

/* Semihosting operations (ARM's semihosting specification, also RISC-V's). */
#define SYS_OPEN 0x01
#define SYS_CLOSE 0x02
#define SYS_WRITE0 0x04
#define SYS_WRITE 0x05
#define SYS_EXIT_EXTENDED 0x20
#define ADP_STOPPED_APPLICATION_EXIT 0x20026

/* ---- per board ---- */
extern const char board_name[];                 /* "Cortex-M4F (mps2-an386), SysTick ..." */
int semihost(int op, const void *arg);          /* one semihosting call */
void timer_start(void);                         /* TICK_HZ interrupts */
uint64_t board_ms(void);                        /* ticks counted by the interrupt */
uint64_t board_now_ns(void);                    /* monotonic, from the board's timer */

/* ---- common.c ---- */
void console(const char *text);                 /* SYS_WRITE0 */
void console_u64(uint64_t v);                   /* decimal */
void console_hex(uint32_t v);                   /* 0x%08x */
bool host_file_write(const char *path, const void *data, size_t len); /* a file on the host (SYS_OPEN "wb") */
_Noreturn void board_exit(int status);          /* SYS_EXIT_EXTENDED with the status */
_Noreturn void board_fault(const char *what, const char *const *names, const uint32_t *values, int n);
void reset_memory(void);                        /* .data copied, .bss zeroed, stack painted */
size_t stack_peak_bytes(void);                  /* deepest stack use so far */
void stack_repaint(void);                       /* stack_peak_bytes counts from here on */
size_t stack_run_peak_bytes(void);              /* deepest stack use of the whole run */
size_t stack_size_bytes(void);

/* ---- heap.c ---- */
#include "heap.h"

#endif
