"""The interface's words (dsr.ui, the "ui" gettext domain): the library's problems come
out in the language the caller speaks, English where none is set (the command line)."""

from __future__ import annotations

import ast
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog, Message
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from dsr import ui
from dsr.errors import LIST_JURISDICTIONS, InvalidRequest, Option, worded
from dsr.i18n import shipped_languages
from dsr.inputs import parse_request
from tests.conftest import ROOT
from tests.conftest import i18n_script as _i18n_script

TODAY = date(2026, 11, 22)
# A request with four problems: no name, no address, a date that is none, no such language.
BROKEN = {
    "kind": "objection",
    "jurisdiction": "DE",
    "account-email": "erika@example.org",
    "date": "31.11.2026",
    "lang": "qq",
}
TEST_MESSAGES = {
    "is required": "wird benötigt",
    "{value!r} is not a date; use YYYY-MM-DD": "{value!r} ist kein Datum; schreiben Sie JJJJ-MM-TT",
    "Your full name": "Ihr vollständiger Name (Straße)",
}


def _write_catalog(folder: Path, locale: str, messages: dict[str, str], *, mo: bool) -> None:
    catalog = Catalog(locale=locale, domain="ui")
    for msgid, msgstr in messages.items():
        catalog.add(msgid, msgstr)
    folder.mkdir(parents=True)
    if mo:
        with (folder / "ui.mo").open("wb") as handle:
            write_mo(handle, catalog)
    else:
        with (folder / "ui.po").open("wb") as handle:
            write_po(handle, catalog)


@pytest.fixture
def test_catalogs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """locales/ with a test language "xx" (a .po, compiled in memory), "de" (a built .mo)
    and the regional form de_CH (a review record only, as in dsr's own locales/)."""
    locales = tmp_path / "locales"
    _write_catalog(locales / "xx" / "LC_MESSAGES", "de", TEST_MESSAGES, mo=False)
    _write_catalog(locales / "de" / "LC_MESSAGES", "de", TEST_MESSAGES, mo=True)
    (locales / "de_CH").mkdir()
    monkeypatch.setattr(ui, "resource_dir", lambda name: locales)
    ui.translations.cache_clear()
    ui.ui_languages.cache_clear()
    yield locales
    ui.translations.cache_clear()
    ui.ui_languages.cache_clear()


def _problems(values: dict[str, str]) -> dict[str, str]:
    with pytest.raises(InvalidRequest) as caught:
        parse_request(values, today=TODAY)
    return {p.field: p.message for p in caught.value.problems}


def test_a_problem_comes_out_in_the_language_spoken(test_catalogs: Path) -> None:
    with ui.speaking("xx"):
        assert ui.current() == "xx"
        found = _problems(BROKEN)
    assert found["name"] == "wird benötigt"
    assert found["date"] == "'31.11.2026' ist kein Datum; schreiben Sie JJJJ-MM-TT"
    assert found["address"] == "wird benötigt"
    # A message the catalog lacks is the English msgid, not an error.
    assert found["lang"].startswith("'qq' is not offered; use one of ")


def test_outside_speaking_the_problems_are_english(test_catalogs: Path) -> None:
    with ui.speaking("xx"):
        pass
    assert ui.current() == "en"
    found = _problems(BROKEN)
    assert found["name"] == "is required"
    assert found["date"] == "'31.11.2026' is not a date; use YYYY-MM-DD"


def test_a_regional_form_speaks_its_language(test_catalogs: Path) -> None:
    with ui.speaking("de-AT"):
        assert ui.gettext("is required") == "wird benötigt"  # from de's built .mo
    with ui.speaking("de-CH"):  # Swiss spelling: no ß
        assert ui.gettext("Your full name") == "Ihr vollständiger Name (Strasse)"
    assert ui.ui_languages() == ("de", "de-CH", "xx")


def test_a_language_without_a_catalog_is_english(test_catalogs: Path) -> None:
    with ui.speaking("qq"):
        assert ui.gettext("is required") == "is required"
        assert ui.ngettext("{n} line", "{n} lines", 2) == "{n} lines"
        assert ui.pgettext("button", "Continue") == "Continue"
        assert ui.gettext("") == ""  # not the catalog's header


def test_each_thread_speaks_its_own_language(test_catalogs: Path) -> None:
    seen: dict[str, str] = {}
    started = threading.Event()
    release = threading.Event()

    def member() -> None:
        with ui.speaking("xx"):
            started.set()
            release.wait(5)
            seen["member"] = ui.gettext("is required")

    thread = threading.Thread(target=member)
    thread.start()
    started.wait(5)
    seen["cli"] = ui.gettext("is required")  # meanwhile, in this thread
    release.set()
    thread.join(5)
    assert seen == {"member": "wird benötigt", "cli": "is required"}


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("es-ES,es;q=0.9,en;q=0.8", "es"),
        ("de-CH", "de-CH"),
        ("de-ch,de;q=0.9", "de-CH"),
        ("zh-TW", "zh-Hant"),
        ("zh-HK,en;q=0.5", "zh-Hant"),
        ("fr-CA,fr;q=0.8", "fr-CA"),
        ("pt-BR,pt;q=0.9", "pt"),
        ("nn-NO", "nb"),
        ("ja,de;q=0.7", "de"),
        ("en;q=0.1,it;q=0.9", "it"),
        ("it;q=0,fr", "fr"),
        ("x-klingon;q=1, !!", "en"),
        ("*", "en"),
        ("", "en"),
        (None, "en"),
        ("\u00e9\u00e9,;q=abc", "en"),
    ],
)
def test_negotiate(header: str | None, language: str) -> None:
    assert ui.negotiate(header) == language


def test_the_interface_speaks_every_language_the_letters_do() -> None:
    assert ui.ui_languages() == shipped_languages()


def test_english_mirrors_the_msgids_and_the_catalogs_follow_the_template() -> None:
    with (ROOT / "locales" / "ui.pot").open("rb") as handle:
        template = {m.id for m in read_po(handle) if m.id}
    with (ROOT / "locales" / "en" / "LC_MESSAGES" / "ui.po").open("rb") as handle:
        english = [m for m in read_po(handle) if m.id]
    assert {m.id for m in english} == template
    assert all(m.string == m.id for m in english)


def _calls(path: Path) -> Iterator[ast.Call]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            yield node


def _name(call: ast.Call) -> str:
    func = call.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


LIBRARY_TEXT = (
    "dsr/inputs.py",
    "dsr/text.py",
    "dsr/choices.py",
    "dsr/composition.py",
    "dsr/outputs.py",
)


def test_no_problem_message_is_an_untranslated_literal() -> None:
    """Every Problem(field, message) in dsr/inputs.py builds its message through gettext:
    no string literal or f-string with words in it."""
    found = []
    for call in _calls(ROOT / "dsr" / "inputs.py"):
        if _name(call) != "Problem" or len(call.args) < 2:
            continue
        message = call.args[1]
        if isinstance(message, ast.Constant | ast.JoinedStr):
            found.append(f"dsr/inputs.py:{call.lineno}: {ast.unparse(message)}")
    assert found == []


def test_gettext_takes_literals_and_every_one_is_in_the_template() -> None:
    with (ROOT / "locales" / "ui.pot").open("rb") as handle:
        template = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(handle) if m.id}
    missing, formatted = [], []
    for name in LIBRARY_TEXT:
        for call in _calls(ROOT / name):
            if _name(call) not in ("gettext", "ngettext", "N_") or not call.args:
                continue
            first = call.args[0]
            if isinstance(first, ast.JoinedStr):
                formatted.append(f"{name}:{call.lineno}")
            elif isinstance(first, ast.Constant) and first.value not in template:
                missing.append(f"{name}:{call.lineno}: {first.value!r}")
    assert formatted == [], "f-strings inside gettext cannot be translated"
    assert missing == [], "not in locales/ui.pot: run 'make i18n'"


def test_a_worded_message_keeps_its_remedies_as_data() -> None:
    said = worded(
        "{value!r:.5} is unknown; run '{command}' or use {option}",
        value="Atlantis",
        command=LIST_JURISDICTIONS,
        option=Option("kind", "objection"),
    )
    assert str(said) == "'Atla is unknown; run 'list jurisdictions' or use kind=objection"
    assert said.options == (Option("kind", "objection"),)
    assert said.render(lambda o: f"--{o.name} {o.value}", lambda c: "dsr " + " ".join(c.words)) == (
        "'Atla is unknown; run 'dsr list jurisdictions' or use --kind objection"
    )


@pytest.mark.parametrize(
    ("msgid", "msgstr", "problem"),
    [
        ("{value!r} is not a date", "{wert!r} ist kein Datum", "unknown placeholders ['wert']"),
        ("{value!r} is not a date", "Kein Datum", "placeholders ['value'] missing"),
        ("{value!r} is not a date", "{value!r ist kein Datum", "not a valid format string"),
        ("{value!r} is not a date", "{value!r} ist kein Datum", None),
        (("{count} line", "{count} lines"), ("eine Zeile", "{count} Zeilen"), None),
    ],
)
def test_the_check_finds_broken_placeholders(
    msgid: str | tuple[str, str], msgstr: str | tuple[str, str], problem: str | None
) -> None:
    found = _i18n_script().placeholder_problems(Message(msgid, msgstr))
    if problem is None:
        assert found == []
    else:
        assert any(problem in line for line in found), found


def test_every_language_speaks_the_interface_and_has_its_review() -> None:
    """``--check --domain ui``: the template is current and every shipped language and
    regional form has every message translated, none fuzzy, placeholders intact, and a
    review record naming the catalog as it is now."""
    result = subprocess.run(
        [sys.executable, "scripts/i18n.py", "--check", "--domain", "ui"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.stdout.splitlines() == []
    assert result.returncode == 0
