"""The 46 functions of ``wasi_snapshot_preview1`` as the kernel shows them (``?``, completion).

The table itself is the host's, declared once beside each body and listed in witx order in
:mod:`wasikernel.wasi._table`; this module names it for the kernel.
"""

from __future__ import annotations

from ..wasi._spec import FuncSpec as WasiCall
from ..wasi._table import WASI_CALLS, describe

__all__ = ["WasiCall", "WASI_CALLS", "describe"]
