"""Runtime objects shared by modules: memories, tables, globals, functions, references."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ...wasm import FuncType

__all__ = ["Memory", "Table", "Global", "Function", "ExternRef", "PAGE"]

PAGE = 65536


class Memory:
    """A linear memory; also the host's GuestMemory (``size``, ``read``, ``write``).

    ``data`` is one ``bytearray`` that grows in place, so compiled handlers may hold it.
    ``limit_pages`` caps ``memory.grow`` below the declared maximum (the sandbox's memory limit).
    """

    __slots__ = ("data", "max", "limit_pages", "recorder")

    def __init__(self, pages: int, maximum: int | None, limit_pages: int = 16384) -> None:
        self.data = bytearray(pages * PAGE)
        self.max = maximum
        self.limit_pages = limit_pages
        self.recorder: Any = None  # the Store while a session records (host writes noted)

    def size(self) -> int:
        """The memory's size in bytes."""
        return len(self.data)

    def read(self, addr: int, length: int) -> bytes:
        """``length`` bytes at ``addr``; raises IndexError when out of bounds."""
        if addr < 0 or length < 0 or addr + length > len(self.data):
            raise IndexError("out of bounds memory access")
        return bytes(self.data[addr : addr + length])

    def write(self, addr: int, data: bytes) -> None:
        """Writes ``data`` at ``addr``; raises IndexError when out of bounds."""
        n = len(data)
        if addr < 0 or addr + n > len(self.data):
            raise IndexError("out of bounds memory access")
        if self.recorder is not None:
            old = bytes(self.data[addr : addr + n])
            self.recorder.fx.append(("m", addr, old, bytes(data)))
        self.data[addr : addr + n] = data

    def pages(self) -> int:
        return len(self.data) // PAGE

    def grow(self, delta: int) -> int:
        """Grows by ``delta`` pages; the old size in pages, or -1 when it cannot."""
        old = len(self.data) // PAGE
        new = old + delta
        cap = 65536 if self.max is None else self.max
        if new > cap or new > self.limit_pages:
            return -1
        if delta:
            self.data.extend(bytes(delta * PAGE))
        return old


class Table:
    """A table of references (``None`` is the null reference)."""

    __slots__ = ("elems", "max", "reftype")

    def __init__(self, reftype: str, size: int, maximum: int | None, init: Any = None) -> None:
        self.reftype = reftype
        self.elems: list[Any] = [init] * size
        self.max = maximum

    def grow(self, delta: int, init: Any) -> int:
        old = len(self.elems)
        cap = 0xFFFFFFFF if self.max is None else self.max
        if old + delta > cap or old + delta > 10_000_000:
            return -1
        self.elems.extend([init] * delta)
        return old


class Global:
    """A global variable: its value type, mutability and current value."""

    __slots__ = ("type", "mutable", "value")

    def __init__(self, valtype: str, mutable: bool, value: Any) -> None:
        self.type = valtype
        self.mutable = mutable
        self.value = value


class ExternRef:
    """An opaque host reference (the spec tests' ``ref.extern N``)."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ExternRef) and other.value == self.value

    def __hash__(self) -> int:
        return hash(("extern", self.value))

    def __repr__(self) -> str:
        return f"ref.extern {self.value}"


class Function:
    """A function: wasm (``instance`` + ``index``) or host (``host`` callable).

    A host callable takes the wasm arguments and returns ``None``, one value or a tuple.
    """

    __slots__ = ("type", "instance", "index", "host", "name", "code", "direct", "tried",
                 "fast_lines")

    def __init__(
        self,
        ftype: FuncType,
        *,
        instance: Any = None,
        index: int = -1,
        host: Callable[..., Any] | None = None,
        name: str = "",
    ) -> None:
        self.type = ftype
        self.instance = instance
        self.index = index
        self.host = host
        self.name = name
        self.code: Any = None  # the compiled form, made on the first call
        self.direct: Callable[..., Any] | None = host  # host, or the translated function
        self.tried = host is not None  # translation attempted
        self.fast_lines: list[int] = []  # module offset of each line of the translation

    def __repr__(self) -> str:
        return f"<func {self.name or self.index} {self.type}>"
