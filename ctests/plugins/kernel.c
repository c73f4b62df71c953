/* Kernel ABI seen from wasm (checklist 101-115) and out-of-range offsets handed to every kernel
 * import. Most exports publish their observations as little-endian u64 values (emit_u64s) so the
 * host test can assert each one. */
#include "wasm_abi.h"

#define FAR 0xffffffffffffULL

EXPORT("alloc_zero") i32 alloc_zero(void) { return (i32)x_alloc(0); }

/* 102, 103: [p, q, r, length(r)] */
EXPORT("alloc_reuse") void alloc_reuse(void) {
  u64 v[4];
  v[0] = x_alloc(65535);
  x_free(v[0]);
  v[1] = x_alloc(65535);
  x_free(v[1]);
  v[2] = x_alloc(65511);
  v[3] = x_length(v[2]);
  emit_u64s(v, 4);
}

/* 104, 105: [b, c, length(x) after reset, length(c), length(b) after reset] */
EXPORT("reset_alloc") void reset_alloc(void) {
  u64 v[5], x;
  x_reset();
  v[0] = x_alloc(10);
  x = x_alloc(1000);
  x_reset();
  v[2] = x_length(x);
  v[4] = x_length(v[0]);
  v[1] = x_alloc(10);
  v[3] = x_length(v[1]);
  emit_u64s(v, 5);
}

/* 106: output = the 8 stored bytes, rc = load_u64 */
EXPORT("store_u64_999") i32 store_u64_999(void) {
  u64 p = x_alloc(8);
  x_store_u64(p, 999);
  x_output_set(p, 8);
  return (i32)x_load_u64(p);
}

/* 107 and friends: [load_u64(p), load_u8 of a 0x1ff store, unaligned u64 round trip,
 * bytes of the unaligned store read back one by one (packed), length_unsafe(p), length(p)] */
EXPORT("store_bytes") void store_bytes(void) {
  u64 v[6], p = x_alloc(32), i, packed = 0;
  for (i = 0; i < 8; i++)
    x_store_u8(p + i, (u32)i);
  v[0] = x_load_u64(p);
  x_store_u8(p + 8, 0x1ff);
  v[1] = x_load_u8(p + 8);
  x_store_u64(p + 11, 0x1122334455667788ULL);
  v[2] = x_load_u64(p + 11);
  for (i = 0; i < 8; i++)
    packed |= (u64)x_load_u8(p + 11 + i) << (8 * i);
  v[3] = packed;
  v[4] = x_length_unsafe(p);
  v[5] = x_length(p);
  emit_u64s(v, 6);
}

/* 108: [load_u64(FAR), load_u8(FAR), load_u64(0), load_u8(0), load_u8(63), load_u64(2^64-8)] */
EXPORT("far_load") void far_load(void) {
  u64 v[6];
  v[0] = x_load_u64(FAR);
  v[1] = x_load_u8(FAR);
  v[2] = x_load_u64(0);
  v[3] = x_load_u8(0);
  v[4] = x_load_u8(63);
  v[5] = x_load_u64(0xfffffffffffffff8ULL);
  emit_u64s(v, 6);
}

/* 109: stores far away or below the block area do nothing and do not trap; returns 7 */
EXPORT("far_store") i32 far_store(void) {
  x_store_u8(FAR, 0);
  x_store_u64(FAR, 1);
  x_store_u8(0xffffffffffffffffULL, 1);
  x_store_u64(0xfffffffffffffff8ULL, 1);
  x_store_u8(0, 1);
  x_store_u64(0, 1);
  x_store_u64(8, 1);
  return 7;
}

/* 110: copy the input byte by byte into a block and output it */
EXPORT("input_copy_u8") void input_copy_u8(void) {
  u64 n = x_input_length(), p = x_alloc(n), i;
  for (i = 0; i < n; i++)
    x_store_u8(p + i, x_input_load_u8(i));
  x_output_set(p, n);
}

/* 110: copy the input 8 bytes at a time (the last partial word byte by byte) */
EXPORT("input_copy_u64") void input_copy_u64(void) {
  u64 n = x_input_length(), p = x_alloc(n), i = 0;
  for (; i + 8 <= n; i += 8)
    x_store_u64(p + i, x_input_load_u64(i));
  for (; i < n; i++)
    x_store_u8(p + i, x_input_load_u8(i));
  x_output_set(p, n);
}

/* 110: reads at and past the end of the input:
 * [n, input_load_u64(n+1), input_load_u64(n-8), input_load_u64(n-7), input_load_u8(n),
 *  input_load_u8(n-1), input_load_u8(FAR), input_load_u64(FAR)] */
EXPORT("input_edges") void input_edges(void) {
  u64 v[8], n = x_input_length();
  v[0] = n;
  v[1] = x_input_load_u64(n + 1);
  v[2] = x_input_load_u64(n - 8);
  v[3] = x_input_load_u64(n - 7);
  v[4] = x_input_load_u8(n);
  v[5] = x_input_load_u8(n - 1);
  v[6] = x_input_load_u8(FAR);
  v[7] = x_input_load_u64(FAR);
  emit_u64s(v, 8);
}

/* 111, 112: [p, error_get after error_set(p), after error_set(5), after error_set(FAR),
 * after error_set(0)] ; the call ends with no recorded error */
EXPORT("error_regs") void error_regs(void) {
  u64 v[5];
  v[0] = kstr("err");
  x_error_set(v[0]);
  v[1] = x_error_get();
  x_error_set(5);
  v[2] = x_error_get();
  x_error_set(FAR);
  v[3] = x_error_get();
  x_error_set(0);
  v[4] = x_error_get();
  emit_u64s(v, 5);
}

/* 112: error_set(5) with nothing recorded: [error_get()] */
EXPORT("error_set_low") void error_set_low(void) {
  u64 v[1];
  x_error_set(5);
  v[0] = x_error_get();
  emit_u64s(v, 1);
}

/* 113: random allocation sequences; [number of allocations, non-zero results, length
 * mismatches, overlaps found] */
static u64 rng_state = 88172645463325252ULL;
static u64 rng(void) {
  rng_state ^= rng_state << 13;
  rng_state ^= rng_state >> 7;
  rng_state ^= rng_state << 17;
  return rng_state;
}

#define SLOTS 48
EXPORT("alloc_random") void alloc_random(void) {
  u64 ptr[SLOTS], size[SLOTS], v[4] = {0, 0, 0, 0};
  int i, j, k;
  for (i = 0; i < SLOTS; i++)
    ptr[i] = 0;
  for (k = 0; k < 3000; k++) {
    int s = (int)(rng() % SLOTS);
    if (ptr[s]) {
      /* the block must still hold its marker bytes */
      if (x_load_u8(ptr[s]) != (u32)(s + 1) || x_load_u8(ptr[s] + size[s] - 1) != (u32)(s + 1))
        v[3]++;
      x_free(ptr[s]);
      ptr[s] = 0;
      if (rng() % 2)
        continue;
    }
    size[s] = 1 + rng() % (k % 10 == 0 ? 65535 : 700);
    ptr[s] = x_alloc(size[s]);
    v[0]++;
    if (ptr[s]) {
      v[1]++;
      if (x_length(ptr[s]) != size[s])
        v[2]++;
      x_store_u8(ptr[s], (u32)(s + 1));
      x_store_u8(ptr[s] + size[s] - 1, (u32)(s + 1));
    }
    for (j = 0; j < SLOTS; j++) {
      if (j != s && ptr[j] && ptr[s] && ptr[j] < ptr[s] + size[s] && ptr[s] < ptr[j] + size[j])
        v[3]++;
    }
  }
  emit_u64s(v, 4);
}

/* 114: [input_length before, input_length after freeing the input block, input_offset after] */
EXPORT("free_input") void free_input(void) {
  u64 v[3];
  v[0] = x_input_length();
  x_free(x_input_offset());
  v[1] = x_input_length();
  v[2] = x_input_offset();
  emit_u64s(v, 3);
}

/* 115: publish the input, then reset: returns input_length + output_length after the reset */
EXPORT("reset_self") i32 reset_self(void) {
  x_output_set(x_input_offset(), x_input_length());
  x_reset();
  return (i32)(x_input_length() + x_output_length());
}

/* 115: registers after reset: [input_length, input_offset, output_length, output_offset,
 * error_get] */
EXPORT("reset_regs") void reset_regs(void) {
  u64 v[5];
  x_output_set(x_input_offset(), x_input_length());
  x_error_set(kstr("x"));
  x_reset();
  v[0] = x_input_length();
  v[1] = x_input_offset();
  v[2] = x_output_length();
  v[3] = x_output_offset();
  v[4] = x_error_get();
  emit_u64s(v, 5);
}

/* [memory_bytes()] */
EXPORT("mem_bytes") void mem_bytes(void) {
  u64 v[1];
  v[0] = x_memory_bytes();
  emit_u64s(v, 1);
}

/* Out-of-range offsets to every kernel import. */

/* [alloc(2^63), alloc(2^64-1), alloc(2^40), alloc(2^32)] */
EXPORT("alloc_huge") void alloc_huge(void) {
  u64 v[4];
  v[0] = x_alloc(1ULL << 63);
  v[1] = x_alloc(0xffffffffffffffffULL);
  v[2] = x_alloc(1ULL << 40);
  v[3] = x_alloc(1ULL << 32);
  emit_u64s(v, 4);
}

/* free of 0, FAR, 5, p+1 and twice p: [length(p) after the bad frees, length(q) after freeing p
 * twice, length(p) after its free] */
EXPORT("free_bad") void free_bad(void) {
  u64 v[3], p = x_alloc(10), q = x_alloc(20);
  x_free(0);
  x_free(FAR);
  x_free(5);
  x_free(p + 1);
  x_free(0xffffffffffffffffULL);
  v[0] = x_length(p);
  x_free(p);
  x_free(p);
  v[1] = x_length(q);
  v[2] = x_length(p);
  emit_u64s(v, 3);
}

/* [length(FAR), length(0), length(5), length(p+1), length(p-1), length(2^64-1)] */
EXPORT("length_bad") void length_bad(void) {
  u64 v[6], p = x_alloc(10);
  v[0] = x_length(FAR);
  v[1] = x_length(0);
  v[2] = x_length(5);
  v[3] = x_length(p + 1);
  v[4] = x_length(p - 1);
  v[5] = x_length(0xffffffffffffffffULL);
  emit_u64s(v, 6);
}

/* length_unsafe far away: returns 3 if it returned at all */
EXPORT("length_unsafe_far") i32 length_unsafe_far(void) {
  (void)x_length_unsafe(FAR);
  return 3;
}

/* input_set out of range is ignored: [input_length, input_offset] afterwards */
EXPORT("input_set_bad") void input_set_bad(void) {
  u64 v[2];
  x_input_set(FAR, 5);
  x_input_set(0, 5);
  v[0] = x_input_length();
  v[1] = x_input_offset();
  emit_u64s(v, 2);
}

/* input_set to an in-range block: [input_length, input_offset, input_load_u8(0)] afterwards */
EXPORT("input_set_ok") void input_set_ok(void) {
  u64 v[4], p = kstr("xyz");
  x_input_set(p, 3);
  v[0] = x_input_length();
  v[1] = x_input_offset();
  v[2] = x_input_load_u8(0);
  v[3] = p;
  emit_u64s(v, 4);
}

/* output_set beyond the end with a huge length: [output_offset, output_length] after output_set
 * (FAR, 1) and after output_set(p, huge) */
EXPORT("output_regs_bad") void output_regs_bad(void) {
  u64 v[4], p = kstr("abc");
  x_output_set(FAR, 1);
  v[0] = x_output_offset();
  v[1] = x_output_length();
  x_output_set(p, 0xffffffffffULL);
  v[2] = x_output_offset();
  v[3] = x_output_length();
  emit_u64s(v, 4);
}

/* runtime imports with a handle that is not a block: these fail the call */
EXPORT("config_get_bad") i32 config_get_bad(void) { return (i32)x_config_get(777); }
EXPORT("var_get_bad") i32 var_get_bad(void) { return (i32)x_var_get(777); }
EXPORT("var_set_bad_key") i32 var_set_bad_key(void) {
  x_var_set(777, kstr("v"));
  return 5;
}
EXPORT("config_get_far") i32 config_get_far(void) { return (i32)x_config_get(FAR); }
