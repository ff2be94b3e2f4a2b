"""Words of the WebAssembly text format, for tab completion in WAT cells.

The list covers the MVP instructions plus sign extension, saturating conversions, bulk memory
and reference types (WebAssembly 2.0 without SIMD), and the keywords of module fields.
"""

from __future__ import annotations

__all__ = ["WAT_KEYWORDS", "WAT_INSTRUCTIONS", "WAT_WORDS"]

WAT_KEYWORDS = (
    "module func param result local global memory data export import type table elem start "
    "mut offset item declare funcref externref i32 i64 f32 f64 then"
).split()

_CONTROL = (
    "unreachable nop block loop if else end br br_if br_table return call call_indirect "
    "drop select local.get local.set local.tee global.get global.set "
    "table.get table.set table.size table.grow table.fill table.copy table.init elem.drop "
    "memory.size memory.grow memory.fill memory.copy memory.init data.drop "
    "ref.null ref.is_null ref.func"
).split()


def _numeric() -> list[str]:
    words: list[str] = []
    for t in ("i32", "i64"):
        words += [f"{t}.{op}" for op in (
            "const load store clz ctz popcnt add sub mul div_s div_u rem_s rem_u and or xor "
            "shl shr_s shr_u rotl rotr eqz eq ne lt_s lt_u gt_s gt_u le_s le_u ge_s ge_u "
            "load8_s load8_u load16_s load16_u store8 store16 extend8_s extend16_s "
            "trunc_f32_s trunc_f32_u trunc_f64_s trunc_f64_u "
            "trunc_sat_f32_s trunc_sat_f32_u trunc_sat_f64_s trunc_sat_f64_u"
        ).split()]
    words += ["i64.load32_s", "i64.load32_u", "i64.store32", "i64.extend32_s",
              "i32.wrap_i64", "i64.extend_i32_s", "i64.extend_i32_u",
              "i32.reinterpret_f32", "i64.reinterpret_f64"]
    for t in ("f32", "f64"):
        words += [f"{t}.{op}" for op in (
            "const load store abs neg ceil floor trunc nearest sqrt add sub mul div min max "
            "copysign eq ne lt gt le ge convert_i32_s convert_i32_u convert_i64_s convert_i64_u"
        ).split()]
    words += ["f32.demote_f64", "f64.promote_f32", "f32.reinterpret_i32", "f64.reinterpret_i64"]
    return words


WAT_INSTRUCTIONS: tuple[str, ...] = tuple(_CONTROL + _numeric())

#: Everything offered in a WAT cell, sorted.
WAT_WORDS: tuple[str, ...] = tuple(sorted(set(WAT_KEYWORDS) | set(WAT_INSTRUCTIONS)))
