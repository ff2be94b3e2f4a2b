"""The package installs, its command line routes, and its kernelspec starts a real kernel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel

import wasikernel
from wasikernel import cli


def test_public_api_lists_only_existing_names():
    for name in wasikernel.__all__:
        assert hasattr(wasikernel, name), name


def test_cli_help_names_every_subcommand():
    out = subprocess.run(
        [sys.executable, "-m", "wasikernel", "--help"], capture_output=True, text=True, check=True
    ).stdout
    for name in ("run", "compile", "install"):
        assert name in out


def test_cli_without_command_prints_help_and_fails(capsys):
    assert cli.main([]) == 2
    assert "usage: wasikernel" in capsys.readouterr().out


def test_install_into_prefix_writes_a_kernelspec_for_this_python(tmp_path: Path):
    code = cli.main(["install", "--prefix", str(tmp_path)])
    assert code == 0
    spec = json.loads((tmp_path / "share/jupyter/kernels/wasi/kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    assert spec["display_name"] == "WASI (WAT, C, Rust)"


def test_kernelspec_is_registered_and_starts_a_kernel():
    specs = KernelSpecManager().get_all_specs()
    assert "wasi" in specs, "run `wasikernel install` (the README's commands do)"
    assert specs["wasi"]["spec"]["display_name"] == "WASI (WAT, C, Rust)"
    km, kc = start_new_kernel(kernel_name="wasi", startup_timeout=60)
    try:
        reply = kc.kernel_info(reply=True, timeout=30)
        info = reply["content"]["language_info"]
        assert info["mimetype"] == "text/webassembly"
        assert info["file_extension"] == ".wat"
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
