"""Round 22b #1 (CRITICAL): an `enclose` in a profile or a file of --defaults, which may
be someone else's (a kit, a shared drive), pulled a PDF from anywhere on the machine
into members' letters. Such annexes are now held to the profile's folder, or to the
annex folder as a row's are; only `dsr letter --enclose`, typed by the member, names a
file anywhere. These tests read the letters written (or their absence) and the messages.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr.cli import main

from .conftest import letter_args, pdf_text
from .test_attack_9 import annex_pdf


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def private_pdf(tmp_path: Path) -> Path:
    return annex_pdf(tmp_path / "private" / "diagnosis.pdf", "CONFIDENTIAL")


def names_outside(tmp_path: Path, shared: Path) -> dict[str, str]:
    """Ways a shared file can name the private PDF: absolute, '..', a link leading out."""
    secret = private_pdf(tmp_path)
    os.symlink(secret, shared / "link.pdf")
    return {
        "absolute": str(secret),
        "dot-dot": "../private/diagnosis.pdf",
        "link": "link.pdf",
    }


def test_a_profile_encloses_no_file_outside_its_folder(tmp_path: Path) -> None:
    shared = tmp_path / "shared"
    shared.mkdir()
    for case, name in names_outside(tmp_path, shared).items():
        profile = shared / f"{case}.toml"
        profile.write_text(f"enclose = {json.dumps([name])}\n", encoding="utf-8")
        output = tmp_path / f"{case}.pdf"
        code, message = run(
            *letter_args("complaint", "DE-BE", "en", output), "--profile", str(profile)
        )
        assert code == 2, (case, message)
        assert f"--profile: {profile}: enclose:" in message, (case, message)
        assert not output.exists(), case


def test_a_profile_encloses_a_file_beside_it_and_says_so(tmp_path: Path) -> None:
    shared = tmp_path / "kit"
    annex_pdf(shared / "annexes" / "power-of-attorney.pdf", "GOODANNEX")
    profile = shared / "profile.toml"
    profile.write_text('enclose = ["annexes/power-of-attorney.pdf"]\n', encoding="utf-8")
    output = tmp_path / "c.pdf"
    code, message = run(*letter_args("complaint", "DE-BE", "en", output), "--profile", str(profile))
    assert code == 0, message
    assert "GOODANNEX" in pdf_text(output).split("\f")[-1]
    assert "Encloses " in message
    assert "power-of-attorney.pdf (from --profile" in message


def test_the_member_s_own_enclose_still_names_a_file_anywhere(tmp_path: Path) -> None:
    secret = private_pdf(tmp_path)
    output = tmp_path / "c.pdf"
    code, message = run(*letter_args("complaint", "DE-BE", "en", output), "--enclose", str(secret))
    assert code == 0, message
    assert "CONFIDENTIAL" in pdf_text(output).split("\f")[-1]


@pytest.mark.parametrize("case", ["absolute", "dot-dot", "link"])
def test_defaults_enclose_no_file_outside_the_annex_folder(tmp_path: Path, case: str) -> None:
    batch = tmp_path / "batch"
    batch.mkdir()
    name = names_outside(tmp_path, batch)[case]
    rows = batch / "rows.jsonl"
    member = {
        "kind": "objection", "jurisdiction": "DE", "name": "Alice Example",
        "address": "Hauptstraße 1, 10115 Berlin", "account-email": "alice@example.org",
    }  # fmt: skip
    rows.write_text(json.dumps(member) + "\n", encoding="utf-8")
    defaults = tmp_path / "defaults.toml"
    defaults.write_text(f"enclose = {json.dumps(name)}\n", encoding="utf-8")
    out = tmp_path / "out"
    code, message = run("batch", str(rows), "-o", str(out), "--defaults", str(defaults))
    assert code == 2, message
    assert "--defaults: enclose:" in message
    assert not out.exists() or not list(out.glob("*.pdf"))


# Round 22b #3 (MEDIUM): the catalogs `dsr templates --source` writes were never read,
# so a member's own wording was dropped without a word.


def german_letter(tmp_path: Path, template_dir: Path, name: str = "l.pdf") -> tuple[int, str, Path]:
    output = tmp_path / name
    code, message = run(
        *letter_args("objection", "DE", "de", output), "--template-dir", str(template_dir)
    )
    return code, message, output


def test_an_edited_catalog_of_the_template_folder_is_used(tmp_path: Path) -> None:
    source = tmp_path / "src"
    assert run("templates", "--source", "-o", str(source))[0] == 0
    po = source / "locales" / "de" / "LC_MESSAGES" / "letters.po"
    text = po.read_text(encoding="utf-8")
    assert 'msgstr "Sehr geehrte Damen und Herren,"' in text
    po.write_text(
        text.replace('msgstr "Sehr geehrte Damen und Herren,"', 'msgstr "Liebes Datenschutzteam,"'),
        encoding="utf-8",
    )
    for folder in (source, source / "templates"):
        code, message, output = german_letter(tmp_path, folder, f"{folder.name}.pdf")
        assert code == 0, message
        letter = " ".join(pdf_text(output).split())
        assert "Liebes Datenschutzteam," in letter
        assert "Sehr geehrte Damen und Herren" not in letter
        assert "Widerspruch" in letter  # what the member did not edit stays dsr's


def test_a_catalog_that_cannot_be_read_or_leads_out_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "src"
    assert run("templates", "--source", "-o", str(source))[0] == 0
    po = source / "locales" / "de" / "LC_MESSAGES" / "letters.po"
    po.write_text('msgid "x"\nthis line is no catalog\n', encoding="utf-8")
    code, message, output = german_letter(tmp_path, source)
    assert code == 2, message
    assert "letters.po" in message
    assert not output.exists()
    outside = tmp_path / "elsewhere.po"
    outside.write_text('msgid ""\nmsgstr ""\n', encoding="utf-8")
    po.unlink()
    os.symlink(outside, po)
    code, message, output = german_letter(tmp_path, source, "link.pdf")
    assert code == 2, message
    assert "outside the folder" in message
    assert not output.exists()


# Round 24b #3, #8: a hostile Plural-Forms header was an internal error (exit 1); a
# `locales` folder that is a link out was ignored without a word.


@pytest.mark.parametrize(
    "plural",
    ["plural=" + "(" * 150 + "n" + ")" * 150 + ";", 'plural=__import__(\\"os\\").getcwd();'],
)
def test_a_hostile_plural_forms_header_is_bad_input(tmp_path: Path, plural: str) -> None:
    source = tmp_path / "src"
    assert run("templates", "--source", "-o", str(source))[0] == 0
    po = source / "locales" / "de" / "LC_MESSAGES" / "letters.po"
    text = po.read_text(encoding="utf-8")
    start = text.index('"Plural-Forms:')
    end = text.index("\n", start)
    po.write_text(
        text[:start] + f'"Plural-Forms: nplurals=2; {plural}\\n"' + text[end:], encoding="utf-8"
    )
    code, message, output = german_letter(tmp_path, source)
    assert code == 2, message
    assert "letters.po" in message
    assert not output.exists()


def test_a_locales_folder_that_is_a_link_is_refused(tmp_path: Path) -> None:
    source = tmp_path / "src"
    assert run("templates", "--source", "-o", str(source))[0] == 0
    elsewhere = tmp_path / "elsewhere"
    (source / "locales").rename(elsewhere)
    os.symlink(elsewhere, source / "locales")
    code, message, output = german_letter(tmp_path, source)
    assert code == 2, message
    assert "symbolic link" in message
    assert not output.exists()
