"""Options of a magic line (``%%c --dir data::/data -O2``) and the notebook-wide settings.

:func:`parse_cell_options` reads a magic line into :class:`CellOptions`; :class:`Settings` holds
what ``%sandbox`` changes; :func:`sandbox_for` merges both into the :class:`Sandbox` of one run.
The sandbox options (``--dir``, ``--env``, ``--timeout`` ...) are declared and read by
:mod:`wasikernel.sandbox_options`, as they are for ``wasikernel run``; this module adds the
options of a cell only (compiler flags, what to show after the run).
Bad options raise :class:`~wasikernel.errors.UsageError` with a sentence that names the fix.
"""

from __future__ import annotations

import argparse
import functools
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import sandbox_options
from ..engines import default_engine
from ..errors import UsageError
from ..messages import t
from ..sandbox import Limits, Sandbox
from ..sandbox_options import SandboxOptions, argparse_error, quote_error

if TYPE_CHECKING:
    from ..compile import CompileOptions

__all__ = [
    "CellOptions",
    "Settings",
    "parse_cell_options",
    "read_widgets",
    "sandbox_for",
    "CLASSROOM_TIME_LIMIT_S",
    "WIDGET_NAMES",
]

WIDGET_NAMES = ("trace", "memory", "stack", "sandbox")
#: the cell magics whose module ``--component`` can make a component of
COMPONENT_MAGICS = ("wat", "c", "rust", "wasm")
OPT_LEVELS = ("0", "1", "2", "3", "s", "z")
#: the kernel's time limit per run unless a cell or %sandbox says otherwise (the command line
#: has none, as wasmtime's)
CLASSROOM_TIME_LIMIT_S = 10.0


@dataclass
class CellOptions(SandboxOptions):
    """What one magic line asks for, on top of the notebook-wide :class:`Settings`: the
    sandbox options of :class:`~wasikernel.sandbox_options.SandboxOptions`, plus how to compile
    and what to show."""

    trace: bool | None = None
    optimize: str = "0"
    debug: bool = False
    toolchain: str | None = None
    extra_flags: list[str] = field(default_factory=list)
    widgets: tuple[str, ...] | None = None
    keep: bool = False
    name: str | None = None
    check: str | None = None
    component: bool = False
    wat: bool = False


def _classroom_sandbox() -> Sandbox:
    return Sandbox(limits=Limits(timeout_s=CLASSROOM_TIME_LIMIT_S))


@dataclass
class Settings:
    """Notebook-wide settings changed by ``%sandbox``: the base sandbox and display choices."""

    sandbox: Sandbox = field(default_factory=_classroom_sandbox)
    engine: str = field(default_factory=default_engine)
    trace: bool = True
    widgets: tuple[str, ...] = ()
    trace_fold_rows: int = 12

    def reset(self) -> None:
        """Go back to the defaults (no directories, no env, real clock, no widgets)."""
        fresh = Settings()
        self.sandbox, self.engine = fresh.sandbox, fresh.engine
        self.trace, self.widgets = fresh.trace, fresh.widgets


#: the line magics whose line this parser reads (the others are cell magics, ``%%wat``)
LINE_MAGICS = ("sandbox", "wit")


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit the process
        raise UsageError(t("line_bad_option", magic=self.prog, error=argparse_error(message)))

    def exit(self, status: int = 0, message: str | None = None) -> None:
        raise UsageError(message or self.format_help())


def read_widgets(text: str, option: str = "--widgets") -> tuple[str, ...]:
    """Read ``all``/``on``, ``none``/``off`` or a list like ``trace,memory``.

    Raises UsageError naming the unknown widget.
    """
    if text in ("all", "on", ""):
        return WIDGET_NAMES
    if text in ("none", "off"):
        return ()
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    for name in names:
        if name not in WIDGET_NAMES:
            raise UsageError(t("option_unknown_widget", option=option, name=name,
                               names=", ".join(WIDGET_NAMES)))
    return names


@functools.lru_cache(maxsize=16)
def _build_parser(magic: str) -> _Parser:
    p = _Parser(prog=f"%{magic}" if magic in LINE_MAGICS else f"%%{magic}", add_help=False,
                allow_abbrev=False)
    sandbox_options.add_arguments(p)
    p.add_argument("--stdin-text", metavar="TEXT", help="feed this text to the guest's stdin")
    p.add_argument("--trace", dest="trace", action="store_true", default=None,
                   help="show the trace after the run")
    p.add_argument("--no-trace", dest="trace", action="store_false",
                   help="do not show the trace after the run")
    p.add_argument("-O", dest="optimize", default="0", choices=OPT_LEVELS,
                   help="optimisation level (-O0 .. -O3, -Os, -Oz)")
    p.add_argument("-g", dest="debug", action="store_true",
                   help="compile with debug info (source lines in backtraces)")
    p.add_argument("--toolchain", help="C compiler: zig (default) or clang")
    p.add_argument("--flags", action="append", default=[], metavar="'FLAGS'",
                   help="more compiler flags, quoted: --flags '-Wl,--export=bump -DN=3'")
    p.add_argument("--widgets", nargs="?", const="all", metavar="LIST",
                   help="show widgets after the run: all, or a list like trace,memory")
    p.add_argument("--no-widgets", dest="widgets", action="store_const", const="",
                   help="show no widget after the run")
    p.add_argument("--keep", action="store_true",
                   help="keep the instance so %%call can call its exports afterwards")
    p.add_argument("--name", help="a name for the module's file (used in messages)")
    p.add_argument("--component", action="store_true",
                   help="run the cell as a WASI 0.2 component (a preview 1 module is wrapped "
                   "with the adapter) under the preview 2 host")
    p.add_argument("--wat", action="store_true",
                   help="show what a C or Rust cell became: its WAT, each instruction beside "
                   "its source line (compiles with -g)")
    p.add_argument("--check", metavar="EXERCISE",
                   help="check the cell as the answer to a lesson's exercise (03-sandbox.ex1)")
    p.add_argument("--args", nargs=argparse.REMAINDER, default=None,
                   help="arguments for the guest (everything after --args)")
    return p


def parse_cell_options(line: str, magic: str = "wat") -> CellOptions:
    """Read the options of a magic line. Raises ``UsageError`` on an unknown or bad option."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        magic_name = f"%{magic}" if magic in LINE_MAGICS else f"%%{magic}"
        raise UsageError(t("line_quotes", magic=magic_name, line=line,
                           error=quote_error(exc))) from None
    # "--flags -Wall": argparse would read -Wall as an option; join it as "--flags=-Wall"
    joined: list[str] = []
    for i, word in enumerate(words):
        if word == "--args":  # the guest's own arguments follow, untouched
            joined += words[i:]
            break
        if joined and joined[-1] == "--flags":
            joined[-1] = f"--flags={word}"
        else:
            joined.append(word)
    parser = _build_parser(magic)
    ns = parser.parse_args(joined)
    opts = CellOptions()
    opts.read_namespace(ns)
    if ns.args is not None:
        opts.args = list(ns.args)
    if ns.stdin_text is not None:
        opts.stdin = ns.stdin_text.encode()
    opts.trace = ns.trace
    opts.optimize, opts.debug, opts.toolchain = ns.optimize, ns.debug, ns.toolchain
    try:
        opts.extra_flags = [flag for text in ns.flags for flag in shlex.split(text)]
    except ValueError as exc:
        raise UsageError(t("line_quotes", magic="--flags", line=" ".join(ns.flags),
                           error=quote_error(exc))) from None
    if ns.widgets is not None:
        opts.widgets = read_widgets(ns.widgets) if ns.widgets else ()
    opts.keep = ns.keep
    opts.name = ns.name
    if ns.component and magic not in COMPONENT_MAGICS:
        raise UsageError(t("option_component_where", magic=f"%%{magic}"))
    opts.component = ns.component
    opts.check = ns.check
    opts.wat = ns.wat
    if opts.invoke:  # the words after --args are the export's numeric arguments
        opts.read_invoke_args(opts.args or [])
    return opts


def option_names(magic: str = "wat") -> list[str]:
    """Every option a magic line accepts (for tab completion)."""
    return sorted(
        s for action in _build_parser(magic)._actions for s in action.option_strings
    )


def sandbox_for(settings: Settings, opts: CellOptions) -> Sandbox:
    """The sandbox of one run: a copy of the notebook's, with the cell's options on top."""
    return opts.applied_to(settings.sandbox)


_FILENAMES = {"wat": "cell.wat", "c": "cell.c", "rust": "cell.rs"}


def cell_filename(language: str, opts: CellOptions) -> str:
    """The file name a cell of ``language`` has in diagnostics (``--name``, else ``cell.c``...)."""
    return opts.name or _FILENAMES[language]


def compile_options(language: str, opts: CellOptions, engine: str) -> CompileOptions:
    """The compiler's options for a ``language`` cell with ``opts`` run under ``engine`` (the
    static site's build precompiles each C and Rust cell with these, so a browser finds them by
    the same key).

    Debug info is kept for ``--wat`` and the stepper (see ``needs_debug_info``); the libc hook
    only for an engine that serves its import (``serves_libc_hook``: our host, which for a
    component cell serves it as ``wasikernel:libc/trace``; a runtime with its own WASI would
    refuse to link it). Raises UsageError for ``--wat`` on a cell that is not C or Rust.
    """
    from ..compile import CompileOptions
    from ..engines import serves_libc_hook
    from ._compiled import needs_debug_info

    debug = opts.debug or needs_debug_info(language, opts.wat, engine)  # DWARF lines
    trace_libc = serves_libc_hook(engine, "component" if opts.component else "module")
    return CompileOptions(optimize=str(opts.optimize), debug=debug, toolchain=opts.toolchain,
                          extra_flags=list(opts.extra_flags), trace_libc=trace_libc)
