"""Each group of WASI calls, called directly on the host with a bytearray memory.

These check what a guest would see: the values written to its memory and the errno, for good
and bad arguments; and that the trace records each call with decoded arguments.
"""

from __future__ import annotations

import struct
import time

import pytest

from wasikernel.sandbox import Preopen, Sandbox
from wasikernel.wasi import BytesMemory, Errno, ProcExit, WasiHost
from wasikernel.wasi.fs import MemoryFileSystem

OUT = 64


class Guest:
    def __init__(self, sandbox: Sandbox | None = None) -> None:
        self.host = WasiHost(sandbox or Sandbox())
        self.mem = BytesMemory(65536)

    def call(self, name: str, *args: int, module: str = "wasi_snapshot_preview1"):
        return self.host.lookup(module, name).call(self.mem, *args)

    def u32(self, addr: int) -> int:
        return struct.unpack("<I", self.mem.read(addr, 4))[0]

    def u64(self, addr: int) -> int:
        return struct.unpack("<Q", self.mem.read(addr, 8))[0]

    def iov(self, at: int, buf: int, length: int) -> None:
        self.mem.write(at, struct.pack("<II", buf, length))

    @property
    def last(self):
        return self.host.trace.events[-1]


def test_the_host_provides_all_46_preview1_functions():
    names = {i.name for i in WasiHost().imports if i.module == "wasi_snapshot_preview1"}
    assert len(names) == 46
    assert {"path_open", "poll_oneoff", "sock_shutdown", "fd_renumber"} <= names
    fd_seek = WasiHost().lookup("wasi_snapshot_preview1", "fd_seek")
    assert fd_seek.params == ("i32", "i64", "i32", "i32") and fd_seek.results == ("i32",)
    assert WasiHost().lookup("wasi_snapshot_preview1", "proc_exit").results == ()


def test_args_and_environ_are_laid_out_as_libc_expects():
    g = Guest(Sandbox(args=["one", "two"], env={"A": "1"}, program_name="prog.wasm"))
    assert g.call("args_sizes_get", 0, 4) == 0
    assert (g.u32(0), g.u32(4)) == (3, len(b"prog.wasm\0one\0two\0"))
    assert g.call("args_get", 100, 200) == 0
    ptrs = [g.u32(100 + 4 * i) for i in range(3)]
    assert ptrs[0] == 200 and g.mem.read(200, 18) == b"prog.wasm\0one\0two\0"
    assert g.mem.read(ptrs[2], 4) == b"two\0"
    assert g.call("environ_sizes_get", 0, 4) == 0 and (g.u32(0), g.u32(4)) == (1, 4)
    assert g.call("environ_get", 300, 400) == 0 and g.mem.read(400, 4) == b"A=1\0"
    assert g.last.call == "environ_get" and g.last.memory[0].access == "w"


def test_frozen_clock_and_seeded_random_make_runs_reproducible():
    a = Guest(Sandbox(clock_ns=123_456_789, random_seed=7))
    b = Guest(Sandbox(clock_ns=123_456_789, random_seed=7))
    for g in (a, b):
        assert g.call("clock_time_get", 0, 1, OUT) == 0 and g.u64(OUT) == 123_456_789
        assert g.call("clock_time_get", 1, 1, OUT) == 0 and g.u64(OUT) == 123_456_789
        assert g.call("random_get", 1000, 64) == 0
    assert a.mem.read(1000, 64) == b.mem.read(1000, 64) != bytes(64)
    assert a.last.args == {"buf": 1000, "buf_len": 64}


def test_real_clock_moves_and_bad_clock_ids_fail():
    g = Guest()
    g.call("clock_time_get", 1, 1, OUT)
    first = g.u64(OUT)
    time.sleep(0.002)
    g.call("clock_time_get", 1, 1, OUT)
    assert g.u64(OUT) > first
    assert g.call("clock_res_get", 0, OUT) == 0 and g.u64(OUT) == 1
    assert g.call("clock_res_get", 2, OUT) == Errno.BADF  # as wasmtime: no CPU clocks
    assert g.call("clock_time_get", 9, 1, OUT) == Errno.INVAL


def test_bad_pointers_are_efault_and_huge_lengths_are_never_allocated():
    g = Guest()
    start = time.perf_counter()
    assert g.call("random_get", 100, 0xFFFFFFFF) == Errno.FAULT
    assert g.call("fd_write", 1, 65530, 1, OUT) == Errno.FAULT
    assert g.call("fd_write", 1, 0, 0x1FFFFFFF, OUT) == Errno.FAULT
    g.iov(0, 60000, 0x7FFFFFFF)
    assert g.call("fd_write", 1, 0, 1, OUT) == Errno.FAULT
    assert g.call("args_get", 65535, 0) == Errno.FAULT
    assert g.call("fd_read", 0, 0, 0x1FFFFFFF, OUT) == Errno.FAULT
    assert g.call("clock_time_get", 0, 1, 65533) == Errno.FAULT
    assert time.perf_counter() - start < 1.0
    assert g.host.stdout == b"" and g.last.errno == "fault"


def test_stdio_write_read_and_their_errors():
    g = Guest(Sandbox(stdin=b"abcdef"))
    g.mem.write(1000, b"hello\n")
    g.iov(0, 1000, 3)
    g.iov(8, 1003, 3)
    assert g.call("fd_write", 1, 0, 2, OUT) == 0 and g.u32(OUT) == 6
    assert g.call("fd_write", 2, 0, 1, OUT) == 0
    assert (bytes(g.host.stdout), bytes(g.host.stderr)) == (b"hello\n", b"hel")
    assert g.last.args["iovs"]["text"] == "hel"
    g.iov(0, 2000, 4)
    assert g.call("fd_read", 0, 0, 1, OUT) == 0 and g.u32(OUT) == 4
    assert g.call("fd_read", 0, 0, 1, OUT) == 0 and g.u32(OUT) == 2
    assert g.call("fd_read", 0, 0, 1, OUT) == 0 and g.u32(OUT) == 0
    assert g.mem.read(2000, 2) == b"ef"
    assert g.call("fd_write", 0, 0, 1, OUT) == Errno.BADF
    assert g.call("fd_read", 1, 0, 1, OUT) == Errno.BADF
    assert g.call("fd_seek", 1, 0, 0, OUT) == Errno.SPIPE
    assert g.call("fd_write", 77, 0, 1, OUT) == Errno.BADF


def test_file_seek_pread_pwrite_and_fdstat():
    g = Guest(Sandbox(preopens=[Preopen("/m", tree={"f": b"0123456789"})]))
    g.mem.write(500, b"f")
    rights = (1 << 1) | (1 << 6) | (1 << 2) | (1 << 5)
    assert g.call("path_open", 3, 0, 500, 1, 0, rights, 0, 0, OUT) == 0
    fd = g.u32(OUT)
    assert g.call("fd_seek", fd, -3, 2, OUT) == 0 and g.u64(OUT) == 7
    assert g.call("fd_tell", fd, OUT) == 0 and g.u64(OUT) == 7
    g.mem.write(600, b"AB")
    g.iov(0, 600, 2)
    assert g.call("fd_pwrite", fd, 0, 1, 1, OUT) == 0
    g.iov(0, 700, 10)
    assert g.call("fd_pread", fd, 0, 1, 0, OUT) == 0 and g.mem.read(700, 10) == b"0AB3456789"
    assert g.call("fd_tell", fd, OUT) == 0 and g.u64(OUT) == 7
    assert g.call("fd_seek", fd, 0, 7, OUT) == Errno.INVAL
    assert g.call("fd_fdstat_get", fd, OUT) == 0 and g.mem.read(OUT, 1) == b"\x04"
    stat = g.last.results["stat"]
    assert stat["filetype"] == "regular_file" and "fd_read" in stat["rights_base"]
    assert g.call("fd_fdstat_set_rights", fd, 1 << 1, 0) == 0
    assert g.call("fd_fdstat_set_rights", fd, rights, 0) == Errno.NOTCAPABLE
    assert g.call("fd_filestat_set_size", fd, 4) == 0
    assert g.call("fd_filestat_get", fd, OUT) == 0 and g.u64(OUT + 32) == 4
    assert g.call("fd_allocate", fd, 0, 10) == Errno.NOTSUP
    assert g.call("fd_advise", fd, 0, 10, 9) == Errno.INVAL
    assert g.call("fd_renumber", fd, 3) == 0
    assert g.call("fd_renumber", 3, 40) == Errno.BADF
    assert g.call("fd_close", 3) == 0 and g.call("fd_close", 3) == Errno.BADF


def test_poll_oneoff_waits_for_clocks_and_reports_stdin_and_bad_fds():
    g = Guest(Sandbox(stdin=b"xyz"))
    sub = struct.pack("<QB7xIxxxxQQH6x", 11, 0, 1, 20_000_000, 0, 0)  # 20 ms relative
    g.mem.write(0, sub)
    start = time.monotonic()
    assert g.call("poll_oneoff", 0, 1000, 1, OUT) == 0
    assert time.monotonic() - start >= 0.018
    assert g.u32(OUT) == 1 and struct.unpack_from("<QHB", g.mem.read(1000, 11)) == (11, 0, 0)
    fd_sub = struct.pack("<QB7xI28x", 22, 1, 0) + struct.pack("<QB7xI28x", 33, 1, 99)
    g.mem.write(0, fd_sub + struct.pack("<QB7xIxxxxQQH6x", 44, 0, 1, 10**12, 0, 0))
    start = time.monotonic()
    assert g.call("poll_oneoff", 0, 1000, 3, OUT) == 0
    assert time.monotonic() - start < 0.5, "a ready fd must not wait for the clock"
    assert g.u32(OUT) == 2
    ev1 = struct.unpack_from("<QHBxxxxxQ", g.mem.read(1000, 24))
    ev2 = struct.unpack_from("<QHB", g.mem.read(1032, 11))
    assert ev1 == (22, 0, 1, 3) and ev2 == (33, Errno.BADF, 1)
    assert g.call("poll_oneoff", 0, 1000, 0, OUT) == Errno.INVAL


def test_proc_exit_raises_and_is_recorded_with_its_code():
    g = Guest()
    with pytest.raises(ProcExit) as info:
        g.call("proc_exit", 3)
    assert info.value.code == 3
    assert g.last.call == "proc_exit" and g.last.exit_code == 3
    assert g.call("proc_raise", 6) == Errno.NOTSUP
    assert g.call("sched_yield") == 0


def test_sockets_are_refused_like_wasmtime_and_explained():
    g = Guest()
    assert g.call("sock_accept", 0, 0, OUT) == Errno.NOTSOCK
    ev = g.last
    assert ev.denied and ev.capability == "network" and "not a socket" in ev.reason
    assert g.call("sock_recv", 1, 0, 0, 0, OUT, OUT + 4) == Errno.NOTSOCK
    assert g.call("sock_send", 1, 0, 0, 0, OUT) == Errno.NOTSOCK
    assert g.call("sock_shutdown", 2, 3) == Errno.NOTSOCK
    assert g.call("sock_shutdown", 50, 3) == Errno.BADF


def test_libc_refusal_import_records_a_denied_libc_event():
    g = Guest()
    g.mem.write(100, b"/etc/passwd")
    assert g.call("libc_path_refused", 100, 11, module="wasikernel") is None
    ev = g.last
    assert (ev.phase, ev.call, ev.errno, ev.denied, ev.capability) == (
        "libc", "libc_path_refused", "noent", True, "preopen",
    )  # fmt: skip
    assert ev.args["path"] == "/etc/passwd" and "/etc/passwd" in ev.reason


def test_an_unexpected_host_failure_becomes_eio_with_a_note(monkeypatch):
    def broken(self, parent, name):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(MemoryFileSystem, "lstat", broken)
    g = Guest(Sandbox(preopens=[Preopen("/m", tree={})]))
    g.mem.write(500, b"f")
    assert g.call("path_filestat_get", 3, 1, 500, 1, OUT) == Errno.IO
    assert "disk on fire" in g.last.reason


def test_invalid_utf8_paths_are_ilseq():
    g = Guest(Sandbox(preopens=[Preopen("/m", tree={})]))
    g.mem.write(500, b"\xff\xfe")
    assert g.call("path_open", 3, 0, 500, 2, 0, 2, 0, 0, OUT) == Errno.ILSEQ


def test_trace_cap_keeps_counting_what_it_drops():
    sandbox = Sandbox()
    sandbox.limits.max_trace_events = 5
    g = Guest(sandbox)
    for _ in range(12):
        g.call("sched_yield")
    assert len(g.host.trace) == 5 and g.host.trace.dropped == 7
    assert "7 more calls" in g.host.trace.to_text()
