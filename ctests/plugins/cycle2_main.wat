;; Main module over the cycle of cycle2_a.wat and cycle2_b.wat, on b's memory:
;; encalculate outputs a.step(1) (127) as 8 bytes; spin never ends.
(module
  (import "a" "step" (func $step (param i64) (result i64)))
  (import "b" "spin_via_a" (func $spin))
  (import "b" "memory" (memory 1))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (func (export "encalculate") (result i32) (local $p i64)
    (local.set $p (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $p) (call $step (i64.const 1)))
    (call $output_set (local.get $p) (i64.const 8))
    (i32.const 0))
  (func (export "spin") (result i32) (call $spin) (i32.const 0)))
