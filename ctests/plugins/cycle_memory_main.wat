;; Main module over cycle_memory_a.wat: run returns a.roundtrip(14) = 42.
(module
  (import "a" "roundtrip" (func $roundtrip (param i32) (result i32)))
  (func (export "run") (result i32) (call $roundtrip (i32.const 14))))
