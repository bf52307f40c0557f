"""Every WeasyPrint call lives here.

WeasyPrint is imported lazily (``dsr --help`` must stay fast), one
FontConfiguration serves the whole process, and a restricted URL fetcher
serves only dsr's own files: user text can never make a render fetch
anything from the network or the file system.
"""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from contextvars import ContextVar
from datetime import date, datetime
from functools import cache, lru_cache
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote, urlsplit

from . import files
from .errors import AnnexError, RenderError
from .resources import PACKAGE_DIR, resource_dir

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

LOGGER = logging.getLogger("weasyprint")
# The /Creator (and XMP CreatorTool) of every PDF dsr makes, whatever the template
# says: a letter dsr wrote, or a copy of one, is known by it (dsr batch never
# encloses one: it may be another member's letter).
CREATOR = "dsr"


def allowed_roots() -> tuple[Path, ...]:
    """Folders a render may read: the templates and the package itself."""
    return (resource_dir("templates").resolve(), PACKAGE_DIR.resolve())


class FetchRefused(ValueError):
    """A render asked for a URL outside dsr's own files."""


def _local_path(url: str) -> Path:
    parts = urlsplit(url)
    if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
        raise FetchRefused(f"refused to fetch {url!r}: only dsr's own files may be loaded")
    path = Path(unquote(parts.path)).resolve()
    if not any(path.is_relative_to(root) for root in allowed_roots()):
        raise FetchRefused(f"refused to fetch {url!r}: outside dsr's own files")
    if not path.is_file():
        raise FetchRefused(f"refused to fetch {url!r}: no such file")
    return path


@cache
def _fetcher_class() -> type[Any]:
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class RestrictedURLFetcher(URLFetcher):  # type: ignore[misc]
        """Serves files inside dsr's package; refuses every other URL."""

        def fetch(self, url: str, headers: Any = None) -> Any:
            path = _local_path(url)
            return URLFetcherResponse(path.as_uri(), path.read_bytes(), status=200)

    return RestrictedURLFetcher


def url_fetcher() -> Any:
    """A fresh restricted fetcher (WeasyPrint >= 68 fetcher API)."""
    return _fetcher_class()()


@cache
def font_config() -> FontConfiguration:
    """One FontConfiguration per process: fonts are found once."""
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


# The warnings of the render running in this thread (or context), if one is collecting:
# WeasyPrint's logger is one for the process, and the web page renders in threads.
_COLLECTING: ContextVar[list[logging.LogRecord] | None] = ContextVar(
    "dsr_weasyprint_warnings", default=None
)


class _Collect(logging.Filter):
    """On WeasyPrint's logger: a record logged while this context collects goes to its
    list (warnings) and no further; other contexts' records pass as usual."""

    def filter(self, record: logging.LogRecord) -> bool:
        records = _COLLECTING.get()
        if records is None:
            return True
        if record.levelno >= logging.WARNING:
            records.append(record)
        return False


_COLLECTOR = _Collect()


@contextmanager
def captured_warnings() -> Iterator[list[logging.LogRecord]]:
    """Collect WeasyPrint's warnings for the duration of a render, in this thread only."""
    if _COLLECTOR not in LOGGER.filters:
        LOGGER.addFilter(_COLLECTOR)
    records: list[logging.LogRecord] = []
    token = _COLLECTING.set(records)
    try:
        yield records
    finally:
        _COLLECTING.reset(token)


PDF_VARIANTS = ("pdf/a-3b", "pdf/ua-1")


def split_styles(document: str) -> tuple[list[str], str]:
    """The ``<style>`` elements' contents, and the document without them.

    Found with str.find, in linear time: ``<style>(.*?)</style>`` took 29 s on
    20,000 unclosed ``<style>`` from a user's template.
    """
    sheets: list[str] = []
    kept: list[str] = []
    position = 0
    while (start := document.find("<style>", position)) >= 0:
        end = document.find("</style>", start + len("<style>"))
        if end < 0:
            break  # no later <style> is closed either
        kept.append(document[position:start])
        sheets.append(document[start + len("<style>") : end])
        position = end + len("</style>")
    kept.append(document[position:])
    return sheets, "".join(kept)


def _base_url() -> str:
    return resource_dir("templates").resolve().as_uri() + "/"


@cache
def _counter_styles() -> Any:
    """One @counter-style registry, shared by the cached style sheets and the renders."""
    from weasyprint.css.counters import CounterStyle

    return CounterStyle()


@lru_cache(maxsize=64)
def _stylesheet(text: str) -> Any:
    """A ``<style>`` element's text, parsed once per process.

    Every letter carries the same style sheet; tokenizing and validating it
    again for each letter of a batch cost more than a quarter of the layout.
    """
    from weasyprint import CSS

    return CSS(
        string=text,
        base_url=_base_url(),
        url_fetcher=url_fetcher(),
        font_config=font_config(),
        counter_style=_counter_styles(),
    )


def layout(document: str, options: dict[str, Any] | None = None) -> tuple[Any, list[str]]:
    """Lay out an HTML document: a WeasyPrint ``Document`` and the warnings.

    The ``<style>`` elements are taken out and passed as parsed style sheets
    (cached by their text). They were the document's only style sheets, so
    nothing of the cascade changes but who parses them. ``options`` are
    WeasyPrint's (``pdf_variant``, ``pdf_forms``): layout depends on them too.
    """
    from weasyprint import HTML

    styles, document = split_styles(document)
    sheets = [_stylesheet(text) for text in styles]
    with captured_warnings() as records:
        try:
            html = HTML(string=document, base_url=_base_url(), url_fetcher=url_fetcher())
            rendered = html.render(
                font_config=font_config(),
                counter_style=_counter_styles(),
                stylesheets=sheets,
                **(options or {}),
            )
        except Exception as error:  # WeasyPrint raises many types; report them as ours
            raise RenderError(f"PDF rendering failed: {error}") from error
    rendered.metadata.generator = CREATOR  # written as /Creator, by write_pdf and _split
    return rendered, [record.getMessage() for record in records]


def html_to_pdf(
    document: str,
    variant: str | None = None,
    attachment: tuple[str, bytes, datetime] | None = None,
    forms: bool = False,
) -> tuple[bytes, list[str]]:
    """Render an HTML document to PDF bytes; returns the PDF and WeasyPrint's warnings.

    The document's ``dcterms.created``/``dcterms.modified`` meta tags fix the
    PDF's dates, so the same letter gives the same bytes.
    """
    options: dict[str, Any] = {"pdf_forms": True} if forms else {}
    if variant:
        options["pdf_variant"] = variant
    if attachment:
        from weasyprint import Attachment

        name, data, when = attachment  # its dates too: same input, same bytes
        options["attachments"] = [
            Attachment(
                string=data,
                name=name,
                url_fetcher=url_fetcher(),
                description="The request, machine-readable",
                relationship="Data",
                created=when,
                modified=when,
            )
        ]
    rendered, warnings = layout(document, options)
    with captured_warnings() as records:
        try:
            pdf = rendered.write_pdf(uncompressed_pdf=False, custom_metadata=True, **options)
        except Exception as error:
            raise RenderError(f"PDF rendering failed: {error}") from error
    if pdf is None:
        raise RenderError("PDF rendering produced no output")
    return pdf, warnings + [record.getMessage() for record in records]


def write_separately(rendered: Sequence[Any]) -> list[bytes]:
    """One PDF per laid-out document, written together and then split apart.

    Writing subsets every font once per PDF; here the fonts are subset once for
    all the documents, then each document's pages are copied into a PDF of
    its own with its own metadata and outline. Each PDF embeds only the fonts
    its pages use, but a font's subset has the glyphs of the whole group: group
    documents of one language. Not for forms: the AcroForm dictionary does not
    survive the split.
    """
    import pikepdf

    if not rendered:
        return []
    pages = [page for document in rendered for page in document.pages]
    with captured_warnings():
        try:
            combined = rendered[0].copy(pages).write_pdf(uncompressed_pdf=False)
        except Exception as error:
            raise RenderError(f"PDF rendering failed: {error}") from error
    try:
        return _split(combined, rendered)
    except (pikepdf.PdfError, ValueError) as error:
        raise RenderError(f"splitting the group's PDF failed: {error}") from error


def _split(combined: bytes, rendered: Sequence[Any]) -> list[bytes]:
    import pikepdf

    source = pikepdf.open(io.BytesIO(combined))
    outputs = []
    first = 0
    for document in rendered:
        count = len(document.pages)
        target = pikepdf.new()
        target.pages.extend(source.pages[first : first + count])
        first += count
        for page in target.pages:
            # The group's pages share one resource dictionary: keep this letter's fonts only.
            page.remove_unreferenced_resources()
        _copy_metadata(document, target)
        _copy_outline(document, target)
        buffer = io.BytesIO()
        target.save(
            buffer,
            deterministic_id=True,
            object_stream_mode=pikepdf.ObjectStreamMode.generate,
        )
        outputs.append(buffer.getvalue())
    return outputs


def _pdf_date(value: str) -> str:
    """A W3C date-time (``2026-11-22T00:00:00Z``) as a PDF date (``D:20261122000000Z``)."""
    moment = datetime.fromisoformat(value)
    stamp = moment.strftime("D:%Y%m%d%H%M%S")
    offset = moment.utcoffset()
    if offset is None:
        return stamp
    if not offset:
        return stamp + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    return f"{stamp}{sign}{abs(minutes) // 60:02d}'{abs(minutes) % 60:02d}'"


def set_document_info(
    target: Any,
    producer: str,
    *,
    lang: str = "",
    title: str = "",
    author: str = "",
    subject: str = "",
    keywords: str = "",
    creator: str = "",
    created: str = "",
    modified: str = "",
    custom: dict[str, str] | None = None,
) -> None:
    """A pikepdf PDF's document information and /Lang, as WeasyPrint writes them.

    Dates are W3C date-times; empty values are left out.
    """
    import pikepdf

    info = {
        "/Producer": producer,
        "/Title": title,
        "/Author": author,
        "/Subject": subject,
        "/Keywords": keywords,
        "/Creator": creator,
        "/CreationDate": _pdf_date(created) if created else "",
        "/ModDate": _pdf_date(modified) if modified else "",
    }
    for key, value in (custom or {}).items():
        key = "".join(char for char in key if char.isascii() and char.isalnum())
        if key:
            info[f"/{key}"] = value
    target.docinfo = target.make_indirect(
        pikepdf.Dictionary({key: pikepdf.String(value) for key, value in info.items() if value})
    )
    if lang:
        target.Root.Lang = pikepdf.String(lang)


def _copy_metadata(document: Any, target: Any) -> None:
    """The document information WeasyPrint writes for a PDF of its own."""
    from weasyprint import __version__

    metadata = document.metadata
    set_document_info(
        target,
        f"WeasyPrint {__version__}",
        lang=metadata.lang or "",
        title=metadata.title or "",
        author=", ".join(metadata.authors or []),
        subject=metadata.description or "",
        keywords=", ".join(metadata.keywords or []),
        creator=metadata.generator or "",
        created=metadata.created or "",
        modified=metadata.modified or "",
        custom=metadata.custom,
    )


def _copy_outline(document: Any, target: Any) -> None:
    """The document's bookmarks (its subject line), pointing into its own pages."""
    from pikepdf import OutlineItem

    def items(bookmarks: Any) -> list[Any]:
        made = []
        for title, (page, left, top), children, state in bookmarks:
            item = OutlineItem(title, page, "XYZ", left=left, top=top)
            item.children.extend(items(children))
            item.is_closed = state == "closed"
            made.append(item)
        return made

    tree = document.make_bookmark_tree(scale=0.75, transform_pages=True)
    if tree:
        with target.open_outline() as outline:
            outline.root.extend(items(tree))


# Limits qpdf decodes a stream within (process-wide; only dsr's own code uses pikepdf):
# a deflate bomb for an annex's contents is refused, not decompressed (pypdf stopped at
# 75 MB too).
MAX_DECODED_BYTES: Final = 75_000_000


@cache
def _pikepdf() -> ModuleType:
    """pikepdf, imported lazily, its decoding limits set and its log kept off the terminal:
    qpdf's warnings about a file may quote it (a text file named .pdf would show its first
    line). dsr says what failed."""
    import pikepdf
    import pikepdf.settings

    pikepdf.settings.set_qpdf_limits(
        flate_max_memory=MAX_DECODED_BYTES, run_length_max_memory=MAX_DECODED_BYTES
    )
    logger = logging.getLogger("pikepdf")
    logger.propagate = False
    if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())
    return pikepdf


def open_pdf(data: bytes) -> Any:
    """A pikepdf PDF of ``data``, limits set and warnings quiet."""
    return _pikepdf().open(io.BytesIO(data))


def open_upload(data: bytes) -> Any:
    """An uploaded PDF as pikepdf opens it; AnnexError if it is encrypted with a password."""
    try:
        return open_pdf(data)
    except _pikepdf().PasswordError as error:
        raise AnnexError("the PDF is encrypted; append an unencrypted copy") from error


def _saved(document: Any, *, decode: bool = True) -> bytes:
    """A pikepdf PDF's bytes: the same PDF always gives the same bytes. ``decode=False``
    copies every stream as it is, unpacked by nobody: what a letter with the member's
    annexes is saved with, so that a stream packed to unpack to gigabytes (LZW, which
    qpdf bounds nowhere) costs this process nothing."""
    out = io.BytesIO()
    if decode:
        document.save(out, deterministic_id=True)
    else:
        level = _pikepdf().StreamDecodeLevel.none
        document.save(out, deterministic_id=True, stream_decode_level=level)
    return out.getvalue()


def _info(data: bytes, key: str) -> str | None:
    """A text entry of a PDF's document information, or None (also for a file pikepdf
    cannot read)."""
    try:
        with open_pdf(data) as document:
            value = document.docinfo.get(key)
            return str(value) if isinstance(value, _pikepdf().String) else None
    except Exception:  # pikepdf raises many kinds on hostile files; appending reports them
        return None


def made_by_dsr(data: bytes) -> bool:
    """Whether the PDF ``data`` names dsr as its creator: a letter dsr wrote (this
    version or an earlier one), or a copy of one. A file pikepdf cannot read is not."""
    creator = _info(data, "/Creator")
    return creator is not None and (creator == CREATOR or creator.startswith(CREATOR + " "))


def reference_in(data: bytes) -> str | None:
    """The reference a letter dsr wrote carries in its keywords (``/Keywords``), or None."""
    keywords = _info(data, "/Keywords")
    return keywords.strip() if keywords is not None else None


def created_on(data: bytes) -> date | None:
    """The day a PDF says it was made (``/CreationDate``): a letter dsr wrote is dated
    so, its letter's date. None if it says none, or none that reads as a date."""
    created = _info(data, "/CreationDate") or ""
    digits = created.removeprefix("D:")[:8]
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        return None


def read_pdf(path: Path) -> Any:
    """A PDF the user named (an annex), as a pikepdf PDF: a regular file, read without
    blocking, pikepdf quiet.

    Raises InputError if it is no regular file, AnnexError if it is encrypted with a
    password, pikepdf's errors if it is no PDF.
    """
    data = files.read_input(path)
    try:
        return open_pdf(data)
    except _pikepdf().PasswordError as error:
        raise AnnexError("the PDF is encrypted; append an unencrypted copy") from error


def _outline_entries(document: Any) -> list[tuple[str, int]]:
    """The top-level bookmarks of a PDF: title and page index (bookmarks to no page of
    it are left out)."""
    pikepdf = _pikepdf()
    pages = {page.obj.objgen: index for index, page in enumerate(document.pages)}
    entries = []
    with document.open_outline() as outline:
        for item in outline.root:
            destination = item.destination
            if isinstance(destination, pikepdf.Array) and len(destination):
                index = pages.get(destination[0].objgen)
                if index is not None:
                    entries.append((item.title, index))
    return entries


def concatenate(documents: Sequence[bytes]) -> bytes:
    """One PDF of several, page after page (a letter and its courtesy translation), the
    later documents' bookmarks after the first's."""
    pikepdf = _pikepdf()
    with ExitStack() as stack:  # qpdf copies a page's streams as the target is saved
        target = stack.enter_context(open_pdf(documents[0]))
        for data in documents[1:]:
            source = stack.enter_context(open_pdf(data))
            first = len(target.pages)
            entries = _outline_entries(source)
            target.pages.extend(source.pages)
            if entries:
                with target.open_outline() as outline:
                    outline.root.extend(
                        pikepdf.OutlineItem(title, first + index) for title, index in entries
                    )
        return _saved(target)


# A page is at most 200 inches on a side (PDF 1.7, Annex C, without UserUnit).
MAX_PAGE_PT = 14_400.0


def _page_size(page: Any) -> tuple[float, float]:
    box = page.mediabox
    return abs(float(box[2]) - float(box[0])), abs(float(box[3]) - float(box[1]))


def page_size(page: Any) -> tuple[float, float]:
    """A page's width and height in points, from its MediaBox (errors as pikepdf's)."""
    return _page_size(page)


def first_page_checked(document: Any) -> Any:
    """The annex's first page, its size read and its contents decompressed (within
    MAX_DECODED_BYTES) as appending and stamping it will: ValueError or pikepdf's error
    if a hostile file would fail there (a box of no numbers or of 1e30, a deflate bomb)."""
    first = document.pages[0]
    if any("MediaBox is undefined" in warning for warning in document.get_warnings()):
        # qpdf made a box up (letter size) for a page whose box is no four numbers
        raise ValueError("a page has no MediaBox of four numbers")
    try:
        width, height = _page_size(first)
    except (TypeError, IndexError, AttributeError, KeyError) as error:
        raise ValueError(f"its first page has no MediaBox of four numbers ({error})") from error
    if not (0 < width <= MAX_PAGE_PT and 0 < height <= MAX_PAGE_PT):
        raise ValueError(f"its first page's MediaBox measures {width:.6g} by {height:.6g} points")
    contents = first.obj.get("/Contents")
    streams = contents if isinstance(contents, _pikepdf().Array) else [contents]
    for stream in streams:
        if stream is not None:
            stream.read_bytes()
    return first


def claims_pdfa(annex: Path | bytes) -> bool:
    """Whether a PDF says it is PDF/A (its XMP metadata names a pdfaid part) and every
    font its pages draw with is embedded."""
    try:
        document = open_pdf(annex) if isinstance(annex, bytes) else read_pdf(annex)
    except Exception:  # not a PDF, encrypted, no regular file: appending says which
        return False
    with document:
        try:
            metadata = document.Root.get("/Metadata")
            data = metadata.read_bytes() if metadata is not None else b""
        except Exception:  # pikepdf raises many kinds on hostile files
            return False
        if b"pdfaid:part" not in data and b"pdfaid/part" not in data:
            return False
        return all(_fonts_embedded(page.obj) for page in document.pages)


def _fonts_embedded(page: Any) -> bool:
    """Whether every font a page draws with carries its font program (PDF/A asks it):
    the page's own, its form XObjects' (nested) and its annotations' appearances'."""
    pikepdf = _pikepdf()
    try:
        holders = [page]
        for annotation in page.get("/Annots", None) or []:
            appearance = annotation.get("/AP")
            for state in appearance.values() if appearance is not None else []:
                holders += [state] if "/Resources" in state else list(state.values())
        seen: set[tuple[int, int]] = set()
        visits = 0
        while holders:
            holder = holders.pop()
            visits += 1
            if visits > 10_000 or (holder.is_indirect and holder.objgen in seen):
                continue
            if holder.is_indirect:
                seen.add(holder.objgen)
            resources = holder.get("/Resources")
            resources = resources if resources is not None else pikepdf.Dictionary()
            fonts = resources.get("/Font")
            for font in fonts.values() if fonts is not None else []:
                if not _font_embedded(font):
                    return False
            objects = resources.get("/XObject")
            for drawing in objects.values() if objects is not None else []:
                if drawing.get("/Subtype") == "/Form":
                    holders.append(drawing)
    except (AttributeError, KeyError, TypeError, ValueError, pikepdf.PdfError):
        return False
    return True


def _font_embedded(font: Any) -> bool:
    """Whether a font (or its descendant) carries its font program; Type 3 draws its own."""
    for descendant in font.get("/DescendantFonts", None) or []:
        font = descendant
    if font.get("/Subtype") == "/Type3":
        return True
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


# What pikepdf raises besides PdfError on a hostile file: an object of the wrong kind
# (an action that is an array, a box of names), a missing key, a number out of range.
_WRONG_KIND: Final = (ValueError, KeyError, TypeError, AttributeError, IndexError)


def append_annexes(pdf: bytes, annexes: Sequence[Path | bytes], labels: Sequence[str]) -> bytes:
    """Append each annex PDF (a file, or its bytes already read) after the letter,
    its first page stamped with its label."""
    pikepdf = _pikepdf()
    with ExitStack() as stack:  # qpdf copies a page's streams as the target is saved
        target = stack.enter_context(open_pdf(pdf))
        for path, label in zip(annexes, labels, strict=True):
            shown = label if isinstance(path, bytes) else path
            try:
                annex = open_pdf(path) if isinstance(path, bytes) else read_pdf(path)
                stack.enter_context(annex)
                if not len(annex.pages):
                    raise RenderError(f"{shown}: the PDF has no pages")
                width, height = _page_size(first_page_checked(annex))
                stamp = stack.enter_context(open_pdf(_label_pdf(label, width, height)))
                start = len(target.pages)
                with warnings.catch_warnings():  # a form's fields are dropped below anyway
                    warnings.simplefilter("ignore")
                    target.pages.extend(annex.pages)
                for page in target.pages[start:]:
                    _make_inert(page.obj)
                _stamp(target, target.pages[start], stamp.pages[0])
            except (OSError, pikepdf.PdfError, *_WRONG_KIND) as error:
                raise AnnexError(f"{shown}: cannot read this PDF to append it: {error}") from error
        return _saved(target, decode=False)


def _stamp(target: Any, page: Any, stamp: Any) -> None:
    """Draw the page ``stamp`` (of another PDF) over ``page`` of ``target``, scaled into
    its MediaBox: pikepdf's add_overlay under a fixed resource name (add_overlay draws a
    random one: the same letter would not give the same bytes)."""
    pikepdf = _pikepdf()
    drawing = target.copy_foreign(stamp.as_form_xobject())
    resources = page.obj.get("/Resources")
    taken = resources.get("/XObject") if isinstance(resources, pikepdf.Dictionary) else None
    number = 0
    while isinstance(taken, pikepdf.Dictionary) and f"/dsrLabel{number}" in taken:
        number += 1
    name = page.add_resource(drawing, pikepdf.Name.XObject, name=pikepdf.Name(f"/dsrLabel{number}"))
    placed = page.calc_form_xobject_placement(drawing, name, pikepdf.Rectangle(page.mediabox))
    page.contents_add(b"q\n", prepend=True)
    page.contents_add(b"Q\n" + placed)


# Annotations an annex keeps: marks on the page and plain links. Anything else may run
# or carry something in the recipient's viewer (a file attachment, a movie, a widget).
_KEPT_ANNOTATIONS: Final = frozenset(
    {"/Link", "/Text", "/FreeText", "/Highlight", "/Underline", "/StrikeOut", "/Squiggly",
     "/Square", "/Circle", "/Line", "/Polygon", "/PolyLine", "/Ink", "/Stamp", "/Caret"}
)  # fmt: skip
# A /Popup only shows another annotation's note; its /Parent may be one that was dropped
# (a file attachment), which keeping the popup would carry along: popups go too.


def _plain_link(action: Any) -> bool:
    """Whether an action only goes to a page or opens an http(s) or mailto address, with
    no action chained after it (/Next)."""
    if not isinstance(action, _pikepdf().Dictionary):
        return False
    if "/Next" in action:
        return False
    if action.get("/S") == "/GoTo":
        return True
    if action.get("/S") == "/URI":
        uri = str(action.get("/URI", "")).strip().lower()
        return uri.startswith(("https://", "http://", "mailto:"))
    return False


def _make_inert(page: Any) -> None:
    """Drop what an annex page would run or carry into the recipient's viewer: the page's
    own actions (/AA, on opening or closing it), and every annotation but marks and plain
    links (no JavaScript, Launch, SubmitForm, chained action, javascript: address, file
    attachment, movie, sound or form widget)."""
    pikepdf = _pikepdf()
    if "/AA" in page:
        del page["/AA"]
    annotations = page.get("/Annots")
    if annotations is None:
        return
    kept = []
    for annotation in annotations if isinstance(annotations, pikepdf.Array) else []:
        if not isinstance(annotation, pikepdf.Dictionary):
            continue
        action = annotation.get("/A")
        if annotation.get("/Subtype") not in _KEPT_ANNOTATIONS or "/AA" in annotation:
            continue
        if action is not None and not _plain_link(action):
            continue
        kept.append(annotation)
    page.Annots = pikepdf.Array(kept)


def _label_pdf(label: str, width_pt: float, height_pt: float) -> bytes:
    """A transparent page of the given size with ``label`` in the top-right corner."""
    from markupsafe import escape

    document = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>"
        f"@page {{ size: {width_pt}pt {height_pt}pt; margin: 0 }}"
        "body { margin: 0 } p { position: absolute; top: 8mm; right: 10mm; margin: 0;"
        " padding: 1.5mm 3mm; border: 0.75pt solid #333; background: white;"
        " font-family: 'Noto Sans', sans-serif; font-size: 9pt; font-weight: bold }"
        f"</style></head><body><p>{escape(label)}</p></body></html>"
    )
    pdf, _ = html_to_pdf(document)
    return pdf
