"""Lesson 5: the cells of ``05-linear-memory`` in English and French."""

from __future__ import annotations

from wasikernel.lessons import COMPILED_VIEW_C

from ._cells import code, exercise, md, py
from ._shared import REGIONS_C

NULL_C = r'''
#include <stdio.h>

int main(void) {
    int *nothing = 0;
    printf("reading address 0 gives %d (no crash!)\n", *nothing);
    int *far = (int *)0x7ffffff0;   /* about 2 GiB: far beyond this module's memory */
    printf("reading far away gives %d\n", *far);
    return 0;
}
'''


ADDRESSES_C = r'''
#include <stdio.h>
#include <stdlib.h>

int counter = 42;

int main(void) {
    char local[16] = "on the stack";
    char *block = malloc(32);
    /* print one address that lies in each region: change the pointers after each format */
    printf("data  %p\n", (void *)&counter);
    printf("stack %p\n", (void *)&counter);
    printf("heap  %p\n", (void *)&counter);
    free(block);
    return local[0] == 'o' ? 0 : 1;
}
'''

#: the answer key
ADDRESSES_SOLUTION = ADDRESSES_C.replace(
    'printf("stack %p\\n", (void *)&counter)', 'printf("stack %p\\n", (void *)local)'
).replace('printf("heap  %p\\n", (void *)&counter)', 'printf("heap  %p\\n", (void *)block)')


CELLS = [
    md(
        """
# 5 · Linear memory

**Goals.** Find, in a C program's linear memory, its static data, its shadow stack and its heap;
read the layout the compiler left in the module; see an out-of-bounds access trap.

A wasm module has one *linear memory*: a flat array of bytes that grows by pages of 64 KiB. A C
compiler places everything in it. With the toolchain used here (`zig cc`), the **shadow stack**
(local arrays, anything whose address is taken) comes first, 16 MiB growing downwards; then the
**static data** (string literals, globals) up to `__data_end`; then the **heap**, from
`__heap_base`, where `malloc` hands out blocks. The wasm operand stack of lesson 1 is something
else: the engine keeps it, and no pointer can reach it.
""",
        """
# 5 · La mémoire linéaire

**Objectifs.** Retrouver, dans la mémoire linéaire d'un programme C, ses données statiques, sa
pile fantôme et son tas ; lire la disposition que le compilateur a laissée dans le module ; voir
un accès hors limites déclencher un trap.

Un module wasm possède une *mémoire linéaire* : un tableau plat d'octets qui grandit par pages de
64 Kio. Un compilateur C y range tout. Avec la chaîne d'outils utilisée ici (`zig cc`), la
**pile fantôme** (tableaux locaux, tout ce dont on prend l'adresse) vient d'abord, 16 Mio qui
croissent vers le bas ; puis les **données statiques** (chaînes littérales, variables globales)
jusqu'à `__data_end` ; puis le **tas**, à partir de `__heap_base`, où `malloc` distribue des
blocs. La pile d'opérandes wasm de la leçon 1 est autre chose : le moteur la garde pour lui, et
aucun pointeur ne peut l'atteindre.
""",
    ),
    code("%%c\n" + REGIONS_C.strip("\n")),
    code("%memory"),
    md(
        """
## The layout, from Python

The compiler exports `__data_end`, `__heap_base` and `__stack_pointer`; `compile_source` reads
them into a `MemoryLayout`. The cell below prints it and places each printed address in its
region.
""",
        """
## La disposition, depuis Python

Le compilateur exporte `__data_end`, `__heap_base` et `__stack_pointer` ; `compile_source` les
lit dans un `MemoryLayout`. La cellule ci-dessous l'affiche et range chaque adresse affichée
dans sa zone.
""",
    ),
    code(
        py(
            "from wasikernel.compile import compile_source",
            "from wasikernel.engines import run",
            f"program = r'''{REGIONS_C}'''",
            "compiled = compile_source('c', program)",
            "layout = compiled.layout",
            "print(layout)",
            "result = run(compiled.wasm, Sandbox(), layout=layout)",
            "def region(address):",
            "    if layout.stack_low is not None and layout.stack_low <= address < layout.stack_high:",
            "        return 'stack'",
            "    if layout.heap_base is not None and address >= layout.heap_base:",
            "        return 'heap'",
            "    return 'data'",
            "for line in result.stdout.decode().splitlines():",
            "    name, address = line.split()",
            "    print(f'{name:9} {address:>10}  ->  {region(int(address, 16))}')",
        )
    ),
    md(
        """
## What the compiler made of it

`--wat` on a `%%c` line shows the compiled-code view: each function of the cell as WAT, each
block of instructions labelled with the C line it came from (the line table of a `-g` build);
clicking a line of C highlights its instructions, and clicking an instruction, its line. `-O1`
asks for a little optimisation, so that each line's code is short; `__attribute__((noinline))`
keeps `fill` and `add_twice` functions of their own.

Read `main` first. Line 17, `fill(&kept)`, passes the address of `kept`; a wasm local has no
address, so `main` first moves the shadow stack's pointer down (`global.get $__stack_pointer`,
`i32.sub`) and hands `fill` an address in that frame (`i32.add`, then `call $fill`). Line 18
reads `kept` back from there, with an `i32.load`.
""",
        """
## Ce que le compilateur en a fait

`--wat` sur une ligne `%%c` affiche la vue du code compilé : chaque fonction de la cellule en
WAT, chaque bloc d'instructions étiqueté par la ligne de C dont il vient (la table des lignes
d'une compilation `-g`) ; cliquer sur une ligne de C surligne ses instructions, et cliquer sur
une instruction, sa ligne. `-O1` demande un peu d'optimisation, pour que le code de chaque
ligne soit court ; `__attribute__((noinline))` garde `fill` et `add_twice` comme des fonctions
à part.

Lisez d'abord `main`. La ligne 17, `fill(&kept)`, passe l'adresse de `kept` ; une variable
locale wasm n'a pas d'adresse : `main` descend donc d'abord le pointeur de la pile fantôme
(`global.get $__stack_pointer`, `i32.sub`) et donne à `fill` une adresse dans ce cadre
(`i32.add`, puis `call $fill`). La ligne 18 y relit `kept`, avec un `i32.load`.
""",
    ),
    code("%%c -O1 --wat\n" + COMPILED_VIEW_C.strip("\n")),
    md(
        """
## Exercise: read the view

Two questions whose answers are in the view above. No line of the program says *shift*, yet
one of them became an `i32.shl` (a shift to the left): which one? And which variable of
`add_twice` does its code read and write in linear memory, not in a wasm local? Put the line's
number and the variable's name in `answer`.
""",
        """
## Exercice : lire la vue

Deux questions dont les réponses sont dans la vue ci-dessus. Aucune ligne du programme ne dit
*décaler*, pourtant l'une d'elles est devenue un `i32.shl` (un décalage vers la gauche) :
laquelle ? Et quelle variable de `add_twice` son code lit-il et écrit-il dans la mémoire
linéaire, et non dans une variable locale wasm ? Mettez le numéro de la ligne et le nom de la
variable dans `answer`.
""",
    ),
    *exercise(
        "05-linear-memory.ex2",
        py("answer = {",
           "    'shift_line': 0,  # the line of the program whose code holds i32.shl",
           "    'in_memory': '',  # the variable of add_twice kept in linear memory",
           "}",
           'answered("05-linear-memory.ex2", check_compiled_reading(answer))'),
        py("answer = {'shift_line': 10, 'in_memory': 'total'}",
           'answered("05-linear-memory.ex2", check_compiled_reading(answer))'),
        py("answer = {",
           "    'shift_line': 0,  # la ligne du programme dont le code contient i32.shl",
           "    'in_memory': '',  # la variable de add_twice gardée dans la mémoire linéaire",
           "}",
           'answered("05-linear-memory.ex2", check_compiled_reading(answer))'),
    ),
    md(
        """
## Out of bounds

In wasm, address 0 is an ordinary address: reading through a null pointer returns whatever is
there, without a crash. Past the end of the memory, however, every access traps: the engine
stops the module, and the backtrace shows where (`-g` adds the C line numbers).
""",
        """
## Hors limites

En wasm, l'adresse 0 est une adresse ordinaire : lire à travers un pointeur nul rend ce qui s'y
trouve, sans plantage. Au-delà de la fin de la mémoire, en revanche, tout accès déclenche un
trap : le moteur arrête le module, et la pile d'appels montre où (`-g` ajoute les numéros de
ligne du C).
""",
    ),
    code("%%c -g\n" + NULL_C.strip("\n")),
    md(
        """
## Exercise: which region?

The program below prints three lines, `data`, `stack` and `heap`, each followed by an address;
all three print the same pointer for now. Change the pointers so that each line prints an
address that lies in the region it names. The check compares each address with the module's
layout.
""",
        """
## Exercice : quelle zone ?

Le programme ci-dessous affiche trois lignes, `data`, `stack` et `heap`, chacune suivie d'une
adresse ; pour l'instant, toutes trois affichent le même pointeur. Changez les pointeurs pour que
chaque ligne affiche une adresse située dans la zone qu'elle nomme. La vérification compare
chaque adresse à la disposition du module.
""",
    ),
    *exercise(
        "05-linear-memory.ex1",
        "%%c --check 05-linear-memory.ex1\n" + ADDRESSES_C.strip("\n"),
        "%%c --check 05-linear-memory.ex1\n" + ADDRESSES_SOLUTION.strip("\n"),
    ),
    md(
        """
## Summary

- One linear memory holds the shadow stack, the static data and the heap of a C program.
- The module tells where each region is (`__data_end`, `__heap_base`, `__stack_pointer`).
- Address 0 is valid in wasm; an access past the memory's end traps instead of reading the
  host's memory.
- The compiled-code view (`%%c --wat`) shows which C line became which instructions: a local
  whose address is taken lives on the shadow stack, a global in the static data, the others in
  wasm locals.
""",
        """
## À retenir

- Une seule mémoire linéaire contient la pile fantôme, les données statiques et le tas d'un
  programme C.
- Le module indique où se trouve chaque zone (`__data_end`, `__heap_base`, `__stack_pointer`).
- L'adresse 0 est valide en wasm ; un accès au-delà de la fin de la mémoire déclenche un trap au
  lieu de lire la mémoire de l'hôte.
- La vue du code compilé (`%%c --wat`) montre quelle ligne de C est devenue quelles
  instructions : une variable locale dont on prend l'adresse vit dans la pile fantôme, une
  variable globale dans les données statiques, les autres dans des variables locales wasm.
""",
    ),
]
