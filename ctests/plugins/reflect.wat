;; Like upstream's reflect.wasm: `reflect` passes its input block to the host function
;; extism:host/user `host_reflect` (I64 -> I64) and outputs the block it returns.
(module
  (import "extism:host/user" "host_reflect" (func $host_reflect (param i64) (result i64)))
  (import "extism:host/env" "input_offset" (func $input_offset (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (func (export "reflect") (local $r i64)
    (local.set $r (call $host_reflect (call $input_offset)))
    (call $output_set (local.get $r) (call $length (local.get $r))))
)
