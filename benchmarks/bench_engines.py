"""What a long kernel session costs in memory: the WASI kernel's RSS after 50 cells of the same
program against its RSS after the first, for a C cell and a WAT cell. A run that kept its
store (and the guest's linear memory with it) would add its memory at every cell; the target is
the classroom's: within 20 MiB of where the kernel was after the first cell. Each row also says
how much the RSS moved after the third cell: IPython's ``_``, ``__`` and ``___`` keep the last
three results, and a C run's result holds two copies of its 17 MiB memory."""

from __future__ import annotations

import sys
from pathlib import Path

from bench_kernel import _execute, _rss, _start, _stop
from harness import Row

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _kernel_wat import C_HELLO, HELLO  # noqa: E402

CELLS = 50
SLACK = 20 << 20


def _rss_after_cells(kc, pid: int, cell: str) -> tuple[int, int, int]:
    """RSS after the first cell, after the third, after the last."""
    seen = []
    for number in range(1, CELLS + 1):
        _execute(kc, cell)
        if number in (1, 3, CELLS):
            seen.append(_rss(pid))
    first, third, last = seen
    return first, third, last


def rows() -> list[Row]:
    out: list[Row] = []
    for name, cell in (("C", "%%c\n" + C_HELLO), ("WAT", HELLO)):
        km, kc = _start("wasi")
        try:
            first, third, last = _rss_after_cells(kc, km.provisioner.pid, cell)
        finally:
            _stop(km, kc)
        out.append(Row(
            f"kernel RSS after {CELLS} {name} cells", last, "B",
            f"RSS after the first {name} cell", first, target="within 20 MiB",
            met=last - first <= SLACK, note=f"{(last - first) / (1 << 20):+.1f} MiB in {CELLS - 1} "
            f"more cells, {(last - third) / (1 << 20):+.1f} MiB after the third (_, __ and ___ "
            "hold the last three results, each with its memory copies)",
        ))  # fmt: skip
    return out
