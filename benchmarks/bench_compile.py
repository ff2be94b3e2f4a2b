"""Compiling hello world per language: our compile_source against the raw toolchain.

cold  a source never seen before (a fresh comment in it), so neither our cache nor the
      toolchain's own (zig caches objects) can answer; our cache is filled as in real use.
warm  the same source again with our cache bypassed: the toolchain's own caches are warm.
hit   the same source again through our cache.
The raw baseline runs the toolchain by hand on the same file, in the same run:
``zig cc -target wasm32-wasi -fno-sanitize=undefined``, ``rustc --target wasm32-wasi[p1]``,
``wasmtime.wat2wasm``.
Zig's one-time libc build (about 20 s, see ``wasikernel warmup``) is done before measuring.
"""

from __future__ import annotations

import itertools
import os
import subprocess
import tempfile
from pathlib import Path

import wasmtime
from harness import Row, median_of

from wasikernel.compile import CompileOptions, compile_source
from wasikernel.compile._c import toolchain_for
from wasikernel.compile._toolchains import find_rustc

HELLO = {
    "wat": (
        '(module (import "wasi_snapshot_preview1" "fd_write" (func $w (param i32 i32 i32 i32)'
        ' (result i32))) (memory (export "memory") 1) (data (i32.const 16) "hello\\n")'
        ' (func (export "_start") (i32.store (i32.const 0) (i32.const 16))'
        ' (i32.store (i32.const 4) (i32.const 6))'
        ' (drop (call $w (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))\n'
    ),
    "c": '#include <stdio.h>\nint main(void) {\n    printf("hello\\n");\n    return 0;\n}\n',
    "rust": 'fn main() {\n    println!("hello");\n}\n',
}
COMMENT = {"wat": ";; {}\n", "c": "// {}\n", "rust": "// {}\n"}
REPEAT = {"wat": 15, "c": 7, "rust": 5}
_counter = itertools.count()
NOTES = {
    "wat": "ours also validates the module (wasmtime.Module.validate, tens of µs), which turns "
    "a type error into an error on the cell's line; raw wat2wasm does not validate",
    "c": "ours runs zig twice (cc -c, then zig's wasm-ld with --wrap and the layout exports), "
    "raw once; both without zig's default -O0 UBSan runtime",
}


def _raw(language: str, folder: Path):
    """Return a function compiling ``folder/cell.EXT`` with the bare toolchain."""
    if language == "wat":
        return lambda: wasmtime.wat2wasm((folder / "cell.wat").read_text())
    if language == "c":
        zig = toolchain_for("zig")
        # the same code generation as ours: no UBSan runtime (zig adds it at -O0 by default)
        argv = [*zig.command, "cc", "-target", "wasm32-wasi", "-O0", "-fno-sanitize=undefined",
                "cell.c", "-o", "raw.wasm"]
    else:
        rustc = find_rustc()
        argv = [rustc.command[0], "--target", rustc.details["target"], "--edition", "2021",
                "cell.rs", "-o", "raw.wasm"]

    def run() -> None:
        subprocess.run(argv, cwd=folder, check=True, capture_output=True)

    return run


def _rows_for(language: str, folder: Path) -> list[Row]:
    ext = {"wat": "wat", "c": "c", "rust": "rs"}[language]
    path = folder / f"cell.{ext}"
    repeat = REPEAT[language]
    raw = _raw(language, folder)
    options = CompileOptions()

    def fresh_source() -> str:
        source = COMMENT[language].format(f"run {next(_counter)} {os.getpid()}") + HELLO[language]
        path.write_text(source)
        return source

    # cold: a new source for each call, alternating ours and raw so drift hits both alike
    ours_cold, raw_cold = [], []
    for _ in range(repeat):
        source = fresh_source()
        ours_cold.append(median_of(lambda s=source: compile_source(language, s, options), 1))
        fresh_source()
        raw_cold.append(median_of(raw, 1))
    ours_cold.sort()
    raw_cold.sort()
    cold, cold_base = ours_cold[repeat // 2], raw_cold[repeat // 2]

    source = fresh_source()
    compile_source(language, source, options)
    raw()
    warm = median_of(lambda: compile_source(language, source, options, cache=False), repeat)
    warm_base = median_of(raw, repeat)
    hit = median_of(lambda: compile_source(language, source, options), max(repeat, 15))
    assert compile_source(language, source, options).cached

    name = {"wat": "WAT", "c": "C (zig)", "rust": "Rust"}[language]
    tool = {"wat": "wasmtime.wat2wasm", "c": "zig cc", "rust": "rustc"}[language]
    return [
        Row(f"compile {name} hello, cold", cold, "s", f"raw {tool}, cold", cold_base,
            target="<= 1.1x", note=NOTES.get(language, "")),
        Row(f"compile {name} hello, warm", warm, "s", f"raw {tool}, warm", warm_base),
        Row(f"compile {name} hello, cache hit", hit, "s", f"raw {tool}, warm", warm_base,
            target="< 5 ms", met=hit < 0.005),
    ]


def rows() -> list[Row]:
    previous = os.environ.get("WASIKERNEL_CACHE")
    with tempfile.TemporaryDirectory(prefix="bench-compile-") as tmp:
        os.environ["WASIKERNEL_CACHE"] = str(Path(tmp) / "cache")
        try:
            result: list[Row] = []
            for language in ("wat", "c", "rust"):
                if language == "rust" and find_rustc() is None:
                    continue
                folder = Path(tmp) / language
                folder.mkdir()
                # one-time work outside the measurement: zig's libc and link line, wrappers
                compile_source(language, HELLO[language], CompileOptions())
                result += _rows_for(language, folder)
            return result
        finally:
            if previous is None:
                os.environ.pop("WASIKERNEL_CACHE", None)
            else:
                os.environ["WASIKERNEL_CACHE"] = previous
