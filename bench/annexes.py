"""How long `append_annexes` takes: a 3-page letter and a 20-page annex, before and after
the port from pypdf to pikepdf (issue 15), timed in the same run.

    git show <commit before the port>:dsr/pdf.py > /tmp/old_pdf.py
    python bench/annexes.py [--old /tmp/old_pdf.py] [--rounds 5]

The old module is loaded beside the new one as ``dsr._old_pdf`` (its relative imports
resolve in the package). Both append the same annex to the same letter; each figure is
the median of the rounds, in ms, after one warm-up (the label's WeasyPrint render and
the font configuration are paid there). Without the old file only the new one is timed.
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import time
from pathlib import Path
from types import ModuleType


def _old_module(path: Path) -> ModuleType | None:
    if not path.is_file():
        return None
    spec = importlib.util.spec_from_file_location("dsr._old_pdf", path)
    if spec is None or spec.loader is None:
        return None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _pages(count: int, text: str) -> bytes:
    """A PDF of ``count`` A4 pages of text, made by dsr's own WeasyPrint path."""
    from dsr import pdf

    sections = [
        f"<section><h1>{text} {number}</h1><p>"
        + "Lorem ipsum dolor sit amet, consectetur adipiscing elit. " * 20
        + "</p></section>"
        for number in range(1, count + 1)
    ]
    body = "<div style='page-break-before: always'></div>".join(sections)
    document = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><style>@page { size: A4 }</style>"
        f"</head><body>{body}</body></html>"
    )
    data, _ = pdf.html_to_pdf(document)
    return data


def _median_ms(module: ModuleType, letter: bytes, annex: bytes, rounds: int) -> float:
    label = ["Annex 1: the annex"]
    module.append_annexes(letter, [annex], label)  # warm-up
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        module.append_annexes(letter, [annex], label)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> int:
    from dsr import pdf

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--old", type=Path, default=Path("/tmp/old_pdf.py"))
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    letter, annex = _pages(3, "Letter"), _pages(20, "Annex")
    old = _old_module(args.old)
    if old is not None:
        print(f"before ({args.old}): {_median_ms(old, letter, annex, args.rounds):8.1f} ms")
    print(f"after  (dsr/pdf.py):    {_median_ms(pdf, letter, annex, args.rounds):8.1f} ms")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
