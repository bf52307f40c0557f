"""Attack review 11b, findings 1, 4 and 5: the tracking store's dates, forget, own files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dsr import track
from dsr.cli import main
from tests.store_tools import tamper

MEMBER = [
    "--kind", "objection", "--jurisdiction", "DE", "--controller", "linkedin",
    "--name", "Erika M", "--address", "Hauptstraße 1, 10115 Berlin",
    "--account-email", "e@example.org",
]  # fmt: skip
RANGE = "is out of range for tracking; use a date from 1990 to 2200"


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def tracked(output: Path, day: str = "2026-10-01", *extra: str) -> None:
    code, text = invoke("letter", *MEMBER, *extra, "--date", day, "--track", "-o", str(output))
    assert code == 0, text


def set_column(home: Path, request_id: int, column: str, value: str) -> None:
    """What an older dsr (or a hand edit) left in the store."""
    tamper(home, f"UPDATE requests SET {column} = ? WHERE id = ?", value, request_id, sealed=True)


def listed(home: Path) -> list[dict[str, object]]:
    code, text = invoke("track", "list", "--json")
    assert code == 0, text
    rows: list[dict[str, object]] = json.loads(text)
    return rows


# 1 (HIGH): a date dsr stored itself made the whole store unreadable.


@pytest.mark.parametrize("day", ["0001-01-01", "2300-06-01", "1989-12-31"])
def test_1_track_answered_refuses_a_date_the_store_cannot_read(
    day: str, tmp_path: Path, dsr_home: Path
) -> None:
    tracked(tmp_path / "a.txt")
    code, output = invoke("track", "answered", "1", "--date", day)
    assert code == 2, output
    assert output == f"Error: --date: {day} {RANGE}\n"
    assert listed(dsr_home)[0]["status"] != "answered"  # nothing was stored


def test_1_track_remind_refuses_a_date_the_store_cannot_read_before_writing(
    tmp_path: Path, dsr_home: Path
) -> None:
    tracked(tmp_path / "a.txt")
    reminder = tmp_path / "r.txt"
    code, output = invoke("track", "remind", "1", "--date", "2999-01-01", "-o", str(reminder))
    assert code == 2, output
    assert output == f"Error: --date: 2999-01-01 {RANGE}\n"
    assert not reminder.exists()
    assert track.get(1).reminded is None


def test_1_escalate_refuses_a_controller_complaint_date_the_store_cannot_read(
    tmp_path: Path, dsr_home: Path
) -> None:
    code, output = invoke(
        "letter", "--kind", "erasure", "--jurisdiction", "GB", "--controller", "linkedin",
        "--name", "Jo Bloggs", "--address", "1 High Street, London, SW1A 1AA",
        "--account-email", "jo@example.org", "--date", "2026-10-01", "--track",
        "-o", str(tmp_path / "a.txt"),
    )  # fmt: skip
    assert code == 0, output
    complaint = tmp_path / "c.txt"
    code, output = invoke("track", "escalate", "1", "--date", "2999-01-01", "-o", str(complaint))
    assert code == 2, output
    assert output == f"Error: --date: 2999-01-01 {RANGE}\n"
    assert not complaint.exists()
    assert track.get(1).controller_complaint is None


@pytest.mark.parametrize(
    ("day", "message"),
    [
        ("2250-10-01", f"--date: 2250-10-01 {RANGE}"),
        (
            "2200-12-20",
            "--date: 2200-12-20 gives the deadline 2201-01-20, which is out of range for "
            "tracking; use a date from 1990 to 2200",
        ),
    ],
)
def test_1_letter_track_refuses_a_date_the_store_cannot_read_before_writing(
    day: str, message: str, tmp_path: Path, dsr_home: Path
) -> None:
    output = tmp_path / "a.txt"
    code, text = invoke("letter", *MEMBER, "--date", day, "--track", "-o", str(output))
    assert code == 2, text
    assert text == f"Error: {message}\n"
    assert not output.exists()
    assert not (dsr_home / "tracking.sqlite3").exists()
    # Untracked, the letter's own range still holds (to 2999).
    code, text = invoke("letter", *MEMBER, "--date", day, "-o", str(output))
    assert code == 0, text


def test_1_one_unreadable_row_is_named_and_the_others_stay_usable(
    tmp_path: Path, dsr_home: Path
) -> None:
    tracked(tmp_path / "a.txt")
    tracked(tmp_path / "b.txt", "2026-10-01", "--reference", "B-2")  # another request
    set_column(dsr_home, 1, "answered", "0001-01-01")  # as dsr wrote it before the fix
    fix = (
        "holds a request dsr cannot read: request 1 (answered: the date 0001-01-01 is out of "
        "range); correct it with 'dsr track answered 1 --date YYYY-MM-DD', or remove it with "
        "'dsr track remove 1'"
    )
    result = CliRunner().invoke(main, ["track", "list", "--json"], catch_exceptions=False)
    assert result.exit_code == 2, result.output
    assert [row["id"] for row in json.loads(result.stdout)] == [2]
    assert result.stderr == f"Error: the tracking store {dsr_home / 'tracking.sqlite3'} {fix}\n"
    code, output = invoke("track", "list")
    assert code == 2, output
    assert "2026-11-02" in output  # request 2's deadline
    calendar = tmp_path / "d.ics"
    code, output = invoke("track", "ics", "-o", str(calendar))
    assert code == 2, output
    assert fix in output
    assert calendar.read_text("utf-8").count("BEGIN:VEVENT") == 1
    code, output = invoke("track", "answered", "1", "--date", "2026-10-20")
    assert code == 0, output
    assert [row["verdict"] for row in listed(dsr_home)] == ["complete", None]


@pytest.mark.parametrize(
    ("column", "value", "problem"),
    [
        ("sent", "2250-10-01", "sent: the date 2250-10-01 is out of range"),
        ("reminded", "2999-01-01", "reminded: the date 2999-01-01 is out of range"),
        ("inputs", "[1, 2]", "inputs is not a table of options"),
    ],
)
def test_1_a_row_no_other_command_can_correct_can_be_removed(
    column: str, value: str, problem: str, tmp_path: Path, dsr_home: Path
) -> None:
    tracked(tmp_path / "a.txt")
    tracked(tmp_path / "b.txt", "2026-10-01", "--reference", "B-2")  # another request
    set_column(dsr_home, 1, column, value)
    code, output = invoke("track", "list")
    assert code == 2, output
    assert f"cannot read: request 1 ({problem}); remove it with 'dsr track remove 1'" in output
    code, output = invoke("track", "remove", "1")
    assert code == 2, output
    assert output == "Error: track remove: add --yes to remove request 1 without a prompt\n"
    code, output = invoke("track", "remove", "1", "--yes")
    assert code == 0, output
    assert output == "Request 1: removed from tracking (its letters are kept).\n"
    assert [row["id"] for row in listed(dsr_home)] == [2]
    assert (tmp_path / "a.txt").exists()
    code, output = invoke("track", "remove", "1", "--yes")
    assert code == 2, output
    assert output == "Error: no tracked request with id 1; see 'dsr track list'\n"


def test_1_track_close_works_on_an_unreadable_row(tmp_path: Path, dsr_home: Path) -> None:
    tracked(tmp_path / "a.txt")
    set_column(dsr_home, 1, "answered", "0001-01-01")
    code, output = invoke("track", "close", "1")
    assert code == 0, output


# 4 (HIGH): forget removed folders dsr never stored anything in.


def test_4_forget_keeps_an_empty_data_folder_dsr_never_stored_in(dsr_home: Path) -> None:
    (dsr_home / "controllers").mkdir()
    code, output = invoke("forget", "--yes")
    assert code == 0, output
    assert (dsr_home / "controllers").is_dir()
    assert output.splitlines()[0] == f"Removed 0 files and folders from {dsr_home}."
    assert f"Kept {dsr_home / 'controllers'}: dsr did not write it." in output
    assert output.splitlines()[-1] == f"Kept {dsr_home}: it still holds what is listed above."
    (dsr_home / "controllers").rmdir()
    code, output = invoke("forget", "--yes")
    assert code == 0, output
    assert dsr_home.is_dir()
    assert output.splitlines()[-1] == f"Kept {dsr_home}: dsr stored nothing there."


def test_4_forget_keeps_a_controllers_folder_dsr_stored_nothing_in(
    tmp_path: Path, dsr_home: Path
) -> None:
    tracked(tmp_path / "a.txt")  # dsr's manifest, listing the store only
    (dsr_home / "controllers").mkdir()
    code, output = invoke("forget", "--yes")
    assert code == 0, output
    assert not (dsr_home / "tracking.sqlite3").exists()
    assert not (dsr_home / "manifest.jsonl").exists()
    assert (dsr_home / "controllers").is_dir()
    assert f"Kept {dsr_home / 'controllers'}: dsr did not write it." in output
    assert f"Kept {dsr_home}: it still holds what is listed above." in output


# 5 (MEDIUM): an output replaced dsr's manifest or a tracked letter.


def test_5_track_ics_wants_an_ics_name(tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("mine", "utf-8")
    code, output = invoke("track", "ics", "-o", str(notes), "--force")
    assert code == 2, output
    assert output.startswith("Error: --output: 'notes.txt' is not a .ics name; use one")
    assert notes.read_text("utf-8") == "mine"


def test_5_no_output_replaces_dsrs_manifest_or_a_tracked_letter(
    tmp_path: Path, dsr_home: Path
) -> None:
    first, second = tmp_path / "a.txt", tmp_path / "b.txt"
    tracked(first)
    tracked(second, "2026-10-01", "--reference", "B-2")  # another request
    manifest = dsr_home / "manifest.jsonl"
    before = {path: path.read_bytes() for path in (first, second, manifest)}
    never = "dsr never replaces it: choose another output file"
    letter_of = (
        "is also the letter dsr tracks as request {0}; " + never
        + ", or first stop tracking request {0} ('dsr track remove {0}')"
    )  # fmt: skip
    cases = [
        (("track", "ics"), manifest, "is also dsr's list of the files it stored; " + never),
        (("track", "ics"), first, letter_of.format(1)),
        (("letter", *MEMBER, "--date", "2026-10-02"), second, letter_of.format(2)),
        (("letter", *MEMBER, "--date", "2026-10-02", "--track"), first, letter_of.format(1)),
        (("track", "remind", "1"), second, letter_of.format(2)),
        (("track", "remind", "1"), first, letter_of.format(1)),
        (("track", "escalate", "2"), first, letter_of.format(1)),
    ]
    for command, target, message in cases:
        for force in ((), ("--force",)):
            code, output = invoke(*command, "-o", str(target), *force)
            assert code == 2, (command, force, output)
            assert output == f"Error: --output: {target} {message}\n", (command, force)
    assert {path: path.read_bytes() for path in before} == before
    assert len(listed(dsr_home)) == 2


def test_5_a_follow_up_may_write_its_own_earlier_reminder_again(
    tmp_path: Path, dsr_home: Path
) -> None:
    tracked(tmp_path / "a.txt")
    tracked(tmp_path / "b.txt", "2026-10-01", "--reference", "B-2")  # another request
    reminder = tmp_path / "r.txt"
    code, output = invoke("track", "remind", "1", "--date", "2026-11-10", "-o", str(reminder))
    assert code == 0, output
    code, output = invoke(
        "track", "remind", "1", "--date", "2026-11-11", "-o", str(reminder), "--force"
    )
    assert code == 0, output  # recorded again, with what it holds now
    assert (
        track.get(1).file_hashes[str(reminder)] == hashlib.sha256(reminder.read_bytes()).hexdigest()
    )
    before = reminder.read_bytes()
    for command in (("track", "remind", "2"), ("letter", *MEMBER, "--date", "2026-10-02")):
        code, output = invoke(*command, "-o", str(reminder), "--force")
        assert code == 2, output
        assert "is also the letter dsr tracks as request 1" in output
    assert reminder.read_bytes() == before


def test_12_a_manifest_listing_a_folder_without_a_batch_names_nothing(
    tmp_path: Path, dsr_home: Path
) -> None:
    """12b #2 (LOW): a manifest line {"batch": "/"} made forget say "/ holds letters"."""
    from dsr import batch, userdata

    assert userdata.BATCH_STATE_FILE == batch.STATE_FILE
    (dsr_home / "manifest.jsonl").write_text(json.dumps({"batch": "/"}) + "\n", encoding="utf-8")
    assert batch.OutputFolders.known().listed == frozenset()
    assert userdata.forget().batches == []


def test_12_forget_names_at_most_a_hundred_files_it_keeps(tmp_path: Path, dsr_home: Path) -> None:
    """12b #3 (LOW): DSR_HOME=/usr listed 123,016 files after an 8 s walk."""
    from dsr import userdata

    for number in range(150):
        (dsr_home / f"notes-{number}.txt").write_text("mine", encoding="utf-8")
    done = userdata.forget()
    assert len(done.kept) == userdata.KEPT_NAMED
    assert done.more_kept
    assert len(list(dsr_home.iterdir())) == 150  # nothing of the user's removed
