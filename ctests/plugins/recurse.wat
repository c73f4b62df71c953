;; Recursion depth and kernel-memory bounds (issue 15).
(module
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (memory (export "memory") 1)
  ;; depth(n) = n, recursing n frames deep (a few locals per frame, like real code)
  (func $depth (param $n i64) (result i64) (local $a i64) (local $b i64)
    (if (result i64) (i64.eqz (local.get $n))
      (then (i64.const 0))
      (else (i64.add (i64.const 1) (call $depth (i64.sub (local.get $n) (i64.const 1)))))))
  ;; returns 1 when recursing N (8-byte input) frames deep came back with N
  (func (export "deep") (result i32)
    (local $n i64)
    (local.set $n (call $input_load_u64 (i64.const 0)))
    (i64.eq (call $depth (local.get $n)) (local.get $n)))
  ;; returns 1 when a kernel allocation of N bytes (8-byte input) failed cleanly (returned 0)
  (func (export "alloc_fails") (result i32)
    (i64.eqz (call $alloc (call $input_load_u64 (i64.const 0)))))
)
