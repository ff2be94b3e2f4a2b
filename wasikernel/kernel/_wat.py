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


# ----- what each instruction does, for ``?`` and inspection in a WAT cell -----------------------

_CONTROL_DOCS = {
    "unreachable": "[] -> trap: stops the program with a trap at once.",
    "nop": "[] -> []: does nothing.",
    "block": "block label (result t*) ... end: a block; br to its label jumps to its end.",
    "loop": "loop label (result t*) ... end: a loop; br to its label jumps back to its start.",
    "if": "[i32] -> []: if ... else ... end runs the first part when the value is not 0.",
    "else": "starts the part of an if that runs when the condition is 0.",
    "end": "closes a block, loop, if or function.",
    "br": "br label: jumps to the label (the end of a block, the start of a loop).",
    "br_if": "[i32] -> []: br label, only when the value is not 0.",
    "br_table": "[i32] -> []: br_table l0 l1 ... ldefault jumps to the label the value indexes.",
    "return": "leaves the function with the values on top of the stack.",
    "call": "call $f: pops f's parameters, runs f, pushes its results.",
    "call_indirect": "[.. i32] -> [..]: calls the function at that index of a table, checking "
    "its type (a mismatch traps).",
    "drop": "[t] -> []: throws away the value on top of the stack.",
    "select": "[t t i32] -> [t]: keeps the first value when the i32 is not 0, else the second.",
    "local.get": "[] -> [t]: pushes the value of a local (parameters are the first locals).",
    "local.set": "[t] -> []: pops a value into a local.",
    "local.tee": "[t] -> [t]: stores into a local and keeps the value on the stack.",
    "global.get": "[] -> [t]: pushes the value of a global.",
    "global.set": "[t] -> []: pops a value into a mutable global.",
    "memory.size": "[] -> [i32]: the size of linear memory in 64 KiB pages.",
    "memory.grow": "[i32] -> [i32]: adds that many pages; gives the old size, or -1 when it "
    "cannot grow.",
    "memory.fill": "[i32 i32 i32] -> []: sets n bytes from an address to a byte value "
    "(address, value, n).",
    "memory.copy": "[i32 i32 i32] -> []: copies n bytes (destination, source, n).",
    "memory.init": "[i32 i32 i32] -> []: copies part of a passive data segment into memory.",
    "data.drop": "[] -> []: frees a passive data segment.",
    "table.get": "[i32] -> [ref]: reads a table element.",
    "table.set": "[i32 ref] -> []: writes a table element.",
    "table.size": "[] -> [i32]: the number of elements of a table.",
    "table.grow": "[ref i32] -> [i32]: adds elements; gives the old size, or -1.",
    "table.fill": "[i32 ref i32] -> []: sets a range of table elements.",
    "table.copy": "[i32 i32 i32] -> []: copies a range of table elements.",
    "table.init": "[i32 i32 i32] -> []: copies an element segment into a table.",
    "elem.drop": "[] -> []: frees a passive element segment.",
    "ref.null": "[] -> [ref]: a null reference.",
    "ref.is_null": "[ref] -> [i32]: 1 when the reference is null, else 0.",
    "ref.func": "[] -> [funcref]: a reference to a function.",
}

_BINARY = {
    "add": "adds", "sub": "subtracts the second from the first", "mul": "multiplies",
    "div": "divides the first by the second", "div_s": "divides, signed (traps on 0)",
    "div_u": "divides, unsigned (traps on 0)", "rem_s": "remainder, signed (traps on 0)",
    "rem_u": "remainder, unsigned (traps on 0)", "and": "bitwise and", "or": "bitwise or",
    "xor": "bitwise exclusive or", "shl": "shifts the first left by the second",
    "shr_s": "shifts right, copying the sign bit", "shr_u": "shifts right, filling with 0",
    "rotl": "rotates the bits left", "rotr": "rotates the bits right",
    "min": "the smaller", "max": "the larger",
    "copysign": "the first with the sign of the second",
}
_COMPARE = {"eq": "equal", "ne": "not equal", "lt": "less than", "gt": "greater than",
            "le": "less than or equal", "ge": "greater than or equal"}
_UNARY = {
    "clz": "counts the leading zero bits", "ctz": "counts the trailing zero bits",
    "popcnt": "counts the bits set to 1", "abs": "the absolute value", "neg": "the opposite",
    "ceil": "rounds up", "floor": "rounds down", "trunc": "rounds toward zero",
    "nearest": "rounds to the nearest integer (ties to even)", "sqrt": "the square root",
}


def describe_instruction(word: str) -> str | None:
    """A WAT instruction's stack effect and what it does, or ``None`` for another word."""
    if word in _CONTROL_DOCS:
        return f"{word}  {_CONTROL_DOCS[word]}"
    if word not in WAT_INSTRUCTIONS:
        return None
    ty, _, op = word.partition(".")
    if op == "const":
        return f"{word} VALUE  [] -> [{ty}]: pushes a constant."
    if op.startswith("load"):
        size = op[4:].split("_")[0] or ty[1:]
        sign = {"_s": ", sign-extended", "_u": ", zero-extended"}.get(op[-2:], "")
        return (f"{word} offset=N align=N  [i32] -> [{ty}]: reads {size} bits at the address "
                f"plus offset{sign} (out of bounds traps).")
    if op.startswith("store"):
        size = op[5:] or ty[1:]
        return (f"{word} offset=N align=N  [i32 {ty}] -> []: writes the low {size} bits of the "
                "value at the address plus offset (out of bounds traps).")
    base = op.removesuffix("_s").removesuffix("_u")
    if op in _BINARY or base in _BINARY and op not in _COMPARE:
        return f"{word}  [{ty} {ty}] -> [{ty}]: {_BINARY.get(op, _BINARY.get(base))}."
    if base in _COMPARE:
        kind = {"_s": " (signed)", "_u": " (unsigned)"}.get(op[-2:], "")
        return f"{word}  [{ty} {ty}] -> [i32]: 1 when {_COMPARE[base]}{kind}, else 0."
    if op == "eqz":
        return f"{word}  [{ty}] -> [i32]: 1 when the value is 0, else 0."
    if op in _UNARY:
        return f"{word}  [{ty}] -> [{ty}]: {_UNARY[op]}."
    if op.startswith("extend") and op[6:7].isdigit():
        return f"{word}  [{ty}] -> [{ty}]: sign-extends the low {op[6:-2]} bits."
    if op.startswith("reinterpret_"):
        source = op.split("_")[1]
        return f"{word}  [{source}] -> [{ty}]: the same bits read as an {ty} (no conversion)."
    if op == "wrap_i64":
        return f"{word}  [i64] -> [i32]: keeps the low 32 bits."
    if op.startswith("extend_"):
        how = "sign-extends" if op.endswith("_s") else "zero-extends"
        return f"{word}  [i32] -> [i64]: {how} to 64 bits."
    if op.startswith("trunc_"):
        source = next(p for p in op.split("_") if p in ("f32", "f64"))
        sign = "signed" if op.endswith("_s") else "unsigned"
        if "sat" in op:
            tail = "out of range gives the nearest value and NaN gives 0, never a trap"
        else:
            tail = "NaN or a value out of range traps"
        article = "an" if sign == "unsigned" else "a"
        return (f"{word}  [{source}] -> [{ty}]: rounds toward zero to {article} {sign} integer; "
                f"{tail}.")
    if op.startswith("convert_"):
        source = op.split("_")[1]
        sign = "signed" if op.endswith("_s") else "unsigned"
        return f"{word}  [{source}] -> [{ty}]: the nearest {ty} to the {sign} integer."
    if op in ("demote_f64", "promote_f32"):
        source = op.split("_")[1]
        return f"{word}  [{source}] -> [{ty}]: the same number as an {ty} (rounded to nearest)."
    return f"{word}  a WebAssembly instruction on {ty} values."
