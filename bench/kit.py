"""The full template kit against a batch, per letter, measured in the same run.

    python bench/kit.py [--rows N] [--jobs 2] [--engine typst]

Issue 17's target: the full kit (every kind x jurisdiction x language) takes
about the batch's time per letter (at most 1.2x). Both go through dsr.pipeline
and the same worker pool with the same engine; the batch writes as many letters
as the kit has (unless --rows), timed before and after the kit (the machines
here drift), and the kit is compared with their mean, in the same run.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from batch import BIN, make_csv  # bench/batch.py, beside this file


def timed_run(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, help="batch rows [default: the kit's letters]")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--engine", default="typst", choices=["typst", "weasyprint"])
    args = parser.parse_args()
    if args.rows is None:
        from dsr.kits import combinations

        args.rows = len(list(combinations()))
    work = Path(tempfile.mkdtemp(prefix="dsr-bench-kit-"))
    source = work / "members.csv"
    make_csv(source, args.rows)
    dsr = str(BIN / "dsr")

    def batch(number: int) -> float:
        out = work / f"batch{number}"
        seconds = timed_run([dsr, "batch", str(source), "-o", str(out), "--jobs",
                             str(args.jobs), "--engine", args.engine])  # fmt: skip
        return seconds / len(list(out.glob("*.pdf")))

    before = batch(1)
    kit_out = work / "kit"
    kit_seconds = timed_run([dsr, "templates", "-o", str(kit_out), "--jobs", str(args.jobs),
                             "--engine", args.engine])  # fmt: skip
    letters = len(list(kit_out.glob("*/*.pdf")))
    after = batch(2)
    per_batch = (before + after) / 2
    per_kit = kit_seconds / letters
    print(f"{'what':40} {'s/letter':>9}")
    print(f"{'batch (' + str(args.rows) + ' rows, mean of 2)':40} {per_batch:9.4f}")
    print(f"{'full kit (' + str(letters) + ' letters)':40} {per_kit:9.4f}")
    print(f"\nkit / batch per letter: {per_kit / per_batch:.2f}x (target <= 1.2x); "
          f"engine {args.engine}, {args.jobs} jobs")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
