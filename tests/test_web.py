"""dsr's web page over HTTP (Flask's test client): the member's steps, the downloads,
the API, and what keeps it safe: CSRF, headers, limits, Host and Origin, a hosted
page that stores nothing. The browser tests are in test_web_browser.py."""

from __future__ import annotations

import base64
import html
import io
import json
import logging
import re
import threading
import time
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pikepdf
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import encode_multipart

from dsr import registry, track
from dsr.web import create_app, flow, uploads
from dsr.web.security import CONTENT_SECURITY_POLICY, Busy, RenderSlots
from tests.conftest import pdf_text

MEMBER = {
    "jurisdiction": "ES",
    "controller": "linkedin",
    "kind": "objection",
    "name": "Lucía García Pérez",
    "address": "Calle Mayor 1\n28013 Madrid",
    "account-email": "lucia@example.org",
    "lang": "es",
}
API_MEMBER = {
    "kind": "objection",
    "jurisdiction": "DE",
    "name": "Erika Mustermann",
    "address": "Hauptstraße 1, 10115 Berlin",
    "account_email": "erika@example.org",
}


@pytest.fixture
def app(tmp_path: Path) -> Flask:
    return create_app(folder=tmp_path / "letters")


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


def token(client: FlaskClient, path: str = "/") -> str:
    page = client.get(path).get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found, "every form carries a CSRF token"
    return found.group(1)


def post(client: FlaskClient, path: str, values: dict[str, Any], **kwargs: Any) -> Any:
    return client.post(path, data={"csrf_token": token(client), **values}, **kwargs)


def upload(client: FlaskClient, values: dict[str, Any], **kwargs: Any) -> Any:
    """POST /letter as multipart, the body built here (Werkzeug's test client would
    spool a large one to a temporary file it does not close)."""
    fields = {"csrf_token": token(client), **values}
    boundary, body = encode_multipart(MultiDict(fields))
    return client.post(
        "/letter", data=body, content_type=f"multipart/form-data; boundary={boundary}", **kwargs
    )


def errors_beside(page: str) -> dict[str, str]:
    """The error shown right after each field, by the field's name."""
    return {
        name: html.unescape(text)
        for name, text in re.findall(r'<p class="error" id="e-([a-z-]+)">([^<]+)</p>', page)
    }


def a_pdf(size: int = 0) -> bytes:
    """A one-page PDF of about ``size`` bytes (its page's content, uncompressed)."""
    document = pikepdf.new()
    page = document.add_blank_page(page_size=(595, 842))
    page.Contents = document.make_stream(b"q Q\n" * (size // 4))
    out = io.BytesIO()
    document.save(out, compress_streams=False)
    return out.getvalue()


# --- the member's way through the form --------------------------------------------


def test_each_step_asks_what_the_issue_orders(client: FlaskClient) -> None:
    first = client.get("/").get_data(as_text=True)
    assert 'id="f-jurisdiction"' in first
    assert 'id="f-controller"' in first
    # Countries by name; Germany's Länder follow Germany; LinkedIn is the first company.
    assert ">Spain</option>" in first
    assert re.search(r">Germany \N{EN DASH} (Bavaria|Bayern)</option>", first)
    assert first.index(">Germany</option>") < first.index(">Germany \N{EN DASH} ")
    companies = re.search(r'<select id="f-controller".*?</select>', first, re.S)
    assert companies
    assert re.findall(r'<option value="([^"]+)"', companies.group(0))[0] == "linkedin"

    kinds = post(
        client, "/letter", {"step": "place", "jurisdiction": "ES", "controller": "linkedin"}
    )
    page = kinds.get_data(as_text=True)
    offered = re.findall(r'name="kind" value="([^"]+)"', page)
    assert offered[:4] == ["objection", "art21", "erasure", "access"]
    # Each kind is explained in one sentence beside it.
    assert len(re.findall(r'<p class="hint" id="d-kind-', page)) == len(offered)

    details = post(client, "/letter", {"step": "kind", **MEMBER})
    page = details.get_data(as_text=True)
    for name in ("name", "address", "account-email", "lang"):
        assert f'<label for="f-{name}">' in page
    assert 'id="f-situation"' not in page  # asked only for an Art. 21 objection


def test_only_the_kinds_the_members_law_offers(client: FlaskClient) -> None:
    page = post(
        client, "/letter", {"step": "place", "jurisdiction": "CA", "controller": "linkedin"}
    ).get_data(as_text=True)
    offered = set(re.findall(r'name="kind" value="([^"]+)"', page))
    assert offered
    assert "art21" not in offered


def test_errors_appear_beside_their_field_and_keep_the_answers(client: FlaskClient) -> None:
    values = {**MEMBER, "account-email": "lucia.example.org", "name": ""}
    page = post(client, "/letter", {"step": "details", **values}).get_data(as_text=True)
    beside = errors_beside(page)
    assert set(beside) == {"account-email", "name"}
    # Said as what to enter (the CLI's sentence quotes the value and the validator's reason).
    assert beside["account-email"] == "Enter an e-mail address in the form name@example.org."
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="e-name"' in page
    assert '<textarea id="f-address" name="address"' in page  # a textarea keeps it as its text
    assert ">Calle Mayor 1\n28013 Madrid</textarea>" in page
    assert 'class="error-summary" role="alert"' in page


def test_errors_are_in_the_members_language(client: FlaskClient) -> None:
    values = {**MEMBER, "account-email": "lucia.example.org", "name": ""}
    english = errors_beside(
        post(client, "/letter", {"step": "details", **values}).get_data(as_text=True)
    )
    spanish_page = post(
        client,
        "/letter",
        {"step": "details", **values},
        headers={"Accept-Language": "es-ES,es;q=0.9"},
    ).get_data(as_text=True)
    assert '<html lang="es"' in spanish_page
    spanish = errors_beside(spanish_page)
    assert set(spanish) == set(english)
    for field in spanish:
        assert spanish[field] != english[field], field


def test_preview_shows_the_pages_and_the_text(client: FlaskClient) -> None:
    page = post(client, "/letter", {"step": "details", **MEMBER}).get_data(as_text=True)
    images = re.findall(r'<img class="page" src="data:image/png;base64,', page)
    assert len(images) >= 1
    text = html.unescape(
        re.search(r'<textarea id="letter-text"[^>]*>(.*?)</textarea>', page, re.S).group(1)
    )
    assert "Lucía García Pérez" in text
    assert "LinkedIn" in text
    for fmt in ("pdf", "txt", "ics"):
        assert f'name="format" value="{fmt}"' in page


def test_downloads_are_the_letter(client: FlaskClient) -> None:
    pdf = post(client, "/download", {**MEMBER, "format": "pdf"})
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert 'filename="objection-linkedin-es.pdf"' in pdf.headers["Content-Disposition"]
    text = pdf_text(pdf.data)
    assert "Lucía García Pérez" in text
    assert "Madrid" in text
    plain = post(client, "/download", {**MEMBER, "format": "txt"})
    assert plain.mimetype == "text/plain"
    assert "Lucía García Pérez" in plain.get_data(as_text=True)
    calendar = post(client, "/download", {**MEMBER, "format": "ics"}).get_data(as_text=True)
    assert "BEGIN:VEVENT" in calendar
    assert "DTSTART;VALUE=DATE:" in calendar
    # LinkedIn takes objections by its form, not by e-mail: no e-mail to download.
    assert post(client, "/download", {**MEMBER, "format": "eml"}).status_code == 400


def test_an_enclosure_must_be_a_pdf_and_is_appended(client: FlaskClient) -> None:
    data = {
        "step": "details",
        **MEMBER,
        "enclose": FileStorage(io.BytesIO(b"not a pdf"), "notes.txt"),
    }
    page = upload(client, data).get_data(as_text=True)
    assert "enclose" in errors_beside(page)
    letter_only = len(
        pikepdf.open(io.BytesIO(post(client, "/download", {**MEMBER, "format": "pdf"}).data)).pages
    )
    data = {"step": "details", **MEMBER, "enclose": FileStorage(io.BytesIO(a_pdf()), "answer.pdf")}
    page = upload(client, data).get_data(as_text=True)
    carried = re.findall(r'name="annex" value="([^"]+)"', page)
    assert carried, "the preview carries the enclosure to the download"
    pdf = post(client, "/download", {**MEMBER, "format": "pdf", "annex": html.unescape(carried[0])})
    assert len(pikepdf.open(io.BytesIO(pdf.data)).pages) == letter_only + 1
    assert "answer.pdf" in pdf_text(pdf.data)


def test_user_text_is_never_markup(client: FlaskClient) -> None:
    hostile = "<script>alert(1)</script><img src=x onerror=alert(2)>"
    page = post(
        client, "/letter", {"step": "details", **MEMBER, "name": "Ana " + hostile}
    ).get_data(as_text=True)
    assert "<script>alert(1)" not in page
    assert "<img src=x" not in page
    assert "&lt;script&gt;" in page


# --- safety -------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/", "/requests", "/api/v1/kinds", "/static/app.css"])
def test_security_headers_on_every_answer(client: FlaskClient, path: str) -> None:
    answer = client.get(path)
    answer.close()
    assert answer.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
    assert answer.headers["Referrer-Policy"] == "no-referrer"


def test_pages_load_nothing_from_elsewhere_and_no_inline_script(client: FlaskClient) -> None:
    pages = [client.get("/").get_data(as_text=True)]
    pages.append(post(client, "/letter", {"step": "details", **MEMBER}).get_data(as_text=True))
    for page in pages:
        assert not re.search(
            r'(src|href)="(https?:)?//', page.replace('href="https://www.linkedin.com', "")
        )
        assert not re.search(r"<script(?![^>]*\bsrc=)", page), "no inline script"
        markup = re.sub(r"<textarea.*?</textarea>", "", page, flags=re.S)
        tags = re.findall(r"<[a-z][^>]*>", markup)
        assert not [t for t in tags if re.search(r"\s(style|on[a-z]+)=", t)], (
            "no inline style or handler"
        )


def test_a_form_without_its_csrf_token_is_refused(client: FlaskClient) -> None:
    answer = client.post("/letter", data={"step": "place", "jurisdiction": "ES"})
    assert answer.status_code == 400
    forged = client.post("/letter", data={"step": "place", "csrf_token": "forged"})
    assert forged.status_code == 400


def test_local_page_answers_only_to_its_own_name(client: FlaskClient) -> None:
    assert client.get("/", headers={"Host": "127.0.0.1:8000"}).status_code == 200
    assert client.get("/", headers={"Host": "localhost:8000"}).status_code == 200
    assert client.get("/", headers={"Host": "[::1]:8000"}).status_code == 200
    rebound = client.get("/", headers={"Host": "attacker.example:8000"})
    assert rebound.status_code == 400


def test_a_post_from_another_site_is_refused(client: FlaskClient) -> None:
    answer = post(
        client, "/letter", {"step": "place"}, headers={"Origin": "https://attacker.example"}
    )
    assert answer.status_code == 403
    api = client.post("/api/v1/letters", json=API_MEMBER, headers={"Origin": "null"})
    assert api.status_code == 403
    same = post(
        client,
        "/letter",
        {"step": "place", "jurisdiction": "ES"},
        headers={"Origin": "http://localhost"},
    )
    assert same.status_code == 200
    # The page's own forms: Referrer-Policy no-referrer makes the browser say Origin null,
    # and Sec-Fetch-Site vouches for it; another site's page is refused whatever Origin says.
    own = {"Origin": "null", "Sec-Fetch-Site": "same-origin"}
    assert (
        post(client, "/letter", {"step": "place", "jurisdiction": "ES"}, headers=own).status_code
        == 200
    )
    for site in ("cross-site", "same-site"):
        other = {"Origin": "http://localhost", "Sec-Fetch-Site": site}
        assert post(client, "/letter", {"step": "place"}, headers=other).status_code == 403


def test_a_body_past_the_limit_is_refused(client: FlaskClient) -> None:
    from dsr.web.app import MAX_BODY

    body = b"step=details&name=" + b"x" * MAX_BODY
    answer = client.post("/letter", data=body, content_type="application/x-www-form-urlencoded")
    assert answer.status_code == 413
    api = client.post(
        "/api/v1/letters", data=b"{" + b" " * MAX_BODY + b"}", content_type="application/json"
    )
    assert api.status_code == 413
    assert api.json["problems"]


def test_past_the_render_cap_the_answer_is_503_with_retry_after(tmp_path: Path) -> None:
    app = create_app(hosted=True, max_renders=1, render_queue=0)
    client = app.test_client()
    slots = app.extensions["dsr"].slots
    with slots.slot():  # another request is rendering, and no one may wait
        answer = client.post("/api/v1/letters", json=API_MEMBER)
        assert answer.status_code == 503
        assert answer.headers["Retry-After"]
        page = post(client, "/letter", {"step": "details", **MEMBER})
        assert page.status_code == 503
        assert page.headers["Retry-After"]
    assert client.post("/api/v1/letters", json=API_MEMBER).status_code == 200


def test_the_render_queue_is_bounded_in_length_and_in_time() -> None:
    slots = RenderSlots(1, queue=1, wait=1.0)
    waited: list[str] = []

    def wait_for_a_slot() -> None:
        try:
            with slots.slot():
                waited.append("rendered")
        except Busy:
            waited.append("busy")

    with slots.slot():
        first = threading.Thread(target=wait_for_a_slot)
        first.start()
        deadline = time.perf_counter() + 10
        while slots.waiting < 1 and time.perf_counter() < deadline:  # it is in the queue
            time.sleep(0.01)
        started = time.perf_counter()
        with pytest.raises(Busy):  # one is already waiting: no second in the queue
            with slots.slot():
                pass
        assert time.perf_counter() - started < 0.5  # refused at once, not after a wait
        first.join()
    assert waited == ["busy"]  # it waited 1 s, not for ever
    with slots.slot():
        second = threading.Thread(target=wait_for_a_slot)
        second.start()
        time.sleep(0.05)
    second.join()
    assert waited == ["busy", "rendered"]  # a slot freed in time is taken


def test_clients_are_rate_limited() -> None:
    client = create_app(hosted=True, rate_limit="2/minute").test_client()
    answers = [
        client.post("/api/v1/letters", json={"format": "txt", **API_MEMBER}).status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 429]


def test_hosted_page_stores_nothing_and_logs_no_personal_data(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    dsr_home: Path,
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setenv("TMPDIR", str(scratch))
    monkeypatch.setattr("tempfile.tempdir", str(scratch))
    app = create_app(hosted=True, operator="Example NGO", privacy_url="https://example.org/privacy")
    client = app.test_client()
    caplog.set_level(logging.INFO, logger="dsr.web.access")
    first = client.get("/?ui=es&q=link")
    assert "Example NGO" in first.get_data(as_text=True)
    assert 'href="https://example.org/privacy"' in first.get_data(as_text=True)
    page = post(client, "/letter", {"step": "details", **MEMBER})
    assert page.status_code == 200
    # An enclosure past Werkzeug's 500 KB spooling threshold stays in memory too.
    big = {
        "step": "details",
        **MEMBER,
        "enclose": FileStorage(io.BytesIO(a_pdf(700_000)), "big.pdf"),
    }
    with_annex = upload(client, big)
    assert with_annex.status_code == 200
    assert 'name="annex"' in with_annex.get_data(as_text=True)
    assert post(client, "/download", {**MEMBER, "format": "pdf"}).status_code == 200
    assert client.post("/api/v1/letters", json=API_MEMBER).status_code == 200
    assert client.get("/requests").status_code == 404  # no tracking page
    assert client.post("/save", data={}).status_code in (400, 404)
    assert list(dsr_home.iterdir()) == []
    assert list(scratch.iterdir()) == []
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "POST /letter 200" in logged
    assert "GET / 200" in logged
    for secret in ("Lucía", "lucia@example.org", "Mustermann", "Madrid", "ui=es", "q=link", "?"):
        assert secret not in logged
    cookies = [c for c in page.headers.getlist("Set-Cookie")] + list(
        first.headers.getlist("Set-Cookie")
    )
    assert all(cookie.startswith("dsr_csrf=") for cookie in cookies)


# --- the API --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fmt", "mimetype"), [("pdf", "application/pdf"), ("txt", "text/plain"), ("html", "text/html")]
)
def test_api_writes_a_letter(client: FlaskClient, fmt: str, mimetype: str) -> None:
    answer = client.post("/api/v1/letters", json={**API_MEMBER, "format": fmt})
    assert answer.status_code == 200
    assert answer.mimetype == mimetype
    text = pdf_text(answer.data) if fmt == "pdf" else answer.get_data(as_text=True)
    assert "Erika Mustermann" in text
    assert "Widerspruch" in text


def test_api_names_each_problem_by_its_field(client: FlaskClient) -> None:
    answer = client.post(
        "/api/v1/letters", json={"kind": "objection", "jurisdiction": "XX", "account-email": "nope"}
    )
    assert answer.status_code == 422
    problems = {p["field"]: p["message"] for p in answer.json["problems"]}
    assert {"name", "address", "jurisdiction", "account_email"} <= set(problems)
    assert "GET /api/v1/jurisdictions" in problems["jurisdiction"]
    assert "--" not in json.dumps(problems)  # no CLI flag in an API's answer
    assert (
        client.post("/api/v1/letters", json={**API_MEMBER, "format": "docx"}).json["problems"][0][
            "field"
        ]
        == "format"
    )
    assert client.post("/api/v1/letters", data="kind=objection").status_code == 415
    assert client.post("/api/v1/letters", json=[1, 2]).status_code == 422


@pytest.mark.parametrize(
    "listing", ["kinds", "jurisdictions", "languages", "controllers", "authorities"]
)
def test_api_lists(client: FlaskClient, listing: str) -> None:
    answer = client.get(f"/api/v1/{listing}")
    assert answer.status_code == 200
    assert isinstance(answer.json, list)
    assert answer.json
    assert all("code" in row for row in answer.json)


def test_openapi_describes_the_api(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").json
    assert document["openapi"].startswith("3.1")
    assert {"/api/v1/letters", "/api/v1/kinds", "/api/v1/authorities"} <= set(document["paths"])
    schema = document["components"]["schemas"]["Request"]
    jsonschema.validate(
        {**{k.replace("_", "-"): v for k, v in API_MEMBER.items()}, "format": "pdf"}, schema
    )
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate({**API_MEMBER, "format": "docx"}, schema)


# --- local mode: the tracking page ----------------------------------------------------


def test_tracking_page_saves_reminds_and_forgets(client: FlaskClient, app: Flask, run: Any) -> None:
    saved = post(client, "/save", {**MEMBER, "ui": "en"})
    assert saved.status_code == 200
    page = saved.get_data(as_text=True)
    assert "objection-linkedin-es.pdf" in page  # says where it is
    assert 'name="format" value="pdf"' in page  # and offers it to download
    folder = app.extensions["dsr"].folder
    assert [p.name for p in folder.iterdir()] == ["objection-linkedin-es.pdf"]
    rows = track.all_requests()
    assert len(rows) == 1
    assert (folder / "objection-linkedin-es.pdf").stat().st_mode & 0o077 == 0
    page = client.get("/requests").get_data(as_text=True)
    assert "LinkedIn" in page
    assert rows[0].reference in page
    # A second save replaces nothing.
    post(client, "/save", {**MEMBER})
    assert sorted(p.name for p in folder.iterdir()) == [
        "objection-linkedin-es-2.pdf",
        "objection-linkedin-es.pdf",
    ]
    # Not yet due: the page offers no reminder for the letter written today.
    assert f"/requests/{rows[0].id}/remind" not in client.get("/requests").get_data(as_text=True)
    # A letter the command line wrote and tracked weeks ago: the same store, now overdue.
    older = folder / "older.pdf"
    result = run("letter", "--kind", "objection", "--jurisdiction", "ES", "--name", "Lucía García Pérez",
                 "--address", "Calle Mayor 1, 28013 Madrid", "--account-email", "lucia@example.org",
                 "--date", "2026-09-01", "--track", "-o", str(older))  # fmt: skip
    assert result.exit_code == 0, result.output
    cli_row = next(r for r in track.all_requests() if r.files and r.files[0].endswith("older.pdf"))
    page = client.get("/requests").get_data(as_text=True)
    assert f"/requests/{cli_row.id}/remind" in page
    reminder = post(client, f"/requests/{cli_row.id}/remind", {})
    assert reminder.status_code == 200, reminder.get_data(as_text=True)
    text = pdf_text(reminder.data)
    assert "Lucía García Pérez" in text
    assert "older.pdf" in text
    assert track.get(cli_row.id).reminded is not None
    # Then the complaint, to the authority where the member lives, both letters annexed.
    asked = post(client, f"/requests/{cli_row.id}/escalate", {}).get_data(as_text=True)
    assert "Agencia Española de Protección de Datos" in asked  # said before it is written
    assert not track.get(cli_row.id).escalated
    complaint = post(client, f"/requests/{cli_row.id}/escalate", {"confirm": "1"})
    assert complaint.status_code == 200, complaint.get_data(as_text=True)
    text = pdf_text(complaint.data)
    assert "Agencia Española de Protección de Datos" in text
    assert "older.pdf" in text
    assert "reminder" in text.casefold() or "recordatorio" in text.casefold()
    assert track.get(cli_row.id).escalated is not None
    written = sorted(p.name for p in folder.iterdir())
    assert len(written) == 5  # two saved, the CLI's, the reminder, the complaint: nothing replaced
    answered = post(client, f"/requests/{rows[0].id}/answered", {"verdict": "partial"})
    assert answered.status_code == 303
    assert track.get(rows[0].id).verdict == "partial"
    asked = post(client, f"/requests/{rows[0].id}/forget", {})
    assert asked.status_code == 200
    assert rows[0].id in [r.id for r in track.all_requests()]  # not before it is confirmed
    forgotten = post(client, f"/requests/{rows[0].id}/forget", {"confirm": "1"})
    assert forgotten.status_code == 303
    assert rows[0].id not in [r.id for r in track.all_requests()]
    assert (
        len(track.all_requests()) == 1
    )  # the CLI's (saving the same letter again updated its row)


def test_a_problem_only_composing_finds_is_shown_beside_its_field(client: FlaskClient) -> None:
    """A complaint about no answer before the answer was even due: the library refuses
    it while composing, and the page says so beside the date, never a 500."""
    values = {
        "jurisdiction": "GB",
        "controller": "linkedin",
        "kind": "complaint",
        "name": "Oliver Smith",
        "address": "10 Downing Street\nLondon SW1A 2AA",
        "account-email": "oliver@example.org",
        "lang": "en",
        "request-kind": "objection",
        "request-date": flow.today().isoformat(),
        "outcome": "none",
    }
    answer = post(client, "/letter", {"step": "details", **values})
    assert answer.status_code == 200
    beside = errors_beside(answer.get_data(as_text=True))
    assert "request-date" in beside
    download = post(client, "/download", {**values, "format": "pdf"})
    assert download.status_code == 200
    assert download.mimetype == "text/html"  # the form again, with the problem


def test_changing_the_pages_language_keeps_the_answers(client: FlaskClient) -> None:
    values = {**MEMBER, "name": "Lucía García Pérez"}
    page = post(client, "/letter", {"step": "details", "stay": "1", "ui": "fr", **values})
    text = page.get_data(as_text=True)
    assert '<html lang="fr"' in text
    assert 'value="Lucía García Pérez"' in text
    assert 'id="f-name"' in text  # the same step, not the first
    assert not errors_beside(text)  # nothing was checked yet


def a_pdf_of(pages: int, side: float = 595) -> bytes:
    document = pikepdf.new()
    for _ in range(pages):
        document.add_blank_page(page_size=(side, side))
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_an_enclosure_is_never_rasterised_and_has_a_page_limit(client: FlaskClient) -> None:
    """A tiny PDF of huge pages (or of thousands) costs the server nothing: the preview
    shows the letter's pages only, each image bounded; past 50 pages it is refused."""
    huge = {
        "step": "details",
        **MEMBER,
        "enclose": FileStorage(io.BytesIO(a_pdf_of(2, 14_400)), "huge.pdf"),
    }
    started = time.perf_counter()
    page = upload(client, huge).get_data(as_text=True)
    assert time.perf_counter() - started < 10
    images = re.findall(r'<img class="page" src="data:image/png;base64,([^"]+)"', page)
    letter_pages = len(
        pikepdf.open(io.BytesIO(post(client, "/download", {**MEMBER, "format": "pdf"}).data)).pages
    )
    assert len(images) == letter_pages  # the two enclosed pages are not shown as images
    for image in images:
        assert len(image) < 2_000_000
    many = {
        "step": "details",
        **MEMBER,
        "enclose": FileStorage(io.BytesIO(a_pdf_of(51)), "many.pdf"),
    }
    assert "enclose" in errors_beside(upload(client, many).get_data(as_text=True))


def test_forms_work_over_https_without_a_referer() -> None:
    """Referrer-Policy no-referrer: the browser sends no Referer, so the form must not
    depend on one (Flask-WTF's HTTPS check would refuse every form)."""
    client = create_app(hosted=True).test_client()
    page = client.get("/", base_url="https://dsr.example.org").get_data(as_text=True)
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found
    answer = client.post(
        "/letter",
        base_url="https://dsr.example.org",
        data={"csrf_token": found.group(1), "step": "place", "jurisdiction": "ES"},
        headers={"Origin": "null", "Sec-Fetch-Site": "same-origin"},
    )
    assert answer.status_code == 200
    cookie = client.get("/", base_url="https://dsr.example.org").headers.get("Set-Cookie", "")
    assert "Secure" in cookie or cookie == ""


@pytest.mark.parametrize(
    "body",
    [
        {**API_MEMBER, "format": ["pdf"]},
        {**API_MEMBER, "format": {"a": 1}},
        {**API_MEMBER, "name": ["Erika"]},
    ],
)
def test_api_odd_values_are_problems_not_faults(client: FlaskClient, body: dict[str, Any]) -> None:
    answer = client.post("/api/v1/letters", json=body)
    assert answer.status_code == 422
    assert answer.json["problems"]


def test_api_deep_json_and_large_bodies(client: FlaskClient) -> None:
    deep = "[" * 30_000 + "]" * 30_000
    answer = client.post("/api/v1/letters", data=deep, content_type="application/json")
    assert answer.status_code == 422
    large = json.dumps({**API_MEMBER, "situation": "x" * 70_000})
    assert (
        client.post("/api/v1/letters", data=large, content_type="application/json").status_code
        == 413
    )


def test_tracking_ids_past_the_store_are_not_found(client: FlaskClient) -> None:
    answer = post(client, f"/requests/{2**70}/forget", {})
    assert answer.status_code == 404


def test_rate_limit_headers_only_where_they_mean_something() -> None:
    client = create_app(hosted=True, rate_limit="1/minute").test_client()
    first = client.post("/api/v1/letters", json={**API_MEMBER, "format": "txt"})
    assert first.status_code == 200
    assert "Retry-After" not in first.headers
    second = client.post("/api/v1/letters", json={**API_MEMBER, "format": "txt"})
    assert second.status_code == 429
    assert second.headers["Retry-After"] == "60"


def kinds_page(client: FlaskClient, jurisdiction: str) -> str:
    values = {"step": "place", "jurisdiction": jurisdiction, "controller": "linkedin"}
    page: str = post(client, "/letter", values).get_data(as_text=True)
    return page


@pytest.mark.parametrize("jurisdiction", sorted(registry.jurisdictions()))
def test_each_kind_is_described_as_the_members_law_makes_it(
    client: FlaskClient, jurisdiction: str
) -> None:
    """The page says what the letter does under the member's own law (the family's
    objection lever, its authority's complaint or report), never a right it lacks."""
    page = html.unescape(kinds_page(client, jurisdiction))
    controller = registry.controller("linkedin")
    assert controller is not None
    entity = controller.entity_for(jurisdiction)
    if entity is None:
        return  # no LinkedIn entity for this jurisdiction: no kinds to describe
    family, _how = registry.applicable_law(jurisdiction, entity)
    sentences = dict(re.findall(r'id="d-kind-([a-z0-9-]+)">([^<]+)<', page))
    if "objection" in family.kinds:
        said = sentences["objection"]
        expected = {
            "objection": "Object to",
            "withdrawal": "Withdraw your consent",
            "opt_out": "Opt out",
        }
        assert said.startswith(expected[family.objection_lever]), said
    if family.objection_lever != "objection":
        assert "objects under your law" not in page
        assert "Object to the use" not in page
    if "complaint" in family.kinds:
        report = flow.reports(jurisdiction)
        assert sentences["complaint"].startswith("Report" if report else "Complain"), sentences
    assert set(sentences) == set(family.kinds) & set(sentences)


def test_the_deadline_is_named_for_what_it_is(client: FlaskClient) -> None:
    canada = {
        "jurisdiction": "CA",
        "controller": "linkedin",
        "kind": "objection",
        "name": "Jean Tremblay",
        "address": "100 Queen Street\nOttawa ON K1P 1J9",
        "account-email": "jean@example.org",
        "lang": "en",
    }
    page = post(client, "/letter", {"step": "details", **canada}).get_data(as_text=True)
    assert "<dt>Reply requested by</dt>" in page  # PIPEDA sets no period for an objection
    assert "<dt>Reply due by</dt>" not in page
    spain = post(client, "/letter", {"step": "details", **MEMBER}).get_data(as_text=True)
    assert "<dt>Reply due by</dt>" in spain  # Art. 12(3) GDPR
    uk = {
        "jurisdiction": "GB",
        "controller": "linkedin",
        "kind": "controller-complaint",
        "name": "Oliver Smith",
        "address": "10 Downing Street\nLondon SW1A 2AA",
        "account-email": "oliver@example.org",
        "lang": "en",
        "request-kind": "objection",
        "request-date": "2026-09-01",
        "outcome": "none",
    }
    page = post(client, "/letter", {"step": "details", **uk}).get_data(as_text=True)
    assert "<dt>Acknowledgement due by</dt>" in page, errors_beside(page)  # s.164A(3) DPA 2018
    calendar = post(client, "/download", {**uk, "format": "ics"}).get_data(as_text=True)
    assert "Acknowledgement due by" in calendar.replace("\r\n ", "")


def hostile_lzw() -> bytes:
    """A page whose contents are LZW-coded (qpdf bounds no LZW stream's unpacked size;
    written by hand, as qpdf would re-code it as Flate)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
        b"<< /Length 9 /Filter /LZWDecode >>\nstream\n\x80\x0b\x60\x50\x22\x0c\x0c\x85\x01\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def hostile_reuse(megabytes: int = 45, pages: int = 3, repeats: int = 50) -> bytes:
    """Small on disk, costly to read: one stream of ``megabytes`` of zeros, referenced
    ``repeats`` times by each page."""
    document = pikepdf.new()
    bomb = pikepdf.Stream(document, b"")
    bomb.write(zlib.compress(b"0" * (megabytes * 1_000_000), 9), filter=pikepdf.Name.FlateDecode)
    bomb = document.make_indirect(bomb)
    for _ in range(pages):
        page = document.add_blank_page(page_size=(595, 842))
        page.Contents = pikepdf.Array([bomb] * repeats)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def hostile_annotations(count: int = 600) -> bytes:
    document = pikepdf.new()
    page = document.add_blank_page(page_size=(595, 842))
    note = document.make_indirect(
        pikepdf.Dictionary(Type=pikepdf.Name.Annot, Subtype=pikepdf.Name.Text, Rect=[0, 0, 1, 1])
    )
    page.Annots = pikepdf.Array([note] * count)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


@pytest.mark.parametrize(
    ("name", "make"),
    [("lzw.pdf", hostile_lzw), ("reuse.pdf", hostile_reuse), ("notes.pdf", hostile_annotations)],
)
def test_a_hostile_enclosure_costs_bounded_work_and_is_refused(
    client: FlaskClient, name: str, make: Callable[[], bytes]
) -> None:
    """Read in a child process within CPU, memory and time limits: whatever the file
    holds, the answer comes within seconds, beside the field."""
    data = make()
    assert len(data) < flow.MAX_ANNEX_BYTES
    values = {"step": "details", **MEMBER, "enclose": FileStorage(io.BytesIO(data), name)}
    started = time.perf_counter()
    page = upload(client, values).get_data(as_text=True)
    assert time.perf_counter() - started < uploads.WALL_SECONDS + 5
    assert "enclose" in errors_beside(page)
    # The same file carried back from a (tampered) preview is refused the same way.
    carried = name + "\n" + base64.b64encode(data).decode()
    download = post(client, "/download", {**MEMBER, "format": "pdf", "annex": carried})
    assert download.mimetype == "text/html"


def test_a_plain_enclosure_is_read_quickly() -> None:
    started = time.perf_counter()
    assert uploads.checked(a_pdf_of(3), flow.MAX_ANNEX_PAGES) is uploads.Verdict.OK
    assert time.perf_counter() - started < 15  # the first call also starts the fork server


def hostile_form_chain(depth: int = 20_000) -> bytes:
    """Forms nested ``depth`` deep: copying them recursed until the process crashed."""
    document = pikepdf.new()
    page = document.add_blank_page(page_size=(595, 842))
    inner = None
    for _ in range(depth):
        resources = pikepdf.Dictionary()
        if inner is not None:
            resources.XObject = pikepdf.Dictionary(X=inner)
        form = pikepdf.Stream(document, b"/X Do" if inner is not None else b"")
        form.Type = pikepdf.Name.XObject
        form.Subtype = pikepdf.Name.Form
        form.BBox = [0, 0, 10, 10]
        form.Resources = resources
        inner = document.make_indirect(form)
    page.Resources = pikepdf.Dictionary(XObject=pikepdf.Dictionary(X=inner))
    page.Contents = document.make_stream(b"/X Do")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def test_an_enclosure_is_appended_in_a_bounded_process(client: FlaskClient) -> None:
    """Appending copies the enclosure's objects: a hostile chain that would crash the
    process doing it crashes (or times out) a child, and the member reads a problem."""
    data = hostile_form_chain()
    assert len(data) < flow.MAX_ANNEX_BYTES
    carried = "chain.pdf\n" + base64.b64encode(data).decode()
    started = time.perf_counter()
    answer = post(client, "/download", {**MEMBER, "format": "pdf", "annex": carried})
    assert time.perf_counter() - started < uploads.APPEND_WALL_SECONDS + uploads.WALL_SECONDS + 5
    if answer.mimetype == "application/pdf":  # appended within the limits: still a PDF
        assert len(pikepdf.open(io.BytesIO(answer.data)).pages) >= 2
    else:
        assert "enclose" in errors_beside(answer.get_data(as_text=True))
