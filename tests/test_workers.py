"""The worker pool: results as groups finish, and a failing group stops the rest."""

from __future__ import annotations

import os
import time
from functools import partial
from pathlib import Path

import pytest

from dsr.workers import run_groups


def square_all(group: list[int]) -> list[int]:
    return [number * number for number in group]


def fail_on_seven(group: list[int], folder: Path) -> list[int]:
    if 7 in group:
        raise ValueError("group with 7")
    (folder / str(group[0])).touch()  # this group ran
    time.sleep(0.2)
    return group


def die_on_seven(group: list[int]) -> list[int]:
    if 7 in group:
        os._exit(1)  # as if the kernel had killed the worker
    return group


@pytest.mark.parametrize("jobs", [1, 2])
def test_every_group_is_collected_once(jobs: int) -> None:
    collected: list[list[int]] = []
    run_groups(square_all, [[1, 2], [3], [4, 5], [6]], jobs, collected.append)
    assert sorted(n for done in collected for n in done) == [1, 4, 9, 16, 25, 36]
    assert len(collected) == 4


def test_a_failing_group_stops_the_groups_not_yet_started(tmp_path: Path) -> None:
    groups = [[7], *[[n] for n in range(20, 40)]]
    with pytest.raises(ValueError, match="group with 7"):
        run_groups(partial(fail_on_seven, folder=tmp_path), groups, 2, lambda done: None)
    # Groups already handed to a worker still run; the 20 queued behind them do not.
    assert len(list(tmp_path.iterdir())) < 10


def test_a_dead_worker_is_an_error_not_a_hang() -> None:
    from concurrent.futures.process import BrokenProcessPool

    with pytest.raises(BrokenProcessPool):
        run_groups(die_on_seven, [[1], [7], [8], [9]], 2, lambda done: None)


def test_a_worker_sees_when_the_process_that_started_it_is_gone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Workers come from a fork server; they check before each letter that the batch lives."""
    import signal
    import subprocess

    import dsr.workers

    batch = subprocess.Popen(["sleep", "30"])
    monkeypatch.setattr(dsr.workers, "_parent", batch.pid)
    assert not dsr.workers.stop_requested()
    batch.send_signal(signal.SIGKILL)
    time.sleep(0.2)  # dead, and not yet reaped: a zombie still has a pid
    assert dsr.workers.stop_requested()
    batch.wait()
    assert dsr.workers.stop_requested()  # reaped: no such process


def test_workers_start_after_typst_ran_in_this_process() -> None:
    """Forking a process in which Typst ran would copy its threads' locks, not its
    threads, and the workers would hang; they come from a fork server instead."""
    import subprocess
    import sys

    script = (
        "from tests.test_typeset import language_case, letter_html\n"
        "from tests.test_workers import square_all\n"
        "from dsr import typeset\n"
        "from dsr.workers import run_groups\n"
        "if __name__ == '__main__':\n"
        "    typeset.letter_pdf(letter_html(language_case('de', 'objection')))\n"
        "    results = []\n"
        "    run_groups(square_all, [[1], [2], [3]], 2, results.extend)\n"
        "    print(sorted(results))\n"
    )
    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip() == "[1, 4, 9]", done.stderr
