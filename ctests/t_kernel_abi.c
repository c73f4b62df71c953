/* Checklist "Kernel ABI seen from wasm" (items 101-115), plus out-of-range offsets from a plugin
 * to every kernel import (bad-input list). Plugin: plugins/kernel.c. */
#include <stdlib.h>
#include <string.h>

#include "common.h"

#define FAR_OFFSET 0xffffffffffffULL

static ExtismPlugin *kernel(void) { return load_plugin("kernel", false); }

/* 101 */
TEST(kernel_alloc_zero) {
  ExtismPlugin *p = kernel();
  CHECK_EQ_INT(call_str(p, "alloc_zero", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 102, 103 */
TEST(kernel_alloc_reuses_freed_block) {
  ExtismPlugin *p = kernel();
  uint64_t a, b, c;
  CHECK_EQ_INT(call_str(p, "alloc_reuse", NULL), 0);
  a = output_u64(p, 0);
  b = output_u64(p, 1);
  c = output_u64(p, 2);
  CHECK(a != 0);
  CHECK_EQ_U64(b, a);
  CHECK_EQ_U64(c, a);
  CHECK_EQ_U64(output_u64(p, 3), 65511);
  extism_plugin_free(p);
}

/* 104, 105 */
TEST(kernel_reset_restarts_allocation) {
  ExtismPlugin *p = kernel();
  uint64_t first;
  CHECK_EQ_INT(call_str(p, "reset_alloc", "some input"), 0);
  first = output_u64(p, 0);
  CHECK(first != 0);
  CHECK_EQ_U64(output_u64(p, 1), first); /* 104 */
  CHECK_EQ_U64(output_u64(p, 2), 0);     /* 105: old block */
  CHECK_EQ_U64(output_u64(p, 3), 10);
  CHECK_EQ_U64(output_u64(p, 4), 0);
  /* the first block handed out after a wipe is where a call's input sits */
  CHECK_EQ_U64(first, 77);
  extism_plugin_free(p);
}

/* 106 */
TEST(kernel_store_load_u64) {
  ExtismPlugin *p = kernel();
  static const uint8_t le999[8] = {0xe7, 0x03, 0, 0, 0, 0, 0, 0};
  CHECK_EQ_INT(call_str(p, "store_u64_999", NULL), 999);
  CHECK_MEM(extism_plugin_output_data(p), extism_plugin_output_length(p), le999, 8);
  extism_plugin_free(p);
}

/* 107 and byte-level details */
TEST(kernel_store_bytes) {
  ExtismPlugin *p = kernel();
  CHECK_EQ_INT(call_str(p, "store_bytes", NULL), 0);
  CHECK_EQ_U64(output_u64(p, 0), 0x0706050403020100ULL);
  CHECK_EQ_U64(output_u64(p, 1), 0xff);                  /* low byte written */
  CHECK_EQ_U64(output_u64(p, 2), 0x1122334455667788ULL); /* any alignment */
  CHECK_EQ_U64(output_u64(p, 3), 0x1122334455667788ULL); /* little-endian bytes */
  CHECK_EQ_U64(output_u64(p, 4), 32);                    /* length_unsafe of a block */
  CHECK_EQ_U64(output_u64(p, 5), 32);
  extism_plugin_free(p);
}

/* 108 */
TEST(kernel_far_loads_read_zero) {
  ExtismPlugin *p = kernel();
  int i;
  CHECK_EQ_INT(call_str(p, "far_load", NULL), 0);
  for (i = 0; i < 6; i++)
    CHECK_EQ_U64(output_u64(p, i), 0);
  extism_plugin_free(p);
}

/* 109 */
TEST(kernel_far_stores_do_not_trap) {
  ExtismPlugin *p = kernel();
  CHECK_EQ_INT(call_str(p, "far_store", NULL), 7);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

static uint8_t *pattern(size_t n) {
  uint8_t *b = malloc(n);
  size_t i;
  for (i = 0; i < n; i++)
    b[i] = (uint8_t)((i * 131) ^ (i >> 8));
  return b;
}

/* 110 */
TEST(kernel_input_load) {
  ExtismPlugin *p = kernel();
  size_t n = 123456;
  uint8_t *in = pattern(n);
  CHECK_EQ_INT(extism_plugin_call(p, "input_copy_u8", in, n), 0);
  CHECK_MEM(extism_plugin_output_data(p), extism_plugin_output_length(p), in, n);
  CHECK_EQ_INT(extism_plugin_call(p, "input_copy_u64", in, n), 0);
  CHECK_MEM(extism_plugin_output_data(p), extism_plugin_output_length(p), in, n);
  CHECK_EQ_INT(extism_plugin_call(p, "input_edges", in, n), 0);
  CHECK_EQ_U64(output_u64(p, 0), n);
  CHECK_EQ_U64(output_u64(p, 1), 0);           /* input_load_u64(123457) */
  CHECK_EQ_U64(output_u64(p, 2), le64(in + n - 8));
  CHECK_EQ_U64(output_u64(p, 3), 0);           /* would pass the end */
  CHECK_EQ_U64(output_u64(p, 4), 0);           /* input_load_u8(n) */
  CHECK_EQ_U64(output_u64(p, 5), in[n - 1]);
  CHECK_EQ_U64(output_u64(p, 6), 0);
  CHECK_EQ_U64(output_u64(p, 7), 0);
  free(in);
  extism_plugin_free(p);
}

/* 111, 112 */
TEST(kernel_error_registers) {
  ExtismPlugin *p = kernel();
  uint64_t blk;
  CHECK_EQ_INT(call_str(p, "error_regs", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  blk = output_u64(p, 0);
  CHECK(blk != 0);
  CHECK_EQ_U64(output_u64(p, 1), blk);
  CHECK_EQ_U64(output_u64(p, 2), blk); /* error_set(5) ignored */
  CHECK_EQ_U64(output_u64(p, 3), blk); /* error_set(far) ignored */
  CHECK_EQ_U64(output_u64(p, 4), 0);   /* error_set(0) clears */
  CHECK_EQ_INT(call_str(p, "error_set_low", NULL), 0);
  CHECK_EQ_U64(output_u64(p, 0), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

/* 113 */
TEST(kernel_random_allocations) {
  ExtismPlugin *p = kernel();
  CHECK_EQ_INT(call_str(p, "alloc_random", NULL), 0);
  CHECK(output_u64(p, 0) > 1000);
  CHECK_EQ_U64(output_u64(p, 1), output_u64(p, 0)); /* every allocation succeeded */
  CHECK_EQ_U64(output_u64(p, 2), 0);                /* lengths as requested */
  CHECK_EQ_U64(output_u64(p, 3), 0);                /* no overlap, contents kept */
  extism_plugin_free(p);
}

/* 114 */
TEST(kernel_free_input_block) {
  ExtismPlugin *p = kernel();
  CHECK_EQ_INT(call_str(p, "free_input", "0123456789"), 0);
  CHECK_EQ_U64(output_u64(p, 0), 10);
  CHECK_EQ_U64(output_u64(p, 1), 0);
  extism_plugin_free(p);
}

/* 115 */
TEST(kernel_plugin_reset) {
  ExtismPlugin *p = kernel();
  CHECK_EQ_INT(call_str(p, "reset_self", "some input"), 0);
  CHECK_EQ_INT(extism_plugin_output_length(p), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "reset_regs", "some input"), 0);
  CHECK_EQ_U64(output_u64(p, 0), 0);
  CHECK_EQ_U64(output_u64(p, 1), 0);
  CHECK_EQ_U64(output_u64(p, 2), 0);
  CHECK_EQ_U64(output_u64(p, 3), 0);
  CHECK_EQ_U64(output_u64(p, 4), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}

TEST(kernel_memory_bytes_at_start) {
  ExtismPlugin *p = kernel();
  CHECK_EQ_INT(call_str(p, "mem_bytes", NULL), 0);
  CHECK_EQ_U64(output_u64(p, 0), 65472);
  extism_plugin_free(p);
}

/* ---- out-of-range offsets to every kernel import (bad input) ---- */

/* allocation of 2^63 bytes (and other impossible sizes): harmless for the plugin */
TEST(kernel_alloc_huge_is_harmless) {
  ExtismPlugin *p = kernel();
  CHECK_EQ_INT(call_str(p, "alloc_huge", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(extism_plugin_output_length(p), 32);
  /* the plugin still works, and the next call starts from a wiped kernel memory */
  CHECK_EQ_INT(call_str(p, "store_u64_999", NULL), 999);
  CHECK_EQ_INT(call_str(p, "input_set_bad", "hello"), 0);
  CHECK_EQ_U64(output_u64(p, 1), 77);
  extism_plugin_free(p);
}

/* spec section 5: alloc returns 0 on failure */
TEST_NOT_UPSTREAM(kernel_alloc_huge_returns_zero,
                  "its kernel truncates sizes to 32 bits: alloc(2^63) returns a 0-byte block at 77 "
                  "(see REFERENCE-NOTES.md)") {
  ExtismPlugin *p = kernel();
  CHECK_EQ_INT(call_str(p, "alloc_huge", NULL), 0);
  CHECK_EQ_U64(output_u64(p, 0), 0); /* 2^63 */
  CHECK_EQ_U64(output_u64(p, 1), 0); /* 2^64-1 */
  CHECK_EQ_U64(output_u64(p, 2), 0); /* 2^40 */
  CHECK_EQ_U64(output_u64(p, 3), 0); /* 2^32 */
  extism_plugin_free(p);
}

TEST(kernel_free_bad_offsets) {
  ExtismPlugin *p = kernel();
  CHECK_EQ_INT(call_str(p, "free_bad", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  CHECK_EQ_U64(output_u64(p, 0), 10);
  CHECK_EQ_U64(output_u64(p, 1), 20);
  CHECK_EQ_U64(output_u64(p, 2), 0);
  extism_plugin_free(p);
}

TEST(kernel_length_bad_offsets) {
  ExtismPlugin *p = kernel();
  int i;
  CHECK_EQ_INT(call_str(p, "length_bad", NULL), 0);
  for (i = 0; i < 6; i++)
    CHECK_EQ_U64(output_u64(p, i), 0);
  extism_plugin_free(p);
}

TEST(kernel_length_unsafe_far) {
  ExtismPlugin *p = kernel();
  int rc = call_str(p, "length_unsafe_far", NULL);
  CHECK_EQ_INT(rc, 3);
  extism_plugin_free(p);
}

TEST(kernel_input_set) {
  ExtismPlugin *p = kernel();
  CHECK_EQ_INT(call_str(p, "input_set_bad", "hello"), 0);
  CHECK_EQ_U64(output_u64(p, 0), 5);
  CHECK_EQ_U64(output_u64(p, 1), 77);
  CHECK_EQ_INT(call_str(p, "input_set_ok", "hello"), 0);
  CHECK_EQ_U64(output_u64(p, 0), 3);
  CHECK_EQ_U64(output_u64(p, 1), output_u64(p, 3));
  CHECK_EQ_U64(output_u64(p, 2), 'x');
  extism_plugin_free(p);
}

TEST(kernel_output_set_bad) {
  ExtismPlugin *p = kernel();
  CHECK_EQ_INT(call_str(p, "output_regs_bad", NULL), 0);
  CHECK_EQ_U64(output_u64(p, 0), 0);
  CHECK_EQ_U64(output_u64(p, 1), 0);
  CHECK_EQ_U64(output_u64(p, 2), 0);
  CHECK_EQ_U64(output_u64(p, 3), 0);
  extism_plugin_free(p);
}

/* runtime imports given a handle that does not start a block fail the call (119, 125, 126) */
TEST(runtime_imports_bad_handles) {
  ExtismPlugin *p = kernel();
  CHECK_EQ_INT(call_str(p, "config_get_bad", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "config_get_far", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "var_get_bad", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "var_set_bad_key", NULL), -1);
  CHECK_NOT_NULL(extism_plugin_error(p));
  CHECK_EQ_INT(call_str(p, "alloc_zero", NULL), 0);
  CHECK_NULL(extism_plugin_error(p));
  extism_plugin_free(p);
}
