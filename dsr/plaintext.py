"""Plain text from a rendered letter, for e-mail bodies and web forms.

The text form is the letter as a reader of an e-mail or web form needs it:
subject, salutation, body, closing, enclosures. The letterhead, the window
address block and the info block are for paper only (dsr.document's
PAPER_ONLY) and are left out. The letter is read as dsr.document's tree.
"""

from __future__ import annotations

import re

from .document import PAPER_ONLY, VOID, Element, parse_html
from .typography import strip_joiners, wrap

ASCII_SPACE = re.compile(r"[ \t\n\r\f\v]+")  # keep no-break spaces
BLOCKS = {"p", "h1", "h2", "li", "blockquote", "title", "dt", "dd", "div", "section", "ol", "ul"}


class _TextWalker:
    """The tree's text as paragraphs: a walk in document order, without recursion."""

    def __init__(self) -> None:
        self.paragraphs: list[tuple[str, bool]] = []  # (text, is a list item)
        self.current: list[str] = []
        self.skip_depth = 0
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

    def walk(self, root: Element) -> None:
        # (node, entering): an element is visited when it opens and when it closes.
        pending: list[tuple[Element | str, bool]] = [(c, True) for c in reversed(root.children)]
        while pending:
            node, entering = pending.pop()
            if isinstance(node, str):
                if not (self.skip_depth or self.in_head):
                    self.current.append(node)
            elif node.tag in VOID:
                if node.tag == "br" and not self.skip_depth:
                    self.current.append("\n" if self.preformatted else " ")
            elif entering:
                self.open(node)
                pending.append((node, False))
                pending.extend((c, True) for c in reversed(node.children))
            else:
                self.close(node)

    def open(self, element: Element) -> None:
        tag = element.tag
        if tag == "head":
            self.in_head = True
        if PAPER_ONLY.intersection(element.classes):
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

    def close(self, element: Element) -> None:
        tag = element.tag
        if tag in BLOCKS and not self.skip_depth:
            self.flush()
        if PAPER_ONLY.intersection(element.classes):
            self.skip_depth -= 1
            self.current = []
        if tag == "ol" and self.list_counters:
            self.list_counters.pop()
        if tag == "blockquote":
            self.preformatted -= 1
        if tag == "head":
            self.in_head = False


def html_to_text(document: str, width: int = 76) -> str:
    """The text of a letter's HTML: ``tree_to_text`` of its dsr.document tree."""
    return tree_to_text(parse_html(document), width)


def tree_to_text(root: Element, width: int = 76) -> str:
    """Paragraphs separated by blank lines, wrapped at ``width`` columns (URLs unbroken).

    Lines break as dsr.typography.wrap allows: at spaces, and between
    Chinese characters except before closing or after opening marks; a
    Chinese character takes two columns. No-break spaces stay in the text
    (a mail reader or web form that wraps again keeps them), word joiners
    are dropped once the lines are made.
    """
    walker = _TextWalker()
    walker.walk(root)
    walker.flush()
    out: list[str] = []
    previous_item = False
    for paragraph, is_item in walker.paragraphs:
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
