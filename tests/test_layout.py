"""The page layout is declared once (templates/layout.toml), and both engines follow it.

For every window standard in the file, WeasyPrint's and Typst's PDFs put
the window's text where the file says, word for word in the same place
(poppler's bounding boxes); a number changed in a copy of the file moves
the text in both engines' PDFs; and no length is left in letter.typ or in
dsr/typeset.py's layout code that the file does not give.
"""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import pytest

from dsr import layout, pdf, typeset
from dsr.composition import compose
from dsr.inputs import parse_request
from dsr.render import render_html
from dsr.resources import resource_dir
from tests.conftest import pdf_words

TODAY = date(2026, 11, 22)
MM = 72 / 25.4
WINDOW_ROWS = (44.0, 91.0)  # mm from the top: the address zone, DIN 5008 form B

# A jurisdiction for each window standard and paper of layout.toml.
STANDARDS = {
    ("left", "A4"): ("DE", "de", "Hauptstraße 1, 10115 Berlin"),
    ("right", "A4"): ("CH", "fr", "Rue du Rhône 1, 1204 Genève"),
    ("left", "Letter"): ("US-CA", "en", "1 Market St, San Francisco CA 94105"),
}


def letter_html(code: str, language: str, address: str) -> str:
    values = {
        "kind": "objection",
        "jurisdiction": code,
        "lang": language,
        "address": address,
        "name": "Erika Mustermann",
        "account-email": "member@example.org",
        "profile-url": "https://www.linkedin.com/in/erika-mustermann",
        "date": "2026-11-22",
    }
    return render_html(compose(parse_request(values, today=TODAY)))


def page_one(data: bytes, folder: Path, name: str) -> list[tuple[str, float, float]]:
    """Page 1's words with the left and top of their boxes, in mm from the paper's edge."""
    path = folder / name
    path.write_bytes(data)
    _, _, words = pdf_words(path)[0]
    return [(word.text, word.left / MM, word.top / MM) for word in words]


def both(document: str, folder: Path) -> dict[str, list[tuple[str, float, float]]]:
    return {
        "typst": page_one(typeset.letter_pdf(document), folder, "typst.pdf"),
        "weasyprint": page_one(pdf.html_to_pdf(document)[0], folder, "weasyprint.pdf"),
    }


def at(
    words: list[tuple[str, float, float]], wanted: str, within: tuple[float, float] = (0, 999)
) -> tuple[float, float]:
    """Where ``wanted`` is first found ``within`` (mm from the top) on page 1."""
    found = [(x, y) for text, x, y in words if text == wanted and within[0] <= y <= within[1]]
    assert found, (wanted, [text for text, _, _ in words])
    return found[0]


def test_every_window_standard_of_the_file_is_tested() -> None:
    current = layout.current()
    assert {window for window, _ in STANDARDS} == set(current.windows())
    assert {paper for _, paper in STANDARDS} == set(current.sections["paper"])


@pytest.mark.parametrize(("window", "paper"), list(STANDARDS))
def test_both_engines_put_the_window_text_where_layout_toml_says(
    window: str, paper: str, tmp_path: Path
) -> None:
    code, language, address = STANDARDS[(window, paper)]
    document = letter_html(code, language, address)
    assert f"window-{window}" in document
    assert f"paper-{paper.lower()}" in document
    pages = both(document, tmp_path)
    current = layout.current()
    spec = current.window(window)
    zone_top = current.number("address_zone.top_mm")
    recipient_top = zone_top + current.number("address_zone.return_zone_mm")
    zone = (zone_top - 1, zone_top + current.number("address_zone.height_mm"))
    for engine, words in pages.items():
        # The recipient's first line: at the window's text edge, below the return zone.
        x, y = at(words, "LinkedIn", zone)
        assert abs(x - spec.text_left) < 0.5, (engine, x, spec.text_left)
        assert recipient_top - 0.5 <= y <= recipient_top + 3, (engine, y, recipient_top)
        # The return line: in the window, above the recipient.
        x, y = at(words, "Erika", zone)
        assert abs(x - spec.text_left) < 0.5, (engine, x)
        assert zone_top <= y < recipient_top, (engine, y)
        # The information block's value column.
        x, y = at(words, "member@example.org", zone)
        term = current.number("address_zone.info_term_mm")
        assert abs(x - (spec.info_left + term)) < 0.5, (engine, x)
        assert spec.info_top <= y <= spec.info_top + 10, (engine, y)
    # Word for word, the two engines agree on the window and the information block.
    typst, weasy = pages["typst"], pages["weasyprint"]
    for word in ("LinkedIn", "Erika", "Mustermann", "member@example.org"):
        (tx, ty), (wx, wy) = at(typst, word, zone), at(weasy, word, zone)
        assert abs(tx - wx) < 0.5, (word, tx, wx)
        assert abs(ty - wy) < 1.0, (word, ty, wy)


def changed_copy(folder: Path, changes: dict[str, float]) -> Path:
    """A copy of templates/layout.toml with ``changes`` (``"window.left.left_mm": 30``)."""
    source = (resource_dir("templates") / "layout.toml").read_text(encoding="utf-8")
    for key, value in changes.items():
        section, name = key.rsplit(".", 1)
        header = re.search(rf"^\[{re.escape(section)}\]$", source, re.MULTILINE)
        assert header is not None, section
        line = re.compile(rf"^{re.escape(name)} = [^\n#]+", re.MULTILINE)
        found = line.search(source, header.end())
        assert found is not None, key
        source = source[: found.start()] + f"{name} = {value} " + source[found.end() :]
    copy = folder / "layout.toml"
    copy.write_text(source, encoding="utf-8")
    for key, value in changes.items():  # the edit took
        assert layout.load(copy).number(key) == value, key
    return copy


def test_a_number_changed_in_layout_toml_moves_the_text_in_both_engines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, language, address = STANDARDS[("left", "A4")]
    before = both(letter_html(code, language, address), tmp_path)
    copy = changed_copy(tmp_path, {"window.left.left_mm": 30, "address_zone.return_zone_mm": 22.7})
    monkeypatch.setattr(layout, "PATH", copy)
    assert layout.current().window("left").text_left == 35
    after = both(letter_html(code, language, address), tmp_path)
    for engine in ("typst", "weasyprint"):
        (x0, y0) = at(before[engine], "LinkedIn", WINDOW_ROWS)
        (x1, y1) = at(after[engine], "LinkedIn", WINDOW_ROWS)
        assert abs((x1 - x0) - 10) < 0.2, (engine, x0, x1)  # 10 mm to the right
        assert abs((y1 - y0) - 5) < 0.2, (engine, y0, y1)  # 5 mm down
        # The information block stays where it was.
        assert at(before[engine], "member@example.org") == at(after[engine], "member@example.org")
    monkeypatch.undo()
    assert layout.current().window("left").text_left == 25


def test_no_length_is_left_outside_layout_toml() -> None:
    """letter.typ and typeset.py's layout code take every length from the layout."""
    typ = (resource_dir("templates") / "letter.typ").read_text(encoding="utf-8")
    code = "\n".join(line.split("//")[0] for line in typ.splitlines())
    lengths = re.findall(r"(?<!\* )\b(?!0)\d+(?:\.\d+)?(?:mm|pt|em)\b", code)
    assert lengths == []  # "* 1em" turns a factor into a length
    source = Path(typeset.__file__).read_text(encoding="utf-8")
    assert re.findall(r"\d\s*\*\s*MM\b", source) == []
    css = (resource_dir("templates") / "letter.css.jinja").read_text(encoding="utf-8")
    window_css = css[css.index(".letterhead {") : css.index("input.field")]
    assert re.findall(r"\d(?:mm|pt)\b", window_css) == ["1pt"]  # the quote's rule
