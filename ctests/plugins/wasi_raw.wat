;; WASI preview 1 called directly, for exact errnos (ours vs the reference). Path-taking exports
;; read the path from the input and work relative to fd 3 (the first preopen); each returns the
;; errno, or errno*1000 + a count where noted.
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_create_directory"
    (func $path_create_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_remove_directory"
    (func $path_remove_directory (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_unlink_file"
    (func $path_unlink_file (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_rename"
    (func $path_rename (param i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_filestat_get"
    (func $path_filestat_get (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "path_symlink"
    (func $path_symlink (param i32 i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name"
    (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get" (func $clock_time_get (param i32 i64 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_res_get" (func $clock_res_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "random_get" (func $random_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_accept" (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_raise" (func $proc_raise (param i32) (result i32)))
  (import "extism:host/env" "input_length" (func $input_length (result i64)))
  (import "extism:host/env" "input_load_u8" (func $input_load_u8 (param i64) (result i32)))
  (import "extism:host/env" "alloc" (func $alloc (param i64) (result i64)))
  (import "extism:host/env" "store_u8" (func $store_u8 (param i64 i32)))
  (import "extism:host/env" "output_set" (func $output_set (param i64 i64)))
  (memory (export "memory") 1)
  (data (i32.const 512) "x")
  ;; 0..255: scratch; 256..511: results; 1024..: the input path
  (func $in (result i32) (local $i i32) (local $n i32)
    (local.set $n (i32.wrap_i64 (call $input_length)))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (i32.store8 (i32.add (i32.const 1024) (local.get $i))
        (call $input_load_u8 (i64.extend_i32_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (local.get $n))
  ;; path_open on fd 3; closes the new fd on success
  (func $open (param $dirflags i32) (param $oflags i32) (param $rights i64) (param $fdflags i32)
    (result i32) (local $e i32)
    (local.set $e (call $path_open (i32.const 3) (local.get $dirflags) (i32.const 1024) (call $in)
      (local.get $oflags) (local.get $rights) (i64.const 0) (local.get $fdflags) (i32.const 256)))
    (if (i32.eqz (local.get $e)) (then (drop (call $fd_close (i32.load (i32.const 256))))))
    (local.get $e))
  ;; path_open (read) of the input path on fd 3 again and again, closing nothing, until it fails:
  ;; rc = how many opens succeeded when the failure is EMFILE (33), else -errno (t_capacities.c)
  (func (export "open_until_full") (result i32) (local $n i32) (local $e i32) (local $len i32)
    (local.set $len (call $in))
    (block $done (loop $next
      (local.set $e (call $path_open (i32.const 3) (i32.const 1) (i32.const 1024) (local.get $len)
        (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 256)))
      (br_if $done (local.get $e))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $done (i32.ge_u (local.get $n) (i32.const 100000)))
      (br $next)))
    (if (result i32) (i32.eq (local.get $e) (i32.const 33))
      (then (local.get $n)) (else (i32.sub (i32.const 0) (local.get $e)))))
  (func (export "open_read") (result i32)
    (call $open (i32.const 1) (i32.const 0) (i64.const 2) (i32.const 0)))
  (func (export "open_read_nofollow") (result i32)
    (call $open (i32.const 0) (i32.const 0) (i64.const 2) (i32.const 0)))
  ;; O_CREAT with the write right
  (func (export "open_create") (result i32)
    (call $open (i32.const 1) (i32.const 1) (i64.const 66) (i32.const 0)))
  ;; the write right only, append flag
  (func (export "open_append") (result i32)
    (call $open (i32.const 1) (i32.const 0) (i64.const 64) (i32.const 1)))
  ;; O_DIRECTORY, read rights
  (func (export "open_dir") (result i32)
    (call $open (i32.const 1) (i32.const 2) (i64.const 16386) (i32.const 0)))
  (func (export "mkdir") (result i32)
    (call $path_create_directory (i32.const 3) (i32.const 1024) (call $in)))
  (func (export "rmdir") (result i32)
    (call $path_remove_directory (i32.const 3) (i32.const 1024) (call $in)))
  (func (export "unlink") (result i32)
    (call $path_unlink_file (i32.const 3) (i32.const 1024) (call $in)))
  ;; renames the input path to "x" in the same preopen
  (func (export "rename_to_x") (result i32)
    (call $path_rename (i32.const 3) (i32.const 1024) (call $in) (i32.const 3) (i32.const 512) (i32.const 1)))
  ;; renames "x" to the input path
  (func (export "rename_from_x") (result i32) (local $n i32)
    (local.set $n (call $in))
    (call $path_rename (i32.const 3) (i32.const 512) (i32.const 1) (i32.const 3) (i32.const 1024) (local.get $n)))
  ;; errno*1000 + filetype
  (func (export "filestat") (result i32) (local $e i32)
    (local.set $e (call $path_filestat_get (i32.const 3) (i32.const 1) (i32.const 1024) (call $in) (i32.const 256)))
    (i32.add (i32.mul (local.get $e) (i32.const 1000)) (i32.load8_u (i32.const 272))))
  (func (export "filestat_nofollow") (result i32) (local $e i32)
    (local.set $e (call $path_filestat_get (i32.const 3) (i32.const 0) (i32.const 1024) (call $in) (i32.const 256)))
    (i32.add (i32.mul (local.get $e) (i32.const 1000)) (i32.load8_u (i32.const 272))))
  ;; symlink "x" -> input path
  (func (export "symlink") (result i32)
    (call $path_symlink (i32.const 512) (i32.const 1) (i32.const 3) (i32.const 1024) (call $in)))
  ;; errno*1000 + tag*100 + name length, for the fd in the input's first byte ('3' -> 3)
  (func (export "prestat") (result i32) (local $e i32)
    (drop (call $in))
    (local.set $e (call $fd_prestat_get (i32.sub (i32.load8_u (i32.const 1024)) (i32.const 48)) (i32.const 256)))
    (i32.add (i32.mul (local.get $e) (i32.const 1000))
      (i32.add (i32.mul (i32.load8_u (i32.const 256)) (i32.const 100)) (i32.load (i32.const 260)))))
  ;; the name of preopen 3 as the output
  (func (export "prestat_name") (result i32) (local $e i32) (local $n i32) (local $p i64) (local $i i32)
    (local.set $e (call $fd_prestat_get (i32.const 3) (i32.const 256)))
    (if (local.get $e) (then (return (local.get $e))))
    (local.set $n (i32.load (i32.const 260)))
    (local.set $e (call $fd_prestat_dir_name (i32.const 3) (i32.const 2048) (local.get $n)))
    (if (local.get $e) (then (return (local.get $e))))
    (local.set $p (call $alloc (i64.extend_i32_u (local.get $n))))
    (block $done (loop $next
      (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
      (call $store_u8 (i64.add (local.get $p) (i64.extend_i32_u (local.get $i)))
        (i32.load8_u (i32.add (i32.const 2048) (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $next)))
    (call $output_set (local.get $p) (i64.extend_i32_u (local.get $n)))
    (i32.const 0))
  ;; fd_write of one byte to fd 99, then to fd 0 (stdin): errno(99)*1000 + errno(0)
  (func (export "write_bad_fds") (result i32)
    (i32.store (i32.const 0) (i32.const 512))
    (i32.store (i32.const 4) (i32.const 1))
    (i32.add (i32.mul (call $fd_write (i32.const 99) (i32.const 0) (i32.const 1) (i32.const 8)) (i32.const 1000))
      (call $fd_write (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8))))
  ;; fd_write with an iovec pointing past memory: errno
  (func (export "write_fault") (result i32)
    (i32.store (i32.const 0) (i32.const 65530))
    (i32.store (i32.const 4) (i32.const 100))
    (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
  ;; fd_read of stdin: errno*1000 + bytes read
  (func (export "read_stdin") (result i32)
    (i32.store (i32.const 0) (i32.const 600))
    (i32.store (i32.const 4) (i32.const 16))
    (i32.store (i32.const 8) (i32.const 77))
    (i32.add (i32.mul (call $fd_read (i32.const 0) (i32.const 0) (i32.const 1) (i32.const 8)) (i32.const 1000))
      (i32.load (i32.const 8))))
  ;; fd_seek on stdout: errno
  (func (export "seek_stdout") (result i32)
    (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 256)))
  ;; fd_fdstat_get of the fd in the input's first byte: errno*1000 + filetype
  (func (export "fdstat") (result i32) (local $e i32)
    (drop (call $in))
    (i32.store8 (i32.const 256) (i32.const 99))
    (local.set $e (call $fd_fdstat_get (i32.sub (i32.load8_u (i32.const 1024)) (i32.const 48)) (i32.const 256)))
    (i32.add (i32.mul (local.get $e) (i32.const 1000)) (i32.load8_u (i32.const 256))))
  ;; clock_time_get for the clock id in the input's first byte: errno, time > 0 adds 1000000
  (func (export "clock") (result i32) (local $e i32)
    (drop (call $in))
    (i64.store (i32.const 256) (i64.const 0))
    (local.set $e (call $clock_time_get (i32.sub (i32.load8_u (i32.const 1024)) (i32.const 48)) (i64.const 1) (i32.const 256)))
    (i32.add (local.get $e) (select (i32.const 1000000) (i32.const 0) (i64.gt_u (i64.load (i32.const 256)) (i64.const 0)))))
  ;; clock_res_get likewise
  (func (export "clock_res") (result i32) (local $e i32)
    (drop (call $in))
    (i64.store (i32.const 256) (i64.const 0))
    (local.set $e (call $clock_res_get (i32.sub (i32.load8_u (i32.const 1024)) (i32.const 48)) (i32.const 256)))
    (i32.add (local.get $e) (select (i32.const 1000000) (i32.const 0) (i64.gt_u (i64.load (i32.const 256)) (i64.const 0)))))
  (func (export "random") (result i32) (call $random_get (i32.const 256) (i32.const 32)))
  (func (export "yield") (result i32) (call $sched_yield))
  ;; one relative clock subscription of 20 ms: errno*1000 + nevents*100 + event type*10 + event errno
  (func (export "poll_clock") (result i32) (local $e i32)
    (i64.store (i32.const 0) (i64.const 42))   ;; userdata
    (i32.store8 (i32.const 8) (i32.const 0))   ;; tag: clock
    (i32.store (i32.const 16) (i32.const 1))   ;; monotonic
    (i64.store (i32.const 24) (i64.const 20000000)) ;; 20 ms
    (i64.store (i32.const 32) (i64.const 0))
    (i32.store16 (i32.const 40) (i32.const 0)) ;; relative
    (local.set $e (call $poll_oneoff (i32.const 0) (i32.const 64) (i32.const 1) (i32.const 200)))
    (i32.add (i32.mul (local.get $e) (i32.const 1000))
      (i32.add (i32.mul (i32.load (i32.const 200)) (i32.const 100))
        (i32.add (i32.mul (i32.load8_u (i32.const 74)) (i32.const 10)) (i32.load16_u (i32.const 72))))))
  (func (export "sock_accept") (result i32) (call $sock_accept (i32.const 3) (i32.const 0) (i32.const 256)))
  (func (export "proc_raise") (result i32) (call $proc_raise (i32.const 9)))
)
