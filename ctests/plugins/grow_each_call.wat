;; Grows its memory by one page on every call and writes only at its start: the input is copied to
;; offset 0 and back out as the output (the pattern of upstream's wasm/echo.wasm). The pages it grows
;; are never written by the plugin, so they should cost the host no resident memory (issue 25).
(module
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 0)
  (func (export "echo") (result i32)
    (local $n i64) (local $i i64) (local $out i64)
    (local.set $n (call $input_length))
    ;; rc 1: the memory cannot grow any more; rc 2: the input does not fit in the first page.
    (if (i32.lt_s (memory.grow (i32.const 1)) (i32.const 0)) (then (return (i32.const 1))))
    (if (i64.gt_u (local.get $n) (i64.const 65536)) (then (return (i32.const 2))))
    (block $in_done
      (loop $in
        (br_if $in_done (i64.ge_u (local.get $i) (local.get $n)))
        (i32.store8 (i32.wrap_i64 (local.get $i)) (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $in)))
    (local.set $out (call $alloc (local.get $n)))
    (local.set $i (i64.const 0))
    (block $out_done
      (loop $copy
        (br_if $out_done (i64.ge_u (local.get $i) (local.get $n)))
        (call $store_u8 (i64.add (local.get $out) (local.get $i)) (i32.load8_u (i32.wrap_i64 (local.get $i))))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $copy)))
    (call $output_set (local.get $out) (local.get $n))
    (i32.const 0))
  ;; Pages the memory has now (each call adds one).
  (func (export "pages") (result i32) (memory.size))
)
