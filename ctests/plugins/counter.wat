;; A non-main "command" module (it exports `_start`): every call into it runs on a fresh instance
;; (checklist 193, 194). Named "counter" in the manifest.
(module
  (memory (export "memory") 1)
  (global $n (mut i64) (i64.const 0))
  (func (export "_start"))
  (func (export "read_counter") (result i64)
    (global.set $n (i64.add (global.get $n) (i64.const 1)))
    (global.get $n))
)
