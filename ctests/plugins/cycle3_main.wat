;; Main module over the three-module cycle of cycle3_x.wat: run outputs y.step(1) as 8 bytes
;; (y.step(1) = z.step(2) = x.step(5) = y.step(6) = ... = x.step(155) = 155).
(module
  (import "y" "step" (func $step (param i64) (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (func (export "run") (local $p i64)
    (local.set $p (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $p) (call $step (i64.const 1)))
    (call $output_set (local.get $p) (i64.const 8))))
