;; Imports a host function with a V128 parameter and result (t_simd.c): run calls it; lanes does not,
;; and returns 5 + 6 + 7 + 8 from the lanes of a vector.
(module
  (import "extism:host/user" "vec" (func $vec (param v128) (result v128)))
  (memory (export "memory") 1)
  (func (export "run") (result i32)
    (i32x4.extract_lane 0 (call $vec (v128.const i32x4 5 6 7 8))))
  (func (export "lanes") (result i32) (local $v v128)
    (local.set $v (v128.const i32x4 5 6 7 8))
    (i32.add
      (i32.add (i32x4.extract_lane 0 (local.get $v)) (i32x4.extract_lane 1 (local.get $v)))
      (i32.add (i32x4.extract_lane 2 (local.get $v)) (i32x4.extract_lane 3 (local.get $v))))))
