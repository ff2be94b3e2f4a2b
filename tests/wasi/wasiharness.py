"""Helpers shared by the WASI host's tests: compile test programs, run a module under our host
and under wasmtime's own WASI (the oracle), and snapshot the files a run leaves behind.

Both runners take the same description of a run (:class:`RunSpec`) and hand back the same
:class:`Outcome`, so a differential test is ``run_ours(spec) == run_wasmtime(spec)``.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import wasmtime

PROGRAMS = Path(__file__).resolve().parent.parent / "programs" / "wasi"
DEBIAN_RUSTC = "/usr/bin/rustc"  # /root/.cargo/bin/rustc comes first on PATH, without wasm32

#: the folder every differential run starts from (relative path -> contents)
FIXTURE_FILES = {
    "readme.txt": b"a fixture file\n",
    "sub/hello.txt": b"hello from the fixture\n",
    "sub/deeper/empty.txt": b"",
}


# ---------------------------------------------------------------- compiling test programs


def compile_c(source: Path, out_dir: Path) -> bytes:
    """Compile a C file with zig cc for wasm32-wasi; raise RuntimeError with the diagnostics."""
    out = out_dir / (source.stem + ".c.wasm")
    cmd = [sys.executable, "-m", "ziglang", "cc", "-target", "wasm32-wasi", "-O1", "-s"]
    proc = subprocess.run([*cmd, str(source), "-o", str(out)], capture_output=True, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"zig cc failed on {source.name}:\n{proc.stderr}")
    return out.read_bytes()


def rustc_available() -> bool:
    """Whether Debian's rustc with the wasm32-wasi standard library is installed."""
    return Path(DEBIAN_RUSTC).exists() and any(Path("/usr/lib/rustlib").glob("wasm32-wasi*"))


def compile_rust(source: Path, out_dir: Path) -> bytes:
    """Compile a Rust file with Debian's rustc for wasm32-wasi; raise RuntimeError on failure."""
    out = out_dir / (source.stem + ".rs.wasm")
    cmd = [
        DEBIAN_RUSTC,
        "--target",
        "wasm32-wasi",
        "-O",
        "--edition",
        "2021",
        "-C",
        "strip=debuginfo",
    ]
    proc = subprocess.run(
        [*cmd, str(source), "-o", str(out)], capture_output=True, text=True, cwd=out_dir
    )
    if proc.returncode != 0:
        raise RuntimeError(f"rustc failed on {source.name}:\n{proc.stderr}")
    return out.read_bytes()


def wat(text: str) -> bytes:
    """Assemble WAT text to wasm bytes."""
    return wasmtime.wat2wasm(text)


# ---------------------------------------------------------------- one run, two hosts


@dataclass
class Dir:
    """A host folder granted to the guest as ``guest``."""

    host: Path
    guest: str = "/"
    read_only: bool = False


@dataclass
class RunSpec:
    """What a run is given: the module, its folders, argv after the program name, env, stdin."""

    wasm: bytes
    dirs: list[Dir] = field(default_factory=list)
    args: list[str] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    stdin: bytes = b""
    program_name: str = "main.wasm"


@dataclass
class Outcome:
    """What a user sees of a run: its output and how it ended."""

    stdout: bytes
    stderr: bytes
    exit_code: int | None
    trap: str | None = None
    result: object = None  # our RunResult, when the run was ours

    def same_as(self, other: Outcome) -> bool:
        return (self.stdout, self.stderr, self.exit_code, self.trap is None) == (
            other.stdout,
            other.stderr,
            other.exit_code,
            other.trap is None,
        )


_ENGINE: wasmtime.Engine | None = None
_MODULES: dict[str, wasmtime.Module] = {}


def _oracle_module(wasm: bytes) -> tuple[wasmtime.Engine, wasmtime.Module]:
    global _ENGINE
    if _ENGINE is None:
        config = wasmtime.Config()
        config.epoch_interruption = True
        _ENGINE = wasmtime.Engine(config)
    key = hashlib.sha256(wasm).hexdigest()
    if key not in _MODULES:
        _MODULES[key] = wasmtime.Module(_ENGINE, wasm)
    return _ENGINE, _MODULES[key]


def run_wasmtime(spec: RunSpec, timeout_s: float = 20.0) -> Outcome:
    """Run ``spec`` under wasmtime's own WASI (``Linker.define_wasi``): the oracle."""
    engine, module = _oracle_module(spec.wasm)
    with tempfile.TemporaryDirectory(prefix="wasi-oracle-") as tmp:
        tmp_path = Path(tmp)
        stdin_path, out_path, err_path = (tmp_path / n for n in ("stdin", "stdout", "stderr"))
        stdin_path.write_bytes(spec.stdin)
        config = wasmtime.WasiConfig()
        config.argv = [spec.program_name, *spec.args]
        config.env = list(spec.env.items())
        config.stdin_file = str(stdin_path)
        config.stdout_file = str(out_path)
        config.stderr_file = str(err_path)
        for d in spec.dirs:
            config.preopen_dir(str(d.host), d.guest, not d.read_only)
        store = wasmtime.Store(engine)
        store.set_wasi(config)
        store.set_epoch_deadline(1)
        timer = _EpochTimer(engine, timeout_s)
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        exit_code: int | None = 0
        trap: str | None = None
        try:
            instance = linker.instantiate(store, module)
            start = instance.exports(store).get("_start")
            if start is not None:
                start(store)
        except wasmtime.ExitTrap as exc:
            exit_code = exc.code
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            exit_code, trap = None, str(exc)
        finally:
            timer.cancel()
        del store
        return Outcome(out_path.read_bytes(), err_path.read_bytes(), exit_code, trap)


class _EpochTimer:
    """Bump the engine's epoch after ``seconds`` so a stuck guest traps instead of hanging."""

    def __init__(self, engine: wasmtime.Engine, seconds: float) -> None:
        import threading

        self._timer = threading.Timer(seconds, engine.increment_epoch)
        self._timer.daemon = True
        self._timer.start()

    def cancel(self) -> None:
        self._timer.cancel()


def make_sandbox(spec: RunSpec):  # -> wasikernel.sandbox.Sandbox
    from wasikernel.sandbox import Limits, Preopen, Sandbox

    return Sandbox(
        preopens=[
            Preopen(d.guest, host_path=str(d.host), read_only=d.read_only) for d in spec.dirs
        ],
        args=list(spec.args),
        env=dict(spec.env),
        stdin=spec.stdin,
        program_name=spec.program_name,
        limits=Limits(timeout_s=20.0),
    )


def run_ours(spec: RunSpec) -> Outcome:
    """Run ``spec`` under our tracing host through ``wasikernel.engines.run``."""
    from wasikernel.engines import run

    result = run(spec.wasm, make_sandbox(spec))
    trap = result.trap.message if result.trap is not None else result.limit
    return Outcome(result.stdout, result.stderr, result.exit_code, trap, result)


# ---------------------------------------------------------------- files left behind


def snapshot(root: Path) -> dict[str, tuple]:
    """Describe every entry under ``root``: kind and contents (files), target (symlinks).

    Times, owners and inode numbers are left out: two correct hosts may differ on them.
    Reading uses ``O_NOATIME``, so taking a snapshot does not itself move access times.
    """
    entries: dict[str, tuple] = {}

    def walk(folder: Path, prefix: str) -> None:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | _NOATIME)
        try:
            names = sorted(e.name for e in os.scandir(fd))
        finally:
            os.close(fd)
        for name in names:
            full, rel = folder / name, prefix + name
            if full.is_symlink():
                entries[rel] = ("symlink", os.readlink(full))
            elif full.is_dir():
                entries[rel] = ("dir",)
                walk(full, rel + "/")
            elif full.is_file():
                entries[rel] = ("file", _read_noatime(full))
            else:
                entries[rel] = ("other",)

    walk(root, "")
    return entries


_NOATIME = getattr(os, "O_NOATIME", 0)


def _read_noatime(path: Path) -> bytes:
    fd = os.open(path, os.O_RDONLY | _NOATIME)
    try:
        chunks = []
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def fresh_copy(fixture: Path, dest: Path) -> Path:
    """Copy a fixture folder (symlinks kept as symlinks) to ``dest`` and return ``dest``."""
    shutil.copytree(fixture, dest, symlinks=True)
    return dest


@dataclass
class Watched:
    """A folder outside every preopen, with what it looked like before the run."""

    path: Path
    before: dict[str, tuple] = field(default_factory=dict)
    stat_before: dict[str, tuple] = field(default_factory=dict)

    def record(self) -> Watched:
        # Put every atime an hour before its mtime: under relatime (the usual mount option)
        # the next read or listing then moves it, so a read from outside shows up.
        for rel in [".", *self._stats()]:
            p = self.path / rel
            if not p.is_symlink():
                st = os.stat(p)
                os.utime(p, ns=(st.st_mtime_ns - 3600 * 10**9, st.st_mtime_ns))
        self.stat_before = self._stats()
        self.before = snapshot(self.path)
        return self

    def _stats(self) -> dict[str, tuple]:
        stats = {".": _stat_key(self.path)}
        for rel in snapshot(self.path):  # lists and reads with O_NOATIME
            stats[rel] = _stat_key(self.path / rel)
        return stats

    def changes(self) -> list[str]:
        """Every difference since :meth:`record`: entries, contents, times (empty: untouched)."""
        stats = self._stats()
        now = snapshot(self.path)
        diffs = [
            f"{k}: {self.before.get(k)} -> {now.get(k)}"
            for k in self.before.keys() | now.keys()
            if self.before.get(k) != now.get(k)
        ]
        for k, v in stats.items():
            if k in self.stat_before and self.stat_before[k] != v:
                diffs.append(f"{k}: times changed {self.stat_before[k]} -> {v}")
        return sorted(diffs)


def _stat_key(path: Path) -> tuple:
    st = os.lstat(path)
    return (st.st_mtime_ns, st.st_atime_ns, st.st_ctime_ns, st.st_size, st.st_mode)


# ---------------------------------------------------------------- components (WASI 0.2)


def component_tools_missing() -> str | None:
    """Why preview 1 modules cannot be wrapped into components here (None: they can)."""
    from wasikernel.compile.component import adapter_path, wasm_tools
    from wasikernel.errors import ToolchainMissing

    try:
        adapter_path()
        wasm_tools()
    except ToolchainMissing as exc:
        return str(exc)
    return None


def run_wasip2(spec: RunSpec, timeout_s: float = 20.0) -> Outcome:
    """Run the component ``spec.wasm`` under wasmtime's own preview 2 (``add_wasip2``)."""
    from wasmtime import component as wc

    engine, _ = _oracle_engine()
    component = wc.Component(engine, spec.wasm)
    with tempfile.TemporaryDirectory(prefix="wasip2-oracle-") as tmp:
        tmp_path = Path(tmp)
        stdin_path, out_path, err_path = (tmp_path / n for n in ("stdin", "stdout", "stderr"))
        stdin_path.write_bytes(spec.stdin)
        config = wasmtime.WasiConfig()
        config.argv = [spec.program_name, *spec.args]
        config.env = list(spec.env.items())
        config.stdin_file = str(stdin_path)
        config.stdout_file = str(out_path)
        config.stderr_file = str(err_path)
        for d in spec.dirs:
            config.preopen_dir(str(d.host), d.guest, not d.read_only)
        store = wasmtime.Store(engine)
        store.set_wasi(config)
        store.set_epoch_deadline(1)
        linker = wc.Linker(engine)
        linker.add_wasip2()
        timer = _EpochTimer(engine, timeout_s)
        exit_code: int | None = 0
        trap: str | None = None
        try:
            instance = linker.instantiate(store, component)
            names = [n for n in component.type.exports(engine) if n.startswith("wasi:cli/run@")]
            run = instance.get_func(
                store, instance.get_export_index(store, "run", instance.get_export_index(
                    store, names[0]))
            )  # fmt: skip
            outcome = run(store)
            exit_code = 0 if outcome.tag == "ok" else 1
        except wasmtime.ExitTrap as exc:
            exit_code = exc.code
        except (wasmtime.Trap, wasmtime.WasmtimeError) as exc:
            exit_code, trap = None, str(exc)
        finally:
            timer.cancel()
        del store
        return Outcome(out_path.read_bytes(), err_path.read_bytes(), exit_code, trap)


def _oracle_engine() -> tuple[wasmtime.Engine, None]:
    global _ENGINE
    if _ENGINE is None:
        config = wasmtime.Config()
        config.epoch_interruption = True
        _ENGINE = wasmtime.Engine(config)
    return _ENGINE, None
