;; Imports a global from extism:host/env (not a kernel function).
(module
  (import "extism:host/env" "nope" (global i32))
  (func (export "f")))
