"""wasi:filesystem: ``types`` (the ``descriptor`` resource) and ``preopens``.

A descriptor is a directory or a file of one of the sandbox's FileSystems (a host folder or an
in-memory tree), the same objects the preview 1 host opens. Every path goes through the same
resolver (:func:`~wasikernel.wasi.fs.resolve`), beneath the descriptor it is relative to, so
an absolute path, a ``..`` above a preopen or a link leading out is refused here as it is
there, with the same sentence and capability; a read-only preopen refuses every change.
Errors are the preview 1 errnos the core raises, named as WIT names them (``no-entry``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from wasmtime.component import Record

from ..errno import FT_BLOCK, FT_CHAR, FT_DIR, FT_FILE, FT_SYMLINK, Errno
from ..fs import MAX_READ, FileSystem, FsError, OpenMode, Stat, release, resolve
from ..fs.edges import (
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
from ._spec import Resource, StreamErrorObject, error_code, resource, wit
from .clocks import datetime
from .io import InputStream, OutputStream

if TYPE_CHECKING:
    from ._host import ComponentHost

TYPES = "wasi:filesystem/types"
_FILE_FLAGS = frozenset(
    {"read", "write", "file-integrity-sync", "data-integrity-sync", "requested-write-sync"}
)
_TYPE_NAMES = {
    FT_DIR: "directory", FT_FILE: "regular-file", FT_SYMLINK: "symbolic-link",
    FT_CHAR: "character-device", FT_BLOCK: "block-device", 5: "socket", 6: "socket",
}  # fmt: skip


class Descriptor(Resource):
    """A directory (``kind="dir"``, a FileSystem directory handle) or a file (an open
    FileHandle) of ``fs``, known to the guest as ``guest_path``; ``flags`` are the WIT
    ``descriptor-flags`` it was opened with."""

    KIND = "descriptor"

    def __init__(
        self,
        fs: FileSystem,
        handle: Any,
        guest_path: str,
        *,
        kind: str,
        flags: frozenset[str] | None = None,
        preopen: bool = False,
    ) -> None:
        self.fs = fs
        self.handle = handle
        self.guest_path = guest_path
        self.kind = kind
        self.preopen = preopen
        if flags is None:
            flags = frozenset({"read"} if fs.read_only else {"read", "mutate-directory"})
        self.flags = flags

    def describe(self) -> dict[str, Any]:
        return {"path": self.guest_path}

    def close(self) -> None:
        if self.kind == "file":
            self.handle.close()
        elif not self.preopen:
            self.fs.close_dir(self.handle)

    def stat(self) -> Stat:
        return self.fs.dir_stat(self.handle) if self.kind == "dir" else self.handle.stat()


class DirectoryEntryStream(Resource):
    """The entries of a directory, read once when the stream is made."""

    KIND = "directory-entry-stream"

    def __init__(self, entries: list[tuple[str, int, int]], guest_path: str) -> None:
        self.entries = entries
        self.next = 0
        self.guest_path = guest_path

    def describe(self) -> dict[str, Any]:
        return {"path": self.guest_path}


resource(TYPES, "descriptor", Descriptor)
resource(TYPES, "directory-entry-stream", DirectoryEntryStream)


# ------------------------------------------------------------------------------- helpers


def _dir(d: Descriptor) -> Descriptor:
    if d.kind != "dir":
        raise FsError(Errno.NOTDIR)
    return d


def _file(d: Descriptor, flag: str | None = None) -> Any:
    if d.kind != "file" or (flag is not None and flag not in d.flags):
        raise FsError(Errno.BADF)
    return d.handle


def _walk(h: ComponentHost, d: Descriptor, path: str, follow: bool) -> tuple[Any, str, list]:
    _dir(d)
    return resolve(d.fs, d.handle, without_nul(path), follow=follow, guest_base=d.guest_path,
                   check=h.check_stop)  # fmt: skip


def _mutating(h: ComponentHost, d: Descriptor, path: str) -> None:
    """Refuse a change beneath ``d`` when its preopen is read-only."""
    h.refuse_write(d.fs, path, d.guest_path)
    if "mutate-directory" not in d.flags:
        raise FsError(Errno.PERM)


def _stat_record(st: Stat) -> Record:
    rec = Record()
    rec.type = _TYPE_NAMES.get(st.filetype, "unknown")
    setattr(rec, "link-count", st.nlink)
    rec.size = st.size
    setattr(rec, "data-access-timestamp", datetime(st.atim))
    setattr(rec, "data-modification-timestamp", datetime(st.mtim))
    setattr(rec, "status-change-timestamp", datetime(st.ctim))
    return rec


def _hash(st: Stat) -> Record:
    rec = Record()
    rec.lower, rec.upper = st.ino & ((1 << 64) - 1), st.dev & ((1 << 64) - 1)
    return rec


def _new_time(value: Any) -> int | None:
    """A ``new-timestamp`` as the FileSystems take it: None unchanged, -1 now, else ns."""
    if value.tag == "no-change":
        return None
    if value.tag == "now":
        return -1
    ts = value.payload
    if ts.nanoseconds >= 1_000_000_000:
        raise FsError(Errno.INVAL)
    return ts.seconds * 1_000_000_000 + ts.nanoseconds


# ------------------------------------------------------------------------------- streams


@wit(TYPES, "[method]descriptor.read-via-stream", "offset", err="fs")
def read_via_stream(h: ComponentHost, d: Descriptor, offset: int) -> Any:
    """A stream of the file's bytes from ``offset``."""
    return h.own(InputStream(d.guest_path, _file(d, "read"), offset))


@wit(TYPES, "[method]descriptor.write-via-stream", "offset", err="fs")
def write_via_stream(h: ComponentHost, d: Descriptor, offset: int) -> Any:
    """A stream writing the file from ``offset``."""
    return h.own(OutputStream(d.guest_path, _file(d, "write"), offset))


@wit(TYPES, "[method]descriptor.append-via-stream", err="fs")
def append_via_stream(h: ComponentHost, d: Descriptor) -> Any:
    """A stream writing at the file's end."""
    return h.own(OutputStream(d.guest_path, _file(d, "write"), append=True))


# ------------------------------------------------------------------------------- one file


@wit(TYPES, "[method]descriptor.advise", "offset length advice", err="fs")
def advise(h: ComponentHost, d: Descriptor, offset: int, length: int, advice: str) -> None:
    """Accept advice on a file (it changes nothing here)."""
    _file(d)


def _sync(h: ComponentHost, d: Descriptor) -> None:
    """Flush the file to its storage (a directory: nothing to do)."""
    if d.kind == "file":
        d.handle.sync()


wit(TYPES, "[method]descriptor.sync-data", err="fs")(_sync)
wit(TYPES, "[method]descriptor.sync", err="fs")(_sync)


@wit(TYPES, "[method]descriptor.get-flags", err="fs")
def get_flags(h: ComponentHost, d: Descriptor) -> set[str]:
    """The flags the descriptor was opened with."""
    return set(d.flags)


@wit(TYPES, "[method]descriptor.get-type", err="fs", tagged=True)
def get_type(h: ComponentHost, d: Descriptor) -> str:
    """``directory``, ``regular-file`` ..."""
    return _TYPE_NAMES.get(d.stat().filetype, "unknown")


@wit(TYPES, "[method]descriptor.set-size", "size", err="fs")
def set_size(h: ComponentHost, d: Descriptor, size: int) -> None:
    """Truncate or extend the file to ``size`` bytes."""
    _file(d, "write").truncate(size)


@wit(
    TYPES, "[method]descriptor.set-times", "data-access-timestamp data-modification-timestamp",
    err="fs",
)  # fmt: skip
def set_times(h: ComponentHost, d: Descriptor, atim: Any, mtim: Any) -> None:
    """Set the access and modification times of the file or directory."""
    a, m = _new_time(atim), _new_time(mtim)
    if d.kind == "file":
        d.handle.set_times(a, m)
    else:
        h.refuse_write(d.fs, ".", d.guest_path)
        d.fs.set_times(d.handle, ".", a, m)


@wit(TYPES, "[method]descriptor.read", "length offset", err="fs")
def read(h: ComponentHost, d: Descriptor, length: int, offset: int) -> tuple[bytes, bool]:
    """Up to ``length`` bytes at ``offset`` (at most MAX_READ), and whether the end was hit."""
    n = min(length, MAX_READ)
    data = _file(d, "read").pread(n, offset)
    return data, len(data) < n


@wit(TYPES, "[method]descriptor.write", "buffer offset", err="fs")
def write(h: ComponentHost, d: Descriptor, buffer: bytes, offset: int) -> int:
    """Write ``buffer`` at ``offset``; return how many bytes were written."""
    return _file(d, "write").pwrite(buffer, offset)


@wit(TYPES, "[method]descriptor.stat", err="fs")
def stat(h: ComponentHost, d: Descriptor) -> Record:
    """The descriptor's type, link count, size and times."""
    return _stat_record(d.stat())


@wit(TYPES, "[method]descriptor.is-same-object", "other")
def is_same_object(h: ComponentHost, d: Descriptor, other: Descriptor) -> bool:
    """Whether both descriptors stand for the same file or directory."""
    try:
        a, b = d.stat(), other.stat()
    except FsError:
        return False
    return (a.dev, a.ino) == (b.dev, b.ino) and d.fs is other.fs


@wit(TYPES, "[method]descriptor.metadata-hash", err="fs")
def metadata_hash(h: ComponentHost, d: Descriptor) -> Record:
    """Two numbers that tell this file apart from others (its inode and device)."""
    return _hash(d.stat())


# ------------------------------------------------------------------------------- directories


@wit(TYPES, "[method]descriptor.read-directory", err="fs")
def read_directory(h: ComponentHost, d: Descriptor) -> Any:
    """A stream of the directory's entries (``.`` and ``..`` excluded)."""
    entries = d.fs.listdir(_dir(d).handle)
    return h.own(DirectoryEntryStream(entries, d.guest_path))


@wit(TYPES, "[method]directory-entry-stream.read-directory-entry", err="fs")
def read_directory_entry(h: ComponentHost, s: DirectoryEntryStream) -> Record | None:
    """The next entry, or None after the last."""
    if s.next >= len(s.entries):
        return None
    name, filetype, _ = s.entries[s.next]
    s.next += 1
    rec = Record()
    rec.type = _TYPE_NAMES.get(filetype, "unknown")
    rec.name = name
    return rec


@wit(TYPES, "[method]descriptor.create-directory-at", "path", err="fs")
def create_directory_at(h: ComponentHost, d: Descriptor, path: str) -> None:
    """Make the directory ``path``."""
    parent, name, opened = _walk(h, d, dir_path(path), False)
    try:
        _mutating(h, d, path)
        check_mkdir(name)
        d.fs.mkdir(parent, name)
    finally:
        release(d.fs, opened)


@wit(TYPES, "[method]descriptor.stat-at", "path-flags path", err="fs")
def stat_at(h: ComponentHost, d: Descriptor, flags: set[str], path: str) -> Record:
    """The stat of ``path`` (following a final link with ``symlink-follow``)."""
    parent, name, opened = _walk(h, d, path, "symlink-follow" in flags)
    try:
        return _stat_record(stat_here(d.fs, parent, name))
    finally:
        release(d.fs, opened)


@wit(TYPES, "[method]descriptor.metadata-hash-at", "path-flags path", err="fs")
def metadata_hash_at(h: ComponentHost, d: Descriptor, flags: set[str], path: str) -> Record:
    """The metadata hash of ``path``."""
    parent, name, opened = _walk(h, d, path, "symlink-follow" in flags)
    try:
        return _hash(stat_here(d.fs, parent, name))
    finally:
        release(d.fs, opened)


@wit(
    TYPES, "[method]descriptor.set-times-at",
    "path-flags path data-access-timestamp data-modification-timestamp", err="fs",
)  # fmt: skip
def set_times_at(
    h: ComponentHost, d: Descriptor, flags: set[str], path: str, atim: Any, mtim: Any
) -> None:
    """Set the times of ``path``."""
    a, m = _new_time(atim), _new_time(mtim)
    parent, name, opened = _walk(h, d, path, "symlink-follow" in flags)
    try:
        h.refuse_write(d.fs, path, d.guest_path)
        d.fs.set_times(parent, name, a, m)
    finally:
        release(d.fs, opened)


@wit(
    TYPES, "[method]descriptor.link-at", "old-path-flags old-path new-descriptor new-path",
    err="fs",
)  # fmt: skip
def link_at(
    h: ComponentHost, d: Descriptor, flags: set[str], old: str, nd: Descriptor, new: str
) -> None:
    """Make ``new`` (beneath ``new-descriptor``) a hard link to ``old``."""
    po, no, opened_o = _walk(h, d, old, "symlink-follow" in flags)
    try:
        pn, nn, opened_n = _walk(h, nd, new, False)
        try:
            _mutating(h, nd, new)
            check_link(d.fs, no, nd.fs, pn, nn, new)
            d.fs.link(po, no, pn, nn)
        finally:
            release(nd.fs, opened_n)
    finally:
        release(d.fs, opened_o)


@wit(TYPES, "[method]descriptor.open-at", "path-flags path open-flags flags", err="fs")
def open_at(
    h: ComponentHost, d: Descriptor, path_flags: set[str], path: str, oflags: set[str],
    flags: set[str],
) -> Any:  # fmt: skip
    """Open (or create) the file or directory ``path`` beneath ``d``: a new descriptor."""
    h.room_for_a_descriptor(h.held.get("descriptor", 0))
    creat, directory = "create" in oflags, "directory" in oflags
    excl, trunc = "exclusive" in oflags, "truncate" in oflags
    write = "write" in flags
    read = "read" in flags or not write
    fs = d.fs
    parent, name, opened = _walk(h, d, path, "symlink-follow" in path_flags)
    try:
        if creat or trunc or write:
            h.refuse_write(fs, path, d.guest_path)
            if ("mutate-directory" not in d.flags) and (creat or trunc):
                raise FsError(Errno.PERM)
        st = stat_or_none(fs, parent, name)
        guest = guest_path_of(d.guest_path, path)
        if open_kind(st, creat=creat, excl=excl, write=write, directory=directory) == "dir":
            # a directory opened beneath ``d`` may change what ``d`` may change (as wasmtime)
            got = frozenset({"read"} | ({"mutate-directory"} & d.flags))
            return h.own(Descriptor(fs, fs.open_dir(parent, name), guest, kind="dir", flags=got))
        f = fs.open_file(parent, name, OpenMode(read, write, creat, excl, trunc, False))
        got = frozenset(flags & _FILE_FLAGS) | ({"read"} if read else set())
        return h.own(Descriptor(fs, f, guest, kind="file", flags=frozenset(got)))
    finally:
        release(fs, opened)


@wit(TYPES, "[method]descriptor.readlink-at", "path", err="fs", tagged=True)
def readlink_at(h: ComponentHost, d: Descriptor, path: str) -> str:
    """The target of the link ``path``."""
    parent, name, opened = _walk(h, d, path, False)
    try:
        check_readlink(name)
        return d.fs.readlink(parent, name)
    finally:
        release(d.fs, opened)


@wit(TYPES, "[method]descriptor.remove-directory-at", "path", err="fs")
def remove_directory_at(h: ComponentHost, d: Descriptor, path: str) -> None:
    """Remove the empty directory ``path``."""
    parent, name, opened = _walk(h, d, dir_path(path), False)
    try:
        _mutating(h, d, path)
        check_rmdir(name)
        d.fs.rmdir(parent, name)
    finally:
        release(d.fs, opened)


@wit(TYPES, "[method]descriptor.rename-at", "old-path new-descriptor new-path", err="fs")
def rename_at(h: ComponentHost, d: Descriptor, old: str, nd: Descriptor, new: str) -> None:
    """Rename ``old`` to ``new`` (beneath ``new-descriptor``)."""
    slash = old.endswith("/") or new.endswith("/")
    po, no, opened_o = _walk(h, d, dir_path(old), False)
    try:
        pn, nn, opened_n = _walk(h, nd, dir_path(new), False)
        try:
            _mutating(h, d, old)
            _mutating(h, nd, new)
            check_rename(d.fs, po, no, nd.fs, nn, slash)
            d.fs.rename(po, no, pn, nn)
        finally:
            release(nd.fs, opened_n)
    finally:
        release(d.fs, opened_o)


@wit(TYPES, "[method]descriptor.symlink-at", "old-path new-path", err="fs")
def symlink_at(h: ComponentHost, d: Descriptor, target: str, new: str) -> None:
    """Make ``new`` a symbolic link to ``old-path``; an absolute target is refused."""
    if without_nul(target).startswith("/"):
        _dir(d)  # a descriptor that is no directory says so first
        refuse_absolute_target(target)
    parent, name, opened = _walk(h, d, new, False)
    try:
        _mutating(h, d, new)
        check_symlink(name, new)
        d.fs.symlink(target, parent, name)
    finally:
        release(d.fs, opened)


@wit(TYPES, "[method]descriptor.unlink-file-at", "path", err="fs")
def unlink_file_at(h: ComponentHost, d: Descriptor, path: str) -> None:
    """Remove the file or link ``path``."""
    parent, name, opened = _walk(h, d, path, False)
    try:
        _mutating(h, d, path)
        check_unlink(name)
        d.fs.unlink(parent, name)
    finally:
        release(d.fs, opened)


@wit(TYPES, "filesystem-error-code", "err")
def filesystem_error_code(h: ComponentHost, err: StreamErrorObject) -> str | None:
    """The ``error-code`` behind a stream's error, when a file operation caused it."""
    return error_code(err.errno) if isinstance(err, StreamErrorObject) else None


@wit("wasi:filesystem/preopens", "get-directories")
def get_directories(h: ComponentHost) -> list[tuple[Any, str]]:
    """The directories the sandbox grants, each with the path the guest knows it by."""
    return [
        (h.own(Descriptor(fs, fs.root(), guest, kind="dir", preopen=True)), guest)
        for guest, fs in h.filesystems
    ]
