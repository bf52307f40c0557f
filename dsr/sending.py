"""How a member sends a letter, and what its dates are called: the sentences the web
page's preview, a campaign's cover pages and the drafts to members share (domain "ui")."""

from __future__ import annotations

import enum

from . import registry, ui
from .model import Kind, Letter

_ = ui.gettext


def kind_name(kind: Kind, lever: str = "objection") -> str:
    if kind is Kind.OBJECTION and lever == "withdrawal":
        return _("Withdrawal of consent to AI training")
    if kind is Kind.OBJECTION and lever == "opt_out":
        return _("Opt-out of the sale and sharing of your data")
    names = {
        Kind.OBJECTION: _("Objection to AI training"),
        Kind.ART21: _("Objection on grounds of your particular situation"),
        Kind.ERASURE: _("Erasure request"),
        Kind.ACCESS: _("Access request"),
        Kind.COMPLAINT: _("Complaint to the authority"),
        Kind.REMINDER: _("Reminder"),
        Kind.CONTROLLER_COMPLAINT: _("Complaint to the company"),
    }
    return names[kind]


def letter_kind_name(letter: Letter) -> str:
    """The letter's kind as the page names it, under the letter's own law."""
    family = registry.law_families()[letter.family]
    if letter.kind is Kind.COMPLAINT and family.complaint_is_report:
        return _("Report to the data protection authority")
    return kind_name(letter.kind, family.objection_lever)


class DeadlineKind(enum.StrEnum):
    """What a letter's date to note is; report.csv writes the code, deadline_label words it."""

    REPLY_DUE = "reply-due"  # the law sets the period
    REPLY_REQUESTED = "reply-requested"  # the letter asks for a reply; the law sets none
    ACKNOWLEDGEMENT_DUE = "acknowledgement-due"  # UK s.164A: the complaint's acknowledgement


def has_deadline(letter: Letter) -> bool:
    """Whether the letter has a date for the member to note: a complaint to an authority
    has none (the authority's duty to inform runs on its own terms, Art. 77(2) GDPR)."""
    return letter.kind is not Kind.COMPLAINT


def deadline_kind(letter: Letter) -> DeadlineKind:
    """What ``letter.deadline`` is: a reply the law requires, an acknowledgement (UK
    s.164A), or a reply the letter asks for where the law sets no period."""
    if letter.kind is Kind.CONTROLLER_COMPLAINT:
        return DeadlineKind.ACKNOWLEDGEMENT_DUE
    if letter.deadline_is_statutory:
        return DeadlineKind.REPLY_DUE
    return DeadlineKind.REPLY_REQUESTED


def deadline_label(letter: Letter) -> str:
    """What the letter's date is called on the page, a cover or a draft."""
    labels = {
        DeadlineKind.ACKNOWLEDGEMENT_DUE: _("Acknowledgement due by"),
        DeadlineKind.REPLY_DUE: _("Reply due by"),
        DeadlineKind.REPLY_REQUESTED: _("Reply requested by"),
    }
    return labels[deadline_kind(letter)]


def form_of(letter: Letter) -> str | None:
    """The web form of the letter's recipient, if it has one: the authority's own for a
    complaint (never the company's), else the company's for this letter."""
    if letter.recipient_is_authority:
        return letter.authority_webform or None
    return letter.web_form or letter.objection_form or None


def how_to_send(letter: Letter) -> str:
    """How the member sends this letter, in one sentence, where dsr offers its e-mail
    ready to send (the web page's .eml download)."""
    if letter.recipient_is_authority:
        if letter.recipient_email:
            return _("Post the PDF in a window envelope, or send the e-mail to the authority.")
        if letter.authority_webform:
            return _complaint_form(letter)
        return _(
            "Print the PDF and post it in a window envelope: the address shows through the window."
        )
    if letter.recipient_email and letter.web_form:
        return _("Post the PDF in a window envelope, send the e-mail, or use the company's form.")
    if letter.recipient_email:
        return _("Post the PDF in a window envelope, or send the e-mail.")
    if letter.web_form or letter.objection_form:
        return _("Paste the text into the company's form, or post the PDF in a window envelope.")
    return _(
        "Print the PDF and post it in a window envelope: the address shows through the window."
    )


def _complaint_form(letter: Letter) -> str:
    """An authority's complaint form: it takes the letter's text (CalPrivacy's takes no
    attachment); by post only where the letter's window has the authority's address."""
    if not postal(letter):
        return _("Use the authority's complaint form, giving it the text of the letter.")
    return _(
        "Use the authority's complaint form, giving it the text of the letter, or post the "
        "PDF in a window envelope."
    )


def postal(letter: Letter) -> bool:
    """Whether the letter's window has a postal address for the recipient."""
    lines = [line for line in letter.recipient.lines if line.strip()]
    # An authority known by its e-mail address alone prints it in the window: no post.
    return bool(lines) and lines not in ([letter.recipient_email], [letter.authority_email])


def how_to_send_pdf(letter: Letter) -> str:
    """How the member sends this letter, where they have its PDF alone (a campaign's
    cover page and draft): by post, by the recipient's form, or by e-mail with the PDF
    attached, as the recipient takes it."""
    by_post = postal(letter)
    if letter.recipient_is_authority and letter.authority_webform:
        return _complaint_form(letter)
    if letter.recipient_email and by_post:
        if sending_form(letter):
            return _(
                "Post the PDF in a window envelope, e-mail the PDF to the address below, or "
                "use the company's form."
            )
        return _("Post the PDF in a window envelope, or e-mail the PDF to the address below.")
    if letter.recipient_email:
        return _("E-mail the PDF to the address below.")
    if sending_form(letter):
        return _("Paste the text into the company's form, or post the PDF in a window envelope.")
    return _(
        "Print the PDF and post it in a window envelope: the address shows through the window."
    )


def how_to_send_printed(letter: Letter) -> str:
    """How the member sends this letter, where they hold it printed (a cover page of
    print.pdf): by post, or by the company's form with the letter's text typed in."""
    if sending_form(letter) and not letter.recipient_email:
        return _(
            "Post the letter in a window envelope, or enter its text in the company's form "
            "(its address is below)."
        )
    return how_to_send_pdf(letter)


def sending_form(letter: Letter) -> bool:
    """Whether the member may use a company's form for this letter."""
    return not letter.recipient_is_authority and bool(letter.web_form or letter.objection_form)


def keep_proof() -> str:
    """What a member keeps of the sending: every later step (a reminder, a complaint)
    rests on it, and the reply period runs from when the letter arrives."""
    return _(
        "Keep proof of sending: the form's confirmation, the e-mail you sent, or the post "
        "office's receipt (registered post is best). Note the day you sent it."
    )


def enclosures_to_add(letter: Letter) -> str | None:
    """What a complaint should have with it, or None for a first request."""
    if letter.kind in (Kind.COMPLAINT, Kind.CONTROLLER_COMPLAINT):
        return _(
            "Attach or enclose a copy of your earlier request, the company's reply if there "
            "was one, and your proof of sending."
        )
    return None


def deadline_line(letter: Letter, day: str) -> str:
    """The date to note with what it is, as one phrase: "Reply due by 8 January 2027"."""
    lines = {
        DeadlineKind.ACKNOWLEDGEMENT_DUE: _("Acknowledgement due by {date}"),
        DeadlineKind.REPLY_DUE: _("Reply due by {date}"),
        DeadlineKind.REPLY_REQUESTED: _("Reply requested by {date}"),
    }
    return lines[deadline_kind(letter)].format(date=day)


def labelled(label: str, value: str) -> str:
    """A label and its value on one line, as the language writes it ("Lettre : ...")."""
    return _("{label}: {value}").format(label=label, value=value)


def deadline_counting() -> str:
    """How a campaign's deadline was counted: from the letter's date, not from today."""
    return _(
        "Counted as if the company receives the letter on the day it is dated; the period "
        "actually runs from the day it arrives."
    )
