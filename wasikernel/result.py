"""What a run hands back: :class:`RunResult` and the pieces it is made of."""

from __future__ import annotations

import mmap
from typing import TYPE_CHECKING, Any

from ._records import field, record

if TYPE_CHECKING:
    from .sandbox import Sandbox
    from .trace import Trace

__all__ = ["Frame", "Trap", "MemoryLayout", "MemorySnapshot", "RunResult"]


class MemorySnapshot(mmap.mmap):
    """A read-only copy of a guest's linear memory at one moment, which costs host memory only
    for the pages that hold a byte other than zero.

    It reads as the ``bytes`` of that memory: ``len``, an index gives an int, a slice gives
    ``bytes``, iterating gives ints, ``==`` compares the contents with any bytes-like object,
    ``in`` finds a byte string, and it is a buffer (``memoryview``, ``bytes()``,
    ``struct.unpack_from`` take it); it pickles as those bytes. A C module's 17 MiB memory is
    mostly a stack nobody reached: its snapshot holds a few pages of 4 KiB (``pages_held``),
    not 17 MiB, so the results a kernel keeps (``_``, ``__``, ``___``, ``last_run``) stay small.
    Assigning to it, ``write``, ``write_byte``, ``move`` and ``resize`` raise TypeError.
    """

    #: the unit of what is stored: a page of this many bytes holding only zeros is left out
    PAGE = 4096
    _ZERO_PAGE = bytes(PAGE)
    _BLOCK = 16 * PAGE  # looked at first, so a block of zeros costs one comparison
    _ZERO_BLOCK = bytes(_BLOCK)

    @classmethod
    def of(cls, data: Any) -> MemorySnapshot | bytes:
        """Return a snapshot of the bytes of ``data`` (any buffer: bytes, bytearray, a
        memoryview over a live memory), or ``b""`` when it is empty.

        Raises TypeError when ``data`` is not a buffer.
        """
        view = memoryview(data).cast("B")
        size = view.nbytes
        if size == 0:
            return b""
        flags = {"flags": mmap.MAP_PRIVATE} if hasattr(mmap, "MAP_PRIVATE") else {}
        snap = cls(-1, size, **flags)  # anonymous: pages never written read as zeros
        held = 0
        store = mmap.mmap.__setitem__
        for start in range(0, size, cls._BLOCK):
            block = view[start : start + cls._BLOCK].tobytes()
            if block == cls._ZERO_BLOCK[: len(block)]:
                continue
            for at in range(0, len(block), cls.PAGE):
                page = block[at : at + cls.PAGE]
                if page != cls._ZERO_PAGE[: len(page)]:
                    store(snap, slice(start + at, start + at + len(page)), page)
                    held += 1
        snap.pages_held = held
        return snap

    def _read_only(self, *_args: Any, **_kwargs: Any) -> None:
        raise TypeError("a memory snapshot is read-only: copy it with bytearray(snapshot) "
                        "to change the copy")  # fmt: skip

    __setitem__ = write = write_byte = move = resize = _read_only

    def __iter__(self) -> Any:
        return iter(memoryview(self))

    def __contains__(self, part: Any) -> bool:
        if isinstance(part, int):
            part = bytes([part])
        return self.find(part) >= 0

    def __eq__(self, other: object) -> bool:
        try:
            theirs = memoryview(other).cast("B")  # type: ignore[arg-type]
        except TypeError:
            return NotImplemented
        if theirs.nbytes != len(self):
            return False
        step = 1 << 20
        return all(
            self[at : at + step] == theirs[at : at + step].tobytes()
            for at in range(0, len(self), step)
        )

    __hash__ = None  # type: ignore[assignment]

    def __reduce__(self) -> tuple:
        return (MemorySnapshot.of, (bytes(self),))

    def __repr__(self) -> str:
        return (f"<MemorySnapshot of {len(self):,} bytes, "
                f"{getattr(self, 'pages_held', '?')} pages of {self.PAGE} hold data>")  # fmt: skip


@record
class Frame:
    """One frame of a wasm backtrace, innermost first."""

    func_index: int | None
    func_name: str | None
    module_offset: int | None = None
    source: str | None = None  # "cell.c:12" when debug info is there


@record
class Trap:
    """A guest that trapped: a short message and its wasm backtrace."""

    message: str
    frames: list[Frame] = field(default_factory=list)

    def text(self) -> str:
        """The message as a learner reads it, in the current language: a cancelled run's
        (:data:`INTERRUPTED`) is the catalogue's sentence, a trap's own message is as it is."""
        if self.message == INTERRUPTED:
            from .messages import t

            return t("limit_cancel")
        return self.message


#: the message of the trap of a run that was cancelled (its outcome is ``"interrupted"``)
INTERRUPTED = "interrupted"


@record
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


@record
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
    #: the linear memory before and after the run (a :class:`MemorySnapshot`; ``bytes`` in a
    #: RunResult built by hand), None when the engine does not give it
    memory_before: MemorySnapshot | bytes | None = None
    memory_after: MemorySnapshot | bytes | None = None
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
