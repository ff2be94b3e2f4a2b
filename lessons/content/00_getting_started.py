"""Lesson 0: the cells of ``00-getting-started`` in English and French."""

from __future__ import annotations

from ._cells import code, exercise, md, py
from ._shared import HELLO_WAT, HELLO_WAT_FR

EXIT_WAT = r'''
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    (call $proc_exit (i32.const 3))))
'''


CELLS = [
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
le noyau Jupyter rapporte d'une exécution (sortie, code de sortie, appels WASI effectués), passer une
cellule en C grâce à une commande magique, et utiliser le côté Python du noyau Jupyter pour examiner une
exécution en détail.

Ce notebook tourne sur le noyau Jupyter **WASI**. Une cellule sans commande magique en première ligne
est du WebAssembly textuel (WAT) : le noyau Jupyter la transforme en module `.wasm`, l'exécute sous un
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
`fd_write`, et s'en sert pour écrire une ligne sur la sortie standard. Sous la sortie, le noyau Jupyter
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

`%%python` exécute une cellule en Python ordinaire, dans le même noyau Jupyter. `run_source` compile et
exécute un module, et rend un `RunResult` : sa sortie, sa façon de se terminer, et sa `trace`.
""",
    ),
    code(
        py(
            f"hello = r'''{HELLO_WAT}'''",
            "result = run_source('wat', hello)",
            "print('stdout   :', result.stdout)",
            "print('exit code:', result.exit_code)",
            "print('calls    :', len(result.trace))",
            "for row in result.trace.summary():",
            "    print(f\"  {row['call']:10} {row['calls']} call(s), {row['per_call_ns'] / 1000:.1f} µs each\")",
        ),
        py(
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
below exits with code 3. Change it so that it exits with code **7**, then run the cell: its
first line, `%%wat --check 00-getting-started.ex1`, makes the kernel check it after the run and
say what is already right and what is not. The cell after it grades your answer.
""",
        """
## Exercice : choisir le code de sortie

Un module se termine en appelant `proc_exit` avec un code, comme un processus qui sort de
`main`. Le module ci-dessous se termine avec le code 3. Modifiez-le pour qu'il se termine avec
le code **7**, puis exécutez la cellule : sa première ligne,
`%%wat --check 00-getting-started.ex1`, la fait vérifier après l'exécution, avec ce
qui est déjà juste et ce qui ne l'est pas. La cellule suivante note votre réponse.
""",
    ),
    *exercise(
        "00-getting-started.ex1",
        "%%wat --check 00-getting-started.ex1\n" + EXIT_WAT.strip("\n"),
        "%%wat --check 00-getting-started.ex1\n" + EXIT_WAT.strip("\n").replace("i32.const 3", "i32.const 7"),
    ),
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
