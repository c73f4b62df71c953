;; Named "s" in a two-module import cycle with cycle_start_t.wat, listed first in the manifest, so
;; "t" (a dependency of "s") is instantiated first. s.g(n) = n + 1000.
(module
  (import "t" "f" (func $f (param i32) (result i32)))
  (global $seen (mut i32) (i32.const 0))
  (func (export "g") (param $n i32) (result i32) (i32.add (local.get $n) (i32.const 1000)))
  (func (export "seen") (result i32) (global.get $seen))
  ;; s's own start function goes round the cycle (t.f calls s.g): s exists by then, so it works.
  (func $start (global.set $seen (call $f (i32.const 1))))
  (start $start))
