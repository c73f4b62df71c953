;; Exports a global named `_start` (checklist 204).
(module
  (global (export "_start") i32 (i32.const 1))
  (func (export "f")))
