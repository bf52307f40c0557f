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
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from .errors import RenderError
from .resources import PACKAGE_DIR, resource_dir

if TYPE_CHECKING:
    from weasyprint.text.fonts import FontConfiguration

LOGGER = logging.getLogger("weasyprint")


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
    from weasyprint import HTML

    base = resource_dir("templates").resolve().as_uri() + "/"
    with captured_warnings() as records:
        try:
            html = HTML(string=document, base_url=base, url_fetcher=url_fetcher())
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
            pdf = html.write_pdf(
                font_config=font_config(),
                uncompressed_pdf=False,
                custom_metadata=True,
                **options,
            )
        except Exception as error:  # WeasyPrint raises many types; report them as ours
            raise RenderError(f"PDF rendering failed: {error}") from error
    if pdf is None:
        raise RenderError("PDF rendering produced no output")
    return pdf, [record.getMessage() for record in records]


def concatenate(documents: Sequence[bytes]) -> bytes:
    """One PDF of several, page after page (a letter and its courtesy translation)."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(documents[0])))
    for document in documents[1:]:
        writer.append(PdfReader(io.BytesIO(document)))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def append_annexes(pdf: bytes, annexes: Sequence[Path], labels: Sequence[str]) -> bytes:
    """Append each annex PDF after the letter, its first page stamped with its label."""
    from pypdf import PdfReader, PdfWriter
    from pypdf.errors import PyPdfError

    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    for path, label in zip(annexes, labels, strict=True):
        try:
            annex = PdfReader(path)
            pages = list(annex.pages)
        except (OSError, PyPdfError) as error:
            raise RenderError(f"{path}: cannot read this PDF to append it: {error}") from error
        if not pages:
            raise RenderError(f"{path}: the PDF has no pages")
        first = pages[0]
        width = float(first.mediabox.width)
        height = float(first.mediabox.height)
        stamp_page = PdfReader(io.BytesIO(_label_pdf(label, width, height))).pages[0]
        for index, page in enumerate(pages):
            added = writer.add_page(page)
            if index == 0:
                added.merge_page(stamp_page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


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
