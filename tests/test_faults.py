"""Killed (SIGKILL) or interrupted (SIGINT) at a random moment, dsr leaves no damage.

``dsr letter``, ``dsr batch`` and ``dsr track`` run in a session of their own
and get the signal at a seeded random moment, sent to the whole process group
(as Ctrl-C or ``kill -9 -- -PGID`` do) or, for a batch, to the batch process
alone (its workers must stop by themselves). Afterwards:

* a file under its final name is whole: a PDF parses, a text letter ends
  with its signature;
* temporary files of the run are gone, or are removed by the next run;
* nothing beside the target changed: a sentinel file keeps its bytes and
  its mtime, and no other name appears;
* the same batch command, run again, writes every row.

A few trials per command keep the file under a minute; the seeds make a
failure replayable (each message names the trial's moment).
"""

from __future__ import annotations

import functools
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="process groups and signals")

DSR = [sys.executable, "-m", "dsr"]
MEMBER = [
    "--kind", "objection", "--jurisdiction", "DE", "--controller", "linkedin",
    "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "erika@example.org",
    "--date", "2026-11-22",
]  # fmt: skip
ROW = {
    "kind": "objection",
    "jurisdiction": "DE",
    "address": "Hauptstraße 1, 10115 Berlin",
    "account-email": "erika@example.org",
    "date": "2026-11-22",
}


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*DSR, *args], cwd=cwd, capture_output=True, text=True, timeout=120, check=False
    )


def signal_at(args: list[str], cwd: Path, delay: float, how: signal.Signals, group: bool) -> str:
    """Run dsr, send ``how`` after ``delay`` seconds (to its process group, or to
    dsr alone), wait for it and every process it started; return its stderr."""
    process = subprocess.Popen(
        [*DSR, *args], cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    time.sleep(delay)
    try:
        if group:
            os.killpg(process.pid, how)
        else:
            process.send_signal(how)
    except ProcessLookupError:
        pass  # it had ended
    try:  # stderr closes when the last process holding it (a worker too) has ended
        _, errors = process.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"dsr, or a process it started, outlived {how.name} by a minute")
    return errors.decode()


class Beside:
    """A folder holding the target and a sentinel file that must stay as it was."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.sentinel = folder / "sentinel.txt"
        self.sentinel.write_bytes(b"not dsr's: never touched\n")
        past = time.time_ns() - 3_600 * 10**9  # an hour ago: a rewrite would show
        os.utime(self.sentinel, ns=(past, past))
        self.mtime = self.sentinel.stat().st_mtime_ns

    def assert_untouched(self, *targets: str, what: str) -> None:
        assert self.sentinel.read_bytes() == b"not dsr's: never touched\n", what
        assert self.sentinel.stat().st_mtime_ns == self.mtime, what
        others = {p.name for p in self.folder.iterdir()} - {"sentinel.txt", *targets}
        assert not others, f"{what}: {sorted(others)} appeared beside the target"


def temporary(folder: Path) -> list[str]:
    """dsr's temporary files (``.<name>.<run>.part``) anywhere under ``folder``."""
    return sorted(p.name for p in folder.rglob("*") if p.name.endswith(".part"))


def assert_whole(path: Path, name: str, what: str, signed_last: bool = True) -> None:
    """A letter file as a reader would open it: complete, signed by ``name`` (last,
    unless enclosures are listed after the signature)."""
    if path.suffix == ".pdf":
        reader = PdfReader(path)  # a cut-off PDF has no cross-reference table: it fails here
        text = "".join(page.extract_text() or "" for page in reader.pages)
        assert name in " ".join(text.split()), f"{what}: {path.name} lacks {name!r}"
    else:
        text = path.read_text(encoding="utf-8")
        assert name in text, f"{what}: {path.name} lacks {name!r}"
        if signed_last:
            assert text.rstrip().endswith(name), f"{what}: {path.name} ends {text[-80:]!r}"


@functools.cache
def python_start() -> float:
    """Seconds Python takes, on this machine now, before dsr's first line runs: a
    Ctrl-C before then meets Python's start-up, not dsr (see test_interrupts)."""
    command = [sys.executable, "-c", "import runpy, importlib.util as u; u.find_spec('dsr.cli')"]
    times = []
    for _ in range(3):
        began = time.monotonic()
        subprocess.run(command, check=True)
        times.append(time.monotonic() - began)
    return max(times)


def moments(seed: int, count: int, longest: float) -> list[tuple[float, signal.Signals]]:
    """``count`` seeded moments of a run lasting ``longest`` s, alternating SIGKILL and SIGINT."""
    chance = random.Random(seed)
    signals = [signal.SIGKILL, signal.SIGINT]
    earliest = python_start()
    return [
        (round(chance.uniform(earliest, max(longest, earliest)), 3), signals[n % 2])
        for n in range(count)
    ]


# dsr letter -----------------------------------------------------------------------------


def timed(args: list[str], cwd: Path) -> float:
    """Seconds a whole run takes on this machine now (the moments are chosen within it)."""
    began = time.monotonic()
    result = run(*args, cwd=cwd)
    assert result.returncode == 0, result.stderr
    return time.monotonic() - began


@pytest.mark.parametrize(
    ("suffix", "seed", "trials"), [("pdf", 1, 3), ("txt", 2, 2)], ids=["pdf", "txt"]
)
def test_a_letter_killed_or_interrupted_at_any_moment(
    tmp_path: Path, suffix: str, seed: int, trials: int
) -> None:
    whole = tmp_path / f"whole.{suffix}"
    member = [*MEMBER, "--name", "Erika Mustermann"]
    duration = timed(["letter", *member, "-o", str(whole)], tmp_path)
    place = Beside(tmp_path / "letters")
    target = place.folder / f"x.{suffix}"
    args = ["letter", *member, "-o", str(target)]
    for delay, how in moments(seed, count=trials, longest=duration):
        what = f"letter -o x.{suffix}, {how.name} after {delay} s (a whole run: {duration:.2f} s)"
        target.unlink(missing_ok=True)
        errors = signal_at(args, tmp_path, delay, how, group=True)
        assert "Traceback" not in errors, f"{what}\n{errors}"
        if target.exists():  # written before the signal: the whole letter, to the byte
            assert target.read_bytes() == whole.read_bytes(), what
        place.assert_untouched(target.name, *temporary(place.folder), what=what)
        # The next run writes the letter and leaves no temporary file, its own or another's.
        again = run(*args, "--force", cwd=tmp_path)
        assert again.returncode == 0, f"{what}\n{again.stderr}"
        assert_whole(target, "Erika Mustermann", what)
        assert temporary(place.folder) == [], what
        place.assert_untouched(target.name, what=what)


# dsr batch ------------------------------------------------------------------------------


def batch_rows(folder: Path, count: int) -> Path:
    source = folder / "rows.jsonl"
    lines = [json.dumps({**ROW, "name": f"Erika Member{n}"}) for n in range(count)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


def signer(letter: Path) -> str:
    """The member a batch letter is for: row N is Erika Member<N-1>."""
    return f"Erika Member{int(letter.name.split('-')[0]) - 1}"


KILL, INT = signal.SIGKILL, signal.SIGINT


@pytest.mark.parametrize(
    ("fmt", "seed", "signals"),
    [
        ("pdf", 3, [(KILL, True), (INT, True), (KILL, False)]),
        ("txt", 4, [(INT, True), (KILL, False)]),
    ],
    ids=["pdf-typst", "txt"],
)
def test_a_batch_killed_or_interrupted_at_any_moment_resumes(
    tmp_path: Path, fmt: str, seed: int, signals: list[tuple[signal.Signals, bool]]
) -> None:
    """``signals``: each trial's signal, and whether it goes to the whole process
    group (else to the batch process alone: its workers must stop by themselves)."""
    count = 32
    source = batch_rows(tmp_path, count)
    options = ["--format", fmt, "--jobs", "2"]
    whole = tmp_path / "whole"
    duration = timed(["batch", str(source), "-o", str(whole), *options], tmp_path)
    place = Beside(tmp_path / "work")
    delays = [delay for delay, _ in moments(seed, count=len(signals), longest=duration)]
    for number, (delay, (how, group)) in enumerate(zip(delays, signals, strict=True)):
        out = place.folder / f"out{number}"
        args = ["batch", str(source), "-o", str(out), *options]
        what = (
            f"batch --format {fmt}, {how.name} to {'group' if group else 'dsr'} after "
            f"{delay} s (a whole run: {duration:.2f} s)"
        )
        errors = signal_at(args, tmp_path, delay, how, group=group)
        assert "Traceback" not in errors, f"{what}\n{errors}"
        time.sleep(0.2)  # workers whose batch was killed have ended: nothing more appears
        letters = sorted(out.glob(f"*.{fmt}")) if out.exists() else []
        time.sleep(0.3)
        assert (sorted(out.glob(f"*.{fmt}")) if out.exists() else []) == letters, what
        for letter in letters:  # each one whole: what a whole run writes, to the byte
            assert letter.read_bytes() == (whole / letter.name).read_bytes(), what
        place.assert_untouched(*(f"out{n}" for n in range(number + 1)), what=what)
        if out.exists():
            assert not [p for p in out.iterdir() if p.is_dir()], what
        # The same command again writes every row; no temporary file is left.
        again = run(*args, cwd=tmp_path)
        assert again.returncode == 0, f"{what}\n{again.stderr}"
        written = sorted(out.glob(f"*.{fmt}"))
        assert [p.name for p in written] == sorted(p.name for p in whole.glob(f"*.{fmt}")), what
        for letter in written:
            assert_whole(letter, signer(letter), what)
        assert temporary(out) == [], what
        assert not (out / ".dsr-batch.lock").exists(), what
        place.assert_untouched(*(f"out{n}" for n in range(number + 1)), what=what)
        report = (out / "report.csv").read_text(encoding="utf-8").splitlines()
        assert len(report) == count + 1, what
        assert all(line.split(",")[1] in ("written", "unchanged") for line in report[1:]), what


def test_a_batch_killed_alone_takes_its_workers_along(tmp_path: Path) -> None:
    """``kill -9`` to the batch process alone: its fork server and workers ended
    with it only if busy; idle ones hold the server's "alive" pipe and waited
    forever, keeping the terminal's stderr open (and their memory)."""
    source = batch_rows(tmp_path, 400)
    out = tmp_path / "out"
    process = subprocess.Popen(
        [*DSR, "batch", str(source), "-o", str(out), "--format", "txt", "--jobs", "2"],
        cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not list(out.glob("*.txt")):
        time.sleep(0.01)  # the workers are at work
    process.kill()
    try:
        process.communicate(timeout=15)  # stderr closes when the last of them has ended
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail("the workers outlived the batch process")
    written = len(list(out.glob("*.txt")))
    time.sleep(0.5)
    assert len(list(out.glob("*.txt"))) == written < 400


# dsr track ------------------------------------------------------------------------------


def test_track_commands_killed_or_interrupted_at_any_moment(tmp_path: Path, dsr_home: Path) -> None:
    place = Beside(tmp_path / "letters")
    first = place.folder / "t.pdf"
    made = run("letter", *MEMBER, "--name", "Erika Mustermann", "--track", "-o", str(first),
               cwd=tmp_path)  # fmt: skip
    assert made.returncode == 0, made.stderr
    commands = [
        (["track", "remind", "1", "--date", "2027-01-10"], "r.pdf"),
        (["track", "escalate", "1", "--jurisdiction", "DE-BE", "--date", "2027-01-20"], "e.txt"),
        (["track", "ics"], "c.ics"),
        (["letter", *MEMBER, "--name", "Erika Mustermann", "--track"], "u.txt"),
    ]
    chance = random.Random(5)
    for number, (command, name) in enumerate(commands):
        delay = round(chance.uniform(python_start(), 1.6), 3)
        how = (signal.SIGKILL, signal.SIGINT)[number % 2]
        what = f"{' '.join(command[:2])}, {how.name} after {delay} s"
        target = place.folder / name
        errors = signal_at([*command, "-o", str(target)], tmp_path, delay, how, group=True)
        assert "Traceback" not in errors, f"{what}\n{errors}"
        survived = target.read_bytes() if target.exists() else None
        if survived is not None and target.suffix != ".ics":
            assert_whole(target, "Erika Mustermann", what, signed_last=False)  # enclosures
        elif survived is not None:
            assert target.read_text(encoding="utf-8").rstrip().endswith("END:VCALENDAR"), what
        ours = ["t.pdf", *(n for _, n in commands[: number + 1])]
        place.assert_untouched(*ours, *temporary(place.folder), what=what)
        with sqlite3.connect(dsr_home / "tracking.sqlite3") as connection:
            assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok", what
        # Run again: it works, and no temporary file is left beside the letters.
        connection = sqlite3.connect(dsr_home / "tracking.sqlite3")
        # The same letter tracked again updates request 1 (one request per letter).
        tracks = connection.execute(
            "SELECT id FROM requests WHERE files LIKE ?", (f"%{name}%",)
        ).fetchone()
        connection.close()
        if tracks:  # the killed letter was tracked: dsr never replaces a tracked letter
            again = run(*command, "-o", str(target), "--force", cwd=tmp_path)
            assert again.returncode == 2, f"{what}\n{again.stderr}"
            assert f"first stop tracking request {tracks[0]}" in again.stderr, what
            assert run("track", "remove", str(tracks[0]), "--yes", cwd=tmp_path).returncode == 0
        again = run(*command, "-o", str(target), "--force", cwd=tmp_path)
        assert again.returncode == 0, f"{what}\n{again.stderr}"
        if survived is not None:  # what the killed run wrote is what a whole run writes
            assert target.read_bytes() == survived, what
        assert temporary(place.folder) == [], what
        place.assert_untouched(*ours, what=what)
    listed = run("track", "list", "--json", cwd=tmp_path)  # the store still reads
    assert listed.returncode == 0, listed.stderr
    assert json.loads(listed.stdout)[0]["id"] == 1


# The worst moment: killed while the data is on disk and not yet named --------------------


@pytest.mark.parametrize("replace", [False, True], ids=["new", "replacing"])
def test_killed_just_before_the_rename_leaves_no_temporary_file(
    tmp_path: Path, replace: bool
) -> None:
    """``before_replace`` runs with the data on disk, just before the rename: a
    SIGKILL there left ``.x.txt.<run>.part``, which no later ``dsr letter``
    removes (only a batch cleans a dead run's files, through its lock)."""
    place = Beside(tmp_path / "letters")
    if replace:
        (place.folder / "x.txt").write_text("the earlier letter\n", encoding="utf-8")
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from dsr import files\n"
        "def killed():\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "files.write_file(Path(sys.argv[1]), 'x.txt', b'the new letter\\n', "
        f"replace={replace}, before_replace=killed)\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(place.folder)], check=False)
    assert result.returncode == -signal.SIGKILL
    assert temporary(place.folder) == []
    place.assert_untouched("x.txt", what="killed before the rename")
    if replace:  # the file it was to replace is as it was
        assert (place.folder / "x.txt").read_text(encoding="utf-8") == "the earlier letter\n"
    else:
        assert not (place.folder / "x.txt").exists()
