/* Isolation (t_isolation.c): a plugin trying to reach outside its kernel blocks and its own memory
 * through the kernel imports, with ranges that overflow, freed blocks, forged block headers and
 * offsets past the end of kernel memory. Exports publish what they saw as little-endian u64s. */
#include "wasm_abi.h"

#define MAX64 0xffffffffffffffffULL
#define ENV_USER(name) __attribute__((import_module("extism:host/user"), import_name(name)))

/* offset + length overflowing 64 bits, to every import taking a range:
 * [output_length after output_set(p, 2^64-p+1), output_offset after it,
 *  input_length after input_set(p, 2^64-p+1), input_load_u64(2^64-4), input_load_u8(2^64-1),
 *  load_u64(2^64-4), load_u64(2^64-1), the 3 bytes of p after store_u64(2^64-4) and
 *  store_u64(2^64-1) (packed), input_length after input_set(2^64-1, 2)] */
EXPORT("overflow_ranges") void overflow_ranges(void) {
  u64 v[9], p = kstr("abc"), n0 = x_input_length();
  x_output_set(p, MAX64 - p + 2);
  v[0] = x_output_length();
  v[1] = x_output_offset();
  x_input_set(p, MAX64 - p + 2);
  v[2] = x_input_length() - n0; /* 0 when refused */
  v[3] = x_input_load_u64(MAX64 - 3); /* upstream: wraps to 4 bytes before the input */
  v[4] = x_input_load_u8(MAX64);
  v[5] = x_load_u64(MAX64 - 3);
  v[6] = x_load_u64(MAX64);
  x_store_u64(MAX64 - 3, 0x4141414141414141ULL);
  x_store_u64(MAX64, 0x4242424242424242ULL);
  x_store_u8(MAX64, 0x43);
  v[7] = x_load_u8(p) | (u64)x_load_u8(p + 1) << 8 | (u64)x_load_u8(p + 2) << 16;
  x_input_set(MAX64, 2);
  v[8] = x_input_length() - n0;
  emit_u64s(v, 9);
}

/* a freed block: [length(p), length_unsafe(p), whether the next alloc of the same size is
 * somewhere else (fresh space is bumped first), its length, length(p) after that] ; p's bytes stay
 * the plugin's own memory (reading them is no escape) */
EXPORT("freed_block") void freed_block(void) {
  u64 v[5], p = x_alloc(100), q;
  x_store_u64(p, 0x1122334455667788ULL);
  x_free(p);
  v[0] = x_length(p);
  v[1] = x_length_unsafe(p);
  q = x_alloc(100);
  v[2] = q != p && q != 0;
  v[3] = x_length(q);
  v[4] = x_length(p);
  emit_u64s(v, 5);
}

/* runtime imports given a freed block: each fails the call */
EXPORT("var_set_freed_key") i32 var_set_freed_key(void) {
  u64 k = kstr("key");
  x_free(k);
  x_var_set(k, kstr("value"));
  return 7;
}
EXPORT("config_get_freed_key") i32 config_get_freed_key(void) {
  u64 k = kstr("key");
  x_free(k);
  return (i32)x_config_get(k);
}
EXPORT("var_set_freed_value") i32 var_set_freed_value(void) {
  u64 v = kstr("value");
  x_free(v);
  x_var_set(kstr("key"), v);
  return 7;
}

/* A block header forged inside a block's data (status active, size and used 1 MB), and the handle
 * right after it: [length(h), length_unsafe(h), output_length after output_set(h,
 * length_unsafe(h)), output_length after output_set(h, 8)] */
static u64 forge(void) {
  u64 p = x_alloc(64), h = p + 16 + 12;
  x_store_u8(p + 16, 1);
  x_store_u64(p + 16 + 4, 1000000ULL | (1000000ULL << 32)); /* size, used (u32 each) */
  return h;
}
EXPORT("forged_header") void forged_header(void) {
  u64 v[4], h = forge();
  v[0] = x_length(h);
  v[1] = x_length_unsafe(h);
  x_output_set(h, v[1]);
  v[2] = x_output_length();
  x_output_set(h, 8);
  v[3] = x_output_length();
  emit_u64s(v, 4);
}
/* the forged handle as a runtime import's key: fails the call */
EXPORT("var_get_forged") i32 var_get_forged(void) { return (i32)x_var_get(forge()); }

/* Stores at offsets past the end of kernel memory, up to past any arena it could have: nothing is
 * written anywhere, nothing traps. [the same offsets read back with load_u64, summed ; 42] */
static const u64 far_offsets[] = {
    (1ULL << 20) + 5,   /* past 16 pages */
    (1ULL << 30) - 8,   /* the last word of a 1 GiB arena */
    (1ULL << 30),       /* past it */
    (1ULL << 30) + 4096,
    (1ULL << 32) - 8,   /* the last word of a wasm32 memory */
    (1ULL << 32),
    (1ULL << 40),
    (1ULL << 63),
};
EXPORT("store_far") void store_far(void) {
  u64 v[2] = {0, 42}, i;
  for (i = 0; i < sizeof far_offsets / sizeof *far_offsets; i++) {
    x_store_u64(far_offsets[i], 0x5a5a5a5a5a5a5a5aULL);
    x_store_u8(far_offsets[i] + 7, 0x5a);
  }
  for (i = 0; i < sizeof far_offsets / sizeof *far_offsets; i++)
    v[0] += x_load_u64(far_offsets[i]) + x_load_u8(far_offsets[i] + 7);
  emit_u64s(v, 2);
}

/* Our layout: kernel memory is committed page by page, memory_bytes() + 64 bytes at the start.
 * A store just past the committed end writes nothing: once memory grows over that spot it reads 0.
 * [end, load_u8(end + 100) after growing, handle of the growing block, its length] */
EXPORT("store_past_committed") void store_past_committed(void) {
  u64 v[4], end = x_memory_bytes() + 64;
  x_store_u8(end + 100, 0xab);
  x_store_u64(end + 200, MAX64);
  v[0] = end;
  v[2] = x_alloc(3 * 65536);
  v[3] = x_length(v[2]);
  v[1] = x_load_u8(end + 100) + x_load_u64(end + 200);
  emit_u64s(v, 4);
}

/* A store at exactly the committed end traps (as upstream's kernel does at its end). */
EXPORT("store_at_committed_end") i32 store_at_committed_end(void) {
  x_store_u8(x_memory_bytes() + 64, 1);
  return 5;
}

/* The largest output: every byte after the root record, [65, 65 + memory_bytes() - 1), set to
 * 0x61 (over the block headers: they are the plugin's own bytes). */
EXPORT("output_whole_area") void output_whole_area(void) {
  u64 n = x_memory_bytes() - 1, i;
  for (i = 0; i + 8 <= n; i += 8)
    x_store_u64(65 + i, 0x6161616161616161ULL);
  for (; i < n; i++)
    x_store_u8(65 + i, 0x61);
  x_output_set(65, n);
}

/* An output range the registers accept (its last byte is below memory_bytes() + 65) that ends one
 * byte past our committed end; returns the output length register. The host must see no output. */
EXPORT("output_past_committed") i32 output_past_committed(void) {
  x_output_set(66, x_memory_bytes() - 1);
  return (i32)x_output_length();
}

/* Calls the host function `probe` (I64 -> I64) with an allocated block, then returns its result. */
ENV_USER("probe") u64 probe(u64 p);
EXPORT("call_probe") i32 call_probe(void) {
  u64 p = kstr("hello, host");
  return (i32)probe(p);
}
