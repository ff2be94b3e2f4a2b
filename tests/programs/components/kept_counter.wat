;; A component written by hand to be kept: wasi:cli/run counts its runs and asks the host for
;; a random number (one traced call); `runs` returns the count, `add` adds two u32, `pair`
;; returns a tuple (x, x + 1), `boom` traps. The tests edit out the run export to make a component that is not a command.
(component
  (import "wasi:random/random@0.2.12" (instance $random
    (export "get-random-u64" (func (result u64)))))
  (alias export $random "get-random-u64" (func $rnd))
  (core func $rnd-low (canon lower (func $rnd)))
  (core instance $host (export "rnd" (func $rnd-low)))
  (core module $Main
    (import "host" "rnd" (func $rnd (result i64)))
    (global $runs (mut i32) (i32.const 0))
    (func (export "run") (result i32)
      (global.set $runs (i32.add (global.get $runs) (i32.const 1)))
      (drop (call $rnd))
      (i32.const 0))
    (func (export "runs") (result i32) (global.get $runs))
    (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
    (memory (export "memory") 1)
    (func (export "pair") (param i32) (result i32)
      (i32.store (i32.const 16) (local.get 0))
      (i32.store (i32.const 20) (i32.add (local.get 0) (i32.const 1)))
      (i32.const 16))
    (func (export "boom") unreachable))
  (core instance $main (instantiate $Main (with "host" (instance $host))))
  (alias core export $main "memory" (core memory $memory))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $run-inst)) ;; run export
  (func $runs (result u32) (canon lift (core func $main "runs")))
  (export "runs" (func $runs))
  (func $add (param "a" u32) (param "b" u32) (result u32) (canon lift (core func $main "add")))
  (export "add" (func $add))
  (func $pair (param "x" u32) (result (tuple u32 u32))
    (canon lift (core func $main "pair") (memory $memory)))
  (export "pair" (func $pair))
  (func $boom (canon lift (core func $main "boom")))
  (export "boom" (func $boom)))
