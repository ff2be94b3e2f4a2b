;; A TCP client written by hand against wasi:sockets: it connects to 127.0.0.1:PORT_NUMBER,
;; sends "ping\n", reads one reply and writes it to stdout. wasi:cli/run returns err when any
;; step fails (the trace says which). The tests replace PORT_NUMBER with a loopback port.
(component
  (import "wasi:io/error@0.2.12" (instance $error (export "error" (type (sub resource)))))
  (alias export $error "error" (type $err))
  (type $streams-t (instance
    (alias outer 1 $err (type $e))
    (export "error" (type $e2 (eq $e)))
    (type $se (variant (case "last-operation-failed" (own $e2)) (case "closed")))
    (export "stream-error" (type $se2 (eq $se)))
    (export "input-stream" (type $is (sub resource)))
    (export "output-stream" (type $os (sub resource)))
    (export "[method]input-stream.blocking-read"
      (func (param "self" (borrow $is)) (param "len" u64) (result (result (list u8) (error $se2)))))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8))
            (result (result (error $se2)))))))
  (import "wasi:io/streams@0.2.12" (instance $streams (type $streams-t)))
  (alias export $streams "input-stream" (type $in))
  (alias export $streams "output-stream" (type $out))

  (type $net-t (instance
    (export "network" (type $network (sub resource)))
    (type $ec (enum "unknown" "access-denied" "not-supported" "invalid-argument" "out-of-memory"
      "timeout" "concurrency-conflict" "not-in-progress" "would-block" "invalid-state"
      "new-socket-limit" "address-not-bindable" "address-in-use" "remote-unreachable"
      "connection-refused" "connection-reset" "connection-aborted" "datagram-too-large"
      "name-unresolvable" "temporary-resolver-failure" "permanent-resolver-failure"))
    (export "error-code" (type $ec2 (eq $ec)))
    (type $fam (enum "ipv4" "ipv6"))
    (export "ip-address-family" (type $fam2 (eq $fam)))
    (type $s4 (record (field "port" u16) (field "address" (tuple u8 u8 u8 u8))))
    (export "ipv4-socket-address" (type $s4e (eq $s4)))
    (type $s6 (record (field "port" u16) (field "flow-info" u32)
      (field "address" (tuple u16 u16 u16 u16 u16 u16 u16 u16)) (field "scope-id" u32)))
    (export "ipv6-socket-address" (type $s6e (eq $s6)))
    (type $sa (variant (case "ipv4" $s4e) (case "ipv6" $s6e)))
    (export "ip-socket-address" (type $sae (eq $sa)))))
  (import "wasi:sockets/network@0.2.12" (instance $net (type $net-t)))
  (alias export $net "network" (type $network))
  (alias export $net "error-code" (type $net-ec))
  (alias export $net "ip-socket-address" (type $sock-addr))
  (alias export $net "ip-address-family" (type $family))

  (type $inet-t (instance
    (alias outer 1 $network (type $n))
    (export "network" (type $n2 (eq $n)))
    (export "instance-network" (func (result (own $n2))))))
  (import "wasi:sockets/instance-network@0.2.12" (instance $inet (type $inet-t)))

  (type $tcp-t (instance
    (alias outer 1 $network (type $n)) (export "network" (type $n2 (eq $n)))
    (alias outer 1 $net-ec (type $e)) (export "error-code" (type $e2 (eq $e)))
    (alias outer 1 $sock-addr (type $a)) (export "ip-socket-address" (type $a2 (eq $a)))
    (alias outer 1 $in (type $i)) (export "input-stream" (type $i2 (eq $i)))
    (alias outer 1 $out (type $o)) (export "output-stream" (type $o2 (eq $o)))
    (export "tcp-socket" (type $t (sub resource)))
    (export "[method]tcp-socket.start-connect"
      (func (param "self" (borrow $t)) (param "network" (borrow $n2))
            (param "remote-address" $a2) (result (result (error $e2)))))
    (export "[method]tcp-socket.finish-connect"
      (func (param "self" (borrow $t)) (result (result (tuple (own $i2) (own $o2)) (error $e2)))))))
  (import "wasi:sockets/tcp@0.2.12" (instance $tcp (type $tcp-t)))
  (alias export $tcp "tcp-socket" (type $tcp-socket))

  (type $create-t (instance
    (alias outer 1 $family (type $f)) (export "ip-address-family" (type $f2 (eq $f)))
    (alias outer 1 $net-ec (type $e)) (export "error-code" (type $e2 (eq $e)))
    (alias outer 1 $tcp-socket (type $t)) (export "tcp-socket" (type $t2 (eq $t)))
    (export "create-tcp-socket"
      (func (param "address-family" $f2) (result (result (own $t2) (error $e2)))))))
  (import "wasi:sockets/tcp-create-socket@0.2.12" (instance $create (type $create-t)))

  (type $stdout-t (instance
    (alias outer 1 $out (type $o))
    (export "output-stream" (type $o2 (eq $o)))
    (export "get-stdout" (func (result (own $o2))))))
  (import "wasi:cli/stdout@0.2.12" (instance $stdout (type $stdout-t)))

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

  (alias export $inet "instance-network" (func $f-inet))
  (alias export $create "create-tcp-socket" (func $f-create))
  (alias export $tcp "[method]tcp-socket.start-connect" (func $f-start))
  (alias export $tcp "[method]tcp-socket.finish-connect" (func $f-finish))
  (alias export $streams "[method]input-stream.blocking-read" (func $f-read))
  (alias export $streams "[method]output-stream.blocking-write-and-flush" (func $f-write))
  (alias export $stdout "get-stdout" (func $f-stdout))
  (core func $c-inet (canon lower (func $f-inet)))
  (core func $c-create (canon lower (func $f-create) (memory $memory)))
  (core func $c-start (canon lower (func $f-start) (memory $memory)))
  (core func $c-finish (canon lower (func $f-finish) (memory $memory)))
  (core func $c-read (canon lower (func $f-read) (memory $memory) (realloc $realloc)))
  (core func $c-write (canon lower (func $f-write) (memory $memory)))
  (core func $c-stdout (canon lower (func $f-stdout)))
  (core instance $host
    (export "inet" (func $c-inet)) (export "create" (func $c-create))
    (export "start" (func $c-start)) (export "finish" (func $c-finish))
    (export "read" (func $c-read)) (export "write" (func $c-write))
    (export "stdout" (func $c-stdout)))

  (core module $Main
    (import "mem" "memory" (memory 1))
    (import "h" "inet" (func $inet (result i32)))
    (import "h" "create" (func $create (param i32 i32)))
    (import "h" "start" (func $start (param i32 i32 i32 i32 i32 i32 i32 i32
                                             i32 i32 i32 i32 i32 i32 i32)))
    (import "h" "finish" (func $finish (param i32 i32)))
    (import "h" "read" (func $read (param i32 i64 i32)))
    (import "h" "write" (func $write (param i32 i32 i32 i32)))
    (import "h" "stdout" (func $stdout (result i32)))
    (data (i32.const 100) "ping\n")
    (func $failed (result i32) (i32.load8_u (i32.const 32)))
    (func (export "run") (result i32)
      (local $net i32) (local $sock i32) (local $in i32) (local $out i32)
      (local.set $net (call $inet))
      (call $create (i32.const 0) (i32.const 32))
      (if (call $failed) (then (return (i32.const 1))))
      (local.set $sock (i32.load (i32.const 36)))
      (call $start (local.get $sock) (local.get $net)
        (i32.const 0) (i32.const PORT_NUMBER) (i32.const 127) (i32.const 0) (i32.const 0)
        (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 0) (i32.const 32))
      (if (call $failed) (then (return (i32.const 1))))
      (call $finish (local.get $sock) (i32.const 32))
      (if (call $failed) (then (return (i32.const 1))))
      (local.set $in (i32.load (i32.const 36)))
      (local.set $out (i32.load (i32.const 40)))
      (call $write (local.get $out) (i32.const 100) (i32.const 5) (i32.const 32))
      (if (call $failed) (then (return (i32.const 1))))
      (call $read (local.get $in) (i64.const 100) (i32.const 32))
      (if (call $failed) (then (return (i32.const 1))))
      (call $write (call $stdout) (i32.load (i32.const 36)) (i32.load (i32.const 40))
                   (i32.const 48))
      (i32.load8_u (i32.const 48))))
  (core instance $main (instantiate $Main (with "mem" (instance $mem)) (with "h" (instance $host))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $run-inst))
)
