"""The tracking store's rows carry a seal made with a key outside the data folder.

Attack rounds 13 to 15 changed the store of a shared data folder to pull
another member's letter into a follow-up: a path, a checksum, a reference,
each judged by content the same store supplied. The seal refuses every such
row before its content is read.
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from pypdf import PdfReader

from dsr import seals, track, userdata
from dsr.cli import main
from tests.store_tools import tamper
from tests.test_attack_medium import RECORD

MEMBER = [
    "--kind", "objection", "--jurisdiction", "DE", "--address", "Hauptstraße 1, 10115 Berlin",
    "--date", "2026-11-02",
]  # fmt: skip


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def tracked_letter(
    name: str, email: str, output: Path, *, track_it: bool = True
) -> tuple[int, str]:
    """``dsr letter`` for the member ``name`` into ``output`` (tracked): exit code, output."""
    extra = ["--track"] if track_it else []
    return invoke(
        "letter", *MEMBER, "--name", name, "--account-email", email, *extra, "-o", str(output)
    )


def letter_of(name: str, email: str, output: Path, *, track_it: bool = True) -> None:
    code, text = tracked_letter(name, email, output, track_it=track_it)
    assert code == 0, text


def column(home: Path, name: str, request_id: int = 1) -> str:
    with sqlite3.connect(home / "tracking.sqlite3") as connection:
        (value,) = connection.execute(
            f"SELECT {name} FROM requests WHERE id = ?", (request_id,)
        ).fetchone()
    connection.close()
    return str(value)


def pages_text(path: Path) -> str:
    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def refused_as_unsealed(output: str, request_id: int = 1) -> bool:
    """Refused as a row without the member's seal: one they never tracked, or one they
    tracked that is no longer as dsr recorded it."""
    return (
        f"holds request {request_id}, which dsr did not record with your key" in output
        or (
            f"request {request_id}, which you tracked with your key in" in output
            and "is no longer as dsr recorded it" in output
        )
    ) and f"dsr track remove {request_id}" in output


@pytest.fixture
def alice_and_bob(tmp_path: Path, dsr_home: Path) -> tuple[Path, Path]:
    """Alice's tracked letter; Bob's letter, written by dsr, somewhere Alice can read."""
    alice = tmp_path / "alice" / "a.pdf"
    alice.parent.mkdir()
    letter_of("Alice A", "alice@example.org", alice)
    bob = tmp_path / "bob" / "b.pdf"
    bob.parent.mkdir()
    letter_of("Bob Secret", "bob@example.org", bob, track_it=False)
    return alice, bob


# Round 15b #1 and its variants: everything a writer of the data folder can change
# to make a follow-up append Bob's letter, with and without its checksum.
def _bob_s_reference(bob: Path) -> str:
    keywords = str(PdfReader(bob).metadata.get("/Keywords", ""))
    assert keywords, "dsr writes the reference into the letter's keywords"
    return keywords.strip()


@pytest.mark.parametrize("with_checksum", [False, True], ids=["no-checksum", "checksum"])
@pytest.mark.parametrize(
    "command",
    [
        ["track", "remind", "1", "--date", "2026-12-10"],
        ["track", "escalate", "1", "--date", "2026-12-20", "--authority", "deberlbdi"],
    ],
    ids=["remind", "escalate"],
)
def test_another_member_s_letter_planted_in_the_store_is_never_appended(
    alice_and_bob: tuple[Path, Path],
    tmp_path: Path,
    dsr_home: Path,
    with_checksum: bool,
    command: list[str],
) -> None:
    _, bob = alice_and_bob
    hashes = {str(bob): track._sha256(bob)} if with_checksum else None
    tamper(
        dsr_home,
        "UPDATE requests SET reference = ?, files = ?, file_hashes = ? WHERE id = 1",
        _bob_s_reference(bob),
        json.dumps([str(bob)]),
        json.dumps(hashes) if hashes else None,
        sealed=False,
    )
    output = tmp_path / "follow-up.pdf"
    code, text = invoke(*command, "-o", str(output))
    assert code == 2, text
    assert refused_as_unsealed(text)
    assert not output.exists()


@pytest.mark.parametrize(
    ("change", "values"),
    [
        ("UPDATE requests SET recipient = 'Attacker Ltd'", ()),
        ("UPDATE requests SET controller_record = ?", (json.dumps({"name": "X"}),)),
        (
            "UPDATE requests SET inputs = ?",
            (json.dumps({"name": "Mallory", "jurisdiction": "DE"}),),
        ),
        ("UPDATE requests SET deadline = '2026-11-03'", ()),
        ("UPDATE requests SET seal = NULL", ()),
        ("UPDATE requests SET id = 2", ()),
    ],
    ids=["recipient", "controller-record", "inputs", "deadline", "no-seal", "renumbered"],
)
def test_every_column_is_sealed(
    change: str, values: tuple[object, ...], tmp_path: Path, dsr_home: Path
) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    tamper(dsr_home, change, *values, sealed=False)
    request_id = 2 if "id = 2" in change else 1
    code, text = invoke("track", "list")
    assert code == 2, text
    assert refused_as_unsealed(text, request_id)
    code, text = invoke("track", "answered", str(request_id), "--date", "2026-12-01")
    assert code == 2, text  # dsr never seals again what someone else wrote
    assert refused_as_unsealed(text, request_id)
    code, text = invoke("track", "remove", str(request_id), "--yes")
    if request_id == 1:  # the member's own number: forgotten, the changed row left
        assert code == 0, text
        assert "forgotten" in text
    else:  # in a shared data folder it may be another member's
        assert code == 2, text
        assert "--not-mine" in text
    code, text = invoke("track", "remove", str(request_id), "--yes", "--not-mine")
    assert code == 0, text
    code, text = invoke("track", "list")
    if request_id == 2:  # renumbered: request 1, which the member tracked, is gone
        assert code == 2, text
        assert "request 1, which you tracked with your key" in text
        assert invoke("track", "remove", "1", "--yes")[0] == 0  # forgotten here too
        code, text = invoke("track", "list")
    assert code == 0, text


def test_a_row_copied_from_another_row_keeps_nothing_of_its_seal(
    tmp_path: Path, dsr_home: Path
) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    tamper(
        dsr_home,
        "INSERT INTO requests (reference, kind, jurisdiction, controller, recipient, language, "
        "sent, deadline, inputs, files, seal) SELECT reference, kind, jurisdiction, controller, "
        "'Other', language, sent, deadline, inputs, '[]', seal FROM requests WHERE id = 1",
        sealed=False,
    )
    code, text = invoke("track", "list", "--json")
    assert code == 0, text  # the sound row is listed, the copy named in a note (round 35b)
    assert refused_as_unsealed(text, 2)
    assert '"id": 2' not in text


def test_the_user_s_own_steps_keep_the_row_sealed(tmp_path: Path, dsr_home: Path) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    first = column(dsr_home, "seal")
    code, text = invoke(
        "track", "remind", "1", "--date", "2026-12-03", "-o", str(tmp_path / "r.pdf")
    )
    assert code == 0, text
    assert column(dsr_home, "seal") != first  # sealed again over the reminder's columns
    code, text = invoke("track", "answered", "1", "--date", "2026-12-05", "--verdict", "partial")
    assert code == 0, text
    code, text = invoke(
        "track", "escalate", "1", "--date", "2026-12-20", "--authority", "deberlbdi",
        "-o", str(tmp_path / "c.pdf"),
    )  # fmt: skip
    assert code == 0, text
    assert "Alice A" in pages_text(tmp_path / "c.pdf")
    code, text = invoke("track", "list")
    assert code == 0, text


def test_a_store_from_another_key_folder_is_refused_until_adopted(
    tmp_path: Path, dsr_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    original = seals.key_path()
    other = tmp_path / "other-config"
    monkeypatch.setenv("XDG_CONFIG_HOME", str(other))  # another user, or another computer
    code, text = invoke("track", "list")
    assert code == 2, text
    assert "dsr keeps no ledger of the tracking store" in text
    assert str(other / "dsr") in text.replace("\n", "")
    assert "dsr track adopt" in text
    code, text = invoke("track", "adopt", "--yes")  # sealed with another key: not by default
    assert code == 2, text
    assert "NOT sealed with your key" in text
    assert "left out: dsr cannot check a request your key did not seal" in text
    assert f"a follow-up appends {tmp_path / 'a.pdf'}" in text
    # Nor when named: any column of it may have been changed (rounds 30 to 32).
    code, text = invoke("track", "adopt", "--also", "1", "--yes")
    assert code == 2, text
    assert "copy that computer's key file (seal.key) here" in text
    copied = seals.key_path()  # the member copies the other computer's key here
    copied.write_bytes(original.read_bytes())
    code, text = invoke("track", "adopt", "--also", "1", "--yes")
    assert code == 0, text
    assert "Adopted 1 request in" in text


def test_the_key_is_private_and_outside_the_data_folder(tmp_path: Path, dsr_home: Path) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    key = seals.key_path()
    assert not key.is_relative_to(dsr_home)
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert stat.S_IMODE(key.parent.stat().st_mode) == 0o700
    assert len(key.read_bytes()) == seals.KEY_BYTES


@pytest.mark.parametrize("damage", ["short", "link", "folder"])
def test_a_damaged_key_file_is_a_clear_error(damage: str, tmp_path: Path, dsr_home: Path) -> None:
    key = seals.key_path()
    key.parent.mkdir(parents=True, mode=0o700)
    if damage == "short":
        key.write_bytes(b"123")
    elif damage == "link":
        (tmp_path / "elsewhere").write_bytes(b"k" * seals.KEY_BYTES)
        key.symlink_to(tmp_path / "elsewhere")
    else:
        key.mkdir()
    code, text = tracked_letter("A A", "a@example.org", tmp_path / "a.pdf")
    assert code == 2, text
    assert "key file" in text
    assert not (tmp_path / "a.pdf").exists()


def _older_store(home: Path) -> None:
    """A store as dsr wrote it before seals (schema 5), with one request."""
    connection = sqlite3.connect(home / "tracking.sqlite3")
    for statement in track.MIGRATIONS[: track.SEALED_FROM - 1]:
        connection.execute(statement)
    connection.execute(f"PRAGMA user_version = {track.SEALED_FROM - 1}")
    connection.execute(
        "INSERT INTO requests (reference, kind, jurisdiction, controller, recipient, language, "
        "sent, deadline, inputs, files) VALUES ('2026-ABC', 'objection', 'DE', 'linkedin', "
        "'LinkedIn Ireland Unlimited Company', 'de', '2026-11-02', '2026-12-02', ?, '[]')",
        (json.dumps({"jurisdiction": "DE", "name": "Alice A", "kind": "objection"}),),
    )
    connection.commit()
    connection.close()


def test_an_older_store_is_sealed_as_it_is_migrated(dsr_home: Path) -> None:
    _older_store(dsr_home)
    assert [t.reference for t in track.all_requests()] == ["2026-ABC"]
    assert list(seals.read_ledger(dsr_home, "requests") or {}) == ["1"]


def test_an_older_store_met_after_the_first_is_adopted_only_by_choice(
    tmp_path: Path, dsr_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")  # the key seals a store
    elsewhere = tmp_path / "second-home"
    elsewhere.mkdir()
    monkeypatch.setenv("DSR_HOME", str(elsewhere))
    _older_store(elsewhere)
    code, text = invoke("track", "list")
    assert code == 2, text
    assert "in an older format, without seals" in text
    assert "track your letters again" in text
    code, text = invoke("track", "adopt", "--yes")
    assert code == 2, text  # an older dsr's rows carry no seal: dsr cannot check them
    code, text = invoke("track", "adopt", "--also", "1", "--yes")
    assert code == 2, text  # nor when named: someone may have planted it (round 17b)
    assert "dsr cannot check a request your key did not seal" in text
    code, text = invoke("track", "list", "--json")
    assert code == 0, text  # named in a note, not listed
    assert "not shown" in text
    assert "2026-ABC" not in text


def test_a_sealed_store_replaced_by_an_unsealed_one_is_refused(
    tmp_path: Path, dsr_home: Path
) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    os.remove(dsr_home / "tracking.sqlite3")
    _older_store(dsr_home)  # put there by someone who can write the data folder
    code, text = invoke("track", "list")
    assert code == 2, text
    assert "in an older format, without seals" in text
    assert "Traceback" not in text


def test_what_forget_removed_is_refused_if_it_is_put_back(tmp_path: Path, dsr_home: Path) -> None:
    """Round 17b #1 and #2: forget empties the ledgers and keeps the folder known as
    sealed, so neither a saved copy of the store nor an older-format one is trusted."""
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    store = dsr_home / "tracking.sqlite3"
    saved = store.read_bytes()
    userdata.forget()
    assert not store.exists()
    assert seals.read_ledger(dsr_home, "requests") == {}
    dsr_home.mkdir(exist_ok=True)  # forget removed the emptied folder
    store.write_bytes(saved)  # a sealed copy put back
    code, text = invoke("track", "list")
    assert code == 2, text
    assert "as it was before dsr last changed it, or after dsr removed it" in text
    store.unlink()
    _older_store(dsr_home)  # an unsealed one
    code, text = invoke("track", "list")
    assert code == 2, text
    assert "in an older format, without seals" in text
    store.unlink()
    letter_of("Alice A", "alice@example.org", tmp_path / "b.pdf")  # a new store, sealed
    code, text = invoke("track", "list")
    assert code == 0, text


# The same for the companies the user imported: whoever can write the data folder
# must not change where a company's letters go.
def _imported_acme(tmp_path: Path, dsr_home: Path) -> Path:
    source = tmp_path / "acme-source.json"
    source.write_text(json.dumps({"acme": RECORD}), encoding="utf-8")
    code, text = invoke("controllers", "import", str(source))
    assert code == 0, text
    return dsr_home / "controllers" / "acme.json"


def _acme_letter(tmp_path: Path) -> tuple[int, str]:
    return invoke(
        "letter", *MEMBER, "--controller", "acme", "--name", "A A",
        "--account-email", "a@example.org", "-o", str(tmp_path / "acme.pdf"),
    )  # fmt: skip


def test_an_imported_company_is_used_while_its_seal_holds(tmp_path: Path, dsr_home: Path) -> None:
    _imported_acme(tmp_path, dsr_home)
    code, text = _acme_letter(tmp_path)
    assert code == 0, text
    assert "Beispielweg 5" in pages_text(tmp_path / "acme.pdf")


@pytest.mark.parametrize("how", ["edited", "planted", "unsealed"])
def test_an_imported_company_changed_by_someone_else_is_not_used(
    how: str, tmp_path: Path, dsr_home: Path
) -> None:
    stored = _imported_acme(tmp_path, dsr_home)
    record = json.loads(stored.read_text(encoding="utf-8"))
    if how == "edited":  # the seal kept, the address changed
        text = json.dumps(record).replace("Beispielweg 5", "Attacker Road 9")
    elif how == "planted":  # another key's seal
        text = json.dumps({**record, "dsr-seal": "0" * 64})
    else:  # as an older dsr stored it
        text = json.dumps({k: v for k, v in record.items() if k != "dsr-seal"})
    stored.write_text(text, encoding="utf-8")
    code, output = _acme_letter(tmp_path)
    assert code == 2, output
    assert f"ignored {stored}: it was not imported with your key" in output
    assert not (tmp_path / "acme.pdf").exists()


# Round 16b: a store that rewrites rows as dsr writes them, and the schema version.
def _plant(home: Path, *statements: str) -> None:
    connection = sqlite3.connect(home / "tracking.sqlite3")
    for statement in statements:
        connection.execute(statement)
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    "planted",
    [
        "CREATE TRIGGER x AFTER UPDATE OF answered ON requests BEGIN UPDATE requests SET "
        "files = '[\"/elsewhere/bob.pdf\"]', file_hashes = NULL WHERE id = NEW.id; END",
        "CREATE TRIGGER x AFTER UPDATE ON requests BEGIN DELETE FROM requests; END",
        "CREATE VIEW v AS SELECT * FROM requests",
        "CREATE INDEX i ON requests (reference)",
        "ALTER TABLE requests ADD COLUMN later TEXT AS (reference) VIRTUAL",
    ],
    ids=["update-trigger", "delete-trigger", "view", "index", "computed-column"],
)
@pytest.mark.parametrize(
    "step",
    [
        ["track", "answered", "1", "--date", "2026-11-20"],
        ["track", "close", "1"],
        ["track", "list"],
    ],
    ids=["answered", "close", "list"],
)
def test_a_store_holding_what_dsr_does_not_make_is_refused(
    planted: str, step: list[str], tmp_path: Path, dsr_home: Path
) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    before = column(dsr_home, "seal")
    _plant(dsr_home, planted)
    code, text = invoke(*step)
    assert code == 2, text
    assert "holds what dsr does not make" in text
    assert column(dsr_home, "seal") == before  # nothing sealed


def test_an_insert_trigger_is_refused_before_the_letter_is_written(
    tmp_path: Path, dsr_home: Path
) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    _plant(
        dsr_home,
        "CREATE TRIGGER y AFTER INSERT ON requests BEGIN UPDATE requests SET "
        'controller_record = \'{"name": "Evil"}\' WHERE id = NEW.id; END',
    )
    code, text = tracked_letter("B B", "b@example.org", tmp_path / "b.pdf")
    assert code == 2, text
    assert "holds what dsr does not make" in text
    assert not (tmp_path / "b.pdf").exists()


def test_a_row_that_reads_back_otherwise_is_never_sealed(
    tmp_path: Path, dsr_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind the schema check: the seal is made from what dsr writes, and the row must
    read back as that (a trigger the check did not know would be caught here)."""
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    before = column(dsr_home, "seal")
    _plant(
        dsr_home,
        "CREATE TRIGGER x AFTER UPDATE OF answered ON requests BEGIN UPDATE requests SET "
        "reference = 'OTHER' WHERE id = NEW.id; END",
    )
    monkeypatch.setattr(track, "_check_schema", lambda connection: None)
    code, text = invoke("track", "answered", "1", "--date", "2026-11-20")
    assert code == 2, text
    assert "does not keep what dsr writes to it" in text
    assert column(dsr_home, "seal") == before
    assert column(dsr_home, "reference") != "OTHER"  # rolled back


@pytest.mark.parametrize("version", [-1, -5])
def test_a_negative_schema_version_is_a_damaged_store(
    version: int, tmp_path: Path, dsr_home: Path
) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    tamper(dsr_home, "UPDATE requests SET reference = 'OTHER'", sealed=False)
    _plant(dsr_home, "ALTER TABLE requests DROP COLUMN seal", f"PRAGMA user_version = {version}")
    code, text = invoke("track", "list")
    assert code == 2, text
    assert "cannot be used" in text
    assert "OTHER" not in text


# Round 16b #4 and #5: an older sealed copy put back.
def _row_now(home: Path, request_id: int = 1) -> tuple[object, ...]:
    with sqlite3.connect(home / "tracking.sqlite3") as connection:
        row = connection.execute("SELECT * FROM requests WHERE id = ?", (request_id,)).fetchone()
    connection.close()
    return tuple(row)


def _put_back(home: Path, row: tuple[object, ...]) -> None:
    marks = ", ".join("?" for _ in row)
    tamper(home, "DELETE FROM requests WHERE id = ?", row[0], sealed=False)
    tamper(home, f"INSERT INTO requests VALUES ({marks})", *row, sealed=False)


@pytest.mark.parametrize("then", ["answered", "closed", "removed"])
def test_an_older_copy_of_a_request_put_back_is_refused(
    then: str, tmp_path: Path, dsr_home: Path
) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    older = _row_now(dsr_home)  # sealed: waiting for an answer
    step = {
        "answered": ["track", "answered", "1", "--date", "2026-11-20", "--verdict", "complete"],
        "closed": ["track", "close", "1"],
        "removed": ["track", "remove", "1", "--yes"],
    }[then]
    code, text = invoke(*step)
    assert code == 0, text
    _put_back(dsr_home, older)
    code, text = invoke("track", "list")
    assert code == 2, text
    assert "holds request 1 as it was before dsr last changed it" in text
    complaint = tmp_path / "c.pdf"
    code, text = invoke(
        "track", "escalate", "1", "--date", "2026-12-20", "--authority", "deberlbdi",
        "-o", str(complaint),
    )  # fmt: skip
    assert code == 2, text
    assert not complaint.exists()
    code, text = invoke("track", "answered", "1", "--date", "2026-11-21")
    assert code == 2, text  # never sealed again


def test_a_whole_older_store_put_back_is_refused(tmp_path: Path, dsr_home: Path) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    store = dsr_home / "tracking.sqlite3"
    older = store.read_bytes()
    code, text = invoke("track", "answered", "1", "--date", "2026-11-20", "--verdict", "refused")
    assert code == 0, text
    store.write_bytes(older)
    code, text = invoke("track", "list")
    assert code == 2, text
    assert "as it was before dsr last changed it" in text


def test_every_step_leaves_the_request_readable(tmp_path: Path, dsr_home: Path) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    letter_of("Bob B", "bob@example.org", tmp_path / "b.pdf")
    for step in (
        ["track", "remind", "1", "--date", "2026-12-10", "-o", str(tmp_path / "r.pdf")],
        ["track", "answered", "2", "--date", "2026-11-20", "--verdict", "partial"],
        ["track", "close", "2"],
        ["track", "remove", "2", "--yes"],
    ):
        code, text = invoke(*step)
        assert code == 0, (step, text)
        code, text = invoke("track", "list")
        assert code == 0, (step, text)


def test_an_older_copy_of_an_imported_company_is_not_used(tmp_path: Path, dsr_home: Path) -> None:
    stored = _imported_acme(tmp_path, dsr_home)
    older = stored.read_bytes()
    source = tmp_path / "acme-new.json"
    newer = {
        **RECORD,
        "entities": [{**RECORD["entities"][0], "address": ["Neuweg 1", "10117 Berlin"]}],
    }
    source.write_text(json.dumps({"acme": newer}), encoding="utf-8")
    code, text = invoke("controllers", "import", str(source))
    assert code == 0, text
    code, text = _acme_letter(tmp_path)
    assert code == 0, text
    assert "Neuweg 1" in pages_text(tmp_path / "acme.pdf")
    stored.write_bytes(older)
    (tmp_path / "acme.pdf").unlink()
    code, text = _acme_letter(tmp_path)
    assert code == 2, text
    assert "it is an older copy of the company's record" in text
    userdata.forget()  # and after forget, no copy of it is trusted
    stored.parent.mkdir(exist_ok=True)
    stored.write_bytes(older)
    code, text = _acme_letter(tmp_path)
    assert code == 2, text
    assert "'acme' is unknown" in text  # its warning was given above, once per process


def test_another_program_s_database_without_a_version_is_not_written(
    tmp_path: Path, dsr_home: Path
) -> None:
    """Round 17b (read in the code): dsr's table was made in any SQLite file of version 0."""
    store = dsr_home / "tracking.sqlite3"
    _plant(dsr_home, "CREATE TABLE notes (body TEXT)")
    before = store.read_bytes()
    code, text = tracked_letter("A A", "a@example.org", tmp_path / "a.pdf")
    assert code == 2, text
    assert "holds what dsr does not make" in text
    assert store.read_bytes() == before
    assert not (tmp_path / "a.pdf").exists()


# Round 18b #1: adopt takes by default only requests sealed as a ledger lists them.
def _move_data_folder(home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    moved = tmp_path / "moved-home"
    home.rename(moved)
    monkeypatch.setenv("DSR_HOME", str(moved))
    return moved


def test_a_moved_store_is_adopted_as_dsr_left_it(
    tmp_path: Path, dsr_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    _move_data_folder(dsr_home, tmp_path, monkeypatch)
    code, text = invoke("track", "list")
    assert code == 2, text
    assert "dsr keeps no ledger" in text
    code, text = invoke("track", "adopt", "--yes")
    assert code == 0, text
    assert "sealed with your key: adopted" in text
    code, text = invoke(
        "track", "remind", "1", "--date", "2026-12-10", "-o", str(tmp_path / "r.pdf")
    )
    assert code == 0, text


@pytest.mark.parametrize("change", ["edited", "older-copy"])
def test_a_moved_store_changed_by_someone_else_is_not_adopted_by_default(
    change: str,
    alice_and_bob: tuple[Path, Path],
    tmp_path: Path,
    dsr_home: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, bob = alice_and_bob
    if change == "edited":
        tamper(
            dsr_home,
            "UPDATE requests SET reference = ?, files = ?, file_hashes = NULL WHERE id = 1",
            _bob_s_reference(bob),
            json.dumps([str(bob)]),
            sealed=False,
        )
    else:
        older = _row_now(dsr_home)
        code, text = invoke(
            "track", "answered", "1", "--date", "2026-11-20", "--verdict", "complete"
        )
        assert code == 0, text
        _put_back(dsr_home, older)
    _move_data_folder(dsr_home, tmp_path, monkeypatch)
    code, text = invoke("track", "adopt", "--yes")
    assert code == 2, text
    left_out = "left out: dsr cannot check" if change == "edited" else "add --also 1"
    assert left_out in text
    if change == "edited":
        assert f"a follow-up appends {bob}" in text  # what the member is asked to check
    output = tmp_path / "rem.pdf"
    code, text = invoke("track", "remind", "1", "--date", "2026-12-10", "-o", str(output))
    assert code == 2, text
    assert not output.exists()


def test_a_step_stopped_before_its_commit_never_trusts_an_older_copy(
    tmp_path: Path, dsr_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Round 18b #2: the ledger takes the new seal before the store commits; stopped in
    between, the request is refused (adopt restores it), and a copy put back is too."""
    letter_of("Alice A", "alice@example.org", tmp_path / "a.pdf")
    older = _row_now(dsr_home)
    recorded = track._set_ledger

    def stopped(request_id: int, accepted: list[str] | None) -> None:
        recorded(request_id, accepted)
        raise KeyboardInterrupt  # Ctrl-C, or a kill, before the commit

    monkeypatch.setattr(track, "_set_ledger", stopped)
    with pytest.raises(KeyboardInterrupt):
        track.mark_answered(1, date(2026, 11, 20), "complete")
    monkeypatch.setattr(track, "_set_ledger", recorded)
    assert _row_now(dsr_home) == older  # rolled back
    code, text = invoke("track", "list")
    assert code == 2, text
    assert "or dsr was stopped while it changed it" in text
    _put_back(dsr_home, older)
    code, text = invoke("track", "list")
    assert code == 2, text
    code, text = invoke("track", "adopt", "--also", "1", "--yes")
    assert code == 0, text
    code, text = invoke("track", "list")
    assert code == 0, text


def test_a_first_migration_stopped_still_counts_as_the_first_store(
    tmp_path: Path, dsr_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Round 18b (read in the code): the key's first store is noted before it is sealed,
    so a stopped upgrade does not leave the next store to be sealed as it is."""
    _older_store(dsr_home)

    def stopped(connection: sqlite3.Connection, signing: bytes, adopting: bool) -> None:
        raise KeyboardInterrupt

    with monkeypatch.context() as patched:
        patched.setattr(track, "_migrate", stopped)
        with pytest.raises(KeyboardInterrupt):
            track.all_requests()
    elsewhere = tmp_path / "planted-home"
    elsewhere.mkdir()
    monkeypatch.setenv("DSR_HOME", str(elsewhere))  # the same key folder
    _older_store(elsewhere)
    code, text = invoke("track", "list")
    assert code == 2, text
    assert "in an older format, without seals" in text
