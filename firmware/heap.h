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
  size_t peak;     /* most bytes live at once */
  size_t refused;  /* requests that found no room */
};
void heap_init(void *start, size_t size); /* the region every block comes from */
void *heap_alloc(void *user_data, size_t size, size_t align);
void heap_free(void *user_data, void *ptr, size_t size, size_t align);
struct heap_stats heap_stats(void);
void heap_reset_peak(void); /* the next peak counts from what is live now */

#endif
