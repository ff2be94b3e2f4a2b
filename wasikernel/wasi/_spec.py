"""The declarative spec of a host function: name, parameter names and kinds, wasm types.

Each body is declared with :func:`wasi`::

    @wasi("fd_write", "fd:fd", "iovs:ciovecs", "iovs_len:plen", "result.nwritten:size")
    def fd_write(h, m, fd, iovs, iovs_len, nwritten_ptr) -> int:
        \"\"\"Writes bytes from a list of buffers to a descriptor ...

        Errors: ``badf`` when ..., ``fault`` when ...\"\"\"

A parameter is ``name:kind``. The kind says its wasm type (``i64`` for the 64-bit kinds), how
the trace decodes it, and its witx type (most kinds are witx type names; ``path`` and the iovec
kinds with the ``plen`` after them are witx's ``string`` and ``ciovec_array``/``iovec_array``);
names starting ``result.`` are out-pointers, decoded after success. The body's docstring is the
reference a learner reads (the kernel's ``?``): a summary paragraph, then ``Errors: ...``.
The spec rides on the body (``body.wasi_spec``); :mod:`wasikernel.wasi._table` lists them all.
"""

from __future__ import annotations

from collections.abc import Callable

from .._records import record

__all__ = ["FuncSpec", "HostImport", "ProcExit", "LimitReached", "wasi", "I64_KINDS"]

#: kinds carried as i64 in wasm
I64_KINDS = frozenset({"u64", "filesize", "filedelta", "timestamp", "rights", "dircookie"})
#: kinds whose witx type has another name (the decoder's kinds for buffers the call fills)
_WITX_TYPES = {
    "path": "string", "ciovecs": "ciovec_array", "iovecs": "iovec_array", "strings": "ptr<u8>",
    "outbuf": "ptr<u8>", "dirents": "ptr<u8>", "u32": "size",
}  # fmt: skip


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


@record(frozen=True)
class FuncSpec:
    """One host function: ``params`` are ``(name, kind)`` pairs in wasm order; ``returns`` is
    ``"errno"``, ``"never"`` (proc_exit) or ``"()"``."""

    module: str
    name: str
    params: tuple[tuple[str, str], ...]
    body: Callable[..., int]
    returns: str = "errno"

    @property
    def returns_errno(self) -> bool:
        """Whether the call returns an errno to the guest."""
        return self.returns == "errno"

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

    @property
    def witx_params(self) -> tuple[str, ...]:
        """The parameters as witx writes them: ``path: string`` (a pointer and its length),
        ``result.nwritten: ptr<size>``."""
        out = []
        for name, kind in self.params:
            if kind == "plen":
                continue
            witx = _WITX_TYPES.get(kind, kind)
            out.append(f"{name}: ptr<{witx}>" if name.startswith("result.") else f"{name}: {witx}")
        return tuple(out)

    @property
    def signature(self) -> str:
        """The call written as ``name(param: type, ...) -> errno``."""
        return f"{self.name}({', '.join(self.witx_params)}) -> {self.returns}"

    def _paragraphs(self) -> list[str]:
        import inspect  # only for the docs of a call (%wasi), not for a run

        doc = inspect.cleandoc(self.body.__doc__ or "")
        return [" ".join(p.split()) for p in doc.split("\n\n") if p.strip()]

    @property
    def summary(self) -> str:
        """What the call does, for a learner: the first paragraph of the body's docstring."""
        paragraphs = self._paragraphs()
        return paragraphs[0] if paragraphs else ""

    @property
    def errors(self) -> str:
        """The errnos the call answers and when: the docstring's ``Errors:`` paragraph."""
        for paragraph in self._paragraphs():
            if paragraph.startswith("Errors:"):
                return paragraph[len("Errors:") :].strip()
        return ""


@record(frozen=True)
class HostImport:
    """What an engine links: ``call(memory, *ints)`` returns the errno (or ``None``)."""

    module: str
    name: str
    params: tuple[str, ...]
    results: tuple[str, ...]
    call: Callable[..., int | None]
    spec: FuncSpec


def wasi(
    name: str, *params: str, module: str = "wasi_snapshot_preview1", returns: str = "errno"
) -> Callable[[Callable[..., int]], Callable[..., int]]:
    """Declare the decorated body as host function ``module.name`` with ``params``; the spec
    is its attribute ``wasi_spec``."""

    def declare(body: Callable[..., int]) -> Callable[..., int]:
        pairs = tuple(tuple(p.split(":", 1)) for p in params)
        body.wasi_spec = FuncSpec(module, name, pairs, body, returns)  # type: ignore[attr-defined,arg-type]
        return body

    return declare
