"""Finding the compilers: zig (from the ``ziglang`` wheel), clang + wasi-libc, a wasm-ready rustc.

Each probe runs once per process (``functools.cache``); the results feed the compile cache key,
``wasikernel doctor`` and the error a learner sees when a toolchain is missing.
"""

from __future__ import annotations

import functools
import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from ._cache import atomic_write

ZIG_INSTALL = "pip install ziglang"
CLANG_INSTALL = "apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32"
RUST_INSTALL = "apt-get install rustc libstd-rust-dev-wasm32"
RUSTUP_INSTALL = "rustup target add wasm32-wasip1"


@dataclass(frozen=True)
class Toolchain:
    """A compiler found on this machine: how to call it and what version it is."""

    name: str  # "zig" | "clang" | "rustc"
    version: str  # "zig 0.17.1"
    command: tuple[str, ...]  # argv prefix
    details: dict[str, str] = field(default_factory=dict, hash=False, compare=False)


def _run(
    argv: list[str], timeout: float = 30, cwd: str | None = None
) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            argv, check=False, capture_output=True, text=True, timeout=timeout, cwd=cwd
        )
    except (OSError, subprocess.SubprocessError):
        return None


@functools.cache
def find_zig() -> Toolchain | None:
    """Return zig from the ``ziglang`` wheel, or ``None`` when the wheel is not installed."""
    spec = importlib.util.find_spec("ziglang")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(next(iter(spec.submodule_search_locations)))
    binary = folder / ("zig.exe" if os.name == "nt" else "zig")
    command: tuple[str, ...] = (
        (str(binary),) if binary.exists() else (sys.executable, "-m", "ziglang")
    )
    version = _zig_version(folder)
    if version is None:
        done = _run([*command, "version"])
        if done is None or done.returncode != 0:
            return None
        version = done.stdout.strip()
    return Toolchain("zig", f"zig {version}", command, {"folder": str(folder)})


def _zig_version(folder: Path) -> str | None:
    # the wheel's metadata names the version: no process to start
    for dist in folder.parent.glob("ziglang-*.dist-info"):
        return dist.name[len("ziglang-") : -len(".dist-info")].split("+")[0]
    return None


@functools.cache
def find_clang() -> Toolchain | None:
    """Return a clang that targets wasm32-wasi with Debian's wasi-libc, or ``None``."""
    clang = shutil.which("clang") or ("/usr/bin/clang" if Path("/usr/bin/clang").exists() else None)
    if clang is None:
        return None
    sysroot = None
    for candidate in ("/usr", "/usr/share/wasi-sysroot", "/opt/wasi-sdk/share/wasi-sysroot"):
        if (Path(candidate) / "lib" / "wasm32-wasi" / "libc.a").exists():
            sysroot = candidate
            break
    if sysroot is None:
        return None
    done = _run([clang, "--version"])
    if done is None or done.returncode != 0:
        return None
    builtins = _run([clang, "--target=wasm32-wasi", "-print-libgcc-file-name"])
    if builtins is None or not Path(builtins.stdout.strip()).is_file():
        return None  # every wasm32-wasi link needs compiler-rt's builtins
    first = done.stdout.strip().splitlines()[0] if done.stdout.strip() else "clang"
    version = first.split("version", 1)[-1].strip().split()[0] if "version" in first else "?"
    return Toolchain("clang", f"clang {version}", (clang,), {"sysroot": sysroot})


def clang_missing_parts() -> list[str]:
    """Say which pieces of the clang route are absent (empty when it is complete)."""
    missing = []
    if not (shutil.which("clang") or Path("/usr/bin/clang").exists()):
        missing.append("clang")
    if not shutil.which("wasm-ld"):
        missing.append("lld (wasm-ld)")
    if not Path("/usr/lib/wasm32-wasi/libc.a").exists():
        missing.append("wasi-libc")
    clang = shutil.which("clang")
    builtins = _run([clang, "--target=wasm32-wasi", "-print-libgcc-file-name"]) if clang else None
    if builtins is None or not Path(builtins.stdout.strip()).is_file():
        missing.append("compiler-rt builtins for wasm32 (libclang-rt-14-dev-wasm32)")
    return missing


def _rustc_candidates() -> list[str]:
    seen: list[str] = []
    env = os.environ.get("WASIKERNEL_RUSTC")
    if env:
        seen.append(env)
    for folder in os.environ.get("PATH", "").split(os.pathsep):
        path = os.path.join(folder, "rustc")
        if os.access(path, os.X_OK):
            seen.append(path)
    seen += [os.path.expanduser("~/.cargo/bin/rustc"), "/usr/bin/rustc", "/usr/local/bin/rustc"]
    unique: list[str] = []
    for path in seen:
        real = os.path.realpath(path)
        if os.access(path, os.X_OK) and real not in [os.path.realpath(p) for p in unique]:
            unique.append(path)
    return unique


def _wasm_target(sysroot: str) -> str | None:
    rustlib = Path(sysroot) / "lib" / "rustlib"
    for name in ("wasm32-wasip1", "wasm32-wasi"):
        if (rustlib / name / "lib").is_dir():
            return name
    return None


def _stamp(path: str) -> list[object]:
    """What must stay the same for a stored probe of ``path`` to hold."""
    stat = os.stat(path)
    rustup_home = os.environ.get("RUSTUP_HOME") or os.path.expanduser("~/.rustup")
    try:
        settings = os.stat(os.path.join(rustup_home, "settings.toml")).st_mtime_ns
    except OSError:
        settings = None
    return [stat.st_mtime_ns, stat.st_size, settings, os.environ.get("RUSTUP_TOOLCHAIN")]


def _probe_file() -> Path:
    from ._cache import cache_root

    return cache_root() / "toolchains" / "rustc.json"


@functools.cache
def survey_rustc() -> tuple[tuple[str, str, str | None], ...]:
    """Return ``(path, version, wasm target or None)`` for every rustc found, in PATH order.

    Each rustc's version and sysroot are stored on disk beside the compile cache, keyed by the
    binary and rustup's settings, so a new kernel does not start rustc (or rustup's proxy,
    ~50 ms a call) again; whether the sysroot has the wasm target is checked afresh each time.
    """
    import json

    try:
        stored = json.loads(_probe_file().read_text("utf-8"))
        if not isinstance(stored, dict):
            stored = {}
    except (OSError, ValueError):
        stored = {}
    found = []
    changed = False
    neutral = tempfile.gettempdir()  # no rust-toolchain file of the caller's folder applies
    for path in _rustc_candidates():
        try:
            stamp = _stamp(path)
        except OSError:
            continue
        record = stored.get(path)
        if not (isinstance(record, dict) and record.get("stamp") == stamp):
            done = _run([path, "--version"], cwd=neutral)
            if done is None or done.returncode != 0:
                continue
            sysroot_run = _run([path, "--print", "sysroot"], cwd=neutral)
            sysroot = (
                sysroot_run.stdout.strip()
                if sysroot_run is not None and sysroot_run.returncode == 0
                else ""
            )
            record = {"stamp": stamp, "version": done.stdout.strip(), "sysroot": sysroot}
            stored[path] = record
            changed = True
        target = _wasm_target(record["sysroot"]) if record["sysroot"] else None
        found.append((path, record["version"], target))
    if changed:
        try:
            atomic_write(_probe_file(), json.dumps(stored).encode("utf-8"))
        except OSError:
            pass
    return tuple(found)


@functools.cache
def find_rustc() -> Toolchain | None:
    """Return the first rustc whose sysroot has the wasm32 WASI standard library, or ``None``."""
    for path, version, target in survey_rustc():
        if target:
            short = " ".join(version.split()[:2])
            return Toolchain("rustc", short, (path,), {"target": target})
    return None
