"""A folder on the host as a :class:`~.protocol.FileSystem`.

Every call goes through ``dir_fd`` and ``O_NOFOLLOW``: the kernel never follows a link for us,
so a link swapped in by a race still cannot lead outside. Directory handles are file
descriptors.
"""

from __future__ import annotations

import os
import stat as _stat
import time

from ..errno import FT_CHAR, FT_DIR, FT_FILE, FT_SYMLINK, FT_UNKNOWN, Errno, errno_from_os
from .protocol import MAX_READ, FsError, OpenMode, Stat, refuse_change

__all__ = ["HostFileSystem"]


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


def _oserr(exc: OSError | OverflowError) -> FsError:
    """The FsError for a failed OS call; a number too large for the OS (an offset, a size or a
    time a guest chose near 2**64) is ``inval``, as Linux answers a negative or huge offset."""
    if isinstance(exc, OverflowError):
        return FsError(Errno.INVAL, "a number too large for the host")
    return FsError(errno_from_os(exc), str(exc.strerror or exc))


def _new_times(st: os.stat_result, atim: int | None, mtim: int | None) -> tuple[int, int]:
    """The ``(atime, mtime)`` to set: ``None`` keeps a time, a negative one means now."""
    now = time.time_ns()
    a = st.st_atime_ns if atim is None else (now if atim < 0 else atim)
    m = st.st_mtime_ns if mtim is None else (now if mtim < 0 else mtim)
    return a, m


class _HostFile:
    __slots__ = ("fd", "read_only", "name")

    def __init__(self, fd: int, read_only: bool = False, name: str = "") -> None:
        self.fd = fd
        self.read_only = read_only
        self.name = name  # as opened, for a refusal's sentence

    def read(self, n: int) -> bytes:
        try:
            return os.read(self.fd, min(n, MAX_READ))
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def write(self, data: bytes) -> int:
        try:
            return os.write(self.fd, data)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def pread(self, n: int, offset: int) -> bytes:
        try:
            return os.pread(self.fd, min(n, MAX_READ), offset)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def pwrite(self, data: bytes, offset: int) -> int:
        try:
            return os.pwrite(self.fd, data, offset)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def seek(self, offset: int, whence: int) -> int:
        try:
            return os.lseek(self.fd, offset, whence)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def stat(self) -> Stat:
        try:
            return _host_stat(os.fstat(self.fd))
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def truncate(self, size: int) -> None:
        try:
            os.ftruncate(self.fd, size)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def allocate(self, offset: int, length: int) -> None:
        try:
            os.posix_fallocate(self.fd, offset, length)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def set_times(self, atim: int | None, mtim: int | None) -> None:
        refuse_change(self.read_only, self.name)
        try:
            os.utime(self.fd, ns=_new_times(os.fstat(self.fd), atim, mtim))
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def sync(self) -> None:
        try:
            os.fsync(self.fd)
        except (OSError, OverflowError) as exc:
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
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def root(self) -> int:
        return self._root

    def lstat(self, parent: int, name: str) -> Stat:
        try:
            return _host_stat(os.stat(name, dir_fd=parent, follow_symlinks=False))
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def dir_stat(self, d: int) -> Stat:
        try:
            return _host_stat(os.fstat(d))
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def open_dir(self, parent: int, name: str) -> int:
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=parent)
        except (OSError, OverflowError) as exc:
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
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def open_file(self, parent: int, name: str, mode: OpenMode) -> _HostFile:
        refuse_change(self.read_only and (mode.write or mode.create or mode.trunc), name)
        flags = os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NOCTTY
        if mode.read and mode.write:
            flags |= os.O_RDWR
        else:
            flags |= os.O_WRONLY if mode.write else os.O_RDONLY
        if mode.create:
            flags |= os.O_CREAT
        if mode.excl:
            flags |= os.O_EXCL
        if mode.trunc:
            flags |= os.O_TRUNC
        if mode.append:
            flags |= os.O_APPEND
        try:
            fd = os.open(name, flags | os.O_NONBLOCK, 0o644, dir_fd=parent)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None
        try:  # a FIFO or device stays non-blocking, so a read can never hang the run
            import fcntl

            if _stat.S_ISREG(os.fstat(fd).st_mode):
                fcntl.fcntl(fd, fcntl.F_SETFL, fcntl.fcntl(fd, fcntl.F_GETFL) & ~os.O_NONBLOCK)
        except OSError:
            pass
        return _HostFile(fd, self.read_only, name)

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
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None
        return out

    def mkdir(self, parent: int, name: str) -> None:
        refuse_change(self.read_only, name)
        try:
            os.mkdir(name, 0o755, dir_fd=parent)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def rmdir(self, parent: int, name: str) -> None:
        refuse_change(self.read_only, name)
        try:
            os.rmdir(name, dir_fd=parent)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def unlink(self, parent: int, name: str) -> None:
        refuse_change(self.read_only, name)
        try:
            os.unlink(name, dir_fd=parent)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def symlink(self, target: str, parent: int, name: str) -> None:
        refuse_change(self.read_only, name)
        try:
            os.symlink(target, name, dir_fd=parent)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def link(self, p1: int, n1: str, p2: int, n2: str) -> None:
        refuse_change(self.read_only, n2)
        try:
            os.link(n1, n2, src_dir_fd=p1, dst_dir_fd=p2, follow_symlinks=False)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def rename(self, p1: int, n1: str, p2: int, n2: str) -> None:
        refuse_change(self.read_only, n1)
        try:
            os.rename(n1, n2, src_dir_fd=p1, dst_dir_fd=p2)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def set_times(self, parent: int, name: str, atim: int | None, mtim: int | None) -> None:
        refuse_change(self.read_only, name)
        try:
            st = os.stat(name, dir_fd=parent, follow_symlinks=False)
            times = _new_times(st, atim, mtim)
            os.utime(name, ns=times, dir_fd=parent, follow_symlinks=False)
        except (OSError, OverflowError) as exc:
            raise _oserr(exc) from None

    def close(self) -> None:
        """Close the root handle."""
        try:
            os.close(self._root)
        except OSError:
            pass
