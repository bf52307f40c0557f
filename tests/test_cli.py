"""The CLI contract: commands, listings, and every error path, asserted exactly."""

from __future__ import annotations

import json
import re
import tomllib
from collections.abc import Callable
from pathlib import Path

import click
import pytest
from click.testing import Result

from dsr.cli import COMMANDS, main
from tests.conftest import ROOT, letter_args, pdf_text

Run = Callable[..., Result]


def test_help_lists_every_command_and_the_readme_shows_them(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0, result.output
    readme = (ROOT / "README.md").read_text("utf-8")
    context = click.Context(main)
    for name in main.list_commands(context):
        command = main.get_command(context, name)
        assert command is not None
        assert name in result.output
        assert command.help, f"{name} has no help"
        # `dsr --help` lists the commands without loading them: its line is the command's
        assert COMMANDS[name][2] == command.get_short_help_str(limit=200)
        assert f"dsr {name}" in readme, f"README does not show 'dsr {name}'"
        sub = run(name, "--help")
        assert sub.exit_code == 0, sub.output


@pytest.mark.parametrize(
    "what", ["kinds", "jurisdictions", "languages", "controllers", "authorities"]
)
def test_list_json_is_an_array_of_objects(run: Run, what: str) -> None:
    result = run("list", what, "--json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)
    assert isinstance(rows, list)
    assert rows
    assert all(isinstance(row, dict) for row in rows)


def test_list_content(run: Run) -> None:
    kinds = [r["kind"] for r in json.loads(run("list", "kinds", "--json").output)]
    assert kinds == [
        "objection", "art21", "erasure", "access", "complaint", "reminder", "controller-complaint"
    ]  # fmt: skip
    languages = [r["code"] for r in json.loads(run("list", "languages", "--json").output)]
    assert {"de", "de-CH", "en", "en-GB", "en-US", "fr", "fr-CA", "fr-CH"} <= set(languages)
    jurisdictions = {
        r["code"]: r for r in json.loads(run("list", "jurisdictions", "--json").output)
    }
    assert jurisdictions["FR"]["authority"] == "frcnil"
    assert jurisdictions["DE-BY"]["authority"] == "debaylda"
    authorities = json.loads(run("list", "authorities", "--json").output)
    assert len(authorities) == 52  # 30 EU/EEA, 16 Länder, ICO, FDPIC, OPC, CAI, PCPD, CPPA
    table = run("list", "authorities").output
    assert table.splitlines()[0].split() == ["SLUG", "JURISDICTIONS", "COMPLAINT_LANGUAGES", "NAME"]


def test_missing_values_without_a_terminal(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = run("letter", "--kind", "art21", "-o", str(out))
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "Error: missing --jurisdiction: where you live, e.g. DE, FR, IE or DE-BY "
        "('dsr list jurisdictions')",
        "Error: missing --name: your full name",
        "Error: missing --address: your postal address",
        "Error: missing --account-email: the e-mail address your account is registered with",
        "Error: missing --situation: grounds relating to your particular situation, "
        "required for art21",
    ]
    assert not out.exists()


def test_every_invalid_value_is_reported_at_once(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out.pdf"
    result = run(
        *letter_args("objection", "DE", "de", out),
        "--email",
        "not-an-address",
        "--profile-url",
        "http://evil.example/in/erika",
        "--date",
        "2026-13-01",
    )
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[0].startswith("Error: --email: 'not-an-address' is not a valid e-mail address")
    assert lines[1:] == [
        "Error: --profile-url: 'http://evil.example/in/erika' is not an https:// URL",
        "Error: --date: '2026-13-01' is not a date; use YYYY-MM-DD",
    ]
    assert not out.exists()


def test_unknown_jurisdiction_language_and_kind(run: Run, tmp_path: Path) -> None:
    args = letter_args("objection", "DE", "de", tmp_path / "x.pdf")
    args[args.index("DE")] = "XX"
    args[args.index("de")] = "xx"
    args[args.index("objection")] = "letter"
    result = run(*args)
    assert result.exit_code == 2
    lines = result.output.splitlines()
    assert lines[:2] == [
        "Error: --kind: 'letter' is not a letter kind; use one of objection, art21, erasure, "
        "access, complaint, reminder, controller-complaint",
        "Error: --jurisdiction: 'XX' is not a jurisdiction dsr knows; run 'dsr list "
        "jurisdictions' for the codes",
    ]
    assert lines[2].startswith("Error: --lang: 'xx' is not offered; use one of ")
    for tag in ("de", "de-CH", "en", "en-GB", "en-US", "fr", "fr-CA", "fr-CH"):
        assert f" {tag}," in lines[2] or lines[2].endswith(f" {tag}")
    assert len(lines) == 3


def test_profile_url_must_be_on_the_controllers_site(run: Run, tmp_path: Path) -> None:
    result = run(
        *letter_args("objection", "FR", "fr", tmp_path / "x.pdf"),
        "--profile-url",
        "https://example.org/in/marie",
    )
    assert result.exit_code == 2
    assert result.output == (
        "Error: --profile-url: 'https://example.org/in/marie' is not a profile on linkedin.com\n"
    )


def test_complaint_from_germany_needs_the_land(run: Run, tmp_path: Path) -> None:
    result = run(*letter_args("complaint", "DE", "de", tmp_path / "x.pdf"))
    assert result.exit_code == 2
    assert result.output == (
        "Error: --jurisdiction: complaints in DE go to the authority of the Land; use one of "
        "DE-BB, DE-BE, DE-BW, DE-BY, DE-HB, DE-HE, DE-HH, DE-MV, DE-NI, DE-NW, DE-RP, "
        "DE-SH, DE-SL, DE-SN, DE-ST, DE-TH\n"
    )


def test_complaint_about_no_answer_before_the_deadline(run: Run, tmp_path: Path) -> None:
    args = letter_args("complaint", "FR", "fr", tmp_path / "x.pdf")
    args[args.index("2026-09-01")] = "2026-11-01"
    result = run(*args)
    assert result.exit_code == 2
    assert result.output == (
        "Error: --request-date: the controller has until 2026-12-01 to answer the request of "
        "2026-11-01; a complaint about no answer can be dated after that\n"
    )


def test_art21_needs_a_real_situation(run: Run, tmp_path: Path) -> None:
    args = letter_args("art21", "IE", "en", tmp_path / "x.pdf")
    args[args.index("--situation") + 1] = "I object."
    result = run(*args)
    assert result.exit_code == 2
    assert result.output == (
        "Error: --situation: is 9 characters long; describe your particular situation in at "
        "least 20\n"
    )


def test_control_characters_and_overlong_fields(run: Run, tmp_path: Path) -> None:
    args = letter_args("objection", "IE", "en", tmp_path / "x.pdf")
    args[args.index("Aoife Murphy")] = "Aoife\x1b[31m Murphy"
    result = run(*args, "--place", "D" * 101)
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        "Error: --name: contains the control character U+001B; remove it",
        "Error: --place: is 101 characters long; the limit is 100",
    ]


def test_existing_output_is_not_overwritten(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    out.write_text("keep me")
    result = run(*letter_args("objection", "IE", "en", out))
    assert result.exit_code == 2
    assert result.output == f"Error: --output: {out} exists; use --force to overwrite it\n"
    assert out.read_text() == "keep me"
    forced = run(*letter_args("objection", "IE", "en", out), "--force")
    assert forced.exit_code == 0, forced.output
    assert "keep me" not in out.read_text()


def test_unknown_output_extension(run: Run, tmp_path: Path) -> None:
    result = run(*letter_args("objection", "IE", "en", tmp_path / "out.docx"))
    assert result.exit_code == 2
    assert result.output == (
        "Error: --output: 'out.docx' has no known extension; use .pdf, .html, .txt, .eml\n"
    )


def test_profile_file_supplies_details_and_flags_win(run: Run, tmp_path: Path) -> None:
    profile = tmp_path / "me.toml"
    profile.write_text(
        'name = "Marie Dupont"\naddress = "12 rue de la Paix, 75002 Paris"\n'
        'account_email = "marie@example.org"\njurisdiction = "FR"\nlang = "fr"\n',
        encoding="utf-8",
    )
    tomllib.loads(profile.read_text())
    out = tmp_path / "lettre.txt"
    result = run(
        "letter",
        "--profile",
        str(profile),
        "--kind",
        "objection",
        "--lang",
        "en",
        "--date",
        "2026-11-22",
        "-o",
        str(out),
    )
    assert result.exit_code == 0, result.output
    text = out.read_text("utf-8")
    assert "Marie Dupont" in text
    assert "I object to LinkedIn Ireland Unlimited Company" in " ".join(text.split())


def test_profile_file_with_an_unknown_key(run: Run, tmp_path: Path) -> None:
    profile = tmp_path / "me.toml"
    profile.write_text('nom = "Marie"\n', encoding="utf-8")
    result = run("letter", "--profile", str(profile), "-o", str(tmp_path / "x.pdf"))
    assert result.exit_code == 2
    assert result.output.startswith(f"Error: --profile: {profile}: unknown key 'nom'; use kind, ")


def test_enclosures_must_be_pdfs(run: Run, tmp_path: Path) -> None:
    note = tmp_path / "note.txt"
    note.write_text("x")
    result = run(
        *letter_args("complaint", "FR", "fr", tmp_path / "x.pdf"),
        "--enclose",
        str(note),
        "--enclose",
        str(tmp_path / "missing.pdf"),
    )
    assert result.exit_code == 2
    assert result.output.splitlines() == [
        f"Error: --enclose: {note}: only PDF files can be appended as annexes",
        f"Error: --enclose: {tmp_path / 'missing.pdf'}: no such file",
    ]


def test_complaint_appends_enclosures_as_annex_pages(run: Run, tmp_path: Path) -> None:
    earlier = tmp_path / "objection.pdf"
    assert run(*letter_args("objection", "FR", "fr", earlier)).exit_code == 0
    earlier_pages = pdf_text(earlier).count("\f") + 1
    complaint = tmp_path / "complaint.pdf"
    result = run(*letter_args("complaint", "FR", "en", complaint), "--enclose", str(earlier))
    assert result.exit_code == 0, result.output
    pages = pdf_text(complaint).split("\f")
    letter_pages = len(pages) - earlier_pages
    assert letter_pages >= 1
    letter = " ".join(" ".join(pages[:letter_pages]).split())
    assert "Annex 1: objection.pdf" in letter
    annex_first = " ".join(pages[letter_pages].split())
    assert "Annex 1: objection.pdf" in annex_first
    assert "Marie Dupont" in annex_first


def test_text_output_fits_the_web_form(run: Run, tmp_path: Path) -> None:
    for lang in ("en", "de", "fr"):
        out = tmp_path / f"objection-{lang}.txt"
        result = run(*letter_args("objection", "DE", lang, out))
        assert result.exit_code == 0, result.output
        assert "Paste the text into https://www.linkedin.com/help/linkedin/ask/TS-DPRO" in (
            result.output
        )
        text = out.read_text("utf-8")
        # dsr's own budget for web forms; LinkedIn publishes no field limit.
        assert len(text) < 3000, (lang, len(text))
        assert "Hauptstraße 1" not in text  # the window address block is paper only
        assert "https://www.linkedin.com/help/linkedin/ask/TS-DPRO" in text
        assert "Erika Mustermann" in text


def test_html_output_is_self_contained(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "letter.html"
    assert run(*letter_args("art21", "FR", "fr", out)).exit_code == 0
    html = out.read_text("utf-8")
    assert "<style>" in html
    assert '<html lang="fr">' in html
    assert not re.search(r"<link|\bsrc=|url\(|file:|@import", html)


def test_user_text_is_never_markup(run: Run, tmp_path: Path) -> None:
    # A local file as an image's source (a name with a web address, file:///etc/passwd,
    # is refused as no person's name: test_a_name_that_is_an_address_is_refused).
    hostile = "<img src=/etc/passwd> & <b>Bob</b>"
    out = tmp_path / "letter.html"
    args = letter_args("objection", "IE", "en", out)
    args[args.index("Aoife Murphy")] = hostile
    result = run(*args)
    assert result.exit_code == 0, result.output
    html = out.read_text("utf-8")
    assert "<img" not in html
    assert "&lt;img src=/etc/passwd&gt; &amp; &lt;b&gt;Bob&lt;/b&gt;" in html
    pdf = tmp_path / "letter.pdf"
    args[args.index(str(out))] = str(pdf)
    assert run(*args).exit_code == 0
    assert hostile in pdf_text(pdf)


def test_terminal_prompts_for_missing_values_and_explains_the_situation(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    monkeypatch.setattr("dsr.cli.is_interactive", lambda: True)
    out = tmp_path / "art21.txt"
    answers = "\n".join(
        [
            "IE",
            "",  # the company: LinkedIn by default
            "Aoife Murphy",
            "5 Main Street, Dublin 8",
            "aoife@example.ie",
            "I was harassed online; AI outputs that repeat my career details put me at risk.",
            "n",  # no tracking
        ]
    )
    result = CliRunner().invoke(
        main, ["letter", "--kind", "art21", "--date", "2026-11-22", "-o", str(out)], input=answers
    )
    assert result.exit_code == 0, result.output
    assert "particular situation" in result.output
    assert "As a journalist I protect my sources" in result.output  # an example is shown
    text = " ".join(out.read_text("utf-8").split())
    assert "I was harassed online" in text
    assert "Aoife Murphy" in text


def test_terminal_asks_for_the_land_of_a_german_complaint(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from click.testing import CliRunner

    monkeypatch.setattr("dsr.cli.is_interactive", lambda: True)
    out = tmp_path / "complaint.txt"
    result = CliRunner().invoke(main, letter_args("complaint", "DE", "de", out), input="DE-BY\nn\n")
    assert result.exit_code == 0, result.output
    assert "authority of your Land" in result.output
    assert "to Bayerisches Landesamt für Datenschutzaufsicht (BayLDA)" in result.output


def test_also_lang_appends_a_courtesy_translation(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "bilingual.pdf"
    result = run(*letter_args("objection", "DE", "de", out), "--also-lang", "en")
    assert result.exit_code == 0, result.output
    text = " ".join(pdf_text(out).split())
    german, _, english = text.partition("Courtesy translation.")
    assert (
        "Eine unverbindliche Übersetzung (Englisch) liegt bei. Maßgeblich ist diese Fassung."
        in german
    )
    assert "Art. 21 Abs. 1 DSGVO" in german
    assert english.startswith(" The German version prevails.")
    assert "Art. 21(1) GDPR" in english
    same = run(*letter_args("objection", "DE", "de", tmp_path / "x.pdf"), "--also-lang", "de")
    assert same.exit_code == 2
    assert (
        same.output == "Error: --also-lang: the letter is already in de; choose another language\n"
    )
