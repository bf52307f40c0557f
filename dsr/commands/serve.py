"""dsr serve: the web page, on a member's own computer or hosted by an NGO."""

from __future__ import annotations

import logging
import os
import secrets
import signal
import socket
import sys
from pathlib import Path

import click
from limits import parse_many
from waitress import create_server

from ..cli import engine_option, fail, shown
from ..formats import Engine
from ..web import create_app

LOOPBACK = "127.0.0.1"


@click.command()
@click.option("--host", metavar="ADDRESS", help="Listen on this address (default: 127.0.0.1, "
              "this computer only). A local page then also answers to this name.")  # fmt: skip
@click.option("--port", type=click.IntRange(0, 65535), default=0, show_default="a free port",
              help="Listen on this port.")  # fmt: skip
@click.option("--open/--no-open", "open_browser", default=True,
              help="Open the page in your browser (default: open).")  # fmt: skip
@click.option("--hosted", is_flag=True,
              help="Serve members of an NGO: nothing is stored, no tracking page.")  # fmt: skip
@click.option("--operator", metavar="NAME", help="Hosted: who runs the page, shown on it.")
@click.option("--privacy-url", metavar="URL", help="Hosted: the operator's privacy notice.")
@click.option("--folder", type=click.Path(file_okay=False, path_type=Path),
              help="Local: where letters you follow up on are saved "
              "(default: a 'dsr' folder in your documents).")  # fmt: skip
@click.option("--threads", type=click.IntRange(1, 256), default=24, show_default=True,
              help="Requests served at once (renders are capped: --max-renders).")  # fmt: skip
@click.option(
    "--max-renders",
    type=click.IntRange(1, 64),
    help="Letters rendered at once; past that, 'busy, retry' (default: CPU count).",
)
@click.option("--rate-limit", metavar="LIMITS",
              help="Letters per client, e.g. '30/minute;300/hour' (the hosted default; "
              "a local page allows 600/minute).")  # fmt: skip
@click.option("--proxies", type=click.IntRange(0, 8), default=0, show_default=True,
              help="Hosted behind this many reverse proxies: read the client's address "
              "(for the rate limit) and scheme from their X-Forwarded-* headers.")  # fmt: skip
@engine_option("typst")
def serve(
    host: str | None,
    port: int,
    open_browser: bool,
    hosted: bool,
    operator: str | None,
    privacy_url: str | None,
    folder: Path | None,
    threads: int,
    max_renders: int | None,
    rate_limit: str | None,
    proxies: int,
    engine: Engine,
) -> None:
    """Serve dsr's web page: a guided form, a preview, and the letter to download.

    \b
    dsr serve                      your own page, at http://127.0.0.1:PORT/
    dsr serve --hosted --host 0.0.0.0 --port 8080 --operator "Example NGO" \\
              --privacy-url https://example.org/privacy

    An NGO behind its own server runs the WSGI app instead:
    gunicorn -w 4 'dsr.web:create_app(hosted=True)'.
    """
    if not hosted and (operator or privacy_url):
        option = "--operator" if operator else "--privacy-url"
        fail([f"{option}: names who runs a hosted page; add --hosted, or leave it out"])
    if privacy_url and not privacy_url.startswith(("https://", "http://")):
        fail([f"--privacy-url: {shown(privacy_url)} is not a web address (https://...)"])
    if rate_limit is not None:
        try:
            parse_many(rate_limit)
        except ValueError:
            fail([f"--rate-limit: {shown(rate_limit)} is not a limit; write it as "
                  "'30/minute' or '30/minute;300/hour'"])  # fmt: skip
    if hosted and folder is not None:
        fail(["--folder: a hosted page stores nothing; leave it out, or drop --hosted"])
    address = host or LOOPBACK
    # One process: its own key (a form is answered by the process that made it). An NGO
    # running several sets DSR_SECRET_KEY, which create_app reads.
    secret_key = os.environ.get("DSR_SECRET_KEY") or secrets.token_bytes(32)
    app = create_app(
        secret_key=secret_key,
        hosted=hosted,
        operator=operator,
        privacy_url=privacy_url,
        max_renders=max_renders,
        hosts=(host,) if host else (),
        engine=engine,
        folder=folder,
        proxies=0,  # waitress reads the proxies' headers itself (below)
        rate_limit=rate_limit,
    )
    listening = socket.socket(socket.AF_INET6 if ":" in address else socket.AF_INET)
    try:  # bound here, so that a refusal closes the socket (waitress would leave it open)
        listening.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        listening.bind((address, port))
    except OSError as error:
        listening.close()
        option = "--host" if isinstance(error, socket.gaierror) else "--port"
        fail([f"{option}: cannot listen on {address}:{port} ({error.strerror or error})"])
    # A connection that sends nothing for 30 s is closed (waitress waits 120 s): a client
    # holding many half-sent requests locks others out for less long. Hosted pages should
    # still sit behind a reverse proxy, which buffers requests (see the README).
    # Behind --proxies reverse proxies, waitress takes the client's address and scheme
    # from their X-Forwarded-For and X-Forwarded-Proto (it drops them otherwise).
    behind = (
        {
            "trusted_proxy": "*",
            "trusted_proxy_count": proxies,
            "trusted_proxy_headers": "x-forwarded-for x-forwarded-proto",
        }
        if proxies
        else {}
    )
    server = create_server(
        app, sockets=[listening], threads=threads, ident="dsr", channel_timeout=30, **behind
    )
    shown_host = f"[{address}]" if ":" in address else address
    url = f"http://{shown_host}:{listening.getsockname()[1]}/"
    click.echo(f"Serving on {url}")
    sys.stdout.flush()
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
    access = logging.getLogger("dsr.web.access")
    access.addHandler(handler)
    access.setLevel(logging.INFO)
    click.echo("Press Ctrl+C to stop.", err=True)
    if open_browser and not hosted:
        click.launch(url)
    # SIGTERM (a service manager's stop) ends the server as Ctrl-C does: cleanly, so that
    # the upload checker's temporary folder is removed at exit.
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        server.run()
    except KeyboardInterrupt:
        click.echo("Stopped.", err=True)
    finally:
        server.close()


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt
