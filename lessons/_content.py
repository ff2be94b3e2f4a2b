"""The text and code of every lesson and gallery notebook (read by ``_build.py``)."""

from __future__ import annotations

from _build import code, md

# ----------------------------------------------------------------------------- shared snippets

HELLO_WAT = r'''
(module
  ;; the only door to the outside: functions the host chooses to provide
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; the text, placed at address 16 of linear memory
  (data (i32.const 16) "Hello, WASI!\n")
  (func (export "_start")
    ;; an iovec at address 0: { buf = 16, buf_len = 13 }
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 13))
    ;; fd_write(fd = 1 (stdout), iovs = 0, iovs_len = 1, nwritten -> 8)
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
'''

HELLO_WAT_FR = r'''
(module
  ;; la seule porte vers l'extérieur : les fonctions que l'hôte veut bien fournir
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  ;; le texte, placé à l'adresse 16 de la mémoire linéaire
  (data (i32.const 16) "Hello, WASI!\n")
  (func (export "_start")
    ;; un iovec à l'adresse 0 : { buf = 16, buf_len = 13 }
    (i32.store (i32.const 0) (i32.const 16))
    (i32.store (i32.const 4) (i32.const 13))
    ;; fd_write(fd = 1 (stdout), iovs = 0, iovs_len = 1, nwritten -> 8)
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
'''

EXIT_WAT = r'''
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $proc_exit (i32.const 3))))
'''

CALC_WAT = r'''
(module
  ;; (a + b) * 3, written the way the machine sees it: one instruction at a time
  (func (export "calc") (param $a i32) (param $b i32) (result i32)
    local.get $a
    local.get $b
    i32.add
    i32.const 3
    i32.mul))
'''

PERIMETER_START = r'''
(module
  (func (export "perimeter") (param $w i32) (param $h i32) (result i32)
    local.get $w
    local.get $h
    i32.add))
'''

TWO_IOVECS_START = r'''
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 64) "Hello, ")
  (data (i32.const 80) "WASI!\n")
  (func (export "_start")
    (i32.store (i32.const 0) (i32.const 64))
    (i32.store (i32.const 4) (i32.const 7))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 32)))))
'''

OPEN_WAT = r'''
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (data (i32.const 16) "etc/passwd")
  (func (export "_start")
    ;; path_open(fd 3, lookup flags, path 16, length 10, oflags, rights, inheriting, fdflags, fd -> 100)
    ;; its errno becomes the exit code, so the result shows it too
    (call $proc_exit
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 10)
                       (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 100)))))
'''

THREADS_WAT = r'''
(module
  ;; wasi-threads: the host would have to start a new thread running this module
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $spawn (i32.const 0)))))
'''

SOCKET_WAT = r'''
(module
  ;; WasmEdge's socket extension adds calls that preview1 does not define
  (import "wasi_snapshot_preview1" "sock_open"
    (func $sock_open (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_connect"
    (func $sock_connect (param i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (drop (call $sock_open (i32.const 1) (i32.const 1) (i32.const 0)))))
'''

CAT_C = r'''
#include <stdio.h>

int main(void) {
    FILE *f = fopen("/data/notes.txt", "r");
    if (!f) { perror("/data/notes.txt"); return 1; }
    char line[256];
    while (fgets(line, sizeof line, f)) fputs(line, stdout);
    fclose(f);
    return 0;
}
'''

REGIONS_C = r'''
#include <stdio.h>
#include <stdlib.h>

const char *greeting = "hello";   /* a string literal */
int counter = 42;                 /* a global variable */

int main(void) {
    char local[16] = "on the stack";              /* a local array */
    char *block = malloc(32);                     /* a block from malloc */
    printf("greeting %p\ncounter  %p\nlocal    %p\nblock    %p\n",
           (void *)greeting, (void *)&counter, (void *)local, (void *)block);
    free(block);
    return 0;
}
'''

DATA = {
    "notes.txt": (
        "WASI grants a module only what the host hands it.\n"
        "A folder, some arguments, a clock: each one is a capability.\n"
        "Anything else is refused, and the trace says why.\n"
    ),
    "input.txt": "".join(f"line {i}: the quick brown fox\n" for i in range(1, 13)),
    "poem.txt": "Roses are red,\nwasm is fast,\nthe sandbox holds\nfrom first to last.\n",
}
GALLERY_DATA = {"poem.txt": DATA["poem.txt"], "notes.txt": DATA["notes.txt"]}


def _py(*lines: str) -> str:
    return "%%python\n" + "\n".join(lines)


def _fr(src: str, *pairs: tuple[str, str]) -> tuple[str, str]:
    """A code cell whose French variant differs only in the printed words."""
    french = src
    for en, fr in pairs:
        assert en in french, en
        french = french.replace(en, fr)
    return src, french


# ----------------------------------------------------------------------------- lesson 0

L00 = [
    md(
        """
# 0 · Getting started

**Goals.** By the end of this lesson you can run a WebAssembly cell, read what the kernel
reports about the run (output, exit code, the WASI calls it made), switch a cell to C with a
magic, and use the Python side of the kernel to look at a run in detail.

This notebook runs on the **WASI** kernel. A cell with no magic on its first line is
WebAssembly text (WAT): the kernel turns it into a `.wasm` module, runs it under a WASI host
written in Python, and records every call the module makes to that host.
""",
        """
# 0 · Premiers pas

**Objectifs.** À la fin de cette leçon, vous savez exécuter une cellule WebAssembly, lire ce que
le noyau rapporte d'une exécution (sortie, code de sortie, appels WASI effectués), passer une
cellule en C grâce à une commande magique, et utiliser le côté Python du noyau pour examiner une
exécution en détail.

Ce notebook tourne sur le noyau **WASI**. Une cellule sans commande magique en première ligne
est du WebAssembly textuel (WAT) : le noyau la transforme en module `.wasm`, l'exécute sous un
hôte WASI écrit en Python, et note chaque appel que le module adresse à cet hôte.
""",
    ),
    md(
        """
## A first module

Run the cell below (Shift+Enter). The module imports one function, `fd_write`, from the host,
and uses it to write a line on standard output. Under the output the kernel shows a summary of
the run and the trace: one line per WASI call.
""",
        """
## Un premier module

Exécutez la cellule ci-dessous (Maj+Entrée). Le module importe une seule fonction de l'hôte,
`fd_write`, et s'en sert pour écrire une ligne sur la sortie standard. Sous la sortie, le noyau
affiche un résumé de l'exécution et la trace : une ligne par appel WASI.
""",
    ),
    code(HELLO_WAT, HELLO_WAT_FR),
    md(
        """
**Reading the summary.** The line under the output says, in order: how the run ended
(`exit 0`, a trap or a limit), how many WASI calls the module made, how many the sandbox
refused, how long the run took and which engine ran it. Below it, the trace has one line per
call: its name, its decoded arguments, `= errno`, and in brackets what the host wrote back.

**Try it.** Change the text in the `data` line (keep 13 characters, or change the length stored
at address 4 too) and run the cell again. What happens if the length is 5?

## The trace, on demand

`%trace --text` prints the trace of the last run again, in the manner of `strace`;
`%trace --call fd_write --text` keeps only one call, and `%trace` alone opens the trace widget.
""",
        """
**Lire le résumé.** La ligne sous la sortie indique, dans l'ordre : comment
l'exécution s'est terminée (`code de sortie 0`, un trap ou une limite), combien d'appels WASI le
module a faits, combien le bac à sable en a refusé, la durée de l'exécution et le moteur
utilisé. En dessous, la trace compte une ligne par appel : son nom, ses arguments décodés,
`= errno`, et entre crochets ce que l'hôte a écrit en retour.

**À vous.** Changez le texte de la ligne `data` (gardez 13 caractères, ou changez aussi la
longueur rangée à l'adresse 4) et relancez la cellule. Que se passe-t-il avec une longueur de 5 ?

## La trace, à la demande

`%trace --text` réaffiche la trace de la dernière exécution, à la manière de `strace` ;
`%trace --call fd_write --text` ne garde qu'un appel, et `%trace` seul ouvre le widget de trace.
""",
    ),
    code("%trace --text"),
    md(
        """
## Widgets

`--widgets` on the first line (here `%%wat --widgets trace,memory`) shows interactive views
after the run: the trace as a table whose rows open to show each call's arguments and the
memory it touched, and the module's linear memory. `%memory`, `%stack` and `%sandbox show`
open the other views of the last run at any time.
""",
        """
## Les widgets

`--widgets` en première ligne (ici `%%wat --widgets trace,memory`) affiche des vues
interactives après l'exécution : la trace sous forme de tableau dont chaque ligne s'ouvre sur
les arguments de l'appel et la mémoire qu'il a touchée, et la mémoire linéaire du module.
`%memory`, `%stack` et `%sandbox show` ouvrent à tout moment les autres vues de la dernière
exécution.
""",
    ),
    code(
        "%%wat --widgets trace,memory\n" + HELLO_WAT.strip("\n"),
        "%%wat --widgets trace,memory\n" + HELLO_WAT_FR.strip("\n"),
    ),
    md(
        """
## The same program in C

A magic on the first line changes the language: `%%c` compiles the cell with a C compiler that
targets `wasm32-wasi`, `%%rust` with `rustc`. The C library turns `puts` into the same
`fd_write` call, after a few calls of its own: compare the two traces.
""",
        """
## Le même programme en C

Une commande magique en première ligne change de langage : `%%c` compile la cellule avec un
compilateur C qui vise `wasm32-wasi`, `%%rust` avec `rustc`. La bibliothèque C transforme
`puts` en ce même appel `fd_write`, après quelques appels qui lui sont propres : comparez les
deux traces.
""",
    ),
    code(
        """
%%c
#include <stdio.h>

int main(void) {
    puts("Hello, WASI!");
    return 0;
}
"""
    ),
    md(
        """
## The Python side

`%%python` runs a cell as ordinary Python, in the same kernel. `run_source` compiles and runs a
module and hands back a `RunResult`: its output, how it ended, and its `trace`.
""",
        """
## Le côté Python

`%%python` exécute une cellule en Python ordinaire, dans le même noyau. `run_source` compile et
exécute un module, et rend un `RunResult` : sa sortie, sa façon de se terminer, et sa `trace`.
""",
    ),
    code(
        _py(
            f"hello = r'''{HELLO_WAT}'''",
            "result = run_source('wat', hello)",
            "print('stdout   :', result.stdout)",
            "print('exit code:', result.exit_code)",
            "print('calls    :', len(result.trace))",
            "for row in result.trace.summary():",
            "    print(f\"  {row['call']:10} {row['calls']} call(s), {row['per_call_ns'] / 1000:.1f} µs each\")",
        ),
        _py(
            f"hello = r'''{HELLO_WAT_FR}'''",
            "resultat = run_source('wat', hello)",
            "print('stdout        :', resultat.stdout)",
            "print('code de sortie:', resultat.exit_code)",
            "print('appels        :', len(resultat.trace))",
            "for ligne in resultat.trace.summary():",
            "    print(f\"  {ligne['call']:10} {ligne['calls']} appel(s), {ligne['per_call_ns'] / 1000:.1f} µs chacun\")",
        ),
    ),
    md(
        """
## Exercise: choose the exit code

A module ends by calling `proc_exit` with a code, as a process returns from `main`. The module
below exits with code 3. Change it so that it exits with code **7**, then run the cell: the
check says what is already right and what is not.
""",
        """
## Exercice : choisir le code de sortie

Un module se termine en appelant `proc_exit` avec un code, comme un processus qui sort de
`main`. Le module ci-dessous se termine avec le code 3. Modifiez-le pour qu'il se termine avec
le code **7**, puis exécutez la cellule : la vérification dit ce qui est déjà juste et ce qui ne
l'est pas.
""",
    ),
    code(_py(f"answer = r'''{EXIT_WAT}'''", "check_exit_code(answer, expected=7)")),
    md(
        """
## Summary

- A cell without a magic is WAT; `%%c`, `%%rust` and `%%python` change the language.
- Each run reports its output, how it ended (exit code, trap or limit) and a trace with one
  line per WASI call.
- A module can only do what its imports let it do: here `fd_write` and `proc_exit`.
""",
        """
## À retenir

- Une cellule sans commande magique est du WAT ; `%%c`, `%%rust` et `%%python` changent de
  langage.
- Chaque exécution rapporte sa sortie, sa fin (code de sortie, trap ou limite) et une trace
  avec une ligne par appel WASI.
- Un module ne peut faire que ce que ses imports lui permettent : ici `fd_write` et
  `proc_exit`.
""",
    ),
]

# ----------------------------------------------------------------------------- lesson 1

L01 = [
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

Ce module exporte une fonction et rien à lancer de lui-même : le noyau le garde en vie et liste
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
`h`. Finish it and run the cell.
""",
        """
**À vous.** Échangez `i32.add` et `i32.mul` dans la cellule ci-dessus : quelles valeurs la pile
contient-elle maintenant ? Retirez ensuite `local.get $b` : le module ne compile plus, car le
validateur compte la pile avant toute exécution, et c'est l'une des raisons pour lesquelles on
peut charger du wasm sans crainte.

## Exercice : un périmètre

Écrivez `perimeter(w, h)` qui rend `2 * (w + h)` en `i32`. Le début ci-dessous additionne
seulement `w` et `h`. Terminez-le et exécutez la cellule.
""",
    ),
    code(_py(f"answer = r'''{PERIMETER_START}'''", "check_perimeter(answer)")),
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

# ----------------------------------------------------------------------------- lesson 2

L02 = [
    md(
        """
# 2 · Hello, WASI

**Goals.** Understand what WASI is, what `fd_write` asks of the host, what an *iovec* is, and
find in linear memory the very bytes the trace reports.

WASI (the WebAssembly System Interface) is the specification that lets a wasm module talk to the
system it runs on, so that the same module can run anywhere a WASI runtime exists. It is written
by a subgroup of the people who standardise WebAssembly itself, and it makes the same promises:
security, many source languages (C, C++, Rust, Go ...), speed and a small footprint. The version
used here, `wasi_snapshot_preview1`, is a list of functions such as `fd_write`, `path_open`,
`clock_time_get`; a module imports the ones it needs and the host decides what each one may do.
""",
        """
# 2 · Bonjour, WASI

**Objectifs.** Comprendre ce qu'est WASI, ce que `fd_write` demande à l'hôte, ce qu'est un
*iovec*, et retrouver dans la mémoire linéaire les octets mêmes que la trace rapporte.

WASI (WebAssembly System Interface) est la spécification qui permet à un module wasm de
dialoguer avec le système sur lequel il tourne, pour que le même module fonctionne partout où
existe un runtime WASI. Elle est rédigée par un sous-groupe des personnes qui normalisent le
WebAssembly lui-même, et elle fait les mêmes promesses : sécurité, nombreux langages sources (C,
C++, Rust, Go ...), rapidité et légèreté. La version utilisée ici, `wasi_snapshot_preview1`, est
une liste de fonctions comme `fd_write`, `path_open`, `clock_time_get` ; un module importe
celles dont il a besoin et l'hôte décide de ce que chacune a le droit de faire.
""",
    ),
    md(
        """
## What `fd_write` receives

The module cannot hand the host a Python string: it can only pass integers. So it writes, in its
own memory, a small table of *iovecs*, each a pair of 32-bit numbers `{buf, buf_len}` (where a
piece of text starts and how long it is), and passes the host four integers:

| parameter | here | meaning |
|---|---|---|
| `fd` | 1 | the file descriptor: 1 is standard output |
| `iovs` | 0 | address of the iovec table |
| `iovs_len` | 1 | number of iovecs in the table |
| `nwritten` | 8 | where the host writes back how many bytes it wrote |

The host reads the table, then the bytes each iovec points to, writes them out, stores the
count at address 8 and returns an errno (0, `success`).
""",
        """
## Ce que reçoit `fd_write`

Le module ne peut pas donner une chaîne Python à l'hôte : il ne peut passer que des entiers. Il
écrit donc, dans sa propre mémoire, une petite table d'*iovecs*, chacun une paire de nombres de
32 bits `{buf, buf_len}` (où commence un morceau de texte et quelle est sa longueur), et passe à
l'hôte quatre entiers :

| paramètre | ici | sens |
|---|---|---|
| `fd` | 1 | le descripteur de fichier : 1 est la sortie standard |
| `iovs` | 0 | adresse de la table d'iovecs |
| `iovs_len` | 1 | nombre d'iovecs dans la table |
| `nwritten` | 8 | où l'hôte écrit en retour le nombre d'octets écrits |

L'hôte lit la table, puis les octets que désigne chaque iovec, les écrit, range le compte à
l'adresse 8 et rend un errno (0, `success`).
""",
    ),
    code(HELLO_WAT, HELLO_WAT_FR),
    md(
        """
## The trace, line by line

Each trace line names the call, its decoded arguments (the iovecs appear with their text), the
values the host wrote back (`nwritten`), the errno, and the memory the call read (`r`) or wrote
(`w`). Find the read of 8 bytes at address 0 (the iovec), the read of 13 bytes at 16 (the text)
and the write of 4 bytes at 8 (`nwritten`).
""",
        """
## La trace, ligne par ligne

Chaque ligne de trace nomme l'appel, ses arguments décodés (les iovecs apparaissent avec leur
texte), les valeurs que l'hôte a écrites en retour (`nwritten`), l'errno, et la mémoire que
l'appel a lue (`r`) ou écrite (`w`). Repérez la lecture de 8 octets à l'adresse 0 (l'iovec), la
lecture de 13 octets à 16 (le texte) et l'écriture de 4 octets à 8 (`nwritten`).
""",
    ),
    code("%trace --text"),
    md(
        """
## The bytes in memory

`%memory` shows the module's linear memory after the run. The same bytes can be read from
Python: the iovec is two little-endian 32-bit numbers.
""",
        """
## Les octets en mémoire

`%memory` montre la mémoire linéaire du module après l'exécution. On peut lire les mêmes octets
depuis Python : l'iovec est formé de deux nombres de 32 bits en petit-boutiste.
""",
    ),
    code("%memory"),
    code(
        _py(
            "import struct",
            f"result = run_source('wat', r'''{HELLO_WAT}''')",
            "memory = result.memory_after",
            "buf, buf_len = struct.unpack_from('<II', memory, 0)",
            "(nwritten,) = struct.unpack_from('<I', memory, 8)",
            "print('iovec    :', {'buf': buf, 'buf_len': buf_len})",
            "print('its bytes:', memory[buf:buf + buf_len])",
            "print('nwritten :', nwritten)",
            "for event in result.trace:",
            "    print(event.call, event.errno, [(m.addr, m.len, m.access) for m in event.memory])",
        ),
        _py(
            "import struct",
            f"resultat = run_source('wat', r'''{HELLO_WAT_FR}''')",
            "memoire = resultat.memory_after",
            "buf, buf_len = struct.unpack_from('<II', memoire, 0)",
            "(nwritten,) = struct.unpack_from('<I', memoire, 8)",
            "print('iovec      :', {'buf': buf, 'buf_len': buf_len})",
            "print('ses octets :', memoire[buf:buf + buf_len])",
            "print('nwritten   :', nwritten)",
            "for evenement in resultat.trace:",
            "    print(evenement.call, evenement.errno,",
            "          [(m.addr, m.len, m.access) for m in evenement.memory])",
        ),
    ),
    md(
        """
## Exercise: two iovecs, one call

The module below keeps `"Hello, "` and `"WASI!\\n"` in two separate places. It prints only the
first. Without copying any text, make **one** `fd_write` print both: build a table of two
iovecs (the second at address 8) and pass `iovs_len = 2`.
""",
        """
## Exercice : deux iovecs, un seul appel

Le module ci-dessous garde `"Hello, "` et `"WASI!\\n"` à deux endroits distincts. Il n'affiche
que le premier. Sans recopier de texte, faites afficher les deux par **un seul** `fd_write` :
construisez une table de deux iovecs (le second à l'adresse 8) et passez `iovs_len = 2`.
""",
    ),
    code(_py(f"answer = r'''{TWO_IOVECS_START}'''", "check_two_iovecs(answer)")),
    md(
        """
## Summary

- WASI is a set of functions a module imports; `wasi_snapshot_preview1` is the version most
  runtimes share.
- Everything crosses the boundary as integers: pointers and lengths into the module's own
  memory, which the host reads and writes.
- The trace shows each call with the memory it touched, so every byte can be found again.
""",
        """
## À retenir

- WASI est un ensemble de fonctions qu'un module importe ; `wasi_snapshot_preview1` est la
  version que la plupart des runtimes partagent.
- Tout franchit la frontière sous forme d'entiers : des pointeurs et des longueurs dans la
  mémoire du module, que l'hôte lit et écrit.
- La trace montre chaque appel avec la mémoire qu'il a touchée : chaque octet se retrouve.
""",
    ),
]

# ----------------------------------------------------------------------------- lesson 3

ENV_SYSTEM_WAT = r'''
(module
  ;; a function to run a shell command: no WASI host offers one
  (import "env" "system" (func $system (param i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 0) "ls /\00")
  (func (export "_start")
    (drop (call $system (i32.const 0)))))
'''

OOB_WAT = r'''
(module
  (memory (export "memory") 1)   ;; one page: 65536 bytes, addresses 0 .. 65535
  (func (export "_start")
    (drop (i32.load (i32.const 70000)))))
'''

SOCK_WAT = r'''
(module
  (import "wasi_snapshot_preview1" "sock_accept"
    (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; accept a connection on fd 3, as a server would; the errno becomes the exit code
    (call $proc_exit (call $sock_accept (i32.const 3) (i32.const 0) (i32.const 0)))))
'''

FOPEN_C = r'''
#include <stdio.h>

int main(void) {
    FILE *f = fopen("/etc/passwd", "r");
    if (!f) { perror("fopen /etc/passwd"); return 1; }
    puts("opened!");
    return 0;
}
'''

L03 = [
    md(
        """
# 3 · The sandbox

**Goals.** See for yourself the four things a WASI module cannot do on its own, each attempt
refused, and read the sandbox's boundary: what was granted, what was tried, what was refused.

By design a wasm module only computes: it has no way to reach the operating system, the network
or a file unless the host gives it one. The foundations of WASI state that, by itself, a module
**cannot**:

1. reach the operating system;
2. read or write memory the host did not give it;
3. make network calls;
4. read or write files.

Each of the four is tried below.
""",
        """
# 3 · Le bac à sable

**Objectifs.** Constater par vous-même les quatre choses qu'un module WASI ne peut pas faire de
lui-même, chaque tentative refusée, et lire la frontière du bac à sable : ce qui a été accordé,
ce qui a été tenté, ce qui a été refusé.

Par construction, un module wasm ne fait que calculer : il n'a aucun moyen d'atteindre le
système d'exploitation, le réseau ou un fichier si l'hôte ne lui en donne pas un. Les fondations
de WASI posent que, de lui-même, un module **ne peut pas** :

1. accéder au système d'exploitation ;
2. lire ou écrire une mémoire que l'hôte ne lui a pas fournie ;
3. faire des appels réseau ;
4. lire ou écrire des fichiers.

Chacune des quatre est tentée ci-dessous.
""",
    ),
    md(
        """
## 1. Reaching the operating system

A module can only call the functions it imports, and the host decides which imports exist.
This one asks for a `system` function to run a shell command: the host has none, so the module
is refused **before it starts** (a *link-time* refusal).
""",
        """
## 1. Accéder au système d'exploitation

Un module ne peut appeler que les fonctions qu'il importe, et c'est l'hôte qui décide des
imports qui existent. Celui-ci réclame une fonction `system` pour lancer une commande shell :
l'hôte n'en a pas, le module est donc refusé **avant de démarrer** (refus à l'édition des liens).
""",
    ),
    code(ENV_SYSTEM_WAT),
    md(
        """
## 2. Memory the host did not give

The module owns one page of 64 KiB. A load at address 70 000 is outside it: the engine stops the
module with a *trap*; it cannot read the host's memory, nor another module's.
""",
        """
## 2. Une mémoire que l'hôte n'a pas fournie

Le module possède une page de 64 Kio. Une lecture à l'adresse 70 000 est en dehors : le moteur
arrête le module par un *trap* ; il ne peut lire ni la mémoire de l'hôte, ni celle d'un autre
module.
""",
    ),
    code(OOB_WAT),
    md(
        """
## 3. The network

Preview 1 defines a few socket calls (`sock_accept`, `sock_recv` ...) that only work on sockets
the host handed over already; no call opens a connection. With nothing granted, `sock_accept` on
fd 3 fails, and the errno becomes the exit code.
""",
        """
## 3. Le réseau

La preview 1 définit quelques appels de socket (`sock_accept`, `sock_recv` ...) qui ne
fonctionnent que sur des sockets déjà confiées par l'hôte ; aucun appel n'ouvre de connexion.
Sans rien d'accordé, `sock_accept` sur le fd 3 échoue, et l'errno devient le code de sortie.
""",
    ),
    code(SOCK_WAT),
    md(
        """
## 4. Files

A C program asks for `/etc/passwd`. No folder is granted, so the C library finds no directory
that covers the path and refuses before any system call; the kernel reports that refusal in the
trace too (phase `libc`).
""",
        """
## 4. Les fichiers

Un programme C demande `/etc/passwd`. Aucun dossier n'est accordé : la bibliothèque C ne trouve
aucun répertoire qui couvre ce chemin et refuse avant tout appel système ; le noyau rapporte ce
refus dans la trace lui aussi (phase `libc`).
""",
    ),
    code("%%c\n" + FOPEN_C.strip("\n")),
    md(
        """
## The boundary

`%sandbox show` draws the last run's boundary: the capabilities granted (none here), and each call
that crossed it or was stopped at it, with the reason in words.
""",
        """
## La frontière

`%sandbox show` dessine la frontière de la dernière exécution : les capacités accordées (aucune ici),
et chaque appel qui l'a franchie ou qui s'y est arrêté, avec la raison en toutes lettres.
""",
    ),
    code("%sandbox show"),
    md(
        """
## Exercise: read a refusal

The module below tries `path_open` on `etc/passwd` inside fd 3, a directory it was never given.
Run it, read the trace, and put the errno the host returned (its WASI name, such as `"inval"`)
into `errno_answer`.
""",
        """
## Exercice : lire un refus

Le module ci-dessous tente `path_open` sur `etc/passwd` dans le fd 3, un répertoire qu'on ne lui
a jamais donné. Exécutez-le, lisez la trace, et mettez dans `errno_answer` l'errno renvoyé par
l'hôte (son nom WASI, comme `"inval"`).
""",
    ),
    code(
        _py(
            f"attempt = r'''{OPEN_WAT}'''",
            "print(run_source('wat', attempt).trace.to_text())",
            'errno_answer = "inval"',
            "check_refused_open(attempt, errno_answer)",
        ),
        _py(
            f"tentative = r'''{OPEN_WAT}'''",
            "print(run_source('wat', tentative).trace.to_text())",
            'errno_answer = "inval"',
            "check_refused_open(tentative, errno_answer)",
        ),
    ),
    md(
        """
## Summary

- Operating system: only imported functions exist, and unknown imports are refused at link time.
- Memory: every load and store is bounds-checked; outside its memory a module traps.
- Network: preview 1 cannot open a connection; socket calls fail without a granted socket.
- Files: only granted folders can be reached; the refusal names the missing capability.
""",
        """
## À retenir

- Système d'exploitation : seules les fonctions importées existent, et un import inconnu est
  refusé à l'édition des liens.
- Mémoire : chaque lecture et écriture est vérifiée ; hors de sa mémoire, un module s'arrête sur
  un trap.
- Réseau : la preview 1 ne sait pas ouvrir de connexion ; sans socket accordée, les appels
  échouent.
- Fichiers : seuls les dossiers accordés sont accessibles ; le refus nomme la capacité manquante.
""",
    ),
]

# ----------------------------------------------------------------------------- lesson 4

WRITE_C = r'''
#include <stdio.h>

int main(void) {
    FILE *f = fopen("/data/out.txt", "w");
    if (!f) { perror("/data/out.txt"); return 1; }
    fputs("written from wasm\n", f);
    fclose(f);
    puts("done");
    return 0;
}
'''

ARGS_ENV_C = r'''
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv) {
    for (int i = 0; i < argc; i++) printf("argv[%d] = %s\n", i, argv[i]);
    const char *greeting = getenv("GREETING");
    printf("GREETING = %s\n", greeting ? greeting : "(not set)");
    return 0;
}
'''

CLOCK_RANDOM_C = r'''
#include <stdio.h>
#include <time.h>
#include <unistd.h>

int main(void) {
    struct timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    unsigned char dice[4];
    getentropy(dice, sizeof dice);
    printf("time   %lld.%09ld\n", (long long)now.tv_sec, now.tv_nsec);
    printf("random %u %u %u %u\n", dice[0] % 6 + 1, dice[1] % 6 + 1, dice[2] % 6 + 1, dice[3] % 6 + 1);
    return 0;
}
'''

L04 = [
    md(
        """
# 4 · Capabilities

**Goals.** Grant a module exactly what it needs, one capability at a time: a folder read-only,
then read-write, arguments, environment variables, a clock and randomness; and make a run
reproducible by freezing the clock and seeding the randomness.

WASI follows the *capability* model: a module receives handles to what it may use, and it
cannot name anything else. A folder is granted as a *preopened directory*; the module opens
files relative to it, never by an absolute path of the host. In a cell, `--ro-dir HOST::GUEST`
grants a folder read-only, `--dir HOST::GUEST` read-write, `--env NAME=VALUE` sets a variable
and `--args ...` (last on the line) gives the arguments.
""",
        """
# 4 · Les capacités

**Objectifs.** Accorder à un module exactement ce dont il a besoin, une capacité à la fois : un
dossier en lecture seule, puis en lecture-écriture, des arguments, des variables d'environnement,
une horloge et du hasard ; et rendre une exécution reproductible en figeant l'horloge et en
fixant la graine du hasard.

WASI suit le modèle des *capacités* : un module reçoit des poignées vers ce qu'il peut utiliser,
et il ne peut rien désigner d'autre. Un dossier est accordé comme *répertoire pré-ouvert* ; le
module y ouvre des fichiers relativement à lui, jamais par un chemin absolu de l'hôte. Dans une
cellule, `--ro-dir HOTE::INVITE` accorde un dossier en lecture seule, `--dir HOTE::INVITE` en
lecture-écriture, `--env NOM=VALEUR` définit une variable et `--args ...` (en fin de ligne)
donne les arguments.
""",
    ),
    md(
        """
## A folder, read-only

The folder `data` next to this notebook is granted as `/data`, read-only. The program reads a
file in it, then another cell tries to write there.
""",
        """
## Un dossier, en lecture seule

Le dossier `data` à côté de ce notebook est accordé sous le nom `/data`, en lecture seule. Le
programme y lit un fichier, puis une autre cellule essaie d'y écrire.
""",
    ),
    code("%%c --ro-dir data::/data\n" + CAT_C.strip("\n")),
    code("%%c --ro-dir data::/data\n" + WRITE_C.strip("\n")),
    md(
        """
The write is refused and the trace gives the reason. To let a module write, grant a folder
read-write. The next cell does it on a temporary copy, so the lesson's own files stay as they
are, and shows the file the module left behind.
""",
        """
L'écriture est refusée et la trace en donne la raison. Pour qu'un module puisse écrire, il faut
accorder un dossier en lecture-écriture. La cellule suivante le fait sur une copie temporaire,
pour que les fichiers de la leçon restent intacts, et montre le fichier laissé par le module.
""",
    ),
    code(
        _py(
            "import os, shutil, tempfile",
            "scratch = tempfile.mkdtemp()",
            "shutil.copytree('data', scratch, dirs_exist_ok=True)",
            "box = Sandbox(preopens=[Preopen('/data', scratch, read_only=False)])",
            f"result = run_source('c', r'''{WRITE_C}''', box)",
            "print(result.stdout.decode(), 'exit', result.exit_code)",
            "print(open(os.path.join(scratch, 'out.txt')).read())",
        )
    ),
    md(
        """
## Arguments and environment

Nothing from the host's own environment leaks in: the module sees only the variables and
arguments given to it. Remove `--env GREETING=hello` and run again.
""",
        """
## Arguments et environnement

Rien de l'environnement de l'hôte ne fuit vers le module : il ne voit que les variables et les
arguments qu'on lui donne. Retirez `--env GREETING=bonjour` et relancez.
""",
    ),
    code(
        "%%c --env GREETING=hello --args first second\n" + ARGS_ENV_C.strip("\n"),
        "%%c --env GREETING=bonjour --args premier second\n" + ARGS_ENV_C.strip("\n"),
    ),
    md(
        """
## Clocks and randomness

Reading the clock (`clock_time_get`) and drawing random bytes (`random_get`) are WASI calls
too, so the host can answer them as it likes. `Sandbox(clock_ns=..., random_seed=...)` freezes
the clock and seeds the randomness: the run then prints the same thing every time, which makes
a bug reproducible and a test deterministic.
""",
        """
## Horloges et hasard

Lire l'horloge (`clock_time_get`) et tirer des octets au hasard (`random_get`) sont aussi des
appels WASI : l'hôte peut donc y répondre comme il l'entend. `Sandbox(clock_ns=...,
random_seed=...)` fige l'horloge et fixe la graine du hasard : l'exécution affiche alors la même
chose à chaque fois, ce qui rend un bogue reproductible et un test déterministe.
""",
    ),
    code(
        _py(
            f"dice = r'''{CLOCK_RANDOM_C}'''",
            "for label, box in [('real', Sandbox()),",
            "                   ('frozen', Sandbox(clock_ns=1_700_000_000_000_000_000, random_seed=42))]:",
            "    for attempt in (1, 2):",
            "        out = run_source('c', dice, box).stdout.decode()",
            "        print(label, attempt, out.replace(chr(10), ' | '))",
        ),
        _py(
            f"des = r'''{CLOCK_RANDOM_C}'''",
            "for nom, box in [('vrai', Sandbox()),",
            "                 ('figé', Sandbox(clock_ns=1_700_000_000_000_000_000, random_seed=42))]:",
            "    for essai in (1, 2):",
            "        sortie = run_source('c', des, box).stdout.decode()",
            "        print(nom, essai, sortie.replace(chr(10), ' | '))",
        ),
    ),
    md(
        """
## Exercise 1: the least privilege

A tool must read `/data/notes.txt` and nothing else. Fix the sandbox below so that it grants
exactly that: the check runs a probe that reads the file and then tries to create a file next
to it (on a copy, so nothing is changed here).
""",
        """
## Exercice 1 : le moindre privilège

Un outil doit lire `/data/notes.txt` et rien d'autre. Corrigez le bac à sable ci-dessous pour
qu'il accorde exactement cela : la vérification lance une sonde qui lit le fichier puis essaie
de créer un fichier à côté (sur une copie : rien n'est modifié ici).
""",
    ),
    code(
        _py(
            "import os",
            "box = Sandbox(",
            "    preopens=[Preopen('/data', os.path.abspath('data'), read_only=False)],",
            "    env={'HOME': '/root'},",
            ")",
            "check_least_sandbox(box)",
        )
    ),
    md(
        """
## Exercise 2: a reproducible run

Make two runs of a program that prints the time and a random number print the same thing.
""",
        """
## Exercice 2 : une exécution reproductible

Faites en sorte que deux exécutions d'un programme qui affiche l'heure et un nombre aléatoire
affichent la même chose.
""",
    ),
    code(_py("box = Sandbox()", "check_reproducible(box)")),
    md(
        """
## Summary

- A module reaches only what it is handed: preopened folders (read-only or read-write),
  arguments, environment variables, stdin.
- A refusal names the capability that was missing and how to grant it.
- The clock and the randomness are capabilities too: freeze and seed them for reproducible runs.
""",
        """
## À retenir

- Un module n'atteint que ce qu'on lui confie : dossiers pré-ouverts (lecture seule ou
  lecture-écriture), arguments, variables d'environnement, entrée standard.
- Un refus nomme la capacité manquante et la façon de l'accorder.
- L'horloge et le hasard sont aussi des capacités : figez-les pour des exécutions reproductibles.
""",
    ),
]

# ----------------------------------------------------------------------------- lesson 5

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

L05 = [
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
        _py(
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

For each of the four pointers of the program above, say where it lands: `"data"`, `"stack"` or
`"heap"`.
""",
        """
## Exercice : quelle zone ?

Pour chacun des quatre pointeurs du programme ci-dessus, dites où il se trouve : `"data"`,
`"stack"` ou `"heap"`.
""",
    ),
    code(
        _py(
            "answers = {",
            "    'greeting': 'data',",
            "    'counter': 'heap',",
            "    'local': '',",
            "    'block': 'heap',",
            "}",
            "check_memory_regions(answers)",
        )
    ),
    md(
        """
## Summary

- One linear memory holds the shadow stack, the static data and the heap of a C program.
- The module tells where each region is (`__data_end`, `__heap_base`, `__stack_pointer`).
- Address 0 is valid in wasm; an access past the memory's end traps instead of reading the
  host's memory.
""",
        """
## À retenir

- Une seule mémoire linéaire contient la pile fantôme, les données statiques et le tas d'un
  programme C.
- Le module indique où se trouve chaque zone (`__data_end`, `__heap_base`, `__stack_pointer`).
- L'adresse 0 est valide en wasm ; un accès au-delà de la fin de la mémoire déclenche un trap au
  lieu de lire la mémoire de l'hôte.
""",
    ),
]

# ----------------------------------------------------------------------------- lesson 6

HELLO_C = r'''
#include <stdio.h>

int main(void) {
    puts("Hello, WASI!");
    return 0;
}
'''

HELLO_RUST = r'''
fn main() {
    println!("Hello, WASI!");
}
'''

L06 = [
    md(
        """
# 6 · One program, three languages

**Goals.** Build the same small program from WAT, C and Rust; compare the WASI calls each one
makes, what each module imports, and how big each is; then set them beside a native build of the
C program.

WASI is *polyglot*: any language whose compiler targets `wasm32-wasi` produces modules that any
WASI runtime can run. What differs is what each language's standard library does before and
around your code.
""",
        """
# 6 · Un programme, trois langages

**Objectifs.** Construire le même petit programme en WAT, en C et en Rust ; comparer les appels
WASI de chacun, ce que chaque module importe et sa taille ; puis les mettre à côté d'une
compilation native du programme C.

WASI est *polyglotte* : tout langage dont le compilateur vise `wasm32-wasi` produit des modules
que n'importe quel runtime WASI peut exécuter. Ce qui change, c'est ce que la bibliothèque
standard de chaque langage fait avant et autour de votre code.
""",
    ),
    code(HELLO_WAT, HELLO_WAT_FR),
    code("%%c\n" + HELLO_C.strip("\n")),
    code("%%rust\n" + HELLO_RUST.strip("\n")),
    md(
        """
## Side by side

The cell below compiles the three sources, runs each, and lists the module's size, its imports
and the calls it made.
""",
        """
## Côte à côte

La cellule ci-dessous compile les trois sources, exécute chacune, et donne la taille du module,
ses imports et les appels effectués.
""",
    ),
    code(
        *_fr(
            _py(
            "import wasmtime",
            "from wasikernel.compile import compile_source",
            "from wasikernel.engines import run",
            "sources = {",
            f"    'wat': r'''{HELLO_WAT}''',",
            f"    'c': r'''{HELLO_C}''',",
            f"    'rust': r'''{HELLO_RUST}''',",
            "}",
            "sizes, imports, calls = {}, {}, {}",
            "for language, source in sources.items():",
            "    wasm = compile_source(language, source).wasm",
            "    sizes[language] = len(wasm)",
            "    module = wasmtime.Module(wasmtime.Engine(), wasm)",
            "    imports[language] = sorted(i.name for i in module.imports)",
            "    result = run(wasm, Sandbox())",
            "    calls[language] = [e.call for e in result.trace]",
            "for language in sources:",
            "    print(f'{language:5} {sizes[language]:>8} bytes')",
            "    print('      imports:', ', '.join(imports[language]))",
            "    print('      calls  :', ' '.join(calls[language]))",
            ),
            ("bytes')", "octets')"),
            ("'      calls  :'", "'      appels :'"),
        )
    ),
    md(
        """
## And natively?

The same C program built for this machine with `gcc -O2`. A native binary is not sandboxed: it
calls the operating system directly and can open any file its user can.
""",
        """
## Et en natif ?

Le même programme C compilé pour cette machine avec `gcc -O2`. Un binaire natif n'est pas dans
un bac à sable : il appelle directement le système d'exploitation et peut ouvrir n'importe quel
fichier accessible à son utilisateur.
""",
    ),
    code(
        *_fr(
            _py(
            "import os, shutil, subprocess, tempfile",
            "gcc = shutil.which('gcc') or shutil.which('cc')",
            "if gcc is None:",
            "    print('no native C compiler on this machine: the native build is skipped')",
            "else:",
            "    folder = tempfile.mkdtemp()",
            "    with open(os.path.join(folder, 'hello.c'), 'w') as f:",
            f"        f.write(r'''{HELLO_C}''')",
            "    exe = os.path.join(folder, 'hello')",
            "    subprocess.run([gcc, '-O2', '-o', exe, os.path.join(folder, 'hello.c')], check=True)",
            "    sizes['native'] = os.path.getsize(exe)",
            "    print(subprocess.run([exe], capture_output=True, text=True).stdout.strip())",
            "    print('native ELF:', sizes['native'], 'bytes, plus the shared C library it loads')",
            "print(sizes)",
            ),
            ("'no native C compiler on this machine: the native build is skipped'", "'pas de compilateur C natif sur cette machine : pas de compilation native'"),
            ("'native ELF:', sizes['native'], 'bytes, plus the shared C library it loads'", "'ELF natif :', sizes['native'], 'octets, plus la bibliothèque C partagée qu\\'il charge'"),
        )
    ),
    md(
        """
`strace` (when installed) lists the system calls of the native program: the dynamic loader
opens and maps the C library, sets up the process, and only then writes the line. The wasm
modules made one or two WASI calls, each one checked by the host.
""",
        """
`strace` (s'il est installé) liste les appels système du programme natif : le chargeur
dynamique ouvre et projette la bibliothèque C, prépare le processus, et seulement ensuite écrit
la ligne. Les modules wasm ont fait un ou deux appels WASI, chacun vérifié par l'hôte.
""",
    ),
    code(
        *_fr(
            _py(
            "strace = shutil.which('strace')",
            "if gcc is None or strace is None:",
            "    print('strace or gcc is missing here: install strace to see the native system calls')",
            "else:",
            "    log = os.path.join(folder, 'strace.txt')",
            "    done = subprocess.run([strace, '-qq', '-o', log, exe], capture_output=True, text=True)",
            "    if done.returncode != 0:",
            "        print('strace could not trace here (ptrace is not allowed):', done.stderr.strip())",
            "    else:",
            "        names = [line.split('(')[0] for line in open(log) if '(' in line]",
            "        print(len(names), 'native system calls:', ' '.join(names))",
            "        print('files it opened:', [l.split('\"')[1] for l in open(log) if l.startswith('openat')])",
            ),
            ("'strace or gcc is missing here: install strace to see the native system calls'", "'strace ou gcc manque ici : installez strace pour voir les appels système natifs'"),
            ("'strace could not trace here (ptrace is not allowed):'", "'strace ne peut pas tracer ici (ptrace est interdit) :'"),
            ("'native system calls:'", "'appels système natifs :'"),
            ("'files it opened:'", "'fichiers ouverts :'"),
        )
    ),
    md(
        """
**Try it.** Add `-Oz` to the `%%c` line (`%%c -Oz`) and compare the size again. Which part of
the C module is your code, and which part is the C library's start-up?

## Exercise: the smallest

Which language gives the smallest *wasm* module? Answer with `'wat'`, `'c'` or `'rust'`; the
check compares your answer with the sizes you measured.
""",
        """
**À vous.** Ajoutez `-Oz` à la ligne `%%c` (`%%c -Oz`) et comparez de nouveau la taille. Quelle
part du module C est votre code, et quelle part est le démarrage de la bibliothèque C ?

## Exercice : le plus petit

Quel langage donne le plus petit module *wasm* ? Répondez par `'wat'`, `'c'` ou `'rust'` ; la
vérification compare votre réponse aux tailles que vous avez mesurées.
""",
    ),
    code(
        _py(
            "wasm_sizes = {k: v for k, v in sizes.items() if k != 'native'}",
            "answer = 'rust'",
            "check_smallest_module(answer, wasm_sizes)",
        )
    ),
    md(
        """
## Summary

- The three modules print the same line through the same `fd_write`; the C and Rust ones make
  a few more calls first (their libraries ask about stdout, arguments or environment).
- Hand-written WAT is tiny; a language's standard library costs kilobytes, still far less than
  a container image.
- A native build is small too but is not sandboxed: the sandbox is what WASI adds.
""",
        """
## À retenir

- Les trois modules affichent la même ligne par le même `fd_write` ; ceux en C et en Rust font
  d'abord quelques appels de plus (leur bibliothèque s'informe sur stdout, les arguments ou
  l'environnement).
- Le WAT écrit à la main est minuscule ; la bibliothèque standard d'un langage coûte des
  kilo-octets, bien moins qu'une image de conteneur.
- Un binaire natif est petit lui aussi, mais il n'est pas isolé : le bac à sable, c'est ce
  qu'apporte WASI.
""",
    ),
]

# ----------------------------------------------------------------------------- lesson 7

WORK_WAT = r'''
(module
  ;; n rounds of a xorshift random generator, summed: no call, no memory, only computing
  (func (export "work") (param $n i32) (result i32) (local $x i32) (local $acc i32)
    (local.set $x (i32.const 2463534242))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 13))))
        (local.set $x (i32.xor (local.get $x) (i32.shr_u (local.get $x) (i32.const 17))))
        (local.set $x (i32.xor (local.get $x) (i32.shl (local.get $x) (i32.const 5))))
        (local.set $acc (i32.add (local.get $acc) (local.get $x)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (local.get $acc))
  (func (export "_start")))
'''

WORK_C = r'''
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

unsigned work(unsigned n) {
    unsigned x = 2463534242u, acc = 0;
    while (n) { x ^= x << 13; x ^= x >> 17; x ^= x << 5; acc += x; n--; }
    return acc;
}

int main(int argc, char **argv) {
    unsigned n = argc > 1 ? (unsigned)atoi(argv[1]) : 0;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    unsigned r = work(n);
    clock_gettime(CLOCK_MONOTONIC, &b);
    printf("%u %ld\n", r, (b.tv_sec - a.tv_sec) * 1000000000L + (b.tv_nsec - a.tv_nsec));
    return 0;
}
'''

NODE_SCRIPT = r'''
import { readFileSync } from 'node:fs';
const bytes = readFileSync(process.argv[2]);
const n = Number(process.argv[3]);
const t0 = process.hrtime.bigint();
const { instance } = await WebAssembly.instantiate(bytes);
const t1 = process.hrtime.bigint();
let best = Infinity, r = 0;
for (let i = 0; i < 3; i++) {  // the best of three: V8 compiles hot code again, faster
  const a = process.hrtime.bigint();
  r = instance.exports.work(n) >>> 0;
  best = Math.min(best, Number(process.hrtime.bigint() - a));
}
process.stdout.write(`${t1 - t0} ${best} ${r}\n`);
'''

L07_SETUP = _py(
    "import os, shutil, statistics, subprocess, tempfile, time",
    "import wasmtime",
    f"WORK_WAT = r'''{WORK_WAT}'''",
    f"WORK_C = r'''{WORK_C}'''",
    f"NODE_SCRIPT = r'''{NODE_SCRIPT}'''",
    "folder = tempfile.mkdtemp()",
    "work_wasm = bytes(wasmtime.wat2wasm(WORK_WAT))",
    "wasm_path = os.path.join(folder, 'work.wasm')",
    "with open(wasm_path, 'wb') as f:",
    "    f.write(work_wasm)",
    "",
    "def median_time(fn, repeat):",
    '    """The median, in seconds, of `repeat` timings of fn()."""',
    "    times = []",
    "    for _ in range(repeat):",
    "        start = time.perf_counter()",
    "        fn()",
    "        times.append(time.perf_counter() - start)",
    "    return statistics.median(times)",
    "",
    "def ns_per_round(fn, n, repeat=3):",
    '    """The best of `repeat` timings of fn(n), in nanoseconds per round (the least disturbed)."""',
    "    best = float('inf')",
    "    for _ in range(repeat):",
    "        start = time.perf_counter()",
    "        fn(n)",
    "        best = min(best, time.perf_counter() - start)",
    "    return best * 1e9 / n",
    "",
    "startup = {}    # name -> seconds, or a sentence saying why it was not measured",
    "execution = {}  # name -> nanoseconds per round of `work`, or a sentence",
    "N = 1_000_000   # rounds for the fast engines; the slow ones do fewer and are scaled",
)

L07_NATIVE = _py(
    "gcc = shutil.which('gcc') or shutil.which('cc')",
    "expected = None",
    "if gcc:",
    "    source = os.path.join(folder, 'work.c')",
    "    with open(source, 'w') as f:",
    "        f.write(WORK_C)",
    "    native = os.path.join(folder, 'work-native')",
    "    subprocess.run([gcc, '-O2', '-o', native, source], check=True)",
    "    startup['native process, gcc -O2 (fork+exec)'] = median_time(",
    "        lambda: subprocess.run([native, '0'], capture_output=True), 20)",
    "    value, ns = subprocess.run([native, str(N)], capture_output=True, text=True).stdout.split()",
    "    expected, execution['native, gcc -O2'] = int(value), int(ns) / N",
    "else:",
    "    startup['native process, gcc -O2 (fork+exec)'] = 'not measured: no C compiler on PATH'",
    "    execution['native, gcc -O2'] = 'not measured: no C compiler on PATH'",
    "",
    "docker = shutil.which('docker')",
    "if docker and subprocess.run([docker, 'info'], capture_output=True).returncode == 0:",
    "    startup['container (docker run hello-world)'] = median_time(",
    "        lambda: subprocess.run([docker, 'run', '--rm', 'hello-world'], capture_output=True), 3)",
    "elif docker:",
    "    startup['container (docker run hello-world)'] = 'not measured: no docker daemon running here'",
    "else:",
    "    startup['container (docker run hello-world)'] = 'not measured: docker is not installed'",
)

L07_WASMTIME = _py(
    "def wasmtime_engine(opt_level=None, target=None):",
    "    config = wasmtime.Config()",
    "    if opt_level:",
    "        config.cranelift_opt_level = opt_level",
    "    if target:",
    "        config.target = target",
    "    return wasmtime.Engine(config)",
    "",
    "variants = [('wasmtime, Cranelift opt none', 'none', None),",
    "            ('wasmtime, Cranelift opt speed', 'speed', None),",
    "            ('wasmtime, Cranelift opt speed_and_size', 'speed_and_size', None),",
    "            ('wasmtime, Pulley interpreter', None, 'pulley64')]",
    "for name, opt_level, target in variants:",
    "    engine = wasmtime_engine(opt_level, target)",
    "    startup[name + ' (compile + instantiate)'] = median_time(",
    "        lambda: wasmtime.Instance(wasmtime.Store(engine), wasmtime.Module(engine, work_wasm), []), 10)",
    "    module = wasmtime.Module(engine, work_wasm)",
    "    startup[name + ' (instantiate)'] = median_time(",
    "        lambda: wasmtime.Instance(wasmtime.Store(engine), module, []), 50)",
    "    store = wasmtime.Store(engine)",
    "    work = wasmtime.Instance(store, module, []).exports(store)['work']",
    "    if expected is not None:",
    "        value = work(store, N) & 0xFFFFFFFF",
    "        assert value == expected, f'{name} computed {value}, native {expected}'",
    "    execution[name] = ns_per_round(lambda n: work(store, n), N if target is None else N // 10)",
)

L07_OTHERS = _py(
    "try:",
    "    import wasm3",
    "    def load_wasm3():",
    "        env = wasm3.Environment()",
    "        runtime = env.new_runtime(64 * 1024)",
    "        runtime.load(env.parse_module(work_wasm))",
    "        return runtime",
    "    startup['wasm3 via pywasm3 (load)'] = median_time(load_wasm3, 50)",
    "    execution['wasm3 via pywasm3'] = ns_per_round(load_wasm3().find_function('work'), N // 10)",
    "except ImportError:",
    "    startup['wasm3 via pywasm3 (load)'] = 'not measured: pywasm3 is not installed'",
    "    execution['wasm3 via pywasm3'] = 'not measured: pywasm3 is not installed'",
    "",
    "from wasikernel.engines import run",
    "def ours(name, engine, repeat, n):",
    "    try:",
    "        startup[name + ' (whole run)'] = median_time(",
    "            lambda: run(work_wasm, Sandbox(), engine=engine), repeat)",
    "        result = run(work_wasm, Sandbox(), engine=engine, invoke='work', invoke_args=(n,))",
    "        if result.trap is not None:",
    "            execution[name] = f'not measured: {result.trap.message}'",
    "        else:",
    "            execution[name] = ns_per_round(",
    "                lambda k: run(work_wasm, Sandbox(), engine=engine, invoke='work', invoke_args=(k,)),",
    "                n, repeat=2)",
    "    except Exception as error:",
    "        startup[name + ' (whole run)'] = execution[name] = f'not measured: {error}'",
    "ours('our WASI host on wasmtime', 'wasmtime', 10, N)",
    "ours('our step-through interpreter', 'stepper', 3, 2_000)",
    "",
    "node = shutil.which('node')",
    "if node:",
    "    script = os.path.join(folder, 'work.mjs')",
    "    with open(script, 'w') as f:",
    "        f.write(NODE_SCRIPT)",
    "    startup['node process, V8 (whole run)'] = median_time(",
    "        lambda: subprocess.run([node, script, wasm_path, '0'], capture_output=True), 5)",
    "    fields = subprocess.run([node, script, wasm_path, str(N)],",
    "                            capture_output=True, text=True).stdout.split()",
    "    startup['node, V8 (instantiate)'] = int(fields[0]) / 1e9",
    "    execution['node, V8'] = int(fields[1]) / N",
    "else:",
    "    startup['node process, V8 (whole run)'] = execution['node, V8'] = 'not measured: no node on PATH'",
    "",
    "for cli in ('wasmtime', 'wasmedge', 'wasmer', 'iwasm'):",
    "    path = shutil.which(cli)",
    "    if path:",
    "        startup[f'{cli} CLI (whole process)'] = median_time(",
    "            lambda: subprocess.run([path, wasm_path], capture_output=True), 5)",
    "    else:",
    "        startup[f'{cli} CLI (whole process)'] = f'not measured: no {cli} on PATH'",
)

L07_ENGINES = _py(
    "from wasikernel.engines import ENGINES, run",
    f"hello_wasm = bytes(wasmtime.wat2wasm(r'''{HELLO_WAT}'''))",
    "adapters = {}  # engine name -> seconds for a whole run of hello through our WASI host",
    "for name in ENGINES:",
    "    try:",
    "        run(hello_wasm, Sandbox(), engine=name)  # warm-up: load the adapter, compile",
    "        adapters[name] = median_time(lambda: run(hello_wasm, Sandbox(), engine=name), 3)",
    "    except Exception as error:",
    "        adapters[name] = f'not measured: {error}'",
    "for name, value in adapters.items():",
    "    print(f'  {name:14}', f'{value * 1e3:9.2f} ms' if isinstance(value, float) else value)",
)

L07_TABLE = _py(
    "def show(title, table, unit, scale):",
    "    print(title)",
    "    for name, value in table.items():",
    "        figure = f'{value * scale:12.4f} {unit}' if isinstance(value, float) else '   ' + value",
    "        print(f'  {name:62} {figure}')",
    "show('start-up (median)', startup, 'ms', 1e3)",
    "show('execution of work(n)', execution, 'ns per round', 1)",
)

L07_PLOT = _py(
    "try:",
    "    import matplotlib.pyplot as plt",
    "except ImportError:",
    "    plt = None",
    "    print('matplotlib is not installed: the table above is all there is')",
    "if plt is not None:",
    "    fig, axes = plt.subplots(1, 2, figsize=(12, 5))",
    "    for ax, (title, table, scale, unit) in zip(axes, [",
    "            ('start-up', startup, 1e3, 'ms (log scale)'),",
    "            ('execution of work(n)', execution, 1, 'ns per round (log scale)')]):",
    "        measured = {k: v * scale for k, v in table.items() if isinstance(v, float)}",
    "        ax.barh(list(measured), list(measured.values()), color='#4c72b0')",
    "        ax.set_xscale('log')",
    "        ax.set_title(title)",
    "        ax.set_xlabel(unit)",
    "        ax.invert_yaxis()",
    "    fig.tight_layout()",
    "    plt.show()",
)

L07_CLAIMS = (
    _py(
        "native_start = startup.get('native process, gcc -O2 (fork+exec)')",
        "wasm_start = startup['wasmtime, Cranelift opt speed (instantiate)']",
        "native_run = execution.get('native, gcc -O2')",
        "wasm_run = execution['wasmtime, Cranelift opt speed']",
        "print('Claim: start-up 100x faster than a (light) container.')",
        "print('   container here:', startup['container (docker run hello-world)'])",
        "if isinstance(native_start, float):",
        "    print(f'   measured instead: a native process starts in {native_start * 1e3:.3f} ms,'",
        "          f' a wasm instance in {wasm_start * 1e3:.4f} ms, {native_start / wasm_start:.0f}x faster;'",
        "          ' a container also starts a process, so it is slower still')",
        "print('Claim: execution 10 to 50 % faster (and WasmEdge 20 % faster than a container).')",
        "if isinstance(native_run, float):",
        "    speed = native_run / wasm_run * 100",
        "    print(f'   measured: Cranelift {wasm_run:.3f} ns/round, gcc -O2 {native_run:.3f} ns/round:'",
        "          f' wasm runs at {speed:.0f} % of native speed on this loop (the claim would be 110-150 %)')",
        "print('   WasmEdge:', startup.get('wasmedge CLI (whole process)', 'not measured'))",
    ),
    _py(
        "natif_dem = startup.get('native process, gcc -O2 (fork+exec)')",
        "wasm_dem = startup['wasmtime, Cranelift opt speed (instantiate)']",
        "natif_exec = execution.get('native, gcc -O2')",
        "wasm_exec = execution['wasmtime, Cranelift opt speed']",
        "print(\"Affirmation : démarrage 100 fois plus rapide qu'un conteneur (léger).\")",
        "print('   conteneur ici :', startup['container (docker run hello-world)'])",
        "if isinstance(natif_dem, float):",
        "    print(f'   mesuré à la place : un processus natif démarre en {natif_dem * 1e3:.3f} ms,'",
        "          f' une instance wasm en {wasm_dem * 1e3:.4f} ms, {natif_dem / wasm_dem:.0f} fois plus vite ;'",
        "          ' un conteneur lance lui aussi un processus, il est donc plus lent encore')",
        "print(\"Affirmation : exécution 10 à 50 % plus rapide (et WasmEdge 20 % plus rapide qu'un conteneur).\")",
        "if isinstance(natif_exec, float):",
        "    vitesse = natif_exec / wasm_exec * 100",
        "    print(f'   mesuré : Cranelift {wasm_exec:.3f} ns/tour, gcc -O2 {natif_exec:.3f} ns/tour :'",
        "          f' le wasm tourne à {vitesse:.0f} % de la vitesse native sur cette boucle (l’affirmation dirait 110-150 %)')",
        "print('   WasmEdge :', startup.get('wasmedge CLI (whole process)', 'not measured'))",
    ),
)

L07 = [
    md(
        """
# 7 · Choosing a runtime

**Goals.** Know the main WASI runtimes and who makes them; measure, on this very machine, how
fast a module starts and runs under each engine available here; and set the claims usually made
about WebAssembly beside your own figures.

## The runtimes

- **WasmEdge** (Second State, a sandbox project of the CNCF): light and extensible, aimed at
  cloud-native, edge and decentralised applications: serverless functions behind a static
  front-end (Jamstack), cars, IoT. Extensions add TensorFlow, Ethereum and network sockets
  (built on the WASI-sockets proposal). Its makers claim, against Linux containers, up to
  **100x faster start-up**, **20 % faster execution** and **1/100 of the size**.
- **Wasmtime** (the Bytecode Alliance, a non-profit): a command-line tool and a library to
  embed (this kernel embeds it through `wasmtime-py`). It compiles with **Cranelift** for every
  use, which can cost speed in some cases compared with Wasmer's choice of back-ends. It now
  also ships **Pulley**, a portable interpreter for machines Cranelift cannot target.
- **Wasmer**: 1.0 came out at the start of 2021; made to be embedded in many host languages,
  to run the same binary on any system and chip, and to bridge modules to the OS through ABIs
  such as WASI. Its back-ends are pluggable (Cranelift among them); its developers ran an
  unmodified Nginx on it; it came with a package manager, **wapm**.
- **The Bytecode Alliance** (founded by Mozilla, Fastly, Intel and Red Hat, since joined by
  Amazon, ARM, Docker, Google, Microsoft and others) implements the W3C's WASM and WASI
  standards: Wasmtime; **Lucet**, ahead-of-time compilation for low latency and high
  concurrency (since folded into Wasmtime); **WAMR**, the WebAssembly Micro Runtime, an
  interpreter for embedded devices (its CLI is `iwasm`); **Cranelift**, a code generator
  written in Rust that puts safety first.

No runtime wins everywhere: the standards and their implementations are young, so the honest
answer is to measure for your own use. That is what this lesson does.
""",
        """
# 7 · Choisir un runtime

**Objectifs.** Connaître les principaux runtimes WASI et ceux qui les font ; mesurer, sur cette
machine même, la vitesse de démarrage et d'exécution d'un module sous chaque moteur disponible ;
et mettre les affirmations habituelles sur le WebAssembly à côté de vos propres chiffres.

## Les runtimes

- **WasmEdge** (Second State, projet « sandbox » de la CNCF) : léger et extensible, pensé pour
  les applications cloud native, edge et décentralisées : fonctions serverless derrière un
  front-end statique (Jamstack), automobile, IoT. Des extensions ajoutent TensorFlow, Ethereum
  et les sockets réseau (fondées sur la proposition WASI-sockets). Ses auteurs annoncent, face
  aux conteneurs Linux, un **démarrage jusqu'à 100 fois plus rapide**, une **exécution 20 %
  plus rapide** et **1/100 de la taille**.
- **Wasmtime** (la Bytecode Alliance, sans but lucratif) : un outil en ligne de commande et une
  bibliothèque à embarquer (ce noyau l'embarque via `wasmtime-py`). Il compile avec
  **Cranelift** dans tous les cas, ce qui peut coûter en vitesse dans certains usages face aux
  back-ends au choix de Wasmer. Il fournit aussi désormais **Pulley**, un interpréteur portable
  pour les machines que Cranelift ne sait pas viser.
- **Wasmer** : la version 1.0 est sortie début 2021 ; conçu pour être embarqué dans de nombreux
  langages hôtes, pour faire tourner le même binaire sur tout système et toute puce, et pour
  relier les modules au système par des ABI comme WASI. Ses back-ends sont interchangeables
  (Cranelift parmi eux) ; ses développeurs y ont fait tourner un Nginx non modifié ; il
  s'accompagnait d'un gestionnaire de paquets, **wapm**.
- **La Bytecode Alliance** (fondée par Mozilla, Fastly, Intel et Red Hat, rejoints depuis par
  Amazon, ARM, Docker, Google, Microsoft et d'autres) implémente les standards WASM et WASI du
  W3C : Wasmtime ; **Lucet**, compilation à l'avance pour une faible latence et une forte
  concurrence (depuis fondu dans Wasmtime) ; **WAMR**, le WebAssembly Micro Runtime, un
  interpréteur pour l'embarqué (sa CLI s'appelle `iwasm`) ; **Cranelift**, un générateur de
  code écrit en Rust qui met la sûreté au premier plan.

Aucun runtime ne gagne partout : les standards et leurs implémentations sont jeunes, la
réponse honnête est donc de mesurer pour son propre usage. C'est ce que fait cette leçon.
""",
    ),
    md(
        """
## The workload

One module for every engine: `work(n)` runs `n` rounds of a small random generator. It makes no
WASI call, so it measures the engine alone. The native baseline is the same loop in C, compiled
with `gcc -O2`, timed inside the process. Each cell below measures a few engines; an engine
that is not on this machine is reported as *not measured*, with the reason, never with a made-up
figure.
""",
        """
## La charge de travail

Un seul module pour tous les moteurs : `work(n)` exécute `n` tours d'un petit générateur
aléatoire. Il ne fait aucun appel WASI : on mesure donc le moteur seul. La référence native est
la même boucle en C, compilée avec `gcc -O2`, chronométrée dans le processus. Chaque cellule
ci-dessous mesure quelques moteurs ; un moteur absent de cette machine est signalé *not
measured*, avec la raison, jamais avec un chiffre inventé.
""",
    ),
    code(L07_SETUP),
    code(L07_NATIVE),
    code(L07_WASMTIME),
    code(L07_OTHERS),
    md(
        """
Every engine above also runs under **our** WASI host, through the adapters of
`wasikernel.engines` (the command-line runtimes only when they are on PATH). A whole run of the
hello module, host and trace included:
""",
        """
Chacun des moteurs ci-dessus tourne aussi sous **notre** hôte WASI, grâce aux adaptateurs de
`wasikernel.engines` (les runtimes en ligne de commande seulement s'ils sont dans le PATH). Une
exécution complète du module hello, hôte et trace compris :
""",
    ),
    code(L07_ENGINES),
    md(
        """
### Whole programs: `wasikernel.compare`

The project's own comparison does the same with a C program compiled to wasm, each run a whole
program through our WASI host, against the same C built natively and started as a process. Its
start-up table takes a few seconds; its execution table (a C benchmark at `-O2` against
`gcc -O2`, start-up subtracted) about half a minute, so it runs only when you ask.
""",
        """
### Des programmes entiers : `wasikernel.compare`

La comparaison du projet fait de même avec un programme C compilé en wasm, chaque exécution
étant un programme entier passé par notre hôte WASI, face au même C compilé en natif et lancé
comme processus. Son tableau de démarrage prend quelques secondes ; son tableau d'exécution (un
banc d'essai C en `-O2` face à `gcc -O2`, démarrage soustrait) environ une demi-minute : il ne
tourne que si vous le demandez.
""",
    ),
    code(
        _py(
            "from wasikernel import compare",
            "print(compare.to_table(compare.measure_startup(repeat=3)))",
        )
    ),
    code(
        *_fr(
            _py(
                "LONG = False  # True: also measure execution (about 30 s)",
                "if LONG:",
                "    print(compare.to_table(compare.measure_execution()))",
                "else:",
                "    print('execution table skipped: set LONG = True and run this cell again')",
            ),
            ("# True: also measure execution (about 30 s)", "# True : mesurer aussi l'exécution (environ 30 s)"),
            ("'execution table skipped: set LONG = True and run this cell again'",
             "'tableau d\\'exécution non calculé : mettez LONG = True et relancez cette cellule'"),
        )
    ),
    md(
        """
## Your figures

Start-up counts two things for wasm: compiling the module (Cranelift's work, done once and
cachable) and instantiating it (done for every request). A process pays `fork` + `exec` + the
dynamic loader every time.
""",
        """
## Vos chiffres

Pour le wasm, le démarrage compte deux choses : compiler le module (le travail de Cranelift,
fait une fois et qu'on peut mettre en cache) et l'instancier (fait à chaque requête). Un
processus paie à chaque fois `fork` + `exec` + le chargeur dynamique.
""",
    ),
    code(
        *_fr(
            L07_TABLE,
            ("'start-up (median)'", "'démarrage (médiane)'"),
            ("'execution of work(n)'", "'exécution de work(n)'"),
            ("'ns per round'", "'ns par tour'"),
        )
    ),
    code(
        *_fr(
            L07_PLOT,
            ("('start-up', startup", "('démarrage', startup"),
            ("'ms (log scale)'", "'ms (échelle log)'"),
            ("('execution of work(n)', execution", "('exécution de work(n)', execution"),
            ("'ns per round (log scale)'", "'ns par tour (échelle log)'"),
            ("'matplotlib is not installed: the table above is all there is'",
             "'matplotlib n\\'est pas installé : le tableau ci-dessus suffira'"),
        )
    ),
    md(
        """
## The claims, beside the measurements
""",
        """
## Les affirmations, à côté des mesures
""",
    ),
    code(*L07_CLAIMS),
    md(
        """
**Think about it.** The loop here is friendly to every compiler; a program that calls the host
often (file I/O through a WASI layer) pays for each crossing instead. Which of the chapter's
claims did your machine confirm, and which compared wasm with something other than what you
measured?

## Exercise: a ratio

How many times faster does a wasm instance start than a native process, on this machine?
Compute it from the table (`startup[...]`) and put the number in `answer`.
""",
        """
**Réfléchissez.** La boucle d'ici plaît à tous les compilateurs ; un programme qui appelle
souvent l'hôte (des entrées-sorties à travers une couche WASI) paie au contraire chaque passage.
Lesquelles des affirmations du chapitre votre machine a-t-elle confirmées, et lesquelles
comparaient le wasm à autre chose que ce que vous avez mesuré ?

## Exercice : un rapport

Combien de fois plus vite une instance wasm démarre-t-elle qu'un processus natif, sur cette
machine ? Calculez-le à partir du tableau (`startup[...]`) et mettez le nombre dans `answer`.
""",
    ),
    code(
        _py(
            "slower = startup['native process, gcc -O2 (fork+exec)']",
            "faster = startup['wasmtime, Cranelift opt speed (instantiate)']",
            "answer = 0  # replace with your ratio",
            "if isinstance(slower, float):",
            "    display(check_speedup(answer, slower, faster, claim=100))",
        ),
        _py(
            "slower = startup['native process, gcc -O2 (fork+exec)']",
            "faster = startup['wasmtime, Cranelift opt speed (instantiate)']",
            "answer = 0  # remplacez par votre rapport",
            "if isinstance(slower, float):",
            "    display(check_speedup(answer, slower, faster, claim=100))",
        ),
    ),
    md(
        """
## Summary

- Instantiating a compiled module takes microseconds; starting a process takes about a
  millisecond, a container far more: the start-up claim holds in spirit.
- With Cranelift, this loop runs close to `gcc -O2`; interpreters (Pulley, wasm3, our stepper)
  are many times slower but start fast and run anywhere.
- "Faster than native" depends on the workload and on what is compared: measure your own case.
""",
        """
## À retenir

- Instancier un module compilé prend quelques microsecondes ; lancer un processus, environ une
  milliseconde, un conteneur bien plus : l'affirmation sur le démarrage tient sur le fond.
- Avec Cranelift, cette boucle tourne près de `gcc -O2` ; les interpréteurs (Pulley, wasm3,
  notre stepper) sont bien plus lents mais démarrent vite et tournent partout.
- « Plus rapide que le natif » dépend de la charge et de ce qu'on compare : mesurez votre cas.
""",
    ),
]

# ----------------------------------------------------------------------------- lesson 8

MIXED_WAT = r'''
(module
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi" "thread-spawn" (func $spawn (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "sock_open"
    (func $sock_open (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "clock_time_get"
    (func $clock (param i32 i64 i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
'''

L08 = [
    md(
        """
# 8 · The limits

**Goals.** See what WASI preview 1 cannot do: start threads, open network connections; know
why, what runtimes add on their own, and what preview 2 and the component model change.

The chapter is frank about the drawbacks: server-side WebAssembly is young and moves fast, its
community is small next to Docker's, and the WASI specification cannot do everything yet: no
**real multi-threading** on the server, for one. It may not be worth it when you need neither
portability (edge computing, small chips) nor the sandbox's security.
""",
        """
# 8 · Les limites

**Objectifs.** Voir ce que WASI preview 1 ne sait pas faire : lancer des threads, ouvrir des
connexions réseau ; savoir pourquoi, ce que les runtimes ajoutent de leur côté, et ce que
changent la preview 2 et le modèle de composants.

Le chapitre est franc sur les inconvénients : le WebAssembly côté serveur est jeune et évolue
vite, sa communauté est petite à côté de celle de Docker, et la spécification WASI ne permet pas
encore tout : pas de **vrai multi-threading** côté serveur, par exemple. Cela ne vaut peut-être
pas la peine si vous n'avez besoin ni de portabilité (edge computing, petites puces) ni de la
sécurité du bac à sable.
""",
    ),
    md(
        """
## Threads

A wasm thread cannot start itself: the host must create a new instance on a new OS thread.
The *wasi-threads* proposal names that host function `thread-spawn` (module `wasi`). Our host,
like plain preview 1, does not provide it, so the module is refused before it runs: the trace
has one event in phase `link` per missing import.
""",
        """
## Les threads

Un thread wasm ne peut pas se lancer lui-même : l'hôte doit créer une nouvelle instance sur un
nouveau thread du système. La proposition *wasi-threads* appelle cette fonction d'hôte
`thread-spawn` (module `wasi`). Notre hôte, comme la preview 1 seule, ne la fournit pas : le
module est refusé avant de tourner, et la trace contient un événement de phase `link` par import
manquant.
""",
    ),
    code(THREADS_WAT),
    md(
        """
## Sockets

Preview 1 can use a socket the host already opened, but has no call to create one. WasmEdge
added its own (`sock_open`, `sock_connect` ... following the WASI-sockets proposal): a module
built for WasmEdge imports them, and any other runtime refuses it at link time, as ours does.
Portability ends where a runtime's extensions begin.
""",
        """
## Les sockets

La preview 1 sait utiliser une socket que l'hôte a déjà ouverte, mais n'a aucun appel pour en
créer une. WasmEdge a ajouté les siens (`sock_open`, `sock_connect` ..., d'après la proposition
WASI-sockets) : un module construit pour WasmEdge les importe, et tout autre runtime le refuse à
l'édition des liens, comme le nôtre. La portabilité s'arrête là où commencent les extensions
d'un runtime.
""",
    ),
    code(SOCKET_WAT),
    md(
        """
## Preview 2 and the component model

WASI preview 2 is no longer a flat list of functions over integers. Interfaces are described in
**WIT** (`wasi:filesystem`, `wasi:sockets`, `wasi:http`, `wasi:clocks` ...) and a program ships
as a **component**: modules wrapped with typed imports and exports (strings, records, lists,
*resources* that stand for handles), linked through a canonical ABI. Sockets and HTTP are part
of it, granted as capabilities like folders are. A component is a different binary: its header
says so, as the cell below shows for a core module.
""",
        """
## La preview 2 et le modèle de composants

WASI preview 2 n'est plus une liste plate de fonctions sur des entiers. Les interfaces sont
décrites en **WIT** (`wasi:filesystem`, `wasi:sockets`, `wasi:http`, `wasi:clocks` ...) et un
programme est livré comme **composant** : des modules enveloppés avec des imports et exports
typés (chaînes, enregistrements, listes, *ressources* qui représentent des poignées), reliés par
une ABI canonique. Les sockets et HTTP en font partie, accordés comme des capacités, à la manière
des dossiers. Un composant est un autre binaire : son en-tête le dit, comme le montre la cellule
ci-dessous pour un module classique.
""",
    ),
    code(
        _py(
            "import wasmtime",
            "core = bytes(wasmtime.wat2wasm('(module)'))",
            "print('core module header:', core[:8].hex(' '))",
            "print('  magic', core[:4], 'version', int.from_bytes(core[4:6], 'little'),",
            "      'layer', int.from_bytes(core[6:8], 'little'))",
            "print('a component has version 0x0d and layer 1 in the same place')",
        ),
        _py(
            "import wasmtime",
            "core = bytes(wasmtime.wat2wasm('(module)'))",
            "print('en-tête du module :', core[:8].hex(' '))",
            "print('  magique', core[:4], 'version', int.from_bytes(core[4:6], 'little'),",
            "      'couche', int.from_bytes(core[6:8], 'little'))",
            "print('un composant porte la version 0x0d et la couche 1 au même endroit')",
        ),
    ),
    md(
        """
## Exercise: what is refused?

This module imports four functions. Which ones does the host refuse at link time? List their
names in `answer`; the check runs the module and compares.
""",
        """
## Exercice : qu'est-ce qui est refusé ?

Ce module importe quatre fonctions. Lesquelles l'hôte refuse-t-il à l'édition des liens ?
Donnez leurs noms dans `answer` ; la vérification exécute le module et compare.
""",
    ),
    code(
        _py(
            f"module = r'''{MIXED_WAT}'''",
            "answer = ['fd_write']",
            "check_link_refusals(answer, module)",
        )
    ),
    md(
        """
## Summary

- Preview 1 has no call to start a thread or open a connection; modules that import one are
  refused at link time, before any instruction runs.
- Runtimes add extensions (WasmEdge's sockets); a module using one runs only there.
- Preview 2 brings typed interfaces (WIT), components, sockets and HTTP, still as capabilities.
""",
        """
## À retenir

- La preview 1 n'a aucun appel pour lancer un thread ou ouvrir une connexion ; un module qui en
  importe un est refusé à l'édition des liens, avant toute instruction.
- Les runtimes ajoutent des extensions (les sockets de WasmEdge) ; un module qui s'en sert ne
  tourne que là.
- La preview 2 apporte des interfaces typées (WIT), des composants, les sockets et HTTP,
  toujours sous forme de capacités.
""",
    ),
]

# ----------------------------------------------------------------------------- lesson 9

WC_C = r'''
#include <stdio.h>

int main(void) {
    FILE *f = fopen("/data/input.txt", "r");
    if (!f) { perror("/data/input.txt"); return 1; }
    long lines = 0;
    int c;
    while ((c = fgetc(f)) != EOF)
        if (c == '\n') lines++;
    fclose(f);
    printf("%ld\n", lines);
    return 0;
}
'''

ATTACK_C = r'''
#include <stdio.h>

static void try_read(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) { printf("refused: %s\n", path); return; }
    char buf[128] = {0};
    fread(buf, 1, sizeof buf - 1, f);
    printf("READ %s: %s\n", path, buf);
    fclose(f);
}

int main(void) {
    try_read("/data/public.txt");      /* allowed: it is inside the grant */
    try_read("/data/../secret.txt");   /* route 1: climb out with .. */
    /* add more routes here: an absolute path, the symbolic link /data/shortcut, ... */
    return 0;
}
'''

L09 = [
    md(
        """
# 9 · Capstone

**Goals.** Put the course together: write a small tool that works with the fewest capabilities,
then play attacker and try every route you can think of to a secret outside the sandbox.

WASI's promise comes down to this: a host can run code it does not trust, because the code
reaches only what it was handed. Portability, a small binary, fast start-up are the other
reasons to choose it; the sandbox is the one this capstone tests.
""",
        """
# 9 · Projet final

**Objectifs.** Rassembler le cours : écrire un petit outil qui fonctionne avec le moins de
capacités possible, puis jouer l'attaquant et tenter toutes les routes imaginables vers un
secret situé hors du bac à sable.

La promesse de WASI se résume ainsi : un hôte peut exécuter du code auquel il ne fait pas confiance, car
ce code n'atteint que ce qu'on lui a confié. La portabilité, un binaire petit, un démarrage
rapide sont les autres raisons de le choisir ; le bac à sable est celle que ce projet met à
l'épreuve.
""",
    ),
    md(
        """
## Part 1: a line counter with the least privilege

The tool counts the lines of `/data/input.txt`. Run it with a read-only grant of `data`:
""",
        """
## Partie 1 : un compteur de lignes au moindre privilège

L'outil compte les lignes de `/data/input.txt`. Lancez-le avec un accès en lecture seule à
`data` :
""",
    ),
    code("%%c --ro-dir data::/data\n" + WC_C.strip("\n")),
    md(
        """
**Exercise 1.** The sandbox below works but grants too much. Reduce it to what the tool needs;
the check runs your tool in your sandbox and says what is still too broad. You may also change
the tool (say, to count words instead: the check expects lines).
""",
        """
**Exercice 1.** Le bac à sable ci-dessous fonctionne mais accorde trop. Réduisez-le à ce dont
l'outil a besoin ; la vérification lance votre outil dans votre bac à sable et dit ce qui reste
trop large. Vous pouvez aussi modifier l'outil (la vérification attend des lignes).
""",
    ),
    code(
        _py(
            "import os",
            f"tool = r'''{WC_C}'''",
            "box = Sandbox(",
            "    preopens=[Preopen('/data', os.path.abspath('data'), read_only=False),",
            "              Preopen('/tmp', '/tmp', read_only=False)],",
            "    env={'USER': 'learner'},",
            ")",
            "check_line_counter(tool, box, os.path.abspath('data'))",
        )
    ),
    md(
        """
## Part 2: capture the flag

The cell below builds an arena in a temporary folder: `arena/data/` holds a public file and a
symbolic link `shortcut` that points to `../secret.txt`; the flag is in `arena/secret.txt`,
**outside** the granted folder. Only `arena/data` is granted, read-only, as `/data`.

**Exercise 2.** Add routes to `try_read` in the attack program: an absolute host path, the
symbolic link, a path with several `..`, anything you like. Run it; the check lists each route
and why it was refused, and passes when you have tried at least three and the flag never
showed up.
""",
        """
## Partie 2 : capture du drapeau

La cellule ci-dessous construit une arène dans un dossier temporaire : `arena/data/` contient
un fichier public et un lien symbolique `shortcut` qui pointe vers `../secret.txt` ; le drapeau
est dans `arena/secret.txt`, **hors** du dossier accordé. Seul `arena/data` est accordé, en
lecture seule, sous le nom `/data`.

**Exercice 2.** Ajoutez des routes à `try_read` dans le programme d'attaque : un chemin absolu
de l'hôte, le lien symbolique, un chemin avec plusieurs `..`, tout ce qui vous vient. Lancez-le ;
la vérification liste chaque route et la raison de son refus, et réussit quand vous en avez
tenté au moins trois sans que le drapeau n'apparaisse.
""",
    ),
    code(
        *_fr(
            _py(
            "import os, tempfile",
            "arena = tempfile.mkdtemp(prefix='arena-')",
            "os.makedirs(os.path.join(arena, 'data'))",
            "SECRET = 'FLAG{the-sandbox-held}'",
            "with open(os.path.join(arena, 'secret.txt'), 'w') as f:",
            "    f.write(SECRET + '\\n')",
            "with open(os.path.join(arena, 'data', 'public.txt'), 'w') as f:",
            "    f.write('nothing to see here\\n')",
            "os.symlink('../secret.txt', os.path.join(arena, 'data', 'shortcut'))",
            "arena_box = Sandbox(preopens=[Preopen('/data', os.path.join(arena, 'data'), read_only=True)])",
            "print('the secret is at', os.path.join(arena, 'secret.txt'))",
            ),
            ("'the secret is at'", "'le secret se trouve dans'"),
        )
    ),
    code(
        _py(
            f"attack = r'''{ATTACK_C}'''",
            "result = run_source('c', attack, arena_box)",
            "print(result.stdout.decode())",
            "check_ctf(result, SECRET)",
        )
    ),
    md(
        """
**Look closer.** `print(result.trace.to_text())` shows each attempt: which were stopped by
the C library before any system call (phase `libc`), which by the host (`path_open` refused
with the reason). Try `os.path.join(arena, 'secret.txt')` as a route too: the host path means
nothing inside the sandbox.

## Summary of the course

- A wasm module computes; WASI gives it, call by call, what the host grants: nothing else.
- Every refusal is visible and explained; a tool can be run with exactly the capabilities it
  needs.
- Runtimes differ in speed, start-up and extensions; measure them for your own case before you
  choose.
""",
        """
**Regardez de plus près.** `print(result.trace.to_text())` montre chaque tentative : celles que
la bibliothèque C a arrêtées avant tout appel système (phase `libc`), celles que l'hôte a
refusées (`path_open` refusé, avec la raison). Essayez aussi `os.path.join(arena, 'secret.txt')`
comme route : le chemin de l'hôte ne veut rien dire dans le bac à sable.

## Ce qu'il faut retenir du cours

- Un module wasm calcule ; WASI lui donne, appel par appel, ce que l'hôte accorde, et rien
  d'autre.
- Chaque refus est visible et expliqué ; un outil peut tourner avec exactement les capacités
  dont il a besoin.
- Les runtimes diffèrent en vitesse, en démarrage et en extensions : mesurez-les pour votre cas
  avant de choisir.
""",
    ),
]

LESSONS = {
    "00-getting-started": L00,
    "01-stack-machine": L01,
    "02-hello-wasi": L02,
    "03-sandbox": L03,
    "04-capabilities": L04,
    "05-linear-memory": L05,
    "06-three-languages": L06,
    "07-choosing-a-runtime": L07,
    "08-limits": L08,
    "09-capstone": L09,
}

# ----------------------------------------------------------------------------- gallery

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
            _py(
                "for row in last_run.trace.summary():",
                "    print(f\"{row['call']:20} {row['calls']:3} calls {row['errors']:3} errors\"",
                "          f\" {row['total_ns'] / 1000:9.1f} µs\")",
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
        code(_py("print(last_run.layout)")),
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
            _py(
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
