"""Where a batch letter's time goes with WeasyPrint (`dsr batch --engine weasyprint`),
stage by stage, in one warm process. `dsr batch` sets PDFs with Typst by default.

    python bench/stages.py [--letters 64] [--group 16]

Stages per letter: compose + Jinja, layout (HTML parse, cascade, layout of
each letter on its own), the group's joint write (draw, font subsetting,
serialisation) and the split into one PDF per letter. The naive
`HTML(string=...).write_pdf()` of the same letters is the baseline, measured
in the same run. Figures are medians of three rounds, in ms per letter.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from batch import make_csv


def median_ms(run: Callable[[], object], count: int) -> float:
    times = []
    for _ in range(3):
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) / count * 1000)
    return statistics.median(times)


def main() -> int:
    import tempfile

    from weasyprint import HTML

    from dsr import pdf
    from dsr.batch import read_rows
    from dsr.composition import compose
    from dsr.inputs import parse_request
    from dsr.render import render_html
    from dsr.workers import fewer_collections

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--letters", type=int, default=64)
    parser.add_argument("--group", type=int, default=16)
    args = parser.parse_args()
    source = Path(tempfile.mkdtemp(prefix="dsr-stages-")) / "members.csv"
    make_csv(source, args.letters)
    requests = [parse_request(values, today=date(2026, 11, 22)) for _, values in read_rows(source)]
    requests.sort(key=lambda request: request.language)
    documents = [render_html(compose(request)) for request in requests]
    pdf.write_separately([pdf.layout(document)[0] for document in documents[:4]])  # warm up
    count = len(documents)
    groups = [range(i, min(i + args.group, count)) for i in range(0, count, args.group)]

    naive = median_ms(lambda: [HTML(string=d).write_pdf() for d in documents], count)

    def lay_out_groups() -> None:
        for group in groups:
            [pdf.layout(documents[i]) for i in group]
            gc.collect()  # once per group, as a batch worker does

    gc.freeze()  # as a batch worker does after loading WeasyPrint (dsr.workers)
    with fewer_collections():
        composing = median_ms(lambda: [render_html(compose(r)) for r in requests], count)
        layout = median_ms(lay_out_groups, count)
        laid_out = [pdf.layout(document)[0] for document in documents]

        def joint_writes() -> None:
            for group in groups:
                laid_out[group[0]].copy([p for i in group for p in laid_out[i].pages]).write_pdf()

        write = median_ms(joint_writes, count)
        both = median_ms(
            lambda: [pdf.write_separately([laid_out[i] for i in group]) for group in groups], count
        )
    total = composing + layout + both
    print(f"letters: {count}, pages per letter: {sum(len(d.pages) for d in laid_out) / count:.2f}")
    print(f"naive write_pdf() per letter (baseline): {naive:6.1f} ms")
    print(f"compose + Jinja:                         {composing:6.1f} ms")
    print(f"layout (parse, cascade, lay out):        {layout:6.1f} ms")
    print(f"joint write of groups of {args.group:<3}:            {write:6.1f} ms")
    print(f"split into one PDF per letter:           {both - write:6.1f} ms")
    print(f"one core, all stages: {total:.1f} ms = {naive / total:.2f}x the naive loop; "
          f"two cores at best {2 * naive / total:.2f}x")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
