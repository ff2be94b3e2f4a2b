"""``wasikernel compile {wat,c,rust} SOURCE -o OUT.wasm``: one cell's compiler, from a shell."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..errors import CompileError, ToolchainMissing, UsageError
from ..messages import t
from . import OPTIMIZE_LEVELS, CompileOptions, compile_source


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``wasikernel compile``."""
    parser.add_argument("language", choices=["wat", "c", "rust"], help="the source's language")
    parser.add_argument("source", help="the source file ('-' reads standard input)")
    parser.add_argument("-o", "--output", metavar="OUT.wasm",
                        help="where to write the module (default: SOURCE with .wasm)")
    parser.add_argument("-O", dest="optimize", default="0", choices=OPTIMIZE_LEVELS,
                        help="optimisation level (default 0)")
    parser.add_argument("-g", dest="debug", action="store_true",
                        help="keep DWARF debug info (source lines in backtraces)")
    parser.add_argument("--toolchain", choices=["zig", "clang"],
                        help="the C compiler (default zig)")
    parser.add_argument("--flag", dest="extra_flags", action="append", default=[],
                        metavar="FLAG", help="pass FLAG to the compiler, written --flag=-DNAME "
                        "(repeatable; --flag=-Wl,... goes to the linker)")
    parser.add_argument("--no-trace-libc", dest="trace_libc", action="store_false",
                        help="do not wrap libc's path lookup (no wasikernel import)")
    parser.add_argument("--engine", metavar="NAME",
                        help="the engine the module is for: the libc hook only when it serves "
                        "it (default wasmtime, our host)")
    parser.add_argument("--color", choices=["auto", "always", "never"], default="auto",
                        help="colour in diagnostics (default: when stderr is a terminal)")
    parser.add_argument("--component", action="store_true",
                        help="a WASI 0.2 component: the module wrapped with the preview 1 adapter")
    parser.add_argument("--wat", action="store_true",
                        help="also print the module's functions from SOURCE as WAT, each source "
                        "line's instructions marked ;; SOURCE:LINE (implies -g; C and Rust)")
    parser.add_argument("--no-cache", action="store_true",
                        help="compile afresh, neither reading nor filling the cache")


def main(args: argparse.Namespace) -> int:
    """Compile one file; return 0, or 1 when it does not compile (diagnostics on stderr)."""
    if args.source == "-":
        source = sys.stdin.read()
        shown = "stdin." + {"rust": "rs"}.get(args.language, args.language)
    else:
        path = Path(args.source)
        try:
            source = path.read_text("utf-8")
        except FileNotFoundError:
            raise UsageError(f"{args.source}: no such file") from None
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"{args.source}: cannot read it as UTF-8 text ({exc})") from None
        shown = args.source
    output = Path(args.output) if args.output else (
        Path(args.source).with_suffix(".wasm") if args.source != "-" else Path("out.wasm")
    )
    color = args.color == "always" or (args.color == "auto" and sys.stderr.isatty())
    if args.wat and args.language == "wat":
        raise UsageError(t("listing_only_wat_c_rust"))
    from ..engines import default_engine, serves_libc_hook
    from ..engines import find as find_engine

    engine = args.engine or default_engine()
    find_engine(engine)  # an unknown name is refused, naming the engines
    options = CompileOptions(
        optimize=args.optimize,
        debug=args.debug or args.wat,  # the source lines come from the DWARF line table
        toolchain=args.toolchain,
        extra_flags=list(args.extra_flags),
        # a component's imports are WIT interfaces: the libc hook's own import cannot be one;
        # and a runtime with its own WASI does not link it
        trace_libc=args.trace_libc and not args.component and serves_libc_hook(engine),
        color=color,
    )

    def progress(message: str) -> None:
        print(f"wasikernel compile: {message}", file=sys.stderr, flush=True)

    try:
        module = compile_source(args.language, source, options, filename=shown, progress=progress,
                                cache=not args.no_cache)
    except ToolchainMissing:
        raise
    except CompileError as exc:
        print(exc.message, file=sys.stderr)
        return 1
    if module.warnings:
        print(module.warnings, file=sys.stderr)
    wasm = module.wasm
    if args.wat:
        from .listing import compiled_listing

        try:
            print(compiled_listing(wasm, source, shown).to_text(), end="")
        except ToolchainMissing:
            raise
        except CompileError as exc:
            print(exc.message, file=sys.stderr)
            return 1
    if args.component:
        from .component import wrap

        try:
            wasm = wrap(wasm)
        except ToolchainMissing:
            raise
        except CompileError as exc:
            print(exc.message, file=sys.stderr)
            return 1
    output.write_bytes(wasm)
    return 0
