"""What every front end takes alike: a name that signs the letter, a country by name.

:func:`dsr.inputs.parse_request` holds both rules, so ``dsr letter``'s options, its
questions, a batch row and the library refuse and accept the same text.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import dsr
from dsr.cli import main
from dsr.errors import InvalidRequest
from dsr.inputs import jurisdiction_named, parse_request

from .batch_tools import batch_text, report_rows, written
from .conftest import letter_args, with_values

TODAY = date(2026, 11, 22)
MEMBER = {
    "kind": "objection",
    "jurisdiction": "ES",
    "name": "Lucía García Pérez",
    "address": "Calle Mayor 1, 28013 Madrid",
    "account-email": "lucia@example.es",
}


def problems(values: dict[str, str]) -> list[tuple[str, str]]:
    try:
        parse_request(values, today=TODAY)
    except InvalidRequest as error:
        return [(p.field, str(p.message)) for p in error.problems]
    return []


# Names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("marie@example.org", "an e-mail address"),
        ("Marie <marie@example.org>", "an e-mail address"),
        ("marie\uff20example.org", "an e-mail address"),  # full-width
        ("https://www.linkedin.com/in/marie", "a web address"),
        ("www.example.org", "a web address"),
        ("instagram.com/ex", "a domain or a web address"),
        ("example.org", "a domain or a web address"),
        ("+49 170 1234567", "a phone number or another number"),
        ("0043-664-1234567", "a phone number or another number"),
        ("ex_profile", "a handle"),
    ],
)
def test_a_name_that_is_no_persons_is_refused_saying_what_it_is(name: str, what: str) -> None:
    assert problems({**MEMBER, "name": name}) == [
        ("name", f"{name!r} is {what}, not a person's name; give your full name: it signs "
                 "the letter"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    "name",
    ["J.Smith", "Marie-Anne O'Neil", "Dr. Jörg Müller", "Louis 14 Bourbon", "李小龍",
     "Anna (geb. Weber)", "<img src=/etc/passwd> & <b>Bob</b>"],
)  # fmt: skip
def test_names_people_have_are_taken(name: str) -> None:
    assert parse_request({**MEMBER, "name": name}, today=TODAY).requester.name == name


def test_dsr_letter_refuses_an_e_mail_address_as_the_name(tmp_path: Path) -> None:
    out = tmp_path / "x.txt"
    args = with_values(letter_args("objection", "FR", "fr", out), name="marie@example.org")
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2, result.output
    assert result.output == (
        "Error: --name: 'marie@example.org' is an e-mail address, not a person's name; give "
        "your full name: it signs the letter\n"
    )
    assert not out.exists()


def test_a_batch_row_is_refused_by_the_same_rule(tmp_path: Path) -> None:
    defaults = 'kind = "objection"\njurisdiction = "ES"\naddress = "Calle Mayor 1, 28013 Madrid"\n'
    content = "name,account-email\nlucia@example.es,lucia@example.es\nLucía García,l@example.es\n"
    code, output = batch_text(tmp_path, content, defaults)
    assert code == 2, output
    rows = report_rows(tmp_path)
    assert [row["status"] for row in rows] == ["error", "written"]
    assert rows[0]["message"] == (
        "name: 'lucia@example.es' is an e-mail address, not a person's name; give your full "
        "name: it signs the letter"
    )


# Countries by name ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [("España", "ES"), ("spain", "ES"), ("SPAIN", "ES"), ("Deutschland", "DE"),
     ("Germany", "DE"), ("Polska", "PL"), ("Éire", "IE"), ("de_by", "DE-BY"), ("es", "ES")],
)  # fmt: skip
def test_a_country_by_name_is_its_jurisdiction(typed: str, code: str) -> None:
    assert jurisdiction_named(typed) == (code, None)
    if code == "ES":  # the member lives in Madrid
        assert parse_request({**MEMBER, "jurisdiction": typed}, today=TODAY).jurisdiction == "ES"


def test_a_german_complaint_by_country_name_still_needs_the_land() -> None:
    values = {
        **MEMBER, "kind": "complaint", "jurisdiction": "Deutschland",
        "address": "Hauptstraße 1, 10115 Berlin", "request-date": "2026-09-01",
        "request-kind": "objection",
    }  # fmt: skip
    found = problems(values)
    assert len(found) == 1
    assert found[0][0] == "jurisdiction"
    assert found[0][1].startswith("complaints in DE go to the authority of the Land; use one of")


def test_an_unknown_name_gets_suggestions_and_a_partly_offered_country_its_code() -> None:
    ((field, message),) = problems({**MEMBER, "jurisdiction": "Spian"})
    assert field == "jurisdiction"
    assert message.startswith("'Spian' is not a jurisdiction dsr knows; did you mean Spain (ES)?")
    assert problems({**MEMBER, "jurisdiction": "United States"}) == [
        ("jurisdiction", "dsr writes for US-CA in United States; give US-CA"),
    ]


def test_jurisdiction_takes_a_country_name_as_an_option_and_a_batch_cell(tmp_path: Path) -> None:
    out = tmp_path / "x.txt"
    args = [
        "letter", "--kind", "objection", "--jurisdiction", "España", "--name", "Lucía García",
        "--address", "Calle Mayor 1, 28013 Madrid", "--account-email", "lucia@example.es",
        "--date", "2026-11-22", "-o", str(out),
    ]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "me opongo" in out.read_text("utf-8").lower()  # a Spanish letter
    wrong = with_values(args, jurisdiction="Spian")
    wrong[wrong.index("-o") + 1] = str(tmp_path / "y.txt")
    result = CliRunner().invoke(main, wrong)
    assert result.exit_code == 2
    assert result.output.startswith(
        "Error: --jurisdiction: 'Spian' is not a jurisdiction dsr knows; did you mean Spain "
        "(ES)? Run 'dsr list jurisdictions'"
    )
    assert len(result.output.splitlines()) == 1
    defaults = 'kind = "objection"\naddress = "Calle Mayor 1, 28013 Madrid"\n'
    content = "name,account-email,jurisdiction\nLucía García,l@example.es,España\n"
    code, output = batch_text(tmp_path, content, defaults)
    assert code == 0, output
    (letter,) = written(tmp_path).values()
    assert "me opongo" in letter.lower()


# The library's documentation ------------------------------------------------------------------


def test_the_package_docstrings_example_runs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = dsr.__doc__ or ""
    block = doc.split("::\n", 1)[1].split("\n\n``", 1)[0]
    code = "\n".join(line.removeprefix("    ") for line in block.splitlines())
    monkeypatch.chdir(tmp_path)
    exec(compile(code, "dsr.__doc__", "exec"), {})
    assert (tmp_path / "letter.pdf").read_bytes().startswith(b"%PDF-")


def test_render_to_a_file_object_returns_none_and_says_so(tmp_path: Path) -> None:
    letter = dsr.compose(parse_request(MEMBER, today=TODAY))
    stream = io.BytesIO()
    assert dsr.render_to(letter, stream, format="txt") is None
    assert "Lucía García Pérez" in stream.getvalue().decode("utf-8")
    path = tmp_path / "x.txt"
    assert dsr.render_to(letter, path) == path
    assert path.stat().st_mode & 0o777 == 0o600
    doc = " ".join((dsr.render_to.__doc__ or "").split())
    assert "None for a binary file object" in doc
    assert "(its mode and permissions)" in doc


def test_a_handle_is_named_as_a_handle() -> None:
    """Review i15b newcomer #3: '@erika_m' was called an e-mail address."""
    from dsr.inputs import not_a_name

    assert "is a handle" in (not_a_name("@erika_m") or "")
    assert "is an e-mail address" in (not_a_name("erika@example.org") or "")
    assert "is text without a letter" in (not_a_name("..., ;") or "")
    assert not_a_name("Erika Mustermann") is None
