"""Engines against a hostile guest: a memory that moves, a run that would leak its store or its
descriptors, a folder whose symlinks leave it. Each run that could kill or bloat the process
runs in a fresh interpreter, so a failure is a failed test, not a dead test run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# prints "hi", grows a memory64 memory past 4 GiB (wasmtime then moves it), prints "hi" again
GROW_PAST_4_GIB = r"""
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") i64 1)
  (func (export "_start")
    (i64.store (i64.const 0) (i64.const 0x0000000300000010))
    (i64.store (i64.const 16) (i64.const 0x000a6968))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    (if (i64.lt_s (memory.grow (i64.const 70000)) (i64.const 0)) (then unreachable))
    (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"""


def run_python(code: str, timeout: float = 300) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter that imports this checkout's wasikernel."""
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True,
        timeout=timeout, env=env, cwd=ROOT,
    )  # fmt: skip


@pytest.mark.parametrize("engine", ["wasmtime", "pulley"])
def test_a_memory_that_moves_past_4_gib_is_still_read_right(engine):
    done = run_python(f"""
        from wasikernel.engines import run
        from wasikernel.sandbox import Limits, Sandbox
        r = run({GROW_PAST_4_GIB!r}, Sandbox(limits=Limits(max_memory_mib=8192)),
                engine={engine!r})
        print(repr((r.exit_code, r.trap, r.limit, r.stdout)))
    """)
    assert done.returncode == 0, f"the run killed its process ({done.returncode}): {done.stderr}"
    assert done.stdout.strip() == repr((0, None, None, b"hi\nhi\n"))


# each run fills 4 MiB of its linear memory, so a store that is never freed shows in the RSS
FILL_4_MIB_WAT = r"""
(module
  (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 80)
  (func (export "_start") (memory.fill (i32.const 65536) (i32.const 7) (i32.const 4194304))))
"""

FILL_4_MIB_C = r"""
#include <stdio.h>
#include <string.h>
static char block[4 << 20];
int main(void) { memset(block, 7, sizeof block); printf("%d\n", block[12345]); return 0; }
"""

RSS_AFTER_50_RUNS = """
    import gc
    from wasikernel.engines import run
    from wasikernel.sandbox import Sandbox

    def rss_mib():
        with open("/proc/self/status") as status:
            line = next(line for line in status if line.startswith("VmRSS:"))
        return int(line.split()[1]) / 1024

    def once():
        result = run(MODULE, Sandbox(), engine=ENGINE)
        assert result.ok, result
        del result
        gc.collect()

    once()
    first = rss_mib()
    for _ in range(49):
        once()
    print(first, rss_mib())
"""


def _rss_after_runs(module_setup: str, engine: str) -> tuple[float, float]:
    done = run_python(f"ENGINE = {engine!r}\n{module_setup}\n" + textwrap.dedent(RSS_AFTER_50_RUNS))
    assert done.returncode == 0, done.stderr
    first, last = (float(x) for x in done.stdout.split())
    return first, last


@pytest.mark.parametrize("engine", ["wasmtime", "pulley", "stepper", "wasm3"])
def test_fifty_wat_runs_give_their_memory_back(engine):
    from wasikernel.engines import REGISTRY

    if REGISTRY[engine].available() is not None:
        pytest.skip(REGISTRY[engine].available())
    first, last = _rss_after_runs(f"MODULE = {FILL_4_MIB_WAT!r}", engine)
    assert last - first < 20, f"RSS {first:.0f} MiB after one run, {last:.0f} MiB after 50"


@pytest.mark.parametrize("engine", ["wasmtime", "pulley"])
def test_fifty_c_runs_give_their_memory_back(engine):
    from wasikernel.compile import compile_source
    from wasikernel.errors import ToolchainMissing

    try:
        wasm = compile_source("c", FILL_4_MIB_C).wasm
    except ToolchainMissing as exc:
        pytest.skip(f"no C toolchain: {exc}")
    first, last = _rss_after_runs(f"MODULE = {wasm!r}", engine)
    assert last - first < 20, f"RSS {first:.0f} MiB after one run, {last:.0f} MiB after 50"


_IMPORTS = (
    '(import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32) (result i32)))'
    '(import "wasi_snapshot_preview1" "proc_exit" (func $e (param i32)))'
)


def _module(start_body: str, imports: str = "") -> str:
    return f'(module {_IMPORTS} {imports} (memory (export "memory") 1) ' \
        f'(func (export "_start") {start_body}))'


ENDINGS = {
    "exit": _module("(call $e (i32.const 3))"),
    "link refusal": _module("", '(import "env" "nope" (func $n))'),
    "trap": _module("unreachable"),
    "time limit": _module("(loop br 0)"),
    "cancel": _module("(loop br 0)"),
    "unknown export": _module(""),
}


def _open_descriptors(under: Path | None = None) -> int:
    """Descriptors open in this process (those that lead into ``under``, when given).

    Counting only the granted folder's descriptors keeps the count free of what other
    threads of a long test process open and close meanwhile (sockets, pipes)."""
    if under is None:
        return len(os.listdir("/proc/self/fd"))
    found = 0
    for fd in os.listdir("/proc/self/fd"):
        try:
            target = os.readlink(f"/proc/self/fd/{fd}")
        except OSError:
            continue  # closed meanwhile
        found += target == str(under) or target.startswith(f"{under}/")
    return found


@pytest.mark.skipif(not Path("/proc/self/fd").is_dir(), reason="needs /proc to count descriptors")
@pytest.mark.parametrize("ending", sorted(ENDINGS))
@pytest.mark.parametrize("engine", ["wasmtime", "pulley", "stepper", "wasm3", "wasmtime-cli"])
def test_a_run_with_host_folders_closes_every_descriptor_it_opened(engine, ending, tmp_path):
    import threading

    from wasikernel.engines import REGISTRY, run
    from wasikernel.errors import EngineError
    from wasikernel.sandbox import Limits, Preopen, Sandbox

    reason = REGISTRY[engine].available()
    if reason is not None:
        pytest.skip(reason)
    (tmp_path / "a.txt").write_text("x")

    def once() -> None:
        sandbox = Sandbox(
            preopens=[Preopen("/data", str(tmp_path)), Preopen("/ro", str(tmp_path), True)],
            limits=Limits(timeout_s=0.5 if ending == "time limit" else 30),
        )  # fmt: skip
        cancel = threading.Event()
        if ending == "cancel":
            threading.Timer(0.3, cancel.set).start()
        invoke = "missing" if ending == "unknown export" else None
        try:
            run(ENDINGS[ending], sandbox, engine=engine, cancel=cancel, invoke=invoke)
        except EngineError:
            assert ending == "unknown export"

    once()  # the first run may open what stays open for good (a compile cache, say)
    before = _open_descriptors(tmp_path)
    for _ in range(3):
        once()
    assert _open_descriptors(tmp_path) == before


READ_THROUGH_LINK_C = r"""
#include <stdio.h>
int main(void) {
    FILE *f = fopen("/data/outdir/secret.txt", "r");
    if (!f) { puts("refused"); return 1; }
    char buf[64] = {0};
    fread(buf, 1, 63, f);
    printf("read: %s", buf);
    return 0;
}
"""


@pytest.fixture
def folder_with_a_link_out(tmp_path):
    """A granted folder ``box`` holding ``outdir -> ../outside``, and the secret beside it."""
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "secret.txt").write_text("SECRET\n")
    box = tmp_path / "box"
    box.mkdir()
    (box / "inside").mkdir()
    (box / "inside" / "note.txt").write_text("fine\n")
    (box / "near").symlink_to("inside")  # a link that stays inside is no reason to refuse
    return box


def _reader_wasm() -> bytes:
    from wasikernel.compile import compile_source
    from wasikernel.errors import ToolchainMissing

    try:
        return compile_source("c", READ_THROUGH_LINK_C).wasm
    except ToolchainMissing as exc:
        pytest.skip(f"no C toolchain: {exc}")


needs_node = pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")


@needs_node
def test_node_is_refused_a_folder_whose_link_leads_out_and_never_reads_through_it(
    folder_with_a_link_out,
):
    from wasikernel.engines import run
    from wasikernel.errors import EngineError
    from wasikernel.sandbox import Preopen, Sandbox

    wasm = _reader_wasm()
    sandbox = Sandbox(preopens=[Preopen("/data", str(folder_with_a_link_out))])
    ours = run(wasm, sandbox)  # our host refuses the link: the oracle for what must happen
    assert b"SECRET" not in ours.stdout and ours.exit_code == 1
    (folder_with_a_link_out / "outdir").symlink_to("../outside")
    with pytest.raises(EngineError) as caught:
        result = run(wasm, sandbox, engine="node")
        assert b"SECRET" not in result.stdout
    assert "symbolic links" in str(caught.value) and "wasmtime" in str(caught.value)


#: the routes out of a folder through links the guest itself makes that node:wasi follows
GUEST_LINK_ROUTES = ["guest-symlink-chain", "guest-symlink-dir-then-create"]


@needs_node
@pytest.mark.parametrize("route", GUEST_LINK_ROUTES)
def test_node_is_given_no_folder_a_link_the_guest_makes_could_lead_out_of(route):
    from wasikernel.engines import REGISTRY, RunRequest, run
    from wasikernel.escape import try_route
    from wasikernel.sandbox import Preopen, Sandbox

    def sandbox(jail: Path) -> Sandbox:
        return Sandbox(preopens=[Preopen("/", str(jail))])

    # Node's WASI alone follows the link out: the reason it is given no folder
    alone = try_route(route, lambda wasm, jail: REGISTRY["node"].run_alone(
        RunRequest(wasm, sandbox(jail))))  # fmt: skip
    assert alone.outcome == "leaked"
    refused = try_route(route, lambda wasm, jail: run(wasm, sandbox(jail), engine="node"))
    assert refused.outcome == "refused to run"
    assert "even those the module makes" in refused.detail
    assert "wasmtime" in refused.detail.split("(")[-1]


@needs_node
@pytest.mark.parametrize("folder", ["host", "read-only", "in-memory"])
def test_node_is_refused_every_kind_of_folder_and_still_runs_without_one(folder, tmp_path):
    from wasikernel import messages
    from wasikernel.engines import run
    from wasikernel.errors import EngineError
    from wasikernel.sandbox import Preopen, Sandbox

    preopen = {
        "host": Preopen("/data", str(tmp_path)),
        "read-only": Preopen("/data", str(tmp_path), read_only=True),
        "in-memory": Preopen("/data", tree={"note.txt": b"fine\n"}),
    }[folder]
    wasm = _reader_wasm()
    with pytest.raises(EngineError, match="node cannot give a module .* symbolic links"):
        run(wasm, Sandbox(preopens=[preopen]), engine="node")
    before = messages.get_language()
    messages.set_language("fr")
    try:
        with pytest.raises(EngineError, match="node ne peut pas donner .* liens symboliques"):
            run(wasm, Sandbox(preopens=[preopen]), engine="node")
    finally:
        messages.set_language(before)
    result = run(wasm, Sandbox(), engine="node")  # no folder: it runs, and finds nothing
    assert result.stdout == b"refused\n" and result.exit_code == 1


@pytest.mark.parametrize("engine", ["wasmer", "wasmedge", "iwasm"])
@pytest.mark.parametrize("link_out", [True, False])
def test_runtime_command_lines_not_measured_to_confine_are_given_no_folder(
    engine, link_out, folder_with_a_link_out
):
    """A link out that is there before the run, or one the module would make during it: the
    folder is refused either way, since no check before the run sees the second kind."""
    from wasikernel.engines import run
    from wasikernel.errors import EngineError
    from wasikernel.sandbox import Preopen, Sandbox

    if link_out:
        (folder_with_a_link_out / "outdir").symlink_to("../outside")
    sandbox = Sandbox(preopens=[Preopen("/data", str(folder_with_a_link_out), read_only=True)])
    with pytest.raises(EngineError, match="symbolic link the module makes during the run"):
        run(b"\0asm\x01\0\0\0", sandbox, engine=engine)


def test_the_refusal_is_said_in_french_too(folder_with_a_link_out):
    from wasikernel import messages
    from wasikernel.engines import run
    from wasikernel.errors import EngineError
    from wasikernel.sandbox import Preopen, Sandbox

    (folder_with_a_link_out / "outdir").symlink_to("../outside")
    sandbox = Sandbox(preopens=[Preopen("/data", str(folder_with_a_link_out))])
    before = messages.get_language()
    messages.set_language("fr")
    try:
        with pytest.raises(EngineError, match="un lien symbolique que le module crée"):
            run(b"\0asm\x01\0\0\0", sandbox, engine="wasmer")
    finally:
        messages.set_language(before)


V128_EXPORT = """(module
  (func (export "f") (param v128) (result i32) i32.const 1)
  (func (export "_start")))"""
V128_IMPORT = """(module
  (import "env" "g" (func (param v128)))
  (func (export "_start")))"""
V128_INSIDE = """(module
  (func $f (param v128) (result i32) i32.const 1)
  (func (export "_start") (drop (call $f (v128.const i32x4 1 2 3 4)))))"""


def _run_in_a_child(tmp_path, wat: str, *args: str) -> subprocess.CompletedProcess:
    """``wasikernel run`` in a process of its own: before the fix such a module ended the whole
    process (SIGABRT from wasmtime-py), which in-process would take the test run with it."""
    module = tmp_path / "m.wat"
    module.write_text(wat)
    return subprocess.run([sys.executable, "-m", "wasikernel", "run", *args, str(module)],
                          capture_output=True, text=True, timeout=120)  # fmt: skip


@pytest.mark.parametrize("engine", ["wasmtime", "pulley"])
def test_a_v128_export_is_refused_in_a_sentence_not_an_abort(tmp_path, engine):
    done = _run_in_a_child(tmp_path, V128_EXPORT, "--engine", engine)
    assert done.returncode == 2, (done.returncode, done.stderr[-500:])
    assert "the exported function f takes or returns a v128" in done.stderr
    assert "--engine wasmtime-cli" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("engine", ["wasm3", "node"])
def test_engines_that_read_exports_through_wasmtime_py_do_not_abort_on_v128(tmp_path, engine):
    """wasm3 and node listed a module's exports through wasmtime-py; they are read by our own
    reader now, and the runtime says what it makes of v128 (a trap), the process lives."""
    from wasikernel.engines import REGISTRY

    if (reason := REGISTRY[engine].available()) is not None:
        pytest.skip(reason)
    done = _run_in_a_child(tmp_path, V128_EXPORT, "--engine", engine)
    assert done.returncode >= 0 and "support for v128" not in done.stderr, done.stderr[-300:]
    assert "Traceback" not in done.stderr


def test_a_v128_import_is_refused_and_v128_inside_runs(tmp_path):
    done = _run_in_a_child(tmp_path, V128_IMPORT)
    assert done.returncode == 2 and "the imported function env.g" in done.stderr
    assert _run_in_a_child(tmp_path, V128_INSIDE).returncode == 0  # SIMD inside is fine


def test_the_wasmtime_cli_runs_what_our_host_refuses_for_v128(tmp_path):
    from wasikernel.engines import REGISTRY

    if REGISTRY["wasmtime-cli"].available() is not None:
        pytest.skip(REGISTRY["wasmtime-cli"].available())
    assert _run_in_a_child(tmp_path, V128_EXPORT, "--engine", "wasmtime-cli").returncode == 0


def test_a_v128_export_in_a_notebook_cell_leaves_the_kernel_running():
    from wasikernel import messages
    from wasikernel.compile import compile_source
    from wasikernel.engines import run
    from wasikernel.errors import EngineError

    wasm = compile_source("wat", V128_EXPORT).wasm
    with pytest.raises(EngineError, match="the exported function f"):
        run(wasm)
    messages.set_language("fr")
    try:
        with pytest.raises(EngineError, match="la fonction exportée f prend ou rend une valeur"):
            run(wasm)
    finally:
        messages.set_language("en")
