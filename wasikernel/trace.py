"""The syscall trace: one :class:`TraceEvent` per WASI call, gathered in a :class:`Trace`.

The JSON form of an event is the contract of ``--trace-json`` (see the design document).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["MemoryAccess", "TraceEvent", "Trace"]


@dataclass(slots=True)
class MemoryAccess:
    """A range of linear memory a call read (``"r"``) or wrote (``"w"``)."""

    addr: int
    len: int
    access: str


@dataclass(slots=True)
class TraceEvent:
    """One WASI call (``phase="run"``), one import refused at link time (``phase="link"``),
    or one refusal made by the guest's libc before any syscall (``phase="libc"``)."""

    seq: int
    call: str
    args: dict[str, Any]
    results: dict[str, Any]
    errno: str
    denied: bool = False
    capability: str | None = None
    reason: str | None = None
    t_ns: int = 0
    dur_ns: int = 0
    memory: list[MemoryAccess] = field(default_factory=list)
    phase: str = "run"
    exit_code: int | None = None


@dataclass
class Trace:
    """The events of one run, in order; ``dropped`` counts events past the trace-size limit."""

    events: list[TraceEvent] = field(default_factory=list)
    dropped: int = 0
