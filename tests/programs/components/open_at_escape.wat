;; A component written by hand: it asks the preopen "/" for two paths outside it, one through
;; "..", one absolute, calling wasi:filesystem's open-at directly (no adapter, no libc).
;; wasi:cli/run returns ok when both opens fail, err when either succeeds.
;; Built by the tests with wasmtime.wat2wasm; BAD_HANDLE swaps the preopen's handle for 99.
(component
  (type $types-t (instance
    (export "descriptor" (type $d (sub resource)))
    (type $pf (flags "symlink-follow"))
    (type $of (flags "create" "directory" "exclusive" "truncate"))
    (type $df (flags "read" "write" "file-integrity-sync" "data-integrity-sync"
                     "requested-write-sync" "mutate-directory"))
    (type $ec (enum "access" "would-block" "already" "bad-descriptor" "busy" "deadlock"
      "quota" "exist" "file-too-large" "illegal-byte-sequence" "in-progress" "interrupted"
      "invalid" "io" "is-directory" "loop" "too-many-links" "message-size" "name-too-long"
      "no-device" "no-entry" "no-lock" "insufficient-memory" "insufficient-space"
      "not-directory" "not-empty" "not-recoverable" "unsupported" "no-tty" "no-such-device"
      "overflow" "not-permitted" "pipe" "read-only" "invalid-seek" "text-file-busy"
      "cross-device"))
    (export "path-flags" (type $pf2 (eq $pf)))
    (export "open-flags" (type $of2 (eq $of)))
    (export "descriptor-flags" (type $df2 (eq $df)))
    (export "error-code" (type $ec2 (eq $ec)))
    (export "[method]descriptor.open-at" (func
      (param "self" (borrow $d)) (param "path-flags" $pf2) (param "path" string)
      (param "open-flags" $of2) (param "flags" $df2)
      (result (result (own $d) (error $ec2)))))))
  (import "wasi:filesystem/types@0.2.12" (instance $types (type $types-t)))
  (alias export $types "descriptor" (type $descriptor))
  (type $pre-t (instance
    (alias outer 1 $descriptor (type $d))
    (export "descriptor" (type $d2 (eq $d)))
    (export "get-directories" (func (result (list (tuple (own $d2) string)))))))
  (import "wasi:filesystem/preopens@0.2.12" (instance $preopens (type $pre-t)))

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
  (alias export $types "[method]descriptor.open-at" (func $open-at))
  (alias export $preopens "get-directories" (func $get-dirs))
  (core func $open-at-low (canon lower (func $open-at) (memory $memory) string-encoding=utf8))
  (core func $get-dirs-low (canon lower (func $get-dirs) (memory $memory) (realloc $realloc)
                                        string-encoding=utf8))
  (core instance $fs (export "open-at" (func $open-at-low)) (export "get-dirs" (func $get-dirs-low)))
  (core module $Main
    (import "mem" "memory" (memory 1))
    (import "fs" "get-dirs" (func $get_dirs (param i32)))
    (import "fs" "open-at" (func $open_at (param i32 i32 i32 i32 i32 i32 i32)))
    (data (i32.const 100) "../outside/secret.txt")
    (data (i32.const 200) "/etc/passwd")
    (func $try (param $dir i32) (param $path i32) (param $len i32) (result i32)
      (call $open_at (local.get $dir) (i32.const 0) (local.get $path) (local.get $len)
                     (i32.const 0) (i32.const 1) (i32.const 32))
      (i32.load8_u (i32.const 32)))
    (func (export "run") (result i32)
      (local $dir i32)
      (call $get_dirs (i32.const 16))
      (local.set $dir (i32.load (i32.load (i32.const 16))))
      ;; each open must fail (tag 1); a success ends the run with err
      (if (i32.eqz (call $try (local.get $dir) (i32.const 100) (i32.const 21)))
        (then (return (i32.const 1))))
      (if (i32.eqz (call $try (local.get $dir) (i32.const 200) (i32.const 11)))
        (then (return (i32.const 1))))
      (i32.const 0)))
  (core instance $main (instantiate $Main (with "mem" (instance $mem)) (with "fs" (instance $fs))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $run-inst))
)
