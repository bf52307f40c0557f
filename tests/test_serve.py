"""`dsr serve` as a member starts it: the first line, the first page, the refusals."""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import Result

from tests.conftest import ROOT, pdf_text

DSR = [sys.executable, "-m", "dsr"]


@pytest.fixture
def served(tmp_path: Path, dsr_home: Path) -> Iterator[tuple[subprocess.Popen[str], str, float]]:
    env = {**os.environ, "DSR_HOME": str(dsr_home), "HOME": str(tmp_path)}
    started = time.perf_counter()
    process = subprocess.Popen(
        [*DSR, "serve", "--no-open", "--folder", str(tmp_path / "letters")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=ROOT,
    )
    assert process.stdout is not None
    first = process.stdout.readline()
    try:
        yield process, first, started
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        for stream in (process.stdout, process.stderr):
            if stream is not None:
                stream.close()


def test_first_line_names_the_address_and_the_page_answers(
    served: tuple[subprocess.Popen[str], str, float],
) -> None:
    _process, first, started = served
    assert first.startswith("Serving on http://127.0.0.1:")
    assert first.endswith("/\n")
    url = first.split()[-1]
    with urllib.request.urlopen(url, timeout=10) as answer:
        page = answer.read().decode()
        elapsed = time.perf_counter() - started
    assert answer.status == 200
    assert 'id="f-jurisdiction"' in page
    # The target is 2 s on a quiet machine; CI machines are shared, so the
    # test allows more and bench/serve.py measures it.
    assert elapsed < 10


def test_a_rebinding_page_is_refused(served: tuple[subprocess.Popen[str], str, float]) -> None:
    _process, first, _started = served
    url = first.split()[-1]
    request = urllib.request.Request(url, headers={"Host": "attacker.example"})
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 400
    refused.value.close()


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["--operator", "Example NGO"], "--operator: names who runs a hosted page"),
        (
            ["--hosted", "--privacy-url", "example.org"],
            "--privacy-url: example.org is not a web address",
        ),
        (["--hosted", "--folder", "x"], "--folder: a hosted page stores nothing"),
        (["--port", "70000"], "--port"),
        (["--rate-limit", "lots"], "--rate-limit: lots is not a limit"),
    ],
)
def test_bad_options_exit_2_naming_the_option(run: object, args: list[str], said: str) -> None:
    result: Result = run("serve", "--no-open", *args)  # type: ignore[operator]
    assert result.exit_code == 2, result.output
    assert said in result.output
    assert "Traceback" not in result.output


def test_a_port_in_use_is_a_clear_error(run: object) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result: Result = run("serve", "--no-open", "--port", str(port))  # type: ignore[operator]
    assert result.exit_code == 2
    assert f"--port: cannot listen on 127.0.0.1:{port}" in result.output


def readme_curls() -> list[str]:
    """The README's curl commands, each as the shell reads it (continuations kept)."""
    readme = (ROOT / "README.md").read_text("utf-8")
    blocks = re.findall(r"^```sh\n(.*?)^```$", readme, flags=re.MULTILINE | re.DOTALL)
    commands = []
    for block in blocks:
        for command in re.split(r"(?<!\\)\n", block):
            if command.startswith("curl "):
                commands.append(command)
    return commands


def test_the_readmes_curl_examples_work(
    served: tuple[subprocess.Popen[str], str, float], tmp_path: Path
) -> None:
    _process, first, _started = served
    address = first.split()[-1].removeprefix("http://").rstrip("/")
    commands = readme_curls()
    assert len(commands) >= 4
    answers = []
    for command in commands:  # run by a real shell, as the reader will
        command = command.replace("127.0.0.1:8000", address)
        done = subprocess.run(
            ["bash", "-c", command], cwd=tmp_path, capture_output=True, check=False, timeout=60
        )
        assert done.returncode == 0, done.stderr
        answers.append(done.stdout)
    letter = (tmp_path / "objection.pdf").read_bytes()
    assert "Erika Mustermann" in pdf_text(letter)
    problems = {p["field"]: p["message"] for p in json.loads(answers[1])["problems"]}
    assert {"name", "address", "account_email"} <= set(problems)
    assert isinstance(json.loads(answers[2]), list)
    assert json.loads(answers[3])["openapi"].startswith("3.1")


def test_behind_a_proxy_each_member_has_their_own_rate_and_the_cookie_is_secure(
    tmp_path: Path, dsr_home: Path
) -> None:
    """`--proxies 1`: waitress reads X-Forwarded-For and -Proto, so the rate limit counts
    each member (not the proxy) and the CSRF cookie is Secure on an HTTPS site."""
    env = {**os.environ, "DSR_HOME": str(dsr_home), "HOME": str(tmp_path)}
    command = [*DSR, "serve", "--hosted", "--no-open", "--proxies", "1", "--rate-limit", "2/minute"]
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env, cwd=ROOT
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().split()[-1]
        body = json.dumps({"kind": "objection", "jurisdiction": "DE", "name": "Erika Mustermann",
                           "address": "Hauptstraße 1, 10115 Berlin",
                           "account_email": "erika@example.org", "format": "txt"}).encode()  # fmt: skip

        def letter(member: str) -> int:
            request = urllib.request.Request(
                url + "api/v1/letters",
                data=body,
                headers={"Content-Type": "application/json", "X-Forwarded-For": member},
            )
            try:
                with urllib.request.urlopen(request, timeout=30) as answer:
                    return int(answer.status)
            except urllib.error.HTTPError as error:
                error.close()
                return int(error.code)

        assert [letter(f"203.0.113.{n}") for n in range(1, 5)] == [200, 200, 200, 200]
        assert [letter("198.51.100.7") for _ in range(3)] == [200, 200, 429]
        secure = urllib.request.Request(url, headers={"X-Forwarded-Proto": "https"})
        with urllib.request.urlopen(secure, timeout=30) as answer:
            cookie = answer.headers.get("Set-Cookie", "")
        assert cookie.startswith("dsr_csrf=")
        assert "Secure" in cookie
    finally:
        process.send_signal(signal.SIGINT)
        process.wait(timeout=10)
        if process.stdout is not None:
            process.stdout.close()
