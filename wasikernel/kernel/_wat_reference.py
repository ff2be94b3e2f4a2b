"""A short reference of the WebAssembly text format, in English and French: the forms of a
module (``func``, ``table``, ``global``, ``memory``, ``import``, ``export`` ...), folded and flat
instructions, and control flow. ``i32.add?``, ``module?`` or ``folded?`` in a WAT cell show a
topic, as the kernel's inspection and completion do for the word under the cursor.

Each topic is ``{"en": text, "fr": text}``; the first line of a text is its short form (what
completion shows beside the word). :data:`TOPIC_OF` sends each keyword to its topic.
"""

from __future__ import annotations

__all__ = ["REFERENCE", "TOPIC_OF", "reference_text", "short_reference", "topics"]

REFERENCE: dict[str, dict[str, str]] = {
    "wat": {
        "en": """\
The WebAssembly text format (WAT): a module written as S-expressions.
Topics (type the word followed by ?): module, func, type, import, export, memory, data,
table, elem, global, start, folded, block, loop, if, br, call_indirect.
Every instruction has its own entry too: i32.add?, local.get?, memory.grow? ...""",
        "fr": """\
Le format texte de WebAssembly (WAT) : un module écrit en expressions S.
Sujets (tapez le mot suivi de ?) : module, func, type, import, export, memory, data,
table, elem, global, start, folded, block, loop, if, br, call_indirect.
Chaque instruction a aussi sa fiche : i32.add?, local.get?, memory.grow? ...""",
    },
    "module": {
        "en": """\
(module FIELD...): a whole module; its fields may come in any order.
  (module
    (import "wasi_snapshot_preview1" "fd_write"
      (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 8) "hi\\n")
    (func $main (export "_start") ...))
Fields: type, import, func, table, memory, global, export, start, elem, data.
Names like $main stand for indices: the text format numbers everything for you.""",
        "fr": """\
(module CHAMP...) : un module entier ; ses champs viennent dans n'importe quel ordre.
  (module
    (import "wasi_snapshot_preview1" "fd_write"
      (func $fd_write (param i32 i32 i32 i32) (result i32)))
    (memory (export "memory") 1)
    (data (i32.const 8) "hi\\n")
    (func $main (export "_start") ...))
Champs : type, import, func, table, memory, global, export, start, elem, data.
Les noms comme $main remplacent des indices : le format texte les numérote pour vous.""",
    },
    "func": {
        "en": """\
(func $name (param $a i32) (result i32) (local $t i64) INSTRUCTION...): a function.
Parameters are the first locals (local.get $a, or local.get 0); (local ...) adds more, set to 0.
The values left on the stack at the end are the results, checked against (result ...).
(func (export "add") ...) exports it; (func (import "m" "f") ...) imports it instead.""",
        "fr": """\
(func $nom (param $a i32) (result i32) (local $t i64) INSTRUCTION...) : une fonction.
Les paramètres sont les premières variables locales (local.get $a, ou local.get 0) ; (local ...)
en ajoute d'autres, mises à 0. Les valeurs laissées sur la pile à la fin sont les résultats,
vérifiés contre (result ...). (func (export "add") ...) l'exporte ; (func (import "m" "f") ...)
l'importe à la place.""",
    },
    "type": {
        "en": """\
(type $binop (func (param i32 i32) (result i32))): a function type, given a name.
(func (type $binop) ...) and call_indirect (type $binop) refer to it; a func that writes its
params and results directly gets a matching type of its own.""",
        "fr": """\
(type $binop (func (param i32 i32) (result i32))) : un type de fonction, avec un nom.
(func (type $binop) ...) et call_indirect (type $binop) y renvoient ; une fonction qui écrit
directement ses param et result reçoit un type identique qui lui est propre.""",
    },
    "import": {
        "en": """\
(import "module" "name" DESCRIPTION): something the host must provide before the module runs.
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1))   (import "env" "g" (global $g (mut i32)))
Imports come first in each index space: an imported function is function 0.
A WASI program reaches the outside world only through its imports: the host decides.""",
        "fr": """\
(import "module" "nom" DESCRIPTION) : ce que l'hôte doit fournir avant que le module tourne.
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (import "env" "memory" (memory 1))   (import "env" "g" (global $g (mut i32)))
Les imports viennent en premier dans chaque espace d'indices : une fonction importée est la
fonction 0. Un programme WASI n'atteint le monde extérieur que par ses imports : l'hôte décide.""",
    },
    "export": {
        "en": """\
(export "name" (func $f)): makes a function, memory, table or global visible to the host.
Inline form: (func $f (export "name") ...), (memory (export "memory") 1).
A WASI command exports "_start" (run once) and "memory" (where the host reads and writes).""",
        "fr": """\
(export "nom" (func $f)) : rend une fonction, une mémoire, une table ou une globale visible
de l'hôte. Forme en ligne : (func $f (export "nom") ...), (memory (export "memory") 1).
Une commande WASI exporte "_start" (lancée une fois) et "memory" (où l'hôte lit et écrit).""",
    },
    "memory": {
        "en": """\
(memory 1 4): linear memory of 1 page at first, at most 4 (a page is 64 KiB).
Addresses are i32 byte offsets from 0; i32.load / i32.store read and write it, memory.size and
memory.grow measure and grow it; an access past the end traps. The module sees only its own
memory: the host reads a WASI call's buffers there, at the addresses it was given.""",
        "fr": """\
(memory 1 4) : une mémoire linéaire d'une page au départ, de 4 au plus (une page fait 64 Kio).
Les adresses sont des décalages i32 en octets depuis 0 ; i32.load / i32.store y lisent et
écrivent, memory.size et memory.grow la mesurent et l'agrandissent ; un accès au-delà de la fin
déclenche un trap. Le module ne voit que sa propre mémoire : l'hôte y lit les tampons d'un
appel WASI, aux adresses qu'on lui donne.""",
    },
    "data": {
        "en": """\
(data (i32.const 16) "hello\\n"): bytes copied into memory at address 16 when the module starts.
Strings take escapes: \\n, \\t, \\00, \\ff (a byte in hex). Without an offset, (data $d "...")
is passive: memory.init copies it later, data.drop frees it.""",
        "fr": """\
(data (i32.const 16) "hello\\n") : des octets copiés en mémoire à l'adresse 16 au démarrage.
Les chaînes acceptent \\n, \\t, \\00, \\ff (un octet en hexadécimal). Sans adresse,
(data $d "...") est passif : memory.init le copie plus tard, data.drop le libère.""",
    },
    "table": {
        "en": """\
(table $t 2 funcref): a table of 2 references to functions (or externref for host values).
(elem (i32.const 0) $f $g) fills it; call_indirect (type $sig) calls the function whose index
is on the stack, checking its type. A function pointer of C is an index into such a table:
the code itself is never in memory, so it cannot be read or overwritten.""",
        "fr": """\
(table $t 2 funcref) : une table de 2 références à des fonctions (ou externref pour des
valeurs de l'hôte). (elem (i32.const 0) $f $g) la remplit ; call_indirect (type $sig) appelle
la fonction dont l'indice est sur la pile, en vérifiant son type. Un pointeur de fonction C est
un indice dans une telle table : le code n'est jamais en mémoire, on ne peut ni le lire ni
l'écraser.""",
    },
    "elem": {
        "en": """\
(elem (i32.const 0) $f $g): puts functions $f and $g at indices 0 and 1 of table 0 at start.
(elem $e func $f $g) is passive (table.init copies it, elem.drop frees it); (elem declare func
$f) only allows ref.func $f.""",
        "fr": """\
(elem (i32.const 0) $f $g) : place les fonctions $f et $g aux indices 0 et 1 de la table 0 au
démarrage. (elem $e func $f $g) est passif (table.init le copie, elem.drop le libère) ;
(elem declare func $f) permet seulement ref.func $f.""",
    },
    "global": {
        "en": """\
(global $g (mut i32) (i32.const 0)): a global variable with its initial value (a constant).
Without mut it cannot change. global.get $g / global.set $g read and write it.
C keeps its stack pointer in one: __stack_pointer, the top of the shadow stack in memory.""",
        "fr": """\
(global $g (mut i32) (i32.const 0)) : une variable globale et sa valeur initiale (une
constante). Sans mut elle ne peut pas changer. global.get $g / global.set $g la lisent et
l'écrivent. Le C y garde son pointeur de pile : __stack_pointer, le haut de la pile fantôme
en mémoire.""",
    },
    "start": {
        "en": """\
(start $init): a function the module runs as soon as it is instantiated, before any export.
It is not WASI's _start: a WASI command exports _start and the host calls it.""",
        "fr": """\
(start $init) : une fonction que le module lance dès son instanciation, avant tout export.
Ce n'est pas le _start de WASI : une commande WASI exporte _start et l'hôte l'appelle.""",
    },
    "folded": {
        "en": """\
Flat and folded instructions: two ways of writing the same code.
  flat:    local.get $a  local.get $b  i32.add     (one instruction after another)
  folded:  (i32.add (local.get $a) (local.get $b))  (operands first, as nested S-expressions)
Both assemble to the same bytes. Folded control flow: (if (result i32) (CONDITION)
(then ...) (else ...)), (block $out ...), (loop $again ...). wasm-tools print and the
compiled-code view (%%c --wat) write the flat form.""",
        "fr": """\
Instructions à plat et pliées : deux façons d'écrire le même code.
  à plat :  local.get $a  local.get $b  i32.add     (une instruction après l'autre)
  pliées :  (i32.add (local.get $a) (local.get $b))  (les opérandes d'abord, en expressions S
            imbriquées)
Les deux donnent les mêmes octets. Contrôle plié : (if (result i32) (CONDITION) (then ...)
(else ...)), (block $out ...), (loop $again ...). wasm-tools print et la vue du code compilé
(%%c --wat) écrivent la forme à plat.""",
    },
    "block": {
        "en": """\
Control flow is structured: block, loop and if open a label that end closes.
  block $out ... br $out ... end      br jumps forward, to the end of the block
  loop $again ... br $again ... end   br jumps back, to the start of the loop
  if (result i32) ... else ... end    pops an i32: the first part runs when it is not 0
br_if $l jumps when the value popped is not 0; br_table $a $b $default jumps by index;
return leaves the function. There is no goto to any address: a jump can only reach an
enclosing label, which is what makes validation (and the sandbox) possible.""",
        "fr": """\
Le contrôle est structuré : block, loop et if ouvrent une étiquette que end referme.
  block $out ... br $out ... end      br saute en avant, à la fin du bloc
  loop $again ... br $again ... end   br saute en arrière, au début de la boucle
  if (result i32) ... else ... end    dépile un i32 : la première partie tourne s'il ne vaut
                                      pas 0
br_if $l saute quand la valeur dépilée ne vaut pas 0 ; br_table $a $b $défaut saute selon un
indice ; return quitte la fonction. Pas de goto vers une adresse : un saut n'atteint qu'une
étiquette englobante, ce qui rend possible la validation (et le bac à sable).""",
    },
    "call_indirect": {
        "en": """\
call_indirect (type $sig): pops an index, calls the function at that index of table 0.
The call traps when the slot is empty or the function's type is not $sig: a C function
pointer cast to the wrong type stops here instead of running arbitrary code.""",
        "fr": """\
call_indirect (type $sig) : dépile un indice et appelle la fonction à cet indice de la
table 0. L'appel déclenche un trap si la case est vide ou si le type de la fonction n'est pas
$sig : un pointeur de fonction C converti vers le mauvais type s'arrête là au lieu d'exécuter
n'importe quel code.""",
    },
}

#: each keyword of the text format -> the topic that explains it
TOPIC_OF: dict[str, str] = {
    **{name: name for name in REFERENCE},
    "param": "func", "result": "func", "local": "func",
    "mut": "global", "offset": "data", "item": "elem", "declare": "elem",
    "funcref": "table", "externref": "table",
    "loop": "block", "if": "block", "then": "block", "else": "block", "end": "block",
    "br": "block", "br_if": "block", "br_table": "block", "return": "block",
    "flat": "folded", "wast": "wat",
}


def topics() -> list[str]:
    """The topics, in the order the overview lists them."""
    return list(REFERENCE)


def reference_text(word: str, language: str = "en") -> str | None:
    """The reference topic for ``word`` (a keyword of the text format) in ``language``
    (``"en"`` or ``"fr"``; another falls back to English), or ``None``."""
    topic = TOPIC_OF.get(word)
    if topic is None:
        return None
    entry = REFERENCE[topic]
    return entry.get(language) or entry["en"]


def short_reference(word: str, language: str = "en") -> str | None:
    """The first line of :func:`reference_text`: what completion shows beside the word."""
    text = reference_text(word, language)
    return text.splitlines()[0] if text else None
