"""The options that shape a run's :class:`~wasikernel.sandbox.Sandbox`, read by one set of rules.

``wasikernel run`` and the magic lines (``%%c --dir data::/data``, ``%sandbox timeout 5``) both
read their sandbox options here, so a value means the same wherever a learner types it:

============================  =================================================================
``--dir HOST[::GUEST]``       ``~`` expanded, made absolute, an existing directory; GUEST is HOST
                              when left out; neither may be empty (``--ro-dir``: read-only)
``--env NAME=VALUE``          NAME not empty; VALUE may be
``--stdin FILE``              an existing file of at most 64 MiB (``-``: our own stdin, where
                              the caller allows it)
``--timeout S``               seconds, above 0 and at most a day; ``0``, ``off`` or ``none``
                              mean no limit (as GNU ``timeout 0``)
``--max-memory MIB``          a whole number of MiB from 1 to 1,048,576 (1 TiB)
``--allow-net HOST:PORT``     an IPv4 address, ``[IPv6]`` or ``localhost`` (127.0.0.1), and a
                              port from 1 to 65535: one address a component may use
``--allow-dns``               components may look names up
numbers (``--invoke`` args)   ``42``, ``-1``, ``0x10``, ``2.5`` (``inf`` and ``nan`` are f64s);
                              an i32 or i64 parameter takes a whole number that it holds
whole numbers                 ``42``, ``0x10``, ``0b101``, ``1_000`` within a stated range
============================  =================================================================

Each reader takes the text and the name of the option as the learner wrote it, and raises
:class:`~wasikernel.errors.UsageError` with one sentence (English or French) naming the option
and the form to write. :func:`add_arguments` declares the options on an argparse parser with
these readers as their types; :class:`SandboxOptions` holds what a line asked for and lays it
over a base sandbox.
"""

from __future__ import annotations

import argparse
import copy
import math
import os
import re
import sys
from collections.abc import Sequence
from typing import BinaryIO

from ._records import field, record
from .errors import UsageError
from .messages import t
from .sandbox import Preopen, Sandbox

__all__ = [
    "NO_TIME_LIMIT",
    "argparse_error",
    "quote_error",
    "MOST_SECONDS",
    "MOST_MIB",
    "SandboxOptions",
    "add_arguments",
    "read_preopen",
    "read_net_address",
    "read_env",
    "read_stdin",
    "read_timeout",
    "read_memory_mib",
    "read_number",
    "read_wasm_value",
    "check_invoke_args",
    "read_whole",
    "read_clock_ns",
    "read_on_off",
    "one_value",
]

#: what :func:`read_timeout` returns for ``0``, ``off`` or ``none``: a run without a time limit
NO_TIME_LIMIT = math.inf
#: the longest time limit, in seconds (a day); longer runs go without a limit
MOST_SECONDS = 86_400
#: the largest memory limit, in MiB (1 TiB, room for memory64 modules)
MOST_MIB = 1 << 20
#: the largest stdin file, in bytes
MOST_STDIN = 64 << 20
_U64 = (1 << 64) - 1
_I64_MIN = -(1 << 63)


#: the errors argparse writes (its own English), each with the catalogue's sentence of its kind
_ARGPARSE_ERRORS = (
    (re.compile(r"expected one argument"), "argparse_expected_one"),
    (re.compile(r"expected at most one argument"), "argparse_expected_at_most_one"),
    (re.compile(r"expected at least one argument"), "argparse_expected_at_least_one"),
    (re.compile(r"expected (?P<n>\d+) arguments?"), "argparse_expected_n"),
    (re.compile(r"invalid choice: (?P<value>.*) \(choose from (?P<choices>.*)\)", re.S),
     "argparse_invalid_choice"),
    (re.compile(r"invalid (?P<type>\S+) value: (?P<value>.*)", re.S), "argparse_invalid_value"),
    (re.compile(r"unrecognized arguments: (?P<words>.*)", re.S), "argparse_unrecognized"),
    (re.compile(r"the following arguments are required: (?P<names>.*)", re.S),
     "argparse_required"),
    (re.compile(r"one of the arguments (?P<names>.*) is required", re.S),
     "argparse_one_required"),
    (re.compile(r"not allowed with argument (?P<other>.*)", re.S), "argparse_not_allowed"),
    (re.compile(r"ignored explicit argument (?P<value>.*)", re.S), "argparse_ignored_explicit"),
    (re.compile(r"ambiguous option: (?P<option>\S+) could match (?P<matches>.*)", re.S),
     "argparse_ambiguous"),
)  # fmt: skip
_ARGUMENT = re.compile(r"argument (?P<option>[^:\s]+): (?P<rest>.*)", re.S)
#: the errors shlex writes, each with the catalogue's sentence
_SHLEX_ERRORS = {"No closing quotation": "shlex_no_closing_quotation",
                 "No escaped character": "shlex_no_escaped_character"}  # fmt: skip


def argparse_error(message: str) -> str:
    """Return the error ``message`` argparse gives its ``error`` in the learner's language:
    each kind argparse writes (a value missing, an unknown choice or option ...) is a sentence
    of the catalogue, the option and the values kept; a message of another kind is returned
    as it is."""
    option = None
    named = _ARGUMENT.fullmatch(message)
    if named is not None:
        option, message = named["option"], named["rest"]
    for pattern, key in _ARGPARSE_ERRORS:
        found = pattern.fullmatch(message)
        if found is not None:
            fields: dict[str, object] = dict(found.groupdict())
            if "n" in fields:
                fields["n"] = int(str(fields["n"]))
            if "words" in fields:
                fields["n"] = len(str(fields["words"]).split())
            message = t(key, **fields)
            break
    return t("argparse_argument", option=option, error=message) if option else message


def quote_error(error: ValueError) -> str:
    """Return what shlex's ``error`` (a quote left open, a backslash at the end) says, in the
    learner's language."""
    text = str(error)
    return t(_SHLEX_ERRORS[text]) if text in _SHLEX_ERRORS else text


def _shortened(text: object, most: int = 160) -> object:
    """``text`` cut in the middle past ``most`` characters (a 64 KB path stays one line)."""
    if isinstance(text, str) and len(text) > most:
        return f"{text[:most - 40]}…{text[-30:]}"
    return text


def _refusal(key: str, **fields: object) -> UsageError:
    """The UsageError of sentence ``key``, with the learner's value and path shortened."""
    for name in ("value", "path"):
        if name in fields:
            fields[name] = _shortened(fields[name])
    return UsageError(t(key, **fields))


def _whole(text: str) -> int | None:
    try:
        return int(text.strip(), 0)
    except ValueError:  # also the digit limit of int(), for a hostile 100,000-digit number
        return None


def read_whole(text: str, option: str, low: int = 0, high: int = _U64,
               sentence: str = "option_whole", **fields: object) -> int:
    """Read a whole number from ``low`` to ``high`` (``42``, ``0x10``, ``1_000``).

    Raises UsageError naming ``option`` otherwise, with the catalogue's ``sentence`` (which
    is told ``low``, ``high`` and ``fields``).
    """
    value = _whole(text)
    if value is None or not low <= value <= high:
        raise _refusal(sentence, option=option, value=text, low=low, high=high, **fields)
    return value


def read_number(text: str, option: str) -> int | float:
    """Read a number as wasmtime's ``--invoke`` does: a whole number first, then a float.

    Raises UsageError naming ``option`` when ``text`` is neither, or is a whole number no wasm
    type holds (outside -2**63 .. 2**64 - 1) or a float too large for an f64 (``inf`` itself
    is an f64).
    """
    value = _whole(text)
    if value is not None:
        if not _I64_MIN <= value <= _U64:  # no wasm number holds it
            raise _refusal("option_number_range", option=option, value=text)
        return value
    try:
        number = float(text)
    except ValueError:
        raise _refusal("option_number", option=option, value=text) from None
    if math.isinf(number) and "inf" not in text.lower():  # 1e400, or 5,000 digits
        raise _refusal("option_number_range", option=option, value=text)
    return number


#: the whole numbers each integer type of wasm holds (signed or unsigned, as wasmtime reads them)
_INT_RANGES = {"i32": (-(1 << 31), (1 << 32) - 1), "i64": (_I64_MIN, _U64)}


def _check_wasm_value(number: int | float, text: str, valtype: str, option: str) -> None:
    if valtype in _INT_RANGES:
        low, high = _INT_RANGES[valtype]
        if not isinstance(number, int) or not low <= number <= high:
            raise _refusal("option_wasm_int", option=option, value=text, type=valtype,
                           low=low, high=high)


def read_wasm_value(text: str, valtype: str, option: str) -> int | float:
    """Read an argument of a wasm function whose parameter is ``valtype``: a whole number an
    ``i32`` or ``i64`` holds, any number for ``f32``/``f64``.

    Raises UsageError naming ``option`` and the type otherwise (``1.5`` for an i32, or
    ``4294967296``, which would wrap).
    """
    number = read_number(text, option)
    _check_wasm_value(number, text, valtype, option)
    return number


def check_invoke_args(wasm: bytes, export: str, values: Sequence[int | float],
                      option: str) -> None:
    """Check numbers read by :func:`read_number` against the parameters of ``export`` in the
    module ``wasm``, as :func:`read_wasm_value` does.

    Raises UsageError for a value its parameter's type cannot hold. Says nothing when the
    module cannot be decoded here, has no such function or takes another number of arguments:
    the engine refuses those with its own sentence.
    """
    from .wasm import DecodeError, decode_module

    try:
        info = decode_module(wasm)
        kind, index = info.exports.get(export, ("", 0))
        params = info.func_type(index).params if kind == "func" else None
    except (DecodeError, IndexError, ValueError):
        return
    if params is None or len(params) != len(values):
        return
    for value, valtype in zip(values, params, strict=True):
        _check_wasm_value(value, str(value), valtype, option)


def read_timeout(text: str, option: str = "--timeout") -> float:
    """Read a time limit in seconds; ``0``, ``off`` and ``none`` give :data:`NO_TIME_LIMIT`.

    Raises UsageError for anything else that is not a finite number above 0 and at most
    :data:`MOST_SECONDS` (negative, ``inf``, ``nan``, ``1e300``, words).
    """
    if text.strip().lower() in ("off", "none"):
        return NO_TIME_LIMIT
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if seconds == 0:
        return NO_TIME_LIMIT
    if not 0 < seconds <= MOST_SECONDS:  # False for nan too
        raise _refusal("option_timeout", option=option, value=text, most=MOST_SECONDS)
    return seconds


def read_memory_mib(text: str, option: str = "--max-memory") -> int:
    """Read a linear-memory limit: a whole number of MiB from 1 to :data:`MOST_MIB`.

    Raises UsageError otherwise.
    """
    return read_whole(text, option, 1, MOST_MIB, "option_memory", most=MOST_MIB)


def read_clock_ns(text: str, option: str) -> int:
    """Read a frozen clock's time: whole nanoseconds since 1970, from 0 to 2**64 - 1.

    Raises UsageError otherwise.
    """
    return read_whole(text, option, 0, _U64, "option_clock")


def read_on_off(text: str, option: str) -> bool:
    """Read ``on``/``off`` (or yes/no, true/false, 1/0); raises UsageError otherwise."""
    word = text.strip().lower()
    if word in ("on", "yes", "true", "1"):
        return True
    if word in ("off", "no", "false", "0"):
        return False
    raise _refusal("option_on_off", option=option, value=text)


def one_value(words: Sequence[str], option: str) -> str:
    """The one word of ``words``; raises UsageError when there are none or several."""
    if len(words) != 1:
        raise _refusal("option_one_value", option=option)
    return words[0]


def read_preopen(text: str, option: str = "--dir", *, read_only: bool = False) -> Preopen:
    """Read ``HOST[::GUEST]`` (wasmtime's spelling) into a :class:`Preopen`.

    ``~`` is expanded and HOST made absolute against the current directory; GUEST is HOST when
    left out. In a browser (Pyodide) the folder becomes an in-memory copy: of HOST in the page's
    file system, else of the course's folder of that name
    (:func:`wasikernel.lite.folder_in_memory`).
    Raises UsageError when HOST or GUEST is empty, or HOST is not an existing folder.
    """
    host, sep, guest = text.partition("::")
    guest = guest if sep else host
    if not host or not guest:
        raise _refusal("option_dir_form", option=option, value=text)
    if sys.platform == "emscripten":  # a browser: the folder is copied into memory
        from .lite import folder_in_memory

        tree = folder_in_memory(host)
        if tree is None:
            raise _refusal("option_dir_missing", option=option, value=text, path=host)
        return Preopen(guest_path=guest, read_only=read_only, tree=tree)
    path = os.path.abspath(os.path.expanduser(host))
    if not os.path.isdir(path):
        key = "option_dir_file" if os.path.exists(path) else "option_dir_missing"
        raise _refusal(key, option=option, value=text, path=path)
    return Preopen(guest_path=guest, host_path=path, read_only=read_only)


def read_net_address(text: str, option: str = "--allow-net") -> tuple[str, int]:
    """Read ``HOST:PORT`` (``[IPv6]:PORT``; ``localhost`` is 127.0.0.1) into ``(ip, port)``.

    Raises UsageError when HOST is not an IP address (or localhost) or PORT not in 1..65535.
    """
    import ipaddress

    host, sep, port = text.rpartition(":")
    if host.startswith("[") and host.endswith("]"):
        host = host[1:-1]
    if host == "localhost":
        host = "127.0.0.1"
    try:
        ip = str(ipaddress.ip_address(host))
        number = int(port, 10) if sep else 0
    except ValueError:
        raise _refusal("option_net_form", option=option, value=text) from None
    if not 1 <= number <= 65535:
        raise _refusal("option_net_form", option=option, value=text)
    return ip, number


def read_env(text: str, option: str = "--env") -> tuple[str, str]:
    """Read ``NAME=VALUE``; raises UsageError without ``=`` or with an empty NAME."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise _refusal("option_env_form", option=option, value=text)
    return name, value


def read_stdin(text: str, option: str = "--stdin", *, own: BinaryIO | None = None) -> bytes:
    """Read the file a guest gets as its stdin (``~`` expanded); ``-`` reads ``own`` when given.

    Raises UsageError when the file cannot be read or holds more than 64 MiB (``/dev/zero``
    would otherwise fill the host's memory).
    """
    try:
        if text == "-" and own is not None:
            data = own.read(MOST_STDIN + 1)
        else:
            with open(os.path.expanduser(text), "rb") as f:
                data = f.read(MOST_STDIN + 1)
    except OSError as exc:
        raise _refusal("option_stdin_unreadable", option=option, value=text,
                       error=exc.strerror or exc) from None
    if len(data) > MOST_STDIN:
        raise _refusal("option_stdin_too_big", option=option, value=text,
                       mib=MOST_STDIN >> 20)
    return data


def add_arguments(parser: argparse.ArgumentParser, *, own_stdin: bool = False) -> None:
    """Declare ``--dir``, ``--ro-dir``, ``--env``, ``--stdin``, ``--engine``, ``--timeout``,
    ``--max-memory`` and ``--invoke`` on ``parser``, each read by the readers above.

    A bad value raises UsageError out of ``parse_args`` (not argparse's exit). With
    ``own_stdin``, ``--stdin -`` reads the process's own stdin (the command line's spelling).
    """

    def stdin_file(text: str) -> bytes:
        own = sys.stdin.buffer if own_stdin and sys.stdin is not None else None
        return read_stdin(text, own=own)

    parser.add_argument(
        "--dir", action="append", default=[], metavar="HOST[::GUEST]",
        type=lambda text: read_preopen(text, "--dir"),
        help="grant the host folder HOST, read-write, seen by the module as GUEST",
    )  # fmt: skip
    parser.add_argument(
        "--ro-dir", action="append", default=[], metavar="HOST[::GUEST]",
        type=lambda text: read_preopen(text, "--ro-dir", read_only=True),
        help="grant the host folder HOST read-only",
    )  # fmt: skip
    parser.add_argument(
        "--env", action="append", default=[], metavar="NAME=VALUE", type=read_env,
        help="set an environment variable of the module",
    )  # fmt: skip
    parser.add_argument(
        "--stdin", metavar="FILE", type=stdin_file,
        help="the module's stdin" + (" ('-' for ours)" if own_stdin else ""),
    )  # fmt: skip
    parser.add_argument("--engine", help="run under this engine (default: wasmtime)")
    parser.add_argument(
        "--timeout", metavar="S", type=read_timeout,
        help=f"stop the run after S seconds (at most {MOST_SECONDS}; 0 or off: no limit)",
    )  # fmt: skip
    parser.add_argument(
        "--max-memory", metavar="MIB", type=read_memory_mib,
        help="the most linear memory, in MiB",
    )  # fmt: skip
    parser.add_argument(
        "--invoke", metavar="FUNC", help="call the export FUNC with numeric ARGS, not _start"
    )
    parser.add_argument(
        "--allow-net", action="append", default=[], metavar="HOST:PORT", type=read_net_address,
        help="let a component connect or bind to HOST:PORT (repeatable)",
    )  # fmt: skip
    parser.add_argument(
        "--allow-dns", action="store_true", default=None, help="let a component look names up"
    )


@record
class SandboxOptions:
    """What a command line or a magic line asks of the sandbox, on top of a base sandbox.

    ``None`` (and empty lists) leave the base as it is; ``timeout_s`` is
    :data:`NO_TIME_LIMIT` for "no limit".
    """

    preopens: list[Preopen] = field(default_factory=list)
    env: dict[str, str] = field(default_factory=dict)
    args: list[str] | None = None
    stdin: bytes | None = None
    engine: str | None = None
    timeout_s: float | None = None
    max_memory_mib: int | None = None
    invoke: str | None = None
    invoke_args: list[int | float] = field(default_factory=list)
    network: list[tuple[str, int]] = field(default_factory=list)
    dns: bool | None = None

    def read_namespace(self, ns: argparse.Namespace) -> None:
        """Take the options :func:`add_arguments` declared from a parsed namespace."""
        self.preopens = list(ns.dir) + list(ns.ro_dir)
        self.env = dict(ns.env)
        if ns.stdin is not None:
            self.stdin = ns.stdin
        self.engine, self.timeout_s, self.max_memory_mib = ns.engine, ns.timeout, ns.max_memory
        self.invoke = ns.invoke or None
        self.network = list(getattr(ns, "allow_net", None) or [])
        self.dns = getattr(ns, "allow_dns", None)

    def read_invoke_args(self, words: Sequence[str]) -> None:
        """With ``--invoke``, ``words`` are the export's numbers (and the guest gets no args).

        Raises UsageError for a word that is not a number.
        """
        option = f"--invoke {self.invoke}"
        self.invoke_args = [read_number(word, option) for word in words]
        self.args = None

    def applied_to(self, base: Sandbox) -> Sandbox:
        """A copy of ``base`` with these options laid over it: a folder replaces the base's
        folder at the same guest path, variables are added, the rest replaces."""
        box = copy.deepcopy(base)
        guest_paths = {p.guest_path for p in self.preopens}
        box.preopens = [p for p in box.preopens if p.guest_path not in guest_paths]
        box.preopens += self.preopens
        box.env.update(self.env)
        if self.args is not None:
            box.args = list(self.args)
        if self.stdin is not None:
            box.stdin = self.stdin
        if self.timeout_s is not None:
            box.limits.timeout_s = None if self.timeout_s == NO_TIME_LIMIT else self.timeout_s
        if self.max_memory_mib is not None:
            box.limits.max_memory_mib = self.max_memory_mib
        box.network += [a for a in self.network if a not in box.network]
        if self.dns is not None:
            box.dns = self.dns
        return box
