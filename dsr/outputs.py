"""What letters are written with: atomic files, e-mail messages, mailto links, zips
(dsr.pipeline makes the letters themselves)."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from . import files
from .document import email_subject, parse_html
from .errors import Command, InputError, InvalidRequest, Option, Problem, words
from .files import OutputExists
from .model import Letter
from .plaintext import tree_to_text
from .render import render_html
from .sending import form_of
from .text import field_problem
from .ui import gettext

if TYPE_CHECKING:
    from email.message import EmailMessage


def atomic_write(
    path: Path,
    data: bytes,
    mode: int = files.PRIVATE_FILE,
    before_replace: Callable[[], None] | None = None,
    *,
    replace: bool = True,
    run_id: str = files.RUN_ID,
) -> None:
    """Write ``path`` atomically, links never followed (see dsr.files).

    ``before_replace`` runs once the data is safely on disk, just before the
    rename (dsr batch records the finished file there). Without ``replace``
    the name is created exclusively: a file that appeared meanwhile is kept.
    """
    files.write_file(
        path.parent, path.name, data, mode=mode, replace=replace,
        before_replace=before_replace, run_id=run_id,
    )  # fmt: skip


# Invisible characters that only steer line breaking: soft hyphen, zero-width
# space, word joiner, zero-width no-break space.
INVISIBLE = dict.fromkeys(map(ord, "\u00ad\u200b\u2060\ufeff"))


def header_text(text: str) -> str:
    """``text`` for a mail header: every kind of space (no-break, narrow, thin) one
    ASCII space, invisible joiners dropped, no space at either end."""
    return " ".join(text.translate(INVISIBLE).split())


def subject_and_body(letter: Letter, template_dir: Path | None = None) -> tuple[str, str]:
    """The e-mail subject (with the reference) and the letter's text below its subject line."""
    tree = parse_html(render_html(letter, template_dir))
    printed, _, body = tree_to_text(tree).partition("\n\n")
    subject = email_subject(tree)  # a user template may not write it
    if subject is None:
        subject = printed
    return header_text(subject), body


def set_subject(message: EmailMessage, subject: str) -> None:
    """Set the Subject header so that every reader decodes it as ``subject``.

    Python's own folding (3.11 to 3.13 at least) writes two encoded words with
    the space between them outside both, where RFC 2047 (section 6.2) makes a
    reader drop it, and keeps the space before a fold as well: "17. člena
    Splošne" reads back as "17.  členaSplošne". Text that needs encoding is
    therefore encoded here as a whole, by email.header, in encoded words of at
    most 75 characters on lines of at most 78, and stored as it is.
    """
    from email.header import Header

    if subject.isascii() and "=?" not in subject:
        message["Subject"] = subject
    else:
        message.set_raw("Subject", Header(subject, "utf-8", header_name="Subject").encode())


_set_subject = set_subject  # its name before drafts to members shared it


# A campaign's remedy: PDFs, and a draft to each member (dsr.drafts) to send their own.
MAIL_MEMBERS = Command(
    ("batch", "FILE"),
    (Option("format", value="pdf"), Option("mail-members"), Option("from", value="ADDRESS")),
)


class NoEmailAddress(InputError):
    """The letter's recipient takes no e-mail for it (it publishes no address, only a
    form, or only a postal address): dsr writes no e-mail without a To."""

    def __init__(self, letter: Letter) -> None:
        self.recipient = letter.recipient.name
        self.form = email_form(letter)
        where = (
            f"use its form, {self.form}, pasting the letter's text, or post the letter"
            if self.form
            else "post the letter (its address is in it)"
        )
        super().__init__(
            words(
                f"{self.recipient} publishes no e-mail address for this request, so dsr "
                f"writes no e-mail to it: {where}; write it as a PDF with ",
                Option("format", value="pdf"), " (for a campaign, ", MAIL_MEMBERS,
                " writes each member a draft with their PDF and how to send it)",
            )
        )  # fmt: skip


class NoSenderAddress(InputError):
    """The member gave no e-mail address: an e-mail from them would have no From."""

    def __init__(self) -> None:
        super().__init__(
            words(
                "an e-mail is from the member, who gave no e-mail address: give ",
                Option("account-email"), " or ", Option("email"),
            )
        )  # fmt: skip


def email_form(letter: Letter) -> str | None:
    """The web form the letter's recipient takes instead of e-mail, if it has one."""
    return form_of(letter)


def check_email(letter: Letter) -> tuple[str, str]:
    """The e-mail's From and To addresses (the member's, the recipient's); refused when
    it would have no To (the recipient takes no e-mail) or no From (the member gave no
    address), before anything is made."""
    if not letter.recipient_email:
        raise NoEmailAddress(letter)
    if not letter.sender_email:
        raise NoSenderAddress()
    return letter.sender_email, letter.recipient_email


def email_message(
    letter: Letter,
    template_dir: Path | None = None,
    *,
    pdf: bytes,
    translation: Letter | None = None,
) -> bytes:
    """An RFC 5322 message from the member to the recipient: the letter as text, the
    PDF attached. A letter whose recipient takes no e-mail, or whose member gave no
    address, is refused (:func:`check_email`).

    ``pdf`` is the letter's PDF as dsr.pipeline made it. A ``translation`` follows the
    letter's text in the body, below a rule (its PDF pages are in ``pdf``).
    """
    import email.policy
    from datetime import UTC, datetime, time
    from email.message import EmailMessage
    from email.utils import format_datetime

    # The attachment's name: a reference like a/../../etc must not become a path. The
    # library may compose a Request of its own: its reference meets the field's one rule.
    problem = field_problem("reference", letter.reference)
    if problem:
        raise InvalidRequest([Problem("reference", problem)])
    sender, recipient = check_email(letter)
    subject, body = subject_and_body(letter, template_dir)
    # Headers dsr writes whole (From, To, Subject) are kept as written: refolding
    # would parse them again and could split an encoded display name.
    message = EmailMessage(policy=email.policy.default.clone(refold_source="none"))
    # The display name is quoted or encoded whole: no name can add an address.
    message.set_raw("From", mailbox(letter.sender.name, sender))
    message.set_raw("To", mailbox(letter.recipient.name, recipient, "controller", "controller"))
    set_subject(message, subject)
    message["Date"] = format_datetime(datetime.combine(letter.date, time(9, 0), tzinfo=UTC))
    message["Message-ID"] = f"<{letter.reference}.{letter.kind.value}@dsr.invalid>"
    message["X-Unsent"] = "1"  # a message to send: mail programs open it as a draft
    if translation is not None:
        body += "\n" + "-" * 40 + "\n\n" + subject_and_body(translation, template_dir)[1]
    message.set_content(body)
    message.add_attachment(
        pdf,
        maintype="application",
        subtype="pdf",
        filename=f"{letter.reference}-{letter.kind.value}.pdf",
    )
    return bytes(message)


# An address dsr writes into a header: a plain dot-atom before the "@" (no quoted
# local part, no "=?" a reader would decode) and a domain of LDH labels.
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN = re.compile(r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z0-9-]{2,63}")


def mailbox(name: str, address: str, field: str = "email", name_field: str = "name") -> str:
    """One mailbox for a header, as it is written: ``name`` is only ever its display name.

    The display name is quoted or encoded whole (email.utils.formataddr); the
    domain is written in its ASCII (IDNA) form, as every mail system reads it.
    A name holding "=?" (a reader would decode it as encoded text) and an
    address with non-ASCII before the "@" are refused, naming the option.
    """
    from email.utils import formataddr

    display = header_text(name)
    if "=?" in display:
        # A reader (and Python's own header parser) would decode it as an RFC 2047
        # encoded word: "=?utf-8?q?A=0D=0ABcc:...?=" would become a header of its own.
        raise InvalidRequest(
            [
                Problem(
                    name_field,
                    gettext("{name!r} contains '=?', which e-mail reads as encoded text").format(
                        name=name
                    ),
                )
            ]
        )
    local, at, domain = address.rpartition("@")
    if not at or not _LOCAL_PART.fullmatch(local) or "=?" in address or "?=" in address:
        raise InvalidRequest(
            [
                Problem(
                    field,
                    gettext(
                        "{address!r} cannot go into an e-mail header; use an address "
                        "with only ASCII letters, digits and . _ + - before the @"
                    ).format(address=address),
                )
            ]
        )
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        ascii_domain = ""
    if not _DOMAIN.fullmatch(ascii_domain):
        raise InvalidRequest(
            [Problem(field, gettext("{domain!r} is not a domain name").format(domain=domain))]
        )
    return formataddr((display, f"{local}@{ascii_domain}"), charset="utf-8")


def mailto(letter: Letter, template_dir: Path | None = None) -> str | None:
    """A mailto: link with recipient, subject and body, if the recipient takes e-mail."""
    from urllib.parse import quote

    if not letter.recipient_email:
        return None
    subject, body = subject_and_body(letter, template_dir)
    return f"mailto:{quote(letter.recipient_email)}?subject={quote(subject)}&body={quote(body)}"


def zip_folder(
    folder: Path, names: list[str], mode: int = files.PRIVATE_FILE, *, force: bool = False
) -> Path:
    """Bundle ``names`` (files dsr wrote in ``folder``) into ``<folder>.zip`` beside it.

    An existing archive is replaced only with ``force``; no link is followed.
    """
    import shutil
    import zipfile

    target = files.archive_path(folder)
    if (target.exists() or target.is_symlink()) and not force:
        raise OutputExists(target)

    def bundle(stream: BinaryIO) -> None:  # a file at a time, in chunks: print.pdf is large
        with zipfile.ZipFile(stream, "w", zipfile.ZIP_DEFLATED) as archive:
            for name in names:
                with files.opened(folder, name) as source:
                    if source is None:
                        raise files.FileError(f"{folder / name} is missing; run the command again")
                    with archive.open(name, "w", force_zip64=True) as entry:
                        shutil.copyfileobj(source, entry, 1 << 20)

    files.write_streamed(target.parent, target.name, bundle, mode=mode, replace=force)
    return target
