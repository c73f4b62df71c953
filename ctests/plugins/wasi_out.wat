;; Writes to WASI stdout and stderr (t_x_sinks.c).
;;   interleave  writes "out-N\n" to fd 1 and "err-N\n" to fd 2 alternately, N = 0..4
;;   big         copies the input (any size) into its memory and writes it to fd 1 in one fd_write
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "out-0\n")
  (data (i32.const 80) "err-0\n")
  (func $write (param $fd i32) (param $ptr i32) (param $len i32) (result i32)
    (i32.store (i32.const 0) (local.get $ptr))
    (i32.store (i32.const 4) (local.get $len))
    (call $fd_write (local.get $fd) (i32.const 0) (i32.const 1) (i32.const 8)))
  (func (export "interleave") (result i32) (local $i i32) (local $e i32)
    (loop $l
      (i32.store8 (i32.const 68) (i32.add (i32.const 48) (local.get $i)))
      (i32.store8 (i32.const 84) (i32.add (i32.const 48) (local.get $i)))
      (local.set $e (i32.or (local.get $e) (call $write (i32.const 1) (i32.const 64) (i32.const 6))))
      (local.set $e (i32.or (local.get $e) (call $write (i32.const 2) (i32.const 80) (i32.const 6))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 5))))
    (local.get $e))
  (func (export "big") (result i32) (local $n i64) (local $i i64) (local $pages i32)
    (local.set $n (call $input_length))
    ;; room for the input from address 65536
    (local.set $pages (i32.wrap_i64 (i64.add (i64.shr_u (local.get $n) (i64.const 16)) (i64.const 1))))
    (drop (memory.grow (local.get $pages)))
    (block $done (loop $l
      (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
      (i32.store8 (i32.add (i32.const 65536) (i32.wrap_i64 (local.get $i)))
                  (call $input_load_u8 (local.get $i)))
      (local.set $i (i64.add (local.get $i) (i64.const 1)))
      (br $l)))
    (call $write (i32.const 1) (i32.const 65536) (i32.wrap_i64 (local.get $n))))
)
