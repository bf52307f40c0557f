"""dsr.document's vocabulary is the one list of the classes dsr's templates write.

The text form (dsr.plaintext), the Typst engine (dsr.typeset) and the e-mail
(dsr.outputs) name the letter's parts only through dsr.document: a class the
templates write that is missing from the vocabulary, or a name in the
vocabulary that no template writes, fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

from dsr.document import PAPER_ONLY, Data, Part, Prefix, email_subject, parse_html
from dsr.plaintext import html_to_text

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
CLASS = re.compile(r'\bclass="([^"]*)"')
DATA = re.compile(r"\b(data-[a-z-]+)=")
EXPRESSION = re.compile(r"\{\{.*?\}\}")


def template_sources() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(TEMPLATES.rglob("*.html.jinja"))]


def written_classes() -> tuple[set[str], set[str]]:
    """The class names the built-in templates write, and the prefixes of those with a value."""
    names: set[str] = set()
    prefixes: set[str] = set()
    for source in template_sources():
        for value in CLASS.findall(source):
            for token in EXPRESSION.sub("{}", value).split():
                if "{}" in token:
                    prefixes.add(token.split("{}")[0])
                else:
                    names.add(token)
    return names, prefixes


def test_the_vocabulary_is_exactly_the_classes_the_templates_write() -> None:
    names, prefixes = written_classes()
    assert names == {part.value for part in Part}
    assert prefixes == {prefix.value for prefix in Prefix}


def test_the_data_attributes_are_the_ones_the_templates_write() -> None:
    written = {name for source in template_sources() for name in DATA.findall(source)}
    assert written == {data.value for data in Data}


def test_no_reader_of_the_letter_spells_a_class_name_itself() -> None:
    """plaintext, typeset and outputs take every class name from dsr.document."""
    names, prefixes = written_classes()
    vocabulary = names | prefixes | {data.value for data in Data}
    for module in ("plaintext", "typeset", "outputs"):
        tree = ast.parse((ROOT / "dsr" / f"{module}.py").read_text(encoding="utf-8"))
        keys = {id(node.slice) for node in ast.walk(tree) if isinstance(node, ast.Subscript)}
        spelled = {  # layout.toml's sections (LAYOUT.sections["letterhead"]) are not classes
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in keys
        }
        assert spelled & vocabulary == set(), module


def test_paper_only_parts_are_left_out_of_the_text() -> None:
    document = (
        '<html><head><title>T</title></head><body><header class="letterhead">Sender</header>'
        '<div class="address-zone"><p class="return-line">Back</p></div>'
        '<p class="place-date">Berlin, 1 May</p><h1 class="subject" data-email-subject="S &amp; R">'
        "Subject</h1><p>Text<br>more</p><ol><li>one</li><li>two</li></ol>"
        '<div class="closing"><div class="signature-space"></div><p class="signature-name">Erika'
        '</p><p class="signature-date">1 May</p></div></body></html>'
    )
    assert PAPER_ONLY <= set(Part)
    assert html_to_text(document) == "Subject\n\nText more\n\n1. one\n2. two\n\nErika\n"
    assert email_subject(parse_html(document)) == "S & R"
    assert email_subject(parse_html(document.replace(" data-email-subject", " x"))) is None


def test_the_tree_survives_deep_nesting() -> None:
    depth = 5000  # far beyond Python's recursion limit: the text walk has no recursion
    document = "<div>" * depth + "deep" + "</div>" * depth
    assert html_to_text(document) == "deep\n"
