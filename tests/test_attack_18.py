"""Attack review 18a: a CSV file's rows come in several widths; a second header of other
columns, or after its own BOM; formula errors of more locales; JSON over several lines
anywhere in the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from dsr.batch import _is_missing
from tests.test_attack_17 import PERSON, SHARED_ADDRESS, batch


# 1: rows of several widths (3 cells, and 4 with a URL); a stray quote swallows some.
def test_18a_1_rows_of_any_width_the_file_has_behind_a_stray_quote_refuse_it(
    tmp_path: Path,
) -> None:
    code, output = batch(
        tmp_path,
        "companies.csv",
        "controller,situation,reference,profile-url,lang\n"
        'facebook,"I object to ads,FB-1\n'
        "google,I object,G-1,https://myaccount.google.com/u/0\n"
        "instagram,I object,IG-1,https://instagram.com/erika\n"
        'x,I object to profiling",X-1,\nlinkedin,I object,LI-1\nreddit,I object,R-1\n',
        PERSON,
    )
    assert code == 2, output
    assert "reads as a member's row" in output
    assert not (tmp_path / "out").exists()


# 2: a three-column sheet whose swallowed companies are misspelt, every cell filled.
def test_18a_2_three_rows_of_the_file_s_width_in_one_cell_refuse_it(tmp_path: Path) -> None:
    code, output = batch(
        tmp_path,
        "companies.csv",
        'controller,situation,reference\nfacebook,"I object to ads,FB-1\n'
        'gogle,I object,G-1\ninstagramm,I object,IG-1\ntwitter,I object",X-1\n'
        "linkedin,I object,LI-1\nreddit,I object,R-1\n",
        PERSON,
    )
    assert code == 2, output
    assert "have the 3 cells of the file's rows" in output


def test_18a_2_prose_with_two_commas_on_two_lines_is_still_text(tmp_path: Path) -> None:
    code, output = batch(
        tmp_path,
        "companies.csv",
        'controller,situation,reference\nfacebook,"They know where I live, work, and shop.\n'
        'They show my posts to strangers, colleagues, and my ex.",FB-1\n'
        "linkedin,I object,LI-1\nreddit,I object,R-1\n",
        PERSON,
    )
    assert code == 0, output


# 3, 4: a second header after its own BOM, or naming a column the first has not.
@pytest.mark.parametrize(
    "second", ["\ufeffsituation,account-email,name,reference", "situation,account-email,name,lang"]
)
def test_18a_3_4_a_second_header_of_any_known_columns_refuses_the_file(
    second: str, tmp_path: Path
) -> None:
    code, output = batch(
        tmp_path,
        "joined.csv",
        "\ufeffname,account-email,situation,reference\r\n"
        "Otto Normal,otto@example.org,I am a teacher,T-1\r\n"
        f"{second}\r\nI am a nurse,erika@example.org,Erika Muster,de\r\n",
        SHARED_ADDRESS,
    )
    assert code == 2, output
    assert "line 3 names columns, as the header does" in output
    assert not (tmp_path / "out").exists()


# 5: every row has a quoted two-line address, so the rest of a typed line break is
# the file's only one-line row: the width counts rows over several lines too.
def test_18a_5_the_width_counts_rows_over_several_lines(tmp_path: Path) -> None:
    code, output = batch(
        tmp_path,
        "members.csv",
        "name,account-email,address,situation\r\n"
        'Otto Normal,otto@example.org,"Hauptstr. 1\r\n10115 Berlin",I am a teacher\r\n'
        'Erika Muster,erika@example.org,"Ringstr. 2\r\n10117 Berlin",My ex writes to me\r\n'
        "from stalker99@gmail.com every night\r\n"
        'Anna Schmidt,anna@example.org,"Weg 3\r\n10119 Berlin",I am a journalist\r\n',
        SHARED_ADDRESS,
    )
    assert code == 2, output
    assert "line 6 holds 1 cell, and the file's rows hold 4" in output
    assert not (tmp_path / "out").exists()


# 6, 7: more formula errors and missing marks; references with # are not among them.
@pytest.mark.parametrize(
    "mark",
    ["#¿NOMBRE?", "#¡DIV/0!", "#DZIEL/0!", "#DIVISION/0!", "#GETTING_DATA", "#NA", "-nan",
     "1.#QNAN", "Loading...", "#VALUE !", "=NA()", "#N/A N/A", "#I/T"],
)  # fmt: skip
def test_18a_6_more_marks_are_missing_values(mark: str) -> None:
    assert _is_missing(mark)


@pytest.mark.parametrize("text", ["#2024/17", "#AZ/123", "#12/7 urgent", "#MeToo", "#1 priority"])
def test_18a_7_hashtags_and_numbers_are_text(text: str) -> None:
    assert not _is_missing(text)


# 9: an object over several lines anywhere in a JSON Lines file.
@pytest.mark.parametrize(
    "content",
    [
        '{"name": "Erika Muster", "account-email": "erika@example.org"}\n'
        '{\n  "name": "Otto Normal",\n  "account-email": "otto@example.org"\n}\n',
        '{"name": "Erika Muster",\n "account-email": "erika@example.org"}\n',
    ],
    ids=["not-first", "brace-and-key"],
)
def test_18a_9_an_object_over_several_lines_anywhere_refuses_the_file(
    content: str, tmp_path: Path
) -> None:
    code, output = batch(tmp_path, "members.jsonl", content, SHARED_ADDRESS)
    assert code == 2, output
    assert "an object runs over several lines" in output
    assert not (tmp_path / "out").exists()
