"""The ``wasikernel`` command line.

Each subcommand lives with the stage it drives (``run`` with the engines, ``compile`` with the
compilers, ...): that module exposes ``add_arguments(parser)`` and ``main(args) -> int``. This
file only routes, so adding a subcommand never touches another stage's code.
"""

from __future__ import annotations

import argparse
import importlib
import sys

from .errors import WasiKernelError

#: subcommand -> (module that implements it, one-line help)
SUBCOMMANDS: dict[str, tuple[str, str]] = {
    "run": ("wasikernel.engines.command", "run a .wasm module under the tracing WASI host"),
    "compile": ("wasikernel.compile.command", "compile WAT, C or Rust source to .wasm"),
    "doctor": ("wasikernel.doctor", "say which toolchains and engines are usable, and why not"),
    "warmup": ("wasikernel.compile.warmup", "build the C toolchain's caches ahead of a class"),
    "install": ("wasikernel.install", "install the Jupyter kernelspec"),
}


def build_parser() -> argparse.ArgumentParser:
    """Return the parser of every subcommand whose module imports."""
    parser = argparse.ArgumentParser(
        prog="wasikernel",
        description="WebAssembly and WASI for teaching: compile, run under a tracing host.",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (module_name, help_text) in SUBCOMMANDS.items():
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            # a stage not installed in this build: leave its subcommand out
            if exc.name is None or not module_name.startswith(exc.name):
                raise
            continue
        subparser = sub.add_parser(name, help=help_text, description=help_text)
        module.add_arguments(subparser)
        subparser.set_defaults(_module=module)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line; return the process exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_module", None):
        parser.print_help()
        return 2
    try:
        return int(args._module.main(args) or 0)
    except WasiKernelError as exc:
        print(f"wasikernel {args.command}: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"wasikernel {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
