;; Logging from a plugin (checklist 127-139, t_log.c). Every export returns 0 unless noted.
;;   trace debug info warn error  log a copy of the input at that level
;;   all      logs a copy of the input at every level, trace first
;;   level    returns get_log_level()
;;   many     input = count as 8 bytes little-endian; logs "line-NNNNNN" (i = 0..count-1, six
;;            zero-padded digits) at INFO
;;   trap     logs the input at INFO, then traps (a failed call)
;;   debug_bad info_bad error_bad   log_<level>(99999), not a block
;;   info_twice   logs one copy of the input twice with log_info (the second is a freed handle)
;;   error_zero   log_error(0)
;;   spin     never returns (for timeouts)
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "input_load_u64" (func $input_load_u64 (param i64) (result i64)))
  (import "extism:host/env" "log_trace" (func $log_trace (param i64)))
  (import "extism:host/env" "log_debug" (func $log_debug (param i64)))
  (import "extism:host/env" "log_info" (func $log_info (param i64)))
  (import "extism:host/env" "log_warn" (func $log_warn (param i64)))
  (import "extism:host/env" "log_error" (func $log_error (param i64)))
  (import "extism:host/env" "get_log_level" (func $get_log_level (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "line-")

  ;; a fresh block holding a copy of the input (0 for empty input)
  (func $input_copy (result i64) (local $n i64) (local $p i64) (local $i i64)
    (local.set $n (call $input_length))
    (if (i64.eqz (local.get $n)) (then (return (i64.const 0))))
    (local.set $p (call $alloc (local.get $n)))
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        (call $store_u8 (i64.add (local.get $p) (local.get $i))
          (call $input_load_u8 (local.get $i)))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (local.get $p))

  (func (export "trace") (result i32) (call $log_trace (call $input_copy)) (i32.const 0))
  (func (export "debug") (result i32) (call $log_debug (call $input_copy)) (i32.const 0))
  (func (export "info") (result i32) (call $log_info (call $input_copy)) (i32.const 0))
  (func (export "warn") (result i32) (call $log_warn (call $input_copy)) (i32.const 0))
  (func (export "error") (result i32) (call $log_error (call $input_copy)) (i32.const 0))
  (func (export "all") (result i32)
    (call $log_trace (call $input_copy))
    (call $log_debug (call $input_copy))
    (call $log_info (call $input_copy))
    (call $log_warn (call $input_copy))
    (call $log_error (call $input_copy))
    (i32.const 0))
  (func (export "level") (result i32) (call $get_log_level))

  (func (export "many") (result i32) (local $n i64) (local $i i64) (local $p i64) (local $j i64)
    (local $v i64)
    (local.set $n (call $input_load_u64 (i64.const 0)))
    (block $done
      (loop $next
        (br_if $done (i64.ge_u (local.get $i) (local.get $n)))
        ;; "line-" + six digits
        (local.set $p (call $alloc (i64.const 11)))
        (local.set $j (i64.const 0))
        (block $copied
          (loop $copy
            (br_if $copied (i64.ge_u (local.get $j) (i64.const 5)))
            (call $store_u8 (i64.add (local.get $p) (local.get $j))
              (i32.load8_u offset=16 (i32.wrap_i64 (local.get $j))))
            (local.set $j (i64.add (local.get $j) (i64.const 1)))
            (br $copy)))
        (local.set $v (local.get $i))
        (local.set $j (i64.const 10))
        (block $digits
          (loop $digit
            (br_if $digits (i64.lt_u (local.get $j) (i64.const 5)))
            (call $store_u8 (i64.add (local.get $p) (local.get $j))
              (i32.add (i32.const 48) (i32.wrap_i64 (i64.rem_u (local.get $v) (i64.const 10)))))
            (local.set $v (i64.div_u (local.get $v) (i64.const 10)))
            (local.set $j (i64.sub (local.get $j) (i64.const 1)))
            (br $digit)))
        (call $log_info (local.get $p))
        (local.set $i (i64.add (local.get $i) (i64.const 1)))
        (br $next)))
    (i32.const 0))

  (func (export "debug_bad") (result i32) (call $log_debug (i64.const 99999)) (i32.const 0))
  (func (export "info_bad") (result i32) (call $log_info (i64.const 99999)) (i32.const 0))
  (func (export "error_bad") (result i32) (call $log_error (i64.const 99999)) (i32.const 0))
  (func (export "info_twice") (result i32) (local $p i64)
    (local.set $p (call $input_copy))
    (call $log_info (local.get $p))
    (call $log_info (local.get $p))
    (i32.const 0))
  (func (export "error_zero") (result i32) (call $log_error (i64.const 0)) (i32.const 0))

  (func (export "trap") (result i32) (call $log_info (call $input_copy)) (unreachable))
  (func (export "spin") (result i32) (loop $l (br $l)) (i32.const 0))
)
