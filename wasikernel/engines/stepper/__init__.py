"""The stepper: a WebAssembly 2.0 interpreter in Python that can pause between instructions.

WebAssembly 2.0 without SIMD (MVP, multi-value, sign extension, saturating conversions, bulk
memory, reference types). wasmtime validates a module first; execution is ours. Each function is
pre-decoded once, on its first call, into a table of handlers with branch targets and stack
heights resolved (:mod:`._compile` decodes through a table from opcode to decoder,
:mod:`._handlers` builds each handler from a table from instruction kind to factory); recording
swaps in a second table (:mod:`._session`). The module's bytes are read by :mod:`wasikernel.wasm`.

As an engine (``engine="stepper"`` in :func:`wasikernel.engines.run`, ``--engine stepper``)::

    result = run(wasm, sandbox, engine="stepper")          # same WASI host as wasmtime
    session = result.steps                                 # the recorded run (None if not)
    len(session.history)                                   # steps recorded (first 1,000,000)
    view = session.view(123)                               # the machine before step 123:
    view.func_name, view.instruction, view.offset          #   where, as WAT text
    view.stack, view.locals, view.frames, view.globals     #   operand stack, locals, frames
    view.memory_writes                                     #   [(addr, old, new)] by that step
    session.memory_at(123)                                 # linear memory before step 123

A long run keeps its first 1,000,000 steps and goes on at full speed; ``run_module(...,
history="last")`` records to the end and keeps the latest steps instead (``history.first`` is
then the run's number of history step 0), so the steps before a late trap are there.

Stepping by hand, from a live module (``keep=True``, or :func:`load`)::

    module = load(wasm)                                    # a StepperModule (or a RunResult
    s = module.session("_start")                           #   when linking failed)
    s.step(); s.step_over(); s.step_out()                  # each returns the present StepView
    s.add_breakpoint("main"); s.run()                      # function (+ module byte offset)
    s.current().stack; s.finished; s.returned; s.error     # error: Trap / ProcExit / limit

By source line, for a module built with ``-g`` (see :mod:`wasikernel.compile.listing`)::

    s.use_source_lines(source_line_finder(wasm, "cell.c"))
    s.step_line()                                          # runs to the next line's start
    s.line_starts()                                        # where each line step begins
    s.line_of_step(i)                                      # the line of step i's instruction

Values: ``i32``/``i64`` are unsigned ints on the operand stack (bit patterns); locals and
globals of type ``f32`` show as floats in views (their bit patterns on the stack).
"""

from __future__ import annotations

from ._adapter import STEPPER, StepperEngine, StepperModule, load, run_module, validate
from ._numeric import Trap
from ._session import CHECKPOINT_EVERY, FrameView, History, Session, StepView

__all__ = [
    "CHECKPOINT_EVERY",
    "FrameView",
    "History",
    "STEPPER",
    "StepperEngine",
    "Session",
    "StepView",
    "StepperModule",
    "Trap",
    "load",
    "run_module",
    "validate",
]
