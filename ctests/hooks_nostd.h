/* The host hooks of the no_std run (hooks_nostd.c), as seen by the tests (t_x_hooks.c). Only
 * linked when EXTISM_TEST_NOSTD is defined (make ctest-nostd). */
#ifndef CTESTS_HOOKS_NOSTD_H
#define CTESTS_HOOKS_NOSTD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct hooks_nostd_heap {
  size_t allocs, frees;          /* calls of the alloc and free hooks so far (this process) */
  size_t live_blocks, live_bytes; /* blocks and bytes allocated and not yet freed */
  size_t peak_bytes;              /* highest live_bytes seen */
  size_t max_align;               /* largest alignment asked for */
  int contract_violations;        /* bad arguments seen by the hooks (must stay 0) */
};

/* The heap hook's counters so far. */
struct hooks_nostd_heap hooks_nostd_heap(void);
struct hooks_nostd_locks {
  size_t made, destroyed; /* lock objects the create and destroy callbacks made and destroyed */
  size_t taken, given;    /* lock and unlock calls */
  int contract_violations; /* bad user_data, unlock by another thread, destroy while held (must stay 0) */
};

/* The lock hook's counters so far (this process). */
struct hooks_nostd_locks hooks_nostd_locks(void);
/* (Re)installs the clock, wall clock and randomness hooks (the constructor did it once). */
void hooks_nostd_install(void);

#endif
