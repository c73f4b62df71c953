/* heap.c: the allocator hook the firmware (and ctests/budget_arena.c) run the library on: first fit
 * over one fixed region, no block headers (the library frees with the size and alignment it asked
 * for), with the counts a host needs to show that nothing reaches past the region. */
#ifndef FIRMWARE_HEAP_H
#define FIRMWARE_HEAP_H

#include <stddef.h>
#include <stdint.h>

struct heap_stats {
  size_t size;     /* bytes in the arena */
  size_t live;     /* bytes in blocks handed out now (rounded to 8) */
  size_t peak;     /* most bytes live at once (since heap_reset_peak) */
  size_t run_peak; /* most bytes live at once since heap_init (never reset) */
  size_t refused;  /* requests that found no room */
  size_t top;      /* highest end of a block handed out, from the arena's start: the arena this run
                      needed (live bytes plus the holes first fit left below them) */
};
void heap_init(void *start, size_t size); /* the region every block comes from */
void *heap_alloc(void *user_data, size_t size, size_t align);
void heap_free(void *user_data, void *ptr, size_t size, size_t align);
struct heap_stats heap_stats(void);
void heap_reset_peak(void); /* the next peak and top count from what is live now */
/* Blocks must end within `bytes` of the arena's start (0: the whole arena), as if the arena were
 * that small: the firmware proves a plugin fits a RAM budget by running it so. */
void heap_set_limit(size_t bytes);

#endif
