;; Calls WASI without exporting its memory (checklist 172).
(module
  (import "wasi_snapshot_preview1" "args_sizes_get"
    (func $args_sizes_get (param i32 i32) (result i32)))
  (memory 1)
  (func (export "sizes") (result i32) (call $args_sizes_get (i32.const 0) (i32.const 4)))
)
