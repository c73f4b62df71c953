/* The RTOS image's second plugin (firmware/rtos/main.c): one export that calls a host function,
 * so that a task is inside a call (holding its plugin's lock) while the host function runs.
 *
 *   hold   calls the host function extism:host/user hold(), then outputs "held" */

typedef unsigned long long u64;

#define ENV(name) __attribute__((import_module("extism:host/env"), import_name(name)))
#define USER(name) __attribute__((import_module("extism:host/user"), import_name(name)))
#define EXPORT(name) __attribute__((export_name(name)))

ENV("alloc") u64 x_alloc(u64 n);
ENV("store_u8") void x_store_u8(u64 p, unsigned v);
ENV("output_set") void x_output_set(u64 p, u64 n);
USER("hold") void host_hold(void);

EXPORT("hold") int hold(void) {
  static const char text[] = "held";
  host_hold();
  u64 p = x_alloc(sizeof text - 1);
  for (u64 i = 0; i < sizeof text - 1; i++)
    x_store_u8(p + i, (unsigned char)text[i]);
  x_output_set(p, sizeof text - 1);
  return 0;
}
