"""Imported only by the fork server that starts dsr's workers (``workers.run_groups``).

The server and the workers it forks ignore Ctrl-C: the process that asked
for them handles it, and waits for every worker it launched before it ends.
A worker can still outlive it when that process is killed (SIGKILL) while
the worker starts: the worker then cannot read what it was sent (the
semaphores are gone) and would print a traceback on the user's terminal.
Such a worker ends quietly; any other start-up failure is still printed.
"""

from __future__ import annotations

import signal
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
# Workers get the server's handlers back when forked: ignore, from the start.
signal.signal(signal.SIGINT, signal.SIG_IGN)
