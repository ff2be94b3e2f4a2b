"""The declarative spec of a host function: name, parameter names and kinds, wasm types.

Each body is registered with :func:`wasi`::

    @wasi("fd_write", "fd:fd", "iovs:ciovecs", "iovs_len:len", "result.nwritten:size")
    def fd_write(h, m, fd, iovs, iovs_len, nwritten_ptr) -> int: ...

A parameter is ``name:kind``. The kind says its wasm type (``i64`` for the 64-bit kinds) and
how the trace decodes it; names starting ``result.`` are out-pointers, decoded after success.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "FuncSpec",
    "HostImport",
    "ProcExit",
    "LimitReached",
    "REGISTRY",
    "SPECS",
    "wasi",
    "I64_KINDS",
]

#: kinds carried as i64 in wasm
I64_KINDS = frozenset({"u64", "filesize", "filedelta", "timestamp", "rights", "dircookie"})


class ProcExit(Exception):
    """Raised by ``proc_exit`` (and ``proc_raise``): the guest ends with exit ``code``."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code


class LimitReached(Exception):
    """Raised by the host when a limit of the sandbox is hit; ``message`` says which."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class FuncSpec:
    """One host function: ``params`` are ``(name, kind)`` pairs in wasm order."""

    module: str
    name: str
    params: tuple[tuple[str, str], ...]
    body: Callable[..., int]
    returns_errno: bool = True

    @property
    def wasm_params(self) -> tuple[str, ...]:
        """The wasm value types of the parameters."""
        return tuple(
            "i64" if kind in I64_KINDS and not name.startswith("result.") else "i32"
            for name, kind in self.params
        )

    @property
    def wasm_results(self) -> tuple[str, ...]:
        """``("i32",)`` for calls returning an errno, ``()`` otherwise."""
        return ("i32",) if self.returns_errno else ()


@dataclass(frozen=True)
class HostImport:
    """What an engine links: ``call(memory, *ints)`` returns the errno (or ``None``)."""

    module: str
    name: str
    params: tuple[str, ...]
    results: tuple[str, ...]
    call: Callable[..., int | None]
    spec: FuncSpec


#: every registered function, in registration order
REGISTRY: dict[tuple[str, str], FuncSpec] = {}
#: the same specs by number (a trace record names its function by this index)
SPECS: list[FuncSpec] = []
#: (module, name) -> index in SPECS
SPEC_INDEX: dict[tuple[str, str], int] = {}


def wasi(
    name: str, *params: str, module: str = "wasi_snapshot_preview1", returns_errno: bool = True
) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Register the decorated body as host function ``module.name`` with ``params``."""

    def register(body: Callable[..., int]) -> Callable[..., int]:
        pairs = tuple(tuple(p.split(":", 1)) for p in params)
        spec = FuncSpec(module, name, pairs, body, returns_errno)  # type: ignore[arg-type]
        REGISTRY[(module, name)] = spec
        SPEC_INDEX[(module, name)] = len(SPECS)
        SPECS.append(spec)
        return body

    return register
