"""Record classes made as :mod:`dataclasses` makes them, without importing it.

``wasikernel run`` starts a fresh process for every module, and :mod:`dataclasses` costs that
start-up about 15 ms: it imports :mod:`inspect` (with ``ast``, ``dis`` and ``tokenize``), and
it writes each class's methods through several ``exec`` calls. The classes every run needs (the
sandbox, the trace, the result, the WASI functions' specs) are made here instead, by
:func:`record`: the same constructor, ``repr``, ``==``, hash, ``frozen`` and ``slots`` as
``@dataclass`` gives them, from one ``exec`` per class. They are dataclasses to
:mod:`dataclasses` as well (``fields``, ``replace``, ``asdict``, ``is_dataclass``): their
``__dataclass_fields__`` is made, by :mod:`dataclasses` itself, the first time it is asked for.

Only what the package uses is supported: ``frozen``, ``slots``, ``eq``,
``field(default=..., default_factory=...)`` and :func:`replace`. A type checker reads
:func:`record`, :func:`field` and :func:`replace` as those of :mod:`dataclasses`.
"""

from __future__ import annotations

import operator
import reprlib
from typing import TYPE_CHECKING, Any

__all__ = ["record", "field", "replace", "FrozenInstanceError"]


class FrozenInstanceError(AttributeError):
    """Raised when a field of a frozen record is assigned or deleted."""


_MISSING: Any = type("_Missing", (), {"__repr__": lambda self: "<missing>"})()


class _Field:
    """What :func:`field` puts in a class body: a default, or a factory of defaults."""

    __slots__ = ("default", "default_factory")

    def __init__(self, default: Any, default_factory: Any) -> None:
        self.default, self.default_factory = default, default_factory


def _field(*, default: Any = _MISSING, default_factory: Any = _MISSING) -> Any:
    """A field's default (``default``) or the function that makes one for each instance
    (``default_factory``), as :func:`dataclasses.field` takes them.

    Raises ValueError when both are given.
    """
    if default is not _MISSING and default_factory is not _MISSING:
        raise ValueError("cannot specify both default and default_factory")
    return _Field(default, default_factory)


class _DataclassFields:
    """``__dataclass_fields__`` of a record, made by :mod:`dataclasses` when first asked."""

    def __get__(self, instance: object, owner: type) -> dict[str, Any]:
        import dataclasses

        specs = []
        for name, annotation, default, factory in owner.__record_fields__:
            if factory is not _MISSING:
                specs.append((name, annotation, dataclasses.field(default_factory=factory)))
            elif default is not _MISSING:
                specs.append((name, annotation, dataclasses.field(default=default)))
            else:
                specs.append((name, annotation))
        frozen = owner.__record_params__["frozen"]
        twin = dataclasses.make_dataclass(owner.__name__, specs, frozen=frozen,
                                          eq=owner.__record_params__["eq"])  # fmt: skip
        type.__setattr__(owner, "__dataclass_params__", twin.__dataclass_params__)
        type.__setattr__(owner, "__dataclass_fields__", twin.__dataclass_fields__)
        return twin.__dataclass_fields__


def _is_class_var(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


def _fields_of(cls: type) -> list[tuple[str, Any, Any, Any]]:
    """``(name, annotation, default, factory)`` of each field, the bases' records first."""
    fields: dict[str, tuple[str, Any, Any, Any]] = {}
    for base in reversed(cls.__mro__[1:]):
        for spec in base.__dict__.get("__record_fields__", ()):
            fields[spec[0]] = spec
    for name, annotation in cls.__dict__.get("__annotations__", {}).items():
        if _is_class_var(annotation):
            continue
        default, factory = cls.__dict__.get(name, _MISSING), _MISSING
        if isinstance(default, _Field):
            default, factory = default.default, default.default_factory
        fields[name] = (name, annotation, default, factory)
    return list(fields.values())


def _values_getter(names: list[str]) -> Any:
    """``obj -> the tuple of its fields' values``."""
    if not names:
        return lambda obj: ()
    if len(names) == 1:
        name = names[0]
        return lambda obj: (getattr(obj, name),)
    return operator.attrgetter(*names)


def _methods(names: list[str], values: Any, frozen: bool, eq: bool) -> dict[str, Any]:
    """``__repr__``, ``__eq__``, ``__hash__``, ``__setattr__`` and ``__delattr__`` of a record
    with the fields ``names``, as dataclasses writes them; ``__class_cell__`` is where the
    class goes once made (a frozen record's checks need it)."""
    cell: list[Any] = [None]
    fields = frozenset(names)

    @reprlib.recursive_repr()
    def __repr__(self: Any) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in names)
        return f"{self.__class__.__qualname__}({shown})"

    made: dict[str, Any] = {"__repr__": __repr__, "__class_cell__": cell}
    if eq:

        def __eq__(self: Any, other: Any) -> Any:
            if other.__class__ is self.__class__:
                return values(self) == values(other)
            return NotImplemented

        made["__eq__"] = __eq__
    if frozen:

        def __setattr__(self: Any, name: str, value: Any) -> None:
            if type(self) is cell[0] or name in fields:
                raise FrozenInstanceError(f"cannot assign to field {name!r}")
            super(cell[0], self).__setattr__(name, value)

        def __delattr__(self: Any, name: str) -> None:
            if type(self) is cell[0] or name in fields:
                raise FrozenInstanceError(f"cannot delete field {name!r}")
            super(cell[0], self).__delattr__(name)

        made.update(__setattr__=__setattr__, __delattr__=__delattr__)
        if eq:
            made["__hash__"] = lambda self: hash(values(self))
    return made


def _make(cls: type, frozen: bool, slots: bool, eq: bool) -> type:
    fields = _fields_of(cls)
    names = [f[0] for f in fields]
    namespace: dict[str, Any] = {"_MISSING": _MISSING, "_object": object}
    params, body, seen_default = [], [], False
    for name, _annotation, default, factory in fields:
        if factory is not _MISSING:
            namespace[f"_factory_{name}"] = factory
            params.append(f"{name}=_MISSING")
            value = f"_factory_{name}() if {name} is _MISSING else {name}"
        elif default is not _MISSING:
            namespace[f"_default_{name}"] = default
            params.append(f"{name}=_default_{name}")
            value = name
        else:
            if seen_default:
                raise TypeError(f"non-default argument {name!r} follows default argument")
            params.append(name)
            value = name
        seen_default = seen_default or factory is not _MISSING or default is not _MISSING
        if frozen:
            body.append(f"  _object.__setattr__(self, {name!r}, {value})")
        else:
            body.append(f"  self.{name} = {value}")
    if hasattr(cls, "__post_init__"):
        body.append("  self.__post_init__()")
    # only __init__ is compiled (it runs for every instance); the rest are closures
    source = f"def __init__(self, {', '.join(params)}):\n" + "\n".join(body or ["  pass"])
    exec(source, namespace)  # noqa: S102 - the constructor of a record, as dataclasses writes it
    values = _values_getter(names)
    made = _methods(names, values, frozen, eq)
    made["__init__"] = namespace["__init__"]
    own = cls.__dict__  # a method the class writes itself is kept, as dataclasses keeps it
    methods = {k: v for k, v in made.items() if k not in own}
    if eq and not frozen and "__hash__" not in own:
        methods["__hash__"] = None
    if slots:
        body_dict = {k: v for k, v in cls.__dict__.items()
                     if k not in names and k not in ("__dict__", "__weakref__")}  # fmt: skip
        body_dict["__slots__"] = tuple(names)
        qualname = cls.__qualname__
        cls = type(cls)(cls.__name__, cls.__bases__, body_dict)
        cls.__qualname__ = qualname
    for name, _annotation, default, factory in fields:
        if slots:
            continue
        if factory is not _MISSING or (default is _MISSING and name in cls.__dict__):
            delattr(cls, name)
        elif default is not _MISSING:
            setattr(cls, name, default)
    for name, method in methods.items():
        if name == "__class_cell__":
            continue
        if method is not None:
            method.__qualname__ = f"{cls.__qualname__}.{name}"
        setattr(cls, name, method)
    made["__class_cell__"][0] = cls
    cls.__match_args__ = tuple(names)
    cls.__record_fields__ = tuple(fields)
    cls.__record_params__ = {"frozen": frozen, "eq": eq, "slots": slots}
    cls.__dataclass_fields__ = _DataclassFields()
    return cls


def _record(
    cls: type | None = None, /, *, frozen: bool = False, slots: bool = False, eq: bool = True
) -> Any:
    """Make ``cls`` a record: ``@record``, ``@record(frozen=True)``, ``@record(slots=True)``,
    as ``@dataclass`` with the same words (see the module's text).

    Raises TypeError when a field without a default follows one with a default.
    """

    def wrap(cls: type) -> type:
        return _make(cls, frozen, slots, eq)

    return wrap if cls is None else wrap(cls)


def _replace(obj: Any, /, **changes: Any) -> Any:
    """Return a copy of the record ``obj`` with ``changes``, as :func:`dataclasses.replace`.

    Raises TypeError when ``changes`` names no field of ``obj``.
    """
    values = {spec[0]: getattr(obj, spec[0]) for spec in obj.__record_fields__}
    values.update(changes)
    return type(obj)(**values)


if TYPE_CHECKING:
    from dataclasses import dataclass as record
    from dataclasses import field, replace
else:
    record, field, replace = _record, _field, _replace
