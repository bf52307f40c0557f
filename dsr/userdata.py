"""What dsr keeps in the user's data directory: imported controllers.

The directory is ``platformdirs.user_data_dir("dsr")``, or ``$DSR_HOME`` when
set (the tests use it). The folder is 0700, files are written atomically
with mode 0600 (through dsr.files), and every file dsr stores is listed in a
manifest with the sha256 of what was written, so ``forget()`` removes exactly
those, as long as they are unchanged, and nothing else.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from itertools import islice
from pathlib import Path
from typing import Any

from . import files, seals
from .errors import Command, DsrError, InputError, Option, RegistryError, words
from .model import Controller
from .text import printable

LOG = logging.getLogger(__name__)  # the CLI shows these as "Warning: ..."
MANIFEST = "manifest.jsonl"
# How a stored record becomes a controller: dsr.registry.controller_from_record, which
# passes itself (the registry reads this store; the store never imports the registry).
Build = Callable[[str, dict[str, Any], str], Controller]
TRACKING_FILES = ("tracking.sqlite3", "tracking.sqlite3-journal", "tracking.sqlite3-wal",
                  "tracking.sqlite3-shm")  # fmt: skip


def data_home() -> Path:
    """Where dsr stores user data; nothing is written here until it is needed.

    The path is resolved: a DSR_HOME that is a link the user made names one
    real folder, the one writing and ``forget`` both use.
    """
    override = os.environ.get("DSR_HOME")
    if override:
        return Path(os.path.realpath(override))
    from platformdirs import user_data_dir

    return Path(os.path.realpath(user_data_dir("dsr", appauthor=False)))


def controllers_dir() -> Path:
    return data_home() / "controllers"


def private_home() -> Path:
    """The data folder, created 0700 (with its missing parents) before anything goes in."""
    home = data_home()
    files.make_dir(home, files.PRIVATE_DIR)
    return home


def _note(entry: dict[str, str]) -> None:
    files.append(private_home(), MANIFEST, (json.dumps(entry) + "\n").encode())


def _read_manifest(home: Path) -> tuple[dict[str, str], list[str]]:
    """Files dsr stored in ``home``, each with the sha256 it wrote ("" if none was noted;
    a name's last entry wins), and the batch folders it wrote into."""
    data = files.read(home, MANIFEST) if home.is_dir() else None
    stored: dict[str, str] = {}
    batches: dict[str, None] = {}
    for line in (data or b"").decode("utf-8", "replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut short by a kill
        if isinstance(entry, dict) and isinstance(entry.get("file"), str):
            sha = entry.get("sha256")
            stored[entry["file"]] = sha if isinstance(sha, str) else ""
        elif isinstance(entry, dict) and isinstance(entry.get("batch"), str):
            batches[entry["batch"]] = None
    return stored, list(batches)


def manifest() -> tuple[list[str], list[str]]:
    """What dsr stored in its data folder, and the batch folders it wrote into."""
    stored, batches = _read_manifest(data_home())
    return list(stored), batches


def note_stored(name: str, data: bytes | None = None) -> None:
    """Note a file dsr stored in its data folder (``name`` relative to it), for forget.

    ``data`` is what is written: its sha256 is noted, and forget removes the
    file only while it still holds exactly that.
    """
    sha = hashlib.sha256(data).hexdigest() if data is not None else ""
    stored = _read_manifest(data_home())[0]
    if stored.get(name) != sha:
        _note({"file": name, "sha256": sha} if sha else {"file": name})


def remember_batch(folder: Path) -> None:
    """Note a batch folder: its letters, report and state hold members' data."""
    where = str(folder.resolve())
    if where not in manifest()[1]:
        _note({"batch": where})


def _json_default(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"cannot store {type(value).__name__}")


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_none(v) for v in value]
    return value


# The key of an imported company's record that holds its seal (dsr.seals), and what
# the seal is made for: a record someone else put in a shared data folder is not used.
SEAL_KEY = "dsr-seal"
_IMPORTED = "imported company"


def _controller_seal(slug: str, record: dict[str, Any]) -> str:
    return seals.seal(_IMPORTED, {"key": slug, "record": record})


def _sealed_by_another(home: Path, name: str) -> bool:
    """Whether ``home/name`` is a company record sealed with a key not the member's:
    another member's import, where members share a data folder. One without a seal
    (an older dsr's) or unreadable is no one's to keep for."""
    try:
        data = files.read(home, name)
        record = json.loads(data.decode("utf-8")) if data is not None else None
    except (files.FileError, ValueError, RecursionError):
        return False
    if not isinstance(record, dict):
        return False
    found = record.pop(SEAL_KEY, None)
    if not isinstance(found, str) or not re.fullmatch(r"[0-9a-f]{64}", found):
        return False
    slug = name.removeprefix("controllers/").removesuffix(".json")
    return not seals.is_sealed(_IMPORTED, {"key": slug, "record": record}, found)


class OtherMembersRecord(InputError):
    """A company record another member imported under that key (a shared data folder)."""


def save_controller(slug: str, record: dict[str, Any]) -> Path:
    """Store a controller record (dsr's format) for later letters, sealed with the user's key."""
    files.check_slug(slug, "controller key")  # "../x" or "/etc/x" never leaves the store
    name = f"controllers/{slug}.json"
    if _sealed_by_another(data_home(), name):
        raise OtherMembersRecord(
            f"{data_home() / name} was imported with another key: another member's, where "
            "members share this data folder, whose letters use it; dsr does not replace it"
        )
    body = json.loads(json.dumps(_drop_none(record), default=_json_default))  # as it is read
    sealed = _controller_seal(slug, body)
    body[SEAL_KEY] = sealed
    text = json.dumps(body, ensure_ascii=False, indent=1)
    home = private_home()
    note_stored(name, text.encode())  # before the file: forget never misses it
    with seals.ledger_lock(home):
        ledger = _company_ledger(home)
        written = files.write_file(home, name, text.encode(), replace=True)
        seals.write_ledger(home, "companies", {**ledger, slug: sealed})  # the older copy: no more
    return written


def _company_ledger(home: Path) -> dict[str, str]:
    """The seal each imported company's record has now; a first ledger (a data folder
    whose companies were imported before ledgers were kept) is made from the records
    that carry the user's seal."""
    ledger = seals.read_ledger(home, "companies") or {}  # none: no company imported here
    return {key: value for key, value in ledger.items() if isinstance(value, str)}


def _sealed_record(home: Path, slug: str) -> tuple[dict[str, Any], str] | None:
    """A stored company's record and its seal, if it carries the user's seal; else None."""
    if not files.is_slug(slug):
        return None
    try:
        data = files.read(home, f"controllers/{slug}.json")
        record = json.loads(data.decode("utf-8")) if data else None
    except (files.FileError, UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(record, dict):
        return None
    found = record.pop(SEAL_KEY, None)
    if not seals.is_sealed(_IMPORTED, {"key": slug, "record": record}, found):
        return None
    return record, found


_WARNED: set[tuple[str, str]] = set()


def _warn_once(path: Path, reason: str) -> None:
    """Say once per process that a stored file is unusable, naming it (it is skipped)."""
    if (str(path), reason) not in _WARNED:
        _WARNED.add((str(path), reason))
        LOG.warning(printable(f"ignored {path}: {reason}; fix it, or remove it"))


def _stored_controller(home: Path, slug: str, build: Build) -> Controller | None:
    """The controller in ``home/controllers/<slug>.json``; None, with a warning, if unusable.

    Read like every file of dsr's own: no link followed, a FIFO never opened.
    """
    found = _stored(home, slug, build)
    return found[0] if found else None


def imported_record(slug: str, build: Build) -> dict[str, Any] | None:
    """The record (dsr's format) of a controller the user imported, as it is now: a
    tracked request keeps it, so that a later import of another company under that
    key does not change whom its reminder and complaint name."""
    if not files.is_slug(slug):
        return None
    found = _stored(data_home(), slug, build)
    return found[1] if found else None


def _stored(home: Path, slug: str, build: Build) -> tuple[Controller, dict[str, Any]] | None:
    """``_stored_controller``, with the record it was built from."""
    path = home / "controllers" / f"{slug}.json"
    if not os.path.lexists(home / "controllers"):
        return None  # no company imported here: nothing to warn about
    try:
        data = files.read(home, f"controllers/{slug}.json")
        if data is None:
            return None
        record = json.loads(data.decode("utf-8"))
        found = record.pop(SEAL_KEY, None) if isinstance(record, dict) else None
        if not seals.is_sealed(_IMPORTED, {"key": slug, "record": record}, found):
            _warn_once(
                path,
                f"it was not imported with your key ({seals.key_path()}): another member "
                "imported it (where members share this data folder), another program or "
                "person wrote it, an older dsr imported it, or it comes from another "
                "computer. Give the company's file with "
                f"{words(Option('controller-file', 'FILE', keyword='controller_record'))} (an "
                "import does not replace another member's record)",
            )
            return None
        if _company_ledger(home).get(slug) != found:
            _warn_once(
                path,
                "it is an older copy of the company's record than the one you imported last "
                "(put back by another program or person, or from a backup). Import the "
                f"company again with '{words(Command(('controllers', 'import', 'FILE')))}'",
            )
            return None
        return build(slug, record, str(path)), record
    except files.NotRegular:  # a FIFO, a device, a folder: never opened
        _warn_once(path, "not a regular file")
    except files.UnsafeFile:
        _warn_once(path, "a symbolic link (or behind one), which dsr does not follow")
    except files.FileError as error:
        _warn_once(path, str(error))
    except RecursionError:
        _warn_once(path, "nested too deeply")
    except UnicodeDecodeError:
        _warn_once(path, "not UTF-8 text")
    except ValueError as error:
        _warn_once(path, f"not valid JSON ({error})")
    except RegistryError as error:
        _warn_once(path, str(error).removeprefix(f"{path}: "))
    except seals.SealKeyError as error:
        _warn_once(path, str(error))
    return None


def imported_controller(slug: str, build: Build) -> Controller | None:
    """One imported controller, or None if there is none (or its file is broken)."""
    if not files.is_slug(slug):
        return None
    return _stored_controller(data_home(), slug, build)


def imported_controllers(build: Build) -> dict[str, Controller]:
    """Controllers the user imported; a broken file is skipped with a warning, never fatal."""
    home = data_home()
    folder = home / "controllers"
    if folder.is_symlink():
        _warn_once(folder, "a symbolic link, which dsr does not follow")
        return {}
    if not folder.is_dir():
        return {}
    out: dict[str, Controller] = {}
    for path in sorted(folder.glob("*.json")):
        if not files.is_slug(path.stem):
            _warn_once(path, f"its name is not a controller key ({files.SLUG_RULE})")
            continue
        found = _stored_controller(home, path.stem, build)
        if found is not None:
            out[path.stem] = found
    return out


@dataclass(frozen=True)
class Forgotten:
    removed: list[Path]
    kept: list[Path]  # files in the data folder dsr did not write
    batches: list[Path]  # folders dsr batch wrote members' letters into
    changed: list[Path] = field(default_factory=list)  # listed, but not what dsr wrote
    home_kept: str | None = None  # why the data folder itself is kept, if it is
    more_kept: bool = False  # more was left than ``kept`` names (KEPT_NAMED at most)
    others: list[Path] = field(default_factory=list)  # other members' (a shared folder)


KEPT_NAMED = 100  # a DSR_HOME set to $HOME by mistake is not walked to its end


def forget(keep_store: bool = False) -> Forgotten:
    """Remove exactly what dsr stored (its manifest and the tracking database; with
    ``keep_store``, the database stays, for the other members' requests in it).

    A file the manifest lists is removed only while it holds what dsr wrote
    (the sha256 noted with it); one changed since, or listed without a
    sha256, is kept and listed in ``changed``. Anything else in the data
    folder is kept and listed; so are the batch folders dsr wrote into, whose
    letters, report.csv and state file hold members' data. The data folder and
    its ``controllers/`` are removed only once empty, and only where dsr's own
    manifest shows dsr stored something there: a folder set aside as DSR_HOME,
    or a mount point, that dsr never wrote into is not dsr's to remove.
    """
    home = data_home()  # resolved once: the folder dsr wrote into, even through a link
    if not home.is_dir() or home.is_symlink():
        return Forgotten([], [], [])
    ours = _manifest_is_ours(home)
    stored, batches = _read_manifest(home) if ours else ({}, [])
    # dsr's fixed names are removed only while they hold dsr's store and manifest:
    # another program's "tracking.sqlite3" in a folder named as DSR_HOME is kept.
    # ``keep_store``: other members' requests are in it (a shared data folder).
    store = TRACKING_FILES if _store_is_ours(home) and not keep_store else ()
    # Another member's imported companies stay, and so does the manifest naming them.
    others = [name for name in stored if STORED_NAME.fullmatch(name)
              and _sealed_by_another(home, name)]  # fmt: skip
    keep_manifest = bool(others) or keep_store
    own = (*store, *((MANIFEST,) if ours and not keep_manifest else ()))
    removed: list[Path] = []
    changed: list[Path] = []
    for name, sha in stored.items():
        if not STORED_NAME.fullmatch(name) or name in others:
            continue
        if sha and _sha256(home, name) == sha:
            if files.remove(home, name):
                removed.append(home / name)
        elif (home / name).is_file() and not (home / name).is_symlink():
            changed.append(home / name)
    with seals.ledger_lock_if_kept(home):  # no dsr records a request while the store goes
        removed += [home / name for name in own if files.remove(home, name)]
    if ours and keep_manifest:  # the others' lines stay: their forget finds their files
        gone = {str(path.relative_to(home)) for path in removed}
        _rewrite_manifest(home, gone)
    if not (home / TRACKING_FILES[0]).exists():
        seals.forget_sealed(home)  # the key's note that it sealed a store here
    folders = [home / "controllers"] if any(STORED_NAME.fullmatch(n) for n in stored) else []
    for folder in [*folders, *([home] if ours else [])]:
        if files.remove_empty_folder(folder):
            removed.append(folder)
    # Everything left is named: files, links (never followed) and empty folders.
    shared = {home / name for name in others}
    if keep_manifest:  # named by the caller, with why: the store, the manifest
        shared |= {home / name for name in (*TRACKING_FILES, MANIFEST)}
    found = (
        p
        for p in (home.rglob("*") if home.exists() else ())
        if (p.is_symlink() or not p.is_dir() or not any(p.iterdir()))
        and p not in changed
        and p not in shared
    )
    kept = sorted(islice(found, KEPT_NAMED + 1))
    more_kept = len(kept) > KEPT_NAMED
    kept = kept[:KEPT_NAMED]
    home_kept = None
    if home.exists():
        if any(home.iterdir()):
            home_kept = "it still holds what is listed above"
        elif not removed:
            home_kept = "dsr stored nothing there"
        else:
            home_kept = (
                f"it is empty, but without its {MANIFEST} dsr cannot tell that it made it; "
                "remove it yourself if it is not yours"
            )
    # Named only while it still holds dsr batch's state file: a manifest that lists
    # another folder ("/") was not written by a batch.
    existing = [
        Path(b) for b in batches if Path(b).is_dir() and os.path.lexists(Path(b) / BATCH_STATE_FILE)
    ]
    return Forgotten(
        removed, kept, existing, changed, home_kept, more_kept, [home / name for name in others]
    )


def _rewrite_manifest(home: Path, gone: set[str]) -> None:
    """The manifest without the lines of the files ``gone`` (the member's, removed)."""
    data = files.read(home, MANIFEST)
    if data is None:
        return
    kept = []
    for line in data.decode("utf-8", "replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and entry.get("file") in gone:
            continue
        kept.append(line)
    files.write_file(home, MANIFEST, ("\n".join(kept) + "\n").encode(), replace=True)


def _manifest_is_ours(home: Path) -> bool:
    """Whether ``home``'s manifest is one dsr wrote: JSON lines of its two kinds only."""
    data = files.read(home, MANIFEST)  # a FIFO or a folder there is refused, naming it
    if data is None:
        return False
    lines = data.decode("utf-8", "replace").splitlines()
    complete = 0
    for number, line in enumerate(lines, 1):
        try:
            entry = json.loads(line)
        except ValueError:
            if number == len(lines) and complete and line.startswith('{"'):
                continue  # dsr's last line, cut short by a kill
            return False
        if not isinstance(entry, dict) or not (
            set(entry) in ({"file"}, {"file", "sha256"}, {"batch"})
            and all(isinstance(value, str) for value in entry.values())
        ):
            return False
        complete += 1
    return complete > 0  # an empty file, or one line of text, is not dsr's


# The files dsr lists in its manifest: its controller records. forget removes no
# other name a manifest may list, whoever wrote it.
STORED_NAME = re.compile(r"controllers/[a-z0-9][a-z0-9-]*\.json")


# dsr batch's state file in each folder it writes into (dsr.batch.STATE_FILE; a test
# keeps them equal).
BATCH_STATE_FILE = ".dsr-batch-state.jsonl"
SQLITE_HEADER = b"SQLite format 3\x00"
# The schema versions dsr has written (dsr.track.SCHEMA_VERSION; a test keeps them equal):
# a store of a later version is not this dsr's to delete.
STORE_SCHEMA_VERSIONS = 8
# The columns of its one table, ``requests``: all of the first version's, and no
# other than a later version added (dsr.track.MIGRATIONS; a test keeps them equal).
STORE_FIRST_COLUMNS = frozenset(
    "id reference kind jurisdiction controller recipient language sent deadline inputs "
    "files answered verdict closed reminded reminder_file".split()
)
STORE_COLUMNS = STORE_FIRST_COLUMNS | {
    "controller_complaint",
    "controller_complaint_file",
    "controller_record",
    "file_hashes",
    "seal",
    "escalated",
    "escalated_to",
}


def _store_is_ours(home: Path) -> bool:
    """Whether ``home``'s tracking store is dsr's: an SQLite file of one table,
    ``requests``, with dsr's columns, at a schema version this dsr has written."""
    name = TRACKING_FILES[0]
    try:
        files.check_own_file(home, name)
        if (home / name).is_symlink():
            return False
        with (home / name).open("rb") as handle:
            if handle.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
                return False
        uri = (home / name).resolve().as_uri() + "?mode=ro"
        connection = sqlite3.connect(uri, uri=True)
        try:
            tables = {
                row[0]
                for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
            }
            columns = {row[1] for row in connection.execute("PRAGMA table_info(requests)")}
            version = int(connection.execute("PRAGMA user_version").fetchone()[0])
        finally:
            connection.close()
    except (OSError, sqlite3.Error, DsrError, ValueError):
        return False
    return (
        tables == {"requests"}
        and STORE_FIRST_COLUMNS <= columns <= STORE_COLUMNS
        and 1 <= version <= STORE_SCHEMA_VERSIONS
    )


def _sha256(home: Path, name: str) -> str | None:
    """The sha256 of dsr's own file ``home/name``; None if it is gone, a link or no file."""
    try:
        data = files.read(home, name)
    except files.FileError:
        return None
    return None if data is None else hashlib.sha256(data).hexdigest()
