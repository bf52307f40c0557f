"""Attack review 9a, findings 4, 5, 8 and 11: members lost or cut short by YAML and JSONL."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr.batch import PROBLEM, BatchFileError, read_rows
from dsr.cli import main

ROW = (
    "- kind: art21\n"
    "  jurisdiction: DE\n"
    "  name: {name}\n"
    "  address: Hauptstrasse 1, 10115 Berlin\n"
    "  account-email: {email}\n"
)


def member(name: str = "Erika M", email: str = "e@example.org") -> str:
    return ROW.format(name=name, email=email)


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def rows_of(
    tmp_path: Path, text: str, suffix: str = ".yaml"
) -> list[tuple[int, dict[str, object]]]:
    source = tmp_path / f"rows{suffix}"
    source.write_text(text, encoding="utf-8", newline="")
    return list(read_rows(source))


# 4 (HIGH): a member's row indented by mistake into the previous member's situation
# block became text of that situation: the member was lost, and their name and
# e-mail printed in another member's letter.

Y1 = (
    member() + "  situation: |\n"
    "    I work as a nurse in a small town and my shifts are public.\n"
    "\n"
    "    - kind: art21\n"
    "      jurisdiction: DE\n"
    "      name: Hans M\n"
    "      address: Hauptstrasse 2, 10115 Berlin\n"
    "      account-email: h@example.org\n"
    "      situation: I am a teacher and my pupils can find me online.\n"
    + member("Clara M", "c@example.org")
    + "  situation: I am a judge and defendants can find me online.\n"
)


def test_4_a_row_indented_into_a_situation_refuses_the_file(tmp_path: Path) -> None:
    source = tmp_path / "y1.yaml"
    source.write_text(Y1, encoding="utf-8")
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt")
    assert code == 2, output
    assert output.startswith(f"Error: {source}: row 1: line 9 reads like the start of ")
    assert "('- kind:')" in output
    assert "value that starts on line 6" in output
    assert "indent" in output
    assert not out.exists()  # nothing written: the rows after it would be numbered wrong


@pytest.mark.parametrize(
    ("value", "line", "seen"),
    [
        # the member's own key, indented as the text is
        ("|\n    I work as a nurse.\n    date: 2026-11-22\n", 8, "'date:'"),
        # another member's row, as the block's own text
        ("|\n    I work as a nurse.\n    - name: Hans M\n", 8, "'- name:'"),
        # a folded block and a quoted value that never closed swallow the same way
        (
            ">\n    I work as a nurse.\n      - name: Hans M\n        account-email: h@x.org\n",
            8,
            "",
        ),
        ('"I work as a nurse.\n    - name: Hans M\n      account-email: h@x.org"\n', 7, ""),
    ],
)
def test_4_member_keys_inside_a_value_are_refused(
    tmp_path: Path, value: str, line: int, seen: str
) -> None:
    with pytest.raises(BatchFileError, match=f"row 1: line {line} reads like") as caught:
        rows_of(tmp_path, member() + "  situation: " + value)
    assert seen in str(caught.value)


def test_4_a_row_indented_into_an_address_is_refused(tmp_path: Path) -> None:
    text = (
        "- kind: art21\n  jurisdiction: DE\n  name: Erika M\n  address: |\n"
        "    Hauptstrasse 1\n    10115 Berlin\n"
        "    - name: Hans M\n      account-email: h@x.org\n"
        "  account-email: e@example.org\n  situation: I work as a nurse.\n"
    )
    with pytest.raises(BatchFileError, match="row 1: line 7 reads like the start of"):
        rows_of(tmp_path, text)


SITUATION = (
    "|\n"
    "    I work as a nurse in a small town.\n"
    "\n"
    "    Note: I am a doctor too, and my patients look me up.\n"
    "    Name on my profile: Erika M. - the one everyone searches for.\n"
    "    - my shifts: public\n"
    "    Since 2024: photos leaked, a police report filed.\n"
)


def test_4_legitimate_multiline_values_go_through(tmp_path: Path) -> None:
    text = (
        "- kind: art21\n  jurisdiction: DE\n  name: Erika M\n"
        "  address: |\n    c/o Klinik GmbH, Station 4\n    Hauptstrasse 1\n    10115 Berlin\n"
        "  account-email: e@example.org\n"
        f"  situation: {SITUATION}"
        "  place: Berlin\n"
        + member("Hans M", "h@example.org")
        + "  situation: >\n    I am a teacher\n    and my pupils can find me.\n"
    )
    source = tmp_path / "ok.yaml"
    source.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt")
    assert code == 0, output
    first, second = sorted(out.glob("*.txt"))
    letter = first.read_text(encoding="utf-8")
    assert "Note: I am a doctor too" in letter
    assert "- my shifts: public" in letter
    assert "Hans M" in second.read_text(encoding="utf-8")


# 5 (HIGH): a plain value with " #" was cut there (a YAML comment), silently.


def test_5_a_comment_after_a_plain_value_refuses_the_row(tmp_path: Path) -> None:
    text = (
        member() + "  situation: I am a nurse and patients find me via the hashtag #nurselife, "
        "then wait for me at home.\n"
        + member("Hans M", "h@example.org")
        + "  situation: I am a teacher   # my pupils can find me\n"
        + member("Clara M", "c@example.org")
        + "  situation: I am a judge.\n  place: # none\n"
        + member("Dora M", "d@example.org")
        + "  situation: I am a nurse.\n  enclose:\n    - proof.pdf # the scan\n"
    )
    rows = rows_of(tmp_path, text)
    assert [number for number, _ in rows] == [1, 2, 3, 4]
    for (_, row), line in zip(rows, (6, 12, 19, 27), strict=True):
        problem = str(row[PROBLEM])
        assert problem.startswith(f"line {line}: the text from '#' on is a YAML comment"), problem
        assert "put the value in quotes" in problem


def test_5_a_hash_in_quotes_or_a_block_and_full_line_comments_are_kept(tmp_path: Path) -> None:
    text = (
        "# members, exported 2026-11-20\n"
        + member()
        + '  situation: "I post via the hashtag #nurselife, then go home."  # quoted\n'
        "  # a comment line of its own\n"
        + member("Hans M", "h@example.org")
        + "  situation: |  # a block\n    My tag is #teacherlife # and more.\n"
        + member("Clara M", "c@example.org")
        + "  situation: I am judge#1 in the town.\n"
    )
    rows = rows_of(tmp_path, text)
    assert [row.get(PROBLEM) for _, row in rows] == [None, None, None]
    assert rows[0][1]["situation"] == "I post via the hashtag #nurselife, then go home."
    assert rows[1][1]["situation"] == "My tag is #teacherlife # and more.\n"
    assert rows[2][1]["situation"] == "I am judge#1 in the town."


# 8 (MEDIUM): JSONL lines were split at U+2028, U+2029 and U+0085, which JSON
# strings may hold: 4 members became 6 rows, and member 4 was named row 6.


def json_row(number: int, situation: str) -> str:
    values = {
        "kind": "art21",
        "jurisdiction": "DE",
        "name": f"Member {number}",
        "address": f"Hauptstrasse {number}, 10115 Berlin",
        "account-email": f"m{number}@example.org",
        "situation": situation,
    }
    return json.dumps(values, ensure_ascii=False)


@pytest.mark.parametrize("end", ["\n", "\r\n", "\r"])
def test_8_jsonl_lines_end_only_at_line_ends(tmp_path: Path, end: str) -> None:
    plain = "I am a nurse and my shifts are public."
    lines = [json_row(1, plain)]
    lines += [json_row(n, f"I am a nurse{c}and my shifts are public.") for n, c in (
        (2, "\u2028"), (3, "\u0085"), (4, "\u2029"))]  # fmt: skip
    lines.append(json_row(5, plain))
    rows = rows_of(tmp_path, end.join(lines) + end, ".jsonl")
    assert [number for number, _ in rows] == [1, 2, 3, 4, 5]
    assert [row["name"] for _, row in rows] == [f"Member {n}" for n in range(1, 6)]
    assert rows[1][1]["situation"] == "I am a nurse\u2028and my shifts are public."


# 11 (MEDIUM): a batch of no rows ended with exit 0 and "Wrote 0 letters".


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("header.csv", "kind,jurisdiction,name,address,account-email,date\n"),
        ("header.tsv", "kind\tjurisdiction\tname\n\n"),
        ("rows.jsonl", ""),
        ("blank.jsonl", "\n  \n\r\n"),
        ("rows.yaml", "[]\n"),
        ("comments.yaml", "# no members yet\n[]\n"),
    ],
)
def test_11_a_file_of_no_rows_is_refused(tmp_path: Path, name: str, content: str) -> None:
    source = tmp_path / name
    source.write_text(content, encoding="utf-8", newline="")
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt")
    assert code == 2, output
    assert output.startswith(f"Error: {source}: no rows"), output
    assert "letters written" not in output  # no closing sentence: the run did not start
    assert not out.exists()


# Attack 11a #8 (MEDIUM): title lines ("Date: …", "Place: …", "Name: …") in a situation
# were refused in a file whose keys are lower case; they are rows only where the file
# itself writes its keys as titles.
TITLED_ROW = (
    "- Kind: objection\n  Jurisdiction: DE\n  Name: Erika M\n"
    "  Address: Hauptstrasse 1, 10115 Berlin\n  Account Email: e@example.org\n"
)


def test_11_title_lines_are_text_in_a_file_of_lower_case_keys(tmp_path: Path) -> None:
    value = "|\n    Incident 1\n    Date: 12.03.2024\n    Place: outside the hospital\n"
    assert rows_of(tmp_path, member() + "  situation: " + value)


def test_11_title_lines_are_a_row_in_a_file_of_title_keys(tmp_path: Path) -> None:
    value = "|\n    I work as a nurse.\n    Name: Hans M\n    Account Email: h@x.org\n"
    with pytest.raises(BatchFileError, match="row 1: line 8 reads like"):
        rows_of(tmp_path, TITLED_ROW + "  Situation: " + value)


def test_12_a_title_case_row_indented_into_a_lower_case_file_is_refused(tmp_path: Path) -> None:
    """12a #3 (HIGH): Hans's row, written with title keys, vanished into Erika's block."""
    value = (
        "|\n    I am a nurse.\n    - Kind: objection\n      Jurisdiction: DE\n"
        "      Name: Hans M\n      Account-Email: h@example.org\n"
    )
    with pytest.raises(BatchFileError, match="row 1: line 8 reads like"):
        rows_of(tmp_path, member() + "  situation: " + value)
    harasser = "|\n    The account:\n    Name: Hans M\n    Email: bad@example.org\n"
    assert rows_of(tmp_path, member() + "  situation: " + harasser)


def test_13_an_item_opening_with_a_title_and_another_title_is_a_row(tmp_path: Path) -> None:
    """13a #1 (HIGH): '- Name: …' then 'Account-Email: …' in one item, in a file of
    lower-case keys (kind and jurisdiction from --defaults) vanished into a block."""
    value = (
        "|\n    I am a nurse.\n    - Name: Hans M\n      Account-Email: h@example.org\n"
        "      Situation: I am a teacher.\n"
    )
    with pytest.raises(BatchFileError, match="row 1: line 8 reads like"):
        rows_of(tmp_path, member() + "  situation: " + value)
    accounts = (
        "|\n    Accounts:\n    - Email: bad@example.org\n    - Profile URL: https://x.example\n"
    )
    assert rows_of(tmp_path, member() + "  situation: " + accounts)
