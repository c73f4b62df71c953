;; A command (exports `_start`) that also exports a global (checklist 202).
(module
  (global (export "g") i32 (i32.const 1))
  (func (export "_start")))
