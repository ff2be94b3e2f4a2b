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


def _imports(path: Path) -> set[str]:
    """The modules of ``wasi/`` that ``path`` imports, in any form (type-checking, late)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            if node.module:
                names.add(node.module.split(".")[0])
            else:
                names.update(alias.name for alias in node.names)
    return {n for n in names if (WASI / f"{n}.py").exists()}


def test_no_module_of_the_host_imports_one_that_imports_it_back():
    graph = {p.stem: _imports(p) for p in WASI.glob("*.py") if p.stem != "__init__"}
    assert "host" in graph, f"the host's modules are not at {WASI}"

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, ()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    circles = sorted(m for m in graph if reaches(m, m, {m}))
    assert circles == []
