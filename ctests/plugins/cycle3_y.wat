;; Named "y" in the three-module import cycle of cycle3_x.wat.
(module
  (import "z" "step" (func $z (param i64) (result i64)))
  (func (export "step") (param $n i64) (result i64) (call $z (i64.mul (local.get $n) (i64.const 2)))))
