"""Running `dsr batch` in tests as a member would, and reading what it wrote."""

from __future__ import annotations

import csv
from pathlib import Path

from click.testing import CliRunner

from dsr.cli import main


def batch_text(
    folder: Path,
    content: str | bytes,
    defaults: str,
    *options: str,
    name: str = "members.csv",
) -> tuple[int, str]:
    """``dsr batch`` of ``content`` (saved as ``name``) into ``folder/out`` as text, with
    ``defaults`` as --defaults; the exit code and what it printed."""
    source = folder / name
    if isinstance(content, bytes):
        source.write_bytes(content)
    else:
        source.write_text(content, encoding="utf-8")
    settings = folder / "defaults.toml"
    settings.write_text(defaults, encoding="utf-8")
    result = CliRunner().invoke(
        main,
        ["batch", str(source), "-o", str(folder / "out"), "--format", "txt",
         "--defaults", str(settings), *options],
        catch_exceptions=False,
    )  # fmt: skip
    return result.exit_code, result.output


def written(folder: Path) -> dict[str, str]:
    """The text letters in ``folder/out``, by file name."""
    return {p.name: p.read_text(encoding="utf-8") for p in sorted((folder / "out").glob("*.txt"))}


def report_rows(folder: Path) -> list[dict[str, str]]:
    """``folder/out/report.csv``, one table per row."""
    with (folder / "out" / "report.csv").open(encoding="utf-8", newline="") as stream:
        return list(csv.DictReader(stream))
