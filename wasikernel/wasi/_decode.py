"""Turn a host's compact call record into a :class:`~wasikernel.trace.TraceEvent`.

A record is ``(spec_index, args, errno, t_ns, dur_ns, log, extra)``: the index of the function
in ``SPECS``, the raw integer parameters, the memory log of the call (flat bytes, see
:func:`~wasikernel.wasi._memory.iter_log`; data cut at DATA_CUT) and an extra
(``None``, a denial ``(capability, reason)``, ``("exit", code)``, ``("limit", message)`` or
``("note", message)``). Decoding reads everything from the log, never from live memory.
"""

from __future__ import annotations

import base64
import struct
from typing import Any

from ..trace import MemoryAccess, TraceEvent
from . import errno as E
from ._memory import iter_log
from ._spec import SPECS

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


def data_value(chunks: list[bytes], total: int, cut: int = 256) -> dict[str, Any]:
    """Return iovec contents as ``{"len", "text"|"base64", "cut"}`` (text when UTF-8)."""
    data = b"".join(chunks)[:cut]
    out: dict[str, Any] = {"len": total}
    try:
        out["text"] = data.decode("utf-8")
    except UnicodeDecodeError:
        out["base64"] = base64.b64encode(data).decode("ascii")
    out["cut"] = total > len(data)
    return out


def _find(log: list, addr: int, access: str) -> bytes | None:
    for a, _n, acc, data in log:
        if a == addr and acc == access:
            return data
    return None


def _iov_pairs(log: list, addr: int, count: int) -> list[tuple[int, int]]:
    raw = _find(log, addr, "r")
    if raw is None or len(raw) < 8 * count:
        return []
    return list(struct.iter_unpack("<II", raw[: 8 * count]))


def _u(data: bytes | None, fmt: str) -> int | None:
    if data is None or len(data) < struct.calcsize(fmt):
        return None
    return struct.unpack_from(fmt, data)[0]


def _result(kind: str, data: bytes | None) -> Any:
    if data is None:
        return None
    if kind in ("size", "fd"):
        return _u(data, "<I")
    if kind in _U64_KINDS:
        return _u(data, "<Q")
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
    return base64.b64encode(data).decode("ascii")


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


def decode(rec: tuple, seq: int) -> TraceEvent:
    """Return the TraceEvent of record ``rec``, numbered ``seq``."""
    index, args, errno, t_ns, dur_ns, raw_log, extra = rec
    spec = SPECS[index]
    log = iter_log(raw_log)
    params = spec.params
    out_args: dict[str, Any] = {}
    results: dict[str, Any] = {}
    ok = errno == 0
    n = len(args)
    for i, (name, kind) in enumerate(params):
        value = args[i] if i < n else 0
        if name.startswith("result."):
            if ok:
                results[name[7:]] = _result(kind, _find(log, value & 0xFFFFFFFF, "w"))
            continue
        if kind == "plen":
            continue
        if kind in ("outbuf", "strings", "dirents"):
            out_args[name] = value
            if ok:
                written = _find(log, value, "w")
                if written is not None:
                    results[_OUT_NAMES[kind]] = _written(kind, written)
            continue
        if kind == "path":
            length = args[i + 1] if i + 1 < n else 0
            raw = _find(log, value, "r")
            if raw is None:
                out_args[name] = {"ptr": value, "len": length}
            else:
                out_args[name] = raw.decode("utf-8", "replace") + (
                    "..." if len(raw) < length else ""
                )
        elif kind in ("ciovecs", "iovecs"):
            count = args[i + 1] if i + 1 < n else 0
            pairs = _iov_pairs(log, value, count)
            chunks: list[bytes] = []
            access = "r" if kind == "ciovecs" else "w"
            total = 0
            for buf, blen in pairs:
                chunk = _find(log, buf, access)
                if chunk is not None:
                    chunks.append(chunk)
                    total += blen if kind == "ciovecs" else 0
            if kind == "iovecs":
                total = sum(entry[1] for entry in log if entry[2] == "w" and
                            any(entry[0] == b for b, _ in pairs))  # fmt: skip
            out_args[name] = data_value(chunks, total) if pairs else value
        elif kind in _FLAGS:
            out_args[name] = E.flag_names(value & _M64, _FLAGS[kind]) if _FLAGS[kind] else value
        elif kind in _ENUMS:
            names = _ENUMS[kind]
            out_args[name] = names[value] if 0 <= value < len(names) else value
        elif kind in _U64_KINDS:
            out_args[name] = value & _M64
        elif kind == "filedelta":
            value &= _M64
            out_args[name] = value - (1 << 64) if value >= 1 << 63 else value
        else:
            out_args[name] = value
    errno_name = E.ERRNO_NAMES[errno] if 0 <= errno < len(E.ERRNO_NAMES) else str(errno)
    event = TraceEvent(
        seq=seq,
        call=spec.name,
        args=out_args,
        results=results,
        errno=errno_name,
        t_ns=t_ns,
        dur_ns=dur_ns,
        memory=[MemoryAccess(a, ln, acc) for a, ln, acc, _ in log],
        phase="libc" if spec.module == "wasikernel" else "run",
    )
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
