"""Run every benchmark module and print one table.

    python benchmarks/run.py            # all of them
    python benchmarks/run.py cli host   # only bench_cli.py and bench_host.py
"""

from __future__ import annotations

import importlib
import sys
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from harness import Row, check  # noqa: E402


def fmt(value: float, unit: str) -> str:
    """Return a figure with its unit, readable at a glance."""
    if unit == "s":
        if value < 1e-3:
            return f"{value * 1e6:.1f} µs"
        if value < 1:
            return f"{value * 1e3:.1f} ms"
        return f"{value:.2f} s"
    if unit == "B":
        for step, name in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
            if value >= step:
                return f"{value / step:.1f} {name}"
        return f"{value:.0f} B"
    return f"{value:.3g} {unit}"


def main(argv: list[str]) -> int:
    names = sorted(p.stem for p in HERE.glob("bench_*.py"))
    if argv:
        names = [n for n in names if n.removeprefix("bench_") in argv]
    rows: list[Row] = []
    failed = []
    for name in names:
        print(f"running {name} ...", file=sys.stderr, flush=True)
        try:
            rows.extend(importlib.import_module(name).rows())
        except Exception:
            failed.append(name)
            traceback.print_exc()
    header = ("figure", "value", "baseline", "baseline value", "ratio", "target", "met")
    table = [header]
    for r in rows:
        met = r.met if r.met is not None else check(r.ratio, r.target)
        table.append(
            (
                r.name,
                fmt(r.value, r.unit),
                r.baseline_name,
                fmt(r.baseline, r.unit),
                f"{r.ratio:.2f}x",
                r.target or "-",
                "-" if met is None else ("yes" if met else "NO"),
            )
        )
    widths = [max(len(str(row[i])) for row in table) for i in range(len(header))]
    for i, row in enumerate(table):
        print("  ".join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
        if i == 0:
            print("  ".join("-" * w for w in widths))
    for r in rows:
        if r.note:
            print(f"note: {r.name}: {r.note}")
    if failed:
        print(f"benchmarks that failed to run: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
