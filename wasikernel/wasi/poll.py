"""poll_oneoff: wait for clocks, and for stdin or files to be readable or writable."""

from __future__ import annotations

import struct
import time
from typing import TYPE_CHECKING

from ._spec import wasi
from .errno import Errno

if TYPE_CHECKING:
    from ._memory import MemView
    from ._state import HostState

_SUB_HEAD = struct.Struct("<QB")
_SUB_CLOCK = struct.Struct("<IxxxxQQH")
_SUB_FD = struct.Struct("<I")
_EVENT = struct.Struct("<QHBxxxxxQH6x")
_M64 = (1 << 64) - 1
#: subscriptions one call takes; more is ``inval`` (the host would hold an event for each)
MAX_SUBSCRIPTIONS = 65536
#: longest slice of one wait, so a cancel or the wall-time limit is noticed
_SLICE_S = 0.05


@wasi(
    "poll_oneoff", "in:ptr<subscription>", "out:ptr<event>", "nsubscriptions:size",
    "result.nevents:size",
)  # fmt: skip
def poll_oneoff(h: HostState, m: MemView, in_: int, out: int, nsubs: int, nevents: int) -> int:
    """Waits until a clock deadline passes or a descriptor is ready; sleep() is built on it.

    Errors: ``inval`` for no subscription or more than 65,536, ``fault``; each event carries its own
    error (``badf`` for a descriptor that is not open).

    A cancel or the time limit ends a long wait (LimitReached)."""
    if nsubs == 0 or nsubs > MAX_SUBSCRIPTIONS:
        return Errno.INVAL
    raw = m.read(in_, 48 * nsubs)
    events: list[bytes] = []
    clocks: list[tuple[int, int]] = []
    for i in range(nsubs):
        base = 48 * i
        userdata, tag = _SUB_HEAD.unpack_from(raw, base)
        if tag == 0:
            clock, timeout, _precision, flags = _SUB_CLOCK.unpack_from(raw, base + 16)
            if clock not in (0, 1):
                events.append(_EVENT.pack(userdata, Errno.INVAL, 0, 0, 0))
                continue
            delta = timeout - h.now_ns(clock) if flags & 1 else timeout
            clocks.append((max(delta, 0), userdata))
        elif tag in (1, 2):
            (fd,) = _SUB_FD.unpack_from(raw, base + 16)
            e = h.fds.get(fd)
            if e is None or e.kind == "dir":
                events.append(_EVENT.pack(userdata, Errno.BADF, tag, 0, 0))
                continue
            nbytes = 0
            flags = 0
            if tag == 1:
                if e.kind == "stdin":
                    nbytes = len(h.stdin) - h.stdin_pos
                    flags = 0 if nbytes else 1
                elif e.kind == "file":
                    st = e.handle.stat()
                    nbytes = max(st.size - e.handle.seek(0, 1), 0)
                else:
                    events.append(_EVENT.pack(userdata, Errno.BADF, tag, 0, 0))
                    continue
            elif e.kind == "stdin":
                events.append(_EVENT.pack(userdata, Errno.BADF, tag, 0, 0))
                continue
            events.append(_EVENT.pack(userdata, 0, tag, nbytes & _M64, flags))
        else:
            return Errno.INVAL
    if clocks:
        if events:
            fire = 0
        else:
            fire = min(delta for delta, _ in clocks)
            end = time.monotonic() + fire / 1e9
            while True:
                h.check_stop()
                left = end - time.monotonic()
                if left <= 0:
                    break
                if h.cancel is not None:
                    h.cancel.wait(min(left, _SLICE_S))
                else:
                    time.sleep(min(left, _SLICE_S))
        for delta, userdata in clocks:
            if delta <= fire:
                events.append(_EVENT.pack(userdata, 0, 0, 0, 0))
    m.write(out, b"".join(events))
    m.put_u32(nevents, len(events))
    return 0
