"""Lesson 10: the cells of ``10-components`` in English and French."""

from __future__ import annotations

from ._cells import code, exercise, french, md, py
from ._shared import CAT_C

HANDLE_WAT = r'''
(component
  (import "wasi:io/error@0.2.12" (instance $error (export "error" (type (sub resource)))))
  (alias export $error "error" (type $err))
  (type $streams-t (instance
    (alias outer 1 $err (type $e))
    (export "error" (type $e2 (eq $e)))
    (type $se (variant (case "last-operation-failed" (own $e2)) (case "closed")))
    (export "stream-error" (type $se2 (eq $se)))
    (export "output-stream" (type $os (sub resource)))
    (export "[method]output-stream.blocking-write-and-flush"
      (func (param "self" (borrow $os)) (param "contents" (list u8))
            (result (result (error $se2)))))))
  (import "wasi:io/streams@0.2.12" (instance $streams (type $streams-t)))
  (alias export $streams "output-stream" (type $output-stream))
  (type $stdout-t (instance
    (alias outer 1 $output-stream (type $o))
    (export "output-stream" (type $o2 (eq $o)))
    (export "get-stdout" (func (result (own $o2))))))
  (import "wasi:cli/stdout@0.2.12" (instance $stdout (type $stdout-t)))

  ;; the core functions the program calls: each one a WIT function, lowered to integers
  (core module $Memory (memory (export "memory") 1))
  (core instance $memory (instantiate $Memory))
  (alias core export $memory "memory" (core memory $mem))
  (alias export $stdout "get-stdout" (func $get-stdout))
  (alias export $streams "[method]output-stream.blocking-write-and-flush" (func $write))
  (core func $get-stdout-lowered (canon lower (func $get-stdout)))
  (core func $write-lowered (canon lower (func $write) (memory $mem)))
  (core func $drop-lowered (canon resource.drop $output-stream))
  (core instance $wasi
    (export "get-stdout" (func $get-stdout-lowered))
    (export "write" (func $write-lowered))
    (export "drop" (func $drop-lowered)))

  (core module $Main
    (import "memory" "memory" (memory 1))
    (import "wasi" "get-stdout" (func $get-stdout (result i32)))
    ;; write(handle, text address, text length, where the result goes)
    (import "wasi" "write" (func $write (param i32 i32 i32 i32)))
    (import "wasi" "drop" (func $drop (param i32)))
    (data (i32.const 100) "hello\n")
    (data (i32.const 120) "world\n")
    (func (export "run") (result i32)
      (local $out i32)
      ;; the handle: a small integer standing for the stream the host holds
      (local.set $out (call $get-stdout))
      (call $write (local.get $out) (i32.const 100) (i32.const 6) (i32.const 32))
      ;; give the capability back: after this, the handle stands for nothing
      (call $drop (local.get $out))
      (call $write (local.get $out) (i32.const 120) (i32.const 6) (i32.const 32))
      (i32.const 0)))
  (core instance $main
    (instantiate $Main (with "memory" (instance $memory)) (with "wasi" (instance $wasi))))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.12" (instance $run-instance)))
'''

HANDLE_WAT_FR = HANDLE_WAT
for _en, _fr in (
    ("the core functions the program calls: each one a WIT function, lowered to integers",
     "les fonctions que le programme appelle : chacune une fonction WIT, ramenée à des entiers"),
    ("write(handle, text address, text length, where the result goes)",
     "write(poignée, adresse du texte, longueur du texte, où va le résultat)"),
    ("the handle: a small integer standing for the stream the host holds",
     "la poignée : un petit entier qui désigne le flux que l'hôte détient"),
    ("give the capability back: after this, the handle stands for nothing",
     "rendre la capacité : après cela, la poignée ne désigne plus rien"),
):
    assert _en in HANDLE_WAT, _en
    HANDLE_WAT_FR = HANDLE_WAT_FR.replace(_en, _fr)

_LAST_WRITE = "      (call $write (local.get $out) (i32.const 120) (i32.const 6) (i32.const 32))\n"


def _drop_last(program: str) -> str:
    """The answer key: the drop (and its comment) moved after the last write."""
    lines = program.splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if "(call $drop" in line)
    moved = lines[at - 1 : at + 1]
    rest = lines[: at - 1] + lines[at + 1 :]
    last = rest.index(_LAST_WRITE) + 1
    return "".join(rest[:last] + moved + rest[last:])


HANDLE_SOLUTION, HANDLE_SOLUTION_FR = _drop_last(HANDLE_WAT), _drop_last(HANDLE_WAT_FR)


def _handle_cell(program: str) -> str:
    return "%%wat --check 10-components.ex1\n" + program.strip("\n")


GREETING_C = r'''
#include <stdio.h>

int main(void) {
    /* the greeting goes to stdout for now: send it into /data/greeting.txt instead */
    printf("Hello from a component!\\n");
    return 0;
}
'''

GREETING_C_FR = GREETING_C.replace(
    "the greeting goes to stdout for now: send it into /data/greeting.txt instead",
    "le message va sur stdout pour l'instant : envoyez-le plutôt dans /data/greeting.txt",
).replace("Hello from a component!", "Bonjour depuis un composant !")

_GREETING_FILE = '''    FILE *f = fopen("/data/greeting.txt", "w");
    if (!f) { perror("/data/greeting.txt"); return 1; }
    fprintf(f, "%s", "MESSAGE\\n");
    fclose(f);
'''
#: the answer key: the greeting written into the file, opened, written, closed
GREETING_SOLUTION, GREETING_SOLUTION_FR = (
    source.split("    /*")[0] + _GREETING_FILE.replace("MESSAGE", message) + "    return 0;\n}\n"
    for source, message in ((GREETING_C, "Hello from a component!"),
                            (GREETING_C_FR, "Bonjour depuis un composant !"))
)

_SERVER = py(
    "from wasikernel import examples",
    "echo = examples.EchoServer().start()  # the echo server component, in a thread",
    "port = echo.port",
    "other = port - 1 if port > 1024 else port + 1",
    "client = examples.udp_client(port, 'hello, server\\n')",
    'print(f"the echo server listens on 127.0.0.1:{port}; another port: {other}")',
)
SERVER, SERVER_FR = french(
    _SERVER,
    ("the echo server component, in a thread", "le composant serveur d'écho, dans un fil"),
    ("'hello, server\\n'", "'bonjour, serveur\\n'"),
    ("the echo server listens on 127.0.0.1:{port}; another port: {other}",
     "le serveur d'écho écoute sur 127.0.0.1:{port} ; un autre port : {other}"),
)

_STOP = py(
    "served = echo.stop()",
    'print("the server received:", served.stdout.decode())',
    'print("its calls to the host:", len(served.trace.events))',
)
STOP, STOP_FR = french(
    _STOP,
    ("the server received:", "le serveur a reçu :"),
    ("its calls to the host:", "ses appels à l'hôte :"),
)

_P3 = py(
    "from wasikernel.compile.component import wit_dir",
    "for version in ('0.2.12', '0.3.0'):",
    "    wit = wit_dir() / 'builtin' / version / 'wasi-sockets' / 'package.wit'",
    "    print(f'--- wasi:sockets, WASI {version}')",
    "    for line in wit.read_text().splitlines():",
    "        if ('send:' in line or 'receive:' in line) and 'func' in line:",
    "            print('   ', line.strip())",
)

HTTP_WAT = r'''
(component
  ;; an interface of the world wasi:http/proxy, not of wasi:cli/command
  (import "wasi:http/outgoing-handler@0.2.0" (instance (export "handle" (func))))
  (core module $Main (func (export "run") (result i32) (i32.const 0)))
  (core instance $main (instantiate $Main))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-instance)))
'''
HTTP_WAT_FR = HTTP_WAT.replace(
    "an interface of the world wasi:http/proxy, not of wasi:cli/command",
    "une interface du monde wasi:http/proxy, pas de wasi:cli/command")

P3_WAT = r'''
(component
  ;; an interface of WASI 0.3: its functions may be async
  (import "wasi:clocks/monotonic-clock@0.3.0" (instance (export "now" (func (result u64)))))
  (core module $Main (func (export "run") (result i32) (i32.const 0)))
  (core instance $main (instantiate $Main))
  (func $run (result (result)) (canon lift (core func $main "run")))
  (instance $run-instance (export "run" (func $run)))
  (export "wasi:cli/run@0.2.0" (instance $run-instance)))
'''
P3_WAT_FR = P3_WAT.replace("an interface of WASI 0.3: its functions may be async",
                           "une interface de WASI 0.3 : ses fonctions peuvent être async")


CELLS = [
    md(
        """
# 10 · Components and WASI 0.2

**Goals.** Read a component's world in WIT; see that a resource handle is the capability and
that a stale handle traps; run one C program under preview 1 and under preview 2 and read what
the adapter made of each call; grant a UDP socket one loopback address and see every other one
refused; know what WASI 0.3 adds.

Preview 1, the WASI of the lessons so far, is a flat list of functions over integers: a file is
a number (an fd), a path is an address and a length. WASI 0.2, stable since 2024, is built on
the *component model*. A **component** declares its imports and exports as typed functions,
grouped into *interfaces* written in **WIT** (`wasi:cli/stdout`, `wasi:filesystem/types`,
`wasi:sockets/udp` ...); the set of interfaces it imports and exports is its **world**. A file,
a stream or a socket is a **resource**: the host holds it, the component holds a *handle* to it.
This kernel's preview 2 host serves the world `wasi:cli/command`, over the same sandbox as
preview 1: the same folders, limits and refusal sentences, and one trace.
""",
        """
# 10 · Les composants et WASI 0.2

**Objectifs.** Lire le monde d'un composant en WIT ; constater qu'une poignée de ressource est
la capacité, et qu'une poignée périmée déclenche un trap ; exécuter un même programme C en
preview 1 et en preview 2 et lire ce que l'adaptateur a fait de chaque appel ; accorder à une
socket UDP une seule adresse de boucle locale et voir toutes les autres refusées ; savoir ce
qu'apporte WASI 0.3.

La preview 1, le WASI des leçons précédentes, est une liste plate de fonctions sur des entiers :
un fichier est un nombre (un fd), un chemin une adresse et une longueur. WASI 0.2, stable depuis
2024, repose sur le *modèle de composants*. Un **composant** déclare ses imports et ses exports
comme des fonctions typées, regroupées en *interfaces* écrites en **WIT** (`wasi:cli/stdout`,
`wasi:filesystem/types`, `wasi:sockets/udp` ...) ; l'ensemble des interfaces qu'il importe et
exporte est son **monde**. Un fichier, un flux ou une socket est une **ressource** : l'hôte la
détient, le composant en tient une *poignée*. L'hôte preview 2 de ce noyau Jupyter sert le monde
`wasi:cli/command`, sur le même bac à sable que la preview 1 : les mêmes dossiers, les mêmes
limites, les mêmes phrases de refus, et une seule trace.
""",
    ),
    md(
        """
## A component's world

A cell may hold a component's text: `(component ...)`. The one below, written for the world of
HTTP proxies, imports `wasi:http/outgoing-handler`, which this host does not provide: it is
refused before it starts, with one line per missing interface, as a preview 1 module importing
an unknown function is.
""",
        """
## Le monde d'un composant

Une cellule peut contenir le texte d'un composant : `(component ...)`. Celui ci-dessous, écrit
pour le monde des proxys HTTP, importe `wasi:http/outgoing-handler`, que cet hôte ne fournit
pas : il est refusé avant de démarrer, avec une ligne par interface manquante, comme un module
preview 1 qui importe une fonction inconnue.
""",
    ),
    code(HTTP_WAT, HTTP_WAT_FR),
    md(
        """
`%wit` shows the world of the last cell's component as WIT: one `import` line per interface it
needs, each marked granted or refused by the sandbox that run had, and its exports (a command
exports `wasi:cli/run`).
""",
        """
`%wit` montre le monde du composant de la dernière cellule en WIT : une ligne `import` par
interface dont il a besoin, chacune marquée accordée ou refusée par le bac à sable de cette
exécution, et ses exports (une commande exporte `wasi:cli/run`).
""",
    ),
    code("%wit"),
    md(
        """
## Resources are capabilities

`get-stdout` returns an `own<output-stream>`: a handle, a small integer in the component's own
table, standing for the stream the host holds. Nothing else lets the component write to stdout:
the handle *is* the capability. Dropping it (`resource.drop`) gives it back; from then on the
number stands for nothing, and using it traps before any host code runs: a stale handle cannot
reach another resource.

## Exercise: give the handle back at the right time

The component below writes `hello`, drops its stdout handle, then writes `world` with it: the
run traps, and its trace ends with the drop. Change the order of its calls so that both lines
reach stdout and the handle is still given back. The check reads the run's output and trace.
""",
        """
## Les ressources sont des capacités

`get-stdout` renvoie un `own<output-stream>` : une poignée, un petit entier dans la table propre
au composant, qui désigne le flux que l'hôte détient. Rien d'autre ne permet au composant
d'écrire sur stdout : la poignée *est* la capacité. La libérer (`resource.drop`) la rend ; dès
lors le nombre ne désigne plus rien, et s'en servir déclenche un trap avant que le moindre code
de l'hôte ne s'exécute : une poignée périmée ne peut atteindre aucune autre ressource.

## Exercice : rendre la poignée au bon moment

Le composant ci-dessous écrit `hello`, libère sa poignée de stdout, puis écrit `world` avec
elle : l'exécution s'arrête sur un trap, et sa trace se termine par la libération. Changez
l'ordre de ses appels pour que les deux lignes arrivent sur stdout et que la poignée soit quand
même rendue. La vérification lit la sortie et la trace de l'exécution.
""",
    ),
    *exercise(
        "10-components.ex1",
        _handle_cell(HANDLE_WAT),
        _handle_cell(HANDLE_SOLUTION),
        _handle_cell(HANDLE_WAT_FR),
        _handle_cell(HANDLE_SOLUTION_FR),
    ),
    md(
        """
## One program, two ABIs

A C program compiled for preview 1 becomes a component when the *preview 1 adapter* wraps it:
a module that implements each preview 1 function with WASI 0.2 calls. `%%p1p2` compiles the
cell once and runs it twice, as a core module and wrapped into a component (each run on its own
copy of the granted folders), then lines the two traces up by what the program does. Each row
holds one preview 1 call and the preview 2 calls the adapter turned it into: `path_open`
becomes `open-at` on the folder's descriptor, `fd_read` a stream read, `fd_close` the drop of
the file's descriptor. Rows marked *no counterpart* are work one side does alone (the adapter
asks for stdin, stdout and stderr at start-up). Look at the last row too: preview 1's
`proc_exit` carries any code, WASI 0.2's `exit` only `ok` or `err`. (`%%c --component` runs the
wrapped component alone.)
""",
        """
## Un programme, deux ABI

Un programme C compilé pour la preview 1 devient un composant quand l'*adaptateur preview 1*
l'enveloppe : un module qui réalise chaque fonction de la preview 1 par des appels WASI 0.2.
`%%p1p2` compile la cellule une fois et l'exécute deux fois, comme module et enveloppé dans un
composant (chaque exécution sur sa propre copie des dossiers accordés), puis aligne les deux
traces selon ce que fait le programme. Chaque ligne réunit un appel de la preview 1 et les
appels de la preview 2 que l'adaptateur en a faits : `path_open` devient `open-at` sur le
descripteur du dossier, `fd_read` une lecture de flux, `fd_close` la libération du descripteur
du fichier. Les lignes *sans équivalent* sont le travail qu'un seul côté fait (l'adaptateur
demande stdin, stdout et stderr au démarrage). Regardez aussi la dernière ligne : le
`proc_exit` de la preview 1 porte n'importe quel code, l'`exit` de WASI 0.2 seulement `ok` ou
`err`. (`%%c --component` exécute le composant enveloppé seul.)
""",
    ),
    code("%%p1p2 --ro-dir data::/data\n" + CAT_C.strip("\n")),
    md(
        """
## Exercise: open, write, close, on both sides

The program below prints its greeting to stdout. Make it write the greeting into
`/data/greeting.txt` instead, so that the view shows the file opened, written and closed under
both ABIs, and both runs succeed. Then read, in the view, what the adapter made of each of
those calls.
""",
        """
## Exercice : ouvrir, écrire, fermer, des deux côtés

Le programme ci-dessous affiche son message sur stdout. Faites-lui écrire ce message dans
`/data/greeting.txt` à la place, pour que la vue montre le fichier ouvert, écrit et fermé sous
les deux ABI, et que les deux exécutions réussissent. Lisez ensuite, dans la vue, ce que
l'adaptateur a fait de chacun de ces appels.
""",
    ),
    *exercise(
        "10-components.ex2",
        "%%p1p2 --dir data::/data --check 10-components.ex2\n" + GREETING_C.strip("\n"),
        "%%p1p2 --dir data::/data --check 10-components.ex2\n" + GREETING_SOLUTION.strip("\n"),
        "%%p1p2 --dir data::/data --check 10-components.ex2\n" + GREETING_C_FR.strip("\n"),
        "%%p1p2 --dir data::/data --check 10-components.ex2\n"
        + GREETING_SOLUTION_FR.strip("\n"),
    ),
    md(
        """
## Sockets: one address, granted

Preview 1 cannot open a connection (lesson 3); WASI 0.2 can, through `wasi:sockets`. Here the
network is a capability granted one address at a time: `--allow-net HOST:PORT` lets a socket
bind, connect or send to exactly that address, and nothing else. The cell below starts the UDP
echo server, a component too, in a thread of the kernel: it is granted only its own address,
on a port chosen free when it starts, and it sends each datagram back to whoever wrote it.
""",
        """
## Les sockets : une adresse, accordée

La preview 1 ne sait pas ouvrir de connexion (leçon 3) ; WASI 0.2 le peut, par `wasi:sockets`.
Ici le réseau est une capacité accordée une adresse à la fois : `--allow-net HÔTE:PORT` permet
à une socket de se lier à cette adresse, de s'y connecter ou d'y envoyer, et rien d'autre. La
cellule ci-dessous démarre le serveur d'écho UDP, un composant lui aussi, dans un fil du noyau :
il n'a droit qu'à sa propre adresse, sur un port choisi libre à son démarrage, et il renvoie
chaque datagramme à qui le lui a écrit.
""",
    ),
    code(SERVER, SERVER_FR),
    md(
        """
Without any grant, the client cannot even create its socket:
""",
        """
Sans aucune autorisation, le client ne peut même pas créer sa socket :
""",
    ),
    code("%%wasm\nclient"),
    md(
        """
Its world, read by `%wit` under the sandbox of that run: the `wasi:sockets` interfaces are
refused, the others granted.
""",
        """
Son monde, lu par `%wit` sous le bac à sable de cette exécution : les interfaces
`wasi:sockets` sont refusées, les autres accordées.
""",
    ),
    code("%wit"),
    md(
        """
Granted another port, it creates its socket but cannot reach the server; the refusal names the
address it asked for, what is granted, and the option to write:
""",
        """
Avec un autre port, il crée sa socket mais ne peut pas atteindre le serveur ; le refus nomme
l'adresse demandée, ce qui est accordé, et l'option à écrire :
""",
    ),
    code("%%wasm --allow-net 127.0.0.1:{other}\nclient"),
    md(
        """
## Exercise: the least the client needs

The sandbox below grants the client another port, and name lookups it never makes. Change it
so that the client reaches the echo server and is granted nothing else. The check runs the
client in your sandbox.
""",
        """
## Exercice : le minimum dont le client a besoin

Le bac à sable ci-dessous accorde au client un autre port, et une résolution de noms dont il
ne se sert jamais. Modifiez-le pour que le client atteigne le serveur d'écho et ne reçoive rien
d'autre. La vérification exécute le client dans votre bac à sable.
""",
    ),
    *exercise(
        "10-components.ex3",
        py('client_sandbox = Sandbox(network=[("127.0.0.1", other)], dns=True)',
           'answered("10-components.ex3", check_client_grant(client_sandbox, echo))'),
        py('client_sandbox = Sandbox(network=[("127.0.0.1", port)])',
           'answered("10-components.ex3", check_client_grant(client_sandbox, echo))'),
    ),
    md(
        """
The same grant written on a cell's line: exactly the server's address, nothing else.
""",
        """
La même autorisation écrite sur la ligne d'une cellule : exactement l'adresse du serveur, rien
d'autre.
""",
    ),
    code("%%wasm --allow-net 127.0.0.1:{port}\nclient"),
    md(
        """
The server, stopped: what it received, and how many calls it made to the host.
""",
        """
Le serveur, arrêté : ce qu'il a reçu, et combien d'appels il a faits à l'hôte.
""",
    ),
    code(STOP, STOP_FR),
    md(
        """
## What WASI 0.3 adds

WASI 0.2 waits through `pollable` resources: a component asks for a pollable, blocks on it,
then calls again (the UDP client does just that). WASI 0.3 moves waiting into the component
model itself: functions may be `async`, and two new types, `stream<T>` and `future<T>`, carry
values that arrive later. The functions that send and receive, TCP and UDP, in both releases,
from the WIT files jco ships:
""",
        """
## Ce qu'apporte WASI 0.3

WASI 0.2 attend au moyen de ressources `pollable` : un composant demande un pollable, s'y
bloque, puis rappelle (c'est ce que fait le client UDP). WASI 0.3 fait entrer l'attente dans le
modèle de composants lui-même : les fonctions peuvent être `async`, et deux nouveaux types,
`stream<T>` et `future<T>`, portent des valeurs qui arrivent plus tard. Les fonctions qui
envoient et reçoivent, en TCP et en UDP, dans les deux versions, d'après les fichiers WIT que
fournit jco :
""",
    ),
    code(_P3),
    md(
        """
This host cannot serve 0.3 yet: wasmtime-py, the Python embedding it runs on, has no
asynchronous host functions. A component that imports a 0.3 interface is refused at link time,
and the refusal says where it can run: the wasmtime command line runs 0.3 components
(`--engine wasmtime-cli`, which passes `-W component-model-async -S p3`), with its own WASI:
untraced, and outside this kernel's sandbox.
""",
        """
Cet hôte ne sait pas encore servir la 0.3 : wasmtime-py, l'intégration Python sur laquelle il
tourne, n'a pas de fonctions hôtes asynchrones. Un composant qui importe une interface 0.3 est
refusé à l'édition des liens, et le refus dit où il peut s'exécuter : la ligne de commande
wasmtime exécute les composants 0.3 (`--engine wasmtime-cli`, qui passe
`-W component-model-async -S p3`), avec son propre WASI : sans trace, et hors du bac à sable de
ce noyau.
""",
    ),
    code(P3_WAT, P3_WAT_FR),
    md(
        """
## Summary

- A component's world lists the WIT interfaces it imports and exports; an interface the host
  does not provide is refused before the run.
- A resource handle is the capability: there is no other way to the resource, and a handle used
  after its drop traps.
- The preview 1 adapter turns each preview 1 call into WASI 0.2 calls; `%%p1p2` shows which.
- Sockets reach only the addresses `--allow-net` grants, one by one; the refusal names the
  address and the option.
- WASI 0.3 adds `async` functions, `stream<T>` and `future<T>`.
""",
        """
## À retenir

- Le monde d'un composant liste les interfaces WIT qu'il importe et exporte ; une interface que
  l'hôte ne fournit pas est refusée avant l'exécution.
- Une poignée de ressource est la capacité : il n'y a pas d'autre chemin vers la ressource, et
  une poignée utilisée après sa libération déclenche un trap.
- L'adaptateur preview 1 traduit chaque appel de la preview 1 en appels WASI 0.2 ; `%%p1p2`
  montre lesquels.
- Les sockets n'atteignent que les adresses que `--allow-net` accorde, une par une ; le refus
  nomme l'adresse et l'option.
- WASI 0.3 ajoute les fonctions `async`, `stream<T>` et `future<T>`.
""",
    ),
]
