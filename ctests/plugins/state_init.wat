;; A reactor with an initialiser worth skipping (t_x_state.c): `_initialize` tells the host it ran
;; (extism:host/user init_ran) and fills the second page with 0x5a. `calls` counts its calls in an
;; unexported global and in memory and outputs [calls, byte 100, a byte of the second page].
(module
  (import "extism:host/user" "init_ran" (func $init_ran))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 2)
  (global $calls (mut i32) (i32.const 0))
  (func (export "_initialize")
    (call $init_ran)
    (memory.fill (i32.const 65536) (i32.const 0x5a) (i32.const 65536)))
  (func (export "calls") (result i32) (local $o i64)
    (global.set $calls (i32.add (global.get $calls) (i32.const 1)))
    (i32.store8 (i32.const 100) (i32.add (i32.load8_u (i32.const 100)) (i32.const 2)))
    (local.set $o (call $alloc (i64.const 3)))
    (call $store_u8 (local.get $o) (global.get $calls))
    (call $store_u8 (i64.add (local.get $o) (i64.const 1)) (i32.load8_u (i32.const 100)))
    (call $store_u8 (i64.add (local.get $o) (i64.const 2)) (i32.load8_u (i32.const 70000)))
    (call $output_set (local.get $o) (i64.const 3))
    (i32.const 0)))
