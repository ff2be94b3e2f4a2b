"""WAT programs shared by the kernel's tests and benchmarks (each a whole cell)."""

HELLO = """\
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello, world\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 13))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"""

TO_STDERR = HELLO.replace("(i32.const 1) (i32.const 0)", "(i32.const 2) (i32.const 0)").replace(
    "hello, world", "oops, stderr")

# writes "first", sleeps 1.5 s in poll_oneoff (a relative clock subscription), writes "second"
SLOW = """\
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "poll_oneoff"
    (func $poll (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "first\\n")
  (data (i32.const 32) "second\\n")
  (func $say (param $at i32) (param $len i32)
    (i32.store (i32.const 0) (local.get $at))
    (i32.store (i32.const 4) (local.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "_start")
    (call $say (i32.const 16) (i32.const 6))
    ;; subscription at 256: userdata 0, tag 0 (clock), clock id 1 (monotonic),
    ;; timeout 1.5 s relative (flags 0)
    (i64.store (i32.const 256) (i64.const 0))
    (i32.store8 (i32.const 264) (i32.const 0))
    (i32.store (i32.const 272) (i32.const 1))
    (i64.store (i32.const 280) (i64.const 1500000000))
    (i64.store (i32.const 288) (i64.const 0))
    (i32.store16 (i32.const 296) (i32.const 0))
    (drop (call $poll (i32.const 256) (i32.const 512) (i32.const 1) (i32.const 600)))
    (call $say (i32.const 32) (i32.const 7))))
"""

SPIN = """\
(module
  (func (export "_start") (loop $forever (br $forever))))
"""

TRAP = """\
(module
  (func $boom (unreachable))
  (func $middle (call $boom))
  (func (export "_start") (call $middle)))
"""

ADD = """\
(module
  (func (export "add") (param i32 i32) (result i32)
    (i32.add (local.get 0) (local.get 1))))
"""

# open "secret.txt" relative to fd 3 when no directory was granted, then exit with errno
OPEN_WITHOUT_DIR = """\
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "../secret.txt")
  (func (export "_start")
    (call $exit (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 13)
      (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 64)))))
"""

C_HELLO = '#include <stdio.h>\nint main(void) { printf("hello, world\\n"); return 0; }\n'

C_OPEN_OUTSIDE = """\
#include <stdio.h>
int main(void) {
    FILE *f = fopen("/etc/passwd", "r");
    printf(f ? "opened\\n" : "refused\\n");
    return f ? 0 : 1;
}
"""

RUST_HELLO = 'fn main() {\n    println!("hello, world");\n}\n'

# a module without _start: "greet" prints, "spin" never returns
GREETER = """\
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi from an export\\n")
  (func (export "greet")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 18))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8))))
  (func (export "spin") (loop $l (br $l))))
"""

# writes 64 KiB of "x" to stdout again and again, forever
FLOOD = """\
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 2)
  (func (export "_start")
    (memory.fill (i32.const 64) (i32.const 120) (i32.const 65536))
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 65536))
    (loop $again
      (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
      (br $again))))
"""

# says "spinning" on stdout, then loops forever
SPIN_LOUD = """\
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "spinning\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 9))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (loop $forever (br $forever))))
"""
