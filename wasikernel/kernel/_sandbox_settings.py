"""The settings ``%sandbox`` changes, as a table: name -> usage, help line, handler.

``%sandbox timeout 5`` looks ``timeout`` up in :data:`SETTINGS` and calls its handler with the
notebook's :class:`~wasikernel.kernel._options.Settings` and the words that follow. Each value is
read by :mod:`wasikernel.sandbox_options`, the rules of ``wasikernel run`` and of magic lines,
and a bad one raises :class:`~wasikernel.errors.UsageError` naming ``%sandbox NAME``. The same
table gives ``%sandbox?`` its help (:func:`help_text`) and tab completion its names.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from .. import messages
from ..errors import UsageError
from ..messages import t
from ..sandbox import Preopen
from ..sandbox_options import (
    NO_TIME_LIMIT,
    one_value,
    read_clock_ns,
    read_env,
    read_memory_mib,
    read_on_off,
    read_preopen,
    read_timeout,
    read_whole,
)
from ._options import Settings, read_widgets

__all__ = ["Setting", "SETTINGS", "apply_setting", "help_text", "runs_to_show",
           "DEFAULT_FROZEN_CLOCK_NS"]

#: ``%sandbox clock freeze`` without a time: 2023-11-14, 22:13:20 UTC
DEFAULT_FROZEN_CLOCK_NS = 1_700_000_000_000_000_000

Handler = Callable[[Settings, Sequence[str], str], None]


@dataclass(frozen=True)
class Setting:
    """One ``%sandbox`` setting: how to write it, what it does, and the code that does it.

    ``handler(settings, words, option)`` changes ``settings`` from the words after the name;
    ``option`` is ``"%sandbox NAME"``, for the error sentences.
    """

    usage: str
    #: the catalogue key of what it does (see :mod:`wasikernel.messages`)
    help_key: str
    handler: Handler


def _grant(read_only: bool) -> Handler:
    def handler(s: Settings, words: Sequence[str], option: str) -> None:
        for text in words or [""]:
            pre = read_preopen(text, option, read_only=read_only)
            s.sandbox.preopens = [p for p in s.sandbox.preopens if p.guest_path != pre.guest_path]
            s.sandbox.preopens.append(pre)

    return handler


def _undir(s: Settings, words: Sequence[str], option: str) -> None:
    s.sandbox.preopens = [p for p in s.sandbox.preopens if p.guest_path not in words]


def _memdir(s: Settings, words: Sequence[str], option: str) -> None:
    guest = one_value(words, option)
    if not guest:
        raise UsageError(t("option_guest_empty", option=option))
    s.sandbox.preopens = [p for p in s.sandbox.preopens if p.guest_path != guest]
    s.sandbox.preopens.append(Preopen(guest_path=guest, tree={}))


def _env(s: Settings, words: Sequence[str], option: str) -> None:
    for text in words:
        name, value = read_env(text, option)
        s.sandbox.env[name] = value


def _unenv(s: Settings, words: Sequence[str], option: str) -> None:
    for name in words:
        s.sandbox.env.pop(name, None)


def _args(s: Settings, words: Sequence[str], option: str) -> None:
    s.sandbox.args = list(words)


def _stdin(s: Settings, words: Sequence[str], option: str) -> None:
    s.sandbox.stdin = " ".join(words).encode()


def _clock(s: Settings, words: Sequence[str], option: str) -> None:
    if list(words) == ["real"]:
        s.sandbox.clock_ns = None
    elif words[:1] == ["freeze"] and len(words) <= 2:
        s.sandbox.clock_ns = (read_clock_ns(words[1], f"{option} freeze") if len(words) == 2
                              else DEFAULT_FROZEN_CLOCK_NS)
    else:
        raise UsageError(t("sandbox_clock_form"))


def _seed(s: Settings, words: Sequence[str], option: str) -> None:
    value = one_value(words, option)
    s.sandbox.random_seed = None if value in ("off", "none") else read_whole(value, option)


def _timeout(s: Settings, words: Sequence[str], option: str) -> None:
    seconds = read_timeout(one_value(words, option), option)
    s.sandbox.limits.timeout_s = None if seconds == NO_TIME_LIMIT else seconds


def _max_memory(s: Settings, words: Sequence[str], option: str) -> None:
    s.sandbox.limits.max_memory_mib = read_memory_mib(one_value(words, option), option)


def _engine(s: Settings, words: Sequence[str], option: str) -> None:
    s.engine = known_engine(one_value(words, option), option)


def _language(s: Settings, words: Sequence[str], option: str) -> None:
    try:
        messages.set_language(one_value(words, option))
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _trace(s: Settings, words: Sequence[str], option: str) -> None:
    s.trace = read_on_off(one_value(words, option), option)


def _widgets(s: Settings, words: Sequence[str], option: str) -> None:
    s.widgets = read_widgets(one_value(words, option), option)


def _reset(s: Settings, words: Sequence[str], option: str) -> None:
    s.reset()


def _nothing(s: Settings, words: Sequence[str], option: str) -> None:
    """``show`` and ``help``: the magic itself shows something, nothing changes."""


#: how many recent runs ``%sandbox show N`` can draw together
MOST_RUNS_SHOWN = 20


def runs_to_show(words: Sequence[str], option: str = "%sandbox show") -> int:
    """``%sandbox show [N]``: how many of the last runs to draw in one diagram (1 without N).
    Raises UsageError unless N is a whole number from 1 to :data:`MOST_RUNS_SHOWN`."""
    if not words:
        return 1
    text = one_value(words, option)
    if not text.isdigit() or not 1 <= int(text) <= MOST_RUNS_SHOWN:
        raise UsageError(t("sandbox_show_form", option=option, value=text,
                           most=MOST_RUNS_SHOWN))
    return int(text)


def _show(s: Settings, words: Sequence[str], option: str) -> None:
    runs_to_show(words, option)  # the magic draws them; a bad N is refused here


#: every ``%sandbox`` setting, in the order ``%sandbox?`` lists them
SETTINGS: dict[str, Setting] = {
    "show": Setting("show [N]", "sandbox_help_show", _show),
    "dir": Setting("dir HOST[::GUEST]", "sandbox_help_dir", _grant(False)),
    "ro-dir": Setting("ro-dir HOST[::GUEST]", "sandbox_help_ro_dir", _grant(True)),
    "undir": Setting("undir GUEST", "sandbox_help_undir", _undir),
    "memdir": Setting("memdir GUEST", "sandbox_help_memdir", _memdir),
    "env": Setting("env NAME=VALUE ...", "sandbox_help_env", _env),
    "unenv": Setting("unenv NAME ...", "sandbox_help_unenv", _unenv),
    "args": Setting("args A B ...", "sandbox_help_args", _args),
    "stdin": Setting("stdin TEXT", "sandbox_help_stdin", _stdin),
    "clock": Setting("clock freeze [NS] | clock real", "sandbox_help_clock", _clock),
    "seed": Setting("seed N | seed off", "sandbox_help_seed", _seed),
    "timeout": Setting("timeout S | timeout off", "sandbox_help_timeout", _timeout),
    "max-memory": Setting("max-memory MIB", "sandbox_help_max_memory", _max_memory),
    "engine": Setting("engine NAME", "sandbox_help_engine", _engine),
    "lang": Setting("lang en|fr", "sandbox_help_lang", _language),
    "trace": Setting("trace on|off", "sandbox_help_trace", _trace),
    "widgets": Setting("widgets all|none|trace,memory,...", "sandbox_help_widgets", _widgets),
    "reset": Setting("reset", "sandbox_help_reset", _reset),
    "help": Setting("help", "sandbox_help_help", _nothing),
}
_ALIASES = {"language": "lang"}


def apply_setting(settings: Settings, words: Sequence[str]) -> str:
    """Apply ``%sandbox NAME VALUE ...`` to ``settings``; return the setting's name.

    Raises UsageError for an unknown setting or a bad value; ``settings`` is then unchanged
    except for what the handler had already read (callers pass a copy and keep it on success).
    """
    name = _ALIASES.get(words[0], words[0])
    setting = SETTINGS.get(name)
    if setting is None:
        raise UsageError(t("sandbox_unknown_setting", name=words[0], names=", ".join(SETTINGS)))
    setting.handler(settings, words[1:], f"%sandbox {words[0]}")
    return name


def help_text() -> str:
    """The settings, one per line, in the learner's language: ``%sandbox USAGE   what it
    does``."""
    width = max(len(s.usage) for s in SETTINGS.values()) + 10
    lines = ["%sandbox".ljust(width) + t("sandbox_help_settings")]
    lines += [f"%sandbox {s.usage}".ljust(width) + t(s.help_key) for s in SETTINGS.values()]
    lines.append("%sandbox --dir data::/data --env A=1 --timeout 5 ...   "
                 + t("sandbox_help_options"))
    return "\n".join(lines)


def known_engine(name: str, option: str = "--engine") -> str:
    """``name`` when it is a registered engine; raises ``UsageError`` naming them otherwise."""
    from ..engines import ENGINES

    if name not in ENGINES:
        raise UsageError(t("option_unknown_engine", option=option, name=name,
                           names=", ".join(sorted(ENGINES))))
    return name
