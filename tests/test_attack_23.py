"""Round 23b (whole product, MEDIUM): a courtesy translation dropped from an e-mail
without a word, a PDF/UA-1 claim over untagged translated pages, an internal error for
a template without <body>, and follow-up errors naming options the command lacks.
Read as the member sees them: the e-mail's parts, the PDF's pages, the messages."""

from __future__ import annotations

import email
from email import policy
from pathlib import Path

from click.testing import CliRunner
from pypdf import PdfReader

from dsr.cli import main

from .conftest import letter_args, pdf_text


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args))
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def test_an_e_mail_carries_its_courtesy_translation_in_body_and_pdf(tmp_path: Path) -> None:
    output = tmp_path / "t.eml"
    code, message = run(
        *letter_args("objection", "DE", "de", output, controller="openai"), "--also-lang", "fr"
    )
    assert code == 0, message
    parsed = email.message_from_bytes(output.read_bytes(), policy=policy.default)
    body = parsed.get_body(preferencelist=("plain",))
    assert body is not None
    text = body.get_content()
    german, _, french = text.partition("-" * 40)
    assert "Widerspruch" in german
    assert "opposition" in french.lower()
    (attachment,) = list(parsed.iter_attachments())
    pdf = tmp_path / "attached.pdf"
    pdf.write_bytes(attachment.get_content())
    pages = pdf_text(pdf).split("\f")
    assert any("Widerspruch" in page for page in pages)
    assert "opposition" in pages[-1].lower() or "opposition" in pages[-2].lower()


def test_annexes_follow_the_letter_and_its_translation(tmp_path: Path) -> None:
    from .test_attack_9 import annex_pdf

    annex = annex_pdf(tmp_path / "annex.pdf", "GOODANNEX")
    output = tmp_path / "c.pdf"
    code, message = run(
        *letter_args("complaint", "DE-BE", "de", output), "--also-lang", "en",
        "--enclose", str(annex),
    )  # fmt: skip
    assert code == 0, message
    pages = pdf_text(output).split("\f")
    pages = [page for page in pages if page.strip()]
    assert "GOODANNEX" in pages[-1]
    assert not any("GOODANNEX" in page for page in pages[:-1])


def test_pdf_ua_with_a_courtesy_translation_is_refused_not_claimed(tmp_path: Path) -> None:
    output = tmp_path / "ua.pdf"
    code, message = run(
        *letter_args("objection", "DE", "de", output), "--also-lang", "en",
        "--pdf-variant", "pdf/ua-1",
    )  # fmt: skip
    assert code == 2, message
    assert "Error: --also-lang:" in message
    assert not output.exists()
    alone = tmp_path / "alone.pdf"
    code, message = run(*letter_args("objection", "DE", "de", alone), "--pdf-variant", "pdf/ua-1")
    assert code == 0, message
    assert PdfReader(alone).trailer["/Root"].get("/StructTreeRoot") is not None


def test_a_template_without_body_and_a_translation_is_bad_input(tmp_path: Path) -> None:
    source = tmp_path / "src"
    assert run("templates", "--source", "-o", str(source))[0] == 0
    base = source / "templates" / "base.html.jinja"
    text = base.read_text(encoding="utf-8")
    base.write_text(text.replace("<body", "<div").replace("</body>", "</div>"), encoding="utf-8")
    output = tmp_path / "nb.html"
    code, message = run(
        *letter_args("objection", "DE", "de", output), "--template-dir", str(source),
        "--also-lang", "en",
    )  # fmt: skip
    assert code == 2, message
    assert "<body>" in message
    assert not output.exists()


def test_follow_up_errors_name_date_and_the_date_used(tmp_path: Path) -> None:
    gb = ["letter", "--kind", "access", "--jurisdiction", "GB", "--lang", "en",
          "--name", "Bob Brown", "--address", "1 High St, London SW1A 1AA",
          "--account-email", "bob@example.org", "--date", "2026-07-01",
          "-o", str(tmp_path / "a.txt")]  # fmt: skip
    code, message = run(*gb, "--track")
    assert code == 0, message
    code, message = run(
        "track", "remind", "1", "--date", "2026-07-31", "-o", str(tmp_path / "r.txt")
    )
    assert code == 2, message
    assert message.startswith(
        "Error: --date: 2026-07-31 (the letter's date; the request was sent 2026-07-01)"
    )
    assert "--request-date" not in message
    assert (
        run("track", "escalate", "1", "--date", "2026-08-01", "-o", str(tmp_path / "cc.txt"))[0]
        == 0
    )
    code, message = run(
        "track", "escalate", "1", "--date", "2026-07-31", "-o", str(tmp_path / "ico.txt")
    )
    assert code == 2, message
    assert "Error: --date: 2026-07-31" in message
    assert "--controller-complaint-date" not in message
