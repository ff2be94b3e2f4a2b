"""Path resolution, the security core: a whole guest path walked beneath one directory.

:func:`resolve` takes one component at a time from a stack, as cap-std does, and keeps a stack
of the directory handles it opened, so no ``..`` and no symbolic link can climb above the
directory it starts from. Its work is linear in the path and bounded as Linux bounds it
(:data:`PATH_MAX`, :data:`NAME_MAX`, :data:`MAX_SYMLINKS`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ... import messages
from ..errno import FT_DIR, FT_SYMLINK, Errno
from .protocol import FileSystem, FsError, Refusal

__all__ = ["resolve", "release", "PATH_MAX", "NAME_MAX", "MAX_SYMLINKS", "CHECK_EVERY"]

#: a path of this many bytes or more is ``nametoolong`` (Linux's PATH_MAX, NUL included)
PATH_MAX = 4096
#: the longest name of one component, in bytes (Linux's NAME_MAX)
NAME_MAX = 255
#: how many symbolic links one resolution may expand before ``loop`` (Linux's MAXSYMLINKS)
MAX_SYMLINKS = 40
#: how many components the resolver walks between two calls of its ``check``
CHECK_EVERY = 256


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
