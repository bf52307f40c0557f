"""Every WeasyPrint call lives here.

WeasyPrint is imported lazily (``dsr --help`` must stay fast), one
FontConfiguration serves the whole process, and a restricted URL fetcher
serves only dsr's own files: user text can never make a render fetch
anything from the network or the file system.
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final
from urllib.parse import unquote, urlsplit

from . import files
from .errors import AnnexError, RenderError
from .resources import PACKAGE_DIR, resource_dir

if TYPE_CHECKING:
    from pypdf import PdfReader
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


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@contextmanager
def captured_warnings() -> Iterator[list[logging.LogRecord]]:
    """Collect WeasyPrint's warnings for the duration of a render."""
    handler = _Collect()
    LOGGER.addHandler(handler)
    propagate = LOGGER.propagate
    LOGGER.propagate = False
    try:
        yield handler.records
    finally:
        LOGGER.removeHandler(handler)
        LOGGER.propagate = propagate


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


def quiet_pypdf() -> None:
    """pypdf logs what it finds wrong in a file, quoting its first bytes: keep it all off
    the terminal (a text file named .pdf would show its first line). dsr says what failed."""
    logger = logging.getLogger("pypdf")
    logger.propagate = False
    if not any(isinstance(handler, logging.NullHandler) for handler in logger.handlers):
        logger.addHandler(logging.NullHandler())


def made_by_dsr(data: bytes) -> bool:
    """Whether the PDF ``data`` names dsr as its creator: a letter dsr wrote (this
    version or an earlier one), or a copy of one. A file pypdf cannot read is not."""
    from pypdf import PdfReader

    quiet_pypdf()
    try:
        info = PdfReader(io.BytesIO(data)).metadata
        creator: object = info["/Creator"] if info is not None and "/Creator" in info else None
    except Exception:  # pypdf raises many kinds on hostile files; appending reports them
        return False
    return isinstance(creator, str) and (creator == CREATOR or creator.startswith(CREATOR + " "))


def reference_in(data: bytes) -> str | None:
    """The reference a letter dsr wrote carries in its keywords (``/Keywords``), or None."""
    from pypdf import PdfReader

    quiet_pypdf()
    try:
        info = PdfReader(io.BytesIO(data)).metadata
        keywords: object = info["/Keywords"] if info is not None and "/Keywords" in info else None
    except Exception:  # pypdf raises many kinds on hostile files
        return None
    return keywords.strip() if isinstance(keywords, str) else None


def read_pdf(path: Path) -> PdfReader:
    """A PDF the user named (an annex): a regular file, read without blocking, pypdf quiet.

    Raises InputError if it is no regular file, pypdf's errors if it is no PDF.
    """
    from pypdf import PdfReader

    quiet_pypdf()
    return PdfReader(io.BytesIO(files.read_input(path)))


def concatenate(documents: Sequence[bytes]) -> bytes:
    """One PDF of several, page after page (a letter and its courtesy translation)."""
    from pypdf import PdfReader, PdfWriter

    quiet_pypdf()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(documents[0])))
    for document in documents[1:]:
        writer.append(PdfReader(io.BytesIO(document)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# A page is at most 200 inches on a side (PDF 1.7, Annex C, without UserUnit).
MAX_PAGE_PT = 14_400.0


def first_page_checked(reader: Any) -> Any:
    """The annex's first page, its size read and its contents decompressed (within
    pypdf's limits) as appending and stamping it will: ValueError or pypdf's error if
    a hostile file would fail there (a box of no numbers or of 1e30, a deflate bomb)."""
    first = reader.pages[0]
    width, height = abs(float(first.mediabox.width)), abs(float(first.mediabox.height))
    if not (0 < width <= MAX_PAGE_PT and 0 < height <= MAX_PAGE_PT):
        raise ValueError(f"its first page measures {width:.6g} by {height:.6g} points")
    contents = first.get_contents()
    if contents is not None:
        contents.get_data()
    return first


def claims_pdfa(annex: Path | bytes) -> bool:
    """Whether a PDF says it is PDF/A (its XMP metadata names a pdfaid part)."""
    from pypdf import PdfReader
    from pypdf.errors import PyPdfError

    quiet_pypdf()
    try:
        reader = PdfReader(io.BytesIO(annex)) if isinstance(annex, bytes) else read_pdf(annex)
        root: Any = reader.trailer["/Root"]
        metadata: Any = root.get_object().get("/Metadata")
        data = metadata.get_object().get_data() if metadata is not None else b""
    except (OSError, PyPdfError, ValueError, KeyError, TypeError, AttributeError):
        return False
    if b"pdfaid:part" not in data and b"pdfaid/part" not in data:
        return False
    return all(_fonts_embedded(page) for page in reader.pages)


def _fonts_embedded(page: Any) -> bool:
    """Whether every font a page draws with carries its font program (PDF/A asks it):
    the page's own, its form XObjects' (nested) and its annotations' appearances'."""
    try:
        holders = [page]
        for annotation in page.get("/Annots", []) or []:
            appearance = annotation.get_object().get("/AP")
            for state in appearance.get_object().values() if appearance is not None else []:
                state = state.get_object()
                holders += [state] if "/Resources" in state else list(state.values())
        seen: set[int] = set()
        while holders:
            holder = holders.pop().get_object()
            if id(holder) in seen or len(seen) > 10_000:
                continue
            seen.add(id(holder))
            resources = holder.get("/Resources")
            resources = resources.get_object() if resources is not None else {}
            fonts = resources.get("/Font")
            for reference in fonts.get_object().values() if fonts is not None else []:
                if not _font_embedded(reference.get_object()):
                    return False
            objects = resources.get("/XObject")
            for reference in objects.get_object().values() if objects is not None else []:
                if reference.get_object().get("/Subtype") == "/Form":
                    holders.append(reference)
    except (AttributeError, KeyError, TypeError, ValueError):
        return False
    return True


def _font_embedded(font: Any) -> bool:
    """Whether a font (or its descendant) carries its font program; Type 3 draws its own."""
    for descendant in font.get("/DescendantFonts", []) or []:
        font = descendant.get_object()
    if font.get("/Subtype") == "/Type3":
        return True
    descriptor = font.get("/FontDescriptor")
    if descriptor is None:
        return False
    descriptor = descriptor.get_object()
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def append_annexes(pdf: bytes, annexes: Sequence[Path | bytes], labels: Sequence[str]) -> bytes:
    """Append each annex PDF (a file, or its bytes already read) after the letter,
    its first page stamped with its label."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    quiet_pypdf()
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for path, label in zip(annexes, labels, strict=True):
        shown = label if isinstance(path, bytes) else path
        try:
            annex = PdfReader(io.BytesIO(path)) if isinstance(path, bytes) else read_pdf(path)
            pages = list(annex.pages)
            if not pages:
                raise RenderError(f"{shown}: the PDF has no pages")
            first = first_page_checked(annex)
            width, height = abs(float(first.mediabox.width)), abs(float(first.mediabox.height))
            stamp_page = PdfReader(io.BytesIO(_label_pdf(label, width, height))).pages[0]
            for index, page in enumerate(pages):
                added = writer.add_page(page)
                _make_inert(added)
                if index == 0:
                    added.merge_page(stamp_page)
        except (OSError, PyPdfError, ValueError, KeyError, TypeError, AttributeError) as error:
            # AttributeError: pypdf meeting an object of the wrong kind (an action array)
            raise AnnexError(f"{shown}: cannot read this PDF to append it: {error}") from error
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


# Annotations an annex keeps: marks on the page and plain links. Anything else may run
# or carry something in the recipient's viewer (a file attachment, a movie, a widget).
_KEPT_ANNOTATIONS: Final = frozenset(
    {"/Link", "/Text", "/FreeText", "/Highlight", "/Underline", "/StrikeOut", "/Squiggly",
     "/Square", "/Circle", "/Line", "/Polygon", "/PolyLine", "/Ink", "/Stamp", "/Caret",
     "/Popup"}
)  # fmt: skip


def _plain_link(action: Any) -> bool:
    """Whether an action only goes to a page or opens an http(s) or mailto address, with
    no action chained after it (/Next)."""
    action = action.get_object()
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
    page.pop("/AA", None)
    annotations = page.get("/Annots")
    if annotations is None:
        return
    kept = []
    for reference in annotations.get_object():
        annotation = reference.get_object()
        action = annotation.get("/A")
        if annotation.get("/Subtype") not in _KEPT_ANNOTATIONS or "/AA" in annotation:
            continue
        if action is not None and not _plain_link(action):
            continue
        kept.append(reference)
    from pypdf.generic import ArrayObject, NameObject

    page[NameObject("/Annots")] = ArrayObject(kept)


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
