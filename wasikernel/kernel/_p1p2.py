"""``%%p1p2``: a C cell run as a preview 1 module and as a component, traces side by side.

The cell is compiled once, with the libc hook (the component keeps it as
``wasikernel:libc/trace``, so a path libc refuses is a row on both sides), then
:func:`wasikernel.side_by_side.run_side_by_side` runs the module as it is and wrapped with the
preview 1 adapter, in the notebook's sandbox plus the cell's options (each run on its own copy
of the granted folders). The view shows one row per thing the program does, the preview 1 calls
beside the preview 2 calls the adapter made of them. Afterwards ``side_by_side`` holds the
:class:`~wasikernel.side_by_side.SideBySide` and ``last_run`` the component's run (``%trace``,
``%sandbox show`` show it). ``--check NAME`` checks the cell as the answer to an exercise.
"""

from __future__ import annotations

import threading
from typing import Any

from ..errors import CompileError, EngineError, ToolchainMissing, UsageError
from ..messages import t
from ._display import CellError
from ._interrupt import InterruptGuard
from ._options import parse_cell_options, sandbox_for
from ._output import say_progress, show, write

__all__ = ["run_p1p2_cell"]


def run_p1p2_cell(magics: Any, line: str, cell: str) -> None:
    """Compile the C ``cell``, run it under both ABIs and show the side-by-side view.

    Raises CellError when the cell does not compile, the adapter is missing or an engine
    cannot run it; UsageError for a bad option or an unknown exercise."""
    opts = parse_cell_options(line, "c")
    if opts.check is None:
        _run(magics, cell, opts)
        return
    from ..lessons import checked_answer

    with checked_answer(opts.check, "c", cell) as answer:
        answer.result = _run(magics, cell, opts).component


def _run(magics: Any, cell: str, opts: Any) -> Any:
    from ..compile import CompileOptions, compile_source
    from ..side_by_side import run_side_by_side

    options = CompileOptions(optimize=opts.optimize, debug=opts.debug, toolchain=opts.toolchain,
                             extra_flags=list(opts.extra_flags))  # fmt: skip
    try:
        compiled = compile_source("c", cell, options, filename=opts.name or "cell.c",
                                  progress=say_progress)  # fmt: skip
    except CompileError as exc:
        raise CellError(t("kernel_compile_error", language="c"), exc.message) from None
    if compiled.warnings.strip():
        write("stderr", compiled.warnings.rstrip() + "\n")
    cancel = threading.Event()
    try:
        with InterruptGuard(cancel):
            view = run_side_by_side(compiled.wasm, sandbox_for(magics.settings, opts),
                                    cancel=cancel)  # fmt: skip
    except ToolchainMissing as exc:
        raise CellError(t("kernel_engine_error"), str(exc)) from None
    except (CompileError, EngineError, UsageError) as exc:
        raise CellError(t("kernel_engine_error"), getattr(exc, "message", str(exc))) from None
    magics._remember(view.component)
    if magics.shell is not None:
        magics.shell.push({"side_by_side": view}, interactive=False)
    show({"text/html": view._repr_html_(), "text/plain": view.to_text()})
    return view
