"""The fd_* calls: reading, writing, seeking, stat and flags of open descriptors."""

from __future__ import annotations

import struct
from typing import TYPE_CHECKING

from ._memory import GuestFault
from ._spec import wasi
from .errno import FT_DIR, FT_UNKNOWN, Errno, R
from .fs import MAX_READ, FsError, Stat

if TYPE_CHECKING:
    from ._memory import MemView
    from ._state import FdEntry, HostState

_FDSTAT = struct.Struct("<BxHxxxxQQ")
_FILESTAT = struct.Struct("<QQBxxxxxxxQQQQQ")
_DIRENT = struct.Struct("<QQIB3x")
_PRESTAT = struct.Struct("<BxxxI")
_IOVEC = struct.Struct("<II").unpack
_U32 = struct.Struct("<I").pack
_M64 = (1 << 64) - 1
_BADF = int(Errno.BADF)
_SPIPE = int(Errno.SPIPE)
_FD_READ, _FD_WRITE = R["fd_read"], R["fd_write"]  # a right dropped by fd_fdstat_set_rights

#: iovecs one call takes (Linux's IOV_MAX); the rest are left, as in a short read or write
MAX_IOVECS = 1024
#: bytes one read or write moves at most; a guest's libc loops over a short read or write
MAX_IO_BYTES = MAX_READ


def pack_filestat(st: Stat) -> bytes:
    """Return a WASI filestat (64 bytes)."""
    return _FILESTAT.pack(
        st.dev & _M64, st.ino & _M64, st.filetype, st.nlink & _M64, st.size & _M64,
        st.atim & _M64, st.mtim & _M64, st.ctim & _M64,
    )  # fmt: skip


def _file(h: HostState, fd: int) -> FdEntry:
    e = h.fds.get(fd)
    if e is None or e.kind == "dir":
        raise FsError(Errno.BADF)
    if e.kind != "file":
        raise FsError(Errno.SPIPE)
    return e


def _iovecs(m: MemView, iovs: int, iovs_len: int) -> list[tuple[int, int]]:
    """Return the first MAX_IOVECS ``(buf, len)`` pairs of the array, every buffer checked to
    lie inside memory; raise GuestFault when the array or one of those buffers does not."""
    if iovs_len > MAX_IOVECS:
        if iovs < 0 or iovs + 8 * iovs_len > m.mem.size():
            raise GuestFault(f"{iovs_len} iovecs at {iovs} are out of bounds")
        iovs_len = MAX_IOVECS
    pairs = m.iovecs(iovs, iovs_len)
    size = m.mem.size()
    for buf, n in pairs:
        if buf + n > size:
            raise GuestFault(f"iovec buffer of {n} bytes at {buf} is out of bounds")
    return pairs


def _gather(m: MemView, iovs: int, iovs_len: int, limit: int) -> bytes:
    """Return the bytes of the iovecs, cut at ``limit`` bytes: nothing past the limit is read,
    however many iovecs point at however large buffers."""
    if iovs_len == 1:
        buf, n = _IOVEC(m.read(iovs, 8))
        if n <= limit:
            return m.read(buf, n)
        if buf + n > m.mem.size():
            raise GuestFault(f"iovec buffer of {n} bytes at {buf} is out of bounds")
        return m.read(buf, limit)
    chunks = []
    for buf, n in _iovecs(m, iovs, iovs_len):
        if n >= limit:
            chunks.append(m.read(buf, limit))
            break
        chunks.append(m.read(buf, n))
        limit -= n
    return b"".join(chunks)


def _scatter(m: MemView, pairs: list[tuple[int, int]], data: bytes) -> int:
    off = 0
    for buf, n in pairs:
        chunk = data[off : off + n]
        if not chunk:
            break
        m.write(buf, chunk)
        off += len(chunk)
    return off


def _fst_times(atim: int, mtim: int, fst: int) -> tuple[int | None, int | None]:
    if (fst & 1 and fst & 2) or (fst & 4 and fst & 8) or fst & ~0xF:
        raise FsError(Errno.INVAL)
    a = atim & _M64 if fst & 1 else (-1 if fst & 2 else None)
    mt = mtim & _M64 if fst & 4 else (-1 if fst & 8 else None)
    return a, mt


@wasi("fd_advise", "fd:fd", "offset:filesize", "len:filesize", "advice:advice")
def fd_advise(h: HostState, m: MemView, fd: int, offset: int, length: int, advice: int) -> int:
    """Tells the host how the program means to read a file (sequentially, randomly...); only a hint,
    it changes no data.

    Errors: ``badf`` when fd is not an open file, ``inval`` for an unknown advice."""
    e = h.entry(fd)
    if e.kind != "file":
        return _BADF
    if not 0 <= advice <= 5:
        return Errno.INVAL
    return 0


@wasi("fd_allocate", "fd:fd", "offset:filesize", "len:filesize")
def fd_allocate(h: HostState, m: MemView, fd: int, offset: int, length: int) -> int:
    """Makes sure a file has room for len bytes from offset, growing it if needed.

    Errors: ``notsup`` on files (as wasmtime), ``badf`` on other descriptors."""
    e = h.entry(fd)
    if e.kind != "file":
        return _BADF
    return Errno.NOTSUP


@wasi("fd_close", "fd:fd")
def fd_close(h: HostState, m: MemView, fd: int) -> int:
    """Closes a file descriptor; the number may be reused by the next open.

    Errors: ``badf`` when fd is not open.

    Preopened directories can be closed too."""
    e = h.fds.pop(fd, None)
    if e is None:
        return _BADF
    if e.kind == "file":
        e.handle.close()
    elif e.kind == "dir" and e.preopen is None:
        e.fs.close_dir(e.handle)
    return 0


@wasi("fd_datasync", "fd:fd")
def fd_datasync(h: HostState, m: MemView, fd: int) -> int:
    """Asks the host to write a file's data to the disk.

    Errors: ``badf`` when fd is not open, ``inval`` on stdin, stdout or stderr."""
    return fd_sync(h, m, fd)


@wasi("fd_sync", "fd:fd")
def fd_sync(h: HostState, m: MemView, fd: int) -> int:
    """Asks the host to write a file's data and metadata to the disk.

    Errors: ``badf`` when fd is not open, ``inval`` on stdin, stdout or stderr."""
    e = h.entry(fd)
    if e.kind == "file":
        e.handle.sync()
        return 0
    if e.kind == "dir":
        return 0
    return Errno.INVAL


@wasi("fd_fdstat_get", "fd:fd", "result.stat:fdstat")
def fd_fdstat_get(h: HostState, m: MemView, fd: int, out: int) -> int:
    """Describes a descriptor: its file type, its flags (append, nonblock...) and the rights it
    carries.

    Errors: ``badf`` when fd is not open, ``fault``."""
    e = h.entry(fd)
    ft = e.filetype
    if e.kind == "file":
        ft = e.handle.stat().filetype
    m.write(out, _FDSTAT.pack(ft, e.flags, e.rights & _M64, e.inheriting & _M64))
    return 0


@wasi("fd_fdstat_set_flags", "fd:fd", "flags:fdflags")
def fd_fdstat_set_flags(h: HostState, m: MemView, fd: int, flags: int) -> int:
    """Changes the flags of a descriptor, for example to switch on append mode.

    Errors: ``badf`` when fd is not open or is a directory, ``inval`` for a flag other than append
    and nonblock."""
    e = h.entry(fd)
    if flags & ~0x5:
        return Errno.INVAL
    if e.kind == "file":
        e.handle.set_append(bool(flags & 1))
        e.flags = flags
        return 0
    if e.kind == "dir":
        return _BADF
    e.flags = flags
    return 0


@wasi("fd_fdstat_set_rights", "fd:fd", "fs_rights_base:rights", "fs_rights_inheriting:rights")
def fd_fdstat_set_rights(h: HostState, m: MemView, fd: int, base: int, inheriting: int) -> int:
    """Drops rights from a descriptor; rights can only be removed, never added.

    Errors: ``badf`` when fd is not open, ``notcapable`` when asking for a right the descriptor
    lacks."""
    e = h.entry(fd)
    base &= _M64
    inheriting &= _M64
    if base & ~e.rights or inheriting & ~e.inheriting:
        return Errno.NOTCAPABLE
    e.rights, e.inheriting = base, inheriting
    return 0


@wasi("fd_filestat_get", "fd:fd", "result.buf:filestat")
def fd_filestat_get(h: HostState, m: MemView, fd: int, out: int) -> int:
    """Returns the attributes of an open file: type, size, link count and timestamps.

    Errors: ``badf`` when fd is not open, ``fault``.

    stdin, stdout and stderr answer zeros, as wasmtime."""
    e = h.entry(fd)
    if e.kind == "file":
        st = e.handle.stat()
    elif e.kind == "dir":
        st = e.fs.dir_stat(e.handle)
    else:
        st = Stat(0, 0, FT_UNKNOWN, 0, 0, 0, 0, 0)
    m.write(out, pack_filestat(st))
    return 0


@wasi("fd_filestat_set_size", "fd:fd", "size:filesize")
def fd_filestat_set_size(h: HostState, m: MemView, fd: int, size: int) -> int:
    """Truncates or extends an open file to the given size.

    Errors: ``badf`` when fd is not an open file, ``inval`` for a size past 2**63 or a file not open
    for writing, ``perm`` in a read-only folder (a refusal), ``nospc`` when an in-memory tree is
    full."""
    e = h.entry(fd)
    if e.kind != "file":
        return _BADF
    h.writable(e, e.guest_path)
    size &= _M64
    if size >= 1 << 63:
        return Errno.INVAL
    e.handle.truncate(size)
    return 0


@wasi("fd_filestat_set_times", "fd:fd", "atim:timestamp", "mtim:timestamp", "fst_flags:fstflags")
def fd_filestat_set_times(h: HostState, m: MemView, fd: int, atim: int, mtim: int, fst: int) -> int:
    """Sets the access and modification times of an open file.

    Errors: ``badf`` when fd is not open, ``inval`` when a time is both given and "now", ``perm`` in
    a read-only folder (a refusal).

    A read-only folder refuses it whatever rights the descriptor was opened with: a file opened for
    reading may carry this right (wasi-libc asks for it on every ``open``)."""
    e = h.entry(fd)
    a, mt = _fst_times(atim, mtim, fst)
    if e.kind == "file":
        h.writable(e, e.guest_path)
        e.handle.set_times(a, mt)
    elif e.kind == "dir":
        h.writable(e, e.guest_path)
        e.fs.set_times(e.handle, ".", a, mt)
    else:
        return _BADF
    return 0


@wasi("fd_pread", "fd:fd", "iovs:iovecs", "iovs_len:plen", "offset:filesize", "result.nread:size")
def fd_pread(
    h: HostState, m: MemView, fd: int, iovs: int, iovs_len: int, offset: int, out: int
) -> int:
    """Reads from a file at a given offset without moving the file's position.

    Errors: ``badf`` when fd is not a file open for reading, ``spipe`` on stdin, stdout or stderr,
    ``inval`` for an offset past 2**63, ``fault`` when an iovec is outside memory.

    One call takes at most 1,024 iovecs and 16 MiB (a short read)."""
    e = _file(h, fd)
    if not e.rights & _FD_READ:
        return _BADF
    pairs = _iovecs(m, iovs, iovs_len)
    offset &= _M64
    if offset >= 1 << 63:
        return Errno.INVAL
    data = e.handle.pread(min(sum(n for _, n in pairs), MAX_IO_BYTES), offset)
    m.put_u32(out, _scatter(m, pairs, data))
    return 0


@wasi(
    "fd_pwrite", "fd:fd", "iovs:ciovecs", "iovs_len:plen", "offset:filesize", "result.nwritten:size"
)
def fd_pwrite(
    h: HostState, m: MemView, fd: int, iovs: int, iovs_len: int, offset: int, out: int
) -> int:
    """Writes to a file at a given offset without moving the file's position.

    Errors: ``badf`` when fd is not a file open for writing, ``spipe`` on stdin, stdout or stderr,
    ``inval`` for an offset past 2**63, ``nospc`` when an in-memory tree is full, ``fault``.

    One call takes at most 1,024 iovecs and 16 MiB (a short write)."""
    e = _file(h, fd)
    if not e.rights & _FD_WRITE:
        return _BADF
    data = _gather(m, iovs, iovs_len, MAX_IO_BYTES)
    offset &= _M64
    if offset >= 1 << 63:
        return Errno.INVAL
    m.put_u32(out, e.handle.pwrite(data, offset))
    return 0


@wasi("fd_prestat_get", "fd:fd", "result.buf:prestat")
def fd_prestat_get(h: HostState, m: MemView, fd: int, out: int) -> int:
    """Asks whether a descriptor is a preopened directory and how long its name is; libc calls it
    from fd 3 upwards at start-up to learn which folders it was granted.

    Errors: ``badf`` when fd is not a preopened directory (how libc learns it has seen them all),
    ``fault``."""
    e = h.entry(fd)
    if e.preopen is None:
        return _BADF
    m.write(out, _PRESTAT.pack(0, len(e.preopen.encode())))
    return 0


@wasi("fd_prestat_dir_name", "fd:fd", "path:outbuf", "path_len:u32")
def fd_prestat_dir_name(h: HostState, m: MemView, fd: int, path: int, path_len: int) -> int:
    """Copies the guest-side name of a preopened directory (such as /data) into memory.

    Errors: ``badf`` when fd is not a preopened directory, ``nametoolong`` when the buffer is too
    small, ``fault``.

    The name has no NUL at its end."""
    e = h.entry(fd)
    if e.preopen is None:
        return _BADF
    name = e.preopen.encode()
    if path_len < len(name):
        return Errno.NAMETOOLONG
    m.write(path, name)
    return 0


@wasi("fd_read", "fd:fd", "iovs:iovecs", "iovs_len:plen", "result.nread:size")
def fd_read(h: HostState, m: MemView, fd: int, iovs: int, iovs_len: int, out: int) -> int:
    """Reads bytes from a descriptor (a file, or stdin for fd 0) into a list of buffers and says how
    many bytes it read; 0 means the end of the file.

    Errors: ``badf`` when fd is not open for reading, ``fault`` when an iovec is outside memory
    (nothing is consumed then).

    One call takes at most 1,024 iovecs and 16 MiB (a short read)."""
    e = h.fds.get(fd)
    if e is None:
        return _BADF
    pairs = _iovecs(m, iovs, iovs_len)  # checked before reading, so that nothing is consumed
    total = min(sum(n for _, n in pairs), MAX_IO_BYTES)
    if e.kind == "stdin":
        pos = h.stdin_pos
        data = h.stdin[pos : pos + total]
        h.stdin_pos = pos + len(data)
    elif e.kind == "file":
        if not e.rights & _FD_READ:
            return _BADF  # as wasmtime
        data = e.handle.read(total)
    else:
        return _BADF
    m.put_u32(out, _scatter(m, pairs, data))
    return 0


@wasi(
    "fd_readdir", "fd:fd", "buf:dirents", "buf_len:u32", "cookie:dircookie",
    "result.bufused:size",
)  # fmt: skip
def fd_readdir(
    h: HostState, m: MemView, fd: int, buf: int, buf_len: int, cookie: int, out: int
) -> int:
    """Lists the entries of an open directory, starting after the entry named by cookie.

    Errors: ``notdir`` on a file, ``badf`` on other descriptors, ``fault``.

    The entries are cut at buf_len bytes; a buffer filled to the brim tells libc to ask again."""
    e = h.entry(fd)
    if e.kind != "dir":
        return Errno.NOTDIR if e.kind == "file" else _BADF
    cookie &= _M64
    me = e.fs.dir_stat(e.handle)
    entries = [(".", FT_DIR, me.ino), ("..", FT_DIR, 0), *e.fs.listdir(e.handle)]
    chunks = []
    size = 0
    for index in range(min(cookie, len(entries)), len(entries)):
        if size >= buf_len:
            break
        name, ft, ino = entries[index]
        raw = name.encode("utf-8", "surrogateescape")
        chunk = _DIRENT.pack(index + 1, ino & _M64, len(raw), ft) + raw
        chunks.append(chunk)
        size += len(chunk)
    data = b"".join(chunks)[:buf_len]
    m.write(buf, data)
    m.put_u32(out, len(data))
    return 0


@wasi("fd_renumber", "fd:fd", "to:fd")
def fd_renumber(h: HostState, m: MemView, fd: int, to: int) -> int:
    """Moves a descriptor to another number, closing whatever was open there.

    Errors: ``badf`` when either number is not open."""
    fds = h.fds
    if fd not in fds or to not in fds:
        return _BADF
    if fd == to:
        return 0
    old = fds[to]
    if old.kind == "file":
        old.handle.close()
    elif old.kind == "dir" and old.preopen is None:
        old.fs.close_dir(old.handle)
    fds[to] = fds.pop(fd)
    return 0


@wasi("fd_seek", "fd:fd", "offset:filedelta", "whence:whence", "result.newoffset:filesize")
def fd_seek(h: HostState, m: MemView, fd: int, offset: int, whence: int, out: int) -> int:
    """Moves the read/write position of a file (from the start, the current position or the end) and
    returns the new position.

    Errors: ``badf`` when fd is not open or is a directory, ``spipe`` on stdin, stdout or stderr,
    ``inval`` for an unknown whence or a position before the start."""
    e = h.fds.get(fd)
    if e is None or e.kind == "dir":
        return _BADF
    if whence not in (0, 1, 2):
        return Errno.INVAL
    if e.kind != "file":
        return _SPIPE
    offset &= _M64
    if offset >= 1 << 63:
        offset -= 1 << 64
    m.put_u64(out, e.handle.seek(offset, whence))
    return 0


@wasi("fd_tell", "fd:fd", "result.offset:filesize")
def fd_tell(h: HostState, m: MemView, fd: int, out: int) -> int:
    """Returns the current read/write position of a file.

    Errors: ``badf`` when fd is not open or is a directory, ``spipe`` on stdin, stdout or stderr."""
    e = h.fds.get(fd)
    if e is None or e.kind == "dir":
        return _BADF
    if e.kind != "file":
        return _SPIPE
    m.put_u64(out, e.handle.seek(0, 1))
    return 0


@wasi("fd_write", "fd:fd", "iovs:ciovecs", "iovs_len:plen", "result.nwritten:size")
def fd_write(h: HostState, m: MemView, fd: int, iovs: int, iovs_len: int, out: int) -> int:
    """Writes bytes from a list of buffers to a descriptor (stdout is 1, stderr is 2) and says how
    many bytes were written; printf ends up here.

    Errors: ``badf`` when fd is not open for writing, ``nospc`` when an in-memory tree is full,
    ``fault`` when an iovec is outside memory.

    One call takes at most 1,024 iovecs and 16 MiB (a short write); past the output limit the run
    ends (LimitReached), and nothing past that limit is read from memory."""
    e = h.fds.get(fd)
    if e is None:
        return _BADF
    kind = e.kind
    if kind == "stdout" or kind == "stderr":
        # one byte past the output left is enough to know the limit is hit
        limit = h.output_budget + 1
        data = _gather(m, iovs, iovs_len, limit if limit < MAX_IO_BYTES else MAX_IO_BYTES)
        n = h.emit(kind, data)
    elif kind == "file":
        if not e.rights & _FD_WRITE:
            return _BADF  # as wasmtime
        n = e.handle.write(_gather(m, iovs, iovs_len, MAX_IO_BYTES))
    else:
        return _BADF
    m.write(out, _U32(n))
    return 0
