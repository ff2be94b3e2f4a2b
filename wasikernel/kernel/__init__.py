"""The WASI Jupyter kernel and the magics it shares with ``%load_ext wasikernel``.

``WasiKernel`` is the kernel ("WASI (WAT, C, Rust)"); ``WasiMagics`` holds the cell magics
(``%%wat``, ``%%c``, ``%%rust``, ``%%wasm``, ``%%wast``) and line magics (``%sandbox``,
``%call``, ``%trace``, ``%memory``, ``%stack``, ``%wasi``); ``load_ipython_extension`` adds
them to any IPython shell.

The names load on first use: the magics need only IPython, so ``%load_ext wasikernel`` works
where ipykernel's kernel classes do not exist (the Pyodide kernel of a JupyterLite site).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .kernel import WasiKernel
    from .magics import WasiMagics, load_ipython_extension

__all__ = ["WasiKernel", "WasiMagics", "load_ipython_extension"]

_HOMES = {"WasiKernel": "kernel", "WasiMagics": "magics", "load_ipython_extension": "magics"}


def __getattr__(name: str) -> Any:
    """Load a public name from its module on first use; raises AttributeError for others."""
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module 'wasikernel.kernel' has no attribute {name!r}")
    value = getattr(importlib.import_module(f".{home}", __name__), name)
    globals()[name] = value
    return value
