;; A UDP echo server written by hand against wasi:sockets (no adapter): it binds
;; 127.0.0.1:PORT_NUMBER, then ROUNDS times waits for a datagram, writes it to stdout and sends
;; it back to its sender. wasi:cli/run returns err when any step fails (the trace says which).
;; wasikernel.examples.udp_echo replaces PORT_NUMBER and ROUNDS.
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

  (type $poll-t (instance
    (export "pollable" (type $p (sub resource)))
    (export "[method]pollable.block" (func (param "self" (borrow $p))))))
  (import "wasi:io/poll@0.2.12" (instance $poll (type $poll-t)))
  (alias export $poll "pollable" (type $pollable))

  (type $udp-t (instance
    (alias outer 1 $network (type $n)) (export "network" (type $n2 (eq $n)))
    (alias outer 1 $net-ec (type $e)) (export "error-code" (type $e2 (eq $e)))
    (alias outer 1 $sock-addr (type $a)) (export "ip-socket-address" (type $a2 (eq $a)))
    (alias outer 1 $pollable (type $p)) (export "pollable" (type $p2 (eq $p)))
    (type $in-d (record (field "data" (list u8)) (field "remote-address" $a2)))
    (export "incoming-datagram" (type $in-d2 (eq $in-d)))
    (type $out-d (record (field "data" (list u8)) (field "remote-address" (option $a2))))
    (export "outgoing-datagram" (type $out-d2 (eq $out-d)))
    (export "udp-socket" (type $u (sub resource)))
    (export "incoming-datagram-stream" (type $ids (sub resource)))
    (export "outgoing-datagram-stream" (type $ods (sub resource)))
    (export "[method]udp-socket.start-bind"
      (func (param "self" (borrow $u)) (param "network" (borrow $n2))
            (param "local-address" $a2) (result (result (error $e2)))))
    (export "[method]udp-socket.finish-bind"
      (func (param "self" (borrow $u)) (result (result (error $e2)))))
    (export "[method]udp-socket.stream"
      (func (param "self" (borrow $u)) (param "remote-address" (option $a2))
            (result (result (tuple (own $ids) (own $ods)) (error $e2)))))
    (export "[method]incoming-datagram-stream.receive"
      (func (param "self" (borrow $ids)) (param "max-results" u64)
            (result (result (list $in-d2) (error $e2)))))
    (export "[method]incoming-datagram-stream.subscribe"
      (func (param "self" (borrow $ids)) (result (own $p2))))
    (export "[method]outgoing-datagram-stream.check-send"
      (func (param "self" (borrow $ods)) (result (result u64 (error $e2)))))
    (export "[method]outgoing-datagram-stream.send"
      (func (param "self" (borrow $ods)) (param "datagrams" (list $out-d2))
            (result (result u64 (error $e2)))))))
  (import "wasi:sockets/udp@0.2.12" (instance $udp (type $udp-t)))
  (alias export $udp "udp-socket" (type $udp-socket))

  (type $create-t (instance
    (alias outer 1 $family (type $f)) (export "ip-address-family" (type $f2 (eq $f)))
    (alias outer 1 $net-ec (type $e)) (export "error-code" (type $e2 (eq $e)))
    (alias outer 1 $udp-socket (type $u)) (export "udp-socket" (type $u2 (eq $u)))
    (export "create-udp-socket"
      (func (param "address-family" $f2) (result (result (own $u2) (error $e2)))))))
  (import "wasi:sockets/udp-create-socket@0.2.12" (instance $create (type $create-t)))

  (type $stdout-t (instance
    (alias outer 1 $out (type $o))
    (export "output-stream" (type $o2 (eq $o)))
    (export "get-stdout" (func (result (own $o2))))))
  (import "wasi:cli/stdout@0.2.12" (instance $stdout (type $stdout-t)))

  (core module $Mem
    (memory (export "memory") 3)
    (global $bump (mut i32) (i32.const 4096))
    (func (export "realloc") (param i32 i32 i32 i32) (result i32)
      (local $at i32)
      (local.set $at (i32.and (i32.add (global.get $bump) (i32.sub (local.get 2) (i32.const 1)))
                              (i32.sub (i32.const 0) (local.get 2))))
      ;; past the first page, start again at 4096: each call needs only its last allocations
      (if (i32.gt_u (i32.add (local.get $at) (local.get 3)) (i32.const 65536))
        (then (local.set $at (i32.const 4096))))
      (global.set $bump (i32.add (local.get $at) (local.get 3)))
      (local.get $at)))
  (core instance $mem (instantiate $Mem))
  (alias core export $mem "memory" (core memory $memory))
  (alias core export $mem "realloc" (core func $realloc))

  (alias export $inet "instance-network" (func $f-inet))
  (alias export $create "create-udp-socket" (func $f-create))
  (alias export $udp "[method]udp-socket.start-bind" (func $f-bind))
  (alias export $udp "[method]udp-socket.finish-bind" (func $f-finish))
  (alias export $udp "[method]udp-socket.stream" (func $f-stream))
  (alias export $udp "[method]incoming-datagram-stream.receive" (func $f-receive))
  (alias export $udp "[method]incoming-datagram-stream.subscribe" (func $f-subscribe))
  (alias export $udp "[method]outgoing-datagram-stream.check-send" (func $f-check))
  (alias export $udp "[method]outgoing-datagram-stream.send" (func $f-send))
  (alias export $poll "[method]pollable.block" (func $f-block))
  (alias export $streams "[method]output-stream.blocking-write-and-flush" (func $f-write))
  (alias export $stdout "get-stdout" (func $f-stdout))
  (core func $c-inet (canon lower (func $f-inet)))
  (core func $c-create (canon lower (func $f-create) (memory $memory)))
  (core func $c-bind (canon lower (func $f-bind) (memory $memory)))
  (core func $c-finish (canon lower (func $f-finish) (memory $memory)))
  (core func $c-stream (canon lower (func $f-stream) (memory $memory)))
  (core func $c-receive (canon lower (func $f-receive) (memory $memory) (realloc $realloc)))
  (core func $c-subscribe (canon lower (func $f-subscribe)))
  (core func $c-check (canon lower (func $f-check) (memory $memory)))
  (core func $c-send (canon lower (func $f-send) (memory $memory)))
  (core func $c-block (canon lower (func $f-block)))
  (core func $c-write (canon lower (func $f-write) (memory $memory)))
  (core func $c-stdout (canon lower (func $f-stdout)))
  (core instance $host
    (export "inet" (func $c-inet)) (export "create" (func $c-create))
    (export "bind" (func $c-bind)) (export "finish" (func $c-finish))
    (export "stream" (func $c-stream)) (export "receive" (func $c-receive))
    (export "subscribe" (func $c-subscribe)) (export "check" (func $c-check))
    (export "send" (func $c-send)) (export "block" (func $c-block))
    (export "write" (func $c-write)) (export "stdout" (func $c-stdout)))

  (core module $Main
    (import "mem" "memory" (memory 3))
    (import "h" "inet" (func $inet (result i32)))
    (import "h" "create" (func $create (param i32 i32)))
    (import "h" "bind" (func $bind (param i32 i32 i32 i32 i32 i32 i32 i32
                                           i32 i32 i32 i32 i32 i32 i32)))
    (import "h" "finish" (func $finish (param i32 i32)))
    (import "h" "stream" (func $stream (param i32 i32 i32 i32 i32 i32 i32 i32
                                               i32 i32 i32 i32 i32 i32 i32)))
    (import "h" "receive" (func $receive (param i32 i64 i32)))
    (import "h" "subscribe" (func $subscribe (param i32) (result i32)))
    (import "h" "check" (func $check (param i32 i32)))
    (import "h" "send" (func $send (param i32 i32 i32 i32)))
    (import "h" "block" (func $block (param i32)))
    (import "h" "write" (func $write (param i32 i32 i32 i32)))
    (import "h" "stdout" (func $stdout (result i32)))
    ;; each call's result lands at 32: its case (0 ok, 1 error) at 32, its payload from 36
    (func $failed (result i32) (i32.load8_u (i32.const 32)))
    ;; wait until the incoming stream $in holds a datagram; its record's address is returned
    (func $next (param $in i32) (result i32)
      (local $ready i32)
      (local.set $ready (call $subscribe (local.get $in)))
      (block $got
        (loop $wait
          (call $block (local.get $ready))
          (call $receive (local.get $in) (i64.const 1) (i32.const 32))
          (if (call $failed) (then (return (i32.const 0))))
          (br_if $got (i32.load (i32.const 40)))
          (br $wait)))
      (i32.load (i32.const 36)))
    (func (export "run") (result i32)
      (local $net i32) (local $sock i32) (local $in i32) (local $out i32) (local $got i32)
      (local $left i32)
      (local.set $net (call $inet))
      (call $create (i32.const 0) (i32.const 32))
      (if (call $failed) (then (return (i32.const 1))))
      (local.set $sock (i32.load (i32.const 36)))
      ;; bind 127.0.0.1:PORT_NUMBER
      (call $bind (local.get $sock) (local.get $net)
        (i32.const 0) (i32.const PORT_NUMBER) (i32.const 127) (i32.const 0) (i32.const 0)
        (i32.const 1) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 0) (i32.const 32))
      (if (call $failed) (then (return (i32.const 1))))
      (call $finish (local.get $sock) (i32.const 32))
      (if (call $failed) (then (return (i32.const 1))))
      ;; stream(none): datagrams from anyone, each answer sent to an address of its own
      (call $stream (local.get $sock)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)
        (i32.const 0) (i32.const 32))
      (if (call $failed) (then (return (i32.const 1))))
      (local.set $in (i32.load (i32.const 36)))
      (local.set $out (i32.load (i32.const 40)))
      (local.set $left (i32.const ROUNDS))
      (loop $serve
        (local.set $got (call $next (local.get $in)))
        (if (i32.eqz (local.get $got)) (then (return (i32.const 1))))
        (call $write (call $stdout) (i32.load (local.get $got)) (i32.load offset=4 (local.get $got))
                     (i32.const 48))
        (call $check (local.get $out) (i32.const 32))
        (if (call $failed) (then (return (i32.const 1))))
        ;; the answer at 200: the same data, remote-address some(the sender), copied from the
        ;; incoming record (its address is 32 bytes at offset 8)
        (i32.store (i32.const 200) (i32.load (local.get $got)))
        (i32.store (i32.const 204) (i32.load offset=4 (local.get $got)))
        (i32.store8 (i32.const 208) (i32.const 1))
        (memory.copy (i32.const 212) (i32.add (local.get $got) (i32.const 8)) (i32.const 32))
        (call $send (local.get $out) (i32.const 200) (i32.const 1) (i32.const 32))
        (if (call $failed) (then (return (i32.const 1))))
        (local.set $left (i32.sub (local.get $left) (i32.const 1)))
        (br_if $serve (local.get $left)))
      (i32.const 0)))
  (core instance $main (instantiate $Main (with "mem" (instance $mem)) (with "h" (instance $host))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-inst (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $run-inst))
)
