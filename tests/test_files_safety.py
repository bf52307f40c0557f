"""File-system safety: the hostile review of 2026-12-07, findings 1, 3-8, 14, 21, 23.

dsr writes only inside its target, under names it chose, never through a
symbolic link, never replacing or deleting what it did not write without
--force, and keeps members' data 0600 in 0700 folders (dsr.files).
"""

from __future__ import annotations

import errno
import json
import os
import stat
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dsr import files
from dsr.cli import main
from tests.store_tools import tamper

ROW = {
    "kind": "objection",
    "jurisdiction": "DE",
    "name": "Erika Mustermann",
    "address": "Hauptstraße 1, 10115 Berlin",
    "account-email": "erika@example.org",
    "lang": "de",
    "date": "2026-11-22",
}
LETTER = [
    "letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "E M",
    "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "e@example.org",
    "--date", "2026-11-22", "--lang", "de",
]  # fmt: skip
RECORD = {
    "service": "Victim Social",
    "sources": ["test fixture"],
    "last_verified": "2026-11-01",
    "entities": [
        {
            "name": "Victim GmbH",
            "attention": "dpo",
            "address": ["Beispielweg 5", "10117 Berlin"],
            "country": "DE",
            "jurisdictions": ["EU", "EEA"],
            "sources": ["test fixture"],
            "last_verified": "2026-11-01",
        }
    ],
}


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def rows_file(folder: Path, count: int = 1) -> Path:
    path = folder / "rows.jsonl"
    path.write_text("".join(json.dumps(ROW) + "\n" for _ in range(count)), encoding="utf-8")
    return path


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# Finding 1: a controller key never leaves the store.


@pytest.mark.parametrize("key", ["../../escaped-outside", "/some/dir/victim", "Acme", ".x", ""])
def test_1_a_controller_key_that_is_no_slug_is_refused(
    tmp_path: Path, dsr_home: Path, key: str
) -> None:
    if key.startswith("/"):
        key = str(tmp_path / "victim")
        (tmp_path / "victim.json").write_text("precious", encoding="utf-8")
    source = tmp_path / "abs.json"
    source.write_text(json.dumps({key: RECORD}), encoding="utf-8")
    code, output = invoke("controllers", "import", str(source))
    assert code == 2, output
    assert f"skipped {key!r}: not a controller key: use lower-case letters" in output
    assert output.endswith("Imported 0 controllers, skipped 1.\n")
    if key.startswith("/"):
        assert (tmp_path / "victim.json").read_text(encoding="utf-8") == "precious"
    assert not list(tmp_path.rglob("escaped-outside*"))
    assert not list(dsr_home.parent.glob("escaped-outside*"))


def test_1_the_store_itself_refuses_a_path(dsr_home: Path) -> None:
    from dsr.userdata import save_controller

    with pytest.raises(files.UnsafeFile, match=r"controller key '\.\./x' cannot name a file"):
        save_controller("../x", RECORD)


@given(st.text(max_size=30))
@settings(max_examples=300, deadline=None)
def test_1_a_slug_never_names_anything_outside_its_folder(text: str) -> None:
    if files.is_slug(text):
        assert "/" not in text
        assert ".." not in text
        assert text[0] not in ".-"
        assert Path("/store", f"{text}.json").parent == Path("/store")
    else:
        with pytest.raises(files.UnsafeFile, match="cannot name a file"):
            files.check_slug(text, "key")


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_a_name_dsr_writes_stays_below_its_folder(text: str) -> None:
    try:
        parts = files.name_parts(text)
    except files.UnsafeFile:
        return
    assert all(part not in ("", ".", "..") and "/" not in part for part in parts)
    root = Path("/target")
    assert (root / text).resolve().is_relative_to(root)


# Attack review 5 (LOW): a direction control in a typed name disguises its extension;
# a name past the file system's limit said only that it "cannot name a file".
@pytest.mark.parametrize("control", ["\u202e", "\u2067", "\u200f", "\u061c"])
def test_a_typed_name_with_a_direction_control_is_refused(tmp_path: Path, control: str) -> None:
    code, output = invoke(*LETTER, "-o", str(tmp_path / f"letter{control}fdp.exe.txt"))
    assert code == 2, output
    assert "printable characters" in output
    assert list(tmp_path.iterdir()) == []


def test_a_typed_name_too_long_says_the_limit(tmp_path: Path) -> None:
    code, output = invoke(*LETTER, "-o", str(tmp_path / ("ü" * 120 + ".txt")))
    assert code == 2, output
    assert "at most 200 bytes (this part has 244)" in output


def test_names_in_every_script_stay_allowed(tmp_path: Path) -> None:
    for name in [
        "Widerspruch Müller.txt",
        "Αίτηση Παπαδόπουλου.txt",
        "異議書.txt",
        "o\u2019Brien \u2013 2.txt",
    ]:
        code, output = invoke(*LETTER, "-o", str(tmp_path / name))
        assert code == 0, output
        assert (tmp_path / name).is_file()


# Finding 3: the state file is never followed.


@pytest.mark.parametrize("dangling", [False, True])
def test_3_a_linked_state_file_is_not_followed(tmp_path: Path, dangling: bool) -> None:
    out = tmp_path / "out"
    out.mkdir()
    outside = tmp_path / "outside.txt"
    if not dangling:
        outside.write_text("mine\n", encoding="utf-8")
    (out / ".dsr-batch-state.jsonl").symlink_to("../outside.txt")
    code, output = invoke("batch", str(rows_file(tmp_path)), "-o", str(out), "--format", "txt")
    assert code == 2, output
    assert "dsr does not follow links" in output
    assert "Traceback" not in output
    if dangling:
        assert not outside.exists()
    else:
        assert outside.read_text(encoding="utf-8") == "mine\n"


# Finding 4: a report.csv dsr did not write is kept.


def test_4_a_foreign_report_is_not_replaced(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "rp"
    folder.mkdir()
    members = rows_file(tmp_path).read_text(encoding="utf-8")
    (folder / "report.csv").write_text(members, encoding="utf-8")
    (folder / "report.jsonl").write_text(members, encoding="utf-8")
    monkeypatch.chdir(folder)
    code, output = invoke("batch", "report.jsonl", "-o", ".", "--format", "txt")
    assert code == 2, output
    assert "report.csv exists and was not written by dsr batch" in output
    assert (folder / "report.csv").read_text(encoding="utf-8") == members
    code, output = invoke("batch", "report.jsonl", "-o", ".", "--format", "txt", "--force")
    assert code == 0, output
    assert (folder / "report.csv").read_text(encoding="utf-8").startswith("row,status")
    # The batch's own report is replaced by a rerun.
    code, output = invoke("batch", "report.jsonl", "-o", ".", "--format", "txt")
    assert code == 0, output


# Finding 5: the archive is <folder>.zip and never replaced without --force.


def test_5_the_archive_is_named_after_the_whole_folder(tmp_path: Path) -> None:
    (tmp_path / "letters.zip").write_text("backup", encoding="utf-8")
    out = tmp_path / "letters.2026"
    source = rows_file(tmp_path)
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt", "--zip")
    assert code == 0, output
    assert (tmp_path / "letters.zip").read_text(encoding="utf-8") == "backup"
    archive = tmp_path / "letters.2026.zip"
    assert zipfile.ZipFile(archive).namelist() == [
        "0001-mustermann-objection-de.txt", "report.csv", "summary.csv",
    ]  # fmt: skip
    assert mode(archive) == 0o600
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt", "--zip")
    assert code == 2
    assert output == f"Error: --zip: {archive} exists; use --force to replace it\n"
    code, output = invoke(
        "batch", str(source), "-o", str(out), "--format", "txt", "--zip", "--force"
    )
    assert code == 0, output


def test_5_a_zip_of_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "here"
    folder.mkdir()
    source = rows_file(tmp_path)
    monkeypatch.chdir(folder)
    code, output = invoke("batch", str(source), "-o", ".", "--format", "txt", "--zip")
    assert code == 0, output
    assert "internal error" not in output
    assert (tmp_path / "here.zip").is_file()


def test_5_a_kit_archive_keeps_an_unrelated_zip(tmp_path: Path) -> None:
    (tmp_path / "kit.zip").write_text("backup", encoding="utf-8")
    kit = tmp_path / "kit.v2"
    args = ["templates", "-o", str(kit), "--kind", "objection", "--jurisdiction", "DE",
            "--lang", "de", "--format", "html", "--zip"]  # fmt: skip
    code, output = invoke(*args)
    assert code == 0, output
    assert (tmp_path / "kit.zip").read_text(encoding="utf-8") == "backup"
    assert "DE/objection-de.html" in zipfile.ZipFile(tmp_path / "kit.v2.zip").namelist()
    code, output = invoke(*args, "--force")
    assert code == 0, output
    (tmp_path / "kit.v3.zip").write_text("backup", encoding="utf-8")
    code, output = invoke(*[a if a != str(kit) else str(tmp_path / "kit.v3") for a in args])
    assert code == 2
    assert output == f"Error: --zip: {tmp_path / 'kit.v3.zip'} exists; use --force to replace it\n"


# Finding 6: forget deletes only dsr's own files.


def test_6_forget_keeps_what_dsr_did_not_write(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "tax.txt").write_text("tax", encoding="utf-8")
    (docs / "controllers").mkdir()
    (docs / "controllers" / "mine.json").write_text("{}", encoding="utf-8")
    monkeypatch.setenv("DSR_HOME", str(docs))
    source = tmp_path / "acme.json"
    source.write_text(json.dumps({"acme": RECORD}), encoding="utf-8")
    assert invoke("controllers", "import", str(source))[0] == 0
    assert (docs / "controllers" / "acme.json").is_file()
    code, output = invoke("forget", "--yes")
    assert code == 0, output
    assert (docs / "tax.txt").read_text(encoding="utf-8") == "tax"
    assert (docs / "controllers" / "mine.json").is_file()
    assert not (docs / "controllers" / "acme.json").exists()
    assert f"Kept {docs / 'tax.txt'}: dsr did not write it." in output


def test_6_forget_does_not_follow_a_linked_store(tmp_path: Path, dsr_home: Path) -> None:
    source = tmp_path / "acme.json"
    source.write_text(json.dumps({"acme": RECORD}), encoding="utf-8")
    assert invoke("controllers", "import", str(source))[0] == 0
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "acme.json").write_text("precious", encoding="utf-8")
    (dsr_home / "controllers" / "acme.json").unlink()
    (dsr_home / "controllers").rmdir()
    (dsr_home / "controllers").symlink_to(victim)
    assert invoke("forget", "--yes")[0] == 0
    assert (victim / "acme.json").read_text(encoding="utf-8") == "precious"


# Finding 23: forget says which batch folders still hold members' data.


def test_23_forget_names_the_batch_folders_it_leaves(tmp_path: Path, dsr_home: Path) -> None:
    out = tmp_path / "out"
    assert invoke("batch", str(rows_file(tmp_path)), "-o", str(out), "--format", "txt")[0] == 0
    code, output = invoke("forget", "--yes")
    assert code == 0, output
    assert f"Not removed: {out} holds letters, report.csv and .dsr-batch-state.jsonl" in output
    assert (out / "report.csv").exists()


# Finding 7: cleanup removes only this run's temporary files.


def test_7_foreign_part_files_are_kept(tmp_path: Path) -> None:
    out = tmp_path / "out2"
    out.mkdir()
    (out / ".movie.mkv.part").write_text("data", encoding="utf-8")
    (out / ".0001-x.txt.dsr0123456789ab.part").write_text("another run", encoding="utf-8")
    code, output = invoke("batch", str(rows_file(tmp_path)), "-o", str(out), "--format", "txt")
    assert code == 0, output
    assert (out / ".movie.mkv.part").read_text(encoding="utf-8") == "data"
    assert (out / ".0001-x.txt.dsr0123456789ab.part").exists()
    assert not (out / ".dsr-batch.lock").exists()


def test_7_a_stale_lock_s_temp_files_are_removed(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True).stdout.strip()  # fmt: skip
    (out / ".dsr-batch.lock").write_text(f"{dead} dsr0123456789ab\n", encoding="utf-8")
    (out / ".0001-x.txt.dsr0123456789ab.part").write_text("killed run", encoding="utf-8")
    (out / ".movie.mkv.part").write_text("data", encoding="utf-8")
    code, output = invoke("batch", str(rows_file(tmp_path)), "-o", str(out), "--format", "txt")
    assert code == 0, output
    assert not (out / ".0001-x.txt.dsr0123456789ab.part").exists()
    assert (out / ".movie.mkv.part").exists()


# Finding 8: exported sources and kits are not written through links.


def test_8_exported_sources_do_not_follow_a_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("precious", encoding="utf-8")
    src = tmp_path / "src"
    (src / "templates").mkdir(parents=True)
    (src / "templates" / "base.html.jinja").symlink_to(victim)
    code, output = invoke("templates", "--source", "-o", str(src), "--force")
    assert code == 0, output
    assert victim.read_text(encoding="utf-8") == "precious"
    assert not (src / "templates" / "base.html.jinja").is_symlink()


def test_8_exported_sources_are_not_replaced_without_force(tmp_path: Path) -> None:
    src = tmp_path / "src"
    assert invoke("templates", "--source", "-o", str(src))[0] == 0
    mine = src / "templates" / "base.html.jinja"
    mine.write_text("my adaptation", encoding="utf-8")
    (src / "templates" / "other").mkdir()
    from dsr.kits import write_sources

    with pytest.raises(files.OutputExists):
        write_sources(src)
    assert mine.read_text(encoding="utf-8") == "my adaptation"


def test_8_a_kit_does_not_write_through_a_linked_folder(tmp_path: Path) -> None:
    victim = tmp_path / "victimkit"
    victim.mkdir()
    kit = tmp_path / "kit"
    kit.mkdir()
    (kit / "DE").symlink_to("../victimkit")
    code, output = invoke("templates", "-o", str(kit), "--force", "--kind", "objection",
                          "--jurisdiction", "DE", "--lang", "de", "--format", "html")  # fmt: skip
    assert code == 2, output
    assert "dsr does not follow links" in output
    assert not list(victim.iterdir())


# Finding 14: letters, reports and calendars are private whatever the umask.


def test_14_personal_data_is_private(tmp_path: Path, dsr_home: Path) -> None:
    old = os.umask(0o022)
    try:
        letter = tmp_path / "um.txt"
        code, output = invoke(*LETTER, "-o", str(letter), "--track")
        assert code == 0, output
        out = tmp_path / "um"
        assert invoke("batch", str(rows_file(tmp_path)), "-o", str(out), "--format", "txt")[0] == 0
        assert invoke("track", "ics", "-o", str(tmp_path / "d.ics"))[0] == 0
    finally:
        os.umask(old)
    assert mode(letter) == 0o600
    assert mode(out) == 0o700
    assert {mode(p) for p in out.iterdir()} == {0o600}
    assert mode(tmp_path / "d.ics") == 0o600
    assert mode(dsr_home) == 0o700


def test_23_dsr_home_is_created_private(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "new" / "home"
    monkeypatch.setenv("DSR_HOME", str(home))
    source = tmp_path / "acme.json"
    source.write_text(json.dumps({"acme": RECORD}), encoding="utf-8")
    old = os.umask(0o022)
    try:
        assert invoke("controllers", "import", str(source))[0] == 0
    finally:
        os.umask(old)
    assert mode(home) == 0o700
    assert mode(home / "controllers") == 0o700
    assert mode(home / "controllers" / "acme.json") == 0o600


# Finding 21: one writer at a time.


def test_21_of_two_letters_to_one_name_one_fails(tmp_path: Path) -> None:
    """The final name is created exclusively: the second writer is told, not silently lost."""
    target = tmp_path / "same.txt"
    files.write_file(tmp_path, "same.txt", b"Alice")
    # The library names no CLI flag: its remedy is the option as data (the CLI: --force).
    with pytest.raises(files.OutputExists, match="exists; use force=True to replace it") as error:
        files.write_file(tmp_path, "same.txt", b"Bob")
    assert [option.name for option in error.value.options] == ["force"]
    assert error.value.path == target
    assert target.read_bytes() == b"Alice"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".part")]


def test_21_two_letters_at_once(tmp_path: Path) -> None:
    target = tmp_path / "same.txt"
    command = [sys.executable, "-m", "dsr", *LETTER, "-o", str(target)]
    runs = [subprocess.Popen(command, stderr=subprocess.PIPE) for _ in range(4)]
    errors = [run.communicate(timeout=120)[1] for run in runs]
    results = [(run.returncode, err) for run, err in zip(runs, errors, strict=True)]
    assert sum(code == 0 for code, _ in results) == 1, results
    assert all(b"exists" in err for code, err in results if code != 0)


def test_21_a_second_batch_into_the_folder_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    with files.folder_lock(out, "dsr0123456789ab"):  # another run holds the folder
        code, output = invoke("batch", str(rows_file(tmp_path)), "-o", str(out), "--format", "txt")
    assert code == 2  # the folder cannot be used by this run: bad input, not dsr's fault
    assert output == (
        f"Error: another dsr run (process {os.getpid()}) is writing into {out}; "
        "wait for it to finish\n"
    )
    assert not (out / "report.csv").exists()


def test_21_a_kit_into_a_folder_another_run_writes_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "kit"
    out.mkdir()
    with files.folder_lock(out, "dsr0123456789ab"):  # a batch or a kit holds the folder
        code, output = invoke(
            "templates", "--jurisdiction", "DE", "--kind", "objection", "--lang", "de",
            "--format", "html", "-o", str(out), "--force",
        )  # fmt: skip
    assert code == 2, output
    assert "another dsr run" in output
    assert [path.name for path in out.iterdir()] == []


def test_21_a_lock_file_nobody_holds_is_taken_over(tmp_path: Path) -> None:
    """A lock left by a run that is gone, even naming a live process or unreadable."""
    out = tmp_path / "out"
    out.mkdir()
    for held in (f"{os.getpid()} dsr0123456789ab\n", "", "\u00b2 x", "9" * 23):
        (out / ".dsr-batch.lock").write_text(held, encoding="utf-8")
        code, output = invoke(
            "batch", str(rows_file(tmp_path)), "-o", str(out), "--format", "txt", "--force"
        )
        assert code == 0, (held, output)
        assert not (out / ".dsr-batch.lock").exists()


def test_21_the_folder_lock_is_never_held_twice(tmp_path: Path) -> None:
    """Many runs racing for one folder (threads: each opens the lock file on its own)."""

    holders: list[int] = []
    most = [0]
    guard = threading.Lock()

    def run(number: int) -> None:
        for _ in range(30):
            try:
                with files.folder_lock(tmp_path, f"dsr{number:012x}"):
                    with guard:
                        holders.append(number)
                        most[0] = max(most[0], len(holders))
                    time.sleep(0.001)
                    with guard:
                        holders.remove(number)
            except files.FolderBusy:
                pass

    threads = [threading.Thread(target=run, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert most[0] == 1


# Finding 23: a reference is no path in an attachment's name; a full disk is said.


def test_23_a_reference_cannot_name_a_path(tmp_path: Path) -> None:
    code, output = invoke(
        *LETTER,
        "--email",
        "e@example.org",
        "--reference",
        "a/../../etc",
        "-o",
        str(tmp_path / "x.eml"),
    )
    assert code == 2, output
    assert "--reference:" in output
    assert not (tmp_path / "x.eml").exists()


def test_23_a_full_disk_is_a_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    target = tmp_path / "x.txt"
    code, output = invoke(*LETTER, "-o", str(target))
    assert code == 1
    assert output == (
        f"Error: the disk is full: cannot create {target}; free some space and try again\n"
    )
    assert not list(tmp_path.iterdir())


@given(st.text(max_size=60))
@settings(max_examples=300, deadline=None)
def test_a_member_s_surname_becomes_a_slug(surname: str) -> None:
    from dsr.batch import _slug

    assert files.is_slug(_slug(surname))


@given(st.text(max_size=40))
@settings(max_examples=300, deadline=None)
def test_an_attachment_name_is_one_plain_name(reference: str) -> None:
    if files.is_file_name(reference):
        assert Path(reference).name == reference
        assert not reference.startswith(".")
        assert (Path("/mail") / reference).resolve().parent == Path("/mail")


def test_3_a_linked_tracking_store_is_not_followed(tmp_path: Path, dsr_home: Path) -> None:
    victim = tmp_path / "victim.db"
    victim.write_text("precious", encoding="utf-8")
    (dsr_home / "tracking.sqlite3").symlink_to(victim)
    code, output = invoke(*LETTER, "-o", str(tmp_path / "x.txt"), "--track")
    assert code == 2, output
    assert "is a symbolic link; dsr does not follow it" in output
    assert victim.read_text(encoding="utf-8") == "precious"


def test_23_a_full_disk_in_a_batch_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full(fd: int, data: object) -> int:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "write", full)
    out = tmp_path / "out"
    code, output = invoke("batch", str(rows_file(tmp_path)), "-o", str(out), "--format", "txt")
    assert code == 1, output
    assert "internal error" not in output
    assert "Error: the disk is full: cannot " in output


# The attack review of 2026-12-07 (research/attack-review.md), findings 1, 3, 4, 6 and 7.

LINKED = "more than one hard link"
COMPLAINT = {**ROW, "kind": "complaint", "jurisdiction": "DE-BE", "request-date": "2026-09-01",
             "request-kind": "objection"}  # fmt: skip


def csv_rows(path: Path, header: str, *lines: str) -> Path:
    path.write_text("\n".join([header, *lines]) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("name", [".dsr-batch-state.jsonl", "report.csv", ".dsr-batch.lock"])
def test_a1_a_hard_linked_own_batch_file_is_refused(tmp_path: Path, name: str) -> None:
    out = tmp_path / "out"
    out.mkdir()
    victim = tmp_path / "victim.txt"
    victim.write_text("OUT-STATE\n", encoding="utf-8")
    os.link(victim, out / name)
    source = rows_file(tmp_path, 2)
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt", "--force")
    assert code == 2, output
    assert LINKED in output
    assert name in output
    assert victim.read_text(encoding="utf-8") == "OUT-STATE\n"
    assert not list(out.glob("0*"))  # refused before any letter was written


def test_a1_a_hard_linked_tracking_store_is_refused(tmp_path: Path, dsr_home: Path) -> None:
    victim = tmp_path / "victim.db"
    victim.write_bytes(b"")  # SQLite would make it a database
    os.link(victim, dsr_home / "tracking.sqlite3")
    code, output = invoke(*LETTER, "-o", str(tmp_path / "x.txt"), "--track")
    assert code == 2, output
    assert LINKED in output
    assert "tracking.sqlite3" in output
    assert victim.read_bytes() == b""


def tracked_pdf(tmp_path: Path) -> Path:
    letter = tmp_path / "t.pdf"
    code, output = invoke(*LETTER, "-o", str(letter), "--track")
    assert code == 0, output
    return letter


def other_pdf(tmp_path: Path) -> Path:
    other = tmp_path / "priv" / "other.pdf"
    other.parent.mkdir()
    args = ["Private Person" if arg == "E M" else arg for arg in LETTER]
    code, output = invoke(*args, "-o", str(other))
    assert code == 0, output
    return other


ESCALATE = ["track", "escalate", "1", "--jurisdiction", "DE-BE", "--date", "2027-01-20"]


@pytest.mark.parametrize("how", ["symlink", "hardlink", "changed"])
def test_a3_a_replaced_tracked_letter_is_not_appended(tmp_path: Path, how: str) -> None:
    letter = tracked_pdf(tmp_path)
    other = other_pdf(tmp_path)
    named = str(letter.resolve())
    if how == "symlink":
        letter.rename(tmp_path / "t.orig.pdf")
        letter.symlink_to(other)
    elif how == "hardlink":
        os.link(letter, tmp_path / "elsewhere.pdf")
    else:
        letter.write_bytes(other.read_bytes())
    for command in (ESCALATE, ["track", "remind", "1", "--date", "2027-01-10"]):
        out = tmp_path / f"{command[1]}.pdf"
        code, output = invoke(*command, "-o", str(out))
        assert code == 2, output
        assert f"cannot append {named}: " in output
        assert not out.exists()


def test_a3_an_older_tracked_row_without_hashes_refuses_links_only(
    tmp_path: Path, dsr_home: Path
) -> None:
    letter = tracked_pdf(tmp_path)
    tamper(dsr_home, "UPDATE requests SET file_hashes = NULL", sealed=True)  # an older dsr's row
    letter.write_bytes(letter.read_bytes() + b"\n")  # changed: not known without a hash
    code, output = invoke(*ESCALATE, "-o", str(tmp_path / "a.pdf"))
    assert code == 0, output
    letter.rename(tmp_path / "t.orig.pdf")
    letter.symlink_to(tmp_path / "t.orig.pdf")
    code, output = invoke(*ESCALATE, "-o", str(tmp_path / "b.pdf"))
    assert code == 2, output
    assert "symbolic link" in output
    assert "t.pdf" in output


def test_a4_a_rows_enclosure_stays_in_the_batch_files_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.test_attack_9 import annex_pdf

    batch = tmp_path / "batch"
    private = tmp_path / "private"
    batch.mkdir()
    private.mkdir()
    # Not made by dsr: a batch row never encloses a letter dsr wrote (attack review 11b #2).
    pdf = annex_pdf(tmp_path / "earlier.pdf", "An earlier letter").read_bytes()
    (batch / "ok.pdf").write_bytes(pdf)
    (private / "secret.pdf").write_bytes(pdf)
    (batch / "out.pdf").symlink_to(private / "secret.pdf")
    rows = [
        {**COMPLAINT, "enclose": "ok.pdf"},  # beside the batch file, not in the cwd
        {**COMPLAINT, "enclose": str(private / "secret.pdf")},
        {**COMPLAINT, "enclose": "../private/secret.pdf"},
        {**COMPLAINT, "enclose": "out.pdf"},
    ]
    source = batch / "rows.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    elsewhere = tmp_path / "cwd"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt")
    assert code == 2, output
    report = (out / "report.csv").read_text(encoding="utf-8").splitlines()
    assert report[1].startswith("1,written,")
    for number in (2, 3, 4):
        assert report[number].startswith(f"{number},error,,enclose: ")
        assert f"Error: row {number}: enclose: " in output


def test_a6_a_repeated_csv_column_fails_the_file(tmp_path: Path) -> None:
    header = "kind,jurisdiction,name,address,account-email,date,Name"
    line = 'objection,DE,Aa First,"Hauptstraße 1, 10115 Berlin",a@example.org,2026-11-22,Bb Second'
    source = csv_rows(tmp_path / "dup.csv", header, line)
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt")
    assert code == 2, output
    assert "'name' appears more than once" in output
    assert not out.exists()  # nothing written


@pytest.mark.parametrize("suffix", [".jsonl", ".yaml"])
def test_a6_a_repeated_key_fails_its_row(tmp_path: Path, suffix: str) -> None:
    good = json.dumps(ROW)
    bad = good[:-1] + ', "account_email": "b@example.org"}'
    source = tmp_path / f"dup{suffix}"
    if suffix == ".jsonl":
        source.write_text(f"{bad}\n{good}\n", encoding="utf-8")
    else:  # JSON objects are YAML flow mappings
        source.write_text(f"- {bad}\n- {good}\n", encoding="utf-8")
    out = tmp_path / "out"
    code, output = invoke("batch", str(source), "-o", str(out), "--format", "txt")
    assert code == 2, output
    assert "Error: row 1: the key 'account-email' appears more than once" in output
    assert len(list(out.glob("0002-*.txt"))) == 1
    assert not list(out.glob("0001-*"))


def test_a7_force_never_replaces_the_batch_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "rp"
    folder.mkdir()
    header = "kind,jurisdiction,name,address,account-email,date"
    line = 'objection,DE,Alice A,"Hauptstraße 1, 10115 Berlin",a@example.org,2026-11-22'
    source = csv_rows(folder / "report.csv", header, line)
    before = source.read_bytes()
    monkeypatch.chdir(folder)
    code, output = invoke("batch", "report.csv", "-o", ".", "--format", "txt", "--force")
    assert code == 2, output
    assert "never replaces its input" in output
    assert source.read_bytes() == before


def test_an_output_name_ending_with_a_slash_names_a_folder(tmp_path: Path) -> None:
    """Attack 14b #3 (LOW): '-o newdir.txt/' wrote the file newdir.txt."""
    code, output = invoke(*LETTER, "-o", str(tmp_path / "newdir.txt") + "/")
    assert code == 2, output
    assert "names a folder (it ends with /)" in output
    assert list(tmp_path.iterdir()) == []
