/* A tiny test harness for the conformance suite.
 *
 * TEST(name) { ... } defines and registers a test. Checks record a failure with file:line and let
 * the test continue; REQUIRE-style checks stop the current test. Each test runs in its own forked
 * process (so a crash or hang in the library fails one test, and process-wide state such as the
 * global logger starts fresh), unless the runner is given --no-fork.
 *
 * Tests that upstream's reference library cannot run (it crashes on some NULL arguments) are
 * declared with TEST_NOT_UPSTREAM(name, "why"): they run only when EXTISM_NOT_UPSTREAM is defined
 * (the Makefile defines it when testing our library) and are otherwise listed as skipped. */
#ifndef CTESTS_HARNESS_H
#define CTESTS_HARNESS_H

#include <stddef.h>
#include <stdint.h>

typedef void (*harness_fn)(void);

void harness_register(const char *name, const char *file, harness_fn fn, const char *skip_reason);

/* Check helpers: each returns 1 when the check passed, 0 after recording a failure. */
int harness_check(int ok, const char *file, int line, const char *expr);
int harness_check_int(long long got, long long want, const char *file, int line, const char *expr);
int harness_check_u64(uint64_t got, uint64_t want, const char *file, int line, const char *expr);
int harness_check_str(const char *got, const char *want, const char *file, int line,
                      const char *expr);
int harness_check_prefix(const char *got, const char *prefix, const char *file, int line,
                         const char *expr);
int harness_check_contains(const char *got, const char *needle, const char *file, int line,
                           const char *expr);
int harness_check_mem(const void *got, size_t got_len, const void *want, size_t want_len,
                      const char *file, int line, const char *expr);
/* Stop the current test (after a failed REQUIRE). */
void harness_stop(void);
/* Print a note attached to the current test (shown with its result). */
void harness_note(const char *fmt, ...);

/* Path of the directory holding the built test plugins (PLUGIN_DIR, else <binary dir>/../plugins). */
const char *harness_plugin_dir(void);

#define CHECK(c) harness_check(!!(c), __FILE__, __LINE__, #c)
#define CHECK_EQ_INT(got, want)                                                                    \
  harness_check_int((long long)(got), (long long)(want), __FILE__, __LINE__, #got " == " #want)
#define CHECK_EQ_U64(got, want)                                                                    \
  harness_check_u64((uint64_t)(got), (uint64_t)(want), __FILE__, __LINE__, #got " == " #want)
/* Compares C strings; either side may be NULL (NULL only equals NULL). */
#define CHECK_STR(got, want) harness_check_str((got), (want), __FILE__, __LINE__, #got)
#define CHECK_NULL(p) harness_check((p) == NULL, __FILE__, __LINE__, #p " is NULL")
#define CHECK_NOT_NULL(p) harness_check((p) != NULL, __FILE__, __LINE__, #p " is not NULL")
#define CHECK_PREFIX(got, prefix)                                                                  \
  harness_check_prefix((got), (prefix), __FILE__, __LINE__, #got)
#define CHECK_CONTAINS(got, needle)                                                                \
  harness_check_contains((got), (needle), __FILE__, __LINE__, #got)
#define CHECK_MEM(got, got_len, want, want_len)                                                    \
  harness_check_mem((got), (size_t)(got_len), (want), (size_t)(want_len), __FILE__, __LINE__, #got)

#define REQUIRE(c)                                                                                 \
  do {                                                                                             \
    if (!CHECK(c))                                                                                 \
      harness_stop();                                                                              \
  } while (0)
#define REQUIRE_NOT_NULL(p)                                                                        \
  do {                                                                                             \
    if (!CHECK_NOT_NULL(p))                                                                        \
      harness_stop();                                                                              \
  } while (0)

#define HARNESS_REGISTER_(name, skip)                                                              \
  static void test_##name(void);                                                                   \
  __attribute__((constructor)) static void harness_reg_##name(void) {                              \
    harness_register(#name, __FILE__, test_##name, skip);                                          \
  }                                                                                                \
  static void test_##name(void)

#define TEST(name) HARNESS_REGISTER_(name, NULL)

#ifdef EXTISM_NOT_UPSTREAM
#define TEST_NOT_UPSTREAM(name, reason) HARNESS_REGISTER_(name, NULL)
#else
#define TEST_NOT_UPSTREAM(name, reason) HARNESS_REGISTER_(name, "upstream: " reason)
#endif

#endif
