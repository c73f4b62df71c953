;; Main module over cycle_start_s.wat: run returns what s's start function computed (1002).
(module
  (import "s" "seen" (func $seen (result i32)))
  (memory (export "memory") 1)
  (func (export "run") (result i32) (call $seen)))
