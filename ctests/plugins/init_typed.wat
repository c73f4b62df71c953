;; `_initialize` with another type than () -> (): upstream refuses the plugin at creation with its
;; engine's type check, `expected 0 types, found 1` (t_diff.c, found by make fuzz-diff).
(module
  (memory (export "memory") 1)
  (func (export "_initialize") (result i32) (i32.const 0))
  (func (export "run") (result i32) (i32.const 0))
)
