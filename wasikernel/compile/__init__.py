"""Compiling cells to wasm: WAT, C and Rust, cached, with errors on the cell's own lines.

``compile_source(language, source)`` is the one entry point::

    module = compile_source("c", 'int main(void) { return 0; }')
    module.wasm       # bytes, ready for wasikernel.engines.run
    module.layout     # where data, shadow stack and heap live (C and Rust)

WAT goes through ``wasmtime.wat2wasm`` in process; C through ``zig cc`` from the ``ziglang``
wheel (or clang with wasi-libc); Rust through a ``rustc`` that has the wasm32 WASI standard
library. C and Rust results are cached under ``$WASIKERNEL_CACHE`` (default
``~/.cache/wasikernel``) by language, source, options and toolchain version; WAT, which compiles
faster than a file can be read, is memoised in memory.
"""

from __future__ import annotations

import sys
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..errors import UsageError
from ..messages import t
from ..result import MemoryLayout
from ..wasm import read_layout
from . import _cache
from ._diagnostics import plain_text

__all__ = [
    "LANGUAGES",
    "CompileOptions",
    "CompiledModule",
    "compile_source",
    "plain_text",
    "toolchain_version",
]

#: language name -> the file extension its cells get in diagnostics
LANGUAGES: dict[str, str] = {"wat": "wat", "c": "c", "rust": "rs"}
_ALIASES = {"wast": "wat", "rs": "rust", "wasm": "wat"}

OPTIMIZE_LEVELS = ("0", "1", "2", "3", "s", "z")


@dataclass
class CompileOptions:
    """How to compile a cell.

    ``optimize`` is ``"0"``..``"3"``, ``"s"`` or ``"z"``; ``debug`` adds DWARF (source lines in
    backtraces); ``toolchain`` picks the C compiler (``"zig"``, the default, or ``"clang"``);
    ``extra_flags`` go to the compiler (``-Wl,...`` to the linker); ``trace_libc`` wraps libc's
    path lookup so that its refusals reach the trace; ``color`` keeps the compiler's ANSI colours
    in diagnostics (plain text otherwise).
    """

    optimize: str = "0"
    debug: bool = False
    toolchain: str | None = None
    extra_flags: list[str] = field(default_factory=list)
    trace_libc: bool = True
    color: bool = False


@dataclass
class CompiledModule:
    """A compiled cell: the wasm bytes and what is known about them."""

    wasm: bytes
    language: str
    layout: MemoryLayout | None
    warnings: str
    cached: bool
    duration_s: float
    toolchain: str


def _normalise_language(language: str) -> str:
    name = language.strip().lower()
    name = _ALIASES.get(name, name)
    if name not in LANGUAGES:
        raise UsageError(t("compile_unknown_language", language=language,
                           names=", ".join(sorted(LANGUAGES))))
    return name


def _check_options(options: CompileOptions) -> None:
    if str(options.optimize) not in OPTIMIZE_LEVELS:
        raise UsageError(t("compile_unknown_level", level=options.optimize,
                           levels=", ".join(OPTIMIZE_LEVELS)))
    if options.toolchain not in (None, "zig", "clang"):
        raise UsageError(t("compile_unknown_toolchain", toolchain=options.toolchain))


def toolchain_version(language: str, options: CompileOptions | None = None) -> str:
    """Return the version of the toolchain that would compile ``language`` with ``options``.

    Probes run once per process. Raises :class:`ToolchainMissing` when it is not installed,
    :class:`UsageError` for an unknown language or toolchain.
    """
    language = _normalise_language(language)
    options = options or CompileOptions()
    if language == "wat":
        from ._wat import TOOLCHAIN

        return TOOLCHAIN
    if sys.platform == "emscripten":  # a browser: the site's build compiled the cells
        return "precompiled"
    if language == "c":
        from ._c import toolchain_for

        return toolchain_for(options.toolchain).version
    from ._rust import find_rust_toolchain

    return find_rust_toolchain().version


def compile_source(
    language: str,
    source: str,
    options: CompileOptions | None = None,
    *,
    filename: str | None = None,
    progress: Callable[[str], None] | None = None,
    cache: bool = True,
) -> CompiledModule:
    """Compile a cell of ``language`` (``"wat"``, ``"c"`` or ``"rust"``) to a wasm module.

    ``filename`` is the name diagnostics use for the cell (default ``cell.wat``, ``cell.c``,
    ``cell.rs``); ``progress`` hears about slow one-time work (zig building its libc).
    A hit in the cache returns at once with ``cached=True``; ``cache=False`` compiles afresh
    (and does not store the result).

    Raises :class:`CompileError` with the diagnostics on the cell's own lines,
    :class:`ToolchainMissing` naming the command that installs the compiler, and
    :class:`UsageError` for an unknown language or option.
    """
    started = time.perf_counter()
    language = _normalise_language(language)
    options = options or CompileOptions()
    options.optimize = str(options.optimize)
    _check_options(options)
    shown = filename or f"cell.{LANGUAGES[language]}"
    if language == "wat":
        return _compile_wat_memoised(source, shown, started, cache)
    if sys.platform == "emscripten":  # a browser: the site's precompiled cells, clang for C
        from ._browser import compile_in_browser

        wasm, toolchain, warnings = compile_in_browser(language, source, options, shown, progress)
        return CompiledModule(wasm=wasm, language=language, layout=read_layout(wasm),
                              warnings=warnings, cached=toolchain == "precompiled",
                              duration_s=time.perf_counter() - started,
                              toolchain=toolchain)  # fmt: skip
    version = toolchain_version(language, options)
    key = _cache.cache_key(language, source, options, version + "\0" + shown)
    hit = _cache.load(key) if cache else None
    if hit is not None:
        wasm, meta = hit
        return CompiledModule(
            wasm=wasm,
            language=language,
            layout=read_layout(wasm),
            warnings=meta.get("warnings", ""),
            cached=True,
            duration_s=time.perf_counter() - started,
            toolchain=version,
        )
    if language == "c":
        from ._c import compile_c

        wasm, warnings, version = compile_c(source, options, shown, progress, options.color)
    else:
        from ._rust import compile_rust

        wasm, warnings, version = compile_rust(source, options, shown, progress, options.color)
    if cache:
        _cache.store(key, wasm, {"warnings": warnings, "toolchain": version,
                                 "language": language})
    return CompiledModule(
        wasm=wasm,
        language=language,
        layout=read_layout(wasm),
        warnings=warnings,
        cached=False,
        duration_s=time.perf_counter() - started,
        toolchain=version,
    )


_WAT_MEMO: OrderedDict[tuple[str, str], bytes] = OrderedDict()
_WAT_MEMO_SIZE = 256


def _compile_wat_memoised(
    source: str, shown: str, started: float, cache: bool
) -> CompiledModule:
    """WAT compiles in tens of microseconds, faster than a disk cache answers: memoise in memory."""
    from ._wat import TOOLCHAIN, compile_wat

    key = (source, shown)
    wasm = _WAT_MEMO.get(key) if cache else None
    hit = wasm is not None
    if wasm is None:
        wasm = compile_wat(source, shown)
        if cache:
            _WAT_MEMO[key] = wasm
            if len(_WAT_MEMO) > _WAT_MEMO_SIZE:
                _WAT_MEMO.popitem(last=False)
    else:
        _WAT_MEMO.move_to_end(key)
    return CompiledModule(
        wasm=wasm,
        language="wat",
        layout=read_layout(wasm),
        warnings="",
        cached=hit,
        duration_s=time.perf_counter() - started,
        toolchain=TOOLCHAIN,
    )
