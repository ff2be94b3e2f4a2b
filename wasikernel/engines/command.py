"""``wasikernel run``: run a module under the tracing WASI host, with wasmtime's CLI spelling.

Exit status: the guest's exit code; 134 when it traps (the trap and a wasm backtrace go to
stderr); 137 when a limit stops it (the reason goes to stderr).
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..errors import UsageError
from ..sandbox import Limits, Preopen, Sandbox

__all__ = ["add_arguments", "main", "parse_dir", "EXIT_TRAP", "EXIT_LIMIT"]

EXIT_TRAP = 134
EXIT_LIMIT = 137


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``wasikernel run``."""
    parser.add_argument(
        "--dir", action="append", default=[], metavar="HOST[::GUEST]",
        help="grant the host directory HOST, read-write, seen by the module as GUEST",
    )  # fmt: skip
    parser.add_argument(
        "--ro-dir", action="append", default=[], metavar="HOST[::GUEST]",
        help="grant the host directory HOST read-only",
    )  # fmt: skip
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE",
        help="set an environment variable of the module",
    )  # fmt: skip
    parser.add_argument("--stdin", metavar="FILE", help="the module's stdin ('-' for ours)")
    parser.add_argument(
        "--trace", nargs="?", const="-", metavar="FILE",
        help="write the syscall trace, one line per call, to FILE (stderr without FILE)",
    )  # fmt: skip
    parser.add_argument("--trace-json", metavar="FILE", help="write the trace as JSON lines")
    parser.add_argument("--engine", default="wasmtime", help="the engine (default: wasmtime)")
    parser.add_argument("--timeout", type=float, metavar="S", help="stop the run after S seconds")
    parser.add_argument(
        "--max-memory", type=int, metavar="MIB", help="the most linear memory, in MiB"
    )
    parser.add_argument(
        "--invoke", metavar="FUNC", help="call the export FUNC with ARGS instead of _start"
    )
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
    "--max-memory", "--invoke",
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


def parse_dir(spec: str, read_only: bool = False) -> Preopen:
    """Return the Preopen of ``HOST[::GUEST]``; raises UsageError when HOST is not a folder."""
    host, sep, guest = spec.partition("::")
    if not sep:
        guest = host
    if not host or not guest:
        raise UsageError(f"--dir {spec!r}: write HOST or HOST::GUEST")
    if not Path(host).is_dir():
        raise UsageError(f"--dir {spec!r}: {host} is not a directory on this machine")
    return Preopen(guest_path=guest, host_path=os.path.abspath(host), read_only=read_only)


def _number(text: str) -> int | float:
    try:
        return int(text, 0)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            raise UsageError(f"--invoke argument {text!r} is not a number") from None


def build_sandbox(args: argparse.Namespace) -> Sandbox:
    """Return the Sandbox the options describe; raises UsageError on a malformed option."""
    preopens = [parse_dir(d) for d in args.dir] + [parse_dir(d, True) for d in args.ro_dir]
    env: dict[str, str] = {}
    for item in args.env:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise UsageError(f"--env {item!r}: write NAME=VALUE")
        env[name] = value
    stdin = b""
    if args.stdin == "-":
        stdin = sys.stdin.buffer.read()
    elif args.stdin:
        try:
            stdin = Path(args.stdin).read_bytes()
        except OSError as exc:
            raise UsageError(f"--stdin {args.stdin}: {exc.strerror}") from None
    limits = Limits()
    if args.timeout is not None:
        limits.timeout_s = args.timeout if args.timeout > 0 else None
    if args.max_memory is not None:
        limits.max_memory_mib = args.max_memory
    return Sandbox(
        preopens=preopens,
        args=list(args.args or []),
        env=env,
        stdin=stdin,
        limits=limits,
        program_name=args.module,
    )


def main(args: argparse.Namespace) -> int:
    """Run the module; return the exit status (guest's code, 134 trap, 137 limit).

    Raises UsageError for bad options and EngineError when the module cannot be loaded.
    """
    from . import run

    sandbox = build_sandbox(args)
    rest = list(args.args or [])
    if rest and rest[0] == "--":
        rest = rest[1:]
        sandbox.args = rest
    invoke_args = [_number(a) for a in rest] if args.invoke else ()
    if args.invoke:
        sandbox.args = []

    def on_output(stream: str, chunk: bytes) -> None:
        out = sys.stdout if stream == "stdout" else sys.stderr
        out.buffer.write(chunk)
        out.flush()

    if args.engine == "wasmtime":  # the default engine, without the memory snapshots
        from . import load_module_bytes
        from . import wasmtime as _wasmtime

        result = _wasmtime.run_module(
            load_module_bytes(args.module), sandbox, invoke=args.invoke,
            invoke_args=invoke_args, on_output=on_output, snapshots=False,
        )  # fmt: skip
    else:
        result = run(
            args.module, sandbox, engine=args.engine, invoke=args.invoke,
            invoke_args=invoke_args, on_output=on_output,
        )  # fmt: skip
    if args.trace:
        text = result.trace.to_text()
        if args.trace == "-":
            sys.stderr.write(text)
        else:
            Path(args.trace).write_text(text, encoding="utf-8")
    if args.trace_json:
        Path(args.trace_json).write_text(result.trace.to_jsonl(), encoding="utf-8")
    if result.limit:
        print(f"wasikernel run: stopped: {result.limit}", file=sys.stderr)
        return EXIT_LIMIT
    if result.trap is not None:
        print(f"Error: failed to run {args.module}", file=sys.stderr)
        print(f"wasm trap: {result.trap.message}", file=sys.stderr)
        if result.trap.frames:
            print("wasm backtrace:", file=sys.stderr)
            for i, f in enumerate(result.trap.frames):
                name = f.func_name or f"<wasm function {f.func_index}>"
                where = f" @ 0x{f.module_offset:x}" if f.module_offset is not None else ""
                src = f" ({f.source})" if f.source else ""
                print(f"  {i:>3}: {name}{where}{src}", file=sys.stderr)
        return EXIT_TRAP
    if args.invoke and result.returned:
        for value in result.returned:
            print(value)
    return (result.exit_code or 0) & 0xFF
