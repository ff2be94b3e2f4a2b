"""The sandbox's limits hold for components as for core modules: the output limit, the time
limit on a busy guest and on a guest sleeping in the host, and the open-files limit."""

from __future__ import annotations

import pytest
from wasiharness import compile_c

from wasikernel.engines import run
from wasikernel.sandbox import Limits, Preopen, Sandbox


@pytest.fixture
def component_of(tmp_path, c_tour_component):
    from wasikernel.compile.component import wrap

    def build(source: str) -> bytes:
        path = tmp_path / "prog.c"
        path.write_text(source)
        return wrap(compile_c(path, tmp_path))

    return build


def test_output_past_the_limit_stops_the_run(component_of):
    wasm = component_of('#include <stdio.h>\nint main(void) { for (;;) puts("0123456789"); }\n')
    result = run(wasm, Sandbox(limits=Limits(max_output_bytes=1000, timeout_s=20)))
    assert result.limit is not None and "1000" in result.limit.replace(",", "")
    assert len(result.stdout) == 1000 and result.outcome == "limit"


def test_a_busy_component_is_stopped_by_the_time_limit(component_of):
    wasm = component_of("int main(void) { volatile int x = 0; for (;;) x++; }\n")
    result = run(wasm, Sandbox(limits=Limits(timeout_s=0.5)))
    assert result.limit is not None and "0.5" in result.limit
    assert result.trace.events[-1].phase == "end"


def test_a_component_sleeping_in_the_host_is_stopped_by_the_time_limit(component_of):
    wasm = component_of("#include <unistd.h>\nint main(void) { sleep(60); return 0; }\n")
    result = run(wasm, Sandbox(limits=Limits(timeout_s=0.5)))
    assert result.limit is not None and result.exit_code is None
    assert any(e.call.endswith("#poll") or "block" in e.call for e in result.trace.events)


def test_the_open_files_limit_counts_descriptors(component_of, tmp_path):
    (tmp_path / "d").mkdir()
    wasm = component_of(
        "#include <fcntl.h>\n#include <stdio.h>\n"
        'int main(void) { int n = 0; while (open("f", O_CREAT | O_WRONLY, 0644) >= 0 && n < 100) '
        'n++; printf("%d\\n", n); return 0; }\n'
    )
    sandbox = Sandbox(preopens=[Preopen("/", host_path=str(tmp_path / "d"))],
                      limits=Limits(max_open_files=10))  # fmt: skip
    result = run(wasm, sandbox)
    assert result.exit_code == 0, result
    assert int(result.stdout) == 9  # the preopen is one of the ten
    refused = [e for e in result.trace.events if e.denied]
    assert refused and refused[-1].capability == "descriptors"
