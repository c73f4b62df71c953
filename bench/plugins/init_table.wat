;; make bench's plugin with an expensive initialiser (the "Saved state" lines): `_initialize` fills a
;; 1 MiB table (pages 1-16) with a xorshift sequence, four passes over it, as a language runtime or a
;; lookup table built at start-up would; `lookup` outputs the table's u64 at index 12345 (8 bytes).
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 17)
  (func (export "_initialize") (local $pass i32) (local $at i32) (local $x i64)
    (local.set $x (i64.const 88172645463325252))
    (loop $passes
      (local.set $at (i32.const 65536))
      (loop $fill
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 13))))
        (local.set $x (i64.xor (local.get $x) (i64.shr_u (local.get $x) (i64.const 7))))
        (local.set $x (i64.xor (local.get $x) (i64.shl (local.get $x) (i64.const 17))))
        (i64.store (local.get $at) (i64.xor (i64.load (local.get $at)) (local.get $x)))
        (local.set $at (i32.add (local.get $at) (i32.const 8)))
        (br_if $fill (i32.lt_u (local.get $at) (i32.const 1114112))))
      (local.set $pass (i32.add (local.get $pass) (i32.const 1)))
      (br_if $passes (i32.lt_u (local.get $pass) (i32.const 4)))))
  (func (export "lookup") (result i32) (local $o i64)
    (local.set $o (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $o) (i64.load (i32.const 164296)))
    (call $output_set (local.get $o) (i64.const 8))
    (i32.const 0)))
