;; Imports a function nobody provides (checklist 25, 36, 37).
(module
  (import "env" "f" (func $f))
  (func (export "run") (call $f)))
