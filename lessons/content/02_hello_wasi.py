"""Lesson 2: the cells of ``02-hello-wasi`` in English and French."""

from __future__ import annotations

from ._cells import code, exercise, md, py
from ._shared import HELLO_WAT, HELLO_WAT_FR

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

TWO_IOVECS_SOLUTION = TWO_IOVECS_START.replace(
    "    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1)",
    "    (i32.store (i32.const 8) (i32.const 80))\n"
    "    (i32.store (i32.const 12) (i32.const 6))\n"
    "    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 2)",
)


CELLS = [
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
        py(
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
        py(
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
    *exercise(
        "02-hello-wasi.ex1",
        "%%wat --check 02-hello-wasi.ex1\n" + TWO_IOVECS_START.strip("\n"),
        "%%wat --check 02-hello-wasi.ex1\n" + TWO_IOVECS_SOLUTION.strip("\n"),
    ),
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
