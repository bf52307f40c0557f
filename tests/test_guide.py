"""The guided ``dsr letter``: questions on a terminal, read through a pseudo-terminal."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import pexpect
import pytest
from click.testing import CliRunner

from dsr.cli import main
from dsr.guide import resolve_country, resolve_kind

TIMEOUT = 120  # a cold start and a PDF on a busy machine


def spawn(folder: Path, *args: str) -> pexpect.spawn:
    """``dsr letter ARGS`` on a pseudo-terminal in ``folder``, with its own home."""
    env = dict(os.environ, NO_COLOR="1", COLUMNS="200")
    for name in ("HOME", "XDG_CONFIG_HOME", "XDG_DATA_HOME", "XDG_STATE_HOME", "DSR_HOME"):
        env[name] = str(folder / ".home" / name.lower())
    child = pexpect.spawn(
        sys.executable,
        ["-m", "dsr", "letter", *args],
        cwd=str(folder),
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=(50, 200),
    )
    return child


def answer(child: pexpect.spawn, question: str, text: str) -> str:
    """Wait for ``question``, answer ``text``; what was shown before the question."""
    child.expect_exact(question)
    shown = str(child.before)
    child.sendline(text)
    return shown


def finish(child: pexpect.spawn) -> str:
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return str(child.before)


def pdftotext(path: Path) -> str:
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def test_a_first_letter_is_guided_and_a_wrong_country_is_asked_again(tmp_path: Path) -> None:
    child = spawn(tmp_path)
    shown = answer(child, "Kind [objection]: ", "")
    assert "objection to AI training, short enough for the controller's web form" in shown
    assert "erasure request, including data in training datasets and models" in shown
    answer(child, "Where do you live?", "Spian")
    shown = answer(child, "Where do you live?", "España")
    assert "'Spian' is not a jurisdiction dsr knows; did you mean Spain (ES)?" in shown
    answer(child, "Which company do you write to?", "linkdin")
    shown = answer(child, "Which company do you write to?", "")  # LinkedIn by default
    assert "'linkdin' is not a company dsr knows. Did you mean linkedin?" in shown
    answer(child, "Your full name", "lucia@example.es")  # the wrong field's answer
    shown = answer(child, "Your full name", "Lucía García Pérez")
    assert "'lucia@example.es' is an e-mail address, not a person's name; give your full " in (
        " ".join(shown.split())
    )
    answer(child, "Your postal address", "Calle Mayor 1, 28013 Madrid")
    answer(child, "The e-mail address of your account", "lucia@example.es")
    answer(child, "Write the letter to [objection-linkedin-es.pdf]: ", "")
    answer(child, "Track this request to be reminded of its deadline? [y/N]: ", "")
    question = "Also write the text to paste into the form, as objection-linkedin-es.txt? [Y/n]: "
    shown = answer(child, question, "")
    assert "Wrote objection-linkedin-es.pdf (objection, es, to LinkedIn Ireland" in " ".join(
        shown.split()
    )
    said = " ".join(finish(child).split())
    # The objection form first, free and at once, with its text ready; the post after it.
    assert (
        "Next: paste the text of objection-linkedin-es.txt into "
        "https://www.linkedin.com/help/linkedin/ask/TS-DPRO, or print objection-linkedin-es.pdf "
        "and post it to LinkedIn Ireland Unlimited Company"
    ) in said
    pasted = (tmp_path / "objection-linkedin-es.txt").read_text("utf-8")
    assert "Lucía García Pérez" in pasted
    assert "me opongo" in pasted.lower()
    assert said.endswith("Dublin 2, IRLANDA.")  # the address as the letter prints it
    text = pdftotext(tmp_path / "objection-linkedin-es.pdf")
    assert "Lucía García Pérez" in text
    assert "Calle Mayor 1" in text
    assert "LinkedIn Ireland Unlimited Company" in text
    assert "me opongo" in text.lower()


def test_a_kind_in_upper_case_is_taken(tmp_path: Path) -> None:
    child = spawn(
        tmp_path,
        *("--jurisdiction", "IE", "--name", "Aoife Murphy", "--address", "5 Main Street, Dublin 8"),
        *("--account-email", "aoife@example.ie", "--date", "2026-11-22", "-o", "erasure.txt"),
    )
    answer(child, "Kind [objection]: ", "LETTER")
    shown = answer(child, "Kind [objection]: ", "ERASURE")
    assert "'LETTER' is not a kind dsr writes" in shown
    answer(child, "Which company do you write to?", "LinkedIn")
    answer(child, "Track this request to be reminded of its deadline? [y/N]: ", "n")
    said = " ".join(finish(child).split())
    assert "Wrote erasure.txt (erasure, en-GB, to LinkedIn Ireland Unlimited Company" in said
    assert said.endswith("Next: paste it into https://www.linkedin.com/help/linkedin/ask/ppq")
    text = " ".join((tmp_path / "erasure.txt").read_text("utf-8").split())
    assert "Article 17" in text or "Art. 17" in text


def test_the_proposed_file_name_overwrites_nothing(tmp_path: Path) -> None:
    taken = tmp_path / "objection-linkedin-ie.txt"
    taken.write_text("mine", "utf-8")
    child = spawn(
        tmp_path,
        *("--kind", "objection", "--jurisdiction", "IE", "--name", "Aoife Murphy"),
        *("--address", "5 Main Street, Dublin 8", "--account-email", "aoife@example.ie"),
        *("--format", "txt", "--track"),
    )
    answer(
        child, "Write the letter to [objection-linkedin-ie-2.txt]: ", "objection-linkedin-ie.txt"
    )
    shown = answer(child, "Write the letter to [objection-linkedin-ie-2.txt]: ", "")
    assert "objection-linkedin-ie.txt exists; it is kept" in shown
    said = " ".join(finish(child).split())
    assert "Track this request" not in said  # --track was given: nothing to offer
    assert "Tracking it as request" in said
    assert taken.read_text("utf-8") == "mine"
    assert "Aoife Murphy" in (tmp_path / "objection-linkedin-ie-2.txt").read_text("utf-8")


def test_without_a_terminal_every_missing_option_is_listed(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["letter"])
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "Error: missing --kind: the letter kind, one of objection, art21, erasure, access, "
        "complaint, reminder, controller-complaint",
        "Error: missing --jurisdiction: where you live, e.g. DE, FR, IE or DE-BY "
        "('dsr list jurisdictions')",
        "Error: missing --name: your full name",
        "Error: missing --address: your postal address",
        "Error: missing --account-email: the e-mail address your account is registered with",
        "Error: missing -o/--output: the file to write, .pdf, .html, .txt or .eml "
        "(- for standard output)",
    ]
    assert list(tmp_path.iterdir()) == []


def test_without_a_terminal_a_missing_output_alone_is_named(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dsr", "letter", "--kind", "objection", "--jurisdiction", "IE",
         "--name", "Aoife Murphy", "--address", "5 Main Street, Dublin 8",
         "--account-email", "aoife@example.ie"],
        cwd=tmp_path, stdin=subprocess.DEVNULL, capture_output=True, text=True, timeout=TIMEOUT,
    )  # fmt: skip
    assert result.returncode == 2, result.stderr
    assert result.stderr.splitlines() == [
        "Error: missing -o/--output: the file to write, .pdf, .html, .txt or .eml "
        "(- for standard output)"
    ]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("typed", "code"),
    [("Spain", "ES"), ("España", "ES"), ("spain", "ES"), ("ESPAÑA", "ES"), ("es", "ES"),
     ("Deutschland", "DE"), ("Germany", "DE"), ("de-by", "DE-BY"), ("Suisse", "CH"),
     ("Éire", "IE"), ("Polska", "PL")],
)  # fmt: skip
def test_countries_by_name_or_code(typed: str, code: str) -> None:
    assert resolve_country(typed) == (code, None)


def test_a_country_dsr_does_not_offer_is_refused_with_what_it_offers() -> None:
    assert resolve_country("Japan")[0] is None
    value, why = resolve_country("United States")
    assert value is None
    assert why == "dsr writes for US-CA in United States; give US-CA"


def test_kinds_in_any_case() -> None:
    assert resolve_kind("ERASURE") == ("erasure", None)
    assert resolve_kind(" Controller_Complaint ") == ("controller-complaint", None)
    value, why = resolve_kind("erasur")
    assert value is None
    assert why is not None
    assert "did you mean erasure?" in why


def test_a_kind_the_country_rules_out_is_asked_again_before_the_rest(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--format", "txt")
    answer(child, "Kind [objection]: ", "art21")
    answer(child, "Where do you live?", "United States")
    shown = answer(child, "Where do you live?", "us-ca")
    assert "dsr writes for US-CA in United States; give US-CA" in shown
    answer(child, "Which company do you write to?", "ChatGPT")
    shown = answer(child, "Kind [objection]: ", "")
    assert "do not apply to ChatGPT for residents of US-CA" in shown
    shown = answer(child, "Your full name", "Ann Lee")
    answer(child, "Your postal address", "1 Main St, San Francisco, CA 94103")
    answer(child, "The e-mail address of your account", "ann@example.com")
    answer(child, "Write the letter to [objection-openai-us-ca.txt]: ", "")
    answer(child, "Track this request to be reminded of its deadline? [y/N]: ", "")
    said = " ".join(finish(child).split())
    assert "particular situation" not in said  # an objection needs none
    assert "Wrote objection-openai-us-ca.txt (objection, en-US, to OpenAI" in said
    assert "Ann Lee" in (tmp_path / "objection-openai-us-ca.txt").read_text("utf-8")


def test_a_german_complaint_asks_for_the_land(tmp_path: Path) -> None:
    child = spawn(tmp_path, "--format", "txt", "--date", "2026-11-22")
    answer(child, "Kind [objection]: ", "Complaint")
    answer(child, "Where do you live?", "Deutschland")
    shown = answer(child, "Your Land", "DE-BY")
    assert "Complaints in DE go to the authority of your Land (state)." in shown
    answer(child, "Which company do you write to?", "")
    answer(child, "Your full name", "Erika Mustermann")
    answer(child, "Your postal address", "Hauptstraße 1, 80331 München")
    answer(child, "The e-mail address of your account", "erika@example.org")
    answer(child, "Date of your earlier request", "2026-13-01")
    shown = answer(child, "Date of your earlier request", "2026-09-01")
    assert "'2026-13-01' is not a date; use YYYY-MM-DD" in shown
    answer(child, "What did that request ask for", "OBJECTION")
    answer(child, "Write the letter to [complaint-linkedin-de-by.txt]: ", "")
    answer(child, "Track this request to be reminded of its deadline? [y/N]: ", "")
    said = " ".join(finish(child).split())
    assert "to Bayerisches Landesamt für Datenschutzaufsicht (BayLDA)" in said
    text = (tmp_path / "complaint-linkedin-de-by.txt").read_text("utf-8")
    assert "Erika Mustermann" in text


def test_the_situation_is_asked_in_the_letters_language(tmp_path: Path) -> None:
    """The situation is printed as typed: the question names the letter's language."""
    child = spawn(
        tmp_path,
        *("--kind", "art21", "--jurisdiction", "Deutschland", "--name", "Erika Mustermann"),
        *("--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "erika@example.org"),
        *("--controller", "linkedin", "--format", "txt", "--date", "2026-11-22"),
    )
    shown = answer(child, "Your particular situation, in German (Deutsch): ", "zu kurz")
    assert "must give grounds relating to your particular" in shown  # the help came first
    shown = answer(
        child,
        "Your particular situation, in German (Deutsch): ",
        "Als Journalistin schütze ich meine Quellen und Kontakte.",
    )
    assert "is 7 characters long" in shown  # asked again in the same words
    answer(child, "Write the letter to [art21-linkedin-de.txt]: ", "")
    answer(child, "Track this request to be reminded of its deadline? [y/N]: ", "")
    finish(child)
    text = (tmp_path / "art21-linkedin-de.txt").read_text("utf-8")
    assert "Als Journalistin schütze ich meine Quellen" in " ".join(text.split())


def test_the_situation_question_names_the_language_the_letter_is_written_in() -> None:
    from dsr.guide import situation_question

    assert situation_question({"kind": "art21", "jurisdiction": "ES"}) == (
        "Your particular situation, in Spanish (español)"
    )
    assert situation_question({"kind": "art21", "jurisdiction": "España", "lang": "EN"}) == (
        "Your particular situation, in English"
    )
    assert situation_question({"kind": "art21", "jurisdiction": "AT"}).endswith(
        "in German (Deutsch)"
    )


def test_an_objection_as_a_pdf_leads_with_the_companys_form(tmp_path: Path) -> None:
    from dsr import compose, parse_request
    from dsr.formats import Format
    from dsr.guide import next_step

    values = {
        "kind": "objection", "jurisdiction": "ES", "name": "Lucía García",
        "address": "Calle Mayor 1, 28013 Madrid", "account-email": "lucia@example.es",
    }  # fmt: skip
    today = date(2026, 11, 22)
    objection = compose(parse_request(values, today=today))
    step = next_step(objection, Format.PDF, tmp_path / "mine.pdf")
    assert step is not None
    assert step.startswith(
        "Next: paste the text into https://www.linkedin.com/help/linkedin/ask/TS-DPRO "
        "(write it as text with -o mine.txt), or print it and post it to LinkedIn Ireland"
    )
    assert next_step(objection, Format.TXT) is None  # dsr letter says to paste it already
    erasure = compose(parse_request({**values, "kind": "erasure"}, today=today))
    step = next_step(erasure, Format.PDF, tmp_path / "mine.pdf")
    assert step is not None
    assert step.startswith("Next: print it and post it to LinkedIn Ireland")  # no such form
