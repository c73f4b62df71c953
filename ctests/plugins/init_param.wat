;; `_initialize` calls a host function that takes a parameter (upstream 1.41 segfaults there).
(module
  (import "extism:host/user" "mark" (func $mark (param i32)))
  (func (export "_initialize") (call $mark (i32.const 1)))
  (func (export "f") (call $mark (i32.const 3)))
)
