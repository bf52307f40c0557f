"""The letter's structure as dsr's templates write it: one vocabulary, one tree, one parser.

dsr.render writes a letter as HTML; the text form (dsr.plaintext), the Typst
engine (dsr.typeset) and the e-mail (dsr.outputs) read that HTML back. They
read it through this module only: ``parse_html`` makes the one tree
(``Element``), and the class names the templates give the letter's parts are
spelled here once (``Part``, ``Prefix``, ``Data``). tests/test_document.py
checks this vocabulary against the classes the built-in templates write.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from enum import StrEnum
from html.parser import HTMLParser


class Part(StrEnum):
    """The class names of the letter's parts (templates/base.html.jinja, _macros, _blank)."""

    # Page one, for paper only: the letterhead, the window and what is beside it.
    LETTERHEAD = "letterhead"  # <header>: the sender, at the top of page one
    SENDER_NAME = "sender-name"  # <p> in the letterhead
    SENDER_LINES = "sender-lines"  # <p> in the letterhead: address, e-mail
    ADDRESS_ZONE = "address-zone"  # <div>: the window, the information block, the marks
    WINDOW = "window"  # <div>: what shows through an envelope's window
    RETURN_LINE = "return-line"  # <p> in the window: the sender in one small line
    RECIPIENT = "recipient"  # <address> in the window
    INFO_BLOCK = "info-block"  # <dl>: reference, account, profile
    URL = "url"  # <dd> of the information block holding a web address
    MARK = "mark"  # <div>: a fold or punch mark in the margin
    FOLD_1 = "fold-1"
    HOLE = "hole"
    FOLD_2 = "fold-2"
    PLACE_DATE = "place-date"  # <p>: place and date, right-aligned above the subject
    # The text, in the e-mail and the web form as on paper.
    SUBJECT = "subject"  # <h1>: the subject line, with the e-mail's subject (Data.EMAIL_SUBJECT)
    COURTESY = "courtesy"  # <p>: which version of a translated letter prevails
    DETAILS = "details"  # <ul>: the account's details
    TIMELINE = "timeline"  # <ul>: a complaint's dates
    SITUATION = "situation"  # <blockquote>: the member's own words, lines kept
    CLOSING = "closing"  # <div>: greeting and signature, never alone on a page
    SIGNATURE_SPACE = "signature-space"  # <div>: room to sign, on paper only
    SIGNATURE_NAME = "signature-name"  # <p>
    SIGNATURE_DATE = "signature-date"  # <p>: the date under the signature, on paper only
    ENCLOSURES = "enclosures"  # <section>: the list of enclosures
    # Template kits (templates/_blank.html.jinja).
    BLANK = "blank"  # <span>: a printed blank to fill in by hand (Data.BLANK names it)
    BLANK_LABEL = "blank-label"  # <small> before a blank: what to write on it
    FIELD = "field"  # <input>, <textarea>: a form field (WeasyPrint only)


# Parts the text form leaves out: they are for paper only.
PAPER_ONLY = frozenset(
    {Part.LETTERHEAD, Part.ADDRESS_ZONE, Part.PLACE_DATE, Part.SIGNATURE_DATE, Part.SIGNATURE_SPACE}
)


class Prefix(StrEnum):
    """Class names with a value: ``paper-a4`` on <body>, ``blank-line`` on a blank."""

    KIND = "kind-"  # <body>: the letter's kind
    PAPER = "paper-"  # <body>: the paper size, lower case
    WINDOW = "window-"  # <body>: the envelope window's side
    BLANK = "blank-"  # a blank's or field's width


class Data(StrEnum):
    """The data attributes the templates write for dsr's outputs."""

    EMAIL_SUBJECT = "data-email-subject"  # on the subject: the e-mail's Subject
    PAGE_LABEL = "data-page-label"  # on <body>: "Page {page} of {pages}", translated
    RUNNING_HEADER = "data-running-header"  # on the letterhead: the header of pages two on
    BLANK = "data-blank"  # on a blank: the field it stands for


VOID = frozenset({"br", "meta", "input", "img", "hr", "link", "wbr"})


@dataclass
class Element:
    """An HTML element with its attributes (entities resolved) and children (text or elements)."""

    tag: str
    attrs: dict[str, str]
    children: list[Element | str] = field(default_factory=list)

    @property
    def classes(self) -> tuple[str, ...]:
        return tuple(self.attrs.get("class", "").split())

    def elements(self) -> list[Element]:
        return [child for child in self.children if isinstance(child, Element)]

    def iter(self) -> Iterator[Element]:
        """Every element below this one, in document order."""
        pending = list(reversed(self.elements()))
        while pending:
            element = pending.pop()
            yield element
            pending.extend(reversed(element.elements()))

    def find(self, tag: str, cls: str | None = None) -> Element | None:
        """The first element below this one with this tag (and class)."""
        return next(
            (e for e in self.iter() if e.tag == tag and (cls is None or cls in e.classes)), None
        )

    def text(self) -> str:
        return "".join(c if isinstance(c, str) else c.text() for c in self.children)


class _TreeBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Element("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = Element(tag, {key: value or "" for key, value in attrs})
        self.stack[-1].children.append(element)
        if tag not in VOID:
            self.stack.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Element(tag, {key: value or "" for key, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(document: str) -> Element:
    """The tree of a letter's HTML. An end tag closes the elements opened after its own
    element; an end tag without an open element is ignored."""
    builder = _TreeBuilder()
    builder.feed(document)
    builder.close()
    return builder.root


def email_subject(root: Element) -> str | None:
    """The e-mail's subject the template wrote on the subject line, if it wrote one:
    the subject and the reference, without the label ("Objet :") the printed line may have."""
    for element in root.iter():
        if element.tag == "h1" and Part.SUBJECT in element.classes:
            if Data.EMAIL_SUBJECT in element.attrs:
                return element.attrs[Data.EMAIL_SUBJECT]
    return None
