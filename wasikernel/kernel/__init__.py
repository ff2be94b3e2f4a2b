"""The WASI Jupyter kernel."""

from .kernel import WasiKernel

__all__ = ["WasiKernel"]
