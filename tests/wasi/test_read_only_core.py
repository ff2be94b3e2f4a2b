"""A read-only file system refuses every change by itself, whichever face calls it: the
preview 1 bodies refuse first with the guest's path, and a body that forgot to (or a second
ABI's face) still meets a Refusal from the host folder or the in-memory tree.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from wasikernel.wasi.fs import HostFileSystem, MemoryFileSystem, OpenMode, Refusal

TREE = {"f": b"file", "d": {"x": b"x"}, "e": {}}


def _read_only(kind: str, tmp_path: Path):
    if kind == "host folder":
        (tmp_path / "d").mkdir()
        (tmp_path / "e").mkdir()
        (tmp_path / "f").write_bytes(b"file")
        (tmp_path / "d" / "x").write_bytes(b"x")
        return HostFileSystem(str(tmp_path), read_only=True)
    return MemoryFileSystem(TREE, read_only=True)


CHANGES = {
    "mkdir": lambda fs, root: fs.mkdir(root, "new"),
    "rmdir": lambda fs, root: fs.rmdir(root, "e"),
    "unlink": lambda fs, root: fs.unlink(root, "f"),
    "symlink": lambda fs, root: fs.symlink("f", root, "link"),
    "link": lambda fs, root: fs.link(root, "f", root, "hard"),
    "rename": lambda fs, root: fs.rename(root, "f", root, "g"),
    "set_times": lambda fs, root: fs.set_times(root, "f", 5, 5),
    "set_times of the folder": lambda fs, root: fs.set_times(root, ".", 5, 5),
    "open to write": lambda fs, root: fs.open_file(root, "f", OpenMode(True, True)),
    "open to create": lambda fs, root: fs.open_file(root, "n", OpenMode(True, False, True)),
    "open to truncate": lambda fs, root: fs.open_file(root, "f", OpenMode(True, False, trunc=True)),
    "handle set_times": lambda fs, root: fs.open_file(root, "f", OpenMode(True, False)).set_times(
        5, 5
    ),
}


@pytest.mark.parametrize("kind", ["host folder", "in-memory tree"])
@pytest.mark.parametrize("change", list(CHANGES))
def test_a_read_only_file_system_refuses_the_change_itself(change, kind, tmp_path):
    fs = _read_only(kind, tmp_path)
    root = fs.root()
    before = fs.listdir(root), fs.lstat(root, "f")
    with pytest.raises(Refusal) as refused:
        CHANGES[change](fs, root)
    assert refused.value.capability == "write" and "--ro-dir" in refused.value.reason
    assert refused.value.reason.split()[0] in ("new", "e", "f", "link", "hard", "n", ".")
    assert (fs.listdir(root), fs.lstat(root, "f")) == before
    if kind == "host folder":
        assert os.stat(tmp_path / "f").st_mtime_ns != 5
        fs.close()


@pytest.mark.parametrize("kind", ["host folder", "in-memory tree"])
def test_a_read_only_file_system_still_reads(kind, tmp_path):
    fs = _read_only(kind, tmp_path)
    handle = fs.open_file(fs.root(), "f", OpenMode(True, False))
    assert handle.read(100) == b"file"
    handle.close()
