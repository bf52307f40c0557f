"""Where dsr's own files live: in the wheel, or in a source checkout."""

from __future__ import annotations

from functools import cache
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@cache
def resource_dir(name: str) -> Path:
    """The ``templates`` or ``locales`` folder.

    A wheel carries them inside the package (force-included at build time);
    a source checkout or editable install keeps them at the project root.
    """
    for candidate in (PACKAGE_DIR / name, PACKAGE_DIR.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"dsr is missing its {name}/ folder (looked beside {PACKAGE_DIR})")


def data_file(name: str) -> Path:
    """A registry file in ``dsr/data``."""
    return PACKAGE_DIR / "data" / name
