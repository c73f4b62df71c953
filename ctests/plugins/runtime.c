/* Runtime-group imports of extism:host/env: config, vars, logging, HTTP registers (checklist
 * 116-141). */
#include "wasm_abi.h"

/* config value of the key given as input; output = value, rc 1 when config_get returned 0 */
EXPORT("cfg") i32 cfg(void) {
  u64 r = x_config_get(input_copy());
  output_block(r);
  return r == 0;
}

/* config_get(0) */
EXPORT("cfg_zero") i32 cfg_zero(void) {
  u64 r = x_config_get(0);
  output_block(r);
  return r == 0;
}

/* var_set("AAA", "BBB") */
EXPORT("var_aaa") i32 var_aaa(void) {
  x_var_set(kstr("AAA"), kstr("BBB"));
  return 0;
}

/* var_set(input, input) (test_no_vars) */
EXPORT("var_input_input") i32 var_input_input(void) {
  u64 p = x_input_offset();
  x_var_set(p, p);
  return 0;
}

/* var "k" = input (deleted for empty input); output = var_get("k") */
EXPORT("var_roundtrip") i32 var_roundtrip(void) {
  u64 r;
  x_var_set(kstr("k"), input_copy());
  r = x_var_get(kstr("k"));
  output_block(r);
  return r == 0;
}

/* var_set of as many distinct 8-byte keys as the input's u64 (little-endian) says, each to "v"
 * (t_capacities.c: MAX_VAR_ENTRIES) */
EXPORT("var_many") i32 var_many(void) {
  u64 n = x_input_load_u64(0), i, k;
  for (i = 0; i < n; i++) {
    k = x_alloc(8);
    /* the index in base 128: every byte ASCII, since keys must be UTF-8 (upstream) */
    x_store_u64(k, (i & 0x7f) | (i >> 7 & 0x7f) << 8 | (i >> 14 & 0x7f) << 16 | (i >> 21 & 0x7f) << 24);
    x_var_set(k, kstr("v"));
  }
  return 0;
}

/* output = var_get("k") */
EXPORT("var_read") i32 var_read(void) {
  u64 r = x_var_get(kstr("k"));
  output_block(r);
  return r == 0;
}

EXPORT("log_level") i32 log_level(void) { return x_get_log_level(); }
EXPORT("log_info_bad") i32 log_info_bad(void) {
  x_log_info(99999);
  return 0;
}
EXPORT("log_error_bad") i32 log_error_bad(void) {
  x_log_error(99999);
  return 0;
}
EXPORT("log_debug_bad") i32 log_debug_bad(void) {
  x_log_debug(99999);
  return 0;
}
EXPORT("log_info_twice") i32 log_info_twice(void) {
  u64 p = kstr("twice");
  x_log_info(p);
  x_log_info(p);
  return 0;
}
EXPORT("log_error_zero") i32 log_error_zero(void) {
  x_log_error(0);
  return 0;
}
EXPORT("log_error_not_utf8") i32 log_error_not_utf8(void) {
  x_log_error(kstr("bad \xff\xfe bytes"));
  return 0;
}
/* one message per level */
EXPORT("log_all") i32 log_all(void) {
  x_log_trace(kstr("m-trace"));
  x_log_debug(kstr("m-debug"));
  x_log_info(kstr("m-info"));
  x_log_warn(kstr("m-warn"));
  x_log_error(kstr("m-error"));
  return 0;
}

/* output = http_headers(); rc 1 when it returned 0 */
EXPORT("headers") i32 headers(void) {
  u64 r = x_http_headers();
  output_block(r);
  return r == 0;
}
EXPORT("status") i32 status(void) { return x_http_status_code(); }

/* input = request JSON; output = response body */
EXPORT("http") i32 http(void) {
  u64 r = x_http_request(input_copy(), 0);
  output_block(r);
  return 0;
}

/* input = request JSON; output = response body; rc = http_status_code() */
EXPORT("http_status") i32 http_status(void) {
  u64 r = x_http_request(input_copy(), 0);
  output_block(r);
  return x_http_status_code();
}

/* input = request JSON with body "posted body"; output = response body */
EXPORT("http_post") i32 http_post(void) {
  u64 r = x_http_request(input_copy(), kstr("posted body"));
  output_block(r);
  return 0;
}

/* input = request JSON; output = http_headers() after the request (rc 1 when 0) */
EXPORT("http_then_headers") i32 http_then_headers(void) {
  u64 r;
  x_http_request(input_copy(), 0);
  r = x_http_headers();
  output_block(r);
  return r == 0;
}
