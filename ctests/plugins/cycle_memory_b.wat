;; Named "b" in the cycle of cycle_memory_a.wat: put(n) stores 3n at address 0 of a's memory.
(module
  (import "a" "memory" (memory 1))
  (func (export "put") (param $n i32) (i32.store (i32.const 0) (i32.mul (local.get $n) (i32.const 3)))))
