;; `hs_init` with another type than (i32, i32) -> (): the plugin is created, and upstream fails
;; the call that instantiates it with `failed to initialize Haskell using hs_init` (later calls run) (t_diff.c, found by make fuzz-diff).
(module
  (memory (export "memory") 1)
  (func (export "hs_init") (param i32))
  (func (export "run") (result i32) (i32.const 0))
)
