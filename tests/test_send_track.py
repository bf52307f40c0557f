"""Sending and tracking: .eml, mailto, PDF/A-3b and PDF/UA-1, the tracking flow, .ics."""

from __future__ import annotations

import email
import json
import sqlite3
import stat
from email import policy
from pathlib import Path

import pytest
from click.testing import CliRunner
from icalendar import Calendar
from pypdf import PdfReader

from dsr.cli import main
from tests.conftest import letter_args, pdf_text

POLE = [
    "--kind", "complaint", "--jurisdiction", "PL", "--name", "Anna Kowalska",
    "--address", "ul. Prosta 1, 00-850 Warszawa", "--email", "anna@example.org",
    "--account-email", "anna@example.org", "--date", "2026-11-22", "--request-date", "2026-09-01",
    "--request-kind", "objection",
]  # fmt: skip


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def test_eml_is_a_real_message_with_the_pdf(tmp_path: Path) -> None:
    out = tmp_path / "complaint.eml"
    code, output = invoke("letter", *POLE, "-o", str(out))
    assert code == 0, output
    message = email.message_from_bytes(out.read_bytes(), policy=policy.default)
    assert message["From"] == "Anna Kowalska <anna@example.org>"
    assert message["To"].addresses[0].addr_spec == "kancelaria@uodo.gov.pl"
    assert "RODO" in message["Subject"]
    assert "2026-" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "Szanowni Państwo" in body
    attachments = list(message.iter_attachments())
    assert len(attachments) == 1
    pdf = attachments[0].get_content()
    assert pdf.startswith(b"%PDF")
    assert "Anna Kowalska" in pdf_text(pdf)


def test_mailto_link_or_web_form(tmp_path: Path) -> None:
    code, output = invoke("letter", *POLE, "-o", str(tmp_path / "c.txt"), "--mailto")
    assert code == 0, output
    link = next(line for line in output.splitlines() if line.startswith("mailto:"))
    assert link.startswith("mailto:kancelaria%40uodo.gov.pl?subject=")
    code, output = invoke(*letter_args("objection", "DE", "de", tmp_path / "o.txt"), "--mailto")
    assert code == 0, output
    assert (
        "LinkedIn Ireland Unlimited Company takes no e-mail; use its form: "
        "https://www.linkedin.com/help/linkedin/ask/TS-DPRO"
    ) in output


def test_pdf_a3b_embeds_the_request(tmp_path: Path) -> None:
    out = tmp_path / "archival.pdf"
    code, output = invoke(*letter_args("art21", "FR", "fr", out), "--pdf-variant", "pdf/a-3b")
    assert code == 0, output
    reader = PdfReader(out)
    xmp = reader.xmp_metadata
    assert xmp is not None
    raw = xmp.stream.get_data().decode()
    assert 'pdfaid:part="3"' in raw
    assert 'pdfaid:conformance="B"' in raw
    attached = reader.attachments
    assert list(attached) == ["request.json"]
    record = json.loads(attached["request.json"][0])
    assert record["kind"] == "art21"
    assert record["jurisdiction"] == "FR"
    assert record["deadline"] == "2026-12-22"
    assert "gdpr.21.1" in record["provisions_cited"]
    assert (
        record["citations"]["objection"].replace("\u00a0", " ")
        == "article 21, paragraphe 1, du RGPD"
    )
    again = tmp_path / "again.pdf"
    invoke(*letter_args("art21", "FR", "fr", again), "--pdf-variant", "pdf/a-3b")
    assert again.read_bytes() == out.read_bytes()  # the same input gives the same bytes


def test_pdf_ua1_is_tagged(tmp_path: Path) -> None:
    out = tmp_path / "tagged.pdf"
    code, output = invoke(*letter_args("objection", "DE", "de", out), "--pdf-variant", "pdf/ua-1")
    assert code == 0, output
    reader = PdfReader(out)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/MarkInfo"]["/Marked"]
    assert str(root["/Lang"]) == "de"
    assert 'pdfuaid:part="1"' in reader.xmp_metadata.stream.get_data().decode()  # type: ignore[union-attr]


def test_tracking_flow_up_to_a_complaint_in_bavaria(tmp_path: Path, dsr_home: Path) -> None:
    original = tmp_path / "objection.pdf"
    args = [
        "letter", "--kind", "art21", "--jurisdiction", "DE-BY", "--name", "Erika Mustermann",
        "--address", "Marienplatz 1, 80331 München", "--account-email", "erika@example.org",
        "--lang", "en", "--date", "2026-08-01", "--situation",
        "As a journalist I protect my sources; AI models must not reproduce my contacts.",
        "-o", str(original), "--track",
    ]  # fmt: skip
    code, output = invoke(*args)
    assert code == 0, output
    database = dsr_home / "tracking.sqlite3"
    assert stat.S_IMODE(database.stat().st_mode) == 0o600
    from dsr.track import MIGRATIONS

    with sqlite3.connect(database) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    code, output = invoke("track", "list", "--json")
    rows = json.loads(output)
    assert [(r["id"], r["kind"], r["deadline"], r["status"]) for r in rows] == [
        (1, "art21", "2026-09-01", "overdue")
    ]
    calendar_file = tmp_path / "deadlines.ics"
    assert invoke("track", "ics", "-o", str(calendar_file))[0] == 0
    events = Calendar.from_ical(calendar_file.read_bytes()).walk("VEVENT")
    assert len(events) == 1
    assert str(events[0]["dtstart"].dt) == "2026-09-01"
    assert events[0].walk("VALARM")
    # The library gives the next step as a command (data); the CLI's calendar words it.
    assert str(events[0]["description"]).endswith(
        "If there is no answer: dsr track remind 1 -o reminder.pdf"
    )
    reminder = tmp_path / "reminder.pdf"
    code, output = invoke("track", "remind", "1", "-o", str(reminder), "--date", "2026-09-10")
    assert code == 0, output
    reminder_text = " ".join(pdf_text(reminder).split())
    assert "Reminder: my request of 1 August 2026" in reminder_text
    assert "The time limit under Art. 12(3) GDPR expired on 1 September 2026." in reminder_text
    assert "by 24 September 2026" in reminder_text  # 14 days, counted like the GDPR's period
    complaint = tmp_path / "complaint.pdf"
    code, output = invoke("track", "escalate", "1", "-o", str(complaint), "--date", "2026-10-01")
    assert code == 0, output
    assert "(complaint, de, to Bayerisches Landesamt für Datenschutzaufsicht (BayLDA))" in output
    pages = pdf_text(complaint).split("\f")
    text = " ".join(" ".join(pages).split())
    assert "Art. 77 Abs. 1 DSGVO" in text
    assert "Anlage 1: objection.pdf" in text
    assert "Anlage 2: reminder.pdf" in text
    assert "1. August 2026" in text  # the timeline
    assert "10. September 2026" in text
    assert len(pages) >= 5  # the complaint, then the letter and the reminder as annexes
    assert invoke("track", "answered", "1", "--date", "2026-10-20", "--verdict", "partial")[0] == 0
    assert invoke("track", "close", "1")[0] == 0
    rows = json.loads(invoke("track", "list", "--json")[1])
    assert rows[0]["status"] == "closed"
    assert rows[0]["verdict"] == "partial"
    code, output = invoke("track", "remind", "7", "-o", str(tmp_path / "x.pdf"))
    assert code == 2  # an unknown ID is bad input
    assert output == "Error: no tracked request with id 7; see 'dsr track list'\n"
    code, output = invoke("forget", "--yes")
    assert code == 0, output
    assert not database.exists()


@pytest.mark.parametrize(
    ("code", "address", "lang", "expected_lang", "phrase"),
    [
        # The OPC takes complaints in English and French: the member's French stays.
        ("CA", "100 Queen Street, Ottawa ON K1P 1J9", "fr-CA", "fr-CA",
         "Commissariat à la protection de la vie privée du Canada"),
        # The PCPD takes English too.
        ("HK", "Flat 1, 1 Queens Road Central, Central", "en", "en",
         "Privacy Commissioner for Personal Data"),
        # A Land authority takes German only: an English request is escalated in German.
        ("DE-BY", "Marienplatz 1, 80331 München", "en", "de", "Beschwerde"),
    ],
)  # fmt: skip
def test_escalation_keeps_the_members_language_where_the_authority_takes_it(
    tmp_path: Path, code: str, address: str, lang: str, expected_lang: str, phrase: str
) -> None:
    args = [
        "letter", "--kind", "access", "--jurisdiction", code, "--name", "Alex Martin",
        "--address", address, "--account-email", "alex@example.org", "--lang", lang,
        "--date", "2026-08-01", "-o", str(tmp_path / "access.pdf"), "--track",
    ]  # fmt: skip
    code_, output = invoke(*args)
    assert code_ == 0, output
    complaint = tmp_path / "complaint.pdf"
    code_, output = invoke("track", "escalate", "1", "-o", str(complaint), "--date", "2026-10-20")
    assert code_ == 0, output
    assert f"(complaint, {expected_lang}," in output
    assert phrase in " ".join(pdf_text(complaint).split())
