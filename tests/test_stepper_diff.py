"""Differential tests: C and Rust programs give the same output, exit code and WASI calls
under the stepper as under wasmtime (both linked to the same WASI host)."""

from __future__ import annotations

import pytest

from wasikernel.compile import compile_source
from wasikernel.engines import run
from wasikernel.sandbox import Preopen, Sandbox

C_TOUR = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <math.h>

static int cmp(const void *a, const void *b) { return *(const int *)a - *(const int *)b; }
static uint64_t collatz(uint64_t n) {
    uint64_t k = 0;
    while (n != 1) { n = n & 1 ? 3*n+1 : n/2; k++; }
    return k;
}

int main(int argc, char **argv) {
    printf("argc=%d argv1=%s env=%s\n", argc, argc > 1 ? argv[1] : "-", getenv("GREETING"));
    int v[12]; for (int i = 0; i < 12; i++) v[i] = (i * 7919) % 31 - 15;
    qsort(v, 12, sizeof v[0], cmp);
    for (int i = 0; i < 12; i++) printf("%d ", v[i]);
    printf("\n%.6f %.3e %g %f\n", sqrt(2.0), 6.02214076e23, 1.0/3.0f, -0.0);
    printf("%llu %lld %x\n", (unsigned long long)collatz(837799), (long long)INT64_MIN,
           0xdeadbeefu);
    char *s = malloc(64); strcpy(s, "linear memory"); s[0] = 'L';
    printf("%s %zu\n", s, strlen(s)); free(s);
    FILE *f = fopen("/data/out.txt", "w");
    if (!f) { perror("fopen"); return 2; }
    fprintf(f, "written %d\n", 42); fclose(f);
    f = fopen("/data/in.txt", "r"); char line[64];
    while (fgets(line, sizeof line, f)) printf("read: %s", line);
    fclose(f);
    f = fopen("/etc/passwd", "r");
    printf("outside: %s\n", f ? "opened" : "refused");
    fprintf(stderr, "done\n");
    return 7;
}
"""

RUST_TOUR = r"""
use std::collections::HashMap;
use std::io::Write;
fn main() {
    let words = "the quick brown fox jumps over the lazy dog the end";
    let mut counts: HashMap<&str, u32> = HashMap::new();
    for w in words.split_whitespace() { *counts.entry(w).or_insert(0) += 1; }
    let mut pairs: Vec<_> = counts.into_iter().collect();
    pairs.sort();
    println!("{:?}", pairs);
    let x: f64 = (1..=20).map(|i| 1.0 / (i as f64)).sum();
    println!("{:.12} {} {}", x, f32::MAX, (2.5f32).sqrt());
    let big: u128 = (1u128 << 100) / 3;
    println!("{} {} {}", big, i64::MIN.wrapping_sub(1), (-17i32).rem_euclid(5));
    let mut v: Vec<u64> = (0..1000).map(|i| (i * 2654435761u64) % 1000).collect();
    v.sort_unstable();
    v.dedup();
    println!("{} {:?}", v.len(), &v[..5]);
    let args: Vec<String> = std::env::args().collect();
    println!("{:?}", &args[1..]);
    std::io::stderr().write_all(b"rust stderr\n").unwrap();
    std::process::exit(3);
}
"""

RUST_PANIC = r"""
fn main() {
    let v = vec![1, 2, 3];
    let i = std::env::args().count() + 5;
    println!("before");
    println!("{}", v[i]);
}
"""


def sandbox() -> Sandbox:
    return Sandbox(args=["tour", "first"], env={"GREETING": "bonjour"},
                   preopens=[Preopen("/data", tree={"in.txt": b"one\ntwo\n"})])


def both(wasm: bytes) -> tuple:
    return run(wasm, sandbox(), engine="wasmtime"), run(wasm, sandbox(), engine="stepper")


def same_run(theirs, ours) -> None:
    assert ours.stdout == theirs.stdout
    assert ours.stderr == theirs.stderr
    assert ours.exit_code == theirs.exit_code
    assert (ours.trap is None) == (theirs.trap is None)
    assert [(e.call, e.errno, e.denied) for e in ours.trace] == \
        [(e.call, e.errno, e.denied) for e in theirs.trace]


@pytest.mark.slow
@pytest.mark.parametrize("opt", ["0", "1"])
@pytest.mark.zig
def test_c_program_same_under_both_engines(opt):
    from wasikernel.compile import CompileOptions

    wasm = compile_source("c", C_TOUR, CompileOptions(optimize=opt)).wasm
    theirs, ours = both(wasm)
    assert theirs.exit_code == 7 and b"read: two" in theirs.stdout
    assert b"outside: refused" in theirs.stdout
    same_run(theirs, ours)
    assert any(e.call == "libc_path_refused" for e in ours.trace)
    assert len(ours.stepper.history) > 10_000


@pytest.mark.slow
def test_rust_program_same_under_both_engines():
    wasm = compile_source("rust", RUST_TOUR).wasm
    theirs, ours = both(wasm)
    assert theirs.exit_code == 3 and b"rust stderr" in theirs.stderr
    same_run(theirs, ours)


@pytest.mark.slow
def test_rust_panic_traps_under_both_engines_after_the_same_output():
    wasm = compile_source("rust", RUST_PANIC).wasm
    theirs, ours = both(wasm)
    assert theirs.trap is not None and b"index out of bounds" in theirs.stderr
    same_run(theirs, ours)
    assert ours.trap.message == "unreachable"
    assert ours.trap.frames and ours.trap.frames[0].func_name


def test_wat_program_with_wasi_output_same_under_both_engines():
    wat = """(module
      (import "wasi_snapshot_preview1" "fd_write"
        (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
      (memory (export "memory") 1)
      (data (i32.const 16) "hello from wat\\n")
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 16))
        (i32.store (i32.const 4) (i32.const 15))
        (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
        (call $exit (i32.load (i32.const 8)))))"""
    theirs, ours = both(wat.encode())
    assert theirs.stdout == b"hello from wat\n" and theirs.exit_code == 15
    same_run(theirs, ours)
    s = ours.stepper
    writes = [w for i in range(len(s.history)) for w in s.view(i).memory_writes]
    assert (8, b"\0\0\0\0", (15).to_bytes(4, "little")) in writes  # nwritten, by the host


@pytest.mark.slow
@pytest.mark.zig
def test_recorded_views_of_a_c_program_match_the_live_machine():
    """Stepping a real C program (libc start-up, printf, file I/O through the host): the view
    rebuilt from the history at a step equals what the machine showed live at that step."""
    import random

    from wasikernel.engines.stepper import StepperModule, load

    wasm = compile_source("c", C_TOUR).wasm
    module = load(wasm, sandbox())
    assert isinstance(module, StepperModule)
    s = module.session("_start")
    picks = set(random.Random(3).sample(range(60_000), 150))
    live = {}
    memory = {}
    for i in range(60_000):
        if s.finished:
            break
        if i in picks:
            live[i] = s.current()
            if len(memory) < 5:
                memory[i] = bytes(module.memory.data)
        s.step()
    assert len(live) > 100
    for i, want in live.items():
        got = s.view(i)
        assert [(f.func_name, f.offset, f.stack, f.locals) for f in got.frames] == \
            [(f.func_name, f.offset, f.stack, f.locals) for f in want.frames], i
        assert got.globals == want.globals
    for i, mem in memory.items():
        assert s.memory_at(i) == mem
