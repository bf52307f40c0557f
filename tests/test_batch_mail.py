"""E-mails from a campaign (issue 17): `dsr batch --format eml` writes each letter as an
e-mail from the member to the company where it takes e-mail, and refuses, once, the
rows whose company takes only a form; `--mail-members --from ADDRESS` writes, beside
each PDF letter, a draft from the campaign to the member in their language with their
PDF and how to send it. Read back as a mail program reads them (email.parser)."""

from __future__ import annotations

import csv
import os
import re
import zipfile
from dataclasses import replace
from datetime import date
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr import ui
from dsr.cli import main
from dsr.drafts import member_draft
from dsr.formats import Format, WriteOptions
from dsr.inputs import parse_request
from dsr.outputs import NoEmailAddress
from dsr.pipeline import document_of, letter_bytes, write_letter
from tests.conftest import flat, pdf_text

HEADER = ["kind", "jurisdiction", "controller", "name", "address", "account-email", "email",
          "lang", "date"]  # fmt: skip
LINKEDIN_DE = ["objection", "DE", "linkedin", "Erika Mustermann", "Hauptstraße 1, 10115 Berlin",
               "erika@example.org", "", "de", "2026-11-02"]  # fmt: skip
OPENAI_DE = ["objection", "DE", "openai", "Jörg Müller", "Hauptstraße 2, 10115 Berlin",
             "joerg@example.org", "post@mueller.example", "de", "2026-11-02"]  # fmt: skip
LINKEDIN_ES = ["objection", "ES", "linkedin", "José García", "Calle Mayor 1, 28013 Madrid",
               "jose@example.org", "", "es", "2026-11-02"]  # fmt: skip
ANTHROPIC_ES = ["access", "ES", "anthropic", "Lucía Pérez", "Calle Mayor 2, 28013 Madrid",
                "lucia@example.org", "", "es", "2026-11-02"]  # fmt: skip
LINKEDIN_FORM = "https://www.linkedin.com/help/linkedin/ask/TS-DPRO"
CAMPAIGN = "Datenschutz-Kampagne Ünited <kampagne@ngo.example>"


def members(path: Path, rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(rows)
    return path


def batch(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["batch", *args], catch_exceptions=False)
    return result.exit_code, result.output


def report(out: Path) -> list[dict[str, str]]:
    with (out / "report.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def message(path: Path) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(parsed, EmailMessage)
    return parsed


def body(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain",))
    assert part is not None
    return str(part.get_content())


def attached_pdf(mail: EmailMessage) -> tuple[str, bytes]:
    (attachment,) = list(mail.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    data = attachment.get_content()
    assert data.startswith(b"%PDF-")
    return str(attachment.get_filename()), data


def header_lines(raw: bytes) -> list[str]:
    return raw.split(b"\n\n", 1)[0].decode("ascii").splitlines()


def test_emails_go_from_the_member_to_the_company_and_form_only_rows_are_refused_once(
    tmp_path: Path,
) -> None:
    source = members(tmp_path / "members.csv",
                     [LINKEDIN_DE, OPENAI_DE, [*LINKEDIN_DE[:3], "Hans Beispiel",
                      *LINKEDIN_DE[4:5], "hans@example.org", *LINKEDIN_DE[6:]], ANTHROPIC_ES])  # fmt: skip
    out = tmp_path / "out"
    code, output = batch(str(source), "-o", str(out), "--format", "eml")
    assert code == 2, output
    rows = report(out)
    assert [r["status"] for r in rows] == ["error", "written", "error", "written"]
    refused = rows[0]["message"]
    assert refused == rows[2]["message"]
    assert "LinkedIn Ireland Unlimited Company publishes no e-mail address" in refused
    assert LINKEDIN_FORM in refused  # the company's form, named
    assert "--format pdf" in refused
    assert "--mail-members --from ADDRESS" in refused
    assert rows[0]["file"] == rows[2]["file"] == ""
    assert sorted(p.name for p in out.glob("*.eml")) == [
        "0002-muller-objection-de.eml",
        "0004-perez-access-es.eml",
    ]
    # Said once as found, and once in the list at the end (with both rows), not per row.
    assert output.count("publishes no e-mail address") == 2
    assert "Error: row 1: LinkedIn Ireland" in output
    assert "Error: row 3:" not in output
    assert "  rows 1, 3: LinkedIn Ireland" in output

    raw = (out / "0002-muller-objection-de.eml").read_bytes()
    mail = message(out / "0002-muller-objection-de.eml")
    # From the member: their `email`, before their account's address; the name encoded.
    assert mail["From"].addresses[0].addr_spec == "post@mueller.example"
    assert mail["From"].addresses[0].display_name == "Jörg Müller"
    assert "From: =?utf-8?" in raw.decode("ascii")  # an encoded word, not raw UTF-8
    assert [a.addr_spec for a in mail["To"].addresses] == ["privacy@openai.com"]
    assert mail["To"].addresses[0].display_name == "OpenAI Ireland Limited"
    assert mail["Subject"].startswith("Widerspruch gegen die Verwendung meiner")
    assert mail["Date"].datetime.date() == date(2026, 11, 2)
    assert re.fullmatch(r"<2026-[0-9A-Z]{7}\.objection@dsr\.invalid>", mail["Message-ID"])
    assert mail["MIME-Version"] == "1.0"
    assert mail["X-Unsent"] == "1"  # the member's message to send: opened as a draft
    assert all(len(line) <= 78 for line in header_lines(raw))
    assert all(len(line) <= 998 for line in raw.splitlines())
    assert "Sehr geehrte Damen und Herren" in body(mail)
    name, pdf = attached_pdf(mail)
    assert name.endswith("-objection.pdf")
    assert "Jörg Müller" in flat(pdf_text(pdf))

    spanish = message(out / "0004-perez-access-es.eml")
    assert [a.addr_spec for a in spanish["To"].addresses] == ["privacy@anthropic.com"]
    assert spanish["From"].addresses[0].addr_spec == "lucia@example.org"  # no `email`: account
    assert spanish["Subject"].startswith("Solicitud de acceso")  # the letter's language
    assert "Lucía Pérez" in flat(pdf_text(attached_pdf(spanish)[1]))


def test_no_front_end_writes_an_email_without_a_recipient(tmp_path: Path) -> None:
    """The pipeline refuses it, so the library, `dsr letter` and tracked letters do too."""
    request = parse_request(dict(zip(HEADER, LINKEDIN_DE, strict=True)), today=date(2026, 12, 8))
    target = tmp_path / "letter.eml"
    with pytest.raises(NoEmailAddress) as refused:
        write_letter(document_of(request), target)
    assert LINKEDIN_FORM in str(refused.value)
    assert not target.exists()
    result = CliRunner().invoke(
        main,
        ["letter", "--kind", "objection", "--jurisdiction", "DE", "--controller", "linkedin",
         "--name", "Erika Mustermann", "--address", "Hauptstraße 1, 10115 Berlin",
         "--account-email", "erika@example.org", "--lang", "de", "-o", str(target)],
    )  # fmt: skip
    assert result.exit_code == 2
    assert "publishes no e-mail address" in result.output
    assert not target.exists()


FORM_OR_POST = "Paste the text into the company's form, or post the PDF in a window envelope."
EMAIL_OR_FORM = (
    "Post the PDF in a window envelope, e-mail the PDF to the address below, or use the "
    "company's form."
)
COMPANY_FORM = "The company's form:"
EMAIL_OR_POST = "Post the PDF in a window envelope, or e-mail the PDF to the address below."
PROOF = (
    "Keep proof of sending: the form's confirmation, the e-mail you sent, or the post "
    "office's receipt (registered post is best). Note the day you sent it."
)
POSTED = (
    "If you post it: print the PDF, sign it by hand above your typed name at the end, and "
    "post it in a window envelope."
)


def say(language: str, message_id: str) -> str:
    """``message_id`` of the interface catalog in ``language``, as the draft has it."""
    with ui.speaking(language):
        return ui.gettext(message_id)


def test_drafts_to_members_in_their_language_with_their_pdf(tmp_path: Path) -> None:
    source = members(tmp_path / "members.csv", [LINKEDIN_DE, OPENAI_DE, LINKEDIN_ES, ANTHROPIC_ES])
    out = tmp_path / "out"
    code, output = batch(str(source), "-o", str(out), "--mail-members", "--from", CAMPAIGN, "--zip")
    assert code == 0, output
    assert "Note: 4 drafts to members beside the letters" in output
    drafts = sorted(p.name for p in out.glob("*-member.eml"))
    assert drafts == [
        "0001-mustermann-objection-de-member.eml",
        "0002-muller-objection-de-member.eml",
        "0003-garcia-objection-es-member.eml",
        "0004-perez-access-es-member.eml",
    ]
    assert all(os.stat(out / name).st_mode & 0o777 == 0o600 for name in drafts)

    # German, a company with a web form only.
    raw = (out / drafts[0]).read_bytes()
    mail = message(out / drafts[0])
    assert mail["X-Unsent"] == "1"  # opened as a draft
    assert mail["From"].addresses[0].addr_spec == "kampagne@ngo.example"
    assert mail["From"].addresses[0].display_name == "Datenschutz-Kampagne Ünited"
    assert [a.addr_spec for a in mail["To"].addresses] == ["erika@example.org"]
    assert mail["To"].addresses[0].display_name == "Erika Mustermann"
    assert mail["Subject"].startswith(
        "Widerspruch gegen das Training von KI-Modellen: LinkedIn Ireland Unlimited Company"
    )
    assert all(len(line) <= 78 for line in header_lines(raw))
    text = body(mail)
    kind = say("de", "Objection to AI training")
    assert say("de", "{label}: {value}").format(label=say("de", "Letter"), value=kind) in text
    for message_id in (FORM_OR_POST, PROOF, POSTED, COMPANY_FORM):
        assert say("de", message_id) != message_id, message_id  # translated
        assert say("de", message_id) in text, message_id
    assert f"{say('de', COMPANY_FORM)}\n{LINKEDIN_FORM}" in text
    assert "Sehr geehrte Damen und Herren," in text  # the text to paste into the form
    name, pdf = attached_pdf(mail)
    assert name == "0001-mustermann-objection-de.pdf"
    assert pdf == (out / name).read_bytes()
    printed = flat(pdf_text(pdf))
    reference = re.search(r"\b(2026-[0-9A-Z]{7})\b", text)
    assert reference is not None
    assert reference.group(1) in printed
    # The date to note, as the letter itself gives it.
    day = re.search(r"bis zum (\d+\. \w+ \d{4})", printed)
    assert day is not None
    assert say("de", "Reply due by {date}").format(date=day.group(1)) in text

    # German, a company with an e-mail address and a form: the draft names both; it goes
    # to the member's `email`, not their account's address.
    to_openai = message(out / drafts[1])
    assert [a.addr_spec for a in to_openai["To"].addresses] == ["post@mueller.example"]
    text = body(to_openai)
    assert say("de", EMAIL_OR_FORM) in text  # the PDF by e-mail: no ready e-mail here
    assert "privacy@openai.com" in text
    assert "https://privacy.openai.com/policies?modal=take-control" in text

    # Spanish, the web form; and a company that takes e-mail.
    spanish = message(out / drafts[2])
    text = body(spanish)
    assert spanish["Subject"].startswith(say("es", "Objection to AI training"))
    for message_id in (FORM_OR_POST, PROOF, POSTED):
        assert say("es", message_id) != message_id, message_id
        assert say("es", message_id) in text, message_id
    assert "Estimados señores:" in text
    days = re.findall(r"\d+ de \w+ de \d{4}", flat(pdf_text(attached_pdf(spanish)[1])))
    # One of the letter's dates (its own, the deadline) is the draft's date to note.
    noted = [day for day in days if say("es", "Reply due by {date}").format(date=day) in text]
    assert len(noted) == 1, (days, text)
    access = body(message(out / drafts[3]))
    assert say("es", EMAIL_OR_POST) in access
    assert "privacy@anthropic.com" in access
    assert say("es", COMPANY_FORM) not in access  # it has none

    # Rows and report: the letters are the rows' files; the drafts go with them in --zip.
    assert [r["status"] for r in report(out)] == ["written"] * 4
    with zipfile.ZipFile(tmp_path / "out.zip") as archive:
        bundled = set(archive.namelist())
    assert set(drafts) <= bundled
    assert {r["file"] for r in report(out)} <= bundled


def test_a_rerun_keeps_the_drafts_and_never_replaces_a_file_dsr_did_not_write(
    tmp_path: Path,
) -> None:
    source = members(tmp_path / "members.csv", [LINKEDIN_DE, LINKEDIN_ES])
    out = tmp_path / "out"
    args = (str(source), "-o", str(out), "--mail-members", "--from", "kampagne@ngo.example")
    assert batch(*args)[0] == 0
    first = out / "0001-mustermann-objection-de-member.eml"
    second = out / "0002-garcia-objection-es-member.eml"
    before = first.stat()
    code, output = batch(*args)
    assert code == 0, output
    assert first.stat().st_ino == before.st_ino  # kept, not written again
    assert [r["status"] for r in report(out)] == ["unchanged", "unchanged"]

    second.write_bytes(b"my own notes\n")  # changed since dsr wrote it
    code, output = batch(*args)
    assert code == 2
    rows = report(out)
    assert rows[1]["status"] == "error"
    assert "0002-garcia-objection-es.pdf is written, but not its draft" in rows[1]["message"]
    assert "use --force to replace it" in rows[1]["message"]
    assert second.read_bytes() == b"my own notes\n"
    assert (out / "0002-garcia-objection-es.pdf").exists()  # the letter is kept

    # Another address: dsr's own unchanged draft is written again, from it.
    second.unlink()
    code, output = batch(str(source), "-o", str(out), "--mail-members", "--from",
                         "other@ngo.example")  # fmt: skip
    assert code == 0, output
    assert message(first)["From"].addresses[0].addr_spec == "other@ngo.example"
    assert message(second)["From"].addresses[0].addr_spec == "other@ngo.example"

    # A file dsr did not write at a draft's name: refused; --force replaces it.
    (out / ".dsr-batch-state.jsonl").write_text(
        "".join(
            line + "\n"
            for line in (out / ".dsr-batch-state.jsonl").read_text("utf-8").splitlines()
            if "-member.eml" not in line
        ),
        encoding="utf-8",
    )
    code, output = batch(*args)
    assert code == 2
    assert "this batch did not write" in report(out)[0]["message"]
    code, output = batch(*args, "--force")
    assert code == 0, output
    assert message(first)["From"].addresses[0].addr_spec == "kampagne@ngo.example"


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        (["--mail-members"], "--mail-members: give the address"),
        (["--from", "kampagne@ngo.example"], "--from: it is the address of the drafts"),
        (["--mail-members", "--from", "not an address"], "--from: "),
        (["--mail-members", "--from", "kampagne@ngo"], "--from: "),
        (["--mail-members", "--from", "a@b.example\r\nBcc: x@evil.example"], "--from: "),
        (["--mail-members", "--from", "a@ngo.example", "--format", "eml"],
         "--mail-members: a draft to a member carries their letter as a PDF"),
    ],
)  # fmt: skip
def test_bad_mail_options_are_refused_before_anything_is_written(
    tmp_path: Path, extra: list[str], named: str
) -> None:
    source = members(tmp_path / "members.csv", [LINKEDIN_DE])
    out = tmp_path / "out"
    code, output = batch(str(source), "-o", str(out), *extra)
    assert code == 2
    assert named in output
    assert "Traceback" not in output
    assert not out.exists()


def test_a_name_cannot_add_a_header_or_an_address(tmp_path: Path) -> None:
    """A member's name is only ever a display name: quotes, commas, angle brackets, line
    breaks and encoded-word marks cannot add a header, a recipient or a sender."""
    request = parse_request(dict(zip(HEADER, LINKEDIN_DE, strict=True)), today=date(2026, 12, 8))
    letter = document_of(request).letter
    pdf = letter_bytes(letter, WriteOptions(Format.PDF))
    for name in (
        'Erika "Boss" Mustermann, <ceo@evil.example>',
        "Erika\r\nBcc: spy@evil.example",
        "Erika\nX-Unsent: 0\nTo: spy@evil.example",
    ):
        sender = replace(letter.sender, name=name)
        raw = member_draft(replace(letter, sender=sender), pdf, "ngo@ngo.example", "x.pdf")
        mail = message_of(raw)
        assert [a.addr_spec for a in mail["To"].addresses] == ["erika@example.org"]
        assert [a.addr_spec for a in mail["From"].addresses] == ["ngo@ngo.example"]
        assert mail["Bcc"] is None
        assert mail.get_all("X-Unsent") == ["1"]
        assert len(mail.get_all("To") or []) == 1
        assert all(len(line) <= 78 for line in header_lines(raw))
    sender = replace(letter.sender, name="=?utf-8?q?A=0D=0ABcc:_spy@evil.example?=")
    with pytest.raises(Exception, match="encoded text"):
        member_draft(replace(letter, sender=sender), pdf, "ngo@ngo.example", "x.pdf")


def message_of(raw: bytes) -> EmailMessage:
    parsed = BytesParser(policy=policy.default).parsebytes(raw)
    assert isinstance(parsed, EmailMessage)
    return parsed
