;; Replaces cycle_start_t.wat (named "t", instantiated before "s"): its start function calls s.g
;; before "s" exists, a cycle that cannot work.
(module
  (import "s" "g" (func $g (param i32) (result i32)))
  (func (export "f") (param $n i32) (result i32) (i32.add (call $g (local.get $n)) (i32.const 1)))
  (func $start (drop (call $g (i32.const 0))))
  (start $start))
