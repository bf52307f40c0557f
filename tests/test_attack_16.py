"""Attack review 16: output names a file system cannot take, or that name a folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr.cli import main

LETTER = [
    "letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "A A",
    "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "a@example.org",
]  # fmt: skip


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize(
    "name",
    ["a" * 300 + ".pdf", "b" * 300 + "/x.pdf", "ü" * 130 + ".pdf", "/".join(["d" * 200] * 25)],
    ids=["long-file", "long-folder", "long-in-bytes", "long-path"],
)
def test_16b_7_a_name_too_long_is_refused_naming_the_option(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    for args in ([*LETTER, "-o", name], ["track", "ics", "-o", name + ".ics"]):
        code, output = invoke(*args)
        assert code == 2, output
        assert "'--output'" in output
        assert "is too long" in output
        assert "Traceback" not in output
        assert "internal error" not in output
    code, output = invoke("batch", str(tmp_path / "none.csv"), "-o", name)
    assert code == 2, output
    assert "is too long" in output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("ending", ["/.", "/..", "/"])
def test_16b_8_an_output_ending_in_a_folder_name_is_refused(
    ending: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    code, output = invoke(*LETTER, "-o", "x.pdf" + ending)
    assert code == 2, output
    assert "names a folder" in output
    assert not (tmp_path / "x.pdf").exists()


@pytest.mark.parametrize("indent", [None, 2], ids=["one-line", "pretty"])
def test_16a_7_a_json_array_saved_as_jsonl_is_refused_as_a_whole(
    indent: int | None, tmp_path: Path
) -> None:
    import json

    rows = [
        {"kind": "objection", "jurisdiction": "DE", "name": f"M {n}", "account-email": f"m{n}@example.org",
         "address": "Hauptstraße 1, 10115 Berlin"}
        for n in range(2)
    ]  # fmt: skip
    source = tmp_path / "rows.jsonl"
    source.write_text(json.dumps(rows, indent=indent), encoding="utf-8")
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert "one JSON array, not JSON Lines" in output
    assert output.count("Error") == 1
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("first", ["sep=;", "sep=;;;;;", '"sep=;";;;;'])
def test_15a_10_a_sep_line_padded_by_a_spreadsheet_is_recognised(
    first: str, tmp_path: Path
) -> None:
    source = tmp_path / "rows.csv"
    source.write_text(
        f"{first}\r\nkind;jurisdiction;name;account-email;address;situation\r\n"
        "objection;DE;Erika M;e@example.org;Hauptstraße 1, 10115 Berlin;\r\n",
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 0, output
    assert len(list((tmp_path / "out").glob("*.txt"))) == 1


def test_a_stray_quote_in_a_file_of_full_rows_still_refuses_it(tmp_path: Path) -> None:
    """The same kind of file, where a stray quote swallows the next member's row."""
    source = tmp_path / "members.csv"
    source.write_text(
        "name,account-email,address,situation\n"
        'Erika Muster,erika@example.org,"Hauptstraße 1, 10115 Berlin","I object\n'
        'Otto Normal,otto@example.org,Hauptstraße 3 10115 Berlin,He said so"\n'
        "Max Mann,max@example.org,Hauptstraße 5 10115 Berlin,I object\n",
        encoding="utf-8",
    )
    defaults = tmp_path / "d.toml"
    defaults.write_text('kind = "objection"\njurisdiction = "DE"\n', encoding="utf-8")
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells",
        "--defaults", str(defaults),
    )  # fmt: skip
    assert code == 2, output
    assert "reads as a member's row" in output
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("folder", ["/dev/null", "/dev/zero"])
def test_17b_4_a_device_given_as_a_folder_is_refused(folder: str, tmp_path: Path) -> None:
    code, output = invoke(*LETTER, "--template-dir", folder, "-o", str(tmp_path / "t.pdf"))
    assert code == 2, output
    assert "is not a folder" in output
    assert not (tmp_path / "t.pdf").exists()


@pytest.mark.parametrize(
    "mark",
    ["\u0023\u041d/\u0414",  # Russian Excel's #N/A, in Cyrillic
     "#VALEUR!", "#N/D", "#¡VALOR!", "#ERROR!", "undefined", "[object Object]", "#WAARDE!",
     "#N/B", "#ARVO!", "#BLOCKED!", "#N/A N/A", "#PUUTTUU", "#ИМЯ?", "#NOMBRE?"],
)  # fmt: skip
def test_17a_7_formula_errors_of_every_locale_are_that_row_s_error(
    mark: str, tmp_path: Path
) -> None:
    source = tmp_path / "marks.csv"
    source.write_text(
        "kind,jurisdiction,name,address,account-email,situation\n"
        f"objection,DE,Erika M,Hauptstrasse 1 10115 Berlin,e@example.org,{mark}\n"
        "objection,DE,Otto N,Hauptstrasse 2 10115 Berlin,o@example.org,#MeToo #BLM\n",
        encoding="utf-8",
    )
    code, output = invoke(
        "batch", str(source), "-o", str(tmp_path / "out"), "--format", "txt", "--multiline-cells"
    )
    assert code == 2, output
    assert f"row 1: situation: {mark!r} is how a program writes a missing value" in output
    assert len(list((tmp_path / "out").glob("*.txt"))) == 1  # the hashtags are text
