"""One typed structure holds raw input (issue 15, "Typed exchange"): every front end
hands parse_request a RawInput under the field names of FIELDS."""

from __future__ import annotations

import typing
from datetime import date
from pathlib import Path

import dsr
from dsr import track
from dsr.batch import _prepare
from dsr.commands.common import _load_profile
from dsr.inputs import FIELDS, RawInput, keyed, parse_request, raw_input


def test_raw_input_names_every_field_and_only_them() -> None:
    assert set(RawInput.__annotations__) == set(FIELDS)
    assert RawInput.__total__ is False


def test_the_one_normaliser_gives_raw_input_under_the_field_names() -> None:
    problems: list[dsr.Problem] = []
    raw = raw_input({"Account_Email ": "erika@example.org", "KIND": "objection"}, problems)
    assert raw == {"account-email": "erika@example.org", "kind": "objection"}
    assert problems == []
    raw_input({"account_email": "a@example.org", "Account Email": "b@example.org"}, problems)
    assert [p.field for p in problems] == ["account-email"]  # given twice: named


def test_parse_request_reads_raw_input() -> None:
    raw: RawInput = {
        "kind": "objection",
        "jurisdiction": "DE",
        "name": "Erika Mustermann",
        "address": "Hauptstraße 1, 10115 Berlin",
        "account-email": "erika@example.org",
        "date": "2026-11-22",
    }
    assert parse_request(raw, today=date(2026, 11, 22)).requester.name == "Erika Mustermann"


def test_the_front_ends_exchange_raw_input() -> None:
    """The store's tracked inputs, follow-ups, profiles and the normaliser all speak
    RawInput (checked statically by mypy --strict; here their declared types)."""
    assert typing.get_type_hints(track.Tracked)["inputs"] is RawInput
    for function in (track.reminder_values, track.controller_complaint_values,
                     track.escalation_values, _load_profile, keyed):  # fmt: skip
        assert typing.get_type_hints(function)["return"] is RawInput, function.__name__
    assert "values" in typing.get_type_hints(_prepare)


def test_a_field_dsr_does_not_read_is_named_not_lost() -> None:
    """Review i15c architect #3: parse_request dropped an unknown key in silence (a
    misspelt 'also_language' gave a letter without its translation)."""
    import pytest

    raw = {
        "kind": "objection", "jurisdiction": "DE", "name": "Erika Mustermann",
        "address": "Hauptstraße 1, 10115 Berlin", "account-email": "erika@example.org",
        "also_language": "en",
    }  # fmt: skip
    with pytest.raises(dsr.InvalidRequest) as refused:
        parse_request(raw, today=date(2026, 11, 22))
    (problem,) = refused.value.problems
    assert problem.field == "also-language"
    assert "did you mean 'also-lang'?" in str(problem.message)


def test_a_profile_saved_with_a_bom_is_read(tmp_path: Path) -> None:
    """Review i15c attacker #3: a profile saved by an editor that writes a BOM was
    refused as 'not valid TOML' at line 1, column 1."""
    from click.testing import CliRunner

    from dsr.cli import main

    profile = tmp_path / "me.toml"
    profile.write_bytes(
        '\ufeffname = "Erika Mustermann"\naddress = "Hauptstraße 1, 10115 Berlin"\n'
        'account-email = "erika@example.org"\n'.encode()
    )
    out = tmp_path / "letter.txt"
    result = CliRunner().invoke(
        main,
        ["letter", "--kind", "objection", "--jurisdiction", "DE", "--profile", str(profile),
         "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "Erika Mustermann" in out.read_text("utf-8")
