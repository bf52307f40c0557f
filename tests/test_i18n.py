"""Catalogs are complete and current, and no sentence escapes translation."""

from __future__ import annotations

import configparser
import dataclasses
import io
import re
import subprocess
import sys
from datetime import date
from html import unescape
from typing import Any

import pytest
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import Translations

from dsr import render
from dsr.composition import compose
from dsr.inputs import parse_request
from dsr.model import Letter
from tests.conftest import MEMBERS, ROOT, SITUATION


def test_catalogs_are_current_complete_and_not_fuzzy() -> None:
    result = subprocess.run(
        # Both domains: the letters' catalogs and the interface's ("ui").
        [sys.executable, "scripts/i18n.py", "--check"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout == ""


def test_babel_cfg_matches_the_jinja_environment() -> None:
    config = configparser.ConfigParser()
    config.read(ROOT / "babel.cfg")
    section = config["jinja2: templates/**.jinja"]
    assert section.getboolean("newstyle_gettext")
    assert section.getboolean("trimmed")
    assert section["extensions"] == "jinja2.ext.i18n"
    env = render.environment("en")
    assert env.autoescape is True
    assert env.policies["ext.i18n.trimmed"] is True
    assert env.newstyle_gettext is True  # type: ignore[attr-defined]


PLACEHOLDER = re.compile(r"(%\([a-z_]+\)s|\{[a-z]+\}|<[^>]+>|&[a-z]+;)")


def pseudo(text: str) -> str:
    """Upper-case everything but placeholders and markup (Sphinx's test catalog idea)."""
    return "".join(
        part if PLACEHOLDER.fullmatch(part) else part.upper() for part in PLACEHOLDER.split(text)
    )


def pseudo_translations() -> Translations:
    with (ROOT / "locales" / "letters.pot").open("rb") as handle:
        catalog = read_po(handle)
    for message in catalog:
        if not message.id:
            continue
        if isinstance(message.id, tuple):
            message.string = tuple(pseudo(i) for i in message.id)
        else:
            message.string = pseudo(message.id)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return Translations(buffer, domain="letters")


def dynamic_strings(letter: Letter) -> list[str]:
    """Every value a letter carries (names, addresses, citations, dates)."""
    found: list[str] = []

    def walk(value: Any) -> None:
        if isinstance(value, str):
            found.append(value)
        elif isinstance(value, date):
            found.append(format_date(value, "long", locale=letter.locale).replace(" ", "\u00a0"))
        elif dataclasses.is_dataclass(value) and not isinstance(value, type):
            for field in dataclasses.fields(value):
                walk(getattr(value, field.name))
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)
        elif isinstance(value, tuple | list):
            for item in value:
                walk(item)

    walk(letter)
    return sorted(found, key=len, reverse=True)


ADDRESSES = {
    "FR": "12 rue de la Paix, 75002 Paris",
    "GB": "10 Downing Street, London SW1A 2AA",
    "CH": "Bahnhofstrasse 1, 8001 Zürich",
    "CA": "100 Queen Street, Ottawa ON K1P 1J9",
    "CA-QC": "1000 rue Sherbrooke Ouest, Montréal QC H3A 3G4",
    "HK": "Flat 1, 1 Queens Road Central, Central",
    "US-CA": "1 Market Street, San Francisco, CA 94105",
}


def pseudo_cases() -> list[tuple[str, str, str, str]]:
    """Every kind and outcome of every law family (to LinkedIn), and the wording for a
    social network and for a service one has an account with."""
    from dsr import registry

    cases = []
    for code in ADDRESSES:
        family = registry.law_families()[registry.jurisdictions()[code].family]
        for kind in family.kinds:
            outcomes = (
                ("none", "refused", "insufficient")
                if kind in ("complaint", "reminder")
                else ("none",)
            )
            cases += [(code, kind, outcome, "linkedin") for outcome in outcomes]
    for controller in ("facebook", "google"):
        cases += [("FR", "objection", "none", controller), ("FR", "complaint", "none", controller)]
    cases.append(("US-CA", "objection", "none", "google"))
    return cases


@pytest.mark.parametrize(("code", "kind", "outcome", "controller"), pseudo_cases())
def test_no_sentence_escapes_translation(
    code: str, kind: str, outcome: str, controller: str
) -> None:
    values = {
        "kind": kind,
        "jurisdiction": code,
        "controller": controller,
        "lang": "en",
        "date": "2026-11-22",
        "outcome": outcome,
        **MEMBERS["FR"],
        "address": ADDRESSES[code],
    }
    if controller != "linkedin":
        del values["profile-url"]  # a LinkedIn profile
    if kind == "art21":
        values["situation"] = SITUATION
    if kind in ("complaint", "reminder"):
        values["request-date"] = "2026-09-01"
        values["request-kind"] = "objection"
    letter = compose(parse_request(values, today=date(2026, 11, 22)))
    env = render._environment(render.environment("en").loader, sandboxed=False)  # type: ignore[arg-type]
    env.install_gettext_translations(pseudo_translations(), newstyle=True)  # type: ignore[attr-defined]
    template = env.select_template(
        [f"letters/{letter.family}/{kind}.html.jinja", f"letters/{kind}.html.jinja"]
    )
    html = template.render(letter=letter)
    body = html.split("<body", 1)[1].split(">", 1)[1]
    text = unescape(re.sub(r"<[^>]+>", " ", body))
    for value in dynamic_strings(letter):
        text = text.replace(value, " ")
    leftovers = re.findall(r"[^\W\d_]*[a-z][^\W\d_]*", text)
    assert leftovers == [], f"untranslatable text in {kind}: {leftovers}"


@pytest.mark.parametrize(
    "po", sorted(ROOT.glob("locales/*/LC_MESSAGES/letters.po")), ids=lambda p: p.parent.parent.name
)
def test_deadline_sentences_state_the_number_of_days(po: Any) -> None:
    """Every plural form a count reaches states it: 21 days in Croatian or Icelandic
    (their "one" form), 40 days in Chinese (its only form), 14, 30 and 45 anywhere."""
    with po.open("rb") as handle:
        catalog = read_po(handle)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    translations = Translations(buffer)
    day_sentences = [
        message.id
        for message in catalog
        if isinstance(message.id, tuple)
        and re.search(r"%\(count\)s (business )?day ", message.id[0])
    ]
    # reply within N days (the law's, the member's), the reminder's, the CCPA's business
    # days and its deletion period
    assert len(day_sentences) == 5
    for singular, plural in day_sentences:
        for count in (2, 14, 15, 21, 30, 40, 45):
            text = translations.ngettext(singular, plural, count) % {
                "count": count, "date": "DATE", "provision": "PROVISION",
            }  # fmt: skip
            assert str(count) in text, (po.parent.parent.name, count, text)
