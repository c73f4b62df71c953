;; Calls the host function `tick` (i64 -> i64) N times, N = the first 8 input bytes (little-endian),
;; and outputs the last value tick returned (8 bytes). Used for 1M host calls in one plugin call.
(module
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/user" "tick" (func $tick (param i64) (result i64)))
  (func (export "run") (result i32)
    (local $n i64) (local $i i64) (local $v i64) (local $out i64)
    (local.set $n (call $input_load_u64 (i64.const 0)))
    (block $done
      (loop $again
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (local.set $v (call $tick (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $again)))
    (local.set $out (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $out) (local.get $v))
    (call $output_set (local.get $out) (i64.const 8))
    (i32.const 0))
  (memory (export "memory") 1))
