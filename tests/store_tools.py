"""Changing the tracking store behind dsr's back, as the attack tests do."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from dsr import seals, track


def tamper(home: Path, sql: str, *values: object, sealed: bool) -> None:
    """Run ``sql`` on the store in ``home``.

    ``sealed=False`` is what someone who can write only the data folder (a
    shared drive) can do: the row keeps its old seal. ``sealed=True`` seals the
    rows again with the user's key and records the seals in the key's ledger: a
    row an older dsr wrote (sealed when the store is migrated), or a key folder
    that leaked; the tests of the defences behind the seal use it.
    """
    connection = sqlite3.connect(home / "tracking.sqlite3")
    connection.row_factory = sqlite3.Row
    connection.execute(sql, values)
    if sealed:
        signing = seals.key()
        for (request_id,) in connection.execute("SELECT id FROM requests").fetchall():
            track._seal(connection, request_id, signing)
        rows = connection.execute("SELECT id, seal FROM requests").fetchall()
        ledger = {str(row["id"]): [row["seal"]] for row in rows}
        seals.write_ledger(home.resolve(), "requests", ledger)  # as dsr keeps it
    connection.commit()
    connection.close()
