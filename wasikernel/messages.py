"""Every sentence a learner reads, in English and French, keyed by an id.

    >>> t("outside_preopen", path="/etc/passwd")
    '/etc/passwd is outside every directory granted to this module; grant it with --dir'

Other stages add their keys to :data:`CATALOGUE` (one entry: ``"key": {"en": ..., "fr": ...}``).
Fields are filled with ``str.format``; a missing field leaves its ``{name}`` visible rather than
raising, so a message never breaks a run.
"""

from __future__ import annotations

import os

__all__ = ["CATALOGUE", "t", "set_language", "get_language", "LANGUAGES"]

LANGUAGES = ("en", "fr")

CATALOGUE: dict[str, dict[str, str]] = {
    # --- sandbox refusals (the trace's "reason") ---
    "outside_preopen": {
        "en": "{path} is outside every directory granted to this module; grant it with --dir",
        "fr": "{path} est hors de tous les dossiers accordés à ce module ; "
        "accordez-le avec --dir",
    },
    "absolute_path": {
        "en": "{path} is an absolute path; WASI opens paths relative to a granted directory "
        "(grant one with --dir and open it relative to that)",
        "fr": "{path} est un chemin absolu ; WASI ouvre les chemins relativement à un dossier "
        "accordé (accordez-en un avec --dir)",
    },
    "dotdot_escape": {
        "en": "{path} climbs with '..' above the directory it starts from; a module may not "
        "leave the directories it was granted",
        "fr": "{path} remonte avec '..' au-dessus de son dossier de départ ; un module ne peut "
        "pas sortir des dossiers qu'on lui a accordés",
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
    "missing_right": {
        "en": "fd {fd} was opened without the right {right}; open it again asking for that right",
        "fr": "le descripteur {fd} a été ouvert sans le droit {right} ; rouvrez-le en demandant "
        "ce droit",
    },
    "no_network": {
        "en": "fd {fd} is not a socket: WASI preview 1 grants no network access, so this module "
        "cannot open or use sockets",
        "fr": "le descripteur {fd} n'est pas un socket : WASI preview 1 n'accorde aucun accès "
        "au réseau, ce module ne peut ni ouvrir ni utiliser de sockets",
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
    "host_bug": {
        "en": "the host failed on this call ({error}); the call returned EIO",
        "fr": "l'hôte a échoué sur cet appel ({error}) ; l'appel a renvoyé EIO",
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
        "en": "the module wrote more than {bytes} bytes to stdout and stderr and was stopped",
        "fr": "le module a écrit plus de {bytes} octets sur stdout et stderr et a été arrêté",
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
        "en": "the trace is full (it keeps {limit}): the calls after this point were counted, "
        "not recorded",
        "fr": "la trace est pleine (elle garde {limit}) : les appels suivants ont été comptés, "
        "pas enregistrés",
    },
    "trace_dropped": {
        "en": "{dropped} more calls were not recorded (the trace keeps {kept} events)",
        "fr": "{dropped} appels de plus n'ont pas été enregistrés (la trace garde {kept} "
        "événements)",
    },
    # --- engines ---
    "exit_code": {
        "en": "the module exited with code {code}",
        "fr": "le module s'est terminé avec le code {code}",
    },
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
    "option_env_form": {
        "en": "{option} {value!r}: write NAME=VALUE, for example {option} LANG=fr",
        "fr": "{option} {value!r} : écrivez NAME=VALUE, par exemple {option} LANG=fr",
    },
    "option_stdin_unreadable": {
        "en": "{option} {value!r}: {error}; give an existing file",
        "fr": "{option} {value!r} : {error} ; donnez un fichier existant",
    },
    "option_stdin_too_big": {
        "en": "{option} {value!r}: the file is larger than {mib} MiB; give a smaller one",
        "fr": "{option} {value!r} : le fichier dépasse {mib} Mio ; donnez-en un plus petit",
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
}

_language = "fr" if os.environ.get("WASIKERNEL_LANG", "").startswith("fr") else "en"


class _Keep(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def t(key: str, **fields: object) -> str:
    """Return the sentence ``key`` in the current language, with ``fields`` filled in.

    Raises KeyError when ``key`` is not in the catalogue (a programming error, not a guest's).
    """
    entry = CATALOGUE[key]
    text = entry.get(_language) or entry["en"]
    try:
        return text.format_map(_Keep(fields))
    except (ValueError, IndexError):
        return text


def set_language(language: str) -> None:
    """Choose ``"en"`` or ``"fr"``; raises ValueError for any other language."""
    global _language
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}; choose one of {', '.join(LANGUAGES)}")
    _language = language


def get_language() -> str:
    """Return the current language, ``"en"`` or ``"fr"``."""
    return _language
