"""Attack review 13b: a tampered store's files and text, format widths, links in an import."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from dsr.cli import main
from dsr.cliwords import cli_command, cli_option
from dsr.errors import wording
from tests.store_tools import tamper
from tests.test_attack_9 import annex_pdf

LETTER = [
    "letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "Alice A",
    "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "a@example.org",
    "--date", "2026-11-02",
]  # fmt: skip
REMIND = ["track", "remind", "1", "--date", "2026-12-10"]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def tracked_letter(tmp_path: Path) -> Path:
    letter = tmp_path / "letters" / "a.pdf"
    letter.parent.mkdir()
    code, output = invoke(*LETTER, "--track", "-o", str(letter))
    assert code == 0, output
    return letter


def add_file(home: Path, name: str, *, sealed: bool = True) -> None:
    connection = sqlite3.connect(home / "tracking.sqlite3")
    (files,) = connection.execute("SELECT files FROM requests WHERE id = 1").fetchone()
    connection.close()
    tamper(
        home,
        "UPDATE requests SET files = ? WHERE id = 1",
        json.dumps([*json.loads(files), name]),
        sealed=sealed,
    )


# 1 (CRITICAL): a path the store lists without a sha256 was appended, whatever it was.


def test_1_a_foreign_pdf_listed_without_a_hash_is_not_appended(
    tmp_path: Path, dsr_home: Path
) -> None:
    tracked_letter(tmp_path)
    secret = annex_pdf(tmp_path / "x" / "secret.pdf", "SECRET")  # not written by dsr
    add_file(dsr_home, str(secret))
    reminder = tmp_path / "rem.pdf"
    code, output = invoke(*REMIND, "-o", str(reminder))
    assert code == 2, output
    assert f"request 1: cannot append {secret}" in output
    assert "not a letter dsr wrote" in output
    assert "dsr track remove 1" in output
    assert not reminder.exists()


def test_1_a_foreign_reminder_file_is_not_appended_to_the_complaint(
    tmp_path: Path, dsr_home: Path
) -> None:
    tracked_letter(tmp_path)
    secret = annex_pdf(tmp_path / "x" / "secret.pdf", "SECRET")
    tamper(
        dsr_home,
        "UPDATE requests SET reminded = '2026-12-10', reminder_file = ?",
        str(secret),
        sealed=True,
    )
    complaint = tmp_path / "complaint.pdf"
    code, output = invoke(
        "track", "escalate", "1", "--jurisdiction", "DE-BE", "--date", "2027-01-20",
        "-o", str(complaint),
    )  # fmt: skip
    assert code == 2, output
    assert f"request 1: cannot append {secret}" in output
    assert "dsr track remove 1" in output
    assert not complaint.exists()


def test_1_an_unhashed_hard_link_is_refused_and_an_unhashed_dsr_letter_still_appended(
    tmp_path: Path, dsr_home: Path
) -> None:
    letter = tracked_letter(tmp_path)
    tamper(
        dsr_home, "UPDATE requests SET file_hashes = NULL", sealed=True
    )  # a row from before hashes
    reminder = tmp_path / "rem.pdf"
    code, output = invoke(*REMIND, "-o", str(reminder))
    assert code == 0, output
    assert len(PdfReader(reminder).pages) > len(PdfReader(letter).pages)  # the letter appended
    other = tmp_path / "private" / "other.pdf"  # another member's letter, written by dsr
    other.parent.mkdir()
    code, output = invoke(*["Bob B" if a == "Alice A" else a for a in LETTER], "-o", str(other))
    assert code == 0, output
    linked = tmp_path / "letters" / "b.pdf"
    linked.hardlink_to(other)
    add_file(dsr_home, str(linked))
    code, output = invoke(*REMIND, "-o", str(reminder), "--force")
    assert code == 2, output
    assert f"request 1: cannot append {linked}" in output
    assert "a hard link" in output
    assert "dsr track remove 1" in output


def test_1_annex_contents_reads_an_unhashed_letter_as_checked_bytes(
    tmp_path: Path, dsr_home: Path
) -> None:
    from dsr import track

    letter = tracked_letter(tmp_path)
    tamper(dsr_home, "UPDATE requests SET file_hashes = NULL", sealed=True)
    (content,) = track.annex_contents(track.get(1), [str(letter.resolve())])
    assert content == letter.read_bytes()  # read once, not reopened by name later
    secret = annex_pdf(tmp_path / "x" / "secret.pdf", "SECRET")
    # The library's plain wording (the CLI says 'dsr track remove 1': its wording, below).
    with pytest.raises(track.TrackingError, match="run 'track remove 1'"):
        track.annex_contents(track.get(1), [str(secret)])
    with wording(cli_option, cli_command), pytest.raises(track.TrackingError) as error:
        track.annex_contents(track.get(1), [str(secret)])
    assert "run 'dsr track remove 1'" in str(error.value)


# 2 (MEDIUM): a width given as text through a nested field passed the width cap.


@pytest.mark.parametrize(
    "expression",
    [
        "'{0:{1}}'.format(1, '2000000')|length",
        "'{0:{w}}'.format(1, w='20000' ~ '00')|length",
        "'{x:{w}}'.format_map({'x': 1, 'w': '2000000'})|length",
        "'{0:{1}}'.format(1, '900000000')|length",
        "'{0:{w}}'.format(1, w='90000' ~ '0000')|length",
        "'{}'.format('900000000')",
        "'%s' % '900000000'",
    ],
)
def test_2_a_width_given_as_text_is_refused_before_formatting(expression: str) -> None:
    from dsr.sandbox import BoundedEnvironment, TemplateTooCostly

    environment = BoundedEnvironment()
    with pytest.raises(TemplateTooCostly, match=r"width|digits"):
        environment.from_string("{{ " + expression + " }}").render()


def test_2_ordinary_formatting_still_works() -> None:
    from dsr.sandbox import BoundedEnvironment

    environment = BoundedEnvironment()
    source = "{{ '{:>10}'.format('x') }}|{{ '{0}-{1:03d}'.format('a', 7) }}|{{ '%5s' % 'ab' }}"
    assert environment.from_string(source).render() == "         x|a-007|   ab"


# 3 (LOW): stored text reached the terminal raw in `track list`.


@pytest.mark.parametrize("reference", ["R\x1b]0;owned\x07X", "REF\nATTENDEE:x", "R\u202eX"])
def test_3_track_list_escapes_stored_text(reference: str, tmp_path: Path, dsr_home: Path) -> None:
    code, output = invoke(*LETTER, "--track", "-o", str(tmp_path / "a.txt"))
    assert code == 0, output
    tamper(dsr_home, "UPDATE requests SET reference = ?", reference, sealed=True)
    code, output = invoke("track", "list")
    assert code == 0, output
    assert output.count("\n") == 2, output  # the header and one row
    assert not any(ch in output for ch in "\x1b\x07\r\u202e"), output
    assert "\\u" in output


# 4 (LOW): `controllers import DIR` followed links out of DIR.


def test_4_import_skips_links_and_reads_only_files_in_the_folder(tmp_path: Path) -> None:
    record = {
        "slug": "acme", "name": "ACME", "address": "Main St 1\n10115 Berlin\nGermany",
        "relevant-countries": ["de"], "email": "x@acme.example",
    }  # fmt: skip
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "private.json").write_text(json.dumps(record), encoding="utf-8")
    folder = tmp_path / "ds"
    folder.mkdir()
    (folder / "good.json").write_text(json.dumps({**record, "slug": "goodco"}), encoding="utf-8")
    (folder / "acme.json").symlink_to("../elsewhere/private.json")
    (folder / "host.json").symlink_to("/etc/hostname")
    code, output = invoke("controllers", "import", str(folder))
    assert code == 2, output
    reason = f"a link; dsr does not follow links out of {folder}"
    assert f"skipped {folder / 'acme.json'}: {reason}" in output
    assert f"skipped {folder / 'host.json'}: {reason}" in output
    assert "Imported 1 controller, skipped 2." in output
    code, output = invoke("list", "controllers", "--json")
    slugs = {row["slug"] for row in json.loads(output)}
    assert "goodco" in slugs
    assert "acme" not in slugs


# 14b #1, #2 (CRITICAL, write access to the store): a foreign PDF listed with its own
# sha256, or another person's dsr letter listed without one, was appended.
@pytest.mark.parametrize("with_hash", [True, False])
def test_14_only_this_request_s_own_letters_are_appended(
    with_hash: bool, tmp_path: Path, dsr_home: Path
) -> None:
    import hashlib

    tracked_letter(tmp_path)
    bob = tmp_path / "other" / "bob.pdf"
    bob.parent.mkdir()
    code, output = invoke(
        "letter", "--kind", "access", "--jurisdiction", "DE", "--name", "Bob Secret",
        "--address", "Geheimweg 9, 10115 Berlin", "--account-email", "b@example.org",
        "--date", "2026-11-02", "-o", str(bob),
    )  # fmt: skip
    assert code == 0, output
    add_file(dsr_home, str(bob))
    if with_hash:
        connection = sqlite3.connect(dsr_home / "tracking.sqlite3")
        (hashes,) = connection.execute("SELECT file_hashes FROM requests WHERE id = 1").fetchone()
        connection.close()
        planted = {**json.loads(hashes), str(bob): hashlib.sha256(bob.read_bytes()).hexdigest()}
        tamper(
            dsr_home,
            "UPDATE requests SET file_hashes = ? WHERE id = 1",
            json.dumps(planted),
            sealed=True,
        )
    reminder = tmp_path / "rem.pdf"
    code, output = invoke(*REMIND, "-o", str(reminder))
    assert code == 2, output
    assert f"request 1: cannot append {bob}" in output
    assert "not a letter dsr wrote for this request" in output or "not a letter dsr wrote" in output
    assert not reminder.exists()


# 15b #2, #3 (MEDIUM): a tampered store's BLOB recipient or unknown jurisdiction gave an
# internal error (exit 1); it is a row dsr cannot read, named, exit 2.
@pytest.mark.parametrize(
    "change", ["UPDATE requests SET recipient = x'41'", "UPDATE requests SET jurisdiction = 'XX'"]
)
def test_15_a_tampered_row_of_another_type_is_named_not_an_internal_error(
    change: str, tmp_path: Path, dsr_home: Path
) -> None:
    tracked_letter(tmp_path)
    tamper(dsr_home, change, sealed=True)
    for command in (
        ["track", "ics", "-o", str(tmp_path / "c.ics")],
        [*REMIND, "-o", str(tmp_path / "r.pdf")],
    ):
        code, output = invoke(*command)
        assert code == 2, output
        assert "internal error" not in output
        assert "track remove 1" in output or "request 1" in output
