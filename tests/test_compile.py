"""Compiling cells: WAT, the cache, the command line, doctor and warmup.

C and Rust have their own files (test_compile_c.py, test_compile_rust.py), which reuse the
helpers here. Every compile is real; programs run under wasmtime's own WASI as the oracle.
"""

from __future__ import annotations

import re
import tempfile
import time
from pathlib import Path

import pytest
import wasmtime

from wasikernel import cli
from wasikernel.compile import CompileOptions, _c, _cache, _rust, _toolchains, compile_source
from wasikernel.errors import CompileError, ToolchainMissing, UsageError

PROGRAMS = Path(__file__).parent / "programs" / "compile"

pytestmark = pytest.mark.usefixtures("isolated_cache")  # each module compiles into its own cache


def program(name: str) -> str:
    return (PROGRAMS / name).read_text("utf-8")


def run_wasi(
    wasm: bytes, invoke: str = "_start", stderr: list[str] | None = None
) -> tuple[int, str, list[str]]:
    """Run ``wasm`` under wasmtime's own WASI (no preopens); return exit code, stdout, and the
    paths passed to ``wasikernel.libc_path_refused`` (the import is defined here when asked).
    A trap counts as exit code 134; ``stderr``, when given, receives the guest's stderr."""
    engine = wasmtime.Engine()
    module = wasmtime.Module(engine, wasm)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    refused: list[str] = []
    instance_box: list[wasmtime.Instance] = []

    def libc_path_refused(pointer: int, length: int) -> None:
        memory = instance_box[0].exports(store)["memory"]
        refused.append(bytes(memory.read(store, pointer, pointer + length)).decode())

    if any(imp.module == "wasikernel" for imp in module.imports):
        linker.define_func(
            "wasikernel", "libc_path_refused",
            wasmtime.FuncType([wasmtime.ValType.i32(), wasmtime.ValType.i32()], []),
            libc_path_refused,
        )
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder, "stdout")
        err = Path(folder, "stderr")
        config = wasmtime.WasiConfig()
        config.stdout_file = str(out)
        config.stderr_file = str(err)
        store.set_wasi(config)
        instance = linker.instantiate(store, module)
        instance_box.append(instance)
        code = 0
        try:
            instance.exports(store)[invoke](store)
        except wasmtime.ExitTrap as exc:
            code = exc.code
        except wasmtime.Trap:
            code = 134
        if stderr is not None:
            stderr.append(err.read_text())
        return code, out.read_text(), refused


def call_export(wasm: bytes, name: str, *args: int) -> tuple[object, str]:
    """Instantiate ``wasm`` under wasmtime's WASI, run ``_initialize`` when it has one (a
    reactor), call export ``name``; return its result and what it printed."""
    engine = wasmtime.Engine()
    module = wasmtime.Module(engine, wasm)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder, "stdout")
        config = wasmtime.WasiConfig()
        config.stdout_file = str(out)
        store.set_wasi(config)
        exports = linker.instantiate(store, module).exports(store)
        if "_initialize" in exports:
            exports["_initialize"](store)
        result = exports[name](store, *args)
        return result, out.read_text()


def imports_of(wasm: bytes) -> list[tuple[str, str]]:
    module = wasmtime.Module(wasmtime.Engine(), wasm)
    return [(imp.module, imp.name) for imp in module.imports]


def custom_sections(wasm: bytes) -> list[str]:
    from wasikernel.wasm import custom_sections as names

    return names(wasm)


# ---------------------------------------------------------------- WAT


def test_wat_hello_world_runs():
    module = compile_source("wat", program("hello.wat"))
    assert module.language == "wat" and module.toolchain.startswith("wasmtime.wat2wasm")
    code, out, _ = run_wasi(module.wasm)
    assert (code, out) == (0, "hello from WAT\n")


def test_wat_cell_of_module_fields_is_wrapped():
    module = compile_source("wat", program("fields_only.wat"))
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    instance = wasmtime.Instance(store, wasmtime.Module(engine, module.wasm), [])
    assert instance.exports(store)["add"](store, 40, 2) == 42


def test_wat_syntax_error_points_at_the_cell_line_with_a_caret():
    source = "(func $f (result i32)\n  i32.const 1\n  i32.ad)\n"
    with pytest.raises(CompileError) as info:
        compile_source("wat", source, filename="In [4]")
    error = info.value
    assert (error.line, error.column, error.language) == (3, 3, "wat")
    assert error.message.startswith("In [4]:3:3: error:")
    assert "    3 |   i32.ad)\n      |   ^" in error.message


def test_wat_error_on_the_first_line_of_a_wrapped_cell_keeps_the_cell_column():
    with pytest.raises(CompileError) as info:
        compile_source("wat", "(func (result i32) i32.bogus)")
    # the wrapper "(module " is not counted: the column is the cell's own
    assert (info.value.line, info.value.column) == (1, 20)
    assert "(module" not in info.value.message.splitlines()[1]


@pytest.mark.parametrize(
    ("source", "where", "note"),
    [
        ("(func $f (result i32)\n  i32.const 1\n", (2, 14), "never closed"),
        ("(func $f (result i32)\n  i32.const 1))\n", (2, 16), "closes more parentheses"),
        ("(module (func))\n(func)", (2, 1), "not both"),
    ],
)
def test_wat_unbalanced_cells_are_explained(source, where, note):
    with pytest.raises(CompileError) as info:
        compile_source("wat", source)
    assert (info.value.line, info.value.column) == where
    assert note in info.value.message


def test_wat_old_tutorial_names_get_a_hint():
    with pytest.raises(CompileError) as info:
        compile_source("wat", program("old_names.wat"))
    assert info.value.line == 2
    assert "`get_local` is the pre-2019 name of `local.get`" in info.value.message


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("set_local $x", "local.set"),
        ("get_global $g", "global.get"),
        ("i32.trunc_s/f32", "i32.trunc_f32_s"),
        ("f64.convert_u/i64", "f64.convert_i64_u"),
        ("i32.wrap/i64", "i32.wrap_i64"),
        ("grow_memory", "memory.grow"),
        ("current_memory", "memory.size"),
    ],
)
def test_wat_hints_cover_the_renamed_instructions(old, new):
    source = f"(func\n  {old})"
    with pytest.raises(CompileError) as info:
        compile_source("wat", source)
    assert f"`{new}`" in info.value.message


def test_wat_anyfunc_hint():
    with pytest.raises(CompileError) as info:
        compile_source("wat", "(table 1 anyfunc)")
    assert "`funcref`" in info.value.message


def test_wat_unknown_function_is_reported_on_its_line():
    with pytest.raises(CompileError) as info:
        compile_source("wat", program("link_error.wat"), filename="link_error.wat")
    assert (info.value.line, info.value.column) == (3, 8)
    assert "$compute" in info.value.message


def test_wat_type_error_points_at_the_instruction():
    with pytest.raises(CompileError) as info:
        compile_source("wat", program("type_error.wat"))
    error = info.value
    assert (error.line, error.column) == (6, 3)  # the i32.add with one operand
    assert "does not validate: type mismatch: expected i32 but nothing on stack" in error.message
    assert "    6 |   i32.add)\n      |   ^" in error.message
    assert "offset" not in error.message


@pytest.mark.parametrize(
    ("source", "where", "note"),
    [
        # an i64 where i32.add wants i32s
        ("(func (param i32) (result i32)\n  local.get 0\n  i64.const 1\n  i32.add)",
         (4, 3), "does not find the values"),
        # one value too many at the end of the function: the caret is on its closing paren
        ("(func (result i32)\n  i32.const 1\n  i32.const 2)", (3, 14), "end of the function"),
        # a block whose result is the wrong type; f32.const takes a word immediate
        ("(func (result i32)\n  block (result i32)\n    f32.const nan\n  end)",
         (4, 3), "end of this block"),
        # imports, types and exports before the function do not shift the count
        ('(import "m" "f" (func $imp))\n(type $t (func))\n(memory 1)\n'
         '(func $ok (export "ok"))\n(func $bad (export "bad") (result i32)\n'
         "  i32.const 1\n  i32.load offset=4 align=4\n  i32.eqz\n  i64.extend_i32_u)",
         (9, 19), "end of the function"),
    ],
)
def test_wat_type_errors_in_flat_code_are_located(source, where, note):
    with pytest.raises(CompileError) as info:
        compile_source("wat", source)
    assert (info.value.line, info.value.column) == where, info.value.message
    assert note in info.value.message


def test_wat_type_error_in_folded_code_points_at_the_function():
    source = '(memory 1)\n(func $g (export "g") (result i32)\n  (i32.add (i32.const 1)))'
    with pytest.raises(CompileError) as info:
        compile_source("wat", source)
    assert (info.value.line, info.value.column) == (2, 1)
    assert "the function starting here" in info.value.message


def test_wat_layout_symbols_are_read_from_the_module():
    module = compile_source("wat", program("layout.wat"))
    layout = module.layout
    assert layout is not None
    assert (layout.stack_high, layout.data_start, layout.data_end, layout.heap_base) == (
        65536, 65536, 66048, 66048,
    )
    assert layout.stack_low == 0
    assert compile_source("wat", program("fields_only.wat")).layout is None


# ---------------------------------------------------------------- API errors


def test_unknown_language_is_a_usage_error():
    with pytest.raises(UsageError, match="unknown language 'cobol'"):
        compile_source("cobol", "")


def test_bad_options_are_usage_errors():
    with pytest.raises(UsageError, match="optimisation level"):
        compile_source("c", "int main(void){return 0;}", CompileOptions(optimize="9"))
    with pytest.raises(UsageError, match="toolchain"):
        compile_source("c", "int main(void){return 0;}", CompileOptions(toolchain="gcc"))


def test_missing_zig_names_the_install_command(monkeypatch):
    monkeypatch.setattr(_c, "find_zig", lambda: None)
    with pytest.raises(ToolchainMissing) as info:
        compile_source("c", "int main(void){return 0;}")
    assert info.value.install_hint == "pip install ziglang"
    assert "pip install ziglang" in str(info.value)


def test_missing_clang_names_the_debian_packages(monkeypatch):
    monkeypatch.setattr(_c, "find_clang", lambda: None)
    with pytest.raises(ToolchainMissing) as info:
        compile_source("c", "int main(void){return 0;}", CompileOptions(toolchain="clang"))
    assert info.value.install_hint == (
        "apt-get install clang lld wasi-libc libclang-rt-14-dev-wasm32"
    )


def test_missing_wasm_rustc_names_the_debian_packages(monkeypatch):
    monkeypatch.setattr(_rust, "find_rustc", lambda: None)
    monkeypatch.setattr(
        _rust, "survey_rustc",
        lambda: (("/root/.cargo/bin/rustc", "rustc 1.95.0", None),),
    )
    with pytest.raises(ToolchainMissing) as info:
        compile_source("rust", "fn main() {}")
    message = str(info.value)
    assert "apt-get install rustc libstd-rust-dev-wasm32" in message
    assert "rustup target add wasm32-wasip1" in message
    assert "/root/.cargo/bin/rustc" in message


# ---------------------------------------------------------------- cache


@pytest.mark.zig
def test_cache_hit_returns_the_same_module_marked_cached(isolated_cache):
    source = program("hello.c").replace("hello from C", "cached hello")
    first = compile_source("c", source)
    second = compile_source("c", source)
    assert not first.cached and second.cached
    assert second.wasm == first.wasm and second.layout == first.layout
    assert list((isolated_cache / "compile").rglob("*.wasm"))


@pytest.mark.zig
def test_cache_misses_when_options_change():
    source = program("hello.c").replace("hello from C", "options differ")
    compile_source("c", source)
    other = compile_source("c", source, CompileOptions(optimize="s"))
    assert not other.cached


@pytest.mark.zig
def test_cache_survives_a_damaged_entry(isolated_cache):
    source = program("hello.c").replace("hello from C", "damaged entry")
    compile_source("c", source)
    for entry in (isolated_cache / "compile").rglob("*.json"):
        entry.write_text("{not json")
    again = compile_source("c", source)
    assert not again.cached and run_wasi(again.wasm)[:2] == (0, "damaged entry\n")
    assert compile_source("c", source).cached  # the entry was written again


def test_wat_is_memoised_in_memory():
    source = '(func (export "memo"))'
    first = compile_source("wat", source)
    second = compile_source("wat", source)
    assert second.cached and second.wasm == first.wasm
    assert not compile_source("wat", source, cache=False).cached


@pytest.mark.zig
def test_no_cache_compiles_afresh_and_stores_nothing(isolated_cache):
    source = program("hello.c").replace("hello from C", "not stored")
    module = compile_source("c", source, cache=False)
    assert not module.cached
    assert not compile_source("c", source, cache=False).cached
    assert not compile_source("c", source).cached  # nothing was stored by cache=False


def test_cache_key_includes_toolchain_version():
    options = CompileOptions()
    a = _cache.cache_key("c", "x", options, "zig 0.17.1")
    b = _cache.cache_key("c", "x", options, "zig 0.18.0")
    assert a != b


# ---------------------------------------------------------------- command line


@pytest.mark.zig
def test_cli_compiles_c_and_the_module_runs(tmp_path):
    out = tmp_path / "hello.wasm"
    code = cli.main(["compile", "c", str(PROGRAMS / "hello.c"), "-o", str(out), "-O", "2"])
    assert code == 0
    assert run_wasi(out.read_bytes())[:2] == (0, "hello from C\n")


@pytest.mark.zig
def test_cli_reports_errors_with_the_source_path(tmp_path, capsys):
    source = PROGRAMS / "syntax_error.c"
    code = cli.main(["compile", "c", str(source), "-o", str(tmp_path / "x.wasm"),
                     "--color", "never"])
    err = capsys.readouterr().err
    assert code == 1
    assert f"{source}:4:20: error: expected ';'" in err
    # no temporary path of the compiler's (the source itself may live anywhere, /tmp included)
    rest = err.replace(str(source), "SOURCE")
    assert "wasikernel-c-" not in rest and "/tmp/" not in rest
    assert not (tmp_path / "x.wasm").exists()


def test_cli_default_output_is_beside_the_source(tmp_path):
    source = tmp_path / "cell.wat"
    source.write_text(program("hello.wat"))
    assert cli.main(["compile", "wat", str(source)]) == 0
    assert (tmp_path / "cell.wasm").read_bytes().startswith(b"\0asm")


def test_cli_missing_source_is_a_clear_error(tmp_path, capsys):
    assert cli.main(["compile", "c", str(tmp_path / "nope.c")]) == 2
    assert "nope.c: no such file" in capsys.readouterr().err


# ---------------------------------------------------------------- doctor, warmup


@pytest.mark.zig
def test_doctor_lists_each_toolchain_with_its_version(capsys):
    code = cli.main(["doctor"])
    out = capsys.readouterr().out
    assert code == 0
    assert "ok      C (zig cc)         zig 0." in out
    assert "ok      Rust (rustc)       rustc 1." in out
    assert "wasm32-wasi" in out
    assert "ok      wasmtime" in out


def test_doctor_names_the_fix_for_what_is_missing(monkeypatch, capsys):
    from wasikernel import doctor

    monkeypatch.setattr(_toolchains, "find_rustc", lambda: None)
    monkeypatch.setattr(_toolchains, "find_zig", lambda: None)
    code = doctor.main(None)
    out = capsys.readouterr().out
    assert code == 1
    assert "missing C (zig cc)" in out and "install: pip install ziglang" in out
    assert "install: apt-get install rustc libstd-rust-dev-wasm32" in out


@pytest.mark.zig
def test_warmup_readies_every_language(capsys):
    assert cli.main(["warmup"]) == 0
    out = capsys.readouterr().out
    for prefix in ("wat ", "c ", "rust "):
        assert any(line.startswith(prefix) and "ready" in line for line in out.splitlines()), out


def test_warmup_waits_for_the_server_then_warms(capsys):
    """scripts/lab.sh starts the warm-up beside the server with --wait-for: it starts once the
    server answers (or, past --wait-seconds, anyway), and lab.sh names the port it serves."""
    import socket
    import threading

    server = socket.create_server(("127.0.0.1", 0))
    port = server.getsockname()[1]
    server.close()  # nothing listens yet
    opened = threading.Event()

    def listen_later() -> None:
        time.sleep(0.6)
        with socket.create_server(("127.0.0.1", port)) as late:
            opened.set()
            late.settimeout(10)
            late.accept()[0].close()

    thread = threading.Thread(target=listen_later)
    thread.start()
    assert cli.main(["warmup", "--languages", "wat", "--wait-for", f"127.0.0.1:{port}"]) == 0
    thread.join()
    out = capsys.readouterr().out
    assert opened.is_set() and f"127.0.0.1:{port} answers" in out
    assert any(line.startswith("wat ") and "ready" in line for line in out.splitlines()), out
    assert cli.main(["warmup", "--languages", "wat", "--wait-for", f"127.0.0.1:{port}",
                     "--wait-seconds", "0.3"]) == 0
    assert "did not answer within 0.3 s: warming anyway" in capsys.readouterr().out
    assert cli.main(["warmup", "--wait-for", "nowhere"]) == 2
    lab = (Path(__file__).resolve().parents[1] / "scripts" / "lab.sh").read_text()
    assert re.search(r'warmup --languages c --wait-for "127\.0\.0\.1:\$port"[^\n]*\n[^\n]*&',
                     lab), "lab.sh starts the warm-up in the background on the server's port"
    assert '--port="$port"' in lab


# ---------------------------------------------------------------- properties

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from wasikernel.wasm import module_imports, read_layout  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=200))
def test_reading_a_damaged_module_never_raises(tail):
    """The layout and import readers answer None/[] on garbage instead of raising."""
    data = b"\0asm\x01\0\0\0" + tail
    read_layout(data)
    assert isinstance(module_imports(data), list)


_FIELDS = [
    '(func $f{n} (result i32)\n  i32.const {n})',
    '(memory $m{n} 1)',
    '(global $g{n} i32 (i32.const {n}))',
    '(func $h{n}\n  nop\n  nop)',
]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from(_FIELDS), min_size=1, max_size=6),
    st.data(),
    st.booleans(),
)
def test_wat_errors_land_where_the_mistake_is(fields, data, wrapped):
    """An unknown instruction put anywhere in a cell is reported at its own line and column,
    whether the cell is wrapped for the learner or is a whole module."""
    lines = "\n".join(f.format(n=i) for i, f in enumerate(fields)).splitlines()
    if not wrapped:
        lines = ["(module", *lines, ")"]
    # put the mistake inside the first function body, after some indentation
    body_lines = [i for i, line in enumerate(lines) if line.startswith("  ")]
    if not body_lines:
        lines.insert(1 if not wrapped else len(lines), "(func $extra\n  nop)")
        lines = "\n".join(lines).splitlines()
        body_lines = [i for i, line in enumerate(lines) if line.startswith("  ")]
    index = data.draw(st.sampled_from(body_lines))
    indent = data.draw(st.integers(min_value=2, max_value=6))
    lines[index] = " " * indent + "i32.frobnicate " + lines[index].strip()
    with pytest.raises(CompileError) as info:
        compile_source("wat", "\n".join(lines))
    assert (info.value.line, info.value.column) == (index + 1, indent + 1)


@pytest.mark.zig
def test_cli_passes_flags_to_the_compiler(tmp_path):
    source = tmp_path / "greet.c"
    source.write_text('#include <stdio.h>\nint main(void) { puts(GREETING); return 0; }\n')
    out = tmp_path / "greet.wasm"
    code = cli.main(["compile", "c", str(source), "-o", str(out),
                     '--flag=-DGREETING="bonjour"', "--flag=-Wl,--export=main"])
    assert code == 0
    assert run_wasi(out.read_bytes())[:2] == (0, "bonjour\n")
    assert ("main" in [e.name for e in wasmtime.Module(wasmtime.Engine(), out.read_bytes())
                       .exports])
