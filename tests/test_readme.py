"""The README is true for a user: its code runs, its names are dsr's."""

from __future__ import annotations

import json
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

import dsr
from dsr.cli import main
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text("utf-8")
BLOCKS = re.findall(r"^```(\w+)\n(.*?)^```$", README, flags=re.MULTILINE | re.DOTALL)
PYTHON = [code for language, code in BLOCKS if language == "python"]


def shell_commands() -> list[str]:
    """The README's ``dsr`` commands that need nothing the reader must supply first:
    no ``...``, no choice written ``a|b``, no ``[optional]`` part, no file of theirs."""
    commands = []
    for language, code in BLOCKS:
        if language != "sh":
            continue
        for line in code.replace("\\\n", " ").splitlines():
            if any(mark in line for mark in ("...", "|", "[", " ID")):
                continue
            words = shlex.split(line, comments=True)
            if ">" in words:
                words = words[: words.index(">")]
            if len(words) >= 2 and words[0] == "dsr" and words[1] in ("letter", "list", "schema"):
                commands.append(shlex.join(words))
    return commands


def test_the_readme_has_code_to_run() -> None:
    assert len(PYTHON) >= 2
    assert any(c.startswith("dsr letter") for c in shell_commands())
    assert "dsr schema" in shell_commands()


@pytest.mark.parametrize("code", PYTHON, ids=[f"python-{i}" for i in range(len(PYTHON))])
def test_python_blocks_run(code: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr
    if "render_to(" in code:  # it writes what it says
        written = [p.name for p in tmp_path.iterdir()]
        assert written, "render_to wrote nothing"


@pytest.mark.parametrize("command", shell_commands())
def test_shell_commands_run(command: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, shlex.split(command)[1:], prog_name="dsr")
    assert result.exit_code == 0, result.output


def test_the_kinds_table_lists_every_kind() -> None:
    table = set(re.findall(r"^\| `([a-z0-9-]+)` \|", README, flags=re.MULTILINE))
    assert {k.value for k in dsr.Kind} <= table


def test_the_controllers_named_are_dsr_list_controllers() -> None:
    paragraph = README[README.index("Controllers (`--controller`") :].split("\n\n")[0]
    named = re.findall(r"`([a-z0-9][a-z0-9-]*)`", paragraph.split("and any company")[0])
    result = CliRunner().invoke(main, ["list", "controllers", "--json"])
    listed = [row["slug"] for row in json.loads(result.stdout)]
    assert named == listed


def test_no_path_of_this_checkouts_setup() -> None:
    assert "../shared" not in README
    assert "reference/" not in README


def test_completion_is_documented() -> None:
    assert "_DSR_COMPLETE=bash_source dsr" in README
    assert "_DSR_COMPLETE=zsh_source dsr" in README
