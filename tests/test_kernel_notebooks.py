"""Notebooks using every magic run under nbclient: in the WASI kernel, and in the python3
kernel after ``%load_ext wasikernel``. Cells assert on the run objects themselves; this test
checks what the notebook shows."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

HERE = Path(__file__).parent / "notebooks"


def shown(cell) -> str:
    parts = []
    for out in cell.get("outputs", []):
        if out["output_type"] == "stream":
            parts.append(out["text"])
        elif out["output_type"] in ("display_data", "execute_result"):
            parts.append(out["data"].get("text/plain", ""))
            parts.append(out["data"].get("text/html", ""))
    return "\n".join(parts)


def cell_starting(nb, start: str):
    return next(c for c in nb.cells if c.cell_type == "code" and c.source.startswith(start))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["every_magic_wasi.ipynb", "every_magic_python.ipynb"])
@pytest.mark.zig
def test_every_magic_runs_in_both_kernels(name, tmp_path):
    nb = nbformat.read(HERE / name, as_version=4)
    client = NotebookClient(nb, timeout=300, kernel_name=nb.metadata.kernelspec.name,
                            resources={"metadata": {"path": str(tmp_path)}})
    client.execute()

    hello = next(c for c in nb.cells if c.cell_type == "code" and "hello, world" in c.source
                 and "fd_write" in c.source)
    assert "hello, world\n" in shown(hello)
    assert "exit 0 · 1 WASI call · 0 refused" in shown(hello)
    assert "hello, world" in shown(cell_starting(nb, "%%c"))
    assert "hello, world" in shown(cell_starting(nb, "%%rust"))
    assert "hello, world" in shown(cell_starting(nb, "%%wasm"))
    wast = shown(cell_starting(nb, "%%wast"))
    assert "✔ line 4: assert_return add(2, 3): = 5" in wast and "4 passed, 0 failed" in wast
    call = cell_starting(nb, "%call add")
    assert [o["data"]["text/plain"] for o in call.outputs
            if o["output_type"] == "execute_result"] == ["42"]
    assert "env: GREETING=salut" in shown(next(c for c in nb.cells if c.source == "%sandbox"))
    for view in ("%trace", "%memory", "%stack", "%sandbox show"):
        cell = next(c for c in nb.cells if c.source == view)
        kinds = [o["output_type"] for o in cell.outputs]
        assert "error" not in kinds and cell.outputs, (view, cell.outputs)
        assert any("application/vnd.jupyter.widget-view+json" in o.get("data", {})
                   for o in cell.outputs), view
    assert "fd_write" in shown(cell_starting(nb, "%trace --text"))
    assert "printf ends up here" in shown(cell_starting(nb, "%wasi fd_write"))
    trap = next(c for c in nb.cells if "$boom" in c.source)
    assert "unreachable" in shown(trap) and "boom" in shown(trap)
