"""Options of a magic line (``%%c --dir data::/data -O2``) and the notebook-wide settings.

:func:`parse_cell_options` reads a magic line into :class:`CellOptions`; :class:`Settings` holds
what ``%sandbox`` changes; :func:`sandbox_for` merges both into the :class:`Sandbox` of one run.
Bad options raise :class:`~wasikernel.errors.UsageError` with a sentence that names the fix.
"""

from __future__ import annotations

import argparse
import copy
import functools
import os
import shlex
from dataclasses import dataclass, field

from ..errors import UsageError
from ..sandbox import Limits, Preopen, Sandbox

__all__ = [
    "CellOptions",
    "Settings",
    "parse_cell_options",
    "parse_preopen",
    "parse_env",
    "sandbox_for",
    "WIDGET_NAMES",
]

WIDGET_NAMES = ("trace", "memory", "stack", "sandbox")
OPT_LEVELS = ("0", "1", "2", "3", "s", "z")


@dataclass
class CellOptions:
    """What one magic line asks for, on top of the notebook-wide :class:`Settings`."""

    preopens: list[Preopen] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    args: list[str] | None = None
    stdin: bytes | None = None
    engine: str | None = None
    trace: bool | None = None
    timeout_s: float | None = None
    max_memory_mib: int | None = None
    optimize: str = "0"
    debug: bool = False
    toolchain: str | None = None
    extra_flags: list[str] = field(default_factory=list)
    widgets: tuple[str, ...] | None = None
    keep: bool = False
    invoke: str | None = None
    invoke_args: list[int | float] = field(default_factory=list)
    name: str | None = None


@dataclass
class Settings:
    """Notebook-wide settings changed by ``%sandbox``: the base sandbox and display choices."""

    sandbox: Sandbox = field(default_factory=Sandbox)
    engine: str = "wasmtime"
    trace: bool = True
    widgets: tuple[str, ...] = ()
    trace_fold_rows: int = 12

    def reset(self) -> None:
        """Go back to the defaults (no directories, no env, real clock, no widgets)."""
        fresh = Settings()
        self.sandbox, self.engine = fresh.sandbox, fresh.engine
        self.trace, self.widgets = fresh.trace, fresh.widgets


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse would exit the process
        raise UsageError(f"{message}\n{self.format_usage().strip()}")

    def exit(self, status: int = 0, message: str | None = None) -> None:
        raise UsageError(message or self.format_help())


def parse_preopen(text: str, *, read_only: bool = False) -> Preopen:
    """Read ``HOST[::GUEST]`` (wasmtime's spelling) into a :class:`Preopen`.

    The host folder is made absolute against the current directory. Raises ``UsageError`` when
    the host folder does not exist.
    """
    host, sep, guest = text.partition("::")
    if not host:
        raise UsageError(f"--dir {text!r}: write HOST[::GUEST], for example --dir data::/data")
    guest = guest if sep else host
    path = os.path.abspath(os.path.expanduser(host))
    if not os.path.isdir(path):
        raise UsageError(
            f"--dir {text!r}: the folder {path} does not exist on the host; create it first "
            "(for example with %%python and os.makedirs) or fix the path"
        )
    return Preopen(guest_path=guest, host_path=path, read_only=read_only)


def parse_env(text: str) -> tuple[str, str]:
    """Read ``NAME=VALUE``; raises ``UsageError`` without ``=`` or with an empty name."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise UsageError(f"--env {text!r}: write NAME=VALUE, for example --env LANG=fr")
    return name, value


def _number(text: str) -> int | float:
    try:
        return int(text, 0)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise UsageError(f"{text!r} is not a number (write 42, -1, 0x10 or 2.5)") from None


def _widget_list(text: str) -> tuple[str, ...]:
    if text in ("all", ""):
        return WIDGET_NAMES
    names = tuple(n.strip() for n in text.split(",") if n.strip())
    for name in names:
        if name not in WIDGET_NAMES:
            raise UsageError(
                f"--widgets: unknown widget {name!r}; choose among {', '.join(WIDGET_NAMES)}"
            )
    return names


@functools.lru_cache(maxsize=16)
def _build_parser(magic: str) -> _Parser:
    p = _Parser(prog=f"%%{magic}", add_help=False, allow_abbrev=False)
    p.add_argument("--dir", action="append", default=[], metavar="HOST[::GUEST]",
                   help="grant a host folder, read-write, seen by the guest as GUEST")
    p.add_argument("--ro-dir", action="append", default=[], metavar="HOST[::GUEST]",
                   help="grant a host folder, read-only")
    p.add_argument("--env", action="append", default=[], metavar="NAME=VALUE",
                   help="set an environment variable")
    p.add_argument("--stdin", metavar="FILE", help="feed this file to the guest's stdin")
    p.add_argument("--stdin-text", metavar="TEXT", help="feed this text to the guest's stdin")
    p.add_argument("--engine", help="run under this engine (default: %%sandbox engine)")
    p.add_argument("--trace", dest="trace", action="store_true", default=None,
                   help="show the trace after the run")
    p.add_argument("--no-trace", dest="trace", action="store_false",
                   help="do not show the trace after the run")
    p.add_argument("--timeout", type=float, metavar="S", help="time limit in seconds")
    p.add_argument("--max-memory", type=int, metavar="MIB", help="linear memory limit in MiB")
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
    p.add_argument("--invoke", metavar="FUNC", help="call this export instead of _start")
    p.add_argument("--name", help="a name for the module's file (used in messages)")
    p.add_argument("--args", nargs=argparse.REMAINDER, default=None,
                   help="arguments for the guest (everything after --args)")
    return p


def parse_cell_options(line: str, magic: str = "wat") -> CellOptions:
    """Read the options of a magic line. Raises ``UsageError`` on an unknown or bad option."""
    try:
        words = shlex.split(line)
    except ValueError as exc:
        raise UsageError(f"%%{magic} {line}: {exc} (check the quotes)") from None
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
    opts.preopens = [parse_preopen(d) for d in ns.dir]
    opts.preopens += [parse_preopen(d, read_only=True) for d in ns.ro_dir]
    opts.env = dict(parse_env(e) for e in ns.env)
    if ns.args is not None:
        opts.args = list(ns.args)
    if ns.stdin is not None:
        try:
            with open(os.path.expanduser(ns.stdin), "rb") as f:
                opts.stdin = f.read()
        except OSError as exc:
            raise UsageError(
                f"--stdin {ns.stdin!r}: {exc.strerror}; give an existing file"
            ) from None
    if ns.stdin_text is not None:
        opts.stdin = ns.stdin_text.encode()
    opts.engine = ns.engine
    opts.trace = ns.trace
    if ns.timeout is not None and ns.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    opts.timeout_s = ns.timeout
    if ns.max_memory is not None and ns.max_memory <= 0:
        raise UsageError("--max-memory must be a positive number of MiB")
    opts.max_memory_mib = ns.max_memory
    opts.optimize, opts.debug, opts.toolchain = ns.optimize, ns.debug, ns.toolchain
    opts.extra_flags = [flag for text in ns.flags for flag in shlex.split(text)]
    if ns.widgets is not None:
        opts.widgets = _widget_list(ns.widgets) if ns.widgets else ()
    opts.keep = ns.keep
    opts.name = ns.name
    if ns.invoke:
        opts.invoke = ns.invoke
        # with --invoke, the words after --args are the export's numeric arguments
        opts.invoke_args = [_number(a) for a in (opts.args or [])]
        opts.args = None
    return opts


def option_names(magic: str = "wat") -> list[str]:
    """Every option a magic line accepts (for tab completion)."""
    return sorted(
        s for action in _build_parser(magic)._actions for s in action.option_strings
    )


def sandbox_for(settings: Settings, opts: CellOptions) -> Sandbox:
    """The sandbox of one run: a copy of the notebook's, with the cell's options on top."""
    box = copy.deepcopy(settings.sandbox)
    guest_paths = {p.guest_path for p in opts.preopens}
    box.preopens = [p for p in box.preopens if p.guest_path not in guest_paths] + opts.preopens
    box.env.update(opts.env)
    if opts.args is not None:
        box.args = list(opts.args)
    if opts.stdin is not None:
        box.stdin = opts.stdin
    limits: Limits = box.limits
    if opts.timeout_s is not None:
        limits.timeout_s = opts.timeout_s
    if opts.max_memory_mib is not None:
        limits.max_memory_mib = opts.max_memory_mib
    return box
