"""wasi:clocks: the monotonic clock (with its pollables) and the wall clock.

Both read the core's clocks, so a sandbox that freezes time freezes them here too.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING, Any

from wasmtime.component import Record

from ._spec import wit
from .io import Pollable

if TYPE_CHECKING:
    from ._host import ComponentHost

MONOTONIC = "wasi:clocks/monotonic-clock"
WALL = "wasi:clocks/wall-clock"
_M64 = (1 << 64) - 1


def datetime(ns: int) -> Record:
    """A WIT ``datetime`` record for ``ns`` nanoseconds since the epoch."""
    rec = Record()
    rec.seconds, rec.nanoseconds = divmod(max(0, ns), 1_000_000_000)
    return rec


@wit(MONOTONIC, "now")
def monotonic_now(h: ComponentHost) -> int:
    """The monotonic clock, in nanoseconds."""
    return h.now_ns(1) & _M64


@wit(MONOTONIC, "resolution")
def monotonic_resolution(h: ComponentHost) -> int:
    """One nanosecond."""
    return 1


@wit(MONOTONIC, "subscribe-instant", "when")
def subscribe_instant(h: ComponentHost, when: int) -> Any:
    """A pollable ready once the monotonic clock reaches ``when``."""
    return h.own(Pollable(time.monotonic_ns() + max(0, when - h.now_ns(1))))


@wit(MONOTONIC, "subscribe-duration", "when")
def subscribe_duration(h: ComponentHost, when: int) -> Any:
    """A pollable ready ``when`` nanoseconds from now."""
    return h.own(Pollable(time.monotonic_ns() + when))


@wit(WALL, "now")
def wall_now(h: ComponentHost) -> Record:
    """The wall clock, as seconds and nanoseconds since 1970."""
    return datetime(h.now_ns(0))


@wit(WALL, "resolution")
def wall_resolution(h: ComponentHost) -> Record:
    """One nanosecond."""
    return datetime(1)
