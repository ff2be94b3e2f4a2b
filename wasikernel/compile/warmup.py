"""``wasikernel warmup``: do the slow one-time work of the compilers ahead of a class.

Meant for Binder's ``postBuild`` (or a lab's image) and for ``scripts/lab.sh``, which starts it
in the background once the server answers (``--wait-for HOST:PORT``): zig builds its libc for
wasm32-wasi at the first C compile (about a minute on two cores, once per optimisation family;
the time it took is recorded for the next announcement), and each toolchain's libc-trace wrapper
is built once. After a warm-up, a learner's first cell compiles in well under a second.
"""

from __future__ import annotations

import argparse
import socket
import sys
import time
from collections.abc import Callable

from ..errors import CompileError
from . import OPTIMIZE_LEVELS, CompileOptions, compile_source

_HELLO = {
    "wat": '(func (export "_start"))',
    "c": '#include <stdio.h>\nint main(void) { puts("warm"); return 0; }\n',
    "rust": 'fn main() { println!("warm"); }\n',
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``wasikernel warmup``."""
    parser.add_argument("--languages", default="wat,c,rust",
                        help="comma-separated languages to warm (default wat,c,rust)")
    parser.add_argument("--strict", action="store_true",
                        help="exit 1 when a toolchain is missing (default: say so, exit 0)")
    parser.add_argument("--wait-for", metavar="HOST:PORT",
                        help="start once something listens there (a Jupyter server starting), "
                        "or after --wait-seconds anyway")
    parser.add_argument("--wait-seconds", type=float, default=120.0,
                        help="the longest --wait-for waits (default 120)")


def wait_for(address: str, seconds: float, poll: float = 0.5) -> bool:
    """Wait until a TCP connection to ``HOST:PORT`` succeeds, at most ``seconds``; return
    whether it did. Raises ``ValueError`` when ``address`` is not ``HOST:PORT``."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise ValueError(f"--wait-for takes HOST:PORT, not {address!r}")
    deadline = time.monotonic() + seconds
    while True:
        try:
            with socket.create_connection((host, int(port)), timeout=poll):
                return True
        except OSError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(poll)


def _warm_toolchain(language: str, say: Callable[[str], None]) -> None:
    """Build what the toolchain builds once: zig's libc per optimisation level, the wrappers."""
    if language == "c":
        from ._c import _zig_profile_flags, toolchain_for, trace_archive, zig_link_line
        from ._toolchains import find_clang

        zig = toolchain_for("zig")
        for level in OPTIMIZE_LEVELS:
            for model in ("command", "reactor"):  # programs, and cells of functions only
                zig_link_line(zig, _zig_profile_flags(CompileOptions(optimize=level), [], model),
                              lambda message: say(f"  {message}"))
        trace_archive(zig)
        clang = find_clang()
        if clang is not None:
            trace_archive(clang)
    elif language == "rust":
        from ._rust import find_rust_toolchain
        from ._rust import trace_archive as rust_trace_archive

        rust_trace_archive(find_rust_toolchain())


def warm(languages: list[str], say: Callable[[str], None] = print) -> list[str]:
    """Warm each language's toolchain and compile a hello world; return the failures."""
    failures = []
    for language in languages:
        started = time.perf_counter()
        try:
            _warm_toolchain(language, say)
            module = compile_source(language, _HELLO[language], CompileOptions())
        except CompileError as exc:
            failures.append(f"{language}: {exc.message.splitlines()[0]}")
            say(f"{language:5} not warmed: {exc}")
            continue
        say(f"{language:5} {module.toolchain}: ready ({time.perf_counter() - started:.1f} s)")
    return failures


def main(args: argparse.Namespace) -> int:
    """Warm the requested toolchains; return 0 (or 1 with ``--strict`` when one is missing)."""
    languages = [name.strip() for name in args.languages.split(",") if name.strip()]
    unknown = [name for name in languages if name not in _HELLO]
    if unknown:
        print(f"wasikernel warmup: unknown language(s) {', '.join(unknown)}; "
              "choose among wat, c, rust", file=sys.stderr)
        return 2

    def say(message: str) -> None:
        print(message, flush=True)

    if args.wait_for:
        try:
            up = wait_for(args.wait_for, args.wait_seconds)
        except ValueError as exc:
            print(f"wasikernel warmup: {exc}", file=sys.stderr)
            return 2
        say(f"{args.wait_for} answers: warming" if up else
            f"{args.wait_for} did not answer within {args.wait_seconds:g} s: warming anyway")

    failures = warm(languages, say)
    return 1 if failures and args.strict else 0
