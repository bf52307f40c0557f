"""One options record everywhere (issue 15, "Typed exchange"): batch and kits take the
pipeline's WriteOptions, render_to takes an engine, and annex labels are worded by the
catalogs the letter's own words come from (a template folder's, edited)."""

from __future__ import annotations

import ast
import io
import pickle
from datetime import date
from pathlib import Path

import pikepdf
import pytest

import dsr
from dsr import batch, kits
from dsr.batch import BATCH_OPTIONS, RowStatus, run_batch
from dsr.composition import compose
from dsr.formats import Engine, Format, PdfVariant, UnknownFormat, WriteOptions
from dsr.inputs import parse_request
from dsr.kits import write_kit
from tests.conftest import invoke_split, letter_args, pdf_producer, pdf_text

LABEL = 'msgid "Annex %(number)s: %(name)s"\nmsgstr "Anlage %(number)s: %(name)s"\n'
EDITED = 'msgid "Annex %(number)s: %(name)s"\nmsgstr "Beweisstück %(number)s zu %(name)s"\n'
MEMBER = {
    "kind": "objection",
    "jurisdiction": "DE",
    "name": "Erika Mustermann",
    "address": "Hauptstraße 1, 10115 Berlin",
    "account-email": "erika@example.org",
    "lang": "de",
    "date": "2026-11-22",
}


invoke = invoke_split
producer = pdf_producer


def annex_pdf(path: Path) -> Path:
    """A blank one-page PDF to enclose (made directly: no engine to wait for)."""
    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.save(path)
    return path


def edited_templates(tmp_path: Path) -> Path:
    """The folder `dsr templates --source` writes, its German annex label edited."""
    folder = tmp_path / "mine"
    code, _, err = invoke("templates", "--source", "-o", str(folder))
    assert code == 0, err
    catalog = folder / "locales" / "de" / "LC_MESSAGES" / "letters.po"
    text = catalog.read_text("utf-8")
    assert LABEL in text  # what dsr ships, so the edit below is a change
    catalog.write_text(text.replace(LABEL, EDITED), encoding="utf-8")
    return folder


@pytest.mark.parametrize("engine", list(Engine))
def test_an_annex_label_follows_the_template_folders_edited_catalog(
    tmp_path: Path, engine: Engine
) -> None:
    folder = edited_templates(tmp_path)
    proof = annex_pdf(tmp_path / "proof.pdf")
    shipped, edited = tmp_path / "shipped.pdf", tmp_path / "edited.pdf"
    code, _, err = invoke(
        *letter_args("objection", "DE", "de", shipped, enclose=str(proof), engine=engine.value)
    )
    assert code == 0, err
    code, _, err = invoke(
        *letter_args(
            "objection", "DE", "de", edited, enclose=str(proof), engine=engine.value,
            template_dir=str(folder),
        )
    )  # fmt: skip
    assert code == 0, err
    assert "Anlage 1: proof.pdf" in pdf_text(shipped)
    text = pdf_text(edited)
    assert "Beweisstück 1 zu proof.pdf" in text
    assert "Anlage 1: proof.pdf" not in text


def test_an_annex_label_keeps_a_file_name_as_text(tmp_path: Path) -> None:
    """The label is text: a name with & or < is printed as written, never escaped."""
    proof = annex_pdf(tmp_path / "a&b <1>.pdf")
    letter = compose(parse_request({**MEMBER, "enclose": [str(proof)]}, today=date(2026, 11, 22)))
    out = tmp_path / "letter.pdf"
    dsr.render_to(letter, out, annexes=(proof,))
    assert "Anlage 1: a&b <1>.pdf" in pdf_text(out)


@pytest.mark.parametrize("engine", [Engine.TYPST, "typst", Engine.WEASYPRINT, "weasyprint"])
def test_render_to_takes_the_engine(tmp_path: Path, engine: Engine | str) -> None:
    letter = compose(parse_request(MEMBER, today=date(2026, 11, 22)))
    out = tmp_path / "letter.pdf"
    assert dsr.render_to(letter, out, engine=engine) == out
    assert producer(out).lower().startswith(Engine(engine).value)
    assert "Erika Mustermann" in pdf_text(out)
    buffer = io.BytesIO()
    dsr.render_to(letter, buffer, engine=engine)
    assert producer(buffer.getvalue()).lower().startswith(Engine(engine).value)


def test_render_to_sets_with_weasyprint_unless_told() -> None:
    letter = compose(parse_request(MEMBER, today=date(2026, 11, 22)))
    buffer = io.BytesIO()
    dsr.render_to(letter, buffer)
    assert producer(buffer.getvalue()).lower().startswith("weasyprint")


def test_render_to_refuses_an_engine_it_does_not_know(tmp_path: Path) -> None:
    letter = compose(parse_request(MEMBER, today=date(2026, 11, 22)))
    with pytest.raises(ValueError, match="'latex' is not a valid Engine"):
        dsr.render_to(letter, tmp_path / "letter.pdf", engine="latex")
    assert not (tmp_path / "letter.pdf").exists()


def test_batch_takes_write_options(tmp_path: Path) -> None:
    source = tmp_path / "rows.jsonl"
    source.write_text('{"kind": "objection", "jurisdiction": "DE", "name": "Erika Mustermann", '
                      '"address": "Hauptstraße 1, 10115 Berlin", '
                      '"account-email": "erika@example.org", "lang": "de"}\n', encoding="utf-8")  # fmt: skip
    options = WriteOptions(Format.PDF, Engine.WEASYPRINT, PdfVariant.PDF_UA_1)
    report = run_batch(source, tmp_path / "out", today=date(2026, 11, 22), options=options)
    assert [r.status for r in report.results] == [RowStatus.WRITTEN]
    written = tmp_path / "out" / report.results[0].file
    assert written.suffix == ".pdf"
    with pikepdf.open(written) as document:
        assert "pdfuaid" in str(document.open_metadata())
    assert producer(written).lower().startswith("weasyprint")
    text = run_batch(source, tmp_path / "txt", today=date(2026, 11, 22),
                     options=WriteOptions(Format.TXT))  # fmt: skip
    assert text.results[0].file.endswith(".txt")
    assert "Erika Mustermann" in (tmp_path / "txt" / text.results[0].file).read_text("utf-8")


def test_batch_sets_with_typst_unless_told(tmp_path: Path) -> None:
    assert BATCH_OPTIONS == WriteOptions(Format.PDF, Engine.TYPST)
    source = tmp_path / "rows.jsonl"
    source.write_text('{"kind": "objection", "jurisdiction": "DE", "name": "Erika Mustermann", '
                      '"address": "Hauptstraße 1, 10115 Berlin", '
                      '"account-email": "erika@example.org", "lang": "de"}\n', encoding="utf-8")  # fmt: skip
    report = run_batch(source, tmp_path / "out", today=date(2026, 11, 22))
    assert producer(tmp_path / "out" / report.results[0].file).lower().startswith("typst")


def test_the_options_record_pickles_for_the_workers(tmp_path: Path) -> None:
    options = WriteOptions(Format.EML, Engine.TYPST, PdfVariant.PDF_A_3B, tmp_path, True)
    assert pickle.loads(pickle.dumps(options)) == options


def test_a_kit_takes_write_options(tmp_path: Path) -> None:
    entries = write_kit(
        tmp_path / "html", kinds=["objection"], jurisdictions=["FR"], languages=["fr"],
        options=WriteOptions(Format.HTML),
    )  # fmt: skip
    assert [entry.file for entry in entries] == ["FR/objection-fr.html"]
    assert "<html" in (tmp_path / "html" / "FR" / "objection-fr.html").read_text("utf-8")
    with pytest.raises(UnknownFormat, match="a kit is written as pdf or html, not txt"):
        write_kit(tmp_path / "txt", kinds=["objection"], options=WriteOptions(Format.TXT))
    assert not (tmp_path / "txt").exists()


def test_a_kit_refuses_a_text_format_through_the_cli(tmp_path: Path) -> None:
    code, _, err = invoke("templates", "-o", str(tmp_path / "kit"), "--format", "txt")
    assert code == 2
    assert "'txt' is not one of 'pdf', 'html'" in err


def test_batch_and_kits_compare_no_format_or_engine_as_text() -> None:
    """Format, engine and a row's status are enums inside: no ``fmt == "pdf"`` left."""
    named = {*(str(m) for m in Format), *(str(m) for m in Engine), *(str(m) for m in RowStatus)}
    for module in (batch, kits):
        tree = ast.parse(Path(str(module.__file__)).read_text("utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare):
                for side in (node.left, *node.comparators):
                    texts = [side, *getattr(side, "elts", [])]
                    for text in texts:
                        if isinstance(text, ast.Constant) and text.value in named:
                            raise AssertionError(f"{module.__name__}:{node.lineno}: {text.value!r}")
