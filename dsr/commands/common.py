"""What several commands share: options' completion, profiles, output and date checks."""

from __future__ import annotations

import sys
import tomllib
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from .. import (
    choices,  # loads the registries: only when completing, not for --help
    cli,
)
from ..cli import NamedPath, fail, shown
from ..cliwords import said
from ..errors import InputError
from ..files import UnsafeFile, check_new_names, check_regular
from ..formats import Format
from ..inputs import FIELDS, ISO_DAY, RawInput, field_key, put
from ..limits import MAX_DEPTH, TOO_MANY_DIGITS, LimitError, check_depth, read_limited
from ..model import Kind
from ..sandbox import user_template_dir
from ..track import check_storable, refuse_own_file


def _completion(what: str) -> Callable[[click.Context, click.Parameter, str], list[Any]]:
    """Shell completion of an option's values from ``dsr.choices`` (``_DSR_COMPLETE``)."""

    def complete(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[Any]:
        from click.shell_completion import CompletionItem

        found: list[tuple[str, str]]
        if what == "kinds":
            found = [(k.code, k.description) for k in choices.kinds()]
        elif what == "request-kinds":
            requests = {k.value for k in Kind.requests()}
            found = [(k.code, k.description) for k in choices.kinds() if k.code in requests]
        elif what == "jurisdictions":
            found = [(j.code, j.name) for j in choices.jurisdictions()]
        elif what == "languages":
            found = [(lang.code, lang.english_name) for lang in choices.languages()]
        elif what == "controllers":
            found = [(c.code, c.service) for c in choices.controllers()]
        else:
            found = [(a.code, a.name_en) for a in choices.authorities()]
        typed = incomplete.casefold()
        return [CompletionItem(code, help=text) for code, text in found
                if code.casefold().startswith(typed)]  # fmt: skip

    return complete


def _template_folder(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path | None:
    """The template folder to load (``dsr templates --source``'s folder means its
    templates/), its notes said; a folder holding no templates is refused (exit 2)."""
    if value is None:
        return None
    folder, notes = user_template_dir(value)
    for note in notes:
        click.echo(shown(note), err=True)
    return folder


template_dir_option = click.option(
    "--template-dir",
    type=NamedPath(file_okay=False, exists=True, path_type=Path),
    callback=_template_folder,
    help="Folder of templates (and catalogs) overriding the built-in ones, run sandboxed: "
    "the folder 'dsr templates --source' wrote, edited.",
)


def _load_profile(path: Path, option: str = "--profile") -> RawInput:
    """The values of a TOML file of option names (``option`` names it in errors)."""

    try:
        # A BOM, as older Windows editors save one, is not part of the TOML.
        data = check_depth(tomllib.loads(read_limited(path).decode("utf-8-sig")), str(path))
    except LimitError as error:  # /dev/zero, a FIFO, a huge file
        fail([f"{option}: {said(error)}"])
    except UnicodeDecodeError:
        fail([f"{option}: {path} is not UTF-8 text"])
    except RecursionError:
        fail([f"{option}: {path}: nested more than {MAX_DEPTH} levels deep"])
    except tomllib.TOMLDecodeError as error:
        fail([f"{option}: {path} is not valid TOML: {said(error)}"])
    except ValueError:  # a number of thousands of digits
        fail([f"{option}: {path} {TOO_MANY_DIGITS}"])

    values: RawInput = {}
    unknown = []
    for key, value in data.items():
        name = field_key(key)  # as parse_request and batch columns read it
        if name in values:
            fail([f"{option}: {path}: the key {name!r} appears more than once; keep one"])
        if name in FIELDS:
            put(values, name, value)
        else:
            unknown.append(key)
    if unknown:
        fail([f"{option}: {path}: unknown key {k!r}; use {', '.join(FIELDS)}" for k in unknown])
    return values


def _say_tracked(recorded: Any, sent: date) -> None:
    """Tell the member which request tracks the letter just written (``dsr letter --track``):
    a new one, or the one with its reference, company and kind, updated."""
    if not recorded.updated:
        click.echo(f"Tracking it as request {recorded.id} ('dsr track list').", err=True)
        return
    before = ", ".join(shown(name) for name in recorded.files_before) or "no file"
    click.echo(
        f"Request {recorded.id} already tracked this reference, company and kind: updated "
        f"it with this letter (it listed {before}; those files are kept, but follow-ups no "
        "longer append them).",
        err=True,
    )
    if recorded.sent_before is not None and recorded.sent_before != sent:
        click.echo(
            f"Its sending date is now {sent.isoformat()} (was "
            f"{recorded.sent_before.isoformat()}); if the letter went out on another day: "
            f"'dsr track sent {recorded.id} --date YYYY-MM-DD'.",
            err=True,
        )


def _remedy_note(composed: Any) -> None:
    """Quebec: the application against an unanswered request has its own 30 days (s.43)."""
    last_day = composed.remedy_deadline.isoformat()
    if composed.kind is Kind.REMINDER:
        ends = "ended" if composed.date > composed.remedy_deadline else "ends"
        click.echo(
            f"Note: a reminder does not stop the law's period for applying to the authority "
            f"about the unanswered request; it {ends} on {last_day} ('--kind complaint').",
            err=True,
        )
    elif composed.date > composed.remedy_deadline:
        reason = "" if composed.situation else " Give your reason with --situation."
        click.echo(
            f"Note: the law's period for this application ended on {last_day}; the letter "
            f"asks to be released from that delay for reasonable cause.{reason}",
            err=True,
        )
    else:
        click.echo(f"Note: send it by {last_day}, the last day the law allows.", err=True)


def _checked_output(
    output: Path, fmt: Format | None, force: bool, rewrites: tuple[int, str] | None = None
) -> Format:
    """The format a letter is written in (``--format``, else ``-o``'s suffix), once ``-o``
    is known to be a file dsr may write: ``-`` (standard output), or a new file, or
    (with ``--force``) one that is not the tracking store's."""
    if str(output) == "-":
        chosen = fmt or Format.PDF
        if chosen in (Format.PDF, Format.EML) and sys.stdout.isatty():
            fail([f"--output: -: a {chosen.value} file is not for a terminal; redirect it "
                  "(-o - > letter.pdf) or choose --format txt"])  # fmt: skip
        return chosen
    try:
        named = Format.of(output)
    except InputError as error:
        fail([f"--output: {said(error)}"])
    if fmt is not None and fmt is not named:
        fail([f"--output: {output.name!r} names a .{named.value} file, --format {fmt.value}; "
              f"end it in {fmt.suffix} or leave --format out"])  # fmt: skip

    refuse_own_file(output, rewrites)  # the store, its manifest, a tracked letter; --force or not
    if output.exists() and not force:
        fail([f"--output: {output} exists; use --force to overwrite it"])
    _refuse_new_names("--output", output)
    return named


def _refuse_new_names(option: str, path: Path, *, folder: bool = False) -> None:
    """Refuse (exit 2) a file or folder name ``option`` would have dsr create (a
    text-direction control in it, say), before anything is written. A file's name
    that is taken must be a file (or a link, which is replaced): a folder or a FIFO
    there would stop the run at its end, with everything else written."""

    try:
        check_new_names(path, folder=folder)
        if not folder and not path.is_symlink():
            check_regular(path)
    except UnsafeFile as error:
        fail([f"{option}: {said(error)}"])


def _parse_date(option: str, value: str | None) -> date:
    if value is None:
        return cli.today()

    try:
        if not ISO_DAY.fullmatch(value):
            raise ValueError(value)
        return date.fromisoformat(value)
    except ValueError:
        fail([f"{option}: {value!r} is not a date; use YYYY-MM-DD"])


def _stored_date(option: str, value: str | None) -> date:
    """A date the tracking store will hold: refused (exit 2) if it could not read it back."""

    day = _parse_date(option, value)
    check_storable(day, option)
    return day
