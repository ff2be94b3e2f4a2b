"""Path resolution: one path_filestat_get costs one step per component, however the path ends.

The path that made it quadratic ended in many ``/.`` (each step rescanned them): doubling such a
path must about double the time of one call (ratio near 2x), not quadruple it.
"""

from __future__ import annotations

from harness import Row, best_of

from wasikernel.sandbox import Preopen, Sandbox
from wasikernel.wasi import BytesMemory, WasiHost


def _stat_call(path: str):
    host = WasiHost(Sandbox(preopens=[Preopen("/", tree={"d": {}})]), trace=False)
    memory = BytesMemory(65536)
    memory.write(1024, path.encode())
    call = host.lookup("wasi_snapshot_preview1", "path_filestat_get").call
    length = len(path.encode())

    def once() -> None:
        errno = call(memory, 3, 0, 1024, length, 64)
        assert errno == 0, errno

    return once


def _path(pairs: int) -> str:
    """``pairs`` times ``d/..`` (two steps each), then ``pairs`` trailing ``/.``."""
    return "/".join(["d/.."] * pairs) + "/." * pairs


def rows() -> list[Row]:
    short, long, longer = _path(1), _path(285), _path(570)  # 6 B, ~2 KB, ~4 KB (< PATH_MAX)
    t_short = best_of(_stat_call(short), repeat=5, number=200)
    t_long = best_of(_stat_call(long), repeat=5, number=20)
    t_longer = best_of(_stat_call(longer), repeat=5, number=10)
    return [
        Row(
            f"path_filestat_get, {len(longer):,}-byte path ending in 570 '/.'", t_longer, "s",
            f"the same shape, {len(long):,} bytes", t_long, target="<= 2.5x",
            note="twice the components, about twice the time: resolution is linear",
        ),
        Row(
            f"path_filestat_get, {len(longer):,}-byte path", t_longer, "s",
            f"a {len(short)}-byte path", t_short,
            note="the cost of a path near PATH_MAX against a short one (in-memory tree)",
        ),
    ]  # fmt: skip
