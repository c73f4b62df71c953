/* What every board shares: the semihosting console and exit, the C runtime's memory set-up (the
 * boards' reset code calls it before main), stack measurement, and the C library functions the
 * runtime's archive needs that this image provides itself (abort, an empty malloc family). */
#include <string.h>

#include "board.h"

extern uint32_t __data_load[], __data_start[], __data_end[], __bss_start[], __bss_end[];
extern uint32_t __stack_bottom[], __stack_top[];

#define STACK_PAINT 0xC0FFEE55u

void console(const char *text) { semihost(SYS_WRITE0, text); }

void console_u64(uint64_t v) {
  char buf[21], *p = buf + sizeof buf;
  *--p = 0;
  do {
    *--p = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  console(p);
}

void console_hex(uint32_t v) {
  char buf[11] = "0x";
  for (int i = 0; i < 8; i++)
    buf[2 + i] = "0123456789abcdef"[(v >> (28 - 4 * i)) & 15];
  buf[10] = 0;
  console(buf);
}

/* Writes `len` bytes to `path` on the machine running QEMU (relative to its working directory):
 * SYS_OPEN with mode 5 ("wb"), SYS_WRITE (returns the bytes not written), SYS_CLOSE. */
bool host_file_write(const char *path, const void *data, size_t len) {
  const uintptr_t open_block[3] = {(uintptr_t)path, 5, strlen(path)};
  int handle = semihost(SYS_OPEN, open_block);
  if (handle == -1) return false;
  const uintptr_t write_block[3] = {(uintptr_t)handle, (uintptr_t)data, len};
  bool written = semihost(SYS_WRITE, write_block) == 0;
  const uintptr_t close_block[1] = {(uintptr_t)handle};
  return semihost(SYS_CLOSE, close_block) == 0 && written;
}

/* SYS_EXIT_EXTENDED (semihosting 2.0) carries the status on 32-bit targets too: QEMU exits with it. */
_Noreturn void board_exit(int status) {
  const uint32_t block[2] = {ADP_STOPPED_APPLICATION_EXIT, (uint32_t)status};
  for (;;)
    semihost(SYS_EXIT_EXTENDED, block);
}

_Noreturn void board_fault(const char *what, const char *const *names, const uint32_t *values, int n) {
  console("fault: ");
  console(what);
  for (int i = 0; i < n; i++) {
    console(" ");
    console(names[i]);
    console(" ");
    console_hex(values[i]);
  }
  console("\n");
  board_exit(EXIT_FAULT);
}

/* Rust's panics and allocation failures end in abort() (the library's panic handler calls it):
 * say so and stop, instead of the C library's signal machinery. */
_Noreturn void abort(void) {
  console("abort: the runtime aborted (panic or out of memory)\n");
  board_exit(EXIT_ABORT);
}

/* The runtime's fallback heap (used when no allocator hook is installed) is the C library's malloc
 * family. Here the hook over our arena is always installed first, so the fallback is never used:
 * these refuse, and keep the C library's allocator (its sbrk, its errno) out of the image. Weak: an
 * image whose code allocates through them (make firmware-bench's wasm3 image) brings its own. */
__attribute__((weak)) void *malloc(size_t size) {
  (void)size;
  return NULL;
}

__attribute__((weak)) void *calloc(size_t n, size_t size) {
  (void)n;
  (void)size;
  return NULL;
}

__attribute__((weak)) void *realloc(void *ptr, size_t size) {
  (void)ptr;
  (void)size;
  return NULL;
}

__attribute__((weak)) void free(void *ptr) { (void)ptr; }

/* Called first thing by the reset code, on the final stack, before anything else runs. Inlined
 * loops only: nothing here may depend on .data or .bss yet. */
void reset_memory(void) {
  for (uint32_t *src = __data_load, *dst = __data_start; dst < __data_end;)
    *dst++ = *src++;
  for (uint32_t *dst = __bss_start; dst < __bss_end;)
    *dst++ = 0;
  uint32_t *sp = (uint32_t *)__builtin_frame_address(0);
  for (uint32_t *p = __stack_bottom; p < sp - 64;)
    *p++ = STACK_PAINT;
}

static size_t run_peak; /* the deepest use measured before the last repaint */

/* Paints the stack again below the caller's frame, so that stack_peak_bytes measures from here on
 * (the deepest use of what runs next, main's frames included); stack_run_peak_bytes keeps the
 * deepest of all. */

void stack_repaint(void) {
  size_t peak = stack_peak_bytes();
  if (peak > run_peak)
    run_peak = peak;
  uint32_t *sp = (uint32_t *)__builtin_frame_address(0);
  for (uint32_t *p = __stack_bottom; p < sp - 64;)
    *p++ = STACK_PAINT;
}

size_t stack_size_bytes(void) { return (size_t)((uint8_t *)__stack_top - (uint8_t *)__stack_bottom); }

size_t stack_peak_bytes(void) {
  const uint32_t *p = __stack_bottom;
  while (p < __stack_top && *p == STACK_PAINT)
    p++;
  return (size_t)((uint8_t *)__stack_top - (uint8_t *)p);
}

size_t stack_run_peak_bytes(void) {
  size_t peak = stack_peak_bytes();
  return peak > run_peak ? peak : run_peak;
}
