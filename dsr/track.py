"""Tracking requests: deadlines, answers, reminders and escalation.

The store is SQLite in the user's data folder (``$DSR_HOME`` overrides), file
mode 0600. SQLite's journal keeps it consistent if dsr is killed at any point.
"""

from __future__ import annotations

import enum
import hashlib
import json
import os
import re
import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, Final

from . import files, registry, seals
from .composition import compose
from .errors import (
    LIST_JURISDICTIONS,
    Command,
    InputError,
    InvalidRequest,
    Option,
    Problem,
    RegistryError,
    Words,
    words,
)
from .inputs import RawInput, files_of, parse_request, put, raw_input
from .model import Authority, Kind, Request, TimelineEntry
from .pdf import made_by_dsr, reference_in
from .pipeline import Document, Made, WriteOptions, write_letter
from .text import printable
from .userdata import (
    MANIFEST,
    STORE_COLUMNS,
    TRACKING_FILES,
    data_home,
    note_stored,
    private_home,
)

# Migrations, applied in order; PRAGMA user_version records how many ran.
# Never edit one that has shipped: add the next.
MIGRATIONS = (
    """
CREATE TABLE requests (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL,
    kind TEXT NOT NULL,
    jurisdiction TEXT NOT NULL,
    controller TEXT NOT NULL,
    recipient TEXT NOT NULL,
    language TEXT NOT NULL,
    sent TEXT NOT NULL,
    deadline TEXT NOT NULL,
    inputs TEXT NOT NULL,
    files TEXT NOT NULL,
    answered TEXT,
    verdict TEXT,
    closed INTEGER NOT NULL DEFAULT 0,
    reminded TEXT,
    reminder_file TEXT
)
""",
    # GB: the complaint to the controller under s.164A DPA 2018, made before the ICO's.
    "ALTER TABLE requests ADD COLUMN controller_complaint TEXT",
    "ALTER TABLE requests ADD COLUMN controller_complaint_file TEXT",
    # The record of a company written to from --controller-file, so that follow-ups reach it.
    "ALTER TABLE requests ADD COLUMN controller_record TEXT",
    # The sha256 of each letter file dsr wrote ({path: hex}): a follow-up appends only
    # the file it wrote, not whatever is now at that path.
    "ALTER TABLE requests ADD COLUMN file_hashes TEXT",
    # The seal of the row (dsr.seals): a row someone else wrote into a shared data
    # folder is refused, not judged by its content. Rows of an older store are
    # sealed as this migration runs (migrate).
    "ALTER TABLE requests ADD COLUMN seal TEXT",
    # The complaint to the authority (dsr track escalate): its date, and the slug of
    # the authority it went to.
    "ALTER TABLE requests ADD COLUMN escalated TEXT",
    "ALTER TABLE requests ADD COLUMN escalated_to TEXT",
)
SEALED_FROM: Final = 6  # the schema version whose rows all carry a seal
SCHEMA_VERSION = len(MIGRATIONS)


class Verdict(enum.StrEnum):
    """What the controller's answer gave: what was asked, part of it, or nothing."""

    COMPLETE = "complete"
    PARTIAL = "partial"
    REFUSED = "refused"


VERDICTS = tuple(verdict.value for verdict in Verdict)


class Status(enum.StrEnum):
    """Where a tracked request stands: the last step taken, or whether its deadline passed."""

    WAITING = "waiting"
    OVERDUE = "overdue"
    REMINDED = "reminded"
    COMPLAINED_TO_CONTROLLER = "complained-to-controller"  # GB: s.164A DPA 2018
    ESCALATED = "escalated"
    ANSWERED = "answered"
    CLOSED = "closed"


# What a follow-up letter takes from the tracked request, not from its own inputs.
_FOLLOW_UP_FIELDS = (
    "situation",
    "enclose",
    "request-date",
    "request-kind",
    "controller-complaint-date",
    "outcome",
    "reference",
)


class StoreError(InputError):
    """The tracking store cannot be used: damaged, locked, or made by a newer dsr."""


class TrackingError(InputError):
    """No such tracked request, or a step that does not fit its state."""


@dataclass(frozen=True)
class Tracked:
    id: int
    reference: str
    kind: str
    jurisdiction: str
    controller: str
    recipient: str
    language: str
    sent: date
    deadline: date
    inputs: RawInput
    files: list[str]
    answered: date | None
    verdict: Verdict | None
    closed: bool
    reminded: date | None
    reminder_file: str | None
    controller_complaint: date | None = None
    controller_complaint_file: str | None = None
    controller_record: dict[str, Any] | None = None  # a company from --controller-file
    file_hashes: dict[str, str] = field(default_factory=dict)  # path: sha256 (newer rows)
    escalated: date | None = None  # the complaint to the authority
    escalated_to: str | None = None  # that authority's slug

    @property
    def request_kind(self) -> str:
        """What the tracked request asked for (for a follow-up letter: its own request's kind)."""
        kind = Kind(self.kind)
        if kind.follows_up:
            return str(self.inputs.get("request-kind") or "")
        return kind.value

    def status(self, today: date) -> Status:
        """The last step taken (closed, answered, escalated, complained, reminded), else
        whether the deadline has passed."""
        if self.closed:
            return Status.CLOSED
        if self.answered:
            return Status.ANSWERED
        if self.escalated:
            return Status.ESCALATED
        if self.controller_complaint:
            return Status.COMPLAINED_TO_CONTROLLER
        if self.reminded:
            return Status.REMINDED
        return Status.OVERDUE if today > self.deadline else Status.WAITING

    def status_text(self, today: date) -> str:
        """The status as the member reads it, with the step's date: "reminded 2026-12-01",
        "escalated to <authority> 2026-12-05", "answered 2026-12-09 (partial)"."""
        status = self.status(today)
        if status is Status.ANSWERED and self.answered:
            verdict = f" ({self.verdict})" if self.verdict else ""
            return f"answered {self.answered.isoformat()}{verdict}"
        if status is Status.ESCALATED and self.escalated:
            return f"escalated to {authority_name(self.escalated_to)} {self.escalated.isoformat()}"
        if status is Status.COMPLAINED_TO_CONTROLLER and self.controller_complaint:
            return f"complained to the controller {self.controller_complaint.isoformat()}"
        if status is Status.REMINDED and self.reminded:
            overdue = ", overdue" if today > self.deadline else ""
            return f"reminded {self.reminded.isoformat()}{overdue}"
        return status.value

    @property
    def company(self) -> str:
        """The company the request is about, by its service's name (LinkedIn); its
        slug where dsr knows no such company (any more)."""
        if self.controller_record is not None:
            try:
                found = registry.controller_from_record(
                    self.controller, self.controller_record, f"tracked request {self.id}"
                )
            except RegistryError:
                return self.controller
            return found.service
        known = registry.controller(self.controller)
        return known.service if known is not None else self.controller


def database_path() -> Path:
    return data_home() / "tracking.sqlite3"


def _damaged(path: Path, error: sqlite3.Error) -> StoreError:
    return StoreError(
        f"the tracking store {path} cannot be used ({error}); move it aside, and dsr "
        "starts a new one"
    )


def check_store() -> None:
    """Refuse (exit 2) a store dsr could not use, before anything is written.

    ``dsr letter --track`` calls it before the letter: a data folder that is a
    file, or a FIFO, a folder, a link or a hard-linked file where the manifest
    or the tracking store should be, would otherwise fail (or hang) after it.
    """
    home = data_home()
    if home.exists() and not home.is_dir():
        raise files.UnsafeFile(
            f"the data folder {home} is not a folder; remove it, or set DSR_HOME to a folder"
        )
    for name in (*TRACKING_FILES, MANIFEST):
        path = home / name
        if path.is_symlink():  # SQLite would follow it: dsr never does for its own files
            raise files.UnsafeFile(f"{path} is a symbolic link; dsr does not follow it: remove it")
        try:
            files.check_own_file(home, name)
        except files.NotRegular:
            what = "the list of files dsr stored" if name == MANIFEST else "the tracking store"
            raise StoreError(
                f"{what}, {path}, is not a regular file; move it aside, and dsr starts a new one"
            ) from None
    seals.key()  # the key that seals the rows: made now, or refused (naming it) if unusable


def check_usable() -> None:
    """Refuse (exit 2) a store dsr could not record a request in, before anything is
    written: what :func:`check_store` refuses, and a store that is damaged, of a newer
    dsr, or holds what dsr does not make. The store is opened (made, if there is none)."""
    connect().close()


def connect(adopting: bool = False) -> sqlite3.Connection:
    """The store, its schema brought up to date; rows come back by column name.

    Raises StoreError if the file is damaged or was made by a newer dsr
    (which it is then never written to), or is no regular file.
    """
    path = database_path()
    check_store()
    private_home()  # 0700, with its parents
    fresh = not path.exists()
    if fresh:
        # Create it private before SQLite writes anything to it.
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY | os.O_NOFOLLOW, 0o600))
        note_stored(path.name)
    connection = sqlite3.connect(path, timeout=30)
    connection.row_factory = sqlite3.Row
    try:
        connection.execute("PRAGMA trusted_schema = OFF")  # no function a schema names runs
        migrate(connection, adopting)
        _check_schema(connection)
    except sqlite3.Error as error:
        connection.close()
        raise _damaged(path, error) from error
    except (StoreError, seals.SealKeyError, files.FileError):
        connection.close()
        raise
    os.chmod(path, 0o600)
    return connection


def migrate(connection: sqlite3.Connection, adopting: bool = False) -> None:
    """Bring the schema up to date in one transaction; refuse a newer schema.

    Several processes may create the store at once: the first to take the
    write lock migrates, the others then find the schema up to date.
    """
    version = int(connection.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        raise StoreError(
            f"the tracking store {database_path()} was made by a newer dsr (schema "
            f"{version}; this dsr knows {SCHEMA_VERSION}); upgrade dsr to use it"
        )
    if version < 0:
        raise _damaged(database_path(), sqlite3.DatabaseError(f"schema version {version}"))
    if version == SCHEMA_VERSION:
        return
    # Nothing of another program's runs as the rows are sealed, and dsr's table is never
    # made in another program's database (a file with a schema but no version).
    _check_schema(connection)
    if 0 < version < SEALED_FROM and seals.has_sealed() and not adopting:
        raise StoreError(
            f"the tracking store {database_path()} is in an older format, without seals: "
            "an older dsr made it, or another program (or person) put it there. dsr seals "
            "as it is only the first store it meets, and it has met one. dsr does not use "
            "this one, and cannot adopt its requests (any of them may have been changed): "
            f"move it aside, and track your letters again ('{TRACK_LETTER}')"
        )
    signing = seals.key()  # made before the transaction: a failure leaves the store as it was
    folder = database_path().parent
    with seals.ledger_lock(folder):
        # A sealed store (schema 6 on) only gains columns: its rows keep their seals (an
        # empty column is not sealed), and its ledger is left as it is.
        if version < SEALED_FROM and seals.read_ledger(folder, "requests") is None:
            # The key has met a store, from now on, even if this migration is stopped:
            # no store put here or elsewhere later is sealed as it is.
            seals.write_ledger(folder, "requests", {})
        _migrate(connection, signing, adopting)


def _migrate(connection: sqlite3.Connection, signing: bytes, adopting: bool) -> None:
    isolation = connection.isolation_level
    connection.isolation_level = None  # this function opens and ends the transaction
    try:
        connection.execute("BEGIN IMMEDIATE")
        try:
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"the tracking store {database_path()} was made by a newer dsr; "
                    "upgrade dsr to use it"
                )
            for statement in MIGRATIONS[version:]:
                connection.execute(statement)
            if version < SEALED_FROM and not adopting:  # an older dsr's rows, it trusted
                unsealed = connection.execute("SELECT id FROM requests WHERE seal IS NULL")
                for row in unsealed.fetchall():
                    _seal(connection, row["id"], signing)
            connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")
    finally:
        connection.isolation_level = isolation
    if version >= SEALED_FROM:
        return  # its rows were sealed, and the ledger lists them as they are
    # A new store, or an older one sealed just now: the ledger lists exactly its rows
    # (a ledger left from an earlier store in this folder lists none of them).
    rows = connection.execute("SELECT id, seal FROM requests").fetchall()
    ledger = {str(row["id"]): [row["seal"]] for row in rows}
    seals.write_ledger(database_path().parent, "requests", ledger)


# What the member can run, as data: the CLI words them as its commands and flags.
NOT_MINE = Option("not-mine", keyword="not_mine=True")
TRACK_LETTER = words(Command(("letter", "…"), (Option("track"),)))
TRACK_LIST = words(Command(("track", "list")))


def _remove(request_id: int | str, not_mine: bool = False) -> Words:
    return words(Command(("track", "remove", str(request_id)), (NOT_MINE,) if not_mine else ()))


def _remind(request_id: int) -> Words:
    """The reminder's command, for a calendar's deadline (the CLI: ``dsr track remind``)."""
    output = Option("output", "reminder.pdf", keyword="output", short=True)
    return words(Command(("track", "remind", str(request_id)), (output,)))


_ADOPT_HINT = words(
    "check what it holds, then run '",
    Command(("track", "adopt")),
    "' once (it lists each request: where members share the data folder, leave out the "
    "other members')",
)


def _accepted(connection: sqlite3.Connection, signing: bytes) -> dict[str, list[str]]:
    """The seals each request may carry now, from the ledger. A store whose folder the
    ledger does not know (moved, reached by another path, copied from another
    computer) is not used until the user adopts it."""
    folder = database_path().parent
    ledger = seals.read_ledger(folder, "requests")
    if ledger is None:
        raise StoreError(
            f"dsr keeps no ledger of the tracking store {database_path()} in {seals.key_home()}: "
            "the data folder was moved, is reached by another path, or comes from another "
            "computer (whose dsr folder, with its key, was not copied to that path). dsr does "
            f"not use it: if it is yours, {_ADOPT_HINT}"
        )
    return {
        key: [seal for seal in value if isinstance(seal, str)]
        for key, value in ledger.items()
        if isinstance(value, list)
    }


@dataclass(frozen=True)
class Adoptable:
    """A request of a store the user is asked to adopt, as dsr would append and send it."""

    id: int
    summary: str  # kind, company, reference, date: what the member can recognise
    files: list[str]  # what a follow-up would append
    state: str  # "sealed", "older copy", "other key" or "not sealed"
    # Whom a follow-up would write to, from the company record kept with the request
    # (where one is), and whether that is another company than the letter went to.
    sends_to: str = ""
    other_company: bool = False

    @property
    def by_default(self) -> bool:
        return self.state == "sealed"


ADOPTION_STATES = {
    "sealed": "sealed with your key",
    "older copy": "sealed with your key, but not as dsr last left it (an older copy, or removed)",
    "other key": "NOT sealed with your key, but with another: another member's request, where "
    "members share this data folder, or yours from another computer whose key was not "
    "copied, or changed by another program or person since it was sealed",
    "not sealed": "NOT sealed (an older dsr's, or written by another program or person)",
}
# What dsr can adopt: rows its key sealed. Any other row may have been changed in any
# column (the company, the member's e-mail address), and its follow-ups would send the
# member's data as it says: dsr cannot check it, so it is never adopted (rounds 30-32).
ADOPTABLE_STATES: Final = frozenset({"sealed", "older copy"})
NOT_ADOPTABLE: Final = (
    "left out: dsr cannot check a request your key did not seal (its company, your "
    "e-mail address), and its follow-ups would send your data as it says; if it is yours "
    f"from another computer, copy that computer's key file ({seals.KEY_FILE}) here, or "
    "track the letter again"
)


def adoption_plan() -> list[Adoptable]:
    """What ``dsr track adopt`` would take: each request, with the files a follow-up
    would append and whether it carries the user's seal as some ledger of this key
    lists it now (a store moved from another path keeps its seals)."""
    check_store()
    signing = seals.key()
    current = seals.current_seals("requests")
    connection = connect(adopting=True)  # an older store is migrated, its rows not sealed
    try:
        rows = connection.execute("SELECT * FROM requests ORDER BY id").fetchall()
    except sqlite3.Error as error:
        raise _damaged(database_path(), error) from error
    finally:
        connection.close()
    plan = []
    for row in rows:
        if not _is_sealed(row, signing):
            found = row["seal"] if "seal" in row.keys() else None
            state = "other key" if _SEAL_SHAPE.fullmatch(str(found or "")) else "not sealed"
        elif row["seal"] not in current:
            state = "older copy"
        else:
            state = "sealed"
        sends_to, other = _kept_company(row)
        plan.append(Adoptable(row["id"], _summary(row), _listed_files(row), state, sends_to, other))
    return plan


_SEAL_SHAPE: Final = re.compile(r"[0-9a-f]{64}")  # as seals.seal writes one


def _kept_company(row: sqlite3.Row) -> tuple[str, bool]:
    """Whom a follow-up of ``row`` writes to, as the company record kept with it says
    (name, address, e-mail addresses), and whether that names another company than
    the one the letter went to (``recipient``); ('', False) for a built-in company."""
    keys = row.keys()
    text = row["controller_record"] if "controller_record" in keys else None
    if not text:
        return "", False
    try:
        record = json.loads(text)
        controller = registry.controller_from_record(
            str(row["controller"]), record, f"request {row['id']}"
        )
        entity = controller.entity_for(str(row["jurisdiction"]))
    except (ValueError, TypeError, RecursionError, RegistryError):
        return "its company record is unusable (a follow-up is refused)", True
    if entity is None:
        return "its company record names no entity for its jurisdiction", True
    mails = [m for m in (controller.privacy_email, controller.dpo_email) if m]
    parts = [entity.name, ", ".join(entity.address.lines), *mails]
    described = printable("; ".join(part for part in parts if part))[:300]
    return described, entity.name != str(row["recipient"])


def _summary(row: sqlite3.Row) -> str:
    text = f"{row['kind']} to {row['recipient']}, reference {row['reference']}, sent {row['sent']}"
    return printable(str(text))[:300]


def _listed_files(row: sqlite3.Row) -> list[str]:
    names: list[str] = []
    for column in ("files", "reminder_file", "controller_complaint_file"):
        value = row[column]
        try:
            found = json.loads(value) if column == "files" and value else [value] if value else []
        except (ValueError, RecursionError):
            found = [str(value)]
        names += [printable(str(name)) for name in found if name] if isinstance(found, list) else []
    return names


def adopt(also: frozenset[int] = frozenset()) -> list[int]:
    """Trust the tracking store as it is, by the user's choice: the requests that carry
    the user's seal as a ledger lists it (a store moved, or reached by another path),
    and those named in ``also`` (an older dsr's, or ones the user has checked). The
    others are left as they are, refused. A store holding what dsr does not make is
    still refused. Returns the ids adopted."""
    plan = {entry.id: entry for entry in adoption_plan()}
    unknown = sorted(also - set(plan))
    if unknown:
        raise TrackingError(words(Option("also"), f": the store holds no request {unknown[0]}"))
    chosen = sorted(i for i, entry in plan.items() if entry.by_default or i in also)
    unchecked = [i for i in chosen if plan[i].state not in ADOPTABLE_STATES]
    if unchecked:
        raise TrackingError(
            f"request {unchecked[0]}: {NOT_ADOPTABLE} ('{TRACK_LETTER}'; "
            f"'{_remove(unchecked[0], not_mine=True)}' drops this one)"
        )
    # The company record kept with a request decides where its follow-ups send the
    # member's data; dsr never changes it: one naming another company was changed.
    changed = [i for i in chosen if plan[i].other_company]
    if changed:
        entry = plan[changed[0]]
        raise TrackingError(
            f"request {entry.id}: the company record kept with it ({entry.sends_to}) names "
            "another company than the letter went to; its follow-ups would send your data "
            f"there, so dsr does not adopt it: remove it with '{_remove(entry.id, True)}' "
            "and track the letter again"
        )
    signing = seals.key()
    with seals.ledger_lock(database_path().parent):
        connection = connect(adopting=True)
        try:
            with connection:
                connection.execute("BEGIN IMMEDIATE")
                _check_schema(connection)
                for request_id in chosen:
                    _seal(connection, request_id, signing)
                rows = connection.execute("SELECT id, seal FROM requests").fetchall()
                ledger = {str(r["id"]): [r["seal"]] for r in rows if r["id"] in chosen}
                seals.write_ledger(database_path().parent, "requests", ledger)
        except sqlite3.Error as error:
            raise _damaged(database_path(), error) from error
        finally:
            connection.close()
    return chosen


# In the ledger beside a new request's seal until its row is committed.
ADDING: Final = "adding"


def _set_ledger(request_id: int, accepted: list[str] | None) -> None:
    """Set the seals request ``request_id`` may carry (None: it is gone); hold the lock."""
    folder = database_path().parent
    ledger = seals.read_ledger(folder, "requests") or {}
    if accepted is None:
        ledger.pop(str(request_id), None)
    else:
        ledger[str(request_id)] = accepted
    seals.write_ledger(folder, "requests", ledger)


def _check_schema(connection: sqlite3.Connection) -> None:
    """Refuse a store that holds anything dsr does not make: a trigger, a view, an index,
    another table, or a column that is not one of dsr's (a computed one included). Such a
    thing could change a row after dsr checked it, or as dsr seals it."""
    objects = connection.execute("SELECT type, name FROM sqlite_master").fetchall()
    foreign = [
        f"{row['type']} {row['name']!r}"
        for row in objects
        if (row["type"], row["name"]) != ("table", "requests")
    ]
    columns = connection.execute("PRAGMA table_xinfo(requests)").fetchall()
    foreign += [
        f"column {column['name']!r}"
        for column in columns
        # hidden: computed, or a virtual table's
        if column["name"] not in STORE_COLUMNS or column["hidden"]
    ]
    if foreign:
        raise StoreError(
            f"the tracking store {database_path()} holds what dsr does not make "
            f"({', '.join(foreign[:3])}): another program changed it. dsr does not use it: "
            "move it aside, and dsr starts a new one"
        )


@contextmanager
def _store() -> Iterator[sqlite3.Connection]:
    """A connection for one transaction, closed after; SQLite's errors as StoreError."""
    connection = connect()
    try:
        with connection:
            yield connection
    except sqlite3.Error as error:
        raise _damaged(database_path(), error) from error
    finally:
        connection.close()


@dataclass(frozen=True)
class Unreadable:
    """A row of the store dsr cannot read: named, with the command that corrects it."""

    id: int
    problem: str
    column: str | None = None  # the column at fault, where one is

    def __str__(self) -> str:
        fix = f"remove it with '{_remove(self.id)}'"
        if self.column == "seal":
            return (
                f"the tracking store {database_path()} holds request {self.id}, which dsr did "
                f"not record with your key ({seals.key_path()}): another member who uses this "
                "data folder tracked it, another program or person changed it, or it was "
                "tracked on another computer (copy that computer's key file to this path to "
                "use it here). dsr does not use it; if it is no other member's, remove it with "
                f"'{_remove(self.id, not_mine=True)}'"
            )
        if self.column == "replaced":
            return (
                f"request {self.id}, which you tracked with your key in {database_path()}, "
                "is no longer as dsr recorded it: another program or person changed it, or "
                "removed it and another request took its number (another member's, where "
                "members share the data folder). dsr does not use it; forget yours with "
                f"'{_remove(self.id)}' (which leaves the row; add {words(NOT_MINE)} to "
                "remove the row too), and track the letter again if you still wait for "
                "the answer"
            )
        if self.column == "gone":
            return (
                f"request {self.id}, which you tracked with your key in {database_path()}, is "
                "no longer in that store: another program or person removed it, or an older "
                "copy of the store was put back; its letters are kept. Track the letter again "
                f"with '{TRACK_LETTER}', or forget it with '{_remove(self.id)}'"
            )
        if self.column == "ledger":
            return (
                f"the tracking store {database_path()} holds request {self.id} as it was "
                "before dsr last changed it, or after dsr removed it: an older copy was put "
                "back (by another program or person, or from a backup), or dsr was stopped "
                f"while it changed it. dsr does not use it; {fix}, or, if you know it is "
                f"yours as it is, run "
                f"'{words(Command(('track', 'adopt'), (Option('also', str(self.id)),)))}'"
            )
        if self.column in ("answered", "verdict"):
            answered = Command(("track", "answered", str(self.id)), (Option("date", "YYYY-MM-DD"),))
            fix = f"correct it with '{words(answered)}', or {fix}"
        return (
            f"the tracking store {database_path()} holds a request dsr cannot read: "
            f"request {self.id} ({self.problem}); {fix}"
        )


class _BadColumn(ValueError):
    """One column of a row holds what dsr does not write."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(f"{column}: {message}")
        self.column = column


# What a row's seal is made for (dsr.seals).
_ROW = "tracked request"


def _sealed_values(row: sqlite3.Row) -> dict[str, Any]:
    """What a row's seal covers: every column but the seal, an empty (NULL) one left
    out, so a column a later migration adds does not break the seals made before it."""
    return {name: row[name] for name in row.keys() if name != "seal" and row[name] is not None}


def _seal(connection: sqlite3.Connection, request_id: int, signing: bytes) -> None:
    """Seal one row as it now is, in the caller's transaction."""
    row = connection.execute("SELECT * FROM requests WHERE id = ?", (request_id,)).fetchone()
    connection.execute(
        "UPDATE requests SET seal = ? WHERE id = ?",
        (seals.seal(_ROW, _sealed_values(row), signing), request_id),
    )


def _is_sealed(row: sqlite3.Row, signing: bytes) -> bool:
    return "seal" in row.keys() and seals.is_sealed(_ROW, _sealed_values(row), row["seal"], signing)


def _read(
    values: sqlite3.Row, signing: bytes, accepted: dict[str, list[str]]
) -> Tracked | Unreadable:
    """A request from its row, read by column name; or what makes the row unreadable.

    A row without this user's seal, or with a seal the ledger does not list now
    (an older copy put back), is refused before its content is looked at.
    """
    if not _is_sealed(values, signing):
        if any(seal != ADDING for seal in accepted.get(str(values["id"]), [])):
            # The ledger lists this number as the member's: their request was removed
            # and another (a member's of a shared folder) took its number.
            return Unreadable(values["id"], "another request under your number", "replaced")
        return Unreadable(values["id"], "it does not carry your seal", "seal")
    if values["seal"] not in accepted.get(str(values["id"]), []):
        return Unreadable(values["id"], "not as dsr last left it", "ledger")
    try:
        return _checked(_from_row(values))
    except _BadColumn as error:
        return Unreadable(values["id"], str(error), error.column)
    except (KeyError, IndexError, TypeError, ValueError, RecursionError) as error:
        named = f"{type(error).__name__}: " if type(error) is not ValueError else ""
        return Unreadable(values["id"], f"{named}{error}")


def _raw_inputs(loaded: Any) -> RawInput:
    """A row's stored inputs as RawInput; anything else is kept as read, for the check
    that refuses it by name ("inputs is not a table of options")."""
    return raw_input(loaded) if isinstance(loaded, dict) else loaded


def _row(values: sqlite3.Row, signing: bytes, accepted: dict[str, list[str]]) -> Tracked:
    """A request from its row; StoreError (exit 2), naming the row, if dsr cannot read it."""
    return _row_of(_read(values, signing, accepted))


def _row_of(found: Tracked | Unreadable) -> Tracked:
    if isinstance(found, Unreadable):
        raise StoreError(str(found))
    return found


def _day(column: str, value: Any) -> date:
    """A date column as dsr writes it (ISO, within STORE_YEARS); else _BadColumn."""
    try:
        day = date.fromisoformat(value)
    except (TypeError, ValueError):
        raise _BadColumn(column, f"{value!r} is not a date") from None
    if not STORE_YEARS[0] <= day.year <= STORE_YEARS[1]:
        raise _BadColumn(column, f"the date {day.isoformat()} is out of range")
    return day


def _from_row(row: sqlite3.Row) -> Tracked:
    """A request from its row, each column read by its name."""

    def day(column: str) -> date | None:
        return _day(column, row[column]) if row[column] else None

    def table(column: str) -> Any:
        return json.loads(row[column]) if row[column] else None

    return Tracked(
        id=row["id"],
        reference=row["reference"],
        kind=row["kind"],
        jurisdiction=row["jurisdiction"],
        controller=row["controller"],
        recipient=row["recipient"],
        language=row["language"],
        sent=_day("sent", row["sent"]),
        deadline=_day("deadline", row["deadline"]),
        inputs=_raw_inputs(json.loads(row["inputs"])),
        files=json.loads(row["files"]),
        answered=day("answered"),
        verdict=_verdict(row["verdict"]),
        closed=bool(row["closed"]),
        reminded=day("reminded"),
        reminder_file=row["reminder_file"],
        controller_complaint=day("controller_complaint"),
        controller_complaint_file=row["controller_complaint_file"],
        controller_record=table("controller_record"),
        file_hashes=table("file_hashes") or {},
        escalated=day("escalated"),
        escalated_to=row["escalated_to"],
    )


def _verdict(value: Any) -> Verdict | None:
    """The verdict column as dsr writes it (one of :class:`Verdict`, or empty)."""
    if value is None:
        return None
    try:
        return Verdict(value)
    except ValueError:
        message = f"{str(value)[:20]!r} is not one of {', '.join(VERDICTS)}"
        raise _BadColumn("verdict", message) from None


def _checked(tracked: Tracked) -> Tracked:
    """``tracked`` if every field has the type and range dsr writes; else ValueError.

    The store is a file on the user's disk: a row edited by hand, or by
    another program, must not reach the letters as a list where a table
    belongs, an unknown kind, or a date no deadline can be counted from.
    """
    Kind(tracked.kind)  # ValueError for a kind dsr does not write
    texts = (
        tracked.reference,
        tracked.jurisdiction,
        tracked.controller,
        tracked.language,
        tracked.recipient,
    )
    if not all(isinstance(text, str) for text in texts):
        raise ValueError("a text column holds something else")
    optional = (
        tracked.reminder_file,
        tracked.controller_complaint_file,
        tracked.escalated_to,
    )
    if not all(text is None or isinstance(text, str) for text in optional):
        raise ValueError("a text column holds something else")
    if tracked.jurisdiction not in registry.jurisdictions():
        raise ValueError(f"jurisdiction {tracked.jurisdiction[:20]!r} is not one dsr knows")
    if not isinstance(tracked.inputs, dict) or not all(isinstance(k, str) for k in tracked.inputs):
        raise ValueError("inputs is not a table of options")
    if not isinstance(tracked.files, list) or not all(isinstance(f, str) for f in tracked.files):
        raise ValueError("files is not a list of file names")
    if tracked.controller_record is not None and not isinstance(tracked.controller_record, dict):
        raise ValueError("controller_record is not a table")
    if not isinstance(tracked.file_hashes, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in tracked.file_hashes.items()
    ):
        raise ValueError("file_hashes is not a table of checksums")
    return tracked  # its dates were checked as they were read (_day)


# Dates the store holds: letters of today, deadlines months ahead. Every date is
# checked against them before it is stored (check_storable), as it is when read.
STORE_YEARS = (1990, 2200)


def out_of_range(day: date) -> bool:
    return not STORE_YEARS[0] <= day.year <= STORE_YEARS[1]


def check_storable(day: date, option: str | Option) -> None:
    """Refuse (exit 2, naming ``option``: the field, as an ``Option``, or what the date
    is) a date the store could not read back."""
    if out_of_range(day):
        raise TrackingError(
            words(
                option,
                f": {day.isoformat()} is out of range for tracking; use a date from "
                f"{STORE_YEARS[0]} to {STORE_YEARS[1]}",
            )
        )


DATE = Option("date")  # the letter's date, as its field: the CLI's --date


def check_trackable(letter: Any, option: str | Option = DATE) -> None:
    """Refuse (exit 2) a letter whose date or deadline the store could not read back."""
    check_storable(letter.date, option)
    if out_of_range(letter.deadline):
        raise TrackingError(
            words(
                option,
                f": {letter.date.isoformat()} gives the deadline "
                f"{letter.deadline.isoformat()}, which is out of range for tracking; use a "
                f"date from {STORE_YEARS[0]} to {STORE_YEARS[1]}",
            )
        )


def _sha256(path: Path) -> str | None:
    """The sha256 of a regular file (not followed through a link), or None."""
    try:
        fd = files.open_regular(path)  # no link followed, a FIFO never opened
    except (OSError, files.FileError):
        return None
    with os.fdopen(fd, "rb") as handle:
        digest = hashlib.sha256()
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
        return digest.hexdigest()


def _hashes(paths: list[Path]) -> dict[str, str]:
    out: dict[str, str] = {}
    for path in paths:
        resolved = path.resolve()
        sha = _sha256(resolved)
        if sha is not None:
            out[str(resolved)] = sha
    return out


# The columns a new request is written with (the others start empty, closed as 0).
_RECORDED = (
    "reference", "kind", "jurisdiction", "controller", "recipient", "language", "sent",
    "deadline", "inputs", "files", "controller_record", "file_hashes",
)  # fmt: skip


@dataclass(frozen=True)
class Recorded:
    """What tracking a written letter did: a new request, or the one it updated."""

    id: int
    updated: bool = False  # a request with the letter's reference, company and kind was tracked
    files_before: tuple[str, ...] = ()  # the letter files it listed before (updated only)
    sent_before: date | None = None  # its sending date before (updated only)


class NotTracked(StoreError):
    """The letter was written (and is kept) but the store could not record it."""

    def __init__(self, path: Path, error: StoreError) -> None:
        self.path = path
        self.error = error
        super().__init__(str(error))


def write_tracked(
    document: Document,
    request: Request,
    inputs: RawInput,
    target: Path,
    options: WriteOptions,
    *,
    force: bool = False,
    controller_record: dict[str, Any] | None = None,
    date_field: str | Option = DATE,
) -> tuple[Made, Recorded]:
    """Write a letter and track it, for every front end: the store is checked first
    (a date it could not read back, a store dsr cannot use: refused before anything is
    written), then the letter is written through dsr.pipeline, then recorded with the
    request's inputs (its jurisdiction, its company's key and its date as composed) and,
    for an imported company, its record as it is now. NotTracked if the letter was
    written but could not be recorded."""
    letter = document.letter
    check_trackable(letter, date_field)
    check_usable()
    made = write_letter(document, target, options, force=force)
    if controller_record is None and request.controller not in registry.builtin_controllers():
        controller_record = registry.imported_record(request.controller)
    tracked_inputs: RawInput = {
        **inputs,
        "jurisdiction": request.jurisdiction,
        "controller": request.controller,  # the key, not as typed
        "date": letter.date.isoformat(),
    }
    try:
        recorded = record_letter(letter, tracked_inputs, [target], controller_record)
    except StoreError as error:
        raise NotTracked(target, error) from error
    return made, recorded


def record(
    letter: Any,
    inputs: RawInput,
    files: list[Path],
    controller_record: dict[str, Any] | None = None,
) -> int:
    """Store a written request; returns its id (:func:`record_letter`)."""
    return record_letter(letter, inputs, files, controller_record).id


def record_letter(
    letter: Any,
    inputs: RawInput,
    files: list[Path],
    controller_record: dict[str, Any] | None = None,
) -> Recorded:
    """Store a written request, or update the one tracked with the same reference, company
    and kind (the same letter written again: its files, date and inputs are the new
    ones; the steps recorded since are kept). Never two requests for one letter.

    ``controller_record`` (dsr's format) is the company's, if it came from a
    file: reminders and complaints about the request then reach the same company.
    """
    check_trackable(letter, "the letter's date")  # the CLI checks first, naming --date
    signing = seals.key()
    values = {
        "reference": letter.reference,
        "kind": letter.kind.value,
        "jurisdiction": str(inputs["jurisdiction"]).upper(),
        "controller": inputs.get("controller") or "linkedin",
        "recipient": letter.recipient.name,
        "language": letter.language,
        "sent": letter.date.isoformat(),
        "deadline": letter.deadline.isoformat(),
        "inputs": json.dumps(inputs, default=str),
        "files": json.dumps([str(f.resolve()) for f in files]),
        "controller_record": (
            json.dumps(controller_record, default=str) if controller_record else None
        ),
        "file_hashes": json.dumps(_hashes(files)),
    }
    with seals.ledger_lock(database_path().parent):
        with _store() as connection:
            connection.execute("BEGIN IMMEDIATE")  # no other writer between the look and the write
            # The member's requests as their key's ledger lists them; none where it lists
            # none (a folder shared with others, or moved: a new request is added, as ever).
            accepted = seals.read_ledger(database_path().parent, "requests") or {}
            same = _same_letter(connection, values, signing, accepted)
            if same is not None:
                return _update_letter(connection, same, values, signing)
            cursor = connection.execute(
                f"INSERT INTO requests ({', '.join(_RECORDED)}) VALUES "
                f"({', '.join('?' for _ in _RECORDED)})",
                tuple(values[name] for name in _RECORDED),
            )
            request_id = int(cursor.lastrowid or 0)
            new = _write_sealed(connection, {**values, "id": request_id, "closed": 0}, signing)
            # Before the commit, marked as being added: a row the ledger lists may not
            # exist yet, and is not then taken for one removed behind dsr's back.
            _set_ledger(request_id, [new, ADDING])
        _set_ledger(request_id, [new])  # committed
        return Recorded(request_id)


def _same_letter(
    connection: sqlite3.Connection,
    values: dict[str, Any],
    signing: bytes,
    accepted: dict[str, list[str]],
) -> Tracked | None:
    """The member's request tracked with the reference, company and kind of ``values``,
    if there is one dsr can read (another member's, in a shared folder, is not theirs)."""
    rows = connection.execute(
        "SELECT * FROM requests WHERE reference = ? AND controller = ? AND kind = ? ORDER BY id",
        (values["reference"], values["controller"], values["kind"]),
    ).fetchall()
    member = _member(json.loads(values["inputs"]))
    for row in rows:
        found = _read(row, signing, accepted)
        # The same letter is the same member's: another member's request under the same
        # reference (a shared data folder, a reference typed twice) is never replaced.
        if isinstance(found, Tracked) and _member(found.inputs) == member:
            return found
    return None


def _member(inputs: RawInput) -> tuple[str, str]:
    """Who wrote a letter, as its inputs name them: the name and the account's e-mail,
    compared without case and spacing."""
    name, account = (
        " ".join(str(inputs.get(key) or "").casefold().split()) for key in ("name", "account-email")
    )
    return name, account


def _update_letter(
    connection: sqlite3.Connection, tracked: Tracked, values: dict[str, Any], signing: bytes
) -> Recorded:
    """Point ``tracked`` at the letter written again (in the caller's transaction, under
    the ledger's lock); the checksums of its follow-ups' files are kept."""
    row = connection.execute("SELECT * FROM requests WHERE id = ?", (tracked.id,)).fetchone()
    follow_ups = {tracked.reminder_file, tracked.controller_complaint_file} - {None}
    kept = {name: sha for name, sha in tracked.file_hashes.items() if name in follow_ups}
    changes = {
        name: values[name]
        for name in _RECORDED
        if name not in ("reference", "controller", "kind", "file_hashes")
    }
    changes["file_hashes"] = json.dumps({**kept, **json.loads(values["file_hashes"])})
    old = {name: row[name] for name in row.keys() if name != "seal"}
    new = _write_sealed(connection, {**old, **changes}, signing, changes)
    _set_ledger(tracked.id, [new])  # before the commit, as _update does
    return Recorded(tracked.id, True, tuple(tracked.files), tracked.sent)


def _not_tracked(request_id: int, accepted: dict[str, list[str]] | None = None) -> str:
    """No request ``request_id`` in the store: named as gone if the ledger lists it."""
    if accepted is None:
        accepted = seals.read_ledger(database_path().parent, "requests") or {}
    if str(request_id) in accepted:
        return str(Unreadable(request_id, "gone", "gone"))
    return f"no tracked request with id {request_id}; see '{TRACK_LIST}'"


def all_requests() -> list[Tracked]:
    """Every tracked request; StoreError (naming it) if one of them cannot be read."""
    return [_row_of(found) for found in read_requests()]


def read_requests() -> list[Tracked | Unreadable]:
    """Every tracked request, or, for a row dsr cannot read, that row named.

    One bad row (edited by hand, or a date an older dsr let in) leaves the
    others listed and in the calendar; it is named with the command that
    corrects or removes it.
    """
    if not database_path().exists():
        # The ledger lists requests, and the store is gone: removed behind dsr's back.
        ledger = seals.read_ledger(database_path().parent, "requests") or {}
        return [
            Unreadable(int(key), "gone", "gone")
            for key, listed in sorted(ledger.items(), key=lambda item: int(item[0]))
            if isinstance(listed, list) and ADDING not in listed and key.isdigit()
        ]
    signing = seals.key()
    with _store() as connection:
        accepted = _accepted(connection, signing)
        rows = connection.execute("SELECT * FROM requests ORDER BY id").fetchall()
        found = [_read(r, signing, accepted) for r in rows]
    # A request the ledger lists that the store lacks was removed behind dsr's back
    # (another member of a shared data folder, a program, an older copy put back).
    present = {str(row["id"]) for row in rows}
    gone = [
        Unreadable(int(key), "gone", "gone")
        for key, listed in accepted.items()
        if key not in present and ADDING not in listed  # not one stopped as it was added
    ]
    return sorted([*found, *gone], key=lambda item: item.id)


def rows_by_sealer() -> tuple[list[int], list[int]]:
    """(the member's requests, the others') in the store: by whether a row carries the
    member's seal. Read only; a missing store, or one dsr cannot read, has neither."""
    rows = _rows_read_only()
    if not rows:
        return [], []
    signing = seals.key()
    own: list[int] = []
    others: list[int] = []
    for row in rows:
        request_id = row["id"] if "id" in row.keys() else None
        if isinstance(request_id, int):  # a row with no number of dsr's is no request
            (own if _is_sealed(row, signing) else others).append(request_id)
    return own, others


def _rows_read_only() -> list[sqlite3.Row]:
    """Every row of the store, read without creating, migrating or writing it and
    without following a link there; none if it is missing or dsr cannot read it."""
    path = database_path()
    try:
        if files.check_regular(path) is None:
            return []
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=5)
    except (files.FileError, sqlite3.Error):
        return []
    try:
        connection.row_factory = sqlite3.Row
        return list(connection.execute("SELECT * FROM requests").fetchall())
    except sqlite3.Error:
        return []
    finally:
        connection.close()


def remove_own(request_ids: list[int]) -> None:
    """Remove the member's own requests from a store others' requests stay in (forget in a
    shared data folder); each is removed only while it still carries the member's seal."""
    for request_id in request_ids:
        remove(request_id)


def recorded_files() -> list[str]:
    """Every file the store records dsr writing: letters, reminders, complaints.

    Read only: the store is not created, migrated or written to, and a link
    there is not followed. A missing store, or one dsr cannot read as its own,
    records none. dsr batch never encloses one of these in a row's letter.
    """
    return [name for _, name in _recorded()]


def _recorded() -> list[tuple[int | None, str]]:
    """Each file the store records (as :func:`recorded_files`), with its request's id."""
    found: list[tuple[int | None, str]] = []
    for row in _rows_read_only():
        columns = row.keys()
        names = [row[c] for c in ("reminder_file", "controller_complaint_file") if c in columns]
        for column in ("files", "file_hashes"):  # a list of names; a table keyed by name
            try:
                value = json.loads(row[column]) if column in columns and row[column] else None
            except (ValueError, TypeError, RecursionError):
                continue
            if isinstance(value, list | dict):
                names += list(value)
        request_id = row["id"] if "id" in columns and isinstance(row["id"], int) else None
        found += [
            (request_id, name) for name in names if isinstance(name, str) and os.path.isabs(name)
        ]
    return found


def refuse_own_file(output: Path, rewrites: tuple[int, str] | None = None) -> None:
    """Refuse (exit 2, with or without --force) an output that is one of dsr's own
    files: the tracking store, the manifest of what dsr stored, or a letter,
    reminder or complaint the store tracks (a follow-up appends it only while it
    holds what dsr wrote, and forget lists what the manifest names).

    ``rewrites`` (request id, file) is the one file a follow-up may write again,
    as :func:`rewritable` gives it: it records the new file in its place.
    """
    home = data_home()
    own: list[tuple[str, Path, int | None]] = [
        *(("the tracking store", home / name, None) for name in TRACKING_FILES),
        ("dsr's list of the files it stored", home / MANIFEST, None),
        *(
            (f"the letter dsr tracks as request {request_id or '?'}", Path(name), request_id)
            for request_id, name in _recorded()
            if (request_id, name) != rewrites
        ),
    ]
    for what, path, request_id in own:
        if files.same_file(output, path):
            untrack = (
                f", or first stop tracking request {request_id} ('{_remove(request_id)}')"
                if request_id
                else ""
            )
            raise files.UnsafeFile(
                words(
                    Option("output"),
                    f": {output} is also {what}; dsr never replaces it: choose another "
                    f"output file{untrack}",
                )
            )


def rewritable(tracked: Tracked, column: str) -> tuple[int, str] | None:
    """The file of ``tracked`` that a follow-up writing ``column`` (``reminder_file``,
    ``controller_complaint_file``) may replace, as it records the new one there: its
    own earlier one, unless that is also the request's letter or its other follow-up."""
    mine, other = (
        (tracked.reminder_file, tracked.controller_complaint_file)
        if column == "reminder_file"
        else (tracked.controller_complaint_file, tracked.reminder_file)
    )
    if mine is None or mine in tracked.files or mine == other:
        return None
    return (tracked.id, mine)


def get(request_id: int) -> Tracked:
    signing = seals.key()
    with _store() as connection:
        accepted = _accepted(connection, signing)
        found = connection.execute("SELECT * FROM requests WHERE id = ?", (request_id,)).fetchone()
    if found is None:
        raise TrackingError(_not_tracked(request_id))
    return _row(found, signing, accepted)


def _update(request_id: int, changes: dict[str, Any], written: list[Path] | None = None) -> None:
    """Set ``changes`` (column: value) on one request, and seal it again.

    The request need not be readable (answering or closing is how a date an
    older dsr let in is corrected), but it must carry the user's seal: dsr
    never seals what someone else wrote. The new seal is made from the row
    dsr checked and the values dsr sets, never from the row read back, and the
    row read back must be exactly that (:func:`_write_sealed`). ``written``
    are files the step wrote, whose checksums are kept.
    """
    signing = seals.key()
    with seals.ledger_lock(database_path().parent):
        with _store() as connection:
            connection.execute("BEGIN IMMEDIATE")  # no other writer between check and seal
            accepted = _accepted(connection, signing)
            query = "SELECT * FROM requests WHERE id = ?"
            row = connection.execute(query, (request_id,)).fetchone()
            if row is None:
                raise TrackingError(_not_tracked(request_id, accepted))
            if not _is_sealed(row, signing):
                unsealed = Unreadable(request_id, "it does not carry your seal", "seal")
                raise TrackingError(str(unsealed))
            if row["seal"] not in accepted.get(str(request_id), []):
                raise TrackingError(str(Unreadable(request_id, "an older copy", "ledger")))
            values = {name: row[name] for name in row.keys() if name != "seal"}
            if written:
                known = json.loads(values["file_hashes"]) if values.get("file_hashes") else {}
                changes = {**changes, "file_hashes": json.dumps({**known, **_hashes(written)})}
            new = _write_sealed(connection, {**values, **changes}, signing, changes)
            # Before the commit: if dsr is stopped between the two, the row keeps its old
            # seal, which the ledger no longer lists, and is refused until adopted
            # (never an older copy trusted, whoever puts it back).
            _set_ledger(request_id, [new])


def _write_sealed(
    connection: sqlite3.Connection,
    values: dict[str, Any],
    signing: bytes,
    changes: dict[str, Any] | None = None,
) -> str:
    """Write ``changes`` (or, with None, nothing but the seal) and the seal of ``values``,
    the whole row as dsr means it to be; then read the row back. A store that makes
    it anything else (a trigger, a computed column someone added) is refused, and
    the transaction rolled back."""
    request_id = values["id"]
    sealed = seals.seal(_ROW, {k: v for k, v in values.items() if v is not None}, signing)
    columns = dict(changes or {})
    assignments = ", ".join(f"{name} = ?" for name in [*columns, "seal"])
    connection.execute(
        f"UPDATE requests SET {assignments} WHERE id = ?",  # names from dsr's own columns
        (*columns.values(), sealed, request_id),
    )
    back = connection.execute("SELECT * FROM requests WHERE id = ?", (request_id,)).fetchone()
    if back is None or back["seal"] != sealed or not _is_sealed(back, signing):
        raise StoreError(
            f"the tracking store {database_path()} does not keep what dsr writes to it "
            f"(request {request_id} reads back otherwise): another program changed how it "
            "works. dsr does not use it: move it aside, and dsr starts a new one"
        )
    return sealed


def mark_answered(request_id: int, when: date, verdict: Verdict | str) -> None:
    check_storable(when, "the date of the answer")  # the CLI checks first, naming --date
    if verdict not in VERDICTS:
        raise TrackingError(f"the verdict {verdict!r} is not one of {', '.join(VERDICTS)}")
    _update(request_id, {"answered": when.isoformat(), "verdict": Verdict(verdict).value})


def sending_date_problem(tracked: Tracked, when: date, today: date) -> str | None:
    """Why ``when`` cannot be the day ``tracked`` was sent (None if it can): after today,
    or after a step the store records (a reminder, a complaint, the answer)."""
    if when > today:
        return f"{when.isoformat()} is after today ({today.isoformat()}); give the day it was sent"
    dated = str(tracked.inputs.get("date") or "")
    if dated[:10] and when.isoformat() < dated[:10]:  # ISO dates compare as text
        return (
            f"{when.isoformat()} is before the letter's own date ({dated[:10]}); a letter "
            "goes out on or after the day it is dated"
        )
    steps = (
        ("the reminder", tracked.reminded),
        ("the complaint to the controller", tracked.controller_complaint),
        ("the complaint to the authority", tracked.escalated),
        ("the answer", tracked.answered),
    )
    for what, day in steps:
        if day is not None and when > day:
            return (
                f"{when.isoformat()} is after {what} recorded for request {tracked.id} "
                f"({day.isoformat()}); the letter went out before it"
            )
    return None


def deadline_from(tracked: Tracked, sent: date, today: date) -> date:
    """The deadline of ``tracked`` had it been sent on ``sent``: its letter composed again
    from the inputs it was tracked with, as ``dsr letter`` counted it (dsr.deadlines,
    the entity's calendar). InvalidRequest, as for the letter, if it cannot be."""
    use_controller(tracked)
    values = {key: value for key, value in tracked.inputs.items() if key != "enclose"}
    values.update(
        date=sent.isoformat(),
        jurisdiction=tracked.jurisdiction,
        kind=tracked.kind,
        lang=tracked.language,
    )
    deadline: date = compose(parse_request(values, today=max(today, sent))).deadline
    return deadline


def set_sent(request_id: int, sent: date, today: date) -> Tracked:
    """Correct the day request ``request_id`` was sent; its deadline follows (counted
    again as the letter counted it). Returns the request as it was before."""
    check_storable(sent, "the sending date")  # the CLI checks first, naming --date
    tracked = get(request_id)
    problem = sending_date_problem(tracked, sent, today)
    if problem is not None:
        raise TrackingError(f"the sending date: {problem}")
    deadline = deadline_from(tracked, sent, today)
    if out_of_range(deadline):
        raise TrackingError(
            f"the sending date: {sent.isoformat()} gives the deadline {deadline.isoformat()}, "
            f"which is out of range for tracking; use a date from {STORE_YEARS[0]} to "
            f"{STORE_YEARS[1]}"
        )
    inputs = {**tracked.inputs, "date": sent.isoformat()}
    changes = {
        "sent": sent.isoformat(),
        "deadline": deadline.isoformat(),
        "inputs": json.dumps(inputs, default=str),
    }
    _update(request_id, changes)
    return tracked


def close(request_id: int) -> None:
    _update(request_id, {"closed": 1})


def remove(request_id: int, not_mine: bool = False) -> str:
    """Stop tracking a request (its letters are kept): also one dsr cannot read, or one
    the ledger lists that the store lost. A row without the user's seal may be another
    member's (a shared data folder): removed only ``not_mine``."""
    signing = seals.key()
    with seals.ledger_lock(database_path().parent), _store() as connection:
        connection.execute("BEGIN IMMEDIATE")  # no other writer between check and delete
        row = connection.execute("SELECT * FROM requests WHERE id = ?", (request_id,)).fetchone()
        if row is None:
            ledger = seals.read_ledger(database_path().parent, "requests") or {}
            if str(request_id) not in ledger:
                message = f"no tracked request with id {request_id}; see '{TRACK_LIST}'"
                raise TrackingError(message)
            _set_ledger(request_id, None)  # gone from the store: forgotten here too
            return "forgotten"
        ledger = seals.read_ledger(database_path().parent, "requests") or {}
        mine_once = any(seal != ADDING for seal in ledger.get(str(request_id), []))
        if not not_mine and not _is_sealed(row, signing) and mine_once:
            _set_ledger(request_id, None)  # the member's is gone; another's is left
            return "forgotten"
        if not not_mine and not _is_sealed(row, signing):
            raise TrackingError(
                f"request {request_id} does not carry your seal: another member who uses this "
                "data folder may have tracked it, and dsr does not use it for you; leave it, "
                f"or, if it is no one's, remove it with {words(NOT_MINE)}"
            )
        connection.execute("DELETE FROM requests WHERE id = ?", (request_id,))
        _set_ledger(request_id, None)  # before the commit; a copy put back later is refused
        return "removed"


def mark_reminded(request_id: int, when: date, file: Path) -> None:
    check_storable(when, "the date of the reminder")  # the CLI checks first, naming --date
    _update(
        request_id, {"reminded": when.isoformat(), "reminder_file": str(file.resolve())}, [file]
    )


def mark_controller_complaint(request_id: int, when: date, file: Path) -> None:
    """Record that the member complained to the controller (s.164A DPA 2018)."""
    check_storable(when, "the date of the complaint")  # the CLI checks first, naming --date
    _update(
        request_id,
        {
            "controller_complaint": when.isoformat(),
            "controller_complaint_file": str(file.resolve()),
        },
        [file],
    )


def complaint_authority(values: RawInput) -> Authority | None:
    """The authority a complaint written from ``values`` (:func:`escalation_values`)
    goes to: the one named, else the one of its jurisdiction."""
    slug = values.get("authority")
    if slug:
        return registry.authorities().get(str(slug))
    return registry.authority_for(str(values.get("jurisdiction", "")).upper())


def authority_name(slug: str | None) -> str:
    """An authority by its name in English (its slug if dsr knows it no more)."""
    found = registry.authorities().get(slug) if slug else None
    if found is None:
        return slug or "the authority"
    return found.name_en or found.name


def mark_escalated(request_id: int, when: date, authority: Authority | None) -> None:
    """Record the complaint to the authority (``dsr track escalate``)."""
    check_storable(when, "the date of the complaint")  # the CLI checks first, naming --date
    slug = authority.slug if authority is not None else None
    _update(request_id, {"escalated": when.isoformat(), "escalated_to": slug})


def use_controller(tracked: Tracked) -> None:
    """Make the company a tracked request went to known again, if it came from a file."""
    if tracked.controller_record is None:
        return
    try:
        controller = registry.controller_from_record(
            tracked.controller, tracked.controller_record, f"tracked request {tracked.id}"
        )
    except RegistryError as error:
        message = f"request {tracked.id}: its company's record is unusable: {error}"
        raise StoreError(message) from error
    registry.register_controller(controller)


def outcome_of(tracked: Tracked) -> str:
    """The complaint's --outcome for what happened to the request."""
    return {"refused": "refused", "partial": "insufficient", "complete": "insufficient"}.get(
        tracked.verdict or "", "none"
    )


def pdf_files(paths: list[str]) -> list[str]:
    return [p for p in paths if p.lower().endswith(".pdf") and Path(p).is_file()]


def annexes(tracked: Tracked, paths: list[str]) -> list[str]:
    """The tracked PDFs to append, each still the file dsr wrote; otherwise refused (exit 2).

    A file at a tracked path may have been replaced since: a link to another
    member's letter, a hard link, other contents. A path the store lists
    without a sha256 (a row tracked before hashes were kept, or a store edited
    by hand) is appended only if it is a PDF that carries dsr's mark
    (:func:`unhashed_letter`).
    """
    out: list[str] = []
    for name in paths:
        if not name.lower().endswith(".pdf"):
            continue
        path = Path(name)
        changed = f"request {tracked.id}: cannot append {name}"
        if path.is_symlink() or (path.exists() and os.path.realpath(path) != name):
            raise TrackingError(
                f"{changed}: it is now a symbolic link (or lies behind one); dsr does not "
                "follow it: put the letter dsr wrote back at that path"
            )
        if path.exists() and not path.is_file():
            raise TrackingError(
                f"{changed}: it is not a regular file now: put the letter dsr wrote back at "
                "that path"
            )
        if not path.is_file():
            continue  # gone: the follow-up is written without it, as before
        expected = tracked.file_hashes.get(name)
        if expected is None:
            unhashed_letter(tracked, name)
            out.append(name)
            continue
        if path.stat().st_nlink > 1:
            raise TrackingError(
                f"{changed}: it has more than one hard link, so it may not be the letter dsr "
                "wrote: put a plain copy of that letter back at that path"
            )
        if _sha256(path) != expected:
            raise TrackingError(
                f"{changed}: it was changed after dsr wrote it (its sha256 differs): put "
                "the letter dsr wrote back at that path"
            )
        out.append(name)
    return out


def unhashed_letter(tracked: Tracked, name: str) -> bytes:
    """The bytes of a tracked path the store kept no sha256 for, if it is a letter dsr wrote.

    Read from the root without following links (and with one name only), it
    must be a PDF that carries dsr's mark: a tampered or foreign store that
    lists another file on the machine cannot bring it into a follow-up.
    Anything else is refused (exit 2).
    """
    refused = (
        f"request {tracked.id}: cannot append {name}: the tracking store kept no checksum for it"
    )
    remedy = (
        "dsr appends only the letters it wrote and tracked; if this request is not yours, "
        f"run '{_remove(tracked.id)}'"
    )
    try:
        data = files.read_confined(Path(name))
    except files.FileError as error:
        raise TrackingError(
            f"{refused}, and it is not a plain file (a link, a hard link or gone): {remedy}"
        ) from error
    if not made_by_dsr(data):
        raise TrackingError(f"{refused}, and it is not a letter dsr wrote: {remedy}")
    return _this_request_s(tracked, name, data)


def reminder_values(tracked: Tracked, when: date) -> RawInput:
    values: RawInput = {}
    for key, value in tracked.inputs.items():
        if key not in _FOLLOW_UP_FIELDS:
            put(values, key, value)
    return {
        **values,
        "kind": "reminder",
        "lang": tracked.language,
        "date": when.isoformat(),
        "request-date": tracked.sent.isoformat(),
        "request-kind": tracked.request_kind,
        "outcome": outcome_of(tracked),
        "reference": tracked.reference,
        "enclose": annexes(tracked, tracked.files),
    }


def annex_contents(tracked: Tracked | None, paths: list[str]) -> tuple[Path | bytes, ...]:
    """Each annex of a follow-up as it will be appended: a letter dsr wrote and tracked
    is read once, from the root without following links, and checked against the
    sha256 dsr kept, so a file swapped in after :func:`annexes` looked is never
    appended. A tracked path without a sha256 is appended only as a letter dsr
    wrote (:func:`unhashed_letter`). Without a tracked request, the member's own
    annexes are their files, read by name."""
    out: list[Path | bytes] = []
    for name in paths:
        if tracked is None:
            out.append(Path(name))
            continue
        expected = tracked.file_hashes.get(name)
        if expected is None:
            out.append(unhashed_letter(tracked, name))
            continue
        changed = f"request {tracked.id}: cannot append {name}"
        try:
            data = files.read_confined(Path(name))
        except files.FileError as error:
            raise TrackingError(
                f"{changed}: it changed while it was read (a link or a hard link now); put "
                "the letter dsr wrote back at that path"
            ) from error
        if hashlib.sha256(data).hexdigest() != expected:
            raise TrackingError(
                f"{changed}: it was changed after dsr wrote it (its sha256 differs): put "
                "the letter dsr wrote back at that path"
            )
        out.append(_this_request_s(tracked, name, data))
    return tuple(out)


def _this_request_s(tracked: Tracked, name: str, data: bytes) -> bytes:
    """``data``, if it is a letter dsr wrote for this request: dsr's mark and the request's
    reference in its keywords. A store someone else could write (a shared drive) may list
    any file with its own checksum; only this request's letters are appended."""
    if not made_by_dsr(data) or reference_in(data) != tracked.reference:
        raise TrackingError(
            f"request {tracked.id}: cannot append {name}: it is not a letter dsr wrote for "
            f"this request (reference {tracked.reference}); dsr appends only those. If the "
            f"tracking store is not yours, run '{_remove(tracked.id)}'"
        )
    return data


def needs_controller_complaint(tracked: Tracked, authority: str | None) -> bool:
    """GB: the Information Commissioner generally expects a complaint to the controller first.

    Whether a step of the registry's complaint trail (here s.164A DPA 2018) is
    still to be made before the complaint to the authority.
    """
    family = registry.jurisdictions()[tracked.jurisdiction].family
    controller_complaint = "controller-complaint" in registry.law_families()[family].kinds
    return controller_complaint and tracked.controller_complaint is None and not authority


def controller_complaint_values(tracked: Tracked, when: date) -> RawInput:
    """The complaint to the controller (s.164A DPA 2018) about the tracked request."""
    values = reminder_values(tracked, when)
    values["kind"] = "controller-complaint"
    if tracked.reminder_file:
        values["enclose"] = [
            *files_of(values.get("enclose")),
            *annexes(tracked, [tracked.reminder_file]),
        ]
    return values


def escalation_values(
    tracked: Tracked, when: date, jurisdiction: str | None, authority: str | None
) -> RawInput:
    values: RawInput = {}
    for key, value in tracked.inputs.items():
        # The complaint is in the authority's language, without the request's courtesy
        # translation (its language may be the authority's).
        if key not in (*_FOLLOW_UP_FIELDS, "lang", "also-lang"):
            put(values, key, value)
    enclosures = annexes(tracked, tracked.files)
    if tracked.reminder_file:
        enclosures += annexes(tracked, [tracked.reminder_file])
    if tracked.controller_complaint_file:
        enclosures += annexes(tracked, [tracked.controller_complaint_file])
    out: RawInput = {
        **values,
        "kind": "complaint",
        "date": when.isoformat(),
        "request-date": tracked.sent.isoformat(),
        "request-kind": tracked.request_kind,
        "outcome": outcome_of(tracked),
        "enclose": enclosures,
    }
    if tracked.controller_complaint:
        out["controller-complaint-date"] = tracked.controller_complaint.isoformat()
    if jurisdiction:
        out["jurisdiction"] = _finer_jurisdiction(tracked, jurisdiction)
    if authority:
        out["authority"] = authority
    if complains_in(tracked.language, authority, str(out.get("jurisdiction", ""))):
        out["lang"] = tracked.language  # the member's own, where the authority takes it
    return out


def _finer_jurisdiction(tracked: Tracked, jurisdiction: str) -> str:
    """``jurisdiction`` for a complaint about ``tracked``: the request's own, or a finer
    one of the same country (DE, then DE-BY for the authority of a Land). Another
    country would have the complaint recount a request the member made from there, to
    the controller's entity and under the law of there, which the member did not."""
    known = registry.jurisdictions()
    code = jurisdiction.strip().upper()
    given = known.get(code)
    if given is None:
        return jurisdiction  # named as unknown where the request is read
    made_from = known[tracked.jurisdiction]
    finer = code == made_from.code or code.startswith(f"{made_from.code}-")
    if not finer or given.family != made_from.family:
        where = "is not a part of" if not finer else "has another law than"
        raise InvalidRequest(
            [
                Problem(
                    "jurisdiction",
                    f"{code} {where} {made_from.code}, where request {tracked.id} was made "
                    "from: the complaint recounts that request, under the law it was made "
                    f"under; give {made_from.code} or a part of it with the same law "
                    f"('{words(LIST_JURISDICTIONS)}'), or write a new request from where you "
                    "live now",
                )
            ]
        )
    return code


def complains_in(language: str, authority: str | None, jurisdiction: str) -> bool:
    """Whether the competent authority takes complaints in ``language`` (or its base)."""
    found = (
        registry.authorities().get(authority) if authority else registry.authority_for(jurisdiction)
    )
    if found is None or not language:
        return False
    accepted = {tag.split("-")[0] for tag in found.complaint_languages}
    return language in found.complaint_languages or language.split("-")[0] in accepted


def with_timeline(letter: Any, tracked: Tracked) -> Any:
    """The complaint recounts the correspondence, pointing to the annexes."""
    entries = [TimelineEntry(tracked.sent, "request", 1 if pdf_files(tracked.files) else None)]
    annexes = len(pdf_files(tracked.files))
    if tracked.reminded:
        reminder_annexed = bool(tracked.reminder_file and pdf_files([tracked.reminder_file]))
        annexes += reminder_annexed
        entries.append(
            TimelineEntry(tracked.reminded, "reminder", annexes if reminder_annexed else None)
        )
    if tracked.controller_complaint:
        annexed = bool(
            tracked.controller_complaint_file and pdf_files([tracked.controller_complaint_file])
        )
        annexes += annexed
        entries.append(
            TimelineEntry(
                tracked.controller_complaint, "controller-complaint", annexes if annexed else None
            )
        )
    if tracked.answered:
        entries.append(TimelineEntry(tracked.answered, "reply"))
    return replace(letter, timeline=tuple(sorted(entries, key=lambda e: e.date)))


@dataclass(frozen=True)
class Deadline:
    """One deadline as a calendar shows it: an all-day event, an alarm the day before."""

    uid: str
    day: date
    stamp: datetime
    summary: str
    description: str
    alarm: str


def ical(deadlines: Iterable[Deadline]) -> bytes:
    """An iCalendar file of ``deadlines`` (the tracked requests', or one letter's)."""
    from icalendar import Alarm, Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//dsr//data-subject requests//EN")
    cal.add("version", "2.0")
    for deadline in deadlines:
        event = Event()
        event.add("uid", deadline.uid)
        event.add("summary", deadline.summary)
        event.add("dtstart", deadline.day)
        event.add("dtend", deadline.day + timedelta(days=1))
        event.add("dtstamp", deadline.stamp)
        event.add("description", deadline.description)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", deadline.alarm)
        alarm.add("trigger", timedelta(days=-1))
        event.add_component(alarm)
        cal.add_component(event)
    data: bytes = cal.to_ical()
    return data


def calendar(requests: list[Tracked], today: date) -> bytes:
    """An iCalendar file: one all-day event on each open deadline, with an alarm."""
    deadlines = []
    for stored in requests:
        if stored.closed or stored.answered:
            continue
        # The store is a file on disk: its text is shown in a calendar app, so the
        # control and bidi characters a hand-edited row may hold are escaped.
        tracked = replace(
            stored, reference=printable(stored.reference), recipient=printable(stored.recipient)
        )
        deadlines.append(
            Deadline(
                uid=f"{tracked.reference}-{tracked.id}@dsr.invalid",
                day=tracked.deadline,
                stamp=datetime.combine(tracked.sent, datetime.min.time()),
                summary=f"Deadline: {tracked.kind} {tracked.reference} ({tracked.recipient})",
                description=f"Sent {tracked.sent.isoformat()} to {tracked.recipient}. "
                f"If there is no answer: {_remind(tracked.id)}",
                alarm=f"dsr: deadline {tracked.reference}",
            )
        )
    return ical(deadlines)
