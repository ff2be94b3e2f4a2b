"""C cells: ``zig cc`` (the ``ziglang`` wheel) by default, clang + Debian's wasi-libc on request.

With zig, the cell is compiled to an object by ``zig cc -c`` and linked by zig's own
``wasm-ld`` (``zig cc`` does not forward ``-Wl,--wrap``): the link line zig would use, with its
libc, crt and compiler-rt from zig's cache, is learnt once per profile (optimisation level,
sanitizers, execution model) by one real link of an empty program, kept on disk, and reused.
That first link is also where zig builds its libc for wasm32-wasi (once per machine, about a
minute on two cores), so it is announced through ``progress``, with the time it took when it was
last measured on this machine (kept in the cache folder, see :func:`libc_build_seconds`).

A cell with ``main`` is a program (``_start``); a cell without is a library (a WASI "reactor"
whose ``_initialize`` sets libc up), exporting its non-static functions and globals.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import CompileError, ToolchainMissing, UsageError
from ..messages import t
from . import _libc_trace
from ._cache import atomic_write, cache_root
from ._diagnostics import (
    caret_excerpt,
    first_location,
    locate_word,
    plain_text,
    rewrite_paths,
    undefined_symbols,
)
from ._toolchains import CLANG_INSTALL, ZIG_INSTALL, Toolchain, find_clang, find_zig

if TYPE_CHECKING:
    from . import CompileOptions

LAYOUT_EXPORTS = ("__stack_pointer", "__data_end", "__heap_base")
#: what zig's libc build takes where it was never measured (62-76 s seen on two cores)
LIBC_BUILD_GUESS_S = 70
_TIMEOUT = 600
_SLOW_PROBE_S = 1.5
_CLANG_TEMP_OBJECT = re.compile(r"(?:/[^\s:]*/)?cell-[0-9A-Za-z]+\.o")


def split_flags(extra_flags: list[str]) -> tuple[list[str], list[str]]:
    """Split user flags into compiler flags and linker flags (``-Wl,a,b`` → ``a b``)."""
    compile_flags: list[str] = []
    link_flags: list[str] = []
    for flag in extra_flags:
        if flag.startswith("-Wl,"):
            link_flags += [part for part in flag[4:].split(",") if part]
        elif flag in ("-lm", "-lc"):
            continue  # part of wasi-libc's libc.a
        else:
            compile_flags.append(flag)
    return compile_flags, link_flags


def toolchain_for(name: str | None) -> Toolchain:
    """Return the C toolchain ``name`` (``"zig"`` by default, or ``"clang"``).

    Raises :class:`ToolchainMissing` when it is not installed, ``UsageError`` when unknown.
    """
    chosen = name or "zig"
    if chosen == "zig":
        found = find_zig()
        if found is None:
            raise ToolchainMissing(
                t("toolchain_c_zig_missing"),
                language="c",
                install_hint=ZIG_INSTALL,
            )
        return found
    if chosen == "clang":
        found = find_clang()
        if found is None:
            raise ToolchainMissing(
                t("toolchain_c_clang_missing"),
                language="c",
                install_hint=CLANG_INSTALL,
            )
        return found
    raise UsageError(t("compile_unknown_toolchain", toolchain=chosen))


def _run(argv: list[str], cwd: str) -> subprocess.CompletedProcess[str]:
    """Run a compiler step; raise :class:`CompileError` when it cannot start or hangs."""
    env = dict(os.environ)
    env.pop("ZIG_LOCAL_CACHE_DIR", None)
    try:
        return subprocess.run(
            argv, check=False, cwd=cwd, capture_output=True, text=True, timeout=_TIMEOUT, env=env,
            errors="replace",
        )
    except subprocess.TimeoutExpired:
        raise CompileError(
            f"the C compiler did not finish within {_TIMEOUT} s and was stopped", language="c"
        ) from None
    except OSError as exc:
        raise CompileError(f"the C compiler could not start: {exc}", language="c") from None


def _path_maps(workdir: str, filename: str) -> list[str]:
    """Name the cell as the learner knows it in __FILE__, assert() and DWARF, not the temp path."""
    flags = [f"-fdebug-prefix-map={workdir}=."]
    if "=" not in filename and filename != "cell.c":
        flags.append(f"-ffile-prefix-map=cell.c={filename}")
    return flags


def _common_flags(options: CompileOptions, color: bool) -> list[str]:
    flags = [f"-O{options.optimize}"]
    if options.debug:
        flags.append("-g")
    flags.append("-fdiagnostics-color=always" if color else "-fdiagnostics-color=never")
    return flags


def _error(
    output: str, source: str, filename: str, workdir: str, color: bool, stage: str
) -> CompileError:
    text = rewrite_paths(output, workdir, {"cell.c": filename, "cell.o": filename})
    text = _CLANG_TEMP_OBJECT.sub(filename, text)
    text = _drop_zig_noise(text)
    if not color:
        text = plain_text(text)
    line, column = first_location(text, filename)
    if stage == "link":
        missing = undefined_symbols(text)
        notes = []
        for name in missing:
            where = locate_word(source, name)
            if where:
                notes.append(
                    f"{filename}:{where[0]}:{where[1]}: note: `{name}` is used here but no "
                    f"function of that name is defined in the cell or in wasi-libc\n"
                    + caret_excerpt(source, *where)
                )
                if line is None:
                    line, column = where
        if notes:
            text = text.rstrip() + "\n" + "\n".join(notes)
    return CompileError(text.rstrip(), language="c", line=line, column=column)


def _drop_zig_noise(text: str) -> str:
    kept = [
        line for line in text.splitlines()
        if not plain_text(line).startswith(("error: the following command", "error: unable to"))
        or "cell" in line
    ]
    return "\n".join(kept)


def compile_c(
    source: str,
    options: CompileOptions,
    filename: str,
    progress: Callable[[str], None] | None,
    color: bool,
) -> tuple[bytes, str, str]:
    """Compile a C cell; return ``(wasm, warnings, toolchain version)``.

    Raises :class:`CompileError` (cell line numbers), :class:`ToolchainMissing`.
    """
    toolchain = toolchain_for(options.toolchain)
    with tempfile.TemporaryDirectory(prefix="wasikernel-c-") as workdir:
        Path(workdir, "cell.c").write_text(source, "utf-8")
        if toolchain.name == "zig":
            wasm, warnings = _compile_zig(toolchain, options, filename, progress, color, workdir,
                                          source)
        else:
            wasm, warnings = _compile_clang(toolchain, options, filename, color, workdir, source)
    return wasm, warnings, toolchain.version


def _tidy_warnings(text: str, workdir: str, filename: str, color: bool) -> str:
    text = rewrite_paths(text, workdir, {"cell.c": filename, "cell.o": filename})
    text = _drop_zig_noise(text)
    return (text if color else plain_text(text)).strip()


def _compile_zig(
    zig: Toolchain,
    options: CompileOptions,
    filename: str,
    progress: Callable[[str], None] | None,
    color: bool,
    workdir: str,
    source: str,
) -> tuple[bytes, str]:
    compile_flags, link_flags = split_flags(list(options.extra_flags))
    model = exec_model(source, compile_flags)
    profile_flags = _zig_profile_flags(options, compile_flags, model)
    reactor = ["-fvisibility=default"] if model == "reactor" else []
    compiled = _run(
        [*zig.command, "cc", "-target", "wasm32-wasi", *_common_flags(options, color),
         *profile_flags[1:], *reactor, *_path_maps(workdir, filename), *compile_flags, "-c",
         "cell.c", "-o", "cell.o"],
        workdir,
    )
    if compiled.returncode != 0 or not Path(workdir, "cell.o").exists():
        raise _error(compiled.stderr + compiled.stdout, source, filename, workdir, color, "compile")
    base = zig_link_line(zig, profile_flags, progress)
    argv = [*zig.command, "wasm-ld", *base, "cell.o", *(f"--export={s}" for s in LAYOUT_EXPORTS)]
    if model == "reactor":
        argv.append("--export-dynamic")  # the cell's functions, to be invoked one by one
    if not options.debug:
        argv.append("--strip-debug")  # zig's libc carries DWARF; the name section stays
    if options.trace_libc:
        argv += [_libc_trace.WRAP_FLAG, str(trace_archive(zig))]
    argv += [*link_flags, "-o", "cell.wasm"]
    linked = _run(argv, workdir)
    if linked.returncode != 0:
        raise _error(linked.stderr + linked.stdout, source, filename, workdir, color, "link")
    warnings = _tidy_warnings(compiled.stderr + linked.stderr, workdir, filename, color)
    return Path(workdir, "cell.wasm").read_bytes(), warnings


_C_COMMENT = re.compile(r"/\*.*?\*/|//[^\n]*", re.DOTALL)


def exec_model(source: str, compile_flags: list[str]) -> str:
    """``"command"`` for a program with ``main``; ``"reactor"`` for a cell of functions only.

    A reactor exports the cell's non-static functions and globals (its ``_initialize`` sets up
    libc), so they can be invoked one by one. ``-mexec-model=...`` among the flags decides.
    """
    for flag in compile_flags:
        if flag.startswith("-mexec-model="):
            return flag.split("=", 1)[1]
    return "command" if re.search(r"\bmain\s*\(", _C_COMMENT.sub(" ", source)) else "reactor"


def _zig_profile_flags(
    options: CompileOptions, compile_flags: list[str], model: str = "command"
) -> list[str]:
    """The flags that change what zig links: optimisation, sanitizers, execution model."""
    sanitize = [f for f in compile_flags if f.startswith(("-fsanitize", "-fno-sanitize"))]
    if not sanitize:
        # like clang: no UBSan runtime unless asked (zig turns it on in debug builds)
        sanitize = ["-fno-sanitize=undefined"]
    flags = [f"-O{options.optimize}", *sanitize]
    if model == "reactor":
        flags.append("-mexec-model=reactor")
    return flags


_LINK_LINES: dict[tuple[str, ...], list[str]] = {}


def _link_line_file(zig: Toolchain, profile_flags: list[str]) -> Path:
    digest = hashlib.sha256(" ".join(profile_flags).encode()).hexdigest()[:16]
    return cache_root() / "zig-link" / f"{zig.version.replace(' ', '-')}-{digest}.json"


def _usable(line: list[str]) -> bool:
    return all(Path(arg).exists() for arg in line if arg.startswith("/"))


def _libc_build_file() -> Path:
    return cache_root() / "zig-libc-build.json"


def libc_build_seconds() -> float | None:
    """The seconds zig's libc build last took on this machine (a warm-up or a first C cell
    measured it), or ``None`` when it was never measured here."""
    try:
        seconds = json.loads(_libc_build_file().read_text("utf-8")).get("seconds")
    except (OSError, ValueError, AttributeError):
        return None
    return float(seconds) if isinstance(seconds, int | float) and seconds > 0 else None


def record_libc_build(seconds: float) -> None:
    """Keep the time zig's libc build took, for the next announcement; a cache folder that
    cannot be written is left as it is."""
    try:
        atomic_write(_libc_build_file(), json.dumps({"seconds": round(seconds, 1)}).encode())
    except OSError:
        pass


def libc_build_message() -> str:
    """The announcement of zig's libc build, with this machine's measured time (or a guess
    said to be one)."""
    seconds = libc_build_seconds()
    if seconds is None:
        return t("zig_libc_building_guess", seconds=LIBC_BUILD_GUESS_S)
    return t("zig_libc_building", seconds=max(1, round(seconds)))


def zig_link_line(
    zig: Toolchain, profile_flags: list[str], progress: Callable[[str], None] | None = None
) -> list[str]:
    """Return the ``wasm-ld`` arguments zig uses for a program (without objects and output).

    The first call per profile on a machine links an empty program with ``zig cc -v``, which
    builds zig's libc when it is not built yet; ``progress`` hears about it
    (:func:`libc_build_message`), and the time the build took is recorded.
    Raises :class:`CompileError` when zig fails.
    """
    key = (zig.version, *profile_flags)
    cached = _LINK_LINES.get(key)
    if cached is not None and _usable(cached):
        return cached
    path = _link_line_file(zig, profile_flags)
    try:
        line = json.loads(path.read_text("utf-8"))
        if isinstance(line, list) and line and _usable(line):
            _LINK_LINES[key] = line
            return line
    except (OSError, ValueError):
        pass
    with tempfile.TemporaryDirectory(prefix="wasikernel-zig-") as workdir:
        probe = ("int main(void) { return 0; }\n" if "-mexec-model=reactor" not in profile_flags
                 else "int wasikernel_probe(void) { return 0; }\n")
        Path(workdir, "probe.c").write_text(probe, "utf-8")
        argv = [*zig.command, "cc", "-target", "wasm32-wasi", *profile_flags, "-v", "probe.c",
                "-o", "probe.wasm"]
        started = time.monotonic()
        with subprocess.Popen(
            argv, cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            errors="replace",
        ) as proc:
            try:
                try:
                    # announce the libc build only when it is really happening (a probe that
                    # finds the libc built takes a fraction of a second)
                    _stdout, stderr = proc.communicate(timeout=_SLOW_PROBE_S)
                except subprocess.TimeoutExpired:
                    if progress is not None:
                        progress(libc_build_message())
                    _stdout, stderr = proc.communicate(timeout=_TIMEOUT)
                    if proc.returncode == 0:
                        record_libc_build(time.monotonic() - started)
            except subprocess.TimeoutExpired:
                proc.kill()
                raise CompileError(
                    f"zig did not finish building its libc within {_TIMEOUT} s", language="c"
                ) from None
            except BaseException:  # interrupted: do not leave zig running
                proc.kill()
                raise
        if proc.returncode != 0:
            raise CompileError(
                f"zig could not link an empty C program for wasm32-wasi:\n{stderr.strip()}",
                language="c",
            )
        line = _parse_link_line(stderr)
    try:
        atomic_write(path, json.dumps(line).encode("utf-8"))
    except OSError:
        pass
    _LINK_LINES[key] = line
    return line


def _parse_link_line(verbose: str) -> list[str]:
    for text in verbose.splitlines():
        words = shlex.split(text) if "wasm-ld" in text else []
        if words and Path(words[0]).name == "wasm-ld":
            args: list[str] = []
            skip = False
            for word in words[1:]:
                if skip:
                    skip = False
                    continue
                if word == "-o":
                    skip = True
                    continue
                if word in ("-s", "--strip-all") or word.endswith("probe.o"):
                    continue
                args.append(word)
            return args
    raise CompileError("zig did not print its wasm-ld command line (zig cc -v)", language="c")


def trace_archive(toolchain: Toolchain) -> Path:
    """Return the archive holding the libc path-lookup wrapper built by ``toolchain``.

    Built once per toolchain version and kept in the cache folder.
    Raises :class:`CompileError` when the wrapper does not build.
    """
    digest = hashlib.sha256(
        (_libc_trace.C_WRAPPER + toolchain.version).encode()
    ).hexdigest()[:16]
    path = cache_root() / "libc-trace" / f"{toolchain.name}-{digest}.a"
    if path.exists():
        return path
    with tempfile.TemporaryDirectory(prefix="wasikernel-wrap-") as workdir:
        Path(workdir, "wrap.c").write_text(_libc_trace.C_WRAPPER, "utf-8")
        if toolchain.name == "zig":
            argv = [*toolchain.command, "cc", "-target", "wasm32-wasi", "-O2"]
        else:
            argv = [*toolchain.command, "--target=wasm32-wasi",
                    f"--sysroot={toolchain.details['sysroot']}", "-O2"]
        done = _run([*argv, "-c", "wrap.c", "-o", "wrap.o"], workdir)
        if done.returncode != 0:
            raise CompileError(f"the libc trace wrapper did not build:\n{done.stderr}",
                               language="c")
        data = _libc_trace.archive(Path(workdir, "wrap.o").read_bytes())
    atomic_write(path, data)
    return path


def browser_clang_argv(options: CompileOptions, source: str) -> list[str]:
    """The clang command line a browser runs for ``cell.c`` (``@yowasp/clang``: clang, lld and
    wasi-libc, no system folders): the flags of :func:`_compile_clang` but the sysroot, the
    path maps and the libc trace wrapper, whose archive is built on a machine."""
    compile_flags, link_flags = split_flags(list(options.extra_flags))
    reactor = (
        ["-mexec-model=reactor", "-fvisibility=default", "-Wl,--export-dynamic"]
        if exec_model(source, compile_flags) == "reactor" else []
    )
    argv = [
        "clang", "--target=wasm32-wasip1", *reactor, *_common_flags(options, False),
        "-mmutable-globals", *compile_flags, "cell.c",
        "-o", "cell.wasm", *(f"-Wl,--export={s}" for s in LAYOUT_EXPORTS),
    ]  # fmt: skip
    if not options.debug:
        argv.append("-Wl,--strip-debug")
    return argv + [f"-Wl,{flag}" for flag in link_flags]


def browser_clang_error(output: str, source: str, filename: str) -> CompileError:
    """The CompileError for what the browser's clang said when it failed (see :func:`_error`)."""
    stage = "link" if "wasm-ld" in output and not first_location(output, "cell.c")[0] else \
        "compile"
    return _error(output, source, filename, "/", False, stage)


def _compile_clang(
    clang: Toolchain, options: CompileOptions, filename: str, color: bool, workdir: str, source: str
) -> tuple[bytes, str]:
    compile_flags, link_flags = split_flags(list(options.extra_flags))
    reactor = (
        ["-mexec-model=reactor", "-fvisibility=default", "-Wl,--export-dynamic"]
        if exec_model(source, compile_flags) == "reactor" else []
    )
    argv = [
        *clang.command, "--target=wasm32-wasi", f"--sysroot={clang.details['sysroot']}", *reactor,
        *_common_flags(options, color), "-mmutable-globals", *_path_maps(workdir, filename),
        *compile_flags, "cell.c",
        "-o", "cell.wasm", *(f"-Wl,--export={s}" for s in LAYOUT_EXPORTS),
    ]
    if not options.debug:
        argv.append("-Wl,--strip-debug")  # Debian's compiler-rt carries DWARF; names stay
    if options.trace_libc:
        argv += [f"-Wl,{_libc_trace.WRAP_FLAG}", str(trace_archive(clang))]
    argv += [f"-Wl,{flag}" for flag in link_flags]
    done = _run(argv, workdir)
    if done.returncode != 0 or not Path(workdir, "cell.wasm").exists():
        out = done.stderr + done.stdout
        stage = "link" if "wasm-ld" in out and not first_location(out, "cell.c")[0] else "compile"
        raise _error(out, source, filename, workdir, color, stage)
    text = done.stderr
    warnings = _tidy_warnings(text, workdir, filename, color)
    return Path(workdir, "cell.wasm").read_bytes(), warnings
