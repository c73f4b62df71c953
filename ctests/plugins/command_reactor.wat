;; Exports both `_start` and `_initialize` (checklist 203).
(module
  (func (export "_start"))
  (func (export "_initialize")))
