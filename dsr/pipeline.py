"""One way from a composed letter to its bytes and files, for every front end.

``dsr letter``, tracked follow-ups, ``dsr batch``, ``dsr templates``, the library
and the web page all come here: nothing else calls a PDF engine. A
:class:`Document` is one letter as it goes out (the letter, its courtesy
translation, its annexes); :class:`WriteOptions` says how (format, engine, PDF
variant, template folder, form fields). :func:`letter_bytes` makes one,
:func:`make_letters` makes many (grouped so fonts are subset once, with the
WeasyPrint fallback for what Typst cannot set), :func:`write_letter` writes one
file atomically.

    >>> options = WriteOptions(format=Format.TXT)
    >>> text = letter_bytes(Document(letter), options)  # doctest: +SKIP
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time
from functools import cache
from pathlib import Path
from typing import IO, Any, TypeVar

import jinja2

from . import pdf as pdf_engine
from . import typeset
from .composition import compose, compose_with_translation
from .errors import DsrError, InputError, InvalidRequest, Problem, UserTemplateError
from .files import OutputExists
from .formats import Engine, Format, PdfVariant, UnknownFormat, WriteOptions
from .model import Letter, Request
from .outputs import atomic_write, check_email, email_message
from .render import environment, render_html, render_text

T = TypeVar("T")
GROUP = 16  # letters of one language laid out as one PDF, then split (fonts subset once)
SET_BY_WEASYPRINT = "set with WeasyPrint: "  # how a letter Typst could not set is noted


@dataclass(frozen=True)
class Document:
    """One letter as it goes out: the letter, its courtesy translation, its annexes."""

    letter: Letter
    translation: Letter | None = None
    annexes: tuple[Path | bytes, ...] = ()


@dataclass(frozen=True)
class Made:
    """A letter's bytes, and a note when another engine than the one asked set it."""

    data: bytes
    note: str = ""
    warnings: tuple[str, ...] = field(default=(), compare=False)


def request_json(letter: Letter) -> bytes:
    """The request as data, embedded in PDF/A-3b letters for whoever files them."""
    record = {
        "kind": letter.kind.value,
        "family": letter.family,
        "jurisdiction": letter.jurisdiction,
        "language": letter.language,
        "reference": letter.reference,
        "date": letter.date.isoformat(),
        "deadline": letter.deadline.isoformat(),
        "deadline_is_statutory": letter.deadline_is_statutory,
        "controller": letter.controller_name,
        "recipient": letter.recipient.name,
        "provisions_cited": list(letter.provisions_cited),
        "citations": letter.citations,
    }
    return json.dumps(record, ensure_ascii=False, indent=1).encode()


def document_of(request: Request, annexes: tuple[Path | bytes, ...] = ()) -> Document:
    """The letter ``request`` makes, composed once for every front end, with its
    courtesy translation when the request asks for one (``also_lang``) and ``annexes``
    (read by the caller, which knows where they may come from)."""
    if request.also_lang:
        letter, translation = compose_with_translation(request, request.also_lang)
        return Document(letter, translation, annexes)
    return Document(compose(request), None, annexes)


def check(document: Document, options: WriteOptions) -> None:
    """Refuse, before anything is made, what the options cannot give this document."""
    if options.format is Format.EML:  # no e-mail without a To or a From
        check_email(document.letter)
    if (
        document.translation is not None
        and options.pdf_variant is PdfVariant.PDF_UA_1
        and options.format.carries_pdf
    ):
        # PDF/UA tags one document in one language; pages appended untagged break the claim.
        message = (
            "a PDF/UA-1 file is one tagged letter in one language: write the courtesy "
            "translation as a file of its own, or choose another PDF variant"
        )
        raise InvalidRequest([Problem("also-lang", message)])
    if options.pdf_variant is PdfVariant.PDF_A_3B and options.format.carries_pdf:
        # A PDF/A file is PDF/A throughout: an annex that is not (it says so, and its
        # fonts are embedded) would make the letter's claim false.
        letter = document.letter
        for number, annex in enumerate(document.annexes, start=1):
            if not pdf_engine.claims_pdfa(annex):
                named = (
                    letter.enclosures[number - 1] if number <= len(letter.enclosures) else number
                )
                raise InputError(
                    f"enclose: {named} is not a PDF/A file (it does not say so, or its fonts "
                    "are not embedded), and a PDF/A-3b letter holds only PDF/A annexes: "
                    "convert it to PDF/A, or choose another PDF variant"
                )


def letter_bytes(
    document: Document | Letter,
    options: WriteOptions | None = None,
    on_warning: Callable[[str], None] | None = None,
) -> bytes:
    """One letter in the options' format (a PDF by WeasyPrint unless told otherwise)."""
    made = make_letter(document, options or WriteOptions())
    if on_warning is not None:
        for warning in made.warnings:
            on_warning(warning)
    return made.data


def make_letter(document: Document | Letter, options: WriteOptions) -> Made:
    """One letter made, with a note if Typst could not set it and WeasyPrint did."""
    if isinstance(document, Letter):
        document = Document(document)
    check(document, options)
    if options.format is Format.HTML:
        return Made(_html(document, options.template_dir).encode())
    if options.format is Format.TXT:
        return Made(_text(document, options.template_dir).encode())
    made = _pdf(document, options)
    if options.format is Format.EML:
        return Made(_email(document, options, made.data), made.note, made.warnings)
    return made


def grouped(items: Iterable[T], language: Callable[[T], str]) -> Iterator[list[T]]:
    """``items`` in groups of at most :data:`GROUP`, each of one language, handed on as
    each fills: :func:`make_letters` writes a group's PDFs together, their fonts subset
    once (letters of one language need the same glyphs, and no letter carries a font
    only the group's others needed). An item waits until its language has ``GROUP``
    items (so at most ``GROUP - 1`` wait per language); the groups not full at the end
    follow the last item, by language."""
    waiting: dict[str, list[T]] = {}
    for item in items:
        key = language(item)
        group = waiting.setdefault(key, [])
        group.append(item)
        if len(group) == GROUP:
            yield waiting.pop(key)
    for key in sorted(waiting):
        yield waiting[key]


def make_letters(
    documents: Sequence[Document], options: WriteOptions, stop: Callable[[], bool] = bool
) -> list[Made | DsrError | Exception]:
    """Many letters, in order: each one's bytes, or the error that stopped it alone.

    PDFs by WeasyPrint are laid out one by one and written together, so fonts are
    subset once per group (give letters of one language, at most :data:`GROUP`),
    then split into one file each; if writing the group fails, each is written
    alone so one bad letter fails alone. A letter Typst cannot set is set by
    WeasyPrint, noted. ``stop`` is asked before each letter; the letters left
    when it says yes are not in the result.
    """
    results: dict[int, Made | DsrError | Exception] = {}
    laid_out: list[tuple[int, Document, Any, str]] = []  # index, document, layout, note
    for index, document in enumerate(documents):
        if stop():
            break
        try:
            check(document, options)
            if not options.format.carries_pdf or not _groupable(document, options):
                results[index] = make_letter(document, options)
                continue
            note = ""
            if options.engine is Engine.TYPST:
                try:
                    pages = typeset.letter_pdf(render_html(document.letter, options.template_dir))
                except typeset.TypesetError as error:  # WeasyPrint below
                    note = SET_BY_WEASYPRINT + str(error)
                else:
                    results[index] = _finished(document, options, pages)
                    continue
            layout = pdf_engine.layout(render_html(document.letter, options.template_dir))[0]
            laid_out.append((index, document, layout, note))
        except Exception as error:  # one bad letter never stops the others
            results[index] = error
    if laid_out:
        try:
            written = pdf_engine.write_separately([layout for _, _, layout, _ in laid_out])
        except Exception:
            written = []  # one by one below, so one bad letter fails alone
        for position, (index, document, layout, note) in enumerate(laid_out):
            try:
                pages = written[position] if written else pdf_engine.write_separately([layout])[0]
                results[index] = _finished(document, options, pages, note)
            except Exception as error:
                results[index] = error
        del laid_out
    return [results[index] for index in sorted(results)]


def write_letter(
    document: Document | Letter,
    target: str | Path | IO[bytes],
    options: WriteOptions | None = None,
    *,
    force: bool = False,
) -> Made:
    """Write one letter to ``target``: a file name (its suffix chooses the format; the
    file is written atomically, never through a link, and an existing file only with
    ``force``) or a binary file object (in the options' format).

    A file name gets a new file readable by its owner alone (0600). A file object is
    written as the caller opened it, with its mode and permissions, and is not closed.
    """
    options = options or WriteOptions()
    if isinstance(target, (str, Path)):
        path = Path(target)
        options = options.for_path(path)
        if (path.exists() or path.is_symlink()) and not force:
            raise OutputExists(path)
        made = make_letter(document, options)
        atomic_write(path, made.data, replace=force)  # two writers: one gets "exists"
        return made
    made = make_letter(document, options)
    target.write(made.data)
    return made


def render_to(
    letter: Letter,
    path: str | Path | IO[bytes],
    *,
    force: bool = False,
    template_dir: Path | None = None,
    annexes: tuple[Path | bytes, ...] = (),
    translation: Letter | None = None,
    variant: str | None = None,
    format: Format | str = Format.PDF,
    engine: Engine | str = Engine.WEASYPRINT,
) -> Path | None:
    """Render ``letter`` into ``path``: a file name (the suffix chooses PDF, HTML, text
    or e-mail) or a binary file object (written in ``format``).

    A ``translation`` (a courtesy translation of the same letter) follows the
    letter: as its own pages in a PDF, as a second part in HTML and text.
    ``engine`` sets a PDF: WeasyPrint (every feature) or Typst (about ten times
    faster; a letter Typst cannot set is set by WeasyPrint).

    Returns the path written for a file name (a new file, 0600, as
    :func:`write_letter` writes it), and None for a binary file object: that is
    written as the caller opened it (its mode and permissions) and left open.
    """
    options = WriteOptions(
        Format(format),
        Engine(engine),
        pdf_variant=PdfVariant(variant) if variant else None,
        template_dir=template_dir,
    )
    write_letter(Document(letter, translation, annexes), path, options, force=force)
    return Path(path) if isinstance(path, (str, Path)) else None


# Making each format ------------------------------------------------------------


def _groupable(document: Document, options: WriteOptions) -> bool:
    """Whether the letter can be laid out with a group and split: one letter, no
    variant (its claims are per file), no form fields (they do not survive a split)."""
    return document.translation is None and options.pdf_variant is None and not options.fillable


def _pdf(document: Document, options: WriteOptions) -> Made:
    """The letter's pages, then its translation's, then the annexes (they belong to both)."""
    letter = document.letter
    warnings: list[str] = []
    note = ""
    parts: list[bytes] = []
    for part in (letter, document.translation):
        if part is None:
            continue
        html = render_html(part, options.template_dir)
        if options.engine is Engine.TYPST and options.pdf_variant is None and not options.fillable:
            try:
                parts.append(typeset.letter_pdf(html))
                continue
            except typeset.TypesetError as error:
                note = note or SET_BY_WEASYPRINT + str(error)
        elif options.engine is Engine.TYPST:
            note = SET_BY_WEASYPRINT + (
                "Typst makes no PDF form fields" if options.fillable else
                f"Typst does not write {options.pdf_variant}"
            )  # fmt: skip
        variant = options.pdf_variant if part is letter else None
        attachment = None
        if variant is PdfVariant.PDF_A_3B:
            created = datetime.combine(letter.date, time(0, 0), tzinfo=UTC)
            attachment = ("request.json", request_json(letter), created)
        data, found = pdf_engine.html_to_pdf(
            html, variant=variant, attachment=attachment, forms=options.fillable
        )
        warnings += found
        parts.append(data)
    joined = parts[0] if len(parts) == 1 else pdf_engine.concatenate(parts)
    data = with_annexes(letter, joined, document.annexes, options.template_dir)
    return Made(data, note, tuple(warnings))


def _finished(document: Document, options: WriteOptions, pages: bytes, note: str = "") -> Made:
    """A letter's pages, with its annexes appended, as a PDF or an e-mail carrying it."""
    data = with_annexes(document.letter, pages, document.annexes, options.template_dir)
    if options.format is Format.EML:
        data = _email(document, options, data)
    return Made(data, note)


def with_annexes(
    letter: Letter,
    document: bytes,
    annexes: tuple[Path | bytes, ...],
    template_dir: Path | None = None,
) -> bytes:
    """The letter's PDF with its annexes appended, each stamped with its label
    ("Annex 1: proof.pdf"), worded by the catalog the letter's own words come from
    (the template folder's, if it has one for the language)."""
    if not annexes:
        return document
    label = _annex_label(environment(letter.language, template_dir))
    labels = [
        label.render(number=number, name=name)
        for number, name in enumerate(letter.enclosures, start=1)
    ][: len(annexes)]
    return pdf_engine.append_annexes(document, annexes, labels)


@cache
def _annex_label(env: jinja2.Environment) -> jinja2.Template:
    """An annex's label in ``env``'s catalog and language rules, as text: the file name
    is the member's, never markup, so nothing is escaped (the PDF stamps it as text)."""
    return env.from_string(
        "{% autoescape false %}"
        "{{ gettext('Annex %(number)s: %(name)s', number=number, name=name) }}"
        "{% endautoescape %}"
    )


def email_with(document: Document, options: WriteOptions, pdf: bytes) -> bytes:
    """The letter as an e-mail carrying ``pdf`` (the letter's PDF, made elsewhere: the
    web page appends a member's annexes in a bounded process of its own)."""
    return email_message(
        document.letter, options.template_dir, pdf=pdf, translation=document.translation
    )


_email = email_with


def _html(document: Document, template_dir: Path | None) -> str:
    html = render_html(document.letter, template_dir)
    translation = document.translation
    if translation is None:
        return html
    second = render_html(translation, template_dir)
    if "<body" not in second or "</body>" not in html:
        raise UserTemplateError(
            f"the template folder {template_dir}: its base template writes no "
            "<body>…</body>, where a courtesy translation goes in HTML"
        )
    body = second.split("<body", 1)[1].split(">", 1)[1].rsplit("</body>", 1)[0]
    part = f'<section class="courtesy-translation" lang="{translation.language}">{body}'
    return html.replace("</body>", part + "</section>\n</body>", 1)


def _text(document: Document, template_dir: Path | None) -> str:
    text = render_text(document.letter, template_dir)
    if document.translation is not None:
        text += "\n" + "-" * 40 + "\n\n" + render_text(document.translation, template_dir)
    return text


__all__ = [
    "GROUP",
    "Document",
    "Engine",
    "Format",
    "Made",
    "PdfVariant",
    "UnknownFormat",
    "WriteOptions",
    "letter_bytes",
    "make_letter",
    "make_letters",
    "render_to",
    "with_annexes",
    "write_letter",
]
