"""The WASI kernel: start-up and idle memory against the python3 kernel, and the round trip of a
hello-world cell (WAT, C, Rust; compile cache hit and miss) against the same compile-and-run
done directly in Python, all measured in this run."""

from __future__ import annotations

import statistics
import sys
import time
import uuid
from pathlib import Path

from harness import Row
from jupyter_client.manager import start_new_kernel

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from _kernel_wat import C_HELLO, HELLO, RUST_HELLO  # noqa: E402


def _start(name: str):
    km, kc = start_new_kernel(kernel_name=name, startup_timeout=120)
    return km, kc


def _stop(km, kc) -> None:
    kc.stop_channels()
    km.shutdown_kernel(now=True)


def _rss(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) * 1024
    return 0


def _timed(fn) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def _interleaved(ours, theirs, repeat: int) -> tuple[float, float]:
    """Median seconds of ``ours`` and of ``theirs``, measured turn about so that a burst of
    load on this shared machine falls on both alike."""
    a, b = [], []
    for _ in range(repeat):
        a.append(_timed(ours))
        b.append(_timed(theirs))
    return statistics.median(a), statistics.median(b)


def _start_and_rss(name: str, rss: dict[str, int]) -> None:
    km, kc = _start(name)
    time.sleep(1.0)
    rss[name] = _rss(km.provisioner.pid)
    _stop(km, kc)


def _execute(kc, code: str) -> None:
    msg_id = kc.execute(code)
    while True:
        msg = kc.get_iopub_msg(timeout=300)
        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                and msg["content"]["execution_state"] == "idle"):
            break
    reply = kc.get_shell_msg(timeout=300)
    if reply["content"]["status"] != "ok":
        raise RuntimeError(f"the cell failed: {reply['content']}")


def _direct(language: str, source: str) -> None:
    from wasikernel.compile import compile_source
    from wasikernel.engines import run

    compiled = compile_source(language, source)
    result = run(compiled.wasm, layout=compiled.layout)
    assert result.stdout == b"hello, world\n", result.stdout


def _fresh(language: str, source: str) -> str:
    """The same program with a comment that makes it miss the compile cache."""
    nonce = uuid.uuid4().hex
    comment = f";; {nonce}\n" if language == "wat" else f"// {nonce}\n"
    return comment + source


_BASE = {"wat": HELLO, "c": C_HELLO, "rust": RUST_HELLO}


def _measure(kc, language: str, source, repeat: int) -> tuple[float, float]:
    """Median seconds of the cell in the kernel and of the same work done directly."""

    def make() -> str:
        return source() if source else _fresh(language, _BASE[language])

    _direct(language, make())  # fills the cache for the hit cases
    return _interleaved(lambda: _execute(kc, f"%%{language} --no-trace\n" + make()),
                        lambda: _direct(language, make()), repeat)


def rows() -> list[Row]:
    out: list[Row] = []
    rss: dict[str, int] = {}
    # the time to start includes its idle RSS sampling sleep equally on both sides
    wasi_start, py_start = _interleaved(lambda: _start_and_rss("wasi", rss),
                                        lambda: _start_and_rss("python3", rss), repeat=3)
    note = ("the WASI kernel loads the compiler, engine, host and widgets while it starts, so "
            "the first cell does not pay for it")
    out.append(Row("kernel start (launch to kernel_info)", wasi_start - 1.0, "s",
                   "python3 kernel start", py_start - 1.0, target="<= 1.5x", note=note))
    out.append(Row("kernel idle memory (RSS)", rss["wasi"], "B", "python3 kernel idle RSS",
                   rss["python3"], target="<= 1.5x"))

    pkm, pkc = _start("python3")
    km, kc = _start("wasi")
    try:
        _execute(pkc, "pass")
        _execute(kc, "%%python\npass")
        wasi_empty, py_empty = _interleaved(lambda: _execute(kc, "%%python\npass"),
                                            lambda: _execute(pkc, "pass"), repeat=21)
        out.append(Row("empty %%python cell round trip", wasi_empty, "s",
                       "empty cell, python3 kernel", py_empty, target="<= 1.2x",
                       note="the floor of any cell's round trip through the Jupyter protocol"))
        _execute(kc, HELLO)  # first run in the kernel
        _direct("wat", HELLO)
        cases = [
            ("WAT hello cell, cache hit", "wat", lambda: HELLO, 9),
            ("C hello cell, cache hit", "c", lambda: C_HELLO, 7),
            ("C hello cell, cache miss", "c", None, 5),
            ("Rust hello cell, cache hit", "rust", lambda: RUST_HELLO, 7),
            ("Rust hello cell, cache miss", "rust", None, 5),
        ]
        floor = ("on a cache hit the run takes milliseconds, so the protocol's own round trip "
                 "(the empty-cell row) dominates the ratio")
        for name, language, source, repeat in cases:
            cell, direct = _measure(kc, language, source, repeat)
            hit = source is not None
            out.append(Row(name + " round trip", cell, "s",
                           "compile_source + run in Python", direct,
                           target="" if hit else "<= 1.5x", note=floor if hit else ""))
    finally:
        _stop(km, kc)
        _stop(pkm, pkc)
    return out
