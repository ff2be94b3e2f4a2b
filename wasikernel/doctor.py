"""``wasikernel doctor``: which compilers and engines this machine can use, and how to get the rest.

Each line says ``ok`` or ``missing``, the version found, and for what is missing the exact
command that installs it. Probing never raises: a probe that fails is reported as such.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import platform
import shutil
import subprocess
import sys
from dataclasses import dataclass

from . import __version__
from .compile._toolchains import Toolchain


@dataclass
class Check:
    """One line of the report."""

    section: str  # "compilers" | "engines"
    name: str
    found: bool
    version: str = ""
    detail: str = ""
    fix: str = ""

    def line(self) -> str:
        """The line as printed."""
        state = "ok     " if self.found else "missing"
        text = f"  {state} {self.name:<18} {self.version}".rstrip()
        if self.detail:
            text += f"  ({self.detail})"
        if self.fix and not self.found:
            text += f"\n          install: {self.fix}"
        return text


def _dist_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def _compiler_checks() -> list[Check]:
    from .compile import _toolchains as tc

    checks = []
    wasmtime_version = _dist_version("wasmtime")
    checks.append(Check("compilers", "WAT (wat2wasm)", wasmtime_version is not None,
                        f"wasmtime {wasmtime_version}" if wasmtime_version else "",
                        "in process", "pip install wasmtime"))
    zig = tc.find_zig()
    checks.append(Check("compilers", "C (zig cc)", zig is not None,
                        zig.version if zig else "", " ".join(zig.command) if zig else "",
                        tc.ZIG_INSTALL))
    if zig is not None:
        checks[-1].detail += "; " + _zig_libc_state(zig)
    clang = tc.find_clang()
    missing = tc.clang_missing_parts()
    checks.append(Check(
        "compilers", "C (clang)", clang is not None and not missing,
        clang.version if clang else "",
        (f"{clang.command[0]}, wasi-libc in {clang.details['sysroot']}" if clang else "")
        + (f"; lacks {', '.join(missing)}" if missing else "")
        + ("; use --toolchain clang" if clang and not missing else ""),
        tc.CLANG_INSTALL,
    ))
    rustc = tc.find_rustc()
    skipped = [f"{path}: {version}, no wasm32 target" for path, version, target in
               tc.survey_rustc() if not target]
    detail = ""
    if rustc is not None:
        detail = f"{rustc.command[0]}, target {rustc.details['target']}"
    if skipped:
        detail += ("; " if detail else "") + "skipped " + "; ".join(skipped)
    checks.append(Check("compilers", "Rust (rustc)", rustc is not None,
                        rustc.version if rustc else "", detail,
                        f"{tc.RUST_INSTALL}  (or: {tc.RUSTUP_INSTALL})"))
    return checks


def _zig_libc_state(zig: Toolchain) -> str:
    import json

    from .compile import CompileOptions
    from .compile._c import _link_line_file, _usable, _zig_profile_flags

    path = _link_line_file(zig, _zig_profile_flags(CompileOptions(), []))
    try:
        if _usable(json.loads(path.read_text("utf-8"))):
            return "libc for wasm32-wasi built"
    except (OSError, ValueError):
        pass
    return "the first C compile builds its libc (~20 s): run `wasikernel warmup` ahead"


# engine name -> (how to probe it, the command that installs it)
_ENGINE_FIXES = {
    "wasmtime": "pip install wasmtime",
    "stepper": "(part of wasikernel)",
    "pulley": "pip install 'wasmtime>=30'",
    "wasm3": "pip install pywasm3",
    "node": "apt-get install nodejs",
    "wasmer": "curl https://get.wasmer.io -sSfL | sh",
    "wasmedge": "curl -sSf https://raw.githubusercontent.com/WasmEdge/WasmEdge/master/utils/"
    "install.sh | bash",
    "iwasm": "build WAMR's iwasm: https://github.com/bytecodealliance/wasm-micro-runtime",
    "wamr": "build WAMR's iwasm: https://github.com/bytecodealliance/wasm-micro-runtime",
    "wasmtime-cli": "curl https://wasmtime.dev/install.sh -sSf | bash",
}


def _command_version(argv: list[str]) -> str | None:
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.SubprocessError):
        return None
    text = (done.stdout or done.stderr).strip()
    return text.splitlines()[0] if done.returncode == 0 and text else None


def _probe_adapter(name: str, module_name: str) -> list[Check]:
    """Ask an engine adapter whether it can run here, in the adapter's own words."""
    fix = _ENGINE_FIXES.get(name, "")
    if name == "wasmtime":
        version = _dist_version("wasmtime")
        return [Check("engines", name, version is not None, f"wasmtime-py {version or ''}",
                      "in process, the default", fix)]
    try:
        module = importlib.import_module(module_name)
    except Exception as exc:  # an adapter that does not import is reported, not raised
        return [Check("engines", name, False, "", f"adapter does not load: {exc}", fix)]
    try:
        if module_name.startswith("wasikernel.engines.cli."):
            from .engines import cli

            path = cli.available().get(name)
            version = _command_version([path, "--version"]) if path else None
            return [Check("engines", name, bool(path), version or "",
                          path or "not on PATH", fix)]
        version_of = getattr(module, f"{name}_version", None)
        if callable(version_of):
            found = version_of()
            return [Check("engines", name, bool(found), str(found or ""), "", fix)]
        probe = getattr(module, "available", None)
        if callable(probe):
            reason = probe()  # None when usable, else why not
            version = _dist_version(f"py{name}") or ""
            return [Check("engines", name, reason is None, version, str(reason or ""), fix)]
    except Exception as exc:
        return [Check("engines", name, False, "", f"probe failed: {exc}", fix)]
    return [Check("engines", name, True, "", "part of wasikernel", fix)]


def _engine_checks() -> list[Check]:
    try:
        from .engines import ENGINES
    except Exception as exc:
        return [Check("engines", "registry", False, "", f"wasikernel.engines: {exc}")]
    checks: list[Check] = []
    for name, module_name in ENGINES.items():
        checks += _probe_adapter(name, module_name)
    names = {check.name for check in checks}
    # runtimes on PATH that no adapter reported (the runtime-comparison lesson can use them)
    for binary, label in (("wasmtime", "wasmtime-cli"), ("wasmer", "wasmer"),
                          ("wasmedge", "wasmedge"), ("iwasm", "iwasm"), ("node", "node")):
        if label in names or binary in names - {"wasmtime"}:
            continue
        path = shutil.which(binary)
        version = _command_version([path, "--version"]) if path else None
        checks.append(Check("engines", label, version is not None, version or "",
                            path or "not on PATH", _ENGINE_FIXES.get(label, "")))
    return checks


def checks() -> list[Check]:
    """Return every check (compilers, then engines)."""
    return _compiler_checks() + _engine_checks()


def report() -> str:
    """Return the doctor's report as text."""
    lines = [
        f"wasikernel {__version__}, Python {platform.python_version()} ({sys.executable})",
    ]
    section = None
    for check in checks():
        if check.section != section:
            section = check.section
            lines.append(f"{section}:")
        lines.append(check.line())
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``wasikernel doctor`` takes no options."""


def main(args: argparse.Namespace) -> int:
    """Print the report; return 0 when every compiler is usable, 1 otherwise."""
    print(report())
    return 0 if all(check.found for check in _compiler_checks()) else 1
