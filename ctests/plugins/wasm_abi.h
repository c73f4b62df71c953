/* The extism:host/env imports (spec section 5) for test plugins written in C
 * (clang --target=wasm32-unknown-unknown -nostdlib). Handles are i64 = uint64_t. */
#ifndef WASM_ABI_H
#define WASM_ABI_H

typedef unsigned long long u64;
typedef long long i64;
typedef unsigned int u32;
typedef int i32;
typedef unsigned char u8;

#define ENV(name) __attribute__((import_module("extism:host/env"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

ENV("alloc") u64 x_alloc(u64 n);
ENV("free") void x_free(u64 p);
ENV("length") u64 x_length(u64 p);
ENV("length_unsafe") u64 x_length_unsafe(u64 p);
ENV("load_u8") u32 x_load_u8(u64 p);
ENV("load_u64") u64 x_load_u64(u64 p);
ENV("store_u8") void x_store_u8(u64 p, u32 v);
ENV("store_u64") void x_store_u64(u64 p, u64 v);
ENV("input_length") u64 x_input_length(void);
ENV("input_offset") u64 x_input_offset(void);
ENV("input_load_u8") u32 x_input_load_u8(u64 i);
ENV("input_load_u64") u64 x_input_load_u64(u64 i);
ENV("input_set") void x_input_set(u64 p, u64 n);
ENV("output_set") void x_output_set(u64 p, u64 n);
ENV("output_offset") u64 x_output_offset(void);
ENV("output_length") u64 x_output_length(void);
ENV("error_set") void x_error_set(u64 p);
ENV("error_get") u64 x_error_get(void);
ENV("reset") void x_reset(void);
ENV("memory_bytes") u64 x_memory_bytes(void);
ENV("config_get") u64 x_config_get(u64 key);
ENV("var_get") u64 x_var_get(u64 key);
ENV("var_set") void x_var_set(u64 key, u64 value);
ENV("http_request") u64 x_http_request(u64 request, u64 body);
ENV("http_status_code") i32 x_http_status_code(void);
ENV("http_headers") u64 x_http_headers(void);
ENV("log_trace") void x_log_trace(u64 msg);
ENV("log_debug") void x_log_debug(u64 msg);
ENV("log_info") void x_log_info(u64 msg);
ENV("log_warn") void x_log_warn(u64 msg);
ENV("log_error") void x_log_error(u64 msg);
ENV("get_log_level") i32 x_get_log_level(void);

/* Copies a NUL-terminated string into a new kernel block. */
static inline u64 kstr(const char *s) {
  u64 n = 0, p, i;
  while (s[n])
    n++;
  p = x_alloc(n);
  for (i = 0; i < n; i++)
    x_store_u8(p + i, (u8)s[i]);
  return p;
}

/* Copies the input into a new block (0 for empty input). */
static inline u64 input_copy(void) {
  u64 n = x_input_length(), p, i;
  if (n == 0)
    return 0;
  p = x_alloc(n);
  for (i = 0; i < n; i++)
    x_store_u8(p + i, x_input_load_u8(i));
  return p;
}

/* Publishes a block (0 = nothing) as the output. */
static inline void output_block(u64 p) { x_output_set(p, p ? x_length(p) : 0); }

/* Publishes n u64 values (little-endian) as the call's output. */
static inline void emit_u64s(const u64 *v, u64 n) {
  u64 p = x_alloc(n * 8), i;
  for (i = 0; i < n; i++)
    x_store_u64(p + i * 8, v[i]);
  x_output_set(p, n * 8);
}

#endif
