"""C cells, with zig (the default) and with clang + Debian's wasi-libc."""

from __future__ import annotations

import time

import pytest
import wasmtime
from test_compile import (
    call_export,
    custom_sections,
    imports_of,
    program,
    run_wasi,
)

from wasikernel import messages, wasm
from wasikernel.compile import CompileOptions, compile_source, plain_text
from wasikernel.compile._toolchains import find_clang
from wasikernel.errors import CompileError

pytestmark = pytest.mark.usefixtures("isolated_cache")  # each module compiles into its own cache

TOOLCHAINS = [
    pytest.param("zig", marks=pytest.mark.zig),
    pytest.param("clang", marks=pytest.mark.skipif(
        find_clang() is None, reason="clang with wasi-libc is not installed (wasikernel doctor)")),
]


@pytest.mark.parametrize("toolchain", TOOLCHAINS)
def test_hello_world_runs(toolchain):
    module = compile_source("c", program("hello.c"), CompileOptions(toolchain=toolchain))
    assert module.language == "c"
    assert module.toolchain.startswith(toolchain)
    assert run_wasi(module.wasm)[:2] == (0, "hello from C\n")
    # a program that opens no path does not get the libc-trace import
    assert all(module_name != "wasikernel" for module_name, _ in imports_of(module.wasm))


@pytest.mark.parametrize("toolchain", TOOLCHAINS)
def test_syntax_error_is_on_the_cell_lines(toolchain):
    with pytest.raises(CompileError) as info:
        compile_source("c", program("syntax_error.c"), CompileOptions(toolchain=toolchain),
                       filename="In [2]")
    error = info.value
    assert (error.line, error.column, error.language) == (4, 20, "c")
    assert error.message.startswith("In [2]:4:20: error: expected ';'")
    assert "/tmp" not in error.message and "cell.c" not in error.message
    assert "\x1b[" not in error.message


@pytest.mark.parametrize("toolchain", TOOLCHAINS)
def test_link_error_names_the_symbol_and_the_line_that_calls_it(toolchain):
    with pytest.raises(CompileError) as info:
        compile_source("c", program("link_error.c"), CompileOptions(toolchain=toolchain),
                       filename="link_error.c")
    error = info.value
    assert "undefined symbol: compute" in error.message
    assert (error.line, error.column) == (7, 13)  # the call, not the prototype on line 3
    assert "link_error.c:7:13: note: `compute` is used here" in error.message
    assert "/tmp" not in error.message and ".cache" not in error.message


@pytest.mark.parametrize("toolchain", TOOLCHAINS)
def test_memory_layout_symbols_match_where_things_live(toolchain):
    module = compile_source("c", program("layout.c"), CompileOptions(toolchain=toolchain))
    layout = module.layout
    assert layout is not None
    code, out, _ = run_wasi(module.wasm)
    counter, message, local, block = (int(word) for word in out.split())
    assert code == 0
    assert layout.data_start <= counter < layout.data_end
    assert layout.data_start <= message < layout.data_end
    assert layout.stack_low <= local < layout.stack_high
    assert block >= layout.heap_base
    if toolchain == "zig":
        # zig links with --stack-first and a 16 MiB stack below the data
        assert (layout.stack_low, layout.stack_high) == (0, 16 * 1024 * 1024)
    else:
        assert layout.stack_low >= layout.data_end


@pytest.mark.parametrize("toolchain", TOOLCHAINS)
def test_the_layout_rule_gives_the_same_answer_from_the_bytes_and_from_the_live_globals(toolchain):
    """What the compiler reads from the module's bytes is what an engine reads from the
    exported globals of the instance (wasmtime's own WASI links it)."""
    module = compile_source("c", program("layout.c"), CompileOptions(toolchain=toolchain))
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    store.set_wasi(wasmtime.WasiConfig())
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    instance = linker.instantiate(store, wasmtime.Module(engine, module.wasm))
    live = {}
    for name in wasm.LAYOUT_SYMBOLS:
        found = instance.exports(store).get(name)
        if isinstance(found, wasmtime.Global):
            live[name] = found.value(store)
    assert wasm.memory_layout(live) == module.layout == wasm.read_layout(module.wasm)


@pytest.mark.parametrize("toolchain", TOOLCHAINS)
def test_libc_path_refusal_calls_the_trace_import(toolchain):
    module = compile_source("c", program("open_etc.c"), CompileOptions(toolchain=toolchain))
    assert ("wasikernel", "libc_path_refused") in imports_of(module.wasm)
    code, out, refused = run_wasi(module.wasm)
    assert refused == ["/etc/passwd"]
    # the program sees libc's own answer, unchanged by the wrapper: ENOENT from zig's recent
    # wasi-libc, ENOTCAPABLE from Debian's 2022 one
    plain = compile_source("c", program("open_etc.c"),
                           CompileOptions(toolchain=toolchain, trace_libc=False))
    assert (code, out) == run_wasi(plain.wasm)[:2]
    assert code == 1 and out.startswith("refused: ")
    if toolchain == "zig":
        assert out == "refused: No such file or directory\n"


@pytest.mark.zig
def test_trace_libc_off_leaves_the_imports_alone():
    module = compile_source("c", program("open_etc.c"), CompileOptions(trace_libc=False))
    assert all(name != "wasikernel" for name, _ in imports_of(module.wasm))
    assert run_wasi(module.wasm)[:2] == (1, "refused: No such file or directory\n")


@pytest.mark.zig
def test_warnings_are_kept_on_the_cell_lines():
    module = compile_source("c", program("warning.c"), CompileOptions(extra_flags=["-Wall"]),
                            filename="warning.c")
    assert "warning.c:4:9: warning: unused variable 'unused_total'" in module.warnings
    assert "/tmp" not in module.warnings


@pytest.mark.zig
def test_colour_is_kept_when_asked():
    with pytest.raises(CompileError) as info:
        compile_source("c", program("syntax_error.c"), CompileOptions(color=True),
                       filename="In [7]")
    assert "\x1b[" in info.value.message
    assert "In [7]:4:20" in plain_text(info.value.message)
    assert (info.value.line, info.value.column) == (4, 20)


@pytest.mark.parametrize("toolchain", TOOLCHAINS)
@pytest.mark.parametrize("optimize", ["0", "2", "s", "z"])
def test_name_section_is_always_kept(optimize, toolchain):
    module = compile_source("c", program("hello.c"),
                            CompileOptions(optimize=optimize, toolchain=toolchain))
    sections = custom_sections(module.wasm)
    assert "name" in sections
    assert not any(name.startswith(".debug") for name in sections)
    assert run_wasi(module.wasm)[:2] == (0, "hello from C\n")


@pytest.mark.parametrize("toolchain", TOOLCHAINS)
def test_debug_info_when_asked(toolchain):
    module = compile_source("c", program("hello.c"),
                            CompileOptions(debug=True, toolchain=toolchain))
    sections = custom_sections(module.wasm)
    assert ".debug_info" in sections and ".debug_line" in sections and "name" in sections


@pytest.mark.zig
def test_linker_flags_reach_the_linker():
    source = "int answer(void) { return 42; }\nint main(void) { return 0; }\n"
    module = compile_source("c", source, CompileOptions(extra_flags=["-Wl,--export=answer"]))
    engine = wasmtime.Engine()
    exports = [e.name for e in wasmtime.Module(engine, module.wasm).exports]
    assert "answer" in exports


@pytest.mark.parametrize("toolchain", TOOLCHAINS)
def test_fopen_outside_the_sandbox_shows_the_refusal_in_the_trace(toolchain):
    """The issue's end-to-end check, through our own WASI host."""
    pytest.importorskip("wasikernel.engines.wasmtime", reason="the wasmtime engine adapter")
    from wasikernel.engines import run
    from wasikernel.sandbox import Sandbox

    module = compile_source("c", program("open_etc.c"), CompileOptions(toolchain=toolchain))
    result = run(module.wasm, Sandbox())  # no preopen at all, so none for /etc
    assert result.exit_code == 1
    refusals = [event for event in result.trace if event.call == "libc_path_refused"]
    assert len(refusals) == 1
    event = refusals[0]
    assert event.args == {"path": "/etc/passwd"}
    assert (event.phase, event.denied, event.capability) == ("libc", True, "preopen")
    # libc refused it itself: no path_open ever reached the host
    assert not [e for e in result.trace if e.call == "path_open"]


@pytest.mark.zig
def test_zig_libc_build_is_announced_when_it_takes_time(monkeypatch, tmp_path):
    """A link-line probe that outlasts the threshold tells ``progress`` what is happening."""
    from wasikernel.compile import _c

    monkeypatch.setenv("WASIKERNEL_CACHE", str(tmp_path))  # no link line learnt yet
    monkeypatch.setattr(_c, "_SLOW_PROBE_S", 0.0)  # any probe counts as slow
    monkeypatch.setattr(_c, "_LINK_LINES", {})
    heard: list[str] = []
    module = compile_source("c", program("hello.c"), progress=heard.append)
    assert heard == [messages.t("zig_libc_building_guess", seconds=_c.LIBC_BUILD_GUESS_S)]
    assert "once per machine" in heard[0] and "70 s" in heard[0]
    assert run_wasi(module.wasm)[:2] == (0, "hello from C\n")
    # learnt: the next compile (new source, same profile) does not announce it again
    compile_source("c", program("hello.c") + "\n", progress=heard.append)
    assert len(heard) == 1


@pytest.mark.zig
def test_the_libc_build_announcement_gives_the_time_measured_on_this_machine(
        monkeypatch, tmp_path):
    """The first slow probe records how long it took; a later one (another profile, a zig
    cache wiped) announces that figure instead of a guess, in the notebook's language."""
    from wasikernel.compile import _c

    monkeypatch.setenv("WASIKERNEL_CACHE", str(tmp_path))
    monkeypatch.setattr(_c, "_SLOW_PROBE_S", 0.0)
    monkeypatch.setattr(_c, "_LINK_LINES", {})
    assert _c.libc_build_seconds() is None
    started = time.monotonic()
    zig = _c.toolchain_for("zig")
    _c.zig_link_line(zig, _c._zig_profile_flags(CompileOptions(), [], "command"))
    took = _c.libc_build_seconds()
    assert took is not None and 0 < took <= time.monotonic() - started + 0.1
    heard: list[str] = []
    messages.set_language("fr")
    try:
        _c.zig_link_line(zig, _c._zig_profile_flags(CompileOptions(optimize="s"), [], "command"),
                         heard.append)
    finally:
        messages.set_language("en")
    assert heard and f"environ {max(1, round(took))} s" in heard[0]
    assert "mesurée sur cette machine" in heard[0]


@pytest.mark.zig
def test_a_stale_link_line_is_learnt_again(monkeypatch, tmp_path):
    """When zig's cache was wiped, the stored link line names missing files: probe again."""
    import json

    from wasikernel.compile import _c

    monkeypatch.setenv("WASIKERNEL_CACHE", str(tmp_path))
    monkeypatch.setattr(_c, "_LINK_LINES", {})
    zig = _c.toolchain_for("zig")
    profile = _c._zig_profile_flags(CompileOptions(), [])
    stale = _c._link_line_file(zig, profile)
    stale.parent.mkdir(parents=True)
    stale.write_text(json.dumps(["--stack-first", "/nonexistent/zig-cache/libc.a"]))
    module = compile_source("c", program("hello.c"))
    assert run_wasi(module.wasm)[:2] == (0, "hello from C\n")
    assert "/nonexistent" not in stale.read_text()


@pytest.mark.parametrize("toolchain", TOOLCHAINS)
def test_assert_messages_name_the_cell(toolchain):
    source = "#include <assert.h>\nint main(void) {\n    assert(1 == 2);\n    return 0;\n}\n"
    module = compile_source("c", source, CompileOptions(toolchain=toolchain),
                            filename="In [3]")
    err: list[str] = []
    code, _, _ = run_wasi(module.wasm, stderr=err)
    assert code == 134
    assert "Assertion failed: 1 == 2 (In [3]: main: 3)" in err[0]


@pytest.mark.parametrize("toolchain", TOOLCHAINS)
def test_a_cell_without_main_exports_its_functions(toolchain):
    module = compile_source("c", program("library.c"), CompileOptions(toolchain=toolchain))
    exports = {e.name for e in wasmtime.Module(wasmtime.Engine(), module.wasm).exports}
    assert {"sum_of_squares", "calls", "_initialize"} <= exports
    assert "square" not in exports and "_start" not in exports  # static stays private
    assert call_export(module.wasm, "sum_of_squares", 3, 4) == (25, "sum_of_squares(3, 4)\n")
    assert module.layout is not None and module.layout.heap_base is not None


@pytest.mark.zig
def test_a_comment_that_mentions_main_does_not_make_a_program():
    source = "// call this from main() later\nint twice(int x) { return 2 * x; }\n"
    module = compile_source("c", source)
    assert call_export(module.wasm, "twice", 21)[0] == 42


@pytest.mark.zig
def test_a_function_of_a_cell_without_main_is_invoked_through_the_host():
    pytest.importorskip("wasikernel.engines.wasmtime", reason="the wasmtime engine adapter")
    from wasikernel.engines import run
    from wasikernel.sandbox import Sandbox

    module = compile_source("c", program("library.c"))
    result = run(module.wasm, Sandbox(), invoke="sum_of_squares", invoke_args=(3, 4))
    assert (result.returned, result.stdout) == ([25], b"sum_of_squares(3, 4)\n")


@pytest.mark.skipif(find_clang() is None, reason="clang with wasi-libc is not installed")
@pytest.mark.parametrize("name", ["hello.c", "library.c"])
def test_the_browsers_clang_command_line_builds_what_the_machine_builds(name, tmp_path):
    """The command line a static site's page gives clang (@yowasp/clang), run by the machine's
    clang with its sysroot: the same program, layout exports and (for a cell without main)
    exported functions as the machine's own C path."""
    import subprocess

    from wasikernel.compile._c import browser_clang_argv

    source = program(name)
    (tmp_path / "cell.c").write_text(source)
    clang = find_clang()
    argv = browser_clang_argv(CompileOptions(), source)
    assert argv[:2] == ["clang", "--target=wasm32-wasip1"] and "cell.c" in argv
    argv = [*clang.command, f"--sysroot={clang.details['sysroot']}", *argv[1:]]
    argv = [a.replace("wasm32-wasip1", "wasm32-wasi") for a in argv]  # Debian's target name
    subprocess.run(argv, cwd=tmp_path, check=True, capture_output=True)
    wasm = (tmp_path / "cell.wasm").read_bytes()
    here = compile_source("c", source, CompileOptions(toolchain="clang", trace_libc=False)).wasm
    exports = {e.name for e in wasmtime.Module(wasmtime.Engine(), wasm).exports}
    assert exports == {e.name for e in wasmtime.Module(wasmtime.Engine(), here).exports}
    assert {"__stack_pointer", "__data_end", "__heap_base"} <= exports
    if name == "hello.c":
        assert run_wasi(wasm)[:2] == run_wasi(here)[:2] == (0, "hello from C\n")
    else:
        assert call_export(wasm, "sum_of_squares", 3, 4) == (25, "sum_of_squares(3, 4)\n")
