"""Lesson 9: the cells of ``09-capstone`` in English and French."""

from __future__ import annotations

from ._cells import code, exercise, french, md, py

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


#: the attack as a French notebook shows it: the same program, its printed words in French
def _in_french(attack: str) -> str:
    return attack.replace('"refused: %s\\n"', '"refusé : %s\\n"').replace(
        '"READ %s: %s\\n"', '"LU %s : %s\\n"')


ATTACK_C_FR = _in_french(ATTACK_C)

#: the answer key of exercise 2: three more routes, each refused
ATTACK_SOLUTION = ATTACK_C.replace(
    "    /* add more routes here",
    '    try_read("/data/shortcut");\n'
    '    try_read("/etc/passwd");\n'
    '    try_read("/data/../../../secret.txt");\n'
    "    /* add more routes here",
)


CELLS = [
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
**Exercise 1.** The cell below works but its magic line grants too much. Reduce it to what the
tool needs; the check runs your tool in your sandbox and says what is still too broad. You may
also change the tool (the check expects the number of lines).
""",
        """
**Exercice 1.** La cellule ci-dessous fonctionne mais sa ligne magique accorde trop.
Réduisez-la à ce dont l'outil a besoin ; la vérification lance votre outil dans votre bac à sable
et dit ce qui reste trop large. Vous pouvez aussi modifier l'outil (la vérification attend le
nombre de lignes).
""",
    ),
    *exercise(
        "09-capstone.ex1",
        "%%c --dir data::/data --dir /tmp::/tmp --env USER=learner --check 09-capstone.ex1\n"
        + WC_C.strip("\n"),
        "%%c --ro-dir data::/data --check 09-capstone.ex1\n" + WC_C.strip("\n"),
    ),
    md(
        """
## Part 2: capture the flag

The cell below builds an arena in a temporary folder: `arena/data/` holds a public file and a
symbolic link `shortcut` that points to `../secret.txt`; the flag is in `arena/secret.txt`,
**outside** the granted folder. Only `arena/data` is granted, read-only, as `/data`.

**Exercise 2.** Add routes to `try_read` in the attack program: an absolute host path, the
symbolic link, a path with several `..`, anything you like. Its magic line grants the arena's
`data` folder (`{arena}` is the Python variable of the cell above). Run it; the check lists each
route and why it was refused, and passes when you have tried at least three and the flag never
showed up.
""",
        """
## Partie 2 : capture du drapeau

La cellule ci-dessous construit une arène dans un dossier temporaire : `arena/data/` contient
un fichier public et un lien symbolique `shortcut` qui pointe vers `../secret.txt` ; le drapeau
est dans `arena/secret.txt`, **hors** du dossier accordé. Seul `arena/data` est accordé, en
lecture seule, sous le nom `/data`.

**Exercice 2.** Ajoutez des routes à `try_read` dans le programme d'attaque : un chemin absolu
de l'hôte, le lien symbolique, un chemin avec plusieurs `..`, tout ce qui vous vient. Sa ligne
magique accorde le dossier `data` de l'arène (`{arena}` est la variable Python de la cellule
précédente). Lancez-le ; la vérification liste chaque route et la raison de son refus, et
réussit quand vous en avez tenté au moins trois sans que le drapeau n'apparaisse.
""",
    ),
    code(
        *french(
            py(
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
    *exercise(
        "09-capstone.ex2",
        "%%c --ro-dir {arena}/data::/data --check 09-capstone.ex2\n" + ATTACK_C.strip("\n"),
        "%%c --ro-dir {arena}/data::/data --check 09-capstone.ex2\n" + ATTACK_SOLUTION.strip("\n"),
        "%%c --ro-dir {arena}/data::/data --check 09-capstone.ex2\n" + ATTACK_C_FR.strip("\n"),
        "%%c --ro-dir {arena}/data::/data --check 09-capstone.ex2\n"
        + _in_french(ATTACK_SOLUTION).strip("\n"),
    ),
    md(
        """
**Look closer.** `%trace --text` shows each attempt: which were stopped by
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
**Regardez de plus près.** `%trace --text` montre chaque tentative : celles que
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
