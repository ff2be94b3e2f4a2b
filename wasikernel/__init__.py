"""wasikernel: WebAssembly and WASI for teaching, in Jupyter.

The public API is what ``__all__`` lists; modules whose names start with ``_`` and the
sub-packages' internals are private.
"""

from __future__ import annotations

from .errors import (
    CompileError,
    EngineError,
    LinkError,
    ToolchainMissing,
    UsageError,
    WasiKernelError,
)
from .result import Frame, MemoryLayout, RunResult, Trap
from .sandbox import Limits, Preopen, Sandbox
from .trace import MemoryAccess, Trace, TraceEvent

__version__ = "0.1.0"

__all__ = [
    "CompileError",
    "EngineError",
    "Frame",
    "Limits",
    "LinkError",
    "MemoryAccess",
    "MemoryLayout",
    "Preopen",
    "RunResult",
    "Sandbox",
    "ToolchainMissing",
    "Trace",
    "TraceEvent",
    "Trap",
    "UsageError",
    "WasiKernelError",
    "__version__",
    "load_ipython_extension",
]


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext wasikernel``: the %%wat, %%c, %%rust, %%wasm, %%wast cell magics and the
    %sandbox, %call, %trace, %memory, %stack, %wasi line magics in an IPython shell."""
    from .kernel.magics import load_ipython_extension as load

    load(ipython)
