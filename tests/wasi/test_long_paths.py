"""Path resolution does bounded, linear work: a path of PATH_MAX (4096) bytes or more is
``nametoolong`` before any lookup, as under wasmtime; a shorter path costs one step per
component however it ends; and a time limit or an interrupt ends a run even inside one call.
"""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from wasiharness import Dir, RunSpec, run_wasmtime, wat
from wasiprobe import FILESTAT, errnos_in_order, probe

from wasikernel import messages
from wasikernel.engines import run
from wasikernel.sandbox import Limits, Preopen, Sandbox
from wasikernel.wasi import BytesMemory, Errno, LimitReached, WasiHost

#: 64 KiB: 13,107 real steps, then 16,000 trailing "/." that the resolver once rescanned at
#: every step (20-30 s for one call)
HUGE_PATH = "d/../" * 6552 + "d" + "/." * 16_000 + "/" * (65_536 - 32_761 - 32_000)
#: just under PATH_MAX: still resolved, one step per component
LONG_PATH = ("d/../" * 819)[:4094] + "f"


def _folder(root: Path) -> Path:
    root.mkdir(parents=True)
    (root / "f").write_bytes(b"file")
    (root / "d").mkdir()
    return root


def _preopen(kind: str, tmp_path: Path) -> Preopen:
    if kind == "host folder":
        return Preopen("/", host_path=str(_folder(tmp_path / "ours")))
    return Preopen("/", tree={"f": b"file", "d": {}})


FILE_SYSTEMS = ["host folder", "in-memory tree"]


@pytest.mark.parametrize("file_system", FILE_SYSTEMS)
@pytest.mark.parametrize(
    "path", [HUGE_PATH, LONG_PATH, LONG_PATH + "/", "./" * 2048, "a" * 255, "a" * 256],
    ids=["64 KiB", "4095 bytes", "4096 bytes", "4096 bytes of ./", "255-byte name",
         "256-byte name"],
)  # fmt: skip
def test_long_paths_are_answered_as_wasmtime(path, file_system, tmp_path):
    wasm = probe(("path_filestat_get", 3, 0, path, FILESTAT))
    theirs = run_wasmtime(RunSpec(wasm, [Dir(_folder(tmp_path / "wasmtime"))]))
    ours = run(wasm, Sandbox(preopens=[_preopen(file_system, tmp_path)]))
    assert errnos_in_order(ours.stdout) == errnos_in_order(theirs.stdout)


def test_a_64_kib_path_is_nametoolong(tmp_path):
    wasm = probe(("path_filestat_get", 3, 0, HUGE_PATH, FILESTAT))
    for file_system in FILE_SYSTEMS:
        ours = run(wasm, Sandbox(preopens=[_preopen(file_system, tmp_path / file_system)]))
        assert errnos_in_order(ours.stdout) == [Errno.NAMETOOLONG]


def test_symlinks_are_expanded_at_most_40_times(tmp_path):
    root = _folder(tmp_path / "links")
    (root / "l0").symlink_to("f")
    for i in range(1, 45):
        (root / f"l{i}").symlink_to(f"l{i - 1}")
    calls = [("path_filestat_get", 3, 1, f"l{n}", FILESTAT) for n in (39, 40, 44)]
    ours = run(probe(*calls), Sandbox(preopens=[Preopen("/", host_path=str(root))]))
    assert errnos_in_order(ours.stdout) == [0, Errno.LOOP, Errno.LOOP]


def _host_at_limit(tmp_path: Path, *, cancel: threading.Event | None = None) -> WasiHost:
    host = WasiHost(Sandbox(preopens=[_preopen("host folder", tmp_path)]), cancel=cancel)
    if cancel is None:
        host.deadline = time.monotonic() - 1.0  # the run's time is already up
    return host


@pytest.mark.parametrize("stop", ["time limit", "interrupt"])
def test_a_long_resolution_stops_at_the_time_limit_or_an_interrupt(stop, tmp_path):
    cancel = threading.Event() if stop == "interrupt" else None
    host = _host_at_limit(tmp_path, cancel=cancel)
    if cancel is not None:
        cancel.set()
    memory = BytesMemory(65536)
    memory.write(1000, LONG_PATH.encode())
    call = host.lookup("wasi_snapshot_preview1", "path_filestat_get")
    with pytest.raises(LimitReached) as stopped:
        call.call(memory, 3, 0, 1000, len(LONG_PATH), 8000)
    key = "limit_time" if stop == "time limit" else "limit_cancel"
    assert stopped.value.message == messages.t(key, seconds=10)
    assert host.trace.events[-1].call == "path_filestat_get"


def test_a_guest_looping_over_long_paths_ends_at_its_time_limit(tmp_path):
    path = LONG_PATH.encode()
    data = "".join(f"\\{b:02x}" for b in path)
    module = wat(f"""
    (module
      (import "wasi_snapshot_preview1" "path_filestat_get"
        (func $stat (param i32 i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 1024) "{data}")
      (func (export "_start") (local $i i32)
        (loop $again
          (drop (call $stat (i32.const 3) (i32.const 0) (i32.const 1024) (i32.const {len(path)})
                            (i32.const 64)))
          (local.set $i (i32.add (local.get $i) (i32.const 1)))
          (br_if $again (i32.lt_u (local.get $i) (i32.const 10000000))))
        (call $exit (i32.const 0))))
    """)
    sandbox = Sandbox(preopens=[_preopen("in-memory tree", tmp_path)], limits=Limits(timeout_s=1))
    result = run(module, sandbox)
    assert result.exit_code is None and result.limit == messages.t("limit_time", seconds=1)
