"""Imported only by the fork server that starts dsr's workers (``workers.run_groups``).

The server and the workers it forks ignore Ctrl-C: the process that asked
for them handles it, and waits for every worker it launched before it ends.
Killed (SIGKILL), that process takes the server with it, and the server its
workers: each worker holds the server's "alive" pipe, so the server alone
would never see its end, and idle workers waited forever. A worker starting
at that moment cannot read what it was sent (the semaphores are gone) and
would print a traceback on the user's terminal: it ends quietly; any other
start-up failure is still printed.
"""

from __future__ import annotations

import os
import signal
import sys
from types import TracebackType

from .workers import PARENT_VARIABLE, _die_with_parent

_ORPHANED = (FileNotFoundError, EOFError, BrokenPipeError, ConnectionResetError)


def _excepthook(
    kind: type[BaseException], value: BaseException, traceback: TracebackType | None
) -> None:
    if isinstance(value, _ORPHANED):
        return
    sys.__excepthook__(kind, value, traceback)


sys.excepthook = _excepthook
_started_by = os.environ.pop(PARENT_VARIABLE, "")  # popped: not a worker's business
if _started_by.isdigit():
    _die_with_parent()
    if os.getppid() != int(_started_by):  # it ended before the kernel was told
        os._exit(0)
# Workers get the server's handlers back when forked: ignore, from the start.
signal.signal(signal.SIGINT, signal.SIG_IGN)
