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

    Raises CompileError when wabt.js cannot be fetched from the site.
    """
    from ..compile._browser import load_wabt

    await load_wabt()
    if shell is None:
        from IPython import get_ipython

        shell = get_ipython()
    if shell is not None:
        shell.run_line_magic("load_ext", "wasikernel")
