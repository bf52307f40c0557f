"""The page geometry of a letter, declared once in ``templates/layout.toml``.

Both engines take their numbers from it: WeasyPrint through ``letter.css.jinja``
and ``page.css.jinja`` (render.py gives them the layout), Typst through a
dictionary literal that ``dsr.typeset`` passes to ``letter.typ``, and
``dsr.typeset`` fits page one's boxes with it. A key's suffix is its unit
(``_mm``, ``_pt``, ``_em``); positions on page one are from the paper's edge.
"""

from __future__ import annotations

import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from .errors import RenderError
from .glyphs import ems
from .resources import resource_dir

MM = 72 / 25.4  # points per millimetre
UNITS = {"_mm": "mm", "_pt": "pt", "_em": "em"}
# The file read; tests point it at a copy (the loader reads each path once).
PATH: Path | None = None


@dataclass(frozen=True)
class Window:
    """One window standard: the window's text box and the information block, in mm."""

    name: str
    left: float  # the window's left edge, from the paper's
    text_left: float  # its text's left edge
    text_width: float
    info_left: float
    info_top: float
    info_width: float


@dataclass(frozen=True)
class Layout:
    """The parsed layout file: its sections, as mappings, and the Typst dictionary of them."""

    sections: Mapping[str, Any]
    typst: str  # a Typst dictionary literal of the same values, with units

    def number(self, key: str) -> float:
        """A value by its dotted key, ``"type.body_pt"``."""
        value: Any = self.sections
        for part in key.split("."):
            value = value[part]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise RenderError(f"layout.toml: {key} is not a number")
        return float(value)

    def window(self, name: str) -> Window:
        """The window standard ``name`` (``left``, ``right``)."""
        spec = self.sections["window"][name]
        inset = self.number("address_zone.inset_mm")
        return Window(
            name=name,
            left=float(spec["left_mm"]),
            text_left=float(spec["left_mm"]) + inset,
            text_width=float(spec["width_mm"]) - inset,
            info_left=float(spec["info_left_mm"]),
            info_top=float(spec["info_top_mm"]),
            info_width=float(spec["info_width_mm"]),
        )

    def windows(self) -> tuple[str, ...]:
        return tuple(self.sections["window"])


def _frozen(value: Any) -> Any:
    if isinstance(value, dict):
        return MappingProxyType({key: _frozen(item) for key, item in value.items()})
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


def _typst_value(value: Any, unit: str = "") -> str:
    if isinstance(value, Mapping):
        items = []
        for key, item in value.items():
            name, item_unit = str(key), ""
            for suffix, symbol in UNITS.items():
                if name.endswith(suffix):
                    name, item_unit = name[: -len(suffix)], symbol
            items.append(f'"{name.replace("_", "-")}": {_typst_value(item, item_unit)}')
        return "(" + ", ".join(items) + ("," if len(items) == 1 else "") + ")" if items else "(:)"
    if isinstance(value, tuple | list):
        parts = [_typst_value(item, unit) for item in value]
        return "(" + ", ".join(parts) + ("," if len(parts) == 1 else "") + ")"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return f"{value:g}{unit}"
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    raise RenderError(f"layout.toml: a value Typst cannot take: {value!r}")


@cache
def load(path: Path) -> Layout:
    """The layout file at ``path``."""
    try:
        with path.open("rb") as file:
            data = tomllib.load(file)
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise RenderError(f"dsr's page layout {path}: {error}") from error
    sections = _frozen(data)
    return Layout(sections=sections, typst=_typst_value(sections))


_current: tuple[Path | None, Layout] | None = None


def current() -> Layout:
    """dsr's page layout (``templates/layout.toml``, or the file ``PATH`` names). Read
    once; templates look it up many times per letter, so the last one is kept at hand."""
    global _current
    if _current is None or _current[0] is not PATH:
        _current = (PATH, load(PATH or resource_dir("templates") / "layout.toml"))
    return _current[1]


# Measuring text in the page's boxes (dsr.registry checks records with it, below
# any renderer) -------------------------------------------------------------------


def rows(units: list[str], size: float, width: float) -> int:
    """The lines ``units`` fill at ``size`` pt in ``width`` pt, as a line breaker fills them.

    Units are words, or parts kept whole; one wider than a line breaks anywhere.
    """
    room = width * 0.995
    lines, used = 1, 0.0
    for unit in units:
        unit_width = ems(str(unit)) * size
        start = used + (0.27 * size if used else 0.0)
        if start + unit_width <= room:
            used = start + unit_width
            continue
        if used:
            lines += 1
        extra = max(math.ceil(unit_width / room) - 1, 0)
        lines += extra
        used = unit_width - extra * room
    return lines


def window_width(window: str) -> float:
    """The width (pt) of the window's text in the window standard ``window``."""
    return current().window(window).text_width * MM
