;; Named "x" in a three-module import cycle x -> y -> z -> x (cycle3_y.wat, cycle3_z.wat):
;; x.step(n) = n when n >= 100, else y.step(n + 1); y.step(n) = z.step(2n); z.step(n) = x.step(n + 3).
;; x.step(1) = 187.
(module
  (import "y" "step" (func $y (param i64) (result i64)))
  (func (export "step") (param $n i64) (result i64)
    (if (result i64) (i64.ge_u (local.get $n) (i64.const 100))
      (then (local.get $n))
      (else (call $y (i64.add (local.get $n) (i64.const 1)))))))
