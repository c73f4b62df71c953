;; Host functions of several shapes in extism:host/user (checklist 81-86).
(module
  (import "extism:host/user" "types"
    (func $types (param i32 i64 f32 f64) (result f64 i32)))
  (import "extism:host/user" "void_fn" (func $void_fn))
  (import "extism:host/user" "untouched" (func $untouched (result i64)))
  (import "extism:host/user" "ctx" (func $ctx))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  ;; output two u64 values
  (func $emit2 (param $a i64) (param $b i64) (local $p i64)
    (local.set $p (call $alloc (i64.const 16)))
    (call $store_u64 (local.get $p) (local.get $a))
    (call $store_u64 (i64.add (local.get $p) (i64.const 8)) (local.get $b))
    (call $output_set (local.get $p) (i64.const 16)))
  ;; [bits of the f64 result, i32 result sign-extended]
  (func (export "call_types") (local $i i32) (local $f f64)
    (call $types (i32.const -7) (i64.const 0x123456789abcdef0) (f32.const 1.5) (f64.const -2.25))
    (local.set $i)
    (local.set $f)
    (call $emit2 (i64.reinterpret_f64 (local.get $f)) (i64.extend_i32_s (local.get $i))))
  (func (export "call_void") (result i32) (call $void_fn) (call $void_fn) (i32.const 3))
  (func (export "call_untouched") (call $emit2 (call $untouched) (i64.const 1)))
  (func (export "call_ctx") (call $ctx))
)
