"""Reproducible timings, reported as ratios against baselines measured in the same run.

    python bench/run.py [--repeat N]

Machines here are noisy, so every figure sits next to a baseline taken in the
same run: a bare Python start, and a Python start that imports WeasyPrint
(the floor for any process that writes a PDF).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BIN = Path(sys.executable).parent
DSR = str(BIN / "dsr")
LETTER = [
    DSR,
    "letter",
    "--kind",
    "objection",
    "--jurisdiction",
    "DE",
    "--controller",
    "linkedin",
    "--name",
    "Erika Mustermann",
    "--address",
    "Hauptstraße 1, 10115 Berlin",
    "--email",
    "erika@example.org",
    "--account-email",
    "erika@example.org",
    "--profile-url",
    "https://www.linkedin.com/in/erika",
    "--lang",
    "de",
    "--date",
    "2026-11-22",
    "--force",
]


def wall(command: list[str], repeat: int) -> float:
    """Median wall time of a command, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def timed(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    n = args.repeat
    out = Path(tempfile.mkdtemp(prefix="dsr-bench-"))

    python_start = wall([sys.executable, "-c", "pass"], n)
    weasy_start = wall([sys.executable, "-c", "import weasyprint"], n)
    help_time = wall([DSR, "--help"], n)
    list_time = wall([DSR, "list", "authorities", "--json"], n)
    letter_time = wall([*LETTER, "-o", str(out / "letter.pdf")], n)
    typst_time = wall([*LETTER, "--engine", "typst", "-o", str(out / "letter-typst.pdf")], n)

    from datetime import date

    from dsr.composition import compose
    from dsr.inputs import parse_request
    from dsr.pipeline import letter_bytes as letter_pdf

    values = {
        "kind": "objection",
        "jurisdiction": "DE",
        "name": "Erika Mustermann",
        "address": "Hauptstraße 1, 10115 Berlin",
        "account-email": "erika@example.org",
        "lang": "de",
        "date": "2026-11-22",
    }
    letter = compose(parse_request(values, today=date(2026, 11, 22)))
    letter_pdf(letter)  # warm up: fonts, templates, catalogs
    warm = timed(lambda: letter_pdf(letter), n)

    rows = [
        ("python -c pass (baseline)", python_start, python_start),
        ("python -c 'import weasyprint' (baseline)", weasy_start, python_start),
        ("dsr --help", help_time, python_start),
        ("dsr list authorities --json", list_time, python_start),
        ("dsr letter -o letter.pdf, cold process", letter_time, weasy_start),
        ("dsr letter --engine typst, cold process", typst_time, weasy_start),
        ("one letter in a warm process", warm, weasy_start),
    ]
    print(f"{'what':45} {'median s':>9}  ratio to baseline")
    for name, seconds, baseline in rows:
        label = "python start" if baseline is python_start else "weasyprint import"
        print(f"{name:45} {seconds:9.3f}  {seconds / baseline:5.2f}x {label}")
    print(f"\n(median of {n} runs each; targets: --help and list < 0.25 s, cold letter < 1.2 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
