"""clock_res_get, clock_time_get: realtime and monotonic clocks, real or frozen."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._spec import wasi
from .errno import Errno

if TYPE_CHECKING:
    from ._memory import MemView
    from ._state import HostState


@wasi("clock_res_get", "id:clockid", "result.resolution:timestamp")
def clock_res_get(h: HostState, m: MemView, clock: int, out: int) -> int:
    """Returns the resolution of a clock (realtime, monotonic, process or thread CPU time) in
    nanoseconds.

    Errors: ``badf`` for the CPU-time clocks (this host has none, as wasmtime), ``inval`` for an
    unknown clock, ``fault``.

    The resolution is 1 ns, as wasmtime reports it."""
    if clock in (2, 3):
        return Errno.BADF
    if clock not in (0, 1):
        return Errno.INVAL
    m.put_u64(out, 1)
    return 0


@wasi("clock_time_get", "id:clockid", "precision:timestamp", "result.time:timestamp")
def clock_time_get(h: HostState, m: MemView, clock: int, precision: int, out: int) -> int:
    """Reads a clock in nanoseconds; a sandbox with a frozen clock always answers the same time.

    Errors: ``badf`` for the CPU-time clocks, ``inval`` for an unknown clock, ``fault``."""
    m.put_u64(out, h.now_ns(clock))
    return 0
