;; Bulk operations that cost more fuel than one slice of a call (config::FUEL_SLICE), and tables
;; grown without end (t_limits.c, t_x_budget.c).
;;   fill        grows memory to 80 MiB and fills it with 7s: 0 if the last byte is 7
;;   copy        grows memory to 80 MiB, copies 72 MiB within it: 0 if the copied last byte arrived
;;   table_loop  grows a table by 65536 elements until table.grow gives -1: its size / 65536
;;   table_past  table.grow by 2^20 + 1 elements in one go: 1 if it gave -1
;;   table_full  table.grow by 2^20 elements in one go (65536 fuel): 0 if it gave the old size 0
;;   quick       returns 0
(module
  (memory (export "memory") 1)
  (table $t 0 funcref)
  (func (export "fill") (result i32)
    (drop (memory.grow (i32.const 1279)))
    (memory.fill (i32.const 0) (i32.const 7) (i32.const 83886080))
    (i32.ne (i32.load8_u (i32.const 83886079)) (i32.const 7)))
  (func (export "copy") (result i32)
    (drop (memory.grow (i32.const 1279)))
    (i32.store8 (i32.const 75497471) (i32.const 9))
    (memory.copy (i32.const 8388608) (i32.const 0) (i32.const 75497472))
    (i32.ne (i32.load8_u (i32.const 83886079)) (i32.const 9)))
  (func (export "table_loop") (result i32)
    (loop $l
      (br_if $l (i32.ne (table.grow $t (ref.null func) (i32.const 65536)) (i32.const -1))))
    (i32.div_u (table.size $t) (i32.const 65536)))
  (func (export "table_past") (result i32)
    (i32.eq (table.grow $t (ref.null func) (i32.const 1048577)) (i32.const -1)))
  (func (export "table_full") (result i32)
    (i32.ne (table.grow $t (ref.null func) (i32.const 1048576)) (i32.const 0)))
  (func (export "quick") (result i32) (i32.const 0)))
