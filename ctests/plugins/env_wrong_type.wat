;; Imports a kernel function with the wrong type.
(module
  (import "extism:host/env" "alloc" (func (param i32) (result i32)))
  (func (export "f")))
