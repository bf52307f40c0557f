"""Drafts to members: an e-mail from the campaign to each member, in the member's
language, with their letter's PDF and how to send it (what the letter is, the
company's form and the text to paste into it, the deadline to note, the signature
a posted letter needs).

A campaign whose companies take no e-mail (only a web form, or post) cannot send
the letters itself: each member sends their own. ``dsr batch --mail-members``
writes one draft a letter; the campaign opens them in its mail program (they are
marked ``X-Unsent: 1``, so it opens them as drafts) and sends them.

    >>> sender = campaign_sender("campaign@ngo.example")
    >>> data = member_draft(letter, pdf, sender, "0001-x-objection-de.pdf")  # doctest: +SKIP
"""

from __future__ import annotations

import email.policy
from dataclasses import replace
from datetime import UTC, datetime, time
from email.message import EmailMessage
from email.utils import format_datetime, getaddresses, parseaddr
from pathlib import Path

from email_validator import EmailNotValidError, validate_email

from . import sending, ui
from .errors import InputError, InvalidRequest, Option, Problem, words
from .formats import Format, WriteOptions
from .model import Letter, Request
from .outputs import email_form, header_text, mailbox, set_subject
from .pdf import created_on, reference_in
from .pipeline import Document, document_of, letter_bytes
from .render import letter_date

_ = ui.gettext

DRAFT_SUFFIX = "-member.eml"  # 0001-mustermann-objection-de.pdf -> ...-de-member.eml
FROM_FIELD = "from"  # the option that names the campaign's address


def campaign_sender(value: str) -> str:
    """The campaign's address for a draft's From header, checked: ``ADDRESS`` or
    ``Name <ADDRESS>``, with a valid address (email-validator, no DNS look-up), as a
    mailbox ready for the header. A bad value is an InvalidRequest naming ``from``."""
    name, address = parseaddr(value)
    if not address or "\n" in value or "\r" in value:
        raise InvalidRequest([Problem(FROM_FIELD, f"{value!r} is not an e-mail address")])
    typed = value[value.rfind("<") + 1 : value.rfind(">")] if "<" in value else value
    if any(ch.isspace() for ch in typed.strip()):  # "ngo@ex ample.org" is no address
        raise InvalidRequest([Problem(FROM_FIELD, f"{value!r}: an e-mail address has no spaces")])
    if len(getaddresses([value])) > 1:
        raise InvalidRequest(
            [Problem(FROM_FIELD, f"{value!r} names more than one address; give one")]
        )
    if "@" in name:  # "x@evil.example <ngo@example.org>": a name that reads as another sender
        raise InvalidRequest([Problem(
            FROM_FIELD, f"{value!r}: the name before <{address}> looks like an e-mail address; "
            "give the campaign's name, or the address alone"
        )])  # fmt: skip
    try:
        checked = validate_email(address, check_deliverability=False).normalized
    except EmailNotValidError as error:
        raise InvalidRequest([Problem(FROM_FIELD, f"{address!r}: {error}")]) from None
    try:
        return mailbox(name, checked, FROM_FIELD, FROM_FIELD)
    except InvalidRequest as error:
        raise InvalidRequest([Problem(FROM_FIELD, p.message) for p in error.problems]) from None


def draft_name(letter_file: str) -> str:
    """The draft's file name, beside its letter's: ``0001-x-objection-de-member.eml``."""
    return Path(letter_file).stem + DRAFT_SUFFIX


def instructions(letter: Letter, text: str) -> tuple[str, str]:
    """The draft's subject and body in the letter's language (the member's): what the
    letter is, how to send it, the form and the text to paste, the deadline, the
    signature. ``text`` is the letter as plain text."""
    with ui.speaking(letter.language):
        kind = sending.letter_kind_name(letter)
        facts = [
            sending.labelled(_("Letter"), kind),
            sending.labelled(_("Addressed to"), letter.recipient.name),
            sending.labelled(_("Reference"), letter.reference),
        ]
        if sending.has_deadline(letter) and letter.deadline:
            day = letter_date(letter.deadline, letter.locale).replace("\u00a0", " ")
            facts.append(sending.deadline_line(letter, day))
            facts.append(sending.deadline_counting())
        paragraphs = [
            _("Hello {name},").format(name=letter.sender.name),
            _("Your letter is attached, ready to send. Send it yourself: it is made in your name."),
            "\n".join(facts),
            sending.how_to_send_pdf(letter),
        ]
        form = email_form(letter)
        if form:
            paste = (
                _("The authority's form:")
                if letter.recipient_is_authority
                else _("The company's form:")
            )
            paragraphs.append(f"{paste}\n{form}")
        if letter.recipient_email:
            paragraphs.append(sending.labelled(_("E-mail address"), letter.recipient_email))
        enclose = sending.enclosures_to_add(letter)
        if enclose:
            paragraphs.append(enclose)
        if sending.postal(letter):
            paragraphs.append(
                _(
                    "If you post it: print the PDF, sign it by hand above your typed name at "
                    "the end, and post it in a window envelope."
                )
            )
        paragraphs.append(sending.keep_proof())
        heading = sending.labelled(_("The letter as text"), "").rstrip()
        paragraphs.append(f"{heading}\n\n{text.strip()}")
        subject = sending.labelled(kind, f"{letter.recipient.name} ({letter.reference})")
    return header_text(subject), "\n\n".join(paragraphs) + "\n"


def member_draft(
    letter: Letter,
    pdf: bytes,
    sender: str,
    pdf_name: str,
    template_dir: Path | None = None,
) -> bytes:
    """A draft e-mail from ``sender`` (a mailbox from :func:`campaign_sender`) to the
    letter's member (their ``email``, else their account's), in the letter's language,
    with ``pdf`` attached as ``pdf_name``. Marked ``X-Unsent: 1``: mail programs open
    it as a draft to send.

    The member's name is only ever the To header's display name (quoted or encoded
    whole: no name can add a header or an address)."""
    if not letter.sender_email:
        raise InvalidRequest([Problem("account-email", "the member has no e-mail address")])
    text = letter_bytes(Document(letter), WriteOptions(Format.TXT, template_dir=template_dir))
    subject, body = instructions(letter, text.decode())
    message = EmailMessage(policy=email.policy.default.clone(refold_source="none"))
    message.set_raw("From", sender)
    message.set_raw("To", mailbox(letter.sender.name, letter.sender_email))
    set_subject(message, subject)
    message["Date"] = format_datetime(datetime.combine(letter.date, time(9, 0), tzinfo=UTC))
    message["Message-ID"] = f"<{letter.reference}.{letter.kind.value}.member@dsr.invalid>"
    message["X-Unsent"] = "1"
    message.set_content(body)
    message["Content-Language"] = letter.language  # the text's (the PDF's may differ)
    message.add_attachment(pdf, maintype="application", subtype="pdf", filename=pdf_name)
    return bytes(message)


def draft_for(
    request: Request,
    pdf: bytes,
    sender: str,
    pdf_name: str,
    template_dir: Path | None = None,
) -> bytes:
    """The draft to the member for the letter ``pdf`` (a letter dsr wrote for
    ``request``, as ``pdf_name``): its letter composed again as the PDF was, dated as
    the PDF says (a rerun on a later day finds letters written earlier), and checked
    against the reference the PDF carries, so the draft's words are the PDF's."""
    written_on = created_on(pdf)
    if written_on is not None and written_on != request.date:
        request = replace(request, date=written_on)
    letter = document_of(request).letter
    carried = reference_in(pdf)
    if carried is not None and carried != letter.reference:
        raise InputError(
            words(
                f"{pdf_name} is not the letter this row makes now (its reference is "
                f"{carried}, the row's {letter.reference}): write it again with ",
                Option("force"),
            )
        )
    return member_draft(letter, pdf, sender, pdf_name, template_dir)


__all__ = [
    "DRAFT_SUFFIX",
    "campaign_sender",
    "draft_for",
    "draft_name",
    "instructions",
    "member_draft",
]
