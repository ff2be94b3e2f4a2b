"""The one catalogue of sentences: every entry in English and French with the same fields,
counts that agree with their words in both languages, and a catalogue complete on its own."""

from __future__ import annotations

import string
import subprocess
import sys

import pytest

from wasikernel import messages


@pytest.fixture(autouse=True)
def english():
    messages.set_language("en")
    yield
    messages.set_language("en")


def _fields(text: str) -> set[tuple[str, str | None, str]]:
    """The fields of a sentence: name, conversion, and format (a count's word forms aside)."""
    found = set()
    for _, name, spec, conversion in string.Formatter().parse(text):
        if name is not None:
            found.add((name, conversion, "" if "|" in (spec or "") else spec or ""))
    return found


def test_every_sentence_exists_in_both_languages_with_the_same_fields():
    assert len(messages.CATALOGUE) > 150
    for key, entry in messages.CATALOGUE.items():
        assert set(entry) == set(messages.LANGUAGES), key
        en, fr = entry["en"], entry["fr"]
        assert isinstance(en, str) and en.strip(), key
        assert isinstance(fr, str) and fr.strip(), key
        assert _fields(en) == _fields(fr), key


def test_a_count_takes_the_word_form_of_its_language():
    assert messages.t("kernel_calls", n=1) == "1 WASI call"
    assert messages.t("kernel_calls", n=2) == "2 WASI calls"
    assert messages.t("kernel_calls", n=0) == "0 WASI calls"
    assert messages.t("widget_calls", n=1) == "1 call"
    messages.set_language("fr")
    assert messages.t("kernel_refused", n=1) == "1 refusé"
    assert messages.t("kernel_refused", n=0) == "0 refusé"
    assert messages.t("kernel_refused", n=2) == "2 refusés"
    assert messages.t("kernel_trace_title", n=1, refused=2) == "trace : 1 appel WASI, 2 refusés"
    assert messages.t("kernel_calls", n=12) == "12 appels WASI"
    assert messages.plural(1, "appel refusé", "appels refusés") == "appel refusé"
    assert messages.plural(2, "appel refusé", "appels refusés") == "appels refusés"


def test_a_missing_field_stays_visible_instead_of_raising():
    assert messages.t("kernel_calls") == "{n} WASI {n}"
    assert messages.t("limit_time") == (
        "the run took longer than {seconds} s and was stopped; raise --timeout if it needs more"
    )
    assert messages.t("lesson_stdout_ok") == "The module prints {text}."


def test_the_catalogue_is_complete_without_importing_the_stages_that_use_it():
    script = (
        "from wasikernel import messages\n"
        "before = dict(messages.CATALOGUE)\n"
        "import wasikernel.kernel.magics, wasikernel.lessons, wasikernel.widgets\n"
        "assert messages.CATALOGUE == before, sorted(set(messages.CATALOGUE) - set(before))\n"
        "print(messages.t('kernel_exit', code=3))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "exit 3"


def test_every_sentence_the_package_asks_for_is_in_the_catalogue():
    import re
    from pathlib import Path

    asked = set()
    for path in Path(messages.__file__).parent.rglob("*.py"):
        text = path.read_text()
        if path.name == "lessons.py":  # its checks name their sentences without "lesson_"
            asked |= {f"lesson_{key}" for key in re.findall(
                r'(?:(?<![\w.])_t|\.good|\.bad)\("(\w+)"', text)}
        else:
            asked |= set(re.findall(r'(?:messages\.|(?<![\w.]))_?t\("(\w+)"', text))
    assert len(asked) > 100
    assert asked <= set(messages.CATALOGUE), sorted(asked - set(messages.CATALOGUE))


# ----- the sentences a learner reads when a toolchain is missing or a run is interrupted -------


@pytest.mark.parametrize(("language", "words", "fix"), [
    ("en", "C needs zig (the ziglang wheel), which is not installed", "\n  fix: "),
    ("fr", "le C a besoin de zig (la roue ziglang), qui n'est pas installé", "\n  solution : "),
])  # fmt: skip
def test_a_missing_c_toolchain_says_so_and_its_fix_in_the_learners_language(
    language, words, fix, monkeypatch
):
    from wasikernel.compile import _c, compile_source
    from wasikernel.errors import ToolchainMissing

    monkeypatch.setattr(_c, "find_zig", lambda: None)
    messages.set_language(language)
    with pytest.raises(ToolchainMissing) as raised:
        compile_source("c", "int main(void) { return 0; }")
    assert raised.value.message == f"{words}{fix}{_c.ZIG_INSTALL}"


@pytest.mark.parametrize(("found", "words"), [
    ([], "aucun rustc n'a été trouvé"),
    ([("/usr/bin/rustc", "1.70", "x86_64")], "seul ce rustc a été trouvé, sans elle : "
                                             "/usr/bin/rustc (1.70)"),
    ([("/a/rustc", "1.70", "x"), ("/b/rustc", "1.71", "x")],
     "seuls ces rustc ont été trouvés, sans elle : /a/rustc (1.70), /b/rustc (1.71)"),
])  # fmt: skip
def test_a_missing_rust_toolchain_speaks_french(found, words, monkeypatch):
    from wasikernel.compile import _rust
    from wasikernel.errors import ToolchainMissing

    monkeypatch.setattr(_rust, "find_rustc", lambda: None)
    monkeypatch.setattr(_rust, "survey_rustc", lambda: found)
    messages.set_language("fr")
    with pytest.raises(ToolchainMissing) as raised:
        _rust.find_rust_toolchain()
    assert words in raised.value.message and "\n  solution : " in raised.value.message
    assert "(ou : " in raised.value.install_hint


@pytest.mark.parametrize(("language", "shown"), [
    ("en", "trap: the run was interrupted"),
    ("fr", "trap : l'exécution a été interrompue"),
])  # fmt: skip
def test_an_interrupted_run_is_said_in_the_learners_language(language, shown):
    import threading

    from wasikernel.engines import run
    from wasikernel.kernel._display import _outcome

    cancel = threading.Event()
    cancel.set()
    spin = '(module (func (export "_start") (loop br 0)))'
    result = run(spin, cancel=cancel)
    assert result.outcome == "interrupted" and result.trap.message == "interrupted"
    messages.set_language(language)
    assert _outcome(result) == (shown, False)
