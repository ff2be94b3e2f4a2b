"""Nothing in a read-only folder can change: every call that changes a file or a directory is
tried on a host folder and on an in-memory tree granted read-only, and on a file opened with read
rights only in a read-write folder. Each errno must be the one wasmtime's own WASI answers on a
copy of the same folder (``preopen_dir(..., fs_mutable=False)`` for the read-only grant), and a
read-only folder must be left exactly as it was, times included.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from wasiharness import Dir, RunSpec, run_wasmtime, snapshot
from wasiprobe import ALL_RIGHTS, DIRECTORY, FILESTAT, I64, OUT, errnos_in_order, probe

from wasikernel.engines import run
from wasikernel.sandbox import Preopen, Sandbox
from wasikernel.wasi.errno import R

#: the rights wasi-libc asks for when a C program calls open(path, O_RDONLY)
READ_ONLY_RIGHTS = ALL_RIGHTS & ~(
    R["fd_datasync"] | R["fd_write"] | R["fd_allocate"] | R["fd_filestat_set_size"]
)
DIR_READ_RIGHTS = R["fd_read"] | R["fd_readdir"] | R["fd_filestat_get"] | R["fd_filestat_set_times"]
OPEN_FILE = ("path_open", 3, 0, "f", 0, I64(READ_ONLY_RIGHTS), I64(0), 0, OUT)
OPEN_DIR = ("path_open", 3, 0, "d", DIRECTORY, I64(DIR_READ_RIGHTS), I64(ALL_RIGHTS), 0, OUT)
TIMES = (I64(5), I64(5), 0b0101)  # atim = mtim = 5 ns
IOV = 0x9000  # the probe's iovec: 4096 bytes of its scratch buffer

#: a change on the file opened read-only (fd 4): the same in a read-only and a read-write folder
FD_CHANGES = {
    "fd_filestat_set_times": ("fd_filestat_set_times", 4, *TIMES),
    "fd_filestat_set_times now": ("fd_filestat_set_times", 4, I64(0), I64(0), 0b1010),
    "fd_filestat_set_size": ("fd_filestat_set_size", 4, I64(1)),
    "fd_filestat_set_size grow": ("fd_filestat_set_size", 4, I64(100)),
    "fd_allocate": ("fd_allocate", 4, I64(0), I64(100)),
    "fd_pwrite": ("fd_pwrite", 4, IOV, 1, I64(0), OUT + 8),
    "fd_write": ("fd_write", 4, IOV, 1, OUT + 8),
}

#: a change through a path or a directory descriptor (only refused in a read-only folder)
PATH_CHANGES = {
    "path_filestat_set_times file": [("path_filestat_set_times", 3, 0, "f", *TIMES)],
    "path_filestat_set_times dir": [("path_filestat_set_times", 3, 0, "d", *TIMES)],
    "path_filestat_set_times .": [("path_filestat_set_times", 3, 0, ".", *TIMES)],
    "fd_filestat_set_times preopen": [("fd_filestat_set_times", 3, *TIMES)],
    "fd_filestat_set_times dir": [OPEN_DIR, ("fd_filestat_set_times", 4, *TIMES)],
    "path_filestat_set_times in dir": [
        OPEN_DIR,
        ("path_filestat_set_times", 4, 0, "x", *TIMES),
    ],
    "path_link": [("path_link", 3, 0, "f", 3, "hl")],
    "path_link in dir": [OPEN_DIR, ("path_link", 4, 0, "x", 3, "hl")],
    "path_rename": [("path_rename", 3, "f", 3, "g")],
    "path_rename dir": [("path_rename", 3, "e", 3, "e2")],
    "path_unlink_file": [("path_unlink_file", 3, "f")],
    "path_unlink_file in dir": [OPEN_DIR, ("path_unlink_file", 4, "x")],
    "path_symlink": [("path_symlink", "f", 3, "nl")],
    "path_create_directory": [("path_create_directory", 3, "nd")],
    "path_create_directory in dir": [OPEN_DIR, ("path_create_directory", 4, "nd")],
    "path_remove_directory": [("path_remove_directory", 3, "e")],
}

#: every name the calls above could make or remove, stat'ed at the end of each probe
NAMES = ("f", "d", "d/x", "e", ".", "hl", "g", "e2", "nl", "nd", "d/nd")
CASES = {
    **{f"{name} (ro-dir)": (True, [OPEN_FILE, call]) for name, call in FD_CHANGES.items()},
    **{f"{name} (ro-dir)": (True, calls) for name, calls in PATH_CHANGES.items()},
    **{
        f"{name} (file opened read-only)": (False, [OPEN_FILE, c]) for name, c in FD_CHANGES.items()
    },
}
TREE = {"f": b"file", "d": {"x": b"x"}, "e": {}}


def _folder(root: Path) -> Path:
    root.mkdir()
    (root / "f").write_bytes(b"file")
    (root / "d").mkdir()
    (root / "d" / "x").write_bytes(b"x")
    (root / "e").mkdir()
    old = 1_000_000_000 * 10**9  # well-known times, so that a change of any shows
    for rel in ("f", "d/x", "d", "e", "."):
        os.utime(root / rel, ns=(old, old))
    return root


def _times(root: Path) -> dict[str, tuple[int, int, int]]:
    """(mtime, ctime, size) of each entry: reading may move an atime, nothing else may."""
    out = {}
    for rel in ("f", "d/x", "d", "e"):
        if os.path.lexists(root / rel):
            st = os.lstat(root / rel)
            out[rel] = (st.st_mtime_ns, st.st_ctime_ns, st.st_size)
    return out


def _stats(calls: list[tuple]) -> list[tuple]:
    return [*calls, *(("path_filestat_get", 3, 0, name, FILESTAT) for name in NAMES)]


def _what_ours_left(result) -> dict[str, tuple]:
    """The filestat of each name at the end of the run, read from the trace: (mtim, size)."""
    stats = [e for e in result.trace.events if e.call == "path_filestat_get"][-len(NAMES) :]
    out = {}
    for name, event in zip(NAMES, stats, strict=True):
        buf = event.results.get("buf") if event.errno == "success" else None
        out[name] = None if buf is None else (buf["filetype"], buf["mtim"] == 5, buf["size"])
    return out


def _first_change(calls: list[tuple]) -> int:
    return len(calls) - 1  # the change is the last call before the stats


@pytest.mark.parametrize("file_system", ["host folder", "in-memory tree"])
@pytest.mark.parametrize("case", list(CASES))
def test_change_is_answered_as_wasmtime_and_a_read_only_folder_stays_as_it_was(
    case, file_system, tmp_path
):
    read_only, calls = CASES[case]
    wasm = probe(*_stats(calls))
    theirs_dir = _folder(tmp_path / "wasmtime")
    theirs_times = _times(theirs_dir)
    theirs = run_wasmtime(RunSpec(wasm, [Dir(theirs_dir, read_only=read_only)]))
    if file_system == "host folder":
        ours_dir = _folder(tmp_path / "ours")
        before, times = snapshot(ours_dir), _times(ours_dir)
        pre = Preopen("/", host_path=str(ours_dir), read_only=read_only)
    else:
        pre = Preopen("/", tree=TREE, read_only=read_only)
    ours = run(wasm, Sandbox(preopens=[pre]))
    assert theirs.trap is None and ours.trap is None, (theirs.trap, ours.trap)
    change = _first_change(calls)
    theirs_errno = errnos_in_order(theirs.stdout)[change]
    ours_errno = errnos_in_order(ours.stdout)[change]
    assert ours_errno == theirs_errno, f"{ours_errno} under our host, {theirs_errno} under wasmtime"
    assert errnos_in_order(ours.stdout)[:change] == errnos_in_order(theirs.stdout)[:change]
    if read_only:
        assert _times(theirs_dir) == theirs_times  # the oracle itself changed nothing
        left = _what_ours_left(ours)
        assert left == {
            "f": ("regular_file", False, 4), "d": ("directory", False, left["d"][2]),
            "d/x": ("regular_file", False, 1), "e": ("directory", False, left["e"][2]),
            ".": ("directory", False, left["."][2]), **{n: None for n in NAMES[5:]},
        }  # fmt: skip
        if file_system == "host folder":
            assert snapshot(ours_dir) == before and _times(ours_dir) == times
        if theirs_errno == 63:  # perm: a refusal of the sandbox, explained in the trace
            refused = [e for e in ours.trace.events if e.denied]
            assert refused and refused[-1].capability == "write", refused
            assert "--ro-dir" in refused[-1].reason
    else:
        mtime, _ctime, size = _times(theirs_dir)["f"]
        assert _what_ours_left(ours)["f"][1:] == (mtime == 5, size)
