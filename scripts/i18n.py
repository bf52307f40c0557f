"""Catalog workflow: extract, update, fill the source language, compile, check.

    python scripts/i18n.py            # extract + update + compile (make i18n)
    python scripts/i18n.py --check    # fail on a stale .pot, untranslated or fuzzy entries,
                                      # or a review record that is missing or out of date
    python scripts/i18n.py --fingerprint cs   # the fingerprint a review record names

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
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from dsr.i18n import locale_id, shipped_languages, translations

ROOT = Path(__file__).resolve().parent.parent
LOCALES = ROOT / "locales"
POT = LOCALES / "letters.pot"
SOURCE_LANGUAGE = "en"
PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]


def extract(target: Path) -> None:
    subprocess.run(
        [
            *PYBABEL,
            "extract",
            "-F",
            "babel.cfg",
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


def fill_source_language() -> None:
    po = LOCALES / SOURCE_LANGUAGE / "LC_MESSAGES" / "letters.po"
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


def update() -> None:
    extract(POT)
    # A folder without LC_MESSAGES holds only a regional form's review record
    # (de_CH, en_US...): that form is derived from its language's catalog.
    for folder in sorted(p for p in LOCALES.iterdir() if (p / "LC_MESSAGES").is_dir()):
        po = folder / "LC_MESSAGES" / "letters.po"
        command = "update" if po.exists() else "init"
        subprocess.run(
            [
                *PYBABEL,
                command,
                "-D",
                "letters",
                "-i",
                str(POT),
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
    fill_source_language()
    result = subprocess.run(
        [*PYBABEL, "compile", "-D", "letters", "-d", str(LOCALES), "--statistics"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    print(result.stderr.strip() or result.stdout.strip())


def problems() -> list[str]:
    """Everything that makes the shipped catalogs unfit to ship."""
    found: list[str] = []
    with tempfile.TemporaryDirectory() as scratch:  # parallel checks never collide
        fresh = Path(scratch) / "letters.pot"
        extract(fresh)
        if messages(read(fresh)) != messages(read(POT)):
            found.append("locales/letters.pot is stale: run 'make i18n'")
    template = messages(read(POT))
    for po in sorted(LOCALES.glob("*/LC_MESSAGES/letters.po")):
        catalog = read(po)
        name = po.relative_to(ROOT)
        if messages(catalog) != template:
            found.append(f"{name}: out of step with letters.pot: run 'make i18n'")
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
    return found


REVIEW_RECORD = "REVIEW.md"
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


def record_path(language: str) -> Path:
    return LOCALES / locale_id(language) / REVIEW_RECORD


def review_problems(require_all: bool) -> list[str]:
    """Review records that are missing, malformed, or older than their catalog."""
    found: list[str] = []
    for language in shipped_languages():
        path = record_path(language)
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
        elif catalog.group(1) != (now := fingerprint(language)):
            found.append(
                f"{name}: the {language} catalog changed after this review "
                f"(reviewed sha256:{catalog.group(1)[:12]}…, now sha256:{now[:12]}…): "
                "review the change and update the record"
            )
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--fingerprint", metavar="LANG", help="print a catalog's fingerprint")
    args = parser.parse_args()
    if args.fingerprint:
        print(f"sha256:{fingerprint(args.fingerprint)}")
        return 0
    if args.check:
        found = problems() + review_problems(require_all=REQUIRE_ALL_RECORDS)
        for line in found:
            print(line)
        return 1 if found else 0
    update()
    return 0


if __name__ == "__main__":
    sys.exit(main())
