"""The attack review of 2026-12-07, MEDIUM and LOW: findings 9-15, 17, 18 and 21-25.

Whatever must be a regular file is checked before it is opened, so a FIFO
never hangs dsr (dsr.files.open_regular); bad input exits 2 naming the file;
an import that skips records says so in its status; the data folder is one
resolved folder, and forget removes only files that still hold what dsr wrote.
"""

from __future__ import annotations

import errno
import json
import multiprocessing
import os
import queue
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from dsr.cli import main

LETTER = [
    "letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "Erika Mustermann",
    "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "erika@example.org",
    "--date", "2026-11-22", "--lang", "de",
]  # fmt: skip
COMPLAINT = [
    "letter", "--kind", "complaint", "--jurisdiction", "DE-BE", "--name", "Erika Mustermann",
    "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "erika@example.org",
    "--date", "2026-11-22", "--request-date", "2026-09-01", "--request-kind", "objection",
    "--lang", "de",
]  # fmt: skip
ROW = {
    "kind": "objection",
    "jurisdiction": "DE",
    "name": "Erika Mustermann",
    "address": "Hauptstraße 1, 10115 Berlin",
    "account-email": "erika@example.org",
    "lang": "de",
    "date": "2026-11-22",
}
ENTITY = {
    "name": "Acme GmbH",
    "address": ["Beispielweg 5", "10117 Berlin"],
    "country": "DE",
    "jurisdictions": ["EU", "EEA"],
    "sources": ["test fixture"],
    "last_verified": "2026-11-01",
}
RECORD = {
    "service": "Acme Social",
    "sources": ["test fixture"],
    "last_verified": "2026-11-01",
    "entities": [ENTITY],
}
DATAREQUESTS = {
    "slug": "acme2",
    "name": "Acme Two",
    "relevant-countries": ["de"],
    "address": "Acme Two\nStraße 1\n10115 Berlin\nGermany",
    "categories": ["commerce"],
}
DSR = [sys.executable, "-c", "from dsr.cli import main; main(prog_name='dsr')"]


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def within(seconds: float, function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)`` in a forked child; the test fails if it takes longer than ``seconds``."""
    context = multiprocessing.get_context("fork")
    results: Any = context.Queue()

    def target() -> None:
        try:
            results.put(("ok", function(*args)))
        except BaseException as error:  # reported to the parent
            results.put(("error", repr(error)))

    child = context.Process(target=target)
    child.start()
    try:
        kind, value = results.get(timeout=seconds)
    except queue.Empty:
        child.kill()
        child.join()
        pytest.fail(f"still running after {seconds} s: a FIFO was opened")
    child.join()
    if kind == "error":
        pytest.fail(f"raised {value}")
    return value


def rows_file(folder: Path) -> Path:
    path = folder / "rows.jsonl"
    path.write_text(json.dumps(ROW) + "\n", encoding="utf-8")
    return path


def blank_pdf(path: Path) -> Path:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    with path.open("wb") as handle:
        writer.write(handle)
    return path


def write_json(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


# Findings 9 and 12d: dsr's own files in a batch folder.


@pytest.mark.parametrize("name", [".dsr-batch-state.jsonl", ".dsr-batch.lock"])
@pytest.mark.parametrize("make", [os.mkfifo, os.mkdir], ids=["fifo", "folder"])
def test_9_a_batch_file_of_dsr_that_is_no_regular_file_is_refused(
    tmp_path: Path, name: str, make: Callable[[Path], None]
) -> None:
    out = tmp_path / "out"
    out.mkdir()
    make(out / name)
    rows = rows_file(tmp_path)
    code, output = within(20, invoke, "batch", str(rows), "-o", str(out), "--format", "txt")
    assert code == 2, output
    assert output == f"Error: {out / name} is not a regular file; remove it (or move it aside)\n"
    assert [p.name for p in out.iterdir()] == [name]  # no letter, no report


# Findings 10 and 12d: the manifest.


@pytest.mark.parametrize("make", [os.mkfifo, os.mkdir], ids=["fifo", "folder"])
def test_10_a_manifest_that_is_no_file_is_refused_before_the_letter(
    tmp_path: Path, dsr_home: Path, make: Callable[[Path], None]
) -> None:
    manifest = dsr_home / "manifest.jsonl"
    make(manifest)
    out = tmp_path / "a.txt"
    code, output = within(20, invoke, *LETTER, "--track", "-o", str(out))
    assert code == 2, output
    assert output == (
        f"Error: the list of files dsr stored, {manifest}, is not a regular file; move it "
        "aside, and dsr starts a new one\n"
    )
    assert not out.exists()  # refused before the letter was written
    code, output = within(20, invoke, "forget", "--yes")
    assert code == 2, output
    assert output == f"Error: {manifest} is not a regular file; remove it (or move it aside)\n"


def test_10_a_fifo_in_the_controller_store_is_skipped_with_a_warning(dsr_home: Path) -> None:
    (dsr_home / "controllers").mkdir()
    fifo = dsr_home / "controllers" / "zz.json"
    os.mkfifo(fifo)
    code, output = within(20, invoke, "list", "controllers")
    assert code == 0, output
    assert f"Warning: ignored {fifo}: not a regular file; fix it, or remove it\n" in output
    assert "linkedin" in output


# Finding 11: the tracking store.


@pytest.mark.parametrize("make", [os.mkfifo, os.mkdir], ids=["fifo", "folder"])
def test_11_a_tracking_store_that_is_no_file_is_refused_before_the_letter(
    tmp_path: Path, dsr_home: Path, make: Callable[[Path], None]
) -> None:
    store = dsr_home / "tracking.sqlite3"
    make(store)
    refused = (
        f"Error: the tracking store, {store}, is not a regular file; move it aside, and dsr "
        "starts a new one\n"
    )
    out = tmp_path / "c.txt"
    code, output = within(20, invoke, *LETTER, "--track", "-o", str(out))
    assert (code, output) == (2, refused)
    assert not out.exists()
    assert within(20, invoke, "track", "list") == (2, refused)


# Finding 12: bad input exits 2, naming the file.


def test_12a_a_datarequests_record_of_the_wrong_type_is_bad_input(tmp_path: Path) -> None:
    path = write_json(tmp_path / "num.json", {**DATAREQUESTS, "name": 5})
    code, output = invoke(*LETTER, "--controller-file", str(path), "-o", str(tmp_path / "x.txt"))
    assert (code, output) == (
        2,
        f"Error: --controller-file: {path}: field 'name' is not a string: 5\n",
    )


def test_12b_an_unconvertible_datarequests_record_is_skipped_with_exit_2(tmp_path: Path) -> None:
    record = {**DATAREQUESTS, "address": "Acme Two\nStraße 1\n10115 Berlin"}  # no country line
    path = write_json(tmp_path / "dr.json", record)
    code, output = invoke("controllers", "import", str(path))
    assert code == 2, output
    assert output == (
        f"skipped {path}: cannot tell the country of address line '10115 Berlin'\n"
        "Imported 0 controllers, skipped 1.\n"
    )


def test_12e_a_data_folder_that_is_a_file_is_bad_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    home.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("DSR_HOME", str(home))
    out = tmp_path / "t.txt"
    code, output = invoke(*LETTER, "--track", "-o", str(out))
    assert (code, output) == (
        2,
        f"Error: the data folder {home} is not a folder; remove it, or set DSR_HOME to a folder\n",
    )
    assert not out.exists()
    code, output = invoke(
        "controllers", "import", str(write_json(tmp_path / "a.json", {"acme": RECORD}))
    )
    assert (code, output) == (
        2,
        f"Error: {home} is not a folder; remove it, or choose another folder\n",
    )
    assert home.read_text(encoding="utf-8") == "not a folder"


def test_12_an_error_never_names_a_file_descriptor(monkeypatch: pytest.MonkeyPatch) -> None:
    import dsr.commands.lists

    def read_from_a_descriptor(*args: Any, **kwargs: Any) -> None:
        raise IsADirectoryError(errno.EISDIR, "Is a directory", 4)  # what os.fdopen's file says

    monkeypatch.setattr(dsr.commands.lists, "_table", read_from_a_descriptor)
    code, output = invoke("list", "kinds")
    assert (code, output) == (1, "Error: cannot write a file: Is a directory\n")


# Finding 13: an import that skips a record says so in its exit status.


@pytest.mark.parametrize("case", ["every-key-refused", "Zeta.json", "/dev/null", "mixed-folder"])
def test_13_import_exits_2_when_a_record_is_skipped(
    tmp_path: Path, dsr_home: Path, case: str
) -> None:
    if case == "every-key-refused":
        source = write_json(tmp_path / "abs.json", {"/abs": RECORD})
    elif case == "Zeta.json":
        source = write_json(tmp_path / "Zeta.json", RECORD)
    elif case == "/dev/null":
        source = Path("/dev/null")
    else:
        source = tmp_path / "companies"
        source.mkdir()
        write_json(source / "good.json", DATAREQUESTS)
        write_json(source / "bad.json", [1, 2])
    code, output = invoke("controllers", "import", str(source))
    assert code == 2, output
    imported = 1 if case == "mixed-folder" else 0
    noun = "controller" if imported == 1 else "controllers"
    assert output.endswith(f"Imported {imported} {noun}, skipped 1.\n"), output
    assert (dsr_home / "controllers" / "acme2.json").exists() == (case == "mixed-folder")


# Finding 14: one record, one slug, however it is imported.


@pytest.mark.parametrize("how", ["file", "folder"])
def test_14_a_record_is_stored_under_its_own_slug(tmp_path: Path, dsr_home: Path, how: str) -> None:
    folder = tmp_path / "imp"
    folder.mkdir()
    path = write_json(folder / "dr.json", DATAREQUESTS)
    code, output = invoke("controllers", "import", str(path if how == "file" else folder))
    assert code == 0, output
    assert sorted(p.name for p in (dsr_home / "controllers").iterdir()) == ["acme2.json"]
    code, output = invoke(*LETTER, "--controller", "acme2", "-o", str(tmp_path / "x.txt"))
    assert code == 0, output
    assert "to Acme Two" in output


# Finding 15: a linked data folder is one folder, for writing and for forgetting.


def test_15_forget_removes_what_was_written_through_a_linked_data_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "linkhome"
    link.symlink_to(real)
    monkeypatch.setenv("DSR_HOME", str(link))
    assert invoke(*LETTER, "--track", "-o", str(tmp_path / "t.txt"))[0] == 0
    assert (
        invoke("controllers", "import", str(write_json(tmp_path / "a.json", {"acme": RECORD})))[0]
        == 0
    )
    assert (real / "tracking.sqlite3").exists()
    code, output = invoke("forget", "--yes")
    assert code == 0, output
    assert output == f"Removed 5 files and folders from {real}.\n"
    assert not real.exists()  # the letter's personal data is gone: store, manifest, record


# Finding 17: nothing of a file reaches the terminal through pypdf's (now pikepdf's) logger.


def test_17_a_file_that_is_no_pdf_shows_none_of_its_bytes(tmp_path: Path) -> None:
    annex = tmp_path / "notes.pdf"
    annex.write_text("SECRET-FIRST-LINE: root:x:0:0\n", encoding="utf-8")
    done = subprocess.run(
        [*DSR, *COMPLAINT, "--enclose", str(annex), "-o", str(tmp_path / "c.txt")],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "DSR_HOME": str(tmp_path / "home")},
        timeout=120,
    )
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"Error: --enclose: {annex}: cannot read this PDF (PdfError); is it a PDF?\n"
    )


# Finding 18: an annex that is no regular file is called that.


@pytest.mark.parametrize("kind", ["fifo", "device", "folder"])
def test_18_an_annex_that_is_no_regular_file_is_named_so(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        annex = tmp_path / "fifo.pdf"
        os.mkfifo(annex)
    else:
        annex = Path("/dev/zero") if kind == "device" else tmp_path
    out = tmp_path / "c.txt"
    code, output = within(20, invoke, *COMPLAINT, "--enclose", str(annex), "-o", str(out))
    assert (code, output) == (
        2,
        f"Error: --enclose: {annex}: not a regular file; name a PDF file\n",
    )
    assert not out.exists()


# Finding 21: a reader that goes away ends dsr quietly.


@pytest.mark.parametrize(
    "args",
    [["list", "authorities"], ["list", "kinds", "--json"], ["track", "list", "--json"],
     ["--help"], ["--version"], ["list", "--help"]],
    ids=" ".join,
)  # fmt: skip
def test_21_a_closed_pipe_ends_quietly(tmp_path: Path, args: list[str]) -> None:
    env = {**os.environ, "DSR_HOME": str(tmp_path / "home")}
    with subprocess.Popen(
        [*DSR, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env
    ) as reader:
        assert reader.stdout is not None
        assert reader.stderr is not None
        reader.stdout.close()  # gone before dsr writes: `| head -0`
        errors = reader.stderr.read().decode()
        code = reader.wait(timeout=60)
    assert (code, errors) == (141, "")


# Finding 22: a broken file in the controller store is named, once.


def test_22_each_broken_stored_controller_is_named_once(tmp_path: Path, dsr_home: Path) -> None:
    store = dsr_home / "controllers"
    store.mkdir()
    (store / "zz.json").write_text("{bad", encoding="utf-8")
    write_json(store / "yy.json", {"entities": 5})
    (store / "xx.json").write_bytes(b"\xff")
    (store / "ww.json").symlink_to(tmp_path / "elsewhere.json")
    write_json(tmp_path / "elsewhere.json", RECORD)
    code, output = invoke("list", "controllers")
    assert code == 0, output
    for name, reason in [
        ("ww.json", "a symbolic link (or behind one), which dsr does not follow"),
        ("xx.json", "not UTF-8 text"),
        ("yy.json", "it was not imported with your key"),  # checked before its content
        ("zz.json", "not valid JSON (Expecting property name"),
    ]:
        assert f"Warning: ignored {store / name}: {reason}" in output
        assert output.count(str(store / name)) == 1, output
    code, output = invoke(*LETTER, "--controller", "zz", "-o", str(tmp_path / "z.txt"))
    assert code == 2
    assert output.count("Warning: ignored") <= 1  # once per process, not once per lookup


# Finding 23: links a member opens are https; profile hosts are host names.


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("objection_form", "http://evil.example/", "objection_form 'http://evil.example/' is not a plain https:// link"),
        ("privacy_form", "mailto:x@evil.example", "privacy_form 'mailto:x@evil.example' is not a plain https:// link"),
        ("profile_hosts", ["*"], "profile_hosts: '*' is not a host name"),
        ("profile_hosts", ["*.acme.example"], "profile_hosts: '*.acme.example' is not a host name"),
        ("profile_hosts", ["https://acme.example/in"], "is not a host name"),
        ("profile_hosts", ["Acme.Example"], "profile_hosts: 'Acme.Example' is not a host name"),
        ("profile_hosts", ["localhost"], "profile_hosts: 'localhost' is not a host name"),
    ],
)  # fmt: skip
def test_23_a_record_with_a_plain_http_form_or_a_wildcard_host_is_refused(
    tmp_path: Path, field: str, value: Any, message: str
) -> None:
    path = write_json(tmp_path / "acme.json", {**RECORD, field: value})
    out = tmp_path / "x.txt"
    code, output = invoke(*LETTER, "--controller-file", str(path), "-o", str(out))
    assert code == 2, output
    assert output.startswith(f"Error: --controller-file: {path}: ")
    assert message in output
    assert not out.exists()


def test_23_a_record_with_https_forms_and_host_names_is_accepted(tmp_path: Path) -> None:
    record = {**RECORD, "objection_form": "https://acme.example/object",
              "profile_hosts": ["acme.example", "xn--acm-9la.example"]}  # fmt: skip
    path = write_json(tmp_path / "acme.json", record)
    code, output = invoke(*LETTER, "--controller-file", str(path), "-o", str(tmp_path / "x.txt"))
    assert code == 0, output
    assert "Paste the text into https://acme.example/object" in output


# Finding 24: forget deletes only what still holds what dsr wrote.


def test_24_forget_keeps_a_file_the_manifest_names_without_its_checksum(dsr_home: Path) -> None:
    (dsr_home / "tax.txt").write_text("tax", encoding="utf-8")
    (dsr_home / "manifest.jsonl").write_text('{"file": "tax.txt"}\n', encoding="utf-8")
    code, output = invoke("forget", "--yes")
    assert code == 0, output
    assert (dsr_home / "tax.txt").read_text(encoding="utf-8") == "tax"
    assert f"Kept {dsr_home / 'tax.txt'}: dsr did not write it" in output


def test_24_forget_keeps_a_stored_file_changed_since(tmp_path: Path, dsr_home: Path) -> None:
    for slug in ("acme", "other"):
        source = write_json(tmp_path / f"{slug}.json", {slug: RECORD})
        assert invoke("controllers", "import", str(source))[0] == 0
    manifest = [json.loads(line) for line in (dsr_home / "manifest.jsonl").read_text().splitlines()]
    assert all(len(entry.get("sha256", "")) == 64 for entry in manifest if "file" in entry)
    edited = dsr_home / "controllers" / "other.json"
    edited.write_text("the member's own notes", encoding="utf-8")
    code, output = invoke("forget", "--yes")
    assert code == 0, output
    assert not (dsr_home / "controllers" / "acme.json").exists()
    assert edited.read_text(encoding="utf-8") == "the member's own notes"
    assert f"Kept {edited}: it changed after dsr wrote it" in output


def test_24_a_record_imported_again_is_forgotten_with_its_new_contents(
    tmp_path: Path, dsr_home: Path
) -> None:
    assert (
        invoke("controllers", "import", str(write_json(tmp_path / "a.json", {"acme": RECORD})))[0]
        == 0
    )
    changed = {**RECORD, "service": "Acme Social 2"}
    assert (
        invoke("controllers", "import", str(write_json(tmp_path / "a.json", {"acme": changed})))[0]
        == 0
    )
    code, output = invoke("forget", "--yes")
    assert code == 0, output
    assert not dsr_home.exists()


# Finding 25: an output file is never one of the command's inputs.


@pytest.mark.parametrize("how", ["same", "hard-link", "symlink"])
def test_25_the_output_cannot_be_an_annex(tmp_path: Path, how: str) -> None:
    letter = blank_pdf(tmp_path / "a.pdf")
    before = letter.read_bytes()
    annex = letter
    if how == "hard-link":
        annex = tmp_path / "h.pdf"
        os.link(letter, annex)
    elif how == "symlink":
        annex = tmp_path / "s.pdf"
        annex.symlink_to(letter)
    code, output = invoke(*COMPLAINT, "--enclose", str(annex), "-o", str(letter), "--force")
    assert (code, output) == (
        2,
        f"Error: --output: {letter} is also --enclose {annex}; dsr never replaces a file it "
        "reads: choose another output file\n",
    )
    assert letter.read_bytes() == before


def test_25_the_output_cannot_be_the_profile(tmp_path: Path) -> None:
    profile = tmp_path / "me.txt"
    profile.write_text('name = "Erika Mustermann"\n', encoding="utf-8")
    code, output = invoke(*LETTER, "--profile", str(profile), "-o", str(profile), "--force")
    assert code == 2, output
    assert f"--output: {profile} is also --profile {profile}" in output
    assert profile.read_text(encoding="utf-8") == 'name = "Erika Mustermann"\n'


def test_25_the_calendar_cannot_replace_the_tracking_store(tmp_path: Path, dsr_home: Path) -> None:
    assert invoke(*LETTER, "--track", "-o", str(tmp_path / "t.txt"))[0] == 0
    store = dsr_home / "tracking.sqlite3"
    code, output = invoke("track", "ics", "-o", str(store), "--force")
    assert code == 2, output
    assert "is also the tracking store" in output
    assert invoke("track", "list", "--json")[0] == 0
    assert store.read_bytes().startswith(b"SQLite format 3")


def test_25_a_batch_row_cannot_replace_its_own_annex(tmp_path: Path) -> None:
    annex = blank_pdf(tmp_path / "0001-mustermann-complaint-de.pdf")
    before = annex.read_bytes()
    row = {**ROW, "kind": "complaint", "jurisdiction": "DE-BE", "request-date": "2026-09-01",
           "request-kind": "objection", "enclose": [annex.name]}  # fmt: skip
    source = tmp_path / "rows.jsonl"
    source.write_text(json.dumps(row) + "\n", encoding="utf-8")
    code, output = invoke("batch", str(source), "-o", str(tmp_path), "--force")
    assert code == 2, output
    # The folder the annexes are in cannot be the output: refused before anything is
    # written (attack review 11b, #8; before, each row's annex was refused, 9b #2).
    assert output.startswith(f"Error: --output: {tmp_path} is the batch file's folder ")
    assert annex.read_bytes() == before
