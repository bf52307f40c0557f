"""dsr batch --print: print.pdf for duplex printing, in row or postcode order, with cover
pages in each member's language; read back as a reader reads it (pypdf's text, pages)."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pikepdf
import pytest
from pypdf import PdfReader

from dsr import ui
from dsr.batch import read_state
from dsr.printing import Cover, PdfStream, covers_pdf
from tests.conftest import flat, invoke_split, pdf_text
from tests.test_attack_9 import annex_pdf

COLUMNS = ["kind", "jurisdiction", "name", "address", "account-email", "lang", "date",
           "situation", "enclose"]  # fmt: skip
DAY = "2026-11-22"  # the letters' date: their deadline is a month on, 22 December 2026
MUNICH = ["objection", "DE", "Erika Mustermann", "Hauptstraße 1, 80331 München",
          "erika@example.org", "de", DAY, "", ""]  # fmt: skip
PARIS = ["art21", "FR", "Marie Dupont", "12 rue de la Paix, 75002 Paris", "marie@example.org",
         "fr", DAY, "Journaliste, je protège mes sources.", ""]  # fmt: skip
DRESDEN = ["access", "DE", "Karl Schmidt", "Altmarkt 1, 01067 Dresden", "karl@example.org",
           "de", DAY, "", ""]  # fmt: skip
HONG_KONG = ["objection", "HK", "Chan Tai Man", "Flat 1, 1 Queens Road Central, Central",
             "chan@example.org", "en", DAY, "", ""]  # fmt: skip


def members(folder: Path, rows: list[list[str]], annex: bool = False) -> Path:
    """The member list; with ``annex``, the first row encloses a one-page PDF (its letter
    then has an odd number of pages)."""
    if annex:
        annex_pdf(folder / "earlier.pdf", "My earlier request")
        rows = [[*rows[0][:-1], "earlier.pdf"], *rows[1:]]
    source = folder / "members.csv"
    with source.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return source


def batch(source: Path, out: Path, *options: str) -> tuple[int, str]:
    code, stdout, stderr = invoke_split("batch", str(source), "-o", str(out), "--jobs", "1",
                                        *options)  # fmt: skip
    return code, stdout + stderr


def letters(out: Path) -> list[tuple[str, int, str]]:
    """Each letter report.csv lists as written: its file, page count and first page's text."""
    with (out / "report.csv").open(encoding="utf-8", newline="") as handle:
        names = [row["file"] for row in csv.DictReader(handle) if row["file"]]
    found = []
    for name in names:
        reader = PdfReader(out / name)
        found.append((name, len(reader.pages), flat(reader.pages[0].extract_text())))
    return found


def printed(out: Path) -> list[tuple[str, tuple[float, float]]]:
    """print.pdf's pages: their text (flattened) and size."""
    reader = PdfReader(out / "print.pdf")
    return [
        (flat(page.extract_text() or ""), (float(page.mediabox.width), float(page.mediabox.height)))
        for page in reader.pages
    ]


def first_page(pages: list[tuple[str, tuple[float, float]]], text: str) -> int:
    """The index (from 0) of the page of print.pdf whose text is ``text``: a letter's first."""
    found = [index for index, (page, _) in enumerate(pages) if page == text]
    assert len(found) == 1, f"{len(found)} pages read {text[:80]!r}"
    return found[0]


def test_every_letter_starts_on_an_odd_page_in_row_order(tmp_path: Path) -> None:
    source = members(tmp_path, [MUNICH, PARIS, DRESDEN], annex=True)
    out = tmp_path / "out"
    code, output = batch(source, out, "--print")
    assert code == 0, output
    assert "print.pdf: 3 of 3 letters" in output  # progress
    assert "print.pdf: 3 letters" in output
    written = letters(out)
    assert any(count % 2 for _, count, _ in written), "no letter of an odd number of pages"
    pages = printed(out)
    # Each letter's pages, then a blank page if they end on a sheet's front.
    assert len(pages) == sum(count + count % 2 for _, count, _ in written)
    starts = [first_page(pages, text) for _, _, text in written]
    assert starts == sorted(starts)  # row order
    for (name, count, _), start in zip(written, starts, strict=True):
        assert start % 2 == 0, f"{name} starts on page {start + 1}"  # pages 1, 3, 5...
        if count % 2:  # the blank back: no text, the size of the letter's last page
            blank_text, blank_size = pages[start + count]
            assert blank_text == ""
            assert blank_size == pages[start + count - 1][1]
    assert "My earlier request" in pages[starts[0] + written[0][1] - 1][0]  # the annex
    reader = PdfReader(out / "print.pdf")
    assert reader.metadata is not None
    assert reader.metadata.creator == "dsr"
    assert [item.title for item in reader.outline] == [
        "1: Erika Mustermann", "2: Marie Dupont", "3: Karl Schmidt"
    ]  # fmt: skip
    assert oct((out / "print.pdf").stat().st_mode & 0o777) == oct(0o600)  # members' data


def test_sort_postcode_puts_01067_before_80331_and_no_postcode_last(tmp_path: Path) -> None:
    source = members(tmp_path, [HONG_KONG, MUNICH, DRESDEN])
    out = tmp_path / "out"
    code, output = batch(source, out, "--print", "--sort", "postcode")
    assert code == 0, output
    pages = printed(out)
    starts = {name: first_page(pages, text) for name, _, text in letters(out)}
    order = [name.split("-")[1] for name in sorted(starts, key=starts.__getitem__)]
    assert order == ["schmidt", "mustermann", "man"]  # 01067, 80331, then none (Hong Kong)
    assert all(start % 2 == 0 for start in starts.values())


def cover_texts(out: Path) -> list[tuple[str, str, str]]:
    """(cover, its back, the letter's first page) for each letter, as print.pdf has them."""
    pages = printed(out)
    found = []
    for _, _, text in letters(out):
        start = first_page(pages, text)
        assert start % 2 == 0
        assert start >= 2
        found.append((pages[start - 2][0], pages[start - 1][0], text))
    return found


def squeezed(text: str) -> str:
    """``text`` without spaces and hyphens: a line broken at "au-dessus" is read back
    from the PDF as "audessus"."""
    return re.sub(r"[\s\-\u2010\u00ad]", "", text)


def say(language: str, message: str) -> str:
    """``message`` of the interface catalog in ``language``, as the cover prints it."""
    with ui.speaking(language):
        return flat(ui.gettext(message))


SIGN = "Check the letter. If you post it, sign it by hand above your typed name at the end."
FORM_OR_POST = (
    "Post the letter in a window envelope, or enter its text in the company's form (its "
    "address is below)."
)
PROOF = (
    "Keep proof of sending: the form's confirmation, the e-mail you sent, or the post "
    "office's receipt (registered post is best). Note the day you sent it."
)
COUNTED = (
    "Counted as if the company receives the letter on the day it is dated; the period "
    "actually runs from the day it arrives."
)
NOT_SENT = "Cover page: do not send this page."


def test_cover_pages_speak_the_members_language(tmp_path: Path) -> None:
    source = members(tmp_path, [MUNICH, PARIS])
    out = tmp_path / "out"
    code, output = batch(source, out, "--print", "--cover")
    assert code == 0, output
    (german, german_back, german_letter), (french, french_back, french_letter) = cover_texts(out)
    assert german_back == ""
    assert french_back == ""
    for cover, letter, language, name, row in (
        (german, german_letter, "de", "Erika Mustermann", 1),
        (french, french_letter, "fr", "Marie Dupont", 2),
    ):
        assert cover.startswith(say(language, NOT_SENT))
        assert name in cover
        assert say(language, "Row {row} of the member list").format(row=row) in cover
        assert squeezed(say(language, SIGN)) in squeezed(cover)
        # The recipient as the letter's window gives it, and its form.
        for line in ("LinkedIn Ireland Unlimited Company", "Wilton Plaza", "Dublin 2"):
            assert line in cover
        assert "https://www.linkedin.com/help/linkedin/ask/" in cover
        # The reference, as the letter prints it.
        reference = re.search(r"\b2026-[0-9A-Z]{7}\b", letter)
        assert reference is not None
        assert reference.group() in cover
    # Each sentence in the member's language (the catalogs' own words, none English).
    for cover, language, day in ((german, "de", "22. Dezember 2026"),
                                 (french, "fr", "22 décembre 2026")):  # fmt: skip
        for message in ("Addressed to", FORM_OR_POST, PROOF, COUNTED, "Note this deadline"):
            assert say(language, message) != message, (language, message)  # translated
            assert squeezed(say(language, message)) in squeezed(cover), (language, message)
        assert say(language, "Reply due by {date}").format(date=day) in flat(cover)
        assert "Keep proof" not in cover
    assert "IRLAND" in german
    assert "IRLANDE" in french
    assert say("de", "Addressed to") not in french
    assert say("fr", "Addressed to") not in german
    # The deadline as the letter says it.
    assert "22. Dezember 2026" in pdf_text(out / "0001-mustermann-objection-de.pdf").replace(
        "\xa0", " "
    )
    assert "22 décembre 2026" in pdf_text(out / "0002-dupont-art21-fr.pdf").replace("\xa0", " ")


def test_covers_and_blank_pages_take_the_letters_paper(tmp_path: Path) -> None:
    ottawa = ["objection", "CA", "Alex Tremblay", "100 Queen Street, Ottawa ON K1P 1J9",
              "alex@example.org", "en", DAY, "", ""]  # fmt: skip
    source = members(tmp_path, [ottawa, MUNICH])
    out = tmp_path / "out"
    code, output = batch(source, out, "--print", "--cover")
    assert code == 0, output
    pages = printed(out)
    for _, _, text in letters(out):
        start = first_page(pages, text)
        assert pages[start - 2][1] == pages[start - 1][1] == pages[start][1]  # cover, back
    sizes = {size for _, size in pages}
    assert {(612.0, 792.0), (595.28, 841.89)} <= {(round(w, 2), round(h, 2)) for w, h in sizes}


def test_member_text_on_a_cover_is_never_typst_code(tmp_path: Path) -> None:
    hostile = r'Eve "#panic(1)" \ ]#set page(width: 1cm)[ $x$ <label> @ref /* */ \u{41}'
    cover = Cover(
        language="de", paper="A4", banner="Deckblatt", name=hostile, row="Zeile 1",
        title="Widerspruch", steps=(hostile,), facts=(("Gerichtet an", (hostile, "x")),),
        note="#note",
    )  # fmt: skip
    reader = PdfReader(io.BytesIO(covers_pdf([cover, cover])))
    assert len(reader.pages) == 2
    text = flat(reader.pages[0].extract_text())
    assert text.count(hostile) == 3, text
    assert float(reader.pages[0].mediabox.width) > 500  # no page width came from a name


def test_a_rerun_replaces_its_own_print_pdf(tmp_path: Path) -> None:
    source = members(tmp_path, [MUNICH])
    out = tmp_path / "out"
    assert batch(source, out, "--print")[0] == 0
    assert len(printed(out)) == letters(out)[0][1] + letters(out)[0][1] % 2
    members(tmp_path, [MUNICH, PARIS])  # a member joins: the same command again
    code, output = batch(source, out, "--print", "--cover")
    assert code == 0, output
    pages = printed(out)
    assert [first_page(pages, text) % 2 for _, _, text in letters(out)] == [0, 0]
    assert len(cover_texts(out)) == 2
    recorded = read_state(out)["print.pdf"]
    assert recorded.row == 0
    assert recorded.matches(out / "print.pdf")
    code, output = batch(source, out, "--print")  # and again: nothing new, replaced all the same
    assert code == 0, output
    assert "print.pdf: 2 letters" in output


def test_a_print_pdf_dsr_did_not_write_is_refused(tmp_path: Path) -> None:
    source = members(tmp_path, [MUNICH])
    out = tmp_path / "out"
    out.mkdir()
    (out / "print.pdf").write_bytes(b"%PDF-1.4 the NGO's own file")
    code, output = batch(source, out, "--print")
    assert code == 2
    assert (
        f"Error: {out / 'print.pdf'} exists and was not written by dsr batch into this folder; "
        "use --force to replace it, or choose another folder" in output
    )
    assert not list(out.glob("*.pdf"))[1:]  # no letter written
    assert (out / "print.pdf").read_bytes() == b"%PDF-1.4 the NGO's own file"
    code, output = batch(source, out, "--print", "--force")
    assert code == 0, output
    assert len(PdfReader(out / "print.pdf").pages) >= 2


def test_a_print_pdf_changed_since_is_refused(tmp_path: Path) -> None:
    source = members(tmp_path, [MUNICH])
    out = tmp_path / "out"
    assert batch(source, out, "--print")[0] == 0
    with pikepdf.open(out / "print.pdf", allow_overwriting_input=True) as document:
        del document.pages[-1]  # someone edited it since
        document.save(out / "print.pdf")
    code, output = batch(source, out, "--print")
    assert code == 2
    assert "print.pdf exists and was not written by dsr batch" in output


def test_a_linked_print_pdf_is_refused_and_its_target_kept(tmp_path: Path) -> None:
    source = members(tmp_path, [MUNICH])
    out = tmp_path / "out"
    out.mkdir()
    elsewhere = tmp_path / "elsewhere.pdf"
    elsewhere.write_bytes(b"not dsr's")
    (out / "print.pdf").symlink_to(elsewhere)
    code, output = batch(source, out, "--print")
    assert code == 2, output
    code, output = batch(source, out, "--print", "--force")
    assert code == 0, output
    assert elsewhere.read_bytes() == b"not dsr's"  # the link was replaced, not followed
    assert not (out / "print.pdf").is_symlink()


def test_zip_bundles_print_pdf(tmp_path: Path) -> None:
    import zipfile

    source = members(tmp_path, [MUNICH])
    out = tmp_path / "out"
    code, output = batch(source, out, "--print", "--zip")
    assert code == 0, output
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        assert archive.read("print.pdf") == (out / "print.pdf").read_bytes()


@pytest.mark.parametrize(
    ("options", "said"),
    [
        (["--print", "--format", "txt"],
         "Error: --print: print.pdf is made of the PDF letters; use it with --format pdf, "
         "not txt"),
        (["--cover"], "Error: --cover: it is for print.pdf; add --print"),
        (["--sort", "postcode"], "Error: --sort: it is for print.pdf; add --print"),
    ],
)  # fmt: skip
def test_print_options_that_do_not_fit_exit_2(
    tmp_path: Path, options: list[str], said: str
) -> None:
    source = members(tmp_path, [MUNICH])
    out = tmp_path / "out"
    code, output = batch(source, out, *options)
    assert code == 2
    assert said in output
    assert not out.exists()  # refused before anything was written


def test_the_stream_keeps_inherited_attributes_and_links_between_pages() -> None:
    # A PDF whose pages inherit their size and fonts from the page tree, the first page
    # linking to the third: as a member's annex may be.
    source = pikepdf.new()
    for _ in range(3):
        source.add_blank_page(page_size=(612, 792))
    font = source.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1,
                           BaseFont=pikepdf.Name.Helvetica)
    )  # fmt: skip
    tree = source.Root.Pages
    tree.MediaBox = pikepdf.Array([0, 0, 300, 400])
    tree.Resources = pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font))
    for number, page in enumerate(source.pages, 1):
        del page.obj["/MediaBox"]
        del page.obj["/Resources"]
        page.obj.Contents = source.make_stream(
            f"BT /F1 12 Tf 20 200 Td (page {number}) Tj ET".encode()
        )
    link = pikepdf.Dictionary(
        Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Link, Rect=[0, 0, 100, 100],
        Dest=pikepdf.Array([source.pages[2].obj, pikepdf.Name.Fit]),
    )  # fmt: skip
    source.pages[0].obj.Annots = source.make_indirect(pikepdf.Array([link]))
    buffer = io.BytesIO()
    stream = PdfStream(buffer)
    copied = stream.source(source).copy(range(3))
    stream.blank_page([0, 0, 300, 400])
    stream.finish("test")
    assert copied == 3
    reader = PdfReader(io.BytesIO(buffer.getvalue()))
    assert [flat(page.extract_text()) for page in reader.pages] == [
        "page 1",
        "page 2",
        "page 3",
        "",
    ]
    assert {(float(p.mediabox.width), float(p.mediabox.height)) for p in reader.pages} == {
        (300, 400)
    }
    target = reader.pages[0]["/Annots"][0].get_object()["/Dest"][0]
    assert target.idnum == reader.pages[2].indirect_reference.idnum
    with pikepdf.open(io.BytesIO(buffer.getvalue())) as document:  # qpdf reads it as written
        assert len(document.pages) == 4
