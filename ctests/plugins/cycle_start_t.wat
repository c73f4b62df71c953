;; Named "t" in the cycle of cycle_start_s.wat: t.f(n) = s.g(n) + 1. Instantiated before "s".
(module
  (import "s" "g" (func $g (param i32) (result i32)))
  (func (export "f") (param $n i32) (result i32) (i32.add (call $g (local.get $n)) (i32.const 1))))
