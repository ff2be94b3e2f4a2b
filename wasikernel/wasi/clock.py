"""clock_res_get, clock_time_get: realtime and monotonic clocks, real or frozen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._spec import wasi
from .errno import Errno

if TYPE_CHECKING:
    from ._memory import MemView
    from .host import WasiHost


@wasi("clock_res_get", "id:clockid", "result.resolution:timestamp")
def clock_res_get(h: WasiHost, m: MemView, clock: int, out: int) -> int:
    """Write the resolution of ``clock`` in ns (1, as wasmtime); the CPU clocks are ``badf``."""
    if clock in (2, 3):
        return Errno.BADF
    if clock not in (0, 1):
        return Errno.INVAL
    m.put_u64(out, 1)
    return 0


@wasi("clock_time_get", "id:clockid", "precision:timestamp", "result.time:timestamp")
def clock_time_get(h: WasiHost, m: MemView, clock: int, precision: int, out: int) -> int:
    """Write the time of ``clock`` in ns (the frozen value when the sandbox freezes clocks)."""
    m.put_u64(out, h.now_ns(clock))
    return 0
