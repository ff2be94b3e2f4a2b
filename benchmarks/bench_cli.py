"""Start-up of the ``wasikernel`` command against a bare Python start-up."""

from __future__ import annotations

import subprocess
import sys

from harness import Row, median_of


def rows() -> list[Row]:
    def bare() -> None:
        subprocess.run([sys.executable, "-c", "pass"], check=True)

    def cli() -> None:
        subprocess.run(
            [sys.executable, "-m", "wasikernel", "--help"], check=True, stdout=subprocess.DEVNULL
        )

    base = median_of(bare, repeat=7)
    ours = median_of(cli, repeat=7)
    return [Row("wasikernel --help start-up", ours, "s", "python -c pass", base)]
