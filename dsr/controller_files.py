"""Controllers from files: dsr's own TOML/JSON format or a datarequests.org record."""

from __future__ import annotations

import json
import re
import tomllib
import unicodedata
from pathlib import Path
from typing import Any

from . import datenanfragen, registry
from .errors import RegistryError
from .limits import MAX_DEPTH, TOO_MANY_DIGITS, LimitError, check_depth, load_json, read_limited
from .model import Controller


def _is_datenanfragen(record: dict[str, Any]) -> bool:
    return "entities" not in record and "relevant-countries" in record


def record_from_file(path: Path) -> tuple[str, dict[str, Any]]:
    """Read one controller file; returns (slug, record in dsr's format).

    The slug is the record's own: a datarequests.org record's ``slug``, the key
    of a table in dsr's format, or for a bare record in dsr's format the
    file's name. ``dsr controllers import`` stores a record under it whether
    it came alone or in a folder.
    """
    try:
        text = read_limited(path).decode("utf-8")
        if path.suffix.lower() == ".toml":
            data: Any = check_depth(tomllib.loads(text), str(path))
        else:
            data = load_json(text, str(path))
    except LimitError as error:  # a device, a huge file, 100,000 nested [
        raise RegistryError(str(error)) from error
    except UnicodeDecodeError as error:
        raise RegistryError(f"{path}: cannot read: {error}") from error
    except RecursionError:  # tomllib recurses into nested arrays
        raise RegistryError(f"{path}: nested more than {MAX_DEPTH} levels deep") from None
    except tomllib.TOMLDecodeError as error:
        raise RegistryError(f"{path}: not valid TOML: {error}") from error
    except json.JSONDecodeError as error:
        raise RegistryError(f"{path}: not valid JSON: {error}") from error
    except ValueError as error:  # tomllib: a number of thousands of digits
        raise RegistryError(f"{path}: {TOO_MANY_DIGITS}") from error
    if not isinstance(data, dict):
        raise RegistryError(f"{path}: expected one controller record (an object)")
    if _is_datenanfragen(data):
        try:
            return datenanfragen.convert_with_slug(data, f"companies/{path.name}")
        except datenanfragen.DatenanfragenError as error:
            raise datenanfragen.DatenanfragenError(error.reason, path) from error
    if "entities" in data:
        return path.stem, data
    tables = [(k, v) for k, v in data.items() if isinstance(v, dict) and "entities" in v]
    if len(tables) == 1:
        return tables[0]
    raise RegistryError(
        f"{path}: not a controller record: expected dsr's format (with 'entities') "
        "or a datarequests.org company record"
    )


def toml_records(folder: Path) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """The records in dsr's format of a folder's ``*.toml`` files, by slug, and the files
    skipped with why (a link, which may lead anywhere, is never followed)."""
    records: dict[str, dict[str, Any]] = {}
    skipped: list[tuple[str, str]] = []
    for path in sorted(folder.glob("*.toml")):
        if path.is_symlink() or not path.is_file():
            skipped.append((str(path), "a link or not a regular file: not read"))
            continue
        try:
            slug, record = record_from_file(path)
        except RegistryError as error:
            skipped.append((str(path), str(error).removeprefix(f"{path}: ")))
            continue
        if slug in records:
            skipped.append((str(path), f"duplicate slug {slug!r}"))
            continue
        records[slug] = record
    return records, skipped


def file_slug(path: Path) -> str:
    """The slug of a controller file's company: its name lower-cased, ``^[a-z0-9-]+$``.

    ``ACME.json`` and ``acme.json`` name the same company; the file's record
    wins over a built-in or imported one of that slug in this process.
    """
    ascii_name = unicodedata.normalize("NFKD", path.stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:60] or "controller"


def load_controller_file(path: Path) -> tuple[Controller, dict[str, Any]]:
    """A Controller from a file, validated like the built-in registry, and its record.

    The record (dsr's format) goes with a tracked request, so that reminders
    and complaints reach the same company.
    """
    _, record = record_from_file(path)
    slug = file_slug(path)
    return registry.controller_from_record(slug, record, str(path)), record
