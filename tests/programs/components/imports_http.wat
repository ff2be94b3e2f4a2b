;; A component that imports two interfaces of wasi:http, which the wasikernel host does not
;; provide: it must be refused at link time, one event per missing import, before it runs.
(component
  (import "wasi:http/types@0.2.0" (instance $types
    (export "fields" (type (sub resource)))))
  (import "wasi:http/outgoing-handler@0.2.0" (instance $handler
    (export "handle" (func))))
  (core module $Main
    (func (export "run") (result i32) (i32.const 0)))
  (core instance $main (instantiate $Main))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-inst))
)
