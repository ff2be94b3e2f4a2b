"""Words of the WebAssembly text format, for tab completion in WAT cells, and what each means
(:func:`describe_instruction`, in English and French; the keywords' topics are in
:mod:`._wat_reference`).

The list covers the MVP instructions plus sign extension, saturating conversions, bulk memory
and reference types (WebAssembly 2.0 without SIMD), and the keywords of module fields.
"""

from __future__ import annotations

__all__ = ["WAT_KEYWORDS", "WAT_INSTRUCTIONS", "WAT_WORDS", "describe_instruction"]

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
# Each table holds the English and the French of the same words: {"en": {...}, "fr": {...}}.

_CONTROL_DOCS = {"en": {
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
}, "fr": {
    "unreachable": "[] -> trap : arrête aussitôt le programme par un trap.",
    "nop": "[] -> [] : ne fait rien.",
    "block": "block étiquette (result t*) ... end : un bloc ; br vers son étiquette saute à sa "
    "fin.",
    "loop": "loop étiquette (result t*) ... end : une boucle ; br vers son étiquette revient à "
    "son début.",
    "if": "[i32] -> [] : if ... else ... end exécute la première partie si la valeur ne vaut "
    "pas 0.",
    "else": "commence la partie d'un if qui s'exécute quand la condition vaut 0.",
    "end": "ferme un block, un loop, un if ou une fonction.",
    "br": "br étiquette : saute à l'étiquette (la fin d'un bloc, le début d'une boucle).",
    "br_if": "[i32] -> [] : br étiquette, seulement si la valeur ne vaut pas 0.",
    "br_table": "[i32] -> [] : br_table l0 l1 ... ldéfaut saute à l'étiquette d'indice la "
    "valeur.",
    "return": "quitte la fonction avec les valeurs du haut de la pile.",
    "call": "call $f : dépile les paramètres de f, exécute f, empile ses résultats.",
    "call_indirect": "[.. i32] -> [..] : appelle la fonction à cet indice d'une table, en "
    "vérifiant son type (un type différent : trap).",
    "drop": "[t] -> [] : jette la valeur du haut de la pile.",
    "select": "[t t i32] -> [t] : garde la première valeur si l'i32 ne vaut pas 0, sinon la "
    "seconde.",
    "local.get": "[] -> [t] : empile la valeur d'une variable locale (les paramètres sont les "
    "premières).",
    "local.set": "[t] -> [] : dépile une valeur dans une variable locale.",
    "local.tee": "[t] -> [t] : range dans une variable locale et garde la valeur sur la pile.",
    "global.get": "[] -> [t] : empile la valeur d'une globale.",
    "global.set": "[t] -> [] : dépile une valeur dans une globale modifiable.",
    "memory.size": "[] -> [i32] : la taille de la mémoire linéaire en pages de 64 Kio.",
    "memory.grow": "[i32] -> [i32] : ajoute autant de pages ; donne l'ancienne taille, ou -1 "
    "si elle ne peut pas grandir.",
    "memory.fill": "[i32 i32 i32] -> [] : met n octets à une valeur depuis une adresse "
    "(adresse, valeur, n).",
    "memory.copy": "[i32 i32 i32] -> [] : copie n octets (destination, source, n).",
    "memory.init": "[i32 i32 i32] -> [] : copie en mémoire une partie d'un segment de données "
    "passif.",
    "data.drop": "[] -> [] : libère un segment de données passif.",
    "table.get": "[i32] -> [ref] : lit un élément d'une table.",
    "table.set": "[i32 ref] -> [] : écrit un élément d'une table.",
    "table.size": "[] -> [i32] : le nombre d'éléments d'une table.",
    "table.grow": "[ref i32] -> [i32] : ajoute des éléments ; donne l'ancienne taille, ou -1.",
    "table.fill": "[i32 ref i32] -> [] : remplit une plage d'éléments d'une table.",
    "table.copy": "[i32 i32 i32] -> [] : copie une plage d'éléments d'une table.",
    "table.init": "[i32 i32 i32] -> [] : copie un segment d'éléments dans une table.",
    "elem.drop": "[] -> [] : libère un segment d'éléments passif.",
    "ref.null": "[] -> [ref] : une référence nulle.",
    "ref.is_null": "[ref] -> [i32] : 1 si la référence est nulle, sinon 0.",
    "ref.func": "[] -> [funcref] : une référence à une fonction.",
}}

_BINARY = {"en": {
    "add": "adds", "sub": "subtracts the second from the first", "mul": "multiplies",
    "div": "divides the first by the second", "div_s": "divides, signed (traps on 0)",
    "div_u": "divides, unsigned (traps on 0)", "rem_s": "remainder, signed (traps on 0)",
    "rem_u": "remainder, unsigned (traps on 0)", "and": "bitwise and", "or": "bitwise or",
    "xor": "bitwise exclusive or", "shl": "shifts the first left by the second",
    "shr_s": "shifts right, copying the sign bit", "shr_u": "shifts right, filling with 0",
    "rotl": "rotates the bits left", "rotr": "rotates the bits right",
    "min": "the smaller", "max": "the larger",
    "copysign": "the first with the sign of the second",
}, "fr": {
    "add": "additionne", "sub": "soustrait la seconde de la première", "mul": "multiplie",
    "div": "divise la première par la seconde", "div_s": "divise, signé (trap sur 0)",
    "div_u": "divise, non signé (trap sur 0)", "rem_s": "reste, signé (trap sur 0)",
    "rem_u": "reste, non signé (trap sur 0)", "and": "et bit à bit", "or": "ou bit à bit",
    "xor": "ou exclusif bit à bit", "shl": "décale la première à gauche de la seconde",
    "shr_s": "décale à droite en recopiant le bit de signe",
    "shr_u": "décale à droite en complétant par des 0",
    "rotl": "fait tourner les bits vers la gauche", "rotr": "fait tourner les bits vers la droite",
    "min": "la plus petite", "max": "la plus grande",
    "copysign": "la première avec le signe de la seconde",
}}
_COMPARE = {"en": {"eq": "equal", "ne": "not equal", "lt": "less than", "gt": "greater than",
                   "le": "less than or equal", "ge": "greater than or equal"},
            "fr": {"eq": "elles sont égales", "ne": "elles sont différentes",
                   "lt": "la première est plus petite",
                   "gt": "la première est plus grande",
                   "le": "la première est plus petite ou égale",
                   "ge": "la première est plus grande ou égale"}}
_UNARY = {"en": {
    "clz": "counts the leading zero bits", "ctz": "counts the trailing zero bits",
    "popcnt": "counts the bits set to 1", "abs": "the absolute value", "neg": "the opposite",
    "ceil": "rounds up", "floor": "rounds down", "trunc": "rounds toward zero",
    "nearest": "rounds to the nearest integer (ties to even)", "sqrt": "the square root",
}, "fr": {
    "clz": "compte les bits à zéro en tête", "ctz": "compte les bits à zéro en queue",
    "popcnt": "compte les bits à 1", "abs": "la valeur absolue", "neg": "l'opposé",
    "ceil": "arrondit vers le haut", "floor": "arrondit vers le bas",
    "trunc": "arrondit vers zéro",
    "nearest": "arrondit à l'entier le plus proche (à égalité, le pair)",
    "sqrt": "la racine carrée",
}}

#: the sentences describe_instruction fills, in each language
_SAY = {"en": {
    "const": "{w} VALUE  [] -> [{ty}]: pushes a constant.",
    "load": "{w} offset=N align=N  [i32] -> [{ty}]: reads {size} bits at the address plus "
    "offset{sign} (out of bounds traps).",
    "sign_s": ", sign-extended", "sign_u": ", zero-extended",
    "store": "{w} offset=N align=N  [i32 {ty}] -> []: writes the low {size} bits of the value at "
    "the address plus offset (out of bounds traps).",
    "binary": "{w}  [{ty} {ty}] -> [{ty}]: {what}.",
    "compare": "{w}  [{ty} {ty}] -> [i32]: 1 when {what}{kind}, else 0.",
    "kind_s": " (signed)", "kind_u": " (unsigned)",
    "eqz": "{w}  [{ty}] -> [i32]: 1 when the value is 0, else 0.",
    "unary": "{w}  [{ty}] -> [{ty}]: {what}.",
    "extend_n": "{w}  [{ty}] -> [{ty}]: sign-extends the low {n} bits.",
    "reinterpret": "{w}  [{source}] -> [{ty}]: the same bits read as an {ty} (no conversion).",
    "wrap": "{w}  [i64] -> [i32]: keeps the low 32 bits.",
    "extend_s": "{w}  [i32] -> [i64]: sign-extends to 64 bits.",
    "extend_u": "{w}  [i32] -> [i64]: zero-extends to 64 bits.",
    "trunc": "{w}  [{source}] -> [{ty}]: rounds toward zero to {a_sign} integer; {tail}.",
    "a_signed": "a signed", "a_unsigned": "an unsigned",
    "tail_sat": "out of range gives the nearest value and NaN gives 0, never a trap",
    "tail_trap": "NaN or a value out of range traps",
    "convert": "{w}  [{source}] -> [{ty}]: the nearest {ty} to the {sign} integer.",
    "signed": "signed", "unsigned": "unsigned",
    "float": "{w}  [{source}] -> [{ty}]: the same number as an {ty} (rounded to nearest).",
    "other": "{w}  a WebAssembly instruction on {ty} values.",
}, "fr": {
    "const": "{w} VALEUR  [] -> [{ty}] : empile une constante.",
    "load": "{w} offset=N align=N  [i32] -> [{ty}] : lit {size} bits à l'adresse plus "
    "offset{sign} (hors limites : trap).",
    "sign_s": ", avec extension du signe", "sign_u": ", complétés par des zéros",
    "store": "{w} offset=N align=N  [i32 {ty}] -> [] : écrit les {size} bits de poids faible "
    "de la valeur à l'adresse plus offset (hors limites : trap).",
    "binary": "{w}  [{ty} {ty}] -> [{ty}] : {what}.",
    "compare": "{w}  [{ty} {ty}] -> [i32] : 1 si {what}{kind}, sinon 0.",
    "kind_s": " (signé)", "kind_u": " (non signé)",
    "eqz": "{w}  [{ty}] -> [i32] : 1 si la valeur vaut 0, sinon 0.",
    "unary": "{w}  [{ty}] -> [{ty}] : {what}.",
    "extend_n": "{w}  [{ty}] -> [{ty}] : étend le signe des {n} bits de poids faible.",
    "reinterpret": "{w}  [{source}] -> [{ty}] : les mêmes bits lus comme un {ty} (sans "
    "conversion).",
    "wrap": "{w}  [i64] -> [i32] : garde les 32 bits de poids faible.",
    "extend_s": "{w}  [i32] -> [i64] : étend à 64 bits avec le signe.",
    "extend_u": "{w}  [i32] -> [i64] : étend à 64 bits avec des zéros.",
    "trunc": "{w}  [{source}] -> [{ty}] : arrondit vers zéro en un entier {a_sign} ; {tail}.",
    "a_signed": "signé", "a_unsigned": "non signé",
    "tail_sat": "hors limites donne la valeur la plus proche et NaN donne 0, jamais de trap",
    "tail_trap": "NaN ou une valeur hors limites : trap",
    "convert": "{w}  [{source}] -> [{ty}] : le {ty} le plus proche de l'entier {sign}.",
    "signed": "signé", "unsigned": "non signé",
    "float": "{w}  [{source}] -> [{ty}] : le même nombre en {ty} (arrondi au plus proche).",
    "other": "{w}  une instruction WebAssembly sur des valeurs {ty}.",
}}


def describe_instruction(word: str, language: str | None = None) -> str | None:
    """What a word of WAT means, in ``language`` (default: the messages' language): an
    instruction's stack effect and what it does (then its topic of the reference, for
    control flow), or a keyword's topic (``module``, ``func``, ``folded`` ...); ``None`` for
    another word."""
    from ..messages import get_language
    from ._wat_reference import reference_text

    lang = language if language in ("en", "fr") else get_language()
    text = _instruction_text(word, lang)
    topic = reference_text(word, lang)
    if text is None:
        return topic
    return f"{text}\n\n{topic}" if topic else text


def _instruction_text(word: str, lang: str) -> str | None:
    """An instruction's stack effect and what it does, or ``None`` for another word."""
    say = _SAY[lang]
    if word in _CONTROL_DOCS[lang]:
        sep = "  "
        return f"{word}{sep}{_CONTROL_DOCS[lang][word]}"
    if word not in WAT_INSTRUCTIONS:
        return None
    ty, _, op = word.partition(".")
    fields: dict[str, str] = {"w": word, "ty": ty}
    binary, compare, unary = _BINARY[lang], _COMPARE[lang], _UNARY[lang]
    if op == "const":
        return say["const"].format(**fields)
    if op.startswith("load"):
        size = op[4:].split("_")[0] or ty[1:]
        sign = {"_s": say["sign_s"], "_u": say["sign_u"]}.get(op[-2:], "")
        return say["load"].format(size=size, sign=sign, **fields)
    if op.startswith("store"):
        return say["store"].format(size=op[5:] or ty[1:], **fields)
    base = op.removesuffix("_s").removesuffix("_u")
    if op in binary or base in binary and op not in compare:
        return say["binary"].format(what=binary.get(op, binary.get(base)), **fields)
    if base in compare:
        kind = {"_s": say["kind_s"], "_u": say["kind_u"]}.get(op[-2:], "")
        return say["compare"].format(what=compare[base], kind=kind, **fields)
    if op == "eqz":
        return say["eqz"].format(**fields)
    if op in unary:
        return say["unary"].format(what=unary[op], **fields)
    if op.startswith("extend") and op[6:7].isdigit():
        return say["extend_n"].format(n=op[6:-2], **fields)
    if op.startswith("reinterpret_"):
        return say["reinterpret"].format(source=op.split("_")[1], **fields)
    if op == "wrap_i64":
        return say["wrap"].format(**fields)
    if op.startswith("extend_"):
        return say["extend_s" if op.endswith("_s") else "extend_u"].format(**fields)
    if op.startswith("trunc_"):
        source = next(p for p in op.split("_") if p in ("f32", "f64"))
        a_sign = say["a_signed" if op.endswith("_s") else "a_unsigned"]
        tail = say["tail_sat" if "sat" in op else "tail_trap"]
        return say["trunc"].format(source=source, a_sign=a_sign, tail=tail, **fields)
    if op.startswith("convert_"):
        sign = say["signed" if op.endswith("_s") else "unsigned"]
        return say["convert"].format(source=op.split("_")[1], sign=sign, **fields)
    if op in ("demote_f64", "promote_f32"):
        return say["float"].format(source=op.split("_")[1], **fields)
    return say["other"].format(**fields)
