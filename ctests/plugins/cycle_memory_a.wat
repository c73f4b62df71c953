;; Named "a": exports the memory "b" imports, and calls b.put (a cycle through a memory and a function:
;; "a" must be instantiated first, its import of b.put forwarded). roundtrip(n) = 3n via b's store.
(module
  (import "b" "put" (func $put (param i32)))
  (memory (export "memory") 1)
  (func (export "roundtrip") (param $n i32) (result i32)
    (call $put (local.get $n))
    (i32.load (i32.const 0))))
