"""An in-memory tree (:data:`wasikernel.sandbox.MemoryTree`) as a :class:`~.protocol.FileSystem`.

Directory handles are the :class:`MemDir` nodes themselves. Everything the tree holds counts
against a :class:`SpaceBudget`, checked before anything is allocated.
"""

from __future__ import annotations

import itertools
import time

from ... import messages
from ..errno import FT_DIR, FT_FILE, FT_SYMLINK, Errno
from .protocol import MAX_READ, FsError, OpenMode, Refusal, Stat, refuse_change

__all__ = ["MemoryFileSystem", "SpaceBudget", "MemDir", "MemFile", "MemLink", "MAX_FILE"]

#: the largest in-memory file (EFBIG past it), whatever the space budget allows
MAX_FILE = 1024 * 1024 * 1024
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
    __slots__ = (
        "node", "budget", "read_only", "name", "pos", "append", "readable", "writable", "closed",
    )  # fmt: skip

    def __init__(
        self,
        node: MemFile,
        budget: SpaceBudget,
        readable: bool,
        writable: bool,
        append: bool,
        read_only: bool = False,
        name: str = "",
    ) -> None:
        self.node = node
        self.budget = budget
        self.read_only = read_only
        self.name = name  # as opened, for a refusal's sentence
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
        refuse_change(self.read_only, self.name)
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
        from ...sandbox import Limits

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

    def open_file(self, parent: MemDir, name: str, mode: OpenMode) -> _MemOpenFile:
        refuse_change(self.read_only and (mode.write or mode.create or mode.trunc), name)
        node = parent.entries.get(name) if name != "." else parent
        if node is None:
            if not mode.create:
                raise FsError(Errno.NOENT)
            node = MemFile()
            self._add(parent, name, node)
        elif mode.excl and mode.create:
            raise FsError(Errno.EXIST)
        if isinstance(node, MemLink):
            raise FsError(Errno.LOOP)
        if isinstance(node, MemDir):
            raise FsError(Errno.ISDIR)
        assert isinstance(node, MemFile)
        handle = _MemOpenFile(
            node, self.budget, mode.read, mode.write, mode.append, self.read_only, name
        )
        if mode.trunc:
            self.budget.release(len(node.data))
            del node.data[:]
        return handle

    def listdir(self, d: MemDir) -> list[tuple[str, int, int]]:
        return [(name, _ftype(n), n.ino) for name, n in d.entries.items()]

    def mkdir(self, parent: MemDir, name: str) -> None:
        refuse_change(self.read_only, name)
        if name == "." or name in parent.entries:
            raise FsError(Errno.EXIST)
        self._add(parent, name, MemDir(parent))

    def rmdir(self, parent: MemDir, name: str) -> None:
        refuse_change(self.read_only, name)
        if name == ".":
            raise FsError(Errno.INVAL)
        node = self._get(parent, name)
        if not isinstance(node, MemDir):
            raise FsError(Errno.NOTDIR)
        if node.entries:
            raise FsError(Errno.NOTEMPTY)
        self._remove(parent, name)

    def unlink(self, parent: MemDir, name: str) -> None:
        refuse_change(self.read_only, name)
        node = self._get(parent, name)
        if isinstance(node, MemDir):
            raise FsError(Errno.ISDIR)
        self._remove(parent, name)

    def symlink(self, target: str, parent: MemDir, name: str) -> None:
        refuse_change(self.read_only, name)
        if name == "." or name in parent.entries:
            raise FsError(Errno.EXIST)
        self._add(parent, name, MemLink(target))

    def link(self, p1: MemDir, n1: str, p2: MemDir, n2: str) -> None:
        refuse_change(self.read_only, n2)
        node = self._get(p1, n1)
        if isinstance(node, MemDir):
            raise FsError(Errno.PERM)
        if n2 == "." or n2 in p2.entries:
            raise FsError(Errno.EXIST)
        self._add(p2, n2, node, new=False)
        node.nlink += 1

    def rename(self, p1: MemDir, n1: str, p2: MemDir, n2: str) -> None:
        refuse_change(self.read_only, n1)
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
        refuse_change(self.read_only, name)
        _touch(self._get(parent, name), atim, mtim)
