"""Attack review 21b: dates a follow-up recounts, a closed output, follow-up errors that
name the follow-up's own option."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr.cli import main
from tests.test_attack_17 import PERSON, SHARED_ADDRESS, batch

LETTER = [
    "letter", "--kind", "access", "--jurisdiction", "DE-BE", "--name", "Alice A",
    "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "a@example.org",
    "--date", "2026-11-02",
]  # fmt: skip


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    ("day", "why"),
    [("2026-10-01", "is before request 1 was sent (2026-11-02)"), ("2099-10-01", "is after today")],
)
def test_21b_1_an_answer_is_recorded_only_between_the_request_and_today(
    day: str, why: str, tmp_path: Path
) -> None:
    code, output = invoke(*LETTER, "--track", "-o", str(tmp_path / "a.txt"))
    assert code == 0, output
    code, output = invoke("track", "answered", "1", "--date", day, "--verdict", "refused")
    assert code == 2, output
    assert f"--date: {day} {why}" in output
    code, output = invoke("track", "list", "--json")
    assert '"answered": null' in output.replace(" ", " ") or "answered" not in output


def test_21b_1_a_complaint_is_not_dated_before_the_answer(tmp_path: Path) -> None:
    code, output = invoke(*LETTER, "--track", "-o", str(tmp_path / "a.txt"))
    assert code == 0, output
    code, output = invoke("track", "answered", "1", "--date", "2026-11-20", "--verdict", "partial")
    assert code == 0, output
    complaint = tmp_path / "c.txt"
    code, output = invoke("track", "escalate", "1", "--date", "2026-11-10", "-o", str(complaint))
    assert code == 2, output
    assert "--date: 2026-11-10 is before the answer recorded for request 1" in output
    assert not complaint.exists()


def test_21b_3_a_follow_up_s_date_is_named_as_its_own_option(tmp_path: Path) -> None:
    code, output = invoke(*LETTER, "--track", "-o", str(tmp_path / "a.txt"))
    assert code == 0, output
    code, output = invoke(
        "track", "remind", "1", "--date", "2026-10-01", "-o", str(tmp_path / "r.txt")
    )
    assert code == 2, output
    assert "--request-date" not in output
    assert "--date: " in output
    assert "the request was sent 2026-11-02" in output


@pytest.mark.parametrize("closed", ["stdout", "stderr"])
def test_21b_2_a_closed_output_is_no_internal_error(closed: str, tmp_path: Path) -> None:
    args = [sys.executable, "-m", "dsr", *LETTER, "-o", str(tmp_path / "a.txt")]
    if closed == "stdout":
        process = subprocess.run(
            args,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            close_fds=True,
            text=True,
            preexec_fn=lambda: __import__("os").close(1),
        )
        message = process.stderr
    else:
        process = subprocess.run(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            preexec_fn=lambda: __import__("os").close(2),
        )
        message = process.stdout
    assert process.returncode == 0, message
    assert "internal error" not in message
    assert (tmp_path / "a.txt").exists()


# Round 21a #2, #4, #5: rows swallowed with an empty e-mail cell; a known company with a
# situation of several commas in a two-column sheet; a long cell elsewhere in the file
# no longer switches the width rules off.


@pytest.mark.parametrize(
    ("content", "defaults"),
    [
        ('name,account-email,situation\nErika Muster,erika@example.org,"I object\n'
         "Otto Normal,,I object to profiling\nHans Meier,,I am a nurse, and I object\"\n"
         "Anna Schmidt,anna@example.org,I teach\n", SHARED_ADDRESS),
        ('controller,situation\nfacebook,"I object to ads\ngoogle,I object to ads, tracking\n'
         'reddit,I object to profiling, and to ads"\nlinkedin,I object\n', PERSON),
        ("controller,situation,reference,lang\n"
         'facebook,"I object to ads,FB-1,de\ngogle,I object,G-1,de\ntwiter,I object,T-1,de\n'
         'instagramm,I object, really",I-1,de\n' + "linkedin," + "x" * 140_000 + ",L-1,de\n",
         PERSON),
    ],
    ids=["empty-e-mail", "two-columns", "long-cell-elsewhere"],
)  # fmt: skip
def test_21a_rows_swallowed_are_found(content: str, defaults: str, tmp_path: Path) -> None:
    code, output = batch(tmp_path, "rows.csv", content, defaults)
    assert code == 2, output
    assert "check the quotes" in output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("value", ["5", "1e400", "nan", "inf"])
def test_21b_4_a_number_in_a_profile_is_no_name(value: str, tmp_path: Path) -> None:
    profile = tmp_path / "me.toml"
    profile.write_text(
        f'name = {value}\naddress = "Hauptstraße 1, 10115 Berlin"\n'
        'account-email = "a@example.org"\njurisdiction = "DE"\n',
        encoding="utf-8",
    )
    code, output = invoke(
        "letter", "--kind", "objection", "--profile", str(profile), "-o", str(tmp_path / "a.txt")
    )
    assert code == 2, output
    assert "--name: must be text, not float" in output or "--name: must be text, not int" in output
    assert not (tmp_path / "a.txt").exists()
