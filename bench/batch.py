"""Batch benchmark: `dsr batch` against a naive loop, measured in the same run.

    python bench/batch.py [--rows 1000] [--jobs 2] [--naive-sample 100]
                          [--engine typst --engine weasyprint]

Each engine's batch writes the same rows into a folder of its own (by
default both engines: Typst, dsr batch's default, and WeasyPrint).

The naive loop renders each letter with its own `HTML(string=...).write_pdf()`
(no shared font configuration), the way a first version would. It runs on a
sample of the rows (it is the slow side), once before and once after the batch
(the machines here drift), and is compared per letter with their mean.

Memory is reported twice: the largest single process (ru_maxrss of the
children), and the peak of the whole batch, parent and workers together,
sampled from /proc every 50 ms as PSS (proportional set size: pages the
forked workers share with the parent count once, not once per process).
"""

from __future__ import annotations

import argparse
import csv
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

BIN = Path(sys.executable).parent

MEMBERS = [
    ("objection", "DE", "Hauptstraße 1, 10115 Berlin", "de", ""),
    ("art21", "FR", "12 rue de la Paix, 75002 Paris", "fr", "Journaliste, je protège mes sources."),
    ("complaint", "PL", "ul. Prosta 1, 00-850 Warszawa", "", ""),
    ("access", "CH", "Bahnhofstrasse 1, 8001 Zürich", "de", ""),
    ("erasure", "GB", "10 Downing Street, London SW1A 2AA", "en", ""),
    ("objection", "ES", "Calle Mayor 1, 28013 Madrid", "es", ""),
    ("access", "GR", "Ερμού 1, 105 63 Αθήνα", "el", ""),
    ("objection", "HK", "Flat 1, 1 Queens Road Central, Central", "zh-Hant", ""),
]


def make_csv(path: Path, rows: int) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(
            ["kind", "jurisdiction", "name", "address", "account_email", "lang", "situation",
             "request_date", "request_kind", "date"]
        )  # fmt: skip
        for number in range(rows):
            kind, code, address, lang, situation = MEMBERS[number % len(MEMBERS)]
            writer.writerow(
                [kind, code, f"Member{number} Example", address, f"m{number}@example.org", lang,
                 situation, "2026-09-01" if kind == "complaint" else "",
                 "objection" if kind == "complaint" else "", "2026-11-22"]
            )  # fmt: skip


def naive_per_letter(source: Path, sample: int) -> float:
    from weasyprint import HTML

    from dsr.batch import read_rows
    from dsr.composition import compose
    from dsr.inputs import parse_request
    from dsr.render import render_html

    documents = []
    for number, values in read_rows(source):
        if number > sample:
            break
        documents.append(render_html(compose(parse_request(values, today=date(2026, 11, 22)))))
    HTML(string=documents[0]).write_pdf()  # import and first-use costs are not the loop's
    start = time.perf_counter()
    for document in documents:
        HTML(string=document).write_pdf()
    return (time.perf_counter() - start) / len(documents)


def tree_pss(root: int) -> tuple[int, int]:
    """Proportional set size (kB) of a process and all its descendants, and the largest
    peak resident set (VmHWM, kB) among them, from /proc."""
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue  # the process ended meanwhile
        parent = next(line for line in text.splitlines() if line.startswith("PPid:"))
        children.setdefault(int(parent.split()[1]), []).append(int(status.parent.name))
    total, largest, stack = 0, 0, [root]
    while stack:
        pid = stack.pop()
        try:
            rollup = Path(f"/proc/{pid}/smaps_rollup").read_text()
            total += int(next(x for x in rollup.splitlines() if x.startswith("Pss:")).split()[1])
            status = Path(f"/proc/{pid}/status").read_text()
            hwm = next(x for x in status.splitlines() if x.startswith("VmHWM:"))
            largest = max(largest, int(hwm.split()[1]))
        except (OSError, StopIteration):
            pass
        stack.extend(children.get(pid, []))
    return total, largest


def run_batch(source: Path, out: Path, jobs: int, engine: str) -> tuple[float, int, int]:
    """Wall time (s), peak PSS of all processes (kB), largest peak RSS (kB) of one batch."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [str(BIN / "dsr"), "batch", str(source), "-o", str(out), "--jobs", str(jobs),
         "--engine", engine],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    peak_total = peak_largest = 0
    while process.poll() is None:
        total, largest = tree_pss(process.pid)
        peak_total, peak_largest = max(peak_total, total), max(peak_largest, largest)
        time.sleep(0.05)
    wall = time.perf_counter() - start
    if process.returncode:
        sys.exit(f"dsr batch failed: {process.stderr.read().decode() if process.stderr else ''}")
    return wall, peak_total, peak_largest


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--naive-sample", type=int, default=100)
    parser.add_argument("--engine", action="append", choices=["typst", "weasyprint"])
    args = parser.parse_args()
    engines = args.engine or ["typst", "weasyprint"]
    folder = Path(tempfile.mkdtemp(prefix="dsr-batch-bench-"))
    source = folder / "members.csv"
    make_csv(source, args.rows)

    naive_before = naive_per_letter(source, args.naive_sample)
    runs = {engine: run_batch(source, folder / engine, args.jobs, engine) for engine in engines}
    naive_after = naive_per_letter(source, args.naive_sample)
    naive = (naive_before + naive_after) / 2
    print(f"rows: {args.rows}, jobs: {args.jobs}")
    print(f"naive loop (sample of {args.naive_sample}, before and after): "
          f"{naive_before * 1000:.1f} and {naive_after * 1000:.1f} ms per letter")  # fmt: skip
    for engine, (wall, peak_total, peak_largest) in runs.items():
        written = len(list((folder / engine).glob("*.pdf")))
        per_letter = wall / written
        print(f"dsr batch --engine {engine}: {written} letters in {wall:.1f} s (incl. start-up), "
              f"{per_letter * 1000:.1f} ms per letter, {written / wall:.1f} letters/s, "
              f"{naive / per_letter:.2f}x the naive loop")  # fmt: skip
        print(f"  peak RSS of the largest process {peak_largest / 1024:.0f} MB, "
              f"peak PSS of all processes {peak_total / 1024:.0f} MB")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
