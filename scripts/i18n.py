"""Catalog workflow: extract, update, fill the source language, compile, check.

    python scripts/i18n.py            # extract + update + compile (make i18n)
    python scripts/i18n.py --check    # fail on a stale .pot, untranslated or fuzzy entries

English is the source language: its catalog mirrors the msgids, so that
regional English forms can later differ where they must.
"""

from __future__ import annotations

import argparse
import io
import subprocess
import sys
import tempfile
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

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
    for folder in sorted(p for p in LOCALES.iterdir() if p.is_dir()):
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args()
    if args.check:
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    update()
    return 0


if __name__ == "__main__":
    sys.exit(main())
