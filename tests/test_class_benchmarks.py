"""The pieces of the class benchmarks that run without a hub: the browser-like client of
``benchmarks/jupyter_browser.py`` (its websocket framing against jupyter_server's own, and a
lesson's cells run through a real Jupyter server against the same cells run directly over
jupyter_client), the per-cell figures and report of ``benchmarks/bench_hub.py``, and what it
says when JupyterHub or the proxy is missing."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from _kernel_wat import HELLO

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

try:
    import tornado  # noqa: F401
    from jupyter_server.services.kernels.connection.base import (
        deserialize_msg_from_ws_v1,
        serialize_msg_to_ws_v1,
    )
except ImportError as missing_module:  # both come with jupyterlab, a dependency
    pytest.skip(
        f"{missing_module.name} is missing: pip install -e . (it comes with jupyterlab)",
        allow_module_level=True,
    )

import bench_hub  # noqa: E402
import bench_load  # noqa: E402
from jupyter_browser import Browser, KernelChannel, decode_v1, encode_v1  # noqa: E402

TRAP = """(module (memory (export "memory") 1)
  (func (export "_start") (drop (i32.load (i32.const 70000)))))"""
NOT_WAT = "(module (func (export \"_start\") i32.frobnicate))"


def test_v1_frames_read_and_written_as_jupyter_server_does():
    parts = [json.dumps({"msg_id": "a"}).encode(), b"{}", b"{}", b'{"code": "x"}', b"\x00\xff"]
    channel, decoded = deserialize_msg_from_ws_v1(encode_v1("shell", parts))
    assert (channel, decoded) == ("shell", parts)
    frame = serialize_msg_to_ws_v1(parts[:4], "iopub")
    assert decode_v1(frame) == ("iopub", parts[:4])
    with pytest.raises(ValueError, match="cannot hold"):
        decode_v1(frame[:20])


def _message(kind, **content):
    return {"msg_type": kind, "content": content}


def test_output_signature_joins_stream_chunks_and_ignores_timings_and_comms():
    run = [
        _message("stream", name="stderr", text="fopen /etc/passwd"),
        _message("stream", name="stderr", text=": No such file (took 12 ms)\n"),
        _message("comm_open", comm_id="a", data={}),
        _message("display_data", data={"text/plain": "exit 1 · 45.4 ms", "text/html": "<b>"}),
        _message("error", ename="Trap", evalue="out of bounds"),
    ]
    again = [dict(m) for m in run]
    again[1] = _message("stream", name="stderr", text=": No such file (took 7 ms)\n")
    signature = bench_load.output_signature(run)
    assert signature == (
        ("stream", "stderr", "fopen /etc/passwd: No such file (took 0 ms)\n"),
        ("display_data", ("text/html", "text/plain")),
        ("error", "Trap"),
    )
    assert bench_load.output_signature(again) == signature
    assert bench_load.output_signature(run[:1] + run[3:]) != signature


def test_cookies_go_back_by_path_longest_first_and_expire():
    from jupyter_browser import CookieJar
    from tornado.httpclient import HTTPRequest, HTTPResponse
    from tornado.httputil import HTTPHeaders

    def response(*cookies):
        headers = HTTPHeaders()
        for cookie in cookies:
            headers.add("Set-Cookie", cookie)
        return HTTPResponse(HTTPRequest("http://127.0.0.1/"), 200, headers=headers)

    jar = CookieJar()
    jar.store(response("_xsrf=hub; Path=/hub/", "session=s; Path=/"), "/hub/login")
    jar.store(response("_xsrf=user; Path=/user/a/"), "/user/a/lab")
    assert jar.header("/user/a/api/sessions") == "_xsrf=user; session=s"
    assert jar.get("_xsrf", "/hub/spawn") == "hub"
    assert jar.header("/user/b/lab") == "session=s"
    jar.store(response("session=; Path=/; Max-Age=0"), "/hub/logout")
    jar.store(response('_xsrf=""; Path=/hub/; expires=Thu, 01 Jan 1970 00:00:00 GMT'), "/hub/")
    assert jar.header("/hub/home") == ""


def test_percentile_is_the_nearest_rank_and_nan_when_empty():
    values = [0.5, 0.1, 0.4, 0.2, 0.3]
    assert bench_load.percentile(values, 50) == 0.3
    assert bench_load.percentile(values, 95) == 0.5
    assert bench_load.percentile(values, 0) == 0.1
    assert bench_load.percentile([], 50) != bench_load.percentile([], 50)  # NaN


def test_hub_report_gives_each_cell_both_ways_and_the_hubs_overhead():
    cells = [bench_load.Cell("(module)", "wat"), bench_load.Cell("%%c\nint main(){}", "c")]
    direct = [bench_load.CellRun("wat", 0, s, "ok") for s in (0.010, 0.012, 0.020)]
    direct += [bench_load.CellRun("c", 1, s, "ok") for s in (0.100, 0.300)]
    hub = [bench_load.CellRun("wat", 0, s, "ok") for s in (0.030, 0.032, 0.050)]
    hub += [bench_load.CellRun("c", 1, s, "ok") for s in (0.150, 0.400)]
    table = bench_hub.per_cell(cells, direct, hub)
    assert table[0]["direct_p50_s"] == 0.012 and table[0]["hub_p50_s"] == 0.032
    assert table[0]["overhead_p50_s"] == pytest.approx(0.020)
    assert table[1]["overhead_p95_s"] == pytest.approx(0.100)
    direct_class = bench_load.ClassResult(2, 1.5, 5, [], [], [100 * 2**20], [], {}, direct)
    hub_class = bench_hub.HubResult(
        2, 9.0, hub, [300 * 2**20], 150 * 2**20, ["student01: cell 1 (c): timeout, alone: ok"]
    )
    figures = bench_hub.summary(cells, direct_class, hub_class, {"before": "1", "after": "2"})
    text = bench_hub.report(figures)
    lines = text.splitlines()
    assert lines[0] == "2 students (load average before 1, after 2)"
    cell_zero = [c.strip() for c in lines[3].split("|")]
    assert cell_zero == ["0", "wat", "12 ms", "20 ms", "32 ms", "50 ms", "20 ms", "30 ms"]
    assert "direct (kernel) 100 / 100 MiB, hub (server + kernel) 300 / 300 MiB" in text
    assert "hub + proxy 150 MiB" in text
    assert "failures: direct 0, hub 1" in text
    assert "failure: student01: cell 1 (c): timeout, alone: ok" in text


def test_hub_benchmark_says_how_to_install_what_it_lacks(monkeypatch, capsys):
    real_find_spec = bench_hub.importlib.util.find_spec
    monkeypatch.setattr(
        bench_hub.importlib.util,
        "find_spec",
        lambda name, *a: None if name == "jupyterhub" else real_find_spec(name, *a),
    )
    monkeypatch.setattr(bench_hub, "proxy_command", lambda: None)
    problems = " ".join(bench_hub.missing())
    assert "pip install -e '.[hub]'" in problems
    if bench_hub.shutil.which("node"):
        assert "(cd share/hub && npm install)" in problems
    assert bench_hub.main(["--students", "1"]) == 2
    err = capsys.readouterr().err
    assert "JupyterHub is not installed" in err and "Traceback" not in err
    assert bench_hub.rows() == []


@pytest.fixture(scope="module")
def jupyter_server(tmp_path_factory):
    """A Jupyter server alone (no hub, no extension: JupyterLab's start would double the
    test's time) on 127.0.0.1, a free port, with a token: the origin and the token."""
    root = tmp_path_factory.mktemp("server")
    runtime = tmp_path_factory.mktemp("runtime")
    env = {
        **os.environ,
        "JUPYTER_RUNTIME_DIR": str(runtime),
        "JUPYTER_NO_CONFIG": "1",
        "TMPDIR": str(tmp_path_factory.mktemp("tmp")),  # where that blank config goes
    }
    token = "class-benchmark-test"
    args = [sys.executable, "-m", "jupyter_server", "--port=0", "--ip=127.0.0.1",
            "--no-browser", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}"]
    if os.geteuid() == 0:
        args.append("--allow-root")
    server = subprocess.Popen(args, env=env, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL, start_new_session=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 60
        info = None
        while info is None:
            assert server.poll() is None, "jupyter_server exited"
            assert time.monotonic() < deadline, "jupyter_server did not start in 60 s"
            time.sleep(0.2)
            for found in runtime.glob("jpserver-*.json"):
                try:  # the server may still be writing it
                    info = json.loads(found.read_text())
                except ValueError:
                    pass
        while True:  # the file can come before the server listens
            assert server.poll() is None, "jupyter_server exited"
            assert time.monotonic() < deadline, "jupyter_server did not listen in 60 s"
            try:
                socket.create_connection(("127.0.0.1", info["port"]), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://127.0.0.1:{info['port']}", token
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _through_the_server(origin: str, token: str, cells: list[str]) -> list:
    async def session() -> list:
        browser = Browser(origin)
        channel = None
        try:
            await browser.fetch("GET", "/login")  # the token typed into the login form
            await browser.submit_form("/login?next=%2Fapi%2Fstatus", {"password": token})
            specs = await browser.api("GET", "/api/kernelspecs")
            assert "wasi" in specs["kernelspecs"]
            made = await browser.api(
                "POST", "/api/sessions",
                {"path": "x.ipynb", "name": "x.ipynb", "type": "notebook",
                 "kernel": {"name": "wasi"}},
            )  # fmt: skip
            channel = await KernelChannel.open(browser, "/", made["kernel"]["id"])
            assert channel.binary  # the server chose the v1 protocol JupyterLab asks for
            info = await channel.kernel_info(timeout_s=60)
            assert info["language_info"]["name"] == "wat"
            return [await channel.execute(code, timeout_s=60) for code in cells]
        finally:
            if channel is not None:
                channel.close()
            browser.close()

    return asyncio.run(session())


def _directly(cells: list[str]) -> list:
    from jupyter_client.manager import KernelManager

    manager = KernelManager(kernel_name="wasi")
    manager.start_kernel(stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    client = manager.client()
    client.start_channels()
    try:
        client.wait_for_ready(timeout=60)
        return [bench_load._run_cell(client, code) for code in cells]
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)


@pytest.mark.slow
def test_cells_through_a_jupyter_server_reply_and_show_what_they_show_directly(jupyter_server):
    cells = [HELLO, TRAP, NOT_WAT]
    through = _through_the_server(*jupyter_server, cells)
    direct = _directly(cells)
    assert [r.outcome for r in through] == [d[1] for d in direct]
    assert [r.outputs for r in through] == [d[2] for d in direct]
    assert through[0].outcome == "ok"
    assert ("stream", "stdout", "hello, world\n") in through[0].outputs
    assert through[2].outcome != "ok"  # a cell that does not compile is an error reply


@pytest.mark.slow
def test_one_student_through_a_real_hub_and_nothing_left_behind():
    if bench_hub.missing():
        pytest.skip("; ".join(bench_hub.missing()))
    lesson = ROOT / "lessons" / "en" / "03-sandbox.ipynb"
    cells = bench_load.lesson_cells(lesson)[:3]  # the imports and two WAT cells
    reference = bench_load.alone(cells, lesson.parent)
    work = Path(bench_hub.tempfile.mkdtemp(prefix="wasikernel-hub-"))
    with bench_hub.Stopper(work) as stopper:
        result = asyncio.run(
            bench_hub.run_hub_class(
                1, cells, lesson, 1, reference["reference"], reference["reference_outputs"],
                stopper, say=lambda _m: None,
            )
        )  # fmt: skip
        started = {p.pid for p in bench_hub.psutil.Process().children(recursive=True)}
    assert result.failures == []
    assert [r.outcome for r in result.runs] == ["ok"] * 3
    assert result.rss and result.rss[0] > 0 and result.hub_rss > 0
    assert set(result.phases) == set(bench_hub.PHASES)
    assert not work.exists()
    alive = [p for p in started if bench_hub.psutil.pid_exists(p)]
    assert not [p for p in alive if bench_hub.psutil.Process(p).status() != "zombie"]
