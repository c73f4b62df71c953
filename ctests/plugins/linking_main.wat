;; Main module of the linking test: calls the host function `hello`, then counter.read_counter,
;; and outputs the counter as 8 bytes (checklist 193, 194).
(module
  (import "counter" "read_counter" (func $read_counter (result i64)))
  (import "extism:host/user" "hello" (func $hello))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (func (export "run") (local $p i64)
    (call $hello)
    (local.set $p (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $p) (call $read_counter))
    (call $output_set (local.get $p) (i64.const 8)))
)
