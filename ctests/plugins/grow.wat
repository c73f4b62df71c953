;; memory.grow under max_pages (checklist 189, 190).
(module
  (memory (export "memory") 1)
  (func (export "grow3") (result i32) (memory.grow (i32.const 3)))
  (func (export "grow1") (result i32) (memory.grow (i32.const 1)))
  (func (export "size") (result i32) (memory.size))
)
