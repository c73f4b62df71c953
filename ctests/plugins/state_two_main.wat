;; The main module of a two-module manifest (t_x_state.c): `calls` is the `calls` of the module
;; named "lib" (state_init.wat), whose memory, global and initialiser a saved state must carry.
(module
  (import "lib" "calls" (func $calls (result i32)))
  (func (export "calls") (result i32) (call $calls)))
