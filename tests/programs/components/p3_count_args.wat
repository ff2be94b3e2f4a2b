;; A WASI 0.3 (preview 3) component written by hand: it asks wasi:cli/environment@0.3.0 for its
;; arguments and ends with wasi:cli/exit@0.3.0's exit-with-code, the exit code being how many
;; arguments it was given (the program's name included). Its run export is an async func, as
;; preview 3's wasi:cli/run is; wasmtime-py cannot host it, the wasmtime command line can.
(component
  (import "wasi:cli/environment@0.3.0" (instance $env
    (export "get-arguments" (func (result (list string))))))
  (import "wasi:cli/exit@0.3.0" (instance $exit
    (export "exit-with-code" (func (param "status-code" u8)))))

  (core module $Mem
    (memory (export "memory") 1)
    (global $bump (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                              (i32.sub (i32.const 0) (local.get 2))))
      (global.set $bump (i32.add (local.get $at) (local.get 3)))
      (local.get $at)))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "memory" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))
  (alias export $env "get-arguments" (func $get-args))
  (alias export $exit "exit-with-code" (func $exit-with-code))
  (core func $get-args-low (canon lower (func $get-args) (memory $memory) (realloc $realloc)
                                        string-encoding=utf8))
  (core func $exit-low (canon lower (func $exit-with-code)))
  (core instance $host (export "get-args" (func $get-args-low)) (export "exit" (func $exit-low)))
  (core module $Main
    (import "mem" "memory" (memory 1))
    (import "host" "get-args" (func $get_args (param i32)))
    (import "host" "exit" (func $exit (param i32)))
    (func (export "run") (result i32)
      (call $get_args (i32.const 16))           ;; the list lands at 16: (pointer, length)
      (call $exit (i32.load (i32.const 20)))    ;; exit with its length
      (i32.const 0)))
  (core instance $main (instantiate $Main
    (with "mem" (instance $mem)) (with "host" (instance $host))))
  (func $run async (result (result)) (canon lift (core func $main "run")))
  (instance $run-instance (export "run" (func $run)))
  (export "wasi:cli/run@0.3.0" (instance $run-instance)))
