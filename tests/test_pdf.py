"""WeasyPrint's side: the restricted fetcher, clean renders, the window position."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader

from dsr.composition import compose
from dsr.inputs import parse_request
from dsr.pdf import FetchRefused, html_to_pdf, url_fetcher
from dsr.render import render_html
from dsr.resources import resource_dir
from tests.conftest import MEMBERS, SITUATION

MM = 72 / 25.4


def letter_html(kind: str = "objection", lang: str = "en") -> str:
    values = {
        "kind": kind,
        "jurisdiction": "FR",
        "lang": lang,
        "date": "2026-11-22",
        **MEMBERS["FR"],
    }
    if kind == "complaint":
        values["request-date"] = "2026-09-01"
        values["request-kind"] = "objection"
    if kind == "art21":
        values["situation"] = SITUATION
    return render_html(compose(parse_request(values, today=date(2026, 11, 22))))


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/tracker.png",
        "http://127.0.0.1/x.css",
        "ftp://example.org/x",
        "data:text/css,body{color:red}",
        "file:///etc/passwd",
        "file://remote-host/templates/letter.css.jinja",
        "javascript:alert(1)",
    ],
)
def test_fetcher_refuses_everything_outside_the_package(url: str) -> None:
    with pytest.raises(FetchRefused, match="refused to fetch"):
        url_fetcher().fetch(url)


def test_fetcher_refuses_path_traversal_out_of_the_package() -> None:
    escape = (resource_dir("templates") / ".." / ".." / ".." / "etc" / "passwd").as_uri()
    with pytest.raises(FetchRefused, match="outside dsr's own files"):
        url_fetcher().fetch(escape)


def test_fetcher_serves_the_packages_own_files() -> None:
    own = (resource_dir("templates") / "page.css.jinja").resolve()
    response = url_fetcher().fetch(own.as_uri())
    assert b"@page" in response.read()


def test_a_hostile_document_fetches_nothing() -> None:
    document = (
        "<html><head><link rel=stylesheet href='https://example.org/x.css'>"
        "<style>@import url('file:///etc/passwd'); body { background: url('http://x/y.png') }"
        "</style></head><body><img src='file:///etc/hostname'><p>text</p></body></html>"
    )
    pdf, warnings = html_to_pdf(document)
    assert pdf.startswith(b"%PDF")
    assert warnings  # each refused fetch is reported, none is loaded
    assert all("refused to fetch" in w or "Failed to load" in w for w in warnings), warnings


@pytest.mark.parametrize("kind", ["objection", "art21", "erasure", "complaint"])
@pytest.mark.parametrize("lang", ["en", "de", "fr"])
def test_letters_render_without_warnings(kind: str, lang: str) -> None:
    _, warnings = html_to_pdf(letter_html(kind, lang))
    assert warnings == []


def _positions(pdf: bytes, page_number: int = 0) -> dict[str, tuple[float, float]]:
    """Each text run on a page -> its (x, y from the top) in millimetres."""
    page = PdfReader(io.BytesIO(pdf)).pages[page_number]
    height = float(page.mediabox.height)
    found: dict[str, tuple[float, float]] = {}

    def visit(text: str, cm: list[float], tm: list[float], *_: object) -> None:
        text = text.strip()
        if text and text not in found:
            x = tm[4] * cm[0] + cm[4]
            y = tm[5] * cm[3] + cm[5]
            found[text] = (x / MM, (height - y) / MM)

    page.extract_text(visitor_text=visit)
    return found


def test_recipient_sits_in_the_envelope_window() -> None:
    """DIN 5008 form B: address field 20 mm from the left, 45 mm from the top,
    85 x 45 mm; the recipient below the 17.7 mm return-address zone."""
    pdf, _ = html_to_pdf(letter_html())
    positions = _positions(pdf)
    recipient = next(v for k, v in positions.items() if k.startswith("LinkedIn Ireland"))
    x, y = recipient
    assert 20 <= x <= 30
    assert 45 + 17.7 <= y <= 45 + 45 - 5
    ireland = positions["IRELAND"]
    assert 20 <= ireland[0] <= 30
    assert ireland[1] <= 90  # the last address line is still inside the window
    return_line = next(v for k, v in positions.items() if k.startswith("Marie Dupont ·"))
    assert 45 <= return_line[1] <= 45 + 17.7
    reference = next(v for k, v in positions.items() if k.startswith("2026-"))
    assert reference[0] >= 125  # the information block, right of the window


def test_user_templates_are_sandboxed(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dsr.cli import main
    from tests.conftest import letter_args

    folder = tmp_path / "mine" / "letters"
    folder.mkdir(parents=True)
    (folder / "objection.html.jinja").write_text(
        '{% extends "base.html.jinja" %}\n{% block subject %}x{% endblock %}\n'
        "{% block body %}\n<p>{{ letter.__class__.__mro__ }}</p>\n{% endblock %}\n",
        encoding="utf-8",
    )
    out = tmp_path / "letter.pdf"
    result = CliRunner().invoke(
        main, [*letter_args("objection", "DE", "de", out), "--template-dir", str(tmp_path / "mine")]
    )
    assert result.exit_code == 2  # an error in the user's templates is bad input
    assert result.output == (
        f"Error: {folder / 'objection.html.jinja'}, line 4: the template tried something unsafe "
        "(access to attribute '__class__' of 'Letter' object is unsafe.)\n"
    )
    assert not out.exists()


def _pages_as_png(data: bytes, folder: Path, stem: str) -> list[bytes]:
    import subprocess

    source = folder / f"{stem}.pdf"
    source.write_bytes(data)
    subprocess.run(["pdftoppm", "-r", "40", "-png", str(source), str(folder / stem)], check=True)
    return [path.read_bytes() for path in sorted(folder.glob(f"{stem}-*.png"))]


def _outline(reader: PdfReader) -> list[tuple[int, str, int]]:
    """(depth, title, page number) of every bookmark."""
    flat: list[tuple[int, str, int]] = []

    def walk(items: list[Any], depth: int) -> None:
        for item in items:
            if isinstance(item, list):
                walk(item, depth + 1)
            else:
                flat.append((depth, item.title, reader.get_destination_page_number(item)))

    walk(reader.outline, 0)
    return flat


def test_letters_written_together_read_and_look_as_letters_written_alone(tmp_path: Path) -> None:
    """write_separately (one font subset for a group) gives each letter its own PDF:
    the same pages, text, metadata and outline as a PDF written for it alone."""
    from dsr.pdf import layout, write_separately

    documents = [letter_html("objection", "en"), letter_html("art21", "fr"), letter_html("erasure")]
    together = write_separately([layout(document)[0] for document in documents])
    assert len(together) == 3
    for index, (document, split) in enumerate(zip(documents, together, strict=True)):
        alone, _ = html_to_pdf(document)
        split_reader, alone_reader = PdfReader(io.BytesIO(split)), PdfReader(io.BytesIO(alone))
        assert len(split_reader.pages) == len(alone_reader.pages)
        assert [p.extract_text() for p in split_reader.pages] == [
            p.extract_text() for p in alone_reader.pages
        ]
        assert dict(split_reader.metadata or {}) == dict(alone_reader.metadata or {})
        assert split_reader.trailer["/Root"]["/Lang"] == alone_reader.trailer["/Root"]["/Lang"]
        assert _outline(split_reader) == _outline(alone_reader)
        assert _pages_as_png(split, tmp_path, f"split{index}") == _pages_as_png(
            alone, tmp_path, f"alone{index}"
        )


def test_cached_style_sheets_change_nothing_in_the_pdf() -> None:
    """<style> elements are parsed once per process and passed as parsed sheets;
    the result is the PDF WeasyPrint makes of the untouched document."""
    from weasyprint import HTML

    from dsr.pdf import font_config

    document = letter_html("art21", "fr")
    base = resource_dir("templates").resolve().as_uri() + "/"
    reference = HTML(string=document, base_url=base, url_fetcher=url_fetcher()).write_pdf(
        font_config=font_config(), custom_metadata=True
    )
    assert html_to_pdf(document)[0] == reference


def test_a_letter_written_in_a_group_embeds_only_its_own_fonts() -> None:
    """The group's pages share a resource dictionary; each split PDF keeps what it uses."""
    import pikepdf

    from dsr.pdf import layout, write_separately

    values = {"kind": "objection", "jurisdiction": "HK", "lang": "zh-Hant", "name": "陳大文",
              "address": "Flat 1, 1 Queens Road Central, Central",
              "account-email": "chan@example.org", "date": "2026-11-22"}  # fmt: skip
    chinese = render_html(compose(parse_request(values, today=date(2026, 11, 22))))
    english, hong_kong = write_separately([layout(letter_html())[0], layout(chinese)[0]])

    def fonts(data: bytes) -> set[str]:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return {
                str(font.BaseFont).split("+")[1]
                for page in pdf.pages
                for font in page.Resources.Font.values()
            }

    assert fonts(english) == {"Noto-Serif", "Noto-Serif-Bold"}
    assert "Noto-Serif-CJK-HK" in fonts(hong_kong)
    assert len(english) < 60_000


# Issue 15: one PDF library for post-processing (pikepdf); pypdf only reads in the tests.


def _text(data: bytes, page: int) -> str:
    import subprocess

    done = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-", "-"],
        input=data, capture_output=True, check=True,
    )  # fmt: skip
    return done.stdout.decode()


def test_the_library_never_imports_pypdf() -> None:
    sources = sorted((Path(__file__).parents[1] / "dsr").glob("*.py"))
    assert sources
    users = [path.name for path in sources if "pypdf import" in path.read_text(encoding="utf-8")
             or "import pypdf" in path.read_text(encoding="utf-8")]  # fmt: skip
    assert users == []


def test_annexes_are_appended_stamped_and_the_same_input_gives_the_same_bytes() -> None:
    from dsr.pdf import append_annexes

    letter, _ = html_to_pdf(letter_html())
    annex, _ = html_to_pdf("<p>FIRSTANNEXPAGE</p><p style='break-before: page'>SECONDPAGE</p>")
    count = len(PdfReader(io.BytesIO(letter)).pages)
    made = append_annexes(letter, [annex], ["Annex 1: the lease"])
    assert made == append_annexes(letter, [annex], ["Annex 1: the lease"])
    assert len(PdfReader(io.BytesIO(made)).pages) == count + 2
    first = _text(made, count + 1)
    assert "Annex 1: the lease" in first
    assert "FIRSTANNEXPAGE" in first
    second = _text(made, count + 2)
    assert "SECONDPAGE" in second
    assert "Annex 1" not in second  # only the annex's first page carries its label


def test_a_courtesy_translation_keeps_its_bookmarks_after_the_letter_s() -> None:
    from dsr.pdf import concatenate

    letter, _ = html_to_pdf(letter_html(lang="fr"))
    translation, _ = html_to_pdf(letter_html(lang="en"))
    count = len(PdfReader(io.BytesIO(letter)).pages)
    joined = PdfReader(io.BytesIO(concatenate([letter, translation])))
    alone = [(d, t, n + count) for d, t, n in _outline(PdfReader(io.BytesIO(translation)))]
    assert alone
    assert _outline(joined) == _outline(PdfReader(io.BytesIO(letter))) + [
        (d, t, n) for d, t, n in alone if d == 0
    ]


def test_an_annex_popup_carries_no_dropped_attachment_along(tmp_path: Path) -> None:
    """Review i15b attacker #2: a /Popup whose /Parent is a file attachment kept the
    attachment's bytes in the letter; popups are dropped with what they show."""
    import pikepdf

    from dsr.pdf import append_annexes

    annex = pikepdf.new()
    annex.add_blank_page(page_size=(200, 200))
    payload = annex.make_stream(b"SECRETPAYLOAD" * 10)
    payload["/Type"] = pikepdf.Name.EmbeddedFile
    attachment = annex.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.FileAttachment,
            Rect=[10, 10, 30, 30], FS=pikepdf.Dictionary(
                Type=pikepdf.Name.Filespec, F="x.txt", EF=pikepdf.Dictionary(F=payload)
            ),
        )
    )  # fmt: skip
    popup = annex.make_indirect(
        pikepdf.Dictionary(
            Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Popup, Rect=[40, 40, 90, 90],
            Parent=attachment,
        )
    )  # fmt: skip
    annex.pages[0].Annots = annex.make_indirect(pikepdf.Array([popup]))
    path = tmp_path / "annex.pdf"
    annex.save(path, compress_streams=False)
    letter = html_to_pdf(letter_html())[0]
    joined = append_annexes(letter, [path], ["Annex 1: annex.pdf"])
    with pikepdf.open(io.BytesIO(joined)) as document:
        for page in document.pages:
            for annotation in page.get("/Annots", []):
                assert annotation.get("/Subtype") not in ("/Popup", "/FileAttachment")
    with pikepdf.open(io.BytesIO(joined)) as document:
        for thing in document.objects:
            if isinstance(thing, pikepdf.Stream):
                assert b"SECRETPAYLOAD" not in thing.read_bytes()


def test_a_renders_warnings_are_its_own_under_threads() -> None:
    """WeasyPrint's logger is one for the process: two renders in two threads each
    collect only the warnings logged in their own thread, and the logger is left as
    it was (a warning outside any render still propagates)."""
    import logging
    import threading

    from dsr.pdf import LOGGER, captured_warnings

    barrier = threading.Barrier(2)
    found: dict[str, list[str]] = {}

    def render(name: str) -> None:
        with captured_warnings() as records:
            barrier.wait()
            LOGGER.warning("warning of %s", name)
            barrier.wait()
        found[name] = [r.getMessage() for r in records]

    threads = [threading.Thread(target=render, args=(n,)) for n in ("first", "second")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert found == {"first": ["warning of first"], "second": ["warning of second"]}
    assert LOGGER.propagate
    seen: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            seen.append(record)

    keep = Keep()
    logging.getLogger().addHandler(keep)
    try:
        LOGGER.warning("outside a render")
    finally:
        logging.getLogger().removeHandler(keep)
    assert [r.getMessage() for r in seen] == ["outside a render"]
