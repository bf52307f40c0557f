"""dsr track: follow a request's deadline, remind, escalate."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any

import click

from .. import cli
from .. import track as tracking
from ..cli import (
    Refused,
    confirm_or_stop,
    counted,
    date_option,
    engine_option,
    fail,
    force_option,
    format_problem,
    output_option,
    pdf_variant_option,
    shown,
)
from ..errors import InvalidRequest
from ..files import refuse_output_among_inputs
from ..formats import Engine, PdfVariant, WriteOptions
from ..inputs import RawInput, parse_request
from ..outputs import atomic_write
from ..pipeline import document_of, write_letter
from ..track import annex_contents, with_timeline
from .common import (
    _checked_output,
    _parse_date,
    _refuse_new_names,
    _stored_date,
    template_dir_option,
)
from .lists import _table

# A tracked request's number: SQLite's integers end at 2**63 - 1.
TRACK_ID = click.IntRange(1, 2**63 - 1)
# dsr.track.Verdict's values, without loading dsr.track for --help (a test keeps them equal).
VERDICT_CHOICES = ("complete", "partial", "refused")


@click.group(name="track")
def track_group() -> None:
    """Follow tracked requests: deadlines, answers, reminders, complaints."""


@track_group.command(name="list")
@click.option("--json", "as_json", is_flag=True, help="Print a JSON array of objects.")
def track_list(as_json: bool) -> None:
    """Show each tracked request: its company, deadline and status (the last step
    taken, with its date: "reminded 2026-12-01", "escalated to <authority> ...")."""

    found = tracking.read_requests()
    unreadable = _unreadable_of(found)
    day = cli.today()

    def on(value: date | None) -> str | None:
        return value.isoformat() if value else None

    rows = [
        {
            "id": t.id,
            "reference": t.reference,
            "company": t.company,
            "controller": t.controller,
            "kind": t.kind,
            "jurisdiction": t.jurisdiction,
            "recipient": t.recipient,
            "sent": t.sent.isoformat(),
            "deadline": t.deadline.isoformat(),
            "status": t.status(day).value,
            "status_text": t.status_text(day),
            "reminded": on(t.reminded),
            "controller_complaint": on(t.controller_complaint),
            "escalated": on(t.escalated),
            "escalated_to": t.escalated_to,
            "answered": on(t.answered),
            "verdict": t.verdict.value if t.verdict else None,
        }
        for t in found
        if isinstance(t, tracking.Tracked)
    ]
    if as_json:
        click.echo(json.dumps(rows, ensure_ascii=False, indent=2))
    elif rows:
        shown_rows = [{**row, "status": row["status_text"]} for row in rows]
        columns = ("id", "reference", "company", "kind", "jurisdiction", "sent", "deadline")
        _table(shown_rows, (*columns, "status"))
    elif not unreadable:
        click.echo("No tracked requests. Add --track to 'dsr letter'.", err=True)
    if unreadable:  # the others are listed; the exit status says not all were
        fail(unreadable)


def _unreadable_of(found: list[Any]) -> list[str]:
    """The rows of the store the member must act on, each named; rows no ledger of the
    member's key lists (other members', where members share a data folder) are the
    normal state of a shared folder: counted in one note, not an error (round 35b)."""

    bad = [row for row in found if isinstance(row, tracking.Unreadable)]
    others = [row for row in bad if row.column == "seal"]
    if others:
        ids = ", ".join(str(row.id) for row in others[:10])
        more = f" and {len(others) - 10} more" if len(others) > 10 else ""
        what = f"request {ids}" if len(others) == 1 else f"requests {ids}{more}"
        click.echo(
            f"Note: {shown(str(tracking.database_path()))} holds {what}, which dsr did not "
            "record with your key: other members', where members share this data folder "
            "(or changed by someone else); not shown. If one is no one's, 'dsr track remove "
            f"{others[0].id} --not-mine' drops it.",
            err=True,
        )
    return [str(row) for row in bad if row.column != "seal"]


@track_group.command()
@click.argument("request_id", metavar="ID", type=TRACK_ID)
@date_option("the answer")
@click.option(
    "--verdict",
    type=click.Choice(VERDICT_CHOICES),
    default="complete",
    show_default=True,
)
def answered(request_id: int, when: str | None, verdict: str) -> None:
    """Record the controller's answer to request ID."""

    day = _stored_date("--date", when)
    try:
        sent: Any = tracking.get(request_id).sent
    except tracking.StoreError:
        sent = None  # a row dsr cannot read: answering it is how it is corrected
    if sent is not None and day < sent:
        fail([f"--date: {day} is before request {request_id} was sent ({sent})"])
    if day > cli.today():
        fail([f"--date: {day} is after today ({cli.today()}); record an answer once it came"])
    tracking.mark_answered(request_id, day, tracking.Verdict(verdict))
    click.echo(f"Request {request_id}: answered ({verdict}).", err=True)


@track_group.command(name="sent")
@click.argument("request_id", metavar="ID", type=TRACK_ID)
@click.option(
    "--date",
    "when",
    metavar="YYYY-MM-DD",
    required=True,
    help="The day the letter went out (not after today, nor after a reminder, complaint "
    "or answer recorded for it).",
)
def track_sent(request_id: int, when: str) -> None:
    """Correct the day request ID was sent: 'dsr letter --track' records the letter's
    date (--date, else today), which may not be the day you posted it. The deadline
    that 'dsr track list' and 'dsr track ics' show is counted again from this day, as
    the letter counted it; reminders and complaints cite it as the request's date."""

    day = _stored_date("--date", when)
    tracked = tracking.get(request_id)
    problem = tracking.sending_date_problem(tracked, day, cli.today())
    if problem is not None:
        fail([f"--date: {problem}"])
    try:
        tracking.set_sent(request_id, day, cli.today())
    except InvalidRequest as error:
        values: RawInput = {**tracked.inputs, "date": day.isoformat()}
        raise _as_follow_up_problems(error, values) from error
    now = tracking.get(request_id)
    click.echo(
        f"Request {request_id}: sent {now.sent.isoformat()} (was {tracked.sent.isoformat()}); "
        f"reply due by {now.deadline.isoformat()} (was {tracked.deadline.isoformat()}).",
        err=True,
    )


@track_group.command(name="close")
@click.argument("request_id", metavar="ID", type=TRACK_ID)
def close_request(request_id: int) -> None:
    """Close request ID: nothing more to do."""

    tracking.close(request_id)
    click.echo(f"Request {request_id}: closed.", err=True)


@track_group.command(name="adopt")
@click.option(
    "--also",
    "also",
    metavar="ID",
    type=TRACK_ID,
    multiple=True,
    help="Adopt request ID too, sealed with your key but not as dsr last left it (an "
    "older copy; repeatable).",
)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def adopt_store(also: tuple[int, ...], yes: bool) -> None:
    """Trust the tracking store in your data folder: one you moved, or reach by another
    path, whose requests your key sealed (named with --also, an older copy of one).
    Each request is listed first, with the files a follow-up would append and whom it
    would write to; check them. A request your key did not seal is never adopted."""

    store = tracking.database_path()
    if not store.is_file():
        fail([f"track adopt: there is no tracking store at {store}"])
    plan = tracking.adoption_plan()
    for entry in plan:
        taken = entry.by_default or entry.id in also
        if entry.state not in tracking.ADOPTABLE_STATES:
            verdict = tracking.NOT_ADOPTABLE
        else:
            verdict = "adopted" if taken else f"left out (add --also {entry.id} to adopt it)"
        click.echo(f"Request {entry.id}: {entry.summary}", err=True)
        click.echo(f"  {tracking.ADOPTION_STATES[entry.state]}: {verdict}", err=True)
        if entry.sends_to:
            click.echo(f"  a follow-up writes to: {shown(entry.sends_to)}", err=True)
        if entry.other_company:
            click.echo(
                "  CHECK: that is not the company the letter went to: the company record "
                "kept with the request was changed; adopt it only if you changed it",
                err=True,
            )
        for name in entry.files:
            click.echo(f"  a follow-up appends {shown(name)}", err=True)
    chosen = [entry for entry in plan if entry.by_default or entry.id in also]
    if not chosen:
        fail(["track adopt: no request to adopt; name the ones you checked with --also ID"])
    if not yes and cli.is_interactive():
        confirm_or_stop(
            f"Adopt {counted(len(chosen), 'request')} as listed above?", "nothing was adopted"
        )
    elif not yes:
        fail(["track adopt: add --yes to adopt the requests listed without a prompt"])
    adopted = tracking.adopt(frozenset(also))
    click.echo(
        f"Adopted {counted(len(adopted), 'request')} in {store}, sealed with your key; the "
        "others are still refused ('dsr track remove ID --not-mine' drops one).",
        err=True,
    )


@track_group.command(name="remove")
@click.argument("request_id", metavar="ID", type=TRACK_ID)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@click.option(
    "--not-mine",
    is_flag=True,
    help="Remove it even though it does not carry your seal (in a data folder others use "
    "too, it may be another member's request).",
)
def remove_request(request_id: int, yes: bool, not_mine: bool) -> None:
    """Stop tracking request ID (also one dsr cannot read); its letters are kept."""

    if not yes and cli.is_interactive():
        confirm_or_stop(f"Remove request {request_id} from tracking?", "nothing was removed")
    elif not yes:
        fail([f"track remove: add --yes to remove request {request_id} without a prompt"])
    if tracking.remove(request_id, not_mine=not_mine) == "forgotten":
        click.echo(
            f"Request {request_id}: forgotten (it was no longer in the store as you tracked it; "
            "what the store holds under that number is left as it is: 'dsr track remove "
            f"{request_id} --not-mine' removes it).",
            err=True,
        )
        return
    click.echo(f"Request {request_id}: removed from tracking (its letters are kept).", err=True)


@track_group.command()
@output_option("The .ics file.")
@force_option()
def ics(output: Path, force: bool) -> None:
    """Write a calendar with each open deadline and an alarm the day before."""

    tracking.refuse_own_file(output)  # the store, its manifest, a tracked letter
    if output.suffix.lower() != ".ics":
        fail([f"--output: {output.name!r} is not a .ics name; use one, such as deadlines.ics"])
    if output.exists() and not force:
        fail([f"--output: {output} exists; use --force to overwrite it"])
    _refuse_new_names("--output", output)
    found = tracking.read_requests()
    requests = [row for row in found if isinstance(row, tracking.Tracked)]
    atomic_write(output, tracking.calendar(requests, cli.today()), replace=force)
    click.echo(f"Wrote {shown(str(output))}", err=True)
    unreadable = _unreadable_of(found)
    if unreadable:  # its deadline is not in the calendar: say so, and how to correct it
        fail(unreadable)


@track_group.command()
@click.argument("request_id", metavar="ID", type=TRACK_ID)
@output_option("Reminder file (.pdf, .html, .txt, .eml).")
@date_option("the reminder")
@force_option("the output file, if it exists (never a letter the tracking store records)")
@engine_option("weasyprint")
@pdf_variant_option
@template_dir_option
def remind(
    request_id: int,
    output: Path,
    when: str | None,
    force: bool,
    engine: Engine,
    pdf_variant: PdfVariant | None,
    template_dir: Path | None,
) -> None:
    """Write a reminder for request ID, in the language of the request."""

    tracked = tracking.get(request_id)
    tracking.use_controller(tracked)
    day = _stored_date("--date", when)
    _write_tracked(
        tracking.reminder_values(tracked, day),
        output,
        force,
        tracked_of=tracked,
        rewrites=tracking.rewritable(tracked, "reminder_file"),  # recorded again, new
        options=WriteOptions(engine=engine, pdf_variant=pdf_variant, template_dir=template_dir),
    )
    tracking.mark_reminded(request_id, day, output)


@track_group.command()
@click.argument("request_id", metavar="ID", type=TRACK_ID)
@output_option("Complaint file (.pdf, .html, .txt, .eml).")
@date_option("the complaint")
@click.option(
    "--jurisdiction",
    metavar="CODE",
    help="Where you live, if the complaint needs more detail (DE-BY...).",
)
@click.option("--authority", metavar="SLUG", help="Send to this authority instead.")
@click.option(
    "--situation",
    help="Your reasons, where the letter needs them (a late application in Quebec).",
)
@click.option(
    "--to-authority",
    is_flag=True,
    help="GB: complain to the Information Commissioner now, without first complaining to "
    "the controller under s.164A DPA 2018.",
)
@force_option("the output file, if it exists (never a letter the tracking store records)")
@engine_option("weasyprint")
@pdf_variant_option
@template_dir_option
def escalate(
    request_id: int,
    output: Path,
    when: str | None,
    jurisdiction: str | None,
    authority: str | None,
    situation: str | None,
    to_authority: bool,
    force: bool,
    engine: Engine,
    pdf_variant: PdfVariant | None,
    template_dir: Path | None,
) -> None:
    """Write the complaint about request ID to the competent authority.

    It is written in the authority's language, recounts the correspondence and
    appends the original letter and the reminder as annexes.

    In the UK the Information Commissioner generally expects a complaint to
    the controller first (s.164A DPA 2018): where none was made, this writes
    that complaint; run it again for the complaint to the Commissioner.
    """

    tracked = tracking.get(request_id)
    tracking.use_controller(tracked)
    day = _parse_date("--date", when)
    if tracked.answered and day < tracked.answered:
        fail([f"--date: {day} is before the answer recorded for request {request_id} "
              f"({tracked.answered}); a complaint comes after it"])  # fmt: skip
    if tracking.needs_controller_complaint(tracked, authority) and not to_authority:
        tracking.check_storable(day, "--date")  # its date is stored: refused before writing
        _write_tracked(
            tracking.controller_complaint_values(tracked, day),
            output,
            force,
            tracked_of=tracked,
            rewrites=tracking.rewritable(tracked, "controller_complaint_file"),
            options=WriteOptions(engine=engine, pdf_variant=pdf_variant, template_dir=template_dir),
        )
        tracking.mark_controller_complaint(request_id, day, output)
        click.echo(
            "This is your complaint to the controller under s.164A DPA 2018, which the "
            "Information Commissioner generally expects first. The controller must "
            "acknowledge it within 30 days. If it does not resolve the matter, run "
            f"'dsr track escalate {request_id} -o complaint.pdf' again to complain to the "
            "Information Commissioner (or use --to-authority to do so now).",
            err=True,
        )
        return
    tracking.check_storable(day, "--date")  # its date is stored: refused before writing
    values = tracking.escalation_values(tracked, day, jurisdiction, authority)
    if situation:
        values["situation"] = situation
    options = WriteOptions(engine=engine, pdf_variant=pdf_variant, template_dir=template_dir)
    _write_tracked(values, output, force, timeline_of=tracked, options=options)
    tracking.mark_escalated(request_id, day, tracking.complaint_authority(values))


def _write_tracked(
    values: RawInput,
    output: Path,
    force: bool,
    timeline_of: Any = None,
    tracked_of: Any = None,
    rewrites: tuple[int, str] | None = None,
    options: WriteOptions | None = None,
) -> None:
    """Compose a follow-up from the store and write it through dsr.pipeline (the
    letter of ``dsr letter`` with the same values, byte for byte)."""

    _checked_output(output, None, force, rewrites)
    try:
        request = parse_request(values, today=cli.today())
    except InvalidRequest as error:
        raise _as_follow_up_problems(error, values) from error

    refuse_output_among_inputs(output, [("an annex,", Path(p)) for p in request.enclosures])
    tracked = timeline_of if timeline_of is not None else tracked_of
    annexes = annex_contents(tracked, list(request.enclosures))
    try:  # a reminder keeps the letter's courtesy translation (the complaint has none)
        document = document_of(request, annexes)
    except InvalidRequest as error:
        raise _as_follow_up_problems(error, values) from error
    if timeline_of is not None:
        document = replace(document, letter=with_timeline(document.letter, timeline_of))
    composed = document.letter
    made = write_letter(document, output, options, force=force)
    if made.note:
        click.echo(f"Note: {shown(made.note)}", err=True)
    click.echo(
        f"Wrote {shown(str(output))} ({composed.kind.value}, {composed.language}, to "
        f"{shown(composed.recipient.name)})",
        err=True,
    )


# Dates a follow-up takes from the store, not from its own options: a problem with one
# is a problem with the follow-up's --date, the one date the member gives here.
_TRACKED_DATES: dict[str, str] = {
    "request-date": "the request was sent",
    "controller-complaint-date": "the complaint to the controller was made",
}


class FollowUpProblems(Refused):
    """A tracked request's follow-up cannot be written: one line per problem, exit 2,
    each naming the command's own option or the tracked request, never an option of
    'dsr letter' the member did not give here."""


def _own_options() -> frozenset[str]:
    """The long options of the command running now (``date``, ``jurisdiction``...)."""
    context = click.get_current_context(silent=True)
    if context is None:
        return frozenset({"date"})
    return frozenset(
        option[2:]
        for parameter in context.command.params
        for option in parameter.opts
        if option.startswith("--")
    )


def _as_follow_up_problems(error: InvalidRequest, values: RawInput) -> FollowUpProblems:
    """``error`` as a follow-up's member reads it: a tracked date's problem named as
    --date, with the date the letter would carry and the tracked one; a problem with
    an option of this command named as that option; any other (a value the request
    was tracked with, which dsr now refuses) named as the tracked request's."""
    letter_date = values.get("date") or cli.today().isoformat()
    own = _own_options()
    context = click.get_current_context(silent=True)
    request_id = context.params.get("request_id") if context is not None else None
    request = f"request {request_id}" if request_id else "the tracked request"
    lines = []
    for problem in error.problems:
        what = _TRACKED_DATES.get(problem.field)
        if what is not None:
            tracked = values.get(problem.field)
            lines.append(
                f"--date: {letter_date} (the letter's date; {what} {tracked}): {problem.message}"
            )
        elif problem.field in own:
            lines.append(format_problem(problem))
        else:
            lines.append(
                f"{request}: its {problem.field.replace('-', ' ')}, as it was tracked: "
                f"{problem.message}; write and track the letter again ('dsr letter … "
                f"--track'), or remove this request ('dsr track remove {request_id or 'ID'}')"
            )
    return FollowUpProblems(lines)
