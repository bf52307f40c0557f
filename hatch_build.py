"""Hatch build hook: compile the gettext catalogs (letters.po, ui.po) into the wheel.

`.mo` files are built, not committed; this puts them (and the `.po`
sources) under dsr/locales/ in the wheel, so `pip install .` gives a dsr
that works in every shipped language with no separate compile step.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hatchling.builders.hooks.plugin.interface import BuildHookInterface


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        root = Path(self.root)
        out = Path(tempfile.mkdtemp(prefix="dsr-mo-"))
        for po in sorted((root / "locales").glob("*/LC_MESSAGES/*.po")):
            relative = po.relative_to(root / "locales")
            mo = out / relative.with_suffix(".mo")
            mo.parent.mkdir(parents=True, exist_ok=True)
            with po.open("rb") as handle:
                catalog = read_po(handle, locale=relative.parts[0])
            with mo.open("wb") as handle:
                write_mo(handle, catalog, use_fuzzy=False)
            build_data["force_include"][str(mo)] = f"dsr/locales/{relative.with_suffix('.mo')}"
            build_data["force_include"][str(po)] = f"dsr/locales/{relative}"
        for domain in ("letters", "ui"):  # the letters' catalogs and the interface's
            pot = root / "locales" / f"{domain}.pot"
            if pot.exists():
                build_data["force_include"][str(pot)] = f"dsr/locales/{domain}.pot"
