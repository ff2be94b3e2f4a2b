"""The file systems a guest is granted, and the resolution of its paths beneath them.

This package is the file-system half of the capability core: it knows nothing of an ABI, so a
preview 1 face (``wasi/path.py``, ``wasi/fd.py``) and a preview 2 face can share it.

* :mod:`.protocol`: the :class:`FileSystem` protocol (one path component at a time, relative
  to a directory handle it gave out), :class:`Stat`, :class:`FsError` and :class:`Refusal`.
* :mod:`.resolution`: :func:`resolve` walks a whole path, ``..`` and symbolic links, keeping a
  stack of directory handles as cap-std does, so no path can climb above its directory; linear
  and bounded (PATH_MAX, MAXSYMLINKS), and interruptible.
* :mod:`.host_folder`: :class:`HostFileSystem`, a folder on the host, reached only through
  ``dir_fd`` and ``O_NOFOLLOW``.
* :mod:`.memory_tree`: :class:`MemoryFileSystem`, an in-memory tree within a
  :class:`SpaceBudget`.
"""

from __future__ import annotations

from .host_folder import HostFileSystem
from .memory_tree import MAX_FILE, MemoryFileSystem, SpaceBudget
from .protocol import MAX_READ, FileHandle, FileSystem, FsError, OpenMode, Refusal, Stat
from .resolution import CHECK_EVERY, MAX_SYMLINKS, NAME_MAX, PATH_MAX, release, resolve

__all__ = [
    "FileSystem",
    "FileHandle",
    "OpenMode",
    "HostFileSystem",
    "MemoryFileSystem",
    "SpaceBudget",
    "Stat",
    "FsError",
    "Refusal",
    "resolve",
    "release",
    "MAX_READ",
    "MAX_FILE",
    "PATH_MAX",
    "NAME_MAX",
    "MAX_SYMLINKS",
    "CHECK_EVERY",
]
