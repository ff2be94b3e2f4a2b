"""The path_* calls: every path is resolved beneath its directory, component by component."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from ._spec import wasi
from ._state import DIR_INHERITING, DIR_RIGHTS, FdEntry
from .errno import FT_DIR, Errno, R
from .fd import _fst_times, pack_filestat
from .fs import PATH_MAX, FsError, OpenMode, release, resolve
from .fs.edges import (
    check_link,
    check_mkdir,
    check_readlink,
    check_rename,
    check_rmdir,
    check_symlink,
    check_unlink,
    dir_path,
    guest_path_of,
    open_kind,
    refuse_absolute_target,
    stat_here,
    stat_or_none,
    without_nul,
)

if TYPE_CHECKING:
    from ._memory import MemView
    from ._state import HostState

_READ_RIGHTS = R["fd_read"] | R["fd_readdir"]
_WRITE_RIGHTS = R["fd_write"] | R["fd_allocate"] | R["fd_filestat_set_size"]
_M64 = (1 << 64) - 1


def _path(m: MemView, ptr: int, length: int) -> str:
    if length >= PATH_MAX:  # before reading: a 4 GiB length allocates nothing
        raise FsError(Errno.NAMETOOLONG)
    return without_nul(m.string(ptr, length))


@contextmanager
def _resolved(
    h: HostState,
    fd: int,
    path: str,
    follow: bool,
    *,
    changes: bool = False,
    names_dir: bool = False,
) -> Iterator[tuple[FdEntry, Any, str]]:
    """Resolve ``path`` beneath the directory ``fd``; yield ``(entry, parent, name)`` and close
    the directories opened on the way when the block ends.

    ``names_dir``: the path names a directory, so trailing slashes are dropped. ``changes``:
    the call changes the tree, so a read-only folder refuses it (after resolving, so that a
    path that does not resolve gives its own errno first). Raises FsError and Refusal.
    """
    e = h.dir_entry(fd)
    walked = dir_path(path) if names_dir else path
    parent, name, opened = resolve(
        e.fs, e.handle, walked, follow=follow, guest_base=e.guest_path, check=h.check_stop
    )
    try:
        if changes:
            h.writable(e, path)
        yield e, parent, name
    finally:
        release(e.fs, opened)


@wasi("path_create_directory", "fd:fd", "path:path", "path_len:plen")
def path_create_directory(h: HostState, m: MemView, fd: int, ptr: int, length: int) -> int:
    """Creates a directory at a path inside a preopened directory.

    Errors: ``exist``, ``notcapable`` for a path that leaves every granted directory, ``noent``,
    ``notdir``, ``loop`` (too many links), ``nametoolong`` (PATH_MAX bytes or more), ``fault``,
    ``perm`` in a read-only folder (a refusal)."""
    path = _path(m, ptr, length)
    with _resolved(h, fd, path, False, changes=True, names_dir=True) as (e, parent, name):
        check_mkdir(name)
        e.fs.mkdir(parent, name)
        return 0


@wasi(
    "path_filestat_get", "fd:fd", "flags:lookupflags", "path:path", "path_len:plen",
    "result.buf:filestat",
)  # fmt: skip
def path_filestat_get(
    h: HostState, m: MemView, fd: int, flags: int, ptr: int, length: int, out: int
) -> int:
    """Returns the attributes of a file named by a path inside a preopened directory (what stat()
    does).

    Errors: ``notcapable`` for a path that leaves every granted directory, ``noent``, ``notdir``,
    ``loop`` (too many links), ``nametoolong`` (PATH_MAX bytes or more), ``fault``.

    A final link is followed only with the ``symlink_follow`` flag."""
    path = _path(m, ptr, length)
    with _resolved(h, fd, path, bool(flags & 1)) as (e, parent, name):
        m.write(out, pack_filestat(stat_here(e.fs, parent, name)))
        return 0


@wasi(
    "path_filestat_set_times", "fd:fd", "flags:lookupflags", "path:path", "path_len:plen",
    "atim:timestamp", "mtim:timestamp", "fst_flags:fstflags",
)  # fmt: skip
def path_filestat_set_times(
    h: HostState,
    m: MemView,
    fd: int,
    flags: int,
    ptr: int,
    length: int,
    atim: int,
    mtim: int,
    fst: int,
) -> int:
    """Sets the access and modification times of a file named by a path.

    Errors: ``inval`` when a time is both given and "now", ``notcapable`` for a path that leaves
    every granted directory, ``noent``, ``notdir``, ``loop`` (too many links), ``nametoolong``
    (PATH_MAX bytes or more), ``fault``, ``perm`` in a read-only folder (a refusal)."""
    path = _path(m, ptr, length)
    a, mt = _fst_times(atim, mtim, fst)
    with _resolved(h, fd, path, bool(flags & 1), changes=True) as (e, parent, name):
        e.fs.set_times(parent, name, a, mt)
        return 0


@wasi(
    "path_link", "old_fd:fd", "old_flags:lookupflags", "old_path:path", "old_path_len:plen",
    "new_fd:fd", "new_path:path", "new_path_len:plen",
)  # fmt: skip
def path_link(
    h: HostState,
    m: MemView,
    old_fd: int,
    old_flags: int,
    old_ptr: int,
    old_len: int,
    new_fd: int,
    new_ptr: int,
    new_len: int,
) -> int:
    """Creates a hard link: a second name for an existing file.

    Errors: ``exist``, ``perm`` for a directory, ``xdev`` across two preopens, ``notcapable`` for a
    path that leaves every granted directory, ``noent``, ``notdir``, ``loop`` (too many links),
    ``nametoolong`` (PATH_MAX bytes or more), ``fault``, ``perm`` in a read-only folder (a refusal).

    Both paths stay inside their directories."""
    old = _path(m, old_ptr, old_len)
    new = _path(m, new_ptr, new_len)
    with (
        _resolved(h, old_fd, old, bool(old_flags & 1)) as (eo, po, no),
        _resolved(h, new_fd, new, False, changes=True) as (en, pn, nn),
    ):
        check_link(eo.fs, no, en.fs, pn, nn, new)
        eo.fs.link(po, no, pn, nn)
        return 0


@wasi(
    "path_open", "fd:fd", "dirflags:lookupflags", "path:path", "path_len:plen",
    "oflags:oflags", "fs_rights_base:rights", "fs_rights_inheriting:rights", "fdflags:fdflags",
    "result.opened_fd:fd",
)  # fmt: skip
def path_open(
    h: HostState,
    m: MemView,
    fd: int,
    dirflags: int,
    ptr: int,
    length: int,
    oflags: int,
    base: int,
    inheriting: int,
    fdflags: int,
    out: int,
) -> int:
    """Opens (or creates) a file relative to a preopened directory and returns a new descriptor; a
    path that escapes every granted directory is refused (notcapable).

    Errors: ``notcapable`` for a path that leaves every granted directory, ``noent``, ``notdir``,
    ``loop`` (too many links), ``nametoolong`` (PATH_MAX bytes or more), ``fault``, ``exist`` (creat
    with excl), ``isdir`` (a directory opened for writing), ``inval``, ``perm`` in a read-only
    folder (a refusal)."""
    path = _path(m, ptr, length)
    h.room_for_a_descriptor(len(h.fds))
    base &= _M64
    inheriting &= _M64
    creat, directory, excl, trunc = oflags & 1, oflags & 2, oflags & 4, oflags & 8
    append = fdflags & 1
    write = bool(base & _WRITE_RIGHTS or append or trunc)
    read = bool(base & _READ_RIGHTS) or not write
    changes = bool(creat or trunc or write)
    with _resolved(h, fd, path, bool(dirflags & 1), changes=changes) as (e, parent, name):
        fs = e.fs
        st = stat_or_none(fs, parent, name)
        guest = guest_path_of(e.guest_path, path)
        kind = open_kind(st, creat=bool(creat), excl=bool(excl), write=write,
                         directory=bool(directory))  # fmt: skip
        if kind == "dir":
            d = fs.open_dir(parent, name)
            entry = FdEntry(
                "dir", fs, d, guest_path=guest, rights=base & e.inheriting & DIR_RIGHTS,
                inheriting=inheriting & e.inheriting & DIR_INHERITING, filetype=FT_DIR,
            )  # fmt: skip
        else:
            mode = OpenMode(read, write, bool(creat), bool(excl), bool(trunc), bool(append))
            f = fs.open_file(parent, name, mode)
            entry = FdEntry(
                "file", fs, f, guest_path=guest, rights=base & e.inheriting,
                inheriting=inheriting & e.inheriting, flags=fdflags & 0x1F,
            )  # fmt: skip
            entry.filetype = f.stat().filetype
        m.put_u32(out, h.new_fd(entry))
        return 0


@wasi(
    "path_readlink", "fd:fd", "path:path", "path_len:plen", "buf:outbuf", "buf_len:u32",
    "result.bufused:size",
)  # fmt: skip
def path_readlink(
    h: HostState, m: MemView, fd: int, ptr: int, length: int, buf: int, buf_len: int, out: int
) -> int:
    """Reads where a symbolic link points.

    Errors: ``inval`` when the path is not a link, ``notcapable`` for a path that leaves every
    granted directory, ``noent``, ``notdir``, ``loop`` (too many links), ``nametoolong`` (PATH_MAX
    bytes or more), ``fault``.

    The target is cut at buf_len bytes."""
    path = _path(m, ptr, length)
    with _resolved(h, fd, path, False) as (e, parent, name):
        check_readlink(name)
        target = e.fs.readlink(parent, name).encode("utf-8", "surrogateescape")[:buf_len]
        m.write(buf, target)
        m.put_u32(out, len(target))
        return 0


@wasi("path_remove_directory", "fd:fd", "path:path", "path_len:plen")
def path_remove_directory(h: HostState, m: MemView, fd: int, ptr: int, length: int) -> int:
    """Removes an empty directory.

    Errors: ``notempty``, ``inval`` for the directory itself ("."), ``notcapable`` for a path that
    leaves every granted directory, ``noent``, ``notdir``, ``loop`` (too many links),
    ``nametoolong`` (PATH_MAX bytes or more), ``fault``, ``perm`` in a read-only folder (a refusal).
    """
    path = _path(m, ptr, length)
    with _resolved(h, fd, path, False, changes=True, names_dir=True) as (e, parent, name):
        check_rmdir(name)
        e.fs.rmdir(parent, name)
        return 0


@wasi(
    "path_rename", "fd:fd", "old_path:path", "old_path_len:plen", "new_fd:fd",
    "new_path:path", "new_path_len:plen",
)  # fmt: skip
def path_rename(
    h: HostState,
    m: MemView,
    fd: int,
    old_ptr: int,
    old_len: int,
    new_fd: int,
    new_ptr: int,
    new_len: int,
) -> int:
    """Renames or moves a file or directory, possibly into another preopened directory.

    Errors: ``xdev`` between two folders of the host and memory, ``busy`` for a preopen itself,
    ``notempty``, ``isdir``, ``notcapable`` for a path that leaves every granted directory,
    ``noent``, ``notdir``, ``loop`` (too many links), ``nametoolong`` (PATH_MAX bytes or more),
    ``fault``, ``perm`` in a read-only folder (a refusal).

    Both paths stay inside their directories."""
    old = _path(m, old_ptr, old_len)
    new = _path(m, new_ptr, new_len)
    slash = old.endswith("/") or new.endswith("/")
    with (
        _resolved(h, fd, old, False, names_dir=True) as (eo, po, no),
        _resolved(h, new_fd, new, False, names_dir=True) as (en, pn, nn),
    ):
        h.writable(eo, old)  # both resolved first: a path leading out is refused as such
        h.writable(en, new)
        check_rename(eo.fs, po, no, en.fs, nn, slash)
        eo.fs.rename(po, no, pn, nn)
        return 0


@wasi(
    "path_symlink", "old_path:path", "old_path_len:plen", "fd:fd", "new_path:path",
    "new_path_len:plen",
)  # fmt: skip
def path_symlink(
    h: HostState, m: MemView, old_ptr: int, old_len: int, fd: int, new_ptr: int, new_len: int
) -> int:
    """Creates a symbolic link named new_path that points to old_path.

    Errors: ``exist``, ``notcapable`` for an absolute target (a refusal), ``notcapable`` for a path
    that leaves every granted directory, ``noent``, ``notdir``, ``loop`` (too many links),
    ``nametoolong`` (PATH_MAX bytes or more), ``fault``, ``perm`` in a read-only folder (a refusal).
    """
    target = _path(m, old_ptr, old_len)
    new = _path(m, new_ptr, new_len)
    if target.startswith("/"):
        h.dir_entry(fd)  # a bad descriptor says so first
        refuse_absolute_target(target)
    with _resolved(h, fd, new, False, changes=True) as (e, parent, name):
        check_symlink(name, new)
        e.fs.symlink(target, parent, name)
        return 0


@wasi("path_unlink_file", "fd:fd", "path:path", "path_len:plen")
def path_unlink_file(h: HostState, m: MemView, fd: int, ptr: int, length: int) -> int:
    """Deletes a file (not a directory).

    Errors: ``isdir``, ``notcapable`` for a path that leaves every granted directory, ``noent``,
    ``notdir``, ``loop`` (too many links), ``nametoolong`` (PATH_MAX bytes or more), ``fault``,
    ``perm`` in a read-only folder (a refusal).

    A link is removed, not what it points to."""
    path = _path(m, ptr, length)
    with _resolved(h, fd, path, False, changes=True) as (e, parent, name):
        check_unlink(name)
        e.fs.unlink(parent, name)
        return 0
