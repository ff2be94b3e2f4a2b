"""The ``wasikernel`` command line.

Each subcommand lives with the stage it drives (``run`` with the engines, ``compile`` with the
compilers, ...): that module exposes ``add_arguments(parser)`` and ``main(args) -> int``. This
file only routes, so adding a subcommand never touches another stage's code. Only the module of
the subcommand being run is imported: ``wasikernel run`` never loads the compilers or Jupyter.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from .errors import WasiKernelError

#: subcommand -> (module that implements it, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "run": ("wasikernel.engines.command", "run a .wasm module under the tracing WASI host"),
    "compile": ("wasikernel.compile.command", "compile WAT, C or Rust source to .wasm"),
    "component": ("wasikernel.compile.component", "make a WASI 0.2 component of a module"),
    "wit": ("wasikernel.wasi.p2.world", "show a component's world: imports, exports, grants"),
    "doctor": ("wasikernel.doctor", "say which toolchains and engines are usable, and why not"),
    "warmup": ("wasikernel.compile.warmup", "build the C toolchain's caches ahead of a class"),
    "install": ("wasikernel.install", "install the Jupyter kernelspec"),
    "lite": ("wasikernel.lite.build", "build the course as a static site (lite build OUT)"),
}


def _in_this_build(module_name: str) -> bool:
    """Whether the module's file is installed, found without importing it."""
    path = Path(__file__).parent.joinpath(*module_name.split(".")[1:])
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _columns() -> int:
    """The terminal's width as ``shutil.get_terminal_size`` finds it ($COLUMNS, then the
    terminal, else 80), without importing shutil and the compressors it loads."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns
    except (AttributeError, ValueError, OSError):
        return 80


class _HelpFormatter(argparse.HelpFormatter):
    """argparse's formatter, told the terminal's width (argparse would import shutil for it
    each time it formats, on the start-up path of every command)."""

    def __init__(self, prog: str, **kwargs: int) -> None:
        kwargs.setdefault("width", _columns() - 2)
        super().__init__(prog, **kwargs)
        # the subcommands' names are indented further than the options argparse measures:
        # room for the longest (``component``) keeps each help line beside its name
        self._action_max_length = max(len(name) for name in SUBCOMMANDS) + 6


def build_parser(load: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """Return the parser of the subcommands installed in this build.

    With ``load=None``, every subcommand and its options (which imports every stage). With a
    list, the subcommands named there with their options, or when it is empty every subcommand
    with its help line only (enough for ``wasikernel --help``).
    """
    parser = argparse.ArgumentParser(
        prog="wasikernel",
        description="WebAssembly and WASI for teaching: compile, run under a tracing host.",
        formatter_class=_HelpFormatter,
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    wanted = set(SUBCOMMANDS if load is None else load)
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        if wanted and name not in wanted:
            continue
        if not _in_this_build(module_name):  # a stage not installed in this build
            continue
        subparser = sub.add_parser(name, help=help_text, description=help_text,
                                   formatter_class=_HelpFormatter)
        if name in wanted:
            module = importlib.import_module(module_name)
            module.add_arguments(subparser)
            subparser.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    command = argv[0] if argv and argv[0] in SUBCOMMANDS else None
    parser = build_parser([command] if command else [])
    try:
        args = parser.parse_args(argv)  # each option's value is read (and refused) here
        if not getattr(args, "_module", None):
            parser.print_help()
            return 2
        return int(args._module.main(args) or 0)
    except WasiKernelError as exc:
        print(f"wasikernel {command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"wasikernel {command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
