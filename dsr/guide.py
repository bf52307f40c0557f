"""The guided ``dsr letter``: one question at a time on a terminal.

CLI-side (it prompts with Click); the library never imports it. Each answer is
checked at once by :func:`dsr.inputs.parse_request`, keeping the problems of
that field alone, and a wrong answer is asked again with a suggestion: no
earlier answer is lost. Countries are recognised by code or by name, in English
or in the country's languages and dsr's own (Babel's territory names).
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import click

from . import registry
from .errors import InvalidRequest
from .i18n import language_name, shipped_languages
from .inputs import (
    RawInput,
    default_language,
    drop,
    field_key,
    jurisdiction_named,
    missing_fields,
    normalise_kind,
    parse_request,
    put,
)
from .model import Kind, Letter
from .pipeline import Format, UnknownFormat
from .text import printable
from .ui import gettext

DEFAULT_KIND = Kind.OBJECTION
DEFAULT_CONTROLLER = "linkedin"
# Fields a question can mend; a problem in any other field is left to the command.
ASKED = (
    "kind",
    "jurisdiction",
    "controller",
    "name",
    "address",
    "account-email",
    "situation",
    "request-date",
    "request-kind",
)
TRACK_QUESTION = "Track this request to be reminded of its deadline?"


@dataclass(frozen=True)
class Wording:
    """The CLI's own texts: the questions, the kinds' one-line help, the situation's."""

    prompts: Mapping[str, str]
    kind_help: Mapping[Kind, str]
    situation_help: str


def _key(text: str) -> str:
    """``text`` compared without case, accents, spaces, dots or dashes."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def _say(text: str) -> None:
    click.echo(printable(text), err=True)


def field_problems(values: Mapping[str, Any], field: str, today: date) -> list[str]:
    """What :func:`parse_request` finds wrong with ``field`` among ``values``."""
    try:
        parse_request(values, today=today)
    except InvalidRequest as error:
        return [
            p.message
            for p in error.problems
            if p.field == field and p.message != gettext("is required")
        ]
    return []


def _ask(
    values: RawInput,
    field: str,
    question: str,
    today: date,
    *,
    default: str | None = None,
    resolve: Callable[[str], tuple[str | None, str | None]] | None = None,
) -> None:
    """Ask ``question`` until the answer for ``field`` has no problem of its own.

    ``resolve`` turns an answer into the value (or None and why not, with a suggestion).
    """
    while True:
        answer = str(click.prompt(question, default=default, err=True)).strip()
        value: str | None = answer
        if resolve is not None:
            value, why = resolve(answer)
            if value is None:
                _say(f"  {why}")
                continue
        trial = {**values, field: value}
        problems = field_problems(trial, field, today)
        if problems:
            for problem in problems:
                _say(f"  {problem}")
            continue
        put(values, field, value)
        return


def _near(answer: str, choices: Mapping[str, str]) -> list[str]:
    """The values of ``choices`` (keyed by :func:`_key`) whose keys are near ``answer``'s."""
    keys = difflib.get_close_matches(_key(answer), list(choices), n=3, cutoff=0.6)
    return list(dict.fromkeys(choices[k] for k in keys))


def _kind_word(answer: str) -> str:
    return field_key(answer)  # the one normaliser of keys and choices


def resolve_kind(
    answer: str, kinds: tuple[Kind, ...] = tuple(Kind)
) -> tuple[str | None, str | None]:
    """A kind in any case ("ERASURE", "Controller_Complaint"), or why not."""
    kind = normalise_kind(_kind_word(answer))
    if kind in kinds:
        return str(kind), None
    known = {_key(k.value): k.value for k in kinds}
    near = _near(answer, known)
    hint = f"; did you mean {' or '.join(near)}?" if near else ""
    return None, (
        f"{answer!r} is not a kind dsr writes{hint} Use one of {', '.join(known.values())}."
    )


def resolve_country(answer: str) -> tuple[str | None, str | None]:
    """The jurisdiction named by ``answer`` ("Spain", "España", "de-by"), or why not,
    as every front end reads it (:func:`dsr.inputs.jurisdiction_named`)."""
    return jurisdiction_named(answer)


def resolve_controller(answer: str) -> tuple[str | None, str | None]:
    """A company by its slug or its service's name ("ChatGPT" is openai), or why not."""
    controllers = registry.controllers()
    by_key = {_key(slug): slug for slug in controllers}
    by_key.update({_key(c.service): slug for slug, c in controllers.items() if _key(c.service)})
    slug = by_key.get(_key(answer))
    if slug is not None:
        return slug, None
    near = _near(answer, by_key)
    hint = f"Did you mean {' or '.join(near)}? " if near else ""
    return None, (
        f"{answer!r} is not a company dsr knows. {hint}Use one of "
        f"{', '.join(sorted(controllers))} ('dsr controllers import' adds others)"
    )


def ask_for_subdivision(values: RawInput) -> None:
    """Complaints from a country with one authority per region need the region."""
    code = jurisdiction_named(str(values.get("jurisdiction") or ""))[0] or ""
    found = registry.jurisdictions().get(code)
    if (
        normalise_kind(values.get("kind")) is Kind.COMPLAINT
        and found is not None
        and found.complaint_needs_subdivision
        and not values.get("authority")
    ):
        codes = registry.subdivisions_of(found.country)
        click.echo(f"Complaints in {code} go to the authority of your Land (state).", err=True)
        values["jurisdiction"] = click.prompt(
            "Your Land", type=click.Choice(codes, case_sensitive=False), err=True
        ).upper()


def letter_language(values: Mapping[str, Any]) -> str | None:
    """The language the letter will be written in, as :func:`parse_request` chooses it
    (``lang``, else the authority's or the jurisdiction's, in its regional form);
    None while neither a known language nor the jurisdiction is given."""
    shipped = shipped_languages()
    typed = field_key(values.get("lang") or "")
    language = next((s for s in shipped if typed and field_key(s) == typed), None)
    code = jurisdiction_named(str(values.get("jurisdiction") or ""))[0]
    jurisdiction = registry.jurisdictions().get(code or "")
    if jurisdiction is None:
        return language
    if language is None:
        authority = field_key(values.get("authority") or "") or None
        language = default_language(
            jurisdiction.code, normalise_kind(values.get("kind")), authority
        )
    return jurisdiction.regional_forms.get(language, language)


def situation_question(values: Mapping[str, Any]) -> str:
    """The question for the particular situation, naming the letter's language: it is
    printed in the letter as typed ("Your particular situation, in German (Deutsch)")."""
    language = letter_language(values)
    if language is None:
        return "Your particular situation, in the letter's language"
    english, own = language_name(language, "en"), language_name(language)
    return f"Your particular situation, in {english}" + (f" ({own})" if own != english else "")


def _ask_kind(values: RawInput, wording: Wording, today: date) -> None:
    width = max(len(k.value) for k in Kind)
    _say("What kind of letter?")
    for kind in Kind:
        _say(f"  {kind.value:<{width}}  {gettext(wording.kind_help.get(kind, ''))}")
    _ask(values, "kind", "Kind", today, default=DEFAULT_KIND.value, resolve=resolve_kind)


def _ask_field(values: RawInput, field: str, wording: Wording, today: date) -> None:
    if field == "kind":
        _ask_kind(values, wording, today)
    elif field == "jurisdiction":
        question = "Where do you live? A country's name or code (Spain, España, ES, DE-BY)"

        def resolve_with_land(answer: str) -> tuple[str | None, str | None]:
            code, why = resolve_country(answer)
            if code is not None:  # a German complaint: the Land before the check
                trial: RawInput = {**values, "jurisdiction": code}
                ask_for_subdivision(trial)
                code = str(trial["jurisdiction"])
            return code, why

        _ask(values, field, question, today, resolve=resolve_with_land)
    elif field == "controller":
        slugs = ", ".join(sorted(registry.controllers()))
        _ask(
            values,
            field,
            f"Which company do you write to? ({slugs})",
            today,
            default=DEFAULT_CONTROLLER,
            resolve=resolve_controller,
        )
    elif field == "situation":
        click.echo(wording.situation_help, err=True)  # dsr's own text, with its line breaks
        _ask(values, field, situation_question(values), today)
    elif field == "request-kind":
        _ask(
            values,
            field,
            gettext(wording.prompts.get(field, field)),
            today,
            resolve=lambda answer: resolve_kind(answer, Kind.requests()),
        )
    else:
        _ask(values, field, gettext(wording.prompts.get(field, field)), today)


def ask_missing(values: RawInput, wording: Wording, today: date) -> None:
    """Ask for every field ``values`` lacks, then again for any answer that a later
    one made wrong (art21 where it does not apply), until no asked field has a problem.
    """
    if "kind" in missing_fields(values):
        _ask_kind(values, wording, today)
    if "jurisdiction" in missing_fields(values):
        _ask_field(values, "jurisdiction", wording, today)
    if not values.get("controller"):
        _ask_field(values, "controller", wording, today)
    # The kind, the country and the company decide what else is asked: mended first.
    _settle(values, ("kind", "jurisdiction", "controller"), wording, today)
    while missing := missing_fields(values):  # a kind can make more fields required
        _ask_field(values, missing[0], wording, today)
    _settle(values, ASKED, wording, today)


def _settle(values: RawInput, fields: tuple[str, ...], wording: Wording, today: date) -> None:
    """Ask again for each of ``fields`` that has a problem among all the answers."""
    for _ in range(len(fields) * 3):  # a bound: each round asks the member something
        try:
            parse_request(values, today=today)
        except InvalidRequest as error:
            mendable = [
                p for p in error.problems if p.field in fields and p.message != "is required"
            ]
            if not mendable:
                return  # the command reports what an option or the profile got wrong
            problem = mendable[0]
            _say(f"{problem.field}: {problem.message}")
            drop(values, problem.field)
            _ask_field(values, problem.field, wording, today)
            while missing := [f for f in missing_fields(values) if f in fields]:
                _ask_field(values, missing[0], wording, today)
        else:
            return


def proposed_output(values: Mapping[str, Any], folder: Path, suffix: str = ".pdf") -> Path:
    """A file name in ``folder`` that names the letter and overwrites nothing:
    objection-linkedin-de.pdf, then objection-linkedin-de-2.pdf, -3...
    """
    typed = str(values.get("jurisdiction") or "")
    parts = [
        str(values.get("kind") or DEFAULT_KIND.value),
        str(values.get("controller") or DEFAULT_CONTROLLER),
        jurisdiction_named(typed)[0] or typed,  # "Deutschland" is de
    ]
    stem = "-".join(_kind_word(part) for part in parts if part.strip())
    stem = "".join(ch for ch in stem if ch.isalnum() or ch in "-.") or "letter"
    candidate = folder / f"{stem}{suffix}"
    number = 2
    while candidate.exists() or candidate.is_symlink():
        candidate = folder / f"{stem}-{number}{suffix}"
        number += 1
    return candidate


def ask_output(
    values: Mapping[str, Any], folder: Path, force: bool, fmt: Format | None = None
) -> Path:
    """Ask where to write the letter, proposing a name that overwrites nothing."""
    proposal = proposed_output(values, folder, (fmt or Format.PDF).suffix)
    while True:
        answer = str(click.prompt("Write the letter to", default=proposal.name, err=True)).strip()
        path = Path(answer).expanduser()  # as typed: relative to the current folder
        try:
            Format.of(path)
        except UnknownFormat as error:
            _say(f"  {error}; for example {proposal.name}")
            continue
        if path.is_dir():
            _say(f"  {answer} is a folder; give a file's name, for example {proposal.name}")
            continue
        if (path.exists() or path.is_symlink()) and not force:
            free = proposed_output(values, path.parent, path.suffix.lower())
            _say(f"  {answer} exists; it is kept. Answer {free.name}, or use --force to overwrite")
            proposal = free
            continue
        return path


def offer_tracking() -> bool:
    return click.confirm(TRACK_QUESTION, default=False, err=True)


def _one_line(lines: tuple[str, ...], *more: str | None) -> str:
    return ", ".join(" ".join(line.split()) for line in (*lines, *more) if line and line.strip())


def next_step(
    letter: Letter, fmt: Format, output: Path | None = None, text_file: Path | None = None
) -> str | None:
    """One line: where the written letter goes (a web form, the post, an e-mail address).

    An objection to a company with an objection form leads with the form, free and
    at once, before the post; as text (``text_file``, written beside the letter, or
    ``output``'s name with ``.txt``) it is ready to paste. None for such an objection
    written as text: ``dsr letter`` already says to paste it there.
    """
    form = letter.objection_form if letter.kind is Kind.OBJECTION else None
    if fmt is Format.TXT and form:
        return None
    if fmt is Format.EML and letter.recipient_email:
        return f"Next: send it to {letter.recipient_email}."
    if fmt in (Format.TXT, Format.EML) and letter.web_form:
        return f"Next: paste it into {letter.web_form}"
    recipient = letter.recipient
    address = _one_line((recipient.name, *recipient.lines), recipient.country_name)
    if form and text_file is not None:  # written beside the letter, ready to paste
        printed = f"print {output.name} and post it" if output is not None else "post the letter"
        return f"Next: paste the text of {text_file.name} into {form}, or {printed} to {address}."
    if form:
        text = output.with_suffix(".txt").name if output is not None else "NAME.txt"
        return (
            f"Next: paste the text into {form} (write it as text with -o {text}), "
            f"or print it and post it to {address}."
        )
    return f"Next: print it and post it to {address}."
