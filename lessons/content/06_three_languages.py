"""Lesson 6: the cells of ``06-three-languages`` in English and French."""

from __future__ import annotations

from ._cells import code, exercise, french, md, py
from ._shared import HELLO_WAT, HELLO_WAT_FR

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


#: the answer key of the exercise: the line written to fd 1 without stdio
SMALL_C = r'''
#include <unistd.h>

int main(void) {
    write(1, "Hello, WASI!\n", 13);
    return 0;
}
'''


CELLS = [
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
        *french(
            py(
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
        *french(
            py(
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
        *french(
            py(
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

## Exercise: a smaller C module

The C module above is several kilobytes, the WAT one a hundred bytes or so. Change the C program
below (not its options) so that its module takes at most 1500 bytes while it still prints the
same line. The check measures the module compiled with the default options.
""",
        """
**À vous.** Ajoutez `-Oz` à la ligne `%%c` (`%%c -Oz`) et comparez de nouveau la taille. Quelle
part du module C est votre code, et quelle part est le démarrage de la bibliothèque C ?

## Exercice : un module C plus petit

Le module C ci-dessus pèse plusieurs kilo-octets, celui en WAT une centaine d'octets. Modifiez le
programme C ci-dessous (pas ses options) pour que son module occupe au plus 1500 octets tout en
affichant la même ligne. La vérification mesure le module compilé avec les options par défaut.
""",
    ),
    *exercise(
        "06-three-languages.ex1",
        "%%c --check 06-three-languages.ex1\n" + HELLO_C.strip("\n"),
        "%%c --check 06-three-languages.ex1\n" + SMALL_C.strip("\n"),
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
