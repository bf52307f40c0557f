"""How a member sends a letter, and what its dates are called: the sentences the web
page's preview, a campaign's cover pages and the drafts to members share (domain "ui")."""

from __future__ import annotations

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


def deadline_label(letter: Letter) -> str:
    """What the letter's date is: a reply the law requires, an acknowledgement (UK
    s.164A), or a reply the letter asks for where the law sets no period."""
    if letter.kind is Kind.CONTROLLER_COMPLAINT:
        return _("Acknowledgement due by")
    if letter.deadline_is_statutory:
        return _("Reply due by")
    return _("Reply requested by")


def how_to_send(letter: Letter) -> str:
    """How the member sends this letter, in one sentence."""
    if letter.recipient_is_authority:
        if letter.recipient_email:
            return _("Post the PDF in a window envelope, or send the e-mail to the authority.")
        if letter.web_form or letter.authority_webform:
            return _(
                "Use the authority's complaint form, pasting the text and attaching the PDF, "
                "or post the PDF in a window envelope."
            )
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


def deadline_counting() -> str:
    """How a campaign's deadline was counted: from the letter's date, not from today."""
    return _(
        "Counted as if the company receives the letter on the day it is dated; the period "
        "runs from when it does."
    )
