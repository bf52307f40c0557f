"""Imported controllers, controller files and forgetting, through the CLI."""

from __future__ import annotations

import json
import stat
from pathlib import Path

from click.testing import CliRunner

from dsr.cli import main
from tests.conftest import pdf_text, shared_reference


def zalando() -> Path:
    """One datarequests.org company record."""
    return shared_reference("datenanfragen", "companies", "zalando.json")


def invoke(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.output


def member(output: Path) -> list[str]:
    return [
        "letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "Erika Mustermann",
        "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "erika@example.org",
        "--lang", "en", "--date", "2026-11-22", "-o", str(output),
    ]  # fmt: skip


def test_import_the_datarequests_org_companies_and_write_to_one(
    tmp_path: Path, dsr_home: Path
) -> None:
    code, output = invoke(
        "controllers", "import", str(shared_reference("datenanfragen", "companies"))
    )
    assert code == 2, output  # a few records are skipped, and the exit status says so
    summary = output.strip().splitlines()[-1]
    imported = int(summary.split()[1])
    assert imported > 2900
    # Built-in records win over imported ones of the same slug, and say so.
    assert "skipped linkedin: a built-in controller has this slug" in output
    stored = dsr_home / "controllers" / "zalando.json"
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    out = tmp_path / "zalando.pdf"
    code, output = invoke(*member(out), "--controller", "zalando")
    assert code == 0, output
    text = " ".join(pdf_text(out).split())
    assert "Zalando SE" in text
    assert "LinkedIn" not in text


def test_controller_file_in_datarequests_format(tmp_path: Path) -> None:
    out = tmp_path / "letter.pdf"
    code, output = invoke(*member(out), "--controller-file", str(zalando()))
    assert code == 0, output
    assert "Zalando SE" in pdf_text(out)


def test_controller_file_in_our_format(tmp_path: Path) -> None:
    record = {
        "service": "Acme Social",
        "network": "social",  # its users are members: "I am a member of"
        "profile_hosts": ["acme.example"],
        "sources": ["test fixture"],
        "last_verified": "2026-11-01",
        "entities": [
            {
                "name": "Acme Europe GmbH",
                "attention": "dpo",
                "address": ["Beispielweg 5", "10117 Berlin"],
                "country": "DE",
                "jurisdictions": ["EU", "EEA"],
                "sources": ["test fixture"],
                "last_verified": "2026-11-01",
            }
        ],
    }
    path = tmp_path / "acme.json"
    path.write_text(json.dumps(record), encoding="utf-8")
    out = tmp_path / "letter.pdf"
    code, output = invoke(*member(out), "--controller-file", str(path))
    assert code == 0, output
    text = " ".join(pdf_text(out).split())
    assert "Acme Europe GmbH" in text
    assert "Beispielweg 5" in text
    assert "member of Acme Social" in text


def test_broken_controller_files_are_reported(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text('{"service": "X", "entities": [{"name": "X"}]}', encoding="utf-8")
    code, output = invoke(*member(tmp_path / "x.pdf"), "--controller-file", str(path))
    assert code == 2
    assert output == f"Error: --controller-file: {path}: missing field 'address'\n"
    path.write_text("not json", encoding="utf-8")
    code, output = invoke(*member(tmp_path / "x.pdf"), "--controller-file", str(path))
    assert code == 2
    assert output.startswith(f"Error: --controller-file: {path}: not valid JSON:")


def test_import_reports_what_it_skipped(tmp_path: Path) -> None:
    folder = tmp_path / "records"
    folder.mkdir()
    (folder / "good.json").write_text(zalando().read_text("utf-8"), "utf-8")
    (folder / "bad.json").write_text("[1, 2]", encoding="utf-8")
    code, output = invoke("controllers", "import", str(folder))
    assert code == 2, output  # the good record is stored all the same
    lines = output.strip().splitlines()
    assert lines[-1] == "Imported 1 controller, skipped 1."
    assert lines[0].startswith(f"skipped {folder / 'bad.json'}: ")


def test_forget_removes_everything(dsr_home: Path) -> None:
    assert invoke("controllers", "import", str(zalando()))[0] == 0
    assert (dsr_home / "controllers" / "zalando.json").exists()
    code, output = invoke("forget")
    assert code == 2
    assert output == "Error: forget: add --yes to remove your stored data without a prompt\n"
    code, output = invoke("forget", "--yes")
    assert code == 0, output
    assert not dsr_home.exists()
