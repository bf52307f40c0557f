"""Load benchmark of `dsr serve --hosted` (issue 16), against `dsr batch` in the same run.

    python bench/serve.py [--clients 16] [--seconds 20] [--warmup 5] [--rows 320]
                          [--threads N] [--batch-runs 2] [--no-batch] [--app MODULE:FACTORY]

A benchmark, not a test: nothing fails, it prints figures beside the issue's targets.
On loopback only. It starts the server on a free port (`dsr serve --hosted --no-open
--port P`; before that command exists, or with ``--app``, waitress serving
``dsr.web.create_app(hosted=True)`` or the factory named, in a subprocess) and times
its start-up (launch to the first 200 on ``/``). Then ``--clients`` threads, each with
its own keep-alive connection, POST ``/api/v1/letters`` as JSON (PDFs; members in
twelve countries and eleven languages, kinds objection, erasure and access) for
``--warmup`` seconds, not counted, then for ``--seconds`` seconds, counted. A request
counts when it starts and ends inside the counted window; an answer that is not a 200
with a PDF is an error, counted by its status. Peak memory is the server's VmHWM from
/proc, summed over the process and any children it forks. The preview is timed warm:
the median of 20 POSTs of the form to ``/preview`` (with the CSRF token a browser
gets), when that route answers.

``dsr batch --engine typst`` writes the same rows (a CSV of the pool the clients
draw from), timed from launch to exit, before and after the load (the machines
here drift and are shared; the faster run is compared, the stricter comparison),
with the machine's cores to itself. The load average is printed before and after.

Hosted mode limits each client's rate; every client here comes from 127.0.0.1, so
the limit is raised (``--rate-limit``): passed to `dsr serve` if it has that option,
else `dsr serve` is run from ``python -c`` with ``dsr.web.create_app``'s
``rate_limit`` set (the command, its threads and render cap are unchanged).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
HOST = "127.0.0.1"
KINDS = ("objection", "erasure", "access")
MEMBERS = [  # jurisdiction, address, letter language
    ("DE", "Hauptstraße 1, 10115 Berlin", "de"),
    ("FR", "12 rue de la Paix, 75002 Paris", "fr"),
    ("ES", "Calle Mayor 1, 28013 Madrid", "es"),
    ("IT", "Via del Corso 1, 00186 Roma RM", "it"),
    ("PL", "ul. Prosta 1, 00-850 Warszawa", "pl"),
    ("NL", "Damrak 1, 1012 LG Amsterdam", "nl"),
    ("PT", "Rua Augusta 1, 1100-048 Lisboa", "pt"),
    ("AT", "Stephansplatz 1, 1010 Wien", "de"),
    ("SE", "Drottninggatan 1, 111 51 Stockholm", "sv"),
    ("CZ", "Václavské náměstí 1, 110 00 Praha 1", "cs"),
    ("GR", "Ερμού 1, 105 63 Αθήνα", "el"),
    ("IE", "1 O'Connell Street, Dublin 1, D01 F5P2", "en"),
]
TARGETS = {
    "ratio": ">= 50% of batch",
    "p95": "< 500 ms",
    "errors": "0",
    "rss": "< 600 MB",
    "preview": "< 300 ms",
    "startup": "< 2 s",
}


def rows(count: int) -> list[dict[str, str]]:
    """``count`` members, each of their own name, cycling through countries and kinds."""
    pool = []
    for number in range(count):
        jurisdiction, address, lang = MEMBERS[number % len(MEMBERS)]
        pool.append({
            "kind": KINDS[(number // len(MEMBERS)) % len(KINDS)],
            "jurisdiction": jurisdiction,
            "name": f"Member{number} Example",
            "address": address,
            "account-email": f"m{number}@example.org",
            "lang": lang,
            "date": "2026-11-22",
        })  # fmt: skip
    return pool


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


# The server -------------------------------------------------------------------


def has_serve_command() -> bool:
    return (ROOT / "dsr" / "commands" / "serve.py").exists()


def serve_options() -> str:
    done = subprocess.run([str(BIN / "dsr"), "serve", "--help"], capture_output=True, text=True)
    return done.stdout


def launch(
    port: int, threads: int | None, rate_limit: str, app: str | None, log: Path
) -> tuple[subprocess.Popen[bytes], str]:
    """The server, started; and how it was started, for the report."""
    if app is None and has_serve_command():
        command = [str(BIN / "dsr"), "serve", "--hosted", "--no-open", "--port", str(port)]
        known = serve_options()
        if threads is not None:
            command += ["--threads", str(threads)]
        if "--rate-limit" in known:
            command += ["--rate-limit", rate_limit]
            how = " ".join(["dsr", *command[1:]])
        else:  # the same command, its app's per-client limit raised
            how = " ".join(["dsr", *command[1:]]) + f" (app made with rate_limit={rate_limit!r})"
            command = [sys.executable, "-c", (
                "import functools, dsr.web; from dsr.cli import main; "
                "dsr.web.create_app = functools.partial(dsr.web.create_app, "
                f"rate_limit={rate_limit!r}); main({command[1:]!r}, prog_name='dsr')"
            )]  # fmt: skip
    else:
        module, factory = (app or "dsr.web:create_app").split(":")
        code = (
            f"from waitress import serve; from {module} import {factory} as create_app; "
            f"serve(create_app(hosted=True, rate_limit={rate_limit!r}), host={HOST!r}, "
            f"port={port}, _quiet=True" + (f", threads={threads})" if threads else ")")
        )
        command = [sys.executable, "-c", code]
        how = f"waitress on {module}.{factory}(hosted=True, rate_limit={rate_limit!r})" + (
            f", threads={threads}" if threads else ", waitress's default threads"
        )
    # Its output goes to a file: a pipe nobody reads fills (waitress warns of its task
    # queue's depth under load) and then blocks the server.
    with log.open("wb") as output:
        process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT)
    return process, how


def wait_ready(
    process: subprocess.Popen[bytes], port: int, start: float, log: Path, limit: float = 60
) -> tuple[float, int]:
    """Seconds from ``start`` until ``/`` answers (any status), and that status."""
    while time.perf_counter() - start < limit:
        if process.poll() is not None:
            output = log.read_text("utf-8", "replace")
            sys.exit(f"the server stopped (exit {process.returncode}):\n{output}")
        try:
            connection = http.client.HTTPConnection(HOST, port, timeout=5)
            connection.request("GET", "/")
            status = connection.getresponse().status
            connection.close()
            return time.perf_counter() - start, status
        except OSError:
            time.sleep(0.01)
    sys.exit(f"the server did not answer within {limit:.0f} s")


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for status in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = status.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        children.setdefault(int(fields[1]), []).append(int(status.parent.name))
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, []))
    return found


def high_water_marks(root: int, seen: dict[int, int]) -> None:
    """Each process's VmHWM (kB) in the tree under ``root``, the largest seen kept."""
    for pid in process_tree(root):
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        for line in status.splitlines():
            if line.startswith("VmHWM:"):
                seen[pid] = max(seen.get(pid, 0), int(line.split()[1]))


# The clients ------------------------------------------------------------------


@dataclass
class Tally:
    latencies: list[float] = field(default_factory=list)  # seconds, counted requests only
    statuses: dict[str, int] = field(default_factory=dict)  # errors by status
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, latency: float, error: str | None) -> None:
        with self.lock:
            if error is None:
                self.latencies.append(latency)
            else:
                self.statuses[error] = self.statuses.get(error, 0) + 1


def client(port: int, pool: list[dict[str, str]], offset: int, window: tuple[float, float],
           tally: Tally) -> None:  # fmt: skip
    """POST letters until the window closes; count those inside it."""
    begin, end = window
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    number = offset
    while True:
        started = time.perf_counter()
        if started >= end:
            break
        body = json.dumps({**pool[number % len(pool)], "format": "pdf"}).encode()
        number += 1
        error: str | None = None
        try:
            connection.request("POST", "/api/v1/letters", body,
                               {"Content-Type": "application/json"})  # fmt: skip
            response = connection.getresponse()
            data = response.read()
            if response.status != 200:
                error = str(response.status)
            elif not data.startswith(b"%PDF-"):
                error = "200, not a PDF"
            if response.getheader("Connection", "").lower() == "close":
                connection.close()
        except (OSError, http.client.HTTPException) as failure:
            error = type(failure).__name__
            connection.close()
            connection = http.client.HTTPConnection(HOST, port, timeout=60)
        finished = time.perf_counter()
        if started >= begin and finished <= end:
            tally.add(finished - started, error)
    connection.close()


def load(port: int, pool: list[dict[str, str]], clients: int, warmup: float,
         seconds: float) -> Tally:  # fmt: skip
    tally = Tally()
    now = time.perf_counter()
    window = (now + warmup, now + warmup + seconds)
    threads = [
        threading.Thread(target=client, args=(port, pool, n * 7, window, tally))
        for n in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return tally


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * len(ordered)) - 1))]


# The preview ------------------------------------------------------------------


def preview_times(port: int, member: dict[str, str], count: int = 20) -> tuple[list[float], str]:
    """Seconds per POST /preview (each after one not timed), or why there are none."""
    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    connection.request("GET", "/?ui=en")
    response = connection.getresponse()
    page = response.read().decode("utf-8", "replace")
    if response.status != 200:
        return [], f"GET / answered {response.status}"
    cookie = "; ".join(
        value.split(";", 1)[0]
        for name, value in response.getheaders()
        if name.lower() == "set-cookie"
    )
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page) or re.search(
        r'value="([^"]+)"[^>]*name="csrf_token"', page
    )
    form = {
        "ui": "en",
        "step": "details",
        "controller": "linkedin",
        "email": "m@example.org",
        **member,
    }
    if token:
        form["csrf_token"] = token.group(1)
    body = urllib.parse.urlencode(form).encode()
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Origin": f"http://{HOST}:{port}",
               "Referer": f"http://{HOST}:{port}/letter"}  # fmt: skip
    if cookie:
        headers["Cookie"] = cookie
    # The contract's POST /preview; else the form's last step, POST /letter (step=details).
    route = "/preview"
    connection.request("POST", route, body, headers)
    response = connection.getresponse()
    response.read()
    if response.status in (404, 405):
        route = "/letter"
    times: list[float] = []
    for attempt in range(count + 1):
        started = time.perf_counter()
        connection.request("POST", route, body, headers)
        response = connection.getresponse()
        answer = response.read()
        if response.status != 200 or b'class="page"' not in answer:
            return [], f"POST {route} answered {response.status}" + (
                "" if response.status != 200 else " without page images"
            )
        if attempt:  # the first one warms this member's language
            times.append(time.perf_counter() - started)
    connection.close()
    return times, route


# dsr batch --------------------------------------------------------------------


def batch_rate(source: Path, out: Path) -> tuple[float, int, float]:
    """letters/s of `dsr batch --engine typst` from launch to exit, letters, seconds."""
    start = time.perf_counter()
    done = subprocess.run(
        [str(BIN / "dsr"), "batch", str(source), "-o", str(out), "--engine", "typst"],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
    )  # fmt: skip
    wall = time.perf_counter() - start
    if done.returncode:
        sys.exit(f"dsr batch failed: {done.stderr.decode()}")
    written = len(list(out.glob("*.pdf")))
    return written / wall, written, wall


def write_csv(path: Path, pool: list[dict[str, str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(pool[0]))
        writer.writeheader()
        writer.writerows(pool)


# The report -------------------------------------------------------------------


def verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("met" if ok else "MISSED")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=5)
    parser.add_argument("--rows", type=int, default=320, help="the pool of members (and batch)")
    parser.add_argument("--threads", type=int, help="the server's threads (its default if unset)")
    parser.add_argument("--rate-limit", default="1000000 per minute")
    parser.add_argument("--batch-runs", type=int, default=2, help="1: before the load only")
    parser.add_argument("--no-batch", action="store_true")
    parser.add_argument("--app", help="MODULE:FACTORY served by waitress instead of dsr serve")
    args = parser.parse_args()

    load_before = os.getloadavg()[0]
    pool = rows(args.rows)
    folder = Path(tempfile.mkdtemp(prefix="dsr-serve-bench-"))
    source = folder / "members.csv"
    write_csv(source, pool)
    batches: list[tuple[float, int, float]] = []
    if not args.no_batch:
        batches.append(batch_rate(source, folder / "batch-before"))

    port = free_port()
    launched = time.perf_counter()
    server, how = launch(port, args.threads, args.rate_limit, args.app, folder / "server.log")
    seen: dict[int, int] = {}
    try:
        ready, status = wait_ready(server, port, launched, folder / "server.log")
        startup = ready if status == 200 else None
        sampling = threading.Event()

        def sample() -> None:
            while not sampling.wait(0.1):
                high_water_marks(server.pid, seen)

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        tally = load(port, pool, args.clients, args.warmup, args.seconds)
        previews, preview_route = preview_times(port, pool[0])
        sampling.set()
        sampler.join()
        high_water_marks(server.pid, seen)
    finally:
        server.terminate()
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
    if not args.no_batch and args.batch_runs > 1:
        batches.append(batch_rate(source, folder / "batch-after"))

    served = len(tally.latencies)
    rate = served / args.seconds
    errors = sum(tally.statuses.values())
    # The fastest batch run: on a shared machine the closest to what it can do, and the
    # strictest comparison for the server.
    batch = max(r for r, _, _ in batches) if batches else None
    ratio = rate / batch if batch else None
    p50, p95, p99 = (
        (percentile(tally.latencies, share) * 1000 for share in (0.50, 0.95, 0.99))
        if tally.latencies
        else (float("nan"),) * 3
    )
    rss = sum(seen.values()) / 1024
    preview = statistics.median(previews) * 1000 if previews else None

    print(f"server: {how}; port {port}; processes {len(seen)}")
    print(f"machine: {os.cpu_count()} CPUs, load average {load_before:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after")  # fmt: skip
    print(f"load: {args.clients} clients, keep-alive, {args.warmup:g} s warm-up then "
          f"{args.seconds:g} s counted; pool of {args.rows} members; PDFs")  # fmt: skip
    for number, (r, written, wall) in enumerate(batches, 1):
        print(f"dsr batch --engine typst, run {number}: {written} letters in {wall:.1f} s "
              f"(launch to exit) = {r:.1f} letters/s")  # fmt: skip
    print()
    width = 34
    print(f"{'figure':<{width}} {'value':>14}   {'target':<18} verdict")
    table = [
        ("serve letters/s", f"{rate:.1f}", "", None),
        ("dsr batch letters/s (fastest run)", f"{batch:.1f}" if batch else "n/a", "", None),
        ("serve / batch", f"{ratio:.0%}" if ratio else "n/a", TARGETS["ratio"],
         None if ratio is None else ratio >= 0.5),
        ("latency p50 (ms)", f"{p50:.0f}", "", None),
        ("latency p95 (ms)", f"{p95:.0f}", TARGETS["p95"], p95 < 500 if served else None),
        ("latency p99 (ms)", f"{p99:.0f}", "", None),
        ("errors", str(errors),
         TARGETS["errors"], errors == 0),
        ("peak RSS of the server (MB)", f"{rss:.0f}", TARGETS["rss"], rss < 600),
        ("preview, warm, median of 20 (ms)", f"{preview:.0f}" if preview else "n/a",
         TARGETS["preview"], None if preview is None else preview < 300),
        ("start-up to first 200 on / (s)", f"{startup:.2f}" if startup else "n/a",
         TARGETS["startup"], None if startup is None else startup < 2),
    ]  # fmt: skip
    for name, value, target, ok in table:
        print(f"{name:<{width}} {value:>14}   {target:<18} {verdict(ok) if target else ''}")
    if errors:
        print(
            "\nerrors by status: "
            + ", ".join(f"{k}: {v}" for k, v in sorted(tally.statuses.items()))
        )
    if previews:
        print(f"\npreview timed on POST {preview_route}")
    else:
        print(f"\npreview not timed: {preview_route}")
    if startup is None:
        print(f"start-up not timed: / answered {status} (after {ready:.2f} s)")
    if "429" in tally.statuses:
        print("429s: the per-client rate limit stopped the load (every client is 127.0.0.1)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
