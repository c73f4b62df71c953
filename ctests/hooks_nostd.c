/* Host hooks for running the conformance suite against the no_std library (make ctest-nostd):
 * compiled into run_tests only for that run (EXTRA_SRC=hooks_nostd.c, VARIANT=nostd).
 *
 * Before any test runs (a constructor), it installs everything a no_std build cannot take from an
 * operating system, the way a firmware host would:
 *   - a heap: malloc / posix_memalign underneath, counting blocks and bytes (hooks_nostd_heap);
 *   - a monotonic clock (CLOCK_MONOTONIC) and a wall clock (CLOCK_REALTIME);
 *   - randomness from getrandom(2), falling back to /dev/urandom.
 *   - a lock (extism_x_set_lock, right after the heap, before the library takes any lock): a
 *     pthread mutex per lock of the library, counting what it is asked and checking that each
 *     lock is unlocked by its locker and destroyed unlocked (hooks_nostd_locks).
 * The log sink is not installed here: it is a logger like extism_log_custom (the first install
 * wins), so installing it for every test would take the logger from the logging tests;
 * t_x_hooks.c installs it in its own tests. */
#define _GNU_SOURCE
#include "hooks_nostd.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "extism.h"

static atomic_size_t n_allocs, n_frees, live_blocks, live_bytes, peak_bytes, max_align;
static atomic_int bad_frees;

static void *heap_alloc(void *user_data, size_t size, size_t align) {
  void *p = NULL;
  size_t now, peak;
  if (user_data != &n_allocs || size == 0 || align == 0 || (align & (align - 1)) != 0) {
    atomic_fetch_add(&bad_frees, 1); /* a contract violation, reported by t_x_hooks.c */
    return NULL;
  }
  if (align <= 16) {
    p = malloc(size);
  } else if (posix_memalign(&p, align < sizeof(void *) ? sizeof(void *) : align, size) != 0) {
    p = NULL;
  }
  if (p == NULL)
    return NULL;
  peak = atomic_load(&max_align);
  while (align > peak && !atomic_compare_exchange_weak(&max_align, &peak, align)) {
  }
  atomic_fetch_add(&n_allocs, 1);
  atomic_fetch_add(&live_blocks, 1);
  now = atomic_fetch_add(&live_bytes, size) + size;
  peak = atomic_load(&peak_bytes);
  while (now > peak && !atomic_compare_exchange_weak(&peak_bytes, &peak, now)) {
  }
  return p;
}

static void heap_free(void *user_data, void *ptr, size_t size, size_t align) {
  if (user_data != &n_allocs || ptr == NULL || ((uintptr_t)ptr & (align - 1)) != 0)
    atomic_fetch_add(&bad_frees, 1);
  atomic_fetch_add(&n_frees, 1);
  atomic_fetch_sub(&live_blocks, 1);
  atomic_fetch_sub(&live_bytes, size);
  free(ptr);
}

static uint64_t clock_ns(clockid_t id) {
  struct timespec ts;
  clock_gettime(id, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static uint64_t monotonic_ns(void *user_data) {
  (void)user_data;
  return clock_ns(CLOCK_MONOTONIC);
}

static uint64_t wall_ns(void *user_data) {
  (void)user_data;
  return clock_ns(CLOCK_REALTIME);
}

static bool random_bytes(void *user_data, uint8_t *buf, size_t len) {
  size_t done = 0;
  (void)user_data;
  while (done < len) {
    ssize_t n = getrandom(buf + done, len - done, 0);
    if (n < 0 && errno == EINTR)
      continue;
    if (n <= 0)
      break;
    done += (size_t)n;
  }
  if (done < len) {
    int fd = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
    if (fd < 0)
      return false;
    while (done < len) {
      ssize_t n = read(fd, buf + done, len - done);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      done += (size_t)n;
    }
    close(fd);
  }
  return done == len;
}

/* ---- the lock ---- */
struct host_lock {
  pthread_mutex_t mutex;
  pthread_t owner;
  bool held;
};

static atomic_size_t locks_made, locks_destroyed, locks_taken, locks_given;
static atomic_int lock_violations;
static int lock_user_data;

static void *lock_create(void *user_data) {
  struct host_lock *l = malloc(sizeof *l); /* not the library's heap: a host lock is the host's */
  if (user_data != &lock_user_data)
    atomic_fetch_add(&lock_violations, 1);
  if (l == NULL || pthread_mutex_init(&l->mutex, NULL) != 0) {
    free(l);
    return NULL;
  }
  l->held = false;
  atomic_fetch_add(&locks_made, 1);
  return l;
}

static void lock_lock(void *user_data, void *lock) {
  struct host_lock *l = lock;
  if (user_data != &lock_user_data || l == NULL)
    atomic_fetch_add(&lock_violations, 1);
  pthread_mutex_lock(&l->mutex);
  l->owner = pthread_self();
  l->held = true;
  atomic_fetch_add(&locks_taken, 1);
}

static void lock_unlock(void *user_data, void *lock) {
  struct host_lock *l = lock;
  if (user_data != &lock_user_data || !l->held || !pthread_equal(l->owner, pthread_self()))
    atomic_fetch_add(&lock_violations, 1); /* unlocked by another thread, or not locked */
  l->held = false;
  atomic_fetch_add(&locks_given, 1);
  pthread_mutex_unlock(&l->mutex);
}

static void lock_destroy(void *user_data, void *lock) {
  struct host_lock *l = lock;
  if (user_data != &lock_user_data || l->held || pthread_mutex_trylock(&l->mutex) != 0) {
    atomic_fetch_add(&lock_violations, 1); /* destroyed while held */
  } else {
    pthread_mutex_unlock(&l->mutex);
  }
  pthread_mutex_destroy(&l->mutex);
  free(l);
  atomic_fetch_add(&locks_destroyed, 1);
}

struct hooks_nostd_locks hooks_nostd_locks(void) {
  struct hooks_nostd_locks c;
  c.made = atomic_load(&locks_made);
  c.destroyed = atomic_load(&locks_destroyed);
  c.taken = atomic_load(&locks_taken);
  c.given = atomic_load(&locks_given);
  c.contract_violations = atomic_load(&lock_violations);
  return c;
}

void hooks_nostd_install(void) {
  extism_x_set_clock(monotonic_ns, NULL);
  extism_x_set_wall_clock(wall_ns, NULL);
  extism_x_set_random(random_bytes, NULL);
}

__attribute__((constructor(101))) static void install_hooks(void) {
  /* The heap first: before anything in the library has allocated. */
  if (!extism_x_set_allocator(heap_alloc, heap_free, &n_allocs)) {
    fprintf(stderr, "hooks_nostd: extism_x_set_allocator refused (is this the no_std library?)\n");
    abort();
  }
  /* The lock next: before the library takes any lock (the hooks below take one). */
  if (!extism_x_set_lock(lock_create, lock_lock, lock_unlock, lock_destroy, &lock_user_data)) {
    fprintf(stderr, "hooks_nostd: extism_x_set_lock refused\n");
    abort();
  }
  hooks_nostd_install();
}

struct hooks_nostd_heap hooks_nostd_heap(void) {
  struct hooks_nostd_heap h;
  h.allocs = atomic_load(&n_allocs);
  h.frees = atomic_load(&n_frees);
  h.live_blocks = atomic_load(&live_blocks);
  h.live_bytes = atomic_load(&live_bytes);
  h.peak_bytes = atomic_load(&peak_bytes);
  h.max_align = atomic_load(&max_align);
  h.contract_violations = atomic_load(&bad_frees);
  return h;
}

