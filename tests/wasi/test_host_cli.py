"""`wasikernel run`: the command-line contract (options, output, exit codes)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import wasmtime

WRITE_FILE = """(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 100) "out.txt")
  (data (i32.const 200) "written")
  (func (export "_start") (local $err i32)
    (local.set $err (call $open (i32.const 3) (i32.const 0) (i32.const 100) (i32.const 7)
      (i32.const 9) (i64.const 64) (i64.const 0) (i32.const 0) (i32.const 300)))
    (if (local.get $err) (then (call $exit (local.get $err))))
    (i32.store (i32.const 0) (i32.const 200)) (i32.store (i32.const 4) (i32.const 7))
    (drop (call $write (i32.load (i32.const 300)) (i32.const 0) (i32.const 1) (i32.const 8)))))
"""


def wasm_file(tmp_path: Path, text: str, name: str = "m.wasm") -> Path:
    path = tmp_path / name
    path.write_bytes(wasmtime.wat2wasm(text))
    return path


def wk(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "wasikernel", "run", *args],
        capture_output=True, cwd=cwd, timeout=60,
    )  # fmt: skip


def test_exit_code_stdout_and_args_pass_through(tmp_path):
    module = """(module
      (import "wasi_snapshot_preview1" "args_sizes_get" (func $sz (param i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (drop (call $sz (i32.const 0) (i32.const 4)))
        (call $exit (i32.add (i32.const 40) (i32.load (i32.const 0))))))"""
    proc = wk(str(wasm_file(tmp_path, module)), "a", "--not-an-option")
    assert proc.returncode == 43, proc.stderr  # argv = [module, a, --not-an-option]


def test_dir_grants_a_folder_and_trace_json_writes_the_contract(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    trace = tmp_path / "t.jsonl"
    proc = wk(
        "--dir", f"{data}::/", "--trace-json", str(trace), str(wasm_file(tmp_path, WRITE_FILE))
    )
    assert proc.returncode == 0, proc.stderr
    assert (data / "out.txt").read_text() == "written"
    events = [json.loads(line) for line in trace.read_text().splitlines()]
    opened = events[0]
    for key in ("seq", "call", "args", "results", "errno", "denied", "capability", "reason",
                "t_ns", "dur_ns", "memory"):  # fmt: skip
        assert key in opened
    assert opened["call"] == "path_open" and opened["args"]["path"] == "out.txt"
    assert opened["args"]["oflags"] == ["creat", "trunc"]
    assert opened["results"] == {"opened_fd": 4} and opened["errno"] == "success"
    assert events[1]["args"]["iovs"]["text"] == "written"


def test_ro_dir_refuses_the_write_and_trace_shows_why(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    proc = wk("--ro-dir", f"{data}::/", "--trace", str(wasm_file(tmp_path, WRITE_FILE)))
    assert proc.returncode == 63  # the module exits with the errno it got: perm
    assert not (data / "out.txt").exists()
    assert b"DENIED (write)" in proc.stderr and b"read-only" in proc.stderr


def test_trace_to_a_file_and_env(tmp_path):
    module = """(module
      (import "wasi_snapshot_preview1" "environ_sizes_get"
        (func $sz (param i32 i32) (result i32)))
      (memory (export "memory") 1)
      (func (export "_start") (drop (call $sz (i32.const 0) (i32.const 4)))))"""
    out = tmp_path / "trace.txt"
    proc = wk(f"--trace={out}", "--env", "K=V", str(wasm_file(tmp_path, module)))
    assert proc.returncode == 0
    assert out.read_text() == "environ_sizes_get() = success [environc=1, environ_buf_size=4]\n"


def test_trap_exits_134_with_a_backtrace(tmp_path):
    module = '(module (func $boom (unreachable)) (func (export "_start") (call $boom)))'
    proc = wk(str(wasm_file(tmp_path, module)))
    assert proc.returncode == 134
    err = proc.stderr.decode()
    assert "unreachable" in err and "wasm backtrace:" in err and "boom" in err


def test_limit_exits_137_with_the_reason(tmp_path):
    module = '(module (func (export "_start") (loop (br 0))))'
    proc = wk("--timeout", "0.3", str(wasm_file(tmp_path, module)))
    assert proc.returncode == 137 and b"longer than 0.3 s" in proc.stderr
    proc = wk("--max-memory", "1", str(wasm_file(tmp_path, "(module (memory 40))")))
    assert proc.returncode == 137 and b"1 MiB" in proc.stderr


def test_invoke_prints_each_result_on_its_own_line(tmp_path):
    module = """(module (func (export "divmod") (param i32 i32) (result i32 i32)
      (i32.div_u (local.get 0) (local.get 1)) (i32.rem_u (local.get 0) (local.get 1))))"""
    proc = wk("--invoke", "divmod", str(wasm_file(tmp_path, module)), "17", "5")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.decode().split() == ["3", "2"]


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.wasm"], b"cannot read the module"),
        (["--dir", "/no/such/dir", "m.wasm"], b"is not a directory"),
        (["--env", "NOEQUALS", "m.wasm"], b"NAME=VALUE"),
    ],
)
def test_bad_usage_exits_2_and_names_the_problem(tmp_path, args, message):
    wasm_file(tmp_path, "(module)")
    proc = wk(*args, cwd=tmp_path)
    assert proc.returncode == 2 and message in proc.stderr
    assert b"Traceback" not in proc.stderr


def test_wasi_testsuite_spelling_runs(tmp_path):
    root = tmp_path / "root"
    root.mkdir()
    proc = wk("--env", "A=B", "--dir", f"{root}::/", str(wasm_file(tmp_path, WRITE_FILE)), "x")
    assert proc.returncode == 0 and (root / "out.txt").exists()


def test_run_loads_neither_jupyter_nor_asyncio(tmp_path):
    module = wasm_file(tmp_path, HELLO_START)
    probe = (
        "import runpy, sys\n"
        f"sys.argv = ['wasikernel', 'run', {str(module)!r}]\n"
        "try:\n"
        "    runpy.run_module('wasikernel', run_name='__main__')\n"
        "except SystemExit as exc:\n"
        "    code = exc.code\n"
        "heavy = ('zmq', 'jupyter_client', 'ipykernel', 'IPython', 'traitlets', 'asyncio',\n"
        "         'wasikernel.compile', 'wasikernel.kernel')\n"
        "print(code, sorted(name for name in heavy if name in sys.modules), file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=60)
    assert proc.stdout == b"hi\n"
    assert proc.stderr.decode().strip() == "0 []"


HELLO_START = """(module
  (import "wasi_snapshot_preview1" "fd_write" (func $write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hi\\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16)) (i32.store (i32.const 4) (i32.const 3))
    (drop (call $write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"""
