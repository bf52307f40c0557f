"""print.pdf: a campaign's letters in one file, to print on both sides of the paper.

Every letter starts on an odd page (a letter of an odd number of pages is
followed by a blank page of its last page's size), so a duplex printer puts
each on sheets of its own; with cover pages, each letter is preceded by a page
for its member (what to sign, where to send it, the deadline to note) and that
page's blank back.

The file is written as a stream: each letter is read, its pages' objects are
written out under new numbers, and it is closed before the next is read, so
memory and open files stay the same for ten letters or ten thousand (pikepdf,
which holds every copied object until it saves, took 200 KB a letter). Only
the objects' positions and the pages' numbers are kept to the end, for the
page tree and the cross-reference table.
"""

from __future__ import annotations

import enum
import hashlib
import re
from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO, Final

from . import files, sending, ui
from .composition import compose
from .errors import REPLACE, DsrError, words
from .i18n import translations as letter_translations
from .model import Letter, Request
from .pdf import CREATOR, open_pdf
from .render import letter_date
from .typeset import string, typst_language, typst_pdf

if TYPE_CHECKING:
    import pikepdf

_ = ui.gettext

PRINT_FILE: Final = "print.pdf"
COVER_GROUP: Final = 25  # cover pages set by one run of Typst (its memory grows with more)
# Typst's names for the letters' paper sizes (Jurisdiction.paper).
TYPST_PAPER: Final = {"A4": "a4", "Letter": "us-letter"}
# Page attributes a page may inherit from the page tree (PDF 1.7, 7.7.3.4): a copied page
# gets them itself, as it leaves its own tree behind.
INHERITED: Final = ("/Resources", "/MediaBox", "/CropBox", "/Rotate")
# A page's entries that belong to the tree and structure it leaves: its parent (the new
# tree's instead), its place in the structure tree and its article beads.
LEFT_BEHIND: Final = frozenset({"/Parent", "/StructParents", "/B"})
# The window's attention lines, msgids of the letters' catalog (templates/base.html.jinja).
DPO_ATTENTION: Final = "Attn: Data Protection Officer"
QC_ATTENTION: Final = "Attn: Person in charge of the protection of personal information"
MAX_DEPTH: Final = 400  # nested arrays and dictionaries (qpdf reads at most 500)
_REFERENCE = re.compile(rb" R")


class PrintError(DsrError):
    """print.pdf could not be made (a letter cannot be read, its cover cannot be set)."""


class PrintOrder(enum.StrEnum):
    """The order of the letters in print.pdf."""

    ROW = "row"  # as the member list has them
    POSTCODE = "postcode"  # by the member's country and postcode, then row; none last


@dataclass(frozen=True)
class PrintOptions:
    """What goes into print.pdf, and in which order."""

    order: PrintOrder = PrintOrder.ROW
    covers: bool = False


@dataclass(frozen=True)
class PrintedLetter:
    """A letter of the batch's folder, as print.pdf takes it."""

    row: int
    file: str  # its name in the folder
    request: Request  # what the member asked: for the cover, and the postcode's country
    postcode: str = ""  # the member's, as typed ('' where the address shows none)


def in_print_order(letters: Iterable[PrintedLetter], order: PrintOrder) -> list[PrintedLetter]:
    """The letters in ``order``: by row; or by the member's country and postcode (spaces
    and case aside), then row, the letters of members without a postcode last."""
    if order is PrintOrder.ROW:
        return sorted(letters, key=lambda letter: letter.row)

    def by_area(letter: PrintedLetter) -> tuple[bool, str, str, int]:
        code = "".join(letter.postcode.split()).casefold()
        return not code, letter.request.requester.address.country, code, letter.row

    return sorted(letters, key=by_area)


# Cover pages ---------------------------------------------------------------


@dataclass(frozen=True)
class Cover:
    """A cover page's text, in the member's language; set by templates/cover.typ."""

    language: str
    paper: str  # as Jurisdiction.paper names it
    banner: str  # that the page is not to be sent
    name: str  # the member's
    row: str
    title: str  # the letter's kind
    steps: tuple[str, ...]  # check and sign; how to send
    facts: tuple[tuple[str, tuple[str, ...]], ...]  # label, lines
    note: str


def _attention(letter: Letter) -> str:
    """The recipient's attention line as the letter's window prints it (letters' catalog)."""
    if letter.recipient.attention == "dpo":
        line = QC_ATTENTION if letter.family == "qc" else DPO_ATTENTION
        return letter_translations(letter.language).gettext(line)
    return letter.recipient.attention_text or ""


def recipient_lines(letter: Letter) -> tuple[str, ...]:
    """The recipient's name and postal address, as the letter's window shows them."""
    recipient = letter.recipient
    attention = _attention(letter)
    country = (recipient.country_name,) if recipient.country_name else ()
    lines = (recipient.name, *((attention,) if attention else ()), *recipient.lines, *country)
    return tuple(" ".join(line.split()) for line in lines if line.strip())


def cover_of(letter: Letter, name: str, row: int) -> Cover:
    """The cover page of ``letter``, for the member ``name`` of row ``row``, in the
    letter's language (the member's)."""
    with ui.speaking(letter.language):
        steps = [
            _(
                "Check the letter. If you post it, sign it by hand above your typed name at "
                "the end."
            ),
            sending.how_to_send_printed(letter),
        ]
        enclose = sending.enclosures_to_add(letter)
        if enclose:
            steps.append(enclose)
        steps.append(sending.keep_proof())
        facts: list[tuple[str, tuple[str, ...]]] = []
        if sending.postal(letter):
            facts.append((_("Addressed to"), recipient_lines(letter)))
        else:
            facts.append((_("Addressed to"), (letter.recipient.name,)))
        if letter.recipient_email:
            facts.append((_("E-mail address"), (letter.recipient_email,)))
        form = sending.form_of(letter)  # an authority's own; never the company's
        if letter.recipient_is_authority:
            label = _("The authority's form:")
        else:
            label = _("The company's form:")
        if form:
            facts.append((label, (form,)))
        if sending.has_deadline(letter):  # as the web page: an authority sets no date
            when = letter_date(letter.deadline, letter.locale).replace("\u00a0", " ")
            facts.append(
                (
                    _("Note this deadline"),
                    (sending.deadline_line(letter, when), sending.deadline_counting()),
                )
            )
        facts.append((_("Reference"), (letter.reference,)))
        return Cover(
            language=letter.language,
            paper=letter.paper,
            banner=_("Cover page: do not send this page."),
            name=name,
            row=_("Row {row} of the member list").format(row=row),
            title=sending.letter_kind_name(letter),
            steps=tuple(steps),
            facts=tuple(facts),
            note=_("This page is for you: it is not part of the letter."),
        )


def _array(items: Iterable[str]) -> str:
    """A Typst array of string literals (a trailing comma: one item is an array too)."""
    return "(" + "".join(f"{item}, " for item in items) + ")"


def cover_source(covers: Sequence[Cover]) -> str:
    """The Typst source of ``covers``, one page each; every text a string literal."""
    calls = ['#import "cover.typ": dsr-cover']
    for cover in covers:
        lang, region = typst_language(cover.language)
        facts = _array(
            _array([string(label), _array(string(line) for line in lines)])
            for label, lines in cover.facts
        )
        calls.append(
            f"#dsr-cover(lang: {lang}, region: {region}, "
            f"paper: {string(TYPST_PAPER.get(cover.paper, 'a4'))}, "
            f"banner: {string(cover.banner)}, name: {string(cover.name)}, "
            f"row: {string(cover.row)}, title: {string(cover.title)}, "
            f"steps: {_array(string(step) for step in cover.steps)}, facts: {facts}, "
            f"note: {string(cover.note)})"
        )
    return "\n".join(calls) + "\n"


def covers_pdf(covers: Sequence[Cover]) -> bytes:
    """One PDF of ``covers``, a page each, set by one run of Typst."""
    return typst_pdf(cover_source(covers))


def _letter_day(document: pikepdf.Pdf) -> date | None:
    """The date a letter dsr wrote bears: its PDF's creation date (``D:20261122...``)."""
    found = re.match(r"D:(\d{4})(\d{2})(\d{2})", str(document.docinfo.get("/CreationDate", "")))
    if found is None:
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        return None


def _covered_letter(request: Request, document: pikepdf.Pdf) -> Letter:
    """The letter the file holds, composed again for its cover: dated as the file is (a
    letter an earlier run wrote from a row without a date bears that run's day)."""
    day = _letter_day(document)
    letter = compose(request if day is None else replace(request, date=day))
    reference = str(document.docinfo.get("/Keywords", "")).strip()
    if reference and reference != letter.reference:
        raise PrintError(
            words(
                f"its letter's reference is {reference}, not {letter.reference} as its row "
                "gives now; run the batch again with ",
                REPLACE,
                " to write its letter anew",
            )
        )
    return letter


# The stream ----------------------------------------------------------------


class PdfStream:
    """A PDF written page after page to ``stream``: pages copied from other PDFs, blank
    pages, bookmarks; ``finish`` writes the page tree and the cross-reference table."""

    CATALOG, PAGES, INFO = 1, 2, 3  # numbers given at the start, objects written last

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._position = 0
        self._digest = hashlib.sha256()
        self._offsets = array("Q", [0, 0, 0, 0])  # by object number; 0 is no object
        self._pages = array("Q")  # the pages' object numbers, in order
        self._marks: list[tuple[str, int]] = []  # bookmarks: title, page index
        self._write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    @property
    def page_count(self) -> int:
        return len(self._pages)

    def _write(self, data: bytes) -> None:
        self._stream.write(data)
        self._digest.update(data)
        self._position += len(data)

    def _number(self) -> int:
        self._offsets.append(0)
        return len(self._offsets) - 1

    def _object(self, number: int, body: bytes) -> None:
        self._offsets[number] = self._position
        self._write(b"%d 0 obj\n%s\nendobj\n" % (number, body))

    def source(self, document: pikepdf.Pdf) -> _Copier:
        """What copies pages of ``document`` here: the objects its pages share (fonts)
        are written once for all the pages one copier copies."""
        return _Copier(self, document)

    def blank_page(self, box: Sequence[float], rotate: int = 0) -> None:
        """A blank page with the MediaBox ``box`` (and rotation) of the page it backs."""
        number = self._number()
        rotation = b" /Rotate %d" % rotate if rotate else b""
        numbers = b" ".join(_number(value) for value in box)
        self._object(
            number,
            b"<< /Type /Page /Parent %d 0 R /MediaBox [ %s ] /Resources << >>%s >>"
            % (self.PAGES, numbers, rotation),
        )
        self._pages.append(number)

    def bookmark(self, title: str) -> None:
        """A bookmark to the next page written."""
        self._marks.append((title, len(self._pages)))

    def _outline(self) -> int | None:
        """The bookmarks as an outline (one level), or None if there are none."""
        if not self._marks:
            return None
        pikepdf = _pikepdf()
        root = self._number()
        numbers = [self._number() for _ in self._marks]
        for at, ((title, page), number) in enumerate(zip(self._marks, numbers, strict=True)):
            links = b""
            if at:
                links += b" /Prev %d 0 R" % numbers[at - 1]
            if at + 1 < len(numbers):
                links += b" /Next %d 0 R" % numbers[at + 1]
            self._object(
                number,
                b"<< /Title %s /Parent %d 0 R /Dest [ %d 0 R /Fit ]%s >>"
                % (pikepdf.String(title).unparse(), root, self._pages[page], links),
            )
        self._object(
            root,
            b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
            % (numbers[0], numbers[-1], len(numbers)),
        )
        return root

    def finish(self, title: str) -> str:
        """Write the page tree, the catalog, the document information and the
        cross-reference table; the SHA-256 of the whole file."""
        pikepdf = _pikepdf()
        outline = self._outline()
        kids = b" ".join(b"%d 0 R" % number for number in self._pages)
        self._object(
            self.PAGES, b"<< /Type /Pages /Kids [ %s ] /Count %d >>" % (kids, len(self._pages))
        )
        outlines = b" /Outlines %d 0 R /PageMode /UseOutlines" % outline if outline else b""
        self._object(self.CATALOG, b"<< /Type /Catalog /Pages %d 0 R%s >>" % (self.PAGES, outlines))
        self._object(
            self.INFO,
            b"<< /Title %s /Creator %s /Producer %s >>"
            % (
                pikepdf.String(title).unparse(),
                pikepdf.String(CREATOR).unparse(),
                pikepdf.String(CREATOR).unparse(),
            ),
        )
        if 0 in self._offsets[1:]:  # a number given out for an object never written
            raise PrintError("print.pdf lacks an object it refers to")
        start = self._position
        table = [b"xref\n0 %d\n0000000000 65535 f\r\n" % len(self._offsets)]
        table += [b"%010d 00000 n\r\n" % offset for offset in self._offsets[1:]]
        self._write(b"".join(table))
        identity = self._digest.copy().hexdigest()[:32].encode()
        self._write(
            b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R /ID [ <%s> <%s> ] >>\n"
            b"startxref\n%d\n%%%%EOF\n"
            % (len(self._offsets), self.CATALOG, self.INFO, identity, identity, start)
        )
        return self._digest.hexdigest()


def _pikepdf() -> Any:
    import pikepdf

    return pikepdf


def _number(value: object) -> bytes:
    """A PDF number: an integer, or a real without an exponent."""
    if isinstance(value, bool):
        raise TypeError("not a number")
    if isinstance(value, int):
        return b"%d" % value
    text = format(Decimal(str(value)).normalize(), "f")
    return text.encode()


class _Copier:
    """The objects of one source PDF as they are written into a PdfStream: each indirect
    object under a new number, written once, after the object that first refers to it.
    A reference to a page not copied (a link to it) is written as null: the page would
    bring its whole page tree."""

    def __init__(self, target: PdfStream, document: pikepdf.Pdf) -> None:
        self._target = target
        self._document = document
        self._numbers: dict[tuple[int, int], int] = {}
        self._pending: list[tuple[int, Any]] = []
        self._pikepdf = _pikepdf()

    def copy(self, indexes: Iterable[int]) -> int:
        """Copy the pages ``indexes`` of the document, in that order; how many."""
        pages = [self._document.pages[index].obj for index in indexes]
        numbers = []
        for page in pages:  # numbered first: a page's link to another finds it
            number = self._numbers.get(page.objgen)
            if number is None:
                number = self._numbers[page.objgen] = self._target._number()
            numbers.append(number)
        for page, number in zip(pages, numbers, strict=True):
            self._page(page, number)
            self._target._pages.append(number)
        return len(pages)

    def _page(self, page: Any, number: int) -> None:
        """Write ``page`` (a page dictionary) as ``number``, and what it refers to."""
        entries = {key: page[key] for key in page.keys() if key not in LEFT_BEHIND}
        for key in INHERITED:
            if key not in entries:
                value = _inherited(page, key)
                if value is not None:
                    entries[key] = value
        body = b" ".join(
            self._pikepdf.Name(key).unparse() + b" " + self._value(value, 1)
            for key, value in entries.items()
        )
        self._target._object(number, b"<< %s /Parent %d 0 R >>" % (body, PdfStream.PAGES))
        self._drain()

    def _reference(self, obj: Any) -> bytes:
        key = obj.objgen
        number = self._numbers.get(key)
        if number is None:
            if isinstance(obj, self._pikepdf.Dictionary) and obj.get("/Type") == "/Page":
                return b"null"  # a page not copied
            number = self._numbers[key] = self._target._number()
            self._pending.append((number, obj))
        return b"%d 0 R" % number

    def _drain(self) -> None:
        while self._pending:
            number, obj = self._pending.pop()
            self._target._object(number, self._body(obj))

    def _body(self, obj: Any) -> bytes:
        """An indirect object's own text (a stream with its data as stored)."""
        pikepdf = self._pikepdf
        if isinstance(obj, pikepdf.Stream):
            data = obj.read_raw_bytes()
            entries = b" ".join(
                pikepdf.Name(key).unparse() + b" " + self._value(value, 1)
                for key, value in obj.stream_dict.items()
                if key != "/Length"
            )
            return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (entries, len(data), data)
        return self._value(obj, 0, direct=True)

    def _value(self, value: Any, depth: int, direct: bool = False) -> bytes:
        """A value as PDF text, references renumbered (``direct``: an indirect object's
        own value, not a reference to it)."""
        pikepdf = self._pikepdf
        if depth > MAX_DEPTH:
            raise PrintError("a letter's PDF nests its objects too deeply")
        if isinstance(value, bool):
            return b"true" if value else b"false"
        if isinstance(value, int | Decimal):
            return _number(value)
        if value is None:
            return b"null"
        if not direct and value.is_indirect:
            return self._reference(value)
        if isinstance(value, pikepdf.Dictionary):
            text = value.unparse(resolved=True)
            if not _REFERENCE.search(text):  # no reference in it: qpdf's text as it is
                return bytes(text)
            return b"<< %s >>" % b" ".join(
                pikepdf.Name(key).unparse() + b" " + self._value(item, depth + 1)
                for key, item in value.items()
            )
        if isinstance(value, pikepdf.Array):
            text = value.unparse(resolved=True)
            if not _REFERENCE.search(text):
                return bytes(text)
            return b"[ %s ]" % b" ".join(self._value(item, depth + 1) for item in value)
        return bytes(value.unparse(resolved=True))


def _inherited(page: Any, key: str) -> Any:
    """``key`` as the page inherits it from the page tree above it, or None."""
    node = page.get("/Parent")
    for _depth in range(64):  # a tree deeper than this is a loop
        if node is None:
            return None
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _page_box(page: Any) -> tuple[list[float], int]:
    """A page's MediaBox (inherited or its own) and rotation, for the blank page behind it."""
    box = page.get("/MediaBox")
    if box is None:
        box = _inherited(page, "/MediaBox")
    rotate = page.get("/Rotate")
    if rotate is None:
        rotate = _inherited(page, "/Rotate")
    values = [float(value) for value in box] if box is not None else [0, 0, 595.28, 841.89]
    return values, int(rotate or 0)


# print.pdf -----------------------------------------------------------------


def _read_letter(out_dir: Path, name: str) -> bytes:
    data = files.read(out_dir, name)  # a link is refused, never followed
    if data is None:
        raise PrintError(f"{out_dir / name} is missing; run the same command again")
    return data


def _groups(letters: Sequence[PrintedLetter], size: int) -> Iterator[Sequence[PrintedLetter]]:
    for start in range(0, len(letters), size):
        yield letters[start : start + size]


def _to_sheet(target: PdfStream, document: pikepdf.Pdf) -> None:
    """Copy ``document``'s pages, then a blank page if they end on a sheet's front."""
    count = target.source(document).copy(range(len(document.pages)))
    if count % 2:
        box, rotate = _page_box(document.pages[-1].obj)
        target.blank_page(box, rotate)


def print_letters(
    stream: BinaryIO,
    out_dir: Path,
    letters: Sequence[PrintedLetter],
    options: PrintOptions,
    progress: Callable[[int], None] | None = None,
) -> str:
    """Write print.pdf's data to ``stream``: the letters of ``out_dir`` in the options'
    order, each starting on an odd page, with a cover page and its blank back before
    each if asked. Returns the data's SHA-256. ``progress(count)`` after each group."""
    target = PdfStream(stream)
    ordered = in_print_order(letters, options.order)
    for group in _groups(ordered, COVER_GROUP):
        if options.covers:
            _print_covered(target, out_dir, group)
        else:
            for letter in group:
                target.bookmark(_mark(letter))
                with open_pdf(_read_letter(out_dir, letter.file)) as document:
                    _to_sheet(target, document)
        if progress is not None:
            progress(len(group))
    return target.finish(PRINT_FILE)


def _mark(letter: PrintedLetter) -> str:
    return f"{letter.row}: {letter.request.requester.name}"


def _print_covered(target: PdfStream, out_dir: Path, group: Sequence[PrintedLetter]) -> None:
    """A group of letters, each after its cover page: the covers are set together."""
    held = [_read_letter(out_dir, letter.file) for letter in group]  # a group at a time
    covers = []
    for letter, data in zip(group, held, strict=True):
        with open_pdf(data) as document:
            try:
                composed = _covered_letter(letter.request, document)
            except DsrError as error:
                raise PrintError(
                    words(f"the cover page of row {letter.row}: ", error.words)
                ) from error
        covers.append(cover_of(composed, letter.request.requester.name, letter.row))
    with open_pdf(covers_pdf(covers)) as cover_pages:
        if len(cover_pages.pages) != len(covers):  # cover.typ sets each on one page
            raise PrintError("the cover pages did not come out one a page")
        copier = target.source(cover_pages)  # the covers' fonts, once a group
        for index, (letter, data) in enumerate(zip(group, held, strict=True)):
            target.bookmark(_mark(letter))
            copier.copy([index])
            box, rotate = _page_box(cover_pages.pages[index].obj)
            target.blank_page(box, rotate)
            with open_pdf(data) as document:
                _to_sheet(target, document)


def write_print_file(
    out_dir: Path,
    letters: Sequence[PrintedLetter],
    options: PrintOptions,
    *,
    record: Callable[[str], None],
    run_id: str = files.RUN_ID,
    progress: Callable[[int], None] | None = None,
) -> Path:
    """Write ``out_dir/print.pdf`` atomically (files.write_streamed), replacing the one
    there: the caller has checked it may. ``record(sha256)`` runs once the data is on
    disk, before the file gets its name (dsr batch records it in its state file)."""
    digest: list[str] = []

    def produce(stream: BinaryIO) -> None:
        digest.append(print_letters(stream, out_dir, letters, options, progress))

    def recorded() -> None:
        record(digest[0])

    return files.write_streamed(
        out_dir, PRINT_FILE, produce, replace=True, before_replace=recorded, run_id=run_id
    )


def file_sha256(out_dir: Path, name: str) -> str | None:
    """The SHA-256 of dsr's own file ``out_dir/name``, read in pieces (print.pdf may be
    hundreds of megabytes); None if there is none. A link or a FIFO is refused."""
    try:
        fd = files.open_regular(out_dir / name)
    except FileNotFoundError:
        return None
    with open(fd, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()
