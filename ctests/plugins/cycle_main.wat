;; Main module of the import cycle: run() = lhs.mul_two_plus_one(20) = 41.
(module
  (import "lhs" "mul_two_plus_one" (func $f (param i32) (result i32)))
  (import "rhs" "memory" (memory 1))
  (func (export "run") (result i32) (call $f (i32.const 20))))
