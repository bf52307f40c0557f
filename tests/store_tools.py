"""Changing the tracking store behind dsr's back, as the attack tests do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dsr import seals, track


def tamper(home: Path, sql: str, *values: object, sealed: bool) -> None:
    """Run ``sql`` on the store in ``home``.

    ``sealed=False`` is what someone who can write only the data folder (a
    shared drive) can do: the row keeps its old seal. ``sealed=True`` seals the
    rows again with the user's key: a row an older dsr wrote (sealed when the
    store is migrated), or a key that leaked; the tests of the defences behind
    the seal use it.
    """
    connection = sqlite3.connect(home / "tracking.sqlite3")
    connection.row_factory = sqlite3.Row
    connection.execute(sql, values)
    if sealed:
        signing = seals.key()
        for (request_id,) in connection.execute("SELECT id FROM requests").fetchall():
            track._seal(connection, request_id, signing)
    connection.commit()
    connection.close()
