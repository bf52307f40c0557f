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

import fcntl
import hashlib
import hmac
import json
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from . import files
from .errors import InputError

KEY_FILE = "seal.key"
KEY_BYTES = 32
# One ledger per data folder whose store this key has sealed: the seal each request
# and each imported company has now. A store found there later without seals was
# replaced by another program, not left by an older dsr; a row or a company whose
# seal is not the one in the ledger is an older copy put back (or a removed one).
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


def _notes() -> Path:
    return key_home() / SEALED_FOLDERS


class _Held(threading.local):
    """The ledgers this thread holds the lock of, and how deeply: reentrant within a
    thread only (the web page changes the store from several threads; each takes the
    lock itself, and flock makes the others wait)."""

    def __init__(self) -> None:
        self.depth: dict[str, int] = {}


_HELD = _Held()


@contextmanager
def ledger_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder``'s ledger for one change (reentrant within a process): of several
    dsr processes, one at a time reads, changes and writes it."""
    name = _folder_name(folder)
    held = _HELD.depth
    if held.get(name):
        held[name] += 1
        try:
            yield
        finally:
            held[name] -= 1
        return
    files.make_dir(_notes())
    try:
        fd = os.open(
            _notes() / f"{name}.lock",
            os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK,
            files.PRIVATE_FILE,
        )
    except OSError as error:
        raise SealKeyError(f"dsr's ledger lock cannot be used ({error})") from error
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        held[name] = 1
        try:
            yield
        finally:
            held.pop(name, None)
    finally:
        os.close(fd)


LEDGERS = ("requests", "companies")  # of the tracking store; of the imported companies


def _ledger_name(folder: Path, part: str) -> str:
    return _folder_name(folder) + ("" if part == "requests" else f"-{part}")


@contextmanager
def ledger_lock_if_kept(folder: Path) -> Iterator[None]:
    """:func:`ledger_lock`, where this key keeps ledgers; nothing is made where it keeps none."""
    if os.path.isdir(_notes()):
        with ledger_lock(folder):
            yield
    else:
        yield


def read_ledger(folder: Path, part: str) -> dict[str, Any] | None:
    """``folder``'s ledger of ``part``: {request id: [seals]} or {company key: seal};
    None if this key has none for it (or only the note of an earlier dsr, which kept
    none)."""
    if not os.path.lexists(_notes()):
        return None
    name = _ledger_name(folder, part)
    try:
        return _load(name)
    except files.FileError as error:
        raise SealKeyError(f"dsr's ledger of {folder} cannot be read ({error})") from error
    except ValueError as error:
        raise SealKeyError(
            f"dsr's ledger of {folder}, {_notes() / name}, is damaged ({error}): restore it "
            "from a backup, or move it aside"
        ) from error


def _load(name: str) -> dict[str, Any] | None:
    """The ledger ``name`` in the key folder; None if it is missing or empty; FileError if
    it is no plain file, ValueError if it is no JSON table."""
    data = files.read(_notes(), name)
    if not data:
        return None
    ledger = json.loads(data)
    if not isinstance(ledger, dict):
        raise ValueError("not a table")
    return ledger


def write_ledger(folder: Path, part: str, ledger: dict[str, Any]) -> None:
    """Replace ``folder``'s ledger of ``part`` (atomically); hold :func:`ledger_lock`."""
    data = json.dumps(ledger, sort_keys=True).encode()
    files.write_file(_notes(), _ledger_name(folder, part), data, replace=True)


def current_seals(part: str) -> set[str]:
    """Every seal some ledger of this key lists now for ``part``, in any data folder."""
    notes = _notes()
    found: set[str] = set()
    if not notes.is_dir() or notes.is_symlink():
        return found
    suffix = "" if part == "requests" else f"-{part}"
    for entry in notes.iterdir():
        name = entry.name
        if name.endswith(".lock") or len(name) != 32 + len(suffix) or not name.endswith(suffix):
            continue
        try:
            ledger = _load(name) or {}
        except (files.FileError, ValueError):
            continue  # read_ledger names it when its folder is used
        for value in ledger.values():
            values = value if isinstance(value, list) else [value]
            found.update(seal for seal in values if isinstance(seal, str))
    return found


def has_sealed() -> bool:
    """Whether this key has sealed a store anywhere: once it has, dsr trusts no store
    it meets without its seals or its ledger unless the user adopts it
    (``dsr track adopt``). Before, the first store it meets is sealed as it is: the
    one an older dsr left."""
    notes = _notes()
    if not os.path.lexists(notes):
        return False
    if not notes.is_dir() or notes.is_symlink():
        return True  # something dsr did not make is there: assume the worse
    return any(not entry.name.endswith(".lock") for entry in notes.iterdir())


def forget_sealed(folder: Path) -> None:
    """Empty ``folder``'s ledgers (dsr forget removed what they listed): every seal
    made before is then an older copy, and the folder stays known as sealed, so a
    store or a company's record put back after forget is refused."""
    with ledger_lock(folder):
        for part in LEDGERS:
            write_ledger(folder, part, {})
