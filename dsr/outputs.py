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

FORMATS = (".pdf", ".html", ".txt", ".eml")


class OutputExists(DsrError):
    """The output file exists and --force was not given."""


def atomic_write(
    path: Path,
    data: bytes,
    mode: int = 0o644,
    before_replace: Callable[[], None] | None = None,
) -> None:
    """Write to a temporary file beside ``path``, then rename: never a half-written file.

    ``before_replace`` runs once the data is safely on disk, just before the
    rename (dsr batch records the finished file there).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, mode)
        if before_replace is not None:
            before_replace()
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def request_json(letter: Letter) -> bytes:
    """The request as data, embedded in PDF/A-3b letters for whoever files them."""
    import json

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


def letter_pdf(
    letter: Letter,
    template_dir: Path | None = None,
    annexes: tuple[Path, ...] = (),
    on_warning: Callable[[str], None] | None = None,
    variant: str | None = None,
    forms: bool = False,
) -> bytes:
    """The letter as PDF bytes, with annexes appended and stamped."""
    from datetime import UTC, datetime, time

    created = datetime.combine(letter.date, time(0, 0), tzinfo=UTC)
    attachment = ("request.json", request_json(letter), created) if variant == "pdf/a-3b" else None
    document, warnings = pdf_module.html_to_pdf(
        render_html(letter, template_dir), variant=variant, attachment=attachment, forms=forms
    )
    for warning in warnings:
        if on_warning is not None:
            on_warning(warning)
    return with_annexes(letter, document, annexes)


def with_annexes(letter: Letter, document: bytes, annexes: tuple[Path, ...]) -> bytes:
    """The letter's PDF with its annexes appended, each stamped with its label."""
    if not annexes:
        return document
    catalog = translations(letter.language)
    labels = [
        catalog.gettext("Annex %(number)s: %(name)s") % {"number": number, "name": name}
        for number, name in enumerate(letter.enclosures, start=1)
    ][: len(annexes)]
    return pdf_module.append_annexes(document, annexes, labels)


def render_to(
    letter: Letter,
    path: Path,
    *,
    force: bool = False,
    template_dir: Path | None = None,
    annexes: tuple[Path, ...] = (),
    translation: Letter | None = None,
    variant: str | None = None,
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
        data = letter_pdf(letter, template_dir, annexes, variant=variant)
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
    elif suffix == ".eml":
        data = email_message(letter, template_dir, annexes)
    else:
        text = render_text(letter, template_dir)
        if translation is not None:
            text += "\n" + "-" * 40 + "\n\n" + render_text(translation, template_dir)
        data = text.encode()
    atomic_write(path, data)
    return path


def subject_and_body(letter: Letter, template_dir: Path | None = None) -> tuple[str, str]:
    """The subject line (with the reference) and the letter's text below it."""
    text = render_text(letter, template_dir)
    subject, _, body = text.partition("\n\n")
    return " ".join(subject.split()), body


def email_message(
    letter: Letter,
    template_dir: Path | None = None,
    annexes: tuple[Path, ...] = (),
    pdf: bytes | None = None,
) -> bytes:
    """An RFC 5322 message: the letter as text, the PDF attached.

    ``pdf`` is the letter's PDF if it is already made (dsr batch makes them
    in groups); otherwise it is rendered here.
    """
    from datetime import UTC, datetime, time
    from email.message import EmailMessage
    from email.utils import format_datetime, formataddr

    subject, body = subject_and_body(letter, template_dir)
    message = EmailMessage()
    if letter.sender_email:
        message["From"] = formataddr((letter.sender.name, letter.sender_email))
    if letter.recipient_email:
        message["To"] = formataddr((letter.recipient.name, letter.recipient_email))
    message["Subject"] = subject
    message["Date"] = format_datetime(datetime.combine(letter.date, time(9, 0), tzinfo=UTC))
    message["Message-ID"] = f"<{letter.reference}.{letter.kind.value}@dsr.invalid>"
    message.set_content(body)
    message.add_attachment(
        pdf if pdf is not None else letter_pdf(letter, template_dir, annexes),
        maintype="application",
        subtype="pdf",
        filename=f"{letter.reference}-{letter.kind.value}.pdf",
    )
    return bytes(message)


def mailto(letter: Letter, template_dir: Path | None = None) -> str | None:
    """A mailto: link with recipient, subject and body, if the recipient takes e-mail."""
    from urllib.parse import quote

    if not letter.recipient_email:
        return None
    subject, body = subject_and_body(letter, template_dir)
    return f"mailto:{quote(letter.recipient_email)}?subject={quote(subject)}&body={quote(body)}"


def zip_folder(folder: Path, names: list[str], mode: int = 0o600) -> Path:
    """Bundle ``names`` (paths inside ``folder``) into ``<folder>.zip``, atomically."""
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name in names:
            archive.write(folder / name, name)
    target = folder.with_suffix(".zip")
    atomic_write(target, buffer.getvalue(), mode=mode)
    return target
