;; A WASI 0.3 (preview 3) component written by hand: it prints one line through
;; wasi:cli/stdout@0.3.0's write-via-stream, which takes the readable end of a stream<u8> and
;; hands back a future of the outcome. The component makes the stream (stream.new), gives its
;; readable end to the host, writes the bytes into the writable end (stream.write, async: when
;; the host is not reading yet it answers "blocked" and the component waits on a waitable set),
;; then drops both ends. Its run export is an async func, as preview 3's wasi:cli/run is.
;; wasmtime-py cannot host it; the wasmtime command line can (-W component-model-async -S p3).
(component
  (type $ec (enum "io" "illegal-byte-sequence" "pipe"))
  (import "wasi:cli/types@0.3.0" (instance $types (export "error-code" (type (eq $ec)))))
  (alias export $types "error-code" (type $error-code))
  (type $out-t (instance
    (alias outer 1 $error-code (type $e))
    (export "error-code" (type $e2 (eq $e)))
    (type $s (stream u8))
    (type $r (result (error $e2)))
    (type $f (future $r))
    (export "write-via-stream" (func (param "data" $s) (result $f)))))
  (import "wasi:cli/stdout@0.3.0" (instance $stdout (type $out-t)))
  (alias export $stdout "write-via-stream" (func $write-via-stream))
  (type $bytes (stream u8))
  (type $done (future (result (error $error-code))))

  (core module $Mem (memory (export "memory") 1))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "memory" (core memory $memory))
  (core func $stream-new (canon stream.new $bytes))
  (core func $stream-write (canon stream.write $bytes async (memory $memory)))
  (core func $drop-writable (canon stream.drop-writable $bytes))
  (core func $drop-future (canon future.drop-readable $done))
  (core func $set-new (canon waitable-set.new))
  (core func $join (canon waitable.join))
  (core func $wait (canon waitable-set.wait (memory $memory)))
  (core func $write-low (canon lower (func $write-via-stream)))
  (core instance $host
    (export "stream-new" (func $stream-new)) (export "stream-write" (func $stream-write))
    (export "drop-writable" (func $drop-writable)) (export "drop-future" (func $drop-future))
    (export "set-new" (func $set-new)) (export "join" (func $join)) (export "wait" (func $wait))
    (export "write-via-stream" (func $write-low)))
  (core module $Main
    (import "mem" "memory" (memory 1))
    (import "host" "stream-new" (func $stream_new (result i64)))
    (import "host" "stream-write" (func $stream_write (param i32 i32 i32) (result i32)))
    (import "host" "drop-writable" (func $drop_writable (param i32)))
    (import "host" "drop-future" (func $drop_future (param i32)))
    (import "host" "set-new" (func $set_new (result i32)))
    (import "host" "join" (func $join (param i32 i32)))
    (import "host" "wait" (func $wait (param i32 i32) (result i32)))
    (import "host" "write-via-stream" (func $write_via_stream (param i32) (result i32)))
    (data (i32.const 64) "hello from a WASI 0.3 component\n")
    (func (export "run") (result i32)
      (local $ends i64) (local $readable i32) (local $writable i32) (local $future i32)
      (local $status i32) (local $set i32)
      (local.set $ends (call $stream_new))
      (local.set $readable (i32.wrap_i64 (local.get $ends)))
      (local.set $writable (i32.wrap_i64 (i64.shr_u (local.get $ends) (i64.const 32))))
      (local.set $future (call $write_via_stream (local.get $readable)))
      (local.set $status (call $stream_write (local.get $writable) (i32.const 64) (i32.const 32)))
      (if (i32.eq (local.get $status) (i32.const -1))  ;; blocked: wait until the host reads
        (then
          (local.set $set (call $set_new))
          (call $join (local.get $writable) (local.get $set))
          (drop (call $wait (local.get $set) (i32.const 8)))
          (call $join (local.get $writable) (i32.const 0))))
      (call $drop_writable (local.get $writable))
      (call $drop_future (local.get $future))
      (i32.const 0)))
  (core instance $main (instantiate $Main
    (with "mem" (instance $mem)) (with "host" (instance $host))))
  (func $run async (result (result)) (canon lift (core func $main "run")))
  (instance $run-instance (export "run" (func $run)))
  (export "wasi:cli/run@0.3.0" (instance $run-instance)))
