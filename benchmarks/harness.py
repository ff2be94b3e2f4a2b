"""The benchmark harness: every figure is printed beside a baseline measured in the same run.

Each ``benchmarks/bench_*.py`` defines ``rows() -> Iterable[Row]``. ``python benchmarks/run.py``
imports them all and prints one table. These machines are noisy, so a figure alone means little:
the ratio to a baseline taken moments before, in the same process, is what to read.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Row:
    """One measured figure and its baseline.

    ``ratio`` is ``value / baseline`` unless given. ``target`` is a sentence such as
    ``"<= 1.5x"`` and ``met`` says whether the ratio meets it (``None`` when there is no target).
    """

    name: str
    value: float
    unit: str
    baseline_name: str
    baseline: float
    target: str = ""
    met: bool | None = None
    ratio: float | None = None
    note: str = ""

    def __post_init__(self) -> None:
        if self.ratio is None:
            self.ratio = self.value / self.baseline if self.baseline else float("nan")


def best_of(fn: Callable[[], object], repeat: int = 5, number: int = 1) -> float:
    """Seconds per call of ``fn``: the best of ``repeat`` rounds of ``number`` calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return min(times)


def median_of(fn: Callable[[], object], repeat: int = 5) -> float:
    """Seconds per call of ``fn``: the median of ``repeat`` single calls."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def check(ratio: float, target: str) -> bool | None:
    """Whether ``ratio`` meets a target written ``"<= 1.5x"`` or ``">= 10x"``."""
    if not target:
        return None
    op, _, number = target.partition(" ")
    limit = float(number.rstrip("x"))
    return ratio <= limit if op == "<=" else ratio >= limit
