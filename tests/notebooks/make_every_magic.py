"""Write the two notebooks of test_kernel_notebooks.py (the same cells for the WASI kernel and
for the python3 kernel with %load_ext wasikernel): python tests/notebooks/make_every_magic.py"""

import sys
from pathlib import Path

import nbformat

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from _kernel_wat import ADD, C_HELLO, HELLO, RUST_HELLO, TRAP  # noqa: E402

WAST = '''%%wast
(module
  (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_u))
(assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 5))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")'''

def cells(python_kernel):
    py = (lambda s: s) if python_kernel else (lambda s: "%%python\n" + s)
    out = []
    if python_kernel:
        out.append(("code", "%load_ext wasikernel"))
    out.append(("markdown", "Every magic of wasikernel, run by the test suite under nbclient."))
    out.append(("code", ("%%wat\n" if python_kernel else "") + HELLO))
    out.append(("code", py('assert _.stdout == b"hello, world\\n" and _.exit_code == 0')))
    out.append(("code", "%%wat --no-trace --env GREETING=hi --args one two\n" + HELLO))
    out.append(("code", py('assert last_run.sandbox.env["GREETING"] == "hi"\n'
                           'assert last_run.sandbox.args == ["one", "two"]')))
    out.append(("code", "%%c -O2\n" + C_HELLO))
    out.append(("code", py('assert last_run.stdout == b"hello, world\\n" and last_run.ok')))
    out.append(("code", "%%rust\n" + RUST_HELLO))
    out.append(("code", py('assert last_run.stdout == b"hello, world\\n" and last_run.ok')))
    out.append(("code", py("import pathlib, wasmtime\n"
                           f"pathlib.Path('hello.wasm').write_bytes(wasmtime.wat2wasm(r'''{HELLO}'''))")))
    out.append(("code", "%%wasm\nhello.wasm"))
    out.append(("code", py('assert last_run.stdout == b"hello, world\\n"')))
    out.append(("code", WAST))
    out.append(("code", py("assert (_.passed, _.failed) == (4, 0), _")))
    out.append(("code", ("%%wat\n" if python_kernel else "") + ADD))
    out.append(("code", "%call add 40 2"))
    out.append(("code", py("assert _ == 42\n"
                           "assert last_run.module.call('add', 2, 3).returned == [5]")))
    out.append(("code", "%sandbox env GREETING=salut"))
    out.append(("code", "%sandbox clock freeze 1000"))
    out.append(("code", "%sandbox"))
    out.append(("code", ("%%wat\n" if python_kernel else "") + HELLO))
    out.append(("code", py('assert last_run.sandbox.env == {"GREETING": "salut"}\n'
                           'assert last_run.sandbox.clock_ns == 1000')))
    out.append(("code", "%trace"))
    out.append(("code", "%trace --text"))
    out.append(("code", "%memory"))
    out.append(("code", "%stack"))
    out.append(("code", "%sandbox show"))
    out.append(("code", "%sandbox reset"))
    out.append(("code", "%wasi fd_write"))
    out.append(("code", ("%%wat\n" if python_kernel else "") + TRAP))
    out.append(("code", py("assert last_run.trap is not None and not last_run.ok")))
    return out

for name, python_kernel, kernel, lang in (("every_magic_wasi.ipynb", False, "wasi", "wat"),
                                        ("every_magic_python.ipynb", True, "python3", "python")):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": kernel, "language": lang}
    for kind, src in cells(python_kernel):
        src = src.rstrip("\n")
        new = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        nb.cells.append(new(src))
    for i, c in enumerate(nb.cells):
        c["id"] = f"cell-{i}"
    nbformat.write(nb, HERE / name)
