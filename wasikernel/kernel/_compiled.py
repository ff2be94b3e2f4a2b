"""What a C or Rust cell became, in the cell: the compiled-code view (``%%c --wat``) and the
source lines the stepper groups its steps by (``--engine stepper``).

Both read the module's DWARF line table, so such a cell is compiled with ``-g``.
"""

from __future__ import annotations

from typing import Any

from IPython.display import display

from ..errors import CompileError, UsageError
from ..messages import t
from ..result import RunResult

__all__ = ["needs_debug_info", "show_compiled", "use_source_lines"]


def needs_debug_info(language: str, wat: bool, engine: str) -> bool:
    """Whether a cell must keep its DWARF line table: ``--wat``, or the stepper (which steps
    by source line). Raises UsageError for ``--wat`` on a cell that is not C or Rust."""
    if wat and language not in ("c", "rust"):
        raise UsageError(t("listing_only_wat_c_rust"))
    return language in ("c", "rust") and (wat or engine == "stepper")


def show_compiled(wasm: bytes, source: str, filename: str) -> None:
    """Display the compiled-code view of a cell (its text form when widgets are missing).

    A module the view cannot be made of gets a one-line note; the run still goes on.
    """
    from ..compile.listing import compiled_listing

    try:
        listing = compiled_listing(wasm, source, filename)
    except CompileError as exc:  # ToolchainMissing (no wasm-tools) included
        display({"text/plain": exc.message}, raw=True)
        return
    try:
        from ..widgets import CompiledView

        view: Any = CompiledView(listing)
    except Exception as exc:  # the widget layer must never break a cell
        note = t("kernel_widgets_missing", error=f"CompiledView: {exc}")
        display({"text/plain": note + "\n" + listing.to_text()}, raw=True)
        return
    display(view)


def use_source_lines(result: RunResult, wasm: bytes, filename: str, source: str) -> None:
    """Let the stepper's recorded run of a cell step by the cell's source lines, when the
    module has them (otherwise it steps by instruction only)."""
    session = result.steps
    if session is None or not hasattr(session, "use_source_lines"):
        return
    from ..compile.listing import source_line_finder

    line_of = source_line_finder(wasm, filename)
    if line_of is not None:
        session.use_source_lines(line_of, source=source, filename=filename)
