;; A memory with a declared maximum (checklist 191, 192).
(module
  (memory (export "memory") 1 2)
  (func (export "grow1") (result i32) (memory.grow (i32.const 1)))
  (func (export "grow5") (result i32) (memory.grow (i32.const 5)))
)
