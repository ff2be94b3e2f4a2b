"""Rust cells: a single file with ``fn main``, compiled by a rustc that has the wasm32 std."""

from __future__ import annotations

import pytest
from test_compile import (
    call_export,
    custom_sections,
    imports_of,
    program,
    run_wasi,
)

from wasikernel.compile import CompileOptions, compile_source, plain_text
from wasikernel.compile._toolchains import find_rustc, survey_rustc
from wasikernel.errors import CompileError

pytestmark = [
    pytest.mark.skipif(
        find_rustc() is None,
        reason="no rustc with the wasm32 WASI std (apt-get install rustc libstd-rust-dev-wasm32)",
    ),
    pytest.mark.usefixtures("isolated_cache"),  # each module compiles into its own cache
]


def test_the_rustc_chosen_has_the_wasm_standard_library():
    rustc = find_rustc()
    assert rustc is not None
    assert rustc.details["target"] in ("wasm32-wasip1", "wasm32-wasi")
    # a rustc without the target, even first on PATH, is passed over
    for path, _version, target in survey_rustc():
        if target is None:
            assert path != rustc.command[0]


def test_hello_world_runs():
    module = compile_source("rust", program("hello.rs"))
    assert module.language == "rust" and module.toolchain.startswith("rustc ")
    assert run_wasi(module.wasm)[:2] == (0, "hello from Rust\n")
    assert "name" in custom_sections(module.wasm)
    assert not any(s.startswith(".debug") for s in custom_sections(module.wasm))


def test_syntax_error_is_on_the_cell_lines():
    with pytest.raises(CompileError) as info:
        compile_source("rust", program("syntax_error.rs"), filename="In [5]")
    error = info.value
    assert (error.line, error.column, error.language) == (2, 20, "rust")
    assert "--> In [5]:2:20" in error.message
    assert "/tmp" not in error.message and "cell.rs" not in error.message


def test_colour_is_kept_when_asked():
    with pytest.raises(CompileError) as info:
        compile_source("rust", program("syntax_error.rs"), CompileOptions(color=True),
                       filename="In [5]")
    assert "\x1b[" in info.value.message
    assert "--> In [5]:2:20" in plain_text(info.value.message)
    assert info.value.line == 2


def test_link_error_names_the_symbol_and_the_line_that_calls_it():
    with pytest.raises(CompileError) as info:
        compile_source("rust", program("link_error.rs"), filename="link_error.rs")
    error = info.value
    assert "undefined symbol: compute" in error.message
    assert (error.line, error.column) == (6, 22)
    assert "--> link_error.rs:6:22" in error.message


def test_explicit_env_import_is_allowed():
    source = (
        '#[link(wasm_import_module = "env")]\nextern "C" {\n    fn tick();\n}\n'
        "fn main() {\n    unsafe { tick() }\n}\n"
    )
    module = compile_source("rust", source)
    assert ("env", "tick") in imports_of(module.wasm)


def test_warnings_are_kept_on_the_cell_lines():
    module = compile_source("rust", "fn main() {\n    let unused = 3;\n}\n", filename="w.rs")
    assert "warning: unused variable: `unused`" in module.warnings
    assert "--> w.rs:2:9" in module.warnings


def test_memory_layout_symbols_match_where_things_live():
    module = compile_source("rust", program("layout.rs"))
    layout = module.layout
    assert layout is not None
    code, out, _ = run_wasi(module.wasm)
    counter, message, local, block = (int(word) for word in out.split())
    assert code == 0
    assert layout.data_start <= counter < layout.data_end
    assert layout.data_start <= message < layout.data_end
    assert layout.stack_low <= local < layout.stack_high
    assert block >= layout.heap_base
    assert layout.stack_low == 0  # rustc links with --stack-first


def test_std_path_refusal_calls_the_trace_import():
    module = compile_source("rust", program("open_etc.rs"))
    assert ("wasikernel", "libc_path_refused") in imports_of(module.wasm)
    code, out, refused = run_wasi(module.wasm)
    assert refused == ["/etc/passwd"]
    plain = compile_source("rust", program("open_etc.rs"), CompileOptions(trace_libc=False))
    assert (code, out) == run_wasi(plain.wasm)[:2]
    assert code == 1 and out.startswith("refused: ")


def test_optimised_and_debug_builds():
    fast = compile_source("rust", program("hello.rs"), CompileOptions(optimize="2"))
    assert run_wasi(fast.wasm)[:2] == (0, "hello from Rust\n")
    debug = compile_source("rust", program("hello.rs"), CompileOptions(debug=True))
    assert ".debug_info" in custom_sections(debug.wasm)


def test_file_open_outside_the_sandbox_shows_the_refusal_in_the_trace():
    pytest.importorskip("wasikernel.engines.wasmtime", reason="the wasmtime engine adapter")
    from wasikernel.engines import run
    from wasikernel.sandbox import Sandbox

    module = compile_source("rust", program("open_etc.rs"))
    result = run(module.wasm, Sandbox())
    assert result.exit_code == 1
    refusals = [event for event in result.trace if event.call == "libc_path_refused"]
    assert [event.args["path"] for event in refusals] == ["/etc/passwd"]
    assert all(event.denied and event.phase == "libc" for event in refusals)


def test_rustc_probe_is_stored_and_reused_by_a_new_process(monkeypatch):
    """A new kernel finds the stored versions and sysroots instead of starting rustc again."""
    from wasikernel.compile import _toolchains

    _toolchains.survey_rustc.cache_clear()
    first = _toolchains.survey_rustc()

    def no_process(*args, **kwargs):
        raise AssertionError(f"rustc was started again: {args}")

    monkeypatch.setattr(_toolchains, "_run", no_process)
    _toolchains.survey_rustc.cache_clear()  # as if in a new process
    try:
        assert _toolchains.survey_rustc() == first
    finally:
        _toolchains.survey_rustc.cache_clear()


def test_panic_messages_name_the_cell():
    source = "fn main() {\n    let v: Vec<i32> = Vec::new();\n    println!(\"{}\", v[3]);\n}\n"
    module = compile_source("rust", source, filename="In [3]")
    err: list[str] = []
    code, _, _ = run_wasi(module.wasm, stderr=err)
    assert code == 134
    assert "In [3]:3:20" in err[0] and "index out of bounds" in err[0]


def test_a_crate_from_crates_io_gets_an_explanation():
    source = "use rand::Rng;\n\nfn main() {\n    let _ = rand::thread_rng().gen::<u8>();\n}\n"
    with pytest.raises(CompileError) as info:
        compile_source("rust", source)
    assert info.value.line == 1
    assert "without Cargo" in info.value.message and "`rand` cannot be used" in info.value.message


def test_cli_compiles_rust_from_standard_input(tmp_path, monkeypatch):
    import io

    from wasikernel import cli

    monkeypatch.setattr("sys.stdin", io.StringIO(program("hello.rs")))
    out = tmp_path / "hello.wasm"
    assert cli.main(["compile", "rust", "-", "-o", str(out)]) == 0
    assert run_wasi(out.read_bytes())[:2] == (0, "hello from Rust\n")


def test_a_cell_without_main_exports_its_functions():
    module = compile_source("rust", program("library.rs"))
    assert call_export(module.wasm, "sum_of_squares", 3, 4) == (25, "sum_of_squares(3, 4)\n")
    assert module.layout is not None and module.layout.stack_low == 0
