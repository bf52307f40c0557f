"""Issue 15, tracking's loose ends: the sending date corrected, one request per letter,
the company and the steps taken in 'dsr track list', errors naming track's own options,
and a typed store (status and verdict enums, rows read by column name)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from click.testing import CliRunner
from icalendar import Calendar

from dsr import track
from dsr.cli import main
from dsr.commands.track import VERDICT_CHOICES
from tests.store_tools import tamper

MEMBER = [
    "--kind", "access", "--jurisdiction", "DE", "--controller", "linkedin",
    "--name", "Erika Mustermann", "--address", "Hauptstraße 1, 10115 Berlin",
    "--account-email", "erika@example.org", "--lang", "en",
]  # fmt: skip


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def track_letter(output: Path, day: str = "2026-11-01", *extra: str) -> str:
    code, text = invoke("letter", *MEMBER, "--date", day, "-o", str(output), "--track", *extra)
    assert code == 0, text
    return text


def listed() -> list[dict[str, object]]:
    code, text = invoke("track", "list", "--json")
    assert code == 0, text
    rows: list[dict[str, object]] = json.loads(text)
    return rows


def reply_due(text: str) -> str:
    """The deadline 'dsr letter' announces."""
    line = next(line for line in text.splitlines() if line.startswith("Reply due by "))
    return line.removeprefix("Reply due by ").rstrip(".")


def test_the_sending_date_is_corrected_and_the_deadline_follows(tmp_path: Path) -> None:
    track_letter(tmp_path / "access.txt", "2026-11-01")
    # The deadline a letter of the corrected day gets, as 'dsr letter' counts it.
    expected = reply_due(track_letter(tmp_path / "other.txt", "2026-11-13", "--reference", "X-2"))
    assert expected != "2026-12-01"
    code, text = invoke("track", "sent", "1", "--date", "2026-11-13")
    assert code == 0, text
    assert f"Request 1: sent 2026-11-13 (was 2026-11-01); reply due by {expected}" in text
    row = listed()[0]
    assert (row["sent"], row["deadline"]) == ("2026-11-13", expected)
    calendar_file = tmp_path / "deadlines.ics"
    assert invoke("track", "ics", "-o", str(calendar_file))[0] == 0
    events = Calendar.from_ical(calendar_file.read_bytes()).walk("VEVENT")
    assert sorted(str(event["dtstart"].dt) for event in events) == [expected, expected]
    code, text = invoke(
        "track", "remind", "1", "-o", str(tmp_path / "r.txt"), "--date", "2026-12-20"
    )
    assert code == 0, text
    reminder = " ".join((tmp_path / "r.txt").read_text().split())
    assert "13 November 2026" in reminder  # the request's date, as corrected
    assert "1 November 2026" not in reminder


def test_the_sending_date_is_refused_after_today_or_a_later_step(tmp_path: Path) -> None:
    track_letter(tmp_path / "access.txt", "2026-11-01")
    code, text = invoke("track", "sent", "1", "--date", "2199-01-01")
    assert code == 2
    assert text.startswith("Error: --date: 2199-01-01 is after today (")
    code, text = invoke(
        "track", "remind", "1", "-o", str(tmp_path / "r.txt"), "--date", "2026-12-05"
    )
    assert code == 0, text
    code, text = invoke("track", "sent", "1", "--date", "2026-12-06")
    assert code == 2
    assert text == (
        "Error: --date: 2026-12-06 is after the reminder recorded for request 1 (2026-12-05); "
        "the letter went out before it\n"
    )
    code, text = invoke("track", "sent", "1", "--date", "2026-31-12")
    assert (code, text) == (2, "Error: --date: '2026-31-12' is not a date; use YYYY-MM-DD\n")
    code, text = invoke("track", "sent", "1")
    assert code == 2
    assert "Missing option '--date'" in text
    assert listed()[0]["sent"] == "2026-11-01"  # nothing refused was stored


def test_tracking_the_same_reference_twice_updates_the_request(tmp_path: Path) -> None:
    first, second = tmp_path / "first.txt", tmp_path / "second.txt"
    track_letter(first, "2026-11-01", "--reference", "REF-7")
    text = track_letter(second, "2026-11-03", "--reference", "REF-7")
    assert "Tracking it as request" not in text
    assert (
        f"Request 1 already tracked this reference, company and kind: updated it with this "
        f"letter (it listed {first.resolve()};"
    ) in " ".join(text.split())
    assert "Its sending date is now 2026-11-03 (was 2026-11-01)" in text
    rows = listed()
    assert [(r["id"], r["reference"], r["sent"]) for r in rows] == [(1, "REF-7", "2026-11-03")]
    assert track.get(1).files == [str(second.resolve())]
    # The same reference for another kind is another request.
    code, text = invoke(
        "letter", *MEMBER[2:], "--kind", "erasure", "--date", "2026-11-03",
        "--reference", "REF-7", "-o", str(tmp_path / "erasure.txt"), "--track",
    )  # fmt: skip
    assert code == 0, text
    assert "Tracking it as request 2" in text
    assert [r["id"] for r in listed()] == [1, 2]
    code, text = invoke("track", "remove", "1", "--yes")
    assert code == 0, text
    assert [r["id"] for r in listed()] == [2]


def test_the_list_shows_the_company_and_the_steps_taken(tmp_path: Path) -> None:
    track_letter(tmp_path / "access.txt", "2026-11-01")
    code, text = invoke("track", "list")
    header, row = text.splitlines()
    assert header.split() == [
        "ID", "REFERENCE", "COMPANY", "KIND", "JURISDICTION", "SENT", "DEADLINE", "STATUS",
    ]  # fmt: skip
    assert row.split()[2] == "LinkedIn"
    invoke("track", "remind", "1", "-o", str(tmp_path / "r.txt"), "--date", "2026-12-05")
    assert invoke("track", "list")[1].splitlines()[1].endswith("reminded 2026-12-05, overdue")
    assert listed()[0]["status"] == track.Status.REMINDED == "reminded"
    code, text = invoke(
        "track", "escalate", "1", "-o", str(tmp_path / "c.txt"), "--date", "2026-12-20",
        "--jurisdiction", "DE-BY",
    )  # fmt: skip
    assert code == 0, text
    authority = "Bayerisches Landesamt für Datenschutzaufsicht (BayLDA)"
    assert f"to {authority})" in text
    assert (
        invoke("track", "list")[1].splitlines()[1].endswith(f"escalated to {authority} 2026-12-20")
    )
    row = listed()[0]
    assert (row["status"], row["escalated"], row["company"]) == (
        "escalated",
        "2026-12-20",
        "LinkedIn",
    )
    invoke("track", "answered", "1", "--date", "2026-12-07", "--verdict", "partial")
    assert invoke("track", "list")[1].splitlines()[1].endswith("answered 2026-12-07 (partial)")


def test_follow_up_errors_name_tracks_own_options(tmp_path: Path, dsr_home: Path) -> None:
    track_letter(tmp_path / "access.txt", "2026-11-01")
    code, text = invoke(
        "track", "remind", "1", "-o", str(tmp_path / "r.txt"), "--date", "2026-10-01"
    )
    assert code == 2
    assert text.startswith("Error: --date: 2026-10-01 (the letter's date; the request was sent")
    assert "--request-date" not in text
    # A value the request was tracked with that dsr now refuses is the request's, not an
    # option of 'dsr remind' (which has no --address).
    inputs = json.dumps({**track.get(1).inputs, "address": "Hauptstraße 1, Berlin"})
    tamper(dsr_home, "UPDATE requests SET inputs = ? WHERE id = 1", inputs, sealed=True)
    code, text = invoke(
        "track", "remind", "1", "-o", str(tmp_path / "r.txt"), "--date", "2026-12-05"
    )
    assert code == 2
    assert text.startswith("Error: request 1: its address, as it was tracked: ")
    assert "'dsr track remove 1'" in text
    assert "--address" not in text
    assert not (tmp_path / "r.txt").exists()
    # escalate's own --jurisdiction is named as such.
    code, text = invoke(
        "track", "escalate", "1", "-o", str(tmp_path / "c.txt"), "--jurisdiction", "DE-XX"
    )
    assert code == 2
    assert "--jurisdiction" in text


def test_status_and_verdict_are_enums(tmp_path: Path, dsr_home: Path) -> None:
    assert issubclass(track.Status, str)
    assert issubclass(track.Verdict, str)
    assert VERDICT_CHOICES == tuple(verdict.value for verdict in track.Verdict)
    track_letter(tmp_path / "access.txt", "2026-11-01")
    assert invoke("track", "answered", "1", "--date", "2026-11-20", "--verdict", "refused")[0] == 0
    found = track.get(1)
    assert found.verdict is track.Verdict.REFUSED
    assert found.status(found.sent) is track.Status.ANSWERED
    tamper(dsr_home, "UPDATE requests SET verdict = 'maybe' WHERE id = 1", sealed=True)
    code, text = invoke("track", "list")
    assert code == 2
    assert "request 1 (verdict: 'maybe' is not one of complete, partial, refused)" in text
    assert "'dsr track answered 1 --date YYYY-MM-DD'" in text


def test_the_store_reads_its_rows_by_column_name(tmp_path: Path, dsr_home: Path) -> None:
    track_letter(tmp_path / "access.txt", "2026-11-01")
    before = listed()
    store = dsr_home / "tracking.sqlite3"
    with sqlite3.connect(store) as connection:
        columns = [row[1] for row in connection.execute("PRAGMA table_info(requests)")]
        reordered = ", ".join(reversed(columns))  # the same columns, in another order
        connection.execute(f"CREATE TABLE shuffled AS SELECT {reordered} FROM requests")
        connection.execute("DROP TABLE requests")
        connection.execute("ALTER TABLE shuffled RENAME TO requests")
    with sqlite3.connect(store) as connection:
        order = [row[1] for row in connection.execute("PRAGMA table_info(requests)")]
    assert order == list(reversed(columns))
    assert listed() == before
    assert track.get(1).reference == before[0]["reference"]


def test_a_store_of_the_previous_schema_gains_the_new_columns(
    tmp_path: Path, dsr_home: Path
) -> None:
    track_letter(tmp_path / "access.txt", "2026-11-01")
    store = dsr_home / "tracking.sqlite3"
    with sqlite3.connect(store) as connection:  # as dsr with schema 6 left it
        connection.execute("ALTER TABLE requests DROP COLUMN escalated")
        connection.execute("ALTER TABLE requests DROP COLUMN escalated_to")
        connection.execute("PRAGMA user_version = 6")
    rows = listed()  # sealed rows keep their seals; no adoption asked
    assert [(r["id"], r["status"]) for r in rows] == [(1, "overdue")]
    with sqlite3.connect(store) as connection:
        assert connection.execute("PRAGMA user_version").fetchone()[0] == track.SCHEMA_VERSION
    code, text = invoke(
        "track", "escalate", "1", "-o", str(tmp_path / "c.txt"), "--date", "2026-12-20",
        "--jurisdiction", "DE-BY",
    )  # fmt: skip
    assert code == 0, text
    assert listed()[0]["escalated"] == "2026-12-20"


def test_another_members_letter_under_the_same_reference_is_tracked_apart(
    tmp_path: Path,
) -> None:
    """Round i15 attack #1: a second member's letter with the same reference, company and
    kind updated the first member's request; its reminder went to the second's address."""
    from click.testing import CliRunner

    from dsr.cli import main
    from tests.conftest import letter_args

    def run(*args: str) -> tuple[int, str]:
        result = CliRunner().invoke(main, list(args), catch_exceptions=False)
        return result.exit_code, result.output

    first = letter_args("objection", "DE", "de", tmp_path / "a.pdf", reference="2026-SAME0001")
    assert run(*first, "--track")[0] == 0
    second = letter_args(
        "objection", "DE", "de", tmp_path / "b.pdf", reference="2026-SAME0001",
        account_email="other@example.org",
    )  # fmt: skip
    second[second.index("--name") + 1] = "Max Muster"
    code, output = run(*second, "--track")
    assert code == 0, output
    code, output = run("track", "list", "--json")
    rows = json.loads(output)
    assert [row["id"] for row in rows] == [1, 2]  # two requests, the first one kept
    assert track.get(1).inputs["account-email"] == "erika@example.org"
    assert track.get(2).inputs["account-email"] == "other@example.org"


def test_a_letter_is_not_sent_before_its_own_date(tmp_path: Path) -> None:
    from click.testing import CliRunner

    from dsr.cli import main
    from tests.conftest import letter_args

    args = letter_args("objection", "DE", "de", tmp_path / "a.pdf", date="2026-11-22")
    assert CliRunner().invoke(main, [*args, "--track"]).exit_code == 0
    result = CliRunner().invoke(main, ["track", "sent", "1", "--date", "2026-11-20"])
    assert result.exit_code == 2
    assert "2026-11-20 is before the letter's own date (2026-11-22)" in result.output
    assert CliRunner().invoke(main, ["track", "sent", "1", "--date", "2026-11-24"]).exit_code == 0


def test_the_company_is_tracked_by_its_key_as_dsr_lists_it(tmp_path: Path) -> None:
    """Review i15b newcomer #7: --controller LinkedIn was stored as typed, so a script
    reading track list saw two companies."""
    from tests.conftest import letter_args

    args = letter_args("objection", "DE", "de", tmp_path / "a.pdf")
    args[args.index("linkedin")] = "LinkedIn"
    assert CliRunner().invoke(main, [*args, "--track"]).exit_code == 0
    rows = json.loads(CliRunner().invoke(main, ["track", "list", "--json"]).output)
    assert [row["controller"] for row in rows] == ["linkedin"]


def test_the_ledger_lock_holds_between_threads(tmp_path: Path) -> None:
    """The web page changes the store from several threads: each takes the ledger's lock
    itself (reentrant within a thread only), so no two are inside at once and none ends
    another's hold (a KeyError under concurrent saves, attacker review round 3)."""
    import threading

    from dsr import seals

    inside = 0
    most = 0
    failures: list[BaseException] = []
    guard = threading.Lock()

    def change() -> None:
        nonlocal inside, most
        try:
            for _ in range(20):
                with seals.ledger_lock(tmp_path), seals.ledger_lock(tmp_path):  # reentrant
                    with guard:
                        inside += 1
                        most = max(most, inside)
                    with guard:
                        inside -= 1
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=change) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert most == 1
