"""Write a letter to a file, in the format its extension names, atomically."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from . import pdf as pdf_module
from .errors import DsrError, RenderError
from .i18n import translations
from .model import Letter
from .render import render_html, render_text

FORMATS = (".pdf", ".html", ".txt")


class OutputExists(DsrError):
    """The output file exists and --force was not given."""


def atomic_write(path: Path, data: bytes, mode: int = 0o644) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def letter_pdf(
    letter: Letter,
    template_dir: Path | None = None,
    annexes: tuple[Path, ...] = (),
    on_warning: Callable[[str], None] | None = None,
) -> bytes:
    """The letter as PDF bytes, with annexes appended and stamped."""
    document, warnings = pdf_module.html_to_pdf(render_html(letter, template_dir))
    for warning in warnings:
        if on_warning is not None:
            on_warning(warning)
    if annexes:
        catalog = translations(letter.language)
        labels = [
            catalog.gettext("Annex %(number)s: %(name)s") % {"number": number, "name": name}
            for number, name in enumerate(letter.enclosures, start=1)
        ][: len(annexes)]
        document = pdf_module.append_annexes(document, annexes, labels)
    return document


def render_to(
    letter: Letter,
    path: Path,
    *,
    force: bool = False,
    template_dir: Path | None = None,
    annexes: tuple[Path, ...] = (),
    translation: Letter | None = None,
) -> Path:
    """Render ``letter`` into ``path``; the suffix chooses PDF, HTML or text.

    A ``translation`` (a courtesy translation of the same letter) follows the
    letter: as its own pages in a PDF, as a second part in HTML and text.
    """
    suffix = path.suffix.lower()
    if suffix not in FORMATS:
        raise RenderError(f"unknown output format {suffix!r}; use one of {', '.join(FORMATS)}")
    if path.exists() and not force:
        raise OutputExists(f"{path} exists; use --force to overwrite it")
    if suffix == ".pdf":
        data = letter_pdf(letter, template_dir, annexes)
        if translation is not None:
            data = pdf_module.concatenate([data, letter_pdf(translation, template_dir)])
    elif suffix == ".html":
        document = render_html(letter, template_dir)
        if translation is not None:
            second = render_html(translation, template_dir)
            body = second.split("<body", 1)[1].split(">", 1)[1].rsplit("</body>", 1)[0]
            part = f'<section class="courtesy-translation" lang="{translation.language}">{body}'
            document = document.replace("</body>", part + "</section>\n</body>", 1)
        data = document.encode()
    else:
        text = render_text(letter, template_dir)
        if translation is not None:
            text += "\n" + "-" * 40 + "\n\n" + render_text(translation, template_dir)
        data = text.encode()
    atomic_write(path, data)
    return path
