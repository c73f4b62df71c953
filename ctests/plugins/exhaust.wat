;; Resource exhaustion (t_exhaustion.c): plugins that try to take everything.
;;   alloc_loop   kernel alloc of 64 KiB blocks (each touched) until alloc returns 0; output: the count
;;   grow_loop    memory.grow by one page (each touched) until refused; returns 1 when refused
;;   recurse      recursion with no base case (a few locals per frame: ends at the depth limit)
;;   recurse_wide the same with 128 locals per frame (ends at the value stack's limit first)
;;   spin         loops forever
;;   spin_alloc   loops forever, allocating and freeing a kernel block each time round
;;   big_output   a 1 GiB block published as the output (its last byte set to 7); when alloc refuses,
;;                records the error "alloc of 1 GiB failed" and returns 1
;;   var_loop     var_set of 1 KiB values under fresh 8-byte keys, forever: only a var_set that
;;                fails the call (vars full, memory budget) ends it
;;   big_error    records a 32 KiB block (zeros) as its error and returns 1
;;   quick        returns 0 (the plugin still works after a failure)
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "free" (func $free (param i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))
  (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
  (memory (export "memory") 1)
  (data (i32.const 0) "alloc of 1 GiB failed")

  (func (export "alloc_loop") (result i32) (local $p i64) (local $n i64)
    (block $done (loop $l
      (local.set $p (call $alloc (i64.const 65536)))
      (br_if $done (i64.eqz (local.get $p)))
      (call $store_u8 (i64.add (local.get $p) (i64.const 65535)) (i32.const 1))
      (local.set $n (i64.add (local.get $n) (i64.const 1)))
      (br $l)))
    (local.set $p (call $alloc (i64.const 8)))
    (call $store_u64 (local.get $p) (local.get $n))
    (call $output_set (local.get $p) (i64.const 8))
    (i32.const 0))

  (func (export "grow_loop") (result i32) (local $pages i32)
    (loop $l
      (if (i32.eq (memory.grow (i32.const 1)) (i32.const -1)) (then (return (i32.const 1))))
      (local.set $pages (memory.size))
      (i32.store8 (i32.sub (i32.mul (local.get $pages) (i32.const 65536)) (i32.const 1)) (i32.const 1))
      (br $l))
    (i32.const 0))

  (func $down (param $n i64) (result i64) (local $a i64) (local $b i64) (local $c i64)
    (local.set $a (i64.add (local.get $n) (i64.const 1)))
    (local.set $b (i64.mul (local.get $a) (i64.const 3)))
    (local.set $c (call $down (local.get $b)))
    (i64.add (local.get $c) (local.get $a)))
  (func (export "recurse") (result i32)
    (i32.wrap_i64 (call $down (i64.const 0))))

  (func $down_wide (param $n i64) (result i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (local i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64 i64)
    (i64.add (call $down_wide (i64.add (local.get $n) (i64.const 1))) (local.get 1)))
  (func (export "recurse_wide") (result i32)
    (i32.wrap_i64 (call $down_wide (i64.const 0))))

  (func (export "spin") (result i32)
    (loop $l (br $l))
    (i32.const 0))

  (func (export "spin_alloc") (result i32)
    (loop $l
      (call $free (call $alloc (i64.const 1024)))
      (br $l))
    (i32.const 0))

  (func (export "big_output") (result i32) (local $p i64) (local $e i64) (local $i i32)
    (local.set $p (call $alloc (i64.const 1073741824)))
    (if (i64.eqz (local.get $p))
      (then
        (local.set $e (call $alloc (i64.const 21)))
        (loop $c
          (call $store_u8 (i64.add (local.get $e) (i64.extend_i32_u (local.get $i)))
            (i32.load8_u (local.get $i)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $c (i32.lt_u (local.get $i) (i32.const 21))))
        (call $error_set (local.get $e))
        (return (i32.const 1))))
    (call $store_u8 (i64.add (local.get $p) (i64.const 1073741823)) (i32.const 7))
    (call $output_set (local.get $p) (i64.const 1073741824))
    (i32.const 0))

  (func (export "var_loop") (result i32) (local $k i64) (local $v i64) (local $n i64)
    (loop $l
      (local.set $k (call $alloc (i64.const 8)))
      (call $store_u64 (local.get $k) (local.get $n))
      (local.set $v (call $alloc (i64.const 1024)))
      (call $var_set (local.get $k) (local.get $v))
      ;; the next key: a base-128 counter, every byte ASCII (keys must be UTF-8, as upstream)
      (local.set $n (i64.and (i64.add (i64.or (local.get $n) (i64.const 0x8080808080808080)) (i64.const 1))
                             (i64.const 0x7f7f7f7f7f7f7f7f)))
      (br $l))
    (i32.const 0))

  (func (export "big_error") (result i32)
    (call $error_set (call $alloc (i64.const 32768)))
    (i32.const 1))
  (func (export "quick") (result i32) (i32.const 0))
)
