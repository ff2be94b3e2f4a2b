"""The records the run path is made of behave as dataclasses, the oracle: the same constructor,
repr, ==, hash, frozen and slots, and dataclasses' own functions take them."""

from __future__ import annotations

import copy
import dataclasses
import pickle
import subprocess
import sys

import pytest

from wasikernel import _records

KINDS = [{}, {"frozen": True}, {"slots": True}, {"slots": True, "eq": False}, {"eq": False}]


def _twins(**params):
    def make(decorate, field):
        @decorate(**params)
        class Point:
            """A point."""

            x: int
            label: str = "p"
            tags: list = field(default_factory=list)

            def moved(self) -> int:
                return self.x + 1

        return Point

    return (make(_records.record, _records.field),
            make(dataclasses.dataclass, dataclasses.field))  # fmt: skip


@pytest.mark.parametrize("params", KINDS, ids=str)
def test_a_record_behaves_as_the_dataclass_of_the_same_class(params):
    Record, Oracle = _twins(**params)
    ours, theirs = Record(1), Oracle(1)
    assert repr(ours) == repr(theirs) and ours.moved() == theirs.moved() == 2
    assert (ours == Record(1, "p", [])) == (theirs == Oracle(1, "p", []))
    assert (ours == Record(2)) == (theirs == Oracle(2))
    assert (Record.__hash__ is None) == (Oracle.__hash__ is None)
    if params.get("frozen"):
        assert hash(Record(1, tags=())) == hash(Oracle(1, tags=()))
        with pytest.raises(AttributeError, match="cannot assign to field 'x'"):
            ours.x = 5
    else:
        ours.x = theirs.x = 5
        assert repr(ours) == repr(theirs)
    assert Record.__match_args__ == Oracle.__match_args__
    assert hasattr(Record, "__slots__") == hasattr(Oracle, "__slots__")
    if not params.get("slots"):  # the class keeps a plain default, as a dataclass does
        assert Record.label == Oracle.label == "p"
    assert hasattr(Record, "tags") == hasattr(Oracle, "tags")
    assert Record(1).tags is not Record(1).tags
    assert dataclasses.is_dataclass(ours) and dataclasses.is_dataclass(Record)
    assert [f.name for f in dataclasses.fields(ours)] == ["x", "label", "tags"]
    assert dataclasses.asdict(ours) == dataclasses.asdict(theirs)
    changed = dataclasses.replace(ours, label="q")
    assert type(changed) is Record and changed.label == "q"
    assert repr(copy.deepcopy(ours)) == repr(ours)
    with pytest.raises(TypeError):
        Record()


def test_records_of_the_package_pickle_and_compare():
    from wasikernel.sandbox import Limits, Preopen, Sandbox

    sandbox = Sandbox(preopens=[Preopen("/data", tree={"a": b"x"})], args=["a"],
                      limits=Limits(timeout_s=3))  # fmt: skip
    assert pickle.loads(pickle.dumps(sandbox)) == sandbox
    assert repr(sandbox).startswith("Sandbox(preopens=[Preopen(guest_path='/data'")


def test_a_field_without_a_default_after_one_with_a_default_is_refused():
    with pytest.raises(TypeError, match="non-default argument 'b' follows default argument"):
        @_records.record
        class Bad:
            a: int = 0
            b: int


def test_a_plain_run_does_not_import_dataclasses():
    code = ("import sys; from wasikernel.engines import run; run(b'\\0asm\\x01\\0\\0\\0'); "
            "print(sorted(m for m in ('dataclasses', 'inspect', 'hashlib') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
