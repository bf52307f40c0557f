"""The real web server for the browser tests: ``dsr serve --no-open`` in a child process.

The server is started as a member starts it (the command line, waitress, a free port) with its
own home, config and data folders, and is stopped when the block ends. Its first stdout line,
``Serving on http://127.0.0.1:PORT/``, gives the address.
"""

from __future__ import annotations

import os
import queue
import re
import subprocess
import sys
import threading
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

SERVING = re.compile(r"^Serving on (http://(127\.0\.0\.1|\[::1\]|localhost):(\d+)/)\s*$")
START_TIMEOUT = 30.0  # seconds; the target is 2 s, but CI machines can be slow
CHROMIUM = Path("/usr/bin/chromium")
# Debian's Chromium, headless, with nothing of its own on the network (Playwright's own browser
# download is not used). As root, Chromium needs --no-sandbox.
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@dataclass
class Server:
    """A running ``dsr serve``: its address, its folders and what it printed."""

    url: str  # "http://127.0.0.1:PORT/"
    home: Path  # DSR_HOME: the store the tracking page reads
    process: subprocess.Popen[str]
    output: list[str] = field(default_factory=list)  # stdout and stderr lines, as they came

    @property
    def origin(self) -> str:
        parts = urllib.parse.urlsplit(self.url)
        return f"{parts.scheme}://{parts.netloc}"

    def is_own(self, url: str) -> bool:
        """Whether ``url`` is on this server (or a data:/blob: URL the page made itself)."""
        if url.startswith(("data:", "blob:", "about:")):
            return True
        parts = urllib.parse.urlsplit(url)
        return f"{parts.scheme}://{parts.netloc}" == self.origin


def server_env(root: Path) -> dict[str, str]:
    """The environment for the server: every folder it could write to is under ``root``."""
    env = dict(os.environ)
    for name in ("home", "dsr-home", "config", "data", "cache", "state", "tmp"):
        (root / name).mkdir(parents=True, exist_ok=True)
    env.update(
        HOME=str(root / "home"),
        DSR_HOME=str(root / "dsr-home"),
        XDG_CONFIG_HOME=str(root / "config"),
        XDG_DATA_HOME=str(root / "data"),
        XDG_CACHE_HOME=str(root / "cache"),
        XDG_STATE_HOME=str(root / "state"),
        TMPDIR=str(root / "tmp"),
        PYTHONUNBUFFERED="1",
    )
    env.pop("BROWSER", None)
    return env


@contextmanager
def serving(root: Path, *args: str) -> Iterator[Server]:
    """``dsr serve --no-open ARGS`` with its folders under ``root``, until the block ends."""
    command = [sys.executable, "-m", "dsr", "serve", "--no-open", *args]
    process = subprocess.Popen(
        command,
        env=server_env(root),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
        errors="replace",
        bufsize=1,
    )
    assert process.stdout is not None
    lines: queue.Queue[str | None] = queue.Queue()
    output: list[str] = []

    def pump() -> None:  # keeps reading, so a chatty server never blocks on a full pipe
        assert process.stdout is not None
        for line in process.stdout:
            output.append(line.rstrip("\n"))
            lines.put(line)
        lines.put(None)

    reader = threading.Thread(target=pump, name="dsr-serve-output", daemon=True)
    reader.start()
    try:
        try:
            first = lines.get(timeout=START_TIMEOUT)
        except queue.Empty:
            raise AssertionError(
                f"`dsr serve` printed nothing within {START_TIMEOUT:.0f} s: {output}"
            ) from None
        match = SERVING.match(first or "")
        assert match, f"`dsr serve`'s first line is not 'Serving on http://...': {output}"
        yield Server(match.group(1), root / "dsr-home", process, output)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        reader.join(timeout=5)
        process.stdout.close()
