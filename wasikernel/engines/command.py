"""``wasikernel run``: run a module under the tracing WASI host, with wasmtime's CLI spelling.

The sandbox options (``--dir``, ``--env``, ``--timeout`` ...) are read by
:mod:`wasikernel.sandbox_options`, by the same rules as the magics'. As under wasmtime's CLI, a
run has no time limit unless ``--timeout`` asks for one.

Exit status: the guest's exit code; 134 when it traps (the trap and a wasm backtrace go to
stderr); 137 when a limit stops it (the reason goes to stderr); 2 for a bad option.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from typing import TextIO

from .. import sandbox_options
from ..errors import UsageError
from ..messages import t
from ..sandbox import Limits, Sandbox
from ..sandbox_options import SandboxOptions, check_invoke_args

__all__ = ["add_arguments", "main", "build_sandbox", "read_options", "EXIT_TRAP", "EXIT_LIMIT"]

EXIT_TRAP = 134
EXIT_LIMIT = 137


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``wasikernel run``: the sandbox options of
    :mod:`wasikernel.sandbox_options` (read as the magics read them), the trace's outputs, the
    module and its arguments."""
    sandbox_options.add_arguments(parser, own_stdin=True)
    parser.add_argument(
        "--trace", nargs="?", const="-", metavar="FILE",
        help="write the syscall trace, one line per call, to FILE (stderr without FILE)",
    )  # fmt: skip
    parser.add_argument("--trace-json", metavar="FILE", help="write the trace as JSON lines")
    parser.add_argument("module", metavar="MODULE.wasm", help="the module to run")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="the module's arguments")
    # ``--trace`` takes its FILE only as ``--trace=FILE`` (so ``--trace m.wasm`` runs m.wasm):
    # before the module, a bare ``--trace`` is rewritten to ``--trace=-``.
    parse = parser.parse_known_args

    def parse_known_args(args=None, namespace=None):  # type: ignore[no-untyped-def]  # noqa: ANN001, ANN202
        return parse(_bare_trace(list(sys.argv[1:] if args is None else args)), namespace)

    parser.parse_known_args = parse_known_args  # type: ignore[method-assign]


_VALUED = {
    "--dir", "--ro-dir", "--env", "--stdin", "--trace-json", "--engine", "--timeout",
    "--max-memory", "--invoke", "--allow-net",
}  # fmt: skip


def _bare_trace(argv: list[str]) -> list[str]:
    out = []
    i = 0
    while i < len(argv):
        arg = argv[i]
        if arg == "--trace":
            out.append("--trace=-")
        elif arg in _VALUED:
            out.extend(argv[i : i + 2])
            i += 1
        elif not arg.startswith("-") or arg == "--":
            return out + argv[i:]
        else:
            out.append(arg)
        i += 1
    return out


def read_options(args: argparse.Namespace) -> SandboxOptions:
    """What the command line asks of the sandbox: the module's arguments (after an optional
    ``--``), or with ``--invoke`` the export's numbers. Raises UsageError for a bad number."""
    options = SandboxOptions()
    options.read_namespace(args)
    rest = list(args.args or [])
    if rest and rest[0] == "--":
        rest = rest[1:]
    options.args = rest
    if options.invoke:
        options.read_invoke_args(rest)
    return options


def build_sandbox(args: argparse.Namespace, options: SandboxOptions | None = None) -> Sandbox:
    """Return the Sandbox the options describe (``options``: already read from ``args``).

    Without ``--timeout`` a run has no time limit, as under wasmtime's CLI. Raises UsageError
    on a malformed option.
    """
    base = Sandbox(limits=Limits(timeout_s=None), program_name=args.module)
    return (options or read_options(args)).applied_to(base)


def main(args: argparse.Namespace) -> int:
    """Run the module; return the exit status (guest's code, 134 trap, 137 limit).

    Raises UsageError for bad options and EngineError when the module cannot be loaded.
    """
    options = read_options(args)
    sandbox = build_sandbox(args, options)
    with contextlib.ExitStack() as files:  # the trace files open (or are refused) first
        text_file = (None if args.trace in (None, "", "-")
                     else files.enter_context(_output_file(args.trace, "--trace")))
        json_file = (files.enter_context(_output_file(args.trace_json, "--trace-json"))
                     if args.trace_json else None)
        return _run(args, options, sandbox, text_file, json_file)


def _output_file(path: str, option: str) -> TextIO:
    """``path`` opened for writing; raises UsageError naming ``option`` when it cannot be."""
    try:
        return open(os.path.expanduser(path), "w", encoding="utf-8")  # noqa: SIM115
    except OSError as exc:
        raise UsageError(t("option_unwritable", option=option, value=path,
                           error=exc.strerror or exc)) from None


def _run(args: argparse.Namespace, options: SandboxOptions, sandbox: Sandbox,
         text_file: TextIO | None, json_file: TextIO | None) -> int:
    from . import load_module_bytes, run

    engine = options.engine or "wasmtime"
    invoke, invoke_args = options.invoke, options.invoke_args

    def on_output(stream: str, chunk: bytes) -> None:
        out = sys.stdout if stream == "stdout" else sys.stderr
        out.buffer.write(chunk)
        out.flush()

    wasm = load_module_bytes(args.module)
    if invoke:
        check_invoke_args(wasm, invoke, invoke_args, f"--invoke {invoke}")
    result = run(
        wasm, sandbox, engine=engine, invoke=invoke, invoke_args=invoke_args,
        on_output=on_output, snapshots=False,  # the command line never shows memory copies
    )  # fmt: skip
    if args.trace == "-":
        sys.stderr.write(result.trace.to_text())
    elif text_file is not None:
        text_file.write(result.trace.to_text())
    if json_file is not None:
        json_file.write(result.trace.to_jsonl())
    if result.limit:
        print(f"wasikernel run: stopped: {result.limit}", file=sys.stderr)
        return EXIT_LIMIT
    if result.trap is not None:
        print(f"Error: failed to run {args.module}", file=sys.stderr)
        print(f"wasm trap: {result.trap.text()}", file=sys.stderr)
        if result.trap.frames:
            print("wasm backtrace:", file=sys.stderr)
            for i, f in enumerate(result.trap.frames):
                name = f.func_name or f"<wasm function {f.func_index}>"
                where = f" @ 0x{f.module_offset:x}" if f.module_offset is not None else ""
                src = f" ({f.source})" if f.source else ""
                print(f"  {i:>3}: {name}{where}{src}", file=sys.stderr)
        return EXIT_TRAP
    if invoke and result.returned:
        for value in result.returned:
            print(value)
    return (result.exit_code or 0) & 0xFF
