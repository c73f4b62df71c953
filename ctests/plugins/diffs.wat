;; The differences make fuzz-diff found between upstream's library and ours (t_diff.c), one export
;; each. $bad is a fresh block holding ff 41 (not UTF-8), $key one holding "k1".
;;   config_12345, config_neg1     config_get of a handle that starts no block (12345, -1)
;;   var_get_12345                 var_get of such a handle
;;   var_set_key_12345             var_set(12345, "k1")
;;   var_set_value_12345           var_set("k1", 12345)
;;   var_set_delete                var_set("k1", 0)
;;   config_bad_key, var_get_bad_key, var_set_bad_key   the same with the key ff 41
;;   config_good_key               config_get("k1"); returns 0
;;   error_empty_rc3               error_set on an offset that starts no block; returns 3
;;   error_empty_trap              the same, then unreachable
;;   error_empty_log_bad           the same, then log_error(118) (a handle that starts no block)
;;   error_bad_rc7                 error_set(ff 41); returns 7
;;   error_key_rc1                 error_set("k1"); returns 1
;;   log_controls                  log_error of the bytes 07 1b 01 c2 85 41 (BEL, ESC, SOH, U+0085, A)
;;   header_store                  store_u8 over the first block's size field (byte 71), then a
;;                                 5-byte block; output: the two offsets and that block's length
(module
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "length" (func $length (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "store_u64" (func $store_u64 (param i64 i64)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (import "extism:host/env" "error_set" (func $error_set (param i64)))
  (import "extism:host/env" "config_get" (func $config_get (param i64) (result i64)))
  (import "extism:host/env" "var_get" (func $var_get (param i64) (result i64)))
  (import "extism:host/env" "var_set" (func $var_set (param i64 i64)))
  (import "extism:host/env" "log_error" (func $log_error (param i64)))
  (memory (export "memory") 1)

  ;; a fresh block holding the bytes a, b
  (func $two (param $a i32) (param $b i32) (result i64) (local $h i64)
    (local.set $h (call $alloc (i64.const 2)))
    (call $store_u8 (local.get $h) (local.get $a))
    (call $store_u8 (i64.add (local.get $h) (i64.const 1)) (local.get $b))
    (local.get $h))
  (func $bad (result i64) (call $two (i32.const 0xff) (i32.const 0x41)))
  (func $key (result i64) (call $two (i32.const 0x6b) (i32.const 0x31)))
  (func $empty_error (call $error_set (i64.add (call $bad) (i64.const 1))))

  (func (export "config_12345") (result i32) (drop (call $config_get (i64.const 12345))) (i32.const 0))
  (func (export "config_neg1") (result i32) (drop (call $config_get (i64.const -1))) (i32.const 0))
  (func (export "var_get_12345") (result i32) (drop (call $var_get (i64.const 12345))) (i32.const 0))
  (func (export "var_set_key_12345") (result i32) (call $var_set (i64.const 12345) (call $key)) (i32.const 0))
  (func (export "var_set_value_12345") (result i32) (call $var_set (call $key) (i64.const 12345)) (i32.const 0))
  (func (export "var_set_delete") (result i32) (call $var_set (call $key) (i64.const 0)) (i32.const 0))
  (func (export "config_bad_key") (result i32) (drop (call $config_get (call $bad))) (i32.const 0))
  (func (export "var_get_bad_key") (result i32) (drop (call $var_get (call $bad))) (i32.const 0))
  (func (export "var_set_bad_key") (result i32) (call $var_set (call $bad) (call $key)) (i32.const 0))
  (func (export "config_good_key") (result i32) (drop (call $config_get (call $key))) (i32.const 0))
  (func (export "error_empty_rc3") (result i32) (call $empty_error) (i32.const 3))
  (func (export "error_empty_trap") (result i32) (call $empty_error) unreachable)
  (func (export "error_empty_log_bad") (result i32) (call $empty_error) (call $log_error (i64.const 118)) (i32.const 0))
  (func (export "error_bad_rc7") (result i32) (call $error_set (call $bad)) (i32.const 7))
  (func (export "error_key_rc1") (result i32) (call $error_set (call $key)) (i32.const 1))
  (func (export "log_controls") (result i32) (local $h i64)
    (local.set $h (call $alloc (i64.const 6)))
    (call $store_u8 (local.get $h) (i32.const 0x07))
    (call $store_u8 (i64.add (local.get $h) (i64.const 1)) (i32.const 0x1b))
    (call $store_u8 (i64.add (local.get $h) (i64.const 2)) (i32.const 0x01))
    (call $store_u8 (i64.add (local.get $h) (i64.const 3)) (i32.const 0xc2))
    (call $store_u8 (i64.add (local.get $h) (i64.const 4)) (i32.const 0x85))
    (call $store_u8 (i64.add (local.get $h) (i64.const 5)) (i32.const 0x41))
    (call $log_error (local.get $h))
    (i32.const 0))
  (func (export "header_store") (result i32) (local $a i64) (local $b i64) (local $o i64)
    (local.set $a (call $alloc (i64.const 9)))
    (call $store_u8 (i64.sub (local.get $a) (i64.const 6)) (i32.const 68))
    (local.set $b (call $alloc (i64.const 5)))
    (local.set $o (call $alloc (i64.const 24)))
    (call $store_u64 (local.get $o) (local.get $a))
    (call $store_u64 (i64.add (local.get $o) (i64.const 8)) (local.get $b))
    (call $store_u64 (i64.add (local.get $o) (i64.const 16)) (call $length (local.get $b)))
    (call $output_set (local.get $o) (i64.const 24))
    (i32.const 0))
)
