"""A CSV cell runs over several lines only when the member says so, and a row cut by a
line break typed without quotes is held back with its rest, not written cut short.

No rule on a cell's text tells an address over three lines from rows a stray quote
swallowed (rounds 16 to 21 found a new shape each time), so by default a record over
several lines is refused, whatever it holds; ``--multiline-cells`` reads such cells,
judged by the stray-quote rules. These tests read what a member would see: the exit
code, the message, report.csv and the letters written.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from .batch_tools import batch_text, report_rows, written
from .conftest import examples

OBJECTION_DE = (
    'kind = "objection"\njurisdiction = "DE"\naddress = "c/o NGO, Hauptstrasse 9, 10115 Berlin"\n'
)
PERSON = (
    'kind = "objection"\njurisdiction = "DE"\nname = "Erika Muster"\n'
    'address = "Hauptstrasse 1, 10115 Berlin"\naccount-email = "erika@example.org"\n'
)


batch = batch_text
letters = written
report = report_rows


# Shapes the stray-quote rules missed in rounds 19 to 21: misspelt or known companies
# typed with a space after the separator, in two- and three-column sheets.
SWALLOWING = {
    "known-spaced": (
        "controller,situation,reference\n"
        'facebook,"I object to ads based on my profile,FB-1\n'
        "google, I object to profiling\n"
        'twiter, I object to tracking",T-1\n'
        "linkedin,I object,L-1\n"
    ),
    "misspelt-full": (
        "controller,situation\n"
        'facebook,"I object to ads\n'
        "gogle,I object to profiling\n"
        'twiter,I object to tracking"\n'
        "linkedin,I object\n"
    ),
    "address-over-lines": (
        "name,account-email,address\n"
        'Erika Muster,erika@example.org,"Hauptstrasse 1\n10115 Berlin"\n'
        "Otto Normal,otto@example.org,Hauptstrasse 2 10115 Berlin\n"
    ),
}


def test_a_record_over_several_lines_is_refused_unless_the_member_says_so(
    tmp_path: Path,
) -> None:
    for case, content in SWALLOWING.items():
        folder = tmp_path / case
        folder.mkdir()
        defaults = OBJECTION_DE if content.startswith("name") else PERSON
        code, output = batch(folder, content, defaults)
        assert code == 2, (case, output)
        assert "--multiline-cells" in output, (case, output)
        assert "--trust-quotes 2-" in output, (case, output)
        assert "lines 2 to" in output, (case, output)
        assert not (folder / "out").exists(), case  # refused before any letter


def test_every_record_over_several_lines_is_named_in_one_refusal(tmp_path: Path) -> None:
    content = (
        "name,account-email,address\n"
        'Erika Muster,erika@example.org,"Hauptstrasse 1\n10115 Berlin"\n'
        "Otto Normal,otto@example.org,Hauptstrasse 2 10115 Berlin\n"
        'Anna Test,anna@example.org,"Ringstrasse 3\nHinterhaus\n10117 Berlin"\n'
        'Carla Vogel,carla@example.org,"Ringstrasse 4 10117 Berlin\n"\n'
    )
    code, output = batch(tmp_path, content, OBJECTION_DE)
    assert code == 2, output
    assert "lines 2 to 3 are one row, as its cell address runs over 2 lines" in output
    assert "lines 5 to 7 are one row, as its cell address runs over 3 lines" in output
    # A cell that ends in a line break runs on to the next line (attack 24a #7).
    assert "lines 8 to 9 are one row, as its cell address runs over 2 lines" in output
    assert "--trust-quotes 2-3,5-7,8-9" in output


def test_with_multiline_cells_a_cell_over_lines_is_one_cell(tmp_path: Path) -> None:
    content = (
        "name,account-email,situation\n"
        'Erika Muster,erika@example.org,"I am a nurse.\nMy ex follows me to work."\n'
        "Otto Normal,otto@example.org,I am a teacher\n"
    )
    assert batch(tmp_path, content, OBJECTION_DE)[0] == 2
    code, output = batch(tmp_path, content, OBJECTION_DE, "--multiline-cells")
    assert code == 0, output
    written = letters(tmp_path)
    assert len(written) == 2
    erika = next(text for name, text in written.items() if "muster" in name)
    assert "I am a nurse." in erika
    assert "My ex follows me to work." in erika


def test_the_rows_named_by_trust_quotes_are_read_without_multiline_cells(tmp_path: Path) -> None:
    code, output = batch(
        tmp_path, SWALLOWING["address-over-lines"], OBJECTION_DE, "--trust-quotes", "2-3"
    )
    assert code == 0, output
    assert len(letters(tmp_path)) == 2


# By default no line of a CSV file is lost: the file is refused, or every line that is
# not blank is a row of report.csv (written, or failed with its reason). Hand-typed
# rows (known and misspelt companies, prose with commas, a space after the separator
# or not, two or three columns), and a stray quote opening one row's text and another
# closing a later row's: the shape the stray-quote rules kept missing.
COMPANIES = st.sampled_from(["facebook", "google", "gogle", "twiter", "linkedin", "reddit"])
TEXTS = st.sampled_from(
    ["I object", "I object to profiling", "my data, my rules", "to the gym", "ads, tracking"]
)
ROWS = st.lists(
    st.tuples(COMPANIES, TEXTS, st.sampled_from(["", "FB-1", "T-1"]), st.booleans()),
    min_size=2,
    max_size=6,
)


@hypothesis_settings(max_examples=examples(40))
@given(rows=ROWS, three=st.booleans(), quotes=st.tuples(st.integers(0, 5), st.integers(0, 5)))
def test_no_line_of_a_csv_file_is_lost_by_default(
    tmp_path_factory: object,
    rows: list[tuple[str, str, str, bool]],
    three: bool,
    quotes: tuple[int, int],
) -> None:
    folder = tmp_path_factory.mktemp("typed")  # type: ignore[attr-defined]
    opening, closing = min(quotes) % len(rows), max(quotes) % len(rows)
    lines = []
    for index, (company, text, reference, spaced) in enumerate(rows):
        if index == opening:
            text = '"' + text
        if index == closing and closing > opening:
            text += '"'
        cells = [company, text, reference] if three else [company, text]
        lines.append((", " if spaced else ",").join(cells))
    header = "controller,situation,reference" if three else "controller,situation"
    content = header + "\n" + "\n".join(lines) + "\n"
    code, output = batch(folder, content, PERSON)
    assert "Traceback" not in output
    if code == 2 and not (folder / "out" / "report.csv").exists():
        assert "Error:" in output  # the file refused, with its reason
        return
    assert code in (0, 2), output
    listed = report(folder)
    assert len(listed) == len(lines), (content, listed)
    written = {row["file"] for row in listed if row["status"] == "written"}
    assert written == set(letters(folder)), (content, listed)


# A line break typed without quotes: the rest of the cell is read as the next row.
# When that rest is no valid row, the row above would be written cut short: it is held
# back, and both are named.
TYPED_BREAKS = {
    "rest-with-the-file-width": (
        "name,account-email,situation\n"
        "Erika Muster,erika@example.org,My ex follows me to work\n"
        "to the gym, to my parents, everywhere\n"
        "Otto Normal,otto@example.org,I am a teacher\n",
        OBJECTION_DE,
    ),
    "rest-failing-in-every-column": (
        "kind,jurisdiction,name,address,account-email,situation\n"
        "objection,DE,Erika Muster,Hauptstrasse 1 10115 Berlin,erika@example.org,I work nights\n"
        "and patients, colleagues, neighbours, the press, all wait for me at home, every day\n"
        "objection,DE,Otto Normal,Hauptstrasse 2 10115 Berlin,otto@example.org,I am a teacher\n",
        "",
    ),
    "rest-with-more-cells-than-the-file": (
        "name,account-email,situation\n"
        "Erika Muster,erika@example.org,My ex follows me\n"
        "to work, to the gym, to my parents, to my friends, everywhere\n"
        "Otto Normal,otto@example.org,I am a teacher\n",
        OBJECTION_DE,
    ),
    "two-columns": (
        "controller,situation\n"
        "facebook,I object to tracking of my health and\n"
        "my health, my religion and my location\n"
        "linkedin,I object\n",
        PERSON,
    ),
}


def test_a_row_whose_next_line_reads_as_its_rest_is_held_back(tmp_path: Path) -> None:
    for case, (content, defaults) in TYPED_BREAKS.items():
        folder = tmp_path / case
        folder.mkdir()
        code, output = batch(folder, content, defaults)
        assert code == 2, (case, output)
        listed = report(folder)
        assert [row["status"] for row in listed] == ["error", "error", "written"], (case, listed)
        assert "line break typed without quotes" in listed[0]["message"], case
        assert "row 1" in listed[1]["message"], case
        assert "Error: row 1: not written" in output, case
        written = letters(folder)
        assert len(written) == 1, case  # the third row only, never the cut one
        (text,) = written.values()
        for cut in ("follows me", "I work nights", "tracking of my health"):
            assert cut not in " ".join(text.split()), case


# Round 22a: rests that start with a capital, a digit, a bracket or a quote, that fail in
# two columns, or whose first word is no company: prose's space after each comma tells
# them from a row a program wrote.
PROSE_RESTS = {
    "capital": ("name,account-email,situation", "Erika Muster,erika@example.org,My ex works there.", "He reads my data, at work, at home"),
    "i": ("name,account-email,situation", "Erika Muster,erika@example.org,My ex follows me everywhere.", "I fear for my safety, and my kids, at home"),
    "digit": ("name,account-email,situation", "Erika Muster,erika@example.org,My ex appeared at my work on 12 May and on", "14 May, 18:00, at the gym"),
    "bracket": ("name,account-email,situation", "Erika Muster,erika@example.org,My ex works at the insurer", "(he is an IT admin), and he reads my file, every week"),
    "quote": ("name,account-email,situation", "Erika Muster,erika@example.org,My ex said to me", '"I know where you live", and he does, really'),
    "semicolons": ("name;account-email;situation", "Erika Muster;erika@example.org;My ex follows me", "Every day; at work; at home"),
    "more-cells": ("name,account-email,situation", "Erika Muster,erika@example.org,My ex follows me to work", "and to the gym, the park, my home, and my kids' school"),
    "company-column": ("controller,situation", "facebook,I object to ads based on", "profiling, tracking and my location"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(PROSE_RESTS))
def test_a_prose_rest_holds_back_the_row_above(tmp_path: Path, case: str) -> None:
    header, above, rest = PROSE_RESTS[case]
    separator = ";" if ";" in header else ","
    last = separator.join(
        {"name": "Anna Schmidt", "account-email": "anna@example.org", "situation": "I teach",
         "lang": "de", "controller": "linkedin"}[column]
        for column in header.split(separator)
    )  # fmt: skip
    content = "\r\n".join(["\ufeff" + header, above, rest, last]) + "\r\n"
    defaults = PERSON if header.startswith("controller") else OBJECTION_DE
    code, output = batch(tmp_path, content, defaults)
    assert code == 2, output
    listed = report(tmp_path)
    assert [row["status"] for row in listed] == ["error", "error", "written"], listed
    assert "line break typed without quotes" in listed[0]["message"]
    cut = above.split(separator)[-1]
    for text in letters(tmp_path).values():
        assert cut not in " ".join(text.split())


# Round 23a: rests whose separators are not all followed by a space (a number with a
# comma, a list typed without spaces), whose first word is a missing-value mark, past
# an unnamed column of Excel's, or in a file typed with a space after every comma.
WHOLE_FILES = {
    "number-with-a-comma": "name,account-email,situation\nErika Muster,erika@example.org,Since March my ex\nhas taken 1,500 euros from my account, twice\n",
    "list-without-spaces": "name,account-email,situation\nErika Muster,erika@example.org,He follows me\non instagram,facebook,tiktok\n",
    "capital-and-number": "name,account-email,situation\nErika Muster,erika@example.org,He cost me\nIt cost me 1,500 euros, and more\n",
    "decimal-comma": "name,account-email,situation\nErika Muster,erika@example.org,My ex drove at\n80,5 km/h behind me, every day\n",
    "times": "name,account-email,situation\nErika Muster,erika@example.org,He called me at\n23:00,23:15,23:40 and 01:00\n",
    "missing-value-mark": "name,account-email,situation\nErika Muster,erika@example.org,the answer was\nnone, they said, as usual\n",
    "n/a": "name,account-email,situation\nErika Muster,erika@example.org,They call my complaint\nn/a, irrelevant, closed\n",
    "unnamed-column": "name,account-email,situation,\nErika Muster,erika@example.org,My ex follows me,\nand he reads my data, at work, at home, daily\n",
    "typed-with-spaces": "name, account-email, situation\nErika Muster, erika@example.org, My ex follows me\nHe reads my data, at work, at home\n",
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(WHOLE_FILES))
def test_rests_of_every_shape_hold_back_the_row_above(tmp_path: Path, case: str) -> None:
    content = (
        WHOLE_FILES[case]
        + "Anna Schmidt,anna@example.org,I teach"
        + (",\n" if case == "unnamed-column" else "\n")
    )
    code, output = batch(tmp_path, content, OBJECTION_DE)
    assert code == 2, output
    listed = report(tmp_path)
    assert [row["status"] for row in listed] == ["error", "error", "written"], listed
    assert "line break typed without quotes" in listed[0]["message"]
    assert len(letters(tmp_path)) == 1  # Anna's; Erika's is not written cut short


def test_once_the_lines_are_joined_the_row_is_written_whole(tmp_path: Path) -> None:
    content, defaults = TYPED_BREAKS["rest-with-the-file-width"]
    assert batch(tmp_path, content, defaults)[0] == 2
    joined = content.replace(
        "My ex follows me to work\nto the gym, to my parents, everywhere",
        '"My ex follows me to work, to the gym, to my parents, everywhere"',
    )
    assert joined != content
    code, output = batch(tmp_path, joined, defaults, "--force")
    assert code == 0, output
    erika = next(text for name, text in letters(tmp_path).items() if "muster" in name)
    assert "to the gym, to my parents, everywhere" in " ".join(erika.split())


def test_a_json_lines_value_cut_by_a_line_break_refuses_the_file(tmp_path: Path) -> None:
    """Round 22a #6: one member's object cut inside a string gave two error rows."""
    content = (
        '{"name":"Erika Muster","account-email":"erika@example.org","situation":"My ex\n'
        'follows me to work"}\n'
        '{"name":"Anna Schmidt","account-email":"anna@example.org","situation":"I teach"}\n'
    )
    code, output = batch(tmp_path, content, OBJECTION_DE, name="members.jsonl")
    assert code == 2, output
    assert "an object runs over several lines" in output
    assert "\\n" in output
    assert not (tmp_path / "out").exists()


# Round 24a: every rule on a rest's text missed a shape (URLs, handles, lists of words,
# four cells in a three-column file). So any row that is no valid request holds back the
# one-line row above it, whatever its text: the cost is a correct row waiting for its
# neighbour's typo to be corrected, named as such, never a letter cut short.
TYPOS = {
    "particle": ("name,account-email,situation", "van der Berg,,I object to profiling"),
    "lower-case-name": ("name,account-email,situation", "otto normal,otto@gmail,I object"),
    "care-of": ("address,name,account-email,situation", "c/o Frauenhaus Postfach 1234 10115 Berlin,Otto Normal,otto@gmail,I object"),
    "company": ("controller,situation", "deutsche bahn,I object to profiling"),
    "kind": ("kind,name,account-email,situation", "access request,Otto Normal,otto@example.org,please send my data"),
    "e-mail-first": ("account-email,name,situation", "otto@gmail,,I object"),
    "urls": ("name,account-email,situation", "reddit.com,twitter.com,4chan.org"),
    "handles": ("name,account-email,situation", "@ex_1,@ex_2,@ex_3"),
    "four-cells": ("name,account-email,situation", "Instagram,Facebook,TikTok,Snapchat"),
    "address-as-name": ("name,account-email,situation", "ex@evil.com,friend@evil.com,and others"),
}  # fmt: skip
GOOD = {"name": "Erika Muster", "account-email": "erika@example.org",
        "situation": "I object to profiling", "controller": "facebook",
        "kind": "objection", "address": "Hauptstr. 1 10115 Berlin"}  # fmt: skip
FIXED = {"name": "Otto Normal", "account-email": "otto@example.org", "situation": "I object",
         "controller": "linkedin", "kind": "access", "address": "Ringstr. 2 10115 Berlin"}  # fmt: skip


@pytest.mark.parametrize("case", sorted(TYPOS))
def test_an_invalid_row_holds_back_the_row_above_until_it_is_corrected(
    tmp_path: Path, case: str
) -> None:
    header, typo = TYPOS[case]
    columns = header.split(",")
    above = ",".join(GOOD[column] for column in columns)
    defaults = PERSON if header.startswith("controller") else OBJECTION_DE
    code, output = batch(tmp_path, f"{header}\n{above}\n{typo}\n", defaults)
    assert code == 2, output
    listed = report(tmp_path)
    assert [row["status"] for row in listed] == ["error", "error"], output
    assert "the next row, row 2 (line 3 of the file), is no valid row" in listed[0]["message"]
    assert "row 1 (line 2), above, is held back" in listed[1]["message"]
    assert not letters(tmp_path)
    fixed = ",".join(FIXED[column] for column in columns)
    code, output = batch(tmp_path, f"{header}\n{above}\n{fixed}\n", defaults)
    assert code == 0, output
    assert [row["status"] for row in report(tmp_path)] == ["written", "written"]


def test_the_hold_back_names_the_lines_of_the_file(tmp_path: Path) -> None:
    """Attack 26a #6: with blank lines (or a sep= line) a row's number is not its line;
    the volunteer opens the file at the line named, and is told to check it first."""
    content = (
        "sep=,\nname,account-email,situation\n\nErika Muster,erika@example.org,My ex "
        "writes to me\n\n,,\n  \nat home, at work, at night\nOtto Normal,otto@example.org,I object\n"
    )
    code, output = batch(tmp_path, content, OBJECTION_DE)
    assert code == 2, output
    held, rest, written_row = report(tmp_path)
    assert "the next row, row 2 (line 8 of the file), is no valid row" in held["message"]
    assert "Check line 8 first: if it is the rest of this row's text (line 4)" in held["message"]
    assert "(row 1 (line 4), above, is held back: if line 8 is more of its text" in rest["message"]
    assert written_row["status"] == "written"
    assert output.count("row 2 (line 8 of the file)") == 2  # as found, and in the recap


def test_a_row_below_a_bad_one_is_written(tmp_path: Path) -> None:
    content = "controller,situation\nGogle,I object to profiling\nfacebook,I object to tracking\n"
    code, output = batch(tmp_path, content, PERSON)
    assert code == 2, output
    assert [row["status"] for row in report(tmp_path)] == ["error", "written"]


# Round 26a: rests that got around the exceptions issue 13 asks for (a row failing only
# in its date or its annex is its own): words with digits in a date cell, a sentence that
# ends in ".pdf" in the annex cell, and names that are addresses in other forms.
ME = (
    'kind = "objection"\njurisdiction = "DE"\nname = "Erika Muster"\n'
    'address = "Hauptstrasse 1, 10115 Berlin"\naccount-email = "erika@example.org"\n'
)
EXCEPTIONS_GOT_AROUND = {
    "date-words": (ME, "date,situation\n2026-05-01,My ex follows me\n3 times a week, at work and at home\n"),
    "date-since": (ME, "date,situation\n2026-05-01,My ex follows me\nsince 2019, at work\n"),
    "date-24/7": (ME, "date,situation\n2026-05-01,My ex follows me\n24/7, everywhere I go\n"),
    "date-huge-year-and-prose": (ME, "date,situation\n2026-05-01,My ex follows me\n99999999999999999999-1-1, and more\n"),
    "annex-sentence": (ME, "enclose,situation\n,He sends me threats\nand the photos in photos.pdf, which he posted\n"),
    "annex-and-address-name": (OBJECTION_DE, "name,account-email,enclose,situation\nErika Muster,erika@example.org,,I got threats from\nex@evil.com,friend@evil.com,screenshots.pdf,and others\n"),
    "domain-name": (OBJECTION_DE, "name,account-email,situation\nErika Muster,erika@example.org,He posts my photos on\ninstagram.com/ex_profile, ex@evil.com, and in chats\n"),
    "full-width-at": (OBJECTION_DE, "name,account-email,situation\nErika Muster,erika@example.org,He writes from\nex\uff20evil.com,ex@evil.com,every night\n"),
    # Round 27a: rests shaped as dates without prose spacing, annex lists and URLs, and
    # rests that are valid rows but for a name that is a phone number or a handle, or
    # for the space after the separator that prose has and the row above has not.
    "date-list": (ME, "date,situation\n2026-05-01,He came to my door on\n12.5.2026,13.5.2026 and 20.5.2026 and he shouted\n"),
    "date-1/2/3": (ME, "date,situation\n2026-05-01,He posted my photos in three parts\n1/2/3,all of them on his page\n"),
    "date-iso-spaced": (ME, "date,situation\n2026-05-01,He came to my door on\n2026-05-03, and again on the next day\n"),
    "date-9999": (ME, "date,situation\n2026-05-01,He wrote to me until\n9999-12-31,and he will not stop\n"),
    "annex-list": (ME, "enclose,situation\n,He sends me threats; see\nthreats.pdf,chat.pdf and the voice messages\n"),
    "annex-url": (ME, "enclose,situation\n,He shares my photos; see\nhttps://drive.example.com/x/photos.pdf,and the other links\n"),
    "phone-name": (OBJECTION_DE, "name,account-email,situation\nErika Muster,erika@example.org,He calls me from\n+49 170 1234567, ex@evil.com, and from other numbers\n"),
    # Round 28a: the header ends in a code, but the rows leave it out and end in text.
    "omitted-code-column": (OBJECTION_DE, "name,account-email,situation,lang\nErika Muster,erika@example.org,He calls me from\nex@evil.com,friend@evil.com,and from other numbers every night\nAnna Schmidt,anna@example.org,I object to profiling\nJan Berg,jan@example.org,I object to ads,en\n"),
    "omitted-code-column-semicolons": (OBJECTION_DE, "sep=;\r\nname;account-email;situation;kind\r\nErika Muster;erika@example.org;Er ruft mich an von\r\n+49 170 1234567;ex@evil.com;und von anderen Nummern\r\nAnna Schmidt;anna@example.org;Ich widerspreche\r\nJan Berg;jan@example.org;Ich widerspreche;objection\r\n"),
    "handle-name": (OBJECTION_DE, "name,account-email,situation\nErika Muster,erika@example.org,He writes to me as\nex_profile,ex@evil.com,and from other accounts\n"),
}  # fmt: skip


@pytest.mark.parametrize("case", sorted(EXCEPTIONS_GOT_AROUND))
def test_a_rest_cannot_pass_for_a_row_s_own_date_or_annex_error(tmp_path: Path, case: str) -> None:
    defaults, content = EXCEPTIONS_GOT_AROUND[case]
    code, output = batch(tmp_path, content, defaults)
    assert code == 2, output
    assert report(tmp_path)[0]["status"] == "error", output  # not written cut short
    assert not [name for name in letters(tmp_path) if name.startswith("0001-")]


@pytest.mark.parametrize(
    "last",
    ["kind", "jurisdiction", "controller", "lang", "date", "request-date", "request-kind",
     "outcome", "authority"],
)  # fmt: skip
def test_a_row_whose_last_cell_is_a_code_or_a_date_is_never_held_back(
    tmp_path: Path, last: str
) -> None:
    """Issue 13: a bad row fails alone (year 9999, an unknown company, a prose line) when
    the row above ends in a value a typed line break cannot cut and leave valid: the
    rest of a cut cell would leave the row above short, which refuses the file."""
    values = {"kind": "objection", "jurisdiction": "FR", "controller": "linkedin", "lang": "nl",
              "date": "2026-05-01", "request-date": "", "request-kind": "", "outcome": "",
              "authority": ""}  # fmt: skip
    columns = ["situation", last]
    good = f"My ex follows me,{values[last]}"
    content = "\n".join([",".join(columns), good, "9999-12-31 he came,again", good, ""])
    code, output = batch(tmp_path, content, ME)
    assert code == 2, output
    listed = report(tmp_path)
    assert [row["status"] for row in listed] == ["written", "error", "written"], listed


def test_a_bad_row_under_a_row_ending_in_text_holds_it_back(tmp_path: Path) -> None:
    """A mistyped date, year 9999 or a file not found under a row whose last cell is
    text: the bad line may be that text's rest (round 27a), whatever its shape."""
    content = (
        "date,situation\n2026-05-01,My ex follows me\n9999-12-31,I object\n"
        "2026-05-02,I object\n2026-13-01,I object\n"
    )
    code, output = batch(tmp_path, content, ME)
    assert code == 2, output
    assert [row["status"] for row in report(tmp_path)] == ["error", "error", "error", "error"]
    fixed = content.replace("9999-12-31", "2026-05-03").replace("2026-13-01", "2026-05-04")
    code, output = batch(tmp_path, fixed, ME)
    assert code == 0, output
    assert [row["status"] for row in report(tmp_path)] == ["written"] * 4


@pytest.mark.parametrize("name", ["+49 170 1234567", "ex_profile", "0043-664-1234567", "@ex", "…"])
def test_a_name_that_is_no_name_is_the_row_s_error(tmp_path: Path, name: str) -> None:
    content = f"name,account-email,situation\n{name},ex@example.org,I object\n"
    code, output = batch(tmp_path, content, OBJECTION_DE)
    assert code == 2, output
    message = report(tmp_path)[0]["message"]
    assert "not a person's name" in message or "holds no letter or digit" in message


def test_a_quoted_name_with_a_comma_is_no_prose(tmp_path: Path) -> None:
    """Round 28a: "Muster, Erika" in quotes (a spreadsheet's "Last, First") is one cell,
    not prose spacing: every member is written."""
    names = ["Anna Schmidt", '"Muster, Erika"', "Jan Berg", '"Vogel, Carla"', "Dirk Hahn"]
    rows = [f"{name},m{i}@example.org,I object to the profiling of my account"
            for i, name in enumerate(names)]  # fmt: skip
    content = "name,account-email,situation\n" + "\n".join(rows) + "\n"
    code, output = batch(tmp_path, content, OBJECTION_DE)
    assert code == 0, output
    assert [row["status"] for row in report(tmp_path)] == ["written"] * 5


def test_a_yaml_value_alone_at_the_rows_level_refuses_the_file(tmp_path: Path) -> None:
    """Round 28a: a list typed after a row's text, at the rows' level: the row above would
    lose it, so the file is refused before any letter, naming the line."""
    content = (
        "- name: Erika Muster\n  account-email: erika@example.org\n"
        "  situation: He sends me messages from these accounts\n"
        "- ex@evil.com\n- friend@evil.com\n"
        "- name: Anna Schmidt\n  account-email: anna@example.org\n  situation: I object\n"
    )
    code, output = batch_text(tmp_path, content, OBJECTION_DE, name="members.yaml")
    assert code == 2, output
    assert "line 4: row 2 is no member's row" in output
    assert "situation: |" in output
    assert not letters(tmp_path)


def test_letters_of_rows_joined_since_an_earlier_run_are_named(tmp_path: Path) -> None:
    """Round 28a #4: after joining a cut row and running again into the same folder, the
    letter an earlier run wrote for a row now numbered otherwise is kept, and named."""
    first = (
        "name,account-email,situation\nErika Muster,erika@example.org,I object\n"
        "Otto Normal,otto@example.org,I object\nAnna Schmidt,anna@example.org,I object\n"
    )
    code, output = batch(tmp_path, first, OBJECTION_DE)
    assert code == 0, output
    assert "earlier run" not in output
    code, output = batch(tmp_path, first, OBJECTION_DE)  # a rerun: all unchanged
    assert code == 0, output
    assert "(3 unchanged from an earlier run)" in output
    assert "written by an earlier run for rows" not in output  # report.csv is no letter (30a)
    second = first.replace("Otto Normal,otto@example.org,I object\n", "")
    code, output = batch(tmp_path, second, OBJECTION_DE)
    assert code == 0, output
    assert "were written by an earlier run" in output
    assert "0002-normal-objection-de.txt, 0003-schmidt-objection-de.txt" in output
    assert (tmp_path / "out" / "0003-schmidt-objection-de.txt").exists()  # kept


@pytest.mark.parametrize(
    "typed_after",
    ["- Instagram: ex_profile\n- Facebook: ex.profile\n", "- email: ex@evil.com\n"],
)
def test_a_yaml_item_typed_after_a_row_s_text_holds_that_row_back(
    tmp_path: Path, typed_after: str
) -> None:
    """Round 29a: a mapping typed at the rows' level after a row's text is an item of its
    own, as a CSV line is; the row above waits until it is corrected."""
    content = (
        "- name: Erika Muster\n  account-email: erika@example.org\n"
        "  situation: He sends me messages from these accounts\n" + typed_after
        + "- name: Anna Schmidt\n  account-email: anna@example.org\n  situation: I object\n"
    )  # fmt: skip
    code, output = batch_text(tmp_path, content, OBJECTION_DE, name="members.yaml")
    assert code == 2, output
    listed = report(tmp_path)
    assert listed[0]["status"] == "error", listed
    assert "(line 1 of the file)" not in listed[0]["message"]
    assert "indent it under that key as a block" in listed[0]["message"]
    assert listed[-1]["status"] == "written"
    assert not [name for name in letters(tmp_path) if name.startswith("0001-")]


@pytest.mark.parametrize("address", [", , ", ",,,", " - "])
def test_an_address_of_separators_alone_is_the_row_s_error(tmp_path: Path, address: str) -> None:
    """Round 29a: a sheet's formula joining empty cells gave a letter with no postal
    address, and the default address was dropped without a word."""
    content = f'name,account-email,address,lang\nTom Weber,tom@example.org,"{address}",de\n'
    code, output = batch(tmp_path, content, OBJECTION_DE)
    assert code == 2, output
    assert "address:" in report(tmp_path)[0]["message"]
    assert "holds no letter or digit" in report(tmp_path)[0]["message"]


def test_an_all_quoted_export_with_an_address_over_two_lines_is_read(tmp_path: Path) -> None:
    """Round 29a: R's write.csv and pandas' QUOTE_ALL put every cell in quotes; the
    e-mail check read the first line with its quotes and refused a correct file."""
    content = (
        '"name","account-email","address","situation"\n'
        '"Erika Muster","erika@example.org","Hauptstr. 1\n10115 Berlin","I object to profiling"\n'
        '"Anna Schmidt","anna@example.org","Postfach 12, 10115 Berlin","I object"\n'
    )
    code, output = batch(tmp_path, content, 'kind = "objection"\njurisdiction = "DE"\n',
                         "--multiline-cells")  # fmt: skip
    assert code == 0, output
    assert [row["status"] for row in report(tmp_path)] == ["written", "written"]


def test_a_no_break_space_after_the_separator_is_prose_too(tmp_path: Path) -> None:
    """Round 29a: any space opening the second cell is prose's, under a row without it."""
    content = (
        "name,account-email,situation\nErika Muster,erika@example.org,He calls me from\n"
        "Tom Weber,\u00a0ex@evil.com,and from other numbers\n"
    )
    code, output = batch(tmp_path, content, OBJECTION_DE)
    assert code == 2, output
    assert [row["status"] for row in report(tmp_path)] == ["error", "error"]


def test_a_bom_saved_twice_is_read_as_one(tmp_path: Path) -> None:
    """Round 29a: two byte-order marks made every row fail on its first column's name."""
    content = "\ufeff\ufeffname,account-email,situation\nErika Muster,erika@example.org,I object\n"
    code, output = batch(tmp_path, content.encode("utf-8"), OBJECTION_DE)
    assert code == 0, output


def test_a_sep_line_that_names_another_separator_is_named(tmp_path: Path) -> None:
    """Round 30a: "sep=;" over comma rows made every row fail on one unknown column."""
    content = "sep=;\nname,account-email,situation\nErika Muster,erika@example.org,I object\n"
    code, output = batch(tmp_path, content, OBJECTION_DE)
    assert code == 2, output
    assert "line 1 says sep=;, but the header on line 2 is separated by ','" in output


def test_a_hashtag_line_after_a_yaml_text_refuses_the_file(tmp_path: Path) -> None:
    """Round 31a: "#erikamuster and calls me…" where the keys start was read as a
    comment, and the row's letter stopped short without a word."""
    content = (
        "- name: Erika Muster\n  account-email: erika@example.org\n"
        "  situation: He posts about me under\n"
        "  #erikamuster and calls me from other numbers every night\n"
        "- name: Tom Test\n  account-email: tom@example.org\n  situation: I object\n"
    )
    code, output = batch_text(tmp_path, content, OBJECTION_DE, name="members.yaml")
    assert code == 2, output
    assert "line 4: the line starting with '#' is a YAML comment" in output
    assert "a hashtag" in output
    noted = content.replace("  #erikamuster", "  # erikamuster")  # a comment: kept
    code, output = batch_text(tmp_path, noted, OBJECTION_DE, name="noted.yaml")
    assert code == 0, output


CUT_BY_AN_EARLIER_RUN = (
    "name,account-email,situation\nErika Muster,erika@example.org,He calls me from\n"
)


def written_cut(folder: Path) -> str:
    """A file whose one row an earlier run wrote, cut short (its rest not yet typed)."""
    code, output = batch(folder, CUT_BY_AN_EARLIER_RUN, OBJECTION_DE)
    assert code == 0, output
    return CUT_BY_AN_EARLIER_RUN


@pytest.mark.parametrize(
    ("added", "rest_says"),
    [
        # Round 30a: its rest appended since, an invalid row.
        ("ex@evil.com,friend@evil.com,and from other numbers every night",
         "row 1 above was written by an earlier run"),
        # Round 31a: a valid row written as prose, which a fresh run holds.
        ("the flat of Jan Kowalski, jan.k@example.org, every night",
         "a space follows this line's first separator"),
    ],
)  # fmt: skip
def test_a_line_added_under_a_letter_already_written_flags_it(
    tmp_path: Path, added: str, rest_says: str
) -> None:
    """A cut row written by an earlier run, and a line appended since that may be its
    rest: the letter on disk stops short, and both rows say so."""
    code, output = batch(tmp_path, written_cut(tmp_path) + added + "\n", OBJECTION_DE)
    assert code == 2, output
    above, rest = report(tmp_path)
    assert above["status"] == "error", above
    assert "was written by an earlier run" in above["message"]
    assert "that letter stops short" in above["message"]
    assert rest_says in rest["message"]
    assert not [name for name in letters(tmp_path) if name.startswith("0002-")]


@pytest.mark.parametrize(
    "mark", ["#_erikamuster", "#@erikamuster", "#\U0001f4f1 ", "#'", "#-", "#\tx"]
)
def test_any_hashtag_line_after_a_yaml_text_is_caught(tmp_path: Path, mark: str) -> None:
    """Round 32a: a '#' followed by any mark but a space, under a plain value."""
    content = (
        "- name: Erika Muster\n  account-email: erika@example.org\n"
        f"  situation: He posts about me under\n  {mark} and calls me every night\n"
        "- name: Tom Test\n  account-email: tom@example.org\n  situation: I object\n"
    )
    code, output = batch_text(tmp_path, content, OBJECTION_DE, name="members.yaml")
    assert code == 2, output
    assert "line 4: the line starting with '#'" in output
    assert not [name for name in letters(tmp_path) if name.startswith("0001-")]


def test_a_code_cell_ending_in_a_line_break_keeps_its_row_held(tmp_path: Path) -> None:
    """Round 32a: "objection⏎" in quotes (Alt+Enter at the end of a cell): refused with
    --multiline-cells; with --trust-quotes the record counts as one that may be cut."""
    content = (
        "name,account-email,kind,situation\n"
        "Anna Beispiel,anna@example.org,objection,She posts my photos\n"
        'Erika Muster,erika@example.org,"objection\n",He calls me from\n'
        "other numbers, every night, at work, too\n"
    )
    code, output = batch(tmp_path, content, OBJECTION_DE, "--multiline-cells")
    assert code == 2, output
    assert "its cell kind has 2 lines" in output
    code, output = batch(tmp_path, content, OBJECTION_DE, "--trust-quotes", "3-4")
    assert code == 2, output
    statuses = [row["status"] for row in report(tmp_path)]
    assert statuses[1] == "error", statuses
    assert not [name for name in letters(tmp_path) if name.startswith("0002-")]


@pytest.mark.parametrize(("cut", "rest"), [("DE", "-BY"), ("CA", "-QC")])
def test_a_code_that_goes_on_as_another_keeps_its_row_held(
    tmp_path: Path, cut: str, rest: str
) -> None:
    """Round 33a: "DE⏎-BY,…" in a sheet whose rows end in the jurisdiction: "DE" is a
    valid code that goes on as another, so the row may have been cut there."""
    content = (
        "name,account-email,jurisdiction,date,situation\n"
        f"Anna Beispiel,anna@example.org,{cut}\n"
        f"Erika Muster,erika@example.org,{cut}\n"
        f"{rest},2026-05-15,He calls me from other numbers every night\n"
        f"Tom Test,tom@example.org,{cut}\n"
    )
    code, output = batch(
        tmp_path, content, 'kind = "objection"\naddress = "Hauptstr. 1, 10115 Berlin"\n'
    )
    assert code == 2, output
    statuses = [row["status"] for row in report(tmp_path)]
    assert statuses[1] == "error", statuses  # Erika's row, held back
    assert not [name for name in letters(tmp_path) if name.startswith("0002-")]


def test_a_held_row_names_the_letter_an_earlier_run_wrote_for_it(tmp_path: Path) -> None:
    """Round 33a: the cut letter of an earlier run was named as a row's "no longer at
    that number"; it is that row's, kept, and may stop short."""
    second = (
        written_cut(tmp_path)
        + "ex@evil.com,friend@evil.com,and from other numbers\nTom Test,tom@example.org,I object\n"
    )
    code, output = batch(tmp_path, second, OBJECTION_DE, "--force")
    assert code == 2, output
    held = report(tmp_path)[0]
    assert "an earlier run wrote 0001-muster-objection-de.txt" in held["message"]
    assert "no longer has at those numbers" not in output


@pytest.mark.parametrize(
    "cut",
    [
        "Erika Muster,erika@example.org,FR\n,2026-05-15,He calls me from other numbers every night",
        "Erika Muster,erika@example.org,FR,\n2026-05-15,He calls me from other numbers, every night",
        "Erika Muster,erika@example.org,FR,2026-05-15\n,He calls me from other numbers, every night",
    ],
)
def test_a_line_break_between_two_cells_keeps_the_row_held(tmp_path: Path, cut: str) -> None:
    """Round 34a: in a sheet whose rows leave out trailing columns, a break typed between
    two cells leaves a row that ends in a whole code, an empty cell or a date: a line
    that leaves out columns may have been cut, whatever it ends in."""
    members = "".join(f"Member {n},m{n}@example.org,FR\n" for n in "ABCDE")
    content = f"name,account-email,jurisdiction,date,situation\n{members}{cut}\n"
    code, output = batch(
        tmp_path, content, 'kind = "objection"\naddress = "1 rue de la Paix, 75002 Paris"\n'
    )
    assert code == 2, output
    statuses = [row["status"] for row in report(tmp_path)]
    assert statuses[5] == "error", statuses
    assert not [name for name in letters(tmp_path) if name.startswith("0006-")]


@pytest.mark.parametrize("typed", ["2026-W20-5", "20260515", "2026-05-15T10:00"])
def test_a_date_is_written_yyyy_mm_dd(tmp_path: Path, typed: str) -> None:
    """Round 34a: Python reads ISO week dates and basic dates too; a cut could leave one."""
    content = f"date,situation\n{typed},I object\n"
    code, output = batch(tmp_path, content, ME)
    assert code == 2, output
    assert "is not a date; use YYYY-MM-DD" in report(tmp_path)[0]["message"]


@pytest.mark.parametrize("first", ["sep=; ", "SEP=;"])
def test_a_sep_line_in_capitals_or_with_a_trailing_space_is_read(
    tmp_path: Path, first: str
) -> None:
    """Round 35a: "sep=; " and "SEP=;" were read as the header."""
    content = f"{first}\nname;account-email;situation\nErika Muster;erika@example.org;I object\n"
    code, output = batch(tmp_path, content, OBJECTION_DE)
    assert code == 0, output


@pytest.mark.parametrize("empty", ["situation: |", "situation:", 'situation: ""', "situation: ~"])
def test_a_yaml_row_ending_in_an_empty_key_is_held_by_an_item_below(
    tmp_path: Path, empty: str
) -> None:
    """Round 36a: the text of "situation: |" typed below at the rows' level: the row
    ended in an empty key the row drops, and was written without the text."""
    content = (
        "- name: Erika Muster\n  account-email: erika@example.org\n  date: 2026-05-15\n"
        f"  {empty}\n- Instagram: ex_profile posts my photos\n- Facebook: ex.profile\n"
        "- name: Tom Test\n  account-email: tom@example.org\n  situation: I object\n"
    )
    code, output = batch_text(tmp_path, content, OBJECTION_DE, name="members.yaml")
    assert code == 2, output
    assert report(tmp_path)[0]["status"] == "error"
    assert not [name for name in letters(tmp_path) if name.startswith("0001-")]


def test_blank_lines_between_a_sep_line_and_the_header_are_skipped(tmp_path: Path) -> None:
    """Round 35a: "sep=;", a blank line, then the header gave "no header row"."""
    content = "sep=;\n\nname;account-email;situation\nErika Muster;erika@example.org;I object\n"
    code, output = batch(tmp_path, content, OBJECTION_DE)
    assert code == 0, output


@pytest.mark.parametrize("ranges", ["5-9", "1-99999999999999999999", "2-3,7-8"])
def test_a_trust_quotes_range_that_names_no_record_is_refused(tmp_path: Path, ranges: str) -> None:
    """Round 37a: a mistyped --trust-quotes range vouched for nothing, without a word."""
    content = (
        "name,account-email,address\n"
        'Erika Muster,erika@example.org,"Hauptstrasse 1\n10115 Berlin"\n'
        "Otto Normal,otto@example.org,Hauptstrasse 2 10115 Berlin\n"
    )
    trusted = "2-3" if ranges.startswith("2-3") else ""  # the record over two lines
    given = ranges if trusted else f"2-3,{ranges}"
    code, output = batch(tmp_path, content, OBJECTION_DE, "--trust-quotes", given)
    assert code == 2, output
    assert "no row of" in output
    code, output = batch(tmp_path, content, OBJECTION_DE, "--trust-quotes", "2-3")
    assert code == 0, output
