"""Controllers from files: dsr's own TOML/JSON format or a datarequests.org record."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from . import datenanfragen, registry
from .errors import RegistryError
from .model import Controller


def _is_datenanfragen(record: dict[str, Any]) -> bool:
    return "entities" not in record and "relevant-countries" in record


def record_from_file(path: Path) -> tuple[str, dict[str, Any]]:
    """Read one controller file; returns (slug, record in dsr's format)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        raise RegistryError(f"{path}: cannot read: {error}") from error
    if path.suffix.lower() == ".toml":
        try:
            data: Any = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise RegistryError(f"{path}: not valid TOML: {error}") from error
    else:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            raise RegistryError(f"{path}: not valid JSON: {error}") from error
    if not isinstance(data, dict):
        raise RegistryError(f"{path}: expected one controller record (an object)")
    if _is_datenanfragen(data):
        try:
            return path.stem, datenanfragen.convert_record(data, f"companies/{path.name}")
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


def load_controller_file(path: Path) -> Controller:
    """A Controller from a file, validated like the built-in registry."""
    slug, record = record_from_file(path)
    return registry.controller_from_record(slug, record, str(path))
