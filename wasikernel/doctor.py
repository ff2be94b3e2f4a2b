"""``wasikernel doctor``: which compilers and engines this machine can use, and how to get the rest.

Each line says ``ok`` or ``missing``, the version found, and for what is missing the exact
command that installs it. Each engine also says whether it runs our traced WASI host or its own,
and whether a folder whose symbolic links lead out of it is refused. Probing never raises: a
probe that fails is reported as such.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.metadata
import platform
import sys
from dataclasses import dataclass

from . import __version__
from .compile._toolchains import Toolchain
from .messages import t


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
    from .compile._c import (
        LIBC_BUILD_GUESS_S,
        _link_line_file,
        _usable,
        _zig_profile_flags,
        libc_build_seconds,
    )

    path = _link_line_file(zig, _zig_profile_flags(CompileOptions(), []))
    try:
        if _usable(json.loads(path.read_text("utf-8"))):
            return "libc for wasm32-wasi built"
    except (OSError, ValueError):
        pass
    seconds = libc_build_seconds()
    took = (f"~{seconds:.0f} s measured here" if seconds is not None
            else f"~{LIBC_BUILD_GUESS_S} s on two cores")
    return f"the first C compile builds its libc ({took}): run `wasikernel warmup` ahead"


#: how doctor names each capability a run can ask of an engine with its own WASI
#: the capabilities a runtime may give, in the order they are listed
_CAPABILITIES = ("folders", "read_only_folders", "memory_folders", "env", "args", "stdin")


def sandboxing(engine: object) -> str:
    """Say how ``engine`` runs WASI, in the learner's language: our traced host, or its own,
    whether a folder is given to it at all, whether it keeps the guest inside one, and which
    capabilities it gives."""
    takes = getattr(engine, "takes", frozenset({"module"}))
    runs = (t("sandboxing_components_only") if "module" not in takes
            else t("sandboxing_both_kinds") if "component" in takes else "")  # fmt: skip
    if getattr(engine, "traced", True):
        return t("sandboxing_ours_p2" if "module" not in takes else "sandboxing_ours") + runs
    return _own_wasi(engine) + runs


def _own_wasi(engine: object) -> str:
    grants = getattr(engine, "grants", None)
    unmeasured = getattr(engine, "folder_refusal", "") == "engine_folder_not_measured"
    if grants is not None and "folders" not in grants and unmeasured:
        text = t("sandboxing_not_measured")
    elif grants is not None and "folders" not in grants and getattr(engine, "maps_folders", True):
        text = t("sandboxing_follows_links")
    elif grants is not None and "folders" not in grants:
        text = t("sandboxing_untraced")
    else:  # an own WASI is given folders only when it keeps the guest inside them
        text = t("sandboxing_confines")
    if grants is not None:
        words = {c: t(f"sandboxing_capability_{c}") for c in _CAPABILITIES}
        given = [words[c] for c in _CAPABILITIES if c in grants]
        refused = [words[c].split(" (")[0] for c in _CAPABILITIES if c not in grants]
        text += t("sandboxing_gives", what=", ".join(given) or t("sandboxing_nothing"))
        if refused:
            text += t("sandboxing_refuses", what=", ".join(refused))
    return text


def _engine_check(name: str, engine: object) -> Check:
    """Ask a registered engine whether it can run here, in its own words; never raises."""
    try:
        reason = engine.available()  # type: ignore[attr-defined]
        fix = getattr(engine, "install", "") or ""
        version = engine.version() if reason is None else None  # type: ignore[attr-defined]
        detail = sandboxing(engine)
        if name == "wasmtime":
            detail = f"in process, the default; {detail}; components go to wasmtime-p2"
        elif name == "wasmtime-p2":
            detail = f"in process, the default for components; {detail}"
        if reason is not None:
            detail = f"{reason}; {detail}"
        return Check("engines", name, reason is None, version or "", detail, fix)
    except Exception as exc:  # an engine whose probe fails is reported, not raised
        return Check("engines", name, False, "", f"probe failed: {exc}")


def _engine_checks() -> list[Check]:
    try:
        from .engines import REGISTRY
    except Exception as exc:
        return [Check("engines", "registry", False, "", f"wasikernel.engines: {exc}")]
    return [_engine_check(name, engine) for name, engine in REGISTRY.items()]


def _component_checks() -> list[Check]:
    """Which WASI releases of components run here, and under which engine: preview 2 under our
    traced host, preview 3 only under the wasmtime command line, untraced, and why."""
    try:
        from .engines import REGISTRY

        p2, cli = REGISTRY["wasmtime-p2"], REGISTRY["wasmtime-cli"]
        p2_reason, cli_reason = p2.available(), cli.available()
        cli_flags = " ".join(cli.component_flags or ())
        cli_version = cli.version() if cli_reason is None else None
    except Exception as exc:  # a probe that fails is reported, not raised
        return [Check("components", "components", False, "", f"probe failed: {exc}")]
    why = ("wasmtime-py has no preview 3 yet (no asynchronous host functions), so our "
           "traced host serves preview 2 only")
    return [
        Check("components", "WASI 0.2", p2_reason is None, p2.version() or "",
              p2_reason or "preview 2, traced: our preview 2 host on wasmtime-py (engine "
              "wasmtime-p2); a C or Rust program is made a component with the preview 1 "
              "adapter (jco)",
              p2.install),
        Check("components", "WASI 0.3", cli_reason is None, cli_version or "",
              f"preview 3, untraced: only the wasmtime command line runs it (engine wasmtime-cli, "
              f"{cli_flags}); {why}" if cli_reason is None else f"{cli_reason}; {why}",
              cli.install),
    ]  # fmt: skip


def checks(conformance: bool = False) -> list[Check]:
    """Return every check (compilers, then engines); with ``conformance``, the detail of each
    usable engine of the conformance table (``compare.CONFORMANCE_ENGINES``) also gives its pass
    count on the WASI suite, or why it was not counted."""
    engines = _engine_checks()
    if conformance:
        from .compare import CONFORMANCE_ENGINES
        from .conformance import conformance as count

        for check in engines:
            if check.found and check.name in CONFORMANCE_ENGINES:
                counted = count(check.name)
                check.detail += (f"; WASI suite {counted.passed}/{counted.total}"
                                 if counted.reason is None
                                 else f"; WASI suite not counted: {counted.reason}")  # fmt: skip
    return _compiler_checks() + engines + _component_checks()


def report(conformance: bool = False) -> str:
    """Return the doctor's report as text (see :func:`checks` for ``conformance``)."""
    lines = [
        f"wasikernel {__version__}, Python {platform.python_version()} ({sys.executable})",
    ]
    section = None
    for check in checks(conformance):
        if check.section != section:
            section = check.section
            lines.append(f"{section}:")
        lines.append(check.line())
    return "\n".join(lines)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """``wasikernel doctor [--conformance]``."""
    parser.add_argument(
        "--conformance", action="store_true",
        help="also run the WASI suite's 72 preview 1 programs under each usable engine and "
        "give its pass count (a few minutes; the suite is found through WASI_TESTSUITE)",
    )  # fmt: skip


def main(args: argparse.Namespace) -> int:
    """Print the report; return 0 when every compiler is usable, 1 otherwise."""
    print(report(getattr(args, "conformance", False)))
    return 0 if all(check.found for check in _compiler_checks()) else 1
