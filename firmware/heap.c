/* The heap the library runs on (its allocator hook, extism_x_set_allocator): first fit over one
 * region (in the firmware, what the linker script leaves between .bss and the stack), with an
 * address-ordered free list whose neighbours merge on free. The library hands every block back
 * with its size and alignment, so blocks carry no header: sizes are rounded to GRAIN, the smallest
 * free block, which holds the list link and its size. Counts the bytes live and their peak, the
 * high-water mark the firmware reports, and the highest address handed out (the arena a run
 * needed, holes included); can be cut to a smaller arena (heap_set_limit) to prove a plugin fits
 * one. Single-threaded (no OS): nothing here runs in an interrupt. */
#include "heap.h"

struct free_block {
  struct free_block *next;
  size_t size;
};

/* Sizes and addresses are multiples of the smallest free block, which holds the list link and its
 * size: 8 bytes on the 32-bit boards, 16 on a 64-bit host (ctests/budget_arena.c). */
#define GRAIN sizeof(struct free_block)

static struct free_block *free_list;
static struct heap_stats stats;
static uintptr_t arena_start, limit_end; /* blocks end at or below limit_end */

static uintptr_t round_up(uintptr_t v, uintptr_t to) { return (v + to - 1) & ~(to - 1); }

void heap_init(void *region, size_t region_size) {
  uintptr_t start = round_up((uintptr_t)region, GRAIN);
  size_t size = (size_t)(((uintptr_t)region + region_size - start) & ~(uintptr_t)(GRAIN - 1));
  free_list = (struct free_block *)start;
  free_list->next = NULL;
  free_list->size = size;
  stats = (struct heap_stats){.size = size};
  arena_start = start;
  limit_end = start + size;
}

void *heap_alloc(void *user_data, size_t size, size_t align) {
  (void)user_data;
  if (size > stats.size || align > stats.size) {
    stats.refused++;
    return NULL;
  }
  size = round_up(size, GRAIN);
  if (align < GRAIN)
    align = GRAIN;
  for (struct free_block **link = &free_list, *b; (b = *link) != NULL; link = &b->next) {
    uintptr_t start = (uintptr_t)b, end = start + b->size, at = round_up(start, align);
    if (at > end || end - at < size || at + size > limit_end)
      continue;
    /* [start, at) stays free in b's place, [at + size, end) becomes a new free block after it. */
    struct free_block *next = b->next;
    uintptr_t tail = at + size;
    if (tail < end) {
      struct free_block *t = (struct free_block *)tail;
      t->next = next;
      t->size = end - tail;
      next = t;
    }
    if (at > start) {
      b->size = at - start;
      b->next = next;
    } else {
      *link = next;
    }
    stats.live += size;
    if (stats.live > stats.peak)
      stats.peak = stats.live;
    if (stats.live > stats.run_peak)
      stats.run_peak = stats.live;
    if (tail - arena_start > stats.top)
      stats.top = tail - arena_start;
    return (void *)at;
  }
  stats.refused++;
  return NULL;
}

void heap_free(void *user_data, void *ptr, size_t size, size_t align) {
  (void)user_data;
  (void)align;
  size = round_up(size, GRAIN);
  stats.live -= size;
  struct free_block *block = ptr, *prev = NULL, *next = free_list;
  while (next != NULL && next < block) {
    prev = next;
    next = next->next;
  }
  block->size = size;
  block->next = next;
  if (next != NULL && (uintptr_t)block + size == (uintptr_t)next) { /* merge with the next */
    block->size += next->size;
    block->next = next->next;
  }
  if (prev == NULL) {
    free_list = block;
  } else if ((uintptr_t)prev + prev->size == (uintptr_t)block) { /* merge into the previous */
    prev->size += block->size;
    prev->next = block->next;
  } else {
    prev->next = block;
  }
}

struct heap_stats heap_stats(void) { return stats; }

/* The top of what is live now: the start of the last free block if it reaches the arena's end,
 * else the end itself. */
static size_t live_top(void) {
  struct free_block *last = free_list;
  while (last != NULL && last->next != NULL)
    last = last->next;
  if (last != NULL && (uintptr_t)last + last->size == arena_start + stats.size)
    return (uintptr_t)last - arena_start;
  return stats.size;
}

void heap_reset_peak(void) {
  stats.peak = stats.live;
  stats.top = live_top();
}

void heap_set_limit(size_t bytes) {
  limit_end = arena_start + (bytes == 0 || bytes > stats.size ? stats.size : bytes);
}
