"""Catalog workflow: extract, update, fill the source language, compile, check.

    python scripts/i18n.py            # extract + update + compile (make i18n)
    python scripts/i18n.py --check    # fail on a stale .pot, untranslated or fuzzy entries,
                                      # or a review record that is missing or out of date
    python scripts/i18n.py --fingerprint cs   # the fingerprint a review record names
    python scripts/i18n.py --fingerprint-ui cs    # the same for the interface's catalog
    python scripts/i18n.py --domain ui --check    # one domain only (letters or ui)

Two gettext domains: ``letters`` (the letters' sentences, from templates/, babel.cfg)
and ``ui`` (the interface's words: dsr's Python and the web page's templates,
babel-ui.cfg; dsr/ui.py). Each has its template (locales/<domain>.pot), a catalog
per language, and review records: REVIEW.md for the letters, UI-REVIEW.md for
the interface, in the same format, each naming its own catalog's fingerprint.

Every shipped language and regional form has a review record,
locales/<locale>/REVIEW.md (``locales/de_CH/REVIEW.md`` for de-CH). It names
the date of the review and the fingerprint of the catalog that was reviewed
("Catalog: sha256:..."): the translations as letters use them, regional rules
applied, headers left out. A catalog that changes after its review no longer
matches its record, and the check fails until the change is reviewed.

English is the source language: its catalog mirrors the msgids, so that
regional English forms can later differ where they must.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import io
import re
import string
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.pofile import read_po, write_po

from dsr import ui
from dsr.i18n import locale_id, shipped_languages, translations

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
POT = LOCALES / "letters.pot"
SOURCE_LANGUAGE = "en"
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]
DOMAINS = ("letters", "ui")
MAPPING = {"letters": "babel.cfg", "ui": "babel-ui.cfg"}
# The ui domain's Python keywords (also in babel-ui.cfg, for Babel versions that read them there).
KEYWORDS = {"letters": [], "ui": ["-k", "N_", "-k", "pgettext:1c,2"]}


def pot_of(domain: str) -> Path:
    return POT if domain == "letters" else LOCALES / f"{domain}.pot"


def extract(target: Path, domain: str = "letters") -> None:
    subprocess.run(
        [
            *PYBABEL,
            "extract",
            "-F",
            MAPPING[domain],
            *KEYWORDS[domain],
            "--add-location=file",
            "--sort-output",
            "--project=dsr",
            "--copyright-holder=dsr contributors",
            "--no-wrap",
            "-o",
            str(target),
            ".",
        ],
        cwd=ROOT,
        check=True,
        capture_output=True,
    )


def messages(catalog: Catalog) -> set[object]:
    return {m.id for m in catalog if m.id}


def read(path: Path) -> Catalog:
    with path.open("rb") as handle:
        return read_po(handle)


def fill_source_language(domain: str = "letters") -> None:
    po = LOCALES / SOURCE_LANGUAGE / "LC_MESSAGES" / f"{domain}.po"
    catalog = read(po)
    for message in catalog:
        if message.id and not any(
            message.string if isinstance(message.string, tuple) else [message.string]
        ):
            message.string = message.id
        if message.id and message.fuzzy:
            message.flags.discard("fuzzy")
            message.string = message.id
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=0, include_previous=False)
    po.write_bytes(buffer.getvalue())


def update(domain: str = "letters") -> None:
    pot = pot_of(domain)
    extract(pot, domain)
    # A folder without LC_MESSAGES holds only a regional form's review record
    # (de_CH, en_US...): that form is derived from its language's catalog. Every
    # language with a letters catalog has an interface catalog too.
    for folder in sorted(
        p for p in LOCALES.iterdir() if (p / "LC_MESSAGES" / "letters.po").is_file()
    ):
        po = folder / "LC_MESSAGES" / f"{domain}.po"
        command = "update" if po.exists() else "init"
        subprocess.run(
            [
                *PYBABEL,
                command,
                "-D",
                domain,
                "-i",
                str(pot),
                "-d",
                str(LOCALES),
                "-l",
                folder.name,
                "--no-wrap",
            ],
            cwd=ROOT,
            check=True,
            capture_output=True,
        )
    fill_source_language(domain)
    result = subprocess.run(
        [*PYBABEL, "compile", "-D", domain, "-d", str(LOCALES), "--statistics"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    print(result.stderr.strip() or result.stdout.strip())


def problems(domain: str = "letters") -> list[str]:
    """Everything that makes the shipped catalogs unfit to ship."""
    found: list[str] = []
    pot = pot_of(domain)
    with tempfile.TemporaryDirectory() as scratch:  # parallel checks never collide
        fresh = Path(scratch) / f"{domain}.pot"
        extract(fresh, domain)
        if not pot.is_file() or messages(read(fresh)) != messages(read(pot)):
            found.append(f"locales/{domain}.pot is stale: run 'make i18n'")
    if not pot.is_file():
        return found
    template = messages(read(pot))
    for po in sorted(LOCALES.glob(f"*/LC_MESSAGES/{domain}.po")):
        catalog = read(po)
        name = po.relative_to(ROOT)
        if messages(catalog) != template:
            found.append(f"{name}: out of step with {domain}.pot: run 'make i18n'")
        for message in catalog:
            if not message.id:
                continue
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            if not all(strings):
                found.append(f"{name}: untranslated: {message.id!r}")
            if message.fuzzy:
                found.append(f"{name}: fuzzy: {message.id!r}")
        for message, error_list in [(m, m.check(catalog)) for m in catalog if m.id]:
            for error in error_list:
                found.append(f"{name}: {message.id!r}: {error}")
        if domain == "ui":
            for message in catalog:
                if message.id:
                    found += [f"{name}: {message.id!r}: {p}" for p in placeholder_problems(message)]
    return found


def _fields(text: str) -> set[str]:
    """The names of ``text``'s ``{name}`` placeholders (str.format); ValueError if malformed."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


def placeholder_problems(message: Message) -> list[str]:
    """A translation of the interface that str.format cannot fill as the msgid is filled:
    a placeholder unknown to the msgid, a lost one, or a malformed brace. A plural form
    may leave out the number (``{count}``), as "one" often does."""
    ids = message.id if isinstance(message.id, tuple) else (message.id,)
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    try:
        wanted = set().union(*(_fields(i) for i in ids))
    except ValueError:
        return []  # not a format string (a literal brace in the source text)
    plural = isinstance(message.id, tuple)
    found: list[str] = []
    for text in (s for s in strings if s):
        try:
            given = _fields(text)
        except ValueError as error:
            found.append(f"the translation is not a valid format string ({error})")
            continue
        if given - wanted:
            found.append(f"unknown placeholders {sorted(given - wanted)} in the translation")
        lost = wanted - given
        if lost and not plural:
            found.append(f"placeholders {sorted(lost)} missing from the translation")
    return found


REVIEW_RECORD = "REVIEW.md"
UI_REVIEW_RECORD = "UI-REVIEW.md"
# Every shipped language and regional form has its record (the check fails
# without one).
REQUIRE_ALL_RECORDS = True
RECORD_DATE = re.compile(r"^- \*\*Date:\*\* (\d{4}-\d{2}-\d{2})\s*$", re.MULTILINE)
RECORD_CATALOG = re.compile(r"^- \*\*Catalog:\*\* `sha256:([0-9a-f]{64})`", re.MULTILINE)
RECORD_SECTIONS = ("## What was read", "## What changed", "## Doubts that remain")


def fingerprint(language: str) -> str:
    """sha256 of ``language``'s translations as letters use them (headers left out)."""
    catalog = translations(language)._catalog
    digest = hashlib.sha256()
    for key in sorted((k for k in catalog if k), key=repr):
        digest.update(repr((key, catalog[key])).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def ui_fingerprint(language: str) -> str:
    """sha256 of ``language``'s interface catalog as dsr.ui uses it (headers left out)."""
    found = ui.translations(language)
    catalog: dict[object, object] = getattr(found, "_catalog", {})
    digest = hashlib.sha256()
    for key in sorted((k for k in catalog if k), key=repr):
        digest.update(repr((key, catalog[key])).encode("utf-8"))
        digest.update(b"\n")
    return digest.hexdigest()


def record_path(language: str, record: str = REVIEW_RECORD) -> Path:
    return LOCALES / locale_id(language) / record


def review_problems(require_all: bool, domain: str = "letters") -> list[str]:
    """Review records that are missing, malformed, or older than their catalog."""
    found: list[str] = []
    if domain == "ui":
        languages, record, print_of = ui.ui_languages(), UI_REVIEW_RECORD, ui_fingerprint
    else:
        languages, record, print_of = shipped_languages(), REVIEW_RECORD, fingerprint
    for language in languages:
        path = record_path(language, record)
        name = path.relative_to(ROOT)
        if not path.is_file():
            if require_all:
                found.append(f"{name}: missing: every shipped language needs a review record")
            continue
        text = path.read_text(encoding="utf-8")
        date = RECORD_DATE.search(text)
        catalog = RECORD_CATALOG.search(text)
        if date is None:
            found.append(f"{name}: no '- **Date:** YYYY-MM-DD' line")
        else:
            try:
                when = datetime.date.fromisoformat(date.group(1))
            except ValueError:
                found.append(f"{name}: the date {date.group(1)!r} is not a date")
            else:
                if when > datetime.datetime.now(tz=datetime.UTC).date():
                    found.append(f"{name}: the review is dated in the future ({when})")
        for section in RECORD_SECTIONS:
            if section not in text:
                found.append(f"{name}: no '{section}' section")
        if catalog is None:
            found.append(f"{name}: no '- **Catalog:** `sha256:...`' line naming what was reviewed")
        elif catalog.group(1) != (now := print_of(language)):
            found.append(
                f"{name}: the {language} {'interface ' if domain == 'ui' else ''}catalog "
                "changed after this review "
                f"(reviewed sha256:{catalog.group(1)[:12]}…, now sha256:{now[:12]}…): "
                "review the change and update the record"
            )
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--fingerprint", metavar="LANG", help="print a catalog's fingerprint")
    parser.add_argument(
        "--fingerprint-ui", metavar="LANG", help="print an interface catalog's fingerprint"
    )
    parser.add_argument(
        "--domain", choices=DOMAINS, help="only this domain (default: both; --fingerprint: letters)"
    )
    args = parser.parse_args()
    if args.fingerprint_ui or (args.fingerprint and args.domain == "ui"):
        print(f"sha256:{ui_fingerprint(args.fingerprint_ui or args.fingerprint)}")
        return 0
    if args.fingerprint:
        print(f"sha256:{fingerprint(args.fingerprint)}")
        return 0
    domains = (args.domain,) if args.domain else DOMAINS
    if args.check:
        found = []
        for domain in domains:
            found += problems(domain) + review_problems(REQUIRE_ALL_RECORDS, domain)
        for line in found:
            print(line)
        return 1 if found else 0
    for domain in domains:
        update(domain)
    return 0


if __name__ == "__main__":
    sys.exit(main())
