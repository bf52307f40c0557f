# ruff: noqa: RUF001  (quotation marks and apostrophes of each language are the point)
"""Issue 14: LinkedIn's setting, menu and form as LinkedIn names them in the letter's language.

A letter quotes the service's own name in its language with the English name in
brackets, where the controller record has that name from the service's own pages
(``labels.<language>``, with sources); otherwise the English name and a sentence
saying that it is the English name. The shipped records have no such names yet
(see the linkedin record's notes), so the letters here that show them use a
controller file whose names are invented test values, not LinkedIn's wording.
"""

from __future__ import annotations

import json
import re
import subprocess
import tomllib
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dsr import registry
from dsr.cli import main
from dsr.composition import compose, quoted_names
from dsr.errors import RegistryError
from dsr.i18n import shipped_languages, translations
from dsr.inputs import parse_request
from dsr.render import render_html
from dsr.resources import data_file
from tests.conftest import letter_args

SETTING = "Data for Generative AI Improvement"
PATH = "Settings > Data privacy"
FORM = "Data Processing Objection"

# Invented test values (each says "test"): not LinkedIn's names in these languages.
TEST_LABELS = {
    "fr": ("Réglage d’essai IA", "Préférences d’essai > Données d’essai", "Formulaire d’essai"),
    "de": ("Testeinstellung KI", "Testeinstellungen > Testdaten", "Testwiderspruch"),
    "es": (
        "Ajuste de prueba IA",
        "Preferencias de prueba > Datos de prueba",
        "Oposición de prueba",
    ),
    "zh-Hant": ("測試設定", "測試偏好 > 測試私隱", "測試反對"),
}
QUOTES = {"fr": ("« ", " »"), "de": ("„", "“"), "es": ("«", "»"), "it": ("«", "»")}
# The statement as each reviewed catalog words it (the reviews reword it).
STATEMENT = {
    language: translations(language).gettext(
        "The names quoted in English are those used in the English version of %(service)s."
    )
    % {"service": "LinkedIn"}
    for language in ("en", "fr", "de", "es", "it", "zh-Hant")
}


def linkedin_record() -> dict[str, Any]:
    """The shipped linkedin record as a controller file holds it (dates as text)."""
    record = tomllib.loads(data_file("controllers.toml").read_text(encoding="utf-8"))["linkedin"]
    return dict(json.loads(json.dumps(record, default=str)))


def with_labels(**tables: dict[str, Any]) -> dict[str, Any]:
    record = linkedin_record()
    record["labels"] = {
        language: {"sources": ["test"], "last_verified": "2026-12-07", **table}
        for language, table in tables.items()
    }
    return record


def fixture_labels(language: str) -> dict[str, str]:
    setting, path, form = TEST_LABELS[language]
    return {"ai_setting_name": setting, "ai_setting_path": path, "objection_form_name": form}


@pytest.fixture(autouse=True)
def _own_session_controllers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Controllers from --controller-file stay in this test (they are process-wide)."""
    monkeypatch.setattr(registry, "_SESSION_CONTROLLERS", {})


def reader_text(pdf: Path) -> str:
    """The PDF's text as poppler's pdftotext reads it, without any whitespace.

    Names may wrap anywhere, and Chinese lines break without spaces; comparing
    without whitespace finds a name however the lines fell.
    """
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], capture_output=True)
    assert out.returncode == 0, out.stderr
    return squeeze(out.stdout.decode("utf-8"))


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def objection_pdf(
    tmp_path: Path,
    language: str,
    record: dict[str, Any] | None,
    *extra: str,
    jurisdiction: str = "FR",
) -> str:
    """A LinkedIn objection as a PDF, read back; ``record`` replaces the shipped one."""
    pdf = tmp_path / f"objection-{language}.pdf"
    args = letter_args("objection", "FR", language, pdf)  # a member from conftest
    args[args.index("--jurisdiction") + 1] = jurisdiction  # --address may follow in extra
    if record is not None:
        company = tmp_path / "linkedin.json"
        company.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        args += ["--controller-file", str(company)]
    result = CliRunner().invoke(main, [*args, *extra], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return reader_text(pdf)


# The letters, read from the PDF ----------------------------------------------------------


@pytest.mark.parametrize("language", ["fr", "de", "es"])
def test_a_localized_name_is_quoted_with_the_english_in_brackets(
    tmp_path: Path, language: str
) -> None:
    text = objection_pdf(tmp_path, language, with_labels(**{language: fixture_labels(language)}))
    opening, closing = QUOTES[language]
    for local, english in zip(TEST_LABELS[language], (SETTING, PATH, FORM), strict=True):
        quoted = f"{opening}{local}{closing} ({opening}{english}{closing})"
        assert squeeze(quoted) in text, quoted
    assert squeeze(STATEMENT[language]) not in text  # nothing is quoted in English only


def test_chinese_quotes_the_localized_name_in_corner_brackets(tmp_path: Path) -> None:
    text = objection_pdf(tmp_path, "zh-Hant", with_labels(**{"zh-Hant": fixture_labels("zh-Hant")}))
    for local, english in zip(TEST_LABELS["zh-Hant"], (SETTING, PATH, FORM), strict=True):
        assert squeeze(f"「{local}」（「{english}」）") in text
    assert squeeze(STATEMENT["zh-Hant"]) not in text


def test_a_regional_form_takes_its_languages_names(tmp_path: Path) -> None:
    """A Swiss French objection (its own template) takes the French names."""
    text = objection_pdf(
        tmp_path,
        "fr-CH",
        with_labels(fr=fixture_labels("fr")),
        "--address",
        "Rue du Rhône 1, 1204 Genève",
        jurisdiction="CH",
    )
    assert squeeze(f"« {TEST_LABELS['fr'][0]} » (« {SETTING} »)") in text


def test_without_the_services_own_name_the_letter_says_it_quotes_the_english(
    tmp_path: Path,
) -> None:
    """The shipped record has no Italian names: English names and the sentence saying so."""
    text = objection_pdf(tmp_path, "it", None)
    for english in (SETTING, PATH, FORM):
        assert squeeze(f"«{english}»") in text
    assert squeeze(STATEMENT["it"]) in text
    assert squeeze(f"» («{SETTING}»)") not in text


def typst_objection(tmp_path: Path, record: dict[str, Any]) -> str:
    """A German LinkedIn objection set by Typst, read back with pdftotext."""
    from dsr.typeset import letter_pdf

    registry.register_controller(registry.controller_from_record("linkedin", record, "test"))
    values = {
        "kind": "objection", "jurisdiction": "DE", "controller": "linkedin",
        "name": "Erika Mustermann", "address": "Hauptstraße 1, 10115 Berlin",
        "account-email": "erika@example.org", "lang": "de", "date": "2026-11-22",
    }  # fmt: skip
    letter = compose(parse_request(values, today=date(2026, 11, 22)))
    pdf = tmp_path / "typst.pdf"
    pdf.write_bytes(letter_pdf(render_html(letter)))
    return reader_text(pdf)


def test_the_typst_engine_quotes_the_same(tmp_path: Path) -> None:
    text = typst_objection(tmp_path, with_labels(de=fixture_labels("de")))
    assert squeeze(f"„{TEST_LABELS['de'][0]}“ („{SETTING}“)") in text
    assert squeeze(STATEMENT["de"]) not in text
    text = typst_objection(tmp_path, linkedin_record())
    assert squeeze(f"„{SETTING}“") in text
    assert squeeze(STATEMENT["de"]) in text


def test_an_english_letter_quotes_the_names_plainly(tmp_path: Path) -> None:
    text = objection_pdf(tmp_path, "en", with_labels(fr=fixture_labels("fr")), jurisdiction="IE")
    assert squeeze(f"“{SETTING}” (“{PATH}”)") in text
    assert squeeze(f"your “{FORM}” form") in text
    assert squeeze(STATEMENT["en"]) not in text


# What compose resolves ------------------------------------------------------------------


def controller_with(**tables: dict[str, Any]) -> Any:
    return registry.controller_from_record("linkedin", with_labels(**tables), "test")


def test_a_name_without_its_own_wording_keeps_the_statement() -> None:
    """French setting name only: the path and the form are still quoted in English."""
    names = quoted_names(controller_with(fr={"ai_setting_name": "Réglage d’essai"}), "fr")
    assert names.setting is not None
    assert names.setting.local == "Réglage d’essai"
    assert names.place is not None
    assert names.place.local is None
    assert names.form is not None
    assert names.form.local is None
    assert names.in_english


def test_the_form_is_named_only_where_the_record_names_it() -> None:
    """OpenAI's record names no form: its letters quote the setting alone."""
    names = quoted_names(registry.builtin_controllers()["openai"], "de")
    assert names.setting is not None
    assert names.setting.english == "Improve the model for everyone"
    assert names.place is None
    assert names.form is None
    assert names.in_english
    assert not quoted_names(registry.builtin_controllers()["openai"], "en-US").in_english


def test_the_shipped_linkedin_record_names_its_form_in_english() -> None:
    linkedin = registry.builtin_controllers()["linkedin"]
    assert linkedin.objection_form_name == FORM
    names = quoted_names(linkedin, "pl")
    assert names.form is not None
    assert names.form.english == FORM
    assert names.form.local is None
    assert names.in_english


def test_every_shipped_label_language_is_a_language_dsr_writes() -> None:
    for slug, controller in registry.builtin_controllers().items():
        for language, labels in controller.labels.items():
            assert language in shipped_languages(), (slug, language)
            assert labels.sources, (slug, language)


# What the loader refuses ----------------------------------------------------------------

GOOD = {"ai_setting_name": "Réglage d’essai"}


@pytest.mark.parametrize(
    ("labels", "message"),
    [
        ({"fr": {**GOOD, "sources": [], "last_verified": "2026-12-07"}}, "labels.fr.sources"),
        ({"fr": {**GOOD, "sources": ["test"]}}, "labels.fr.last_verified"),
        (
            {"fr": {**GOOD, "sources": ["test"], "last_verified": "soon"}},
            "labels.fr.last_verified",
        ),
        ({"fr": {**GOOD, "source": ["test"], "last_verified": "2026-12-07"}}, "unknown field"),
        ({"en": {**GOOD, "sources": ["test"], "last_verified": "2026-12-07"}}, "labels.en"),
        ({"French": {**GOOD, "sources": ["x"], "last_verified": "2026-12-07"}}, "language tag"),
        ({"fr": {"sources": ["test"], "last_verified": "2026-12-07"}}, "names none"),
        (
            {"fr": {"ai_setting_name": "a\nb", "sources": ["x"], "last_verified": "2026-12-07"}},
            "labels.fr.ai_setting_name",
        ),
        ({"fr": "Réglage"}, "labels.fr must be a table"),
        ("fr", "labels must be a table"),
    ],
)
def test_the_loader_refuses_names_without_their_source(labels: Any, message: str) -> None:
    record = linkedin_record()
    record["labels"] = labels
    with pytest.raises(RegistryError, match=re.escape(message)):
        registry.controller_from_record("linkedin", record, "test")


def test_a_name_needs_the_english_name_it_stands_for() -> None:
    record = linkedin_record()
    del record["objection_form_name"]
    record["labels"] = {
        "fr": {"objection_form_name": "Formulaire", "sources": ["x"], "last_verified": "2026-12-07"}
    }
    with pytest.raises(
        RegistryError, match=r"labels\.fr\.objection_form_name stands for an English"
    ):
        registry.controller_from_record("linkedin", record, "test")


def test_the_loader_keeps_a_languages_names_and_sources() -> None:
    controller = controller_with(fr=fixture_labels("fr"))
    labels = controller.labels_in("fr-CH")
    assert labels is not None
    assert labels.language == "fr"
    assert labels.ai_setting_path == TEST_LABELS["fr"][1]
    assert labels.sources == ("test",)
    assert controller.labels_in("de") is None
