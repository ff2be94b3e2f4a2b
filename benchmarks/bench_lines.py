"""What seeing the code costs: grouping a recorded C run by source line, and the listing.

Rows: grouping the 1,000,000 recorded steps of a C loop by source line
(``Session.line_starts``), against recording them (target <= 0.5x: stepping by line adds
less than half to the run); making the compiled-code listing of the cell (``--wat``: the line
table, ``wasm-tools print``, the labels), against compiling it afresh with ``-g`` (target
<= 1x: seeing the code costs less than compiling it).
"""

from __future__ import annotations

import time

from harness import Row, best_of

from wasikernel.compile import CompileOptions, compile_source
from wasikernel.compile.listing import compiled_listing, source_line_finder
from wasikernel.engines.stepper import StepperModule, load

LOOP_C = """\
#include <stdio.h>

int square(int x) {
    return x * x;
}

int main(void) {
    long total = 0;
    for (int i = 0; i < 100000; i++) {
        total += square(i % 1000);
    }
    printf("%ld\\n", total);
    return 0;
}
"""
STEPS = 1_000_000


def rows() -> list[Row]:
    options = CompileOptions(debug=True)
    module = compile_source("c", LOOP_C, options)
    line_of = source_line_finder(module.wasm, "cell.c")
    assert line_of is not None
    loaded = load(module.wasm)
    assert isinstance(loaded, StepperModule)
    session = loaded.session("_start", history_limit=STEPS)
    started = time.perf_counter()
    session.run(max_steps=STEPS)
    record_s = time.perf_counter() - started
    session.use_source_lines(line_of)
    started = time.perf_counter()
    starts = session.line_starts()
    group_s = time.perf_counter() - started
    assert len(session.history) == STEPS and len(starts) > 10_000
    listing_s = best_of(lambda: compiled_listing(module.wasm, LOOP_C, "cell.c"), repeat=3)
    compile_s = best_of(lambda: compile_source("c", LOOP_C, options, cache=False), repeat=2)
    return [
        Row(f"group {STEPS:,} recorded C steps by source line ({len(starts):,} line steps)",
            group_s, "s", "recording them", record_s, target="<= 0.5x",
            met=group_s / record_s <= 0.5),
        Row("compiled-code listing of a C cell (--wat)", listing_s, "s",
            "compiling it with -g", compile_s, target="<= 1x",
            met=listing_s / compile_s <= 1),
    ]
