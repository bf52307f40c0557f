"""dsr letter: one letter, guided on a terminal."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .. import cli, guide, registry
from .. import track as tracking
from ..batch import OutputFolders, profile_enclosures
from ..choices import KIND_DESCRIPTIONS
from ..cli import (
    NamedPath,
    ProfileFile,
    date_option,
    engine_option,
    fail,
    force_option,
    format_option,
    format_problem,
    output_option,
    pdf_variant_option,
    shown,
)
from ..cliwords import said
from ..controller_files import load_controller_file
from ..errors import DsrError, InvalidRequest, RegistryError
from ..files import refuse_output_among_inputs
from ..formats import Engine, Format, PdfVariant, WriteOptions
from ..inputs import RawInput, files_of, missing_fields, parse_request, put
from ..model import Kind, Outcome
from ..outputs import mailto as mailto_link
from ..pipeline import document_of, write_letter
from ..ui import N_
from .common import (
    _checked_output,
    _completion,
    _load_profile,
    _remedy_note,
    _say_tracked,
    template_dir_option,
)

# The kinds' one-line help: the web page's words (the "ui" catalog, dsr.choices), but
# the reminder's, which names the CLI's flag.
KIND_HELP = {
    **KIND_DESCRIPTIONS,
    Kind.REMINDER: "reminder after the deadline of your request passed (needs --request-date)",
}
REQUEST_KINDS = "|".join(k.value for k in Kind.requests())

PROMPTS = {
    "kind": "Letter kind (" + ", ".join(k.value for k in Kind) + ")",
    "jurisdiction": "Where do you live? Country code, e.g. DE, FR, IE, DE-BY",
    "name": N_("Your full name"),  # the web page's label: the "ui" catalog
    "address": "Your postal address (lines separated by commas)",
    "account-email": N_("The e-mail address of your account"),
    "request-date": "Date of your earlier request (YYYY-MM-DD)",
    "request-kind": "What did that request ask for (" + REQUEST_KINDS.replace("|", ", ") + ")",
}

MISSING_HINTS = {
    "kind": "the letter kind, one of " + ", ".join(k.value for k in Kind),
    "jurisdiction": "where you live, e.g. DE, FR, IE or DE-BY ('dsr list jurisdictions')",
    "name": "your full name",
    "address": "your postal address",
    "account-email": "the e-mail address your account is registered with",
    "situation": "grounds relating to your particular situation, required for art21",
    "request-date": "the date of your request to the controller, YYYY-MM-DD",
    "request-kind": "the kind of request you sent the controller, one of " + REQUEST_KINDS,
    "output": "the file to write, .pdf, .html, .txt or .eml (- for standard output)",
}

SITUATION_HELP = """\
An Art. 21(1) objection must give grounds relating to your particular
situation: why the processing of your data affects you in particular.
For example:
  - "As a journalist I protect my sources; my posts and contacts must not
    be reproduced or inferred by AI models."
  - "My profile shows my health-related volunteer work; I do not want it
    used to train models that others can query."
  - "I was harassed online; AI outputs that reproduce my name and career
    details put me at risk."
"""


@click.command()
@click.option(
    "--kind",
    metavar="KIND",
    help="Letter kind: " + ", ".join(k.value for k in Kind) + ".",
    shell_complete=_completion("kinds"),
)
@click.option(
    "--jurisdiction",
    metavar="CODE",
    help="Where you live: DE, FR, IE, DE-BY... ('dsr list jurisdictions').",
    shell_complete=_completion("jurisdictions"),
)
@click.option(
    "--controller",
    metavar="SLUG",
    help="The company you write to (default: linkedin).",
    shell_complete=_completion("controllers"),
)
@click.option("--name", help="Your full name.")
@click.option("--address", help="Your postal address; lines separated by commas or newlines.")
@click.option("--email", help="Your e-mail address for replies (default: the account e-mail).")
@click.option("--account-email", help="The e-mail address your account is registered with.")
@click.option("--profile-url", help="Your public profile URL.")
@click.option(
    "--lang",
    metavar="LANG",
    help="Letter language ('dsr list languages'); default: your country's, "
    "or the authority's for complaints.",
    shell_complete=_completion("languages"),
)
@date_option("the letter", dest="date_")
@click.option("--situation", help="art21: grounds relating to your particular situation.")
@click.option(
    "--request-date",
    metavar="YYYY-MM-DD",
    help="complaint: date of your request to the controller.",
)
@click.option(
    "--request-kind",
    metavar="KIND",
    help="complaint, reminder: what your request to the controller was: " + REQUEST_KINDS + ".",
    shell_complete=_completion("request-kinds"),
)
@click.option(
    "--controller-complaint-date",
    metavar="YYYY-MM-DD",
    help="complaint in GB: date of your complaint to the controller under s.164A DPA 2018.",
)
@click.option(
    "--outcome",
    metavar="OUTCOME",
    help="complaint: what happened since: "
    + ", ".join(o.value for o in Outcome)
    + " (default: none, no answer).",
)
@click.option(
    "--enclose",
    multiple=True,
    metavar="FILE.pdf",
    help="complaint: an earlier letter to list and append as an annex (repeatable).",
)
@click.option(
    "--authority",
    metavar="SLUG",
    help="complaint: send to this authority instead ('dsr list authorities').",
    shell_complete=_completion("authorities"),
)
@click.option(
    "--place",
    help="Place before the date, printed as typed, in the form your language writes it there "
    "(cs 'V Praze', fi 'Helsingissä'). Default: your town from the address, where the "
    "language's letters name it in the nominative; cs, sk, fi, et, lv, en, ga, mt letters "
    "then give the date alone.",
)
@click.option("--reference", help="Reference number (default: derived from the request).")
@click.option(
    "--profile",
    "profile_file",
    type=ProfileFile(dir_okay=False, path_type=Path),
    help="TOML file with your details (name, address, email, account-email, ...).",
)
@click.option(
    "--also-lang",
    metavar="LANG",
    help="Append a courtesy translation into LANG; the letter's own language prevails.",
    shell_complete=_completion("languages"),
)
@click.option(
    "--controller-file",
    type=NamedPath(dir_okay=False, exists=True, path_type=Path),
    help="Write to a company described in FILE (dsr's format or a datarequests.org record).",
)
@template_dir_option
@output_option(
    "Output file: .pdf, .html, .txt or .eml; - for standard output. On a terminal "
    "dsr proposes one when it is left out.",
    dash=True,
)
@force_option("the output file, if it exists (never a letter the tracking store records)")
@click.option(
    "--track", is_flag=True, help="Record the request to follow its deadline ('dsr track')."
)
@pdf_variant_option
@click.option("--mailto", is_flag=True, help="Also print a mailto: link (or the web form to use).")
@format_option("the suffix of -o, else pdf")
@engine_option("weasyprint")
@click.option("--open", "open_file", is_flag=True, help="Open the written file.")
def letter(
    profile_file: Path | None,
    fmt: Format | None,
    engine: Engine,
    open_file: bool,
    also_lang: str | None,
    controller_file: Path | None,
    output: Path | None,
    force: bool,
    template_dir: Path | None,
    track: bool,
    pdf_variant: PdfVariant | None,
    mailto: bool,
    date_: str | None,
    enclose: tuple[str, ...],
    **options: str | None,
) -> None:
    """Write one letter.

    \b
    Example:
      dsr letter --kind objection --jurisdiction DE --controller linkedin \\
        --name "Erika Mustermann" --address "Hauptstraße 1, 10115 Berlin" \\
        --account-email erika@example.org --lang de -o objection.pdf
    """
    if output is not None:  # else asked for on a terminal, or reported missing, below
        fmt = _checked_output(output, fmt, force)
    if str(output) == "-" and (track or open_file):
        option = "--track" if track else "--open"
        fail([f"{option}: a letter written to standard output (-o -) has no file to "
              f"{'track' if track else 'open'}; give -o a file name"])  # fmt: skip
    values: RawInput = _load_profile(profile_file) if profile_file else {}
    if profile_file is not None and "enclose" in values and not enclose:
        # A profile may be someone else's (a kit, a shared drive): its annexes are held
        # to its own folder, as a batch row's are to the annex folder.

        try:
            values["enclose"] = files_of(profile_enclosures(profile_file, values["enclose"]))
        except ValueError as error:
            fail([f"--profile: {profile_file}: enclose: {shown(said(error))}"])
    for key, value in options.items():
        if value is not None:
            put(values, key.replace("_", "-"), value)
    if date_ is not None:
        values["date"] = date_
    if also_lang is not None:
        values["also-lang"] = also_lang  # checked by parse_request, as a batch column is
    if enclose:
        values["enclose"] = list(enclose)
    controller_record: dict[str, Any] | None = None
    if controller_file is not None:
        try:
            loaded, controller_record = load_controller_file(controller_file)
        except RegistryError as error:
            fail([f"--controller-file: {said(error)}"])
        registry.register_controller(loaded)
        values["controller"] = loaded.slug

    missing = missing_fields(values)
    guided = cli.is_interactive() and bool(missing or output is None)  # questions were asked
    if cli.is_interactive():
        if missing:
            wording = guide.Wording(PROMPTS, KIND_HELP, SITUATION_HELP)
            guide.ask_missing(values, wording, cli.today())
        guide.ask_for_subdivision(values)
        if output is None:
            output = guide.ask_output(values, Path.cwd(), force, fmt)
    elif missing or output is None:
        lines = [f"missing --{field}: {MISSING_HINTS.get(field, field)}" for field in missing]
        if output is None:
            lines.append(f"missing -o/--output: {MISSING_HINTS['output']}")
        try:
            parse_request(values, today=cli.today())
        except InvalidRequest as error:
            lines += [format_problem(p) for p in error.problems if p.message != "is required"]
        fail(lines)
    if output is None:  # asked for on a terminal, reported missing without one
        fail([f"missing -o/--output: {MISSING_HINTS['output']}"])
    fmt = _checked_output(output, fmt, force)
    try:
        request = parse_request(values, today=cli.today())
    except InvalidRequest as error:
        if profile_file is None or enclose:
            raise
        # The profile's annexes: named as the profile's, not as an option never typed.
        fail([
            f"--profile: {profile_file}: enclose: {problem.message}"
            if problem.field == "enclose" else format_problem(problem)
            for problem in error.problems
        ])  # fmt: skip

    refuse_output_among_inputs(
        output,
        [("--enclose", Path(p)) for p in request.enclosures]
        + [(option, path) for option, path in (("--profile", profile_file),
           ("--controller-file", controller_file)) if path is not None],
    )  # fmt: skip
    if request.enclosures and not enclose:  # from the profile: say what it adds
        for annex in request.enclosures:
            click.echo(
                f"Encloses {shown(annex)} (from --profile {shown(str(profile_file))})", err=True
            )
    if request.enclosures and enclose:  # what dsr batch refuses is the member's own choice here
        try:
            known = OutputFolders.known()
        except (DsrError, OSError):  # a warning never stops the letter: the mark is still read
            known = OutputFolders()
        for annex in request.enclosures:
            reason = known.written_by_dsr(Path(annex))
            if reason:
                click.echo(
                    f"Warning: --enclose {shown(annex)}: {shown(reason)}; it is enclosed as "
                    "you asked: make sure it is your own letter, not another member's.",
                    err=True,
                )

    document = document_of(request, tuple(Path(p) for p in request.enclosures))
    composed = document.letter
    if not track and str(output) != "-" and guided:
        track = guide.offer_tracking()  # asked before the letter is written, as --track is
    if fmt is Format.EML and not composed.recipient_email:
        # No e-mail without a To: (issue 15): say where the letter goes instead.
        where = (
            f"paste the text into its form, {composed.web_form} (-o letter.txt)"
            if composed.web_form
            else "post the PDF (-o letter.pdf); its address is in the letter"
        )
        fail([f"--output: {composed.recipient.name} publishes no e-mail address for "
              f"this request, so dsr writes no e-mail to it; {where}"])  # fmt: skip
    write_options = WriteOptions(fmt, engine, pdf_variant, template_dir)
    recorded = None
    if str(output) == "-":
        made = write_letter(document, sys.stdout.buffer, write_options)
    elif track:  # the store checked before the letter is written, then the letter recorded
        try:
            made, recorded = tracking.write_tracked(
                document, request, values, output, write_options, force=force,
                controller_record=controller_record,
            )  # fmt: skip
        except tracking.NotTracked as error:
            fail([f"--track: wrote {output}, which is kept, but could not track it: "
                  f"{said(error.error)}"])  # fmt: skip
    else:
        made = write_letter(document, output, write_options, force=force)
    if made.note:
        click.echo(f"Note: {shown(made.note)}", err=True)
    if recorded is not None:
        _say_tracked(recorded, composed.date)
    recipient = composed.recipient.name
    click.echo(
        f"Wrote {'the letter' if str(output) == '-' else shown(str(output))} "
        f"({composed.kind.value}, {composed.language}, "
        f"to {shown(recipient)}; reference {composed.reference})",
        err=True,
    )
    if composed.kind is Kind.CONTROLLER_COMPLAINT:
        click.echo(f"Acknowledgement due by {composed.deadline.isoformat()}.", err=True)
    elif composed.kind is not Kind.COMPLAINT and composed.deadline:
        click.echo(f"Reply due by {composed.deadline.isoformat()}.", err=True)
    if composed.remedy_deadline is not None and composed.outcome is Outcome.NONE:
        _remedy_note(composed)
    if (
        composed.kind is Kind.COMPLAINT
        and "controller_complaint" in composed.citations
        and not composed.controller_complaint_date
    ):
        click.echo(
            f"Note: the {composed.recipient.name} generally expects you to complain to "
            f"{composed.controller_name} first ({composed.citations['controller_complaint']}): "
            "write that with --kind controller-complaint, and give its date here with "
            "--controller-complaint-date.",
            err=True,
        )
    if fmt is Format.TXT and composed.objection_form and composed.kind is Kind.OBJECTION:
        click.echo(f"Paste the text into {composed.objection_form}", err=True)
    guided_next = cli.is_interactive() and str(output) != "-"
    step = guide.next_step(composed, fmt, output) if guided_next else None
    form = composed.objection_form if composed.kind is Kind.OBJECTION else None
    text_file = output.with_suffix(".txt")
    if (
        guided
        and form
        and fmt is not Format.TXT
        and not (text_file.exists() or text_file.is_symlink())
        and click.confirm(
            f"Also write the text to paste into the form, as {text_file.name}?", default=True
        )
    ):  # the member answered questions only: no command to add -o NAME.txt to
        write_letter(document, text_file, WriteOptions(Format.TXT, template_dir=template_dir))
        click.echo(f"Wrote {shown(str(text_file))}", err=True)
        step = guide.next_step(composed, fmt, output, text_file)
    if step:
        click.echo(shown(step), err=True)
    if mailto:
        link = mailto_link(composed, template_dir)
        if link:
            click.echo(link)
        elif composed.web_form:
            click.echo(
                f"{composed.recipient.name} takes no e-mail; use its form: {composed.web_form}"
            )
        else:
            click.echo(f"{composed.recipient.name} publishes no e-mail address; send it by post.")
    if open_file and click.launch(str(output.resolve())) != 0:  # never read as a URL or option
        click.echo(f"Note: could not open {shown(str(output))}; open it yourself.", err=True)
