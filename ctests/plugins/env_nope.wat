;; Imports a name extism:host/env does not have (checklist 23).
(module
  (import "extism:host/env" "nope" (func (param i64) (result i64)))
  (func (export "f")))
