"""wasikernel: WebAssembly and WASI for teaching, in Jupyter.

The public API is what ``__all__`` lists; modules whose names start with ``_`` and the
sub-packages' internals are private. The names are loaded on first use (``wasikernel.Sandbox``
imports :mod:`wasikernel.sandbox` then), so a command such as ``wasikernel run`` loads only the
stages it drives.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .errors import (
        CompileError,
        EngineError,
        ToolchainMissing,
        UsageError,
        WasiKernelError,
    )
    from .result import Frame, MemoryLayout, RunResult, Trap
    from .sandbox import Limits, Preopen, Sandbox
    from .trace import MemoryAccess, Trace, TraceEvent

__version__ = "0.1.0"

#: public name -> the module that defines it
_HOMES = {
    **dict.fromkeys(("CompileError", "EngineError", "ToolchainMissing",
                     "UsageError", "WasiKernelError"), "errors"),
    **dict.fromkeys(("Frame", "MemoryLayout", "RunResult", "Trap"), "result"),
    **dict.fromkeys(("Limits", "Preopen", "Sandbox"), "sandbox"),
    **dict.fromkeys(("MemoryAccess", "Trace", "TraceEvent"), "trace"),
}

__all__ = [
    "CompileError",
    "EngineError",
    "Frame",
    "Limits",
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


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use; raises AttributeError for others."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'wasikernel' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def load_ipython_extension(ipython: object) -> None:
    """``%load_ext wasikernel``: the %%wat, %%c, %%rust, %%wasm, %%wast cell magics and the
    %sandbox, %call, %trace, %memory, %stack, %wasi line magics in an IPython shell."""
    from .kernel.magics import load_ipython_extension as load

    load(ipython)
