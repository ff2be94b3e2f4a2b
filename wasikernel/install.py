"""Install the Jupyter kernelspec of the WASI kernel (``wasikernel install``)."""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager

KERNEL_NAME = "wasi"
DISPLAY_NAME = "WASI (WAT, C, Rust)"


def kernel_json() -> dict:
    """Return the kernelspec that starts the kernel with the running Python."""
    return {
        "argv": [sys.executable, "-m", "wasikernel.kernel", "-f", "{connection_file}"],
        "display_name": DISPLAY_NAME,
        "language": "wat",
        "interrupt_mode": "signal",
        "metadata": {"debugger": False},
    }


def install(user: bool = False, prefix: str | None = None) -> str:
    """Install the kernelspec and return the folder it went to.

    With neither ``user`` nor ``prefix``, it goes to the running environment (``sys.prefix``),
    which is right for a virtual environment.
    Raises ``OSError`` when the target folder cannot be written.
    """
    if not user and prefix is None:
        prefix = sys.prefix
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "kernel.json").write_text(json.dumps(kernel_json(), indent=2))
        return KernelSpecManager().install_kernel_spec(
            tmp, KERNEL_NAME, user=user, prefix=None if user else prefix, replace=True
        )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``wasikernel install``."""
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--user", action="store_true", help="install for the current user")
    where.add_argument(
        "--sys-prefix",
        action="store_true",
        help="install into the running environment (the default)",
    )
    where.add_argument("--prefix", help="install under this prefix")


def main(args: argparse.Namespace) -> int:
    """Install and say where."""
    path = install(user=args.user, prefix=args.prefix)
    print(f"Installed the kernelspec {KERNEL_NAME!r} ({DISPLAY_NAME}) in {path}")
    return 0
