"""Attack review 18a: a CSV file's rows come in several widths; a second header of other
columns, or after its own BOM; formula errors of more locales; JSON over several lines
anywhere in the file."""

from __future__ import annotations

import io
import json
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr.batch import _is_missing
from dsr.cli import main
from tests.test_attack_17 import PERSON, SHARED_ADDRESS, batch

from .batch_tools import batch_text


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
    assert "check the quotes" in output


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


# Round 19a #4, #5, #8, #9.
def test_19a_4_a_second_header_in_quotes_after_its_bom_refuses_the_file(tmp_path: Path) -> None:
    code, output = batch(
        tmp_path,
        "joined.csv",
        '\ufeff"name","account-email","situation","reference"\r\n'
        '"Otto Normal","otto@example.org","I am a teacher","T-1"\r\n'
        '\ufeff"situation","account-email","name","reference"\r\n'
        '"I am a nurse","erika@example.org","Erika Muster","N-1"\r\n',
        SHARED_ADDRESS,
    )
    assert code == 2, output
    assert "line 3 names columns, as the header does" in output
    assert not (tmp_path / "out").exists()


def test_19a_5_a_database_s_null_is_a_missing_value(tmp_path: Path) -> None:
    code, output = batch(
        tmp_path,
        "members.tsv",
        "name\taccount-email\tsituation\nErika Muster\terika@example.org\t\\N\n"
        "Otto Normal\totto@example.org\tI teach\n",
        SHARED_ADDRESS,
    )
    assert code == 2, output
    assert "row 1: situation: '\\\\N' is how a program writes a missing value" in output


def test_19a_8_9_json_lines_cut_or_joined_by_commas_are_named(tmp_path: Path) -> None:
    code, output = batch(
        tmp_path,
        "cut.jsonl",
        '{"name": "Erika Muster", "account-email": "erika@example.org", "enclose": [\n"a.pdf"]}\n',
        SHARED_ADDRESS,
    )
    assert code == 2, output
    assert "an object runs over several lines" in output
    code, output = batch(
        tmp_path,
        "commas.jsonl",
        '{"name": "Erika Muster", "account-email": "erika@example.org"},\n'
        '{"name": "Otto Normal", "account-email": "otto@example.org"}\n',
        SHARED_ADDRESS,
    )
    assert code == 2, output
    assert "row 1: a comma after the object: JSON Lines has no commas between rows" in output


# Round 19a #2, #3: rows swallowed whose e-mail address is mistyped, or bare companies.
@pytest.mark.parametrize(
    ("content", "defaults"),
    [
        ('name,account-email,situation\nErika Muster,erika@example.org,"I am a nurse\n'
         "Otto Normal,otto@gmail,I object\nHans Meier,hans.meier(at)web.de,I object\"\n"
         "Anna Schmidt,anna@example.org,I teach\n", SHARED_ADDRESS),
        ('controller,situation,reference\nfacebook,"I object to ads,FB-1\ngoogle\nyoutube\n'
         'twiter,I object",X-1\nlinkedin,I object,LI-1\nreddit,I object,R-1\n', PERSON),
    ],
    ids=["mistyped-e-mails", "bare-companies"],
)  # fmt: skip
def test_19a_2_3_rows_a_stray_quote_swallows_are_found(
    content: str, defaults: str, tmp_path: Path
) -> None:
    code, output = batch(tmp_path, "members.csv", content, defaults)
    assert code == 2, output
    assert "reads as a member's row" in output
    assert not (tmp_path / "out").exists()


# Round 19a #6, #7 and the MEDIUM refusals of earlier rounds: a correct file whose cell
# holds lines that look like rows is refused, and --trust-quotes is the way on.
LOG = (
    "name,account-email,situation\nOtto Normal,otto@example.org,I am a teacher\n"
    'Erika Muster,erika@example.org,"My ex appeared at:\n12 May, 8:00, my work\n'
    '14 May, 18:00, the gym\n20 May, 7:30, my home"\nAnna Schmidt,anna@example.org,I teach\n'
)


def test_19a_6_a_correct_file_refused_for_its_quotes_goes_through_with_trust_quotes(
    tmp_path: Path,
) -> None:
    code, output = batch(tmp_path, "log.csv", LOG, SHARED_ADDRESS)
    assert code == 2, output
    assert "run again with --trust-quotes 3-6" in output
    code, output = batch_text(
        tmp_path, LOG, SHARED_ADDRESS, "--multiline-cells", "--trust-quotes", "3-6", name="log.csv"
    )
    assert code == 0, output
    written = sorted((tmp_path / "out").glob("*.txt"))
    assert len(written) == 3
    assert "14 May, 18:00, the gym" in written[1].read_text(encoding="utf-8")


def test_trust_quotes_still_refuses_a_quote_that_never_closes(tmp_path: Path) -> None:
    content = (
        'name,account-email,situation\nErika Muster,erika@example.org,"I object\n'
        "Otto Normal,otto@example.org,I object\n"
    )
    code, output = batch_text(
        tmp_path, content, SHARED_ADDRESS, "--multiline-cells", "--trust-quotes", "2-3",
        name="open.csv",
    )  # fmt: skip
    assert code == 2, output
    assert "never closes" in output


# Round 19b #1: an annex whose first page has no size, or a deflate bomb for contents,
# is refused when it is named, naming the file (was an internal error, exit 1).
def _raw_pdf(contents: bytes, mediabox: str) -> bytes:
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        f"<< /Type /Page /Parent 2 0 R /MediaBox [{mediabox}] /Contents 4 0 R >>".encode(),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(contents)
        + contents
        + b"\nendstream",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % number + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def _bomb() -> bytes:
    squeeze = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    return b"".join(squeeze.compress(chunk) for _ in range(200)) + squeeze.flush()


@pytest.mark.parametrize(
    ("make", "why"),
    [
        (lambda: _raw_pdf(zlib.compress(b"0 0 m"), "0 0 1e30 1e30"), "MediaBox"),
        (lambda: _raw_pdf(zlib.compress(b"0 0 m"), "0 0 0 0"), "measures 0 by 0"),
        (lambda: _raw_pdf(_bomb(), "0 0 595 842"), "DataDecodingError"),
    ],
    ids=["huge-box", "no-size", "deflate-bomb"],
)
def test_19b_1_a_hostile_annex_is_refused_by_name(
    make: Callable[[], bytes], why: str, tmp_path: Path
) -> None:
    annex = tmp_path / "annex.pdf"
    annex.write_bytes(make())
    result = CliRunner().invoke(
        main,
        ["letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "Alice A",
         "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "a@example.org",
         "--enclose", str(annex), "-o", str(tmp_path / "a.pdf")],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert f"--enclose: {annex}: cannot read this PDF" in result.output
    assert why in result.output
    assert not (tmp_path / "a.pdf").exists()


def test_19b_2_a_company_name_e_mail_cannot_carry_is_the_company_s_error(tmp_path: Path) -> None:
    from tests.test_attack_medium import RECORD

    record = {**RECORD, "entities": [{**RECORD["entities"][0], "name": "Acme =?utf-8?b?eA==?="}]}
    record["privacy_email"] = "dpo@acme.example"
    source = tmp_path / "c.json"
    source.write_text(json.dumps({"acme": record}), encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "Alice A",
         "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "a@example.org",
         "--controller-file", str(source), "-o", str(tmp_path / "x.eml")],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "--controller: 'Acme =?utf-8?b?eA==?=' contains '=?'" in result.output
    assert "--name" not in result.output


# Round 20a #1, #2: a swallowed row whose e-mail cell is not an address, or empty; a known
# company with a second cell written as a program writes cells.
@pytest.mark.parametrize(
    "otto",
    ["Otto Normal,Otto Normal <otto@example.org>,I object", "Otto Normal,otto @example.org,I object",
     "Otto Normal,a@example.org b@example.org,I object", "Otto Normal,,I object"],
    ids=["display-name", "space", "two", "empty"],
)  # fmt: skip
def test_20a_1_a_swallowed_row_with_any_e_mail_cell_is_found(otto: str, tmp_path: Path) -> None:
    code, output = batch(
        tmp_path,
        "members.csv",
        f'name,account-email,situation\nErika Muster,erika@example.org,"I am a nurse\n{otto}"\n'
        "Anna Schmidt,anna@example.org,I am a teacher\n",
        SHARED_ADDRESS,
    )
    assert code == 2, output
    assert "check the quotes" in output
    assert not (tmp_path / "out").exists()


def test_20a_2_a_known_company_and_a_cell_as_a_program_writes_them_is_a_row(
    tmp_path: Path,
) -> None:
    code, output = batch(
        tmp_path,
        "companies.csv",
        'controller,situation,reference\nfacebook,"I object to ads,FB-1\ngoogle,I object\n'
        'twiter,I object to profiling",X-1\nlinkedin,I object,LI-1\nreddit,I object,R-1\n',
        PERSON,
    )
    assert code == 2, output
    assert "its line 3 reads as a member's row" in output


# Round 20a #3: --trust-quotes names the lines the member checked; a second suspect
# record, named in the same refusal, is not covered by trusting the first.
TRUST = (
    "name,account-email,situation\n"
    'Erika Muster,erika@example.org,"My ex appeared at:\n12 May, 8:00, my work\n'
    '14 May, 18:00, the gym\n20 May, 7:30, my home"\nOtto Normal,otto@example.org,I teach\n'
    'Hans Meier,hans@example.org,"I object to profiling\n'
    'Petra Klein,petra@example.org,I am a nurse\nLisa Lang,lisa@example.org,I object"\n'
    "Anna Schmidt,anna@example.org,I am a teacher\n"
)


def test_20a_3_trust_quotes_covers_only_the_lines_named(tmp_path: Path) -> None:
    code, output = batch(tmp_path, "members.csv", TRUST, SHARED_ADDRESS)
    assert code == 2, output
    assert "lines 2 to 5 are read as one row" in output
    assert "lines 7 to 9 are read as one row" in output  # both named at once
    assert "--trust-quotes 2-5,7-9" in output
    settings = tmp_path / "defaults.toml"
    result = CliRunner().invoke(
        main,
        ["batch", str(tmp_path / "members.csv"), "-o", str(tmp_path / "out"), "--format",
         "txt", "--multiline-cells", "--defaults", str(settings), "--trust-quotes", "2-5"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "lines 7 to 9 are read as one row" in result.output
    assert not (tmp_path / "out").exists()
    result = CliRunner().invoke(
        main,
        ["batch", str(tmp_path / "members.csv"), "-o", str(tmp_path / "out"),
         "--trust-quotes", "9-7"],
        catch_exceptions=False,
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "'9-7' is not a range of lines as dsr names them" in result.output


# Round 20b #1, #6: the end of input at a prompt; no warning for a folder never made.
def test_20b_1_the_end_of_input_at_a_prompt_stops_saying_what_was_not_done(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from dsr import cli

    monkeypatch.setattr(cli, "is_interactive", lambda: True)
    result = CliRunner().invoke(main, ["forget"], input="")  # Ctrl-D
    assert result.exit_code == 2, result.output
    assert "Stopped: nothing was removed." in result.output
    result = CliRunner().invoke(main, ["forget"], input="n\n")
    assert result.exit_code == 2, result.output


def test_20b_6_an_unknown_company_gives_no_warning_about_a_folder_never_made(
    tmp_path: Path,
) -> None:
    result = CliRunner().invoke(
        main,
        ["letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "A A",
         "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "a@example.org",
         "--controller", "meta", "-o", str(tmp_path / "a.pdf")],
    )  # fmt: skip
    assert result.exit_code == 2, result.output
    assert "'meta' is unknown" in result.output
    assert "Warning" not in result.output
