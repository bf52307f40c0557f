"""Plain text from a rendered letter, for e-mail bodies and web forms.

The text form is the letter as a reader of an e-mail or web form needs it:
subject, salutation, body, closing, enclosures. The letterhead, the window
address block and the info block are for paper only and are left out.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from .typography import strip_joiners, wrap

ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")  # keep no-break spaces
BLOCKS = {"p", "h1", "h2", "li", "blockquote", "title", "dt", "dd", "div", "section", "ol", "ul"}
PAPER_ONLY = {"letterhead", "address-zone", "place-date", "signature-date", "signature-space"}
VOID = {"br", "meta", "link", "img", "hr", "input"}


class _TextBuilder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[tuple[str, bool]] = []  # (text, is a list item)
        self.current: list[str] = []
        self.skip_depth = 0
        self.stack: list[tuple[str, bool]] = []
        self.list_counters: list[int] = []
        self.prefix = ""
        self.in_head = False
        self.preformatted = 0

    def flush(self) -> None:
        text = "".join(self.current)
        self.current = []
        if self.preformatted:
            lines = [line.rstrip() for line in text.strip("\n").splitlines()]
            block = "\n".join(lines).strip()
        else:
            block = ASCII_SPACE.sub(" ", text).strip()
        if block:
            self.paragraphs.append((self.prefix + block, bool(self.prefix)))
        self.prefix = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "head":
            self.in_head = True
        classes = set((dict(attrs).get("class") or "").split())
        skip = bool(classes & PAPER_ONLY)
        if tag in VOID:
            if tag == "br" and not self.skip_depth:
                self.current.append("\n" if self.preformatted else " ")
            return
        self.stack.append((tag, skip))
        if skip:
            self.skip_depth += 1
        if tag in BLOCKS:
            self.flush()
        if tag == "ol":
            self.list_counters.append(0)
        elif tag == "li" and self.list_counters:
            self.list_counters[-1] += 1
            self.prefix = f"{self.list_counters[-1]}. "
        elif tag == "li":
            self.prefix = "- "
        elif tag == "blockquote":
            self.preformatted += 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "head":
            self.in_head = False
        if tag in VOID:
            return
        while self.stack:
            open_tag, skip = self.stack.pop()
            if open_tag in BLOCKS and not self.skip_depth:
                self.flush()
            if skip:
                self.skip_depth -= 1
                self.current = []
            if open_tag == "ol" and self.list_counters:
                self.list_counters.pop()
            if open_tag == "blockquote":
                self.preformatted -= 1
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        if self.skip_depth or self.in_head:
            return
        self.current.append(data)


def html_to_text(document: str, width: int = 76) -> str:
    """Paragraphs separated by blank lines, wrapped at ``width`` columns (URLs unbroken).

    Lines break as dsr.typography.wrap allows: at spaces, and between
    Chinese characters except before closing or after opening marks; a
    Chinese character takes two columns. No-break spaces stay in the text
    (a mail reader or web form that wraps again keeps them), word joiners
    are dropped once the lines are made.
    """
    builder = _TextBuilder()
    builder.feed(document)
    builder.close()
    builder.flush()
    out: list[str] = []
    previous_item = False
    for paragraph, is_item in builder.paragraphs:
        lines = []
        for line in paragraph.split("\n"):
            lines.append("\n".join(wrap(line.expandtabs(), width)) if line else "")
        block = strip_joiners("\n".join(lines))
        if is_item and previous_item:
            out[-1] += "\n" + block  # list items stay together
        else:
            out.append(block)
        previous_item = is_item
    return "\n\n".join(out) + "\n"
