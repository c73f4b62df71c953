;; Named "z" in the three-module import cycle of cycle3_x.wat.
(module
  (import "x" "step" (func $x (param i64) (result i64)))
  (func (export "step") (param $n i64) (result i64) (call $x (i64.add (local.get $n) (i64.const 3)))))
