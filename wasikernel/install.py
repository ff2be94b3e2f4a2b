"""Install the Jupyter kernelspec of the WASI kernel (``wasikernel install``), the JupyterLab
settings a class needs (no news pop-up on first open) and the JupyterLab extension that
highlights ``%%python``, ``%%c`` and ``%%rust`` cells in their language
(``wasikernel/labextension/``, prebuilt: it needs no build step)."""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import tempfile
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_core.paths import jupyter_config_dir, jupyter_data_dir

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


#: JupyterLab settings the install sets as defaults (a learner may still change them): the
#: news feed is neither asked about nor fetched on first open, nor are updates looked for
LAB_DEFAULTS = {
    "@jupyterlab/apputils-extension:notification": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
}


def lab_defaults_file(user: bool = False, prefix: str | None = None) -> Path:
    """Where JupyterLab reads setting defaults for this install: ``labconfig/
    default_setting_overrides.json`` in the Jupyter config folder of ``prefix`` (its
    ``etc/jupyter``) or of the user."""
    base = Path(jupyter_config_dir()) if user else Path(prefix or sys.prefix, "etc", "jupyter")
    return base / "labconfig" / "default_setting_overrides.json"


def install_lab_defaults(user: bool = False, prefix: str | None = None) -> Path:
    """Merge :data:`LAB_DEFAULTS` into :func:`lab_defaults_file` (other plugins' settings
    there are kept) and return the file. Raises ``OSError`` when it cannot be written."""
    path = lab_defaults_file(user, prefix)
    try:
        current = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        current = {}
    if not isinstance(current, dict):
        current = {}
    for plugin, values in LAB_DEFAULTS.items():
        mine = current.get(plugin)
        current[plugin] = {**(mine if isinstance(mine, dict) else {}), **values}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(current, indent=2) + "\n", encoding="utf-8")
    return path


#: the JupyterLab extension shipped inside the package, and the name JupyterLab knows it by
LAB_EXTENSION = Path(__file__).resolve().parent / "labextension"
LAB_EXTENSION_NAME = "wasikernel-cells"


def install_lab_extension(user: bool = False, prefix: str | None = None) -> Path:
    """Copy the cell-language extension into ``share/jupyter/labextensions`` of ``prefix``
    (or of the user's Jupyter data folder) and return where it went; JupyterLab loads it on
    its next start. Raises ``OSError`` when the folder cannot be written."""
    base = Path(jupyter_data_dir()) if user else Path(prefix or sys.prefix, "share", "jupyter")
    target = base / "labextensions" / LAB_EXTENSION_NAME
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(LAB_EXTENSION, target)
    return target


def install(user: bool = False, prefix: str | None = None) -> str:
    """Install the kernelspec, JupyterLab's defaults (:func:`install_lab_defaults`) and the
    cell-language extension (:func:`install_lab_extension`); return the kernelspec's folder.

    With neither ``user`` nor ``prefix``, it goes to the running environment (``sys.prefix``),
    which is right for a virtual environment.
    Raises ``OSError`` when the target folder cannot be written.
    """
    if not user and prefix is None:
        prefix = sys.prefix
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "kernel.json").write_text(json.dumps(kernel_json(), indent=2))
        where = KernelSpecManager().install_kernel_spec(
            tmp, KERNEL_NAME, user=user, prefix=None if user else prefix, replace=True
        )
    install_lab_defaults(user, prefix)
    install_lab_extension(user, prefix)
    return where


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
