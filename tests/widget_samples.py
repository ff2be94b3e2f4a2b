"""RunResults built by hand for the widget tests: the shape a C program's run has under the
host (args, a preopen read, a write to stdout, refusals of several kinds, exit), with memory
before and after and a layout like zig's (shadow stack first)."""

from __future__ import annotations

import random

from wasikernel.result import Frame, MemoryLayout, RunResult, Trap
from wasikernel.sandbox import Preopen, Sandbox
from wasikernel.trace import MemoryAccess, Trace, TraceEvent

PAGE = 65536
STACK_HIGH = 16384
DATA_START = 16384
DATA_END = 17200
HEAP_BASE = 17280
HELLO_ADDR = 16400
HELLO = b"hello from wasm\n"
READ_BUF = 16600
READ_TEXT = b"three notes"
PASSWD_REASON = (
    "The program asked for ../etc/passwd, which is outside every folder it was given: "
    "a WASI module only sees the folders the host preopened for it."
)
HOSTS_REASON = (
    "The C library refused /etc/hosts before asking the host: no preopened folder "
    "contains that path."
)
WRITE_REASON = "The folder /data was granted read-only, so the program may not create out.txt."
NET_REASON = "WASI preview 1 gives no way to open a network connection; the host refuses it."


def sandbox() -> Sandbox:
    return Sandbox(
        preopens=[Preopen("/data", host_path="/tmp/notes", read_only=True)],
        args=["--verbose"],
        env={"LANG": "C"},
        stdin=b"",
        program_name="notes.wasm",
    )


def events() -> list[TraceEvent]:
    sp = STACK_HIGH - 64
    ev = [
        TraceEvent(0, "args_sizes_get", {}, {"argc": 2, "argv_buf_size": 22}, "success",
                   memory=[MemoryAccess(sp, 4, "w"), MemoryAccess(sp + 4, 4, "w")]),
        TraceEvent(1, "args_get", {"argv": sp - 16, "argv_buf": HEAP_BASE}, {}, "success",
                   memory=[MemoryAccess(HEAP_BASE, 22, "w")]),
        TraceEvent(2, "fd_prestat_get", {"fd": 3}, {"pr_name_len": 5}, "success",
                   memory=[MemoryAccess(sp - 8, 8, "w")]),
        TraceEvent(3, "fd_prestat_dir_name", {"fd": 3, "path_len": 5}, {"path": "/data"},
                   "success", memory=[MemoryAccess(HEAP_BASE + 32, 5, "w")]),
        TraceEvent(4, "fd_prestat_get", {"fd": 4}, {}, "badf"),
        TraceEvent(5, "path_open", {"fd": 3, "dirflags": ["symlink_follow"], "path": "notes.txt",
                                    "oflags": [], "fs_rights_base": ["fd_read"]},
                   {"opened_fd": 5}, "success",
                   memory=[MemoryAccess(DATA_START + 100, 9, "r"), MemoryAccess(sp - 20, 4, "w")]),
        TraceEvent(6, "fd_read", {"fd": 5, "iovs": [[READ_BUF, 64]]}, {"nread": len(READ_TEXT)},
                   "success", memory=[MemoryAccess(READ_BUF, len(READ_TEXT), "w")]),
        TraceEvent(7, "fd_write", {"fd": 1, "iovs": HELLO.decode()}, {"nwritten": len(HELLO)},
                   "success", memory=[MemoryAccess(HELLO_ADDR, len(HELLO), "r"),
                                      MemoryAccess(sp - 24, 4, "w")]),
        TraceEvent(8, "path_open", {"fd": 3, "path": "../etc/passwd", "oflags": []}, {},
                   "notcapable", denied=True, capability="preopen", reason=PASSWD_REASON,
                   memory=[MemoryAccess(DATA_START + 120, 13, "r")]),
        TraceEvent(9, "libc_path_refused", {"path": "/etc/hosts"}, {}, "noent", denied=True,
                   capability="preopen", reason=HOSTS_REASON, phase="libc",
                   memory=[MemoryAccess(DATA_START + 140, 10, "r")]),
        TraceEvent(10, "path_open", {"fd": 3, "path": "out.txt", "oflags": ["creat"]}, {},
                   "rofs", denied=True, capability="write", reason=WRITE_REASON,
                   memory=[MemoryAccess(DATA_START + 160, 7, "r")]),
        TraceEvent(11, "clock_time_get", {"id": "realtime", "precision": 1000},
                   {"time": 1_700_000_000_000_000_000}, "success",
                   memory=[MemoryAccess(sp - 40, 8, "w")]),
        TraceEvent(12, "random_get", {"buf": HEAP_BASE + 64, "buf_len": 8}, {}, "success",
                   memory=[MemoryAccess(HEAP_BASE + 64, 8, "w")]),
        TraceEvent(13, "sock_accept", {"fd": 3, "flags": []}, {}, "notsup", denied=True,
                   capability="network", reason=NET_REASON),
        TraceEvent(14, "fd_close", {"fd": 5}, {}, "success"),
        TraceEvent(15, "proc_exit", {"rval": 0}, {}, "success", exit_code=0),
    ]
    for i, e in enumerate(ev):
        e.t_ns = 1000 * i
        e.dur_ns = 800 + 37 * i
    return ev


def memories() -> tuple[bytes, bytes]:
    before = bytearray(2 * PAGE)
    before[HELLO_ADDR : HELLO_ADDR + len(HELLO)] = HELLO
    for off, text in ((100, b"notes.txt"), (120, b"../etc/passwd"), (140, b"/etc/hosts"),
                      (160, b"out.txt")):
        before[DATA_START + off : DATA_START + off + len(text)] = text
    after = bytearray(before)
    after[READ_BUF : READ_BUF + len(READ_TEXT)] = READ_TEXT
    args = b"notes.wasm\0--verbose\0\0"
    after[HEAP_BASE : HEAP_BASE + len(args)] = args
    after[HEAP_BASE + 32 : HEAP_BASE + 37] = b"/data"
    after[HEAP_BASE + 64 : HEAP_BASE + 72] = bytes(range(1, 9))
    sp = STACK_HIGH - 64
    after[sp - 40 : sp + 8] = bytes((7 * k + 3) % 251 + 1 for k in range(48))
    return bytes(before), bytes(after)


def layout() -> MemoryLayout:
    return MemoryLayout(data_start=DATA_START, data_end=DATA_END, stack_low=0,
                        stack_high=STACK_HIGH, heap_base=HEAP_BASE)


def run_result() -> RunResult:
    """A C-like run: 16 calls, 4 refused (preopen, libc, read-only, network), exit 0."""
    before, after = memories()
    return RunResult(
        stdout=HELLO, stderr=b"", exit_code=0, trap=None, limit=None,
        trace=Trace(events()), sandbox=sandbox(), engine="wasmtime", duration_ns=16_000,
        memory_before=before, memory_after=after, layout=layout(),
    )


def trapped_result() -> RunResult:
    """A run that traps with a three-frame backtrace."""
    r = run_result()
    r.exit_code = None
    r.trap = Trap("wasm trap: integer divide by zero", [
        Frame(3, "divide", 0x1a2, "cell.c:4"), Frame(2, "main", 0x1f0, "cell.c:9"),
        Frame(1, "_start", 0x220, None)])
    r.trace = Trace(r.trace.events[:8])
    return r


def link_refused_result() -> RunResult:
    """A module importing a socket call the host does not provide: it never starts."""
    ev = TraceEvent(0, "sock_open", {"module": "wasi_snapshot_preview1"}, {}, "nosys",
                    denied=True, capability="import", phase="link",
                    reason="The module imports sock_open, which WASI preview 1 does not have "
                           "(a WasmEdge extension); the host refuses to link it.")
    return RunResult(
        stdout=b"", stderr=b"", exit_code=None,
        trap=Trap("link error: unknown import wasi_snapshot_preview1.sock_open"),
        limit=None, trace=Trace([ev]), sandbox=Sandbox(), engine="wasmtime")


def big_result(n: int = 100_000, memory_mib: int = 1, seed: int = 7) -> RunResult:
    """``n`` events (fd_write to stdout, reads, every 97th a refusal) and a memory of
    ``memory_mib`` MiB whose every 4 KiB has a byte changed."""
    rng = random.Random(seed)
    evs = []
    for i in range(n):
        if i % 97 == 96:
            evs.append(TraceEvent(i, "path_open", {"fd": 3, "path": f"../secret{i}"}, {},
                                  "notcapable", denied=True, capability="preopen",
                                  reason=PASSWD_REASON, t_ns=i * 900, dur_ns=700))
        elif i % 3 == 0:
            evs.append(TraceEvent(i, "fd_read", {"fd": 0, "iovs": [[4096, 16]]}, {"nread": 16},
                                  "success", t_ns=i * 900, dur_ns=900,
                                  memory=[MemoryAccess(4096 + (i % 64) * 16, 16, "w")]))
        else:
            evs.append(TraceEvent(i, "fd_write", {"fd": 1 + i % 2, "iovs": f"line {i}\n"},
                                  {"nwritten": 8}, "success", t_ns=i * 900, dur_ns=1100,
                                  memory=[MemoryAccess(8192, 8, "r")]))
    size = memory_mib << 20
    before = bytes(size)
    after = bytearray(before)
    for p in range(0, size, 4096):
        after[p + rng.randrange(4096)] = rng.randrange(1, 256)
    return RunResult(
        stdout=b"", stderr=b"", exit_code=0, trap=None, limit=None, trace=Trace(evs),
        sandbox=Sandbox(preopens=[Preopen("/data", tree={})]), memory_before=before,
        memory_after=bytes(after),
        layout=MemoryLayout(data_start=1024, data_end=4096, stack_low=65536,
                            stack_high=131072, heap_base=131072),
    )


def rerun(sb: Sandbox) -> RunResult:
    """What the sample program's trace looks like under another sandbox: without the /data
    preopen its libc refuses every path; with write access granted, out.txt opens."""
    r = run_result()
    r.sandbox = sb
    evs = r.trace.events
    if not sb.preopens:
        keep = [e for e in evs if e.seq in (0, 1, 7, 11, 12, 13, 15)]
        evs = keep[:2] + [
            TraceEvent(2, "fd_prestat_get", {"fd": 3}, {}, "badf"),
            *(TraceEvent(3 + k, "libc_path_refused", {"path": p}, {}, "noent", denied=True,
                         capability="preopen", reason=HOSTS_REASON.replace("/etc/hosts", p),
                         phase="libc")
              for k, p in enumerate(("/data/notes.txt", "/etc/passwd", "/data/out.txt"))),
        ] + keep[2:]
        for k, e in enumerate(evs):
            e.seq = k
    elif not sb.preopens[0].read_only:
        evs[10] = TraceEvent(10, "path_open", {"fd": 3, "path": "out.txt", "oflags": ["creat"]},
                             {"opened_fd": 6}, "success")
    r.trace = Trace(evs)
    return r
