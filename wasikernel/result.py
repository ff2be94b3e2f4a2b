"""What a run hands back: :class:`RunResult` and the pieces it is made of."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .sandbox import Sandbox
    from .trace import Trace

__all__ = ["Frame", "Trap", "MemoryLayout", "RunResult"]


@dataclass
class Frame:
    """One frame of a wasm backtrace, innermost first."""

    func_index: int | None
    func_name: str | None
    module_offset: int | None = None
    source: str | None = None  # "cell.c:12" when debug info is there


@dataclass
class Trap:
    """A guest that trapped: a short message and its wasm backtrace."""

    message: str
    frames: list[Frame] = field(default_factory=list)


@dataclass
class MemoryLayout:
    """Where a compiled module keeps things in linear memory (from its exported symbols).

    ``stack_low``..``stack_high`` is the shadow stack (the stack grows down from ``stack_high``),
    ``data_start``..``data_end`` the static data, the heap starts at ``heap_base``.
    Any field is ``None`` when the module does not say.
    """

    data_start: int | None = None
    data_end: int | None = None
    stack_low: int | None = None
    stack_high: int | None = None
    heap_base: int | None = None


@dataclass
class RunResult:
    """The outcome of one run: output, how it ended, the trace, the memory.

    Exactly one of ``exit_code``, ``trap`` and ``limit`` says how the run ended (a module
    without ``_start`` that was only instantiated, or an ``invoke`` that returned, has
    ``exit_code == 0`` and its values in ``returned``). ``outcome`` names the ending in one
    word: ``"exit"``, ``"trap"``, ``"limit"``, ``"interrupted"`` (the run was cancelled; its
    ``trap`` says ``interrupted``) or ``"link"`` (an import the engine does not provide: nothing
    ran, ``trap`` carries the link error); it is None on a RunResult built by hand.
    ``steps`` is the recorded run of the stepper (a Session to walk), None elsewhere;
    ``instantiate_ns`` the time compiling and instantiating took inside an engine's own
    process, when it reports it.
    """

    stdout: bytes
    stderr: bytes
    exit_code: int | None
    trap: Trap | None
    limit: str | None
    trace: Trace
    sandbox: Sandbox
    engine: str = "wasmtime"
    duration_ns: int = 0
    returned: list[Any] | None = None
    memory_before: bytes | None = None
    memory_after: bytes | None = None
    layout: MemoryLayout | None = None
    module: Any = None  # a live module whose exports can still be called, when kept
    outcome: str | None = None
    steps: Any = None
    instantiate_ns: int | None = None

    @staticmethod
    def outcome_of(
        exit_code: int | None, trap: Trap | None, limit: str | None, interrupted: bool = False
    ) -> str:
        """The ``outcome`` word of a run that ended with these fields."""
        if limit is not None:
            return "limit"
        if interrupted:
            return "interrupted"
        return "trap" if trap is not None else "exit"

    @property
    def stepper(self) -> Any:
        """The stepper's recorded run: the same as ``steps``."""
        return self.steps

    @property
    def ok(self) -> bool:
        """True when the guest exited with code 0 (or returned) without a trap or limit."""
        return self.exit_code == 0 and self.trap is None and self.limit is None

    def __repr__(self) -> str:
        # Short on purpose: the memory snapshots of a C run are tens of MiB, and the
        # generated dataclass repr would print every byte of them.
        if self.trap is not None:
            ended = f"trap={self.trap.message!r}"
        elif self.limit is not None:
            ended = f"limit={self.limit!r}"
        else:
            ended = f"exit_code={self.exit_code}"
        parts = [
            f"engine={self.engine!r}",
            ended,
            f"stdout={len(self.stdout)} bytes",
            f"stderr={len(self.stderr)} bytes",
            f"calls={len(self.trace)}",
        ]
        if self.returned is not None:
            parts.append(f"returned={self.returned!r}")
        if self.memory_after is not None:
            parts.append(f"memory={len(self.memory_after)} bytes")
        return f"RunResult({', '.join(parts)})"
