"""Ctrl-C at any moment, worker start-up included: "Interrupted.", exit 130, no traceback.

Ctrl-C reaches the whole process group: dsr, its resource tracker, the fork
server and the workers. Each trial starts dsr in a session of its own and
sends SIGINT to that group, as a terminal does, at a moment chosen by a fixed
list, a seeded generator or an event (the first worker exists), so a failure
names a moment that can be replayed.

Delays count from the moment Python has started and begins to run dsr's
code, measured on this machine: before that, Python itself reports Ctrl-C
(with a traceback of its import system), and nothing of dsr's can run.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

pytestmark = pytest.mark.skipif(
    sys.platform != "linux", reason="process groups, /proc and the fork server"
)

ROOT = Path(__file__).resolve().parent.parent
ROW = {
    "kind": "objection",
    "jurisdiction": "DE",
    "address": "Hauptstraße 1, 10115 Berlin",
    "account-email": "erika@example.org",
    "date": "2026-11-22",
}
LETTER = [
    "letter", "--kind", "objection", "--jurisdiction", "DE", "--controller", "linkedin",
    "--name", "Erika Mustermann", "--address", "Hauptstraße 1, 10115 Berlin",
    "--account-email", "erika@example.org", "--date", "2026-11-22",
]  # fmt: skip


@pytest.fixture(scope="module")
def python_start() -> float:
    """Seconds Python takes, on this machine now, before the first line of ``dsr`` runs."""
    command = [sys.executable, "-c", "import runpy, importlib.util as u; u.find_spec('dsr.cli')"]
    times = []
    for _ in range(3):
        began = time.monotonic()
        subprocess.run(command, cwd=ROOT, check=True)
        times.append(time.monotonic() - began)
    return max(times)


def dsr_command(isolated_path: bool = False) -> list[str]:
    """``python -m dsr``; or, as the reviewers' snapshot runs it, ``python -S`` with the
    import path set in code, which a child Python (the fork server) does not inherit."""
    if not isolated_path:
        return [sys.executable, "-m", "dsr"]
    import site

    paths = [str(ROOT), *site.getsitepackages()]
    code = (
        f"import sys, runpy; sys.path[:0] = {paths!r}; sys.argv[0] = 'dsr'; "
        "runpy.run_module('dsr', run_name='__main__')"
    )
    return [sys.executable, "-S", "-c", code]


def group_size(group: int) -> int:
    """Processes in a process group: dsr, then its resource tracker, fork server, workers."""
    count = 0
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # ended meanwhile
            if int(fields[2]) == group and fields[0] != "Z":
                count += 1
    return count


def interrupt(
    command: list[str], when: float | Callable[[int], bool], cwd: Path, timeout: float = 60
) -> tuple[int, str]:
    """Run ``command``, Ctrl-C its process group after ``when`` seconds (or once
    ``when(pid)`` is true), and return its exit code and stderr."""
    process = subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip
    if callable(when):
        deadline = time.monotonic() + timeout
        while not when(process.pid) and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
    else:
        time.sleep(when)
    try:
        os.killpg(process.pid, signal.SIGINT)
    except ProcessLookupError:
        pass  # every process of the group has ended
    try:  # stderr closes once every process that holds it (the workers too) has ended
        _, errors = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        pytest.fail(f"{command[3:5]}: still running {timeout} s after Ctrl-C")
    return process.returncode, errors.decode()


def assert_quiet(errors: str, what: str) -> None:
    """No traceback, nor Python's "Exception ignored in ...: KeyboardInterrupt"."""
    for word in ("Traceback", "Exception", "KeyboardInterrupt"):
        assert word not in errors, f"{what}\n{errors}"


def assert_interrupted(code: int, errors: str, what: str) -> None:
    assert code == 130, f"{what}: exit {code}\n{errors}"
    assert "Interrupted." in errors, f"{what}\n{errors}"
    assert_quiet(errors, what)


def rows(folder: Path, count: int) -> Path:
    source = folder / "rows.jsonl"
    lines = [json.dumps({**ROW, "name": f"Erika Member{n}"}) for n in range(count)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return source


# Worker start-up is where the attack review's traceback came from: Ctrl-C inside
# the launch of a worker left a worker the batch did not wait for, still reading
# what it was sent when the batch ended and its semaphores were removed (or the
# batch hung, or failed with "cannot join thread before it is started").
BATCH_DELAYS = [0.02, 0.1, 0.2, 0.35, 0.5, 0.7, 0.9, 1.15, 1.45]


def test_ctrl_c_to_a_batch_at_any_moment_of_its_start(tmp_path: Path, python_start: float) -> None:
    source = rows(tmp_path, 300)  # PDFs with Typst: several seconds on two workers
    moments: list[tuple[float | Callable[[int], bool], bool]] = [
        (python_start + delay, number % 2 == 1) for number, delay in enumerate(BATCH_DELAYS)
    ]
    moments.append((lambda pid: group_size(pid) >= 3, False))  # the fork server exists
    for isolated_path in (False, True):
        moments.append((lambda pid: group_size(pid) >= 4, isolated_path))  # the first worker
    for number, (when, isolated_path) in enumerate(moments):
        out = tmp_path / f"out{number}"
        command = [*dsr_command(isolated_path), "batch", str(source), "-o", str(out)]
        code, errors = interrupt([*command, "--jobs", "2"], when, tmp_path)
        what = f"trial {number}, {'event' if callable(when) else f'{when:.3f} s'}"
        assert_interrupted(code, errors, f"{what}, -S: {isolated_path}")


@pytest.mark.parametrize(
    ("command", "seed"),
    [([*LETTER, "-o", "letter.pdf"], 1), (["templates", "--jurisdiction", "DE", "-o", "kit"], 2)],
    ids=["letter", "templates"],
)
def test_ctrl_c_to_letter_and_templates_at_random_moments(
    tmp_path: Path, command: list[str], seed: int, python_start: float
) -> None:
    """Interrupted, or finished first: never a traceback, never a half-written file."""
    chance = random.Random(seed)
    delays = sorted(python_start + chance.uniform(0, 1.4) for _ in range(4))
    for number, delay in enumerate(delays):
        folder = tmp_path / str(number)
        folder.mkdir()
        code, errors = interrupt([*dsr_command(), *command], delay, folder)
        what = f"{command[0]} interrupted after {delay:.3f} s"
        assert_quiet(errors, what)
        assert not [p.name for p in folder.rglob("*") if ".part" in p.name], what
        if code == 0:  # it finished before the Ctrl-C: the output is whole
            assert "Interrupted." not in errors, what
            continue
        assert_interrupted(code, errors, what)


def square_all(group: list[int]) -> list[int]:
    return [number * number for number in group]


def test_ctrl_c_as_a_worker_is_launched_leaves_no_worker_behind(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C inside the pool's launch of a worker made the pool lose track of it:
    dsr hung, or failed with "cannot join thread before it is started", or ended
    while the worker still read what it was sent, and the worker printed the
    attack review's traceback. Now every worker launched has ended, cleanly."""
    from multiprocessing import popen_forkserver

    from dsr.workers import run_groups

    launched: list[popen_forkserver.Popen] = []
    launch = popen_forkserver.Popen._launch

    def launch_then_ctrl_c(self: popen_forkserver.Popen, process: object) -> None:
        launch(self, process)  # type: ignore[no-untyped-call]
        launched.append(self)
        if len(launched) == 1:
            signal.raise_signal(signal.SIGINT)  # Ctrl-C, the moment the worker is forked

    monkeypatch.setattr(popen_forkserver.Popen, "_launch", launch_then_ctrl_c)
    with pytest.raises(KeyboardInterrupt):
        run_groups(square_all, [[n] for n in range(8)], 2, lambda done: None, prepare=None)
    assert launched
    assert [popen.wait(timeout=5) for popen in launched] == [0] * len(launched)


def test_the_fork_server_runs_nothing_from_the_current_folder(tmp_path: Path) -> None:
    """Python 3.11's fork server ignores the import path it is given and puts the
    current folder first: a ``weasyprint.py`` or a ``dsr/`` there ran in it (and,
    under ``python -S``, dsr's own modules were not found, so its Ctrl-C
    handling was missing). It imports what the batch itself imported."""
    here = tmp_path / "downloads"
    (here / "dsr").mkdir(parents=True)
    ran = tmp_path / "ran"
    for module in (here / "weasyprint.py", here / "dsr" / "__init__.py"):
        module.write_text(f"open({str(ran)!r}, 'a').write({module.name!r})\n", encoding="utf-8")
    script = tmp_path / "bin" / "dsr"  # as installed: the current folder is not on its path
    script.parent.mkdir()
    script.write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT)!r})\n"
        "from dsr.cli import main\nif __name__ == '__main__':\n    main(prog_name='dsr')\n",
        encoding="utf-8",
    )
    source = tmp_path / "rows.jsonl"  # two languages, two groups: two workers
    lines = [json.dumps({**ROW, "name": "Erika Member", "lang": lang}) for lang in ("de", "en")]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(script), "batch", str(source), "-o", str(tmp_path / "out"),
         "--jobs", "2", "--engine", "weasyprint"],
        cwd=here, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert len(list((tmp_path / "out").glob("*.pdf"))) == 2
    assert not ran.exists(), ran.read_text()


# Ctrl-C in the places Python itself mishandles it --------------------------------------
# Each test puts a KeyboardInterrupt exactly where a real Ctrl-C can land.


def run_dsr(setup: str, *args: str, module: bool = False) -> subprocess.CompletedProcess[str]:
    """dsr run by ``python -c``, after ``setup``; with ``module``, as ``python -m dsr``,
    ``setup`` then being a sitecustomize that Python runs first."""
    if module:
        return subprocess.run(
            [sys.executable, "-m", "dsr", *args], cwd=ROOT, capture_output=True, text=True,
            timeout=60, env={**os.environ, "PYTHONPATH": os.pathsep.join([setup, str(ROOT)])},
        )  # fmt: skip
    code = f"{setup}\nfrom dsr.cli import main\nmain(prog_name='dsr')"
    return subprocess.run(
        [sys.executable, "-c", code, *args], cwd=ROOT, capture_output=True, text=True, timeout=60
    )


def test_ctrl_c_that_python_would_drop_in_a_callback_still_interrupts(tmp_path: Path) -> None:
    """A Ctrl-C landing in a weakref callback (Python's import locks have one) was
    printed as "Exception ignored ... KeyboardInterrupt" and lost: the letter was written."""
    setup = (
        "import weakref\n"
        "import dsr.composition\n"
        "compose = dsr.composition.compose\n"
        "def compose_during_ctrl_c(*args, **kwargs):\n"
        "    class Lock: pass\n"
        "    lock = Lock()\n"
        "    def released(ref): raise KeyboardInterrupt\n"
        "    ref = weakref.ref(lock, released)\n"
        "    del lock\n"
        "    return compose(*args, **kwargs)\n"
        "dsr.composition.compose = compose_during_ctrl_c\n"
    )
    result = run_dsr(setup, *LETTER, "-o", str(tmp_path / "a.txt"))
    assert_interrupted(result.returncode, result.stderr, "callback")
    assert not (tmp_path / "a.txt").exists()


def test_ctrl_c_wrapped_by_python_is_still_an_interruption(tmp_path: Path) -> None:
    """Python 3.11 reports a KeyboardInterrupt raised while a class is made (in
    ``__set_name__``, as a module loads) as a RuntimeError: "internal error", exit 1."""
    setup = (
        "import dsr.composition\n"
        "def compose(*args, **kwargs):\n"
        "    try:\n"
        "        raise KeyboardInterrupt\n"
        "    except KeyboardInterrupt as error:\n"
        "        raise RuntimeError('Error calling __set_name__') from error\n"
        "dsr.composition.compose = compose\n"
    )
    result = run_dsr(setup, *LETTER, "-o", str(tmp_path / "a.txt"))
    assert_interrupted(result.returncode, result.stderr, "wrapped")


def test_ctrl_c_while_the_command_line_is_read(tmp_path: Path) -> None:
    """Click answers a Ctrl-C while it parses with "Aborted!" and exit 1."""
    setup = (
        "import click\n"
        "def make_context(*args, **kwargs): raise KeyboardInterrupt\n"
        "click.Group.make_context = make_context\n"
    )
    result = run_dsr(setup, *LETTER, "-o", str(tmp_path / "a.txt"))
    assert_interrupted(result.returncode, result.stderr, "parsing")


def test_ctrl_c_while_python_exits_changes_nothing(tmp_path: Path) -> None:
    """The letter is written and reported: a Ctrl-C during Python's own exit
    printed "Exception ignored in atexit callback" with a traceback."""
    setup = (
        "import atexit, signal\n"
        "import dsr.composition\n"
        "compose = dsr.composition.compose\n"
        "def compose_then_ctrl_c_at_exit(*args, **kwargs):\n"
        "    atexit.register(signal.raise_signal, signal.SIGINT)  # first of Python's exit work\n"
        "    return compose(*args, **kwargs)\n"
        "dsr.composition.compose = compose_then_ctrl_c_at_exit\n"
    )
    result = run_dsr(setup, *LETTER, "-o", str(tmp_path / "a.txt"))
    assert result.returncode == 0, result.stderr
    assert_quiet(result.stderr, "exit")
    assert (tmp_path / "a.txt").read_text(encoding="utf-8").rstrip().endswith("Erika Mustermann")


def test_ctrl_c_inside_code_made_by_exec_exits_130_under_python_m(tmp_path: Path) -> None:
    """dataclasses make their methods with exec(); a Ctrl-C inside one sets a flag
    by which ``python -m`` ended by SIGINT (-2) although dsr handled it and chose 130."""
    (tmp_path / "sitecustomize.py").write_text(
        "import builtins, sys\n"
        "run = builtins.exec\n"
        "def exec(source, *args):\n"
        "    if 'dsr.model' in sys.modules and isinstance(source, str):\n"
        "        builtins.exec = run\n"
        "        source = 'raise KeyboardInterrupt'  # the Ctrl-C, inside the exec\n"
        "    return run(source, *args)\n"
        "builtins.exec = exec\n",
        encoding="utf-8",
    )
    result = run_dsr(str(tmp_path), *LETTER, "-o", str(tmp_path / "a.txt"), module=True)
    assert_interrupted(result.returncode, result.stderr, "python -m")
