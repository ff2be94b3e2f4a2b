"""Turn a host's compact call record into a :class:`~wasikernel.trace.TraceEvent`.

A record is ``(spec_index, args, errno, t_ns, dur_ns, log, extra)``: the index of the function
in ``SPECS``, the raw integer parameters, the memory log of the call (flat bytes, see
:func:`~wasikernel.wasi._memory.iter_log`; data cut at DATA_CUT) and an extra
(``None``, a denial ``(capability, reason)``, ``("exit", code)``, ``("limit", message)`` or
``("note", message)``). Decoding reads everything from the log, never from live memory.
"""

from __future__ import annotations

import binascii
import struct
from typing import Any

from ..trace import MemoryAccess, TraceEvent
from . import errno as E
from ._memory import DATA_CUT, SKIPPED, log_head
from ._table import SPECS

_FLAGS = {
    "oflags": E.OFLAGS,
    "fdflags": E.FDFLAGS,
    "lookupflags": E.LOOKUPFLAGS,
    "fstflags": E.FSTFLAGS,
    "rights": E.RIGHTS,
    "sdflags": E.SDFLAGS,
    "riflags": E.RIFLAGS,
    "siflags": (),
}
_ENUMS = {"whence": E.WHENCE, "clockid": E.CLOCKS, "advice": E.ADVICE, "signal": E.SIGNALS}
_U64_KINDS = ("u64", "filesize", "timestamp", "dircookie")
_M64 = (1 << 64) - 1
_read_u32 = struct.Struct("<I").unpack_from
_read_u64 = struct.Struct("<Q").unpack_from
_PAIRS = struct.Struct("<II").iter_unpack
_head = log_head.unpack_from
_HEAD_SIZE = log_head.size


def data_value(chunks: list[bytes], total: int, cut: int = 256) -> dict[str, Any]:
    """Return iovec contents as ``{"len", "text"|"base64", "cut"}`` (text when UTF-8)."""
    data = b"".join(chunks)[:cut]
    out: dict[str, Any] = {"len": total}
    try:
        out["text"] = data.decode("utf-8")
    except UnicodeDecodeError:
        out["base64"] = binascii.b2a_base64(data, newline=False).decode("ascii")
    out["cut"] = total > len(data)
    return out


def _u(data: bytes | None, fmt: str) -> int | None:
    if data is None or len(data) < struct.calcsize(fmt):
        return None
    return struct.unpack_from(fmt, data)[0]


def _result(kind: str, data: bytes | None) -> Any:
    if data is None:
        return None
    if kind in ("size", "fd"):
        return _read_u32(data, 0)[0] if len(data) >= 4 else None
    if kind in _U64_KINDS:
        return _read_u64(data, 0)[0] if len(data) >= 8 else None
    if kind == "roflags":
        return _u(data, "<H")
    if kind == "fdstat" and len(data) >= 24:
        ft, flags, base, inh = struct.unpack_from("<BxHxxxxQQ", data)
        return {
            "filetype": E.FILETYPES[ft] if ft < len(E.FILETYPES) else ft,
            "flags": E.flag_names(flags, E.FDFLAGS),
            "rights_base": E.flag_names(base, E.RIGHTS),
            "rights_inheriting": E.flag_names(inh, E.RIGHTS),
        }
    if kind == "filestat" and len(data) >= 64:
        dev, ino, ft, nlink, size, atim, mtim, ctim = struct.unpack_from("<QQBxxxxxxxQQQQQ", data)
        return {
            "dev": dev, "ino": ino,
            "filetype": E.FILETYPES[ft] if ft < len(E.FILETYPES) else ft,
            "nlink": nlink, "size": size, "atim": atim, "mtim": mtim, "ctim": ctim,
        }  # fmt: skip
    if kind == "prestat" and len(data) >= 8:
        return {"type": "dir", "name_len": _u(data[4:], "<I")}
    return binascii.b2a_base64(data, newline=False).decode("ascii")


_OUT_NAMES = {"outbuf": "text", "strings": "strings", "dirents": "entries"}


def _written(kind: str, data: bytes) -> Any:
    """Decode what a call wrote into a guest buffer (cut at the log's DATA_CUT bytes)."""
    if kind == "outbuf":
        return data.decode("utf-8", "replace")
    if kind == "strings":
        parts = data.split(b"\0")
        return [p.decode("utf-8", "replace") for p in parts[:-1]] if len(parts) > 1 else []
    names = []
    pos = 0
    while pos + 24 <= len(data):
        namlen = struct.unpack_from("<I", data, pos + 16)[0]
        name = data[pos + 24 : pos + 24 + namlen]
        if len(name) < namlen:
            break
        names.append(name.decode("utf-8", "replace"))
        pos += 24 + namlen
    return names


# How each parameter is decoded, by kind: one small code per parameter, worked out once per
# function (the plan) rather than for every event.
_PLAIN, _RESULT, _SKIP, _OUT, _PATH, _CIOV, _IOV, _FLAG, _ENUM, _U64, _DELTA = range(11)


def _code(name: str, kind: str) -> int:
    if name.startswith("result."):
        return _RESULT
    if kind == "plen":
        return _SKIP
    if kind in _OUT_NAMES:
        return _OUT
    if kind == "path":
        return _PATH
    if kind == "ciovecs":
        return _CIOV
    if kind == "iovecs":
        return _IOV
    if kind in _FLAGS:
        return _FLAG if _FLAGS[kind] else _PLAIN
    if kind in _ENUMS:
        return _ENUM
    if kind in _U64_KINDS:
        return _U64
    if kind == "filedelta":
        return _DELTA
    return _PLAIN


def _plan(spec: Any) -> tuple[str, str, tuple[tuple[int, int, str, str], ...]]:
    steps = tuple(
        (i, _code(name, kind), name[7:] if name.startswith("result.") else name, kind)
        for i, (name, kind) in enumerate(spec.params)
    )
    return spec.name, "libc" if spec.module == "wasikernel" else "run", steps


#: the plan of each function, by its index in SPECS
_PLANS: list[tuple[str, str, tuple[tuple[int, int, str, str], ...]]] = [_plan(s) for s in SPECS]
_ERRNO_NAMES = E.ERRNO_NAMES
_N_ERRNOS = len(_ERRNO_NAMES)


#: the decoded parts of recent records, by everything but their times: a loop that repeats one
#: call (the usual way a trace fills up) is decoded once, not once per call
_SEEN: dict[tuple, tuple] = {}
_SEEN_MAX = 4096


def decode(rec: tuple, seq: int) -> TraceEvent:
    """Return the TraceEvent of record ``rec``, numbered ``seq``.

    Events of identical records (same call, arguments, errno and memory) get their own
    ``args``, ``results`` and ``memory`` lists but share the values inside them."""
    index, args, errno, t_ns, dur_ns, raw_log, extra = rec
    key = (index, args, errno, raw_log, extra)
    parts = _SEEN.get(key)
    if parts is None:
        if len(_SEEN) >= _SEEN_MAX:
            _SEEN.clear()
        parts = _SEEN[key] = _parts(index, args, errno, raw_log)
    call, phase, out_args, results, errno_name, memory, skipped = parts
    event = TraceEvent(
        seq, call, dict(out_args), dict(results), errno_name, False, None, None, t_ns, dur_ns,
        list(memory), phase, None, skipped,
    )  # fmt: skip
    if extra is not None:
        tag = extra[0]
        if tag == "exit":
            event.exit_code = extra[1]
            event.results = {}
        elif tag == "limit":
            event.reason = extra[1]
            event.errno = "canceled"
        elif tag == "note":
            event.reason = extra[1]
        else:
            event.denied = True
            event.capability, event.reason = extra
    return event


def _parts(index: int, args: tuple, errno: int, raw_log: bytes) -> tuple:
    """The decoded arguments, results, errno name and memory accesses of one record."""
    call, phase, steps = _PLANS[index]
    # one pass over the log: the accesses listed, and the first read and the first write at
    # each address (what a parameter points at); see iter_log for the layout
    memory: list[MemoryAccess] = []
    reads: dict[int, tuple[int, bytes]] = {}
    writes: dict[int, tuple[int, bytes]] = {}
    skipped = 0
    pos = 0
    end = len(raw_log)
    while pos < end:
        addr, length, acc = _head(raw_log, pos)
        pos += _HEAD_SIZE
        if acc == SKIPPED:
            skipped += addr
            continue
        kept = length if length < DATA_CUT else DATA_CUT
        seen = writes if acc else reads
        if addr not in seen:
            seen[addr] = (length, raw_log[pos : pos + kept])
        pos += kept
        memory.append(MemoryAccess(addr, length, "w" if acc else "r"))
    out_args: dict[str, Any] = {}
    results: dict[str, Any] = {}
    ok = errno == 0
    n = len(args)
    for i, code, name, kind in steps:
        value = args[i] if i < n else 0
        if code == _PLAIN:
            out_args[name] = value
        elif code == _RESULT:
            if ok:
                got = writes.get(value & 0xFFFFFFFF)
                results[name] = _result(kind, None if got is None else got[1])
        elif code == _SKIP:
            continue
        elif code == _PATH:
            length = args[i + 1] if i + 1 < n else 0
            got = reads.get(value)
            if got is None:
                out_args[name] = {"ptr": value, "len": length}
            else:
                raw = got[1]
                text = raw.decode("utf-8", "replace")
                out_args[name] = text + "..." if len(raw) < length else text
        elif code == _CIOV or code == _IOV:
            count = args[i + 1] if i + 1 < n else 0
            got = reads.get(value)
            if got is None or not 0 < count <= len(got[1]) // 8:
                out_args[name] = value
                continue
            pairs = list(_PAIRS(got[1][: 8 * count]))
            chunks: list[bytes] = []
            total = 0
            seen = reads if code == _CIOV else writes
            for buf, blen in pairs:
                hit = seen.get(buf)
                if hit is not None:
                    chunks.append(hit[1])
                    total += blen if code == _CIOV else hit[0]
            out_args[name] = data_value(chunks, total)
        elif code == _OUT:
            out_args[name] = value
            if ok:
                got = writes.get(value)
                if got is not None:
                    results[_OUT_NAMES[kind]] = _written(kind, got[1])
        elif code == _FLAG:
            out_args[name] = E.flag_names(value & _M64, _FLAGS[kind])
        elif code == _ENUM:
            names = _ENUMS[kind]
            out_args[name] = names[value] if 0 <= value < len(names) else value
        elif code == _U64:
            out_args[name] = value & _M64
        else:  # _DELTA
            value &= _M64
            out_args[name] = value - (1 << 64) if value >= 1 << 63 else value
    errno_name = _ERRNO_NAMES[errno] if 0 <= errno < _N_ERRNOS else str(errno)
    return call, phase, out_args, results, errno_name, tuple(memory), skipped
