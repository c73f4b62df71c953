;; Imports the kernel's memory (checklist 24).
(module
  (import "extism:host/env" "memory" (memory 1))
  (func (export "f")))
