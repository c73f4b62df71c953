;; Named "lhs": imports rhs.add_one and exports mul_two (a cycle with cycle_rhs.wat).
(module
  (import "rhs" "add_one" (func $add_one (param i32) (result i32)))
  (func (export "mul_two") (param i32) (result i32) (i32.mul (local.get 0) (i32.const 2)))
  (func (export "mul_two_plus_one") (param i32) (result i32)
    (call $add_one (i32.mul (local.get 0) (i32.const 2)))))
