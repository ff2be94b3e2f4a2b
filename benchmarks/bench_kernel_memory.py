"""The WASI kernel's memory over a lesson: its RSS after 50 hello-world cells against its RSS
after the first, for WAT and for C, each in a fresh kernel started through jupyter_client.

A kernel that keeps something of every run grows with each cell, and a class server runs out of
memory within a lesson. Target: after 50 cells the kernel is within 20 MiB of where it was after
the first (the first cell loads what every later cell reuses, so it is the baseline). Each row
also says how much the RSS moved after the third cell: IPython's ``_``, ``__`` and ``___`` keep
the last three results, each with the memory before and after its run (a C module's memory is
17 MiB, of which a snapshot keeps only the pages that hold data).

    python benchmarks/run.py kernel_memory
"""

from __future__ import annotations

import sys
from pathlib import Path

from bench_kernel import _execute, _rss, _start, _stop
from harness import Row

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _kernel_wat import C_HELLO, HELLO  # noqa: E402

CELLS = 50
ALLOWED_GROWTH = 20 << 20

_CELLS = {"WAT": "%%wat\n" + HELLO, "C": "%%c\n" + C_HELLO}


def rss_after_cells(cell: str, cells: int = CELLS) -> tuple[int, int, int]:
    """The kernel process's RSS in bytes after the first, the third and the last of ``cells``
    runs of ``cell``, in a kernel started for this measurement (raises RuntimeError if a cell
    fails)."""
    km, kc = _start("wasi")
    seen = []
    try:
        for number in range(1, cells + 1):
            _execute(kc, cell)
            if number in (1, 3, cells):
                seen.append(_rss(km.provisioner.pid))
    finally:
        _stop(km, kc)
    first, third, last = seen
    return first, third, last


def rows() -> list[Row]:
    out = []
    for language, cell in _CELLS.items():
        first, third, last = rss_after_cells(cell)
        growth = last - first
        out.append(Row(
            f"kernel RSS after {CELLS} {language} hello cells", last, "B",
            f"kernel RSS after the first {language} cell", first,
            target="<= +20 MiB", met=growth <= ALLOWED_GROWTH,
            note=f"grew {growth / (1 << 20):+.1f} MiB over {CELLS - 1} cells "
                 f"({growth / (CELLS - 1) / (1 << 20):+.2f} MiB a cell), "
                 f"{(last - third) / (1 << 20):+.1f} MiB after the third",
        ))  # fmt: skip
    return out


if __name__ == "__main__":
    for row in rows():
        print(f"{row.name}: {row.value / (1 << 20):.1f} MiB; {row.baseline_name}: "
              f"{row.baseline / (1 << 20):.1f} MiB; ratio {row.ratio:.2f}x; {row.note}; "
              f"met: {row.met}")
