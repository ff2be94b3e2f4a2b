"""The magics shared by the WASI kernel and by ``%load_ext wasikernel`` in a Python notebook.

Cell magics: ``%%wat``, ``%%c``, ``%%rust`` (compile and run), ``%%wasm`` (run a module given
as a path, hex, base64 or a bytes literal), ``%%wast`` (spec-style checks).
Line magics: ``%sandbox`` (notebook-wide capabilities and display settings), ``%call`` (call an
export of the kept module), ``%trace``, ``%memory``, ``%stack`` (views of the last run) and
``%wasi`` (what a WASI call does).

After a run, the :class:`~wasikernel.result.RunResult` is in ``_`` and in ``last_run``; a kept
module (one without ``_start``, or run with ``--keep``) is ``last_run.module``.
"""

from __future__ import annotations

import ast
import base64
import binascii
import codecs
import os
import shlex
import sys
import threading
import time
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class
from IPython.display import display

from .. import messages
from ..errors import CompileError, EngineError, UsageError, WasiKernelError
from ..messages import t
from ..result import RunResult
from ..sandbox import Preopen
from ._display import CellError, show_run, show_trace, show_widget, summary_text, trap_text
from ._interrupt import InterruptGuard
from ._options import (
    WIDGET_NAMES,
    CellOptions,
    Settings,
    parse_cell_options,
    parse_env,
    parse_preopen,
    sandbox_for,
)
from ._source_lines import add_source_lines
from ._wasi_calls import WASI_CALLS, describe
from ._wat import describe_instruction

__all__ = ["WasiMagics", "magics_for"]

_FILENAMES = {"wat": "cell.wat", "c": "cell.c", "rust": "cell.rs"}


class _Streamer:
    """Writes the guest's output into the cell as it comes, decoding UTF-8 across chunks.

    The first chunk is flushed at once, later ones at most every 50 ms (ipykernel sends what
    is left on its own schedule), so a guest printing one character at a time stays fast.
    Past ``cap`` characters the cell shows no more (the browser would choke); the whole output
    stays in the RunResult and a closing note says so.
    """

    def __init__(self, cap: int = 1_000_000) -> None:
        self._decoders = {
            "stdout": codecs.getincrementaldecoder("utf-8")("replace"),
            "stderr": codecs.getincrementaldecoder("utf-8")("replace"),
        }
        self.cap = cap
        self.received = 0
        self.shown = 0
        self.truncated = False
        self._last_flush = 0.0

    def __call__(self, stream: str, chunk: bytes) -> None:
        self.received += len(chunk)
        self._write(stream, self._decoders[stream].decode(chunk))

    def _write(self, stream: str, text: str) -> None:
        if not text:
            return
        room = self.cap - self.shown
        if len(text) > room:
            text, self.truncated = text[:max(room, 0)], True
            if not text:
                return
        self.shown += len(text)
        target = sys.stderr if stream == "stderr" else sys.stdout
        target.write(text)
        now = time.monotonic()
        if now - self._last_flush > 0.05:
            target.flush()
            self._last_flush = now

    def close(self) -> None:
        """Write what the decoders still hold and say when the cell was cut short."""
        for stream, decoder in self._decoders.items():
            self._write(stream, decoder.decode(b"", final=True))
        if self.truncated:
            sys.stderr.write("\n" + t("kernel_output_cut", shown=self.shown) + "\n")
            self.truncated = False
        # no flush here: the next display flushes both streams first, and so does the end of
        # the cell; each flush from the main thread waits for ipykernel's I/O thread


def _where(exc: BaseException) -> str:
    """``TypeError: message (at engines/wasmtime.py:123)``: enough for a bug report."""
    import traceback

    frames = traceback.extract_tb(exc.__traceback__)
    place = ""
    if frames:
        last = frames[-1]
        parts = last.filename.replace(os.sep, "/").split("/wasikernel/")
        place = f" (at {parts[-1]}:{last.lineno})"
    return f"{type(exc).__name__}: {exc}{place}"


def _say_progress(message: str) -> None:
    """A slow compile step (zig building its libc once) says so in the cell as it starts."""
    sys.stderr.write(message + "\n")
    sys.stderr.flush()


def _module_bytes(text: str) -> bytes:
    """Read a ``%%wasm`` cell: a path to a ``.wasm`` file, hex, base64 or a bytes literal.

    Raises ``UsageError`` when the cell is none of these.
    """
    body = text.strip()
    if not body:
        raise UsageError("%%wasm: the cell is empty; give a path to a .wasm file, hex or base64")
    if body[:2] in ("b'", 'b"'):
        try:
            value = ast.literal_eval(body)
        except (ValueError, SyntaxError) as exc:
            raise UsageError(f"%%wasm: the bytes literal does not parse ({exc})") from None
        if isinstance(value, bytes):
            return value
    first_line = body.splitlines()[0].strip()
    if len(body.splitlines()) == 1 and os.path.exists(os.path.expanduser(first_line)):
        try:
            with open(os.path.expanduser(first_line), "rb") as f:
                return f.read()
        except OSError as exc:
            raise UsageError(f"%%wasm: cannot read {first_line}: {exc.strerror}") from None
    compact = "".join(body.split())
    try:
        return bytes.fromhex(compact)
    except ValueError:
        pass
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        data = b""
    if data.startswith(b"\0asm"):
        return data
    if len(body.splitlines()) == 1 and body.endswith(".wasm"):
        raise UsageError(f"%%wasm: the file {first_line} does not exist; check the path")
    raise UsageError(
        "%%wasm: the cell is neither a path to an existing .wasm file, nor hex, base64 or a "
        "bytes literal (b'\\x00asm...')"
    )


@magics_class
class WasiMagics(Magics):
    """The magics; one instance per shell holds the settings and the last run."""

    def __init__(self, shell: Any = None) -> None:
        super().__init__(shell)
        self.settings = Settings()
        self.last: RunResult | None = None
        self.kept: Any = None
        self._rerun: Any = None
        # the cancel Event and output writer the kept module was linked with: %call reuses them
        self._kept_cancel = threading.Event()
        self._kept_streamer: _Streamer | None = None
        self._kept_wasm = b""

    # ----- running a module -------------------------------------------------------------------

    def _compile(self, language: str, source: str, opts: CellOptions) -> Any:
        from ..compile import CompileOptions, compile_source

        options = CompileOptions(optimize=opts.optimize, debug=opts.debug,
                                 toolchain=opts.toolchain, extra_flags=list(opts.extra_flags))
        try:
            return compile_source(language, source, options,
                                  filename=opts.name or _FILENAMES[language],
                                  progress=_say_progress)
        except CompileError as exc:
            raise CellError(t("kernel_compile_error", language=language), exc.message) from None
        except KeyboardInterrupt:
            raise CellError(t("kernel_interrupted_compile"), "") from None
        except Exception as exc:  # a fault of ours, not of the learner's code
            raise CellError(t("kernel_internal_error"), _where(exc)) from None

    def run_module(self, wasm: bytes, opts: CellOptions, layout: Any = None) -> RunResult:
        """Run ``wasm`` with the notebook's sandbox plus ``opts``, streaming its output into
        the cell, display what follows the run, and remember the result.

        Raises ``CellError`` when the engine cannot run the module at all.
        """
        from ..engines import run

        sandbox = sandbox_for(self.settings, opts)
        cancel = threading.Event()
        streamer = _Streamer()
        try:
            with InterruptGuard(cancel):
                result = run(
                    wasm, sandbox, engine=opts.engine or self.settings.engine,
                    invoke=opts.invoke, invoke_args=opts.invoke_args, on_output=streamer,
                    cancel=cancel, keep=opts.keep, layout=layout,
                )
        except (EngineError, UsageError) as exc:
            raise CellError(t("kernel_engine_error"), str(exc)) from None
        except Exception as exc:  # a fault of ours, not of the guest: say where, briefly
            raise CellError(t("kernel_internal_error"), _where(exc)) from None
        finally:
            streamer.close()
        if result.trap is not None and result.trap.frames:
            add_source_lines(wasm, result.trap)
        engine = opts.engine or self.settings.engine

        def rerun(new_sandbox: Any) -> RunResult:
            return run(wasm, new_sandbox, engine=engine, invoke=opts.invoke,
                       invoke_args=opts.invoke_args, layout=layout)

        self._rerun = rerun
        if result.module is not None:
            self._kept_cancel, self._kept_streamer = cancel, streamer
            self._kept_wasm = wasm
        self._remember(result)
        show_run(
            result,
            trace=self.settings.trace if opts.trace is None else opts.trace,
            widgets=self.settings.widgets if opts.widgets is None else opts.widgets,
            fold_rows=self.settings.trace_fold_rows,
            rerun=rerun,
        )
        return result

    def _remember(self, result: RunResult) -> None:
        self.last = result
        if result.module is not None:
            self.kept = result.module
        if self.shell is not None:
            self.shell.push({"last_run": result}, interactive=False)
            _set_underscore(self.shell, result)

    def _compile_and_run(self, language: str, line: str, cell: str) -> None:
        try:
            opts = parse_cell_options(line, language)
        except UsageError as exc:
            raise CellError(t("kernel_usage_error"), str(exc)) from None
        compiled = self._compile(language, cell, opts)
        if compiled.warnings.strip():
            sys.stderr.write(compiled.warnings.rstrip() + "\n")
            sys.stderr.flush()
        self.run_module(compiled.wasm, opts, layout=compiled.layout)

    @cell_magic
    def wat(self, line: str, cell: str) -> None:
        """Assemble the cell (WebAssembly text) and run it under the tracing WASI host.

        Options: --dir HOST[::GUEST] --ro-dir --env NAME=VALUE --stdin FILE --engine NAME
        --timeout S --max-memory MIB --no-trace --widgets[=LIST] --keep --invoke FUNC
        --args A B ... (last). A module without _start is kept for %call.
        """
        self._compile_and_run("wat", line, cell)

    @cell_magic
    def c(self, line: str, cell: str) -> None:
        """Compile the cell as C for wasm32-wasi and run it (options as %%wat, plus -O LEVEL,
        -g for source lines in backtraces, --toolchain zig|clang)."""
        self._compile_and_run("c", line, cell)

    @cell_magic
    def rust(self, line: str, cell: str) -> None:
        """Compile the cell as Rust for wasm32-wasi and run it (options as %%c)."""
        self._compile_and_run("rust", line, cell)

    @cell_magic
    def wasm(self, line: str, cell: str) -> None:
        """Run a module given in the cell: a path to a .wasm file, hex, base64, b'...', or the
        name of a Python variable holding the bytes."""
        name = cell.strip()
        value = self.shell.user_ns.get(name) if self.shell is not None else None
        try:
            opts = parse_cell_options(line, "wasm")
            if name.isidentifier() and isinstance(value, bytes | bytearray | memoryview):
                data = bytes(value)  # the name of a Python variable holding the module
            else:
                data = _module_bytes(cell)
        except UsageError as exc:
            raise CellError(t("kernel_usage_error"), str(exc)) from None
        self.run_module(data, opts)

    @cell_magic
    def wast(self, line: str, cell: str) -> None:
        """Run spec-style script commands: (module ...), (assert_return (invoke ...) ...),
        assert_trap, assert_invalid, assert_malformed, register, invoke; one line per command.
        Option: --timeout S (per command)."""
        from ._wast import run_wast

        try:
            opts = parse_cell_options(line, "wast")
        except UsageError as exc:
            raise CellError(t("kernel_usage_error"), str(exc)) from None
        timeout = opts.timeout_s or self.settings.sandbox.limits.timeout_s or 10.0
        cancel = threading.Event()

        def show(result: Any) -> None:
            print(result.text(), flush=True)

        try:
            with InterruptGuard(cancel):
                report = run_wast(cell, cancel=cancel, timeout_s=timeout, on_line=show)
        except CompileError as exc:
            raise CellError(t("kernel_compile_error", language="wast"), exc.message) from None
        print(t("kernel_wast_summary", passed=report.passed, failed=report.failed), flush=True)
        if self.shell is not None:
            _set_underscore(self.shell, report)

    # ----- the kept module ----------------------------------------------------------------------

    @line_magic
    def call(self, line: str) -> Any:
        """Call an export of the kept module: %call add 1 2 (numbers: 42, -1, 0x10, 2.5).

        Returns the export's value (a tuple for several, None for none), so ``_`` and
        ``x = %call add 1 2`` work; a trap is shown with its backtrace."""
        words = shlex.split(line)
        if not words:
            raise CellError(t("kernel_usage_error"),
                            "write %call EXPORT ARG ..., for example %call add 1 2")
        if self.kept is None:
            raise CellError(t("kernel_usage_error"), t("kernel_no_module"))
        name, raw = words[0], words[1:]
        exports = getattr(self.kept, "exports", {}) or {}
        if name not in exports:
            raise CellError(t("kernel_usage_error"), t("kernel_unknown_export", name=name,
                                                       exports=", ".join(exports) or "-"))
        args: list[int | float] = []
        for word in raw:
            try:
                args.append(int(word, 0))
            except ValueError:
                try:
                    args.append(float(word))
                except ValueError:
                    raise CellError(t("kernel_usage_error"),
                                    f"{word!r} is not a number (write 42, -1, 0x10 or 2.5)"
                                    ) from None
        streamer = self._kept_streamer
        before = streamer.received if streamer is not None else 0
        if streamer is not None:
            streamer.shown = 0
        self._kept_cancel.clear()
        try:
            with InterruptGuard(self._kept_cancel):
                result = self.kept.call(name, *args)
        except WasiKernelError as exc:
            raise CellError(t("kernel_engine_error"), str(exc)) from None
        finally:
            if streamer is not None:
                streamer.close()
        if streamer is None or streamer.received == before:
            # an engine that does not stream a kept module's output: show it now
            for stream, data in (("stdout", result.stdout), ("stderr", result.stderr)):
                if data:
                    target = sys.stderr if stream == "stderr" else sys.stdout
                    target.write(data.decode("utf-8", "replace"))
                    target.flush()
        head = f"{name}({', '.join(raw)})"
        if result.trap is not None and result.trap.frames:
            add_source_lines(self._kept_wasm, result.trap)
        if result.trap is not None or result.limit is not None:
            text = f"{head}: {trap_text(result.trap) if result.trap else result.limit}"
            display({"text/plain": text}, raw=True)
        if len(result.trace.events):
            show_trace(result, fold_rows=self.settings.trace_fold_rows)
        self.last = result if result.module is not None else self._with_module(result)
        values = result.returned or []
        if len(values) == 1:
            return values[0]
        return tuple(values) if values else None

    def _with_module(self, result: RunResult) -> RunResult:
        result.module = self.kept
        return result

    # ----- views of the last run --------------------------------------------------------------

    def _need_last(self) -> RunResult:
        if self.last is None:
            raise CellError(t("kernel_usage_error"), t("kernel_no_run"))
        return self.last

    @line_magic
    def trace(self, line: str) -> None:
        """Show the trace of the last run: the widget, or with --text the strace-like text.
        Filters: --call NAME, --fd N, --denied."""
        result = self._need_last()
        words = shlex.split(line)
        call = fd = None
        denied = None
        text = "--text" in words
        for i, word in enumerate(words):
            if word == "--call" and i + 1 < len(words):
                call = words[i + 1]
            elif word == "--fd" and i + 1 < len(words):
                fd = int(words[i + 1])
            elif word == "--denied":
                denied = True
        view = result
        if call or fd is not None or denied:
            filtered = result.trace.filter(call=call, fd=fd, denied=denied)
            view = RunResult(
                stdout=result.stdout, stderr=result.stderr, exit_code=result.exit_code,
                trap=result.trap, limit=result.limit, trace=filtered, sandbox=result.sandbox,
                engine=result.engine, duration_ns=result.duration_ns, layout=result.layout,
            )
        if text:
            print(view.trace.to_text())
        else:
            show_widget("trace", view)

    @line_magic
    def memory(self, line: str) -> None:
        """Show the linear memory of the last run (before and after, with its layout)."""
        show_widget("memory", self._need_last())

    @line_magic
    def stack(self, line: str) -> None:
        """Show the stack of the last run (the trap's frames, the shadow stack)."""
        show_widget("stack", self._need_last())

    # ----- notebook-wide settings ------------------------------------------------------------

    @line_magic
    def sandbox(self, line: str) -> None:
        """Show or change the capabilities of the following runs.

        %sandbox                      show the settings (and the boundary of the last run)
        %sandbox show                 the sandbox widget of the last run
        %sandbox dir HOST[::GUEST]    grant a folder (ro-dir for read-only)
        %sandbox undir GUEST          take a folder back
        %sandbox env NAME=VALUE       set a variable (unenv NAME removes it)
        %sandbox args A B ...         the guest's arguments
        %sandbox stdin TEXT           the guest's standard input
        %sandbox clock freeze [NS] | clock real
        %sandbox seed N | seed off
        %sandbox timeout S            %sandbox max-memory MIB
        %sandbox engine NAME          %sandbox lang en|fr
        %sandbox trace on|off         %sandbox widgets all|none|trace,memory,...
        %sandbox reset
        %sandbox --dir data::/data --env A=1 --timeout 5 ...   (the options of %%c, kept)
        """
        try:
            words = shlex.split(line)
        except ValueError as exc:
            raise CellError(t("kernel_usage_error"), f"%sandbox {line}: {exc}") from None
        try:
            self._sandbox_command(words)
        except UsageError as exc:
            raise CellError(t("kernel_usage_error"), str(exc)) from None

    def _sandbox_command(self, words: list[str]) -> None:
        s = self.settings
        box = s.sandbox
        if not words:
            self._show_settings()
            return
        if words[0].startswith("--"):  # the options of a magic line, kept for later runs
            self._sandbox_options(" ".join(shlex.quote(w) for w in words))
            self._show_settings()
            return
        verb, rest = words[0], words[1:]

        def one() -> str:
            if len(rest) != 1:
                raise UsageError(f"%sandbox {verb} takes one value")
            return rest[0]

        if verb == "show":
            if self.last is not None:
                show_widget("sandbox", self.last, self._rerun)
            else:
                self._show_settings()
            return
        if verb in ("dir", "ro-dir"):
            for text in rest or [""]:
                pre = parse_preopen(text, read_only=verb == "ro-dir")
                box.preopens = [p for p in box.preopens if p.guest_path != pre.guest_path] + [pre]
        elif verb == "undir":
            box.preopens = [p for p in box.preopens if p.guest_path not in rest]
        elif verb == "memdir":
            box.preopens = [p for p in box.preopens if p.guest_path != one()]
            box.preopens.append(Preopen(guest_path=one(), tree={}))
        elif verb == "env":
            for text in rest:
                name, value = parse_env(text)
                box.env[name] = value
        elif verb == "unenv":
            for name in rest:
                box.env.pop(name, None)
        elif verb == "args":
            box.args = list(rest)
        elif verb == "stdin":
            box.stdin = " ".join(rest).encode()
        elif verb == "clock":
            if rest[:1] == ["real"]:
                box.clock_ns = None
            elif rest[:1] == ["freeze"]:
                box.clock_ns = int(rest[1]) if len(rest) > 1 else 1_700_000_000_000_000_000
            else:
                raise UsageError("%sandbox clock freeze [NANOSECONDS] or %sandbox clock real")
        elif verb == "seed":
            value = one()
            box.random_seed = None if value in ("off", "none") else _int(value, "seed")
        elif verb == "timeout":
            value = one()
            box.limits.timeout_s = None if value in ("off", "none") else float(value)
        elif verb == "max-memory":
            box.limits.max_memory_mib = _int(one(), "max-memory")
        elif verb == "engine":
            s.engine = _known_engine(one())
        elif verb in ("lang", "language"):
            try:
                messages.set_language(one())
            except ValueError as exc:
                raise UsageError(str(exc)) from None
        elif verb == "trace":
            s.trace = _on_off(one())
        elif verb == "widgets":
            value = one()
            if value in ("none", "off"):
                s.widgets = ()
            elif value in ("all", "on"):
                s.widgets = WIDGET_NAMES
            else:
                names = tuple(v for v in value.split(",") if v)
                bad = [n for n in names if n not in WIDGET_NAMES]
                if bad:
                    raise UsageError(f"unknown widget {bad[0]!r}; choose among "
                                     f"{', '.join(WIDGET_NAMES)}, all or none")
                s.widgets = names
        elif verb == "reset":
            s.reset()
        else:
            raise UsageError(
                f"%sandbox: unknown setting {verb!r}; the settings are: show, dir, ro-dir, "
                "undir, memdir, env, unenv, args, stdin, clock, seed, timeout, max-memory, "
                "engine, lang, trace, widgets, reset"
            )
        self._show_settings()

    def _sandbox_options(self, line: str) -> None:
        """``%sandbox --dir data::/data --env A=1 --timeout 5 --engine stepper ...``: the
        options of a magic line, made notebook-wide."""
        opts = parse_cell_options(line, "sandbox")
        s = self.settings
        engine = _known_engine(opts.engine) if opts.engine else s.engine
        s.sandbox = sandbox_for(s, opts)
        s.engine = engine
        if opts.trace is not None:
            s.trace = opts.trace
        if opts.widgets is not None:
            s.widgets = opts.widgets

    def settings_text(self) -> str:
        """The notebook-wide settings, one per line, in the language of the messages."""
        s, box = self.settings, self.settings.sandbox
        none = t("kernel_set_none")
        dirs = ", ".join(
            f"{p.host_path or t('kernel_set_memory')} -> {p.guest_path}"
            f"{t('kernel_set_read_only') if p.read_only else ''}"
            for p in box.preopens) or none
        env = " ".join(f"{k}={v}" for k, v in box.env.items()) or none
        clock = (t("kernel_set_clock_real") if box.clock_ns is None
                 else t("kernel_set_clock_frozen", ns=box.clock_ns))
        seed = (t("kernel_set_random_real") if box.random_seed is None
                else t("kernel_set_random_seed", seed=box.random_seed))
        timeout = none if box.limits.timeout_s is None else f"{box.limits.timeout_s:g} s"
        lines = [
            t("kernel_set_dirs", dirs=dirs),
            f"env: {env}",
            f"args: {' '.join(box.args) or none}",
            f"stdin: {t('kernel_set_bytes', n=len(box.stdin))}",
            t("kernel_set_clock", clock=clock, seed=seed),
            t("kernel_set_limits", timeout=timeout, mib=box.limits.max_memory_mib,
              out=box.limits.max_output_bytes),
            t("kernel_set_engine", engine=s.engine, language=messages.get_language()),
            t("kernel_set_after", trace=t("kernel_set_on" if s.trace else "kernel_set_off"),
              widgets=", ".join(s.widgets) or none),
        ]
        return "\n".join(lines)

    def _show_settings(self) -> None:
        display({"text/plain": self.settings_text()}, raw=True)

    # ----- reference ----------------------------------------------------------------------------

    @line_magic
    def wasi(self, line: str) -> None:
        """What a WASI call or a WAT instruction does: %wasi fd_write, %wasi i32.add; with no
        name, the list of all 46 WASI calls."""
        words = line.split()
        paged = "--page" in words
        words = [w for w in words if w != "--page"]
        name = words[0].removeprefix("__wasi_") if words else ""
        if not name:
            width = max(len(n) for n in WASI_CALLS)
            print("\n".join(f"{n.ljust(width)}  {c.summary.split(';')[0].split('. ')[0]}"
                            for n, c in WASI_CALLS.items()))
            return
        text = describe(name) or describe_instruction(name)
        if text is None:
            raise CellError(t("kernel_usage_error"),
                            f"{name!r} is neither a WASI preview 1 call nor a WAT instruction; "
                            "%wasi lists the calls")
        if paged:
            from IPython.core import page

            page.page(text)
        else:
            print(text)


def _set_underscore(shell: Any, value: Any) -> None:
    """Make ``value`` the shell's ``_`` (``_`` moves to ``__``, ``__`` to ``___``) as a
    displayed result would, but keep it out of the ``Out`` history: a run holds copies of
    the guest's memory (tens of MiB for C), and ``Out`` would keep every one of them."""
    hook = shell.displayhook
    if "_" in shell.user_ns and shell.user_ns["_"] is not getattr(hook, "_", None):
        return  # the learner assigned ``_`` themselves: leave it, as IPython does
    hook.___, hook.__, hook._ = hook.__, hook._, value
    shell.push({"_": hook._, "__": hook.__, "___": hook.___}, interactive=False)


def _known_engine(name: str) -> str:
    """``name`` when it is a registered engine; raises ``UsageError`` naming them otherwise."""
    from ..engines import ENGINES

    if name not in ENGINES:
        raise UsageError(f"unknown engine {name!r}; the engines are: "
                         f"{', '.join(sorted(ENGINES))}")
    return name


def _int(text: str, what: str) -> int:
    try:
        return int(text, 0)
    except ValueError:
        raise UsageError(f"%sandbox {what}: {text!r} is not a whole number") from None


def _on_off(text: str) -> bool:
    if text in ("on", "yes", "true", "1"):
        return True
    if text in ("off", "no", "false", "0"):
        return False
    raise UsageError(f"write on or off, not {text!r}")


def magics_for(shell: Any) -> WasiMagics:
    """The shell's one :class:`WasiMagics`, registered on first use."""
    existing = getattr(shell, "_wasikernel_magics", None)
    if existing is None:
        existing = WasiMagics(shell)
        shell.register_magics(existing)
        shell._wasikernel_magics = existing
        formatter = getattr(shell, "display_formatter", None)
        if formatter is not None:  # short text forms: a RunResult holds the guest's memory
            from ..trace import Trace
            from ._display import pretty_run, pretty_trace

            formatter.formatters["text/plain"].for_type(RunResult, pretty_run)
            formatter.formatters["text/plain"].for_type(Trace, pretty_trace)
    return existing


def summary(result: RunResult) -> str:
    """The one-line summary of a run (also used by the benchmarks and tests)."""
    return summary_text(result)


def _cell_words(full_text: str) -> tuple[str, ...] | None:
    """The words to complete in a cell, from its magic: WAT words and WASI calls for %%wat and
    %%wast, WASI calls for %%c and %%rust, ``None`` for any other cell."""
    from ._wat import WAT_WORDS

    first = full_text.lstrip().split("\n", 1)[0]
    magic = first.split(None, 1)[0] if first.startswith("%%") else ""
    if magic in ("%%wat", "%%wast"):
        return WAT_WORDS + tuple(WASI_CALLS)
    if magic in ("%%c", "%%rust"):
        return tuple(WASI_CALLS) + tuple("__wasi_" + name for name in WASI_CALLS)
    return None


def wasi_matcher(context: Any) -> dict:
    """An IPython completion matcher (API v2): WAT and WASI words in the body of a %%wat,
    %%wast, %%c or %%rust cell of a Python notebook; nothing elsewhere."""
    from IPython.core.completer import SimpleCompletion

    from ._wat import WAT_WORDS

    words = _cell_words(context.full_text)
    if words is None or context.cursor_line == 0 or not context.token:
        return {"completions": [], "suppress": False}
    token = context.token.rsplit('"', 1)[-1].rsplit("(", 1)[-1]
    found = [SimpleCompletion(w, type="wat" if w in WAT_WORDS else "wasi")
             for w in words if w.startswith(token)] if token else []
    return {"completions": found, "suppress": bool(found)}


wasi_matcher.matcher_api_version = 2  # type: ignore[attr-defined]


def load_ipython_extension(shell: Any) -> None:
    """``%load_ext wasikernel``: add the magics to an IPython shell (once), and complete WAT
    and WASI words in their cells."""
    magics_for(shell)
    completer = getattr(shell, "Completer", None)
    if completer is not None and wasi_matcher not in completer.custom_matchers:
        completer.custom_matchers.append(wasi_matcher)
