"""The magics shared by the WASI kernel and by ``%load_ext wasikernel`` in a Python notebook.

Cell magics: ``%%wat``, ``%%c``, ``%%rust`` (compile and run), ``%%wasm`` (run a module given
as a path, hex, base64 or a bytes literal), ``%%wast`` (spec-style checks).
Line magics: ``%sandbox`` (notebook-wide capabilities and display settings), ``%call`` (call an
export of the kept module), ``%trace``, ``%memory``, ``%stack`` (views of the last run),
``%wit`` (a component's world, and what the sandbox grants it) and ``%wasi`` (what a WASI call
does).

After a run, the :class:`~wasikernel.result.RunResult` is in ``_`` and in ``last_run``; a kept
module (one without ``_start``, or run with ``--keep``) is ``last_run.module``.
"""

from __future__ import annotations

import collections
import copy
import dataclasses
import functools
import os
import shlex
import threading
from collections.abc import Callable
from typing import Any

from IPython.core.magic import Magics, cell_magic, line_magic, magics_class

from .. import messages
from ..compile._source_lines import add_source_lines
from ..errors import CompileError, EngineError, UsageError, WasiKernelError
from ..messages import t
from ..result import RunResult
from ..sandbox_options import (
    NO_TIME_LIMIT,
    check_invoke_args,
    one_value,
    quote_error,
    read_number,
    read_wasm_value,
    read_whole,
)
from ._compiled import show_compiled, use_source_lines
from ._display import CellError, show_run, show_trace, show_widget, trap_text
from ._interrupt import InterruptGuard
from ._options import (
    CellOptions,
    Settings,
    cell_filename,
    compile_options,
    option_names,
    parse_cell_options,
    sandbox_for,
)
from ._output import Streamer, say_progress, show, write
from ._sandbox_settings import (
    MOST_RUNS_SHOWN,
    SETTINGS,
    apply_setting,
    known_engine,
    runs_to_show,
)
from ._sandbox_settings import help_text as sandbox_help
from ._wasi_calls import WASI_CALLS, describe
from ._wasm_input import module_bytes
from ._wat import WAT_INSTRUCTIONS, describe_instruction

__all__ = ["WasiMagics", "magics_for"]

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


def _usage_errors_shown(magic: Callable[..., Any]) -> Callable[..., Any]:
    """The one way a magic shows a bad line or value: a ``UsageError`` raised anywhere inside
    becomes a :class:`CellError`, one title and the sentence, with no traceback."""

    @functools.wraps(magic)
    def shown(*args: Any, **kwargs: Any) -> Any:
        try:
            return magic(*args, **kwargs)
        except UsageError as exc:
            raise CellError(t("kernel_usage_error"), str(exc)) from None

    return shown


def _words(magic: str, line: str) -> list[str]:
    """The words of a magic line, as a shell splits them; raises UsageError on a lone quote."""
    try:
        return shlex.split(line)
    except ValueError as exc:
        raise UsageError(t("line_quotes", magic=magic, line=line,
                           error=quote_error(exc))) from None


def _param_types(signature: object) -> list[str] | None:
    """The parameter types of an export's signature text, ``"(i32, f64) -> i32"``; ``None``
    for anything else (a memory, a global)."""
    if not isinstance(signature, str) or not signature.startswith("(") or ") ->" not in signature:
        return None
    inside = signature[1:signature.index(") ->")]
    return [word.strip() for word in inside.split(",") if word.strip()]


def _commit(target: Any, draft: Any) -> None:
    """Copy ``draft``'s fields into ``target``, keeping the nested dataclass objects (the
    sandbox, its limits) that others may hold."""
    for name, value in vars(draft).items():
        current = getattr(target, name)
        if dataclasses.is_dataclass(current) and type(current) is type(value):
            _commit(current, value)
        else:
            setattr(target, name, value)


_TRACE_OPTIONS = "--text, --call NAME, --fd N, --denied"


def _trace_options(words: list[str]) -> tuple[bool, str | None, int | None, bool | None]:
    """Read ``%trace``'s words into (text, call, fd, denied); raises UsageError on a bad one."""
    text, call, fd, denied = False, None, None, None
    rest = list(words)
    while rest:
        word = rest.pop(0)
        if word == "--text":
            text = True
        elif word == "--denied":
            denied = True
        elif word in ("--call", "--fd"):
            value = one_value(rest[:1], f"%trace {word}")
            rest.pop(0)
            if word == "--call":
                call = value
            else:
                fd = read_whole(value, "%trace --fd", 0, (1 << 32) - 1)
        else:
            raise UsageError(t("trace_unknown_option", word=word, options=_TRACE_OPTIONS))
    return text, call, fd, denied


@magics_class
class WasiMagics(Magics):
    """The magics; one instance per shell holds the settings and the last run."""

    def __init__(self, shell: Any = None) -> None:
        super().__init__(shell)
        self.settings = Settings()
        self.last: RunResult | None = None
        self.kept: Any = None
        self._rerun: Any = None
        #: the recent runs, without their memory, for ``%sandbox show N``
        self.history: collections.deque[RunResult] = collections.deque(maxlen=MOST_RUNS_SHOWN)
        # the cancel Event and output writer the kept module was linked with: %call reuses them
        self._kept_cancel = threading.Event()
        self._kept_streamer: Streamer | None = None
        self._kept_wasm = b""
        #: the binary the last cell ran (what ``%wit`` reads without a path)
        self.last_wasm = b""

    # ----- running a module -------------------------------------------------------------------

    def _compile(self, language: str, source: str, opts: CellOptions) -> Any:
        from ..compile import compile_source

        try:
            options = compile_options(language, opts, opts.engine or self.settings.engine)
            return compile_source(language, source, options,
                                  filename=cell_filename(language, opts),
                                  progress=say_progress)
        except CompileError as exc:
            raise CellError(t("kernel_compile_error", language=language), exc.message) from None
        except UsageError:  # an option the compiler refuses (--toolchain tcc): the learner's
            raise
        except KeyboardInterrupt:
            raise CellError(t("kernel_interrupted_compile"), "") from None
        except Exception as exc:  # a fault of ours, not of the learner's code
            raise CellError(t("kernel_internal_error"), _where(exc)) from None

    def run_module(self, wasm: bytes, opts: CellOptions, layout: Any = None,
                   source: tuple[str, str] | None = None) -> RunResult:
        """Run ``wasm`` with the notebook's sandbox plus ``opts``, streaming its output into
        the cell, display what follows the run, and remember the result. ``source`` is the
        cell's ``(filename, text)``: the stepper's steps are then grouped by its lines.

        Raises ``CellError`` when the engine cannot run the module at all, ``UsageError``
        when an ``--invoke`` argument does not fit its parameter's type.
        """
        from ..engines import run

        if opts.invoke:
            check_invoke_args(wasm, opts.invoke, opts.invoke_args, f"--invoke {opts.invoke}")
        sandbox = sandbox_for(self.settings, opts)
        cancel = threading.Event()
        streamer = Streamer()
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
        self.last_wasm = wasm
        if result.trap is not None and result.trap.frames:
            add_source_lines(wasm, result.trap)
        if source is not None:
            use_source_lines(result, wasm, *source)
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
        self.history.append(dataclasses.replace(result, memory_before=None, memory_after=None))
        if result.module is not None:
            self.kept = result.module
        if self.shell is not None:
            self.shell.push({"last_run": result}, interactive=False)
            _set_underscore(self.shell, result)

    def _compile_and_run(self, language: str, line: str, cell: str) -> None:
        opts = parse_cell_options(line, language)
        if opts.check is None:
            self._run_source(language, cell, opts)
            return
        from ..lessons import checked_answer  # --check NAME: the cell answers an exercise

        with checked_answer(opts.check, language, cell) as answer:
            answer.result = self._run_source(language, cell, opts)

    def _run_source(self, language: str, cell: str, opts: CellOptions) -> RunResult:
        compiled = self._compile(language, cell, opts)
        if compiled.warnings.strip():
            write("stderr", compiled.warnings.rstrip() + "\n")
        filename = cell_filename(language, opts)
        if opts.wat:
            show_compiled(compiled.wasm, cell, filename)
        if opts.component:  # the core module's layout says nothing of the component's memory
            return self.run_module(self._as_component(compiled.wasm, opts), opts)
        return self.run_module(compiled.wasm, opts, layout=compiled.layout,
                               source=(filename, cell))

    def _as_component(self, wasm: bytes, opts: CellOptions) -> bytes:
        """``wasm`` as a component: a core module wrapped with the preview 1 adapter, a
        component as it is. Under our preview 2 host the module's libc hook is kept, as
        ``wasikernel:libc/trace``, so libc's refusals are traced (another engine could not
        link it). Raises CellError saying why a module cannot be one, or which tool is
        missing."""
        from ..compile.component import wrap
        from ..engines import serves_libc_hook

        engine = opts.engine or self.settings.engine
        try:
            return wrap(wasm, libc_trace=serves_libc_hook(engine, "component"))
        except CompileError as exc:  # ToolchainMissing too: its message names the fix
            raise CellError(t("kernel_component_error"), exc.message) from None

    @cell_magic
    @_usage_errors_shown
    def wat(self, line: str, cell: str) -> None:
        """Assemble the cell (WebAssembly text) and run it under the tracing WASI host.

        Options: --dir HOST[::GUEST] --ro-dir --env NAME=VALUE --stdin FILE --engine NAME
        --timeout S --max-memory MIB --allow-net HOST:PORT --allow-dns --no-trace
        --widgets[=LIST] --keep --invoke FUNC --component --args A B ... (last). A module
        without _start is kept for %call. A cell holding (component ...) runs as a component
        (WASI 0.2); --component wraps a preview 1 module into one.
        """
        self._compile_and_run("wat", line, cell)

    @cell_magic
    @_usage_errors_shown
    def c(self, line: str, cell: str) -> None:
        """Compile the cell as C for wasm32-wasi and run it (options as %%wat, plus -O LEVEL,
        -g for source lines in backtraces, --toolchain zig|clang, --wat to see the WAT each
        source line became); --component runs it as a WASI 0.2 component, wrapped with the
        preview 1 adapter."""
        self._compile_and_run("c", line, cell)

    @cell_magic
    @_usage_errors_shown
    def rust(self, line: str, cell: str) -> None:
        """Compile the cell as Rust for wasm32-wasi and run it (options as %%c)."""
        self._compile_and_run("rust", line, cell)

    @cell_magic
    @_usage_errors_shown
    def p1p2(self, line: str, cell: str) -> None:
        """Run a C cell as a preview 1 module and as a component (wrapped by the adapter), and
        show the two traces side by side; the options of %%c."""
        from ._p1p2 import run_p1p2_cell

        run_p1p2_cell(self, line, cell)

    @cell_magic
    @_usage_errors_shown
    def wasm(self, line: str, cell: str) -> None:
        """Run a module given in the cell: a path to a .wasm file, hex, base64, b'...', or the
        name of a Python variable holding the bytes."""
        name = cell.strip()
        value = self.shell.user_ns.get(name) if self.shell is not None else None
        opts = parse_cell_options(line, "wasm")
        if name.isidentifier() and isinstance(value, bytes | bytearray | memoryview):
            data = bytes(value)  # the name of a Python variable holding the module
        else:
            data = module_bytes(cell)
        self.run_module(self._as_component(data, opts) if opts.component else data, opts)

    @cell_magic
    @_usage_errors_shown
    def wast(self, line: str, cell: str) -> None:
        """Run spec-style script commands: (module ...), (assert_return (invoke ...) ...),
        assert_trap, assert_invalid, assert_malformed, register, invoke; one line per command.
        Option: --timeout S (per command)."""
        from ._wast import run_wast

        opts = parse_cell_options(line, "wast")
        timeout = opts.timeout_s or self.settings.sandbox.limits.timeout_s or NO_TIME_LIMIT
        cancel = threading.Event()

        def show(result: Any) -> None:
            write("stdout", result.text() + "\n")

        try:
            with InterruptGuard(cancel):
                report = run_wast(cell, cancel=cancel, timeout_s=timeout, on_line=show)
        except CompileError as exc:
            raise CellError(t("kernel_compile_error", language="wast"), exc.message) from None
        write("stdout", t("kernel_wast_summary", passed=report.passed, failed=report.failed)
              + "\n")
        if self.shell is not None:
            _set_underscore(self.shell, report)

    # ----- the kept module ----------------------------------------------------------------------

    @line_magic
    @_usage_errors_shown
    def call(self, line: str) -> Any:
        """Call an export of the kept module: %call add 1 2 (numbers: 42, -1, 0x10, 2.5).

        Returns the export's value (a tuple for several, None for none), so ``_`` and
        ``x = %call add 1 2`` work; a trap is shown with its backtrace."""
        words = _words("%call", line)
        if not words:
            raise UsageError(t("call_usage"))
        if self.kept is None:
            raise CellError(t("kernel_usage_error"), t("kernel_no_module"))
        name, raw = words[0], words[1:]
        exports = getattr(self.kept, "exports", {}) or {}
        if name not in exports:
            raise CellError(t("kernel_usage_error"), t("kernel_unknown_export", name=name,
                                                       exports=", ".join(exports) or "-"))
        option = f"%call {name}"
        params = _param_types(exports[name])
        if params is not None and len(params) == len(raw):
            args = [read_wasm_value(w, ty, option) for w, ty in zip(raw, params, strict=True)]
        else:  # the engine says how many it takes
            args = [read_number(word, option) for word in raw]
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
                    write(stream, data.decode("utf-8", "replace"))
        head = f"{name}({', '.join(raw)})"
        if result.trap is not None and result.trap.frames:
            add_source_lines(self._kept_wasm, result.trap)
        if result.trap is not None or result.limit is not None:
            text = f"{head}: {trap_text(result.trap) if result.trap else result.limit}"
            show({"text/plain": text})
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
    @_usage_errors_shown
    def trace(self, line: str) -> None:
        """Show the trace of the last run: the widget, or with --text the strace-like text.
        Filters: --call NAME, --fd N, --denied."""
        text, call, fd, denied = _trace_options(_words("%trace", line))
        result = self._need_last()
        view = result
        if call or fd is not None or denied:
            filtered = result.trace.filter(call=call, fd=fd, denied=denied)
            view = RunResult(
                stdout=result.stdout, stderr=result.stderr, exit_code=result.exit_code,
                trap=result.trap, limit=result.limit, trace=filtered, sandbox=result.sandbox,
                engine=result.engine, duration_ns=result.duration_ns, layout=result.layout,
            )
        if text:
            write("stdout", view.trace.to_text() + "\n")
        else:
            show_widget("trace", view)

    @line_magic
    @_usage_errors_shown
    def memory(self, line: str) -> None:
        """Show the linear memory of the last run (before and after, with its layout)."""
        show_widget("memory", self._need_last())

    @line_magic
    @_usage_errors_shown
    def stack(self, line: str) -> None:
        """Show the stack of the last run (the trap's frames, the shadow stack)."""
        show_widget("stack", self._need_last())

    @line_magic
    @_usage_errors_shown
    def wit(self, line: str) -> Any:
        """Show a component's world as WIT: what it imports and exports, each import marked
        granted or refused by a sandbox, plus this line's options.

        %wit reads the last cell's component and the sandbox that run had; %wit PATH.wasm reads
        a file, with the notebook's sandbox (%sandbox). Options follow, as on a cell's line:
        %wit --allow-net 127.0.0.1:8080, %wit app.wasm --dir data::/data.
        Returns the World (its imports, exports, grants and text)."""
        from ..wasi.p2.world import read_world

        words = _words("%wit", line)
        path = words.pop(0) if words and not words[0].startswith("-") else None
        opts = parse_cell_options(" ".join(shlex.quote(w) for w in words), "wit")
        if path is not None:
            return read_world(module_bytes(path), sandbox_for(self.settings, opts))
        if not self.last_wasm:
            raise UsageError(t("wit_no_component"))
        base = self.last.sandbox if self.last is not None else self.settings.sandbox
        return read_world(self.last_wasm, opts.applied_to(base))

    # ----- notebook-wide settings ------------------------------------------------------------

    @line_magic
    @_usage_errors_shown
    def sandbox(self, line: str) -> None:
        words = _words("%sandbox", line)
        if words and words[0].startswith("--"):  # the options of a magic line, kept for later
            self._sandbox_options(" ".join(shlex.quote(w) for w in words))
        elif words:
            draft = copy.deepcopy(self.settings)  # a bad value leaves the settings untouched
            name = apply_setting(draft, words)
            _commit(self.settings, draft)
            if name == "help":
                write("stdout", sandbox_help() + "\n")
                return
            if name == "show" and self.last is not None:
                count = runs_to_show(words[1:])
                if count > 1:  # the last runs in one diagram, each refusal counted
                    show_widget("sandbox", list(self.history)[-count:])
                else:
                    show_widget("sandbox", self.last, self._rerun)
                return
        self._show_settings()

    sandbox.__doc__ = "Show or change the capabilities of the following runs.\n\n" + sandbox_help()

    def _sandbox_options(self, line: str) -> None:
        """``%sandbox --dir data::/data --env A=1 --timeout 5 --engine stepper ...``: the
        options of a magic line, made notebook-wide."""
        opts = parse_cell_options(line, "sandbox")
        s = self.settings
        engine = known_engine(opts.engine) if opts.engine else s.engine
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
        show({"text/plain": self.settings_text()})

    # ----- reference ----------------------------------------------------------------------------

    @line_magic
    @_usage_errors_shown
    def wasi(self, line: str) -> None:
        """What a WASI call or a WAT instruction does: %wasi fd_write, %wasi i32.add; with no
        name, the list of all 46 WASI calls."""
        words = line.split()
        paged = "--page" in words
        words = [w for w in words if w != "--page"]
        if len(words) > 1:
            raise CellError(t("kernel_usage_error"),
                            t("kernel_wasi_one_name", words=" ".join(words)[:80]))
        name = words[0].removeprefix("__wasi_") if words else ""
        if not name:
            width = max(len(n) for n in WASI_CALLS)
            write("stdout", "\n".join(
                f"{n.ljust(width)}  {c.summary.split(';')[0].split('. ')[0]}"
                for n, c in WASI_CALLS.items()) + "\n")
            return
        text = describe(name) or describe_instruction(name)
        if text is None:
            import difflib

            close = difflib.get_close_matches(name, [*WASI_CALLS, *WAT_INSTRUCTIONS], n=3)
            raise CellError(t("kernel_usage_error"), t(
                "kernel_wasi_unknown_close" if close else "kernel_wasi_unknown",
                name=name[:60], close=", ".join(close)))
        if paged:
            from IPython.core import page

            page.page(text)
        else:
            write("stdout", text + "\n")


def _set_underscore(shell: Any, value: Any) -> None:
    """Make ``value`` the shell's ``_`` (``_`` moves to ``__``, ``__`` to ``___``) as a
    displayed result would, but keep it out of the ``Out`` history: a run holds copies of
    the guest's memory (tens of MiB for C), and ``Out`` would keep every one of them."""
    hook = shell.displayhook
    if "_" in shell.user_ns and shell.user_ns["_"] is not getattr(hook, "_", None):
        return  # the learner assigned ``_`` themselves: leave it, as IPython does
    hook.___, hook.__, hook._ = hook.__, hook._, value
    shell.push({"_": hook._, "__": hook.__, "___": hook.___}, interactive=False)


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


def completion_words(language: str) -> tuple[str, ...]:
    """The words to complete in the body of a cell: WAT words and WASI calls in WAT and WAST
    cells, the WASI calls and wasi-libc's ``__wasi_`` functions in C and Rust cells, none in
    others. The kernel and the IPython extension both complete from this list."""
    from ._wat import WAT_WORDS

    if language in ("wat", "wast"):
        return WAT_WORDS + tuple(WASI_CALLS)
    if language in ("c", "rust"):
        return tuple(WASI_CALLS) + tuple("__wasi_" + name for name in WASI_CALLS)
    return ()


def wasi_matcher(context: Any) -> dict:
    """An IPython completion matcher (API v2): WAT and WASI words in the body of a %%wat,
    %%wast, %%c or %%rust cell of a Python notebook; nothing elsewhere."""
    from IPython.core.completer import SimpleCompletion

    from ._wat import WAT_WORDS

    first = context.full_text.lstrip().split("\n", 1)[0]
    magic = first.split(None, 1)[0] if first.startswith("%%") else ""
    words = completion_words(magic[2:])
    if not words or context.cursor_line == 0 or not context.token:
        return {"completions": [], "suppress": False}
    token = context.token.rsplit('"', 1)[-1].rsplit("(", 1)[-1]
    found = [SimpleCompletion(w, type="wat" if w in WAT_WORDS else "wasi")
             for w in words if w.startswith(token)] if token else []
    return {"completions": found, "suppress": bool(found)}


def magic_line_completer(shell: Any, event: Any) -> list[str]:
    """IPython's ``complete_command`` hook for the magics' own lines: the options of every
    cell magic (``%%p1p2`` takes those of ``%%c`` but ``--component``: it runs both ABIs), the
    settings of ``%sandbox`` and its options, the options of ``%wit`` and ``%trace``, the WASI
    calls after ``%wasi`` and the kept module's functions after ``%call``."""
    magic = event.command.lstrip("%")
    words = event.line.split()
    if magic == "trace":
        return ["--text", "--call", "--fd", "--denied"]
    if magic == "sandbox" and not event.symbol.startswith("-"):
        return list(SETTINGS) if len(words) <= 1 or (len(words) == 2 and event.symbol) else []
    if magic == "wasi":
        return ["--page", *WASI_CALLS]
    if magic == "call":
        kept = getattr(getattr(shell, "_wasikernel_magics", None), "kept", None)
        return list(getattr(kept, "exports", None) or {}) if len(words) <= 2 else []
    if magic == "p1p2":
        return [name for name in option_names("c") if name != "--component"]
    return option_names(magic)


#: the line magics whose line is completed (every cell magic's is)
_COMPLETED_LINE_MAGICS = ("sandbox", "trace", "wit", "wasi", "call")


def completed_magics() -> list[str]:
    """The magics whose lines :func:`magic_line_completer` completes: every cell magic of
    :class:`WasiMagics` and the line magics that take words."""
    return ([f"%%{name}" for name in WasiMagics.magics["cell"]]
            + [f"%{name}" for name in _COMPLETED_LINE_MAGICS])  # fmt: skip


def complete_magic_lines(shell: Any) -> None:
    """Have ``shell`` complete the lines of :func:`completed_magics` (once); the WASI kernel
    and ``%load_ext wasikernel`` both call it."""
    if getattr(shell, "_wasikernel_completes_lines", False):
        return
    for magic in completed_magics():
        shell.set_hook("complete_command", magic_line_completer, str_key=magic)
    shell._wasikernel_completes_lines = True


wasi_matcher.matcher_api_version = 2  # type: ignore[attr-defined]


def load_ipython_extension(shell: Any) -> None:
    """``%load_ext wasikernel``: add the magics to an IPython shell (once), and complete WAT
    and WASI words in their cells."""
    magics_for(shell)
    completer = getattr(shell, "Completer", None)
    if completer is not None and wasi_matcher not in completer.custom_matchers:
        completer.custom_matchers.append(wasi_matcher)
    complete_magic_lines(shell)
