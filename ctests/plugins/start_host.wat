;; The start section calls a host function (checklist 195).
(module
  (import "extism:host/user" "count" (func $count))
  (func $init (call $count))
  (start $init)
  (func (export "f") (result i32) (i32.const 11))
)
