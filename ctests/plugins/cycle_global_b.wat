;; Named "b" in the cycle of cycle_global_a.wat.
(module
  (import "a" "g" (global i32))
  (global (export "g") i32 (i32.const 2)))
