"""What dsr keeps in the user's data directory: imported controllers.

The directory is ``platformdirs.user_data_dir("dsr")``, or ``$DSR_HOME`` when
set (the tests use it). Files are written atomically with mode 0600, and
``forget()`` removes everything dsr stored.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path
from typing import Any

from .errors import RegistryError
from .model import Controller


def data_home() -> Path:
    """Where dsr stores user data; nothing is written here until it is needed."""
    override = os.environ.get("DSR_HOME")
    if override:
        return Path(override)
    from platformdirs import user_data_dir

    return Path(user_data_dir("dsr", appauthor=False))


def controllers_dir() -> Path:
    return data_home() / "controllers"


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
    from .outputs import atomic_write

    folder = controllers_dir()
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = folder / f"{slug}.json"
    text = json.dumps(_drop_none(record), default=_json_default, ensure_ascii=False, indent=1)
    atomic_write(path, text.encode(), mode=0o600)
    return path


def imported_controller(slug: str) -> Controller | None:
    """One imported controller, or None if there is none (or its file is broken)."""
    from .registry import controller_from_record

    path = controllers_dir() / f"{slug}.json"
    if not slug.replace("-", "").isalnum() or not path.is_file():
        return None
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return controller_from_record(slug, record, str(path))
    except (OSError, ValueError, RegistryError):
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
        except (OSError, ValueError, RegistryError):
            continue
    return out


def forget() -> list[Path]:
    """Remove everything dsr stored; returns what was removed."""
    home = data_home()
    if not home.exists():
        return []
    removed = sorted(home.rglob("*"))
    shutil.rmtree(home)
    return removed
