"""The course as a static site (JupyterLite with the Pyodide kernel): the learner's browser is
the machine.

In the browser, :func:`ready` is what the first cell of each notebook of the site awaits: it
loads the WAT assembler (wabt.js) and the magics. On the machine that builds the site,
``wasikernel lite build OUT`` (:mod:`wasikernel.lite.build`) makes the whole site offline from
the package registries.
"""

from __future__ import annotations

__all__ = ["ready"]


async def ready(shell: object = None) -> None:
    """Load wabt.js and ``%load_ext wasikernel`` into ``shell`` (default: the running IPython).

    When wabt.js cannot be fetched from the site, says so on stderr (WAT cells then say it
    again) and still loads the magics.
    """
    import sys

    from ..compile._browser import load_wabt
    from ..errors import CompileError

    try:
        await load_wabt()
    except CompileError as exc:
        print(exc.message, file=sys.stderr)
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("load_ext", "wasikernel")


#: the most bytes an in-memory copy of a folder holds (a browser tab's memory is the learner's)
FOLDER_COPY_MAX = 16 * 1024 * 1024


def folder_in_memory(host: str) -> dict | None:
    """An in-memory tree (name -> bytes or sub-tree) copied from the folder ``host``: a folder
    of the page's file system, else the course's own data folder of that name shipped in the
    package (``wasikernel/lite/data/NAME``). None when neither exists.

    Raises UsageError when the folder holds more than FOLDER_COPY_MAX bytes.
    """
    import os
    from importlib import resources

    from ..errors import UsageError
    from ..messages import t

    total = 0

    def copy(folder: object) -> dict:
        nonlocal total
        tree: dict = {}
        for entry in folder.iterdir():  # type: ignore[attr-defined]
            if entry.is_dir():
                tree[entry.name] = copy(entry)
            else:
                data = entry.read_bytes()
                total += len(data)
                if total > FOLDER_COPY_MAX:
                    raise UsageError(t("browser_folder_too_big", folder=host,
                                       mib=FOLDER_COPY_MAX // (1024 * 1024)))  # fmt: skip
                tree[entry.name] = data
        return tree

    from pathlib import Path

    if os.path.isdir(host):
        return copy(Path(host))
    shipped = resources.files("wasikernel.lite") / "data" / os.path.basename(host.rstrip("/"))
    if shipped.is_dir():
        return copy(shipped)
    return None
