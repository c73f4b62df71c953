;; Exports both initialisers; each reports to the host which ran (checklist 196).
(module
  (import "extism:host/user" "init_ran" (func $init_ran))
  (import "extism:host/user" "ctors_ran" (func $ctors_ran))
  (import "extism:host/user" "f_ran" (func $f_ran))
  (func (export "_initialize") (call $init_ran))
  (func (export "__wasm_call_ctors") (call $ctors_ran))
  (func (export "f") (call $f_ran))
)
