"""The library API: public names, one key normaliser, typed choices, the request schema."""

from __future__ import annotations

import inspect
import json
import subprocess
import sys
from dataclasses import FrozenInstanceError
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

import dsr
from dsr import choices
from dsr.cli import main
from dsr.inputs import FIELDS, field_key, missing_fields, parse_request
from tests.conftest import MEMBERS, ROOT

TODAY = date(2026, 11, 22)
FRENCH = {"kind": "objection", "jurisdiction": "FR", "lang": "fr", **MEMBERS["FR"]}


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        ("Account_Email ", "account-email"),
        ("account email", "account-email"),
        ("ACCOUNT-EMAIL", "account-email"),
        ("  profile__url", "profile-url"),
        ("Controller_Complaint", "controller-complaint"),
        ("kind", "kind"),
    ],
)
def test_field_key_ignores_case_spaces_underscores_and_dashes(raw: str, key: str) -> None:
    assert field_key(raw) == key


def test_parse_request_takes_the_key_spellings_of_batch_rows() -> None:
    spelt = {
        "Kind": "Objection",
        "JURISDICTION": "fr",
        "lang": "FR",
        "Name": MEMBERS["FR"]["name"],
        "address ": MEMBERS["FR"]["address"],
        "account_email": MEMBERS["FR"]["account-email"],
        "Profile URL": MEMBERS["FR"]["profile-url"],
    }
    assert parse_request(spelt, TODAY) == parse_request(FRENCH, TODAY)
    assert missing_fields({"account_email": "x@example.org"}) == [
        "kind",
        "jurisdiction",
        "name",
        "address",
    ]


def test_choice_values_are_read_like_keys() -> None:
    request = parse_request(
        {**FRENCH, "jurisdiction": "de_by", "address": MEMBERS["DE"]["address"],
         "lang": "DE", "controller": " LinkedIn "}, TODAY,
    )  # fmt: skip
    assert (request.jurisdiction, request.controller, request.language) == (
        "DE-BY",
        "linkedin",
        "de",
    )


def test_a_key_given_twice_in_two_spellings_is_named() -> None:
    with pytest.raises(dsr.InvalidRequest) as caught:
        parse_request({**FRENCH, "account_email": "other@example.org"}, TODAY)
    assert [str(p) for p in caught.value.problems if p.field == "account-email"] == [
        str(
            dsr.Problem(
                "account-email",
                "is given twice, as 'account-email' and 'account_email'; keep one",
            )
        )
    ]


def test_a_profile_takes_the_same_spellings(tmp_path: Path) -> None:
    profile = tmp_path / "me.toml"
    member = MEMBERS["FR"]
    profile.write_text(
        f'Name = "{member["name"]}"\naddress = "{member["address"]}"\n'
        f'account_email = "{member["account-email"]}"\n"Profile URL" = "{member["profile-url"]}"\n',
        encoding="utf-8",
    )
    out = tmp_path / "letter.txt"
    result = CliRunner().invoke(
        main,
        ["letter", "--kind", "objection", "--jurisdiction", "FR", "--profile", str(profile),
         "--date", "2026-11-22", "-o", str(out)],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert member["profile-url"] in out.read_text("utf-8")


def test_the_readme_example_names_are_the_functions(tmp_path: Path) -> None:
    """``from dsr import compose`` is the function even once the module that defines it
    (dsr.composition) was imported, as the CLI, batch and kits do."""
    script = (
        "import dsr.batch, dsr.composition, inspect\n"
        "from dsr import compose, parse_request, render_html, render_to\n"
        "assert compose is dsr.composition.compose\n"
        "assert all(callable(f) for f in (parse_request, render_html, render_to))\n"
        "print(inspect.signature(compose))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "(request: 'Request') -> 'Letter'"


def test_dir_lists_the_public_names_and_each_resolves() -> None:
    names = dir(dsr)
    for name in ("compose", "parse_request", "render_html", "render_to", "kinds",
                 "jurisdictions", "languages", "controllers", "authorities", "request_schema",
                 "letter_bytes", "write_letter", "Format", "Engine", "WriteOptions"):  # fmt: skip
        assert name in names, name
    assert "cli" not in names
    assert "registry" not in names
    for name in dsr.__all__:
        assert getattr(dsr, name) is not None, name
    assert inspect.isfunction(dsr.letter_bytes)


def test_the_package_is_typed() -> None:
    assert (ROOT / "dsr" / "py.typed").is_file()


def test_choices_are_frozen_records_for_forms() -> None:
    kinds = {k.code: k for k in dsr.kinds()}
    assert list(kinds) == [k.value for k in dsr.Kind]
    assert "situation" in kinds["art21"].required
    assert kinds["reminder"].follows_up
    assert "request-date" in kinds["reminder"].required
    assert all("--" not in k.description for k in kinds.values())  # the library names no flag
    with pytest.raises(FrozenInstanceError):
        kinds["art21"].code = "x"  # type: ignore[misc]
    jurisdictions = {j.code: j for j in dsr.jurisdictions()}
    assert jurisdictions["ES"].name == "Spain"
    assert jurisdictions["DE-BY"].country == "DE"
    assert jurisdictions["FR"].authority == "frcnil"
    languages = {lang.code: lang for lang in dsr.languages()}
    assert languages["de"].name == "Deutsch"
    assert languages["de"].english_name == "German"
    assert "linkedin" in {c.code for c in dsr.controllers()}
    assert "frcnil" in {a.code for a in dsr.authorities()}
    assert choices.fields() == FIELDS


def _schema_output() -> dict[str, object]:
    result = CliRunner().invoke(main, ["schema"])
    assert result.exit_code == 0, result.output
    schema: dict[str, object] = json.loads(result.stdout)
    return schema


def test_dsr_schema_prints_the_fields_with_their_choices() -> None:
    schema = _schema_output()
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    properties = schema["properties"]
    assert isinstance(properties, dict)
    assert list(properties) == list(FIELDS)
    assert properties["kind"]["enum"] == [k.value for k in dsr.Kind]
    assert "DE-BY" in properties["jurisdiction"]["enum"]
    assert "zh-Hant" in properties["lang"]["enum"]
    assert "linkedin" in properties["controller"]["enum"]
    assert schema["required"] == ["kind", "jurisdiction", "name", "address", "account-email"]


def test_the_schema_accepts_a_real_request_and_rejects_bad_ones() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = _schema_output()
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    good = {**FRENCH, "date": "2026-11-22", "enclose": ["a.pdf"]}
    parse_request({k: v for k, v in good.items() if k != "enclose"}, TODAY)  # dsr takes it too
    assert list(validator.iter_errors(good)) == []
    for bad in (
        {**FRENCH, "kind": "letter"},
        {**FRENCH, "jurisdiction": "XX"},
        {k: v for k, v in FRENCH.items() if k != "account-email"},
        {**FRENCH, "kind": "art21"},  # without a situation
        {**FRENCH, "kind": "complaint", "request-date": "2026-09-01"},  # no request-kind
        {**FRENCH, "date": "22.11.2026"},
        {**FRENCH, "nickname": "Marie"},
    ):
        assert list(validator.iter_errors(bad)), bad


def test_a_profile_key_given_twice_in_two_spellings_is_refused(tmp_path: Path) -> None:
    profile = tmp_path / "me.toml"
    profile.write_text('account_email = "a@example.org"\n"account-email" = "b@example.org"\n')
    result = CliRunner().invoke(main, ["letter", "--profile", str(profile), "-o", "x.pdf"])
    assert result.exit_code == 2
    assert result.stderr == (
        f"Error: --profile: {profile}: the key 'account-email' appears more than once; keep one\n"
    )
