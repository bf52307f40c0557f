"""Attack review 17a: a CSV file judged by the width of its own rows, not the header's;
a second header; formula errors; CR CR LF; JSON over several lines."""

from __future__ import annotations

from pathlib import Path

import pytest

from .batch_tools import batch_text

PERSON = (
    'kind = "objection"\njurisdiction = "DE"\nname = "Erika Muster"\n'
    'address = "Hauptstrasse 1, 10115 Berlin"\naccount-email = "erika@example.org"\n'
)
SHARED_ADDRESS = (
    'kind = "objection"\njurisdiction = "DE"\naddress = "c/o NGO, Hauptstrasse 9, 10115 Berlin"\n'
)


def batch(tmp_path: Path, name: str, content: str | bytes, defaults: str) -> tuple[int, str]:
    """The stray-quote rules judge cells over several lines once the member allows them."""
    return batch_text(tmp_path, content, defaults, "--multiline-cells", name=name)


def letters(tmp_path: Path) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((tmp_path / "out").glob("*.txt"))]


# 1, 2: a stray quote swallows rows that leave out trailing cells (the file's rows have
# 3 of 5 columns), or rows of every column whose companies are misspelt.
@pytest.mark.parametrize(
    "content",
    [
        "controller,situation,reference,profile-url,lang\n"
        'facebook,"I object to ads,FB-1\ngoogle,I object,G-1\ninstagram,I object,IG-1\n'
        'x,I object to profiling",X-1\nlinkedin,I object,LI-1\n',
        "controller;situation;reference;profile-url\r\n"
        'facebook;"I object to ads;FB-1\r\ngoogle;I object;G-1\r\ninstagram;I object;IG-1\r\n'
        'x;I object to profiling";X-1\r\nlinkedin;I object;LI-1\r\n',
        "controller,reference,profile-url,situation\n"
        'facebook,,,"I object to ads\ngogle,,,\ninstagramm,,,\ntwitter,,,I object"\n'
        "linkedin,,,I object\n",
    ],
    ids=["short-rows", "short-rows-semicolon", "misspelt-companies"],
)
def test_17a_1_2_rows_of_the_file_s_own_width_behind_a_stray_quote_refuse_it(
    content: str, tmp_path: Path
) -> None:
    code, output = batch(tmp_path, "companies.csv", content, PERSON)
    assert code == 2, output
    assert "check the quotes" in output
    assert not (tmp_path / "out").exists()


# 3, 4: the rest of a cell after a typed line break, shorter than the file's rows,
# even with an e-mail address in its text; and after rows that are all short.
@pytest.mark.parametrize(
    ("content", "line"),
    [
        ("name,account-email,situation,reference\nOtto Normal,otto@example.org,I teach\n"
         "Erika Muster,erika@example.org,my ex writes to me\nfrom stalker99@gmail.com nightly\n"
         "Anna Schmidt,anna@example.org,I am a doctor\n", 4),
        ("name,account-email,situation,reference\nOtto Normal,otto@example.org,I teach\n"
         "Erika Muster,erika@example.org,He writes to me as\nMax Power, maxpower99@gmail.com\n"
         "Anna Schmidt,anna@example.org,I am a doctor\n", 4),
    ],
    ids=["e-mail-in-text", "name-and-e-mail"],
)  # fmt: skip
def test_17a_3_4_a_line_shorter_than_the_file_s_rows_refuses_the_file(
    content: str, line: int, tmp_path: Path
) -> None:
    code, output = batch(tmp_path, "members.csv", content, SHARED_ADDRESS)
    assert code == 2, output
    assert f"line {line} holds" in output
    assert "and the file's rows hold 3" in output
    assert not (tmp_path / "out").exists()


# 10 and 16a #6: files whose rows all leave out the same empty cells are rows as typed.
@pytest.mark.parametrize(
    "content",
    [
        "controller,situation,reference,profile-url\nfacebook,I object to ads\ngoogle,I object\n"
        "x,I object to profiling\n",
        "controller,situation,reference\nfacebook,I object to ads,FB-1\ngoogle\ninstagram\n",
    ],
    ids=["all-short", "a-list-of-companies"],
)
def test_17a_10_files_of_short_rows_are_read(content: str, tmp_path: Path) -> None:
    code, output = batch(tmp_path, "companies.csv", content, PERSON)
    assert code == 0, output
    assert len(letters(tmp_path)) == 3


# 6 (15a #9): two exports joined, the second header in another order.
def test_17a_6_a_second_header_refuses_the_file(tmp_path: Path) -> None:
    code, output = batch(
        tmp_path,
        "joined.csv",
        "name,account-email,situation\nErika Muster,erika@example.org,I work nights\n"
        "situation,account-email,name\nI am a teacher,otto@example.org,Otto Normal\n",
        SHARED_ADDRESS,
    )
    assert code == 2, output
    assert "line 3 names columns, as the header does" in output
    assert not (tmp_path / "out").exists()


# 9: Python's csv module on Windows without newline="" ends each line CR CR LF.
def test_17a_9_cr_cr_lf_is_one_line_ending(tmp_path: Path) -> None:
    content = (
        b'name,account-email,situation\r\r\nErika Muster,erika@example.org,"I am a nurse\r\n'
        b'on nights"\r\r\nOtto Normal,otto@example.org,I teach\r\r\n'
    )
    code, output = batch(tmp_path, "windows.csv", content, SHARED_ADDRESS)
    assert code == 0, output
    written = letters(tmp_path)
    assert len(written) == 2
    assert "on nights" in written[0]


# 11: jq's default output, or one object with indent=2, saved as .jsonl.
@pytest.mark.parametrize(
    "content",
    [
        '{\n  "name": "Erika Muster",\n  "account-email": "erika@example.org"\n}\n'
        '{\n  "name": "Otto Normal",\n  "account-email": "otto@example.org"\n}\n',
        '{\n  "members": [\n    {"name": "Erika Muster"}\n  ]\n}\n',
    ],
    ids=["jq", "wrapped"],
)
def test_17a_11_json_over_several_lines_is_refused_as_a_whole(content: str, tmp_path: Path) -> None:
    code, output = batch(tmp_path, "members.jsonl", content, SHARED_ADDRESS)
    assert code == 2, output
    assert "JSON Lines has one object per line (jq -c" in output
    assert output.count("Error") == 1
    assert not (tmp_path / "out").exists()
