;; Named "a" in a two-module import cycle with cycle2_b.wat (the JS SDK's circular-lhs/-rhs test):
;; step(n) = n when n > 100, else b.add_one(2n); b.add_one(n) = a.step(n + 1). step(1) = 127.
;; spin loops forever (reached from b.spin_via_a: a timeout or fuel limit must stop it).
(module
  (import "b" "add_one" (func $add_one (param i64) (result i64)))
  (func (export "step") (param $n i64) (result i64)
    (if (result i64) (i64.gt_u (local.get $n) (i64.const 100))
      (then (local.get $n))
      (else (call $add_one (i64.mul (local.get $n) (i64.const 2))))))
  (func (export "spin") (loop $l (br $l))))
