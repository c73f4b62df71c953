;; A WASI command (exports `_start`): its fd table lasts until a call to `_start`, after which the
;; plugin is rebuilt with fresh WASI state. Needs a preopen on fd 3 holding data.txt.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "data.txt")
  ;; opens data.txt and returns the new fd (or 1000 + errno)
  (func $open (export "open") (result i32) (local $e i32)
    (local.set $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 100) (i32.const 8)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 200)))
    (if (result i32) (local.get $e)
      (then (i32.add (i32.const 1000) (local.get $e)))
      (else (i32.load (i32.const 200)))))
  (func (export "close4") (result i32) (call $fd_close (i32.const 4)))
  (func (export "_start") (drop (call $open)))
)
