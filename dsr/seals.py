"""Seals: an HMAC, with a key kept outside the data folder, over what dsr stores there.

The data folder may sit on a shared drive (an NGO's), where others can write.
A row of the tracking store, or a company's record the user imported, is used
only if it carries the seal dsr made with this user's key: no one who can
only write the data folder can point a follow-up at another member's letter,
or change where a company's letters go.

The key is 32 random bytes in the user's configuration folder
(``platformdirs.user_config_dir("dsr")``, ``$XDG_CONFIG_HOME/dsr`` on Linux),
never in the data folder, file mode 0600 in a 0700 folder. A data folder moved
to another computer needs its key copied too; the messages say so.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
from pathlib import Path
from typing import Any

from . import files
from .errors import InputError

KEY_FILE = "seal.key"
KEY_BYTES = 32
# Data folders whose store this key has sealed: a store found there later without
# seals was replaced by another program, not left by an older dsr.
SEALED_FOLDERS = "sealed-stores"


class SealKeyError(InputError):
    """The key file cannot be used: not dsr's, a link, or not readable."""


def key_home() -> Path:
    """The folder of the key: the user's configuration folder, resolved."""
    from platformdirs import user_config_dir

    return Path(os.path.realpath(user_config_dir("dsr", appauthor=False)))


def key_path() -> Path:
    return key_home() / KEY_FILE


def key() -> bytes:
    """This user's key, made on first use (of two processes making it, one wins)."""
    home = key_home()
    for _ in range(2):
        data = _read_key(home)
        if data is not None:
            return data
        try:
            files.write_file(home, KEY_FILE, secrets.token_bytes(KEY_BYTES))
        except files.OutputExists:
            continue  # another dsr made it first: read that one
    raise SealKeyError(f"the key file {home / KEY_FILE} could not be made; check that folder")


def _read_key(home: Path) -> bytes | None:
    try:
        data = files.read(home, KEY_FILE)
    except files.FileError as error:
        raise SealKeyError(
            f"dsr's key file cannot be read ({error}); it must be a plain file dsr made"
        ) from error
    if data is not None and len(data) != KEY_BYTES:
        raise SealKeyError(
            f"the key file {home / KEY_FILE} is not one dsr made (it holds {len(data)} bytes, "
            f"dsr writes {KEY_BYTES}): restore it from a backup, or move it aside to start "
            "a new one (what the old key sealed can then no longer be read)"
        )
    return data


def _plain(value: Any) -> Any:
    if isinstance(value, bytes):
        return {"bytes": value.hex()}
    raise TypeError(type(value).__name__)


def seal(purpose: str, value: Any, signing: bytes | None = None) -> str:
    """The seal of ``value`` (JSON-like; bytes allowed) for ``purpose``, as hex.

    ``signing`` is the key, if the caller read it once for many seals.
    """
    text = json.dumps(value, sort_keys=True, default=_plain, ensure_ascii=True)
    message = f"dsr {purpose} 1\n{text}".encode()
    return hmac.new(signing or key(), message, hashlib.sha256).hexdigest()


def is_sealed(purpose: str, value: Any, found: Any, signing: bytes | None = None) -> bool:
    """Whether ``found`` is the seal dsr makes of ``value`` for ``purpose``."""
    if not isinstance(found, str):
        return False
    return hmac.compare_digest(seal(purpose, value, signing), found)


def _folder_name(folder: Path) -> str:
    return hashlib.sha256(os.fsencode(os.path.realpath(folder))).hexdigest()[:32]


def mark_sealed(folder: Path) -> None:
    """Note that this key sealed the tracking store in ``folder``."""
    name = f"{SEALED_FOLDERS}/{_folder_name(folder)}"
    try:
        files.write_file(key_home(), name, b"")
    except files.OutputExists:
        pass


def was_sealed(folder: Path) -> bool:
    """Whether this key sealed a tracking store in ``folder`` before."""
    notes = key_home() / SEALED_FOLDERS
    if not os.path.lexists(notes):
        return False
    try:
        return files.read(notes, _folder_name(folder)) is not None
    except files.FileError:
        return True  # something dsr did not make is there: assume the worse


def forget_sealed(folder: Path) -> None:
    """Drop the note of ``folder``'s store (dsr forget removed it)."""
    home = key_home() / SEALED_FOLDERS
    if home.is_dir() and not home.is_symlink():
        files.remove(home, _folder_name(folder))
