"""Lesson 3: the cells of ``03-sandbox`` in English and French."""

from __future__ import annotations

from ._cells import code, exercise, md
from ._shared import FOPEN_C

ESCAPE_WAT = r'''
(module
  (import "wasi_snapshot_preview1" "path_open"
    (func $path_open (param i32 i32 i32 i32 i32 i64 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  ;; the path, at address 16, and its length in bytes, passed to path_open below
  (data (i32.const 16) "notes.txt")
  (func (export "_start")
    ;; path_open(fd 3: the first granted folder, lookup flags, path 16, length 9,
    ;;           oflags, rights: read, inheriting, fdflags, the new fd -> address 100)
    (call $proc_exit
      (call $path_open (i32.const 3) (i32.const 0) (i32.const 16) (i32.const 9)
                       (i32.const 0) (i64.const 2) (i64.const 0) (i32.const 0) (i32.const 100)))))
'''

#: the answer key: a path that climbs out of the granted folder
ESCAPE_SOLUTION = ESCAPE_WAT.replace('"notes.txt"', '"../secret.txt"').replace(
    "length 9", "length 13").replace("(i32.const 16) (i32.const 9)", "(i32.const 16) (i32.const 13)")


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
  (import "wasi_snapshot_preview1" "fd_write"
    (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)   ;; one page: 65536 bytes, addresses 0 .. 65535
  (func (export "_start")
    ;; ask the host to print 16 bytes from address 70000: an iovec { 70000, 16 } at address 0
    (i32.store (i32.const 0) (i32.const 70000))
    (i32.store (i32.const 4) (i32.const 16))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))
    ;; then read address 70000 itself
    (drop (i32.load (i32.const 70000)))))
'''


SOCK_WAT = r'''
(module
  (import "wasi_snapshot_preview1" "sock_accept"
    (func $sock_accept (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (memory (export "memory") 1)
  (func (export "_start")
    ;; accept a connection on fd 0, as a server would on its socket; the errno becomes the
    ;; exit code
    (call $proc_exit (call $sock_accept (i32.const 0) (i32.const 0) (i32.const 0)))))
'''


CELLS = [
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

The module owns one page of 64 KiB; address 70 000 is outside it. The module first asks the host
to print 16 bytes from there: the host refuses (`fault`), since it touches only the memory the
module owns. Then the module loads from that address itself: the engine stops it with a *trap*.
Either way it reads neither the host's memory nor another module's.
""",
        """
## 2. Une mémoire que l'hôte n'a pas fournie

Le module possède une page de 64 Kio ; l'adresse 70 000 est en dehors. Le module demande d'abord
à l'hôte d'afficher 16 octets pris là : l'hôte refuse (`fault`), car il ne touche que la mémoire
qui appartient au module. Puis le module lit lui-même à cette adresse : le moteur l'arrête par
un *trap*. Dans les deux cas, il ne lit ni la mémoire de l'hôte, ni celle d'un autre module.
""",
    ),
    code(OOB_WAT),
    md(
        """
## 3. The network

Preview 1 defines a few socket calls (`sock_accept`, `sock_recv` ...) that only work on sockets
the host handed over already; no call opens a connection. This module calls `sock_accept` on
fd 0, as a server would on the socket it was started with: fd 0 is its standard input, not a
socket, because the host grants no socket at all, so the call is refused (`notsock`) and counted.
""",
        """
## 3. Le réseau

La preview 1 définit quelques appels de socket (`sock_accept`, `sock_recv` ...) qui ne
fonctionnent que sur des sockets déjà confiées par l'hôte ; aucun appel n'ouvre de connexion.
Ce module appelle `sock_accept` sur le fd 0, comme un serveur sur la socket reçue au démarrage :
le fd 0 est son entrée standard, pas une socket, car l'hôte n'en accorde aucune ; l'appel est
donc refusé (`notsock`) et compté.
""",
    ),
    code(SOCK_WAT),
    md(
        """
## 4. Files

A C program asks for `/etc/passwd`. No folder is granted, so the C library finds no directory
that covers the path and refuses before any system call; that refusal is in the trace too
(phase `libc`).

Each of the four runs above ends with a refusal, and its summary line counts it.
""",
        """
## 4. Les fichiers

Un programme C demande `/etc/passwd`. Aucun dossier n'est accordé : la bibliothèque C ne trouve
aucun répertoire qui couvre ce chemin et refuse avant tout appel système ; ce refus figure
lui aussi dans la trace (phase `libc`).

Chacune des quatre exécutions ci-dessus se termine par un refus, que sa ligne de résumé compte.
""",
    ),
    code("%%c\n" + FOPEN_C.strip("\n")),
    md(
        """
## The boundary

`%sandbox show` draws the last run's boundary; `%sandbox show 4` draws the last four runs in one
diagram: the four promises side by side. Each "cannot" is a red edge with its refusals counted
and the reason in words: the import `env.system` refused at link time, the memory outside the
module's own, the network, the paths outside every granted folder (none is granted here).
""",
        """
## La frontière

`%sandbox show` dessine la frontière de la dernière exécution ; `%sandbox show 4` dessine les
quatre dernières dans un seul schéma : les quatre promesses côte à côte. Chaque « ne peut pas »
est une flèche rouge, avec ses refus comptés et la raison en toutes lettres : l'import
`env.system` refusé à l'édition des liens, la mémoire hors de celle du module, le réseau, les
chemins hors de tout dossier accordé (aucun ne l'est ici).
""",
    ),
    code("%sandbox show 4"),
    md(
        """
## Exercise: cross the boundary

The module below is granted the folder `data` as `/data` (read-only; fd 3 is that folder) and
opens `notes.txt` in it, which works: its summary counts no refusal. Play attacker: change the
path (and its length) so that the module tries to reach a file **outside** the granted folder.
The check passes when the sandbox refuses the attempt; the summary line then counts that
refusal.
""",
        """
## Exercice : franchir la frontière

Le module ci-dessous reçoit le dossier `data` sous le nom `/data` (en lecture seule ; le fd 3 est
ce dossier) et y ouvre `notes.txt`, ce qui marche : son résumé ne compte aucun refus. Jouez
l'attaquant : changez le chemin (et sa longueur) pour que le module tente d'atteindre un fichier
**hors** du dossier accordé. La vérification réussit quand le bac à sable refuse la tentative ;
la ligne de résumé compte alors ce refus.
""",
    ),
    *exercise(
        "03-sandbox.ex1",
        "%%wat --ro-dir data::/data --check 03-sandbox.ex1\n" + ESCAPE_WAT.strip("\n"),
        "%%wat --ro-dir data::/data --check 03-sandbox.ex1\n" + ESCAPE_SOLUTION.strip("\n"),
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
