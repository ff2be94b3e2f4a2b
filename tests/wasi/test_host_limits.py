"""A hostile guest against the host's own memory and time: one call must stay small.

Each case runs in a fresh interpreter that reports the growth of its peak resident memory
(``ru_maxrss``) over the run, so a host that builds a gigabyte for one call is caught without
this test process holding it.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

MIB = 1 << 20

# A module whose export "go" calls one WASI function once with arguments chosen by the test:
# memory of PAGES pages, the iovec array at 0 (COUNT entries, each BUF..BUF+LEN), and a
# 1-MiB buffer filled with "x" at BUF.
_RUNNER = textwrap.dedent(
    r"""
    import json, resource, sys
    from wasikernel.engines import run
    from wasikernel.sandbox import Limits, Preopen, Sandbox

    case = json.loads(sys.argv[1])
    pages, count, buf, length = case["pages"], case["count"], case["buf"], case["len"]
    iov_len = case.get("iovs_len", count)
    call, fd = case["call"], case.get("fd", 1)
    iov_args = f"(i32.const {fd}) (i32.const 0) (i32.const {iov_len})"
    args = {
        "fd_write": f"{iov_args} (i32.const 16)",
        "fd_read": f"{iov_args} (i32.const 16)",
        "fd_pwrite": f"{iov_args} (i64.const 0) (i32.const 16)",
        "fd_pread": f"{iov_args} (i64.const 0) (i32.const 16)",
        "random_get": f"(i32.const {buf}) (i32.const {length})",
    }[call]
    params = {"fd_write": "i32 i32 i32 i32", "fd_read": "i32 i32 i32 i32",
              "fd_pwrite": "i32 i32 i32 i64 i32", "fd_pread": "i32 i32 i32 i64 i32",
              "random_get": "i32 i32"}[call]
    wat = f'''(module
      (import "wasi_snapshot_preview1" "{call}" (func $f (param {params}) (result i32)))
      (import "wasi_snapshot_preview1" "path_open"
        (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
      (memory (export "memory") {pages})
      (data (i32.const 32) "f.txt")
      (func (export "go") (result i32) (local $i i32) (local $fd i32)
        (local.set $fd (i32.const {fd}))
        (if (i32.eq (i32.const {fd}) (i32.const 4)) (then
          (drop (call $open (i32.const 3) (i32.const 0) (i32.const 32) (i32.const 5)
                (i32.const 1) (i64.const -1) (i64.const -1) (i32.const 0) (i32.const 24)))))
        (memory.fill (i32.const {buf}) (i32.const 120) (i32.const {length}))
        (loop $l
          (i32.store (i32.mul (local.get $i) (i32.const 8)) (i32.const {buf}))
          (i32.store (i32.add (i32.mul (local.get $i) (i32.const 8)) (i32.const 4))
                     (i32.const {length}))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $l (i32.lt_u (local.get $i) (i32.const {count}))))
        (call $f {args})))'''
    limits = Limits(max_output_bytes=case.get("max_output", 4 << 20),
                    max_memory_mib=case.get("max_memory_mib", 256), timeout_s=60)
    tree = {"f.txt": b"y" * case.get("file", 0)}
    sandbox = Sandbox(limits=limits, preopens=[Preopen("/", tree=tree)])
    run("(module)", Sandbox())  # warm up the engine, so only the call's growth is measured
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = run(wat, sandbox, invoke="go")
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    trees = result.memory_trees if hasattr(result, "memory_trees") else None
    print(json.dumps({
        "grown_kib": grown, "stdout": len(result.stdout), "limit": result.limit,
        "returned": result.returned, "trap": result.trap and result.trap.message,
        "events": [(e.call, e.errno) for e in result.trace.events],
        "nwritten": [e.results.get("nwritten") for e in result.trace.events],
        "nread": [e.results.get("nread") for e in result.trace.events],
    }))
    """
)


def _run_case(**case) -> dict:
    proc = subprocess.run(
        [sys.executable, "-c", _RUNNER, json.dumps(case)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])


def test_fd_write_of_many_iovecs_on_one_buffer_is_cut_at_the_output_limit_before_gathering():
    # 256 iovecs on the same 1 MiB: a host that joins them first builds 256 MiB
    out = _run_case(call="fd_write", pages=20, count=256, buf=65536, len=MIB)
    assert out["limit"] and "4194304" in out["limit"]
    assert out["stdout"] == 4 << 20  # exactly the output limit, not a byte more
    assert out["grown_kib"] < 64 * 1024, out


def test_fd_pwrite_of_many_iovecs_writes_a_bounded_part_and_says_how_much():
    # a file write has no output limit: one call writes at most a bounded part (a short
    # write, which libc's loops expect) and reports how many bytes it took
    out = _run_case(call="fd_pwrite", fd=4, pages=20, count=256, buf=65536, len=MIB)
    assert out["events"][-1] == ["fd_pwrite", "success"], out
    written = out["nwritten"][-1]
    assert 0 < written < 256 * MIB and out["returned"] == [0]
    assert out["grown_kib"] < 64 * 1024 + written // 1024 * 2, out


def test_fd_read_with_millions_of_iovecs_does_not_build_a_list_of_them():
    # 4 Mi zero-length iovecs fill a 32 MiB array; reading it as Python tuples takes ~300 MiB
    out = _run_case(call="fd_read", fd=4, pages=600, count=4 << 20, buf=33 * MIB, len=0, file=10)
    assert out["events"][-1][0] == "fd_read"
    # the guest's own 37.5 MiB, twice more for the memory before and after the run, and a little
    assert out["grown_kib"] < (3 * 38 + 32) * 1024, out


def test_fd_pread_of_many_large_iovecs_asks_the_file_for_a_bounded_amount():
    out = _run_case(call="fd_pread", fd=4, pages=20, count=1024, buf=65536, len=MIB, file=3)
    assert out["events"][-1] == ["fd_pread", "success"] and out["nread"][-1] == 3
    assert out["grown_kib"] < 64 * 1024, out


@pytest.mark.parametrize("size_mib", [200])
def test_random_get_of_a_huge_buffer_is_filled_without_a_copy_of_its_size(size_mib):
    out = _run_case(call="random_get", pages=size_mib * 16 + 32, count=1, buf=MIB,
                    len=size_mib * MIB, max_memory_mib=size_mib + 8)  # fmt: skip
    assert out["events"][-1] == ["random_get", "success"], out
    # the guest's own memory grows by its size (the pages are touched); the host adds little
    assert out["grown_kib"] < (size_mib + 64) * 1024, out


# ----- the trace's own size --------------------------------------------------------------------


def test_one_call_with_a_thousand_accesses_records_a_bounded_log_and_counts_the_rest():
    from wasikernel.sandbox import Sandbox
    from wasikernel.wasi import BytesMemory, WasiHost

    host = WasiHost(Sandbox())
    mem = BytesMemory(65536)
    mem.write(0, b"\0" * (8 * 1024))  # 1,024 zero-length iovecs at address 0
    mem.write(8 * 1000, (20000).to_bytes(4, "little") + (3).to_bytes(4, "little"))
    mem.write(20000, b"end")
    fd_write = host.lookup("wasi_snapshot_preview1", "fd_write").call
    assert fd_write(mem, 1, 0, 1024, 30000) == 0
    (event,) = host.trace.events
    assert host.stdout == b"end"
    assert len(event.memory) <= 68
    # every access is either listed or counted: the array, 1,024 buffers, the result
    assert len(event.memory) + event.memory_dropped == 1 + 1024 + 1
    assert event.to_dict()["memory_dropped"] == event.memory_dropped
    assert event.results == {"nwritten": 3}  # the last accesses (the results) are kept


_TRACE_RUNNER = textwrap.dedent(
    r"""
    import json, resource, sys
    from wasikernel.engines import run
    from wasikernel.sandbox import Limits, Sandbox

    # fd_write in a loop, each with 65,536 zero-length iovecs, until the time limit
    wat = '''(module
      (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 9)
      (func (export "_start")
        (loop $l (drop (call $w (i32.const 1) (i32.const 0) (i32.const 65536)
                                (i32.const 524288))) (br $l))))'''
    limits = Limits(timeout_s=2, max_trace_bytes=int(sys.argv[1]) << 20)
    run("(module)", Sandbox())
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = run(wat, Sandbox(limits=limits))
    events = result.trace.events
    grown = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before
    last = json.loads(result.trace.to_jsonl().splitlines()[-1])
    print(json.dumps({
        "grown_kib": grown, "limit": result.limit, "events": len(events),
        "dropped": result.trace.dropped, "recorded": result.trace.recorded_bytes,
        "last": last, "cut": result.trace.cut,
    }))
    """
)


def test_a_run_of_calls_with_huge_logs_keeps_a_trace_within_its_byte_limit():
    proc = subprocess.run(
        [sys.executable, "-c", _TRACE_RUNNER, "2"], capture_output=True, text=True, timeout=300
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "2" in out["limit"]  # the time limit ended it
    assert out["dropped"] > 0 and out["recorded"] <= 2 << 20
    assert out["last"]["call"] == "trace_cut" and out["last"]["args"]["dropped"] == out["dropped"]
    assert "full" in out["cut"]
    # what the run kept is the trace's 2 MiB and a little, not hundreds of MiB
    assert out["grown_kib"] < 32 * 1024, out


@pytest.mark.parametrize("iovs_len", [0xFFFFFFFF, -1, 1 << 28])
def test_an_iovec_count_past_memory_is_a_fault_found_without_reading_it(iovs_len):
    from wasikernel.sandbox import Preopen, Sandbox
    from wasikernel.wasi import BytesMemory, Errno, WasiHost

    host = WasiHost(Sandbox(preopens=[Preopen("/", tree={"f": b"abc"})]))
    mem = BytesMemory(65536)
    call = lambda name, *a: host.lookup("wasi_snapshot_preview1", name).call(mem, *a)  # noqa: E731
    mem.write(200, b"f")
    assert call("path_open", 3, 0, 200, 1, 0, -1, -1, 0, 100) == 0
    fd = int.from_bytes(mem.read(100, 4), "little")
    for name, args in (
        ("fd_write", (1, 0, iovs_len, 300)), ("fd_read", (fd, 0, iovs_len, 300)),
        ("fd_pwrite", (fd, 0, iovs_len, 0, 300)), ("fd_pread", (fd, 0, iovs_len, 0, 300)),
    ):  # fmt: skip
        assert call(name, *args) == Errno.FAULT, name
    # one iovec of 4 GiB inside a 64 KiB memory: a fault too, before any byte is copied
    mem.write(0, (16).to_bytes(4, "little") + (0xFFFFFFFF).to_bytes(4, "little"))
    assert call("fd_write", 1, 0, 1, 300) == Errno.FAULT and host.stdout == b""
    assert call("random_get", 0, 0xFFFFFFFF) == Errno.FAULT
