;; Named "a": imports a global of "b", which imports one of "a": a cycle no order can instantiate.
(module
  (import "b" "g" (global i32))
  (global (export "g") i32 (i32.const 1)))
