"""The kernel's sentences, added to the shared catalogue of :mod:`wasikernel.messages`."""

from __future__ import annotations

from .. import messages

KERNEL_MESSAGES: dict[str, dict[str, str]] = {
    "kernel_exit": {"en": "exit {code}", "fr": "code de sortie {code}"},
    "kernel_trap": {"en": "trap: {message}", "fr": "trap : {message}"},
    "kernel_limit": {"en": "stopped: {message}", "fr": "arrêté : {message}"},
    "kernel_instantiated": {
        "en": "instantiated (no _start)",
        "fr": "instancié (pas de _start)",
    },
    "kernel_returned": {"en": "returned {values}", "fr": "a renvoyé {values}"},
    "kernel_calls": {"en": "{n} WASI calls", "fr": "{n} appels WASI"},
    "kernel_refused": {"en": "{n} refused", "fr": "{n} refusés"},
    "kernel_untraced": {
        "en": "WASI calls not traced ({engine} used its own WASI)",
        "fr": "appels WASI non tracés ({engine} a utilisé son propre WASI)",
    },
    "kernel_trace_title": {
        "en": "trace: {n} calls, {refused} refused",
        "fr": "trace : {n} appels, {refused} refusés",
    },
    "kernel_trace_more": {
        "en": "... {n} more calls (all of them are in last_run.trace)",
        "fr": "... {n} appels de plus (ils sont tous dans last_run.trace)",
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
    "kernel_set_bytes": {"en": "{n} bytes", "fr": "{n} octets"},
    "kernel_set_clock_real": {"en": "real", "fr": "réelle"},
    "kernel_set_clock_frozen": {"en": "frozen at {ns} ns", "fr": "figée à {ns} ns"},
    "kernel_set_random_real": {"en": "real randomness", "fr": "vrai hasard"},
    "kernel_set_random_seed": {"en": "seed {seed}", "fr": "graine {seed}"},
    "kernel_set_clock": {
        "en": "clock: {clock}; random: {seed}; network: denied",
        "fr": "horloge : {clock} ; aléa : {seed} ; réseau : refusé",
    },
    "kernel_set_limits": {
        "en": "limits: time {timeout}, memory {mib} MiB, output {out} bytes",
        "fr": "limites : temps {timeout}, mémoire {mib} Mio, sortie {out} octets",
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
        "fr": "{passed} réussis, {failed} échoués",
    },
}

for _key, _entry in KERNEL_MESSAGES.items():
    messages.CATALOGUE.setdefault(_key, _entry)

t = messages.t
