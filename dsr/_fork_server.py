"""Imported only by the fork server that starts dsr's workers (``workers.run_groups``).

A worker forked after its parent was interrupted and had ended cannot read
what the parent sent it (the parent's semaphores are gone) and would print a
traceback on the user's terminal after "Interrupted.". Such a worker ends
quietly; any other start-up failure is still printed.
"""

from __future__ import annotations

import sys
from types import TracebackType

_ORPHANED = (FileNotFoundError, EOFError, BrokenPipeError, ConnectionResetError)


def _excepthook(
    kind: type[BaseException], value: BaseException, traceback: TracebackType | None
) -> None:
    if isinstance(value, _ORPHANED):
        return
    sys.__excepthook__(kind, value, traceback)


sys.excepthook = _excepthook
