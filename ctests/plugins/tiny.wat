;; The smallest useful plugin: no imports, one export returning 5.
(module
  (func (export "five") (result i32) (i32.const 5)))
