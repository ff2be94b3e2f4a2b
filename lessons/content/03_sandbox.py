"""Lesson 3: the cells of ``03-sandbox`` in English and French."""

from __future__ import annotations

from ._cells import code, md, py
from ._shared import FOPEN_C

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
        py(
            f"attempt = r'''{OPEN_WAT}'''",
            "print(run_source('wat', attempt).trace.to_text())",
            'errno_answer = "inval"',
            "check_refused_open(attempt, errno_answer)",
        ),
        py(
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
