;; The start section traps: creation must fail (checklist 30).
(module
  (func $boom unreachable)
  (start $boom)
  (func (export "f")))
