"""The widgets: trace, memory, stack and sandbox boundary of a run, linked in ``RunView``.

Each view is an anywidget whose browser half (ESM + CSS) lives in the repository's
``widgets/`` folder (``wasikernel/widgets/static`` in a wheel). Each also renders as static
HTML (``to_html()``, and ``text/html`` in its display), so a saved notebook reads without a
kernel::

    from wasikernel.widgets import show
    show(result)                    # RunView: the four views, linked
    TraceView(result).to_html()     # one view, static
    CompiledView(listing)           # what a C or Rust cell became, line by line (--wat)
"""

from __future__ import annotations

from .compiled_view import CompiledView
from .memory_view import MemoryView
from .run_view import RunView, show
from .sandbox_view import SandboxView
from .stack_view import StackView
from .trace_view import TraceView

__all__ = ["CompiledView", "MemoryView", "RunView", "SandboxView", "StackView", "TraceView", "show"]
