"""How a preview 2 function is declared: its WIT interface, name and parameter names, and a body.

A body is a plain function ``body(host, *params) -> value``. A resource parameter (``self`` of a
method, a ``borrow<descriptor>``) arrives as the host's object for it (a :class:`Resource`), a
resource it returns is such an object too: the wrapper of :mod:`._host` turns handles into
objects and back, so no body sees an engine's type. A body reports a failure by raising:

* :class:`~wasikernel.wasi.fs.FsError` (and its :class:`~wasikernel.wasi.fs.Refusal`): the
  function's ``error-code`` (the preview 1 errno, named as WIT names it: ``noent`` is
  ``no-entry``);
* :class:`StreamClosed` / :class:`StreamFailed`: a ``stream-error`` (``closed``, or
  ``last-operation-failed`` with an ``error`` resource);
* :class:`HostTrap`: the run ends with a trap whose message the learner reads (a stale handle,
  a length no host can honour).

``@wit(INTERFACE, NAME, PARAM_NAMES, err=..., tagged=...)`` registers a body: ``err`` names the
error domain of the WIT ``result`` (``"fs"``, ``"stream"``, ``"net"``, or None when the function
returns a plain value); ``tagged`` says that the ``result``'s two cases have the same Python
type, so that wasmtime-py needs ``Variant("ok"|"err", payload)`` to tell them apart
(``result<string, error-code>``, ``result<_, stream-error>``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..errno import ERRNO_NAMES

__all__ = [
    "VERSION",
    "Resource",
    "StreamErrorObject",
    "HostTrap",
    "StreamClosed",
    "StreamFailed",
    "WitFunc",
    "REGISTRY",
    "RESOURCES",
    "wit",
    "resource",
    "error_code",
]

#: the WASI 0.2 release whose interfaces the host defines (the one the bundled adapter imports)
VERSION = "0.2.12"


class HostTrap(Exception):
    """Ends the run with a trap: ``message`` says what the guest did wrong."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class StreamClosed(Exception):
    """A stream reached its end (``stream-error.closed``)."""


class StreamFailed(Exception):
    """A stream's last operation failed (``stream-error.last-operation-failed``) with ``errno``."""

    def __init__(self, errno: int) -> None:
        super().__init__(errno)
        self.errno = int(errno)


class Resource:
    """The host's side of one resource the guest holds; ``KIND`` is its WIT name."""

    KIND = "resource"
    #: set by the host when the object is handed to the guest (its handle in the trace)
    rep: int = 0

    def describe(self) -> dict[str, Any]:
        """What the trace shows besides ``resource`` and ``handle`` (a path, a stream's end)."""
        return {}

    def close(self) -> None:
        """Release what the object holds (the guest dropped its handle)."""


class StreamErrorObject(Resource):
    """The ``error`` resource of a failed stream operation: a preview 1 errno underneath."""

    KIND = "error"

    def __init__(self, errno: int) -> None:
        self.errno = errno

    def describe(self) -> dict[str, Any]:
        return {"error-code": error_code(self.errno)}


@dataclass(frozen=True)
class WitFunc:
    """One function of a WIT interface: ``call`` is ``"INTERFACE#NAME"`` as the trace spells it."""

    interface: str  # "wasi:filesystem/types"
    name: str  # "[method]descriptor.open-at"
    params: tuple[str, ...]  # WIT parameter names, "self" first for a method
    body: Callable[..., Any]
    err: str | None
    tagged: bool
    #: the version of the interface's package (WASI's own: VERSION)
    version: str = VERSION
    #: the trace event's ``phase``: ``"run"``, or ``"libc"`` for what the guest's libc reports
    phase: str = "run"

    @property
    def instance(self) -> str:
        return f"{self.interface}@{self.version}"

    @property
    def call(self) -> str:
        return f"{self.instance}#{self.name}"


#: every function, in the order the files declare them
REGISTRY: list[WitFunc] = []
#: interface -> {resource name: its host type number}
RESOURCES: dict[str, dict[str, int]] = {}


def wit(
    interface: str,
    name: str,
    params: str = "",
    *,
    err: str | None = None,
    tagged: bool = False,
    version: str = VERSION,
    phase: str = "run",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``body`` as ``interface@version#name``; ``params`` are the WIT parameter names,
    spaced; ``phase`` is its trace events' phase."""

    def register(body: Callable[..., Any]) -> Callable[..., Any]:
        names = tuple(params.split())
        if name.startswith("[method]"):
            names = ("self", *names)
        REGISTRY.append(WitFunc(interface, name, names, body, err, tagged, version, phase))
        return body

    return register


def resource(interface: str, name: str, cls: type[Resource]) -> int:
    """Declare the resource ``name`` of ``interface``, stood for by ``cls``; return its type."""
    number = sum(len(r) for r in RESOURCES.values()) + 1
    RESOURCES.setdefault(interface, {})[name] = number
    cls.TYPE = number  # type: ignore[attr-defined]
    return number


#: preview 1 errno -> the WIT ``error-code`` of wasi:filesystem (the adapter maps it back)
_FS_CODES = {
    "acces": "access", "again": "would-block", "already": "already", "badf": "bad-descriptor",
    "busy": "busy", "deadlk": "deadlock", "dquot": "quota", "exist": "exist",
    "fbig": "file-too-large", "ilseq": "illegal-byte-sequence", "inprogress": "in-progress",
    "intr": "interrupted", "inval": "invalid", "io": "io", "isdir": "is-directory",
    "loop": "loop", "mlink": "too-many-links", "msgsize": "message-size",
    "nametoolong": "name-too-long", "nodev": "no-device", "noent": "no-entry",
    "nolck": "no-lock", "nomem": "insufficient-memory", "nospc": "insufficient-space",
    "notdir": "not-directory", "notempty": "not-empty", "notrecoverable": "not-recoverable",
    "notsup": "unsupported", "notty": "no-tty", "nxio": "no-such-device",
    "overflow": "overflow", "perm": "not-permitted", "pipe": "pipe", "rofs": "read-only",
    "spipe": "invalid-seek", "txtbsy": "text-file-busy", "xdev": "cross-device",
    "notcapable": "not-permitted", "nosys": "unsupported", "2big": "invalid",
    "fault": "invalid", "range": "invalid",
}  # fmt: skip
_FS_BY_ERRNO = tuple(_FS_CODES.get(name, "io") for name in ERRNO_NAMES)


def error_code(errno: int) -> str:
    """Return the wasi:filesystem ``error-code`` name of a preview 1 errno (``io`` if none)."""
    return _FS_BY_ERRNO[errno] if 0 <= errno < len(_FS_BY_ERRNO) else "io"


_NET_CODES = {
    "acces": "access-denied", "perm": "access-denied", "notcapable": "access-denied",
    "notsup": "not-supported", "inval": "invalid-argument", "nomem": "out-of-memory",
    "timedout": "timeout", "again": "would-block", "addrinuse": "address-in-use",
    "addrnotavail": "address-not-bindable", "connrefused": "connection-refused",
    "connreset": "connection-reset", "connaborted": "connection-aborted",
    "hostunreach": "remote-unreachable", "netunreach": "remote-unreachable",
    "already": "invalid-state", "notconn": "invalid-state", "isconn": "invalid-argument",
    "afnosupport": "invalid-argument", "destaddrreq": "invalid-argument",
    "msgsize": "datagram-too-large", "mfile": "new-socket-limit",
}  # fmt: skip


def net_error_code(errno: int) -> str:
    """Return the wasi:sockets ``error-code`` name of a preview 1 errno (``unknown`` if none)."""
    name = ERRNO_NAMES[errno] if 0 <= errno < len(ERRNO_NAMES) else ""
    return _NET_CODES.get(name, "unknown")
