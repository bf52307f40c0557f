"""The tracking page, on a member's own computer only: the CLI's store, in a browser.

It lists the requests ``dsr track`` follows, records answers, closes, reminds and
escalates (with the earlier letters as annexes, as ``dsr track escalate`` does),
and forgets. Letters it writes go into the page's folder (``dsr serve --folder``),
under names that replace nothing.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path

from babel.dates import format_date
from flask import Blueprint, Response, abort, g, redirect, render_template, request
from flask.typing import ResponseReturnValue

from .. import files, registry, track, ui
from ..deadlines import DeadlineRule, deadline_for
from ..errors import DsrError, InvalidRequest
from ..formats import Format, WriteOptions
from ..i18n import language_name, locale_id
from ..inputs import RawInput, parse_request, raw_input
from ..model import Kind, Request
from ..pipeline import Document, document_of, write_letter
from . import flow
from .flow import Step
from .security import settings

blueprint = Blueprint("tracking", __name__)
_ = ui.gettext


def _folder() -> Path:
    return settings().folder


def _made_folder() -> Path:
    """The page's folder for letters, made before a letter is written into it, as dsr
    makes its folders (private; something else at its name is refused)."""
    folder = _folder()
    files.make_dir(folder)
    return folder


def free_name(folder: Path, name: str) -> Path:
    """``folder/name``, or ``name-2``, ``name-3``... : a name no file has yet."""
    stem, dot, suffix = name.rpartition(".")
    candidate = folder / name
    number = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = folder / f"{stem}-{number}{dot}{suffix}"
        number += 1
    return candidate


def _write(document: Document) -> Path:
    folder = _made_folder()
    target = free_name(folder, flow.file_name(document.letter, "pdf"))
    with settings().slots.slot():
        write_letter(document, target, WriteOptions(Format.PDF, engine=settings().engine))
    return target


def _sent(path: Path) -> Response:
    response = Response(path.read_bytes(), content_type="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{path.name}"'
    return response


@blueprint.post("/save")
def save() -> ResponseReturnValue:
    """Write the previewed letter into the folder and track it, then send it."""
    values = flow.posted(request.form)
    checked = flow.check(values, Step.DETAILS, flow.today())
    with settings().slots.slot():
        annexes, problems = flow.carried_annexes(request.form.getlist(flow.ANNEX_FIELD))
    if problems or checked.request is None:
        abort(400, " ".join(problems) or _("Check your answers again."))
    document = flow.with_annexes(checked, annexes)
    folder = _made_folder()
    try:
        target = _save_tracked(document, checked.request, values, folder)
    except track.NotTracked as error:
        abort(500, _("The letter was saved as {file}, but could not be tracked: {why}").format(
            file=target, why=error.error))  # fmt: skip
    except DsrError as error:
        abort(400, str(error))
    return render_template(
        "saved.html", step=None, values=values, annexes=annexes, file=target, folder=folder
    )


def _save_tracked(
    document: Document, request_: Request, values: dict[str, str], folder: Path
) -> Path:
    """Write and track the letter under a name no file has: another save of the same
    letter at the same moment takes the name first, and this one takes the next."""
    for _attempt in range(20):
        target = free_name(folder, flow.file_name(document.letter, "pdf"))
        try:
            with settings().slots.slot():
                track.write_tracked(
                    document,
                    request_,
                    raw_input(values),
                    target,
                    WriteOptions(Format.PDF, engine=settings().engine),
                )
        except track.NotTracked:
            raise
        except DsrError:
            if target.exists() or target.is_symlink():
                continue  # written meanwhile by another save: the next free name
            raise
        return target
    abort(409, _("Many letters are being written right now. Try again in a moment."))


@blueprint.get("/requests")
def requests() -> str:
    today = flow.today()
    found = track.read_requests()
    rows = [r for r in found if isinstance(r, track.Tracked)]
    unreadable = len(found) - len(rows)
    return render_template(
        "requests.html",
        step=None,
        rows=rows,
        unreadable=unreadable,
        today=today,
        folder=_folder(),
        status=_status,
        kind_name=_kind_of,
        day=lambda value: format_date(value, format="medium", locale=locale_id(g.ui)),
        reports=lambda row: flow.reports(row.jurisdiction),
        waiting_for_company=_waiting_for_company,
        verdicts=[
            ("complete", _("It did what I asked")),
            ("partial", _("Only in part")),
            ("refused", _("It refused")),
        ],
        message=request.args.get("done", ""),
    )


def _waiting_for_company(row: track.Tracked, today: date) -> bool:
    """After a complaint to the company (UK, s.164A DPA 2018), the complaint to the
    authority is offered once the company's period for it has run: the registry's rule
    for that letter (its acknowledgement period), as the page's own advice says ("if the
    company does not resolve it, come back")."""
    complained = row.controller_complaint
    jurisdiction = registry.jurisdictions().get(row.jurisdiction)
    if complained is None or jurisdiction is None:
        return False
    family = registry.law_families()[jurisdiction.family]
    kind = Kind.CONTROLLER_COMPLAINT.value
    rule = DeadlineRule.parse(family.deadline_rule_for(kind, complained))
    return today <= deadline_for(rule, complained, jurisdiction.country)


def _in_a_sentence(name: str) -> str:
    """A language's name inside a sentence: Greek writes it in lower case, where CLDR's
    stand-alone name is capitalised ("στα ελληνικά")."""
    return name.lower() if g.ui.split("-")[0] == "el" else name


def _kind_of(row: track.Tracked) -> str:
    return flow.tracked_kind_name(row.kind, row.jurisdiction, row.controller)


def _status(row: track.Tracked, today: date) -> str:
    status = row.status(today)
    if status is track.Status.ANSWERED and row.verdict is not None:
        verdicts = {
            track.Verdict.COMPLETE: _("answered: it did what you asked"),
            track.Verdict.PARTIAL: _("answered: only in part"),
            track.Verdict.REFUSED: _("answered: it refused"),
        }
        return verdicts[row.verdict]
    names = {
        track.Status.CLOSED: _("closed"),
        track.Status.ANSWERED: _("answered"),
        track.Status.ESCALATED: _("report sent to the authority")
        if flow.reports(row.jurisdiction)
        else _("complaint sent to the authority"),
        track.Status.COMPLAINED_TO_CONTROLLER: _("complaint sent to the company"),
        track.Status.REMINDED: _("reminder sent"),
        track.Status.OVERDUE: _("deadline passed"),
        track.Status.WAITING: _("waiting for the reply"),
    }
    return names.get(status, status.value)


def _back(done: str) -> Response:
    return redirect(f"/requests?ui={g.get('ui', 'en')}&done={done}", 303)  # type: ignore[return-value]


@blueprint.post("/requests/<int:request_id>/<action>")
def act(request_id: int, action: str) -> ResponseReturnValue:
    today = flow.today()
    if request_id >= 2**63:  # past what the store can hold: no such request
        abort(404)
    try:
        tracked = track.get(request_id)
        if action == "answered":
            day = _day(request.form.get("when", ""), today)
            track.mark_answered(request_id, day, request.form.get("verdict", ""))
            return _back("answered")
        if action == "close":
            track.close(request_id)
            return _back("closed")
        if action == "forget":
            if not request.form.get("confirm"):
                return render_template(
                    "confirm.html", step=None, row=tracked, action="forget", folder=_folder(),
                    kind_name=_kind_of(tracked),
                )  # fmt: skip
            track.remove(request_id)
            return _back("forgotten")
        if action == "remind":
            track.use_controller(tracked)
            values = track.reminder_values(tracked, today)
            path = _follow_up(values, tracked, timeline=False)
            track.mark_reminded(request_id, today, path)
            return _sent(path)
        if action == "escalate" and not request.form.get("confirm"):
            track.use_controller(tracked)
            to_company = track.needs_controller_complaint(tracked, None)
            values = (
                track.controller_complaint_values(tracked, today)
                if to_company
                else track.escalation_values(tracked, today, None, None)
            )
            authority = track.complaint_authority(values)
            return render_template(
                "confirm.html",
                step=None,
                row=tracked,
                action="escalate",
                folder=_folder(),
                kind_name=flow.tracked_kind_name(
                    tracked.kind, tracked.jurisdiction, tracked.controller
                ),
                to_company=to_company,
                report=flow.reports(str(values.get("jurisdiction") or tracked.jurisdiction)),
                # The authority's own name in the page's language, where it has one
                # (the Swiss FDPIC's is German, French and Italian).
                recipient=authority.name_in(g.ui) if authority else tracked.company,
                language=_in_a_sentence(
                    language_name(str(values.get("lang") or tracked.language), g.ui)
                )
                if values.get("lang")
                else None,
            )
        if action == "escalate":
            track.use_controller(tracked)
            if track.needs_controller_complaint(tracked, None):
                values = track.controller_complaint_values(tracked, today)
                path = _follow_up(values, tracked, timeline=False)
                track.mark_controller_complaint(request_id, today, path)
                return _sent(path)
            values = track.escalation_values(tracked, today, None, None)
            path = _follow_up(values, tracked, timeline=True)
            track.mark_escalated(request_id, today, track.complaint_authority(values))
            return _sent(path)
    except InvalidRequest as error:
        abort(400, " ".join(f"{flow.label(p.field)}: {p.message}" for p in error.problems))
    except DsrError as error:
        abort(400, str(error))
    abort(404)


def _day(text: str, today: date) -> date:
    try:
        day = date.fromisoformat(text) if text else today
    except ValueError:
        abort(400, _("{value} is not a date; use YYYY-MM-DD.").format(value=text[:20]))
    if day > today:
        abort(400, _("The answer cannot be dated after today."))
    return day


def _follow_up(values: RawInput, tracked: track.Tracked, *, timeline: bool) -> Path:
    """A reminder or complaint about ``tracked``, its earlier letters appended."""
    request_ = parse_request(values, today=flow.today())
    annexes = track.annex_contents(tracked, list(request_.enclosures))
    document = document_of(request_, annexes)
    if timeline:
        document = dataclasses.replace(
            document, letter=track.with_timeline(document.letter, tracked)
        )
    return _write(document)
