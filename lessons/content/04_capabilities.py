"""Lesson 4: the cells of ``04-capabilities`` in English and French."""

from __future__ import annotations

from ._cells import code, exercise, md, py
from ._shared import CAT_C, CLOCK_RANDOM_C

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


CELLS = [
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
        py(
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
        py(
            f"dice = r'''{CLOCK_RANDOM_C}'''",
            "for label, box in [('real', Sandbox()),",
            "                   ('frozen', Sandbox(clock_ns=1_700_000_000_000_000_000, random_seed=42))]:",
            "    for attempt in (1, 2):",
            "        out = run_source('c', dice, box).stdout.decode()",
            "        print(label, attempt, out.replace(chr(10), ' | '))",
        ),
        py(
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

A tool must read `/data/notes.txt` and nothing else. The cell below runs it with more than
that: change its magic line so that it grants exactly what the tool needs. The check then runs
a probe in the same sandbox that reads the file and tries to create a file next to it (on a
copy, so nothing is changed here).
""",
        """
## Exercice 1 : le moindre privilège

Un outil doit lire `/data/notes.txt` et rien d'autre. La cellule ci-dessous le lance avec plus
que cela : changez sa ligne magique pour qu'elle accorde exactement ce dont l'outil a besoin. La
vérification lance ensuite, dans le même bac à sable, une sonde qui lit le fichier et essaie d'en
créer un autre à côté (sur une copie : rien n'est modifié ici).
""",
    ),
    *exercise(
        "04-capabilities.ex1",
        "%%c --dir data::/data --env HOME=/root --check 04-capabilities.ex1\n" + CAT_C.strip("\n"),
        "%%c --ro-dir data::/data --check 04-capabilities.ex1\n" + CAT_C.strip("\n"),
    ),
    md(
        """
## Exercise 2: a reproducible run

Make two runs of a program that prints the time and a random number print the same thing.
Change the `%sandbox` settings of the first cell below (`%sandbox help` lists them all), then
run the program's cell: the check runs it twice in the same sandbox.
""",
        """
## Exercice 2 : une exécution reproductible

Faites en sorte que deux exécutions d'un programme qui affiche l'heure et un nombre aléatoire
affichent la même chose. Changez les réglages `%sandbox` de la première cellule ci-dessous
(`%sandbox help` les liste tous), puis lancez la cellule du programme : la vérification
l'exécute deux fois dans le même bac à sable.
""",
    ),
    *exercise(
        "04-capabilities.ex2",
        "%sandbox clock real\n%sandbox seed off",
        "%sandbox clock freeze 1700000000000000000\n%sandbox seed 42",
        run="%%c --check 04-capabilities.ex2\n" + CLOCK_RANDOM_C.strip("\n"),
    ),
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
