"""The numeric instructions, each written once as a Python expression over ``a`` and ``b``.

Value representation on the operand stack: ``i32`` and ``i64`` are unsigned Python ints (the bit
pattern), ``f32`` is its 32-bit pattern as an int (so NaN payloads survive, which a Python float
cannot promise), ``f64`` is a Python float (struct keeps its bits, payload included).

``NUMERIC`` maps an opcode to ``(name, arity, expression)``; the handler table and the Python
source translation are both generated from these expressions, so they cannot disagree.
"""

from __future__ import annotations

import math
import re
import struct

__all__ = ["NUMERIC", "NUMERIC_FC", "HELPERS", "Trap"]

M32 = 0xFFFFFFFF
M64 = 0xFFFFFFFFFFFFFFFF
F32_CANON = 0x7FC00000

_f = struct.Struct("<f")
_I = struct.Struct("<I")
_d = struct.Struct("<d")
_Q = struct.Struct("<Q")


class Trap(Exception):
    """A WebAssembly trap; ``message`` uses the spec's wording (``"integer divide by zero"``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def s32(a: int) -> int:
    return a - 0x100000000 if a & 0x80000000 else a


def s64(a: int) -> int:
    return a - 0x10000000000000000 if a & 0x8000000000000000 else a


def ff(bits: int) -> float:
    """f32 bit pattern -> Python float."""
    return _f.unpack(_I.pack(bits))[0]


def tf(x: float) -> int:
    """Python float -> f32 bit pattern, rounded to nearest even; NaN becomes the canonical NaN."""
    if x != x:
        return F32_CANON
    try:
        return _I.unpack(_f.pack(x))[0]
    except OverflowError:
        return 0x7F800000 if x > 0 else 0xFF800000


def f2i(x: float) -> int:
    return _Q.unpack(_d.pack(x))[0]


def i2f(a: int) -> float:
    return _d.unpack(_Q.pack(a))[0]


def div_s(a: int, b: int, bits: int) -> int:
    if b == 0:
        raise Trap("integer divide by zero")
    half = 1 << (bits - 1)
    sa = a - (half << 1) if a & half else a
    sb = b - (half << 1) if b & half else b
    if sa == -half and sb == -1:
        raise Trap("integer overflow")
    q = abs(sa) // abs(sb)
    if (sa < 0) != (sb < 0):
        q = -q
    return q & ((half << 1) - 1)


def div_u(a: int, b: int) -> int:
    if b == 0:
        raise Trap("integer divide by zero")
    return a // b


def rem_s(a: int, b: int, bits: int) -> int:
    if b == 0:
        raise Trap("integer divide by zero")
    half = 1 << (bits - 1)
    sa = a - (half << 1) if a & half else a
    sb = b - (half << 1) if b & half else b
    r = abs(sa) % abs(sb)
    if sa < 0:
        r = -r
    return r & ((half << 1) - 1)


def rem_u(a: int, b: int) -> int:
    if b == 0:
        raise Trap("integer divide by zero")
    return a % b


def rotl(a: int, b: int, bits: int) -> int:
    k = b % bits
    mask = (1 << bits) - 1
    return ((a << k) | (a >> (bits - k))) & mask


def rotr(a: int, b: int, bits: int) -> int:
    k = b % bits
    mask = (1 << bits) - 1
    return ((a >> k) | (a << (bits - k))) & mask


def ctz(a: int, bits: int) -> int:
    return (a & -a).bit_length() - 1 if a else bits


def fdiv(a: float, b: float) -> float:
    try:
        return a / b
    except ZeroDivisionError:
        if a != a:
            return a + 0.0
        if a == 0.0:
            return math.nan
        return math.copysign(math.inf, a) * math.copysign(1.0, b)


def fmin(a: float, b: float) -> float:
    if a != a or b != b:
        return a + b
    if a == b:
        return a if math.copysign(1.0, a) < 0 else b
    return a if a < b else b


def fmax(a: float, b: float) -> float:
    if a != a or b != b:
        return a + b
    if a == b:
        return b if math.copysign(1.0, a) < 0 else a
    return a if a > b else b


def fsqrt(a: float) -> float:
    if a != a:
        return a + 0.0
    if a < 0:
        return math.nan
    return math.sqrt(a)


def _integral(a: float, fn) -> float:  # noqa: ANN001
    if a != a:
        return a + 0.0
    if math.isinf(a) or abs(a) >= 4503599627370496.0:
        return a
    r = float(fn(a))
    return r if r != 0 else math.copysign(0.0, a)


def fceil(a: float) -> float:
    return _integral(a, math.ceil)


def ffloor(a: float) -> float:
    return _integral(a, math.floor)


def ftrunc(a: float) -> float:
    return _integral(a, math.trunc)


def fnearest(a: float) -> float:
    return _integral(a, round)


def trunc(x: float, lo: int, hi: int, mask: int) -> int:
    if x != x:
        raise Trap("invalid conversion to integer")
    if math.isinf(x):
        raise Trap("integer overflow")
    t = int(x)
    if t < lo or t > hi:
        raise Trap("integer overflow")
    return t & mask


def trunc_sat(x: float, lo: int, hi: int, mask: int) -> int:
    if x != x:
        return 0
    if x <= lo:
        return lo & mask
    if x >= hi:
        return hi & mask
    return int(x) & mask


def int_to_f32(v: int) -> int:
    """An integer rounded once, to nearest even, to f32 (no double rounding through f64)."""
    n = abs(v)
    if n < (1 << 24):
        return tf(float(v))
    shift = n.bit_length() - 24
    q = n >> shift
    rest = n & ((1 << shift) - 1)
    half = 1 << (shift - 1)
    if rest > half or (rest == half and q & 1):
        q += 1
    x = math.ldexp(float(q), shift)
    return tf(-x if v < 0 else x)


def promote(a: int) -> float:
    x = ff(a)
    return math.nan if x != x else x


def f32copysign(a: int, b: int) -> int:
    return (a & 0x7FFFFFFF) | (b & 0x80000000)


def f32min(a: int, b: int) -> int:
    return tf(fmin(ff(a), ff(b)))


def f32max(a: int, b: int) -> int:
    return tf(fmax(ff(a), ff(b)))


HELPERS = {
    "math": math,
    "Trap": Trap,
    "M32": M32,
    "M64": M64,
    "s32": s32,
    "s64": s64,
    "ff": ff,
    "tf": tf,
    "f2i": f2i,
    "i2f": i2f,
    "div_s": div_s,
    "div_u": div_u,
    "rem_s": rem_s,
    "rem_u": rem_u,
    "rotl": rotl,
    "rotr": rotr,
    "ctz": ctz,
    "fdiv": fdiv,
    "fmin": fmin,
    "fmax": fmax,
    "fsqrt": fsqrt,
    "fceil": fceil,
    "ffloor": ffloor,
    "ftrunc": ftrunc,
    "fnearest": fnearest,
    "trunc": trunc,
    "trunc_sat": trunc_sat,
    "int_to_f32": int_to_f32,
    "promote": promote,
    "f32copysign": f32copysign,
    "f32min": f32min,
    "f32max": f32max,
    "copysign": math.copysign,
    "fabs": math.fabs,
}

_B = "1 if {} else 0"


def _cmp32s(op: str) -> str:
    return _B.format(f"s32(a) {op} s32(b)")


def _cmp64s(op: str) -> str:
    return _B.format(f"s64(a) {op} s64(b)")


def _cmpu(op: str) -> str:
    return _B.format(f"a {op} b")


def _f32c(op: str) -> str:
    return _B.format(f"ff(a) {op} ff(b)")


def _int_ops(bits: int, first: int) -> dict[int, tuple[str, int, str]]:
    t = f"i{bits}"
    m = "M32" if bits == 32 else "M64"
    s = "s32" if bits == 32 else "s64"
    names = [
        ("clz", 1, f"{bits} - a.bit_length()"),
        ("ctz", 1, f"ctz(a, {bits})"),
        ("popcnt", 1, "a.bit_count()"),
        ("add", 2, f"(a + b) & {m}"),
        ("sub", 2, f"(a - b) & {m}"),
        ("mul", 2, f"(a * b) & {m}"),
        ("div_s", 2, f"div_s(a, b, {bits})"),
        ("div_u", 2, "div_u(a, b)"),
        ("rem_s", 2, f"rem_s(a, b, {bits})"),
        ("rem_u", 2, "rem_u(a, b)"),
        ("and", 2, "a & b"),
        ("or", 2, "a | b"),
        ("xor", 2, "a ^ b"),
        ("shl", 2, f"(a << (b & {bits - 1})) & {m}"),
        ("shr_s", 2, f"({s}(a) >> (b & {bits - 1})) & {m}"),
        ("shr_u", 2, f"a >> (b & {bits - 1})"),
        ("rotl", 2, f"rotl(a, b, {bits})"),
        ("rotr", 2, f"rotr(a, b, {bits})"),
    ]
    return {first + i: (f"{t}.{n}", k, e) for i, (n, k, e) in enumerate(names)}


# name, operands, the f64 expression, and the f32 one: None when it is the f64 expression on
# the operands widened to f64, rounded back to f32 (exact for these operations)
_FLOAT_OPS = [
    ("abs", 1, "fabs(a)", "a & 0x7FFFFFFF"),
    ("neg", 1, "-a", "a ^ 0x80000000"),
    ("ceil", 1, "fceil(a)", None),
    ("floor", 1, "ffloor(a)", None),
    ("trunc", 1, "ftrunc(a)", None),
    ("nearest", 1, "fnearest(a)", None),
    ("sqrt", 1, "fsqrt(a)", None),
    ("add", 2, "a + b", None),
    ("sub", 2, "a - b", None),
    ("mul", 2, "a * b", None),
    ("div", 2, "fdiv(a, b)", None),
    ("min", 2, "fmin(a, b)", "f32min(a, b)"),
    ("max", 2, "fmax(a, b)", "f32max(a, b)"),
    ("copysign", 2, "copysign(a, b)", "f32copysign(a, b)"),
]


def _float_ops(bits: int, first: int) -> dict[int, tuple[str, int, str]]:
    out = {}
    for i, (name, k, f64, f32) in enumerate(_FLOAT_OPS):
        if bits == 64:
            expr = f64
        elif f32 is not None:
            expr = f32
        else:
            expr = "tf(" + re.sub(r"\b([ab])\b", r"ff(\1)", f64) + ")"
        out[first + i] = (f"f{bits}.{name}", k, expr)
    return out


NUMERIC: dict[int, tuple[str, int, str]] = {
    0x45: ("i32.eqz", 1, _B.format("a == 0")),
    0x46: ("i32.eq", 2, _cmpu("==")),
    0x47: ("i32.ne", 2, _cmpu("!=")),
    0x48: ("i32.lt_s", 2, _cmp32s("<")),
    0x49: ("i32.lt_u", 2, _cmpu("<")),
    0x4A: ("i32.gt_s", 2, _cmp32s(">")),
    0x4B: ("i32.gt_u", 2, _cmpu(">")),
    0x4C: ("i32.le_s", 2, _cmp32s("<=")),
    0x4D: ("i32.le_u", 2, _cmpu("<=")),
    0x4E: ("i32.ge_s", 2, _cmp32s(">=")),
    0x4F: ("i32.ge_u", 2, _cmpu(">=")),
    0x50: ("i64.eqz", 1, _B.format("a == 0")),
    0x51: ("i64.eq", 2, _cmpu("==")),
    0x52: ("i64.ne", 2, _cmpu("!=")),
    0x53: ("i64.lt_s", 2, _cmp64s("<")),
    0x54: ("i64.lt_u", 2, _cmpu("<")),
    0x55: ("i64.gt_s", 2, _cmp64s(">")),
    0x56: ("i64.gt_u", 2, _cmpu(">")),
    0x57: ("i64.le_s", 2, _cmp64s("<=")),
    0x58: ("i64.le_u", 2, _cmpu("<=")),
    0x59: ("i64.ge_s", 2, _cmp64s(">=")),
    0x5A: ("i64.ge_u", 2, _cmpu(">=")),
    0x5B: ("f32.eq", 2, _f32c("==")),
    0x5C: ("f32.ne", 2, _f32c("!=")),
    0x5D: ("f32.lt", 2, _f32c("<")),
    0x5E: ("f32.gt", 2, _f32c(">")),
    0x5F: ("f32.le", 2, _f32c("<=")),
    0x60: ("f32.ge", 2, _f32c(">=")),
    0x61: ("f64.eq", 2, _cmpu("==")),
    0x62: ("f64.ne", 2, _cmpu("!=")),
    0x63: ("f64.lt", 2, _cmpu("<")),
    0x64: ("f64.gt", 2, _cmpu(">")),
    0x65: ("f64.le", 2, _cmpu("<=")),
    0x66: ("f64.ge", 2, _cmpu(">=")),
    **_int_ops(32, 0x67),
    **_int_ops(64, 0x79),
    **_float_ops(32, 0x8B),
    **_float_ops(64, 0x99),
    0xA7: ("i32.wrap_i64", 1, "a & M32"),
    0xA8: ("i32.trunc_f32_s", 1, "trunc(ff(a), -0x80000000, 0x7FFFFFFF, M32)"),
    0xA9: ("i32.trunc_f32_u", 1, "trunc(ff(a), 0, 0xFFFFFFFF, M32)"),
    0xAA: ("i32.trunc_f64_s", 1, "trunc(a, -0x80000000, 0x7FFFFFFF, M32)"),
    0xAB: ("i32.trunc_f64_u", 1, "trunc(a, 0, 0xFFFFFFFF, M32)"),
    0xAC: ("i64.extend_i32_s", 1, "s32(a) & M64"),
    0xAD: ("i64.extend_i32_u", 1, "a"),
    0xAE: ("i64.trunc_f32_s", 1, "trunc(ff(a), -(1 << 63), (1 << 63) - 1, M64)"),
    0xAF: ("i64.trunc_f32_u", 1, "trunc(ff(a), 0, M64, M64)"),
    0xB0: ("i64.trunc_f64_s", 1, "trunc(a, -(1 << 63), (1 << 63) - 1, M64)"),
    0xB1: ("i64.trunc_f64_u", 1, "trunc(a, 0, M64, M64)"),
    0xB2: ("f32.convert_i32_s", 1, "int_to_f32(s32(a))"),
    0xB3: ("f32.convert_i32_u", 1, "int_to_f32(a)"),
    0xB4: ("f32.convert_i64_s", 1, "int_to_f32(s64(a))"),
    0xB5: ("f32.convert_i64_u", 1, "int_to_f32(a)"),
    0xB6: ("f32.demote_f64", 1, "tf(a)"),
    0xB7: ("f64.convert_i32_s", 1, "float(s32(a))"),
    0xB8: ("f64.convert_i32_u", 1, "float(a)"),
    0xB9: ("f64.convert_i64_s", 1, "float(s64(a))"),
    0xBA: ("f64.convert_i64_u", 1, "float(a)"),
    0xBB: ("f64.promote_f32", 1, "promote(a)"),
    0xBC: ("i32.reinterpret_f32", 1, "a"),
    0xBD: ("i64.reinterpret_f64", 1, "f2i(a)"),
    0xBE: ("f32.reinterpret_i32", 1, "a"),
    0xBF: ("f64.reinterpret_i64", 1, "i2f(a)"),
    0xC0: ("i32.extend8_s", 1, "(((a & 0xFF) ^ 0x80) - 0x80) & M32"),
    0xC1: ("i32.extend16_s", 1, "(((a & 0xFFFF) ^ 0x8000) - 0x8000) & M32"),
    0xC2: ("i64.extend8_s", 1, "(((a & 0xFF) ^ 0x80) - 0x80) & M64"),
    0xC3: ("i64.extend16_s", 1, "(((a & 0xFFFF) ^ 0x8000) - 0x8000) & M64"),
    0xC4: ("i64.extend32_s", 1, "(((a & M32) ^ 0x80000000) - 0x80000000) & M64"),
}

_S32 = "-0x80000000, 0x7FFFFFFF, M32"
_U32 = "0, 0xFFFFFFFF, M32"
_S64 = "-(1 << 63), (1 << 63) - 1, M64"
_U64 = "0, M64, M64"

NUMERIC_FC: dict[int, tuple[str, int, str]] = {
    0: ("i32.trunc_sat_f32_s", 1, f"trunc_sat(ff(a), {_S32})"),
    1: ("i32.trunc_sat_f32_u", 1, f"trunc_sat(ff(a), {_U32})"),
    2: ("i32.trunc_sat_f64_s", 1, f"trunc_sat(a, {_S32})"),
    3: ("i32.trunc_sat_f64_u", 1, f"trunc_sat(a, {_U32})"),
    4: ("i64.trunc_sat_f32_s", 1, f"trunc_sat(ff(a), {_S64})"),
    5: ("i64.trunc_sat_f32_u", 1, f"trunc_sat(ff(a), {_U64})"),
    6: ("i64.trunc_sat_f64_s", 1, f"trunc_sat(a, {_S64})"),
    7: ("i64.trunc_sat_f64_u", 1, f"trunc_sat(a, {_U64})"),
}
