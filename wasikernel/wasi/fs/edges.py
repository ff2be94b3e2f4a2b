"""The edge cases of the path calls, decided once for every ABI.

A preview 1 ``path_open`` and a preview 2 ``descriptor.open-at`` resolve their path the same way
(:func:`~.resolution.resolve`) and must then answer the same odd requests the same way: the
directory itself (``.``) named where a new name is wanted, a trailing ``/`` on a file's name,
two names in different file systems, a directory opened for writing, an absolute symbolic-link
target. Each rule raises :class:`~.protocol.FsError` with the errno wasmtime gives (or a
:class:`~.protocol.Refusal`), so both faces raise it and each turns it into its own error: an
errno for preview 1, an ``error-code`` for preview 2.
"""

from __future__ import annotations

import posixpath
from typing import Any

from ... import messages
from ..errno import FT_DIR, FT_SYMLINK, Errno
from .protocol import FileSystem, FsError, Refusal, Stat

__all__ = [
    "without_nul", "dir_path", "guest_path_of", "stat_here", "stat_or_none", "open_kind",
    "check_mkdir", "check_link", "check_readlink", "check_rmdir", "check_rename",
    "refuse_absolute_target", "check_symlink", "check_unlink",
]  # fmt: skip


def without_nul(path: str) -> str:
    """``path``; raises FsError (``inval``) when it holds a NUL, which no host call takes."""
    if "\0" in path:
        raise FsError(Errno.INVAL)
    return path


def dir_path(path: str) -> str:
    """The path a call that names a directory walks: trailing slashes dropped (``/`` kept)."""
    return path.rstrip("/") or path


def guest_path_of(base: str | None, path: str) -> str:
    """The guest's name of ``path`` opened beneath the directory the guest calls ``base``."""
    return posixpath.normpath(posixpath.join(base or "/", path))


def stat_here(fs: FileSystem, parent: Any, name: str) -> Stat:
    """The stat of ``name`` in ``parent`` without following a final link (``.``: ``parent``).

    Raises FsError."""
    return fs.dir_stat(parent) if name == "." else fs.lstat(parent, name)


def stat_or_none(fs: FileSystem, parent: Any, name: str) -> Stat | None:
    """:func:`stat_here`, or None when there is no such entry; raises FsError otherwise."""
    try:
        return stat_here(fs, parent, name)
    except FsError as exc:
        if exc.errno != Errno.NOENT:
            raise
        return None


def open_kind(
    st: Stat | None, *, creat: bool, excl: bool, write: bool, directory: bool
) -> str:
    """What an open of an entry whose stat is ``st`` (None: none yet) opens: ``"dir"`` or
    ``"file"``.

    Raises FsError: ``exist`` (a directory with create and exclusive), ``isdir`` (a directory
    opened for writing), ``loop`` (a final link, not followed), ``noent`` (nothing there and no
    create), ``notdir`` or ``inval`` (the directory flag on a file, or on a file to create).
    """
    if st is not None and st.filetype == FT_DIR:
        if creat and excl:
            raise FsError(Errno.EXIST)
        if write:
            raise FsError(Errno.ISDIR)
        return "dir"
    if st is not None and st.filetype == FT_SYMLINK:
        raise FsError(Errno.LOOP)
    if directory:
        if st is None and not creat:
            raise FsError(Errno.NOENT)
        raise FsError(Errno.NOTDIR if st is not None else Errno.INVAL)
    if st is None and not creat:
        raise FsError(Errno.NOENT)
    return "file"


def check_mkdir(name: str) -> None:
    """Raises FsError (``exist``) when the directory to make is the directory itself."""
    if name == ".":
        raise FsError(Errno.EXIST)


def check_link(
    old_fs: FileSystem, old_name: str, new_fs: FileSystem, new_parent: Any, new_name: str,
    new_path: str,
) -> None:  # fmt: skip
    """Raises FsError: ``xdev`` across file systems, ``perm`` for a directory itself, ``exist``
    for a new name that is the directory itself, and for a new name ending in ``/`` (as
    link(2) and wasmtime) ``exist`` when it is taken, ``noent`` when it is not."""
    if old_fs is not new_fs:
        raise FsError(Errno.XDEV)
    if old_name == "." or new_name == ".":
        raise FsError(Errno.PERM if old_name == "." else Errno.EXIST)
    if new_path.endswith("/"):
        try:
            new_fs.lstat(new_parent, new_name)
        except FsError:
            raise FsError(Errno.NOENT) from None
        raise FsError(Errno.EXIST)


def check_readlink(name: str) -> None:
    """Raises FsError (``inval``) for the directory itself, which is no link."""
    if name == ".":
        raise FsError(Errno.INVAL)


def check_rmdir(name: str) -> None:
    """Raises FsError (``inval``) for removing the directory itself."""
    if name == ".":
        raise FsError(Errno.INVAL)


def check_rename(
    old_fs: FileSystem, old_parent: Any, old_name: str, new_fs: FileSystem, new_name: str,
    slash: bool,
) -> None:  # fmt: skip
    """Raises FsError: ``xdev`` across file systems, ``busy`` for a directory itself, and
    ``notdir`` when either path ends in ``/`` (``slash``) and the old one is not a directory."""
    if old_fs is not new_fs:
        raise FsError(Errno.XDEV)
    if old_name == "." or new_name == ".":
        raise FsError(Errno.BUSY)
    if slash and old_fs.lstat(old_parent, old_name).filetype != FT_DIR:
        raise FsError(Errno.NOTDIR)


def refuse_absolute_target(target: str) -> None:
    """Raises Refusal for an absolute symbolic-link target: inside the sandbox a link may only
    point to a relative path."""
    if target.startswith("/"):
        raise Refusal("preopen", messages.t("symlink_absolute", target=target))


def check_symlink(name: str, new_path: str) -> None:
    """Raises FsError: ``exist`` for the directory itself, ``noent`` for a link's name ending
    in ``/``."""
    if name == "." or new_path.endswith("/"):
        raise FsError(Errno.EXIST if name == "." else Errno.NOENT)


def check_unlink(name: str) -> None:
    """Raises FsError (``isdir``) for unlinking the directory itself."""
    if name == ".":
        raise FsError(Errno.ISDIR)
