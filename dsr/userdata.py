"""What dsr keeps in the user's data directory: imported controllers.

The directory is ``platformdirs.user_data_dir("dsr")``, or ``$DSR_HOME`` when
set (the tests use it). The folder is 0700, files are written atomically
with mode 0600 (through dsr.files), and every file dsr stores is listed in a
manifest, so ``forget()`` removes exactly those and nothing else.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from . import files
from .errors import RegistryError
from .model import Controller

MANIFEST = "manifest.jsonl"
TRACKING_FILES = ("tracking.sqlite3", "tracking.sqlite3-journal", "tracking.sqlite3-wal",
                  "tracking.sqlite3-shm")  # fmt: skip


def data_home() -> Path:
    """Where dsr stores user data; nothing is written here until it is needed."""
    override = os.environ.get("DSR_HOME")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("dsr", appauthor=False))


def controllers_dir() -> Path:
    return data_home() / "controllers"


def private_home() -> Path:
    """The data folder, created 0700 (with its missing parents) before anything goes in."""
    home = data_home()
    files.make_dir(home, files.PRIVATE_DIR)
    return home


def _note(entry: dict[str, str]) -> None:
    files.append(private_home(), MANIFEST, (json.dumps(entry) + "\n").encode())


def manifest() -> tuple[list[str], list[str]]:
    """What dsr stored in its data folder, and the batch folders it wrote into."""
    data = files.read(data_home(), MANIFEST) if data_home().is_dir() else None
    stored: dict[str, None] = {}
    batches: dict[str, None] = {}
    for line in (data or b"").decode("utf-8", "replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line cut short by a kill
        if isinstance(entry, dict) and isinstance(entry.get("file"), str):
            stored[entry["file"]] = None
        elif isinstance(entry, dict) and isinstance(entry.get("batch"), str):
            batches[entry["batch"]] = None
    return list(stored), list(batches)


def note_stored(name: str) -> None:
    """Note a file dsr stored in its data folder (``name`` relative to it), for forget."""
    if name not in manifest()[0]:
        _note({"file": name})


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


def save_controller(slug: str, record: dict[str, Any]) -> Path:
    """Store a controller record (dsr's format) for later letters."""
    files.check_slug(slug, "controller key")  # "../x" or "/etc/x" never leaves the store
    name = f"controllers/{slug}.json"
    text = json.dumps(_drop_none(record), default=_json_default, ensure_ascii=False, indent=1)
    home = private_home()
    note_stored(name)  # before the file: forget never misses it
    return files.write_file(home, name, text.encode(), replace=True)


def imported_controller(slug: str) -> Controller | None:
    """One imported controller, or None if there is none (or its file is broken)."""
    from .registry import controller_from_record

    path = controllers_dir() / f"{slug}.json"
    if not files.is_slug(slug) or not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return controller_from_record(slug, record, str(path))
    except (OSError, ValueError, RecursionError, RegistryError):  # a broken or nested file
        return None


def imported_controllers() -> dict[str, Controller]:
    """Controllers the user imported; a broken file is skipped, never fatal."""
    from .registry import controller_from_record

    folder = controllers_dir()
    if not folder.is_dir():
        return {}
    out: dict[str, Controller] = {}
    for path in sorted(folder.glob("*.json")):
        try:
            record = json.loads(path.read_text(encoding="utf-8"))
            out[path.stem] = controller_from_record(path.stem, record, str(path))
        except (OSError, ValueError, RecursionError, RegistryError):
            continue
    return out


@dataclass(frozen=True)
class Forgotten:
    removed: list[Path]
    kept: list[Path]  # files in the data folder dsr did not write
    batches: list[Path]  # folders dsr batch wrote members' letters into


def forget() -> Forgotten:
    """Remove exactly what dsr stored (its manifest and the tracking database).

    Anything else in the data folder is kept and listed; so are the batch
    folders dsr wrote into, whose letters, report.csv and state file hold
    members' data.
    """
    home = data_home()
    if not home.is_dir() or home.is_symlink():
        return Forgotten([], [], [])
    stored, batches = manifest()
    removed = [
        home / name
        for name in [*stored, *TRACKING_FILES, MANIFEST]
        if _safe_relative(name) and files.remove(home, name)
    ]
    for folder in (home / "controllers", home):
        if files.remove_empty_folder(folder):
            removed.append(folder)
    kept = sorted(p for p in home.rglob("*") if not p.is_dir()) if home.exists() else []
    return Forgotten(removed, kept, [Path(b) for b in batches if Path(b).is_dir()])


def _safe_relative(name: str) -> bool:
    try:
        files.name_parts(name)
    except files.UnsafeFile:
        return False
    return True
