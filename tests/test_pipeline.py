"""One pipeline from a letter to its files: every command writes through dsr.pipeline,
and each option works wherever it makes sense (issue 15)."""

from __future__ import annotations

import ast
import io
from collections.abc import Iterator
from pathlib import Path

import pikepdf
import pytest

import dsr
from dsr.composition import compose
from dsr.inputs import parse_request
from dsr.outputs import NoEmailAddress
from dsr.pipeline import Document, Engine, Format, WriteOptions, letter_bytes, write_letter
from tests.conftest import invoke_split, letter_args, pdf_producer, pdf_text

PACKAGE = Path(dsr.__file__).parent
ENGINE_CALLS = {
    ("typeset", "letter_pdf"),
    ("pdf", "html_to_pdf"),
    ("pdf", "layout"),
    ("pdf", "write_separately"),
    ("pdf_engine", "html_to_pdf"),
    ("pdf_engine", "layout"),
    ("pdf_engine", "write_separately"),
}


invoke = invoke_split
producer = pdf_producer


def words(text: str) -> list[str]:
    """The words a reader finds, in any order (the engines place the date line and the
    blanks' dotted lines each their own way; tests/test_typeset.py compares positions)."""
    return sorted(text.replace(",", " ").split())


def test_only_the_pipeline_calls_an_engine() -> None:
    """No module but dsr.pipeline (and the engines' own) sets a PDF: a fifth path would
    miss the options the others have."""
    callers = set()
    for module in PACKAGE.rglob("*.py"):  # dsr/commands too
        if module.name in ("pipeline.py", "pdf.py", "typeset.py") and module.parent == PACKAGE:
            continue
        tree = ast.parse(module.read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[-1] in (
                "typeset",
                "pdf",
            ):
                names = {alias.name for alias in node.names}
                if names & {"letter_pdf", "html_to_pdf", "layout", "write_separately"}:
                    callers.add(module.name)
            if (
                isinstance(node, ast.Attribute)
                and isinstance(node.value, ast.Name)
                and (node.value.id, node.attr) in ENGINE_CALLS
            ):
                callers.add(module.name)
    assert callers == set()


@pytest.mark.parametrize("engine", ["typst", "weasyprint"])
def test_letter_takes_the_engine(tmp_path: Path, engine: str) -> None:
    out = tmp_path / "letter.pdf"
    code, _, err = invoke(*letter_args("objection", "DE", "de", out), "--engine", engine)
    assert code == 0, err
    assert producer(out).lower().startswith(engine)
    assert "Erika Mustermann" in pdf_text(out)


def test_both_engines_print_the_same_words(tmp_path: Path) -> None:
    texts = []
    for engine in Engine:
        out = tmp_path / f"{engine.value}.pdf"
        code, _, err = invoke(*letter_args("art21", "FR", "fr", out), "--engine", engine.value)
        assert code == 0, err
        texts.append(words(pdf_text(out)))
    assert texts[0] == texts[1]


def test_a_variant_typst_cannot_write_is_set_by_weasyprint_and_said(tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    args = letter_args("objection", "DE", "de", out)
    code, _, err = invoke(*args, "--engine", "typst", "--pdf-variant", "pdf/a-3b")
    assert code == 0, err
    assert producer(out).startswith("WeasyPrint")
    assert "set with WeasyPrint: Typst does not write pdf/a-3b" in err
    with pikepdf.open(out) as document:
        assert document.open_metadata().pdfa_status == "3B"


def test_standard_output_takes_the_letter(tmp_path: Path) -> None:
    code, out, err = invoke(*letter_args("objection", "DE", "de", Path("-")), "--format", "txt")
    assert code == 0, err
    assert "Erika Mustermann" in out
    assert "Widerspruch" in out
    assert "Wrote the letter" in err
    assert not list(tmp_path.iterdir())


def test_a_format_that_contradicts_the_file_name_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    code, _, err = invoke(*letter_args("objection", "DE", "de", out), "--format", "txt")
    assert code == 2
    assert "--output: 'letter.pdf' names a .pdf file, --format txt" in err
    assert not out.exists()


def test_standard_output_cannot_be_tracked(tmp_path: Path) -> None:
    code, _, err = invoke(*letter_args("objection", "DE", "de", Path("-")), "--track")
    assert code == 2
    assert "--track: a letter written to standard output (-o -) has no file to track" in err


def test_a_tracked_letter_is_the_untracked_letter_byte_for_byte(tmp_path: Path) -> None:
    plain, tracked = tmp_path / "plain.pdf", tmp_path / "tracked.pdf"
    for out, extra in ((plain, ()), (tracked, ("--track",))):
        args = letter_args("objection", "DE", "de", out, reference="2026-TRACKED1")
        code, _, err = invoke(*args, *extra)
        assert code == 0, err
    assert plain.read_bytes() == tracked.read_bytes()


def batch_file(tmp_path: Path, extra_header: str = "", extra_cells: str = "") -> Path:
    source = tmp_path / "members.csv"
    source.write_text(
        f"kind,jurisdiction,name,address,account-email,lang,date{extra_header}\n"
        'objection,DE,Erika Mustermann,"Hauptstraße 1, 10115 Berlin",erika@example.org,de,'
        f"2026-11-22{extra_cells}\n",
        encoding="utf-8",
    )
    return source


def test_batch_writes_pdf_variants(tmp_path: Path) -> None:
    code, _, err = invoke(
        "batch", str(batch_file(tmp_path)), "-o", str(tmp_path / "out"), "--pdf-variant",
        "pdf/a-3b", "--jobs", "1",
    )  # fmt: skip
    assert code == 0, err
    (letter,) = (tmp_path / "out").glob("*.pdf")
    with pikepdf.open(letter) as document:
        assert document.open_metadata().pdfa_status == "3B"
        assert "request.json" in document.attachments


def test_batch_takes_a_courtesy_translation_column(tmp_path: Path) -> None:
    source = batch_file(tmp_path, ",also-lang", ",en")
    code, _, err = invoke("batch", str(source), "-o", str(tmp_path / "out"), "--jobs", "1")
    assert code == 0, err
    (letter,) = (tmp_path / "out").glob("*.pdf")
    text = pdf_text(letter)
    assert "Widerspruch" in text  # the letter, in German
    assert "Objection" in text  # then its courtesy translation
    assert text.index("Widerspruch") < text.index("Objection")


def test_batch_refuses_an_unknown_courtesy_language(tmp_path: Path) -> None:
    source = batch_file(tmp_path, ",also-lang", ",xx")
    code, _, err = invoke("batch", str(source), "-o", str(tmp_path / "out"), "--jobs", "1")
    assert code != 0
    assert "also-lang: 'xx' is not offered" in err


def test_templates_take_the_engine(tmp_path: Path) -> None:
    texts = []
    for engine in Engine:
        out = tmp_path / engine.value
        code, _, err = invoke(
            "templates", "-o", str(out), "--kind", "objection", "--jurisdiction", "DE",
            "--lang", "de", "--engine", engine.value, "--jobs", "1",
        )  # fmt: skip
        assert code == 0, err
        assert producer(out / "DE" / "objection-de.pdf").lower().startswith(engine.value)
        texts.append(words(pdf_text(out / "DE" / "objection-de.pdf")))
    assert texts[0] == texts[1]


def member_letter(controller: str = "linkedin") -> dsr.Letter:
    from datetime import date

    values = {
        "kind": "objection",
        "jurisdiction": "DE",
        "controller": controller,
        "name": "Erika Mustermann",
        "address": "Hauptstraße 1, 10115 Berlin",
        "account-email": "erika@example.org",
        "lang": "de",
        "date": "2026-11-22",
    }
    return compose(parse_request(values, today=date(2026, 11, 22)))


def test_the_library_writes_to_a_name_a_path_or_a_binary_file(tmp_path: Path) -> None:
    letter = member_letter()
    as_text = tmp_path / "letter.txt"
    dsr.render_to(letter, str(as_text))
    buffer = io.BytesIO()
    dsr.render_to(letter, buffer, format="txt")
    assert buffer.getvalue() == as_text.read_bytes()
    assert "Erika Mustermann" in as_text.read_text("utf-8")
    write_letter(Document(letter), tmp_path / "letter.html")
    assert "<html" in (tmp_path / "letter.html").read_text("utf-8")


def test_bytes_in_every_format() -> None:
    letter = member_letter()
    with pytest.raises(NoEmailAddress, match=r"linkedin\.com/help"):  # a form, no e-mail address
        letter_bytes(Document(letter), WriteOptions(format=Format.EML))
    for fmt in Format:
        written = member_letter("openai") if fmt is Format.EML else letter
        data = letter_bytes(Document(written), WriteOptions(format=fmt))
        assert data
        if fmt is Format.PDF:
            assert "Erika Mustermann" in pdf_text(data)
        elif fmt is Format.EML:
            assert b"Content-Type: application/pdf" in data
        else:
            assert "Erika Mustermann" in data.decode()


def test_the_library_never_overwrites_without_being_told(tmp_path: Path) -> None:
    out = tmp_path / "letter.txt"
    out.write_text("mine", encoding="utf-8")
    with pytest.raises(dsr.DsrError) as refused:
        write_letter(member_letter(), out)
    assert str(refused.value) == f"{out} exists; use force=True to replace it"
    assert out.read_text("utf-8") == "mine"


def test_follow_ups_take_the_engine(tmp_path: Path) -> None:
    original = tmp_path / "objection.pdf"
    args = letter_args("objection", "DE-BE", "de", original, date="2026-08-01")
    code, _, err = invoke(*args, "--track")
    assert code == 0, err
    reminder = tmp_path / "reminder.pdf"
    code, _, err = invoke(
        "track", "remind", "1", "-o", str(reminder), "--date", "2026-09-10", "--engine", "typst"
    )
    assert code == 0, err
    assert producer(reminder).startswith("Typst")
    assert "Erika Mustermann" in pdf_text(reminder)
    complaint = tmp_path / "complaint.pdf"
    code, _, err = invoke(
        "track", "escalate", "1", "-o", str(complaint), "--date", "2026-10-01",
        "--engine", "typst",
    )  # fmt: skip
    assert code == 0, err
    with pikepdf.open(complaint) as document:
        assert str(document.docinfo["/Producer"]).startswith("Typst")  # annexes appended after
    assert "Berliner Beauftragte" in pdf_text(complaint)


def test_a_pdf_a_follow_up_refuses_annexes_that_are_not(tmp_path: Path) -> None:
    original = tmp_path / "objection.pdf"
    code, _, err = invoke(*letter_args("objection", "DE-BE", "de", original), "--track")
    assert code == 0, err
    code, _, err = invoke(
        "track", "escalate", "1", "-o", str(tmp_path / "c.pdf"), "--pdf-variant", "pdf/a-3b",
        "--date", "2026-12-30",
    )  # fmt: skip
    assert code == 2
    assert "is not a PDF/A file" in err
    assert not (tmp_path / "c.pdf").exists()


def test_letters_are_grouped_once_by_language_and_handed_on_as_each_fills() -> None:
    from dsr.pipeline import GROUP, grouped

    items = [(n, "de" if n % 3 else "fr") for n in range(3 * GROUP + 5)]
    seen: list[int] = []

    def feed() -> Iterator[tuple[int, str]]:
        for item in items:
            seen.append(item[0])
            yield item

    groups = grouped(feed(), lambda item: item[1])
    first = next(groups)
    assert len(first) == GROUP
    assert {language for _, language in first} == {"de"}
    assert len(seen) < len(items)  # handed on before the last item was read
    rest = [first, *groups]
    assert sorted(n for group in rest for n, _ in group) == [n for n, _ in items]
    assert all(len({language for _, language in group}) == 1 for group in rest)
    assert all(len(group) <= GROUP for group in rest)


def test_a_reminder_keeps_the_letter_s_courtesy_translation(tmp_path: Path) -> None:
    """Review i15b #1: a reminder of a letter written with --also-lang dropped it."""
    original = tmp_path / "objection.pdf"
    args = letter_args("objection", "DE-BE", "de", original, date="2026-08-01")
    code, _, err = invoke(*args, "--also-lang", "en", "--track")
    assert code == 0, err
    reminder = tmp_path / "reminder.txt"
    code, _, err = invoke("track", "remind", "1", "-o", str(reminder), "--date", "2026-09-10")
    assert code == 0, err
    text = reminder.read_text("utf-8")
    german, rule, english = text.partition("-" * 40)
    assert rule
    assert "Erinnerung" in german
    assert "Reminder" in english
    complaint = tmp_path / "complaint.txt"
    code, _, err = invoke("track", "escalate", "1", "-o", str(complaint), "--date", "2026-10-01")
    assert code == 0, err
    assert "-" * 40 not in complaint.read_text("utf-8")  # in the authority's language only


def test_one_function_makes_a_request_s_document_for_every_front_end() -> None:
    """Review i15b #2: letter, batch and follow-ups each composed a request and its
    translation themselves, and the copies had drifted apart."""
    from datetime import date

    from dsr.pipeline import document_of

    values = {
        "kind": "objection", "jurisdiction": "DE", "name": "Erika Mustermann",
        "address": "Hauptstraße 1, 10115 Berlin", "account-email": "erika@example.org",
        "lang": "de", "date": "2026-11-22", "also-lang": "en",
    }  # fmt: skip
    document = document_of(parse_request(values, today=date(2026, 11, 22)))
    assert document.letter.language == "de"
    assert document.translation is not None
    assert document.translation.language == "en"
    callers = set()
    for module in PACKAGE.rglob("*.py"):
        text = module.read_text("utf-8")
        if "compose_with_translation(" in text and module.name not in ("composition.py",):
            callers.add(module.name)
    assert callers == {"pipeline.py"}


def test_follow_ups_take_the_template_folder(tmp_path: Path) -> None:
    """Review i15 architect #6: a reminder of a letter written with --template-dir was
    written with the built-in templates; follow-ups take --template-dir too."""
    source = tmp_path / "mine"
    code, _, err = invoke("templates", "--source", "-o", str(source))
    assert code == 0, err
    base = source / "templates" / "base.html.jinja"
    text = base.read_text("utf-8")
    assert text.count("</body>") == 1
    base.write_text(text.replace("</body>", "<p>OUR-OWN-TEMPLATES</p></body>"), "utf-8")
    original = tmp_path / "objection.txt"
    args = letter_args("objection", "DE-BE", "de", original, date="2026-08-01")
    code, _, err = invoke(*args, "--template-dir", str(source), "--track")
    assert code == 0, err
    assert "OUR-OWN-TEMPLATES" in original.read_text("utf-8")
    reminder = tmp_path / "reminder.txt"
    code, _, err = invoke(
        "track", "remind", "1", "-o", str(reminder), "--date", "2026-09-10",
        "--template-dir", str(source),
    )  # fmt: skip
    assert code == 0, err
    assert "OUR-OWN-TEMPLATES" in reminder.read_text("utf-8")
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = invoke(
        "track", "escalate", "1", "-o", str(tmp_path / "c.txt"), "--template-dir", str(empty)
    )
    assert code == 2
    assert f"--template-dir {empty} holds none of dsr's templates" in err


def test_a_kit_takes_the_template_folder(tmp_path: Path) -> None:
    """Review i15c architect #2: `dsr templates` had no --template-dir."""
    source = tmp_path / "mine"
    assert invoke("templates", "--source", "-o", str(source))[0] == 0
    base = source / "templates" / "base.html.jinja"
    text = base.read_text("utf-8")
    base.write_text(text.replace("</body>", "<p>OUR-OWN-KIT</p></body>"), "utf-8")
    catalog = source / "locales" / "de" / "LC_MESSAGES" / "letters.po"
    po = catalog.read_text("utf-8")
    salutation = 'msgid "Dear Sir or Madam,"\nmsgstr "Sehr geehrte Damen und Herren,"'
    assert salutation in po
    catalog.write_text(po.replace(salutation, salutation.replace("Sehr geehrte", "Werte")), "utf-8")
    out = tmp_path / "kit"
    code, _, err = invoke(
        "templates", "-o", str(out), "--kind", "objection", "--jurisdiction", "DE", "--lang",
        "de", "--template-dir", str(source), "--jobs", "1",
    )  # fmt: skip
    assert code == 0, err
    text = pdf_text(out / "DE" / "objection-de.pdf")
    assert "OUR-OWN-KIT" in text  # the folder's templates
    assert "Werte Damen und Herren," in text  # and its catalogs, edited, no compile step


def test_one_library_call_writes_and_tracks_a_letter(tmp_path: Path) -> None:
    """Review i15c architect #1: tracking was a step of the letter command only; the
    web page writes and tracks through the same call."""
    from datetime import date

    from dsr import track
    from dsr.inputs import raw_input
    from dsr.pipeline import document_of

    raw = raw_input(
        {
            "kind": "objection", "jurisdiction": "DE", "controller": "LinkedIn",
            "name": "Erika Mustermann", "address": "Hauptstraße 1, 10115 Berlin",
            "account_email": "erika@example.org", "lang": "de", "date": "2026-11-22",
        }
    )  # fmt: skip
    request = parse_request(raw, today=date(2026, 11, 22))
    target = tmp_path / "objection.pdf"
    made, recorded = track.write_tracked(document_of(request), request, raw, target, WriteOptions())
    assert made.data == target.read_bytes()
    tracked = track.get(recorded.id)
    assert tracked.controller == "linkedin"  # its key, not as typed
    assert tracked.inputs["date"] == "2026-11-22"
    assert [Path(f).name for f in tracked.files] == ["objection.pdf"]
