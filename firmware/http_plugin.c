/* The plugin of the firmware's HTTP step (http_table.c): Extism's kernel ABI (extism:host/env) from
 * plain C, with no linear memory at all (built like pdk_c: no stack, no data; the request is written
 * straight into kernel memory), so that the image's other figures keep measuring plugin.c alone.
 *
 *   fetch   input URL -> GET it with http_request: output the body; rc 0 for status 200, else the
 *           status */

typedef unsigned long long u64;
typedef unsigned int u32;

#define ENV(name) __attribute__((import_module("extism:host/env"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

ENV("alloc") u64 x_alloc(u64 n);
ENV("store_u8") void x_store_u8(u64 p, u32 v);
ENV("store_u64") void x_store_u64(u64 p, u64 v);
ENV("input_length") u64 x_input_length(void);
ENV("input_load_u8") u32 x_input_load_u8(u64 i);
ENV("output_set") void x_output_set(u64 p, u64 n);
ENV("length") u64 x_length(u64 p);
ENV("http_request") u64 x_http_request(u64 req, u64 body);
ENV("http_status_code") int x_http_status_code(void);

/* {"url":"<input>"}: the first 8 bytes as one little-endian word (no data section). */
EXPORT("fetch") int fetch(void) {
  const u64 head = 0x223a226c7275227bULL; /* {"url":" */
  u64 len = x_input_length(), req = x_alloc(8 + len + 2);
  x_store_u64(req, head);
  for (u64 i = 0; i < len; i++)
    x_store_u8(req + 8 + i, x_input_load_u8(i));
  x_store_u8(req + 8 + len, '"');
  x_store_u8(req + 9 + len, '}');
  u64 body = x_http_request(req, 0);
  x_output_set(body, x_length(body));
  int status = x_http_status_code();
  return status == 200 ? 0 : status;
}
