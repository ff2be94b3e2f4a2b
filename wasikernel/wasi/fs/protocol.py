"""The file-system seam: the :class:`FileSystem` protocol its implementations follow, the
:class:`Stat` they answer, and the failures they raise.

A FileSystem only ever sees one path component at a time, relative to a directory handle it
gave out (``name`` never contains ``/``; ``"."`` means the directory itself): walking a whole
path is :mod:`.resolution`'s job. Failures are :class:`FsError` carrying a WASI errno; refusals
of the sandbox are :class:`Refusal` (errno ``perm``, as wasmtime answers, plus the capability
and a sentence).
"""

from __future__ import annotations

from typing import Any, NamedTuple, Protocol

from ... import messages
from ..errno import Errno

__all__ = [
    "FileSystem", "FileHandle", "OpenMode", "Stat", "FsError", "Refusal", "refuse_change",
    "MAX_READ",
]  # fmt: skip

#: the most bytes one read asks the host for (a huge guest length is bounded, never allocated)
MAX_READ = 16 * 1024 * 1024


class Stat(NamedTuple):
    """A WASI filestat."""

    dev: int
    ino: int
    filetype: int
    nlink: int
    size: int
    atim: int
    mtim: int
    ctim: int


class FsError(Exception):
    """A filesystem failure with a WASI errno."""

    def __init__(self, errno: int, note: str = "") -> None:
        super().__init__(errno, note)
        self.errno = int(errno)
        self.note = note


class Refusal(FsError):
    """The sandbox refused: ``capability`` was missing; ``reason`` says it to a beginner."""

    def __init__(self, capability: str, reason: str, errno: int = Errno.PERM) -> None:
        super().__init__(errno, reason)
        self.capability = capability
        self.reason = reason


class OpenMode(NamedTuple):
    """How :meth:`FileSystem.open_file` opens a file: the POSIX open flags a guest asked for."""

    read: bool
    write: bool
    create: bool = False
    excl: bool = False
    trunc: bool = False
    append: bool = False


class FileHandle(Protocol):
    """An open regular file (or other non-directory) of a FileSystem."""

    def read(self, n: int) -> bytes: ...
    def write(self, data: bytes) -> int: ...
    def pread(self, n: int, offset: int) -> bytes: ...
    def pwrite(self, data: bytes, offset: int) -> int: ...
    def seek(self, offset: int, whence: int) -> int: ...
    def stat(self) -> Stat: ...
    def truncate(self, size: int) -> None: ...
    def allocate(self, offset: int, length: int) -> None: ...
    def set_times(self, atim: int | None, mtim: int | None) -> None: ...
    def sync(self) -> None: ...
    def close(self) -> None: ...
    def set_append(self, append: bool) -> None: ...


class FileSystem(Protocol):
    """One directory tree granted to a guest; names are single components (see module doc)."""

    read_only: bool

    def root(self) -> Any:
        """Return a directory handle for the root of the tree."""
        ...

    def lstat(self, parent: Any, name: str) -> Stat:
        """Stat ``name`` in ``parent`` without following a link; raises FsError."""
        ...

    def dir_stat(self, d: Any) -> Stat:
        """Stat an open directory."""
        ...

    def open_dir(self, parent: Any, name: str) -> Any:
        """Open the sub-directory ``name`` (never through a link); raises FsError."""
        ...

    def close_dir(self, d: Any) -> None:
        """Release a directory handle."""
        ...

    def readlink(self, parent: Any, name: str) -> str:
        """Return the target of the link ``name``; raises FsError (``inval`` if not a link)."""
        ...

    def open_file(self, parent: Any, name: str, mode: OpenMode) -> FileHandle:
        """Open (or create) the non-directory ``name`` as ``mode`` says, never through a link."""
        ...

    def listdir(self, d: Any) -> list[tuple[str, int, int]]:
        """Return ``(name, filetype, inode)`` for each entry, ``.`` and ``..`` excluded."""
        ...

    def mkdir(self, parent: Any, name: str) -> None: ...
    def rmdir(self, parent: Any, name: str) -> None: ...
    def unlink(self, parent: Any, name: str) -> None: ...
    def symlink(self, target: str, parent: Any, name: str) -> None: ...
    def link(self, p1: Any, n1: str, p2: Any, n2: str) -> None: ...
    def rename(self, p1: Any, n1: str, p2: Any, n2: str) -> None: ...
    def set_times(self, parent: Any, name: str, atim: int | None, mtim: int | None) -> None: ...


def refuse_change(read_only: bool, name: str) -> None:
    """Raise Refusal("write") when the file system is ``read_only``.

    Every change a FileSystem or a FileHandle makes goes through this first: the last line of
    defence behind each ABI face's own check (which names the guest's whole path, so a guest
    normally meets that one).
    """
    if read_only:
        raise Refusal("write", messages.t("read_only", path=name))
