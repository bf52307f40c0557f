"""Attack review 10a, findings 2, 3, 4 and 8: members lost or cut short in YAML and JSONL.

A member's row indented into another member's value (in flow style, JSON, or
with quoted keys) was read as that member's text: the member lost, their data
printed in another's letter. A comment line inside a plain value cut it short.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr.batch import PROBLEM, BatchFileError, read_rows
from dsr.cli import main

ROW = (
    "- kind: objection\n"
    "  jurisdiction: DE\n"
    "  name: {name}\n"
    "  address: Hauptstrasse 1, 10115 Berlin\n"
    "  account-email: {email}\n"
)
OTTO = ROW.format(name="Otto M", email="o@example.org") + "  situation: I am a judge.\n"


def member(name: str = "Erika M", email: str = "e@example.org") -> str:
    return ROW.format(name=name, email=email)


def rows_of(
    tmp_path: Path, text: str, suffix: str = ".yaml"
) -> list[tuple[int, dict[str, object]]]:
    source = tmp_path / f"rows{suffix}"
    source.write_text(text, encoding="utf-8", newline="")
    return list(read_rows(source))


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


# 2 (HIGH): a row in flow style, or JSON, indented into a block scalar.

FLOW_ROW = (
    '- {kind: objection, jurisdiction: DE, name: Hans M, address: "Hauptstrasse 2, '
    '10115 Berlin", account-email: h@example.org, situation: I am a teacher}'
)


def test_2_a_flow_row_indented_into_a_block_refuses_the_file(tmp_path: Path) -> None:
    source = tmp_path / "c_flow.yaml"  # the attack's file
    source.write_text(
        member() + "  situation: |\n    I am a nurse and my shifts are public.\n"
        f"    {FLOW_ROW}\n" + OTTO,
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt")
    assert code == 2, output
    assert output.startswith(f"Error: {source}: row 1: line 8 reads like the start of "), output
    assert "('- {kind:')" in output
    assert "value that starts on line 6" in output
    assert not out.exists()


JSON_ROW = json.dumps({"kind": "objection", "name": "Hans M", "account-email": "h@example.org"})


@pytest.mark.parametrize(
    ("value", "line"),
    [
        # JSON pasted into a block, one line
        (f"|\n    I am a nurse.\n    {JSON_ROW}\n", 8),
        # JSON pasted into a block, one key a line: the first line opens the mapping
        ('|\n    I am a nurse.\n    {"kind": "objection",\n     "name": "Hans M"}\n', 8),
        # a list of rows in flow style, and keys spelled as a header
        ("|\n    I am a nurse.\n    [{Name: Hans M, Account Email: h@example.org}]\n", 8),
        # compact JSON (no space after the colons) is text in a plain value
        ('I am a nurse.\n    {"kind":"objection","name":"Hans M"}\n', 7),
        # ... even on the line of its key
        ('I am a nurse. {"kind":"objection","name":"Hans M"}\n', 6),
        # a flow row behind a tab
        ("|\n    I am a nurse.\n    \t- {kind: objection, name: Hans M}\n", 8),
    ],
)
def test_2_a_row_in_flow_style_or_json_inside_a_value_is_refused(
    tmp_path: Path, value: str, line: int
) -> None:
    with pytest.raises(BatchFileError, match=f"row 1: line {line} reads like") as caught:
        rows_of(tmp_path, member() + "  situation: " + value + OTTO)
    assert "Hans" not in str(caught.value)  # the message shows keys, not the member's data


# 3 (HIGH): a row with quoted keys indented into a block scalar.


def test_3_a_row_with_quoted_keys_indented_into_a_block_refuses_the_file(tmp_path: Path) -> None:
    text = (
        member() + "  situation: |\n    I am a nurse and my shifts are public.\n"
        '    - "kind": "objection"\n'
        '      "jurisdiction": "DE"\n'
        '      "name": "Hans M"\n'
        '      "account-email": "h@example.org"\n' + OTTO
    )
    with pytest.raises(BatchFileError, match="row 1: line 8 reads like the start of ") as caught:
        rows_of(tmp_path, text)
    assert """('- "kind":')""" in str(caught.value)


@pytest.mark.parametrize(
    ("value", "line", "seen"),
    [
        ("|\n    I am a nurse.\n    'name': Hans M\n", 8, "'name':"),
        ('|\n    I am a nurse.\n    "Account Email": h@example.org\n', 8, '"Account Email":'),
        # pretty JSON, the opening brace on a line of its own
        ('|\n    I am a nurse.\n    {\n      "kind": "objection",\n', 9, '"kind":'),
        # a key written with YAML's "? "
        ("|\n    I am a nurse.\n    ? name\n    : Hans M\n", 8, "? name"),
    ],
)
def test_3_one_quoted_or_marked_key_inside_a_value_is_refused(
    tmp_path: Path, value: str, line: int, seen: str
) -> None:
    with pytest.raises(BatchFileError, match=f"row 1: line {line} reads like a key") as caught:
        rows_of(tmp_path, member() + "  situation: " + value + OTTO)
    assert f"({seen!r})" in str(caught.value)


def test_3_a_row_indented_as_a_value_refuses_the_file(tmp_path: Path) -> None:
    """A row under ``situation:`` at the key's own indentation is a list, the value
    of ``situation``: the member was lost, and the message did not say so."""
    text = (
        member() + "  situation:\n"
        "  - kind: objection\n"
        "    name: Hans M\n"
        "    account-email: h@example.org\n" + OTTO
    )
    with pytest.raises(BatchFileError, match="row 1: line 7 reads like another member's row"):
        rows_of(tmp_path, text)


# 4 (HIGH): a comment line inside a plain value cut it short, silently.


def test_4_a_comment_line_continuing_a_plain_value_refuses_the_row(tmp_path: Path) -> None:
    source = tmp_path / "h_yamlcomment.yaml"  # the attack's file
    source.write_text(
        member() + "  situation: I am a nurse and patients find me\n"
        "    #nurselife is the hashtag they use, then they wait at my home.\n" + OTTO,
        encoding="utf-8",
    )
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt")
    assert code == 2, output
    assert "row 1: line 7: the line starting with '#' is a YAML comment" in output
    assert "put the value in quotes" in output
    assert len(list(out.glob("*.txt"))) == 1  # Otto's letter; Erika's is not cut short


@pytest.mark.parametrize(
    ("value", "line"),
    [
        # the comment first, the rest of the text after it
        ("\n    #nurselife is the hashtag they use,\n    then they wait at my home.\n", 7),
        # on the key's line, the text on the next
        (" #nurselife is the hashtag they use,\n    then they wait at my home.\n", 6),
        # two lines of text, then the comment
        (" I am a nurse\n    and patients find me\n     #nurselife is the tag\n", 8),
        # an empty value, its text taken for a comment
        ("\n    #5 in the list of nurses\n", 7),
    ],
)
def test_4_comments_inside_a_plain_value_are_refused(tmp_path: Path, value: str, line: int) -> None:
    rows = rows_of(tmp_path, member() + "  situation:" + value + OTTO)
    assert [number for number, _ in rows] == [1, 2]
    problem = str(rows[0][1][PROBLEM])
    assert problem.startswith(f"line {line}: the "), problem
    assert "YAML comment" in problem
    assert PROBLEM not in rows[1][1]


def test_4_a_comment_indented_under_a_list_item_is_refused(tmp_path: Path) -> None:
    text = member() + "  situation: I am a nurse.\n  enclose:\n    - proof\n      #2.pdf\n"
    [(_, row)] = rows_of(tmp_path, text)
    assert str(row[PROBLEM]).startswith("line 9: the line starting with '#'")


# Other ways YAML cut a value or hid a row, found while fixing the above.


def test_an_anchor_dropped_from_a_value_refuses_the_file(tmp_path: Path) -> None:
    """``&nurse`` before a value is a YAML anchor: the text lost it, silently."""
    text = member() + "  situation: &nurse I am a nurse and patients find me.\n" + OTTO
    with pytest.raises(BatchFileError, match="line 6: '&nurse' is a YAML anchor"):
        rows_of(tmp_path, text)


def test_a_comment_line_left_of_a_blocks_text_refuses_the_row(tmp_path: Path) -> None:
    """A line indented less than a block's text ends the block: ``#nurselife …``
    there was a comment, and the text lost it, silently."""
    value = "|\n      I am a nurse and patients find me\n    #nurselife is the tag\n"
    rows = rows_of(tmp_path, member() + "  situation: " + value + OTTO)
    assert str(rows[0][1][PROBLEM]).startswith("line 8: the line starting with '#'")
    assert PROBLEM not in rows[1][1]


@pytest.mark.parametrize(
    "start",
    [
        "- - name: Hans M",  # a list in a list
        "\u00a0\u00a0- name: Hans M",  # no-break spaces, pasted from a web page
        "- - {name: Hans M}",  # one field opens a flow mapping
    ],
)
def test_a_row_behind_two_list_marks_or_odd_spaces_is_refused(tmp_path: Path, start: str) -> None:
    text = member() + f"  situation: |\n    I am a nurse.\n    {start}\n" + OTTO
    with pytest.raises(BatchFileError, match="line 8 reads like the start of another"):
        rows_of(tmp_path, text)


# Legitimate YAML stays accepted.

ACCOUNTS = (
    "|\n"
    "    I work as a nurse.\n"
    "\n"
    "    Note: I am a doctor too, and my patients look me up.\n"
    "    Accounts that harass me:\n"
    "    - Instagram: @stalker1\n"
    "    - Email: stalker1@gmail.com\n"
    "    - Email: stalker2@gmail.com\n"
    "    - Profile URL: https://example.org/stalker2\n"
    "    He wrote {name} and {address} in a message, # and more.\n"
    '    He said "name: Erika" was on his badge.\n'
    "    # this line is text of the block\n"
)


def test_legitimate_values_and_comments_go_through(tmp_path: Path) -> None:
    text = (
        "# members, exported 2026-11-20\n"
        + member()
        + f"  situation: {ACCOUNTS}"
        + "  # a comment at the keys' indentation\n"
        + "  place: Berlin\n"
        + "# member 2\n"
        + member("Hans M", "h@example.org")
        + '  situation: "I post as #teacher, {kind: me}."\n'
        + "  enclose:\n    - a.pdf\n    # b.pdf, later\n    - c.pdf\n"
        + "  reference: >\n    A folded\n    # value\n"
        + member("Clara M", "c@example.org")
        + "  situation: I am a judge,\n    and defendants find me.\n"
        + "# the end\n"
    )
    rows = rows_of(tmp_path, text)
    assert [row.get(PROBLEM) for _, row in rows] == [None, None, None]
    situation = str(rows[0][1]["situation"])
    assert "- Email: stalker2@gmail.com\n" in situation
    assert "{name} and {address}" in situation
    assert rows[1][1]["enclose"] == ["a.pdf", "c.pdf"]
    assert rows[1][1]["reference"] == "A folded # value\n"
    assert rows[2][1]["situation"] == "I am a judge, and defendants find me."


# 8 (LOW): two JSON objects on one line were "not JSON: Extra data".


def test_8_two_json_objects_on_one_line_are_named(tmp_path: Path) -> None:
    first = json.dumps({"kind": "objection", "name": "A"})
    rows = rows_of(tmp_path, f'{first}{{"kind": "objection"}}\n{first} 7\n', ".jsonl")
    column = len(first) + 1
    assert rows[0][1][PROBLEM] == (
        f"a second JSON object starts at column {column}; put one member per line"
    )
    assert rows[1][1][PROBLEM] == f"not JSON: text after the object at column {column + 1}"
