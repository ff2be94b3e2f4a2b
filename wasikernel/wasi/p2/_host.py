"""The preview 2 face of the host: resources, the wrapper around each WIT function, linking.

:class:`ComponentHost` is the capability core (:class:`~wasikernel.wasi.host.WasiCore`: the
sandbox's folders, output, stdin, clocks, randomness, limits) plus a table of the resources the
guest holds. :meth:`ComponentHost.link` defines every interface of ``wasi:cli/command`` in a
``wasmtime.component.Linker``; each function goes through one wrapper that turns the handles the
guest passes into the host's objects, calls the body, turns a raised failure into the WIT
``result``'s error case, and (when tracing) appends one compact record to the trace, decoded
into a :class:`~wasikernel.trace.TraceEvent` only when someone reads it. No body records.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from wasmtime.component import Record, ResourceAny, ResourceHost, ResourceType, Variant

from ... import messages
from ...sandbox import Sandbox
from ...trace import TraceEvent
from .._decode import data_value
from .._spec import LimitReached, ProcExit
from .._state import WasiCore
from ..fs import FsError, Refusal
from . import _spec
from ._spec import (
    REGISTRY,
    RESOURCES,
    VERSION,
    HostTrap,
    Resource,
    StreamClosed,
    StreamErrorObject,
    StreamFailed,
)

__all__ = ["ComponentHost"]

#: bytes of a list<u8> argument or result the trace keeps (the rest is counted)
DATA_CUT = 256
#: what one decoded event takes in memory (bounds the trace with ``Limits.max_trace_bytes``)
_EVENT_BYTES = 900
#: the most items of a list the trace shows
_LIST_CUT = 64


class _Cut:
    """The head of a long byte string and its full length (what the trace keeps of it)."""

    __slots__ = ("head", "total")

    def __init__(self, data: bytes) -> None:
        self.head = data[:DATA_CUT]
        self.total = len(data)


class ComponentHost(WasiCore):
    """A WASI 0.2 host (``wasi:cli/command``) over ``sandbox``, for ``wasmtime.component``.

    ``host.link(linker)`` defines the interfaces; after the run ``host.stdout``,
    ``host.stderr`` and ``host.trace`` hold what happened, as for the preview 1 host.
    ``trace=False`` links the bodies without the recording wrapper. Leaving a call on purpose:
    :class:`ProcExit` (``exit``), :class:`LimitReached` (a limit), :class:`HostTrap` (the guest
    passed something no host can honour): the engine catches them around the run.
    Raises FsError when a preopened host folder does not exist.
    """

    def __init__(
        self,
        sandbox: Sandbox | None = None,
        *,
        on_output: Callable[[str, bytes], None] | None = None,
        cancel: threading.Event | None = None,
        trace: bool = True,
    ) -> None:
        super().__init__(sandbox, on_output, cancel, _decode)
        self.tracing = trace
        self.table: dict[int, Resource] = {}
        self.next_rep = 1
        #: the resources handed out during the call being made (for its trace record)
        self.handed: list[Resource] = []
        #: how many resources of each kind the guest holds (the open-files limit counts them)
        self.held: dict[str, int] = {}

    # ---------------------------------------------------------------------------- resources

    def own(self, obj: Resource) -> ResourceHost:
        """Hand ``obj`` to the guest: return the owned handle the WIT result carries."""
        rep = self.next_rep
        self.next_rep = rep + 1
        obj.rep = rep
        self.table[rep] = obj
        self.handed.append(obj)
        held = self.held
        held[obj.KIND] = held.get(obj.KIND, 0) + 1
        return ResourceHost.own(rep, obj.TYPE)  # type: ignore[attr-defined]

    def _object(self, store: Any, handle: ResourceAny) -> Resource:
        host_handle = handle.to_host(store)  # every borrow must be turned before returning
        obj = self.table.get(host_handle.rep)
        if obj is None:
            raise HostTrap(messages.t("p2_stale_handle", handle=host_handle.rep))
        return obj

    def _drop(self, rep: int) -> None:
        obj = self.table.pop(rep, None)
        if obj is not None:
            self.held[obj.KIND] -= 1
            try:
                obj.close()
            except Exception:
                pass

    # ---------------------------------------------------------------------------- linking

    @staticmethod
    def provides(name: str) -> bool:
        """Whether an imported instance ``name`` (``wasi:io/streams@0.2.3``) is defined here.

        Any 0.2.x release of an interface the host defines at 0.2.12 is (wasmtime's linker
        matches semver-compatible versions: for 0.x, the same minor)."""
        base, _, version = name.partition("@")
        ours = _INTERFACES.get(base)
        if ours is None:
            return False
        return version == "" or version.split(".")[:2] == ours.split(".")[:2]

    def link(self, linker: Any) -> None:
        """Define every interface of ``wasi:cli/command@VERSION`` in ``linker``."""
        by_instance: dict[str, list[tuple[int, _spec.WitFunc]]] = {
            f"{interface}@{VERSION}": [] for interface in RESOURCES
        }
        for index, func in enumerate(REGISTRY):
            by_instance.setdefault(func.instance, []).append((index, func))
        wrap = self._traced if self.tracing else self._plain
        with linker.root() as root:
            for instance, funcs in by_instance.items():
                with root.add_instance(instance) as inst:
                    interface = instance.partition("@")[0]
                    for name, number in RESOURCES.get(interface, {}).items():
                        inst.add_resource(name, ResourceType.host(number), self._dtor(name))
                    for index, func in funcs:
                        inst.add_func(func.name, wrap(index, func))

    def _dtor(self, name: str) -> Callable[[Any, int], None]:
        drop = self._drop
        if not self.tracing:
            return lambda store, rep: drop(rep)
        record = self.trace.record
        start = self.start_ns
        perf = time.perf_counter_ns
        table = self.table

        def dtor(store: Any, rep: int) -> None:
            obj = table.get(rep)
            t0 = perf()
            drop(rep)
            if obj is not None:
                record((_DROP, name, obj, t0 - start, perf() - t0), _EVENT_BYTES)

        return dtor

    def refuse_import(self, name: str) -> str:
        """Record an imported instance the host does not provide; return the link-error text."""
        package = name.partition("/")[0]
        reason = messages.t(missing_import_key(name), name=name)
        self.trace.add(
            TraceEvent(
                seq=0, call=name, args={"import": name, "kind": "instance"}, results={},
                errno="unsupported", denied=True,
                capability="network" if package.startswith("wasi:sockets") else "import",
                reason=reason, phase="link", abi="p2",
            )
        )  # fmt: skip
        if missing_import_key(name) == "p3_import":  # the sentence says where it can run
            return messages.t("p2_link_error_because", reason=reason)
        return messages.t("p2_link_error", name=name)

    # ---------------------------------------------------------------------------- wrappers

    def _args(self, store: Any, args: tuple) -> tuple:
        out = []
        for a in args:
            if type(a) is ResourceAny:
                a = self._object(store, a)
            elif type(a) is list and a and type(a[0]) is ResourceAny:
                a = [self._object(store, x) for x in a]
            out.append(a)
        return tuple(out)

    def _plain(self, index: int, func: _spec.WitFunc) -> Callable[..., Any]:
        body, err, tagged = func.body, func.err, func.tagged
        host = self
        convert = self._args

        def call(store: Any, *args: Any) -> Any:
            objs = convert(store, args) if args else args
            try:
                value = body(host, *objs)
            except (ProcExit, LimitReached, HostTrap):
                raise
            except Exception as exc:
                return _failure(host, exc, err, tagged)[0]
            return Variant("ok", value) if tagged else value

        return call

    def _traced(self, index: int, func: _spec.WitFunc) -> Callable[..., Any]:
        body, err, tagged = func.body, func.err, func.tagged
        host = self
        convert = self._args
        record = self.trace.record
        start = self.start_ns
        perf = time.perf_counter_ns
        handed = self.handed
        cut_args = any(p in _RECORD_LISTS for p in func.params)

        def call(store: Any, *args: Any) -> Any:
            objs = convert(store, args) if args else args
            handed.clear()
            t0 = perf()
            try:
                value = body(host, *objs)
            except ProcExit as exc:
                record((index, objs, None, "success", t0 - start, perf() - t0, ("exit", exc.code),
                        ()), _EVENT_BYTES)  # fmt: skip
                raise
            except (LimitReached, HostTrap) as exc:
                kind = "limit" if isinstance(exc, LimitReached) else "trap"
                if cut_args:
                    objs = tuple(_cut_records(a) for a in objs)
                record((index, objs, None, "success", t0 - start, perf() - t0,
                        (kind, exc.message), ()), _EVENT_BYTES)  # fmt: skip
                raise
            except Exception as exc:
                ret, code, extra = _failure(host, exc, err, tagged)
                if cut_args:
                    objs = tuple(_cut_records(a) for a in objs)
                record((index, objs, None, code, t0 - start, perf() - t0, extra, tuple(handed)),
                       _EVENT_BYTES)  # fmt: skip
                return ret
            size = _EVENT_BYTES
            kept = value
            if type(value) is bytes and len(value) > DATA_CUT:
                kept = _Cut(value)
            elif type(value) is tuple and value and type(value[0]) is bytes:
                kept = (_Cut(value[0]), *value[1:])
            elif type(value) is list and value and type(value[0]) is Record:
                kept = _cut_records(value)
            if cut_args:
                objs = tuple(_cut_records(a) for a in objs)
            record((index, objs, kept, "success", t0 - start, perf() - t0, None, tuple(handed)),
                   size)  # fmt: skip
            return Variant("ok", value) if tagged else value

        return call


def missing_import_key(name: str) -> str:
    """The catalogue's sentence for an imported interface the host lacks: ``p3_import`` for
    a WASI 0.3 one (it runs untraced under the wasmtime command line), else
    ``p2_import_missing``."""
    version = name.partition("@")[2]
    return "p3_import" if name.startswith("wasi:") and version.startswith("0.3") else (
        "p2_import_missing")


#: parameters that are lists of records holding bytes (datagrams): the trace keeps a cut copy
_RECORD_LISTS = frozenset({"datagrams"})


class _CutList:
    """The head of a long list of records (each byte string cut) and its full length."""

    __slots__ = ("head", "total")

    def __init__(self, head: list, total: int) -> None:
        self.head = head
        self.total = total


def _cut_records(value: Any) -> Any:
    """A list of records as the trace keeps it: at most _LIST_CUT of them and the full count,
    each byte string cut to DATA_CUT; anything else as it is."""
    if type(value) is not list or not value or type(value[0]) is not Record:
        return value
    kept: list[Any] = []
    for rec in value[:_LIST_CUT]:
        copy = Record()
        for key, field in vars(rec).items():
            setattr(copy, key, _Cut(field) if type(field) is bytes and len(field) > DATA_CUT
                    else field)  # fmt: skip
        kept.append(copy)
    return _CutList(kept, len(value))


def _failure(host: ComponentHost, exc: Exception, err: str | None, tagged: bool) -> tuple:
    """Return ``(value to lower, trace code, trace extra)`` for a body's failure ``exc``."""
    extra: Any = None
    if isinstance(exc, StreamClosed):
        payload: Any = None
        code = "closed"
    elif isinstance(exc, StreamFailed):
        payload = host.own(StreamErrorObject(exc.errno))
        code = _spec.error_code(exc.errno)
    elif isinstance(exc, FsError):
        payload = code = (
            _spec.net_error_code(exc.errno) if err == "net" else _spec.error_code(exc.errno)
        )
        if isinstance(exc, Refusal):
            extra = (exc.capability, exc.reason)
    else:  # a bug of ours must not crash the guest's run: an io error, noted in the trace
        note = messages.t("p2_host_bug", error=f"{type(exc).__name__}: {exc}")
        if err is None:
            raise HostTrap(note) from exc
        payload = code = "unknown" if err == "net" else "io"
        extra = ("note", note)
        if err == "stream":
            payload, code = None, "closed"
    if err is None and isinstance(exc, Refusal):  # refused, and it returns nothing anyway
        return None, code, extra
    if err is None:  # a function without a ``result`` has no way to say it failed
        raise HostTrap(messages.t("p2_host_bug", error=f"{type(exc).__name__}: {exc}")) from exc
    return (Variant("err", payload) if tagged else payload), code, extra


# ------------------------------------------------------------------------------- decoding

_DROP = -1
#: interface -> the version of it the host defines; filled once the groups are imported
_INTERFACES: dict[str, str] = {}


def _value(v: Any, handed: tuple) -> Any:
    """Return ``v`` as the trace's JSON shows it."""
    t = type(v)
    if t is str or t is int or t is bool or v is None or t is float:
        return v
    if isinstance(v, Resource):
        return {"resource": v.KIND, "handle": v.rep, **v.describe()}
    if t is ResourceHost:
        rep = v.rep
        for obj in handed:
            if obj.rep == rep:
                return {"resource": obj.KIND, "handle": rep, **obj.describe()}
        return {"resource": "?", "handle": rep}
    if t is bytes:
        return data_value([v[:DATA_CUT]], len(v))
    if t is _Cut:
        return data_value([v.head], v.total)
    if t is set or t is frozenset:
        return sorted(v)
    if t is list or t is tuple:
        items = [_value(x, handed) for x in v[:_LIST_CUT]]
        if len(v) > _LIST_CUT:
            items.append(f"... (+{len(v) - _LIST_CUT})")
        return items
    if t is Record:
        return {k: _value(x, handed) for k, x in vars(v).items()}
    if t is _CutList:
        items = [_value(x, handed) for x in v.head]
        if v.total > len(v.head):
            items.append(f"... (+{v.total - len(v.head)})")
        return items
    if t is Variant:
        return v.tag if v.payload is None else {v.tag: _value(v.payload, handed)}
    return repr(v)


def shown_value(v: Any) -> Any:
    """A value of a WIT type as the trace shows it: numbers, strings and booleans as they are,
    a record as a dict, a variant as its case (``{case: payload}``), a list as a list."""
    return _value(v, ())


def _decode(rec: tuple, seq: int) -> TraceEvent:
    if rec[0] == _DROP:
        _, name, obj, t_ns, dur_ns = rec
        call = f"{_instance_of(obj)}#[resource-drop]{name}"
        return TraceEvent(
            seq=seq, call=call, args={"self": _value(obj, ())}, results={}, errno="success",
            t_ns=t_ns, dur_ns=dur_ns, abi="p2",
        )  # fmt: skip
    index, objs, value, code, t_ns, dur_ns, extra, handed = rec
    func = REGISTRY[index]
    args = {name: _value(a, handed) for name, a in zip(func.params, objs, strict=False)}
    results: dict[str, Any] = {}
    if code == "success" and extra is None and (value is not None or func.err is None):
        results["result"] = _value(value, handed)
    ev = TraceEvent(
        seq=seq, call=func.call, args=args, results=results, errno=code, t_ns=t_ns,
        dur_ns=dur_ns, abi="p2", phase=func.phase,
    )  # fmt: skip
    if extra is not None:
        kind = extra[0]
        if kind == "exit":
            ev.exit_code = extra[1]
        elif kind == "limit" or kind == "trap":
            ev.reason = extra[1]
            ev.errno = "canceled" if kind == "limit" else "trap"
        elif kind == "note":
            ev.reason = extra[1]
        else:
            ev.denied = True
            ev.capability, ev.reason = extra
    return ev


def _instance_of(obj: Resource) -> str:
    for interface, names in RESOURCES.items():
        if names.get(obj.KIND) == getattr(obj, "TYPE", None):
            return f"{interface}@{VERSION}"
    return "?"


def _refresh_interfaces() -> None:
    _INTERFACES.clear()
    _INTERFACES.update({name: VERSION for name in RESOURCES})
    _INTERFACES.update({f.interface: f.version for f in REGISTRY})
