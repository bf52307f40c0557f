"""Issue 17's kits: labelled blanks, the fillable kit's index, --lang in any case, an
empty selection refused, progress off a terminal, templates compiled once."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr import layout
from dsr.cli import main
from dsr.i18n import translations
from dsr.render import environment
from tests.conftest import Word, pdf_text, pdf_words
from tests.test_window import ZONE_BOTTOM, ZONE_TOP, crop


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def flat(text: str) -> str:
    return " ".join(text.split())


def words(language: str, *msgids: str) -> list[str]:
    """The letters' catalog's words for ``msgids`` in ``language`` (English until translated)."""
    return [translations(language).gettext(msgid) for msgid in msgids]


LABELS = ("Name", "Street and number", "Postcode and town", "Place")


def test_blank_lines_are_labelled_in_the_letters_language_outside_the_window(
    tmp_path: Path,
) -> None:
    out = tmp_path / "kit"
    code, output = invoke(
        "templates", "-o", str(out), "--jurisdiction", "FR", "--jurisdiction", "DE",
        "--kind", "objection", "--lang", "fr", "--lang", "de",
    )  # fmt: skip
    assert code == 0, output
    for path, language in (
        (out / "FR/objection-fr.pdf", "fr"),
        (out / "DE/objection-de.pdf", "de"),
    ):
        text = pdf_text(path)
        name, street, town, place = words(language, *LABELS)
        lines = text.splitlines()
        # Each label stands before its dotted line, in the letterhead and under the signature.
        assert lines[0].startswith(f"{name} …"), lines[:3]
        assert lines[1].startswith(f"{street} …"), lines[:3]
        assert lines[2].startswith(f"{town} …"), lines[:3]
        assert re.search(rf"^{re.escape(place)} …+,? ", text, re.MULTILINE), text[:600]
        assert sum(line.startswith(f"{name} …") for line in lines) == 2  # letterhead, signature
        # The window (return line and recipient) holds no label: it is the sender's dots
        # and the company's address only.
        window = layout.current().sections["window"]["left"]
        seen = crop(path, window["left_mm"], ZONE_TOP, window["width_mm"], ZONE_BOTTOM - ZONE_TOP)
        assert "LinkedIn Ireland Unlimited Company" in seen
        assert "…" in seen
        for label in (name, street, town, place):
            assert not re.search(rf"{re.escape(label)}\s*…", seen), (path, label, seen)


def test_fillable_kit_index_says_on_screen_and_the_printed_kit_by_hand(tmp_path: Path) -> None:
    by_hand = "Print a letter, fill in the blanks by hand, sign it and send it by post."
    on_screen = (
        "Open a letter, fill in its fields on screen, then print it, sign it and send it by post."
    )
    for language in ("es", "de"):
        plain, fillable = tmp_path / f"plain-{language}", tmp_path / f"fillable-{language}"
        common = ["--jurisdiction", "ES", "--kind", "art21", "--lang", "es"]
        common += ["--index-lang", language]
        assert invoke("templates", "-o", str(plain), *common)[0] == 0
        code, output = invoke("templates", "-o", str(fillable), *common, "--fillable")
        assert code == 0, output
        hand, screen = words(language, by_hand, on_screen)
        assert hand != screen
        plain_index = flat((plain / "index.html").read_text("utf-8"))
        fillable_index = flat((fillable / "index.html").read_text("utf-8"))
        assert hand in plain_index
        assert screen not in plain_index
        assert screen in fillable_index
        assert hand not in fillable_index
        assert f'<html lang="{language}">' in fillable_index
    assert "a mano" in flat((tmp_path / "plain-es" / "index.html").read_text("utf-8"))
    # The fillable letter keeps its labels beside its form fields.
    name, street, town, place = words("es", *LABELS)
    text = pdf_text(tmp_path / "fillable-es" / "ES" / "art21-es.pdf")
    assert all(label in text for label in (name, street, town, place)), text[:400]


def test_the_index_names_every_kind(tmp_path: Path) -> None:
    out = tmp_path / "kit"
    code, output = invoke("templates", "-o", str(out), "--jurisdiction", "GB", "--lang", "en-GB")
    assert code == 0, output
    index = flat((out / "index.html").read_text("utf-8"))
    for kind_name in (
        "Reminder of an earlier request",
        "Complaint to the company",
        "Complaint to the authority",
        "Access request",
    ):
        assert index.count(kind_name) == 1, kind_name


def test_lang_and_jurisdiction_in_any_case(tmp_path: Path) -> None:
    out = tmp_path / "es"
    code, output = invoke(
        "templates", "-o", str(out), "--jurisdiction", "es", "--lang", "ES", "--kind", "access",
        "--index-lang", "ES",
    )  # fmt: skip
    assert code == 0, output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.pdf")) == ["ES/access-es.pdf"]
    assert "Solicitud de acceso (artículo 15.1 del RGPD)" in flat(
        pdf_text(out / "ES/access-es.pdf")
    )
    assert '<html lang="es">' in (out / "index.html").read_text("utf-8")
    # A language as dsr batch takes it: "en" is GB's en-GB, as a GB member's letter.
    code, output = invoke(
        "templates", "-o", str(tmp_path / "gb-en"), "--jurisdiction", "gb", "--lang", "EN"
    )
    assert code == 0, output
    assert (tmp_path / "gb-en" / "GB" / "objection-en-GB.pdf").exists()
    code, output = invoke(
        "templates", "-o", str(tmp_path / "gb"), "--jurisdiction", "gb", "--lang", "EN_gb"
    )
    assert code == 0, output
    assert (tmp_path / "gb" / "GB" / "objection-en-GB.pdf").exists()


def test_an_empty_selection_says_why_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "kit"
    code, output = invoke(
        "templates", "-o", str(out), "--jurisdiction", "DE", "--kind", "complaint"
    )
    assert code == 2
    lines = output.splitlines()
    assert lines[0] == (
        "Error: no blank letter matches --kind complaint --jurisdiction DE; nothing was written"
    )
    assert lines[1].startswith(
        "Error: --kind complaint: in DE, complaints go to the authority of the member's region; "
        "use --jurisdiction with one of DE-BW, DE-BY, "
    ), lines[1]
    assert "Wrote" not in output
    assert "Traceback" not in output
    assert not out.exists()

    code, output = invoke("templates", "-o", str(out), "--jurisdiction", "de", "--lang", "ES")
    assert code == 2
    assert output.splitlines() == [
        "Error: no blank letter matches --jurisdiction DE --lang es; nothing was written",
        "Error: --lang: DE's kit has its letters in de, en",
    ]
    assert not out.exists()

    code, output = invoke(
        "templates", "-o", str(out), "--jurisdiction", "DE-BY", "--kind", "erasure"
    )
    assert code == 2
    assert output.splitlines()[1] == (
        "Error: --kind erasure: DE-BY's kit holds only complaints to its own authority; "
        "its other letters are DE's: use --jurisdiction DE"
    )
    assert not out.exists()


def test_progress_lines_off_a_terminal(tmp_path: Path) -> None:
    """CliRunner is no terminal: plain lines, each a count of the total, ending at it."""
    out = tmp_path / "kit"
    code, output = invoke(
        "templates", "-o", str(out), "--jurisdiction", "FR", "--jurisdiction", "PL", "--jobs", "1"
    )
    assert code == 0, output
    written = len(list(out.rglob("*.pdf")))
    assert written == 24
    progress = [line for line in output.splitlines() if line.startswith("Written ")]
    assert len(progress) >= 2, output
    found = [re.fullmatch(r"Written (\d+) of 24 blank letters", line) for line in progress]
    counts = [int(match.group(1)) for match in found if match is not None]
    assert len(counts) == len(progress), progress
    assert counts == sorted(counts)
    assert counts[-1] == 24
    assert output.splitlines()[-1] == f"Wrote 24 blank letters and index.html to {out}"


def test_languages_share_compiled_templates_but_a_template_folder_does_not(
    tmp_path: Path,
) -> None:
    """A kit's 30 languages compile each template once (render.environment)."""
    german = environment("de", None).get_template("letters/objection.html.jinja")
    greek = environment("el", None).get_template("letters/objection.html.jinja")
    assert german is not greek
    assert german.root_render_func.__code__ is greek.root_render_func.__code__
    folder = tmp_path / "templates"
    folder.mkdir()
    own = environment("de", folder)
    assert own.bytecode_cache is None
    assert own.get_template("letters/objection.html.jinja").root_render_func.__code__ is not (
        german.root_render_func.__code__
    )


# Issue 17's review (H2, M14, L10; the translators' kit findings).

# One value set twice is one field: the sender, the reference, the account, and a
# reminder's earlier request's date (its subject and its first sentence).
SHARED_FIELDS = {
    *("name", "street", "town", "reference", "account_email", "profile_url", "request_date"),
}


def widget_names(path: Path) -> list[str]:
    """The name of every form field widget on every page, as a PDF viewer finds them."""
    from pypdf import PdfReader

    return [
        str(annotation.get_object().get("/T"))
        for page in PdfReader(path).pages
        for annotation in page.get("/Annots") or []
        if annotation.get_object().get("/Subtype") == "/Widget"
    ]


def filled_lines(path: Path, values: dict[str, str], out: Path) -> list[str]:
    """Fill the form as a viewer does (pypdf sets each field's appearance), and read the
    page's lines back as poppler sees them, the fields' text in its place."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(path))
    writer.update_page_form_field_values(None, values, auto_regenerate=False)
    writer.write(out)
    lines = []
    for _, _, found in pdf_words(out):
        rows: list[tuple[float, list[Word]]] = []
        for word in sorted(found, key=lambda w: w.top + w.bottom):
            middle = (word.top + word.bottom) / 2
            if rows and middle - rows[-1][0] <= 4:
                rows[-1][1].append(word)
            else:
                rows.append((middle, [word]))
        lines += [" ".join(w.text for w in sorted(row, key=lambda w: w.left)) for _, row in rows]
    return lines


def test_every_blank_of_the_fillable_kit_is_a_field_of_its_own(tmp_path: Path) -> None:
    """H2: the letter's date and the reply deadline were one field (`date`), so the letter
    asked for a reply on its own date. Every date is its own field; filled, each reads back
    where it stands, and no line holds two."""
    from dsr.formats import WriteOptions
    from dsr.kits import write_kit

    kits = (("AT", "de"), ("US-CA", "en-US"), ("HK", "zh-Hant"))
    for code, language in kits:
        write_kit(
            tmp_path / "kit", jurisdictions=[code], languages=[language],
            options=WriteOptions(fillable=True),
        )  # fmt: skip
    letters = sorted((tmp_path / "kit").rglob("*.pdf"))
    assert len(letters) >= 12, letters
    for path in letters:
        names = widget_names(path)
        assert "date" in names, (path, names)
        if not path.name.startswith("complaint-"):  # an authority is given no deadline
            assert "deadline" in names, (path, names)
        repeated = {name for name in names if names.count(name) > 1}
        assert repeated <= SHARED_FIELDS, (path, repeated)
        dates = {name for name in names if name == "date" or name.endswith(("_date", "deadline"))}
        values = {name: f"DAY-{name.upper()}" for name in dates}
        lines = filled_lines(path, values, tmp_path / "filled.pdf")
        for value in values.values():
            assert any(value in line for line in lines), (path, value)
        for line in lines:
            assert sum(value in line for value in values.values()) <= 1, (path, line)
    at = filled_lines(
        tmp_path / "kit/AT/objection-de.pdf",
        {"date": "8. Dezember 2026", "deadline": "DAY-DEADLINE"},
        tmp_path / "at.pdf",
    )
    assert any("bis zum DAY-DEADLINE" in line for line in at), at
    assert not any("bis zum 8. Dezember 2026" in line for line in at), at
    california = filled_lines(
        tmp_path / "kit/US-CA/objection-en-US.pdf",
        {"deadline": "DAY-DEADLINE", "general_deadline": "DAY-GENERAL"},
        tmp_path / "ca.pdf",
    )
    assert any("by DAY-GENERAL" in line for line in california), california


def test_a_fillable_kit_leaves_no_dots(tmp_path: Path) -> None:
    """M14: the return line, the reference (info block and subject) and the header of
    page two were dots no field fills. Now fields, or (the running header) left out."""
    from dsr.formats import WriteOptions
    from dsr.kits import write_kit

    out = tmp_path / "kit"
    write_kit(out, jurisdictions=["AT"], languages=["de"], options=WriteOptions(fillable=True))
    for path in sorted(out.rglob("*.pdf")):
        text = pdf_text(path)
        assert "…" not in text, (path, text)
        assert "___" not in text, (path, text)
        names = widget_names(path)
        assert names.count("reference") == 2, (path, names)  # info block and subject
        # The return line in the window: the letterhead's fields again, and the country.
        window = layout.current().sections["window"]["left"]
        seen = crop(path, window["left_mm"], ZONE_TOP, window["width_mm"], ZONE_BOTTOM - ZONE_TOP)
        assert "·" in seen, seen
        for name in ("name", "street", "town"):
            assert names.count(name) == 2, (path, name, names)  # letterhead and return line
    filled = filled_lines(
        out / "AT/objection-de.pdf",
        {"name": "Erika Muster", "street": "Hauptstraße 1", "town": "1010 Wien"},
        tmp_path / "filled.pdf",
    )
    assert any(
        re.search(r"Erika Muster · Hauptstraße 1 · 1010 Wien · ÖSTERREICH", line) for line in filled
    ), filled


BLANK_KITS = ("US-CA", "CA", "CA-QC", "HK", "GB", "CH")


def test_a_blank_letter_carries_no_date_computed_from_its_placeholder_date(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The US-CA kit printed "by January 22, 2027" (a deadline computed from the kit's
    placeholder date): the text of every blank letter is the same whatever that date."""
    from datetime import UTC, datetime, timedelta

    from dsr import kits
    from dsr.render import render_text

    def texts() -> dict[tuple[str, str, str], str]:
        return {
            entry: render_text(kits.blank_letter(*entry))
            for entry in kits.combinations(jurisdictions=list(BLANK_KITS))
        }

    made = texts()
    assert {code for code, _, _ in made} == set(BLANK_KITS)
    placeholder = kits.date_for_deadlines
    monkeypatch.setattr(
        kits, "date_for_deadlines", lambda earlier=False: placeholder(earlier) - timedelta(73)
    )
    assert texts() == made
    this_year = datetime.now(UTC).year
    for entry, text in made.items():
        assert not re.search(rf"\b({this_year}|{this_year + 1})\b", text), (entry, text)
    monkeypatch.undo()
    kits.write_kit(tmp_path, kinds=["objection"], jurisdictions=["US-CA"])
    printed = flat(pdf_text(tmp_path / "US-CA/objection-en-US.pdf"))
    assert "if this letter reaches you on its date, by ____" in printed, printed
    assert not re.search(rf"\b({this_year}|{this_year + 1})\b", printed), printed


def index_rows(path: Path) -> dict[str, str]:
    """The kit index's rows as a reader sees them: the file, and what the letter is."""
    rows = re.findall(r"<tr>(.*?)</tr>", path.read_text("utf-8"), re.DOTALL)
    cells = [
        [
            flat(re.sub(r"<[^>]+>", "", cell))
            for cell in re.findall(r"<td>(.*?)</td>", row, re.DOTALL)
        ]
        for row in rows
    ]
    return {cell[3]: cell[1] for cell in cells if len(cell) == 4}


def test_the_index_names_each_letter_as_its_own_law_does(tmp_path: Path) -> None:
    """HK's letter is a withdrawal of consent, US-CA's an opt-out, CH's complaint a report
    to the authority; GB's complaint to the company keeps its name."""
    code, output = invoke(
        "templates", "-o", str(tmp_path / "kit"), "--format", "html", "--lang", "en",
        "--jurisdiction", "HK", "--jurisdiction", "US-CA", "--jurisdiction", "CH",
        "--jurisdiction", "GB", "--jurisdiction", "AT",
    )  # fmt: skip
    assert code == 0, output
    rows = index_rows(tmp_path / "kit" / "index.html")
    assert rows["HK/objection-en.html"] == "Withdrawal of consent to AI training"
    assert rows["US-CA/objection-en-US.html"] == "Opt-out of the sale and sharing of your data"
    assert rows["CH/complaint-en.html"] == "Report to the data protection authority"
    assert rows["GB/controller-complaint-en-GB.html"] == "Complaint to the company"
    assert rows["GB/complaint-en-GB.html"] == "Complaint to the authority"
    assert rows["AT/objection-en.html"] == "Objection to AI training"
    assert rows["AT/complaint-en.html"] == "Complaint to the authority"


def test_jurisdiction_and_language_as_batch_reads_them(tmp_path: Path) -> None:
    """L10: a country's name, as dsr batch takes it; "en" for IE's en-GB letters; the
    index in the one language asked for."""
    out = tmp_path / "de"
    code, output = invoke(
        "templates", "-o", str(out), "--jurisdiction", "Deutschland", "--kind", "objection",
        "--lang", "de", "--format", "html",
    )  # fmt: skip
    assert code == 0, output
    assert sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html")) == [
        "DE/objection-de.html", "index.html",
    ]  # fmt: skip
    index = (out / "index.html").read_text("utf-8")
    assert '<html lang="de">' in index
    assert words("de", "Objection to AI training")[0] in index
    code, output = invoke(
        "templates", "-o", str(tmp_path / "ie"), "--jurisdiction", "ie", "--lang", "en",
        "--kind", "access", "--format", "html",
    )  # fmt: skip
    assert code == 0, output
    assert (tmp_path / "ie" / "IE" / "access-en-GB.html").exists()
    code, output = invoke(
        "templates", "-o", str(tmp_path / "us"), "--jurisdiction", "United States"
    )
    assert code == 2
    assert output.splitlines() == [
        "Error: --jurisdiction: dsr writes for US-CA in United States; give US-CA"
    ]
    assert not (tmp_path / "us").exists()
