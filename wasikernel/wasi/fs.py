"""The filesystem layer: a :class:`FileSystem` protocol and two implementations.

A FileSystem only ever sees one path component at a time, relative to a directory handle it
gave out (``name`` never contains ``/``; ``"."`` means the directory itself). Walking a whole
path, ``..`` and symbolic links is the resolver's job (:func:`resolve`), which keeps a stack of
directory handles as cap-std does, so no path can climb above the directory it starts from.

* :class:`HostFileSystem` is a folder on the host. Every call goes through ``dir_fd`` and
  ``O_NOFOLLOW``: the kernel never follows a link for us, so a link swapped in by a race still
  cannot lead outside.
* :class:`MemoryFileSystem` is an in-memory tree (:data:`wasikernel.sandbox.MemoryTree`).

Failures are :class:`FsError` carrying a WASI errno; refusals of the sandbox are
:class:`Refusal` (errno ``perm``, as wasmtime answers, plus the capability and a sentence).
"""

from __future__ import annotations

import itertools
import os
import stat as _stat
import time
from collections.abc import Callable
from typing import Any, NamedTuple, Protocol

from .. import messages
from .errno import FT_CHAR, FT_DIR, FT_FILE, FT_SYMLINK, FT_UNKNOWN, Errno, errno_from_os

__all__ = [
    "FileSystem",
    "FileHandle",
    "HostFileSystem",
    "MemoryFileSystem",
    "SpaceBudget",
    "Stat",
    "FsError",
    "Refusal",
    "resolve",
    "MAX_READ",
]

#: the most bytes one read asks the host for (a huge guest length is bounded, never allocated)
MAX_READ = 16 * 1024 * 1024
#: a path of this many bytes or more is ``nametoolong`` (Linux's PATH_MAX, NUL included)
PATH_MAX = 4096
#: the longest name of one component, in bytes (Linux's NAME_MAX)
NAME_MAX = 255
#: how many symbolic links one resolution may expand before ``loop`` (Linux's MAXSYMLINKS)
MAX_SYMLINKS = 40
#: how many components the resolver walks between two calls of its ``check``
CHECK_EVERY = 256
#: the largest in-memory file (EFBIG past it), whatever the space budget allows
MAX_FILE = 1024 * 1024 * 1024


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

    def open_file(
        self,
        parent: Any,
        name: str,
        *,
        read: bool,
        write: bool,
        create: bool,
        excl: bool,
        trunc: bool,
        append: bool,
    ) -> FileHandle:
        """Open (or create) the non-directory ``name``, never through a link."""
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


# --------------------------------------------------------------------------------------------
# The resolver


def resolve(
    fs: FileSystem,
    start: Any,
    path: str,
    *,
    follow: bool,
    guest_base: str = "/",
    check: Callable[[], None] | None = None,
) -> tuple[Any, str, list[Any]]:
    """Walk ``path`` beneath ``start``; return ``(parent, name, opened)``.

    ``name`` is the last component (``"."`` when the path names ``parent`` itself), never a
    link when ``follow`` is true. ``opened`` lists the directory handles opened on the way, to
    close with :func:`release` (``parent`` is among them unless it is ``start``).
    The work is linear in the path and bounded: a path of :data:`PATH_MAX` bytes or more is
    ``nametoolong``, and at most :data:`MAX_SYMLINKS` links are expanded (then ``loop``), as
    Linux does. ``check`` is called every :data:`CHECK_EVERY` steps, so that a time limit or an
    interrupt it raises (``LimitReached``) ends even one long walk.
    Raises Refusal for an absolute path, a ``..`` above ``start`` or a link leading out;
    FsError for anything else (``noent``, ``notdir``, ``loop``, ``nametoolong``).
    """
    if path == "":
        raise FsError(Errno.NOENT)
    if len(path) >= PATH_MAX or len(path.encode("utf-8", "surrogateescape")) >= PATH_MAX:
        raise FsError(Errno.NAMETOOLONG)
    if "\0" in path:
        raise FsError(Errno.ILSEQ)
    if path.startswith("/"):
        raise Refusal("preopen", messages.t("outside_preopen", path=path))
    todo = path.split("/")
    todo.reverse()
    names_left = _count_names(todo)  # components still to walk that are not "" or "."
    stack = [start]
    opened: list[Any] = []
    links = 0
    steps = 0
    via_link: str | None = None
    try:
        while todo:
            comp = todo.pop()
            if comp in ("", "."):
                if not todo:
                    return stack[-1], ".", opened
                continue
            names_left -= 1
            steps += 1
            if check is not None and steps % CHECK_EVERY == 0:
                check()
            last = names_left == 0
            if comp == "..":
                if len(stack) == 1:
                    shown = _guest_join(guest_base, path)
                    if via_link is not None:
                        reason = messages.t("symlink_escape", path=path, link=via_link)
                    else:
                        reason = messages.t("outside_preopen", path=shown)
                    raise Refusal("preopen", reason)
                fs.close_dir(stack.pop())
                opened.pop()  # ``opened`` is ``stack[1:]``: the handle just closed
                if last:
                    return stack[-1], ".", opened
                continue
            if len(comp.encode("utf-8", "surrogateescape")) > NAME_MAX:
                raise FsError(Errno.NAMETOOLONG)
            parent = stack[-1]
            need_dir = last and bool(todo)
            if last and not need_dir and not follow:
                return parent, comp, opened
            try:
                st = fs.lstat(parent, comp)
            except FsError:
                if last:
                    return parent, comp, opened
                raise
            if st.filetype == FT_SYMLINK and (not last or follow or need_dir):
                links += 1
                if links > MAX_SYMLINKS:
                    raise FsError(Errno.LOOP)
                target = fs.readlink(parent, comp)
                if target.startswith("/"):
                    raise Refusal(
                        "preopen",
                        messages.t("symlink_escape", path=path, link=comp),
                    )
                if via_link is None:
                    via_link = comp
                parts = target.split("/")
                if need_dir:
                    parts.append("")
                names_left += _count_names(parts)
                todo.extend(reversed(parts))
                continue
            if last:
                if need_dir and st.filetype != FT_DIR:
                    raise FsError(Errno.NOTDIR)
                if need_dir:
                    d = fs.open_dir(parent, comp)
                    opened.append(d)
                    stack.append(d)
                    return d, ".", opened
                return parent, comp, opened
            if st.filetype != FT_DIR:
                raise FsError(Errno.NOTDIR)
            d = fs.open_dir(parent, comp)
            opened.append(d)
            stack.append(d)
        return stack[-1], ".", opened
    except BaseException:
        release(fs, opened)
        raise


def _count_names(parts: list[str]) -> int:
    return sum(1 for c in parts if c not in ("", "."))


def release(fs: FileSystem, opened: list[Any], keep: Any = None) -> None:
    """Close the directory handles ``resolve`` opened, except ``keep``."""
    for d in opened:
        if d is not keep:
            fs.close_dir(d)


def _guest_join(base: str, path: str) -> str:
    import posixpath

    joined = posixpath.normpath(posixpath.join(base or "/", path))
    return joined if joined.startswith("/") else "/" + joined


# --------------------------------------------------------------------------------------------
# Host folders


def _host_stat(st: os.stat_result) -> Stat:
    mode = st.st_mode
    if _stat.S_ISREG(mode):
        ft = FT_FILE
    elif _stat.S_ISDIR(mode):
        ft = FT_DIR
    elif _stat.S_ISLNK(mode):
        ft = FT_SYMLINK
    elif _stat.S_ISCHR(mode):
        ft = FT_CHAR
    elif _stat.S_ISBLK(mode):
        ft = 1
    else:
        ft = FT_UNKNOWN
    return Stat(
        st.st_dev, st.st_ino, ft, st.st_nlink, st.st_size,
        st.st_atime_ns, st.st_mtime_ns, st.st_ctime_ns,
    )  # fmt: skip


def _oserr(exc: OSError) -> FsError:
    return FsError(errno_from_os(exc), str(exc.strerror or exc))


class _HostFile:
    __slots__ = ("fd",)

    def __init__(self, fd: int) -> None:
        self.fd = fd

    def read(self, n: int) -> bytes:
        try:
            return os.read(self.fd, min(n, MAX_READ))
        except OSError as exc:
            raise _oserr(exc) from None

    def write(self, data: bytes) -> int:
        try:
            return os.write(self.fd, data)
        except OSError as exc:
            raise _oserr(exc) from None

    def pread(self, n: int, offset: int) -> bytes:
        try:
            return os.pread(self.fd, min(n, MAX_READ), offset)
        except OSError as exc:
            raise _oserr(exc) from None

    def pwrite(self, data: bytes, offset: int) -> int:
        try:
            return os.pwrite(self.fd, data, offset)
        except OSError as exc:
            raise _oserr(exc) from None

    def seek(self, offset: int, whence: int) -> int:
        try:
            return os.lseek(self.fd, offset, whence)
        except OSError as exc:
            raise _oserr(exc) from None

    def stat(self) -> Stat:
        try:
            return _host_stat(os.fstat(self.fd))
        except OSError as exc:
            raise _oserr(exc) from None

    def truncate(self, size: int) -> None:
        try:
            os.ftruncate(self.fd, size)
        except OSError as exc:
            raise _oserr(exc) from None

    def allocate(self, offset: int, length: int) -> None:
        try:
            os.posix_fallocate(self.fd, offset, length)
        except OSError as exc:
            raise _oserr(exc) from None

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        try:
            st = os.fstat(self.fd)
            now = time.time_ns()
            a = st.st_atime_ns if atim is None else (now if atim < 0 else atim)
            m = st.st_mtime_ns if mtim is None else (now if mtim < 0 else mtim)
            os.utime(self.fd, ns=(a, m))
        except OSError as exc:
            raise _oserr(exc) from None

    def sync(self) -> None:
        try:
            os.fsync(self.fd)
        except OSError as exc:
            raise _oserr(exc) from None

    def close(self) -> None:
        try:
            os.close(self.fd)
        except OSError:
            pass

    def set_append(self, append: bool) -> None:
        import fcntl

        flags = fcntl.fcntl(self.fd, fcntl.F_GETFL)
        flags = flags | os.O_APPEND if append else flags & ~os.O_APPEND
        fcntl.fcntl(self.fd, fcntl.F_SETFL, flags)


_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC


class HostFileSystem:
    """A host folder; directory handles are file descriptors opened with ``O_NOFOLLOW``.

    Raises FsError from the constructor when ``path`` is not a directory.
    """

    def __init__(self, path: str, read_only: bool = False) -> None:
        self.path = os.path.abspath(path)
        self.read_only = read_only
        try:
            self._root = os.open(self.path, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        except OSError as exc:
            raise _oserr(exc) from None

    def root(self) -> int:
        return self._root

    def lstat(self, parent: int, name: str) -> Stat:
        try:
            return _host_stat(os.stat(name, dir_fd=parent, follow_symlinks=False))
        except OSError as exc:
            raise _oserr(exc) from None

    def dir_stat(self, d: int) -> Stat:
        try:
            return _host_stat(os.fstat(d))
        except OSError as exc:
            raise _oserr(exc) from None

    def open_dir(self, parent: int, name: str) -> int:
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=parent)
        except OSError as exc:
            raise _oserr(exc) from None

    def close_dir(self, d: int) -> None:
        if d != self._root:
            try:
                os.close(d)
            except OSError:
                pass

    def readlink(self, parent: int, name: str) -> str:
        try:
            return os.readlink(name, dir_fd=parent)
        except OSError as exc:
            raise _oserr(exc) from None

    def open_file(
        self,
        parent: int,
        name: str,
        *,
        read: bool,
        write: bool,
        create: bool,
        excl: bool,
        trunc: bool,
        append: bool,
    ) -> _HostFile:
        flags = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NOCTTY
        flags |= os.O_RDWR if read and write else os.O_WRONLY if write else os.O_RDONLY
        if create:
            flags |= os.O_CREAT
        if excl:
            flags |= os.O_EXCL
        if trunc:
            flags |= os.O_TRUNC
        if append:
            flags |= os.O_APPEND
        try:
            fd = os.open(name, flags | os.O_NONBLOCK, 0o644, dir_fd=parent)
        except OSError as exc:
            raise _oserr(exc) from None
        try:  # a FIFO or device stays non-blocking, so a read can never hang the run
            import fcntl

            if _stat.S_ISREG(os.fstat(fd).st_mode):
                fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        except OSError:
            pass
        return _HostFile(fd)

    def listdir(self, d: int) -> list[tuple[str, int, int]]:
        out = []
        try:
            with os.scandir(d) as it:
                for entry in it:
                    try:
                        st = _host_stat(entry.stat(follow_symlinks=False))
                        out.append((entry.name, st.filetype, st.ino))
                    except OSError:
                        out.append((entry.name, FT_UNKNOWN, entry.inode()))
        except OSError as exc:
            raise _oserr(exc) from None
        return out

    def mkdir(self, parent: int, name: str) -> None:
        try:
            os.mkdir(name, 0o755, dir_fd=parent)
        except OSError as exc:
            raise _oserr(exc) from None

    def rmdir(self, parent: int, name: str) -> None:
        try:
            os.rmdir(name, dir_fd=parent)
        except OSError as exc:
            raise _oserr(exc) from None

    def unlink(self, parent: int, name: str) -> None:
        try:
            os.unlink(name, dir_fd=parent)
        except OSError as exc:
            raise _oserr(exc) from None

    def symlink(self, target: str, parent: int, name: str) -> None:
        try:
            os.symlink(target, name, dir_fd=parent)
        except OSError as exc:
            raise _oserr(exc) from None

    def link(self, p1: int, n1: str, p2: int, n2: str) -> None:
        try:
            os.link(n1, n2, src_dir_fd=p1, dst_dir_fd=p2, follow_symlinks=False)
        except OSError as exc:
            raise _oserr(exc) from None

    def rename(self, p1: int, n1: str, p2: int, n2: str) -> None:
        try:
            os.rename(n1, n2, src_dir_fd=p1, dst_dir_fd=p2)
        except OSError as exc:
            raise _oserr(exc) from None

    def set_times(self, parent: int, name: str, atim: int | None, mtim: int | None) -> None:
        try:
            st = os.stat(name, dir_fd=parent, follow_symlinks=False)
            now = time.time_ns()
            a = st.st_atime_ns if atim is None else (now if atim < 0 else atim)
            m = st.st_mtime_ns if mtim is None else (now if mtim < 0 else mtim)
            os.utime(name, ns=(a, m), dir_fd=parent, follow_symlinks=False)
        except OSError as exc:
            raise _oserr(exc) from None

    def close(self) -> None:
        """Close the root handle."""
        try:
            os.close(self._root)
        except OSError:
            pass


# --------------------------------------------------------------------------------------------
# In-memory trees

_inodes = itertools.count(1000)

#: what one directory entry costs the space budget beyond its name (a node, its dict slot)
ENTRY_BYTES = 256


class SpaceBudget:
    """The bytes the in-memory trees of one run may hold together (``max_mib`` MiB).

    Shared by every :class:`MemoryFileSystem` of a run; :meth:`charge` raises a Refusal with
    errno ``nospc`` (what a size-limited tmpfs answers when full) before anything is allocated.
    """

    __slots__ = ("max_mib", "limit", "used")

    def __init__(self, max_mib: int) -> None:
        self.max_mib = max_mib
        self.limit = max_mib * 1024 * 1024
        self.used = 0

    def charge(self, n: int, *, force: bool = False) -> None:
        """Count ``n`` more bytes; raise Refusal("storage") past the limit unless ``force``."""
        if n > 0 and not force and self.used + n > self.limit:
            raise Refusal("storage", messages.t("limit_tree", mib=self.max_mib), Errno.NOSPC)
        self.used += n

    def release(self, n: int) -> None:
        """Give back ``n`` bytes."""
        self.used -= n


def _entry_cost(name: str) -> int:
    return ENTRY_BYTES + len(name.encode("utf-8", "surrogateescape"))


class _Node:
    __slots__ = ("ino", "atim", "mtim", "ctim", "nlink")

    def __init__(self) -> None:
        self.ino = next(_inodes)
        now = time.time_ns()
        self.atim = self.mtim = self.ctim = now
        self.nlink = 1

    def content_bytes(self) -> int:
        """The bytes this node holds beyond its directory entries."""
        return 0


class MemDir(_Node):
    """An in-memory directory."""

    __slots__ = ("entries", "parent")

    def __init__(self, parent: MemDir | None = None) -> None:
        super().__init__()
        self.entries: dict[str, _Node] = {}
        self.parent = parent


class MemFile(_Node):
    """An in-memory regular file; ``opens`` counts the handles open on it."""

    __slots__ = ("data", "opens")

    def __init__(self, data: bytes = b"") -> None:
        super().__init__()
        self.data = bytearray(data)
        self.opens = 0

    def content_bytes(self) -> int:
        return len(self.data)


class MemLink(_Node):
    """An in-memory symbolic link."""

    __slots__ = ("target",)

    def __init__(self, target: str) -> None:
        super().__init__()
        self.target = target

    def content_bytes(self) -> int:
        return len(self.target.encode("utf-8", "surrogateescape"))


def _ftype(node: _Node) -> int:
    if isinstance(node, MemDir):
        return FT_DIR
    if isinstance(node, MemFile):
        return FT_FILE
    return FT_SYMLINK


def _mstat(node: _Node) -> Stat:
    size = 4096 if isinstance(node, MemDir) else node.content_bytes()
    return Stat(7, node.ino, _ftype(node), node.nlink, size, node.atim, node.mtim, node.ctim)


class _MemOpenFile:
    __slots__ = ("node", "budget", "pos", "append", "readable", "writable", "closed")

    def __init__(
        self, node: MemFile, budget: SpaceBudget, readable: bool, writable: bool, append: bool
    ) -> None:
        self.node = node
        self.budget = budget
        self.pos = 0
        self.append = append
        self.readable = readable
        self.writable = writable
        self.closed = False
        node.opens += 1

    def read(self, n: int) -> bytes:
        data = self.pread(n, self.pos)
        self.pos += len(data)
        return data

    def write(self, data: bytes) -> int:
        if self.append:
            self.pos = len(self.node.data)
        n = self.pwrite(data, self.pos)
        self.pos += n
        return n

    def pread(self, n: int, offset: int) -> bytes:
        if not self.readable:
            raise FsError(Errno.BADF)
        return bytes(self.node.data[offset : offset + min(n, MAX_READ)])

    def pwrite(self, data: bytes, offset: int) -> int:
        if not self.writable:
            raise FsError(Errno.BADF)
        buf = self.node.data
        end = offset + len(data)
        if end > len(buf):
            self._grow(end)  # the gap before a sparse write is counted, then allocated
        buf[offset:end] = data
        self.node.mtim = time.time_ns()
        return len(data)

    def _grow(self, size: int) -> None:
        """Extend the file with zeros to ``size`` bytes, within the space budget."""
        buf = self.node.data
        grow = size - len(buf)
        self.budget.charge(grow)
        if size > MAX_FILE:  # a budget raised above a GiB still makes no bigger file
            self.budget.release(grow)
            raise FsError(Errno.FBIG)
        buf.extend(bytes(grow))

    def seek(self, offset: int, whence: int) -> int:
        base = (0, self.pos, len(self.node.data))[whence]
        if base + offset < 0:
            raise FsError(Errno.INVAL)
        self.pos = base + offset
        return self.pos

    def stat(self) -> Stat:
        return _mstat(self.node)

    def truncate(self, size: int) -> None:
        if not self.writable:
            raise FsError(Errno.INVAL)  # as ftruncate(2) on a descriptor not open for writing
        buf = self.node.data
        if size < len(buf):
            self.budget.release(len(buf) - size)
            del buf[size:]
        else:
            self._grow(size)

    def allocate(self, offset: int, length: int) -> None:
        if offset + length > len(self.node.data):
            self.truncate(offset + length)

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        _touch(self.node, atim, mtim)

    def sync(self) -> None:
        return None

    def close(self) -> None:
        if self.closed:
            return
        self.closed = True
        node = self.node
        node.opens -= 1
        if node.opens == 0 and node.nlink == 0:  # the last handle of a removed file
            self.budget.release(len(node.data))

    def set_append(self, append: bool) -> None:
        self.append = append


def _touch(node: _Node, atim: int | None, mtim: int | None) -> None:
    now = time.time_ns()
    if atim is not None:
        node.atim = now if atim < 0 else atim
    if mtim is not None:
        node.mtim = now if mtim < 0 else mtim


class MemoryFileSystem:
    """An in-memory tree built from a :data:`~wasikernel.sandbox.MemoryTree` dict.

    Its contents count against ``budget`` (a :class:`SpaceBudget`, which several trees of a run
    may share; by default one of :attr:`Limits.max_tree_mib <wasikernel.sandbox.Limits>`): a
    change past it raises Refusal with ``nospc``. The initial tree counts but is never refused.
    :meth:`to_tree` returns the tree as it is now (the files a run left behind).
    """

    def __init__(
        self, tree: dict | None = None, read_only: bool = False, budget: SpaceBudget | None = None
    ) -> None:
        from ..sandbox import Limits

        self.read_only = read_only
        self.budget = budget if budget is not None else SpaceBudget(Limits().max_tree_mib)
        self._root = MemDir()
        self._fill(self._root, tree or {})

    def _fill(self, d: MemDir, tree: dict) -> None:
        for name, value in tree.items():
            node: _Node = MemDir(d) if isinstance(value, dict) else MemFile(bytes(value))
            self.budget.charge(_entry_cost(name) + node.content_bytes(), force=True)
            d.entries[name] = node
            if isinstance(node, MemDir):
                self._fill(node, value)

    def to_tree(self, d: MemDir | None = None) -> dict:
        """Return the current contents as nested dicts of bytes (links are left out)."""
        d = d or self._root
        out: dict = {}
        for name, node in d.entries.items():
            if isinstance(node, MemDir):
                out[name] = self.to_tree(node)
            elif isinstance(node, MemFile):
                out[name] = bytes(node.data)
        return out

    def root(self) -> MemDir:
        return self._root

    def _get(self, parent: MemDir, name: str) -> _Node:
        if name == ".":
            return parent
        node = parent.entries.get(name)
        if node is None:
            raise FsError(Errno.NOENT)
        return node

    def _add(self, parent: MemDir, name: str, node: _Node, *, new: bool = True) -> None:
        """Enter ``node`` as ``name`` in ``parent``, charging its entry (and, when ``new``,
        its contents) to the budget first."""
        self.budget.charge(_entry_cost(name) + (node.content_bytes() if new else 0))
        parent.entries[name] = node
        parent.mtim = time.time_ns()

    def _remove(self, parent: MemDir, name: str) -> None:
        """Take the entry ``name`` out of ``parent``; a node left with no name and no open
        handle gives its contents back to the budget."""
        node = parent.entries.pop(name)
        parent.mtim = time.time_ns()
        node.nlink -= 1
        released = _entry_cost(name)
        if node.nlink == 0 and not (isinstance(node, MemFile) and node.opens):
            released += node.content_bytes()
        self.budget.release(released)

    def lstat(self, parent: MemDir, name: str) -> Stat:
        return _mstat(self._get(parent, name))

    def dir_stat(self, d: MemDir) -> Stat:
        return _mstat(d)

    def open_dir(self, parent: MemDir, name: str) -> MemDir:
        node = self._get(parent, name)
        if isinstance(node, MemLink):
            raise FsError(Errno.LOOP)
        if not isinstance(node, MemDir):
            raise FsError(Errno.NOTDIR)
        return node

    def close_dir(self, d: MemDir) -> None:
        return None

    def readlink(self, parent: MemDir, name: str) -> str:
        node = self._get(parent, name)
        if not isinstance(node, MemLink):
            raise FsError(Errno.INVAL)
        return node.target

    def open_file(
        self,
        parent: MemDir,
        name: str,
        *,
        read: bool,
        write: bool,
        create: bool,
        excl: bool,
        trunc: bool,
        append: bool,
    ) -> _MemOpenFile:
        node = parent.entries.get(name) if name != "." else parent
        if node is None:
            if not create:
                raise FsError(Errno.NOENT)
            node = MemFile()
            self._add(parent, name, node)
        elif excl and create:
            raise FsError(Errno.EXIST)
        if isinstance(node, MemLink):
            raise FsError(Errno.LOOP)
        if isinstance(node, MemDir):
            raise FsError(Errno.ISDIR)
        assert isinstance(node, MemFile)
        handle = _MemOpenFile(node, self.budget, read, write, append)
        if trunc:
            self.budget.release(len(node.data))
            del node.data[:]
        return handle

    def listdir(self, d: MemDir) -> list[tuple[str, int, int]]:
        return [(name, _ftype(n), n.ino) for name, n in d.entries.items()]

    def mkdir(self, parent: MemDir, name: str) -> None:
        if name == "." or name in parent.entries:
            raise FsError(Errno.EXIST)
        self._add(parent, name, MemDir(parent))

    def rmdir(self, parent: MemDir, name: str) -> None:
        if name == ".":
            raise FsError(Errno.INVAL)
        node = self._get(parent, name)
        if not isinstance(node, MemDir):
            raise FsError(Errno.NOTDIR)
        if node.entries:
            raise FsError(Errno.NOTEMPTY)
        self._remove(parent, name)

    def unlink(self, parent: MemDir, name: str) -> None:
        node = self._get(parent, name)
        if isinstance(node, MemDir):
            raise FsError(Errno.ISDIR)
        self._remove(parent, name)

    def symlink(self, target: str, parent: MemDir, name: str) -> None:
        if name == "." or name in parent.entries:
            raise FsError(Errno.EXIST)
        self._add(parent, name, MemLink(target))

    def link(self, p1: MemDir, n1: str, p2: MemDir, n2: str) -> None:
        node = self._get(p1, n1)
        if isinstance(node, MemDir):
            raise FsError(Errno.PERM)
        if n2 == "." or n2 in p2.entries:
            raise FsError(Errno.EXIST)
        self._add(p2, n2, node, new=False)
        node.nlink += 1

    def rename(self, p1: MemDir, n1: str, p2: MemDir, n2: str) -> None:
        node = self._get(p1, n1)
        if n2 == ".":
            raise FsError(Errno.BUSY)
        old = p2.entries.get(n2)
        if old is not None and old is not node:
            if isinstance(node, MemDir):
                if not isinstance(old, MemDir):
                    raise FsError(Errno.NOTDIR)
                if old.entries:
                    raise FsError(Errno.NOTEMPTY)
            elif isinstance(old, MemDir):
                raise FsError(Errno.ISDIR)
        if isinstance(node, MemDir):
            walk: MemDir | None = p2
            while walk is not None:
                if walk is node:
                    raise FsError(Errno.INVAL)
                walk = walk.parent
        if old is node:  # two names of one file: rename(2) leaves both
            return
        self.budget.charge(_entry_cost(n2) - _entry_cost(n1))  # a longer name costs more
        if old is not None:
            self._remove(p2, n2)
        del p1.entries[n1]
        p2.entries[n2] = node
        p1.mtim = p2.mtim = time.time_ns()
        if isinstance(node, MemDir):
            node.parent = p2

    def set_times(self, parent: MemDir, name: str, atim: int | None, mtim: int | None) -> None:
        _touch(self._get(parent, name), atim, mtim)
