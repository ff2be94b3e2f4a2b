"""Property-based test of the host functions themselves (hypothesis).

Every function the host provides is called through the engine-agnostic API documented in
``wasikernel/wasi/__init__.py`` (``WasiHost(...).imports``, each ``imp.call(memory, *ints)``),
with a plain ``BytesMemory``, in random sequences with random arguments and random memory.
The memory is seeded with path strings that try to climb out (``..``, absolute paths, the
outside folder's own path) and with pointers to them, so that random calls do reach the
path code rather than failing every bounds check. Properties:

- no Python exception leaves a call, except the two the API allows (ProcExit, LimitReached);
- every call returns a valid errno (an index into ERRNO_NAMES), or None for the calls that
  return nothing;
- no call blocks for long (a random poll_oneoff must honour the run's deadline);
- nothing outside the preopen is read, written, listed or created, and nothing appears beside
  it.
"""

from __future__ import annotations

import shutil
import struct
import tempfile
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wasiharness import Watched, snapshot

MEMORY_SIZE = 65536
PATH_TABLE = 0x400  # seeded paths start here, 64 bytes apart
PATHS = [
    "inside.txt", "subdir", "subdir/../inside.txt", ".", "..", "../outside/secret.txt",
    "../outside", "subdir/../../outside/private/key.txt", "/etc/passwd", "/", "link-out",
    "link-out/secret.txt", "new.txt", "newdir", "../outside/created", "link-up/outside",
    "a/b/../../..", "inside.txt/", "\x00hidden", "//", "./././../outside/secret.txt",
]  # fmt: skip
OUTSIDE_ABS = len(PATHS)  # slot filled at run time with the outside folder's absolute path
POINTER_SLOTS = [PATH_TABLE + 64 * i for i in range(len(PATHS) + 1)]
CALL_TIMEOUT_S = 5.0


def _host_imports() -> list:
    from wasikernel.sandbox import Limits, Sandbox
    from wasikernel.wasi import WasiHost

    return list(WasiHost(Sandbox(limits=Limits(timeout_s=2.0))).imports)


IMPORT_NAMES = sorted(f"{i.module}.{i.name}" for i in _host_imports())


def _i32_values() -> st.SearchStrategy[int]:
    return st.one_of(
        st.integers(0, 8),  # fds, small flags, counts
        st.sampled_from(POINTER_SLOTS),  # pointers to the seeded paths
        st.integers(1, 64),  # lengths of those paths
        st.sampled_from([0x8000, 0x9000, MEMORY_SIZE - 8, MEMORY_SIZE - 1, MEMORY_SIZE]),
        st.sampled_from([0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, -1]),
        st.integers(0, 0xFFFFFFFF),
    )


def _i64_values() -> st.SearchStrategy[int]:
    return st.one_of(
        st.integers(0, 16),
        st.sampled_from([(1 << 30) - 1, 1 << 63, (1 << 64) - 1, -1, 10**6, 10**9]),
        st.integers(-(1 << 63), (1 << 64) - 1),
    )


# witx parameters of the path calls, one letter each: f fd, l lookupflags, p a path (pointer
# and length: two wasm parameters), O oflags, R rights (i64), F fdflags, o out-pointer,
# n a buffer length, t a timestamp (i64), s fstflags. Calls drawn with these shapes reach the
# path resolution code instead of failing on a bad pointer.
PATH_SHAPES = {
    "path_create_directory": "fp",
    "path_filestat_get": "flpo",
    "path_filestat_set_times": "flptts",
    "path_link": "flpfp",
    "path_open": "flpORRFo",
    "path_readlink": "fpono",
    "path_remove_directory": "fp",
    "path_rename": "fpfp",
    "path_symlink": "pfp",
    "path_unlink_file": "fp",
}


def _shaped_args(draw: st.DrawFn, shape: str) -> list[int]:
    args: list[int] = []
    for letter in shape:
        if letter == "p":
            slot = draw(st.integers(0, len(POINTER_SLOTS) - 1))
            args.append(POINTER_SLOTS[slot])
            args.append(draw(st.one_of(st.just(-1), st.integers(0, 63))))  # -1: exact length
        elif letter == "f":
            args.append(draw(st.sampled_from([3, 3, 3, 4, 5, 0, 9])))
        elif letter in "lOFs":
            args.append(draw(st.integers(0, {"l": 1, "O": 15, "F": 31, "s": 15}[letter])))
        elif letter == "R":
            args.append(draw(st.sampled_from([(1 << 30) - 1, 0, 2, 1 << 6, (1 << 64) - 1])))
        elif letter == "o":
            args.append(draw(st.sampled_from([0x8000, 0x8100, MEMORY_SIZE - 2])))
        elif letter == "n":
            args.append(draw(st.sampled_from([0, 1, 5, 64, 0xFFFFFFFF])))
        elif letter == "t":
            args.append(draw(_i64_values()))
    return args


@st.composite
def call_sequences(draw: st.DrawFn) -> list[tuple[str, list[int]]]:
    by_name = {f"{i.module}.{i.name}": i for i in _host_imports()}
    calls = []
    for _ in range(draw(st.integers(1, 8))):
        # half the calls are path calls, as most of what can go wrong is there
        path_names = [n for n in IMPORT_NAMES if n.split(".", 1)[1] in PATH_SHAPES]
        name = draw(st.sampled_from(IMPORT_NAMES) | st.sampled_from(path_names))
        short = name.split(".", 1)[1]
        if short in PATH_SHAPES and draw(st.integers(0, 3)) > 0:
            args = _shaped_args(draw, PATH_SHAPES[short])
            assert len(args) == len(by_name[name].params), f"PATH_SHAPES[{short!r}] is wrong"
        else:
            imp = by_name[name]
            args = [draw(_i64_values() if p == "i64" else _i32_values()) for p in imp.params]
        calls.append((name, args))
    return calls


def _exact_lengths(args: list[int], paths: list[bytes]) -> list[int]:
    """Replace a length of -1 that follows a path pointer by that path's exact length."""
    out = list(args)
    for k in range(1, len(out)):
        if out[k] == -1 and out[k - 1] in POINTER_SLOTS:
            out[k] = len(paths[POINTER_SLOTS.index(out[k - 1])])
    return out


def _memory(noise: bytes, outside: Path) -> bytearray:
    mem = bytearray(MEMORY_SIZE)
    mem[: len(noise)] = noise
    mem[0x8000 : 0x8000 + len(noise)] = noise  # random structures where out-pointers land
    for i, raw in enumerate(_path_bytes(outside)):
        mem[POINTER_SLOTS[i] : POINTER_SLOTS[i] + len(raw)] = raw
    # iovecs and subscriptions at 0x9000 point into the path table and at small lengths
    for k in range(16):
        struct.pack_into("<II", mem, 0x9000 + 8 * k, POINTER_SLOTS[k % len(POINTER_SLOTS)], 16)
    return mem


def _path_bytes(outside: Path) -> list[bytes]:
    return [p.encode()[:63] for p in [*PATHS, str(outside / "secret.txt")]]


def _call_with_deadline(imp, memory, args: list[int]):  # noqa: ANN202
    """Call ``imp``; return ("ok", value) or ("raised", exc); fail if it blocks too long."""
    outcome: list = []

    def target() -> None:
        try:
            outcome.append(("ok", imp.call(memory, *args)))
        except BaseException as exc:  # noqa: BLE001 - the property is about what escapes
            outcome.append(("raised", exc))

    worker = threading.Thread(target=target, daemon=True)
    worker.start()
    worker.join(CALL_TIMEOUT_S)
    assert outcome, f"{imp.name}{tuple(args)} still running after {CALL_TIMEOUT_S} s"
    return outcome[0]


@pytest.mark.slow
@settings(
    max_examples=400,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(calls=call_sequences(), noise=st.binary(max_size=512), stdin=st.binary(max_size=64))
def test_random_calls_never_raise_nor_touch_outside(calls, noise, stdin):
    from wasikernel.sandbox import Limits, Preopen, Sandbox
    from wasikernel.wasi import ERRNO_NAMES, BytesMemory, LimitReached, ProcExit, WasiHost

    base = Path(tempfile.mkdtemp(prefix="wasi-prop-"))
    try:
        jail, outside = base / "jail", base / "outside"
        (jail / "subdir").mkdir(parents=True)
        (jail / "inside.txt").write_bytes(b"inside\n")
        (jail / "link-out").symlink_to("../outside")
        (jail / "link-up").symlink_to("..")
        (outside / "private").mkdir(parents=True)
        (outside / "secret.txt").write_bytes(b"TOP SECRET\n")
        (outside / "private" / "key.txt").write_bytes(b"KEY\n")
        watched = Watched(outside).record()
        sandbox = Sandbox(
            preopens=[Preopen("/", host_path=str(jail))],
            args=["prog", "arg"],
            env={"K": "V"},
            stdin=stdin,
            limits=Limits(timeout_s=2.0, max_output_bytes=1 << 20),
        )
        host = WasiHost(sandbox)
        by_name = {f"{i.module}.{i.name}": i for i in host.imports}
        memory = BytesMemory(_memory(noise, outside))
        for name, drawn in calls:
            args = _exact_lengths(drawn, _path_bytes(outside))
            kind, value = _call_with_deadline(by_name[name], memory, args)
            if kind == "raised":
                if isinstance(value, (ProcExit, LimitReached)):
                    break  # the run ends here, as an engine would end it
                raise AssertionError(f"{name}{tuple(args)} raised {value!r}") from value
            imp = by_name[name]
            if imp.results:
                assert isinstance(value, int) and 0 <= value < len(ERRNO_NAMES), (
                    f"{name}{tuple(args)} returned {value!r}, not an errno"
                )
            assert memory.size() == MEMORY_SIZE
        # the host turns a bug of its own into EIO with a note; a plain file system gives no EIO
        bugs = [(e.call, e.args, e.reason) for e in host.trace.events if e.errno == "io"]
        assert not bugs, bugs
        assert watched.changes() == []
        assert sorted(p.name for p in base.iterdir()) == ["jail", "outside"]
        assert snapshot(outside).keys() == {"private", "private/key.txt", "secret.txt"}
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_every_preview1_function_is_provided():
    """The property above covers all 46 functions of wasi_snapshot_preview1."""
    names = {n.split(".", 1)[1] for n in IMPORT_NAMES if n.startswith("wasi_snapshot_preview1.")}
    assert len(names) == 46, sorted(names)


HUGE = 0xFFFFFFFF
#: calls whose lengths or counts are as large as a guest can say; each must answer quickly
#: without allocating anything near that size
HUGE_CALLS = [
    ("random_get", [0, HUGE]),
    ("random_get", [16, MEMORY_SIZE]),
    ("fd_read", [0, 0x9100, 1, 0x9200]),  # the iovec at 0x9100 asks for HUGE bytes
    ("fd_read", [0, 0x9100, HUGE, 0x9200]),
    ("fd_write", [1, 0x9100, 1, 0x9200]),
    ("fd_write", [1, 0x9100, HUGE, 0x9200]),
    ("fd_pread", [4, 0x9100, 1, 0, 0x9200]),
    ("fd_pwrite", [4, 0x9100, 1, 0, 0x9200]),
    ("fd_readdir", [3, 0, HUGE, 0, 0x9200]),
    ("fd_prestat_dir_name", [3, 0, HUGE]),
    ("path_open", [3, 0, 0x400, HUGE, 0, 0, 0, 0, 0x9200]),
    ("path_readlink", [3, 0x400, 10, 0, HUGE, 0x9200]),
    ("poll_oneoff", [0, 0x100, HUGE, 0x9200]),
    ("args_get", [HUGE - 4, HUGE - 8]),
    ("environ_get", [HUGE - 4, HUGE - 8]),
    ("fd_filestat_set_size", [4, (1 << 63) - 1]),
    ("fd_allocate", [4, 0, (1 << 63) - 1]),
]


def test_huge_lengths_are_bounded_not_allocated(tmp_path):
    """A guest asking for 4 GiB gets EFAULT/EINVAL (or a short answer), never a 4 GiB buffer."""
    import time
    import tracemalloc

    from wasikernel.sandbox import Limits, Preopen, Sandbox
    from wasikernel.wasi import ERRNO_NAMES, BytesMemory, WasiHost

    (tmp_path / "inside.txt").write_bytes(b"inside\n")
    host = WasiHost(
        Sandbox(
            preopens=[Preopen("/", host_path=str(tmp_path))],
            stdin=b"x" * 100,
            limits=Limits(timeout_s=5.0),
        )
    )
    by_name = {i.name: i for i in host.imports}
    memory = BytesMemory(MEMORY_SIZE)
    memory.write(0x400, b"inside.txt")
    memory.write(0x9100, struct.pack("<II", 0x1000, HUGE))
    opened = by_name["path_open"].call(memory, 3, 0, 0x400, 10, 0, (1 << 30) - 1, 0, 0, 0x9300)
    assert opened == 0 and memory.read(0x9300, 4) == b"\x04\x00\x00\x00"
    tracemalloc.start()
    try:
        for name, args in HUGE_CALLS:
            t0 = time.perf_counter()
            value = by_name[name].call(memory, *args)
            assert isinstance(value, int) and 0 <= value < len(ERRNO_NAMES), (name, value)
            assert time.perf_counter() - t0 < 2.0, f"{name} took too long"
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 64 * 1024 * 1024, f"peak Python allocation {peak / 2**20:.0f} MiB"
    assert (tmp_path / "inside.txt").stat().st_size < 1 << 30


def test_a_read_that_faults_consumes_nothing(tmp_path):
    """An iovec running past the end of memory is EFAULT before any byte is read: the file
    position and the rest of stdin stay where they were (they used to advance by up to
    16 MiB while the call failed)."""
    from wasikernel.sandbox import Preopen, Sandbox
    from wasikernel.wasi import BytesMemory, Errno, WasiHost

    (tmp_path / "data.txt").write_bytes(b"0123456789")
    host = WasiHost(Sandbox(preopens=[Preopen("/", host_path=str(tmp_path))], stdin=b"abcdef"))
    calls = {i.name: i.call for i in host.imports}
    memory = BytesMemory(MEMORY_SIZE)
    memory.write(0x400, b"data.txt")
    assert calls["path_open"](memory, 3, 0, 0x400, 8, 0, (1 << 30) - 1, 0, 0, 0x9300) == 0
    memory.write(0x9100, struct.pack("<II", MEMORY_SIZE - 4, 8))  # 4 bytes fit, 4 do not
    memory.write(0x9108, struct.pack("<II", 0x1000, 4))  # fits
    for fd in (0, 4):
        assert calls["fd_read"](memory, fd, 0x9100, 1, 0x9200) == Errno.FAULT
        assert calls["fd_pread"](memory, 4, 0x9100, 1, 0, 0x9200) == Errno.FAULT
        assert calls["fd_read"](memory, fd, 0x9108, 1, 0x9200) == 0
        assert memory.read(0x1000, 4) == (b"abcd" if fd == 0 else b"0123")
