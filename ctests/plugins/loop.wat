;; Runs forever (timeouts, cancel, fuel: checklist 175-184, 197-198).
(module
  (memory (export "memory") 1)
  (func (export "loop") (loop $l (br $l)))
  (func (export "quick") (result i32) (i32.const 0))
  ;; a bounded amount of work: counts down from 1e6
  (func (export "count") (result i32) (local $i i32)
    (local.set $i (i32.const 1000000))
    (loop $l
      (local.set $i (i32.sub (local.get $i) (i32.const 1)))
      (br_if $l (local.get $i)))
    (local.get $i))
)
