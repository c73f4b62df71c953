;; Named "rhs": imports lhs.mul_two and exports add_one and memory.
(module
  (import "lhs" "mul_two" (func $mul_two (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "add_one") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
  (func (export "double_then_add") (param i32) (result i32)
    (i32.add (call $mul_two (local.get 0)) (i32.const 1))))
