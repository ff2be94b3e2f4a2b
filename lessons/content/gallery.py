"""The gallery: short notebooks that each show one thing, in English and French."""

from __future__ import annotations

from ._cells import code, french, md, py
from ._shared import (
    CALC_WAT, CAT_C, CLOCK_RANDOM_C, DATA, DATA_FR, FOPEN_C, MIXED_WAT, REGIONS_C,
)

#: the files of the gallery's data folder
GALLERY_DATA = {"poem.txt": DATA["poem.txt"], "notes.txt": DATA["notes.txt"]}
GALLERY_DATA_FR = {"poem.txt": DATA_FR["poem.txt"], "notes.txt": DATA_FR["notes.txt"]}

DIV_C = r'''
#include <stdio.h>
#include <stdlib.h>

int share(int total, int people) {
    return total / people;   /* integer division by zero traps in wasm */
}

int main(int argc, char **argv) {
    int people = argc - 1;   /* no arguments: zero people */
    printf("each gets %d\n", share(100, people));
    return 0;
}
'''


GALLERY = {
    "trace-of-cat": [
        md(
            """
# A trace of `cat`

A ten-line `cat` in C, run on a folder granted read-only. The trace shows what the C library
does for `fopen`, `fgets` and `fputs`: it first asks which directories were preopened
(`fd_prestat_get` until `badf`), then `path_open` relative to fd 3, `fd_read` in blocks,
`fd_write` when its output buffer is flushed, and `fd_close`. A good first slide to explain
what a system call is.
""",
            """
# Une trace de `cat`

Un `cat` de dix lignes en C, lancé sur un dossier accordé en lecture seule. La trace montre ce
que la bibliothèque C fait pour `fopen`, `fgets` et `fputs` : elle demande d'abord quels
dossiers sont pré-ouverts (`fd_prestat_get` jusqu'à `badf`), puis `path_open` relativement au
fd 3, `fd_read` par blocs, `fd_write` quand son tampon de sortie est vidé, et `fd_close`.
Une bonne première diapositive pour expliquer ce qu'est un appel système.
""",
        ),
        code("%%c --ro-dir data::/data\n" + CAT_C.strip("\n").replace("notes.txt", "poem.txt")),
        md("Only the reads, as text (`strace`-like):", "Seulement les lectures, en texte (à la `strace`) :"),
        code("%trace --text --call fd_read"),
        md("A count per call, like `strace -c`:", "Un décompte par appel, comme `strace -c` :"),
        code(
            *french(
                py(
                    "for row in last_run.trace.summary():",
                    "    print(f\"{row['call']:20} {row['calls']:3} calls {row['errors']:3} errors\"",
                    "          f\" {row['total_ns'] / 1000:9.1f} µs\")",
                ),
                (" calls ", " appels "),
                (" errors", " erreurs"),
            )
        ),
    ],
    "memory-tour": [
        md(
            """
# A memory tour

Where a C program keeps its string literals, globals, local arrays and `malloc` blocks in
linear memory, with the layout the compiler exported (`__data_end`, `__heap_base`,
`__stack_pointer`).
""",
            """
# Visite de la mémoire

Où un programme C range ses chaînes littérales, ses variables globales, ses tableaux locaux et
ses blocs `malloc` dans la mémoire linéaire, avec la disposition exportée par le compilateur
(`__data_end`, `__heap_base`, `__stack_pointer`).
""",
        ),
        code("%%c\n" + REGIONS_C.strip("\n")),
        code("%memory"),
        code(py("print(last_run.layout)")),
    ],
    "refusal-explained": [
        md(
            """
# A refusal, explained

A program asks for a file outside every granted folder. The trace keeps the refusal with the
capability that was missing and a sentence a beginner can read, in English and, after
`%sandbox lang fr`, in French.
""",
            """
# Un refus, expliqué

Un programme demande un fichier situé hors de tous les dossiers accordés. La trace garde le refus
avec la capacité manquante et une phrase lisible par un débutant, en anglais et, après
`%sandbox lang fr`, en français.
""",
        ),
        code("%%c --ro-dir data::/data\n" + FOPEN_C.strip("\n")),
        code("%trace --text --denied"),
        code("%sandbox lang fr", "%sandbox lang en"),
        code("%%c --ro-dir data::/data\n" + FOPEN_C.strip("\n")),
        code("%sandbox lang en", "%sandbox lang fr"),
    ],
    "link-time-refusal": [
        md(
            """
# Refused before it starts

A module that imports what the host does not provide (a thread-spawning function from
wasi-threads, a socket call from WasmEdge's extension) is refused at link time: no instruction
runs. The trace has one `link` event per missing import.
""",
            """
# Refusé avant de démarrer

Un module qui importe ce que l'hôte ne fournit pas (une fonction de lancement de thread de
wasi-threads, un appel de socket de l'extension de WasmEdge) est refusé à l'édition des liens :
aucune instruction ne s'exécute. La trace contient un événement `link` par import manquant.
""",
        ),
        code(MIXED_WAT),
        code(
            py(
                "for event in last_run.trace:",
                "    print(event.phase, event.call, event.denied, '-', event.reason)",
            )
        ),
    ],
    "reproducible-runs": [
        md(
            """
# Reproducible runs

The clock and the random generator are capabilities. Frozen and seeded, a program that prints
the time and rolls dice prints the same thing every time.
""",
            """
# Des exécutions reproductibles

L'horloge et le générateur aléatoire sont des capacités. Figés, un programme qui affiche l'heure
et lance des dés affiche la même chose à chaque fois.
""",
        ),
        code("%sandbox clock freeze 1700000000000000000"),
        code("%sandbox seed 7"),
        code("%%c --no-trace\n" + CLOCK_RANDOM_C.strip("\n")),
        code("%%c --no-trace\n" + CLOCK_RANDOM_C.strip("\n")),
        code("%sandbox reset"),
    ],
    "trap-and-backtrace": [
        md(
            """
# A trap and its backtrace

An integer division by zero is not undefined behaviour in wasm: the engine stops the module
with a trap. Compiled with `-g`, the backtrace names each C function with its line in the cell
(`share at cell.c:5`).
""",
            """
# Un trap et sa pile d'appels

Une division entière par zéro n'est pas un comportement indéfini en wasm : le moteur arrête le
module par un trap. Compilée avec `-g`, la pile d'appels nomme chaque fonction C avec sa ligne
dans la cellule (`share at cell.c:5`).
""",
        ),
        code("%%c -g\n" + DIV_C.strip("\n")),
        code("%stack"),
        md("With an argument, there is somebody to share with:", "Avec un argument, il y a quelqu'un avec qui partager :"),
        code("%%c -g --args alice\n" + DIV_C.strip("\n")),
    ],
    "step-through": [
        md(
            """
# One instruction at a time

Our step-through interpreter records every instruction; the stack view replays them with the
operand stack and the locals.
""",
            """
# Une instruction à la fois

Notre interpréteur pas à pas note chaque instruction ; la vue de la pile les rejoue avec la pile
d'opérandes et les variables locales.
""",
        ),
        code("%%wat --engine stepper --invoke calc --args 2 5\n" + CALC_WAT.strip("\n")),
        code("%stack"),
    ],
    "spec-checks": [
        md(
            """
# Spec-style checks

`%%wast` runs commands in the style of the WebAssembly specification's test scripts: handy to
show what a module must return, and what the validator refuses.
""",
            """
# Vérifications à la manière de la spécification

`%%wast` exécute des commandes dans le style des scripts de test de la spécification
WebAssembly : pratique pour montrer ce qu'un module doit rendre, et ce que le validateur refuse.
""",
        ),
        code(
            "%%wast\n"
            '(module (func (export "add") (param i32 i32) (result i32) '
            "local.get 0 local.get 1 i32.add))\n"
            '(assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 5))\n'
            '(assert_return (invoke "add" (i32.const -1) (i32.const 1)) (i32.const 0))\n'
            '(assert_invalid (module (func (result i32) i64.const 1)) "type mismatch")'
        ),
    ],
}
