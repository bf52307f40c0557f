"""Letters set in type by Typst: the fast PDF engine of ``dsr batch``.

WeasyPrint spends about 50 ms of Python laying out a two-page letter; Typst
sets the same letter in a few milliseconds. The letter's HTML stays the one
source (templates and catalogs are shared): this module reads the markup of
dsr's built-in letter templates and writes it as a call of ``dsr-letter``
from ``templates/letter.typ``, which has the page layout of ``letter.css``.

Every piece of text becomes a Typst string literal, so user text can never
act as Typst markup or code; the compiler's root is the templates folder and
nothing is fetched. Markup this module does not know (a form field, a table,
an unknown class) raises ``UnsupportedMarkup``: callers then render that
letter with WeasyPrint.
"""

from __future__ import annotations

import io
import re
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from .document import Data, Element, Part, Prefix, parse_html
from .errors import RenderError
from .glyphs import ems, running_ems
from .layout import MM, current, rows, window_width
from .pdf import CREATOR, set_document_info
from .resources import resource_dir
from .text import run_spans
from .typography import NO_BREAK_AFTER, NO_BREAK_BEFORE, may_break_between

if TYPE_CHECKING:
    import typst

ENGINES = ("typst", "weasyprint")
# Lengths in points, from templates/layout.toml (dsr.layout), read when dsr starts.
LAYOUT = current()
BODY_SIZE = LAYOUT.number("type.body_pt")
BODY_WIDTH = LAYOUT.number("page.body_width_mm") * MM
# The narrowest line of the body, in em: the situation's quote at the body's size.
# A run no line can break that is wider breaks anywhere, as letter.css's
# ``main { overflow-wrap: anywhere }``: it would run off the page.
QUOTE_INSET = LAYOUT.number("spacing.quote_indent_mm") + LAYOUT.number("spacing.quote_padding_mm")
BODY_FIT = (BODY_WIDTH - QUOTE_INSET * MM) / BODY_SIZE
LETTERHEAD_WIDTH = LAYOUT.number("letterhead.width_mm") * MM
INLINE = {"strong", "b", "em", "i", "a", "br", "span"}
SPACE = re.compile(r"[ \t\n\r\f]+")
# Words that must print exactly as typed: web addresses, e-mail addresses,
# references and dates. Typst repeats a hyphen at the start of the next line
# when it breaks a line at one in Polish, Spanish, Portuguese, Croatian and
# Slovak, as their typography asks; in "erika--mustermann" that is a wrong
# address. These words are set as English, which does not repeat it. A word
# is one of them if it has a hyphen and a digit or one of "/@.:_"; tested
# per word, in linear time (a regular expression for it backtracked for
# minutes on "a-a-a-...").
WORD = re.compile(r"\S+")
VERBATIM_MARKS = frozenset("/@.:_")


def verbatim_words(text: str) -> Iterator[re.Match[str]]:
    """The words of ``text`` that must print exactly as typed."""
    for word in WORD.finditer(text):
        found = word.group()
        if "-" in found and any(ch in VERBATIM_MARKS or ch.isdecimal() for ch in found):
            yield word


class TypesetError(RenderError):
    """Typst could not set this letter."""


class UnsupportedMarkup(TypesetError):
    """The letter's HTML uses markup the Typst engine does not lay out."""


def string(text: str) -> str:
    """A Typst string literal: the text, never markup or code."""
    out = ['"']
    for char in text:
        if char in '"\\':
            out.append("\\" + char)
        elif char == "\n":
            out.append("\\n")
        elif ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"\\u{{{ord(char):x}}}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _unsupported(element: Element) -> UnsupportedMarkup:
    classes = " ".join(element.classes)
    shown = f'<{element.tag} class="{classes}">' if classes else f"<{element.tag}>"
    return UnsupportedMarkup(f"the Typst engine does not lay out {shown}")


# Inline content -------------------------------------------------------------

Marks = tuple[tuple[str, ...], ...]  # the wrappers around a run: ("strong",), ("link", url)


def _atoms(nodes: list[Element | str], marks: Marks, out: list[tuple[str, str, Marks]]) -> None:
    for node in nodes:
        if isinstance(node, str):
            out.append(("text", node, marks))
        elif node.tag == "br":
            out.append(("br", "", marks))
        elif node.tag in ("strong", "b"):
            _atoms(node.children, (*marks, ("strong",)), out)
        elif node.tag in ("em", "i"):
            _atoms(node.children, (*marks, ("emph",)), out)
        elif node.tag == "a":
            href = node.attrs.get("href", "")
            wrapper = ("link", href) if href else ("plain",)
            _atoms(node.children, (*marks, wrapper), out)
        elif node.tag == "small":  # a blank's label (templates/_blank.html.jinja)
            _atoms(node.children, (*marks, ("small",)), out)
        elif node.tag == "span" and Part.BLANK in node.classes:
            # A template kit's blank (templates/_blank.html.jinja): its printed mark,
            # the dotted line or the line for a date, set as the text it is.
            _atoms(node.children, marks, out)
        elif node.tag == "span" and not node.classes:
            if re.search(r"white-space\s*:\s*nowrap", node.attrs.get("style", "")):
                _atoms(_no_break(node.children), marks, out)
            else:
                _atoms(node.children, marks, out)
        else:
            raise _unsupported(node)


def _no_break(nodes: list[Element | str]) -> list[Element | str]:
    """Text as ``white-space: nowrap`` sets it: no line break at its spaces or hyphens."""
    return [
        "\u2060".join(SPACE.sub("\u00a0", node))  # one unbreakable box (see _joined)
        if isinstance(node, str)
        else replace(node, children=_no_break(node.children))
        for node in nodes
    ]


def inline(nodes: list[Element | str], preserve: bool = False, fit: float | None = None) -> str:
    """Typst markup for inline HTML: whitespace collapsed as CSS does (or kept, pre-wrap).

    With ``fit`` (a line's width in em), a word wider than a line may break
    between any two characters, as CSS's ``overflow-wrap: anywhere``.
    """
    atoms: list[tuple[str, str, Marks]] = []
    _atoms(nodes, (), atoms)
    pieces: list[tuple[str, str, Marks]] = []
    if preserve:
        for kind, text, marks in atoms:
            if kind == "br":
                pieces.append(("br", "", marks))
                continue
            for index, line in enumerate(text.split("\n")):
                if index:
                    pieces.append(("br", "", marks))
                if line:
                    pieces.append(("text", line, marks))
    else:
        space_pending = False
        for kind, text, marks in atoms:
            if kind == "br":
                pieces.append(("br", "", marks))
                space_pending = False
                continue
            collapsed = SPACE.sub(" ", text)
            if not collapsed:
                continue
            if collapsed.startswith(" "):
                space_pending = True
                collapsed = collapsed[1:]
            if not collapsed:
                continue
            if space_pending and pieces and pieces[-1][0] == "text":
                pieces.append(("text", " ", marks))
            space_pending = collapsed.endswith(" ")
            pieces.append(("text", collapsed.rstrip(" "), marks))
    return _emit(_verbatim(pieces), fit)


def _verbatim(pieces: list[tuple[str, str, Marks]]) -> list[tuple[str, str, Marks]]:
    """Text pieces split so that verbatim words carry a mark of their own."""
    out: list[tuple[str, str, Marks]] = []
    for kind, text, marks in pieces:
        if kind != "text" or "-" not in text:
            out.append((kind, text, marks))
            continue
        start = 0
        for match in verbatim_words(text):
            if match.start() > start:
                out.append(("text", text[start : match.start()], marks))
            out.append(("text", match.group(), (*marks, ("verbatim",))))
            start = match.end()
        if start < len(text):
            out.append(("text", text[start:], marks))
    return out


def _emit(pieces: list[tuple[str, str, Marks]], fit: float | None = None) -> str:
    out: list[str] = []
    index = 0
    while index < len(pieces):
        marks = pieces[index][2]
        end = index
        while end < len(pieces) and pieces[end][2] == marks:
            end += 1
        run = "".join(
            "#linebreak()" if kind == "br" else _breakable(text, fit)
            for kind, text, _ in pieces[index:end]
        )
        for wrapper in reversed(marks):
            if wrapper[0] == "link":
                run = f"#link({string(wrapper[1])})[{run}]"
            elif wrapper[0] == "verbatim":
                run = f'#text(lang: "en")[{run}]'
            elif wrapper[0] in ("strong", "emph"):
                run = f"#{wrapper[0]}[{run}]"
            elif wrapper[0] == "small":
                size = current().number("blanks.label_pt")
                run = f'#text(size: {size:g}pt, weight: "regular", style: "normal")[{run}]'
        out.append(run)
        index = end
    return "".join(out)


# Characters joined by word joiners (dsr.typography: a citation in Chinese).
JOINED = re.compile(r"[^\u2060](?:\u2060+[^\u2060])+")
OPENING = "".join(sorted(NO_BREAK_AFTER))
CLOSING = "".join(sorted(NO_BREAK_BEFORE))


def _joined(text: str) -> str:
    """``#"text"``, with runs of characters joined by word joiners set as unbreakable boxes.

    Typst honours a word joiner but copies it into the PDF's text; a box
    keeps the run on one line and its text as it reads. Opening and closing
    marks at the ends of a run stay outside the box: no line breaks after
    an opening or before a closing mark anyway, and outside it Typst
    narrows them beside their neighbours as it does in running text.
    """
    if "\u2060" not in text:
        return "#" + string(text)
    out: list[str] = []
    start = 0
    for run in JOINED.finditer(text):
        if run.start() > start:
            out.append("#" + string(text[start : run.start()].replace("\u2060", "")))
        joined = run.group().replace("\u2060", "")
        body = joined.lstrip(OPENING)
        head, inner = joined[: len(joined) - len(body)], body.rstrip(CLOSING)
        tail = body[len(inner) :]
        if not inner:  # marks only
            head, inner, tail = "", joined, ""
        out.append(
            ("#" + string(head) if head else "")
            + "#box[#" + string(inner) + "]"
            + ("#" + string(tail) if tail else "")
        )  # fmt: skip
        start = run.end()
    if start < len(text):
        out.append("#" + string(text[start:].replace("\u2060", "")))
    return "".join(out)


def _cut(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """The run ``text[start:end]`` cut where a line may break between two characters (Chinese)."""
    spans: list[tuple[int, int]] = []
    for index in range(start + 1, end):
        before, after = text[index - 1], text[index]
        if not (before.isspace() or after.isspace()) and may_break_between(before, after):
            spans.append((start, index))
            start = index
    spans.append((start, end))
    return spans


def wider_runs(text: str, fit: float) -> list[tuple[int, int]]:
    """Where ``text`` has runs no line can break wider than ``fit`` em, as far as dsr can tell.

    dsr.text's runs (cut at spaces a line may break at, never at a no-break
    space or a word joiner), cut again where a line may break between two
    characters (in Chinese, dsr.typography's rule).
    """
    running = running_ems(text)
    if running[-1] <= fit:
        return []
    return [
        (start, end)
        for run in run_spans(text)
        if running[run[1]] - running[run[0]] > fit
        for start, end in _cut(text, *run)
        if running[end] - running[start] > fit
    ]


def _breakable(text: str, fit: float | None) -> str:
    """``#"text"``; runs no line can break wider than ``fit`` em break between any two characters.

    An empty box between two characters is a line-break opportunity that
    leaves the word whole in the PDF's text. A run is a word, or words joined
    by no-break spaces, word joiners or punctuation (``wider_runs``).
    """
    wide = wider_runs(text, fit) if fit is not None else []
    if not wide:
        return _joined(text)
    out: list[str] = []
    position = 0
    for start, end in wide:
        if start > position:
            out.append(_joined(text[position:start]))
        clusters: list[str] = []  # a character with its combining marks and joiners
        for char in text[start:end].replace("\u2060", ""):  # wider than a line: it must break
            if clusters and (
                unicodedata.category(char) in ("Mn", "Mc", "Me")
                or char in "\u200d\ufe0e\ufe0f"
                or clusters[-1].endswith("\u200d")
            ):
                clusters[-1] += char
            else:
                clusters.append(char)
        out.append("#box[]".join("#" + string(cluster) for cluster in clusters))
        position = end
    if position < len(text):
        out.append(_joined(text[position:]))
    return "".join(out)


# Blocks -----------------------------------------------------------------------


@dataclass
class Block:
    code: str
    top: float  # margin, pt
    bottom: float


def _join(blocks: list[Block]) -> str:
    """Blocks with their collapsed CSS margins between them (weak: dropped at a page break)."""
    out = []
    for index, block in enumerate(blocks):
        if index:
            gap = max(blocks[index - 1].bottom, block.top)
            if gap:
                out.append(f"#v({gap:.3f}pt, weak: true)\n")
        out.append(block.code)
    return "".join(out)


def _container(blocks: list[Block], top: float, bottom: float, wrap: str = "{}") -> Block:
    """A block around ``blocks``; margins collapse through it (it has no border or padding)."""
    if not blocks:
        return Block("", top, bottom)
    return Block(
        wrap.format(_join(blocks)),
        max(top, blocks[0].top),
        max(bottom, blocks[-1].bottom),
    )


def _text_block(element: Element, top: float, bottom: float, style: str = "") -> Block:
    content = inline(element.children, fit=BODY_FIT)
    if style:
        content = f"#text({style})[{content}]"
    return Block(f"#block(width: 100%)[{content}]\n", top, bottom)


def _flow(nodes: list[Element | str], size: float) -> list[Block]:
    """Block-level children; runs of inline content become anonymous paragraphs."""
    blocks: list[Block] = []
    run: list[Element | str] = []

    def flush() -> None:
        if any(isinstance(n, Element) or n.strip() for n in run):
            blocks.append(Block(f"#block(width: 100%)[{inline(run, fit=BODY_FIT)}]\n", 0, 0))
        run.clear()

    for node in nodes:
        if isinstance(node, str) or node.tag in INLINE:
            run.append(node)
            continue
        flush()
        if Part.CLOSING in node.classes and blocks:  # as CSS's .closing { break-before: avoid }:
            last = blocks[-1]  # the closing never stands alone on a page
            blocks[-1] = Block(f"#block(sticky: true)[{last.code}]\n", last.top, last.bottom)
        blocks.append(_block(node, size))
    flush()
    return blocks


def _block(element: Element, size: float) -> Block:
    """A block of the letter's text, with the CSS margins of letter.css.jinja (from layout.toml)."""
    tag, classes = element.tag, element.classes
    space = current().number
    paragraph = space("spacing.paragraph_after_em")
    small = space("type.small_pt")
    if tag == "p" and classes == (Part.SIGNATURE_NAME,):  # a long word breaks, as in CSS
        content = inline(element.children, fit=BODY_WIDTH / size)
        return Block(f"#block(width: 100%)[{content}]\n", 0, paragraph * size)
    if tag == "p" and classes in ((), (Part.SIGNATURE_DATE,)):
        return _text_block(element, 0, paragraph * size)
    if tag == "p" and classes == (Part.PLACE_DATE,):
        block = _text_block(element, 0, space("spacing.place_date_after_mm") * MM)
        return Block(f"#align(right)[{block.code.strip()}]\n", block.top, block.bottom)
    if tag == "p" and classes == (Part.COURTESY,):
        return _text_block(element, 0, paragraph * small, f'size: {small:g}pt, style: "italic"')
    if tag in ("h1", "h2") and classes in ((), (Part.SUBJECT,)):
        level = int(tag[1])
        heading_size = space("type.heading_pt") if size > small else small
        top = (
            0 if level == 1 or size <= small else space("spacing.heading_before_em") * heading_size
        )
        bottom = (
            space("spacing.subject_after_mm") * MM
            if level == 1
            else space("spacing.heading_after_em") * heading_size
        )
        content = inline(element.children, fit=BODY_FIT)
        body = f'#text(size: {heading_size:g}pt, weight: "bold")[{content}]'
        sticky = "true" if level > 1 else "false"
        code = (
            f"#block(width: 100%, sticky: {sticky})"
            f"[#heading(level: {level}, outlined: false, bookmarked: true)[{body}]]\n"
        )
        return Block(code, top, bottom)
    if tag in ("ul", "ol") and classes in ((), (Part.DETAILS,), (Part.TIMELINE,)):
        items = []
        for number, item in enumerate(element.elements(), start=1):
            if item.tag != "li" or item.classes:
                raise _unsupported(item)
            marker = f"{number}." if tag == "ol" else "\N{EN DASH}"  # as letter.css
            inner = _flow(item.children, size)
            body = _join(inner)
            items.append(
                Block(
                    f"#item({string(marker)})[{body}]\n",
                    max([0.0, *(b.top for b in inner[:1])]),
                    max(
                        space("spacing.list_item_after_em") * size, *(b.bottom for b in inner[-1:])
                    ),
                )
            )
        return _container(items, 0, paragraph * size)
    if tag == "blockquote" and classes == (Part.SITUATION,):
        content = inline(element.children, preserve=True, fit=BODY_FIT)
        indent = space("spacing.quote_indent_mm") * MM
        padding = space("spacing.quote_padding_mm") * MM
        code = (
            f"#pad(left: {indent:.3f}pt, block(width: 100%, inset: (left: {padding:.3f}pt), "
            f'stroke: (left: 1pt + rgb("#888888")))[{content}])\n'
        )
        return Block(code, 0, space("spacing.quote_after_em") * size)
    if tag == "div" and classes == (Part.CLOSING,):
        return _container(
            _flow(element.children, size),
            space("spacing.closing_before_em") * size,
            0,
            "#block(width: 100%, breakable: false)[{}]\n",
        )
    if tag == "div" and classes == (Part.SIGNATURE_SPACE,):
        return Block(f"#v({space('spacing.signature_space_mm') * MM:.3f}pt)\n", 0, 0)
    if tag == "section" and classes == (Part.ENCLOSURES,):
        return _container(
            _flow(element.children, small),
            space("spacing.enclosures_before_mm") * MM,
            0,
            f"#block(width: 100%, breakable: false)[#set text(size: {small:g}pt)\n{{}}]\n",
        )
    raise _unsupported(element)


# The letter -------------------------------------------------------------------


@dataclass(frozen=True)
class Metadata:
    """What WeasyPrint would write into the PDF's document information."""

    lang: str
    title: str
    author: str
    description: str
    keywords: str
    generator: str
    created: str
    modified: str


def _metadata(html: Element, head: Element) -> Metadata:
    meta = {
        element.attrs.get("name", ""): element.attrs.get("content", "")
        for element in head.elements()
        if element.tag == "meta"
    }
    title = head.find("title")
    return Metadata(
        lang=html.attrs.get("lang", ""),
        title=SPACE.sub(" ", title.text()).strip() if title else "",
        author=meta.get("author", ""),
        description=meta.get("description", ""),
        keywords=meta.get("keywords", ""),
        generator=meta.get("generator", ""),
        created=meta.get("dcterms.created", ""),
        modified=meta.get("dcterms.modified", ""),
    )


def _typst_date(value: str) -> str:
    if not value:
        return "auto"
    moment = datetime.fromisoformat(value)
    return (
        f"datetime(year: {moment.year}, month: {moment.month}, day: {moment.day}, "
        f"hour: {moment.hour}, minute: {moment.minute}, second: {moment.second})"
    )


def _language(tag: str) -> tuple[str, str]:
    """``fr-CA`` -> ``"fr"``, ``"CA"``; scripts are not regions.

    dsr's Traditional Chinese is Hong Kong's: ``zh-Hant`` is set as ``zh``, ``HK``,
    so Typst (and the font's ``locl`` forms) centre the punctuation as Hong Kong
    and Taiwan set it, not at the foot of the character as in Simplified Chinese.
    """
    parts = tag.replace("_", "-").split("-")
    language = parts[0].lower() if parts[0].isalpha() and 2 <= len(parts[0]) <= 3 else "en"
    region = next((p.upper() for p in parts[1:] if len(p) == 2 and p.isalpha()), "")
    if language == "zh" and not region and any(p.lower() == "hant" for p in parts[1:]):
        region = "HK"
    return string(language), string(region) if region else "none"


def _style(
    element: Element, name: str, unit: str, default: float, bounds: tuple[float, float]
) -> float:
    """A length or number from the element's style attribute, within ``bounds``."""
    found = re.search(
        rf"(?:^|;)\s*{re.escape(name)}\s*:\s*(\d{{1,3}}(?:\.\d{{1,3}})?){unit}\s*(?:;|$)",
        element.attrs.get("style", ""),
    )
    value = float(found.group(1)) if found else default
    return min(max(value, bounds[0]), bounds[1])


def typst_source(document: str) -> tuple[str, Metadata]:
    """The Typst source of a letter's HTML, and the letter's metadata."""
    root = parse_html(document)
    html = root.find("html")
    head = root.find("head")
    body = root.find("body")
    if html is None or head is None or body is None:
        raise UnsupportedMarkup("the Typst engine needs a whole HTML document")
    metadata = _metadata(html, head)
    letterhead = body.find("header", Part.LETTERHEAD)
    zone = body.find("div", Part.ADDRESS_ZONE)
    main = body.find("main")
    return_line = zone.find("p", Part.RETURN_LINE) if zone else None
    recipient = zone.find("address", Part.RECIPIENT) if zone else None
    info = zone.find("dl", Part.INFO_BLOCK) if zone else None
    sender_name = letterhead.find("p", Part.SENDER_NAME) if letterhead else None
    sender_lines = letterhead.find("p", Part.SENDER_LINES) if letterhead else None
    if (
        letterhead is None
        or zone is None
        or main is None
        or return_line is None
        or recipient is None
        or info is None
        or sender_name is None
        or sender_lines is None
    ):
        raise UnsupportedMarkup("the Typst engine lays out dsr's own letter templates only")
    known = {"header", "div", "main"}
    for child in body.elements():
        if child.tag not in known:
            raise _unsupported(child)
    pairs = []
    terms = info.elements()
    for term, value in zip(terms[::2], terms[1::2], strict=False):
        if term.tag != "dt" or value.tag != "dd" or set(value.classes) - {Part.URL}:
            raise _unsupported(value)
        pairs.append(f"({string(SPACE.sub(' ', term.text()).strip())}, [{inline(value.children)}])")
    classes = set(body.classes)
    layout = current()
    paper = next((p for p in layout.sections["paper"] if Prefix.PAPER + p.lower() in classes), "A4")
    window = next((w for w in layout.windows() if Prefix.WINDOW + w in classes), "left")
    window_width = layout.window(window).text_width * MM
    number = layout.number
    # The sizes base.html.jinja chose for the letterhead, return line and recipient.
    top = _style(letterhead, "padding-top", "mm", number("letterhead.top_mm"), (5, 20))
    name_size = _style(sender_name, "font-size", "pt", number("letterhead.name_pt"), (6, 20))
    lines_size = _style(sender_lines, "font-size", "pt", number("letterhead.lines_pt"), (5, 12))
    return_size = _style(return_line, "font-size", "pt", number("address_zone.return_pt"), (5, 10))
    recipient_size = _style(
        recipient, "font-size", "pt", number("address_zone.recipient_pt"), (6, 12)
    )
    recipient_leading = _style(
        recipient, "line-height", "", number("address_zone.recipient_line_height"), (1, 2)
    )
    language, region = _language(metadata.lang)
    keywords = ", ".join(string(k.strip()) for k in metadata.keywords.split(",") if k.strip())
    arguments = [
        "layout: layout",
        f"lang: {language}",
        f"region: {region}",
        f"paper: {string(paper)}",
        f"window: {string(window)}",
        f"page-label: {string(body.attrs.get(Data.PAGE_LABEL, 'Page {page} of {pages}'))}",
        f"running-header: {string(letterhead.attrs.get(Data.RUNNING_HEADER, ''))}",
        f"title: {string(metadata.title)}",
        f"author: {string(metadata.author)}",
        f"keywords: ({keywords}{',' if keywords else ''})",
        f"date: {_typst_date(metadata.created)}",
        f"letterhead-top: {top:g}mm",
        f"name-size: {name_size:g}pt",
        f"lines-size: {lines_size:g}pt",
        f"sender-name: [{inline(sender_name.children, fit=LETTERHEAD_WIDTH / name_size / 1.06)}]",
        f"sender-lines: [{inline(sender_lines.children, fit=LETTERHEAD_WIDTH / lines_size)}]",
        f"return-size: {return_size:g}pt",
        f"return-line: [{inline(return_line.children, fit=window_width / return_size)}]",
        f"recipient-size: {recipient_size:g}pt",
        f"recipient-leading: {recipient_leading:g}",
        f"recipient: [{inline(recipient.children, fit=window_width / recipient_size)}]",
        f"info: ({', '.join(pairs)}{',' if pairs else ''})",
    ]
    text = _join(_flow(main.children, number("type.body_pt")))
    source = (
        '#import "/letter.typ": dsr-letter, item\n'
        f"#let layout = {layout.typst}\n"  # templates/layout.toml
        "#let item = item.with(layout.spacing.list-indent, layout.spacing.list-marker-gap)\n"
        f"#dsr-letter({', '.join(arguments)})[\n{text}]\n"
    )
    return source, metadata


class _Compilers(threading.local):
    """One Typst compiler per thread. A compiler is not safe to share: a second
    thread compiling while the first does fails with "Already borrowed" (the
    binding releases the GIL while it compiles). Creating one finds the system's
    fonts (about 80 ms, 300 ms for the process's first), so each thread keeps its
    own for its life: a server's worker threads pay it once each."""

    compiler: typst.Compiler | None = None


_COMPILERS = _Compilers()


def _compiler() -> typst.Compiler:
    """This thread's Typst compiler, created on its first letter."""
    compiler = _COMPILERS.compiler
    if compiler is None:
        import typst

        # The root is dsr's templates folder: the source can import letter.typ and
        # read nothing else. Fonts are the system's (installed by `make`).
        compiler = _COMPILERS.compiler = typst.Compiler(root=str(resource_dir("templates")))
    return compiler


def letter_pdf(document: str) -> bytes:
    """A letter's HTML as a PDF set by Typst, with the metadata WeasyPrint would write.

    Raises ``UnsupportedMarkup`` for markup outside dsr's letter templates and
    ``TypesetError`` if Typst fails or warns (a missing font, for example).
    """
    import pikepdf

    try:
        source, metadata = typst_source(document)
    except ValueError as error:  # a malformed date in the document's metadata
        raise UnsupportedMarkup(f"the letter's metadata: {error}") from error
    try:
        pdf, warnings = _compiler().compile_with_warnings(source.encode())
    except Exception as error:  # the binding raises its own error types
        raise TypesetError(f"Typst could not set the letter: {error}") from error
    if warnings:
        raise TypesetError(f"Typst warned: {warnings[0]}")
    if not isinstance(pdf, bytes):  # a list of pages is for image formats only
        raise TypesetError("Typst produced no PDF")
    try:
        return _with_metadata(pdf, metadata)
    except (pikepdf.PdfError, ValueError) as error:
        raise TypesetError(f"setting the PDF's metadata failed: {error}") from error


def typst_pdf(source: str) -> bytes:
    """The PDF Typst sets from ``source``, Typst code of dsr's own (a campaign's cover
    pages: templates/cover.typ) whose every piece of user text is a ``string`` literal.

    Raises ``TypesetError`` if Typst fails or warns (a missing font, for example).
    """
    try:
        pdf, warnings = _compiler().compile_with_warnings(source.encode())
    except Exception as error:  # the binding raises its own error types
        raise TypesetError(f"Typst could not set the page: {error}") from error
    if warnings:
        raise TypesetError(f"Typst warned: {warnings[0]}")
    if not isinstance(pdf, bytes):
        raise TypesetError("Typst produced no PDF")
    return pdf


def typst_language(tag: str) -> tuple[str, str]:
    """Typst's ``lang`` and ``region`` arguments for the language ``tag``, as the letters
    are set (Typst literals: ``"zh"``, ``"HK"`` for ``zh-Hant``; ``none`` for no region)."""
    return _language(tag)


def _with_metadata(pdf: bytes, metadata: Metadata) -> bytes:
    import pikepdf
    import typst

    with pikepdf.open(io.BytesIO(pdf)) as document:
        set_document_info(
            document,
            f"Typst {getattr(typst, '__version__', '')}".strip(),
            lang=metadata.lang,
            title=metadata.title,
            author=metadata.author,
            subject=metadata.description,
            keywords=metadata.keywords,
            creator=CREATOR,  # whatever the template says: how dsr's letters are known
            created=metadata.created,
            modified=metadata.modified,
        )
        buffer = io.BytesIO()
        document.save(buffer, deterministic_id=True)
    return buffer.getvalue()


# Page one's boxes --------------------------------------------------------------
# base.html.jinja sets the letterhead, the return line and the recipient in
# smaller type until each fits its box; these are its last settings, and the
# information block's one. Member text that overflows a box even so is refused
# when the request is read (dsr.inputs), naming its field and the room there
# is, instead of being overprinted. tests/test_properties.py sets accepted
# names and addresses with both engines and reads each box back.

_LAST_STEP = LAYOUT.sections["letterhead"]["steps"][-1]  # top, name, joined, lines
LETTERHEAD_ROOM = LAYOUT.number("letterhead.room_mm") - _LAST_STEP[0]  # mm below the top
LETTERHEAD_LAST = (float(_LAST_STEP[1]), float(_LAST_STEP[3]))  # the name's size, the lines'
RETURN_LINE_LAST = LAYOUT.number("address_zone.return_last_pt")  # pt, ending in the window
RETURN_LINE_ROOM = int(LAYOUT.number("address_zone.return_rows"))
INFO_SIZE = LAYOUT.number("address_zone.info_pt")  # the information block's type
INFO_LEADING = LAYOUT.number("address_zone.info_line_height")


def run_on_rows(parts: list[str], size: float, width: float) -> int:
    """The lines ``parts`` run on with " · " fill: base.html.jinja's ``run_on_rows``."""
    units: list[str] = []
    for index, part in enumerate(parts):
        unit = part if index == len(parts) - 1 else part + " ·"
        units += [unit] if ems(part) * size <= width * 0.6 else unit.split()
    return rows(units, size, width)


def letterhead_height(name: str, lines: list[str], email: str | None) -> float:
    """Millimetres the letterhead's text takes at its smallest type (it has LETTERHEAD_ROOM)."""
    name_size, size = LETTERHEAD_LAST
    count = rows([email], size, LETTERHEAD_WIDTH) if email else 0
    count += run_on_rows(lines, size, LETTERHEAD_WIDTH) if lines else 0
    name_rows = rows(name.split(), name_size * 1.06, LETTERHEAD_WIDTH) if name else 0
    line_height = LAYOUT.number("type.line_height")
    return (name_rows * name_size + count * size) * line_height / MM + 1


def return_line_rows(name: str, lines: list[str], country: str, window: str) -> int:
    """Lines the return line takes at its last setting: the name, the town, the country."""
    town = (
        2
        if len(lines) >= 3 and len(lines[-1]) <= 10 and any(c in "0123456789" for c in lines[-1])
        else 1
    )
    least = [name, *lines[-town:], *([country] if country else [])]
    return run_on_rows([part for part in least if part], RETURN_LINE_LAST, window_width(window))


def info_block_room(window: str) -> tuple[float, int]:
    """The width (pt) of the information block's values, and how many lines it holds."""
    layout = current()
    spec = layout.window(window)
    zone = layout.number("address_zone.top_mm") + layout.number("address_zone.height_mm")
    width = (spec.info_width - layout.number("address_zone.info_term_mm")) * MM
    height = (zone - spec.info_top) * MM
    return width, int(height // (INFO_SIZE * INFO_LEADING))


def info_block_rows(values: list[str], window: str) -> int:
    """Lines the information block's values take (reference, account, profile)."""
    width, _ = info_block_room(window)
    return sum(rows(value.split() or [""], INFO_SIZE, width) for value in values)
