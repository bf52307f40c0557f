"""dsr templates: blank letters per kind x jurisdiction x language, and sources."""

from __future__ import annotations

import zipfile
from pathlib import Path

from click.testing import CliRunner

from dsr.cli import main
from dsr.formats import Engine, WriteOptions
from dsr.kits import combinations, write_kit
from tests.conftest import letter_args, pdf_text

TYPST = WriteOptions(engine=Engine.TYPST)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_kit_for_poland_and_bavaria(tmp_path: Path) -> None:
    out = tmp_path / "kit"
    code, output = invoke(
        "templates", "-o", str(out), "--jurisdiction", "PL", "--jurisdiction", "DE-BY",
        "--index-lang", "pl", "--zip",
    )  # fmt: skip
    assert code == 0, output
    files = sorted(str(p.relative_to(out)) for p in out.rglob("*.pdf"))
    assert files == [
        "DE-BY/complaint-de.pdf", "DE-BY/complaint-en.pdf",
        *[f"PL/{kind}-{lang}.pdf" for kind in ("access", "art21", "complaint", "erasure", "objection", "reminder") for lang in ("en", "pl")],
    ]  # fmt: skip
    complaint = " ".join(pdf_text(out / "PL" / "complaint-pl.pdf").split())
    assert "Prezes Urzędu Ochrony Danych Osobowych" in complaint
    assert "art. 77 ust. 1 RODO" in complaint
    assert "_" * 16 in complaint  # dates to fill in by hand
    assert "…" * 10 in complaint  # the member's details
    bavaria = " ".join(pdf_text(out / "DE-BY" / "complaint-de.pdf").split())
    assert "Bayerisches Landesamt für Datenschutzaufsicht" in bavaria
    index = (out / "index.html").read_text("utf-8")
    assert '<html lang="pl">' in index
    assert "PL/complaint-pl.pdf" in index
    assert "Polska" in index
    with zipfile.ZipFile(tmp_path / "kit.zip") as archive:
        assert len(archive.namelist()) == len(files) + 1


def test_every_jurisdiction_has_a_kit() -> None:
    entries = list(combinations())
    codes = {code for code, _, _ in entries}
    assert {"DE", "DE-BY", "FR", "GB", "CH", "CA", "CA-QC", "HK", "US-CA"} <= codes
    assert ("DE", "complaint", "de") not in entries  # German complaints go to the Land
    assert ("HK", "objection", "zh-Hant") in entries
    assert ("CH", "objection", "de-CH") in entries
    assert not [e for e in entries if e[0] == "HK" and e[2] not in ("en", "zh-Hant")]
    assert len(entries) > 300


def test_every_blank_letter_leaves_every_date_blank() -> None:
    """All kinds of every kit, reminders included: no computed or current date leaks in."""
    import re
    from datetime import UTC, datetime

    from dsr.kits import blank_letter
    from dsr.render import render_text

    today = datetime.now(UTC).year  # kits.date_for_deadlines: today, deadlines up to a year on
    years = {str(today), str(today + 1), "2019", "2020"}
    for code, kind, language in combinations():
        text = render_text(blank_letter(code, kind, language))
        found = set(re.findall(r"(?<![\d/])(\d{4})(?![\d/])", text)) & years
        assert not found, (code, kind, language, found)
        assert "_" * 16 in text, (code, kind, language)


def test_sources_can_be_adapted_and_used(tmp_path: Path) -> None:
    source = tmp_path / "source"
    code, output = invoke("templates", "--source", "-o", str(source))
    assert code == 0, output
    base = source / "templates" / "base.html.jinja"
    assert base.exists()
    assert (source / "locales" / "pl" / "LC_MESSAGES" / "letters.po").exists()
    base.write_text(
        base.read_text("utf-8").replace(
            "<main>", '<main><p class="ngo">Distributed by Privacy NGO</p>'
        ),
        encoding="utf-8",
    )
    out = tmp_path / "letter.pdf"
    code, output = invoke(
        *letter_args("objection", "DE", "de", out), "--template-dir", str(source / "templates")
    )
    assert code == 0, output
    assert "Distributed by Privacy NGO" in pdf_text(out)


def test_unknown_values_are_refused(tmp_path: Path) -> None:
    code, output = invoke(
        "templates", "-o", str(tmp_path / "kit"), "--jurisdiction", "XX", "--lang", "tlh"
    )
    assert code == 2
    assert output.splitlines()[0] == (
        "Error: --jurisdiction: 'XX' is not a jurisdiction dsr knows; run 'dsr list "
        "jurisdictions' for the codes"
    )
    assert output.splitlines()[1].startswith("Error: --lang: 'tlh' is not offered; use one of ")


def test_a_folder_with_files_is_not_written_into_without_force(tmp_path: Path) -> None:
    out = tmp_path / "kit"
    out.mkdir()
    (out / "mine.txt").write_text("keep")
    code, output = invoke("templates", "-o", str(out), "--jurisdiction", "IE")
    assert code == 2
    assert output == f"Error: --output: {out} already holds files; use --force to write into it\n"
    assert invoke("templates", "-o", str(out), "--jurisdiction", "IE", "--force")[0] == 0
    assert (out / "mine.txt").read_text() == "keep"


def test_fillable_kits_have_form_fields(tmp_path: Path) -> None:
    from pypdf import PdfReader

    out = tmp_path / "kit"
    code, output = invoke(
        "templates",
        "-o",
        str(out),
        "--jurisdiction",
        "FR",
        "--kind",
        "art21",
        "--lang",
        "fr",
        "--fillable",
    )
    assert code == 0, output
    letter = out / "FR" / "art21-fr.pdf"
    fields = set((PdfReader(letter).get_fields() or {}).keys())
    assert {
        "name",
        "street",
        "town",
        "account_email",
        "profile_url",
        "place",
        "date",
        "situation",
        "signature_name",
    } <= fields
    text = pdf_text(letter)
    assert "<input" not in text
    assert "article 21, paragraphe 1, du RGPD" in " ".join(text.split())


def test_blank_letter_fields_hold_no_markup_and_list_their_blanks() -> None:
    """Issue 15: blanks are a structured element (dsr.model.Blank), never markup in fields."""
    import dataclasses

    from markupsafe import Markup

    from dsr.kits import blank_letter
    from dsr.model import Blank

    for fillable in (False, True):
        letter = blank_letter("DE", "art21", "de", fillable=fillable)
        values = [getattr(letter, f.name) for f in dataclasses.fields(letter)]
        values += [letter.sender.name, *letter.sender.lines, letter.account.email]
        assert not any(isinstance(value, Markup) for value in values)
        assert letter.blanks["place"] == Blank("place", "field")
        assert letter.blanks["deadline"] == Blank("deadline", "date")
        assert letter.blanks["date"] == Blank("date", "date")
        assert letter.blanks["situation"] == Blank("situation", "text")


def test_printed_kit_blanks_are_marked_and_set_by_typst(tmp_path: Path) -> None:
    import pikepdf

    from dsr.kits import blank_letter
    from dsr.render import render_html

    html = render_html(blank_letter("FR", "objection", "fr"))
    assert 'class="blank blank-wide" data-blank="account_email"' in html
    assert 'data-blank="date"' in html
    assert "<input" not in html
    write_kit(tmp_path, kinds=["objection"], jurisdictions=["FR"], languages=["fr"], options=TYPST)
    with pikepdf.open(tmp_path / "FR" / "objection-fr.pdf") as pdf:
        assert str(pdf.docinfo["/Producer"]).startswith("Typst")


def test_fillable_kit_keeps_its_named_fields(tmp_path: Path) -> None:
    import pikepdf

    fillable = WriteOptions(fillable=True)
    write_kit(tmp_path, kinds=["art21"], jurisdictions=["DE"], languages=["de"], options=fillable)
    with pikepdf.open(tmp_path / "DE" / "art21-de.pdf") as pdf:
        names = {str(field.get("/T")) for field in pdf.Root.AcroForm.Fields}
    assert names == {
        "account_email", "date", "deadline", "name", "place", "profile_url", "reference",
        "signature_name", "situation", "street", "town",
    }  # fmt: skip


def test_lang_and_kind_are_read_in_any_case(tmp_path: Path) -> None:
    out = tmp_path / "kit"
    code, output = invoke(
        "templates", "-o", str(out), "--jurisdiction", "fr", "--kind", "ART21",
        "--lang", "FR", "--index-lang", "Fr",
    )  # fmt: skip
    assert code == 0, output
    assert output.splitlines()[-1] == f"Wrote 1 blank letter and index.html to {out}"
    assert (out / "FR" / "art21-fr.pdf").exists()
    assert '<html lang="fr">' in (out / "index.html").read_text(encoding="utf-8")
    code, output = invoke(
        "templates", "-o", str(out / "gb"), "--jurisdiction", "GB", "--lang", "EN_gb"
    )
    assert code == 0, output
    assert (out / "gb" / "GB" / "objection-en-GB.pdf").exists()
    code, output = invoke("templates", "-o", str(tmp_path / "x"), "--index-lang", "tlh")
    assert code == 2
    assert output.startswith("Error: --index-lang: 'tlh' is not offered; use one of bg, ")


def test_an_empty_selection_names_the_options_and_what_there_is(tmp_path: Path) -> None:
    code, output = invoke("templates", "-o", str(tmp_path / "k"), "--kind", "art21", "--lang", "ga")
    assert code == 2
    assert "Wrote" not in output
    assert output.splitlines() == [
        "Error: no blank letter matches --kind art21 --lang ga; nothing was written",
        "Error: --lang: the kit has its art21 letters in bg, cs, da, de, de-CH, el, en, en-GB, "
        "es, et, fi, fr, hr, hu, is, it, lt, lv, mt, nb, nl, pl, pt, ro, sk, sl, sv",
    ]
    assert not (tmp_path / "k").exists()
