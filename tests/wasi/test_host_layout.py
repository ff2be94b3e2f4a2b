"""The host's layout: one table of functions in witx order, and no import circle in ``wasi/``."""

from __future__ import annotations

import ast
from pathlib import Path

from wasikernel.wasi import WasiHost
from wasikernel.wasi._table import SPECS, WASI_CALLS, describe

WASI = Path(__file__).resolve().parents[2] / "wasikernel" / "wasi"

# wasi_snapshot_preview1.witx, in its order
WITX_ORDER = """
args_get args_sizes_get environ_get environ_sizes_get clock_res_get clock_time_get fd_advise
fd_allocate fd_close fd_datasync fd_fdstat_get fd_fdstat_set_flags fd_fdstat_set_rights
fd_filestat_get fd_filestat_set_size fd_filestat_set_times fd_pread fd_prestat_get
fd_prestat_dir_name fd_pwrite fd_read fd_readdir fd_renumber fd_seek fd_sync fd_tell fd_write
path_create_directory path_filestat_get path_filestat_set_times path_link path_open
path_readlink path_remove_directory path_rename path_symlink path_unlink_file poll_oneoff
proc_exit proc_raise sched_yield random_get sock_accept sock_recv sock_send sock_shutdown
""".split()


def test_one_table_lists_every_call_in_witx_order_with_its_summary_and_errors():
    assert list(WASI_CALLS) == WITX_ORDER
    host = WasiHost()
    for spec in SPECS:
        assert spec.summary.endswith(".") and spec.errors, spec.name
        imp = host.lookup(spec.module, spec.name)
        assert imp is not None and imp.spec is spec
    assert describe("fd_write").splitlines()[0] == (
        "fd_write(fd: fd, iovs: ciovec_array, result.nwritten: ptr<size>) -> errno"
    )
    assert "Errors: badf" in describe("fd_write")
    assert describe("proc_exit").splitlines()[0] == "proc_exit(rval: exitcode) -> never"


def _module(path: Path) -> str:
    parts = path.relative_to(WASI).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path, modules: set[str]) -> set[str]:
    """The modules of ``wasi/`` that ``path`` imports, in any form (type-checking, late)."""
    package = _module(path) if path.name == "__init__.py" else _module(path).rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if not isinstance(node, ast.ImportFrom) or node.level == 0:
            continue
        base = package.split(".") if package else []
        base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
        if node.level - 1 > len(package.split(".") if package else []):
            continue  # above wasi/
        target = ".".join([*base, *([node.module] if node.module else [])])
        for alias in node.names:
            name = f"{target}.{alias.name}" if target else alias.name
            found.add(name if name in modules else target)
    return {m for m in found if m in modules} - {_module(path)}


def test_no_module_of_the_host_imports_one_that_imports_it_back():
    paths = [p for p in WASI.rglob("*.py") if p != WASI / "__init__.py"]
    modules = {_module(p) for p in paths}
    graph = {_module(p): _imports(p, modules) for p in paths}
    assert "host" in graph, f"the host's modules are not at {WASI}"

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    assert {"host", "fd", "path", "_state", "_table"} <= modules
    assert "_state" in graph["fd"] and "fd" in graph["_table"]  # the graph is read
    circles = sorted(m for m in graph if reaches(m, m, {m}))
    assert circles == []
