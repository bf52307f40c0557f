"""How letters are written: format, engine, PDF variant; the options record every
front end passes to dsr.pipeline. Light to import (the CLI's options use it)."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from pathlib import Path

from .errors import InputError


class Format(enum.StrEnum):
    """What a letter is written as; a file's suffix names it."""

    PDF = "pdf"
    HTML = "html"
    TXT = "txt"
    EML = "eml"

    @property
    def suffix(self) -> str:
        return "." + self.value

    @classmethod
    def of(cls, path: str | Path) -> Format:
        """The format a file name's suffix names; :class:`UnknownFormat` if none."""
        suffix = Path(path).suffix.lower()
        for member in cls:
            if member.suffix == suffix:
                return member
        raise UnknownFormat(
            f"{Path(path).name!r} has no known extension; use "
            + ", ".join(member.suffix for member in cls)
        )

    @property
    def carries_pdf(self) -> bool:
        """A PDF, or an e-mail with the PDF attached."""
        return self in (Format.PDF, Format.EML)


class Engine(enum.StrEnum):
    """What sets a PDF: WeasyPrint (every feature) or Typst (about ten times faster)."""

    WEASYPRINT = "weasyprint"
    TYPST = "typst"


class PdfVariant(enum.StrEnum):
    """PDF variants WeasyPrint writes: archival (with the request as data) or tagged."""

    PDF_A_3B = "pdf/a-3b"
    PDF_UA_1 = "pdf/ua-1"


class UnknownFormat(InputError):
    """A file name whose suffix names no format dsr writes."""


@dataclass(frozen=True)
class WriteOptions:
    """How letters are written; the same record for every command and the web."""

    format: Format = Format.PDF
    engine: Engine = Engine.WEASYPRINT
    pdf_variant: PdfVariant | None = None
    template_dir: Path | None = None
    fillable: bool = False  # blanks as PDF form fields (kits); WeasyPrint only

    def for_path(self, path: str | Path) -> WriteOptions:
        """These options, in the format ``path``'s suffix names."""
        return WriteOptions(
            Format.of(path), self.engine, self.pdf_variant, self.template_dir, self.fillable
        )
