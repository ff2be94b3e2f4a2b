"""The package installs, its command line routes, and its kernelspec starts a real kernel."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
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
    listed = out.split("positional arguments:")[1]
    for name, (_module, help_text) in cli.SUBCOMMANDS.items():
        assert f"    {name} " in listed and help_text in listed, name


def test_cli_without_command_prints_help_and_fails(capsys):
    assert cli.main([]) == 2
    assert "usage: wasikernel" in capsys.readouterr().out


def test_install_into_prefix_writes_a_kernelspec_for_this_python(tmp_path: Path):
    code = cli.main(["install", "--prefix", str(tmp_path)])
    assert code == 0
    spec = json.loads((tmp_path / "share/jupyter/kernels/wasi/kernel.json").read_text())
    assert spec["argv"][0] == sys.executable
    assert spec["display_name"] == "WASI (WAT, C, Rust)"


def test_install_turns_off_jupyterlabs_news_popup_and_keeps_other_defaults(tmp_path, monkeypatch):
    """JupyterLab asks "Would you like to get notified about official Jupyter news?" on first
    open while its ``fetchNews`` setting is "none"; the install makes "false" the default that
    JupyterLab's own settings reader finds, and keeps other plugins' defaults in that file."""
    from jupyterlab_server.settings_utils import _get_overrides

    labconfig = tmp_path / "etc/jupyter/labconfig"
    labconfig.mkdir(parents=True)
    other = {"@jupyterlab/apputils-extension:themes": {"theme": "JupyterLab Dark"}}
    (labconfig / "default_setting_overrides.json").write_text(json.dumps(other))
    assert cli.main(["install", "--prefix", str(tmp_path)]) == 0
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", str(tmp_path / "etc/jupyter"))
    overrides, error = _get_overrides(str(tmp_path / "no-app-settings"))
    assert not error
    notification = overrides["@jupyterlab/apputils-extension:notification"]
    assert notification["fetchNews"] == "false" and notification["checkForUpdates"] is False
    assert overrides["@jupyterlab/apputils-extension:themes"] == {"theme": "JupyterLab Dark"}


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


ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_readme_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "bash scripts/test.sh" in readme and "bash scripts/lab.sh" in readme
    ci = (ROOT / ".ci/run").read_text()
    assert "scripts/test.sh" in ci


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_run_command_serves_jupyterlab_on_the_lessons():
    """The README's run command prints a URL that answers, with the WASI kernel available."""
    import os
    import re
    import time
    import urllib.error
    import urllib.request

    port = _free_port()
    env = dict(os.environ, PORT=str(port), WASIKERNEL_VENV=sys.prefix)
    proc = subprocess.Popen(
        ["bash", str(ROOT / "scripts/lab.sh")],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        url = None
        deadline = time.monotonic() + 120
        lines = []
        while time.monotonic() < deadline and url is None:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
            m = re.search(rf"http://127\.0\.0\.1:{port}/lab/tree/lessons\?token=\w+", line)
            url = m.group(0) if m else None
        assert url, "no URL printed:\n" + "".join(lines[-20:])
        # the server logs its URL a moment before its socket accepts connections
        for _ in range(60):
            try:
                with urllib.request.urlopen(url, timeout=30) as page:
                    body = page.read().decode()
                    assert page.status == 200
                break
            except urllib.error.URLError:
                assert proc.poll() is None, "JupyterLab exited"
                time.sleep(0.5)
        else:
            raise AssertionError(f"{url} never answered")
        assert "JupyterLab" in body
        token = url.split("token=")[1]
        # the lessons and the gallery are both reachable from the server's root
        for folder in ("lessons/en", "lessons/fr", "notebooks"):
            listing = f"http://127.0.0.1:{port}/api/contents/{folder}?token={token}"
            with urllib.request.urlopen(listing, timeout=30) as reply:
                names = [item["name"] for item in json.loads(reply.read())["content"]]
            assert any(name.endswith(".ipynb") for name in names), folder
        api = f"http://127.0.0.1:{port}/api/kernelspecs?token={token}"
        with urllib.request.urlopen(api, timeout=30) as reply:
            specs = json.loads(reply.read())["kernelspecs"]
        assert specs["wasi"]["spec"]["display_name"] == "WASI (WAT, C, Rust)"
    finally:
        import signal

        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)


def test_run_result_repr_is_short_even_with_large_memory():
    from wasikernel import RunResult, Sandbox, Trace

    result = RunResult(
        stdout=b"hi\n", stderr=b"", exit_code=0, trap=None, limit=None, trace=Trace(),
        sandbox=Sandbox(), memory_before=bytes(16 << 20), memory_after=bytes(16 << 20),
    )
    text = repr(result)
    assert len(text) < 300
    assert "exit_code=0" in text and "stdout=3 bytes" in text and f"memory={16 << 20}" in text


def test_a_memory_snapshot_reads_as_the_bytes_it_copied():
    import copy
    import pickle
    import struct

    from wasikernel.result import MemorySnapshot

    data = bytearray(3 * MemorySnapshot.PAGE + 100)  # a last page cut short
    data[5:10] = b"hello"
    data[-3:] = b"end"
    snap = MemorySnapshot.of(data)
    oracle = bytes(data)
    assert len(snap) == len(oracle) and snap == oracle and oracle == snap and snap != b"x"
    assert snap[5] == ord("h") and snap[5:10] == b"hello" and snap[-3:] == b"end"
    assert snap[MemorySnapshot.PAGE : MemorySnapshot.PAGE + 4] == bytes(4)  # a page not held
    assert list(snap) == list(oracle) and b"hello" in snap and b"absent" not in snap
    assert bytes(snap) == oracle and memoryview(snap).tobytes() == oracle
    assert struct.unpack_from("<5s", snap, 5) == (b"hello",)
    assert pickle.loads(pickle.dumps(snap)) == oracle and copy.deepcopy(snap) == oracle
    assert snap.pages_held == 2
    with pytest.raises(TypeError, match="read-only"):
        snap[0] = 1
    with pytest.raises(TypeError, match="read-only"):
        snap.write(b"x")
    assert MemorySnapshot.of(b"") == b""


def test_a_c_run_keeps_only_the_pages_of_its_memory_that_hold_data():
    """A C module's memory is 17 MiB, almost all of it a stack the program never reached; the
    copies a run keeps (before and after) hold its few pages of data, not 17 MiB each."""
    from wasikernel.compile import compile_source
    from wasikernel.engines import run
    from wasikernel.errors import ToolchainMissing
    from wasikernel.result import MemorySnapshot
    from wasikernel.sandbox import Sandbox

    try:
        compiled = compile_source("c", '#include <stdio.h>\nint main(void) { puts("hi"); }\n')
    except ToolchainMissing as exc:
        pytest.skip(f"no C toolchain: {exc}")
    result = run(compiled.wasm, Sandbox(), layout=compiled.layout, keep=True)
    memory = result.module._instance.memory  # the oracle: wasmtime's memory, read as it is
    live = memory.read(0, memory.size())
    assert len(result.memory_after) == len(live) >= 16 << 20
    assert result.memory_after == live and result.memory_before != live
    for snap in (result.memory_before, result.memory_after):
        assert isinstance(snap, MemorySnapshot)
        assert snap.pages_held * MemorySnapshot.PAGE <= 256 << 10, snap
