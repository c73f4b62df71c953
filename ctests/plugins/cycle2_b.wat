;; Named "b" in a two-module import cycle with cycle2_a.wat; exports the memory the main module uses.
(module
  (import "a" "step" (func $step (param i64) (result i64)))
  (import "a" "spin" (func $spin))
  (memory (export "memory") 1)
  (func (export "add_one") (param $n i64) (result i64) (call $step (i64.add (local.get $n) (i64.const 1))))
  (func (export "spin_via_a") (call $spin)))
