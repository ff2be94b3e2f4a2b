"""Lesson 1: the cells of ``01-stack-machine`` in English and French."""

from __future__ import annotations

from ._cells import code, exercise, md, py
from ._shared import CALC_WAT

PERIMETER_START = r'''
(module
  (func (export "perimeter") (param $w i32) (param $h i32) (result i32)
    local.get $w
    local.get $h
    i32.add))
'''


CELLS = [
    md(
        """
# 1 · WebAssembly, a stack machine

**Goals.** Read a WAT function as a sequence of stack operations, follow it one instruction at a
time with the operand stack and the locals in view, and write a small function yourself.

Seen from far enough, WebAssembly outside the browser resembles the Java virtual machine: a
compiler produces portable bytecode, a runtime checks it before running it, and the same file
runs on any machine that has such a runtime. Both are **stack machines**: an instruction takes
its operands from the top of a stack and pushes its result back. The differences matter as much
as the likeness: a wasm module has no classes and no garbage collector of its own, its data
lives in a flat *linear memory*, its control flow is structured (blocks and loops, no arbitrary
jumps), and it can touch nothing except what it imports.
""",
        """
# 1 · WebAssembly, une machine à pile

**Objectifs.** Lire une fonction WAT comme une suite d'opérations sur une pile, la suivre
instruction par instruction en voyant la pile d'opérandes et les variables locales, et écrire
vous-même une petite fonction.

Vu d'assez loin, le WebAssembly hors du navigateur ressemble à la machine virtuelle Java : un
compilateur produit un bytecode portable, un runtime le vérifie avant de l'exécuter, et le même
fichier tourne sur toute machine qui possède un tel runtime. Les deux sont des **machines à
pile** : une instruction prend ses opérandes au sommet d'une pile et y dépose son résultat. Les
différences comptent autant que la ressemblance : un module wasm n'a ni classes ni ramasse-miettes
propre, ses données vivent dans une *mémoire linéaire* plate, son flot de contrôle est structuré
(blocs et boucles, pas de saut arbitraire), et il ne peut toucher que ce qu'il importe.
""",
    ),
    md(
        """
## A function without `_start`

This module exports a function and nothing to run by itself, so the kernel keeps it alive and
lists its exports. `%call` then calls an export with arguments.
""",
        """
## Une fonction sans `_start`

Ce module exporte une fonction et rien à lancer de lui-même : le noyau Jupyter le garde en vie et liste
ses exports. `%call` appelle ensuite un export avec des arguments.
""",
    ),
    code(CALC_WAT),
    code("%call calc 2 5"),
    md(
        """
## One instruction at a time

With `--engine stepper` the cell runs on our own interpreter, which records each instruction.
`%stack` then shows the operand stack and the locals after every step. Before you run it,
predict the stack after each line:

| after | stack (bottom → top) |
|---|---|
| `local.get $a` | `2` |
| `local.get $b` | `2 5` |
| `i32.add` | ? |
| `i32.const 3` | ? |
| `i32.mul` | ? |
""",
        """
## Une instruction à la fois

Avec `--engine stepper`, la cellule tourne sur notre propre interpréteur, qui note chaque
instruction. `%stack` montre ensuite la pile d'opérandes et les locales après chaque pas. Avant
de l'exécuter, prédisez la pile après chaque ligne :

| après | pile (bas → sommet) |
|---|---|
| `local.get $a` | `2` |
| `local.get $b` | `2 5` |
| `i32.add` | ? |
| `i32.const 3` | ? |
| `i32.mul` | ? |
""",
    ),
    code("%%wat --engine stepper --invoke calc --args 2 5\n" + CALC_WAT.strip("\n")),
    code("%stack"),
    md(
        """
**Try it.** Swap `i32.add` and `i32.mul` in the cell above: which values does the stack hold
now? Then remove `local.get $b`: the module no longer compiles, because the validator counts
the stack before anything runs, which is one reason wasm is safe to load.

## Exercise: a perimeter

Write `perimeter(w, h)` returning `2 * (w + h)` as an `i32`. The start below only adds `w` and
`h`. Finish it and run the cell: the kernel keeps the module (it has no `_start`), so
`%call perimeter 3 4` in a new cell tries it too.
""",
        """
**À vous.** Échangez `i32.add` et `i32.mul` dans la cellule ci-dessus : quelles valeurs la pile
contient-elle maintenant ? Retirez ensuite `local.get $b` : le module ne compile plus, car le
validateur compte la pile avant toute exécution, et c'est l'une des raisons pour lesquelles on
peut charger du wasm sans crainte.

## Exercice : un périmètre

Écrivez `perimeter(w, h)` qui rend `2 * (w + h)` en `i32`. Le début ci-dessous additionne
seulement `w` et `h`. Terminez-le et exécutez la cellule : le module est gardé (il n'a pas de
`_start`), donc `%call perimeter 3 4` dans une nouvelle cellule l'essaie aussi.
""",
    ),
    *exercise(
        "01-stack-machine.ex1",
        "%%wat --check 01-stack-machine.ex1\n" + PERIMETER_START.strip("\n"),
        "%%wat --check 01-stack-machine.ex1\n"
        + PERIMETER_START.strip("\n").replace("i32.add))", "i32.add\n    i32.const 2\n    i32.mul))"),
    ),
    md(
        """
## Summary

- Every wasm instruction pops its operands and pushes its result: `(a + b) * 3` is
  `get a, get b, add, const 3, mul`.
- The validator checks the stack's shape before a module runs; a badly balanced function is
  refused at compile time, not at run time.
- Like the JVM, wasm is portable bytecode for a stack machine; unlike it, it has linear memory,
  structured control flow and no access to anything it did not import.
""",
        """
## À retenir

- Chaque instruction wasm dépile ses opérandes et empile son résultat : `(a + b) * 3` s'écrit
  `get a, get b, add, const 3, mul`.
- Le validateur vérifie la forme de la pile avant toute exécution ; une fonction mal équilibrée
  est refusée à la compilation, pas pendant l'exécution.
- Comme la JVM, le wasm est un bytecode portable pour une machine à pile ; à la différence de
  celle-ci, il a une mémoire linéaire, un flot de contrôle structuré, et aucun accès à ce qu'il
  n'a pas importé.
""",
    ),
]
