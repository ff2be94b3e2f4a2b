"""The WASI Jupyter kernel and the magics it shares with ``%load_ext wasikernel``.

``WasiKernel`` is the kernel ("WASI (WAT, C, Rust)"); ``WasiMagics`` holds the cell magics
(``%%wat``, ``%%c``, ``%%rust``, ``%%wasm``, ``%%wast``) and line magics (``%sandbox``,
``%call``, ``%trace``, ``%memory``, ``%stack``, ``%wasi``); ``load_ipython_extension`` adds
them to any IPython shell.
"""

from .kernel import WasiKernel
from .magics import WasiMagics, load_ipython_extension

__all__ = ["WasiKernel", "WasiMagics", "load_ipython_extension"]
