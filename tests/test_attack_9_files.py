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
