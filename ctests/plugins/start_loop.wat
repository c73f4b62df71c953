;; The start section never ends (checklist 185: only a fuel limit stops it).
(module
  (func $forever (loop $l (br $l)))
  (start $forever)
  (func (export "f")))
