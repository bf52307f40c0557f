"""Attack review 9 (file system): a template folder swapped for a link as it is read."""

from __future__ import annotations

import os
from pathlib import Path

import jinja2
import pytest

from dsr.sandbox import ConfinedLoader, TemplateOutsideFolder


def test_a_folder_swapped_for_a_link_after_the_check_is_not_followed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """9b #1 (CRITICAL): realpath() saw a folder; before the open it became a link to
    /etc. The template is opened one folder at a time without following links."""
    folder = tmp_path / "T"
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "passwd").write_text("harmless", encoding="utf-8")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "passwd").write_text("root:x:0:0:SECRET", encoding="utf-8")
    real_realpath = os.path.realpath

    def realpath_then_swap(path: object, **kwargs: bool) -> str:
        resolved = real_realpath(path, **kwargs)  # type: ignore[call-overload]
        if str(path).endswith("passwd"):
            (folder / "sub").rename(tmp_path / "old-sub")
            (folder / "sub").symlink_to(outside)
        return str(resolved)

    monkeypatch.setattr(os.path, "realpath", realpath_then_swap)
    loader = ConfinedLoader(folder)
    with pytest.raises(TemplateOutsideFolder, match="changed while it was read"):
        loader.get_source(jinja2.Environment(), "sub/passwd")


def test_a_link_inside_the_folder_to_a_file_inside_is_still_read(tmp_path: Path) -> None:
    folder = tmp_path / "T"
    (folder / "parts").mkdir(parents=True)
    (folder / "parts" / "greeting.jinja").write_text("Hello", encoding="utf-8")
    (folder / "alias").symlink_to(folder / "parts")
    source, _, _ = ConfinedLoader(folder).get_source(jinja2.Environment(), "alias/greeting.jinja")
    assert source == "Hello"


def test_a_tracked_letter_swapped_after_its_check_is_never_appended(
    tmp_path: Path, dsr_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """10b #1 (CRITICAL): `track remind` checked the tracked PDF's sha256, then opened
    it again by name half a second later; a file moved over it meanwhile was appended."""
    from click.testing import CliRunner

    from dsr import track
    from dsr.cli import main

    letter = tmp_path / "a.pdf"
    result = CliRunner().invoke(main, [
        "letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "E M",
        "--address", "Hauptstraße 1, 10115 Berlin", "--account-email", "e@example.org",
        "--date", "2026-11-02", "--track", "-o", str(letter),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    other = tmp_path / "other.pdf"
    result = CliRunner().invoke(main, [
        "letter", "--kind", "objection", "--jurisdiction", "DE", "--name", "Mallory X",
        "--address", "Hauptstraße 9, 10115 Berlin", "--account-email", "m@example.org",
        "--date", "2026-11-02", "-o", str(other),
    ])  # fmt: skip
    assert result.exit_code == 0, result.output
    checked = track.annexes

    def check_then_swap(tracked: track.Tracked, paths: list[str]) -> list[str]:
        names = checked(tracked, paths)
        os.replace(other, letter)  # a plain mv after the check
        return names

    monkeypatch.setattr(track, "annexes", check_then_swap)
    result = CliRunner().invoke(
        main, ["track", "remind", "1", "--date", "2026-12-07", "-o", str(tmp_path / "r.pdf")]
    )
    assert result.exit_code == 2, result.output
    assert "sha256 differs" in result.output
    assert not (tmp_path / "r.pdf").exists()
